/**
 * Topics changed while one broker of a 3-broker in-process cluster (disk logs) is stopped:
 * - a topic deleted and created again under the same name does not get the deleted topic's
 *   records back from the broker that missed the deletion: its old log names the old topic id
 *   (partition.metadata), so it is a stray log, set aside, and a new one is created;
 * - new partitions are placed on and led by running brokers (Kafka's controller never makes a
 *   fenced broker a leader or an ISR member of a new partition).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { KafkaClient } from '../../src/client/client.js';
import { ElectLeaders } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createLogger } from '../../src/util/logger.js';
import { replicaBytes, startBroker, waitUntil, type TestBroker } from '../helpers/broker.js';

let cluster: TestBroker;
let client: KafkaClient;
let admin: Admin;
const warnings: string[] = [];

beforeAll(async () => {
  cluster = await startBroker({
    properties: { 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '100' },
    log: createLogger((line) => void (/ (WARN|ERROR) /.test(line) && warnings.push(line)), 'kafka.Kafka', 'WARN'),
  });
  client = cluster.client();
  admin = new Admin(client);
});
afterAll(async () => cluster.close());

const state = (topic: string, p = 0) => cluster.cluster.metadata.topic(topic)!.partitions[p]!;
const replicaOf = (broker: number, topic: string, p = 0) => cluster.cluster.broker(broker)?.replica(topic, p);
const logBytes = (broker: number, topic: string, p = 0): Buffer => replicaBytes(cluster.cluster, broker, topic, p);

/** Produces `n` records with acks=all to each of the partitions; returns their values. */
async function produce(topic: string, partitions: number[], n: number, tag: string): Promise<string[]> {
  const producer = new Producer(client, { acks: -1, lingerMs: 2 });
  const values = partitions.flatMap((p) => Array.from({ length: n }, (_, i) => ({ p, value: `${tag}-${p}-${i}` })));
  await Promise.all(values.map(({ p, value }) => producer.send({ topic, partition: p, value: Buffer.from(value) })));
  await producer.close();
  return values.map((v) => v.value);
}

const created = async (spec: Parameters<Admin['createTopics']>[0][0]) => (await admin.createTopics([spec]))[0]!.error;

