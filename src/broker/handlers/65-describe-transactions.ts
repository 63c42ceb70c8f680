/**
 * DescribeTransactions (65), v0: the state of transactional ids this broker coordinates, as
 * Kafka's TransactionCoordinator answers: TRANSACTIONAL_ID_AUTHORIZATION_FAILED without DESCRIBE
 * on the id; NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS from the coordinator; an unknown (or
 * expiring, Dead) id is TRANSACTIONAL_ID_NOT_FOUND; the partitions of topics the principal may not
 * DESCRIBE are left out.
 */
import { DescribeTransactions } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

/** A transactional id's state as the coordinator holds it (what the admin APIs show). */
export interface TransactionSummary {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** Kafka's state name: Empty, Ongoing, PrepareCommit, ... */
  state: string;
  timeoutMs: number;
  /** -1 when no transaction was started. */
  startTimeMs: number;
  partitions: { topic: string; partition: number }[];
}

/** What the admin handlers ask the transaction coordinator (T1's coordinator implements it). */
export interface TransactionAdminQueries {
  /** Every transactional id this broker coordinates; errorCode COORDINATOR_LOAD_IN_PROGRESS while a partition loads. */
  listTransactions(): { errorCode: number; transactions: TransactionSummary[] };
  /** One id: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, or the summary (null: unknown). */
  describeTransaction(transactionalId: string): { errorCode: number; transaction: TransactionSummary | null };
}

/** The coordinator's queries, when this broker runs a transaction coordinator. */
export const transactionQueries = (ctx: RequestContext): TransactionAdminQueries | undefined => (ctx as Partial<{ transactionAdmin: TransactionAdminQueries }>).transactionAdmin;

const empty = (transactionalId: string, errorCode: number) => ({
  errorCode,
  transactionalId,
  transactionState: '',
  transactionTimeoutMs: 0,
  transactionStartTimeMs: -1,
  producerId: -1,
  producerEpoch: -1,
  topics: [],
});

export default defineHandler({
  api: DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const q = transactionQueries(ctx);
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) return empty(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        if (!q) return empty(id, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        const r = q.describeTransaction(id);
        if (r.errorCode) return empty(id, r.errorCode);
        const t = r.transaction;
        if (!t || t.state === 'Dead') return empty(id, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
        const byTopic = new Map<string, number[]>();
        for (const p of t.partitions) {
          if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, p.topic)) continue;
          byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
        }
        return {
          errorCode: 0,
          transactionalId: id,
          transactionState: t.state,
          transactionTimeoutMs: t.timeoutMs,
          transactionStartTimeMs: t.startTimeMs,
          producerId: t.producerId,
          producerEpoch: t.producerEpoch,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) })),
        };
      }),
    };
  },
});
