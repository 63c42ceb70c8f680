/**
 * The storage interface the broker writes partitions through. Two implementations:
 * `DiskLogStore` (segmented files, used by the daemon) and `MemoryLogStore` (fast tests).
 *
 * Batches are stored exactly as produced; only baseOffset and partitionLeaderEpoch are written by
 * the log, and compaction rewrites batches of compacted topics (keeping their offsets). Reads
 * return stored bytes, whole batches only.
 */
import { type CleanupPolicy, type CompactionResult, DEFAULT_CLEANUP } from './compaction.js';
import { decodeBatchWith, nextOffsetOf, readBatchHeader } from '../protocol/record-batch.js';
import type { AbortedTxn } from './aborted-txn.js';

export type { AbortedTxn } from './aborted-txn.js';

export interface LogConfig {
  /** Roll to a new segment when the active one would exceed this size. */
  segmentBytes: number;
  /** Roll when the active segment's first batch is older than this. */
  segmentMs: number;
  /** segment.jitter.ms: each segment rolls up to this much (a random share) before segmentMs. */
  segmentJitterMs?: number;
  /** Bytes between sparse index entries. */
  indexIntervalBytes: number;
  /** segment.index.bytes: a segment rolls once its offset or time index would pass this size. */
  segmentIndexBytes?: number;
  /** Delete whole segments older than this (-1: keep forever). */
  retentionMs: number;
  /** Delete oldest segments while the log is larger than this (-1: no limit). */
  retentionBytes: number;
  /** Whether retention deletes old segments, compaction cleans them, or both. */
  cleanup: CleanupPolicy;
  /** flush.messages: sync after this many messages (absent or >= 2^53: never; the OS writes back). */
  flushMessages?: number;
  /** flush.ms: sync at most this long after an append (absent or >= 2^53: never). */
  flushMs?: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  indexIntervalBytes: 4096,
  retentionMs: 604800000,
  retentionBytes: -1,
  cleanup: DEFAULT_CLEANUP,
};

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

