/**
 * Kafka's TopologyTestDriver: runs a topology in process, without a broker. Every topic has one
 * partition; each sub-topology runs as task `<id>_0` with in-memory stores; records written to a
 * repartition topic are read back by the sub-topology that consumes it, in order, before
 * `pipeInput` returns. Wall-clock punctuation runs when `advanceWallClockTime` moves the clock.
 */
import type { BuiltTopology, BytesStore, GlobalTask, SourceRecord, StreamsHeader, StreamTask, TaskEnvironment } from './api.js';
import { InMemoryBytesStore } from './stores/memory.js';
import { Serdes, type Deserializer, type Serializer } from './serdes.js';
import type { Topology } from './topology.js';
import type { KeyValueIterator, KeyValueStore, ReadOnlyKeyValueStore, ValueAndTimestamp, WindowStore } from './state.js';
import { KeyValue, TimestampedKeyValueStore } from './state.js';

function listIterator<K, V>(list: KeyValue<K, V>[]): KeyValueIterator<K, V> {
  const it = list[Symbol.iterator]() as IterableIterator<KeyValue<K, V>> & { close(): void };
  it.close = () => {};
  return it;
}

export interface TestDriverConfig {
  applicationId?: string;
  deserializationErrors?: 'continue' | 'fail';
  /** Initial wall-clock time (ms); default 0. */
  wallClockMs?: number;
}

export interface TestRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  headers: StreamsHeader[];
}

interface RawRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
  headers: StreamsHeader[];
}

export class TopologyTestDriver {
  readonly applicationId: string;
  readonly built: BuiltTopology;
  readonly logs: { level: string; message: string }[] = [];
  commitRequests = 0;
  private wallClock: number;
  private readonly stores = new Map<string, InMemoryBytesStore>();
  private readonly tasks = new Map<number, StreamTask>();
  private readonly consumers = new Map<string, number[]>();
  private readonly globalTopics = new Set<string>();
  private readonly globalTask: GlobalTask | undefined;
  private readonly outputs = new Map<string, RawRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly queue: SourceRecord[] = [];
  private draining = false;

  constructor(
    private readonly topology: Topology,
    config: TestDriverConfig = {},
  ) {
    this.applicationId = config.applicationId ?? 'test-driver-application';
    this.wallClock = config.wallClockMs ?? 0;
    this.built = topology.build();
    const handler = config.deserializationErrors ?? 'fail';
    const env = (subtopology: number): TaskEnvironment => ({
      applicationId: this.applicationId,
      taskId: { subtopology, partition: 0 },
      store: (name) => this.store(name),
      send: (topic, key, value, timestamp, headers) => this.produce(topic, key, value, timestamp, headers),
      partitionCount: () => 1,
      requestCommit: () => void this.commitRequests++,
      now: () => this.wallClock,
      internalTopicName: (name) => `${this.applicationId}-${name}`,
      deserializationErrors: handler,
      log: (level, message) => void this.logs.push({ level, message }),
    });
    if (this.built.globalStores.length > 0) {
      for (const g of this.built.globalStores) this.globalTopics.add(g.topic);
      this.globalTask = this.built.createGlobalTask(env(-1));
    }
    for (const st of this.built.subtopologies) {
      this.tasks.set(st.id, this.built.createTask(st.id, env(st.id)));
      for (const t of st.sourceTopics) {
        const real = st.internalSources.includes(t) ? `${this.applicationId}-${t}` : t;
        this.consumers.set(real, [...(this.consumers.get(real) ?? []), st.id]);
      }
    }
  }

  private store(name: string): BytesStore {
    let s = this.stores.get(name);
    if (!s) {
      s = new InMemoryBytesStore(name);
      this.stores.set(name, s);
    }
    return s;
  }

