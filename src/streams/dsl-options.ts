/**
 * The DSL's option objects, as Kafka names them: Consumed, Produced, Grouped, Materialized, Named,
 * Joined, Repartitioned, StreamJoined, Branched. Immutable-ish builders: each `with*` returns a copy.
 */
import type { StreamPartitioner, TimestampExtractor } from './processor.js';
import type { Serde } from './serdes.js';
import type { BytesStoreSupplier } from './state.js';

type Opt<T> = T | undefined;

function copy<T extends object>(o: T, patch: object): T {
  return Object.assign(Object.create(Object.getPrototypeOf(o) as object) as T, o, patch);
}

export class Named {
  protected constructor(readonly name: Opt<string>) {}
  static as(name: string): Named {
    return new Named(name);
  }
}

export class Consumed<K, V> {
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  timestampExtractor: Opt<TimestampExtractor>;
  processorName: Opt<string>;
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>, timestampExtractor?: TimestampExtractor): Consumed<K, V> {
    const c = new Consumed<K, V>();
    c.keySerde = keySerde;
    c.valueSerde = valueSerde;
    c.timestampExtractor = timestampExtractor;
    return c;
  }
  static as<K, V>(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>().withName(processorName);
  }
  withName(processorName: string): Consumed<K, V> {
    return copy(this, { processorName });
  }
  withTimestampExtractor(timestampExtractor: TimestampExtractor): Consumed<K, V> {
    return copy(this, { timestampExtractor });
  }
  withKeySerde(keySerde: Serde<K>): Consumed<K, V> {
    return copy(this, { keySerde });
  }
  withValueSerde(valueSerde: Serde<V>): Consumed<K, V> {
    return copy(this, { valueSerde });
  }
}

export class Produced<K, V> {
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  partitioner: Opt<StreamPartitioner<K, V>>;
  processorName: Opt<string>;
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    const p = new Produced<K, V>();
    p.keySerde = keySerde;
    p.valueSerde = valueSerde;
    p.partitioner = partitioner;
    return p;
  }
  static as<K, V>(processorName: string): Produced<K, V> {
    return new Produced<K, V>().withName(processorName);
  }
  withName(processorName: string): Produced<K, V> {
    return copy(this, { processorName });
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return copy(this, { partitioner });
  }
  withKeySerde(keySerde: Serde<K>): Produced<K, V> {
    return copy(this, { keySerde });
  }
  withValueSerde(valueSerde: Serde<V>): Produced<K, V> {
    return copy(this, { valueSerde });
  }
}

export class Grouped<K, V> {
  name: Opt<string>;
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Grouped<K, V> {
    const g = new Grouped<K, V>();
    g.keySerde = keySerde;
    g.valueSerde = valueSerde;
    return g;
  }
  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>().withName(name);
  }
  withName(name: string): Grouped<K, V> {
    return copy(this, { name });
  }
  withKeySerde(keySerde: Serde<K>): Grouped<K, V> {
    return copy(this, { keySerde });
  }
  withValueSerde(valueSerde: Serde<V>): Grouped<K, V> {
    return copy(this, { valueSerde });
  }
}

/** How a DSL store is made: its name (else generated), serdes, logging, memory or disk, retention. */
export class Materialized<K, V> {
  storeName: Opt<string>;
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  loggingEnabled = true;
  logConfig: Record<string, string> = {};
  persistent = true;
  retentionMs: Opt<number>;
  static as<K, V>(storeNameOrSupplier: string | BytesStoreSupplier): Materialized<K, V> {
    const m = new Materialized<K, V>();
    if (typeof storeNameOrSupplier === 'string') m.storeName = storeNameOrSupplier;
    else {
      m.storeName = storeNameOrSupplier.name;
      m.persistent = storeNameOrSupplier.persistent;
      if (storeNameOrSupplier.window) m.retentionMs = storeNameOrSupplier.window.retentionMs;
    }
    return m;
  }
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Materialized<K, V> {
    const m = new Materialized<K, V>();
    m.keySerde = keySerde;
    m.valueSerde = valueSerde;
    return m;
  }
  withKeySerde(keySerde: Serde<K>): Materialized<K, V> {
    return copy(this, { keySerde });
  }
  withValueSerde(valueSerde: Serde<V>): Materialized<K, V> {
    return copy(this, { valueSerde });
  }
  withLoggingDisabled(): Materialized<K, V> {
    return copy(this, { loggingEnabled: false });
  }
  withLoggingEnabled(config: Record<string, string> = {}): Materialized<K, V> {
    return copy(this, { loggingEnabled: true, logConfig: { ...config } });
  }
  withCachingEnabled(): Materialized<K, V> {
    return this;
  }
  withCachingDisabled(): Materialized<K, V> {
    return this;
  }
  withRetention(retentionMs: number): Materialized<K, V> {
    return copy(this, { retentionMs });
  }
  /** Keep the store in memory (Kafka: `Materialized.as(Stores.inMemoryKeyValueStore(name))`). */
  inMemory(): Materialized<K, V> {
    return copy(this, { persistent: false });
  }
}

