/**
 * Requests Kafka answers with a specific error (or a specific shape) that the broker once answered
 * differently (hardening trial, t7_semantic and friends): each case names where Kafka decides it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { CreateTopics, DeleteGroups, DescribeGroups, Fetch, Heartbeat, LeaveGroup, ListGroups, ListOffsets, OffsetCommit, OffsetDelete, OffsetFetch, Produce, SyncGroup, type FetchResponse, type ListOffsetsResponse, type ProduceResponse } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords, encodeBatch, splitBatches } from '../../src/protocol/record-batch.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { RawConn } from '../helpers/raw-kafka.js';

let broker: TestBroker;
let conn: RawConn;
const port = () => Number(broker.bootstrap.split(':')[1]);

beforeAll(async () => {
  broker = await startBroker();
  const c = broker.client();
  await new Admin(c).createTopics([{ name: 'parity', partitions: 2, replicationFactor: 1 }]);
  const p = new Producer(c, { lingerMs: 0 });
  for (let i = 0; i < 3; i++) await p.send({ topic: 'parity', partition: 0, value: Buffer.from(`v-${i}`) });
  conn = await RawConn.tcp(port());
});
afterAll(async () => {
  conn?.close();
  await broker.close();
});

describe('Fetch sessions (KIP-227): the broker keeps none', () => {
  const fetch = (sessionId: number, sessionEpoch: number, maxWaitMs = 5000) =>
    conn.request(
      Fetch,
      12,
      {
        replicaId: -1,
        maxWaitMs,
        minBytes: 1_000_000,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId,
        sessionEpoch,
        topics: [{ topic: 'parity', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [],
        rackId: '',
      },
      10_000,
    ) as Promise<FetchResponse | null>;

  it('answers an incremental fetch of an unknown session with FETCH_SESSION_ID_NOT_FOUND at once (FetchManager.newContext)', async () => {
    for (const [id, epoch] of [
      [12345, 7],
      [0, 1],
      [99, -2],
    ] as const) {
      const t0 = Date.now();
      const r = await fetch(id, epoch);
      // The long poll (5 s, minBytes far above what the partition holds) is not waited out.
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(r).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });
    }
  });

  it('still serves full fetches: epoch 0 (INITIAL) and -1 (FINAL), with or without a session id', async () => {
    for (const [id, epoch] of [
      [0, 0],
      [0, -1],
      [12345, 0],
      [12345, -1],
    ] as const) {
      const r = await fetch(id, epoch, 0);
      expect(r!.errorCode).toBe(0);
      expect(r!.sessionId).toBe(0);
      expect(r!.responses[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3 });
      expect(r!.responses[0]!.partitions[0]!.records).not.toBeNull();
    }
  });
});

describe('an empty group id is INVALID_GROUP_ID (GroupCoordinatorService.isGroupIdNotEmpty)', () => {
  it('Heartbeat', async () => {
    const r = await conn.request(Heartbeat, 4, { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID });
  });

  it('SyncGroup', async () => {
    const r = await conn.request(SyncGroup, 5, { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID });
  });

  it('LeaveGroup, batched (v3+) and single-member', async () => {
    const batched = await conn.request(LeaveGroup, 5, { groupId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
    expect(batched).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID, members: [] });
    const single = await conn.request(LeaveGroup, 0, { groupId: '', memberId: 'm' });
    expect(single).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID });
  });

  it('OffsetDelete', async () => {
    const r = await conn.request(OffsetDelete, 0, { groupId: '', topics: [{ name: 'parity', partitions: [{ partitionIndex: 0 }] }] });
    expect(r).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] });
  });
});

describe('an empty group id is a group for the offset APIs (GroupCoordinatorService: "for backwards compatibility")', () => {
  // Kafka refuses "" only in the membership APIs (above); OffsetCommit with generation -1 makes
  // an Empty group "" that OffsetFetch reads, DescribeGroups and ListGroups show and DeleteGroups deletes.
  it('OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups', async () => {
    const commit = (await conn.request(OffsetCommit, 8, {
      groupId: '',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'parity', partitions: [{ partitionIndex: 0, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
    })) as { topics: { partitions: { errorCode: number }[] }[] };
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const fetched = (await conn.request(OffsetFetch, 7, { groupId: '', topics: [{ name: 'parity', partitionIndexes: [0] }], requireStable: false })) as {
      errorCode: number;
      topics: { partitions: { committedOffset: number; metadata: string; errorCode: number }[] }[];
    };
    expect(fetched.errorCode).toBe(0);
    expect(fetched.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 2, metadata: 'm', errorCode: 0 });
    const described = (await conn.request(DescribeGroups, 5, { groups: [''], includeAuthorizedOperations: false })) as { groups: { errorCode: number; groupId: string; groupState: string }[] };
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupId: '', groupState: 'Empty' });
    const listed = (await conn.request(ListGroups, 4, { statesFilter: [] })) as { groups: { groupId: string; groupState: string }[] };
    expect(listed.groups).toContainEqual(expect.objectContaining({ groupId: '', groupState: 'Empty' }));
    const deleted = (await conn.request(DeleteGroups, 2, { groupsNames: [''] })) as { results: { groupId: string; errorCode: number }[] };
    expect(deleted.results).toEqual([expect.objectContaining({ groupId: '', errorCode: 0 })]);
    const again = (await conn.request(DeleteGroups, 2, { groupsNames: [''] })) as { results: { errorCode: number }[] };
    expect(again.results[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const gone = (await conn.request(OffsetFetch, 7, { groupId: '', topics: [{ name: 'parity', partitionIndexes: [0] }], requireStable: false })) as { topics: { partitions: { committedOffset: number }[] }[] };
    expect(gone.topics[0]!.partitions[0]!.committedOffset).toBe(-1);
  });
});

describe('CreateTopics with a null config value (ReplicationControlManager.computeConfigChanges)', () => {
  const create = (name: string, validateOnly = false) =>
    conn.request(CreateTopics, 5, {
      topics: [
        {
          name,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [
            { name: 'retention.ms', value: null },
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'segment.ms', value: null },
          ],
        },
      ],
      timeoutMs: 5000,
      validateOnly,
    });

  it('fails the topic with INVALID_CONFIG naming every null config, and creates nothing', async () => {
    for (const validateOnly of [true, false]) {
      const r = await create('null-config', validateOnly);
      expect(r!.topics[0]).toMatchObject({ name: 'null-config', errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Null value not supported for topic configs: retention.ms,segment.ms' });
    }
    expect((await new Admin(broker.client()).listTopics()).map((t) => t.name)).not.toContain('null-config');
  });

  it('an existing topic is still TOPIC_ALREADY_EXISTS, a bad name INVALID_TOPIC_EXCEPTION (checked first, as in Kafka)', async () => {
    expect((await create('parity'))!.topics[0]!.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect((await create('bad/name'))!.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});

const batch = (...values: string[]) => encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
const fetchReq = (version: number, topics: { topic: string; partitions: { partition: number; fetchOffset: number }[] }[], isolationLevel = 0) =>
  conn.request(Fetch, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ ...p, partitionMaxBytes: 1 << 20 })) })),
    forgottenTopicsData: [],
    rackId: '',
  }) as Promise<FetchResponse | null>;
const values = (records: Buffer | null) => (records ? splitBatches(records).flatMap((b) => decodeBatchRecords(b).map((r) => r.value!.toString())) : []);

describe('a partition named twice (Kafka reads requests into maps)', () => {
  it('Produce appends the last batch only and answers the partition once; a topic named twice is one topic', async () => {
    await new Admin(broker.client()).createTopics([{ name: 'dup-produce', partitions: 2, replicationFactor: 1 }]);
    const r = (await conn.request(Produce, 8, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        { name: 'dup-produce', partitionData: [{ index: 0, records: batch('first') }] },
        { name: 'dup-produce', partitionData: [{ index: 1, records: batch('other') }, { index: 0, records: batch('second-a', 'second-b') }] },
      ],
    })) as ProduceResponse;
    expect(r.responses).toHaveLength(1);
    expect(r.responses[0]!.name).toBe('dup-produce');
    expect(r.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
    ]);
    const f = await fetchReq(12, [{ topic: 'dup-produce', partitions: [{ partition: 0, fetchOffset: 0 }] }]);
    expect(f!.responses[0]!.partitions[0]!.highWatermark).toBe(2);
    expect(values(f!.responses[0]!.partitions[0]!.records)).toEqual(['second-a', 'second-b']);
  });

  it('Fetch answers the partition once, in its first place, from its last mention\'s offset', async () => {
    const f = await fetchReq(12, [
      { topic: 'parity', partitions: [{ partition: 0, fetchOffset: 0 }, { partition: 1, fetchOffset: 0 }] },
      { topic: 'parity', partitions: [{ partition: 0, fetchOffset: 2 }] },
    ]);
    expect(f!.responses.map((t) => [t.topic, t.partitions.map((p) => p.partitionIndex)])).toEqual([['parity', [0, 1]]]);
    expect(values(f!.responses[0]!.partitions[0]!.records)).toEqual(['v-2']);
  });

  it('ListOffsets (v1+) answers each mention of the partition with INVALID_REQUEST, the others as usual', async () => {
    const r = (await conn.request(ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'parity', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }, { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1 }, { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }],
    })) as ListOffsetsResponse;
    expect(r.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([
      [0, ErrorCode.INVALID_REQUEST],
      [1, 0],
      [0, ErrorCode.INVALID_REQUEST],
    ]);
  });
});

describe('an unknown isolation level (IsolationLevel.forId throws: UNKNOWN_SERVER_ERROR)', () => {
  it('ListOffsets v2+: every partition', async () => {
    const r = (await conn.request(ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 7,
      topics: [{ name: 'parity', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }, { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1 }] }],
    })) as ListOffsetsResponse;
    expect(r.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset])).toEqual([
      [0, ErrorCode.UNKNOWN_SERVER_ERROR, -1],
      [1, ErrorCode.UNKNOWN_SERVER_ERROR, -1],
    ]);
  });

  it('Fetch v4-12: at the top and in every partition, no records', async () => {
    for (const level of [7, -1, 2]) {
      const f = await fetchReq(12, [{ topic: 'parity', partitions: [{ partition: 0, fetchOffset: 0 }] }], level);
      expect(f!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
      expect(f!.responses[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, highWatermark: -1 });
      expect(values(f!.responses[0]!.partitions[0]!.records)).toEqual([]);
    }
    const v4 = await fetchReq(4, [{ topic: 'parity', partitions: [{ partition: 0, fetchOffset: 0 }] }], 7);
    expect(v4!.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
  });

  it('READ_COMMITTED (1) and READ_UNCOMMITTED (0) still read', async () => {
    for (const level of [0, 1]) {
      const f = await fetchReq(12, [{ topic: 'parity', partitions: [{ partition: 0, fetchOffset: 0 }] }], level);
      expect(f!.errorCode).toBe(0);
      expect(values(f!.responses[0]!.partitions[0]!.records)).toEqual(['v-0', 'v-1', 'v-2']);
    }
  });
});