  private nextOffset(topic: string): number {
    const o = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, o + 1);
    return o;
  }

  private produce(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: StreamsHeader[]): void {
    const rec = { key, value, timestamp, headers };
    if (this.consumers.has(topic) || this.globalTopics.has(topic)) {
      this.queue.push({ topic, partition: 0, offset: this.nextOffset(topic), ...rec });
    }
    const list = this.outputs.get(topic) ?? [];
    list.push(rec);
    this.outputs.set(topic, list);
  }

  /** Feeds one raw record to whatever reads its topic, then everything it caused. */
  pipeRaw(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: StreamsHeader[] = []): void {
    if (!this.consumers.has(topic) && !this.globalTopics.has(topic)) {
      throw new Error(`Unknown topic: ${topic}. The topology reads ${[...this.consumers.keys(), ...this.globalTopics].join(', ')}`);
    }
    this.queue.push({ topic, partition: 0, offset: this.nextOffset(topic), timestamp, key, value, headers });
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let r = this.queue.shift(); r !== undefined; r = this.queue.shift()) {
        if (this.globalTopics.has(r.topic)) this.globalTask!.process(r);
        for (const id of this.consumers.get(r.topic) ?? []) this.tasks.get(id)!.process(r);
      }
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
  }

  advanceWallClockTime(ms: number): void {
    this.wallClock += ms;
    for (const t of this.tasks.values()) t.punctuate(this.wallClock);
    this.drain();
  }

  wallClockTime(): number {
    return this.wallClock;
  }

  createInputTopic<K, V>(topic: string, keySerializer: Serializer<K> = Serdes.String() as unknown as Serializer<K>, valueSerializer: Serializer<V> = Serdes.String() as unknown as Serializer<V>): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, keySerializer, valueSerializer);
  }

  createOutputTopic<K, V>(topic: string, keyDeserializer: Deserializer<K> = Serdes.String() as unknown as Deserializer<K>, valueDeserializer: Deserializer<V> = Serdes.String() as unknown as Deserializer<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keyDeserializer, valueDeserializer);
  }

  /** @internal removes and returns what was written to a topic since the last read (at most `max`). */
  takeOutput(topic: string, max = Infinity): RawRecord[] {
    const list = this.outputs.get(topic) ?? [];
    const taken = list.splice(0, Math.min(max, list.length));
    this.outputs.set(topic, list);
    return taken;
  }
  /** @internal */
  outputSize(topic: string): number {
    return this.outputs.get(topic)?.length ?? 0;
  }

  producedTopicNames(): string[] {
    return [...this.outputs.keys()];
  }

  /** The typed store (as processors see it). */
  getStateStore<S = unknown>(name: string): S {
    const b = this.topology.model.stores.get(name);
    if (!b) throw new Error(`no state store named ${name}`);
    return b.build(this.store(name)) as S;
  }
  /**
   * A key-value store by name. A DSL store (timestamped) reads as plain values, as Kafka's driver
   * shows it; `getTimestampedKeyValueStore` gives the timestamps too.
   */
  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const s = this.getStateStore<unknown>(name);
    if (!(s instanceof TimestampedKeyValueStore)) return s as KeyValueStore<K, V>;
    const ts = s as TimestampedKeyValueStore<K, V>;
    const plain = (it: Iterable<KeyValue<K, ValueAndTimestamp<V>>>) => [...it].map((kv) => new KeyValue(kv.key, kv.value.value));
    return {
      name,
      get: (key) => ts.get(key)?.value ?? null,
      all: () => listIterator(plain(ts.all())),
      range: (from, to) => listIterator(plain(ts.range(from, to))),
      approximateNumEntries: () => ts.approximateNumEntries(),
    };
  }
  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> {
    return this.getStateStore(name);
  }
  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    return this.getStateStore(name);
  }
  /** The raw byte store, as the runtime would hold it. */
  getBytesStore(name: string): BytesStore | undefined {
    return this.stores.get(name);
  }

  close(): void {
    for (const t of this.tasks.values()) t.close();
  }
}

export class TestInputTopic<K, V> {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly ks: Serializer<K>,
    private readonly vs: Serializer<V>,
  ) {}
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: StreamsHeader[] = []): void {
    this.driver.pipeRaw(this.topic, this.ks.serialize(this.topic, key), this.vs.serialize(this.topic, value), timestamp ?? this.driver.wallClockTime(), headers);
  }
  pipeValue(value: V | null, timestamp?: number): void {
    this.pipeInput(null, value, timestamp);
  }
  pipeKeyValueList(list: Array<KeyValue<K, V> | [K, V]>, timestamp?: number): void {
    for (const kv of list) {
      if (Array.isArray(kv)) this.pipeInput(kv[0], kv[1], timestamp);
      else this.pipeInput(kv.key, kv.value, timestamp);
    }
  }
}

export class TestOutputTopic<K, V> {
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly kd: Deserializer<K>,
    private readonly vd: Deserializer<V>,
  ) {}
  isEmpty(): boolean {
    return this.driver.outputSize(this.topic) === 0;
  }
  getQueueSize(): number {
    return this.driver.outputSize(this.topic);
  }
  /** The next record; throws when there is none (Kafka: NoSuchElementException). */
  readRecord(): TestRecord<K, V> {
    const [r] = this.read(1);
    if (!r) throw new Error(`Empty topic: ${this.topic}`);
    return r;
  }
  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return new KeyValue(r.key, r.value);
  }
  readValue(): V | null {
    return this.readRecord().value;
  }
  readRecordsToList(): TestRecord<K, V>[] {
    return this.read(Infinity);
  }
  private read(max: number): TestRecord<K, V>[] {
    return this.driver.takeOutput(this.topic, max).map((r) => ({
      key: this.kd.deserialize(this.topic, r.key),
      value: this.vd.deserialize(this.topic, r.value),
      timestamp: r.timestamp,
      headers: r.headers,
    }));
  }
  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => new KeyValue(r.key, r.value));
  }
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }
  /** The last value per key (Kafka's readKeyValuesToMap). */
  readKeyValuesToMap(): Map<K | null, V | null> {
    const m = new Map<K | null, V | null>();
    for (const r of this.readRecordsToList()) m.set(r.key, r.value);
    return m;
  }
}
