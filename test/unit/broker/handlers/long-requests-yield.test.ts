/**
 * Handlers of requests that can name a great many items (DescribeGroups: group ids; ListOffsets:
 * partitions) let other clients' requests run while they answer: a fuzz trial's million group
 * names held every client for 12 s, a million partitions for 5 s. Run against fakes whose lookups
 * take 2 ms of busy work, so 30 of them span several turns' worth (no timing is asserted).
 */
import { expect, it } from 'vitest';
import describeGroups from '../../../../src/broker/handlers/15-describe-groups.js';
import listOffsets from '../../../../src/broker/handlers/02-list-offsets.js';
import type { GroupService, PartitionService } from '../../../../src/broker/services.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { contextWith } from '../../../helpers/handler-context.js';

/** Calls `lookup` 30 times through the handler; whether the event loop turned before the last one. */
async function turnsWhile(run: (slowly: <T>(answer: T) => T) => Promise<unknown>): Promise<{ looked: number; turnedBeforeLast: boolean }> {
  let turned = false;
  let turnedBeforeLast = false;
  let looked = 0;
  const slowly = <T>(answer: T): T => {
    const until = performance.now() + 2;
    while (performance.now() < until);
    if (++looked === 30) turnedBeforeLast = turned;
    return answer;
  };
  setImmediate(() => (turned = true));
  await run(slowly);
  return { looked, turnedBeforeLast };
}

it('DescribeGroups yields to the event loop between groups', async () => {
  let groups: { groupId: string }[] = [];
  const seen = await turnsWhile(async (slowly) => {
    const dead = { errorCode: 0, state: 'Dead', protocolType: '', protocolData: '', members: [] };
    const ctx = contextWith({ groups: { describe: () => slowly(dead) } as unknown as GroupService }, 5);
    groups = (await describeGroups.handle({ groups: Array.from({ length: 30 }, (_, i) => `g${i}`), includeAuthorizedOperations: false }, ctx))!.groups;
  });
  expect(groups.map((g) => g.groupId)).toEqual(Array.from({ length: 30 }, (_, i) => `g${i}`));
  expect(seen).toEqual({ looked: 30, turnedBeforeLast: true });
});

it('ListOffsets yields to the event loop between partitions, answering each in order', async () => {
  let topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] = [];
  const seen = await turnsWhile(async (slowly) => {
    const ctx = contextWith({ partitions: { leaderFor: () => slowly({ error: ErrorCode.NOT_LEADER_OR_FOLLOWER }) } as unknown as PartitionService }, 7);
    const req = { replicaId: -1, isolationLevel: 0, timeoutMs: 0, topics: ['a', 'b'].map((name) => ({ name, partitions: Array.from({ length: 15 }, (_, p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1 })) })) };
    topics = (await listOffsets.handle(req, ctx))!.topics;
  });
  expect(topics.map((t) => `${t.name}:${t.partitions.map((p) => `${p.partitionIndex}/${p.errorCode}`).join(',')}`)).toEqual(
    ['a', 'b'].map((name) => `${name}:${Array.from({ length: 15 }, (_, p) => `${p}/${ErrorCode.NOT_LEADER_OR_FOLLOWER}`).join(',')}`),
  );
  expect(seen).toEqual({ looked: 30, turnedBeforeLast: true });
});
