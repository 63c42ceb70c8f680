/**
 * OffsetDelete (47), v0. Deletes committed offsets of partitions the group is not subscribed to
 * (any partition, when the group is empty).
 * Errors: NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (non-consumer protocol),
 * GROUP_SUBSCRIBED_TO_TOPIC (per partition); GROUP_AUTHORIZATION_FAILED (no DELETE on the group),
 * TOPIC_AUTHORIZATION_FAILED (per partition, no READ on the topic).
 */
import { OffsetDelete } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    if (!allowed(ctx, AclOp.DELETE, ResourceType.GROUP, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const readable = new Set(req.topics.filter((t) => allowed(ctx, AclOp.READ, ResourceType.TOPIC, t.name)).map((t) => t.name));
    const flat = req.topics.filter((t) => readable.has(t.name)).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = await ctx.groups.deleteOffsets(req.groupId, flat);
    let i = 0;
    return {
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: r.errorCode ? [] : req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: readable.has(t.name) ? r.partitions[i++]! : ErrorCode.TOPIC_AUTHORIZATION_FAILED })) })),
    };
  },
});
