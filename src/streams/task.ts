/**
 * The task engine: runs records of one task (one partition of one sub-topology) through the
 * processors, in process, with no I/O of its own — input comes from `process`, output leaves
 * through the TaskEnvironment's `send`, state lives in its `store`s.
 *
 * Stream time is the largest timestamp the task has processed; STREAM_TIME punctuations fire after
 * a record moves it past their next due time (first due at 0, then every interval, as Kafka
 * aligns them), WALL_CLOCK_TIME ones when the runtime calls `punctuate(now)`.
 */
import type { GlobalTask, SourceRecord, StreamTask, TaskEnvironment, TaskId } from './api.js';
import { taskIdString } from './api.js';
import { SerializationError, StreamsException } from './errors.js';
import type { NodeDef, SinkNodeDef, SourceNodeDef, TopologyModel } from './nodes.js';
import { PunctuationType, Record, supplierGet, type Cancellable, type InternalContext, type Processor, type ProcessorContext, type Punctuator, type RecordMetadata } from './processor.js';
import { deserializeWith, roundTrips, serializeWith } from './serdes.js';

interface RNode {
  def: NodeDef;
  children: RNode[];
  processor?: Processor<unknown, unknown, unknown, unknown>;
  ctx?: NodeContext;
}

interface Schedule {
  node: RNode;
  type: PunctuationType;
  interval: number;
  next: number;
  punctuator: Punctuator;
  cancelled: boolean;
}

/** Deserialization failure: skip with a warning or stop, as configured. */
export function handleDeserializationError(env: TaskEnvironment, rec: SourceRecord, e: SerializationError): void {
  const where = `taskId=${taskIdString(env.taskId)}, topic=${rec.topic}, partition=${rec.partition}, offset=${rec.offset}`;
  if (env.deserializationErrors === 'continue') {
    env.log('warn', `Skipping record due to deserialization error. ${where}: ${e.message}`);
    return;
  }
  throw new StreamsException(
    `Deserialization exception handler is set to fail upon a deserialization error (${where}): ${e.message}. ` +
      'To skip such records instead, set default.deserialization.exception.handler to log-and-continue.',
    { cause: e },
  );
}

class Engine {
  /** The current record's metadata, made when first asked for (most records never are). */
  private meta: RecordMetadata | null = null;
  get current(): RecordMetadata | null {
    const rec = this.srcRec;
    if (rec === null) return null;
    return (this.meta ??= { topic: rec.topic, partition: rec.partition, offset: rec.offset });
  }
  streamTime = -1;
  currentNode = '';
  /** The innermost node an exception came from, for the error message. */
  failedAt: string | undefined;
  readonly schedules: Schedule[] = [];
  private readonly storeCache = new Map<string, unknown>();
  /** The record being fed: its source's deserializers, the bytes and what they gave (see sink). */
  private src: SourceNodeDef | null = null;
  private srcRec: SourceRecord | null = null;
  private srcKey: unknown = undefined;
  private srcValue: unknown = undefined;
  /** Whether the source key's bytes round-trip through its serde (0: not known yet, 1 yes, 2 no). */
  private srcKeyRoundTrips = 0;

  constructor(
    readonly model: TopologyModel,
    readonly env: TaskEnvironment,
  ) {}

  store(name: string): unknown {
    let s = this.storeCache.get(name);
    if (s === undefined) {
      const builder = this.model.stores.get(name);
      if (!builder) throw new StreamsException(`no state store named ${name} in this topology`);
      s = builder.build(this.env.store(name));
      this.storeCache.set(name, s);
    }
    return s;
  }

  run(node: RNode, record: Record<unknown, unknown>): void {
    const prev = this.currentNode;
    this.currentNode = node.def.name;
    try {
      if (node.def.kind === 'sink') this.sink(node.def, record);
      else if (node.processor) node.processor.process(record);
      else for (const c of node.children) this.run(c, record);
    } catch (e) {
      this.failedAt ??= node.def.name;
      throw e;
    } finally {
      this.currentNode = prev;
    }
  }

  private sink(def: SinkNodeDef, record: Record<unknown, unknown>): void {
    let topic: string;
    if (typeof def.topic === 'string') {
      topic = this.model.internalTopics.has(def.topic) ? this.env.internalTopicName(def.topic) : def.topic;
    } else topic = def.topic(record.key, record.value, this.current);
    // A key or value still equal to what the source read, with the same serde, goes out as the
    // bytes it came in as when they round-trip exactly (serdes.roundTrips).
    const src = this.src;
    const rec = this.srcRec;
    const key = this.sourceKeyBytes(record.key, def.keySerializer) ?? serializeWith(def.keySerializer, topic, record.key, record.headers);
    const value =
      src !== null && rec!.value !== null && record.value === this.srcValue && (def.valueSerializer as unknown) === src.valueDeserializer && roundTrips(def.valueSerializer, rec!.value)
        ? rec!.value
        : serializeWith(def.valueSerializer, topic, record.value, record.headers);
    let partition: number | undefined;
    if (def.partitioner) {
      const n = this.env.partitionCount?.(topic);
      if (n !== undefined) partition = def.partitioner(topic, record.key, record.value, n);
    }
    this.env.send(topic, key, value, record.timestamp, record.headers, partition);
  }

