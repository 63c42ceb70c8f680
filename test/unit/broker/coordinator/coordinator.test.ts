/**
 * The coordinator façade over a fake offsets-log port backed by an in-memory log: commits and
 * group metadata go to __consumer_offsets and a fresh coordinator replays them; losing the
 * partition's leadership unloads its groups; deletion and expiry write tombstones.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { decodeOffsetsRecord } from '../../../../src/protocol/consumer-offsets.js';
import { decodeBatchRecords } from '../../../../src/protocol/record-batch.js';
import { MemoryLogStore } from '../../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, readBatches, type PartitionLog } from '../../../../src/storage/log-store.js';
import { silentLogger } from '../../../../src/util/logger.js';
import { GroupCoordinator } from '../../../../src/broker/coordinator/coordinator.js';
import { OffsetMetadataBudget } from '../../../../src/broker/coordinator/metadata-budget.js';
import type { GroupCoordinatorConfig, OffsetsLogPort } from '../../../../src/broker/coordinator/ports.js';
import { testCoordinatorConfig } from './config.js';

const OFFSETS = '__consumer_offsets';

/** One broker (id 1) leading the single partition of __consumer_offsets, unless told otherwise. */
class FakePort implements OffsetsLogPort {
  readonly id = 1;
  leader = 1;
  failAppends = 0;
  readonly log: PartitionLog = new MemoryLogStore().open(OFFSETS, 0, DEFAULT_LOG_CONFIG);
  readonly config: GroupCoordinatorConfig = testCoordinatorConfig({ offsetsRetentionMs: 60_000 });
  readonly metadata = { topic: (name: string) => (name === OFFSETS ? { partitions: [{ leader: this.leader }] } : undefined) };
  replica(topic: string, partition: number) {
    if (topic !== OFFSETS || partition !== 0) return undefined;
    const log = this.log;
    return { log, logStartOffset: () => log.logStartOffset(), logEndOffset: () => log.logEndOffset() };
  }
  /** While set, appends wait for it: a test acts between a write's start and its answer. */
  hold: Promise<void> | null = null;
  async appendAsLeader(topic: string, partition: number, batch: Buffer) {
    if (this.hold) await this.hold;
    if (this.failAppends) return { errorCode: this.failAppends };
    this.log.append(batch, 0);
    return { errorCode: 0 };
  }
  /** Every record written so far, decoded. */
  records() {
    return [...readBatches(this.log, 0, this.log.logEndOffset())].flatMap((b) => decodeBatchRecords(b).map((r) => decodeOffsetsRecord(r.key!, r.value)));
  }
}

let port: FakePort;
const coordinators: GroupCoordinator[] = [];
const start = () => {
  const c = new GroupCoordinator(port, silentLogger);
  c.syncOwnership();
  coordinators.push(c);
  return c;
};
const commitReq = (groupId: string, offsets: { partition: number; offset: number }[]) => ({
  groupId,
  generationId: -1,
  memberId: '',
  groupInstanceId: null,
  retentionTimeMs: -1,
  version: 8,
  offsets: offsets.map((o) => ({ topic: 't', partition: o.partition, offset: o.offset, leaderEpoch: -1, metadata: null, commitTimestamp: -1 })),
});
const joinReq = (groupId: string) => ({
  groupId,
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  memberId: '',
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
  clientId: 'c',
  clientHost: '/127.0.0.1',
  version: 3,
});

beforeEach(() => {
  vi.useFakeTimers();
  port = new FakePort();
});
afterEach(() => {
  for (const c of coordinators.splice(0)) c.stop();
  vi.useRealTimers();
});