export class Joined<K, V, VO> {
  name: Opt<string>;
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  otherValueSerde: Opt<Serde<VO>>;
  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>, name?: string): Joined<K, V, VO> {
    const j = new Joined<K, V, VO>();
    j.keySerde = keySerde;
    j.valueSerde = valueSerde;
    j.otherValueSerde = otherValueSerde;
    j.name = name;
    return j;
  }
  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>().withName(name);
  }
  withName(name: string): Joined<K, V, VO> {
    return copy(this, { name });
  }
}

export class StreamJoined<K, V, VO> {
  name: Opt<string>;
  storeName: Opt<string>;
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  otherValueSerde: Opt<Serde<VO>>;
  loggingEnabled = true;
  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>): StreamJoined<K, V, VO> {
    const j = new StreamJoined<K, V, VO>();
    j.keySerde = keySerde;
    j.valueSerde = valueSerde;
    j.otherValueSerde = otherValueSerde;
    return j;
  }
  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>().withStoreName(storeName);
  }
  withName(name: string): StreamJoined<K, V, VO> {
    return copy(this, { name });
  }
  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return copy(this, { storeName });
  }
  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return copy(this, { loggingEnabled: false });
  }
}

export class Repartitioned<K, V> {
  name: Opt<string>;
  keySerde: Opt<Serde<K>>;
  valueSerde: Opt<Serde<V>>;
  partitions: Opt<number>;
  partitioner: Opt<StreamPartitioner<K, V>>;
  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>().withName(name);
  }
  static with<K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Repartitioned<K, V> {
    const r = new Repartitioned<K, V>();
    r.keySerde = keySerde;
    r.valueSerde = valueSerde;
    return r;
  }
  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>().withNumberOfPartitions(n);
  }
  static streamPartitioner<K, V>(p: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>().withStreamPartitioner(p);
  }
  withName(name: string): Repartitioned<K, V> {
    return copy(this, { name });
  }
  withNumberOfPartitions(partitions: number): Repartitioned<K, V> {
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`number of partitions must be a positive integer, got ${partitions}`);
    return copy(this, { partitions });
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return copy(this, { partitioner });
  }
  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return copy(this, { keySerde });
  }
  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return copy(this, { valueSerde });
  }
}

/** A branch of `split()`: its name, and a function or consumer applied to the branch stream. */
export class Branched<S> {
  name: Opt<string>;
  fn: Opt<(s: S) => S | void>;
  static as<S>(name: string): Branched<S> {
    const b = new Branched<S>();
    b.name = name;
    return b;
  }
  static withFunction<S>(fn: (s: S) => S, name?: string): Branched<S> {
    const b = new Branched<S>();
    b.fn = fn;
    b.name = name;
    return b;
  }
  static withConsumer<S>(fn: (s: S) => void, name?: string): Branched<S> {
    const b = new Branched<S>();
    b.fn = fn;
    b.name = name;
    return b;
  }
}

/** Kafka's BufferConfig: only an unbounded buffer here (the buffer is a store, changelog-free). */
export const BufferConfig = {
  unbounded: (): { unbounded: true } => ({ unbounded: true }),
};

/** Kafka's Suppressed: `untilWindowCloses` (final results of windowed aggregations). */
export class Suppressed {
  private constructor(readonly name: Opt<string>) {}
  static untilWindowCloses(_buffer: { unbounded: true } = BufferConfig.unbounded()): Suppressed {
    return new Suppressed(undefined);
  }
  withName(name: string): Suppressed {
    return new Suppressed(name);
  }
}
