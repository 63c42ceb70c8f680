/**
 * The daemon's storage: one directory per partition (`<topic>-<partition>`) under a log dir,
 * each holding segments, a leader-epoch checkpoint and, after DeleteRecords, a log-start-offset
 * checkpoint.
 *
 * Start-up recovery: a `.kafka_cleanshutdown` marker is written on clean close and removed at
 * open. After a clean shutdown each segment's tail (from its last index entry) is validated;
 * after a crash the whole active segment is. Invalid bytes at the end (a torn write) are cut off
 * and reported. A compaction pass cut short is finished or undone first, whole segment by whole
 * segment (Segment.commitSwap): its log, indexes and aborted-transaction index together.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rm, rmSync, statSync, unlinkSync, writeFileSync } from './fs-ops.js';
import { join } from 'node:path';
import { BATCH_HEADER_SIZE, baseOffsetOf, lastOffsetDeltaOf, leaderEpochOf, maxTimestampOf, nextOffsetOf, stampBatch } from '../../protocol/record-batch.js';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import {
  type AbortedTxn,
  type AppendResult,
  type LogConfig,
  type LogStore,
  type PartitionLog,
  type ProducerSnapshot,
  type ReadResult,
  type StorageFailureListener,
  type TimestampOffset,
  OffsetOutOfRangeError,
  StorageError,
  TopicIdMismatchError,
  parsePartitionDirName,
  partitionDirName,
  recordOfMaxTimestamp,
} from '../log-store.js';
import { Segment, finishInterruptedSwaps, segmentFileName } from './segment.js';
import { FdCache, isFdExhaustion } from './fd-cache.js';
import { type CompactionResult, type OffsetMap, TxnCleaning, addToOffsetMap, compactBatch, compactionOverdue, dirtyRatio, withinCompactionLag } from '../compaction.js';
import { LeaderEpochCache } from '../leader-epochs.js';
import { GroupSync } from './group-sync.js';
import { claimLogDir } from './log-dir-identity.js';

const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;
const TXN_INDEX_SUFFIX = '.txnindex';
const SEGMENT_INDEX_FILE = /^(\d{20})\.(index|timeindex|txnindex)$/;
const LOG_START_FILE = 'log-start-offset';
const EPOCH_FILE = 'leader-epoch-checkpoint';
/** Kafka's record of the topic a partition directory belongs to (its id: a topic re-created under the same name is another). */
const PARTITION_METADATA_FILE = 'partition.metadata';

/** Kafka's partition.metadata text: version 0 and the topic id as Kafka prints a Uuid (base64url, unpadded). */
const partitionMetadataText = (topicId: Buffer): string => `version: 0\ntopic_id: ${topicId.toString('base64url')}\n`;

/** The topic id a partition.metadata text records, or null when it is not one Kafka would write. */
function parsePartitionMetadata(text: string): Buffer | null {
  const fields = new Map(text.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const m = /^([a-z_]+):\s+(\S+)\s*$/.exec(l);
    return m ? [m[1]!, m[2]!] : ['', l];
  }));
  const id = fields.get('topic_id');
  if (fields.get('version') !== '0' || !id || !/^[A-Za-z0-9_-]{22}$/.test(id)) return null;
  return Buffer.from(id, 'base64url');
}

