/**
 * TxnOffsetCommit (28), v0-3: a transactional producer commits a consumer group's offsets inside
 * its transaction (sendOffsetsToTransaction, after AddOffsetsToTxn). The group coordinator writes
 * them to __consumer_offsets as the producer's transactional records and keeps them pending: the
 * COMMIT marker on that partition makes them the group's committed offsets, ABORT drops them, and
 * meanwhile OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT for them. v4 (KIP-890's
 * broker-side verification) is not offered.
 * Errors: TRANSACTIONAL_ID_AUTHORIZATION_FAILED (no WRITE on the transactional id),
 * GROUP_AUTHORIZATION_FAILED (no READ on the group), TOPIC_AUTHORIZATION_FAILED (no READ on a
 * topic), UNKNOWN_TOPIC_OR_PARTITION, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID,
 * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION (v3 member fields),
 * OFFSET_METADATA_TOO_LARGE, INVALID_PRODUCER_EPOCH (an epoch older than the producer's).
 */
import { TxnOffsetCommit } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const md = ctx.cluster.metadata;
    const everywhere = (errorCode: number) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    if (!allowed(ctx, AclOp.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return everywhere(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return everywhere(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const readable = new Set(req.topics.filter((t) => allowed(ctx, AclOp.READ, ResourceType.TOPIC, t.name)).map((t) => t.name));
    const flat = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, p })));
    const exists = flat.map(({ topic, p }) => readable.has(topic) && !!md.topic(topic)?.partitions[p.partitionIndex]);
    const offsets = flat
      .filter((_, i) => exists[i])
      .map(({ topic, p }) => ({ topic, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: p.committedMetadata, commitTimestamp: -1 }));
    // As OffsetCommit (and Kafka): nothing to commit, no group made.
    const codes =
      offsets.length === 0
        ? []
        : await ctx.groups.txnCommit({
            groupId: req.groupId,
            producerId: req.producerId,
            producerEpoch: req.producerEpoch,
            generationId: req.generationId ?? -1,
            memberId: req.memberId ?? '',
            groupInstanceId: req.groupInstanceId ?? null,
            offsets,
          });
    let i = 0;
    let j = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: exists[i++] ? codes[j++]! : readable.has(t.name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        })),
      })),
    };
  },
});
