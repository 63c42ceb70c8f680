/**
 * The one path a batch takes into a partition this broker leads, as Kafka's
 * `Partition.appendRecordsToLeader`: leadership and min.insync.replicas checks, the idempotent
 * producer check (a retried batch is answered with the offsets it was first written at), broker
 * timestamps for LogAppendTime topics, the append itself and, for acks=-1, the wait for the
 * in-sync replicas. `produceToLeader` puts a client's records through the LogValidator checks
 * first; the group coordinator appends its own batches with `appendToLeader` directly, and
 * WriteTxnMarkers its transaction markers with `appendMarkerToLeader`.
 */
import { CompressionType, compressionByName } from '../../protocol/compression.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { RecordBatchView } from '../../protocol/record-batch.js';
import { type EndTxnMarker, encodeEndTxnMarkerBatch } from '../../protocol/control-records.js';
import type { ClusterMetadata, PartitionState, TopicState } from '../metadata/cluster-metadata.js';
import { isStorageIoError } from '../log-dirs.js';
import { producerBatchFrom } from '../producer-state.js';
import type { PartitionReplica } from '../replica.js';
import { type RecordError, isRefusal, upConvertLegacy, validateProducedBatch } from './log-validator.js';
import { offThreadCodecs } from './codec-offload.js';

export type LeaderLookup = { replica: PartitionReplica; state: PartitionState; topic: TopicState } | { error: number; message?: string };

export interface AppendOutcome {
  errorCode: number;
  errorMessage?: string | null;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordErrors?: RecordError[];
}

/** What the append path needs from the broker that hosts the partition (implemented by Broker). */
export interface LeaderAppendHost {
  readonly id: number;
  readonly running: boolean;
  readonly metadata: Pick<ClusterMetadata, 'topic'>;
  /** Finds the partition and checks that this broker leads it. */
  leaderFor(topic: string, partition: number): LeaderLookup;
  topicConfig(topic: TopicState, name: string): string;
  /** An I/O error met while `doing` something with a partition's log: its log dir goes offline. */
  logDirFailure(doing: string, error: Error): void;
  /**
   * KIP-890 (transaction.partition.verification.enable): whether the transaction coordinator has
   * this partition in the producer's ongoing transaction, asked before appending a transactional
   * batch that would start the producer's transaction here. 0 (also when verification is off),
   * or the coordinator's error. Synchronous: nothing can change between the answer and the append.
   * Absent: no verification.
   */
  verifyTransaction?(transactionalId: string | null, producerId: number, producerEpoch: number, topic: string, partition: number): number;
}

export interface ProduceOptions {
  acks: number;
  timeoutMs: number;
  /** The Produce version: v0-2 carry legacy message sets; validation depends on it too. */
  apiVersion: number;
  /** The request's transactional id (null: none), for the verification of transactional batches. */
  transactionalId?: string | null;
}

const refused = (errorCode: number, errorMessage: string | null = null): AppendOutcome => ({
  errorCode,
  errorMessage,
  baseOffset: -1,
  logAppendTimeMs: -1,
  logStartOffset: -1,
});

