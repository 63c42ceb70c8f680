/**
 * ListTransactions (66), v0-1: the transactional ids this broker coordinates, as Kafka's
 * TransactionStateManager lists them: filtered by state names (unknown names are returned in
 * unknownStateFilters), by producer ids and (v1) by duration (only transactions started more than
 * durationFilter ms ago); Dead (expiring) ids are left out, and so are the ids the principal may
 * not DESCRIBE (KafkaApis). COORDINATOR_LOAD_IN_PROGRESS while a __transaction_state partition
 * loads.
 */
import { ListTransactions } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const listed = ctx.transactions.list({
      states: req.stateFilters,
      producerIds: req.producerIdFilters,
      durationFilterMs: ctx.apiVersion >= 1 ? (req.durationFilter ?? -1) : -1,
    });
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      unknownStateFilters: listed.unknownStateFilters,
      transactionStates: listed.transactions
        .filter((t) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId))
        .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  },
});
