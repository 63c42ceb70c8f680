/**
 * AddOffsetsToTxn (25), v0-3: adds the group's __consumer_offsets partition to the transaction
 * (its offsets are then committed with TxnOffsetCommit and marked with the transaction). Needs
 * WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and READ on the group
 * (else GROUP_AUTHORIZATION_FAILED). Before v2, PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH, as Kafka does.
 */
import { AddOffsetsToTxn } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { offsetsPartitionFor } from '../../util/java-hash.js';
import { OFFSETS_TOPIC } from '../controller.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    if (!allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const offsets = ctx.cluster.metadata.topic(OFFSETS_TOPIC);
    if (!offsets) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const partition = offsetsPartitionFor(req.groupId, offsets.partitions.length);
    const error = await ctx.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: OFFSETS_TOPIC, partition }]);
    return answer(ctx.apiVersion < 2 && error === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : error);
  },
});
