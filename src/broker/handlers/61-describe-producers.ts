/**
 * DescribeProducers (61), v0: the active producers of partitions as this broker's replica keeps
 * them (Kafka's ReplicaManager.activeProducerState: any replica hosting the log answers, so the
 * admin may ask a follower with --broker-id; a broker without a replica answers
 * NOT_LEADER_OR_FOLLOWER). Per producer: id, epoch, last sequence, last write time, the coordinator
 * epoch of its last marker and the first offset of its open transaction (-1: none). Needs READ on
 * the topic (TOPIC_AUTHORIZATION_FAILED), as Kafka; UNKNOWN_TOPIC_OR_PARTITION for a topic or
 * partition the cluster does not have; KAFKA_STORAGE_ERROR when the log is offline.
 */
import { DescribeProducers } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import type { ActiveProducer } from '../producer-state.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

type Answer = { errorCode: number; errorMessage: string | null; activeProducers: ActiveProducer[] };
const fail = (errorCode: number, errorMessage: string | null = null): Answer => ({ errorCode, errorMessage, activeProducers: [] });

export default defineHandler({
  api: DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { cluster, partitions } = ctx;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        const topic = cluster.metadata.topic(t.name);
        const topicError = !allowed(ctx, AclOp.READ, ResourceType.TOPIC, t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : !topic ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0;
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => {
            const answer = ((): Answer => {
              if (topicError) return fail(topicError);
              if (!topic?.partitions[partitionIndex]) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
              const replica = partitions.replicas.get(`${t.name}-${partitionIndex}`);
              if (!replica) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
              if (partitions.logDirState.offline || cluster.replicaOffline(cluster.id, t.name, partitionIndex)) {
                return fail(ErrorCode.KAFKA_STORAGE_ERROR, `Partition ${t.name}-${partitionIndex} is in an offline log directory`);
              }
              return { errorCode: 0, errorMessage: null, activeProducers: replica.producers.activeProducers() };
            })();
            return { partitionIndex, ...answer };
          }),
        };
      }),
    };
  },
});
