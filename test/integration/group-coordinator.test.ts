/**
 * The group coordinator at the protocol level: the classic state machine, its error codes, the
 * simple-commit path, admin APIs, and the __consumer_offsets records it writes and reloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteGroups, DescribeGroups, Heartbeat, JoinGroup, LeaveGroup, ListGroups, OffsetCommit, OffsetDelete, OffsetFetch, SyncGroup } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { decodeOffsetsRecord } from '../../src/protocol/consumer-offsets.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import { Admin } from '../../src/client/admin.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { Producer } from '../../src/client/producer/producer.js';
import { ASSIGNORS } from '../../src/client/consumer/assignors.js';
import type { KafkaClient } from '../../src/client/client.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

let broker: TestBroker;
let c: KafkaClient;

beforeAll(async () => {
  // A lower minimum session timeout keeps the expiry test short.
  broker = await startBroker({ properties: { 'group.min.session.timeout.ms': '1000' } });
  c = broker.client();
  await new Admin(c).createTopics([{ name: 'events', partitions: 4, replicationFactor: 1 }]);
});
afterAll(async () => broker.close());

const subscription = (topics = ['events']) => encodeSubscription({ topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
const join = (body: object, version = 5) =>
  c.send<{ errorCode: number; memberId: string; generationId: number; leader: string; protocolName: string; members: { memberId: string }[] }>(
    'any',
    JoinGroup,
    { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription() }], reason: null, ...body },
    { maxVersion: version },
  ).then((r) => r.body);
const sync = (body: object) =>
  c.send<{ errorCode: number; assignment: Buffer }>('any', SyncGroup, { groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [], ...body }).then((r) => r.body);
// Brokers answer each connection in order (as Kafka does), so heartbeats travel on their own
// connection while a JoinGroup is parked, exactly as real consumers arrange it.
const heartbeat = (groupId: string, generationId: number, memberId: string) =>
  c.send<{ errorCode: number }>(broker.cluster.brokers()[0]!.id, Heartbeat, { groupId, generationId, memberId, groupInstanceId: null }, { purpose: 'heartbeat' }).then((r) => r.body.errorCode);

describe('joining', () => {
  it('asks v4+ dynamic members for a member id first, and admits v3 members directly', async () => {
    const first = await join({ groupId: 'g-join', memberId: '' });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^test-[0-9a-f-]{36}$/);
    const second = await join({ groupId: 'g-join', memberId: first.memberId });
    expect(second).toMatchObject({ errorCode: 0, generationId: 1, leader: first.memberId, protocolName: 'range' });
    expect(second.members.map((m) => m.memberId)).toEqual([first.memberId]);
    const old = await join({ groupId: 'g-join-v3', memberId: '' }, 3);
    expect(old.errorCode).toBe(0);
    expect(old.generationId).toBe(1);
  });

  it('validates group id, session timeout, protocol type and known members', async () => {
    expect((await join({ groupId: '', memberId: '' })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await join({ groupId: 'g-v', memberId: '', sessionTimeoutMs: 500 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join({ groupId: 'g-unknown-member', memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const a = await join({ groupId: 'g-proto', memberId: '' }, 3);
    expect(a.errorCode).toBe(0);
    const other = await join({ groupId: 'g-proto', memberId: '', protocolType: 'connect', protocols: [{ name: 'x', metadata: Buffer.alloc(0) }] }, 3);
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('a full generation', () => {
  it('goes Stable after the leader syncs; heartbeats and commits check member and generation', async () => {
    const m = await join({ groupId: 'g-gen', memberId: '' }, 3);
    const assignment = encodeAssignment({ assignedPartitions: [{ topic: 'events', partitions: [0, 1, 2, 3] }], userData: null });
    const s = await sync({ groupId: 'g-gen', generationId: m.generationId, memberId: m.memberId, assignments: [{ memberId: m.memberId, assignment }] });
    expect(s.errorCode).toBe(0);
    expect(s.assignment.equals(assignment)).toBe(true);
    expect(await heartbeat('g-gen', m.generationId, m.memberId)).toBe(0);
    expect(await heartbeat('g-gen', m.generationId + 1, m.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await heartbeat('g-gen', m.generationId, 'stranger')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const groups = new GroupAdmin(c);
    const [d] = await groups.describeGroups(['g-gen']);
    expect(d).toMatchObject({ state: 'Stable', protocol: 'range', protocolType: 'consumer' });
    expect(d!.members[0]!.assignment).toEqual([{ topic: 'events', partitions: [0, 1, 2, 3] }]);
    // An admin (generation -1) commit is refused while the group has members.
    const admin = await groups.commitOffsets('g-gen', [{ topic: 'events', partition: 0, offset: 1 }]);
    expect(admin[0]!.error!.code).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const member = await groups.commitOffsets('g-gen', [{ topic: 'events', partition: 0, offset: 5 }], { generationId: m.generationId, memberId: m.memberId, groupInstanceId: null });
    expect(member[0]!.error).toBeNull();
    expect((await groups.fetchOffsets('g-gen', [{ topic: 'events', partition: 0 }]))[0]!.offset).toBe(5);
    // A second member triggers a rebalance that the first learns about through its heartbeat.
    const newcomerClient = broker.client('newcomer');
    const pending = newcomerClient
      .send<Awaited<ReturnType<typeof join>>>('any', JoinGroup, { groupId: 'g-gen', memberId: '', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription() }], reason: null }, { maxVersion: 3 })
      .then((r) => r.body);
    // The newcomer's join is parked on the broker; poll until the leader's heartbeat sees the rebalance.
    let code = 0;
    while ((code = await heartbeat('g-gen', m.generationId, m.memberId)) === 0) await new Promise((r) => setImmediate(r));
    expect(code).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = join({ groupId: 'g-gen', memberId: m.memberId }, 3);
    const [newcomer, again] = await Promise.all([pending, rejoin]);
    expect(newcomer.generationId).toBe(m.generationId + 1);
    expect(again.generationId).toBe(m.generationId + 1);
    expect(again.leader).toBe(m.memberId);
    expect(again.members).toHaveLength(2);
    expect(newcomer.members).toHaveLength(0);
    // Leaving empties nothing yet: one member stays.
    const left = await c.send<{ errorCode: number; members: { errorCode: number }[] }>('any', LeaveGroup, { groupId: 'g-gen', members: [{ memberId: newcomer.memberId, groupInstanceId: null, reason: null }] });
    expect(left.body.members[0]!.errorCode).toBe(0);
  });

  it('removes a member whose session expires and rebalances the rest', async () => {
    const a = await join({ groupId: 'g-expire', memberId: '', sessionTimeoutMs: 1500 }, 3);
    await sync({ groupId: 'g-expire', generationId: a.generationId, memberId: a.memberId });
    const groups = new GroupAdmin(c);
    const start = Date.now();
    // No heartbeats: after the session timeout the group is empty again.
    for (;;) {
      const [d] = await groups.describeGroups(['g-expire']);
      if (d!.state === 'Empty') break;
      expect(Date.now() - start).toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Date.now() - start).toBeGreaterThanOrEqual(1400);
  });
});

describe('static membership', () => {
  it('replaces a restarted static member without a rebalance and fences the old id', async () => {
    const first = await join({ groupId: 'g-static', memberId: '', groupInstanceId: 'host-1' });
    expect(first.errorCode).toBe(0);
    expect(first.memberId).toMatch(/^host-1-/);
    await sync({ groupId: 'g-static', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'host-1' });
    const again = await join({ groupId: 'g-static', memberId: '', groupInstanceId: 'host-1' });
    expect(again.errorCode).toBe(0);
    expect(again.memberId).not.toBe(first.memberId);
    const hb = await c.send<{ errorCode: number }>('any', Heartbeat, { groupId: 'g-static', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'host-1' });
    expect(hb.body.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });
});

describe('offsets and admin APIs', () => {
  it('accepts simple commits for unknown and empty groups, and rejects oversized metadata', async () => {
    const groups = new GroupAdmin(c);
    const r = await groups.commitOffsets('g-simple', [{ topic: 'events', partition: 1, offset: 42, metadata: 'note' }]);
    expect(r[0]!.error).toBeNull();
    expect((await groups.fetchOffsets('g-simple'))).toEqual([{ topic: 'events', partition: 1, offset: 42, leaderEpoch: -1, metadata: 'note' }]);
    const big = await groups.commitOffsets('g-simple', [{ topic: 'events', partition: 1, offset: 43, metadata: 'x'.repeat(5000) }]);
    expect(big[0]!.error!.code).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    const unknownTopic = await c.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', OffsetCommit, {
      groupId: 'g-simple',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    expect(unknownTopic.body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Nothing to commit: no group is made for it (Kafka does not ask the coordinator), in a transaction or not.
    for (const groupId of ['g-nothing-1', 'g-nothing-2']) {
      const none = await c.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      expect(none.body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    const all = await c.send<{ groups: { groupId: string }[] }>('any', ListGroups, {});
    expect(all.body.groups.map((g) => g.groupId).filter((g) => g.startsWith('g-nothing'))).toEqual([]);
    const unfetched = await c.send<{ topics: { partitions: { committedOffset: number; errorCode: number }[] }[] }>('any', OffsetFetch, { groupId: 'g-simple', topics: [{ name: 'events', partitionIndexes: [3] }] }, { maxVersion: 1 });
    expect(unfetched.body.topics[0]!.partitions[0]).toMatchObject({ committedOffset: -1, errorCode: 0 });
  });

  it('describes an unknown group as Dead, lists by state, deletes only empty groups, protects subscribed offsets', async () => {
    const unknown = await c.send<{ groups: { errorCode: number; groupState: string; members: unknown[] }[] }>('any', DescribeGroups, { groups: ['never-seen'] });
    expect(unknown.body.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
    const listed = await c.send<{ groups: { groupId: string; groupState: string }[] }>('any', ListGroups, { statesFilter: ['Stable'] });
    expect(listed.body.groups.every((g) => g.groupState === 'Stable')).toBe(true);
    expect(listed.body.groups.map((g) => g.groupId)).toContain('g-static');
    const del = await c.send<{ results: { groupId: string; errorCode: number }[] }>('any', DeleteGroups, { groupsNames: ['g-static', 'g-simple', 'never-seen', ''] });
    // "" is a group name like any other here, as in Kafka: none was made, so not found.
    expect(del.body.results.map((r) => r.errorCode)).toEqual([ErrorCode.NON_EMPTY_GROUP, 0, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.GROUP_ID_NOT_FOUND]);
    const od = await c.send<{ errorCode: number; topics: { partitions: { errorCode: number }[] }[] }>('any', OffsetDelete, { groupId: 'g-gen', topics: [{ name: 'events', partitions: [{ partitionIndex: 0 }] }] });
    expect(od.body.errorCode).toBe(0);
    expect(od.body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  });
});

describe('persistence in __consumer_offsets', () => {
  it('writes Burrow-readable record versions and reloads groups and offsets after a restart', async () => {
    const t = tempDir();
    let b = await startBroker({ dir: t.dir });
    try {
      let client = b.client();
      await new Admin(client).createTopics([{ name: 'kept', partitions: 2, replicationFactor: 1 }]);
      const producer = new Producer(client, { lingerMs: 0 });
      for (let i = 0; i < 10; i++) await producer.send({ topic: 'kept', partition: i % 2, value: Buffer.from(`v${i}`) });
      const consumer = new GroupConsumer(client, { groupId: 'g-kept', autoOffsetReset: 'earliest', assignors: [ASSIGNORS.roundrobin!], maxWaitMs: 50 });
      consumer.subscribe(['kept']);
      let n = 0;
      while (n < 10) n += (await consumer.poll(100)).length;
      await consumer.close();

      // Every record in the group's offsets partition decodes; values use versions Burrow reads.
      const coordinator = b.cluster.brokers()[0]!;
      const p = coordinator.groups.partitionFor('g-kept');
      const replica = coordinator.replica('__consumer_offsets', p)!;
      const stored = replica.log.read(0, 1 << 20, replica.logEndOffset()).batches.flatMap((x) => decodeBatchRecords(x));
      const versions = stored.filter((r) => r.value).map((r) => [r.key!.readInt16BE(0), r.value!.readInt16BE(0)]);
      expect(versions).toContainEqual([1, 3]);
      expect(versions).toContainEqual([2, 1]);
      for (const r of stored) expect(decodeOffsetsRecord(r.key!, r.value)).not.toBeNull();

      await b.close(true);
      b = await startBroker({ dir: t.dir });
      client = b.client();
      const offsets = await new GroupAdmin(client).fetchOffsets('g-kept');
      expect(offsets.map((o) => [o.partition, o.offset]).sort()).toEqual([
        [0, 5],
        [1, 5],
      ]);
      const [d] = await new GroupAdmin(client).describeGroups(['g-kept']);
      expect(d!.state).toBe('Empty');
    } finally {
      await b.close();
      t.cleanup();
    }
  });
});
