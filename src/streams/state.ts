/**
 * State stores as users see them: typed key-value and window stores over the runtime's byte
 * stores (api.ts BytesStore), built by `Stores.*StoreBuilder` and connected to processors with
 * `Topology.addStateStore` (or made by the DSL for aggregations and tables).
 *
 * Byte layouts (what the changelog holds):
 * - key-value: serialized key -> serialized value;
 * - timestamped key-value (DSL tables and aggregates): value = 8-byte big-endian timestamp + value
 *   (Kafka's ValueAndTimestamp layout);
 * - window: serialized key + 8-byte big-endian window start (+ 4-byte sequence number when the
 *   store keeps duplicates, as stream–stream joins do), value as above for timestamped windows.
 *   Keys sort by key bytes then start, so one key's windows are one range scan.
 */
import type { BytesStore, StoreSpec } from './api.js';
import { Serdes, deserializeWith, getInt64, putInt64, readInt64, writeInt64, type Serde } from './serdes.js';
import { Window, Windowed } from './windows.js';

export class KeyValue<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
  ) {}
  static pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return new KeyValue(key, value);
  }
}

export type StoreKind = 'keyValue' | 'timestampedKeyValue' | 'window' | 'timestampedWindow';

/** Where a store lives: Kafka's BytesStoreSupplier. */
export interface BytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly window?: { retentionMs: number; windowSizeMs: number; retainDuplicates: boolean };
}

export interface StoreBuilder<S> {
  readonly name: string;
  readonly kind: StoreKind;
  loggingEnabled(): boolean;
  withLoggingDisabled(): StoreBuilder<S>;
  withLoggingEnabled(config?: Record<string, string>): StoreBuilder<S>;
  /** Accepted for compatibility: this library writes through, it has no record cache. */
  withCachingEnabled(): StoreBuilder<S>;
  withCachingDisabled(): StoreBuilder<S>;
  /** What the runtime needs to know. */
  spec(): StoreSpec;
  /** The typed store over the runtime's bytes. */
  build(bytes: BytesStore): S;
}

const DAY_MS = 86_400_000;

class Builder<S> implements StoreBuilder<S> {
  private logging = true;
  private logConfig: Record<string, string> = {};
  constructor(
    readonly kind: StoreKind,
    private readonly supplier: BytesStoreSupplier,
    private readonly make: (bytes: BytesStore) => S,
  ) {}
  get name(): string {
    return this.supplier.name;
  }
  loggingEnabled(): boolean {
    return this.logging;
  }
  withLoggingDisabled(): this {
    this.logging = false;
    return this;
  }
  withLoggingEnabled(config: Record<string, string> = {}): this {
    this.logging = true;
    this.logConfig = { ...config };
    return this;
  }
  withCachingEnabled(): this {
    return this;
  }
  withCachingDisabled(): this {
    return this;
  }
  spec(): StoreSpec {
    const w = this.supplier.window;
    const changelogConfigs: Record<string, string> = w
      ? { 'cleanup.policy': 'compact,delete', 'retention.ms': String(w.retentionMs + DAY_MS), ...this.logConfig }
      : { 'cleanup.policy': 'compact', ...this.logConfig };
    return { name: this.name, logged: this.logging, persistent: this.supplier.persistent, changelogConfigs };
  }
  build(bytes: BytesStore): S {
    return this.make(bytes);
  }
}

// ---- typed stores ------------------------------------------------------------------------------

export interface KeyValueIterator<K, V> extends IterableIterator<KeyValue<K, V>> {
  /** Iterators hold nothing open; close() is for Kafka-shaped code. */
  close(): void;
}

function kvIter<K, V>(src: Iterable<[Uint8Array, Uint8Array]>, f: (k: Uint8Array, v: Uint8Array) => KeyValue<K, V> | undefined): KeyValueIterator<K, V> {
  function* gen(): Generator<KeyValue<K, V>> {
    for (const [k, v] of src) {
      const kv = f(k, v);
      if (kv !== undefined) yield kv;
    }
  }
  const it = gen() as Generator<KeyValue<K, V>> & { close(): void };
  it.close = () => void it.return(undefined);
  return it;
}

export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string;
  get(key: K): V | null;
  /** Keys between from and to inclusive, in serialized-key byte order. */
  range(from: K | null, to: K | null): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V): V | null;
  putAll(entries: Iterable<KeyValue<K, V>>): void;
  delete(key: K): V | null;
}