/** A client's records for one partition (Produce): request checks, validation, then the append. */
export async function produceToLeader(host: LeaderAppendHost, topicName: string, partition: number, records: Buffer | null, opts: ProduceOptions): Promise<AppendOutcome> {
  if (opts.acks !== 0 && opts.acks !== 1 && opts.acks !== -1) return refused(ErrorCode.INVALID_REQUIRED_ACKS);
  const topic = host.metadata.topic(topicName);
  if (!topic) return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (topic.internal) return refused(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topicName}`);
  if (opts.apiVersion < 3) {
    const converted = upConvertLegacy(records);
    if (!Buffer.isBuffer(converted)) return refused(converted.errorCode, converted.errorMessage);
    records = converted;
  }
  let checked = validateProducedBatch(records, {
    apiVersion: opts.apiVersion,
    maxMessageBytes: Number(host.topicConfig(topic, 'max.message.bytes')),
    compacted: host.topicConfig(topic, 'cleanup.policy').includes('compact'),
    logAppendTime: host.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime',
    partitionName: `${topicName}-${partition}`,
    storedCompression: storedCompression(host, topic),
    timestampBounds: timestampBounds(host, topic),
    offThread: offThreadCodecs,
  });
  // Large batches whose codec work is done off the event loop (codec-offload.ts): it goes on meanwhile.
  if (checked instanceof Promise) checked = await checked;
  if (isRefusal(checked)) return { ...refused(checked.errorCode, checked.errorMessage), recordErrors: checked.recordErrors };
  return appendToLeader(host, topicName, partition, checked, opts.acks, opts.timeoutMs, 'client', opts.transactionalId ?? null);
}

/**
 * A verification error as Kafka answers it to Produce before v12 (ReplicaManager's
 * handleProduceAppend and AddPartitionsToTxnManager): the coordinator's retriable errors become
 * NOT_ENOUGH_REPLICAS (clients retry it without a metadata refresh), PRODUCER_FENCED becomes
 * INVALID_PRODUCER_EPOCH, a partition not in the transaction INVALID_TXN_STATE.
 */
function verificationRefusal(error: number): AppendOutcome {
  switch (error) {
    case ErrorCode.INVALID_TXN_STATE:
      return refused(ErrorCode.INVALID_TXN_STATE, 'Partition was not added to the transaction');
    case ErrorCode.PRODUCER_FENCED:
      return refused(ErrorCode.INVALID_PRODUCER_EPOCH);
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return refused(ErrorCode.NOT_ENOUGH_REPLICAS, `Unable to verify the partition has been added to the transaction. Underlying error: ${errorInfo(error).name}`);
    default:
      return refused(error);
  }
}

/** A CreateTime topic's record timestamp bounds (KIP-937), unless both are unbounded (the default). */
function timestampBounds(host: LeaderAppendHost, topic: TopicState): { beforeMaxMs: number; afterMaxMs: number; now: number } | null {
  if (host.topicConfig(topic, 'message.timestamp.type') !== 'CreateTime') return null;
  const [beforeMaxMs, afterMaxMs] = [Number(host.topicConfig(topic, 'message.timestamp.before.max.ms')), Number(host.topicConfig(topic, 'message.timestamp.after.max.ms'))];
  return beforeMaxMs >= Number.MAX_SAFE_INTEGER && afterMaxMs >= Number.MAX_SAFE_INTEGER ? null : { beforeMaxMs, afterMaxMs, now: Date.now() };
}

/** The topic's compression.type and its codec's level, unless it is `producer` (batches stored as produced). */
function storedCompression(host: LeaderAppendHost, topic: TopicState): { codec: number; level?: number } | null {
  const type = host.topicConfig(topic, 'compression.type').toLowerCase();
  if (type === 'producer') return null;
  const codec = type === 'uncompressed' ? CompressionType.none : compressionByName(type);
  // lz4's level cannot be chosen here (compression.lz4.level has no effect); snappy has none.
  if (type !== 'gzip' && type !== 'zstd') return { codec };
  const level = Number(host.topicConfig(topic, `compression.${type}.level`));
  // gzip's -1 is its library's default level.
  return type === 'gzip' && level === -1 ? { codec } : { codec, level };
}

/**
 * Appends one validated batch as leader. With acks=-1 the result waits until the in-sync
 * replicas have it (or the timeout passes).
 */
export async function appendToLeader(
  host: LeaderAppendHost,
  topicName: string,
  partition: number,
  batch: RecordBatchView,
  acks: number,
  timeoutMs: number,
  /** 'coordinator': written by this broker's coordinators (Kafka's AppendOrigin.Coordinator): no sequence checks. */
  origin: 'client' | 'coordinator' = 'client',
  /** A client's transactional id (Produce), for the verification of its transactional batches. */
  transactionalId: string | null = null,
): Promise<AppendOutcome> {
  const found = host.leaderFor(topicName, partition);
  if ('error' in found) return refused(found.error, found.message ?? null);
  const { replica, state, topic } = found;
  const minIsr = Number(host.topicConfig(topic, 'min.insync.replicas'));
  if (acks === -1 && state.isr.length < minIsr) {
    return refused(
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR ${JSON.stringify(state.isr).replace(/,/g, ', ')} is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topicName}-${partition}`,
    );
  }
  let logAppendTimeMs = -1;
  let baseOffset: number;
  let lastOffset: number;
  const pid = producerBatchFrom(batch);
  // KIP-890: a client's transactional batch that would start its producer's transaction in this
  // partition needs the coordinator's word that the partition was added to that transaction
  // (Kafka's verification guard); one that continues an open transaction does not.
  if (origin === 'client' && pid?.transactional && !pid.control && host.verifyTransaction && !replica.producers.hasOpenTransaction(pid.producerId, pid.epoch)) {
    const error = host.verifyTransaction(transactionalId, pid.producerId, pid.epoch, topicName, partition);
    if (error) return { ...verificationRefusal(error), logStartOffset: replica.logStartOffset() };
  }
  const verdict = pid ? replica.producers.check(pid, replica.key, Date.now(), origin === 'client') : ({ kind: 'append' } as const);
  if (verdict.kind === 'error') return { ...refused(verdict.errorCode, verdict.message), logStartOffset: replica.logStartOffset() };
  if (verdict.kind === 'duplicate') {
    // A retry of a batch already written: answer with where it went, write nothing.
    ({ baseOffset, lastOffset } = verdict);
  } else {
    // LogAppendTime topics: the broker sets the timestamp type and max timestamp, then re-checksums.
    if (host.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime') {
      logAppendTimeMs = Date.now();
      batch.stampLogAppendTime(logAppendTimeMs);
    }
    try {
      ({ baseOffset, lastOffset } = replica.log.append(batch.buffer, state.leaderEpoch));
    } catch (e) {
      if (!isStorageIoError(e)) throw e;
      // Nothing is acknowledged: the log dir goes offline, and a partly written batch is cut by
      // recovery at the next start (the log's own state never counted it).
      const doing = `appending records to ${topicName}-${partition}`;
      host.logDirFailure(doing, e);
      return refused(ErrorCode.KAFKA_STORAGE_ERROR, `Error while ${doing}: ${e.code ?? e.message}`);
    }
    replica.producers.appended(pid, baseOffset, lastOffset);
    replica.updateHighWatermark(state.isr, host.id);
    replica.notify();
    // Durable mode (flush.messages): the answer waits for the group-committed fdatasync.
    const due = replica.log.syncDue();
    if (due) {
      try {
        await due;
      } catch (e) {
        if (!isStorageIoError(e)) throw e;
        const doing = `syncing ${topicName}-${partition} to disk`;
        host.logDirFailure(doing, e);
        return refused(ErrorCode.KAFKA_STORAGE_ERROR, `Error while ${doing}: ${e.code ?? e.message}`);
      }
    }
  }
  const outcome = { errorCode: 0, baseOffset, logAppendTimeMs, logStartOffset: replica.logStartOffset() };
  if (acks !== -1 || replica.highWatermark > lastOffset) return outcome;
  // Wait for the ISR, but stop waiting when it shrinks below min.insync.replicas or this broker
  // stops leading (the replica is woken on every ISR or leadership change).
  const now = () => host.metadata.topic(topicName)?.partitions[partition];
  const settled = () => {
    const s = now();
    return replica.highWatermark > lastOffset || !s || s.leader !== host.id || s.isr.length < minIsr || !host.running;
  };
  await waitFor(host, replica, settled, timeoutMs);
  if (replica.highWatermark > lastOffset) return outcome;
  const s = now();
  if (!s || s.leader !== host.id || !host.running) return { ...outcome, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  // Written locally but not replicated in time.
  return { ...outcome, errorCode: s.isr.length < minIsr ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.REQUEST_TIMED_OUT };
}

