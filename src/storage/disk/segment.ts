/**
 * One log segment: `<base>.log` holding whole batches back to back, a sparse `<base>.index`
 * (int32 relative offset, int32 position) and `<base>.timeindex` (int64 timestamp, int32
 * relative offset), all named by the 20-digit base offset as Kafka names them.
 *
 * Index entries are appended after the batch they point at, so a crash can only lose index
 * entries, never leave one pointing at bytes that were not written. Recovery rebuilds them.
 *
 * The files are not held open: every operation takes its descriptor from the store's bounded
 * `FdCache` just before the call (`this.log()`, `this.index()`, `this.timeIndexFile()`), and never
 * keeps one across another cache call, so any of them may be closed between operations.
 */
import { ControlType, controlTypeOf } from '../../protocol/control-records.js';
import { writeInt64At } from '../../protocol/primitives.js';
import { readBuffers } from '../../util/read-buffers.js';
import { TxnIndex } from './txn-index.js';
import { closeSync, existsSync, fsyncSync, ftruncateSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeSync } from './fs-ops.js';
import { basename, join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  baseOffsetOf,
  batchCrcIsValid,
  batchSizeAt,
  decodeBatchRecords,
  isControlBatch,
  leaderEpochOf,
  magicAt,
  maxTimestampOf,
  nextOffsetOf,
  readBatchHeader,
} from '../../protocol/record-batch.js';
import type { AbortedTxn, ReadResult, TimestampOffset } from '../log-store.js';
import type { FdCache } from './fd-cache.js';

export const segmentFileName = (baseOffset: number, suffix: string): string => `${String(baseOffset).padStart(20, '0')}${suffix}`;

/** Largest batch the scanner accepts as plausible; anything larger is treated as corruption. */
const MAX_PLAUSIBLE_BATCH = 1024 * 1024 * 1024;
const SCAN_CHUNK = 1024 * 1024;
/** Kafka's RecordBatch.NO_TIMESTAMP: a batch or record without a timestamp. */
const NO_TIMESTAMP = -1;
/**
 * Finding a fetch's batch walks headers from the index entry below it (index.interval.bytes
 * apart): reading SCAN_CHUNK there read as much again as the fetch itself, on the event loop, into
 * a fresh buffer. A small chunk in one reused buffer (scan is synchronous and findBatch's visitor
 * keeps no bytes) reads a few KiB instead.
 */
const FIND_CHUNK = 16 * 1024;
let findScratch: Buffer | null = null;
/**
 * Batches appended since the segment opened that it remembers, newest last: a consumer at the end
 * of the log fetches from one of them, found without reading the file (one read a fetch fewer).
 */
const RECENT_BATCHES = 8;

/** Index entries buffered before they are written out together. */
const INDEX_FLUSH_ENTRIES = 128;

export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  leaderEpoch: number;
}

/** Growable parallel arrays for an in-memory copy of a sparse index. */
class SparseIndex {
  keys: number[] = [];
  values: number[] = [];
  push(k: number, v: number) {
    this.keys.push(k);
    this.values.push(v);
  }
  /** Index of the last entry whose key is <= k (or < k when strict), or -1. */
  floor(k: number, strict = false): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const key = this.keys[mid]!;
      if (strict ? key < k : key <= k) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }
  truncate(n: number) {
    this.keys.length = n;
    this.values.length = n;
  }
  get length() {
    return this.keys.length;
  }
}

/** A compaction pass writes a segment's replacement under its names with this suffix. */
const CLEANED = '.cleaned';
/** A cleaned .log renamed to this is committed: it replaces the segment, at once or at the next start. */
const SWAP = '.swap';
const INDEX_SUFFIXES = ['.index', '.timeindex', '.txnindex'] as const;

