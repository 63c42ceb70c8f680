/**
 * The classic group state machine on its own, with fake timers: joins complete into
 * CompletingRebalance, the leader's SyncGroup makes the group Stable, newcomers, leavers and
 * expired sessions start rebalances, and static members keep their place.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { silentLogger } from '../../../../src/util/logger.js';
import type { ClassicGroup } from '../../../../src/broker/coordinator/group.js';
import { GroupStateMachine, type JoinRequest } from '../../../../src/broker/coordinator/group-state-machine.js';
import type { GroupCoordinatorConfig } from '../../../../src/broker/coordinator/ports.js';
import { testCoordinatorConfig } from './config.js';

const SESSION = 10_000;
const REBALANCE = 20_000;

let groups: Map<string, ClassicGroup>;
let config: GroupCoordinatorConfig;
let stored: { state: string; generation: number }[];
let machine: GroupStateMachine;

beforeEach(() => {
  vi.useFakeTimers();
  groups = new Map();
  config = testCoordinatorConfig();
  stored = [];
  machine = new GroupStateMachine(groups, () => config, silentLogger, async (g) => {
    stored.push({ state: g.state, generation: g.generationId });
    return 0;
  });
});
afterEach(() => {
  for (const g of groups.values()) g.shutdown();
  vi.useRealTimers();
});

const protocols = (metadata = 'sub') => [{ name: 'range', metadata: Buffer.from(metadata) }];
const joinReq = (over: Partial<JoinRequest> = {}): JoinRequest => ({
  groupId: 'g',
  sessionTimeoutMs: SESSION,
  rebalanceTimeoutMs: REBALANCE,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: protocols(),
  clientId: 'client',
  clientHost: '/127.0.0.1',
  // v3: no MEMBER_ID_REQUIRED round trip.
  version: 3,
  ...over,
});
const syncReq = (memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = []) => ({
  groupId: 'g',
  generationId,
  memberId,
  groupInstanceId: null,
  protocolType: null,
  protocolName: null,
  assignments,
  version: 3,
});
const state = () => groups.get('g')!.state;

/** One member joins and syncs: generation 1, Stable. */
async function stableWithOne() {
  const joined = await machine.join(joinReq());
  expect(joined.errorCode).toBe(0);
  const synced = await machine.sync(syncReq(joined.memberId, joined.generationId, [{ memberId: joined.memberId, assignment: Buffer.from('a') }]));
  expect(synced.errorCode).toBe(0);
  return joined;
}

