/**
 * The group leader's part of a rebalance (Kafka's ConsumerCoordinator.onLeaderElected): decode
 * every member's subscription from the JoinGroup answer, run the assignor the group chose over
 * the subscribed topics' partition counts, and encode each member's share for SyncGroup.
 */
import type { JoinGroupResponse } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { decodeSubscription, encodeAssignment } from '../../protocol/consumer-protocol.js';
import type { ClusterInfo } from '../client.js';
import type { Assignor, MemberSubscription } from './assignors.js';

export interface MemberAssignment {
  memberId: string;
  assignment: Buffer;
}

/** Each topic's partition count in `md` (a topic it does not know, or an error: none). */
export function partitionCounts(md: ClusterInfo, topics: readonly string[]): Map<string, number> {
  return new Map(topics.map((t) => [t, md.topics.get(t)?.errorCode === 0 ? md.topics.get(t)!.partitions.length : 0]));
}

/**
 * The assignments the leader sends in SyncGroup. `metadataOf` fetches metadata for the topics
 * the members subscribe to (a topic it does not know counts as having no partitions).
 */
export async function leaderAssignments(
  assignors: readonly Assignor[],
  join: Pick<JoinGroupResponse, 'protocolName' | 'members'>,
  metadataOf: (topics: string[]) => Promise<ClusterInfo>,
): Promise<MemberAssignment[]> {
  const assignor = assignors.find((a) => a.name === join.protocolName);
  if (!assignor) throw new KafkaProtocolError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `Unknown assignor ${join.protocolName}`);
  const members: MemberSubscription[] = join.members.map((m) => {
    const s = decodeSubscription(m.metadata);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      topics: s.topics,
      owned: new Map((s.ownedPartitions ?? []).map((o) => [o.topic, o.partitions])),
      generation: s.generationId ?? -1,
      userData: s.userData ?? null,
    };
  });
  const topics = [...new Set(members.flatMap((m) => m.topics))];
  const result = assignor.assign(members, partitionCounts(await metadataOf(topics), topics));
  return members.map((m) => ({
    memberId: m.memberId,
    assignment: encodeAssignment({
      assignedPartitions: [...(result.get(m.memberId) ?? new Map())].filter(([, ps]) => ps.length > 0).map(([topic, partitions]) => ({ topic, partitions })),
      userData: result.userData?.get(m.memberId) ?? null,
    }),
  }));
}
