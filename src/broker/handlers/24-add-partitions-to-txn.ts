/**
 * AddPartitionsToTxn (24), v0-3 (the per-producer form clients send; v4+'s broker-verification
 * batches are not offered). Needs WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and on each topic (else
 * TOPIC_AUTHORIZATION_FAILED; internal topics are refused so too); an unknown partition gets
 * UNKNOWN_TOPIC_OR_PARTITION. Any such failure fails the whole request: the other partitions get
 * OPERATION_NOT_ATTEMPTED. Otherwise the coordinator's one error applies to all partitions.
 * Before v2, PRODUCER_FENCED is answered as INVALID_PRODUCER_EPOCH, as Kafka does.
 */
import { AddPartitionsToTxn } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { INTERNAL_TOPICS } from '../controller.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const id = req.v3AndBelowTransactionalId ?? '';
    const topics = req.v3AndBelowTopics ?? [];
    const answer = (code: (topic: string, partition: number) => number) => ({
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })) })),
    });
    if (!allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, id)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const problems = new Map<string, number>();
    for (const t of topics) {
      const known = ctx.cluster.metadata.topic(t.name);
      const authorized = !INTERNAL_TOPICS.has(t.name) && allowed(ctx, AclOp.WRITE, ResourceType.TOPIC, t.name);
      for (const p of t.partitions) {
        if (!authorized) problems.set(`${t.name}\0${p}`, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        else if (!known || p < 0 || p >= known.partitions.length) problems.set(`${t.name}\0${p}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
    }
    if (problems.size > 0) return answer((t, p) => problems.get(`${t}\0${p}`) ?? ErrorCode.OPERATION_NOT_ATTEMPTED);
    const partitions = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
    const error = await ctx.transactions.addPartitions(id, req.v3AndBelowProducerId ?? -1, req.v3AndBelowProducerEpoch ?? -1, partitions);
    const code = ctx.apiVersion < 2 && error === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : error;
    return answer(() => code);
  },
});
