/**
 * An in-memory LogStore with the same semantics as the disk store, for fast tests.
 */
import { baseOffsetOf, decodeBatchRecords, lastOffsetDeltaOf, leaderEpochOf, maxTimestampOf, nextOffsetOf, stampBatch } from '../protocol/record-batch.js';
import { LeaderEpochCache } from './leader-epochs.js';
import { type CompactionResult, type OffsetMap, TxnCleaning, addToOffsetMap, compactBatch, compactionOverdue, dirtyRatio, withinCompactionLag } from './compaction.js';
import {
  type AbortedTxn,
  type AppendResult,
  type LogConfig,
  type LogStore,
  type PartitionLog,
  type ProducerSnapshot,
  type ReadResult,
  type TimestampOffset,
  OffsetOutOfRangeError,
  StorageError,
  partitionDirName,
  recordOfMaxTimestamp,
} from './log-store.js';

interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  bytes: Buffer;
}

class MemoryPartitionLog implements PartitionLog {
  private batches: StoredBatch[] = [];
  private startOffset = 0;
  private endOffset = 0;
  private snapshot: ProducerSnapshot | null = null;
  /** Offsets below this have been compacted. */
  private cleanedThrough = 0;
  private readonly epochs = new LeaderEpochCache();
  private aborted: AbortedTxn[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private config: LogConfig,
  ) {}

  logStartOffset() {
    return this.startOffset;
  }
  logEndOffset() {
    return this.endOffset;
  }

  append(batch: Buffer, leaderEpoch: number): AppendResult {
    const base = this.endOffset;
    const last = base + lastOffsetDeltaOf(batch);
    // Copy: the caller's buffer belongs to a request that will be reused or freed.
    const bytes = Buffer.from(batch);
    stampBatch(bytes, base, leaderEpoch);
    stampBatch(batch, base, leaderEpoch);
    return this.store(bytes, base, last, leaderEpoch);
  }

  appendAsFollower(batch: Buffer): AppendResult {
    const base = baseOffsetOf(batch);
    // A compacted leader log has gaps, so a replicated batch may start beyond the log end.
    if (base < this.endOffset) throw new StorageError(`out-of-order replicated batch: base ${base}, log end ${this.endOffset}`);
    return this.store(Buffer.from(batch), base, nextOffsetOf(batch) - 1, leaderEpochOf(batch));
  }