  /** See InternalContext.sourceKeyBytes. */
  sourceKeyBytes(key: unknown, serde: unknown): Uint8Array | null {
    const src = this.src;
    if (src === null || key !== this.srcKey || serde !== src.keyDeserializer) return null;
    const bytes = this.srcRec!.key;
    if (bytes === null) return null;
    if (this.srcKeyRoundTrips === 0) this.srcKeyRoundTrips = roundTrips(serde, bytes) ? 1 : 2;
    return this.srcKeyRoundTrips === 1 ? bytes : null;
  }

  instantiate(names: Iterable<string>): Map<string, RNode> {
    const nodes = new Map<string, RNode>();
    for (const n of names) nodes.set(n, { def: this.model.nodes.get(n)!, children: [] });
    for (const [n, r] of nodes) {
      for (const c of this.model.children.get(n) ?? []) {
        const child = nodes.get(c);
        if (child) r.children.push(child);
      }
      if (r.def.kind === 'processor') {
        r.processor = supplierGet(r.def.supplier);
        r.ctx = new NodeContext(this, r);
      }
    }
    // init parents before children? Kafka inits in topological order from sinks up; order rarely matters.
    for (const r of nodes.values()) {
      if (r.processor?.init) {
        this.currentNode = r.def.name;
        r.processor.init(r.ctx!);
      }
    }
    this.currentNode = '';
    return nodes;
  }

  /** Runs a source record through a source node; false when it was skipped. */
  feed(source: RNode, rec: SourceRecord): boolean {
    const def = source.def as SourceNodeDef;
    let key: unknown;
    let value: unknown;
    try {
      key = deserializeWith(def.keyDeserializer, rec.topic, rec.key, rec.headers);
      value = deserializeWith(def.valueDeserializer, rec.topic, rec.value, rec.headers);
    } catch (e) {
      if (e instanceof SerializationError) {
        handleDeserializationError(this.env, rec, e);
        return false;
      }
      throw e;
    }
    let ts = rec.timestamp;
    if (def.timestampExtractor) ts = def.timestampExtractor({ topic: rec.topic, partition: rec.partition, offset: rec.offset, timestamp: rec.timestamp, key, value }, this.streamTime);
    if (!(ts >= 0)) {
      this.env.log('warn', `Skipping record with invalid timestamp ${ts}: topic=${rec.topic}, partition=${rec.partition}, offset=${rec.offset}`);
      return false;
    }
    if (ts > this.streamTime) this.streamTime = ts;
    this.src = def;
    this.srcRec = rec;
    this.srcKey = key;
    this.srcValue = value;
    try {
      this.run(source, new Record(key, value, ts, rec.headers));
    } catch (e) {
      throw this.wrap(e, `topic=${rec.topic}, partition=${rec.partition}, offset=${rec.offset}`);
    } finally {
      this.meta = null;
      this.src = null;
      this.srcRec = null;
      this.srcKey = undefined;
      this.srcValue = undefined;
      this.srcKeyRoundTrips = 0;
    }
    return true;
  }

  wrap(e: unknown, where: string): Error {
    const node = this.failedAt ?? this.currentNode;
    this.failedAt = undefined;
    if (e instanceof StreamsException) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new StreamsException(`Exception caught in process. taskId=${taskIdString(this.env.taskId)}, processor=${node || '?'}, ${where}: ${msg}`, { cause: e });
  }

  punctuate(type: PunctuationType, time: number): void {
    // By index up to the current length: a schedule added by a punctuator runs from the next
    // call on (schedules are never removed, only cancelled), without copying the list per record.
    const n = this.schedules.length;
    for (let i = 0; i < n; i++) {
      const s = this.schedules[i]!;
      if (s.cancelled || s.type !== type || time < s.next) continue;
      const missed = Math.floor((time - s.next) / s.interval);
      s.next += (missed + 1) * s.interval;
      this.currentNode = s.node.def.name;
      try {
        s.punctuator(time);
      } catch (e) {
        throw this.wrap(e, `punctuation ${type} at ${time}`);
      } finally {
        this.currentNode = '';
      }
    }
  }
}

