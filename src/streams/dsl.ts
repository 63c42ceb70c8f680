/**
 * The Streams DSL: StreamsBuilder, KStream, KTable, GlobalKTable, KGroupedStream,
 * TimeWindowedKStream, BranchedKStream. Each operation adds its processor to the builder's
 * Topology at once, with Kafka's generated names (`<PREFIX>-<10-digit index>`, one counter for
 * processors and stores), so `describe()` prints what Kafka prints for the same program.
 *
 * Key-changing operations (map, flatMap, selectKey, groupBy) mark the stream; a grouping or join
 * that follows writes it through a repartition topic (`<name>-repartition`, internal) read back by
 * a new sub-topology, as Kafka does. Tables and aggregations keep timestamped stores, changelogged
 * unless Materialized says otherwise; between table processors values travel as Change(new, old).
 *
 * (One file on purpose: KStream, KTable and KGroupedStream refer to one another, and the project
 * forbids import cycles.)
 */
import { TopologyException } from './errors.js';
import { Branched, Consumed, Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined, Suppressed } from './dsl-options.js';
import { Record, type InternalContext, type Processor, type ProcessorContext, type ProcessorSupplier, type TopicNameExtractor } from './processor.js';
import type { Serde } from './serdes.js';
import { Serdes, getInt64, putInt64 } from './serdes.js';
import { KeyValue, Stores, type KeyValueStore, type StoreBuilder, type TimestampedKeyValueStore, type ValueAndTimestamp, type WindowStore } from './state.js';
import { Topology } from './topology.js';
import { JoinWindows, TimeWindows, Windowed, timeWindowedSerde } from './windows.js';

/** What flows between table processors: the new value and the one it replaced. */
export interface Change<V> {
  newValue: V | null;
  oldValue: V | null;
}

type KV<K, V> = KeyValue<K, V> | [K, V];
const kvOf = <K, V>(x: KV<K, V>): [K, V] => (Array.isArray(x) ? x : [x.key, x.value]);
const pad = (n: number) => String(n).padStart(10, '0');

/** Reads a table's current value for a key, from processors of the same task. */
interface TableGetter<K, V> {
  stores: string[];
  make(ctx: ProcessorContext): (key: K) => ValueAndTimestamp<V> | null;
}

export interface StreamsBuilderOptions {
  /** Serdes where the program names none (Kafka's default.key.serde / default.value.serde); String by default. */
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
}

function fn<P extends unknown[], R>(f: (...args: P) => R, what: string): (...args: P) => R {
  if (typeof f !== 'function') throw new TopologyException(`${what} must be a function`);
  return f;
}

export class StreamsBuilder {
  readonly topology = new Topology();
  private index = 0;
  /** @internal */
  readonly defaultKeySerde: Serde<unknown>;
  /** @internal */
  readonly defaultValueSerde: Serde<unknown>;

  constructor(options: StreamsBuilderOptions = {}) {
    this.defaultKeySerde = options.defaultKeySerde ?? (Serdes.String() as Serde<unknown>);
    this.defaultValueSerde = options.defaultValueSerde ?? (Serdes.String() as Serde<unknown>);
  }

