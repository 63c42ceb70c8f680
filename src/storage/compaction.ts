/**
 * Log compaction (cleanup.policy=compact), without I/O: which records of a log survive.
 *
 * Kafka's rule: a record is kept unless a later record in the cleaned range has the same key.
 * Offsets never change — a rewritten batch keeps its base offset and last offset delta, so readers
 * and followers step over the gaps exactly as they do in Kafka. Records without a key cannot be
 * compacted and are kept.
 *
 * Tombstones (null values) stay for delete.retention.ms after the cleaning that first kept them,
 * so that a consumer that read the value they delete gets to see the deletion. This is Kafka's
 * KIP-534 delete horizon (Kafka 3.1 on, for v2 batches; not the older horizon taken from the
 * cleaned segments' modification times): the first pass that keeps a tombstone rewrites its batch
 * with the horizon, now + delete.retention.ms, in the base timestamp (attribute bit 6); a pass
 * after the horizon drops the batch's tombstones.
 *
 * Transactions, as Kafka's cleaner: the batches of an aborted transaction (known from the
 * aborted-transaction index) are removed whole and never decide which key wins; a transaction
 * marker with no record of its transaction left before it gets a delete horizon the same way,
 * and a pass after it removes the marker (with its index entry).
 */
import {
  Attr,
  type BatchHeader,
  BatchBuilder,
  LOG_OVERHEAD,
  type Record,
  compressionOf,
  decodeBatchRecords,
  hasDeleteHorizon,
  isControlBatch,
  isTransactionalBatch,
  readBatchHeader,
} from '../protocol/record-batch.js';
import type { AbortedTxn } from './aborted-txn.js';

/**
 * Transactions met while one cleaning pass walks the log in offset order (Kafka's
 * CleanedTransactionMetadata): which data batches belong to an aborted transaction, and which
 * markers no longer guard any record. One instance per walk.
 */
export class TxnCleaning {
  private readonly upcoming: AbortedTxn[];
  /** Producers inside an aborted transaction at the current position → its marker offset. */
  private readonly aborting = new Map<number, number>();
  /** Producers with records of their current transaction kept. */
  private readonly retained = new Set<number>();
  /** Offsets of markers this pass removed. */
  readonly removedMarkers = new Set<number>();

