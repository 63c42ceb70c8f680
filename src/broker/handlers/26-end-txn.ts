/**
 * EndTxn (26), v0-3: commits or aborts the producer's ongoing transaction. Answered once the
 * decision (PrepareCommit / PrepareAbort) is persisted in __transaction_state; the coordinator
 * then writes the markers to every partition and completes the transaction (requests meanwhile
 * get CONCURRENT_TRANSACTIONS). Needs WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED). Before v2, PRODUCER_FENCED is answered as
 * INVALID_PRODUCER_EPOCH, as Kafka does.
 */
import { EndTxn } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: EndTxn,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    if (!allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    const error = await ctx.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return { throttleTimeMs: 0, errorCode: ctx.apiVersion < 2 && error === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : error };
  },
});
