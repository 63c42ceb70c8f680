import { describe, expect, it, vi } from 'vitest';
import { ASSIGNORS } from '../../../../src/client/consumer/assignors.js';
import { leaderAssignments } from '../../../../src/client/consumer/leader-assignment.js';
import type { ClusterInfo } from '../../../../src/client/client.js';
import { decodeAssignment, encodeSubscription } from '../../../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';

const member = (memberId: string, topics: string[], owned: { topic: string; partitions: number[] }[] = []) => ({
  memberId,
  groupInstanceId: null,
  metadata: encodeSubscription({ topics, userData: null, ownedPartitions: owned, generationId: 1, rackId: null }, 2),
});

function cluster(partitions: Record<string, number>, failing: string[] = []): ClusterInfo {
  const topics = new Map(
    [...Object.entries(partitions), ...failing.map((t) => [t, 0] as const)].map(([name, n]) => [
      name,
      { name, id: Buffer.alloc(16), internal: false, errorCode: failing.includes(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : 0, partitions: Array.from({ length: n }, (_, partition) => ({ partition, errorCode: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offline: [] })) },
    ]),
  );
  return { clusterId: 'c', controllerId: 1, brokers: new Map(), topics };
}

const shares = (result: { memberId: string; assignment: Buffer }[]) =>
  Object.fromEntries(result.map((r) => [r.memberId, Object.fromEntries(decodeAssignment(r.assignment).assignedPartitions.map((a) => [a.topic, a.partitions]))]));

describe('leader assignment', () => {
  it("runs the group's assignor over every subscribed topic's partitions", async () => {
    const metadataOf = vi.fn(async () => cluster({ t: 3, u: 1 }));
    const result = await leaderAssignments([ASSIGNORS.range!, ASSIGNORS['cooperative-sticky']!], { protocolName: 'range', members: [member('m2', ['t']), member('m1', ['t', 'u'])] }, metadataOf);
    expect(metadataOf).toHaveBeenCalledWith(['t', 'u']);
    expect(shares(result)).toEqual({ m1: { t: [0, 1], u: [0] }, m2: { t: [2] } });
  });

  it('gives a member its owned partitions back under a cooperative assignor', async () => {
    const result = await leaderAssignments(
      [ASSIGNORS['cooperative-sticky']!],
      { protocolName: 'cooperative-sticky', members: [member('a', ['t'], [{ topic: 't', partitions: [2, 3] }]), member('b', ['t'], [{ topic: 't', partitions: [0, 1] }])] },
      async () => cluster({ t: 4 }),
    );
    expect(shares(result)).toEqual({ a: { t: [2, 3] }, b: { t: [0, 1] } });
  });

  it('counts a topic the metadata does not have as empty, and leaves a member with nothing an empty share', async () => {
    const result = await leaderAssignments([ASSIGNORS.range!], { protocolName: 'range', members: [member('a', ['gone']), member('b', ['t'])] }, async () => cluster({ t: 1 }, ['gone']));
    expect(shares(result)).toEqual({ a: {}, b: { t: [0] } });
  });

  it('refuses an assignor it does not have', async () => {
    await expect(leaderAssignments([ASSIGNORS.range!], { protocolName: 'roundrobin', members: [] }, async () => cluster({}))).rejects.toMatchObject({
      code: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      message: 'Unknown assignor roundrobin',
    });
  });
});