  /** @internal */
  newProcessorName(prefix: string): string {
    return prefix + pad(this.index++);
  }
  /** @internal */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${pad(this.index++)}`;
  }
  /** @internal a processor node named by `named` or generated from `prefix`. */
  addProcessor<KIn, VIn, KOut, VOut>(prefix: string, named: Named | string | undefined, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, parents: string[], stores: string[] = []): string {
    const name = (typeof named === 'string' ? named : named?.name) ?? this.newProcessorName(prefix);
    this.topology.addProcessor(name, supplier, ...parents);
    if (stores.length > 0) this.topology.connectProcessorAndStateStores(name, ...stores);
    return name;
  }
  /** @internal */
  addStore(builder: StoreBuilder<unknown>): void {
    if (!this.topology.model.stores.has(builder.name)) this.topology.addStateStore(builder);
  }

  stream<K = string, V = string>(topics: string | string[], consumed: Consumed<K, V> = new Consumed<K, V>()): KStream<K, V> {
    const list = Array.isArray(topics) ? topics : [topics];
    const name = consumed.processorName ?? this.newProcessorName('KSTREAM-SOURCE-');
    const ks = (consumed.keySerde ?? this.defaultKeySerde) as Serde<K>;
    const vs = (consumed.valueSerde ?? this.defaultValueSerde) as Serde<V>;
    this.topology.addSourceNode(
      { name, keyDeserializer: ks as Serde<unknown>, valueDeserializer: vs as Serde<unknown>, ...(consumed.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}) },
      list,
      false,
    );
    return new KStream<K, V>(this, name, new Set([name]), false, ks, vs);
  }

  /** A table of the latest value per key of a topic, kept in a store (`<topic>-STATE-STORE-<n>` unless named). */
  table<K = string, V = string>(topic: string, consumed: Consumed<K, V> = new Consumed<K, V>(), materialized: Materialized<K, V> = new Materialized<K, V>()): KTable<K, V> {
    const storeName = materialized.storeName ?? this.newStoreName(`${topic}-`);
    const sourceName = consumed.processorName ?? this.newProcessorName('KSTREAM-SOURCE-');
    const tableSourceName = consumed.processorName ? `${consumed.processorName}-table-source` : this.newProcessorName('KTABLE-SOURCE-');
    const ks = (materialized.keySerde ?? consumed.keySerde ?? this.defaultKeySerde) as Serde<K>;
    const vs = (materialized.valueSerde ?? consumed.valueSerde ?? this.defaultValueSerde) as Serde<V>;
    this.topology.addSourceNode(
      { name: sourceName, keyDeserializer: ks as Serde<unknown>, valueDeserializer: vs as Serde<unknown>, ...(consumed.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}) },
      [topic],
      false,
    );
    this.addStore(storeBuilderFor(materialized, storeName, ks, vs) as StoreBuilder<unknown>);
    this.addProcessor('', tableSourceName, () => tableSourceProcessor<K, V>(storeName, true), [sourceName], [storeName]);
    return new KTable<K, V>(this, tableSourceName, new Set([sourceName]), ks, vs, storeGetter<K, V>(storeName), storeName);
  }

  /** A table replicated in full to every instance (all partitions), readable by every task. */
  globalTable<K = string, V = string>(topic: string, consumed: Consumed<K, V> = new Consumed<K, V>(), materialized: Materialized<K, V> = new Materialized<K, V>()): GlobalKTable<K, V> {
    const storeName = materialized.storeName ?? this.newStoreName(`${topic}-`);
    const sourceName = consumed.processorName ?? this.newProcessorName('KSTREAM-SOURCE-');
    const processorName = consumed.processorName ? `${consumed.processorName}-table-source` : this.newProcessorName('KTABLE-SOURCE-');
    const ks = (materialized.keySerde ?? consumed.keySerde ?? this.defaultKeySerde) as Serde<K>;
    const vs = (materialized.valueSerde ?? consumed.valueSerde ?? this.defaultValueSerde) as Serde<V>;
    const sb = storeBuilderFor(materialized, storeName, ks, vs).withLoggingDisabled();
    this.topology.addGlobalStore(sb as StoreBuilder<unknown>, sourceName, ks, vs, topic, processorName, () => tableSourceProcessor<K, V>(storeName, false));
    return new GlobalKTable<K, V>(storeName, ks, vs);
  }

  addStateStore(builder: StoreBuilder<unknown>): this {
    this.topology.addStateStore(builder);
    return this;
  }

  build(): Topology {
    return this.topology;
  }
}

function storeBuilderFor<K, V>(m: Materialized<K, V>, name: string, ks: Serde<K>, vs: Serde<V>): StoreBuilder<TimestampedKeyValueStore<K, V>> {
  const supplier = m.persistent ? Stores.persistentTimestampedKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
  const b = Stores.timestampedKeyValueStoreBuilder(supplier, ks, vs);
  return m.loggingEnabled ? b.withLoggingEnabled(m.logConfig) : b.withLoggingDisabled();
}

function storeGetter<K, V>(storeName: string): TableGetter<K, V> {
  return {
    stores: [storeName],
    make(ctx) {
      const store = ctx.getStateStore<TimestampedKeyValueStore<K, V>>(storeName);
      return (key) => store.get(key);
    },
  };
}

function tableSourceProcessor<K, V>(storeName: string, forward: boolean): Processor<K, V, K, Change<V>> {
  let ctx: ProcessorContext<K, Change<V>>;
  let store: TimestampedKeyValueStore<K, V>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore(storeName);
    },
    process(r) {
      if (r.key === null || r.key === undefined) return; // Kafka drops table records with null keys
      const old = store.get(r.key);
      store.put(r.key, r.value, r.timestamp);
      if (forward) ctx.forward(r.withValue<Change<V>>({ newValue: r.value ?? null, oldValue: old?.value ?? null }));
    },
  };
}

/** Forwards what passes a test. */
function filterProcessor<K, V>(pred: (k: K, v: V) => boolean, negate: boolean): () => Processor<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    return {
      init: (c) => void (ctx = c),
      process: (r) => {
        if (Boolean(pred(r.key, r.value)) !== negate) ctx.forward(r);
      },
    };
  };
}

/** Applies a function to each record, forwarding what it returns (none, one or many). */
function mapProcessor<K, V, KR, VR>(f: (r: Record<K, V>) => Iterable<Record<KR, VR>> | Record<KR, VR> | undefined, many: boolean): () => Processor<K, V, KR, VR> {
  return () => {
    let ctx: ProcessorContext<KR, VR>;
    return {
      init: (c) => void (ctx = c),
      process: (r) => {
        const out = f(r);
        if (out === undefined) return;
        if (many) for (const o of out as Iterable<Record<KR, VR>>) ctx.forward(o);
        else ctx.forward(out as Record<KR, VR>);
      },
    };
  };
}

export class KStream<K, V> {
  /** @internal */
  constructor(
    readonly builder: StreamsBuilder,
    /** The node whose output this stream is. */
    readonly name: string,
    /** @internal the source nodes it derives from (co-partitioning). */
    readonly sourceNodes: Set<string>,
    /** @internal whether the key may have changed since the source (a grouping or join must repartition). */
    readonly repartitionRequired: boolean,
    /** @internal known serdes (undefined after an operation that changes the type). */
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {}

  private next<K2, V2>(name: string, repartition: boolean, ks: Serde<K2> | undefined, vs: Serde<V2> | undefined): KStream<K2, V2> {
    return new KStream<K2, V2>(this.builder, name, this.sourceNodes, repartition, ks, vs);
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const n = this.builder.addProcessor('KSTREAM-FILTER-', named, filterProcessor(fn(predicate, 'predicate'), false), [this.name]);
    return this.next(n, this.repartitionRequired, this.keySerde, this.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const n = this.builder.addProcessor('KSTREAM-FILTER-', named, filterProcessor(fn(predicate, 'predicate'), true), [this.name]);
    return this.next(n, this.repartitionRequired, this.keySerde, this.valueSerde);
  }

  /** New key and value per record (returns KeyValue.pair(k, v) or [k, v]); a later grouping or join repartitions. */
  map<KR, VR>(mapper: (key: K, value: V) => KV<KR, VR>, named?: Named): KStream<KR, VR> {
    const f = fn(mapper, 'mapper');
    const n = this.builder.addProcessor('KSTREAM-MAP-', named, mapProcessor<K, V, KR, VR>((r) => {
      const x = f(r.key, r.value);
      return Array.isArray(x) ? new Record(x[0], x[1], r.timestamp, r.headers) : new Record((x as KeyValue<KR, VR>).key, (x as KeyValue<KR, VR>).value, r.timestamp, r.headers);
    }, false), [this.name]);
    return this.next<KR, VR>(n, true, undefined, undefined);
  }

  /** New value per record; the mapper also gets the (read-only) key. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    const f = fn(mapper, 'mapper');
    const n = this.builder.addProcessor('KSTREAM-MAPVALUES-', named, mapProcessor<K, V, K, VR>((r) => r.withValue(f(r.value, r.key)), false), [this.name]);
    return this.next<K, VR>(n, this.repartitionRequired, this.keySerde, undefined);
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KV<KR, VR>>, named?: Named): KStream<KR, VR> {
    const f = fn(mapper, 'mapper');
    const n = this.builder.addProcessor('KSTREAM-FLATMAP-', named, mapProcessor<K, V, KR, VR>((r) => [...f(r.key, r.value)].map((x) => {
      const [k, v] = kvOf(x);
      return r.withKey(k).withValue(v);
    }), true), [this.name]);
    return this.next<KR, VR>(n, true, undefined, undefined);
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    const f = fn(mapper, 'mapper');
    const n = this.builder.addProcessor('KSTREAM-FLATMAPVALUES-', named, mapProcessor<K, V, K, VR>((r) => [...f(r.value, r.key)].map((v) => r.withValue(v)), true), [this.name]);
    return this.next<K, VR>(n, this.repartitionRequired, this.keySerde, undefined);
  }

  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    const f = fn(mapper, 'mapper');
    const n = this.builder.addProcessor('KSTREAM-KEY-SELECT-', named, mapProcessor<K, V, KR, V>((r) => r.withKey(f(r.key, r.value)), false), [this.name]);
    return this.next<KR, V>(n, true, undefined, this.valueSerde);
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    const f = fn(action, 'action');
    const n = this.builder.addProcessor('KSTREAM-PEEK-', named, mapProcessor<K, V, K, V>((r) => {
      f(r.key, r.value);
      return r;
    }, false), [this.name]);
    return this.next(n, this.repartitionRequired, this.keySerde, this.valueSerde);
  }

  foreach(action: (key: K, value: V) => void, named?: Named): void {
    const f = fn(action, 'action');
    this.builder.addProcessor('KSTREAM-FOREACH-', named, mapProcessor<K, V, K, V>((r) => void f(r.key, r.value), false), [this.name]);
  }

  /** A Processor API processor inside the DSL; its output is a new stream. */
  process<KR, VR>(supplier: ProcessorSupplier<K, V, KR, VR>, ...storeNamesOrNamed: Array<string | Named>): KStream<KR, VR> {
    const named = storeNamesOrNamed.find((x): x is Named => x instanceof Named);
    const stores = storeNamesOrNamed.filter((x): x is string => typeof x === 'string');
    const n = this.builder.addProcessor('KSTREAM-PROCESSOR-', named, supplier, [this.name], stores);
    return this.next<KR, VR>(n, true, undefined, undefined);
  }

  /** Routes each record to the first branch whose predicate it passes. */
  split(named?: Named): BranchedKStream<K, V> {
    const name = named?.name ?? this.builder.newProcessorName('KSTREAM-BRANCH-');
    const branches: { pred: ((k: K, v: V) => boolean) | null; child: string }[] = [];
    this.builder.topology.addProcessor(name, () => {
      let ctx: ProcessorContext<K, V>;
      return {
        init: (c: ProcessorContext<K, V>) => void (ctx = c),
        process: (r: Record<K, V>) => {
          for (const b of branches) {
            if (b.pred === null || b.pred(r.key, r.value)) {
              ctx.forward(r, b.child);
              return;
            }
          }
        },
      };
    }, this.name);
    return new BranchedKStream<K, V>(this, name, branches);
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const n = this.builder.addProcessor('KSTREAM-MERGE-', named, mapProcessor<K, V, K, V>((r) => r, false), [this.name, other.name]);
    return new KStream<K, V>(this.builder, n, new Set([...this.sourceNodes, ...other.sourceNodes]), this.repartitionRequired || other.repartitionRequired, this.keySerde, this.valueSerde);
  }

  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = new Produced<K, V>()): void {
    const name = produced.processorName ?? this.builder.newProcessorName('KSTREAM-SINK-');
    this.builder.topology.addSink(
      {
        name,
        keySerializer: (produced.keySerde ?? this.keySerde ?? this.builder.defaultKeySerde) as Serde<unknown>,
        valueSerializer: (produced.valueSerde ?? this.valueSerde ?? this.builder.defaultValueSerde) as Serde<unknown>,
        ...(produced.partitioner ? { partitioner: produced.partitioner as never } : {}),
      },
      topic as string,
      this.name,
    );
  }

  /** Writes to a topic and reads it back (deprecated in Kafka for `repartition`, kept for old programs). */
  through(topic: string, produced: Produced<K, V> = new Produced<K, V>()): KStream<K, V> {
    this.to(topic, produced);
    return this.builder.stream<K, V>(topic, Consumed.with(produced.keySerde ?? this.keySerde, produced.valueSerde ?? this.valueSerde));
  }

  /** Writes through an internal topic (`<name>-repartition`, `numberOfPartitions` if given) and reads it back. */
  repartition(repartitioned: Repartitioned<K, V> = new Repartitioned<K, V>()): KStream<K, V> {
    const name = repartitioned.name ?? this.builder.newProcessorName('KSTREAM-REPARTITION-');
    const ks = repartitioned.keySerde ?? this.keySerde;
    const vs = repartitioned.valueSerde ?? this.valueSerde;
    const src = this.repartitionThrough(name, ks, vs, repartitioned.partitions, repartitioned.partitioner);
    return new KStream<K, V>(this.builder, src, new Set([src]), false, ks, vs);
  }

  /** @internal sink -> `<prefix>-repartition` -> source; returns the new source's name. */
  repartitionThrough(prefix: string, ks: Serde<K> | undefined, vs: Serde<V> | undefined, partitions?: number, partitioner?: unknown): string {
    const topic = prefix.endsWith('-repartition') ? prefix : `${prefix}-repartition`;
    const b = this.builder;
    // Kafka generates the three names either way (the counter stays where Kafka's is), and uses
    // them only when the prefix is itself generated; a user's name gives `<topic>-sink` etc.
    const gen = [b.newProcessorName('KSTREAM-SINK-'), b.newProcessorName('KSTREAM-FILTER-'), b.newProcessorName('KSTREAM-SOURCE-')];
    const [sinkName, filterName, sourceName] = /^KSTREAM.*-[0-9]{10}$/.test(prefix) ? gen : [`${topic}-sink`, `${topic}-filter`, `${topic}-source`];
    const keySerde = (ks ?? b.defaultKeySerde) as Serde<unknown>;
    const valueSerde = (vs ?? b.defaultValueSerde) as Serde<unknown>;
    b.topology.addProcessor(filterName, filterProcessor<K, V>((k) => k !== null && k !== undefined, false), this.name);
    b.topology.addSink({ name: sinkName, keySerializer: keySerde, valueSerializer: valueSerde, ...(partitioner ? { partitioner: partitioner as never } : {}) }, topic, filterName);
    b.topology.addInternalTopic(topic, partitions);
    b.topology.addSourceNode({ name: sourceName, keyDeserializer: keySerde, valueDeserializer: valueSerde }, [topic], false);
    return sourceName;
  }

  groupByKey(grouped: Grouped<K, V> = new Grouped<K, V>()): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(this, grouped.keySerde ?? this.keySerde, grouped.valueSerde ?? this.valueSerde, grouped.name, this.repartitionRequired);
  }

  groupBy<KR>(keySelector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = new Grouped<KR, V>()): KGroupedStream<KR, V> {
    const f = fn(keySelector, 'keySelector');
    const n = this.builder.addProcessor('KSTREAM-KEY-SELECT-', grouped.name, mapProcessor<K, V, KR, V>((r) => r.withKey(f(r.key, r.value)), false), [this.name]);
    const s = this.next<KR, V>(n, true, grouped.keySerde, grouped.valueSerde ?? this.valueSerde);
    return new KGroupedStream<KR, V>(s, grouped.keySerde, grouped.valueSerde ?? this.valueSerde, grouped.name, true);
  }

  /**
   * Joins: with a KTable (co-partitioned; `joiner(value, tableValue, key)`), with a GlobalKTable
   * (`keySelector(key, value)` picks the table key), or with another KStream within JoinWindows.
   */
  join<VO, VR>(table: KTable<K, VO>, joiner: (value: V, other: VO, key: K) => VR, joined?: Joined<K, V, VO>): KStream<K, VR>;
  join<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (value: V, other: GV, key: K) => VR, named?: Named): KStream<K, VR>;
  join<VO, VR>(other: KStream<K, VO>, joiner: (value: V, other: VO, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join(...args: unknown[]): unknown {
    return this.doJoin(false, args);
  }

  leftJoin<VO, VR>(table: KTable<K, VO>, joiner: (value: V, other: VO | null, key: K) => VR, joined?: Joined<K, V, VO>): KStream<K, VR>;
  leftJoin<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (key: K, value: V) => GK, joiner: (value: V, other: GV | null, key: K) => VR, named?: Named): KStream<K, VR>;
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: (value: V, other: VO | null, key: K) => VR, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin(...args: unknown[]): unknown {
    return this.doJoin(true, args);
  }

  private doJoin(left: boolean, args: unknown[]): unknown {
    const [other] = args;
    if (other instanceof KTable) return this.tableJoin(other, args[1] as never, args[2] as Joined<K, V, unknown> | undefined, left);
    if (other instanceof GlobalKTable) return this.globalJoin(other, args[1] as never, args[2] as never, args[3] as Named | undefined, left);
    if (other instanceof KStream) return this.streamJoin(other, args[1] as never, args[2] as JoinWindows, args[3] as StreamJoined<K, V, unknown> | undefined, left);
    throw new TopologyException('join: the other side must be a KTable, a GlobalKTable or a KStream');
  }

  private tableJoin<VO, VR>(table: KTable<K, VO>, joiner: (v: V, o: VO | null, k: K) => VR, joined: Joined<K, V, VO> = new Joined<K, V, VO>(), left: boolean): KStream<K, VR> {
    fn(joiner, 'joiner');
    let self: KStream<K, V> = this;
    if (this.repartitionRequired) {
      const ks = joined.keySerde ?? this.keySerde ?? table.keySerde;
      const vs = joined.valueSerde ?? this.valueSerde;
      const src = this.repartitionThrough(joined.name ?? this.name, ks, vs);
      self = new KStream<K, V>(this.builder, src, new Set([src]), false, ks, vs);
    }
    this.builder.topology.copartitionSources([...self.sourceNodes, ...table.sourceNodes]);
    const getter = table.getter;
    const n = this.builder.addProcessor(left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-', joined.name, () => {
      let ctx: ProcessorContext<K, VR>;
      let get: (k: K) => ValueAndTimestamp<VO> | null;
      return {
        init(c: ProcessorContext<K, VR>) {
          ctx = c;
          get = getter.make(c);
        },
        process(r: Record<K, V>) {
          // Kafka skips stream records with a null key or value, in join and leftJoin alike.
          if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
          const o = get(r.key)?.value ?? null;
          if (o === null && !left) return;
          ctx.forward(r.withValue(joiner(r.value, o, r.key)));
        },
      };
    }, [self.name], getter.stores);
    return new KStream<K, VR>(this.builder, n, self.sourceNodes, false, self.keySerde, undefined);
  }

  private globalJoin<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: (k: K, v: V) => GK, joiner: (v: V, o: GV | null, k: K) => VR, named: Named | undefined, left: boolean): KStream<K, VR> {
    fn(keySelector, 'keySelector');
    fn(joiner, 'joiner');
    const storeName = table.storeName;
    const n = this.builder.addProcessor(left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-', named, () => {
      let ctx: ProcessorContext<K, VR>;
      let store: TimestampedKeyValueStore<GK, GV>;
      return {
        init(c: ProcessorContext<K, VR>) {
          ctx = c;
          store = c.getStateStore(storeName);
        },
        process(r: Record<K, V>) {
          if (r.value === null || r.value === undefined) {
            if (!left) return;
          }
          const gk = keySelector(r.key, r.value);
          const o = gk === null || gk === undefined ? null : (store.get(gk)?.value ?? null);
          if (o === null && !left) return;
          ctx.forward(r.withValue(joiner(r.value, o, r.key)));
        },
      };
    }, [this.name]);
    return new KStream<K, VR>(this.builder, n, this.sourceNodes, this.repartitionRequired, this.keySerde, undefined);
  }

  private streamJoin<VO, VR>(other: KStream<K, VO>, joiner: (v: V, o: VO | null, k: K) => VR, windows: JoinWindows, sj: StreamJoined<K, V, VO> = new StreamJoined<K, V, VO>(), left: boolean): KStream<K, VR> {
    fn(joiner, 'joiner');
    if (!(windows instanceof JoinWindows)) throw new TopologyException('a stream-stream join needs JoinWindows');
    const b = this.builder;
    let me: KStream<K, V> = this;
    let them: KStream<K, VO> = other;
    const ks = sj.keySerde ?? this.keySerde ?? other.keySerde;
    if (me.repartitionRequired) {
      const src = me.repartitionThrough(sj.name ? `${sj.name}-left` : me.name, ks, sj.valueSerde ?? me.valueSerde);
      me = new KStream<K, V>(b, src, new Set([src]), false, ks, sj.valueSerde ?? me.valueSerde);
    }
    if (them.repartitionRequired) {
      const src = them.repartitionThrough(sj.name ? `${sj.name}-right` : them.name, ks, sj.otherValueSerde ?? them.valueSerde);
      them = new KStream<K, VO>(b, src, new Set([src]), false, ks, sj.otherValueSerde ?? them.valueSerde);
    }
    b.topology.copartitionSources([...me.sourceNodes, ...them.sourceNodes]);
    const base = sj.name;
    const thisWindowed = base ? `${base}-this-windowed` : b.newProcessorName('KSTREAM-WINDOWED-');
    const otherWindowed = base ? `${base}-other-windowed` : b.newProcessorName('KSTREAM-WINDOWED-');
    // Kafka's names: a left join's other side is an outer one.
    const thisJoinGen = b.newProcessorName('KSTREAM-JOINTHIS-');
    const otherJoinGen = b.newProcessorName(left ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
    const thisJoin = base ? `${base}-this-join` : thisJoinGen;
    const otherJoin = base ? `${base}-other-join` : otherJoinGen;
    const mergeName = base ? `${base}-merge` : b.newProcessorName('KSTREAM-MERGE-');
    const retention = windows.size() + windows.gracePeriodMs();
    const thisStore = sj.storeName ? `${sj.storeName}-this-join-store` : `${thisJoin}-store`;
    const otherStore = sj.storeName ? `${sj.storeName}-other-join-store` : `${otherJoin}-store`;
    const mk = <VS>(name: string, vs: Serde<VS> | undefined) => {
      const sb = Stores.windowStoreBuilder(Stores.persistentWindowStore(name, retention, windows.size(), true), (ks ?? b.defaultKeySerde) as Serde<K>, (vs ?? b.defaultValueSerde) as Serde<VS>);
      b.addStore((sj.loggingEnabled ? sb : sb.withLoggingDisabled()) as StoreBuilder<unknown>);
    };
    mk(thisStore, me.valueSerde);
    mk(otherStore, them.valueSerde);
    const windowedStore = <VS>(store: string) => () => {
      let ctx: ProcessorContext<K, VS>;
      let ws: WindowStore<K, VS>;
      return {
        init(c: ProcessorContext<K, VS>) {
          ctx = c;
          ws = c.getStateStore(store);
        },
        process(r: Record<K, VS>) {
          if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
          ws.put(r.key, r.value, r.timestamp);
          ctx.forward(r);
        },
      };
    };
    b.topology.addProcessor(thisWindowed, windowedStore<V>(thisStore), me.name);
    b.topology.connectProcessorAndStateStores(thisWindowed, thisStore);
    b.topology.addProcessor(otherWindowed, windowedStore<VO>(otherStore), them.name);
    b.topology.connectProcessorAndStateStores(otherWindowed, otherStore);
    // A left join emits a left record without a match only once no match can come: when stream
    // time passes its timestamp + after + grace (Kafka 3.1+). Until then it waits in a shared
    // store keyed by timestamp (8 bytes) + key + sequence (4 bytes), so the oldest come first.
    const outerStore = left ? (base ? `${base}-outer-shared-join-store` : `${thisJoin.replace('KSTREAM-JOINTHIS-', 'KSTREAM-OUTERSHARED-')}-store`) : undefined;
    const keySerde = (ks ?? b.defaultKeySerde) as Serde<K>;
    const leftValueSerde = (me.valueSerde ?? b.defaultValueSerde) as Serde<V>;
    if (outerStore) {
      const sb = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(outerStore), Serdes.ByteArray(), Serdes.ByteArray());
      b.addStore((sj.loggingEnabled ? sb : sb.withLoggingDisabled()) as StoreBuilder<unknown>);
    }
    type Outer = { store: KeyValueStore<Uint8Array, Uint8Array>; seq: number };
    const outerKey = (ts: number, kb: Uint8Array, seq: number) => {
      const out = new Uint8Array(8 + kb.length + 4);
      putInt64(out, 0, ts);
      out.set(kb, 8);
      new DataView(out.buffer).setUint32(8 + kb.length, seq >>> 0);
      return out;
    };
    const emitExpired = (ctx: ProcessorContext<K, VR>, o: Outer) => {
      const limit = ctx.currentStreamTimeMs() - windows.afterMs - windows.gracePeriodMs(); // emit ts < limit
      if (limit <= 0) return;
      const due = [];
      for (const kv of o.store.range(null, outerKey(limit, new Uint8Array(0), 0))) {
        if (getInt64(kv.key, 0) >= limit) break;
        due.push(kv);
      }
      for (const kv of due) {
        const ts = getInt64(kv.key, 0);
        const key = keySerde.deserialize(outerStore!, kv.key.subarray(8, kv.key.length - 4)) as K;
        const value = leftValueSerde.deserialize(outerStore!, kv.value) as V;
        o.store.delete(kv.key);
        ctx.forward(new Record<K, VR>(key, joiner(value, null, key), ts));
      }
    };
    // A record joins the other side's records with timestamps in [ts - before, ts + after] (mirrored for the other side).
    const joinSide = <A, B>(otherStoreName: string, before: number, after: number, combine: (a: A, o: B | null, k: K) => VR, side: 'left' | 'right') => () => {
      let ctx: ProcessorContext<K, VR>;
      let ws: WindowStore<K, B>;
      let outer: Outer | undefined;
      return {
        init(c: ProcessorContext<K, VR>) {
          ctx = c;
          ws = c.getStateStore(otherStoreName);
          if (outerStore) outer = { store: c.getStateStore(outerStore), seq: 0 };
        },
        process(r: Record<K, A>) {
          let matched = false;
          for (const kv of ws.fetchRange(r.key, r.timestamp - before, r.timestamp + after)) {
            matched = true;
            ctx.forward(new Record(r.key, combine(r.value, kv.value, r.key), Math.max(r.timestamp, kv.key), r.headers));
            if (outer && side === 'right') {
              // that left record has its match now: it no longer waits
              const kb = keySerde.serialize(outerStore!, r.key)!;
              const waiting = [...outer.store.range(outerKey(kv.key, kb, 0), outerKey(kv.key, kb, 0xffffffff))];
              for (const e of waiting) if (e.key.length === 8 + kb.length + 4) outer.store.delete(e.key);
            }
          }
          if (outer && side === 'left' && !matched) {
            const kb = keySerde.serialize(outerStore!, r.key)!;
            outer.store.put(outerKey(r.timestamp, kb, ++outer.seq), leftValueSerde.serialize(outerStore!, r.value as unknown as V)!);
          }
          if (outer) emitExpired(ctx, outer);
        },
      };
    };
    b.topology.addProcessor(thisJoin, joinSide<V, VO>(otherStore, windows.beforeMs, windows.afterMs, joiner, 'left'), thisWindowed);
    b.topology.connectProcessorAndStateStores(thisJoin, ...[otherStore, ...(outerStore ? [outerStore] : [])]);
    b.topology.addProcessor(otherJoin, joinSide<VO, V>(thisStore, windows.afterMs, windows.beforeMs, (o, v, k) => joiner(v as V, o, k), 'right'), otherWindowed);
    b.topology.connectProcessorAndStateStores(otherJoin, ...[thisStore, ...(outerStore ? [outerStore] : [])]);
    b.topology.addProcessor(mergeName, mapProcessor<K, VR, K, VR>((r) => r, false), thisJoin, otherJoin);
    return new KStream<K, VR>(b, mergeName, new Set([...me.sourceNodes, ...them.sourceNodes]), false, ks, undefined);
  }

  toTable(named?: Named, materialized: Materialized<K, V> = new Materialized<K, V>()): KTable<K, V> {
    const storeName = materialized.storeName ?? this.builder.newStoreName('KSTREAM-TOTABLE-');
    const ks = (materialized.keySerde ?? this.keySerde ?? this.builder.defaultKeySerde) as Serde<K>;
    const vs = (materialized.valueSerde ?? this.valueSerde ?? this.builder.defaultValueSerde) as Serde<V>;
    let parent: string = this.name;
    let sources = this.sourceNodes;
    if (this.repartitionRequired) {
      parent = this.repartitionThrough(named?.name ?? this.name, ks, vs);
      sources = new Set([parent]);
    }
    this.builder.addStore(storeBuilderFor(materialized, storeName, ks, vs) as StoreBuilder<unknown>);
    const n = this.builder.addProcessor('KSTREAM-TOTABLE-', named, () => tableSourceProcessor<K, V>(storeName, true), [parent], [storeName]);
    return new KTable<K, V>(this.builder, n, sources, ks, vs, storeGetter<K, V>(storeName), storeName);
  }
}

export class BranchedKStream<K, V> {
  private index = 1;
  private readonly result = new Map<string, KStream<K, V>>();
  /** @internal */
  constructor(
    private readonly stream: KStream<K, V>,
    private readonly splitName: string,
    private readonly branches: { pred: ((k: K, v: V) => boolean) | null; child: string }[],
  ) {}

  private add(pred: ((k: K, v: V) => boolean) | null, branched: Branched<KStream<K, V>> | undefined, defaultIndex: string): void {
    const childName = this.splitName + (branched?.name ?? defaultIndex);
    const b = this.stream.builder;
    b.topology.addProcessor(childName, mapProcessor<K, V, K, V>((r) => r, false), this.splitName);
    this.branches.push({ pred, child: childName });
    let s: KStream<K, V> = new KStream<K, V>(b, childName, this.stream.sourceNodes, this.stream.repartitionRequired, this.stream.keySerde, this.stream.valueSerde);
    if (branched?.fn) {
      const out = branched.fn(s);
      if (out instanceof KStream) s = out;
      else {
        return; // a consumer: the branch is not in the result
      }
    }
    this.result.set(childName, s);
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<KStream<K, V>>): this {
    this.add(fn(predicate, 'predicate'), branched, String(this.index++));
    return this;
  }

  /** The records no branch took; returns the branches by name (`<split name><branch name>`). */
  defaultBranch(branched?: Branched<KStream<K, V>>): Map<string, KStream<K, V>> {
    this.add(null, branched, '0');
    return this.result;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.result;
  }
}

export class KTable<K, V> {
  /** @internal */
  constructor(
    readonly builder: StreamsBuilder,
    readonly name: string,
    /** @internal */
    readonly sourceNodes: Set<string>,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    /** @internal */
    readonly getter: TableGetter<K, V>,
    /** The store holding the table, if it is materialized. */
    readonly queryableStoreName: string | undefined,
    /** @internal a windowed aggregation's grace period (for `suppress(untilWindowCloses)`). */
    readonly windowGraceMs?: number,
  ) {}

  /**
   * Holds back a windowed table's updates and emits each window's final value once the window
   * closes (stream time reaches its end plus the grace period). Kafka's
   * `suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))`.
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    if (this.windowGraceMs === undefined) throw new TopologyException('suppress(untilWindowCloses) needs a windowed table (groupByKey().windowedBy(...).count() or similar)');
    const b = this.builder;
    const name = suppressed.name ?? b.newProcessorName('KTABLE-SUPPRESS-');
    const storeName = suppressed.name ? `${suppressed.name}-store` : b.newStoreName('KTABLE-SUPPRESS-');
    const grace = this.windowGraceMs;
    const ks = this.keySerde as Serde<K> | undefined;
    const vs = this.valueSerde;
    if (!ks || !vs) throw new TopologyException('suppress needs the table\'s key and value serdes');
    const sb = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(storeName), Serdes.ByteArray(), Serdes.ByteArray());
    b.addStore(sb as StoreBuilder<unknown>);
    // The buffer: window end (8 bytes) + windowed key -> record timestamp (8 bytes) + value; earliest-closing first.
    b.addProcessor('', name, () => {
      let ctx: ProcessorContext<K, Change<V>>;
      let buf: KeyValueStore<Uint8Array, Uint8Array>;
      return {
        init(c: ProcessorContext<K, Change<V>>) {
          ctx = c;
          buf = c.getStateStore(storeName);
        },
        process(r: Record<K, Change<V>>) {
          const wk = r.key as unknown as Windowed<unknown>;
          const kb = ks.serialize(storeName, r.key)!;
          const key = new Uint8Array(8 + kb.length);
          putInt64(key, 0, wk.window.end);
          key.set(kb, 8);
          const vb = r.value.newValue === null ? new Uint8Array(0) : vs.serialize(storeName, r.value.newValue)!;
          const val = new Uint8Array(9 + vb.length);
          putInt64(val, 0, r.timestamp);
          val[8] = r.value.newValue === null ? 0 : 1;
          val.set(vb, 9);
          buf.put(key, val);
          const expiry = ctx.currentStreamTimeMs() - grace;
          const due = [];
          for (const kv of buf.all()) {
            if (getInt64(kv.key, 0) > expiry) break;
            due.push(kv);
          }
          for (const kv of due) {
            buf.delete(kv.key);
            const k = ks.deserialize(storeName, kv.key.subarray(8)) as K;
            const v = kv.value[8] === 0 ? null : (vs.deserialize(storeName, kv.value.subarray(9)) as V);
            ctx.forward(new Record<K, Change<V>>(k, { newValue: v, oldValue: null }, getInt64(kv.value, 0)));
          }
        },
      };
    }, [this.name], [storeName]);
    return new KTable<K, V>(b, name, this.sourceNodes, this.keySerde, this.valueSerde, this.getter, undefined, this.windowGraceMs);
  }

  private derive<VR>(prefix: string, named: Named | undefined, apply: (k: K, v: V | null) => VR | null, getter: TableGetter<K, VR>, vs: Serde<VR> | undefined): KTable<K, VR> {
    const n = this.builder.addProcessor(prefix, named, () => {
      let ctx: ProcessorContext<K, Change<VR>>;
      return {
        init: (c: ProcessorContext<K, Change<VR>>) => void (ctx = c),
        process: (r: Record<K, Change<V>>) => {
          const nv = r.value.newValue === null ? null : apply(r.key, r.value.newValue);
          const ov = r.value.oldValue === null ? null : apply(r.key, r.value.oldValue);
          if (nv === null && ov === null) return;
          ctx.forward(r.withValue<Change<VR>>({ newValue: nv, oldValue: ov }));
        },
      };
    }, [this.name]);
    return new KTable<K, VR>(this.builder, n, this.sourceNodes, this.keySerde, vs, getter, undefined);
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    const p = fn(predicate, 'predicate');
    const g = this.getter;
    return this.derive<V>('KTABLE-FILTER-', named, (k, v) => (v !== null && p(k, v) ? v : null), {
      stores: g.stores,
      make(ctx) {
        const get = g.make(ctx);
        return (key) => {
          const x = get(key);
          return x && p(key, x.value) ? x : null;
        };
      },
    }, this.valueSerde);
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KTable<K, V> {
    const p = fn(predicate, 'predicate');
    return this.filter((k, v) => !p(k, v), named);
  }

  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KTable<K, VR> {
    const f = fn(mapper, 'mapper');
    const g = this.getter;
    return this.derive<VR>('KTABLE-MAPVALUES-', named, (k, v) => (v === null ? null : f(v, k)), {
      stores: g.stores,
      make(ctx) {
        const get = g.make(ctx);
        return (key) => {
          const x = get(key);
          return x ? { value: f(x.value, key), timestamp: x.timestamp } : null;
        };
      },
    }, undefined);
  }

  /** Table–table join on the key (co-partitioned): an update on either side updates the result. */
  join<VO, VR>(other: KTable<K, VO>, joiner: (value: V, other: VO) => VR, named?: Named): KTable<K, VR> {
    return this.tableJoin(other, joiner as (v: V, o: VO | null) => VR, named, false);
  }

  /** Like `join`, keeping this table's rows without a match (`other` is null). */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: (value: V, other: VO | null) => VR, named?: Named): KTable<K, VR> {
    return this.tableJoin(other, joiner, named, true);
  }

  private tableJoin<VO, VR>(other: KTable<K, VO>, joiner: (v: V, o: VO | null) => VR, named: Named | undefined, left: boolean): KTable<K, VR> {
    fn(joiner, 'joiner');
    const b = this.builder;
    const base = named?.name;
    const thisName = base ? `${base}-join-this` : b.newProcessorName(left ? 'KTABLE-LEFTTHIS-' : 'KTABLE-JOINTHIS-');
    const otherName = base ? `${base}-join-other` : b.newProcessorName(left ? 'KTABLE-LEFTOTHER-' : 'KTABLE-JOINOTHER-');
    const mergeName = base ? `${base}-join-merge` : b.newProcessorName('KTABLE-MERGE-');
    b.topology.copartitionSources([...this.sourceNodes, ...other.sourceNodes]);
    const join = (v: V | null, o: VO | null): VR | null => (v === null || (o === null && !left) ? null : joiner(v, o));
    // One side's update, joined with the other side's current value.
    const side = <A, B>(getter: TableGetter<K, B>, combine: (a: A | null, o: B | null) => VR | null, needOther: boolean) => () => {
      let ctx: ProcessorContext<K, Change<VR>>;
      let get: (k: K) => ValueAndTimestamp<B> | null;
      return {
        init(c: ProcessorContext<K, Change<VR>>) {
          ctx = c;
          get = getter.make(c);
        },
        process(r: Record<K, Change<A>>) {
          if (r.key === null || r.key === undefined) return;
          const o = get(r.key);
          if (needOther && o === null) return;
          const nv = combine(r.value.newValue, o?.value ?? null);
          const ov = combine(r.value.oldValue, o?.value ?? null);
          if (nv === null && ov === null) return;
          ctx.forward(new Record<K, Change<VR>>(r.key, { newValue: nv, oldValue: ov }, Math.max(r.timestamp, o?.timestamp ?? 0), r.headers));
        },
      };
    };
    b.addProcessor('', thisName, side<V, VO>(other.getter, (v, o) => join(v, o), !left), [this.name], other.getter.stores);
    // An update of the other side matters only where this side has a row.
    b.addProcessor('', otherName, side<VO, V>(this.getter, (o, v) => (v === null ? null : o === null && !left ? null : join(v, o)), true), [other.name], this.getter.stores);
    b.addProcessor('', mergeName, mapProcessor<K, Change<VR>, K, Change<VR>>((r) => r, false), [thisName, otherName]);
    const tg = this.getter;
    const og = other.getter;
    return new KTable<K, VR>(b, mergeName, new Set([...this.sourceNodes, ...other.sourceNodes]), this.keySerde, undefined, {
      stores: [...tg.stores, ...og.stores],
      make(ctx) {
        const gt = tg.make(ctx);
        const go = og.make(ctx);
        return (key) => {
          const v = gt(key);
          if (!v) return null;
          const o = go(key);
          const j = join(v.value, o?.value ?? null);
          return j === null ? null : { value: j, timestamp: Math.max(v.timestamp, o?.timestamp ?? 0) };
        };
      },
    }, undefined);
  }

  /** The changelog stream of the table: every update (a deletion is a null value). */
  toStream<KR = K>(mapper?: (key: K, value: V | null) => KR, named?: Named): KStream<KR, V> {
    const f = mapper;
    const n = this.builder.addProcessor('KTABLE-TOSTREAM-', named, mapProcessor<K, Change<V>, KR, V | null>((r) => {
      const rec = r.withValue(r.value.newValue);
      return f ? rec.withKey(f(r.key, r.value.newValue)) : (rec as unknown as Record<KR, V | null>);
    }, false), [this.name]);
    return new KStream<KR, V>(this.builder, n, this.sourceNodes, mapper !== undefined, (mapper ? undefined : this.keySerde) as Serde<KR> | undefined, this.valueSerde);
  }
}

/** A table every instance holds in full (no co-partitioning needed to join with it). */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    readonly storeName: string,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}
  queryableStoreName(): string {
    return this.storeName;
  }
}

type Agg<K, V, VA> = { init: () => VA; add: (key: K, value: V, agg: VA) => VA };

export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: KStream<K, V>,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
    private readonly groupName: string | undefined,
    private readonly repartitionRequired: boolean,
  ) {}

  /** @internal the aggregation's parent: the stream, or the source reading the repartition topic. */
  parentFor(storeName: string): { parent: string; sources: Set<string> } {
    if (!this.repartitionRequired) return { parent: this.stream.name, sources: this.stream.sourceNodes };
    const src = this.stream.repartitionThrough(this.groupName ?? storeName, this.keySerde, this.valueSerde);
    return { parent: src, sources: new Set([src]) };
  }

  count(named?: Named, materialized?: Materialized<K, number>): KTable<K, number>;
  count(materialized: Materialized<K, number>): KTable<K, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    const [named, m] = a instanceof Materialized ? [undefined, a] : [a, b ?? new Materialized<K, number>()];
    return this.doAggregate('KSTREAM-AGGREGATE-', named, m, { init: () => 0, add: (_k, _v, agg) => agg + 1 }, Serdes.Long());
  }

  reduce(reducer: (agg: V, value: V) => V, named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  reduce(reducer: (agg: V, value: V) => V, materialized: Materialized<K, V>): KTable<K, V>;
  reduce(reducer: (agg: V, value: V) => V, a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const f = fn(reducer, 'reducer');
    const [named, m] = a instanceof Materialized ? [undefined, a] : [a, b ?? new Materialized<K, V>()];
    const NONE = Symbol('none');
    return this.doAggregate<V>('KSTREAM-REDUCE-', named, m, { init: () => NONE as unknown as V, add: (_k, v, agg) => ((agg as unknown) === NONE ? v : f(agg, v)) }, this.valueSerde);
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, named?: Named, materialized?: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, materialized: Materialized<K, VA>): KTable<K, VA>;
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, a?: Named | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<K, VA> {
    const [named, m] = a instanceof Materialized ? [undefined, a] : [a, b ?? new Materialized<K, VA>()];
    return this.doAggregate('KSTREAM-AGGREGATE-', named, m, { init: fn(initializer, 'initializer'), add: fn(aggregator, 'aggregator') }, undefined);
  }

  private doAggregate<VA>(prefix: string, named: Named | undefined, m: Materialized<K, VA>, agg: Agg<K, V, VA>, defaultValueSerde: Serde<VA> | undefined): KTable<K, VA> {
    const b = this.stream.builder;
    const storeName = m.storeName ?? b.newStoreName(prefix);
    const name = named?.name ?? b.newProcessorName(prefix);
    const { parent, sources } = this.parentFor(storeName);
    const ks = (m.keySerde ?? this.keySerde ?? b.defaultKeySerde) as Serde<K>;
    const vs = (m.valueSerde ?? defaultValueSerde ?? b.defaultValueSerde) as Serde<VA>;
    b.addStore(storeBuilderFor(m, storeName, ks, vs) as StoreBuilder<unknown>);
    b.topology.addProcessor(name, () => {
      let ctx: ProcessorContext<K, Change<VA>>;
      let store: TimestampedKeyValueStore<K, VA>;
      return {
        init(c: ProcessorContext<K, Change<VA>>) {
          ctx = c;
          store = c.getStateStore(storeName);
        },
        process(r: Record<K, V>) {
          if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
          // The source's key bytes when the key is the source's (no second serialization).
          const kb = (ctx as Partial<InternalContext>).sourceKeyBytes?.(r.key, store.keySerde) ?? store.keyBytes(r.key);
          const old = store.getBytes(kb);
          const next = agg.add(r.key, r.value, old ? old.value : agg.init());
          const ts = old ? Math.max(old.timestamp, r.timestamp) : r.timestamp;
          store.putBytes(kb, next, ts);
          ctx.forward(new Record<K, Change<VA>>(r.key, { newValue: next, oldValue: old?.value ?? null }, ts, r.headers));
        },
      };
    }, parent);
    b.topology.connectProcessorAndStateStores(name, storeName);
    return new KTable<K, VA>(b, name, sources, ks, vs, storeGetter<K, VA>(storeName), storeName);
  }

  windowedBy(windows: TimeWindows): TimeWindowedKStream<K, V> {
    if (!(windows instanceof TimeWindows)) throw new TopologyException('windowedBy takes TimeWindows (ofSizeWithNoGrace / ofSizeAndGrace)');
    return new TimeWindowedKStream<K, V>(this.stream, this, windows, this.keySerde, this.valueSerde);
  }
}

export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly stream: KStream<K, V>,
    private readonly grouped: KGroupedStream<K, V>,
    private readonly windows: TimeWindows,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
  ) {}

  count(named?: Named, materialized?: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(materialized: Materialized<K, number>): KTable<Windowed<K>, number>;
  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const [named, m] = a instanceof Materialized ? [undefined, a] : [a, b ?? new Materialized<K, number>()];
    return this.doAggregate('KSTREAM-AGGREGATE-', named, m, { init: () => 0, add: (_k, _v, agg) => agg + 1 }, Serdes.Long());
  }

  reduce(reducer: (agg: V, value: V) => V, named?: Named, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const f = fn(reducer, 'reducer');
    const NONE = Symbol('none');
    return this.doAggregate<V>('KSTREAM-REDUCE-', named, materialized ?? new Materialized<K, V>(), { init: () => NONE as unknown as V, add: (_k, v, agg) => ((agg as unknown) === NONE ? v : f(agg, v)) }, this.valueSerde);
  }

  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, named?: Named, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    return this.doAggregate('KSTREAM-AGGREGATE-', named, materialized ?? new Materialized<K, VA>(), { init: fn(initializer, 'initializer'), add: fn(aggregator, 'aggregator') }, undefined);
  }

  private doAggregate<VA>(prefix: string, named: Named | undefined, m: Materialized<K, VA>, agg: Agg<K, V, VA>, defaultValueSerde: Serde<VA> | undefined): KTable<Windowed<K>, VA> {
    const b = this.stream.builder;
    const w = this.windows;
    const storeName = m.storeName ?? b.newStoreName(prefix);
    const name = named?.name ?? b.newProcessorName(prefix);
    const { parent, sources } = this.grouped.parentFor(storeName);
    const ks = (m.keySerde ?? this.keySerde ?? b.defaultKeySerde) as Serde<K>;
    const vs = (m.valueSerde ?? defaultValueSerde ?? b.defaultValueSerde) as Serde<VA>;
    const retention = m.retentionMs ?? w.size() + w.gracePeriodMs();
    if (retention < w.size() + w.gracePeriodMs()) {
      throw new TopologyException(`The retention period of the window store ${storeName} must be no smaller than its window size plus the grace period. Got size=[${w.size()}], grace=[${w.gracePeriodMs()}], retention=[${retention}]`);
    }
    const dropped = { count: 0 };
    const supplier = m.persistent ? Stores.persistentWindowStore(storeName, retention, w.size(), false) : Stores.inMemoryWindowStore(storeName, retention, w.size(), false);
    const sb = Stores.timestampedWindowStoreBuilder(supplier, ks, vs);
    b.addStore((m.loggingEnabled ? sb.withLoggingEnabled(m.logConfig) : sb.withLoggingDisabled()) as StoreBuilder<unknown>);
    b.topology.addProcessor(name, () => {
      let ctx: ProcessorContext<Windowed<K>, Change<VA>>;
      let store: WindowStore<K, VA>;
      let observed = -1;
      return {
        init(c: ProcessorContext<Windowed<K>, Change<VA>>) {
          ctx = c;
          store = c.getStateStore(storeName);
        },
        process(r: Record<K, V>) {
          if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return;
          if (r.timestamp > observed) observed = r.timestamp;
          const closeTime = observed - w.gracePeriodMs();
          for (const win of w.windowsFor(r.timestamp)) {
            if (win.end <= closeTime) {
              const meta = ctx.recordMetadata();
              dropped.count++;
              // Kafka logs each one; keep the log readable under a flood of late records.
              if (dropped.count <= 10 || dropped.count % 1000 === 0) {
                (ctx as Partial<InternalContext>).log?.(
                  'warn',
                  `Skipping record for expired window (${dropped.count} so far). topic=[${meta?.topic}] partition=[${meta?.partition}] offset=[${meta?.offset}] timestamp=[${r.timestamp}] window=[${win.start},${win.end}) expiration=[${closeTime}] streamTime=[${observed}]`,
                );
              }
              continue;
            }
            const old = store.fetchWithTimestamp(r.key, win.start);
            const next = agg.add(r.key, r.value, old ? old.value : agg.init());
            const ts = old ? Math.max(old.timestamp, r.timestamp) : r.timestamp;
            store.put(r.key, next, win.start, ts);
            ctx.forward(new Record<Windowed<K>, Change<VA>>(new Windowed(r.key, win), { newValue: next, oldValue: old?.value ?? null }, ts, r.headers));
          }
        },
      };
    }, parent);
    b.topology.connectProcessorAndStateStores(name, storeName);
    const getter: TableGetter<Windowed<K>, VA> = {
      stores: [storeName],
      make(ctx) {
        const store = ctx.getStateStore<WindowStore<K, VA>>(storeName);
        return (wk) => store.fetchWithTimestamp(wk.key, wk.window.start);
      },
    };
    return new KTable<Windowed<K>, VA>(b, name, sources, timeWindowedSerde(ks, w.size()), vs, getter, storeName, w.gracePeriodMs());
  }
}
