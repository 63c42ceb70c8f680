/**
 * InitProducerId (22), v0-4. Without a transactional id: a new producer id with epoch 0 (as in
 * Kafka; librdkafka bumps its epoch locally when it must); it needs IDEMPOTENT_WRITE on the
 * cluster or WRITE on some topic (else CLUSTER_AUTHORIZATION_FAILED). With one: the transaction
 * coordinator's answer (epoch bump, fencing, KIP-360 recovery with the v3+ producer id/epoch;
 * coordinator/transactions/coordinator.ts), after WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED). Before v4, PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH, as Kafka does. Ids come from the cluster metadata, so they stay unique
 * across restarts.
 */
import { InitProducerId } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed, allowedOnSomeResource, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: InitProducerId,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    const id = req.transactionalId;
    if (id !== null) {
      if (!allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, id)) return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const pid = req.producerId ?? -1;
      const epoch = req.producerEpoch ?? -1;
      if ((pid === -1) !== (epoch === -1)) return fail(ErrorCode.INVALID_REQUEST);
      const r = await ctx.transactions.initProducerId(id, req.transactionTimeoutMs, pid === -1 ? null : { producerId: pid, producerEpoch: epoch });
      const errorCode = ctx.apiVersion < 4 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
      return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
    }
    if (!clusterAllowed(ctx, AclOp.IDEMPOTENT_WRITE) && !allowedOnSomeResource(ctx, AclOp.WRITE, ResourceType.TOPIC)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    return { throttleTimeMs: 0, errorCode: 0, producerId: ctx.cluster.metadata.allocateProducerId(), producerEpoch: 0 };
  },
});
