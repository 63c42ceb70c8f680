/**
 * DeleteRecords (21), v0-2: moves a partition's log start offset forward (offset -1 means the
 * high watermark) and returns the new low watermark; segments wholly below it are deleted from disk.
 * As in Kafka, the answer waits (up to the request's timeout) until the in-sync followers have moved
 * their log start too, and the low watermark is the smallest over them; past the timeout the
 * partition answers REQUEST_TIMED_OUT (the leader's records are deleted all the same).
 * Errors: OFFSET_OUT_OF_RANGE (beyond the high watermark, or negative other than -1),
 * POLICY_VIOLATION (cleanup.policy is compact without delete, as Kafka), UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER, TOPIC_AUTHORIZATION_FAILED (no DELETE on the topic), KAFKA_STORAGE_ERROR (an
 * I/O error, which takes the log dir offline, or the dir is offline).
 */
import { DeleteRecords } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionState } from '../metadata/cluster-metadata.js';
import type { PartitionReplica } from '../replica.js';
import { defineHandler } from '../handler.js';
import { isStorageIoError } from '../log-dirs.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const { partitions } = ctx;
    const deadline = Date.now() + Math.max(0, req.timeoutMs);
    const waits: Promise<void>[] = [];
    const answer = {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!allowed(ctx, AclOp.DELETE, ResourceType.TOPIC, t.name)) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          const found = partitions.leaderFor(t.name, p.partitionIndex);
          if ('error' in found) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: found.error };
          const { replica, state, topic } = found;
          // The topic's effective cleanup.policy (override, dynamic broker default, static default), from the partition service.
          const policy = partitions.topicConfig(topic, 'cleanup.policy').split(',').map((x) => x.trim());
          if (!policy.includes('delete')) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.POLICY_VIOLATION };
          const target = p.offset === -1 ? replica.highWatermark : p.offset;
          if (target < 0 || target > replica.highWatermark) {
            return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
          }
          try {
            replica.log.deleteRecordsBefore(target);
          } catch (e) {
            if (!isStorageIoError(e)) throw e;
            partitions.logDirFailure(`deleting records of ${t.name}-${p.partitionIndex}`, e);
            return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
          }
          // Followers learn the new log start from their next fetch answer (fetch.ts sends it at once).
          replica.notify();
          const result = { partitionIndex: p.partitionIndex, lowWatermark: replica.lowWatermark(state.isr, state.leader), errorCode: 0 };
          if (result.lowWatermark < target) {
            waits.push(
              lowWatermarkReached(replica, state, target, deadline).then((low) => {
                result.lowWatermark = low ?? -1;
                if (low === null) result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
              }),
            );
          }
          return result;
        }),
      })),
    };
    await Promise.all(waits);
    return answer;
  },
});

/** Resolves with the low watermark once it reaches `target`, or null at the deadline. */
function lowWatermarkReached(replica: PartitionReplica, state: PartitionState, target: number, deadline: number): Promise<number | null> {
  return new Promise((resolve) => {
    let cancel = (): void => {};
    const timer = setTimeout(() => {
      cancel();
      resolve(null);
    }, Math.max(0, deadline - Date.now()));
    const check = (): void => {
      const low = replica.lowWatermark(state.isr, state.leader);
      if (low >= target) {
        clearTimeout(timer);
        resolve(low);
      } else cancel = replica.onChange(check);
    };
    check();
  });
}