/** A directory's entries, or null when it does not exist. */
function listDir(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Base offsets of the producer snapshots among a partition directory's entries, oldest first. */
function snapshotOffsetsIn(files: readonly string[]): number[] {
  return files
    .map((f) => SNAPSHOT_FILE.exec(f))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
const MAX_RELATIVE_OFFSET = 0x7fffffff;
/** flush.messages / flush.ms at or above this (Kafka's default is Long.MAX_VALUE) mean never. */
const FLUSH_NEVER = Number.MAX_SAFE_INTEGER;

function writeFileAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export class DiskPartitionLog implements PartitionLog {
  private segments: Segment[] = [];
  private startOffset = 0;
  /** Offsets below this were compacted by this process (everything counts as dirty after a start). */
  private cleanedThrough = 0;
  private readonly epochs: LeaderEpochCache;
  /** The leader-epoch checkpoint as the cache last described it, and as it is on disk. */
  private epochText: string | null = null;
  private epochTextOnDisk: string | null = null;
  private deferEpochWrites = true;
  /** Durable mode: messages appended since the last sync, files written since then, the flush.ms timer. */
  private unflushed = 0;
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly dir: string,
    private config: LogConfig,
    validateActive: boolean,
    log: Logger,
    private readonly fds: FdCache,
    private readonly syncer: GroupSync = new GroupSync(),
    /** Where an I/O error met in the background goes (a flush.ms sync: no caller sees it). */
    private readonly failed: StorageFailureListener = (doing, e) => log.error(`Error while ${doing}: ${e.message}`),
    /**
     * The id of the topic the log is opened for: recorded in partition.metadata (written when
     * missing: a directory of an older version), and a directory recorded for another id is
     * refused (TopicIdMismatchError) before anything in it is touched.
     */
    topicId?: Buffer,
  ) {
    // One directory listing serves the whole open (a start opens every partition: 10,000 of them
    // must not cost 10,000 x several readdir/exists calls).
    let files = listDir(dir);
    let recorded: Buffer | null = null;
    if (files === null) {
      mkdirSync(dir, { recursive: true });
      files = [];
      // A new partition directory is an entry in the log dir: durable mode syncs that too.
      this.dirty.add(join(dir, '..'));
    } else if (topicId && files.includes(PARTITION_METADATA_FILE)) {
      recorded = parsePartitionMetadata(readFileSync(join(dir, PARTITION_METADATA_FILE), 'utf8'));
      if (recorded === null) log.warn(`Partition ${topic}-${partition}: ${join(dir, PARTITION_METADATA_FILE)} is not readable; it is written again`);
      else if (!recorded.equals(topicId)) throw new TopicIdMismatchError(topic, partition, dir, recorded, topicId);
    }
    // A compaction pass cut short: a committed segment swap is finished, an uncommitted one undone.
    if (finishInterruptedSwaps(dir, files)) files = readdirSync(dir);
    // A snapshot cut short leaves its output behind; the snapshot before it is intact.
    const leftovers = files.filter((f) => f.endsWith(`${SNAPSHOT_SUFFIX}.tmp`));
    for (const f of leftovers) unlinkSync(join(dir, f));
    if (leftovers.length) files = files.filter((f) => !leftovers.includes(f));
    const bases = files
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    // A segment is its .log: a deletion cut short (the .log goes first) leaves index files
    // without one, which a segment created later at the same offset must not take for its own.
    const segmentBases = new Set(bases);
    const orphans = files.filter((f) => {
      const m = SEGMENT_INDEX_FILE.exec(f);
      return m !== null && !segmentBases.has(Number(m[1]));
    });
    for (const f of orphans) unlinkSync(join(dir, f));
    if (orphans.length) files = files.filter((f) => !orphans.includes(f));
    const present = new Set(files);
    try {
      bases.forEach((base, i) => {
        const isLast = i === bases.length - 1;
        const { segment, truncatedBytes } = Segment.open(dir, base, config.indexIntervalBytes, isLast && validateActive, fds, present);
        if (truncatedBytes > 0 && isLast) {
          log.warn(`Recovered partition ${topic}-${partition}: cut ${truncatedBytes} invalid bytes (a torn write) from the end of segment ${base}; log end offset is now ${segment.nextOffset}`);
        } else if (truncatedBytes > 0 && segment.nextOffset >= bases[i + 1]!) {
          log.warn(`Recovered partition ${topic}-${partition}: cut ${truncatedBytes} invalid bytes from the end of segment ${base}, which is not the last one (damage, not a torn write); no record was lost`);
        } else if (truncatedBytes > 0) {
          // An older segment damaged (a crash does not tear those): its records after the damage
          // are lost, the later segments kept. Readers step over the gap, as over a compacted one.
          log.warn(
            `Recovered partition ${topic}-${partition}: cut ${truncatedBytes} invalid bytes from the end of segment ${base}, which is not the last one (damage, not a torn write): offsets ${segment.nextOffset} to ${bases[i + 1]! - 1} are lost, a gap readers step over; the later segments are kept`,
          );
        }
        this.segments.push(segment);
        // No index entry may name a marker past its segment's end: recovery may have cut the tail
        // of any segment, not only the last, and a crash may lose a marker's bytes whose entry was
        // written. (Only segments with aborted transactions have the file.)
        if (present.has(segmentFileName(base, TXN_INDEX_SUFFIX))) {
          segment.txnIndex.truncateTo(segment.nextOffset);
          const stale = segment.dropTxnEntriesWithoutMarker();
          if (stale > 0) log.warn(`Partition ${topic}-${partition}: dropped ${stale} aborted-transaction index entries of segment ${base} whose ABORT marker is not in it`);
        }
      });
    } catch (e) {
      // Give back the descriptors of the segments opened so far; the partition stays offline.
      for (const s of this.segments) s.release();
      throw e;
    }
    // Segments after one that lost its tail would leave a gap in offsets: drop them.
    for (let i = 1; i < this.segments.length; i++) {
      if (this.segments[i]!.baseOffset < this.segments[i - 1]!.nextOffset) {
        log.warn(`Partition ${topic}-${partition}: segment ${this.segments[i]!.baseOffset} overlaps its predecessor; removing it and later segments`);
        for (const s of this.segments.splice(i)) s.delete();
        break;
      }
    }
    const startPath = join(dir, LOG_START_FILE);
    const checkpoint = present.has(LOG_START_FILE) ? Number(readFileSync(startPath, 'utf8').trim()) : 0;
    if (this.segments.length === 0) this.segments.push(Segment.create(dir, checkpoint, config.indexIntervalBytes, fds));
    this.startOffset = Math.max(this.segments[0]!.baseOffset, Number.isFinite(checkpoint) ? checkpoint : 0);
    this.startOffset = Math.min(this.startOffset, this.logEndOffset());
    this.epochs = new LeaderEpochCache((text) => {
      this.epochText = text;
      if (!this.deferEpochWrites) this.flushEpochs();
    });
    const epochPath = join(dir, EPOCH_FILE);
    if (present.has(EPOCH_FILE)) {
      this.epochTextOnDisk = readFileSync(epochPath, 'utf8');
      this.epochs.load(this.epochTextOnDisk);
    }
    // Entries at or past the log end go (Kafka does the same at load). Writing that at once would
    // cost a file rewrite per empty partition per start, undone moments later when the broker
    // marks its leader epoch again; so it is written before the next append or epoch change
    // (flushEpochs), and only if it still differs. A crash before then leaves entries that the
    // next start drops the same way: nothing was appended after them.
    this.epochs.truncateFrom(this.logEndOffset());
    this.deferEpochWrites = false;
    // Recovery may have cut the tail that a snapshot describes.
    const end = this.logEndOffset();
    for (const o of snapshotOffsetsIn(files)) if (o > end) unlinkSync(join(this.dir, segmentFileName(o, SNAPSHOT_SUFFIX)));
    if (topicId && recorded === null) {
      const path = join(dir, PARTITION_METADATA_FILE);
      writeFileAtomic(path, partitionMetadataText(topicId));
      this.dirty.add(path);
      this.dirty.add(dir);
    }
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  logStartOffset(): number {
    return this.startOffset;
  }

  logEndOffset(): number {
    return this.active.nextOffset;
  }

  /**
   * segment.jitter.ms: the active segment rolls this much before segment.ms, drawn for each
   * segment (Kafka's randomSegmentJitter), so that the segments of many partitions made at once
   * do not all roll at once. Drawn when first needed (the jitter or segment.ms may change).
   */
  private rollJitterMs: number | null = null;

  /** Writes the active segment's index entries kept in memory (the closed ones have none). */
  writeIndexes(): void {
    this.active.flushIndexes();
  }

  indexesDue(): boolean {
    return this.active.hasUnflushedIndexes();
  }

  private maybeRoll(batchSize: number, lastOffset: number): void {
    const a = this.active;
    if (a.size === 0) return;
    const full = a.size + batchSize > this.config.segmentBytes;
    // A compacted log rolls by max.compaction.lag.ms too (Kafka's LogConfig.maxSegmentMs).
    const { cleanup } = this.config;
    const segmentMs = cleanup.compact && cleanup.maxCompactionLagMs !== undefined ? Math.min(this.config.segmentMs, cleanup.maxCompactionLagMs) : this.config.segmentMs;
    const jitter = Math.min(this.config.segmentJitterMs ?? 0, segmentMs);
    this.rollJitterMs ??= jitter > 0 ? Math.floor(Math.random() * jitter) : 0;
    const old = Date.now() - a.createdAt > segmentMs - Math.min(this.rollJitterMs, jitter);
    const overflow = lastOffset - a.baseOffset > MAX_RELATIVE_OFFSET;
    if (full || old || overflow || a.indexFull(this.config.segmentIndexBytes ?? Infinity)) this.roll();
  }

  private roll(): void {
    this.rollJitterMs = null;
    this.active.seal();
    // Outside durable mode nothing syncs: keep the set from growing with every roll.
    if (!this.durable()) this.dirty.clear();
    this.segments.push(Segment.create(this.dir, this.logEndOffset(), this.config.indexIntervalBytes, this.fds));
    // The new segment's directory entry must reach the disk before records in it count as durable.
    this.dirty.add(this.dir);
  }

  append(batch: Buffer, leaderEpoch: number): AppendResult {
    const baseOffset = this.logEndOffset();
    // From the batch's own delta: the base offset a producer wrote is not used (Kafka ignores it), and
    // a huge one minus itself in floating point need not give the delta back.
    const lastOffset = baseOffset + lastOffsetDeltaOf(batch);
    stampBatch(batch, baseOffset, leaderEpoch);
    return this.write(batch, baseOffset, lastOffset, leaderEpoch);
  }

  appendAsFollower(batch: Buffer): AppendResult {
    const baseOffset = baseOffsetOf(batch);
    // A compacted leader log has gaps, so a replicated batch may start beyond the log end.
    if (baseOffset < this.logEndOffset()) {
      throw new StorageError(`out-of-order replicated batch for ${this.topic}-${this.partition}: base ${baseOffset}, log end ${this.logEndOffset()}`);
    }
    return this.write(batch, baseOffset, nextOffsetOf(batch) - 1, leaderEpochOf(batch));
  }

  /** Writes the leader-epoch checkpoint if it differs from what is on disk. */
  private flushEpochs(): void {
    if (this.epochText === null || this.epochText === this.epochTextOnDisk) return;
    writeFileAtomic(join(this.dir, EPOCH_FILE), this.epochText);
    this.epochTextOnDisk = this.epochText;
  }

  private write(batch: Buffer, baseOffset: number, lastOffset: number, leaderEpoch: number): AppendResult {
    if (batch.length < BATCH_HEADER_SIZE) throw new StorageError('batch shorter than its header');
    this.flushEpochs();
    this.maybeRoll(batch.length, lastOffset);
    this.active.append(batch, { baseOffset, lastOffset, maxTimestamp: maxTimestampOf(batch), leaderEpoch });
    this.epochs.assign(leaderEpoch, baseOffset);
    this.dirty.add(this.active.logFile);
    this.unflushed += lastOffset - baseOffset + 1;
    // flush.ms: a sync by time, armed by the first append after a sync.
    if (this.flushTimer === null && this.config.flushMs !== undefined && this.config.flushMs < FLUSH_NEVER) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.syncInBackground();
      }, this.config.flushMs);
      this.flushTimer.unref();
    }
    return { baseOffset, lastOffset };
  }

  private durable(): boolean {
    const { flushMessages: m, flushMs: t } = this.config;
    return (m !== undefined && m < FLUSH_NEVER) || (t !== undefined && t < FLUSH_NEVER);
  }

  syncDue(): Promise<void> | null {
    const every = this.config.flushMessages;
    if (every === undefined || every >= FLUSH_NEVER || this.unflushed < every) return null;
    return this.sync();
  }

  sync(): Promise<void> {
    const messages = this.unflushed;
    this.unflushed = 0;
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const paths = [...this.dirty];
    this.dirty.clear();
    return this.syncer.request(paths).catch((e: unknown) => {
      // Nothing of this sync is known to be on disk: it stays to be synced (a later sync retries
      // it, flush.messages counts it again). A retried fsync may report success for pages the
      // failed one dropped, which is why the failure itself must reach the broker.
      for (const p of paths) this.dirty.add(p);
      this.unflushed += messages;
      throw e;
    });
  }

  /** A sync nobody waits for (flush.ms, a changed flush.ms): its failure goes to the failure listener. */
  private syncInBackground(): void {
    this.sync().catch((e: unknown) => this.failed(`syncing ${this.topic}-${this.partition} to disk`, e as Error));
  }

  unflushedMessages(): number {
    return this.unflushed;
  }

  private segmentFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  read(offset: number, maxBytes: number, maxOffset: number): ReadResult {
    const end = this.logEndOffset();
    if (offset < this.startOffset || offset > end) {
      throw new OffsetOutOfRangeError(`offset ${offset} is outside [${this.startOffset}, ${end}] for ${this.topic}-${this.partition}`);
    }
    if (offset >= maxOffset || offset === end) return { batches: [], bytes: 0 };
    for (let i = this.segmentFor(offset); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const b = seg.findBatch(Math.max(offset, seg.baseOffset));
      if (!b) continue;
      return seg.read(b.position, maxBytes, maxOffset);
    }
    return { batches: [], bytes: 0 };
  }

  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    for (let i = this.segmentFor(this.startOffset); i < this.segments.length; i++) {
      const hit = this.segments[i]!.offsetForTimestamp(timestamp, this.startOffset);
      if (hit) return hit;
    }
    return null;
  }

  maxTimestamp(): TimestampOffset | null {
    let best: TimestampOffset | null = null;
    for (const s of this.segments) {
      if (s.offsetOfMaxTimestamp >= this.startOffset && (!best || s.maxTimestamp > best.timestamp)) {
        best = { offset: s.offsetOfMaxTimestamp, timestamp: s.maxTimestamp };
      }
    }
    if (!best) return null;
    // Segments know the batch (its last offset); the record is found in it.
    const [batch] = this.read(best.offset, 1, best.offset + 1).batches;
    return batch ? recordOfMaxTimestamp(batch, best, this.startOffset) : best;
  }

  leaderEpochs() {
    return this.epochs.entries();
  }

  deleteRecordsBefore(offset: number): void {
    if (offset <= this.startOffset) return;
    if (offset > this.logEndOffset()) throw new OffsetOutOfRangeError(`offset ${offset} is beyond the log end offset ${this.logEndOffset()}`);
    this.setLogStart(offset);
    if (this.active.nextOffset <= offset && this.active.size > 0) this.roll();
    while (this.segments.length > 1 && this.segments[0]!.nextOffset <= offset) this.segments.shift()!.delete();
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset()) {
      // Still forget epoch marks at the end (Kafka does the same).
      this.epochs.truncateFrom(this.logEndOffset());
      return;
    }
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this.segments.pop()!.delete();
    if (this.active.baseOffset >= offset) {
      this.segments.pop()!.delete();
      this.segments.push(Segment.create(this.dir, offset, this.config.indexIntervalBytes, this.fds));
    } else this.active.truncateTo(offset);
    if (this.startOffset > this.logEndOffset()) {
      // Truncated below the log start (a DeleteRecords moved it past what is now the end): the
      // start comes down with it, on disk too, or a restart would hide the records written next.
      this.setLogStart(this.logEndOffset());
    }
    this.epochs.truncateFrom(this.logEndOffset());
    this.dropSnapshotsAbove(this.logEndOffset());
  }

  /** Moves the log start, in its checkpoint file too (a restart reads it back). */
  private setLogStart(offset: number): void {
    this.startOffset = offset;
    writeFileAtomic(join(this.dir, LOG_START_FILE), `${offset}\n`);
  }

  truncateFullyAndStartAt(offset: number): void {
    for (const s of this.segments.splice(0)) s.delete();
    this.segments.push(Segment.create(this.dir, offset, this.config.indexIntervalBytes, this.fds));
    this.setLogStart(offset);
    this.epochs.truncateFrom(0);
    this.dropSnapshotsAbove(-1);
  }

  /** Base offsets of the producer snapshots in the partition directory, oldest first. */
  private snapshotOffsets(): number[] {
    return snapshotOffsetsIn(readdirSync(this.dir));
  }

  private dropSnapshotsAbove(offset: number): void {
    for (const o of this.snapshotOffsets()) if (o > offset) unlinkSync(join(this.dir, segmentFileName(o, SNAPSHOT_SUFFIX)));
  }

  producerSnapshot(): ProducerSnapshot | null {
    const offset = this.snapshotOffsets().at(-1);
    if (offset === undefined) return null;
    const file = join(this.dir, segmentFileName(offset, SNAPSHOT_SUFFIX));
    return { offset, data: readFileSync(file), file };
  }

  saveProducerSnapshot(offset: number, data: Buffer): void {
    writeFileAtomic(join(this.dir, segmentFileName(offset, SNAPSHOT_SUFFIX)), data);
    for (const o of this.snapshotOffsets()) if (o !== offset) unlinkSync(join(this.dir, segmentFileName(o, SNAPSHOT_SUFFIX)));
  }

  markLeaderEpoch(epoch: number): void {
    this.epochs.assign(epoch, this.logEndOffset());
    this.flushEpochs();
  }

  appendAbortedTxn(txn: AbortedTxn): void {
    this.segments[this.segmentFor(txn.lastOffset)]!.txnIndex.append(txn);
  }

  lastAbortedTxnOffset(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const last = this.segments[i]!.txnIndex.all().at(-1);
      if (last) return last.lastOffset;
    }
    return -1;
  }

  abortedTxns(from: number, upTo: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    // An entry lives with its marker, so segments before the one holding `from` have none ending at or after it.
    for (let i = this.segmentFor(Math.max(from, this.startOffset)); i < this.segments.length; i++) {
      for (const e of this.segments[i]!.txnIndex.all()) if (e.lastOffset >= from && e.firstOffset < upTo) out.push(e);
    }
    return out;
  }

  /**
   * Kafka's UnifiedLog.deleteOldSegments: the oldest segments go while each is past retention.ms
   * (its largest timestamp, or its last modification when it has none) or the log is over
   * retention.bytes without it. The active segment too, once all of it has expired: a quiet
   * topic's old records go, the log then starting (and going on) at its end. Never an empty active
   * segment, and never a segment with offsets at or above `maxStartOffset()` (the high watermark,
   * or an open transaction's first offset): the log start never passes it.
   */
  applyRetention(now: number, maxStartOffset: () => number = () => Infinity): number {
    if (!this.config.cleanup.delete) return 0;
    const { retentionMs, retentionBytes } = this.config;
    let size = this.sizeInBytes();
    let count = 0;
    for (; count < this.segments.length; count++) {
      const segment = this.segments[count]!;
      const next = this.segments[count + 1];
      if (!next && segment.size === 0) break;
      const expired = retentionMs >= 0 && now - (segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.lastModified()) > retentionMs;
      const oversized = retentionBytes >= 0 && size - segment.size >= retentionBytes;
      if (!expired && !oversized) break;
      if ((next ? next.baseOffset : this.logEndOffset()) > maxStartOffset()) break;
      size -= segment.size;
    }
    if (count === 0) return 0;
    // A log always has a segment: deleting every one rolls an empty one at the log end first.
    if (count === this.segments.length) this.roll();
    for (const segment of this.segments.splice(0, count)) segment.delete();
    this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
    return count;
  }

  compact(now: number, uncleanableFrom: number): CompactionResult | null {
    const policy = this.config.cleanup;
    if (!policy.compact) return null;
    // A swap an earlier pass committed but could not finish is finished first: a new replacement
    // of that segment must not be written over files it still has under the .cleaned names.
    for (const s of this.segments) if (s.swapUnfinished) s.finishSwap();
    // Closed segments wholly below the uncleanable offset, up to the first one too young to clean.
    let count = 0;
    for (const s of this.segments.slice(0, -1)) {
      if (s.nextOffset > uncleanableFrom || (s.size > 0 && withinCompactionLag(now, s.maxTimestamp, policy))) break;
      count++;
    }
    const cleanable = this.segments.slice(0, count);
    let cleanBytes = 0;
    let dirtyBytes = 0;
    for (const s of cleanable) {
      if (s.baseOffset < this.cleanedThrough) cleanBytes += s.size;
      else dirtyBytes += s.size;
    }
    if (dirtyBytes === 0) return null;
    if (dirtyRatio(cleanBytes, dirtyBytes) < policy.minCleanableRatio) {
      const dirty = () => cleanable.filter((s) => s.baseOffset >= this.cleanedThrough).map((s) => s.firstBatchTimestamp());
      if (!compactionOverdue(now, policy, dirty)) return null;
    }

    const end = cleanable[cleanable.length - 1]!.nextOffset;
    const latest: OffsetMap = new Map();
    const aborted = this.abortedTxns(cleanable[0]!.baseOffset, end);
    const mapTxns = new TxnCleaning(aborted);
    for (const s of cleanable) for (const batch of s.batches()) addToOffsetMap(latest, batch, end, mapTxns);
    const txns = new TxnCleaning(aborted);
    const result: CompactionResult = { rewritten: 0, bytesBefore: cleanBytes + dirtyBytes, bytesAfter: 0, recordsRemoved: 0, cleanedThrough: end };
    const time = { now, deleteRetentionMs: policy.deleteRetentionMs };
    for (const [i, s] of cleanable.entries()) {
      const cleaned = Segment.createCleaned(this.dir, s.baseOffset, this.config.indexIntervalBytes, this.fds);
      let changed = false;
      try {
        for (const batch of s.batches()) {
          const out = compactBatch(batch, latest, time, txns);
          result.recordsRemoved += out.removed;
          if (out.batch !== batch) changed = true;
          const b = out.batch;
          if (b) cleaned.append(b, { baseOffset: baseOffsetOf(b), lastOffset: nextOffsetOf(b) - 1, maxTimestamp: maxTimestampOf(b), leaderEpoch: leaderEpochOf(b) });
        }
      } catch (e) {
        cleaned.discard();
        throw e;
      }
      if (!changed) {
        cleaned.discard();
        result.bytesAfter += s.size;
        continue;
      }
      result.rewritten++;
      // Each swap is applied at once, so a failure later in the pass leaves a consistent log.
      const at = this.segments.indexOf(s);
      if (cleaned.size === 0 && i > 0) {
        // An emptied segment goes, except the first, whose base offset is where the log starts.
        cleaned.discard();
        this.segments.splice(at, 1);
        s.delete();
        continue;
      }
      // An aborted transaction whose marker this pass removed leaves the index with it.
      cleaned.commitSwap(
        s,
        s.txnIndex.all().filter((e) => !txns.removedMarkers.has(e.lastOffset)),
      );
      // Committed: from here on the cleaned segment is the one read, whatever fails next (it reads
      // its files where they are; the next start finishes the swap).
      this.segments[at] = cleaned;
      cleaned.finishSwap();
      result.bytesAfter += cleaned.size;
    }
    this.cleanedThrough = end;
    return result;
  }

  sizeInBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  updateConfig(config: LogConfig): void {
    const timerWas = this.config.flushMs;
    this.config = config;
    // A changed flush.ms re-arms at the next append; a lowered flush.messages applies to the next one.
    if (this.flushTimer !== null && timerWas !== config.flushMs) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      if (this.unflushed > 0 && config.flushMs !== undefined && config.flushMs < FLUSH_NEVER) this.syncInBackground();
    }
    for (const s of this.segments) s.setIndexInterval(config.indexIntervalBytes);
  }

  /** Segment base offsets (for tests and dump tools). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  close(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushEpochs();
    for (const s of this.segments) s.close();
    this.segments = [];
  }
}

let processCache: FdCache | undefined;

/**
 * The descriptor cache shared by every store of this process that was not given one (the fd
 * limit is per process), sized from the process's limit (see `defaultFdCapacity`).
 */