  constructor(aborted: readonly AbortedTxn[]) {
    this.upcoming = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  private advance(offset: number): void {
    while (this.upcoming.length && this.upcoming[0]!.firstOffset <= offset) {
      const t = this.upcoming.shift()!;
      if (t.lastOffset >= offset) this.aborting.set(t.producerId, t.lastOffset);
    }
  }

  /** Whether a data batch belongs to an aborted transaction (every record of it goes). */
  isAborted(h: BatchHeader): boolean {
    this.advance(h.baseOffset);
    if (!isTransactionalBatch(h.attributes) || isControlBatch(h.attributes)) return false;
    const marker = this.aborting.get(h.producerId);
    if (marker === undefined) return false;
    // An aborted transaction ends at its marker: a batch after it is of a later transaction, also
    // when the marker itself was never met (an index entry whose marker is gone must not go on
    // aborting every later transaction of its producer).
    if (h.baseOffset > marker) {
      this.aborting.delete(h.producerId);
      return false;
    }
    return true;
  }

  /** A transactional data batch some of whose records are kept. */
  kept(h: BatchHeader): void {
    if (isTransactionalBatch(h.attributes) && !isControlBatch(h.attributes)) this.retained.add(h.producerId);
  }

  /** A marker ends its producer's transaction: whether nothing of that transaction is kept before it (it guards no record). */
  markerGuardsNothing(h: BatchHeader): boolean {
    this.advance(h.baseOffset);
    if (this.aborting.get(h.producerId) === h.baseOffset) this.aborting.delete(h.producerId);
    return !this.retained.delete(h.producerId);
  }

  /** The pass removes the marker at `h` (its index entry goes with it). */
  markerRemoved(h: BatchHeader): void {
    this.removedMarkers.add(h.baseOffset);
  }
}

/** How a partition's log is cleaned up, from its topic's configs. */
export interface CleanupPolicy {
  /** cleanup.policy includes "delete": retention.ms / retention.bytes remove old segments. */
  delete: boolean;
  /** cleanup.policy includes "compact". */
  compact: boolean;
  /** delete.retention.ms: how long tombstones (and transaction markers) stay after the cleaning that first keeps them. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  minCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: clean once this share of the cleanable bytes is new since the last pass. */
  minCleanableRatio: number;
  /**
   * max.compaction.lag.ms (KIP-354): dirty records older than this are cleaned whatever the dirty
   * ratio, and a compacted log's active segment rolls at this age (so they become cleanable).
   */
  maxCompactionLagMs?: number;
}

/**
 * Whether dirty records waited past max.compaction.lag.ms (cleaned below the dirty ratio then), by
 * the first batch timestamps of the dirty segments (or batches), as Kafka's LogCleanerManager
 * judges it: the earliest one above 0. Unbounded (the default), the timestamps are not read.
 */
export function compactionOverdue(now: number, policy: CleanupPolicy, firstBatchTimestamps: () => Iterable<number>): boolean {
  const lag = policy.maxCompactionLagMs;
  if (lag === undefined || lag >= Number.MAX_SAFE_INTEGER) return false;
  let earliest = Infinity;
  for (const t of firstBatchTimestamps()) if (t > 0 && t < earliest) earliest = t;
  return now - earliest > lag;
}

/**
 * Whether records whose largest timestamp is `maxTimestamp` are too young to compact
 * (min.compaction.lag.ms). As Kafka's LogCleanerManager, only with a lag above 0: with none, a
 * record stamped in the future (a producer's clock, a hostile client) held every segment after
 * it back from compaction for good.
 */
export const withinCompactionLag = (now: number, maxTimestamp: number, policy: CleanupPolicy): boolean => policy.minCompactionLagMs > 0 && now - maxTimestamp < policy.minCompactionLagMs;

export const DEFAULT_CLEANUP: CleanupPolicy = {
  delete: true,
  compact: false,
  deleteRetentionMs: 86_400_000,
  minCompactionLagMs: 0,
  minCleanableRatio: 0.5,
};

/** What one compaction pass did. */
export interface CompactionResult {
  /** Segments (or, in memory, batches) rewritten or removed. */
  rewritten: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRemoved: number;
  /** Offsets below this have been cleaned. */
  cleanedThrough: number;
}

/** Latest offset of every key seen, keyed by the key's bytes. */
export type OffsetMap = Map<string, number>;

const keyOf = (key: Buffer) => key.toString('latin1');

/** Adds the keys of one batch's records below `end` to the map (later offsets win). */
export function addToOffsetMap(map: OffsetMap, batch: Buffer, end: number, txns?: TxnCleaning): void {
  const header = readBatchHeader(batch);
  if (isControlBatch(header.attributes)) return;
  if (txns?.isAborted(header)) return;
  for (const r of decodeBatchRecords(batch, header)) {
    if (r.offset < end && r.key !== null) map.set(keyOf(r.key), r.offset);
  }
}

/** When a pass runs and how long tombstones and markers stay after it first keeps them. */
export interface CleaningTime {
  now: number;
  /** delete.retention.ms */
  deleteRetentionMs: number;
}

/**
 * The batch with only the records compaction keeps: the same buffer when every record stays and
 * it needs no delete horizon, null when none stays, otherwise a new batch with the same base
 * offset, last offset delta, leader epoch, producer fields and codec (Kafka's MemoryRecords.filterTo
 * with the cleaner's filter).
 */
/**
 * Past this a delete horizon is not written: the batch's base timestamp holds it and each record's
 * timestamp is a delta from it, exact only while both stay well inside 2^53 (a delete.retention.ms
 * of Long.MAX_VALUE, "keep forever", overflowed and garbled every record's timestamp). Such a
 * tombstone or marker is simply never removed, which is what that setting asks for.
 */
const LATEST_DELETE_HORIZON = 2 ** 52;

export function compactBatch(batch: Buffer, latest: OffsetMap, time: CleaningTime, txns?: TxnCleaning): { batch: Buffer | null; removed: number } {
  const header = readBatchHeader(batch);
  const newHorizon = time.now + time.deleteRetentionMs;
  const canStamp = newHorizon <= LATEST_DELETE_HORIZON;
  const horizon = hasDeleteHorizon(header.attributes) ? header.baseTimestamp : null;
  if (isControlBatch(header.attributes)) {
    // A transaction marker guarding no record gets a delete horizon, and goes once it is past.
    if (!txns || header.producerId < 0 || !txns.markerGuardsNothing(header)) return { batch, removed: 0 };
    if (horizon === null) return canStamp ? { batch: rebuild(header, decodeBatchRecords(batch, header), newHorizon), removed: 0 } : { batch, removed: 0 };
    if (time.now < horizon) return { batch, removed: 0 };
    txns.markerRemoved(header);
    return { batch: null, removed: header.recordCount };
  }
  if (txns?.isAborted(header)) return { batch: null, removed: header.recordCount };
  const records = decodeBatchRecords(batch, header);
  const tombstonesGo = horizon !== null && time.now >= horizon;
  const kept = records.filter((r) => {
    if (r.key === null) return true;
    const newest = latest.get(keyOf(r.key));
    if (newest !== undefined && newest > r.offset) return false;
    return !(tombstonesGo && r.value === null);
  });
  if (kept.length > 0) txns?.kept(header);
  if (kept.length === 0) return { batch: null, removed: records.length };
  // The first pass that keeps a tombstone starts its delete.retention.ms.
  const stamp = horizon === null && canStamp && kept.some((r) => r.value === null);
  if (kept.length === records.length && !stamp) return { batch, removed: 0 };
  return { batch: rebuild(header, kept, stamp ? newHorizon : horizon), removed: records.length - kept.length };
}

/** A batch of `records` with `header`'s offsets, epochs, producer fields, codec and flags, and the delete horizon given. */
function rebuild(header: BatchHeader, records: readonly Record[], deleteHorizon: number | null): Buffer {
  const builder = new BatchBuilder(LOG_OVERHEAD + header.batchLength);
  if (deleteHorizon !== null) builder.setDeleteHorizon(deleteHorizon);
  for (const r of records) builder.append(r.key, r.value, r.headers, r.timestamp, r.offset - header.baseOffset);
  return builder.build({
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: compressionOf(header.attributes),
    logAppendTime: (header.attributes & Attr.LogAppendTime) !== 0,
    transactional: isTransactionalBatch(header.attributes),
    control: isControlBatch(header.attributes),
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
  });
}

/** Kafka's dirty ratio: the share of the cleanable bytes written since the last pass. */
export function dirtyRatio(cleanBytes: number, dirtyBytes: number): number {
  const total = cleanBytes + dirtyBytes;
  return total === 0 ? 0 : dirtyBytes / total;
}
