/**
 * DescribeTopicPartitions (75), v0: topic and partition state with eligible-leader-replica
 * fields (always empty here) and cursor paging by `response_partition_limit`.
 * An empty topic list asks for every topic the client may describe (others are left out, as
 * Kafka's fetchAllTopics does). The limit is clamped to [1, max.request.partition.size.limit].
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE (partition without a live leader),
 * TOPIC_AUTHORIZATION_FAILED (no DESCRIBE on a named topic).
 */
import { DescribeTopicPartitions, type DescribeTopicPartitionsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../util/ids.js';
import { defineHandler } from '../handler.js';
import { NOT_REQUESTED } from '../acl-operations.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

/** Kafka's max.request.partition.size.limit default: the most partitions one answer holds. */
const MAX_REQUEST_PARTITION_SIZE_LIMIT = 2000;

export default defineHandler({
  api: DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { cluster } = ctx;
    const limit = Math.max(Math.min(MAX_REQUEST_PARTITION_SIZE_LIMIT, req.responsePartitionLimit), 1);
    const all = req.topics.length === 0;
    const names = all
      ? cluster.metadata
          .allTopics()
          .map((t) => t.name)
          .filter((name) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, name))
      : [...new Set(req.topics.map((t) => t.name))].sort();
    // Paging goes on from the cursor's topic, or the next one by name if it has gone meanwhile.
    const cursorName = req.cursor?.topicName;
    const start = cursorName === undefined ? 0 : names.findIndex((n) => n >= cursorName);
    const topics: DescribeTopicPartitionsResponse['topics'] = [];
    let budget = limit;
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (let i = start < 0 ? names.length : start; i < names.length; i++) {
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
      const first = req.cursor && req.cursor.topicName === name ? Math.max(0, req.cursor.partitionIndex) : 0;
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
