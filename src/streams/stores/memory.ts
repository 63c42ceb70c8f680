/**
 * An in-memory BytesStore (api.ts): byte keys kept sorted in unsigned byte order, so range scans
 * (window stores, `range`, `all`) are a binary search and a walk.
 *
 * Keys are held as latin1 strings (one char per byte): a string compares as its bytes do
 * unsigned, shorter prefix first, so the one string is both the hash index's key and the sort key,
 * and a key costs no second copy. Point access (get, and a put or delete of a key already
 * present: a count's every record) is the hash map. Order is kept in a list of sorted chunks (each
 * at most CHUNK keys, every chunk's first key indexing the list); new keys wait in a pending list
 * until something needs order (a scan, a delete), then a few are inserted one by one and many (a
 * restoration, a bulk of new keys) are sorted once and merged. A key's bytes are made for scans
 * when first needed and kept.
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
  /** The key's bytes, made when a scan first yields it. */
  bytes: Uint8Array | null;
}

interface Chunk {
  keys: string[];
  entries: Entry[];
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

/** A latin1 key string back to its bytes (from the slabs, as copies are). */
function keyBytes(k: string): Uint8Array {
  const n = k.length;
  let out: Uint8Array;
  if (n > 512) out = new Uint8Array(n);
  else {
    if (slabUsed + n > SLAB) {
      slab = new ArrayBuffer(SLAB);
      slabUsed = 0;
    }
    out = new Uint8Array(slab, slabUsed, n);
    slabUsed = (slabUsed + n + 7) & ~7;
  }
  for (let i = 0; i < n; i++) out[i] = k.charCodeAt(i);
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
  /** New keys (in the index, not yet in the chunks). */
  private pending: string[] = [];
  /** Bumped by every structural change; iterators re-seek when it moved. */
  private version = 0;

  constructor(readonly name: string) {}

  size(): number {
    return this.index.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.index.get(hashKey(key))?.value;
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    if (value === null) {
      this.delete(key);
      return;
    }
    // Copy: callers may reuse their buffers.
    const v = copyBytes(value);
    const h = hashKey(key);
    const known = this.index.get(h);
    if (known !== undefined) {
      known.value = v;
      return;
    }
    this.index.set(h, { value: v, bytes: null });
    this.pending.push(h);
    this.version++;
  }

  delete(key: Uint8Array): Uint8Array | undefined {
    const h = hashKey(key);
    const e = this.index.get(h);
    if (e === undefined) return undefined;
    this.settle();
    this.index.delete(h);
    const ci = this.chunkFor(h);
    if (ci >= 0) {
      const c = this.chunks[ci]!;
      const i = lowerBound(c.keys, h);
      if (i < c.keys.length && c.keys[i] === h) {
        c.keys.splice(i, 1);
        c.entries.splice(i, 1);
        if (c.keys.length === 0) this.chunks.splice(ci, 1);
      }
    }
    this.version++;
    return e.value;
  }

  *range(from?: Uint8Array, to?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    const f = from === undefined ? undefined : latin1(from);
    const t = to === undefined ? undefined : latin1(to);
    this.settle();
    let [ci, i] = f === undefined ? [0, 0] : this.seek(f, false);
    let seen = this.version;
    let last: string | undefined;
    for (;;) {
      if (seen !== this.version) {
        this.settle();
        [ci, i] = last !== undefined ? this.seek(last, true) : f === undefined ? [0, 0] : this.seek(f, false);
        seen = this.version;
      }
      while (ci < this.chunks.length && i >= this.chunks[ci]!.keys.length) {
        ci++;
        i = 0;
      }
      if (ci >= this.chunks.length) return;
      const c = this.chunks[ci]!;
      const k = c.keys[i]!;
      if (t !== undefined && k > t) return;
      last = k;
      const e = c.entries[i]!;
      yield [(e.bytes ??= keyBytes(k)), e.value];
      i++;
    }
  }

  /** Every entry in no particular order, the key as its latin1 string (writing a snapshot needs no order). */
  *unordered(): IterableIterator<[string, Uint8Array]> {
    for (const [k, e] of this.index) yield [k, e.value];
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
    this.pending = [];
    this.version++;
  }

  /** Puts the pending keys in order: a few one by one, many sorted once and merged. */
  private settle(): void {
    const p = this.pending;
    if (p.length === 0) return;
    this.pending = [];
    this.version++;
    if (p.length < 64 || p.length * 16 < this.index.size) {
      for (const h of p) this.insert(h, this.index.get(h)!);
      return;
    }
    // Default sort compares UTF-16 code units: for latin1 strings, unsigned byte order.
    p.sort();
    const keys: string[] = [];
    const entries: Entry[] = [];
    let j = 0;
    for (const c of this.chunks) {
      for (let i = 0; i < c.keys.length; i++) {
        const k = c.keys[i]!;
        while (j < p.length && p[j]! < k) {
          keys.push(p[j]!);
          entries.push(this.index.get(p[j++]!)!);
        }
        keys.push(k);
        entries.push(c.entries[i]!);
      }
    }
    for (; j < p.length; j++) {
      keys.push(p[j]!);
      entries.push(this.index.get(p[j]!)!);
    }
    // Chunks three-quarters full, leaving room for inserts.
    const fill = (CHUNK * 3) >> 2;
    const chunks: Chunk[] = [];
    for (let at = 0; at < keys.length; at += fill) chunks.push({ keys: keys.slice(at, at + fill), entries: entries.slice(at, at + fill) });
    this.chunks = chunks;
  }

  /** Inserts a key known not to be in the chunks. */
  private insert(h: string, e: Entry): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [h], entries: [e] });
      return;
    }
    let ci = this.chunkFor(h);
    if (ci < 0) ci = 0;
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, h);
    c.keys.splice(i, 0, h);
    c.entries.splice(i, 0, e);
    if (c.keys.length > CHUNK) {
      const half = c.keys.length >> 1;
      const right: Chunk = { keys: c.keys.splice(half), entries: c.entries.splice(half) };
      this.chunks.splice(ci + 1, 0, right);
    }
  }

  /** Index of the chunk that holds `key` or would: the last chunk whose first key <= key; -1 if before all. */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid]!.keys[0]! <= key) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Position of the first key >= key (> key when `after`). */
  private seek(key: string, after: boolean): [number, number] {
    let ci = this.chunkFor(key);
    if (ci < 0) return [0, 0];
    const c = this.chunks[ci]!;
    let i = lowerBound(c.keys, key);
    if (after && i < c.keys.length && c.keys[i] === key) i++;
    return [ci, i];
  }
}

const latin1 = (key: Uint8Array): string => (Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength)).toString('latin1');

/** First index whose key >= key. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
