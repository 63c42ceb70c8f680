/**
 * OffsetFetch (9), v0-8 (v2+ null topics = every committed offset; v8 batches groups).
 * Partitions without a commit answer offset -1 with no error. require_stable (v7+): a partition
 * whose offset a transaction has committed but not yet ended answers UNSTABLE_OFFSET_COMMIT.
 * Errors: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, GROUP_AUTHORIZATION_FAILED (no DESCRIBE on the
 * group), TOPIC_AUTHORIZATION_FAILED (a listed topic without DESCRIBE; unlisted ones are left out).
 */
import { OffsetFetch } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';
import type { GroupService } from '../coordinator/coordinator.js';

type Topics = { name: string; partitionIndexes: number[] }[] | null;

function fetchGroup(ctx: RequestContext, groupId: string, topics: Topics, requireStable: boolean) {
  const groups: GroupService = ctx.groups;
  if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.GROUP, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  const visible = (topic: string) => allowed(ctx, AclOp.DESCRIBE, ResourceType.TOPIC, topic);
  const wanted = topics === null ? null : topics.filter((t) => visible(t.name)).flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const r = groups.fetch(groupId, wanted, requireStable);
  r.offsets = r.offsets.filter((o) => visible(o.topic));
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string; errorCode: number }[]>();
  for (const o of r.offsets) {
    // Pushed, not copied: a copy per partition made a 10,000-partition group cost seconds.
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: o.errorCode ?? 0 });
  }
  for (const t of topics ?? []) {
    if (!visible(t.name)) byTopic.set(t.name, t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })));
  }
  return { errorCode: r.errorCode, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}

export default defineHandler({
  api: OffsetFetch,
  minVersion: 0,
  maxVersion: 8,
  handle(req, ctx) {
    if (ctx.apiVersion >= 8) {
      // A group named again with the same topics is answered once (Kafka answers every entry; its
      // clients never repeat one, and a 5 KB request naming a 10,000-partition group 1,000 times
      // ran the daemon out of heap).
      const seen = new Set<string>();
      const groups = (req.groups ?? []).filter((g) => {
        const key = JSON.stringify([g.groupId, g.topics?.map((t) => [t.name, t.partitionIndexes]) ?? null]);
        return !seen.has(key) && !!seen.add(key);
      });
      return {
        throttleTimeMs: 0,
        groups: groups.map((g) => {
          const r = fetchGroup(ctx, g.groupId, g.topics, req.requireStable ?? false);
          return { groupId: g.groupId, topics: r.topics, errorCode: r.errorCode };
        }),
      };
    }
    const r = fetchGroup(ctx, req.groupId ?? '', ctx.apiVersion >= 2 ? (req.topics ?? null) : (req.topics ?? []), ctx.apiVersion >= 7 && (req.requireStable ?? false));
    // Before v2 a coordinator error can only be reported per partition.
    if (ctx.apiVersion < 2 && r.errorCode) {
      return {
        throttleTimeMs: 0,
        topics: (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })) })),
      };
    }
    return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
  },
});
