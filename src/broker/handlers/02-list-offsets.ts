/**
 * ListOffsets (2), v0-10. Timestamps: -1 latest (high watermark), -2 earliest (log start),
 * -3 the record with the largest timestamp (v7+), -4 earliest local (v8+: the log start, as no
 * segment is tiered here), -5 latest tiered (v9+: offset -1, as nothing is tiered, which is what
 * Kafka answers with remote storage off), otherwise the first record at or after the timestamp
 * (offset -1 when there is none). With isolation_level read_committed (v2+) "latest" is the last
 * stable offset and lookups by time stop there too. v10 only adds the client's timeout. v0 answers with old-style offset lists, never empty.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, TOPIC_AUTHORIZATION_FAILED (no DESCRIBE),
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (v4+: the client's current leader epoch older / newer than the leader's),
 * KAFKA_STORAGE_ERROR (an I/O error, which takes the log dir offline, or the dir is offline),
 * INVALID_REQUEST (v1+: each mention of a partition named twice), UNKNOWN_SERVER_ERROR (v2+: every
 * partition, for an isolation level other than 0 or 1; Kafka fails the request so).
 */
import { ListOffsets } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { isStorageIoError } from '../log-dirs.js';
import { leaderEpochError } from '../leader-epoch.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';
import { turnTaker } from '../../util/slices.js';

/** The longest stretch of answering partitions between two turns of the event loop (a million took 5 s). */
const YIELD_AFTER_MS = 10;

export const LATEST = -1;
export const EARLIEST = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL = -4;
export const LATEST_TIERED = -5;

/** The (topic, partition) pairs a request names more than once. */
function duplicatePartitions(topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const t of topics) {
    for (const p of t.partitions) {
      const k = `${t.name}\u0000${p.partitionIndex}`;
      if (seen.has(k)) twice.add(k);
      else seen.add(k);
    }
  }
  return twice;
}

export default defineHandler({
  api: ListOffsets,
  minVersion: 0,
  maxVersion: 10,
  async handle(req, ctx) {
    const { partitions, apiVersion: v } = ctx;
    // v1+: a partition named twice is INVALID_REQUEST at each mention (ListOffsetsRequest.duplicatePartitions,
    // checked in KafkaApis after authorization).
    const duplicated = v >= 1 ? duplicatePartitions(req.topics) : new Set<string>();
    // v2+: an isolation level other than 0 or 1 makes Kafka's IsolationLevel.forId throw once a
    // partition is authorized; KafkaApis then answers ListOffsetsRequest.getErrorResponse with
    // UNKNOWN_SERVER_ERROR for every partition.
    if (v >= 2 && req.isolationLevel !== 0 && req.isolationLevel !== 1 && req.topics.some((t) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, t.name))) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, timestamp: -1, offset: -1, leaderEpoch: -1 })),
        })),
      };
    }
    const turn = turnTaker(YIELD_AFTER_MS);
    const topics = [];
    for (const t of req.topics) {
      const answers = [];
      for (const p of t.partitions) {
        await turn();
        answers.push(answerPartition(t.name, p));
      }
      topics.push({ name: t.name, partitions: answers });
    }
    return { throttleTimeMs: 0, topics };

    function answerPartition(topic: string, p: (typeof req.topics)[number]['partitions'][number]) {
      const base = { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [] as number[], timestamp: -1, offset: -1, leaderEpoch: -1 };
      if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, topic)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (duplicated.has(`${topic}\u0000${p.partitionIndex}`)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST };
      const found = partitions.leaderFor(topic, p.partitionIndex);
      if ('error' in found) return { ...base, errorCode: found.error };
      const { replica, state } = found;
      // v4+: the leader epoch the client knows, checked as Fetch checks it.
      const epochError = leaderEpochError(v >= 4 ? p.currentLeaderEpoch : -1, state.leaderEpoch);
      if (epochError !== null) return { ...base, errorCode: epochError };
      base.leaderEpoch = state.leaderEpoch;
      // read_committed (v2+): the latest offset is the last stable offset, and nothing after it is found by time.
      const stableEnd = v >= 2 && req.isolationLevel === 1 ? replica.producers.lastStableOffset(replica.highWatermark) : replica.highWatermark;
      let answer: { offset: number; timestamp: number } | null;
      try {
        if (p.timestamp === LATEST) answer = { offset: stableEnd, timestamp: -1 };
        else if (p.timestamp === EARLIEST) answer = { offset: replica.logStartOffset(), timestamp: -1 };
        else if (p.timestamp === MAX_TIMESTAMP && v >= 7) answer = replica.log.maxTimestamp();
        else if (p.timestamp === EARLIEST_LOCAL && v >= 8) answer = { offset: replica.logStartOffset(), timestamp: -1 };
        else if (p.timestamp === LATEST_TIERED && v >= 9) answer = null;
        else answer = replica.log.offsetForTimestamp(p.timestamp);
      } catch (e) {
        if (!isStorageIoError(e)) throw e;
        partitions.logDirFailure(`reading offsets of ${topic}-${p.partitionIndex}`, e);
        return { ...base, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
      }
      // Lookups by time never point at records beyond the high watermark.
      const byTime = p.timestamp !== LATEST && p.timestamp !== EARLIEST && !(p.timestamp === EARLIEST_LOCAL && v >= 8);
      if (byTime && answer && answer.offset >= stableEnd) answer = null;
      if (v === 0) {
        // Old-style answers are lists; Burrow reads the first element without checking.
        const offset = answer?.offset ?? replica.highWatermark;
        return { ...base, oldStyleOffsets: [offset] };
      }
      return { ...base, offset: answer?.offset ?? -1, timestamp: answer?.timestamp ?? -1 };
    }
  },
});