export function processFdCache(): FdCache {
  processCache ??= new FdCache();
  return processCache;
}

/** The suffix of a deleted partition's directory, as Kafka's (UnifiedLog.DeleteDirSuffix). */
const DELETED_SUFFIX = '-delete';

/**
 * The name a partition's directory is set aside under (`<topic>-<partition>.<id><tag>`), its topic
 * part cut so that the name stays within the file system's 255 bytes, as Kafka cuts it (topic
 * names are ASCII, up to 249 characters).
 */
function asideName(topic: string, partition: number, tag: string, n: number): string {
  const suffix = `-${partition}.${Date.now().toString(36)}${n.toString(36)}${tag}`;
  return `${topic.slice(0, 255 - suffix.length)}${suffix}`;
}

export class DiskLogStore implements LogStore {
  private readonly logs = new Map<string, DiskPartitionLog>();
  private readonly cleanStart: boolean;
  /** Group commit for every partition of this log dir (durable mode). */
  readonly syncer = new GroupSync();
  private failureListener: StorageFailureListener | null = null;

  constructor(
    readonly logDir: string,
    private readonly log: Logger = silentLogger,
    /** Where segment files get their descriptors; shared by the stores of one process. */
    readonly fds: FdCache = processFdCache(),
  ) {
    mkdirSync(logDir, { recursive: true });
    // Deleted partitions whose files a stop interrupted.
    for (const d of readdirSync(logDir, { withFileTypes: true })) if (d.isDirectory() && d.name.endsWith(DELETED_SUFFIX)) this.removeLater(join(logDir, d.name));
    const marker = join(logDir, CLEAN_SHUTDOWN_FILE);
    this.cleanStart = existsSync(marker);
    if (this.cleanStart) unlinkSync(marker);
    else if (readdirSync(logDir).some((f) => parsePartitionDirName(f))) {
      log.warn(`No clean shutdown marker in ${logDir}: validating the active segment of every partition`);
    }
  }