export class Segment {
  /** Where the files are; they move only while a cleaned segment is swapped in (commitSwap). */
  private logPath: string;
  private indexPath: string;
  private timeIndexPath: string;
  size = 0;
  /** Offset after the last batch in this segment. */
  nextOffset: number;
  maxTimestamp = NO_TIMESTAMP;
  offsetOfMaxTimestamp = -1;
  /** Wall-clock time of the first append, for segment.ms rolling. */
  createdAt: number;
  private bytesSinceIndexEntry = 0;
  /** Index entries not yet written to the index files (written in groups; see flushIndexes). */
  private unflushedIndex = 0;
  private unflushedTime = 0;
  private readonly offsetIndex = new SparseIndex(); // relative offset -> position
  private readonly timeIndex = new SparseIndex(); // timestamp -> absolute offset

  /** The first batch's max timestamp (Kafka's firstBatchTimestamp), from its header alone; -1 when empty. */
  firstBatchTimestamp(): number {
    let timestamp = -1;
    this.scan(0, this.size, false, (b) => {
      timestamp = b.maxTimestamp;
      return false;
    }, BATCH_HEADER_SIZE);
    return timestamp;
  }

  /** Whether an index file of `maxBytes` (segment.index.bytes) would be full: Kafka rolls the segment then. */
  indexFull(maxBytes: number): boolean {
    return this.offsetIndex.length >= Math.floor(maxBytes / 8) || this.timeIndex.length >= Math.floor(maxBytes / 12);
  }
  /** Aborted transactions whose markers are in this segment (.txnindex). */
  readonly txnIndex: TxnIndex;
  /** The last batches appended, oldest first, up to RECENT_BATCHES; they end the segment (emptied when it is cut or sealed). */
  private readonly recent: BatchInfo[] = [];

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private indexInterval: number,
    private readonly fds: FdCache,
    suffix = '',
  ) {
    this.nextOffset = baseOffset;
    this.createdAt = Date.now();
    const path = (s: string) => join(dir, segmentFileName(baseOffset, s) + suffix);
    this.logPath = path('.log');
    this.indexPath = path('.index');
    this.timeIndexPath = path('.timeindex');
    this.txnIndex = new TxnIndex(path('.txnindex'));
  }

  /** The .log file's path (durable mode syncs it by path). */
  get logFile(): string {
    return this.logPath;
  }

  /** Descriptors, valid until the next call on the cache: use each at once, never keep one. */
  private log(): number {
    return this.fds.fd(this.logPath);
  }
  private index(): number {
    return this.fds.fd(this.indexPath);
  }
  private timeIndexFile(): number {
    return this.fds.fd(this.timeIndexPath);
  }

  /** Creates an empty segment (its three files created, or emptied when they exist). */
  static create(dir: string, baseOffset: number, indexInterval: number, fds: FdCache): Segment {
    const seg = new Segment(dir, baseOffset, indexInterval, fds);
    for (const p of [seg.logPath, seg.indexPath, seg.timeIndexPath]) fds.create(p);
    return seg;
  }

  /**
   * Creates the empty replacement of a segment that a compaction pass fills (its files named
   * `<base>.log.cleaned` and so on), then swaps in with commitSwap and finishSwap, or drops with
   * discard.
   */
  static createCleaned(dir: string, baseOffset: number, indexInterval: number, fds: FdCache): Segment {
    const seg = new Segment(dir, baseOffset, indexInterval, fds, CLEANED);
    for (const p of [seg.logPath, seg.indexPath, seg.timeIndexPath]) fds.create(p);
    return seg;
  }

  /**
   * Opens an existing segment. With `validate`, every batch is checked (length, magic, CRC,
   * offsets) and the file is cut at the first bad one; the indexes are rebuilt from the scan.
   * Without it, the on-disk indexes are trusted and only the tail after the last entry is scanned.
   * Returns the number of bytes truncated.
   */
  static open(
    dir: string,
    baseOffset: number,
    indexInterval: number,
    validate: boolean,
    fds: FdCache,
    present?: ReadonlySet<string>,
  ): { segment: Segment; truncatedBytes: number } {
    const seg = new Segment(dir, baseOffset, indexInterval, fds);
    // Missing index files are created empty (and rebuilt by the scan below). `present`: the
    // directory's entries, when the caller has listed it already (one readdir, not two stats).
    const exists = (p: string) => (present ? present.has(basename(p)) : existsSync(p));
    const created = [seg.indexPath, seg.timeIndexPath].filter((p) => !exists(p));
    for (const p of created) fds.create(p);
    const st = fstatSync(seg.log());
    const fileSize = st.size;
    seg.size = fileSize;
    seg.createdAt = st.mtimeMs;
    if (fileSize === 0) {
      // An empty segment (most partitions of a large cluster): nothing to scan, and its indexes
      // are rewritten only when they are not already empty.
      seg.resetIndexes();
      // Stat by path: opening both index files of every empty partition would churn the fd cache.
      const nonEmpty = (p: string) => !created.includes(p) && statSync(p).size > 0;
      if (nonEmpty(seg.indexPath) || nonEmpty(seg.timeIndexPath)) seg.rewriteIndexFiles();
      return { segment: seg, truncatedBytes: 0 };
    }
    if (!validate) {
      const from = seg.loadIndexes(fileSize);
      if (from > 0) {
        const tail = seg.recover(from, fileSize);
        // An intact tail keeps the indexes; any damage rebuilds them from a full scan, so that no
        // index entry or max timestamp can refer to bytes that are cut off.
        if (tail.visited > 0 && tail.validEnd === fileSize) return seg.finishRecovery(fileSize, tail.validEnd, false);
      }
    }
    seg.resetIndexes();
    const full = seg.recover(0, fileSize);
    return seg.finishRecovery(fileSize, full.validEnd, true);
  }

  /** Scans [from, to) checking every batch's CRC and offsets, re-registering each one. */
  private recover(from: number, to: number): { validEnd: number; visited: number } {
    let validEnd = from;
    let visited = 0;
    let expectedNext = from === 0 ? this.baseOffset : -1;
    this.scan(from, to, true, (b) => {
      if (expectedNext !== -1 && b.baseOffset < expectedNext) return false;
      expectedNext = b.lastOffset + 1;
      validEnd = b.position + b.size;
      visited++;
      this.noteAppended(b);
      return true;
    });
    return { validEnd, visited };
  }

  private finishRecovery(fileSize: number, validEnd: number, indexesRebuilt: boolean): { segment: Segment; truncatedBytes: number } {
    const truncated = fileSize - validEnd;
    if (truncated > 0) {
      ftruncateSync(this.log(), validEnd);
      this.size = validEnd;
    }
    if (truncated > 0 || indexesRebuilt) this.rewriteIndexFiles();
    return { segment: this, truncatedBytes: truncated };
  }

  private resetIndexes() {
    this.recent.length = 0;
    this.offsetIndex.truncate(0);
    this.timeIndex.truncate(0);
    this.bytesSinceIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = NO_TIMESTAMP;
    this.offsetOfMaxTimestamp = -1;
  }

  /**
   * The newest time-index entry's timestamp, or NO_TIMESTAMP (-1) when there is none. As in Kafka
   * (TimeIndex.maybeAppend, maxTimestampSoFar starting at -1), an entry is added only above it, so
   * batches without a timestamp (-1: clients may send it, up-converted magic 0 has it) never get
   * one: their "offset of the max timestamp" is -1, whose relative offset does not fit an int32
   * once the segment's base offset passes 2^31.
   */
  private lastIndexedTimestamp(): number {
    return this.timeIndex.length ? this.timeIndex.keys[this.timeIndex.length - 1]! : NO_TIMESTAMP;
  }

  /** Loads index files; returns the position to scan from (the last usable entry) or 0. */
  private loadIndexes(fileSize: number): number {
    const idxSize = fstatSync(this.index()).size;
    const timeSize = fstatSync(this.timeIndexFile()).size;
    if (idxSize % 8 !== 0 || timeSize % 12 !== 0) return 0;
    const idx = Buffer.alloc(idxSize);
    if (idxSize) readSync(this.index(), idx, 0, idxSize, 0);
    let lastPos = -1;
    for (let p = 0; p < idxSize; p += 8) {
      const rel = idx.readInt32BE(p);
      const pos = idx.readInt32BE(p + 4);
      if (pos <= lastPos || pos >= fileSize) break;
      this.offsetIndex.push(rel, pos);
      lastPos = pos;
    }
    const tidx = Buffer.alloc(timeSize);
    if (timeSize) readSync(this.timeIndexFile(), tidx, 0, timeSize, 0);
    for (let p = 0; p < timeSize; p += 12) {
      const ts = tidx.readInt32BE(p) * 4294967296 + tidx.readUInt32BE(p + 4);
      const off = this.baseOffset + tidx.readInt32BE(p + 8);
      // Entries rise above NO_TIMESTAMP and point into this segment. One that does not (an older
      // build wrote (-1, -1) for batches without a timestamp) is damage: both indexes are rebuilt.
      if (ts <= this.lastIndexedTimestamp() || off < this.baseOffset) {
        this.resetIndexes();
        return 0;
      }
      this.timeIndex.push(ts, off);
    }
    if (this.timeIndex.length) {
      this.maxTimestamp = this.timeIndex.keys[this.timeIndex.length - 1]!;
      this.offsetOfMaxTimestamp = this.timeIndex.values[this.timeIndex.length - 1]!;
    }
    if (this.offsetIndex.length === 0) return 0;
    // Scan from the last indexed batch: it is known-good and re-establishes nextOffset.
    return lastPos;
  }

  private rewriteIndexFiles() {
    this.unflushedIndex = 0;
    this.unflushedTime = 0;
    const idx = Buffer.alloc(this.offsetIndex.length * 8);
    for (let i = 0; i < this.offsetIndex.length; i++) {
      idx.writeInt32BE(this.offsetIndex.keys[i]!, i * 8);
      idx.writeInt32BE(this.offsetIndex.values[i]!, i * 8 + 4);
    }
    ftruncateSync(this.index(), 0);
    if (idx.length) writeSync(this.index(), idx, 0, idx.length, 0);
    const tidx = Buffer.alloc(this.timeIndex.length * 12);
    for (let i = 0; i < this.timeIndex.length; i++) {
      writeInt64At(tidx, i * 12, this.timeIndex.keys[i]!);
      tidx.writeInt32BE(this.timeIndex.values[i]! - this.baseOffset, i * 12 + 8);
    }
    ftruncateSync(this.timeIndexFile(), 0);
    if (tidx.length) writeSync(this.timeIndexFile(), tidx, 0, tidx.length, 0);
  }

  /**
   * Walks batches from `from` to `to`, calling `visit` for each plausible one; stops at the first
   * implausible batch (bad length or magic, or bad CRC when `checkCrc`) or when `visit` says no.
   */
  scan(from: number, to: number, checkCrc: boolean, visit: (b: BatchInfo) => boolean, chunkSize = SCAN_CHUNK, scratch?: Buffer): void {
    let pos = from;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = 0;
    const ensure = (start: number, len: number): Buffer | null => {
      if (start + len > to) return null;
      if (start >= chunkStart && start + len <= chunkStart + chunk.length) return chunk.subarray(start - chunkStart, start - chunkStart + len);
      const want = Math.min(Math.max(len, chunkSize), to - start);
      chunk = scratch && want <= scratch.length ? scratch.subarray(0, want) : Buffer.allocUnsafe(want);
      const n = readSync(this.log(), chunk, 0, want, start);
      chunk = chunk.subarray(0, n);
      chunkStart = start;
      return n >= len ? chunk.subarray(0, len) : null;
    };
    while (pos < to) {
      const head = ensure(pos, BATCH_HEADER_SIZE);
      if (!head) return;
      const size = batchSizeAt(head, 0);
      if (size < BATCH_HEADER_SIZE || size > MAX_PLAUSIBLE_BATCH || magicAt(head) !== 2) return;
      let batch = head;
      if (checkCrc) {
        const whole = ensure(pos, size);
        if (!whole || !batchCrcIsValid(whole)) return;
        batch = whole;
      } else if (pos + size > to) return;
      const info: BatchInfo = {
        position: pos,
        size,
        baseOffset: baseOffsetOf(batch),
        lastOffset: nextOffsetOf(batch) - 1,
        maxTimestamp: maxTimestampOf(batch),
        leaderEpoch: leaderEpochOf(batch),
      };
      if (info.lastOffset < info.baseOffset) return;
      if (!visit(info)) return;
      pos += size;
    }
  }

  /** Updates in-memory state (and index entries) for a batch now present at b.position. */
  private noteAppended(b: BatchInfo, persist = false) {
    this.nextOffset = b.lastOffset + 1;
    if (b.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = b.maxTimestamp;
      this.offsetOfMaxTimestamp = b.lastOffset;
    }
    // A batch that already has an index entry (re-scanned during recovery) adds nothing.
    const lastIndexed = this.offsetIndex.length ? this.offsetIndex.values[this.offsetIndex.length - 1]! : -1;
    if (b.position <= lastIndexed) return;
    this.bytesSinceIndexEntry += b.size;
    if (this.bytesSinceIndexEntry >= this.indexInterval || this.offsetIndex.length === 0) {
      this.addIndexEntry(b, persist);
      this.bytesSinceIndexEntry = 0;
    }
  }

  private addIndexEntry(b: BatchInfo, persist: boolean) {
    const rel = b.lastOffset - this.baseOffset;
    this.offsetIndex.push(rel, b.position);
    const addTime = this.maxTimestamp > this.lastIndexedTimestamp();
    if (addTime) this.timeIndex.push(this.maxTimestamp, this.offsetOfMaxTimestamp);
    if (!persist) return;
    this.unflushedIndex++;
    if (addTime) this.unflushedTime++;
    if (this.unflushedIndex >= INDEX_FLUSH_ENTRIES) this.flushIndexes();
  }

  /**
   * Writes index entries kept in memory to the index files. Entries are written in groups (Kafka
   * memory-maps its indexes for the same reason); a crash can only lose entries after the last
   * group, and recovery scans from the last entry on disk.
   */
  /** Whether index entries wait in memory for flushIndexes. */
  hasUnflushedIndexes(): boolean {
    return this.unflushedIndex > 0;
  }

  flushIndexes(): void {
    if (this.unflushedIndex > 0) {
      const n = this.unflushedIndex;
      const first = this.offsetIndex.length - n;
      const buf = Buffer.allocUnsafe(n * 8);
      for (let i = 0; i < n; i++) {
        buf.writeInt32BE(this.offsetIndex.keys[first + i]!, i * 8);
        buf.writeInt32BE(this.offsetIndex.values[first + i]!, i * 8 + 4);
      }
      writeSync(this.index(), buf, 0, buf.length, first * 8);
      this.unflushedIndex = 0;
    }
    if (this.unflushedTime > 0) {
      const n = this.unflushedTime;
      const first = this.timeIndex.length - n;
      const buf = Buffer.allocUnsafe(n * 12);
      for (let i = 0; i < n; i++) {
        writeInt64At(buf, i * 12, this.timeIndex.keys[first + i]!);
        buf.writeInt32BE(this.timeIndex.values[first + i]! - this.baseOffset, i * 12 + 8);
      }
      writeSync(this.timeIndexFile(), buf, 0, buf.length, first * 12);
      this.unflushedTime = 0;
    }
  }

  /** Appends a batch whose offsets are already stamped. */
  append(batch: Buffer, info: { baseOffset: number; lastOffset: number; maxTimestamp: number; leaderEpoch: number }): void {
    if (this.size === 0) this.createdAt = Date.now();
    const position = this.size;
    let written = 0;
    while (written < batch.length) written += writeSync(this.log(), batch, written, batch.length - written, position + written);
    this.size += batch.length;
    // Field by field, in BatchInfo's order: a spread of `info` made V8 build new hidden classes per append.
    const appended: BatchInfo = { position, size: batch.length, baseOffset: info.baseOffset, lastOffset: info.lastOffset, maxTimestamp: info.maxTimestamp, leaderEpoch: info.leaderEpoch };
    // Remembered before the index work, which may throw: the batch is in the file either way.
    if (this.recent.length === RECENT_BATCHES) this.recent.shift();
    this.recent.push(appended);
    this.noteAppended(appended, true);
  }

  /** Position of the batch containing `offset`, or -1 when the offset is beyond this segment. */
  findBatch(offset: number): BatchInfo | null {
    if (offset >= this.nextOffset) return null;
    // Batches are in offset order and the remembered ones end the segment: an offset from the
    // first of them on is in one of them (one in a gap between them is looked up in the file).
    const recent = this.recent;
    if (recent.length > 0 && offset >= recent[0]!.baseOffset) {
      for (const b of recent) {
        if (b.lastOffset < offset) continue;
        if (b.baseOffset <= offset) return b;
        break;
      }
    }
    const i = this.offsetIndex.floor(offset - this.baseOffset);
    const start = i < 0 ? 0 : this.offsetIndex.values[i]!;
    let found: BatchInfo | null = null;
    // Taken while in use, so that a nested scan (none today) would get its own buffer.
    const scratch = findScratch ?? Buffer.allocUnsafeSlow(FIND_CHUNK);
    findScratch = null;
    try {
      this.scan(
        start,
        this.size,
        false,
        (b) => {
          if (b.lastOffset >= offset) {
            found = b;
            return false;
          }
          return true;
        },
        FIND_CHUNK,
        scratch,
      );
    } finally {
      findScratch = scratch;
    }
    return found;
  }

  /** Reads whole batches from `position`, up to about maxBytes (at least one batch), below maxOffset. */
  read(position: number, maxBytes: number, maxOffset: number): ReadResult {
    const len = Math.min(Math.max(maxBytes, BATCH_HEADER_SIZE), this.size - position);
    if (len <= 0) return { batches: [], bytes: 0 };
    // Given back to the pool by the server once the fetch answer carrying it is written.
    let buf = readBuffers.take(len);
    let n = readSync(this.log(), buf, 0, len, position);
    buf = buf.subarray(0, n);
    const batches: Buffer[] = [];
    let bytes = 0;
    let p = 0;
    while (p + LOG_OVERHEAD <= buf.length) {
      const size = batchSizeAt(buf, p);
      if (baseOffsetOf(buf, p) >= maxOffset) break;
      if (p + size > buf.length) {
        if (batches.length > 0) break;
        // The first batch is larger than maxBytes: return it whole (KIP-74).
        const whole = readBuffers.take(size);
        n = readSync(this.log(), whole, 0, size, position);
        if (n < size) break;
        batches.push(whole);
        bytes += size;
        break;
      }
      batches.push(buf.subarray(p, p + size));
      bytes += size;
      p += size;
    }
    return { batches, bytes };
  }

  /** First record in this segment with timestamp >= ts, if any. */
  offsetForTimestamp(ts: number, fromOffset: number): TimestampOffset | null {
    if (this.maxTimestamp < ts) return null;
    const t = this.timeIndex.floor(ts, true);
    const startOffset = Math.max(fromOffset, t < 0 ? this.baseOffset : this.timeIndex.values[t]!);
    const first = this.findBatch(startOffset);
    if (!first) return null;
    let result: TimestampOffset | null = null;
    this.scan(first.position, this.size, false, (b) => {
      if (b.maxTimestamp < ts) return true;
      const whole = this.read(b.position, b.size, Infinity).batches[0];
      if (!whole) return false;
      for (const rec of decodeBatchRecords(whole)) {
        if (rec.offset >= fromOffset && rec.timestamp >= ts) {
          result = { offset: rec.offset, timestamp: rec.timestamp };
          return false;
        }
      }
      return true;
    });
    return result;
  }

  /**
   * Drops the aborted-transaction index entries that do not name an ABORT marker of their producer
   * in this segment; returns how many went. Such an entry (left by an older cleaner, whose pass
   * could stop after removing a marker but before removing its entry) is handed to read_committed
   * consumers, which skip the producer's batches from the entry's first offset until they meet
   * its ABORT marker: with none to meet, they skipped every later committed batch of that producer
   * in the fetch. Kafka rebuilds the index from the markers on recovery; checking each entry
   * against its marker costs one small read per entry, and only segments with aborted
   * transactions have the file.
   */
  dropTxnEntriesWithoutMarker(): number {
    return this.txnIndex.retain((e) => e.firstOffset <= e.lastOffset && this.isAbortMarker(e.lastOffset, e.producerId));
  }

  private isAbortMarker(offset: number, producerId: number): boolean {
    const at = offset >= this.baseOffset ? this.findBatch(offset) : null;
    if (!at || at.baseOffset !== offset) return false;
    const [batch] = this.read(at.position, at.size, offset + 1).batches;
    if (!batch) return false;
    const h = readBatchHeader(batch);
    if (!isControlBatch(h.attributes) || h.producerId !== producerId) return false;
    try {
      return controlTypeOf(decodeBatchRecords(batch, h)[0]?.key ?? null) === ControlType.Abort;
    } catch {
      // A marker batch that does not decode fails its readers anyway; the entry stays rather than
      // letting read_committed consumers see what may be aborted data.
      return true;
    }
  }

  /** Cuts the segment so that it ends before `offset`. */
  truncateTo(offset: number): void {
    if (offset >= this.nextOffset) return;
    // Like Kafka, a batch holding `offset` goes whole: the log then ends at its base offset.
    const b = this.findBatch(offset);
    const cut = b ? b.position : this.size;
    ftruncateSync(this.log(), cut);
    this.size = cut;
    this.txnIndex.truncateTo(b ? b.baseOffset : this.nextOffset);
    this.resetIndexes();
    this.scan(0, cut, false, (bi) => {
      this.noteAppended(bi);
      return true;
    });
    this.rewriteIndexFiles();
  }

  /** Drops the in-memory index of a finished segment's tail entry and records its max timestamp. */
  seal(): void {
    this.recent.length = 0;
    this.flushIndexes();
    if (this.maxTimestamp > this.lastIndexedTimestamp()) {
      this.timeIndex.push(this.maxTimestamp, this.offsetOfMaxTimestamp);
      const t = Buffer.allocUnsafe(12);
      writeInt64At(t, 0, this.maxTimestamp);
      t.writeInt32BE(this.offsetOfMaxTimestamp - this.baseOffset, 8);
      writeSync(this.timeIndexFile(), t, 0, 12, (this.timeIndex.length - 1) * 12);
    }
  }

  /** Every batch, in order (compaction reads closed segments this way). */
  *batches(): Generator<Buffer> {
    const infos: BatchInfo[] = [];
    this.scan(0, this.size, false, (b) => (infos.push(b), true));
    for (const b of infos) {
      const whole = this.read(b.position, b.size, Infinity).batches[0];
      if (whole) yield whole;
    }
  }

  /** When the segment was last appended to (its .log file's mtime). */
  lastModified(): number {
    return fstatSync(this.log()).mtimeMs;
  }

  /**
   * Commits this cleaned segment as the replacement of `old` (same base offset), Kafka's
   * replaceSegments with its .swap step. Everything that can fail is done first: the aborted
   * transactions `txns` (old's, less those whose markers the pass removed) written beside the log,
   * the indexes completed, all four files synced, old's mtime kept (retention of a segment without
   * timestamps, and segment.ms, measure from it). The commit point is one rename,
   * `<base>.log.cleaned` to `<base>.log.swap`: a start that finds a .swap file finishes the swap
   * (finishInterruptedSwaps), one that finds only .cleaned files deletes them. So the log, its
   * indexes and its .txnindex change together: no index ever names a marker the log lost.
   *
   * Throws before the commit point with `old` untouched and this segment's files deleted; once it
   * returns, this segment is the one to serve (finishSwap moves its files to their final names).
   */
  commitSwap(old: Segment, txns: readonly AbortedTxn[]): void {
    try {
      this.seal();
      this.txnIndex.writeSynced(txns);
      for (const fd of [this.log(), this.index(), this.timeIndexFile()]) fsyncSync(fd);
      const mtime = old.lastModified();
      utimesSync(this.logPath, mtime / 1000, mtime / 1000);
      this.createdAt = mtime;
      // No descriptor may outlive the renames: the cache knows files by path, and these paths
      // are about to name other files.
      old.close();
      this.close();
      // The .cleaned files' names reach the disk before the commit names them: a file system that
      // reorders directory updates could otherwise keep the .swap without its .index.cleaned.
      fsyncDirectory(this.dir);
      this.moveLog(join(this.dir, segmentFileName(this.baseOffset, '.log') + SWAP));
    } catch (e) {
      this.discard();
      throw e;
    }
  }

  /**
   * Moves a committed replacement's files to the segment's names (replacing the old segment's),
   * the log last. This segment follows each file as it moves, so if a step fails it goes on
   * reading the new data where it is; a later call takes up from there, as the next start would.
   */
  finishSwap(): void {
    // The commit reaches the disk before any old file is replaced.
    fsyncDirectory(this.dir);
    const final = (suffix: string) => join(this.dir, segmentFileName(this.baseOffset, suffix));
    if (this.indexPath !== final('.index')) {
      renameSync(this.indexPath, final('.index'));
      this.indexPath = final('.index');
    }
    if (this.timeIndexPath !== final('.timeindex')) {
      renameSync(this.timeIndexPath, final('.timeindex'));
      this.timeIndexPath = final('.timeindex');
    }
    if (this.txnIndex.file !== final('.txnindex')) this.txnIndex.moveTo(final('.txnindex'));
    this.moveLog(final('.log'));
    fsyncDirectory(this.dir);
    // Only segments with aborted transactions keep the file (an empty one was needed until now).
    if (this.txnIndex.all().length === 0) this.txnIndex.delete();
  }

  /** Whether a committed swap has yet to move this segment's files to their names (its log moves last). */
  get swapUnfinished(): boolean {
    return this.logPath.endsWith(SWAP);
  }

  /** Renames the .log, following it (no descriptor is open on it: see commitSwap). */
  private moveLog(to: string): void {
    renameSync(this.logPath, to);
    this.logPath = to;
  }

  /** Drops a cleaned segment that is not swapped in: its files go, as far as they can (a start removes any left). */
  discard(): void {
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath, this.txnIndex.file]) {
      try {
        this.fds.close(p);
        rmSync(p, { force: true });
      } catch {
        /* the next start removes it: a .cleaned file is never a segment's */
      }
    }
  }

  setIndexInterval(bytes: number) {
    this.indexInterval = bytes;
  }

  close(): void {
    this.flushIndexes();
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath]) this.fds.close(p);
  }

  /** Closes the files without writing anything (a partition that failed to open). */
  release(): void {
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath]) this.fds.close(p);
  }

  delete(): void {
    this.close();
    // The .log first: once it is gone the segment is gone, and the next open removes index files
    // left without it. The other way round, a crash in between left markers whose aborted
    // transactions no index listed any more (read_committed consumers would get aborted records).
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath]) {
      try {
        unlinkSync(p);
      } catch {
        /* already gone */
      }
    }
    this.txnIndex.delete();
  }
}

/**
 * Finishes the segment swaps a crash interrupted, before a partition's segments are opened: a
 * `<base>.log.swap` was committed (see Segment.commitSwap), so its index files still named
 * .cleaned take their places, then the log does; every other .cleaned file is of a replacement
 * that never committed, and goes (the segment it was for is intact). Returns whether any file
 * was renamed or removed.
 */
export function finishInterruptedSwaps(dir: string, files: readonly string[]): boolean {
  const cleaned = new Set(files.filter((f) => f.endsWith(CLEANED)));
  let changed = cleaned.size > 0;
  for (const f of files) {
    if (!f.endsWith(`.log${SWAP}`)) continue;
    const base = f.slice(0, -`.log${SWAP}`.length);
    for (const suffix of INDEX_SUFFIXES) {
      if (!cleaned.delete(base + suffix + CLEANED)) continue; // moved before the crash
      renameSync(join(dir, base + suffix + CLEANED), join(dir, base + suffix));
    }
    renameSync(join(dir, f), join(dir, `${base}.log`));
    changed = true;
  }
  for (const f of cleaned) unlinkSync(join(dir, f));
  return changed;
}

/** Makes renames in a directory durable (fsync of the directory itself). */
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