export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  constructor(
    readonly bytes: BytesStore,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {}
  get name(): string {
    return this.bytes.name;
  }
  protected topic(): string {
    return this.bytes.name;
  }
  protected k(key: K): Uint8Array {
    const b = this.keySerde.serialize(this.topic(), key);
    if (b === null) throw new TypeError(`store ${this.name}: keys may not be null`);
    return b;
  }
  get(key: K): V | null {
    const v = this.bytes.get(this.k(key));
    return v === undefined ? null : deserializeWith(this.valueSerde, this.topic(), v);
  }
  put(key: K, value: V | null): void {
    this.bytes.put(this.k(key), value === null || value === undefined ? null : this.valueSerde.serialize(this.topic(), value));
  }
  putIfAbsent(key: K, value: V): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }
  putAll(entries: Iterable<KeyValue<K, V>>): void {
    for (const e of entries) this.put(e.key, e.value);
  }
  delete(key: K): V | null {
    const old = this.get(key);
    if (old !== null) this.bytes.put(this.k(key), null);
    return old;
  }
  range(from: K | null, to: K | null): KeyValueIterator<K, V> {
    const f = from === null || from === undefined ? undefined : this.k(from);
    const t = to === null || to === undefined ? undefined : this.k(to);
    return kvIter(this.bytes.range(f, t), (k, v) => new KeyValue(deserializeWith(this.keySerde, this.topic(), k) as K, deserializeWith(this.valueSerde, this.topic(), v) as V));
  }
  all(): KeyValueIterator<K, V> {
    return this.range(null, null);
  }
  approximateNumEntries(): number {
    return this.bytes.size();
  }
}

/** A value with the timestamp of the record that made it (Kafka's ValueAndTimestamp). */
export interface ValueAndTimestamp<V> {
  value: V;
  timestamp: number;
}

export function encodeTimestamped(ts: number, value: Uint8Array | null): Uint8Array | null {
  if (value === null) return null;
  const out = Buffer.allocUnsafe(8 + value.length);
  putInt64(out, 0, ts);
  out.set(value, 8);
  return out;
}

export function decodeTimestamped(b: Uint8Array): { timestamp: number; value: Uint8Array } {
  const ts = getInt64(b, 0);
  return { timestamp: ts, value: b.subarray(8) };
}

const LONG_SCRATCH = new Uint8Array(16);

/** Key-value store of values with timestamps (Kafka's TimestampedKeyValueStore), as DSL tables use. */
export class TimestampedKeyValueStore<K, V> {
  /** The values are Longs (a count): read and written without the serde's intermediate bytes. */
  private readonly long: boolean;
  constructor(
    readonly bytes: BytesStore,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
  ) {
    this.long = (valueSerde as unknown) === Serdes.Long();
  }
  get name(): string {
    return this.bytes.name;
  }
  keyBytes(key: K): Uint8Array {
    const b = this.keySerde.serialize(this.name, key);
    if (b === null) throw new TypeError(`store ${this.name}: keys may not be null`);
    return b;
  }
  get(key: K): ValueAndTimestamp<V> | null {
    return this.getBytes(this.keyBytes(key));
  }
  getBytes(key: Uint8Array): ValueAndTimestamp<V> | null {
    const raw = this.bytes.get(key);
    if (raw === undefined) return null;
    // Long values (counts) read in place: what the Long serde does, without a view of the bytes.
    if (this.long && raw.length === 16) return { value: getInt64(raw, 8) as V, timestamp: getInt64(raw, 0) };
    return { value: deserializeWith(this.valueSerde, this.name, raw.subarray(8)) as V, timestamp: getInt64(raw, 0) };
  }
  put(key: K, value: V | null, timestamp: number): void {
    this.putBytes(this.keyBytes(key), value, timestamp);
  }
  /** put() with the key already serialized (aggregations serialize it once for get and put). */
  putBytes(key: Uint8Array, value: V | null, timestamp: number): void {
    if (this.long && typeof value === 'number') {
      // Long values (counts) encoded in place into one scratch buffer (stores keep copies).
      const out = LONG_SCRATCH;
      putInt64(out, 0, timestamp);
      putInt64(out, 8, value);
      this.bytes.put(key, out);
      return;
    }
    this.bytes.put(key, value === null || value === undefined ? null : encodeTimestamped(timestamp, this.valueSerde.serialize(this.name, value)));
  }
  all(): KeyValueIterator<K, ValueAndTimestamp<V>> {
    return this.range(null, null);
  }
  range(from: K | null, to: K | null): KeyValueIterator<K, ValueAndTimestamp<V>> {
    const f = from === null || from === undefined ? undefined : this.keyBytes(from);
    const t = to === null || to === undefined ? undefined : this.keyBytes(to);
    return kvIter(this.bytes.range(f, t), (k, raw) => {
      const { timestamp, value } = decodeTimestamped(raw);
      return new KeyValue(deserializeWith(this.keySerde, this.name, k) as K, { value: deserializeWith(this.valueSerde, this.name, value) as V, timestamp });
    });
  }
  approximateNumEntries(): number {
    return this.bytes.size();
  }
}

