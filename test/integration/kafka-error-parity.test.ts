/**
 * Requests Kafka answers with a specific error (or a specific shape) that the broker once answered
 * differently (hardening trial, t7_semantic and friends): each case names where Kafka decides it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { CreateTopics, Fetch, Heartbeat, LeaveGroup, OffsetDelete, SyncGroup, type FetchResponse } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
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
