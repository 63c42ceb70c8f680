/**
 * A segment's aborted-transaction index (Kafka's `.txnindex`): 34-byte entries, big-endian,
 * version int16 (0), producer id int64, first offset int64, last offset int64, last stable
 * offset int64, appended in marker order. Entries are small and few, so they are kept in memory
 * once read; a torn trailing entry (a crash mid-write) is ignored and cut at the next write.
 */
import { existsSync, openSync, closeSync, fsyncSync, ftruncateSync, readFileSync, renameSync, unlinkSync, writeSync } from './fs-ops.js';
import type { AbortedTxn } from '../log-store.js';
import { writeInt64At } from '../../protocol/primitives.js';

export const TXN_INDEX_ENTRY_SIZE = 34;
const VERSION = 0;

export function encodeTxnEntry(e: AbortedTxn): Buffer {
  const b = Buffer.alloc(TXN_INDEX_ENTRY_SIZE);
  b.writeInt16BE(VERSION, 0);
  writeInt64At(b, 2, e.producerId);
  writeInt64At(b, 10, e.firstOffset);
  writeInt64At(b, 18, e.lastOffset);
  writeInt64At(b, 26, e.lastStableOffset);
  return b;
}

export function decodeTxnEntries(data: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + TXN_INDEX_ENTRY_SIZE <= data.length; at += TXN_INDEX_ENTRY_SIZE) {
    if (data.readInt16BE(at) !== VERSION) break;
    out.push({
      producerId: Number(data.readBigInt64BE(at + 2)),
      firstOffset: Number(data.readBigInt64BE(at + 10)),
      lastOffset: Number(data.readBigInt64BE(at + 18)),
      lastStableOffset: Number(data.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

function writeEntriesSynced(path: string, entries: readonly AbortedTxn[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const [i, e] of entries.entries()) {
      const b = encodeTxnEntry(e);
      writeSync(fd, b, 0, b.length, i * TXN_INDEX_ENTRY_SIZE);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class TxnIndex {
  private entries: AbortedTxn[] | null = null;

  /** `path` changes only when a cleaned segment's files move into place (moveTo). */
  constructor(private path: string) {}

  get file(): string {
    return this.path;
  }

  all(): readonly AbortedTxn[] {
    if (!this.entries) this.entries = existsSync(this.path) ? decodeTxnEntries(readFileSync(this.path) as Buffer) : [];
    return this.entries;
  }

  append(e: AbortedTxn): void {
    const entries = this.all() as AbortedTxn[];
    this.rewriteFrom(entries.length, [e]);
    entries.push(e);
  }

  /** Drops entries whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    const entries = this.all() as AbortedTxn[];
    const keep = entries.findIndex((e) => e.lastOffset >= offset);
    if (keep < 0) return;
    entries.length = keep;
    if (keep === 0) this.delete();
    else this.rewriteFrom(keep, []);
  }

  /**
   * Writes exactly `entries`, and syncs them: a cleaned segment's index, whose file must exist
   * (empty or not) before the segment is swapped in (see Segment.commitSwap).
   */
  writeSynced(entries: readonly AbortedTxn[]): void {
    this.entries = [...entries];
    writeEntriesSynced(this.path, entries);
  }

  /**
   * Keeps the entries `keep` accepts; returns how many went. The file is replaced by a rename, so
   * that a crash leaves either list, never a cut one (an entry lost would show its aborted data to
   * read_committed consumers).
   */
  retain(keep: (e: AbortedTxn) => boolean): number {
    const entries = this.all();
    const kept = entries.filter(keep);
    const dropped = entries.length - kept.length;
    if (dropped === 0) return 0;
    if (kept.length === 0) {
      this.delete();
      return dropped;
    }
    writeEntriesSynced(`${this.path}.tmp`, kept);
    renameSync(`${this.path}.tmp`, this.path);
    this.entries = kept;
    return dropped;
  }

  /** Renames the file to `to` and follows it there (the entries stay as they are). */
  moveTo(to: string): void {
    renameSync(this.path, to);
    this.path = to;
  }

  /** Writes `add` after the first `count` entries, cutting whatever followed. */
  private rewriteFrom(count: number, add: AbortedTxn[]): void {
    const fd = openSync(this.path, existsSync(this.path) ? 'r+' : 'w');
    try {
      ftruncateSync(fd, count * TXN_INDEX_ENTRY_SIZE);
      for (const [i, e] of add.entries()) {
        const b = encodeTxnEntry(e);
        writeSync(fd, b, 0, b.length, (count + i) * TXN_INDEX_ENTRY_SIZE);
      }
    } finally {
      closeSync(fd);
    }
  }

  delete(): void {
    this.entries = [];
    try {
      unlinkSync(this.path);
    } catch {
      /* never written */
    }
  }
}