// ---- window stores -----------------------------------------------------------------------------

function windowKey(key: Uint8Array, start: number, seq?: number): Uint8Array {
  const out = new Uint8Array(key.length + 8 + (seq === undefined ? 0 : 4));
  out.set(key, 0);
  const dv = new DataView(out.buffer);
  writeInt64(dv, key.length, Math.max(0, start));
  if (seq !== undefined) dv.setUint32(key.length + 8, seq >>> 0);
  return out;
}

export interface WindowStoreIterator<V> extends IterableIterator<KeyValue<number, V>> {
  close(): void;
}

/**
 * A window store: values per (key, window start). Entries older than the retention period
 * (relative to the largest window start put) are dropped on put and swept away as time advances.
 */
export class WindowStore<K, V> {
  private observed = -1;
  private lastSweep = -1;
  private seq = 0;
  constructor(
    readonly bytes: BytesStore,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    /** Values carry a timestamp (DSL windowed aggregations). */
    readonly timestamped = false,
  ) {}
  get name(): string {
    return this.bytes.name;
  }
  private suffix(): number {
    return this.retainDuplicates ? 12 : 8;
  }
  private kb(key: K): Uint8Array {
    const b = this.keySerde.serialize(this.name, key);
    if (b === null) throw new TypeError(`store ${this.name}: keys may not be null`);
    return b;
  }
  private encode(value: V | null, ts: number): Uint8Array | null {
    if (value === null || value === undefined) return null;
    const b = this.valueSerde.serialize(this.name, value);
    return this.timestamped ? encodeTimestamped(ts, b) : b;
  }
  private decode(raw: Uint8Array): { value: V; timestamp: number } {
    if (!this.timestamped) return { value: deserializeWith(this.valueSerde, this.name, raw) as V, timestamp: -1 };
    const { timestamp, value } = decodeTimestamped(raw);
    return { value: deserializeWith(this.valueSerde, this.name, value) as V, timestamp };
  }
  /** Whether a window starting at `start` has expired. */
  expired(start: number): boolean {
    return this.observed >= 0 && start <= this.observed - this.retentionMs;
  }
  put(key: K, value: V | null, windowStart: number, timestamp = windowStart): void {
    if (windowStart > this.observed) this.observed = windowStart;
    if (this.expired(windowStart)) return;
    if (this.retainDuplicates) {
      if (value === null || value === undefined) return;
      this.bytes.put(windowKey(this.kb(key), windowStart, ++this.seq), this.encode(value, timestamp));
    } else {
      this.bytes.put(windowKey(this.kb(key), windowStart), this.encode(value, timestamp));
    }
    this.maybeSweep();
  }
  fetch(key: K, windowStart: number): V | null {
    return this.fetchWithTimestamp(key, windowStart)?.value ?? null;
  }
  fetchWithTimestamp(key: K, windowStart: number): { value: V; timestamp: number } | null {
    if (this.retainDuplicates || this.expired(windowStart)) return null;
    const raw = this.bytes.get(windowKey(this.kb(key), windowStart));
    return raw === undefined ? null : this.decode(raw);
  }
  /** One key's windows with start in [timeFrom, timeTo], ascending by start: KeyValue(start, value). */
  fetchRange(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V> {
    const k = this.kb(key);
    const from = windowKey(k, timeFrom, this.retainDuplicates ? 0 : undefined);
    const to = windowKey(k, timeTo, this.retainDuplicates ? 0xffffffff : undefined);
    const len = k.length + this.suffix();
    const entries = this.bytes.range(from, to);
    const self = this;
    function* gen(): Generator<KeyValue<number, V>> {
      for (const [kk, v] of entries) {
        if (kk.length !== len) continue; // another key whose bytes share this prefix
        const start = readInt64(new DataView(kk.buffer, kk.byteOffset, kk.byteLength), k.length);
        if (self.expired(start)) continue;
        yield new KeyValue(start, self.decode(v).value);
      }
    }
    const it = gen() as Generator<KeyValue<number, V>> & { close(): void };
    it.close = () => void it.return(undefined);
    return it;
  }
  /** Every window of every key, as KeyValue(Windowed(key), value), in byte order. */
  all(): KeyValueIterator<Windowed<K>, V> {
    const sfx = this.suffix();
    return kvIter(this.bytes.range(), (kk, v) => {
      const klen = kk.length - sfx;
      const start = readInt64(new DataView(kk.buffer, kk.byteOffset, kk.byteLength), klen);
      if (this.expired(start)) return undefined;
      const key = deserializeWith(this.keySerde, this.name, kk.subarray(0, klen)) as K;
      return new KeyValue(new Windowed(key, new Window(start, start + this.windowSizeMs)), this.decode(v).value);
    });
  }
  approximateNumEntries(): number {
    return this.bytes.size();
  }
  private maybeSweep(): void {
    const step = Math.max(1000, Math.floor(this.retentionMs / 2));
    if (this.lastSweep >= 0 && this.observed - this.lastSweep < step) return;
    this.lastSweep = this.observed;
    const sfx = this.suffix();
    const dead: Uint8Array[] = [];
    for (const [kk] of this.bytes.range()) {
      const start = readInt64(new DataView(kk.buffer, kk.byteOffset, kk.byteLength), kk.length - sfx);
      if (this.expired(start)) dead.push(kk);
    }
    for (const kk of dead) this.bytes.put(kk, null);
  }
}

// ---- Stores ------------------------------------------------------------------------------------

function checkName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('store name must be a non-empty string');
  return name;
}