describe('GroupCoordinator', () => {
  it('answers NOT_COORDINATOR for groups on partitions it does not lead', async () => {
    port.leader = 2;
    const c = start();
    expect(c.coordinatorError('g')).toBe(ErrorCode.NOT_COORDINATOR);
    expect(await c.commit(commitReq('g', [{ partition: 0, offset: 1 }]))).toEqual([ErrorCode.NOT_COORDINATOR]);
    expect((await c.join(joinReq('g'))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect((await c.join(joinReq(''))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while it leads the partition but has not loaded it yet', async () => {
    const c = new GroupCoordinator(port, silentLogger);
    coordinators.push(c);
    expect(c.coordinatorError('g')).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect((await c.join(joinReq('g'))).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    c.syncOwnership();
    expect(c.coordinatorError('g')).toBe(0);
  });

  it('answers NOT_COORDINATOR, not "loading" for ever, when loading the partition failed', () => {
    const c = new GroupCoordinator(port, silentLogger);
    coordinators.push(c);
    const log = port.log;
    port.replica = () => ({ log, logStartOffset: () => 0, logEndOffset: () => { throw new Error('EIO: i/o error, read'); } });
    expect(() => c.syncOwnership()).toThrow(/EIO/);
    expect(c.coordinatorError('g')).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('TxnOffsetCommit checks the member as Kafka\'s validateOffsetCommit: generation -1 is enough for an empty group only', async () => {
    const txn = (c: GroupCoordinator, groupId: string, memberId: string, generationId: number) =>
      c.txnCommit({ groupId, producerId: 7, producerEpoch: 0, generationId, memberId, groupInstanceId: null, offsets: [{ topic: 't', partition: 0, offset: 3, leaderEpoch: -1, metadata: null, commitTimestamp: -1 }] });
    const c = start();
    expect(await txn(c, 'empty', 'someone', -1)).toEqual([0]);
    const m = await c.join(joinReq('busy'));
    await c.sync({ groupId: 'busy', generationId: 1, memberId: m.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], version: 3 });
    expect(await txn(c, 'busy', m.memberId, -1)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await txn(c, 'busy', '', 1)).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await txn(c, 'busy', '', -1)).toEqual([0]);
    expect(await txn(c, 'busy', m.memberId, 1)).toEqual([0]);
  });

  it("OffsetDelete on a live consumer group whose subscription cannot be read deletes nothing (Kafka counts it as subscribed to every topic)", async () => {
    const c = start();
    expect(await c.commit(commitReq('unreadable', [{ partition: 0, offset: 5 }]))).toEqual([0]);
    const joined = await c.join(joinReq('unreadable'));
    await c.sync({ groupId: 'unreadable', generationId: 1, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }], version: 3 });
    expect(c.describe('unreadable').state).toBe('Stable');
    expect(await c.deleteOffsets('unreadable', [{ topic: 't', partition: 0 }])).toEqual({ errorCode: 0, partitions: [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC] });
    expect(c.fetch('unreadable', null).offsets.map((o) => o.offset)).toEqual([5]);
  });

  it('writes commits and group metadata, and a fresh coordinator replays them', async () => {
    const c = start();
    expect(await c.commit(commitReq('simple', [{ partition: 0, offset: 5 }, { partition: 1, offset: 7 }]))).toEqual([0, 0]);
    const joined = await c.join(joinReq('live'));
    await c.sync({ groupId: 'live', generationId: 1, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('A') }], version: 3 });
    expect(port.records().map((r) => `${r!.kind}:${r!.group}`)).toEqual(['offset:simple', 'offset:simple', 'group:live']);

    const reloaded = start();
    expect(reloaded.fetch('simple', null).offsets.map((o) => [o.partition, o.offset])).toEqual([[0, 5], [1, 7]]);
    const d = reloaded.describe('live');
    expect(d).toMatchObject({ errorCode: 0, state: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(d.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([[joined.memberId, 'A']]);
    expect(reloaded.list(null).map((g) => `${g.groupId}:${g.state}`).sort()).toEqual(['live:Stable', 'simple:Empty']);
  });

  it('a failed write changes nothing in memory and maps to a coordinator error', async () => {
    const c = start();
    port.failAppends = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]))).toEqual([ErrorCode.NOT_COORDINATOR]);
    port.failAppends = ErrorCode.NOT_ENOUGH_REPLICAS;
    expect(await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]))).toEqual([ErrorCode.COORDINATOR_NOT_AVAILABLE]);
    expect(c.fetch('g', [{ topic: 't', partition: 0 }]).offsets[0]!.offset).toBe(-1);
  });

  it('deleting a group writes tombstones so it stays deleted after a reload', async () => {
    const c = start();
    await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]));
    expect(await c.deleteGroup('g')).toBe(0);
    expect(await c.deleteGroup('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(c.fetch('g', null).offsets).toEqual([]);
    expect(start().list(null)).toEqual([]);
  });

  it('expires the offsets of a group empty for longer than the retention', async () => {
    const c = start();
    await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]));
    await c.expireOffsets(Date.now() + 30_000);
    expect(c.fetch('g', null).offsets).toHaveLength(1);
    await c.expireOffsets(Date.now() + 60_001);
    expect(c.fetch('g', null).offsets).toEqual([]);
    expect(c.list(null)).toEqual([]);
    expect(start().list(null)).toEqual([]);
  });

  it('removes an empty group holding no offsets at the check, as Kafka does, and keeps it removed after a reload', async () => {
    const c = start();
    await c.commit(commitReq('kept', [{ partition: 0, offset: 5 }]));
    // A commit with nothing accepted makes a group with no offsets (as do members who left without committing).
    await c.commit(commitReq('bare', []));
    expect(c.list(null).map((g) => g.groupId).sort()).toEqual(['bare', 'kept']);
    await c.expireOffsets();
    expect(c.list(null).map((g) => g.groupId)).toEqual(['kept']);
    expect(start().list(null).map((g) => g.groupId)).toEqual(['kept']);
  });

  it('a commit made while the check writes a group\'s tombstone keeps the group and its offset (plain, transactional, and after an expiry)', async () => {
    const during = async (setup: (c: GroupCoordinator) => Promise<unknown>, expiry: (c: GroupCoordinator) => Promise<void>, commit: (c: GroupCoordinator) => Promise<number[]>) => {
      port = new FakePort();
      const c = start();
      await setup(c);
      let release!: () => void;
      port.hold = new Promise<void>((r) => (release = r));
      const check = expiry(c);
      await vi.advanceTimersByTimeAsync(1);
      const committed = commit(c);
      await vi.advanceTimersByTimeAsync(1);
      port.hold = null;
      release();
      await check;
      expect(await committed).toEqual([0]);
      return c;
    };
    // A bare group (no offsets): a simple commit lands during its tombstone.
    const plain = await during((c) => c.commit(commitReq('g', [])), (c) => c.expireOffsets(), (c) => c.commit(commitReq('g', [{ partition: 0, offset: 42 }])));
    expect(plain.fetch('g', [{ topic: 't', partition: 0 }]).offsets[0]!.offset).toBe(42);
    expect(plain.list(null).map((g) => g.groupId)).toEqual(['g']);
    // A transactional one: pending until its marker, then committed (not lost with the group).
    const txn = await during(
      (c) => c.commit(commitReq('g', [])),
      (c) => c.expireOffsets(),
      (c) => c.txnCommit({ groupId: 'g', producerId: 7, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, offsets: commitReq('g', [{ partition: 0, offset: 43 }]).offsets }),
    );
    txn.completeTransaction(0, 7, true);
    expect(txn.fetch('g', [{ topic: 't', partition: 0 }]).offsets[0]!.offset).toBe(43);
    // Offsets expiring with the group: a commit during their tombstones keeps the group.
    const expired = await during((c) => c.commit(commitReq('g', [{ partition: 1, offset: 5 }])), (c) => c.expireOffsets(Date.now() + 60_001), (c) => c.commit(commitReq('g', [{ partition: 0, offset: 44 }])));
    expect(expired.fetch('g', null).offsets.map((o) => [o.partition, o.offset])).toEqual([[0, 44]]);
    expect(expired.list(null).map((g) => g.groupId)).toEqual(['g']);
  });

  it('offsets.retention.check.interval.ms: expiry runs by itself at that interval (0: never by itself)', async () => {
    const expiryWith = async (checkIntervalMs: number) => {
      port = new FakePort();
      (port as { config: GroupCoordinatorConfig }).config = testCoordinatorConfig({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: checkIntervalMs });
      const c = start();
      await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]));
      // The first check after the group has been empty for more than the retention removes them.
      for (let t = 0; t < 700_000; t += 5_000) {
        await vi.advanceTimersByTimeAsync(5_000);
        if (c.fetch('g', null).offsets.length === 0) return t + 5_000;
      }
      return null;
    };
    expect(await expiryWith(10_000)).toBe(70_000);
    expect(await expiryWith(600_000)).toBe(600_000);
    expect(await expiryWith(0)).toBeNull();
  });

  it('a group reloaded while its deletion or expiry was being written is not dropped by the stale object', async () => {
    const reloadDuring = async (write: (c: GroupCoordinator) => Promise<unknown>) => {
      port = new FakePort();
      const c = start();
      await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]));
      let release!: () => void;
      port.hold = new Promise<void>((r) => (release = r));
      const pending = write(c);
      // Leadership lost and regained while the tombstones wait: a new object now serves g.
      port.leader = 2;
      c.syncOwnership();
      port.leader = 1;
      c.syncOwnership();
      const replacement = c.groups.get('g');
      expect(replacement).toBeDefined();
      port.hold = null;
      release();
      await pending;
      expect(c.groups.get('g')).toBe(replacement);
      expect(replacement!.state).not.toBe('Dead');
    };
    await reloadDuring((c) => c.deleteGroup('g'));
    await reloadDuring((c) => c.expireOffsets(Date.now() + 60_001));
  });

  it('a static member is recognised after a restart; one restarted with an empty member id replaces it without a rebalance, and the old id is fenced everywhere', async () => {
    // librdkafka's two protocols; the group stores only the selected one.
    const staticJoin = (memberId = '') => ({ ...joinReq('gs'), memberId, groupInstanceId: 'host-1', version: 5, protocols: [{ name: 'range', metadata: Buffer.from('sub') }, { name: 'roundrobin', metadata: Buffer.from('sub') }] });
    const commit = (co: GroupCoordinator, memberId: string) => co.commit({ ...commitReq('gs', [{ partition: 0, offset: 3 }]), generationId: 1, memberId, groupInstanceId: 'host-1' });
    const txnCommit = (co: GroupCoordinator, memberId: string) =>
      co.txnCommit({ groupId: 'gs', producerId: 7, producerEpoch: 0, generationId: 1, memberId, groupInstanceId: 'host-1', offsets: [{ topic: 't', partition: 0, offset: 3, leaderEpoch: -1, metadata: null, commitTimestamp: -1 }] });
    const c = start();
    const first = await c.join(staticJoin());
    expect(first).toMatchObject({ errorCode: 0, generationId: 1 });
    await c.sync({ groupId: 'gs', generationId: 1, memberId: first.memberId, groupInstanceId: 'host-1', protocolType: null, protocolName: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('A') }], version: 3 });
    c.stop();

    // The coordinator restarts: the member keeps its id.
    const restarted = start();
    expect(restarted.heartbeat('gs', 1, first.memberId, 'host-1')).toBe(0);
    expect(await commit(restarted, first.memberId)).toEqual([0]);
    expect(await txnCommit(restarted, first.memberId)).toEqual([0]);
    // A static member the group does not know is UNKNOWN_MEMBER_ID, as in Kafka, even without a member id.
    expect(await restarted.txnCommit({ groupId: 'gs', producerId: 7, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: 'host-2', offsets: [{ topic: 't', partition: 0, offset: 3, leaderEpoch: -1, metadata: null, commitTimestamp: -1 }] })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);

    // The client process restarts too: same protocols, so no rebalance (generation 1, Stable).
    const again = await restarted.join(staticJoin());
    expect(again).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(again.memberId).not.toBe(first.memberId);
    expect(restarted.describe('gs').state).toBe('Stable');
    expect((await restarted.sync({ groupId: 'gs', generationId: 1, memberId: again.memberId, groupInstanceId: 'host-1', protocolType: null, protocolName: null, assignments: [], version: 3 })).assignment.toString()).toBe('A');
    // The old id is fenced on every API, OffsetCommit included (not UNKNOWN_MEMBER_ID).
    expect(restarted.heartbeat('gs', 1, first.memberId, 'host-1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await commit(restarted, first.memberId)).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect(await txnCommit(restarted, first.memberId)).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect((await restarted.join(staticJoin(first.memberId))).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await commit(restarted, again.memberId)).toEqual([0]);
    restarted.stop();

    // The replacement was stored: after another restart the new id is the member, the old one fenced.
    const third = start();
    expect(third.heartbeat('gs', 1, again.memberId, 'host-1')).toBe(0);
    expect(await commit(third, first.memberId)).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect(await commit(third, 'someone-else')).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect(await third.commit({ ...commitReq('gs', [{ partition: 0, offset: 3 }]), generationId: 1, memberId: again.memberId, groupInstanceId: 'host-2' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  it('a static replacement that cannot be stored is undone: the join gets the write\'s error, the old member id stays', async () => {
    const staticJoin = (memberId = '') => ({ ...joinReq('gf'), memberId, groupInstanceId: 'host-1', version: 5 });
    const c = start();
    const first = await c.join(staticJoin());
    await c.sync({ groupId: 'gf', generationId: 1, memberId: first.memberId, groupInstanceId: 'host-1', protocolType: null, protocolName: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('A') }], version: 3 });
    port.failAppends = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const refused = await c.join(staticJoin());
    expect({ errorCode: refused.errorCode, memberId: refused.memberId }).toEqual({ errorCode: ErrorCode.NOT_COORDINATOR, memberId: '' });
    expect(c.heartbeat('gf', 1, first.memberId, 'host-1')).toBe(0);
    port.failAppends = 0;
    const again = await c.join(staticJoin());
    expect({ errorCode: again.errorCode, generationId: again.generationId, other: again.memberId !== first.memberId }).toEqual({ errorCode: 0, generationId: 1, other: true });
    expect(c.heartbeat('gf', 1, first.memberId, 'host-1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('losing leadership unloads the groups and answers parked joins with NOT_COORDINATOR', async () => {
    port.config.groupInitialRebalanceDelayMs = 3000;
    const c = start();
    await c.commit(commitReq('g', [{ partition: 0, offset: 5 }]));
    const parked = c.join(joinReq('g'));
    port.leader = 2;
    c.syncOwnership();
    expect((await parked).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(c.groups.size).toBe(0);
    port.leader = 1;
    c.syncOwnership();
    expect(c.fetch('g', null).offsets.map((o) => o.offset)).toEqual([5]);
  });
});

describe('kafka-ts.offset.metadata.max.total.bytes: the offset metadata budget', () => {
  const TOO_LARGE = ErrorCode.OFFSET_METADATA_TOO_LARGE;
  /** Commits partitions of topic t with the given metadata (a number: that many x's). */
  const commitMeta = (c: GroupCoordinator, groupId: string, meta: Record<number, number | string | null>, retentionTimeMs = -1) => {
    const req = commitReq(groupId, Object.keys(meta).map((p) => ({ partition: Number(p), offset: 1 })));
    req.offsets.forEach((o) => (o.metadata = typeof meta[o.partition] === 'number' ? 'x'.repeat(meta[o.partition] as number) : (meta[o.partition] as string | null)));
    return c.commit({ ...req, retentionTimeMs });
  };
  const stored = (c: GroupCoordinator, groupId: string) => c.fetch(groupId, null).offsets.map((o) => `${o.partition}:${o.metadata.length}`);
  const txn = (c: GroupCoordinator, groupId: string, partition: number, length: number) =>
    c.txnCommit({ groupId, producerId: 7, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, offsets: [{ topic: 't', partition, offset: 1, leaderEpoch: -1, metadata: 'x'.repeat(length), commitTimestamp: -1 }] });

  beforeEach(() => {
    port.config.offsetMetadataMaxTotalBytes = 100;
  });

  it('refuses the partitions whose metadata would pass it, not the rest; metadata-free commits always fit; a shorter replacement frees room', async () => {
    const c = start();
    expect(await commitMeta(c, 'g', { 0: 40, 1: 40, 2: 40 })).toEqual([0, 0, TOO_LARGE]);
    expect(stored(c, 'g')).toEqual(['0:40', '1:40']);
    expect(await commitMeta(c, 'g', { 2: null, 3: '' })).toEqual([0, 0]);
    // Replacing a partition's metadata counts the difference only: 61 replacing 40 is one byte too many.
    expect(await commitMeta(c, 'g', { 1: 61 })).toEqual([TOO_LARGE]);
    expect(await commitMeta(c, 'g', { 1: 60 })).toEqual([0]);
    expect(await commitMeta(c, 'g', { 1: 30 })).toEqual([0]);
    expect(await commitMeta(c, 'g', { 2: 31 })).toEqual([TOO_LARGE]);
    expect(await commitMeta(c, 'g', { 2: 30 })).toEqual([0]);
    expect(stored(c, 'g')).toEqual(['0:40', '1:30', '2:30', '3:0']);
    // Wide characters take two bytes of heap each.
    expect(await commitMeta(c, 'h', { 0: '\u4e2d' })).toEqual([TOO_LARGE]);
    expect(await commitMeta(c, 'g', { 0: 30 })).toEqual([0]);
    expect(await commitMeta(c, 'h', { 0: '\u4e2d'.repeat(5) })).toEqual([0]);
  });

  it('counts commits still being written, and is shared by the coordinators given the same budget', async () => {
    const budget = new OffsetMetadataBudget();
    const c = new GroupCoordinator(port, silentLogger, budget);
    const other = new GroupCoordinator(port, silentLogger, budget);
    coordinators.push(c, other);
    c.syncOwnership();
    other.syncOwnership();
    let letGo!: () => void;
    port.hold = new Promise((r) => (letGo = r));
    // Both are checked before either write ends (a commit's check runs before its first await).
    const first = commitMeta(c, 'g', { 0: 60 });
    const second = commitMeta(c, 'h', { 0: 60 });
    letGo();
    port.hold = null;
    expect(await Promise.all([first, second])).toEqual([[0], [TOO_LARGE]]);
    expect(budget.used).toBe(60);
    expect(await commitMeta(other, 'k', { 0: 41 })).toEqual([TOO_LARGE]);
    // A failed write gives its promise back.
    port.failAppends = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    expect(await commitMeta(other, 'k', { 0: 40 })).toEqual([ErrorCode.NOT_COORDINATOR]);
    port.failAppends = 0;
    expect(await commitMeta(other, 'k', { 0: 40 })).toEqual([0]);
    expect(budget.used).toBe(100);
  });

  it('DeleteGroups, OffsetDelete and expiry give the room back', async () => {
    const c = start();
    expect(await commitMeta(c, 'g1', { 0: 100 })).toEqual([0]);
    expect(await commitMeta(c, 'g2', { 0: 1 })).toEqual([TOO_LARGE]);
    expect(await c.deleteGroup('g1')).toBe(0);
    expect(await commitMeta(c, 'g2', { 0: 60, 1: 40 })).toEqual([0, 0]);
    expect(await c.deleteOffsets('g2', [{ topic: 't', partition: 0 }])).toEqual({ errorCode: 0, partitions: [0] });
    expect(await commitMeta(c, 'g3', { 0: 60 })).toEqual([0]);
    await c.expireOffsets(Date.now() + 60_001);
    expect(c.fetch('g3', null).offsets).toEqual([]);
    expect(await commitMeta(c, 'g4', { 0: 100 })).toEqual([0]);
  });

  it('TxnOffsetCommit shares the rule: pending offsets count until their marker; an abort frees them', async () => {
    const c = start();
    expect(await commitMeta(c, 'g', { 0: 60 })).toEqual([0]);
    expect(await txn(c, 'g', 1, 41)).toEqual([TOO_LARGE]);
    expect(await txn(c, 'g', 1, 40)).toEqual([0]);
    expect(await commitMeta(c, 'h', { 0: 1 })).toEqual([TOO_LARGE]);
    c.completeTransaction(0, 7, false);
    expect(await commitMeta(c, 'h', { 0: 40 })).toEqual([0]);
    // A committed transaction's offset replaces the partition's: only the difference counts.
    expect(await txn(c, 'h', 0, 0)).toEqual([0]);
    c.completeTransaction(0, 7, true);
    expect(await commitMeta(c, 'k', { 0: 40 })).toEqual([0]);
  });

  it('counts the offsets loaded at start without refusing any, and refuses growth past it', async () => {
    const c = start();
    expect(await commitMeta(c, 'g', { 0: 60, 1: 40 })).toEqual([0, 0]);
    c.stop();
    port.config.offsetMetadataMaxTotalBytes = 60;
    const restarted = start();
    expect(stored(restarted, 'g')).toEqual(['0:60', '1:40']);
    expect(await commitMeta(restarted, 'g', { 2: 1, 3: null })).toEqual([TOO_LARGE, 0]);
    expect(await commitMeta(restarted, 'g', { 0: 10 })).toEqual([0]);
    expect(await commitMeta(restarted, 'g', { 2: 11 })).toEqual([TOO_LARGE]);
    expect(await commitMeta(restarted, 'g', { 2: 10 })).toEqual([0]);
  });
});