export interface ReadResult {
  /** Whole batches, in offset order; empty when nothing is available. */
  batches: Buffer[];
  bytes: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

/** Producer state saved beside a log (Kafka's .snapshot files), describing the log below `offset`. */
export interface ProducerSnapshot {
  offset: number;
  data: Buffer;
  /** The file it was read from (a disk store's). */
  file?: string;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  /** First offset still stored. */
  logStartOffset(): number;
  /** Offset the next appended record gets. */
  logEndOffset(): number;
  /**
   * Appends one v2 batch, stamping its base offset (and leader epoch) in place. The caller has
   * validated the batch; the bytes are written as they are.
   */
  append(batch: Buffer, leaderEpoch: number): AppendResult;
  /** Appends a batch that already carries its offsets (replication). */
  appendAsFollower(batch: Buffer): AppendResult;
  /**
   * Reads whole batches starting with the one containing `offset`, up to about `maxBytes`
   * (always the whole first batch), stopping before `maxOffset` (exclusive; the high watermark).
   */
  read(offset: number, maxBytes: number, maxOffset: number): ReadResult;
  /** The first record whose timestamp is >= `timestamp`, or null when there is none. */
  offsetForTimestamp(timestamp: number): TimestampOffset | null;
  /** The record with the largest timestamp (ListOffsets -3), or null for an empty log. */
  maxTimestamp(): TimestampOffset | null;
  /** Leader epoch at which each epoch started (replication: epoch -> start offset). */
  leaderEpochs(): { epoch: number; startOffset: number }[];
  /** Moves the log start offset forward (DeleteRecords); whole segments below it are removed. */
  deleteRecordsBefore(offset: number): void;
  /**
   * Removes everything at and after `offset` (replication: divergent follower logs). A batch
   * holding `offset` is removed whole, so the log may end below `offset`.
   */
  truncateTo(offset: number): void;
  /** Empties the log and starts it over at `offset` (a follower behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void;
  /** Records that leader epoch `epoch` starts at the current log end (a replica became leader). */
  markLeaderEpoch(epoch: number): void;
  /**
   * Applies time and size retention (cleanup.policy delete); returns the number of segments
   * deleted, the active one included when all of it has expired (the log then starts at its end).
   * The log start never passes `maxStartOffset()` (the last stable offset below the high
   * watermark, asked only when a segment is about to go: data of an open transaction stays).
   */
  applyRetention(now: number, maxStartOffset?: () => number): number;
  /**
   * Compacts the log (cleanup.policy compact) below `uncleanableFrom` — the high watermark, so
   * nothing a leader change could still truncate decides what is removed — when enough of it is
   * new since the last pass. Returns null when there was nothing to do.
   */
  compact(now: number, uncleanableFrom: number): CompactionResult | null;
  /**
   * The newest saved producer state, or null. Truncation removes snapshots that describe offsets
   * the log no longer has, so one returned here always describes a prefix of the log.
   */
  producerSnapshot(): ProducerSnapshot | null;
  /**
   * Writes out the index entries the log keeps in memory (a disk log writes them in groups), so
   * that the index files of its active segment are current for readers of the files (dump-log);
   * the broker calls it every few seconds. Throws on an I/O error.
   */
  writeIndexes(): void;
  /** Whether writeIndexes has entries to write (cheap: asked of every partition every few seconds). */
  indexesDue(): boolean;
  /** Saves producer state describing the log below `offset`, replacing older snapshots. */
  saveProducerSnapshot(offset: number, data: Buffer): void;
  /**
   * Records an aborted transaction in the index of the segment holding its marker (`lastOffset`,
   * at the log end). Truncation removes entries whose marker is gone; a deleted segment takes its
   * entries with it.
   */
  appendAbortedTxn(txn: AbortedTxn): void;
  /** The marker offset of the newest indexed aborted transaction, or -1. */
  lastAbortedTxnOffset(): number;
  /** Aborted transactions overlapping [from, upTo): lastOffset >= from and firstOffset < upTo, in marker order. */
  abortedTxns(from: number, upTo: number): AbortedTxn[];
  /**
   * Durable mode: when flush.messages appends have gathered since the last sync, starts one and
   * returns it (the caller answers only after it resolves); otherwise null, at no cost.
   */
  syncDue(): Promise<void> | null;
  /**
   * Makes everything appended so far durable (fdatasync, group-committed across the log dir). A
   * failed sync leaves what it was to sync unsynced: the next one tries it again.
   */
  sync(): Promise<void>;
  sizeInBytes(): number;
  updateConfig(config: LogConfig): void;
  close(): void;
}

/**
 * Told of an I/O error a store met on its own, outside any call that could throw it (a flush.ms
 * sync run by a timer); `doing` says what failed, e.g. "syncing t-0 to disk".
 */
export type StorageFailureListener = (doing: string, error: Error) => void;

export interface LogStore {
  /**
   * Where errors met in the background go (the broker takes its log dir offline, as Kafka does on
   * an fsync IOException). Without a listener the store logs them.
   */
  onFailure(listener: StorageFailureListener): void;
  /**
   * Opens (creating if needed) the log of one partition. With `topicId`, a disk store records the
   * topic's id with the log (Kafka's partition.metadata) and throws TopicIdMismatchError for a log
   * recorded for another id: one left by a deleted topic of the same name.
   */
  open(topic: string, partition: number, config: LogConfig, topicId?: Buffer): PartitionLog;
  /** Deletes a partition's data. The log must not be used afterwards. */
  remove(topic: string, partition: number): void;
  /** Partitions that have data in this store. */
  list(): { topic: string; partition: number }[];
  /**
   * Disk stores: a log no topic of this broker's has (a stray one). Removed when it holds no
   * record; else set aside under another name (never read again) and that path returned.
   */
  removeStray?(topic: string, partition: number): string | null;
  /**
   * Disk stores: claims the log directory for `owner` (Kafka's meta.properties), throwing when it
   * belongs to another cluster or broker (src/storage/disk/log-dir-identity.ts).
   */
  claim?(owner: { clusterId: string; nodeId: number; newCluster: boolean }, warn: (line: string) => void): void;
  /**
   * Closes every log. `clean: false` (the broker took the log dir offline after an I/O error)
   * closes what it can and does not mark the shutdown clean, so the next start validates the logs.
   */
  close(clean?: boolean): void;
}

/** Thrown by a log when an operation hits bad stored data or an impossible request. */
export class StorageError extends Error {
  override name = 'StorageError';
}

/**
 * Thrown by LogStore.open for a partition log recorded for another topic id than the one it is
 * opened for: a topic of the same name deleted while its broker was stopped. The log is not
 * opened (nor changed); it is a stray one (LogStore.removeStray).
 */
export class TopicIdMismatchError extends StorageError {
  override name = 'TopicIdMismatchError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    dir: string,
    readonly recorded: Buffer,
    readonly expected: Buffer,
  ) {
    super(`The log of ${topic}-${partition} in ${dir} belongs to topic id ${recorded.toString('base64url')}, not to ${expected.toString('base64url')} (the topic was deleted and created again)`);
  }
}

/** Thrown when a read asks for an offset outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends StorageError {
  override name = 'OffsetOutOfRangeError';
}

/** Kafka's partition directory name. */
export const partitionDirName = (topic: string, partition: number): string => `${topic}-${partition}`;

export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  return m ? { topic: m[1]!, partition: Number(m[2]) } : null;
}

/**
 * Every stored batch of `log` from the one holding `from` up to `end`, in order. It steps by each
 * batch's end offset, not its last record's: compaction may have removed the records after it.
 */
export function* readBatches(log: PartitionLog, from: number, end: number): Generator<Buffer> {
  let position = from;
  while (position < end) {
    const { batches } = log.read(position, 4 << 20, end);
    if (batches.length === 0) return;
    for (const batch of batches) {
      yield batch;
      position = Math.max(position, nextOffsetOf(batch));
    }
  }
}

/**
 * ListOffsets MAX_TIMESTAMP names the record with the largest timestamp, not the last offset of
 * its batch (Kafka 3.7.1+, KAFKA-16310): the first record of `batch`, at or past `from` (the log
 * start), whose timestamp is `best.timestamp`. `best` (the batch's answer) when none is.
 */
export function recordOfMaxTimestamp(batch: Buffer, best: TimestampOffset, from: number): TimestampOffset {
  let found: TimestampOffset | null = null;
  decodeBatchWith(batch, readBatchHeader(batch), (offset, timestamp) => {
    if (found === null && offset >= from && timestamp === best.timestamp) found = { offset, timestamp };
    return null;
  });
  return found ?? best;
}