/** Kafka's `Stores` factory. */
export const Stores = {
  persistentKeyValueStore: (name: string): BytesStoreSupplier => ({ name: checkName(name), persistent: true }),
  persistentTimestampedKeyValueStore: (name: string): BytesStoreSupplier => ({ name: checkName(name), persistent: true }),
  inMemoryKeyValueStore: (name: string): BytesStoreSupplier => ({ name: checkName(name), persistent: false }),
  persistentWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): BytesStoreSupplier => ({
    name: checkName(name),
    persistent: true,
    window: { retentionMs, windowSizeMs, retainDuplicates },
  }),
  inMemoryWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates: boolean): BytesStoreSupplier => ({
    name: checkName(name),
    persistent: false,
    window: { retentionMs, windowSizeMs, retainDuplicates },
  }),
  keyValueStoreBuilder<K, V>(supplier: BytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<KeyValueStore<K, V>> {
    return new Builder('keyValue', supplier, (b) => new MeteredKeyValueStore(b, keySerde, valueSerde));
  },
  timestampedKeyValueStoreBuilder<K, V>(supplier: BytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<TimestampedKeyValueStore<K, V>> {
    return new Builder('timestampedKeyValue', supplier, (b) => new TimestampedKeyValueStore(b, keySerde, valueSerde));
  },
  windowStoreBuilder<K, V>(supplier: BytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<WindowStore<K, V>> {
    const w = supplier.window;
    if (!w) throw new TypeError(`store ${supplier.name} is not a window store supplier (use Stores.persistentWindowStore)`);
    return new Builder('window', supplier, (b) => new WindowStore(b, keySerde, valueSerde, w.retentionMs, w.windowSizeMs, w.retainDuplicates));
  },
  timestampedWindowStoreBuilder<K, V>(supplier: BytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): StoreBuilder<WindowStore<K, V>> {
    const w = supplier.window;
    if (!w) throw new TypeError(`store ${supplier.name} is not a window store supplier (use Stores.persistentWindowStore)`);
    return new Builder('timestampedWindow', supplier, (b) => new WindowStore(b, keySerde, valueSerde, w.retentionMs, w.windowSizeMs, w.retainDuplicates, true));
  },
};
