/**
 * The broker side of get-offsets, delete-records and log-dirs, in process: ListOffsets' special
 * timestamps by version (-4 earliest local from v8, -5 latest tiered from v9, ordinary times
 * before), DeleteRecords' refusals, and log-dirs on a directory an I/O error took offline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { ListOffsets } from '../../src/protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../src/protocol/errors.js';
import { setFaultPlan } from '../../src/storage/disk/fs-ops.js';
import { describeLogDirsOf } from '../../src/tools/log-dirs.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const running: TestBroker[] = [];
afterEach(async () => {
  setFaultPlan(null);
  await Promise.all(running.splice(0).map((b) => b.close()));
});

async function broker(): Promise<{ b: TestBroker; client: KafkaClient; admin: Admin }> {
  const b = await startBroker();
  running.push(b);
  const client = b.client();
  return { b, client, admin: new Admin(client) };
}

/** One ListOffsets lookup at a given version. */
async function lookup(client: KafkaClient, topic: string, timestamp: number, version: number): Promise<{ errorCode: number; offset: number; timestamp: number }> {
  const { body, version: used } = await client.send(
    'any',
    ListOffsets,
    { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }], timeoutMs: 5000 },
    { maxVersion: version },
  );
  expect(used).toBe(version);
  const p = body.topics[0]!.partitions[0]!;
  return { errorCode: p.errorCode, offset: p.offset ?? -1, timestamp: p.timestamp ?? -1 };
}

describe('ListOffsets special timestamps', () => {
  it('answers -4 with the log start from v8 and -5 with no offset from v9; before, they are times', async () => {
    const { client, admin } = await broker();
    await admin.createTopics([{ name: 'specs', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(client, { lingerMs: 0 });
    for (let i = 0; i < 6; i++) await producer.send({ topic: 'specs', value: Buffer.from(`v${i}`), timestamp: 1000 * (i + 1) });
    const [deleted] = await admin.deleteRecords([{ topic: 'specs', partition: 0, offset: 2 }]);
    expect(deleted).toMatchObject({ lowWatermark: 2, error: null });
    for (const v of [8, 9]) expect(await lookup(client, 'specs', -4, v)).toEqual({ errorCode: 0, offset: 2, timestamp: -1 });
    for (const v of [9]) expect(await lookup(client, 'specs', -5, v)).toEqual({ errorCode: 0, offset: -1, timestamp: -1 });
    // Older versions know no such values: the first record at or after the time, as any time.
    expect(await lookup(client, 'specs', -4, 7)).toEqual({ errorCode: 0, offset: 2, timestamp: 3000 });
    expect(await lookup(client, 'specs', -5, 8)).toEqual({ errorCode: 0, offset: 2, timestamp: 3000 });
    expect(await lookup(client, 'specs', -3, 7)).toEqual({ errorCode: 0, offset: 5, timestamp: 6000 });
    expect(await lookup(client, 'specs', -2, 9)).toEqual({ errorCode: 0, offset: 2, timestamp: -1 });
    expect(await lookup(client, 'specs', -1, 9)).toEqual({ errorCode: 0, offset: 6, timestamp: -1 });
  });
});

describe('DeleteRecords', () => {
  it('refuses offsets beyond the high watermark and compact-only topics, and deletes nothing then', async () => {
    const { client, admin } = await broker();
    await admin.createTopics([
      { name: 'plain', partitions: 1, replicationFactor: 1 },
      { name: 'compacted', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
      { name: 'both', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact,delete' } },
    ]);
    const producer = new Producer(client, { lingerMs: 0 });
    for (const topic of ['plain', 'compacted', 'both']) for (let i = 0; i < 3; i++) await producer.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from('v') });
    const r = await admin.deleteRecords([
      { topic: 'plain', partition: 0, offset: 4 },
      { topic: 'compacted', partition: 0, offset: 1 },
      { topic: 'both', partition: 0, offset: -1 },
    ]);
    const byTopic = new Map(r.map((x) => [x.topic, x]));
    expect(byTopic.get('plain')!.error?.code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(byTopic.get('compacted')!.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(byTopic.get('both')).toMatchObject({ lowWatermark: 3, error: null });
    const starts = await admin.listOffsets(['plain', 'compacted'].map((topic) => ({ topic, partition: 0, timestamp: -2 })));
    expect(starts.map((s) => s.offset)).toEqual([0, 0]);
  });
});

describe('log-dirs', () => {
  it('reports a log dir taken offline by an I/O error as KafkaStorageException, with no partitions', async () => {
    const { b, client, admin } = await broker();
    await admin.createTopics([{ name: 'full', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(client, { acks: 1, lingerMs: 0, retries: 0 });
    await producer.send({ topic: 'full', value: Buffer.from('ok') });
    const healthy = await describeLogDirsOf(admin, client, [], ['full']);
    expect(healthy.doc.brokers[0]!.logDirs[0]).toMatchObject({ error: null, partitions: [{ partition: 'full-0', offsetLag: 0, isFuture: false }] });
    const logDir = b.cluster.logDirFor(1);
    setFaultPlan({ dir: logDir, ops: ['write', 'fsync'], error: 'ENOSPC', spaceBytes: 0 });
    const failed = await producer.send({ topic: 'full', value: Buffer.from('no room') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((failed as KafkaProtocolError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    const offline = await describeLogDirsOf(admin, client, [1], []);
    expect(offline).toEqual({ brokers: [1], doc: { brokers: [{ broker: 1, logDirs: [{ partitions: [], error: 'org.apache.kafka.common.errors.KafkaStorageException', logDir }] }], version: 1 } });
  });
});
