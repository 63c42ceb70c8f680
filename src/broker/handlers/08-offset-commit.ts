/**
 * OffsetCommit (8), v0-8. Generation -1 without a member commits for an empty or unknown group
 * (admin and simple consumers); otherwise the member and generation are checked. The empty group
 * id "" is accepted, as Kafka does for backwards compatibility (only the membership APIs refuse it).
 * Errors: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, OFFSET_METADATA_TOO_LARGE,
 * UNKNOWN_TOPIC_OR_PARTITION; GROUP_AUTHORIZATION_FAILED without READ on the group (every partition),
 * TOPIC_AUTHORIZATION_FAILED without READ on a topic.
 */
import { OffsetCommit } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: OffsetCommit,
  minVersion: 0,
  maxVersion: 8,
  async handle(req, ctx) {
    const md = ctx.cluster.metadata;
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })) })) };
    const readable = new Set(req.topics.filter((t) => allowed(ctx, AclOp.READ, ResourceType.TOPIC, t.name)).map((t) => t.name));
    const flat = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, p })));
    const exists = flat.map(({ topic, p }) => readable.has(topic) && !!md.topic(topic)?.partitions[p.partitionIndex]);
    const offsets = flat
      .filter((_, i) => exists[i])
      .map(({ topic, p }) => ({
        topic,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch ?? -1,
        metadata: p.committedMetadata,
        commitTimestamp: ctx.apiVersion === 1 ? (p.commitTimestamp ?? -1) : -1,
      }));
    // As Kafka's KafkaApis: with no partition to commit the coordinator is not asked, so no group
    // is made (a stream of commits naming unknown topics made one group each, until out of heap).
    const codes = offsets.length === 0 ? [] : await ctx.groups.commit({
      groupId: req.groupId,
      generationId: req.generationIdOrMemberEpoch ?? -1,
      memberId: req.memberId ?? '',
      groupInstanceId: req.groupInstanceId ?? null,
      retentionTimeMs: ctx.apiVersion >= 2 && ctx.apiVersion <= 4 ? (req.retentionTimeMs ?? -1) : -1,
      version: ctx.apiVersion,
      offsets,
    });
    let i = 0;
    let j = 0;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: exists[i++] ? codes[j++]! : readable.has(t.name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
      })),
    };
  },
});