  private store(bytes: Buffer, base: number, last: number, epoch: number): AppendResult {
    this.batches.push({ baseOffset: base, lastOffset: last, maxTimestamp: maxTimestampOf(bytes), bytes });
    this.endOffset = last + 1;
    this.epochs.assign(epoch, base);
    return { baseOffset: base, lastOffset: last };
  }

  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.batches[mid]!;
      if (b.lastOffset < offset) lo = mid + 1;
      else if (b.baseOffset > offset) hi = mid - 1;
      else return mid;
    }
    return lo;
  }

  read(offset: number, maxBytes: number, maxOffset: number): ReadResult {
    if (offset < this.startOffset || offset > this.endOffset) {
      throw new OffsetOutOfRangeError(`offset ${offset} is outside [${this.startOffset}, ${this.endOffset}]`);
    }
    const out: Buffer[] = [];
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (b.baseOffset >= maxOffset) break;
      if (out.length > 0 && bytes + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      bytes += b.bytes.length;
    }
    return { batches: out, bytes };
  }

  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    for (const b of this.batches) {
      if (b.lastOffset < this.startOffset || b.maxTimestamp < timestamp) continue;
      for (const r of decodeBatchRecords(b.bytes)) {
        if (r.offset >= this.startOffset && r.timestamp >= timestamp) return { offset: r.offset, timestamp: r.timestamp };
      }
    }
    return null;
  }

  maxTimestamp(): TimestampOffset | null {
    let best: StoredBatch | null = null;
    for (const b of this.batches) {
      if (b.lastOffset >= this.startOffset && (!best || b.maxTimestamp > best.maxTimestamp)) best = b;
    }
    return best && recordOfMaxTimestamp(best.bytes, { offset: best.lastOffset, timestamp: best.maxTimestamp }, this.startOffset);
  }

  leaderEpochs() {
    return this.epochs.entries();
  }

  deleteRecordsBefore(offset: number): void {
    if (offset <= this.startOffset) return;
    if (offset > this.endOffset) throw new OffsetOutOfRangeError(`offset ${offset} is beyond the log end offset ${this.endOffset}`);
    this.startOffset = offset;
    this.batches = this.batches.filter((b) => b.lastOffset >= offset);
  }

  truncateTo(offset: number): void {
    if (offset >= this.endOffset) {
      // Still forget epoch marks at the end (Kafka does the same).
      this.epochs.truncateFrom(this.endOffset);
      return;
    }
    // Like Kafka, a batch holding `offset` goes whole: the log then ends at its base offset.
    const cut = this.batches.findIndex((b) => b.lastOffset >= offset);
    if (cut >= 0) {
      this.endOffset = Math.min(offset, this.batches[cut]!.baseOffset);
      this.batches = this.batches.slice(0, cut);
    } else this.endOffset = offset;
    if (this.startOffset > this.endOffset) this.startOffset = this.endOffset;
    this.aborted = this.aborted.filter((e) => e.lastOffset < this.endOffset);
    this.epochs.truncateFrom(this.endOffset);
    if (this.snapshot && this.snapshot.offset > this.endOffset) this.snapshot = null;
  }

  truncateFullyAndStartAt(offset: number): void {
    this.batches = [];
    this.aborted = [];
    this.startOffset = offset;
    this.endOffset = offset;
    this.epochs.truncateFrom(0);
    this.snapshot = null;
  }

  producerSnapshot(): ProducerSnapshot | null {
    return this.snapshot;
  }

  /** Memory keeps no index files. */
  writeIndexes(): void {}

  indexesDue(): boolean {
    return false;
  }

  saveProducerSnapshot(offset: number, data: Buffer): void {
    this.snapshot = { offset, data: Buffer.from(data) };
  }

  markLeaderEpoch(epoch: number): void {
    this.epochs.assign(epoch, this.endOffset);
  }

  appendAbortedTxn(txn: AbortedTxn): void {
    this.aborted.push({ ...txn });
  }

  lastAbortedTxnOffset(): number {
    return this.aborted.at(-1)?.lastOffset ?? -1;
  }

  abortedTxns(from: number, upTo: number): AbortedTxn[] {
    return this.aborted.filter((e) => e.lastOffset >= from && e.firstOffset < upTo && e.lastOffset >= this.startOffset);
  }

  applyRetention(now: number, maxStartOffset: () => number = () => Infinity): number {
    if (!this.config.cleanup.delete) return 0;
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    let size = this.sizeInBytes();
    // As the disk store, with each batch for a segment: the last one goes too once it has expired.
    while (this.batches.length > 0) {
      const b = this.batches[0]!;
      const expired = retentionMs >= 0 && now - b.maxTimestamp > retentionMs;
      const oversized = retentionBytes >= 0 && size - b.bytes.length >= retentionBytes;
      if (!expired && !oversized) break;
      if (b.lastOffset + 1 > maxStartOffset()) break;
      this.batches.shift();
      size -= b.bytes.length;
      this.startOffset = Math.max(this.startOffset, b.lastOffset + 1);
      deleted++;
    }
    return deleted;
  }

  compact(now: number, uncleanableFrom: number): CompactionResult | null {
    const policy = this.config.cleanup;
    if (!policy.compact) return null;
    let count = 0;
    while (count < this.batches.length) {
      const b = this.batches[count]!;
      if (b.lastOffset >= uncleanableFrom || withinCompactionLag(now, b.maxTimestamp, policy)) break;
      count++;
    }
    let cleanBytes = 0;
    let dirtyBytes = 0;
    for (const b of this.batches.slice(0, count)) {
      if (b.baseOffset < this.cleanedThrough) cleanBytes += b.bytes.length;
      else dirtyBytes += b.bytes.length;
    }
    if (dirtyBytes === 0) return null;
    if (dirtyRatio(cleanBytes, dirtyBytes) < policy.minCleanableRatio) {
      // Each batch stands for a segment here.
      const dirty = () => this.batches.slice(0, count).filter((b) => b.baseOffset >= this.cleanedThrough).map((b) => b.maxTimestamp);
      if (!compactionOverdue(now, policy, dirty)) return null;
    }
    const end = this.batches[count - 1]!.lastOffset + 1;
    const latest: OffsetMap = new Map();
    const start = this.batches[0]?.baseOffset ?? 0;
    const aborted = this.abortedTxns(start, end);
    const mapTxns = new TxnCleaning(aborted);
    for (const b of this.batches.slice(0, count)) addToOffsetMap(latest, b.bytes, end, mapTxns);
    const txns = new TxnCleaning(aborted);
    const result: CompactionResult = { rewritten: 0, bytesBefore: cleanBytes + dirtyBytes, bytesAfter: 0, recordsRemoved: 0, cleanedThrough: end };
    const kept: StoredBatch[] = [];
    for (const b of this.batches.slice(0, count)) {
      const out = compactBatch(b.bytes, latest, { now, deleteRetentionMs: policy.deleteRetentionMs }, txns);
      result.recordsRemoved += out.removed;
      if (out.batch !== b.bytes) result.rewritten++;
      if (!out.batch) continue;
      kept.push(out.batch === b.bytes ? b : { ...b, bytes: out.batch, maxTimestamp: maxTimestampOf(out.batch) });
      result.bytesAfter += out.batch.length;
    }
    this.batches.splice(0, count, ...kept);
    // An aborted transaction whose marker is gone leaves the index too.
    if (txns.removedMarkers.size) this.aborted = this.aborted.filter((e) => !txns.removedMarkers.has(e.lastOffset));
    this.cleanedThrough = end;
    return result;
  }

  sizeInBytes(): number {
    let n = 0;
    for (const b of this.batches) n += b.bytes.length;
    return n;
  }

  syncDue(): Promise<void> | null {
    return null;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  close(): void {}
}

export class MemoryLogStore implements LogStore {
  private readonly logs = new Map<string, MemoryPartitionLog>();

  /** Memory has nothing to fail in the background. */
  onFailure(): void {}

  open(topic: string, partition: number, config: LogConfig): PartitionLog {
    const key = partitionDirName(topic, partition);
    let l = this.logs.get(key);
    if (!l) this.logs.set(key, (l = new MemoryPartitionLog(topic, partition, config)));
    return l;
  }

  remove(topic: string, partition: number): void {
    this.logs.delete(partitionDirName(topic, partition));
  }

  list() {
    return [...this.logs.values()].map((l) => ({ topic: l.topic, partition: l.partition }));
  }

  close(): void {}
}