  onFailure(listener: StorageFailureListener): void {
    this.failureListener = listener;
  }

  /** An I/O error met in the background: to the listener, else logged. */
  private readonly failed: StorageFailureListener = (doing, e) => {
    if (this.failureListener) this.failureListener(doing, e);
    else this.log.error(`Error while ${doing} in dir ${this.logDir}: ${e.message}`);
  };

  open(topic: string, partition: number, config: LogConfig, topicId?: Buffer): PartitionLog {
    const key = partitionDirName(topic, partition);
    let l = this.logs.get(key);
    if (!l) {
      const dir = join(this.logDir, key);
      for (;;) {
        try {
          l = new DiskPartitionLog(topic, partition, dir, config, !this.cleanStart, this.log, this.fds, this.syncer, this.failed, topicId);
          break;
        } catch (e) {
          // Out of descriptors outside the cache (a directory listing, a checkpoint file): the
          // cache gives some back and lowers its cap, and the open is tried again.
          if (isFdExhaustion(e) && this.fds.relieve()) continue;
          if (e instanceof StorageError) throw e;
          throw new StorageError(`Could not open the log of ${key} in ${dir}: ${(e as Error).message}`);
        }
      }
      this.logs.set(key, l);
    }
    return l;
  }

  /**
   * A deleted partition's directory is renamed aside (`<topic>-<partition>.<id>-delete`, as Kafka
   * names it: no partition directory name, so never loaded again) and its files removed after,
   * off the event loop, one directory at a time. Removing them in place held every client up:
   * deleting a topic of 5,000 partitions stalled the daemon for seconds.
   */
  remove(topic: string, partition: number): void {
    const key = partitionDirName(topic, partition);
    this.logs.get(key)?.close();
    this.logs.delete(key);
    const dir = join(this.logDir, key);
    const aside = join(this.logDir, asideName(topic, partition, DELETED_SUFFIX, this.removed++));
    try {
      renameSync(dir, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    this.removeLater(aside);
  }

  private removed = 0;
  private removals: Promise<void> = Promise.resolve();

  private removeLater(path: string): void {
    this.removals = this.removals.then(
      () => rm(path, { recursive: true, force: true }),
    ).catch((e: Error) => this.log.warn(`Could not delete ${path}: ${e.message} (it is deleted at the next start)`));
  }

  /** Directories of deleted partitions not yet removed (tests; the next start removes leftovers). */
  pendingRemovals(): Promise<void> {
    return this.removals;
  }

  removeStray(topic: string, partition: number): string | null {
    const key = partitionDirName(topic, partition);
    this.logs.get(key)?.close();
    this.logs.delete(key);
    const dir = join(this.logDir, key);
    // A compaction's output counts too (a crash between its files: .cleaned, .swap).
    const holdsRecords = readdirSync(dir).some((f) => /\.log(\.cleaned|\.swap)?$/.test(f) && statSync(join(dir, f)).size > 0);
    if (!holdsRecords) {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
    // As Kafka names stray logs (…-stray): no partition directory name, so never loaded again.
    const aside = join(this.logDir, asideName(topic, partition, '-stray', 0));
    renameSync(dir, aside);
    return aside;
  }

  claim(owner: { clusterId: string; nodeId: number; newCluster: boolean }, warn: (line: string) => void): void {
    claimLogDir(this.logDir, { ...owner, partitionLogs: this.list().length }, warn);
  }

  list(): { topic: string; partition: number }[] {
    return readdirSync(this.logDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => parsePartitionDirName(d.name))
      .filter((x): x is { topic: string; partition: number } => x !== null);
  }

  close(clean = true): void {
    for (const l of this.logs.values()) {
      if (clean) l.close();
      else {
        try {
          l.close();
        } catch {
          /* a failed log dir: the next start recovers what could not be written */
        }
      }
    }
    this.logs.clear();
    if (clean) writeFileSync(join(this.logDir, CLEAN_SHUTDOWN_FILE), '');
  }
}
