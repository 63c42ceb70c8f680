/**
 * A persistent BytesStore: the live data in memory (InMemoryBytesStore) and, on disk, an
 * append-only log of puts and tombstones that replays into it when the store opens.
 *
 * Writes are buffered and appended by `flush()` (the runtime calls it before it commits and
 * checkpoints). A store behind a changelog writes less: its changes go to memory only
 * (`putCached`) and the latest value of each changed key is staged once per commit (`record`,
 * as the changelog is written), the changelog being the truth and the file a checkpointed cache;
 * a restoration loads memory only and writes the file once at its end (`compact`). `close()` compacts the log (rewrites only live entries, then renames into place),
 * and so does `flush()` once the log has grown past a few times the live data. A torn tail (a
 * crash in the middle of an append) is dropped on open.
 *
 * Record layout: op (1 byte: 1 put, 0 delete), key length (u32 BE), value length (u32 BE), key, value.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BytesStore } from '../api.js';
import { InMemoryBytesStore } from './memory.js';

const HEADER = 9;
/** Puts are staged in a buffer of this size and appended when it fills (or on flush). */
const STAGE_BYTES = 1 << 20;

function encodeRecord(buf: Buffer, at: number, key: Uint8Array, value: Uint8Array | null) {
  buf[at] = value ? 1 : 0;
  buf.writeUInt32BE(key.length, at + 1);
  buf.writeUInt32BE(value?.length ?? 0, at + 5);
  buf.set(key, at + HEADER);
  if (value) buf.set(value, at + HEADER + key.length);
}
/** Compact once the log exceeds this many bytes and holds this many records per live entry. */
const COMPACT_MIN_BYTES = 8 << 20;
const COMPACT_RATIO = 4;

export class FileBytesStore implements BytesStore {
  private readonly mem: InMemoryBytesStore;
  /** Puts not yet appended to the log, encoded into one reused buffer (no allocation per put). */
  private stage: Buffer | null = null;
  private staged = 0;
  private logBytes = 0;
  /** Records in the log; compared with the live entries to decide on compaction. */
  private logRecords = 0;
  private fd: number | null = null;

  /** Opens (or creates) the store whose log is `path`, replaying it. */
  constructor(
    readonly name: string,
    readonly path: string,
  ) {
    this.mem = new InMemoryBytesStore(name);
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.replay(readFileSync(path));
    this.fd = openSync(path, 'a');
  }

  private replay(buf: Buffer) {
    let at = 0;
    while (at + HEADER <= buf.length) {
      const op = buf[at]!;
      const kl = buf.readUInt32BE(at + 1);
      const vl = buf.readUInt32BE(at + 5);
      const end = at + HEADER + kl + vl;
      if (end > buf.length || (op !== 0 && op !== 1)) break;
      const key = buf.subarray(at + HEADER, at + HEADER + kl);
      this.mem.put(key, op === 1 ? buf.subarray(at + HEADER + kl, end) : null);
      this.logRecords++;
      at = end;
    }
    this.logBytes = at;
    // A torn tail: cut it off so appends continue from a clean record boundary.
    if (at < buf.length) {
      const fd = openSync(this.path, 'r+');
      try {
        ftruncateSync(fd, at);
      } finally {
        closeSync(fd);
      }
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.mem.get(key);
  }

  put(key: Uint8Array, value: Uint8Array | null): void {
    this.mem.put(key, value);
    this.record(key, value);
  }

  /** Changes memory only; the caller stages the key's latest value with `record` before the next flush. */
  putCached(key: Uint8Array, value: Uint8Array | null): void {
    this.mem.put(key, value);
  }

  /** Stages a log record of `key`'s value (memory unchanged). */
  record(key: Uint8Array, value: Uint8Array | null): void {
    this.logRecords++;
    const len = HEADER + key.length + (value?.length ?? 0);
    if (this.staged + len > STAGE_BYTES) this.writePending();
    if (len > STAGE_BYTES) {
      // Larger than the stage: appended on its own.
      const rec = Buffer.allocUnsafe(len);
      encodeRecord(rec, 0, key, value);
      if (this.fd !== null) for (let off = 0; off < rec.length; ) off += writeSync(this.fd, rec, off);
      this.logBytes += len;
      return;
    }
    const stage = (this.stage ??= Buffer.allocUnsafe(STAGE_BYTES));
    encodeRecord(stage, this.staged, key, value);
    this.staged += len;
  }

  range(from?: Uint8Array, to?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.mem.range(from, to);
  }

  size(): number {
    return this.mem.size();
  }

  private writePending() {
    if (this.staged === 0 || this.stage === null) return;
    // A closed or destroyed store drops what was staged.
    if (this.fd !== null) for (let off = 0; off < this.staged; ) off += writeSync(this.fd, this.stage, off, this.staged - off);
    this.logBytes += this.staged;
    this.staged = 0;
  }

  /** Appends buffered writes and syncs them; compacts when the log has grown large. */
  flush(): void {
    this.writePending();
    if (this.fd !== null) fsyncSync(this.fd);
    if (this.logBytes > COMPACT_MIN_BYTES && this.logRecords > COMPACT_RATIO * this.mem.size()) this.compact();
  }

  /** Rewrites the log with the live entries only. */
  compact(): void {
    this.writePending();
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w');
    try {
      // Encoded into one buffer, written whenever it fills (a larger entry on its own).
      const out = Buffer.allocUnsafe(STAGE_BYTES);
      let bytes = 0;
      const write = (b: Buffer, n: number) => {
        for (let off = 0; off < n; ) off += writeSync(fd, b, off, n - off);
      };
      // In the index's order (replay needs none), keys written from their latin1 strings.
      for (const [k, v] of this.mem.unordered()) {
        const len = HEADER + k.length + v.length;
        if (bytes + len > STAGE_BYTES) {
          write(out, bytes);
          bytes = 0;
        }
        const rec = len > STAGE_BYTES ? Buffer.allocUnsafe(len) : out;
        const at = len > STAGE_BYTES ? 0 : bytes;
        rec[at] = 1;
        rec.writeUInt32BE(k.length, at + 1);
        rec.writeUInt32BE(v.length, at + 5);
        rec.write(k, at + HEADER, k.length, 'latin1');
        rec.set(v, at + HEADER + k.length);
        if (rec === out) bytes += len;
        else write(rec, len);
      }
      write(out, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.fd !== null) closeSync(this.fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.logBytes = statSync(this.path).size;
    this.logRecords = this.mem.size();
  }

  /** Flushes, compacts (unless the log holds one record per live key already) and closes the log. */
  close(): void {
    if (this.fd === null) return;
    // As many records as live keys: each is its key's only record, nothing to drop.
    if (this.logRecords === this.mem.size()) this.flush();
    else this.compact();
    closeSync(this.fd);
    this.fd = null;
  }

  /** Closes without writing buffered changes and deletes the log (a dirty store to restore from scratch). */
  destroy(): void {
    this.staged = 0;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }
}
