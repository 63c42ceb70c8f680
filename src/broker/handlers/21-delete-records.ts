/**
 * DeleteRecords (21), v0-2: moves a partition's log start offset forward (offset -1 means the
 * high watermark) and returns the new low watermark; segments wholly below it are deleted from disk.
 * Errors: OFFSET_OUT_OF_RANGE (beyond the high watermark, or negative other than -1),
 * POLICY_VIOLATION (cleanup.policy is compact without delete, as Kafka), UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER, TOPIC_AUTHORIZATION_FAILED (no DELETE on the topic), KAFKA_STORAGE_ERROR (an
 * I/O error, which takes the log dir offline, or the dir is offline).
 */
import { DeleteRecords } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { isStorageIoError } from '../log-dirs.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const { partitions } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (!allowed(ctx, AclOp.DELETE, ResourceType.TOPIC, t.name)) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          const found = partitions.leaderFor(t.name, p.partitionIndex);
          if ('error' in found) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: found.error };
          const { replica, topic } = found;
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
          return { partitionIndex: p.partitionIndex, lowWatermark: replica.logStartOffset(), errorCode: 0 };
        }),
      })),
    };
  },
});