describe('join and sync', () => {
  it('a first member completes the join at once, becomes leader, and its sync makes the group Stable', async () => {
    const joined = await machine.join(joinReq());
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', protocolType: 'consumer' });
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(state()).toBe('CompletingRebalance');

    const synced = await machine.sync(syncReq(joined.memberId, 1, [{ memberId: joined.memberId, assignment: Buffer.from('mine') }]));
    expect(synced).toMatchObject({ errorCode: 0, protocolName: 'range' });
    expect(synced.assignment.toString()).toBe('mine');
    expect(state()).toBe('Stable');
    expect(stored).toEqual([{ state: 'CompletingRebalance', generation: 1 }]);
  });

  it('JoinGroup v4+ first hands out a member id with MEMBER_ID_REQUIRED', async () => {
    const first = await machine.join(joinReq({ version: 4, clientId: 'c1' }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^c1-/);
    const second = await machine.join(joinReq({ version: 4, memberId: first.memberId }));
    expect(second).toMatchObject({ errorCode: 0, memberId: first.memberId, generationId: 1 });
  });

  it('rejects session timeouts outside the configured bounds', async () => {
    expect((await machine.join(joinReq({ sessionTimeoutMs: 500 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await machine.join(joinReq({ sessionTimeoutMs: 120_000 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(groups.size).toBe(0);
  });

  it('a follower’s SyncGroup waits for the leader’s and then gets its own assignment', async () => {
    const a = await stableWithOne();
    // B joins: a rebalance starts; it completes when A rejoins.
    const bJoin = machine.join(joinReq({ clientId: 'b' }));
    expect(state()).toBe('PreparingRebalance');
    const aJoin = await machine.join(joinReq({ memberId: a.memberId }));
    const b = await bJoin;
    expect(aJoin.generationId).toBe(2);
    expect(aJoin.leader).toBe(a.memberId);
    expect(b.members).toEqual([]);
    expect(state()).toBe('CompletingRebalance');

    let followerDone = false;
    const follower = machine.sync(syncReq(b.memberId, 2)).then((r) => ((followerDone = true), r));
    await vi.advanceTimersByTimeAsync(1000);
    expect(followerDone).toBe(false);

    await machine.sync(syncReq(a.memberId, 2, [{ memberId: a.memberId, assignment: Buffer.from('A') }, { memberId: b.memberId, assignment: Buffer.from('B') }]));
    const r = await follower;
    expect(r.errorCode).toBe(0);
    expect(r.assignment.toString()).toBe('B');
    expect(state()).toBe('Stable');
  });

  it('a member that does not rejoin within the rebalance timeout is dropped', async () => {
    // Sessions outlast the rebalance timeout, so it is the join phase that ends A's membership.
    const long = { sessionTimeoutMs: 2 * REBALANCE };
    const joined = await machine.join(joinReq(long));
    await machine.sync(syncReq(joined.memberId, 1));
    const a = joined;
    const bJoin = machine.join(joinReq({ ...long, clientId: 'b' }));
    // A keeps heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
    expect(machine.heartbeat('g', 1, a.memberId, null)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await vi.advanceTimersByTimeAsync(REBALANCE);
    const b = await bJoin;
    expect(b).toMatchObject({ errorCode: 0, generationId: 2, leader: b.memberId });
    expect([...groups.get('g')!.members.keys()]).toEqual([b.memberId]);
    expect(machine.heartbeat('g', 2, a.memberId, null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a sync with a stale generation is refused', async () => {
    const a = await stableWithOne();
    expect((await machine.sync(syncReq(a.memberId, 7))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await machine.sync(syncReq('nobody', 1))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('sessions, heartbeats and leaving', () => {
  it('heartbeats keep a member alive; without them the session timeout expels it and the group empties', async () => {
    const a = await stableWithOne();
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(SESSION - 1000);
      expect(machine.heartbeat('g', 1, a.memberId, null)).toBe(0);
    }
    expect(state()).toBe('Stable');
    await vi.advanceTimersByTimeAsync(SESSION + 1);
    expect(state()).toBe('Empty');
    expect(groups.get('g')!.members.size).toBe(0);
    expect(groups.get('g')!.generationId).toBe(2);
    // The empty generation is stored too.
    expect(stored.at(-1)).toEqual({ state: 'Empty', generation: 2 });
    expect(machine.heartbeat('g', 2, a.memberId, null)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('an expired member makes the others rebalance', async () => {
    const a = await stableWithOne();
    const bJoin = machine.join(joinReq({ clientId: 'b' }));
    await machine.join(joinReq({ memberId: a.memberId }));
    const b = await bJoin;
    await machine.sync(syncReq(a.memberId, 2));
    expect(state()).toBe('Stable');
    // Only A heartbeats.
    for (let t = 0; t < SESSION + 1000; t += 3000) {
      machine.heartbeat('g', 2, a.memberId, null);
      await vi.advanceTimersByTimeAsync(3000);
    }
    expect(groups.get('g')!.members.has(b.memberId)).toBe(false);
    expect(state()).toBe('PreparingRebalance');
    expect(machine.heartbeat('g', 2, a.memberId, null)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await machine.join(joinReq({ memberId: a.memberId }));
    expect(again).toMatchObject({ errorCode: 0, generationId: 3 });
  });

  it('LeaveGroup of the last member empties the group; an unknown member gets UNKNOWN_MEMBER_ID', async () => {
    const a = await stableWithOne();
    const r = machine.leave('g', [{ memberId: a.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }]);
    expect(r.errorCode).toBe(0);
    expect(r.members.map((m) => m.errorCode)).toEqual([0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(state()).toBe('Empty');
    expect(machine.leave('other', [{ memberId: 'x', groupInstanceId: null }]).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a heartbeat in CompletingRebalance is fine, one with an old generation is not', async () => {
    const joined = await machine.join(joinReq());
    expect(state()).toBe('CompletingRebalance');
    expect(machine.heartbeat('g', 1, joined.memberId, null)).toBe(0);
    expect(machine.heartbeat('g', 0, joined.memberId, null)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });
});

describe('the initial rebalance delay', () => {
  it('waits for more members before completing the first join', async () => {
    config.groupInitialRebalanceDelayMs = 3000;
    let done = 0;
    const a = machine.join(joinReq({ clientId: 'a' })).then((r) => (done++, r));
    await vi.advanceTimersByTimeAsync(2000);
    const b = machine.join(joinReq({ clientId: 'b' })).then((r) => (done++, r));
    await vi.advanceTimersByTimeAsync(1500);
    // B arrived within the delay: the delay is extended.
    expect(done).toBe(0);
    await vi.advanceTimersByTimeAsync(3000);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.generationId).toBe(1);
    expect(rb.generationId).toBe(1);
    expect(ra.leader).toBe(ra.memberId);
    expect(ra.members).toHaveLength(2);
  });
});

describe('static membership', () => {
  it('a static member rejoining with the same subscription replaces its old id without a rebalance', async () => {
    const first = await machine.join(joinReq({ groupInstanceId: 'i1', version: 5 }));
    expect(first.memberId).toMatch(/^i1-/);
    await machine.sync(syncReq(first.memberId, 1, [{ memberId: first.memberId, assignment: Buffer.from('kept') }]));
    const again = await machine.join(joinReq({ groupInstanceId: 'i1', version: 5 }));
    expect(again.errorCode).toBe(0);
    expect(again.memberId).not.toBe(first.memberId);
    expect(again.generationId).toBe(1);
    expect(state()).toBe('Stable');
    // The old id is fenced.
    expect(machine.heartbeat('g', 1, first.memberId, 'i1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const synced = await machine.sync({ ...syncReq(again.memberId, 1), groupInstanceId: 'i1' });
    expect(synced.assignment.toString()).toBe('kept');
  });

  it('static members are kept when they miss a join phase; dynamic ones are not', async () => {
    const long = { sessionTimeoutMs: 2 * REBALANCE };
    const s = await machine.join(joinReq({ ...long, groupInstanceId: 'i1', version: 5 }));
    await machine.sync(syncReq(s.memberId, 1));
    const dJoin = machine.join(joinReq({ ...long, clientId: 'd' }));
    await vi.advanceTimersByTimeAsync(REBALANCE);
    const d = await dJoin;
    expect(d.generationId).toBe(2);
    expect([...groups.get('g')!.members.keys()].sort()).toEqual([s.memberId, d.memberId].sort());
  });
});

describe('protocol checks', () => {
  it('a member with no protocol in common is refused', async () => {
    await stableWithOne();
    const r = await machine.join(joinReq({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
    expect(r.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});
