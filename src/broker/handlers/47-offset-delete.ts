/**
 * OffsetDelete (47), v0. Deletes committed offsets of partitions the group is not subscribed to
 * (any partition, when the group is empty).
 * Errors: NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (non-consumer protocol),
 * GROUP_SUBSCRIBED_TO_TOPIC (per partition).
 */
import { OffsetDelete } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';

export default defineHandler({
  api: OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const flat = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const r = await ctx.groups.deleteOffsets(req.groupId, flat);
    let i = 0;
    return {
      errorCode: r.errorCode,
      throttleTimeMs: 0,
      topics: r.errorCode ? [] : req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: r.partitions[i++]! })) })),
    };
  },
});
