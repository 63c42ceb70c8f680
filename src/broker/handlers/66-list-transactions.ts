/**
 * ListTransactions (66), v0-1: the transactional ids this broker coordinates, as Kafka's
 * TransactionStateManager lists them: filtered by state names (unknown names are returned in
 * unknownStateFilters, and match nothing), by producer ids and (v1) by duration (only transactions
 * started more than durationFilter ms ago); Dead (expiring) ids are left out, and so are the ids the
 * principal may not DESCRIBE. COORDINATOR_LOAD_IN_PROGRESS while a __transaction_state partition
 * loads.
 */
import { ListTransactions } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';
import { transactionQueries } from './65-describe-transactions.js';

const STATES = new Set(['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'PrepareEpochFence', 'Dead']);

export default defineHandler({
  api: ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const unknownStateFilters = req.stateFilters.filter((s) => !STATES.has(s));
    const q = transactionQueries(ctx);
    // A broker without a coordinator coordinates nothing.
    if (!q) return { throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates: [] };
    const listed = q.listTransactions();
    if (listed.errorCode) return { throttleTimeMs: 0, errorCode: listed.errorCode, unknownStateFilters: [], transactionStates: [] };
    const states = new Set(req.stateFilters);
    const producerIds = new Set(req.producerIdFilters);
    const durationMs = ctx.apiVersion >= 1 ? (req.durationFilter ?? -1) : -1;
    const now = Date.now();
    const transactionStates = listed.transactions
      .filter((t) => {
        if (t.state === 'Dead') return false;
        if (producerIds.size > 0 && !producerIds.has(t.producerId)) return false;
        if (states.size > 0 && !states.has(t.state)) return false;
        if (durationMs >= 0 && now - t.startTimeMs <= durationMs) return false;
        return allowed(ctx, AclOp.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId);
      })
      .map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state }));
    return { throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates };
  },
});
