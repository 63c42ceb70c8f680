/**
 * Log compaction (cleanup.policy=compact), without I/O: which records of a log survive.
 *
 * Kafka's rule: a record is kept unless a later record in the cleaned range has the same key.
 * Offsets never change — a rewritten batch keeps its base offset and last offset delta, so readers
 * and followers step over the gaps exactly as they do in Kafka. Tombstones (null values) are kept
 * for delete.retention.ms so consumers reading from the start still see deletions, then dropped.
 * Records without a key cannot be compacted and are kept.
 *
 * Transactions, as Kafka's cleaner: the batches of an aborted transaction (known from the
 * aborted-transaction index) are removed whole and never decide which key wins; a transaction
 * marker is kept until delete.retention.ms has passed for its segment and no record of its
 * transaction is left before it, then removed too (with its index entry).
 */
import {
  Attr,
  type BatchHeader,
  BatchBuilder,
  compressionOf,
  decodeBatchRecords,
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

  /** A marker ends its producer's transaction; it may go when past the horizon and nothing of the transaction is kept. */
  markerRemovable(h: BatchHeader, pastHorizon: boolean): boolean {
    this.advance(h.baseOffset);
    if (this.aborting.get(h.producerId) === h.baseOffset) this.aborting.delete(h.producerId);
    const guarding = this.retained.delete(h.producerId);
    const removable = pastHorizon && !guarding;
    if (removable) this.removedMarkers.add(h.baseOffset);
    return removable;
  }
}

/** How a partition's log is cleaned up, from its topic's configs. */
export interface CleanupPolicy {
  /** cleanup.policy includes "delete": retention.ms / retention.bytes remove old segments. */
  delete: boolean;
  /** cleanup.policy includes "compact". */
  compact: boolean;
  /** delete.retention.ms: how long tombstones outlive the records they delete. */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  minCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: clean once this share of the cleanable bytes is new since the last pass. */
  minCleanableRatio: number;
}

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

/**
 * The batch with only the records compaction keeps: the same buffer when every record stays,
 * null when none does, otherwise a new batch with the same base offset, last offset delta,
 * leader epoch, producer fields and codec.
 */
export function compactBatch(batch: Buffer, latest: OffsetMap, dropTombstones: boolean, txns?: TxnCleaning): { batch: Buffer | null; removed: number } {
  const header = readBatchHeader(batch);
  if (isControlBatch(header.attributes)) {
    // Transaction markers go once past the horizon with nothing of their transaction left (tombstone rule).
    if (txns && header.producerId >= 0 && txns.markerRemovable(header, dropTombstones)) return { batch: null, removed: header.recordCount };
    return { batch, removed: 0 };
  }
  if (txns?.isAborted(header)) return { batch: null, removed: header.recordCount };
  const records = decodeBatchRecords(batch, header);
  const kept = records.filter((r) => {
    if (r.key === null) return true;
    const newest = latest.get(keyOf(r.key));
    if (newest !== undefined && newest > r.offset) return false;
    return !(dropTombstones && r.value === null);
  });
  if (kept.length > 0) txns?.kept(header);
  if (kept.length === records.length) return { batch, removed: 0 };
  if (kept.length === 0) return { batch: null, removed: records.length };
  const builder = new BatchBuilder(batch.length);
  for (const r of kept) builder.append(r.key, r.value, r.headers, r.timestamp, r.offset - header.baseOffset);
  const rebuilt = builder.build({
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: compressionOf(header.attributes),
    logAppendTime: (header.attributes & Attr.LogAppendTime) !== 0,
    transactional: (header.attributes & Attr.Transactional) !== 0,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
  });
  return { batch: rebuilt, removed: records.length - kept.length };
}

/** Kafka's dirty ratio: the share of the cleanable bytes written since the last pass. */
export function dirtyRatio(cleanBytes: number, dirtyBytes: number): number {
  const total = cleanBytes + dirtyBytes;
  return total === 0 ? 0 : dirtyBytes / total;
}
