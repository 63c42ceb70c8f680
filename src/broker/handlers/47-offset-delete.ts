/**
 * OffsetDelete (47), v0. Deletes committed offsets of partitions the group is not subscribed to
 * (any partition, when the group is empty).
 * Errors: INVALID_GROUP_ID (empty group id), NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (non-consumer protocol),
 * GROUP_SUBSCRIBED_TO_TOPIC (per partition), UNKNOWN_TOPIC_OR_PARTITION (per partition, not in the
 * metadata); GROUP_AUTHORIZATION_FAILED (no DELETE on the group),
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
    // Kafka (KafkaApis.handleOffsetDeleteRequest): per partition, TOPIC_AUTHORIZATION_FAILED
    // without READ, UNKNOWN_TOPIC_OR_PARTITION for a partition the metadata does not have; only
    // the rest goes to the group coordinator.
    // GroupCoordinatorService.deleteOffsets: an empty group id is INVALID_GROUP_ID.
    if (!req.groupId) return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] };
    const md = ctx.cluster.metadata;
    const readable = new Set(req.topics.filter((t) => allowed(ctx, AclOp.READ, ResourceType.TOPIC, t.name)).map((t) => t.name));
    const precheck = (topic: string, partition: number): number | null =>
      !readable.has(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : md.topic(topic)?.partitions[partition] ? null : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    // Decided before the coordinator is awaited, so that the answers line up with what it was given.
    const early = req.topics.map((t) => t.partitions.map((p) => precheck(t.name, p.partitionIndex)));
    const flat = req.topics.flatMap((t, ti) => t.partitions.filter((_p, pi) => early[ti]![pi] === null).map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = await ctx.groups.deleteOffsets(req.groupId, flat);
    let i = 0;
    return {
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: r.errorCode
        ? []
        : req.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: early[ti]![pi] ?? r.partitions[i++]! })) })),
    };
  },
});
