/**
 * DescribeTransactions (65), v0: the state of transactional ids this broker coordinates, as
 * Kafka's TransactionCoordinator answers: TRANSACTIONAL_ID_AUTHORIZATION_FAILED without DESCRIBE
 * on the id; NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS from the coordinator; an unknown (or
 * expiring, Dead) id is TRANSACTIONAL_ID_NOT_FOUND; the partitions of topics the principal may not
 * DESCRIBE are left out (KafkaApis).
 */
import { DescribeTransactions } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

const failed = (transactionalId: string, errorCode: number) => ({
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
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((id) => {
        if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) return failed(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        const t = ctx.transactions.describe(id);
        if (t.errorCode) return failed(id, t.errorCode);
        // An expiring id is being removed: as good as unknown.
        if (t.state === 'Dead') return failed(id, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
        return {
          errorCode: 0,
          transactionalId: id,
          transactionState: t.state,
          transactionTimeoutMs: t.timeoutMs,
          transactionStartTimeMs: t.startTimeMs,
          producerId: t.producerId,
          producerEpoch: t.producerEpoch,
          topics: t.partitions.filter((p) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, p.topic)),
        };
      }),
    };
  },
});