describe('a topic deleted and created again while a replica broker is stopped', () => {
  it("does not serve the deleted topic's records: the stopped broker's old log is set aside as a stray log", async () => {
    expect(await created({ name: 'again', partitions: -1, replicationFactor: -1, assignment: [[1, 2, 3]] })).toBeNull();
    await produce('again', [0], 100, 'old');
    await waitUntil('broker 2 holds the 100 records', () => replicaOf(2, 'again')?.logEndOffset() === 100 && state('again').isr.length === 3);
    const oldId = cluster.cluster.metadata.topic('again')!.id;

    await cluster.cluster.stopBroker(2);
    expect((await admin.deleteTopics(['again']))[0]!.error).toBeNull();
    // Broker 2 is listed first (its preferred leader): its old log must not make it lead the deleted records.
    expect(await created({ name: 'again', partitions: -1, replicationFactor: -1, assignment: [[2, 1, 3]] })).toBeNull();
    const newId = cluster.cluster.metadata.topic('again')!.id;
    expect(newId.equals(oldId)).toBe(false);
    const fresh = await produce('again', [0], 10, 'new');
    await cluster.cluster.startBroker(2);
    await waitUntil('broker 2 back in the ISR', () => state('again').isr.includes(2));

    // Broker 2's replica is the new topic's: the leader's bytes, not the deleted topic's records.
    const leader = state('again').leader;
    expect(replicaOf(2, 'again')!.logEndOffset()).toBe(10);
    expect(logBytes(2, 'again').equals(logBytes(leader, 'again'))).toBe(true);
    const logDir = cluster.cluster.logDirFor(2);
    expect(readdirSync(logDir).filter((f) => /^again-0\.[0-9a-z]+-stray$/.test(f))).toHaveLength(1);
    expect(readFileSync(join(logDir, 'again-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${newId.toString('base64url')}\n`);
    expect(warnings.find((l) => l.includes('stray log again-0'))).toMatch(
      new RegExp(`WARN Setting aside stray log again-0 as .*again-0\\.[0-9a-z]+-stray \\(it belongs to topic id ${oldId.toString('base64url')}, a deleted topic of that name; again is now topic id ${newId.toString('base64url')}; it holds records`),
    );

    // Led by broker 2 (its preferred leader), the partition holds the new records only.
    const { body } = await client.send<{ replicaElectionResults: { partitionResult: { errorCode: number }[] }[] }>('controller', ElectLeaders, {
      electionType: 0,
      topicPartitions: [{ topic: 'again', partitions: [0] }],
      timeoutMs: 5000,
    });
    expect(body.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(0);
    expect(state('again').leader).toBe(2);
    const [end] = await admin.listOffsets([{ topic: 'again', partition: 0, timestamp: -1 }]);
    expect(end!.offset).toBe(fresh.length);
  });

  it("does not serve them either when the returning broker becomes leader by an unclean election, without following first", async () => {
    expect(await created({ name: 'unclean', partitions: -1, replicationFactor: -1, assignment: [[2, 1]] })).toBeNull();
    await produce('unclean', [0], 50, 'old');
    await waitUntil('broker 2 holds the 50 records', () => replicaOf(2, 'unclean')?.logEndOffset() === 50);
    await cluster.cluster.stopBroker(2);
    expect((await admin.deleteTopics(['unclean']))[0]!.error).toBeNull();
    const configs = { 'unclean.leader.election.enable': 'true' };
    expect(await created({ name: 'unclean', partitions: -1, replicationFactor: -1, assignment: [[2, 1]], configs })).toBeNull();
    expect(state('unclean')).toMatchObject({ leader: 1, isr: [1] });
    // Its only in-sync replica stops: no leader until broker 2 returns, which is then elected.
    await cluster.cluster.stopBroker(1);
    try {
      expect(state('unclean').leader).toBe(-1);
      await cluster.cluster.startBroker(2);
      expect(state('unclean').leader).toBe(2);
      expect(replicaOf(2, 'unclean')!.logEndOffset()).toBe(0);
    } finally {
      await cluster.cluster.startBroker(2);
      await cluster.cluster.startBroker(1);
    }
    const [end] = await admin.listOffsets([{ topic: 'unclean', partition: 0, timestamp: -1 }]);
    expect(end!.offset).toBe(0);
  });

  it('keeps the logs of a restarted broker whose topics were not re-created, and records the id for logs without one', async () => {
    expect(await created({ name: 'kept', partitions: -1, replicationFactor: -1, assignment: [[2, 1, 3]] })).toBeNull();
    await produce('kept', [0], 20, 'kept');
    await waitUntil('broker 2 holds the 20 records', () => replicaOf(2, 'kept')?.logEndOffset() === 20);
    const file = join(cluster.cluster.logDirFor(2), 'kept-0', 'partition.metadata');
    const recorded = readFileSync(file, 'utf8');
    await cluster.cluster.stopBroker(2);
    // As a log directory of an older version (no partition.metadata): taken as the topic's.
    rmSync(file);
    await cluster.cluster.startBroker(2);
    expect(replicaOf(2, 'kept')!.logEndOffset()).toBe(20);
    expect(readFileSync(file, 'utf8')).toBe(recorded);
    expect(readdirSync(cluster.cluster.logDirFor(2)).filter((f) => f.startsWith('kept-0.'))).toEqual([]);
  });
});

describe('new partitions while a broker is stopped', () => {
  beforeAll(async () => {
    await cluster.cluster.stopBroker(2);
  });
  afterAll(async () => {
    await cluster.cluster.startBroker(2);
  });

  it('are led by running brokers, with the stopped one out of the ISR (replication factor 3 of 3 brokers)', async () => {
    expect(await created({ name: 'rf3', partitions: 6, replicationFactor: 3 })).toBeNull();
    for (let p = 0; p < 6; p++) {
      const s = state('rf3', p);
      expect(s.replicas.slice().sort()).toEqual([1, 2, 3]);
      expect(s.replicas[0]).not.toBe(2);
      expect([1, 3]).toContain(s.leader);
      expect(s.leader).toBe(s.replicas[0]);
      expect(s.isr.slice().sort()).toEqual([1, 3]);
    }
    // Writable now, not once broker 2 returns.
    expect(await produce('rf3', [0, 1, 2, 3, 4, 5], 5, 'rf3')).toHaveLength(30);
    // CreatePartitions places the same way.
    expect((await admin.createPartitions('rf3', 9, null)).error).toBeNull();
    for (let p = 6; p < 9; p++) expect([state('rf3', p).leader, ...state('rf3', p).isr]).not.toContain(2);
  });

  it('go to running brokers only when they are enough for the replication factor', async () => {
    expect(await created({ name: 'rf1', partitions: 6, replicationFactor: 1 })).toBeNull();
    expect((await admin.createPartitions('rf1', 10, null)).error).toBeNull();
    for (let p = 0; p < 10; p++) {
      expect(state('rf1', p).replicas).not.toContain(2);
      expect(state('rf1', p).isr).toEqual(state('rf1', p).replicas);
    }
    expect(await produce('rf1', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 'rf1')).toHaveLength(30);
    const e = await created({ name: 'rf4', partitions: 1, replicationFactor: 4 });
    expect(e?.code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(e?.message).toBe('Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.');
  });

  it('keep a stopped broker of an explicit assignment as a replica, led by its first running one, and refuse one without any', async () => {
    expect(await created({ name: 'manual', partitions: -1, replicationFactor: -1, assignment: [[2, 1], [3, 2]] })).toBeNull();
    expect(state('manual', 0)).toMatchObject({ replicas: [2, 1], isr: [1], leader: 1 });
    expect(state('manual', 1)).toMatchObject({ replicas: [3, 2], isr: [3], leader: 3 });
    const none = await created({ name: 'unled', partitions: -1, replicationFactor: -1, assignment: [[1], [2]] });
    expect(none?.code).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(none?.message).toBe('All brokers specified in the manual partition assignment for partition 1 are fenced or in controlled shutdown.');
    expect(cluster.cluster.metadata.topic('unled')).toBeUndefined();
    const more = await admin.createPartitions('manual', 4, [[2, 3], [2, 1]]);
    expect(more.error).toBeNull();
    expect(state('manual', 2)).toMatchObject({ replicas: [2, 3], isr: [3], leader: 3 });
    expect(await created({ name: 'manual1', partitions: -1, replicationFactor: -1, assignment: [[1]] })).toBeNull();
    const unled = await admin.createPartitions('manual1', 3, [[3], [2]]);
    expect(unled.error?.code).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(unled.error?.message).toBe('All brokers specified in the manual partition assignment for partition 2 are fenced or in controlled shutdown.');
    expect(cluster.cluster.metadata.topic('manual1')!.partitions).toHaveLength(1);
  });

  it('have the returning broker join their ISR once it caught up', async () => {
    await cluster.cluster.startBroker(2);
    await waitUntil('broker 2 in every ISR of rf3', () => Array.from({ length: 9 }, (_, p) => state('rf3', p)).every((s) => s.isr.includes(2)));
    for (let p = 0; p < 9; p++) expect(logBytes(2, 'rf3', p).equals(logBytes(state('rf3', p).leader, 'rf3', p))).toBe(true);
  });
});
