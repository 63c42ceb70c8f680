/**
 * An in-memory BytesStore (api.ts): byte keys kept sorted in unsigned byte order, so range scans
 * (window stores, `range`, `all`) are a binary search and a walk.
 *
 * Layout: a list of sorted chunks (each at most CHUNK entries), with every chunk's first key
 * indexing the list. A put is a binary search over chunks, then over one chunk, and an insert
 * into a small array (split in two when full), so it stays cheap at millions of keys where one big
 * sorted array would move half of itself per insert.
 *
 * Point access (get, and a put or delete of a key already present: a count's every record) goes
 * through a hash map from the key's bytes (as a latin1 string) to the key's entry in the sorted
 * chunks, so it costs no binary search; only a put of a new key searches and inserts.
 *
 * Iterators tolerate writes while they run (a processor may delete what it scans): each remembers
 * the last key it returned and, when the store changed since, seeks past that key again.
 */

import type { BytesStore } from '../api.js';

const CHUNK = 256;

/** Unsigned byte-order comparison, shorter prefix first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A key's current value; shared by the hash index and the key's chunk, so an update is one write. */
interface Entry {
  value: Uint8Array;
}

interface Chunk {
  keys: Uint8Array[];
  values: Entry[];
}

/**
 * A private copy of a key or value (a plain Uint8Array, as stored values were always). Small
 * copies are views into shared slabs, as Node's Buffer pool does: a store of many small entries
 * otherwise makes an ArrayBuffer per key and per value, and collecting those costs more than the
 * store's own work (restoration spent most of its time there). A slab lives while any entry in it
 * does.
 */
const SLAB = 16 << 10;
let slab = new ArrayBuffer(SLAB);
let slabUsed = 0;
function copyBytes(b: Uint8Array): Uint8Array {
  const n = b.length;
  if (n > 512) return new Uint8Array(b);
  if (slabUsed + n > SLAB) {
    slab = new ArrayBuffer(SLAB);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  out.set(b);
  // 8-byte aligned, as Node's pool aligns.
  slabUsed = (slabUsed + n + 7) & ~7;
  return out;
}

let lastKey: Uint8Array | null = null;
let lastHash = '';

/**
 * The key's bytes as a string, for the hash index (latin1: one char per byte, no decoding).
 * The last answer is kept: an aggregation's get and put of one key (and the changelog's dirty
 * set after them) ask for the same key object in a row. The bytes are compared again, so a key
 * buffer the caller reused with new contents is never mistaken for the old key.
 */
export function hashKey(key: Uint8Array): string {
  if (key === lastKey) {
    const h = lastHash;
    const n = key.length;
    if (h.length === n) {
      let i = 0;
      while (i < n && key[i] === h.charCodeAt(i)) i++;
      if (i === n) return h;
    }
  }
  lastKey = key;
  lastHash = (Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength)).toString('latin1');
  return lastHash;
}

export class InMemoryBytesStore implements BytesStore {
  private chunks: Chunk[] = [];
  private readonly index = new Map<string, Entry>();
  private count = 0;
  /** Bumped by every structural change; iterators re-seek when it moved. */
  private version = 0;

  constructor(readonly name: string) {}

  size(): number {
    return this.count;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.index.get(hashKey(key))?.value;
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    if (value === null) {
      this.delete(key);
      return;
    }
    // Copy: callers may reuse their buffers (the key only when it is new).
    const v = copyBytes(value);
    const h = hashKey(key);
    const known = this.index.get(h);
    if (known !== undefined) {
      known.value = v;
      return;
    }
    const e: Entry = { value: v };
    this.index.set(h, e);
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [copyBytes(key)], values: [e] });
      this.count = 1;
      this.version++;
      return;
    }
    let ci = this.chunkFor(key);
    if (ci < 0) ci = 0;
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    c.keys.splice(i, 0, copyBytes(key));
    c.values.splice(i, 0, e);
    this.count++;
    this.version++;
    if (c.keys.length > CHUNK) {
      const half = c.keys.length >> 1;
      const right: Chunk = { keys: c.keys.splice(half), values: c.values.splice(half) };
      this.chunks.splice(ci + 1, 0, right);
    }
  }

  delete(key: Uint8Array): Uint8Array | undefined {
    const h = hashKey(key);
    if (!this.index.has(h)) return undefined;
    this.index.delete(h);
    const ci = this.chunkFor(key);
    if (ci < 0) return undefined;
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    if (i >= c.keys.length || compareBytes(c.keys[i]!, key) !== 0) return undefined;
    const old = c.values[i]!.value;
    c.keys.splice(i, 1);
    c.values.splice(i, 1);
    if (c.keys.length === 0) this.chunks.splice(ci, 1);
    this.count--;
    this.version++;
    return old;
  }

  *range(from?: Uint8Array, to?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    let [ci, i] = from === undefined ? [0, 0] : this.seek(from, false);
    let seen = this.version;
    let last: Uint8Array | undefined;
    for (;;) {
      if (seen !== this.version && last !== undefined) {
        [ci, i] = this.seek(last, true);
        seen = this.version;
      }
      while (ci < this.chunks.length && i >= this.chunks[ci]!.keys.length) {
        ci++;
        i = 0;
      }
      if (ci >= this.chunks.length) return;
      const c = this.chunks[ci]!;
      const k = c.keys[i]!;
      if (to !== undefined && compareBytes(k, to) > 0) return;
      last = k;
      yield [k, c.values[i]!.value];
      i++;
    }
  }

  /** Reverse scan, for window stores' backward fetches. */
  *reverseRange(from?: Uint8Array, to?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    // Snapshot: reverse scans are short (one key's windows) in practice.
    const all = [...this.range(from, to)];
    for (let j = all.length - 1; j >= 0; j--) yield all[j]!;
  }

  clear(): void {
    this.chunks = [];
    this.index.clear();
    this.count = 0;
    this.version++;
  }

  /** Index of the chunk that holds `key` or would: the last chunk whose first key <= key; -1 if before all. */
  private chunkFor(key: Uint8Array): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareBytes(this.chunks[mid]!.keys[0]!, key) <= 0) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Position of the first key >= key (> key when `after`). */
  private seek(key: Uint8Array, after: boolean): [number, number] {
    let ci = this.chunkFor(key);
    if (ci < 0) return [0, 0];
    const c = this.chunks[ci]!;
    let i = lowerBound(c.keys, key);
    if (after && i < c.keys.length && compareBytes(c.keys[i]!, key) === 0) i++;
    return [ci, i];
  }
}

/** First index whose key >= key. */
function lowerBound(keys: Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareBytes(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
