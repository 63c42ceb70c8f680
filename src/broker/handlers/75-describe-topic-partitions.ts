/**
 * DescribeTopicPartitions (75), v0: topic and partition state with eligible-leader-replica
 * fields (always empty here) and cursor paging by `response_partition_limit`.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE (partition without a live leader),
 * TOPIC_AUTHORIZATION_FAILED (no DESCRIBE on the topic).
 */
import { DescribeTopicPartitions, type DescribeTopicPartitionsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../util/ids.js';
import { defineHandler } from '../handler.js';
import { NOT_REQUESTED } from '../acl-operations.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { cluster } = ctx;
    const limit = req.responsePartitionLimit > 0 ? req.responsePartitionLimit : 2000;
    const names = [...new Set(req.topics.map((t) => t.name))].sort();
    const start = req.cursor ? names.indexOf(req.cursor.topicName) : 0;
    const topics: DescribeTopicPartitionsResponse['topics'] = [];
    let budget = limit;
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (let i = Math.max(0, start); i < names.length; i++) {
      const name = names[i]!;
      const t = cluster.metadata.topic(name);
      if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, name)) {
        topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: NOT_REQUESTED });
        continue;
      }
      if (!t) {
        topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: NOT_REQUESTED });
        continue;
      }
      const first = req.cursor && req.cursor.topicName === name ? req.cursor.partitionIndex : 0;
      const partitions: DescribeTopicPartitionsResponse['topics'][number]['partitions'] = [];
      for (let p = first; p < t.partitions.length; p++) {
        if (budget === 0) {
          nextCursor = { topicName: name, partitionIndex: p };
          break;
        }
        const s = t.partitions[p]!;
        const live = s.leader >= 0 && cluster.isLive(s.leader) && !cluster.replicaOffline(s.leader, name, p);
        partitions.push({
          errorCode: live ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: p,
          leaderId: live ? s.leader : -1,
          leaderEpoch: s.leaderEpoch,
          replicaNodes: s.replicas,
          isrNodes: s.isr,
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: s.replicas.filter((r) => !cluster.isLive(r) || cluster.replicaOffline(r, name, p)),
        });
        budget--;
      }
      topics.push({ errorCode: 0, name, topicId: t.id, isInternal: t.internal, partitions, topicAuthorizedOperations: NOT_REQUESTED });
      if (nextCursor) break;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
