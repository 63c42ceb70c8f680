/**
 * InitProducerId (22), v0-4: hands an idempotent producer a new producer id with epoch 0 (a
 * producer without a transactional id always gets a fresh one, as in Kafka; librdkafka bumps its
 * epoch locally when it must). Ids come from the cluster metadata, so they stay unique across
 * restarts. Transactions are not offered: a transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
 * which clients report at once instead of retrying. An idempotent producer needs IDEMPOTENT_WRITE
 * on the cluster or WRITE on some topic (else CLUSTER_AUTHORIZATION_FAILED), as Kafka.
 */
import { InitProducerId } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowedOnSomeResource, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    if (req.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    if (!clusterAllowed(ctx, AclOp.IDEMPOTENT_WRITE) && !allowedOnSomeResource(ctx, AclOp.WRITE, ResourceType.TOPIC)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    return { throttleTimeMs: 0, errorCode: 0, producerId: ctx.cluster.metadata.allocateProducerId(), producerEpoch: 0 };
  },
});