class NodeContext implements ProcessorContext, InternalContext {
  constructor(
    private readonly engine: Engine,
    private readonly node: RNode,
  ) {}
  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.engine.env.log(level, message);
  }
  sourceKeyBytes(key: unknown, serde: unknown): Uint8Array | null {
    return this.engine.sourceKeyBytes(key, serde);
  }
  applicationId(): string {
    return this.engine.env.applicationId;
  }
  /** The task's id: its fields, printed as Kafka's TaskId prints (`0_1`: sub-topology _ partition). */
  taskId(): TaskId {
    const t = this.engine.env.taskId;
    return (this.id ??= Object.freeze({ subtopology: t.subtopology, partition: t.partition, toString: () => taskIdString(t) }));
  }
  private id: TaskId | undefined;
  recordMetadata(): RecordMetadata | null {
    return this.engine.current;
  }
  currentStreamTimeMs(): number {
    return this.engine.streamTime;
  }
  currentSystemTimeMs(): number {
    return this.engine.env.now();
  }
  forward(record: Record<unknown, unknown>, childName?: string): void {
    if (!(record instanceof Record)) {
      // a plain { key, value, timestamp, headers } from user code: make it a Record for the DSL's processors
      const r = record as { key: unknown; value: unknown; timestamp?: number; headers?: Record<unknown, unknown>['headers'] };
      record = new Record(r.key, r.value, r.timestamp ?? this.engine.streamTime, r.headers ?? []);
    }
    if (childName !== undefined) {
      const c = this.node.children.find((n) => n.def.name === childName);
      if (!c) throw new StreamsException(`Unknown downstream node: ${childName} either does not exist or is not connected to this processor (${this.node.def.name}).`);
      this.engine.run(c, record);
      return;
    }
    for (const c of this.node.children) this.engine.run(c, record);
  }
  commit(): void {
    this.engine.env.requestCommit();
  }
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`The minimum supported scheduling interval is 1 millisecond, got ${intervalMs}`);
    const s: Schedule = {
      node: this.node,
      type,
      interval: intervalMs,
      next: type === PunctuationType.STREAM_TIME ? 0 : this.engine.env.now() + intervalMs,
      punctuator,
      cancelled: false,
    };
    this.engine.schedules.push(s);
    return { cancel: () => void (s.cancelled = true) };
  }
  getStateStore<S = unknown>(name: string): S {
    const def = this.node.def;
    const connected = def.kind === 'processor' && def.stores.includes(name);
    if (!connected && !this.engine.model.globalStores.has(name)) {
      throw new StreamsException(`Processor ${def.name} has no access to StateStore ${name} as the store is not connected to the processor.`);
    }
    return this.engine.store(name) as S;
  }
}

/** Creates the task of one sub-topology's partition over the given nodes. */
export function createStreamTask(model: TopologyModel, nodeNames: string[], env: TaskEnvironment, topicOf: (source: SourceNodeDef) => string[]): StreamTask {
  const engine = new Engine(model, env);
  const nodes = engine.instantiate(nodeNames);
  const byTopic = new Map<string, RNode>();
  for (const r of nodes.values()) {
    if (r.def.kind === 'source') for (const t of topicOf(r.def)) byTopic.set(t, r);
  }
  let closed = false;
  // Records come in runs of one topic: the last topic's source node is kept.
  let lastTopic: string | null = null;
  let lastSource: RNode | undefined;
  return {
    id: env.taskId,
    process(rec) {
      let src = lastSource;
      if (rec.topic !== lastTopic) {
        src = byTopic.get(rec.topic);
        if (!src) throw new StreamsException(`task ${taskIdString(env.taskId)} has no source for topic ${rec.topic}`);
        lastTopic = rec.topic;
        lastSource = src;
      }
      if (engine.feed(src!, rec) && engine.schedules.length > 0) engine.punctuate(PunctuationType.STREAM_TIME, engine.streamTime);
    },
    punctuate(now) {
      engine.punctuate(PunctuationType.WALL_CLOCK_TIME, now);
    },
    flush() {},
    close() {
      if (closed) return;
      closed = true;
      for (const r of nodes.values()) r.processor?.close?.();
    },
  };
}

/** The task keeping the global stores: reads every global source topic, all partitions. */
export function createGlobalStoreTask(model: TopologyModel, nodeNames: string[], env: TaskEnvironment): GlobalTask {
  const engine = new Engine(model, env);
  const nodes = engine.instantiate(nodeNames);
  const byTopic = new Map<string, RNode>();
  for (const r of nodes.values()) if (r.def.kind === 'source') for (const t of r.def.topics) byTopic.set(t, r);
  return {
    process(rec) {
      const src = byTopic.get(rec.topic);
      if (!src) throw new StreamsException(`no global store reads topic ${rec.topic}`);
      engine.feed(src, rec);
    },
  };
}