/**
 * Appends a transaction marker (WriteTxnMarkers) as leader, acks=-1 as Kafka's coordinator asks:
 * the producer state checks its epoch (INVALID_PRODUCER_EPOCH) and coordinator epoch
 * (TRANSACTION_COORDINATOR_FENCED); the marker closes the producer's transaction and an abort
 * lands in the aborted-transaction index.
 */
export function appendMarkerToLeader(host: LeaderAppendHost, topicName: string, partition: number, producerId: number, producerEpoch: number, marker: EndTxnMarker, timeoutMs: number): Promise<AppendOutcome> {
  const batch = new RecordBatchView(encodeEndTxnMarkerBatch(producerId, producerEpoch, marker));
  return appendToLeader(host, topicName, partition, batch, -1, timeoutMs, 'coordinator');
}

/** Waits until `done()` holds, re-checking whenever the replica changes, up to timeoutMs. */
function waitFor(host: LeaderAppendHost, replica: PartitionReplica, done: () => boolean, timeoutMs: number): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    let cancel = () => {};
    const timer = setTimeout(() => {
      cancel();
      resolve(done());
    }, timeoutMs);
    const arm = () => {
      cancel = replica.onChange(() => {
        if (done() || !host.running) {
          clearTimeout(timer);
          resolve(done());
        } else arm();
      });
    };
    arm();
  });
}
