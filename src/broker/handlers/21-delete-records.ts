/**
 * DeleteRecords (21), v0-2: moves a partition's log start offset forward (offset -1 means the
 * high watermark) and returns the new low watermark; segments wholly below it are deleted from disk.
 * As in Kafka, the answer waits (up to the request's timeout) until the followers on live brokers
 * have moved their log start too, and the low watermark is the smallest over them; past the
 * timeout the partition answers REQUEST_TIMED_OUT, and NOT_LEADER_OR_FOLLOWER if this broker
 * stopped leading meanwhile (the leader's records are deleted all the same).
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
          const result = { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: 0 };
          const waiting = lowWatermarkReached(replica, state, (id) => ctx.cluster.isLive(id), target, deadline, ctx.onClose);
          if (typeof waiting === 'number') result.lowWatermark = waiting;
          else {
            waits.push(
              waiting.then((outcome) => {
                if (typeof outcome === 'number') result.lowWatermark = outcome;
                else result.errorCode = outcome === 'moved' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.REQUEST_TIMED_OUT;
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

/**
 * The low watermark once it reaches `target` (at once, when it already has), else a promise of it,
 * of 'moved' when this broker stops leading the partition, or of 'timeout' at the deadline or when
 * the requesting connection closes.
 */
function lowWatermarkReached(
  replica: PartitionReplica,
  state: PartitionState,
  isLive: (brokerId: number) => boolean,
  target: number,
  deadline: number,
  onClose: ((listener: () => void) => () => void) | undefined,
): number | Promise<number | 'moved' | 'timeout'> {
  const leader = state.leader;
  const replicas = [...new Set([...state.replicas, ...state.addingReplicas])];
  const low = () => replica.lowWatermark(replicas, leader, isLive);
  const now = low();
  if (now >= target) return now;
  return new Promise((resolve) => {
    let cancelWait = (): void => {};
    let stopListening = (): void => {};
    const finish = (outcome: number | 'moved' | 'timeout') => {
      clearTimeout(timer);
      cancelWait();
      stopListening();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
    stopListening = onClose?.(() => finish('timeout')) ?? stopListening;
    // The replica wakes its waiters when a follower reports its log start and when its role changes (state is the live metadata).
    const check = (): void => {
      if (state.leader !== leader) return finish('moved');
      const reached = low();
      if (reached >= target) finish(reached);
      else cancelWait = replica.onChange(check);
    };
    cancelWait = replica.onChange(check);
  });
}
