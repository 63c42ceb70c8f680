/**
 * Replication between the logical brokers of one in-process cluster (3 brokers, real sockets
 * between leader and followers, disk logs in a temp dir): byte-identical replicas, the high
 * watermark and acks=all following the ISR, min.insync.replicas, failover, truncation of a
 * diverged replica, ISR shrink and expand, preferred election, and reassignment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, RESOURCE_BROKER, RESOURCE_TOPIC } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { alterReassignments, listReassignments } from '../../src/client/reassignments.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { DeleteRecords, ElectLeaders, Fetch, Heartbeat, Produce, type FetchResponse, type HeartbeatResponse } from '../../src/protocol/apis/index.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { replicaBytes, startBroker, waitUntil, type TestBroker } from '../helpers/broker.js';
import { createLogger } from '../../src/util/logger.js';

let cluster: TestBroker;
let client: KafkaClient;
let admin: Admin;

/** The brokers' ERROR lines so far (a test checks that none was an unexpected error). */
const errorLines: string[] = [];

beforeAll(async () => {
  cluster = await startBroker({
    properties: { 'kafka-ts.brokers': '3', 'replica.lag.time.max.ms': '1500', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '100' },
    log: createLogger((line) => void (line.includes(' ERROR ') && errorLines.push(line)), 'kafka.Kafka'),
  });
  client = cluster.client();
  admin = new Admin(client);
});
afterAll(async () => cluster.close());

const state = (topic: string, p = 0) => cluster.cluster.metadata.topic(topic)!.partitions[p]!;
const replicaOf = (broker: number, topic: string, p = 0) => cluster.cluster.broker(broker)?.replica(topic, p);
const logBytes = (broker: number, topic: string, p = 0): Buffer => replicaBytes(cluster.cluster, broker, topic, p);
const inSync = (topic: string, p = 0) => {
  const s = state(topic, p);
  const leader = replicaOf(s.leader, topic, p);
  return !!leader && s.replicas.every((b) => replicaOf(b, topic, p)?.logEndOffset() === leader.logEndOffset() && replicaOf(b, topic, p)?.highWatermark === leader.highWatermark);
};

/** Produces `n` numbered records with acks=all; returns their values. */
async function produce(topic: string, from: number, n: number): Promise<string[]> {
  const producer = new Producer(client, { acks: -1, lingerMs: 2 });
  const values = Array.from({ length: n }, (_, i) => `${topic}-${from + i}`);
  await Promise.all(values.map((v) => producer.send({ topic, partition: 0, value: Buffer.from(v) })));
  return values;
}

async function readAll(topic: string): Promise<string[]> {
  const fetcher = new Fetcher(client, { maxWaitMs: 50 });
  const [end] = await admin.listOffsets([{ topic, partition: 0, timestamp: -1 }]);
  await fetcher.assign([{ topic, partition: 0, start: 'earliest', stopAt: end!.offset }]);
  const out: string[] = [];
  while (!fetcher.allAtEnd()) for (const c of await fetcher.poll()) out.push(...c.records.map((r) => r.value!.toString()));
  fetcher.close();
  return out;
}

/**
 * Stops `leader` while a request waits on it (`errorCode`: its answer's error code), then starts it
 * again: the answer is NOT_LEADER_OR_FOLLOWER, given at the stop (within its drain), not at the end
 * of the request's 20 s wait.
 */
async function stopLeaderDuring(leader: number, errorCode: Promise<number>): Promise<void> {
  const stopped = Date.now();
  await cluster.cluster.stopBroker(leader);
  expect(await errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  expect(Date.now() - stopped).toBeLessThan(15_000);
  await cluster.cluster.startBroker(leader);
}

/** One raw acks=all Produce to the partition's leader; returns the partition's error code. */
async function rawProduce(topic: string, value: string): Promise<number> {
  await client.refreshMetadata([topic]);
  const leader = await client.leaderFor(topic, 0);
  const { body } = await client.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>(leader, Produce, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 3000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from(value) }]) }] }],
  });
  return body.responses[0]!.partitionResponses[0]!.errorCode;
}

describe('replicas', () => {
  it('copy every batch byte for byte, and the high watermark follows the ISR', async () => {
    await admin.createTopics([{ name: 'r3', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }]);
    const values = await produce('r3', 0, 500);
    await waitUntil('replicas in sync', () => inSync('r3'));
    const s = state('r3');
    expect(s.isr.sort()).toEqual([1, 2, 3]);
    const leaderBytes = logBytes(s.leader, 'r3');
    for (const b of [1, 2, 3]) expect(logBytes(b, 'r3').equals(leaderBytes)).toBe(true);
    expect(replicaOf(s.leader, 'r3')!.highWatermark).toBe(500);
    expect(await readAll('r3')).toEqual(values);
  });

  it('fail over to an in-sync replica, refuse acks=all below min.insync.replicas, and catch up on return', async () => {
    const before = structuredClone(state('r3'));
    const first = before.leader;
    await cluster.cluster.stopBroker(first);
    const after = structuredClone(state('r3'));
    expect(after.leader).not.toBe(first);
    expect(after.leader).toBeGreaterThan(0);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(after.isr).not.toContain(first);
    const more = await produce('r3', 500, 100);

    const second = after.leader;
    await cluster.cluster.stopBroker(second);
    expect(state('r3').isr).toHaveLength(1);
    expect(await rawProduce('r3', 'refused')).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);

    await cluster.cluster.startBroker(first);
    await cluster.cluster.startBroker(second);
    await waitUntil('both back in the ISR', () => state('r3').isr.length === 3 && inSync('r3'));
    const all = await readAll('r3');
    expect(all).toHaveLength(600);
    expect(all.slice(500)).toEqual(more);
    const leaderBytes = logBytes(state('r3').leader, 'r3');
    for (const b of [1, 2, 3]) expect(logBytes(b, 'r3').equals(leaderBytes)).toBe(true);
  });

  it('answer a fetch waiting on a stopping leader with NOT_LEADER_OR_FOLLOWER, not a dropped connection', async () => {
    // One replica, so the only request waiting on it is this test's fetch.
    await admin.createTopics([{ name: 'handover', partitions: 1, replicationFactor: 1 }]);
    await client.refreshMetadata(['handover']);
    const leader = state('handover').leader;
    const fetching = client.send<FetchResponse>(
      await client.leaderFor('handover', 0),
      Fetch,
      {
        replicaId: -1,
        maxWaitMs: 20_000,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: 'handover', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [],
        rackId: '',
      },
      { timeoutMs: 30_000 },
    );
    await waitUntil('the fetch to wait on the leader', () => replicaOf(leader, 'handover')?.waiting === 1);
    await stopLeaderDuring(leader, fetching.then(({ body }) => body.responses[0]!.partitions[0]!.errorCode));
    await waitUntil('the partition back online', () => state('handover').leader === leader);
  });

  it('answer NOT_COORDINATOR from a stopping coordinator while it drains, and name the new coordinator after', async () => {
    const groups = new GroupAdmin(client);
    const before = (await groups.coordinator('drain-group')).nodeId;
    const heartbeat = async () =>
      (await client.send<HeartbeatResponse>(before, Heartbeat, { groupId: 'drain-group', generationId: 1, memberId: 'm', groupInstanceId: null })).body.errorCode;
    // The connection is open and the broker coordinates the group (which has no such member).
    expect(await heartbeat()).not.toBe(ErrorCode.NOT_COORDINATOR);
    // Leadership, and with it the group, moves as the stop begins; the broker still answers.
    const stopping = cluster.cluster.stopBroker(before);
    expect(await heartbeat()).toBe(ErrorCode.NOT_COORDINATOR);
    await stopping;
    expect((await groups.coordinator('drain-group', true)).nodeId).not.toBe(before);
    await cluster.cluster.startBroker(before);
    await waitUntil('every broker back in every ISR', () => cluster.cluster.metadata.allTopics().every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length)));
  });

  it('take every record of an idempotent producer exactly once while its leader stops mid-stream', async () => {
    await admin.createTopics([{ name: 'once', partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }]);
    const producer = new Producer(client, { acks: -1, lingerMs: 2, batchSize: 2000, idempotent: true });
    const values = Array.from({ length: 3000 }, (_, i) => `once-${i}`);
    const failures: Error[] = [];
    const send = (vs: string[]) => vs.map((v) => producer.send({ topic: 'once', partition: 0, value: Buffer.from(v) }).catch((e: Error) => void failures.push(e)));
    await Promise.all(send(values.slice(0, 1000)));
    // The rest is queued and in flight when the leader goes.
    const rest = send(values.slice(1000));
    const leader = state('once').leader;
    await cluster.cluster.stopBroker(leader);
    await Promise.all(rest);
    expect(failures).toEqual([]);
    await cluster.cluster.startBroker(leader);
    await waitUntil('all back in sync', () => state('once').isr.length === 3 && inSync('once'));
    expect(await readAll('once')).toEqual(values);
  });

  it('truncate a returning replica whose log diverged (after an unclean election)', async () => {
    await admin.createTopics([{ name: 'diverge', partitions: -1, replicationFactor: -1, assignment: [[1, 2]], configs: { 'unclean.leader.election.enable': 'true' } }]);
    await produce('diverge', 0, 10);
    await waitUntil('replicas in sync', () => inSync('diverge'));
    await cluster.cluster.stopBroker(2);
    // Broker 1 alone takes records broker 2 never sees.
    const onlyOn1 = new Producer(client, { acks: 1, lingerMs: 0 });
    for (let i = 0; i < 5; i++) await onlyOn1.send({ topic: 'diverge', partition: 0, value: Buffer.from(`lost-${i}`) });
    expect(replicaOf(1, 'diverge')!.logEndOffset()).toBe(15);
    await cluster.cluster.stopBroker(1);
    expect(state('diverge').leader).toBe(-1);
    // Broker 2 returns first and leads uncleanly from offset 10.
    await cluster.cluster.startBroker(2);
    expect(state('diverge').leader).toBe(2);
    const newer = await produce('diverge', 100, 3);
    await cluster.cluster.startBroker(1);
    await waitUntil('broker 1 to follow broker 2', () => inSync('diverge') && state('diverge').isr.length === 2);
    expect(logBytes(1, 'diverge').equals(logBytes(2, 'diverge'))).toBe(true);
    expect(replicaOf(1, 'diverge')!.logEndOffset()).toBe(13);
    expect((await readAll('diverge')).slice(10)).toEqual(newer);
  });

  it('leave the ISR when they fall behind for replica.lag.time.max.ms, and rejoin when caught up', async () => {
    await admin.createTopics([{ name: 'laggy', partitions: -1, replicationFactor: -1, assignment: [[1, 2, 3]] }]);
    await waitUntil('ISR complete', () => state('laggy').isr.length === 3);
    // Broker 3's replication stalls (its fetchers stop) while records keep arriving.
    const stalled = cluster.cluster.broker(3)!;
    await stalled.replication.stop();
    const producer = new Producer(client, { acks: 1, lingerMs: 0 });
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'laggy', partition: 0, value: Buffer.alloc(2000, i) });
    await waitUntil('broker 3 dropped from the ISR', () => !state('laggy').isr.includes(3));
    expect(state('laggy').isr.sort()).toEqual([1, 2]);
    stalled.replication.start();
    await waitUntil('broker 3 back in the ISR', () => state('laggy').isr.includes(3) && inSync('laggy'));
  });

  it('answer DeleteRecords once the followers on live brokers moved their log start too, REQUEST_TIMED_OUT while one stalls', async () => {
    await admin.createTopics([{ name: 'trimmed', partitions: -1, replicationFactor: -1, assignment: [[1, 2, 3]] }]);
    await waitUntil('ISR complete', () => state('trimmed').isr.length === 3);
    await produce('trimmed', 0, 10);
    await waitUntil('replicas in sync', () => inSync('trimmed'));
    const [deleted] = await admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: 2 }]);
    expect(deleted!.error).toBeNull();
    expect(deleted!.lowWatermark).toBe(2);
    // Answered only after every replica applied it, as Kafka's low watermark is the smallest over them.
    expect([1, 2, 3].map((b) => replicaOf(b, 'trimmed')!.logStartOffset())).toEqual([2, 2, 2]);

    // Broker 3 is live but its replication stalls: the answer waits for it until the request's
    // timeout (1.5 s here) and says so; the leader deleted the records all the same.
    const stalled = cluster.cluster.broker(3)!;
    await stalled.replication.stop();
    const hurried = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'hurried', connectTimeoutMs: 5000, requestTimeoutMs: 1500 });
    try {
      const [late] = await new Admin(hurried).deleteRecords([{ topic: 'trimmed', partition: 0, offset: 4 }]);
      expect(late!.error?.code).toBe(ErrorCode.REQUEST_TIMED_OUT);
    } finally {
      await hurried.close();
    }
    expect(replicaOf(state('trimmed').leader, 'trimmed')!.logStartOffset()).toBe(4);
    expect(replicaOf(3, 'trimmed')!.logStartOffset()).toBe(2);
    stalled.replication.start();
    await waitUntil('broker 3 applied the new log start', () => replicaOf(3, 'trimmed')!.logStartOffset() === 4);
    const [again] = await admin.deleteRecords([{ topic: 'trimmed', partition: 0, offset: 4 }]);
    expect(again).toMatchObject({ error: null, lowWatermark: 4 });
  });

  it('answer a DeleteRecords waiting for a follower with NOT_LEADER_OR_FOLLOWER when its leader stops', async () => {
    await admin.createTopics([{ name: 'trim-handover', partitions: -1, replicationFactor: -1, assignment: [[1, 2, 3]] }]);
    await waitUntil('ISR complete', () => state('trim-handover').isr.length === 3);
    await produce('trim-handover', 0, 10);
    await waitUntil('replicas in sync', () => inSync('trim-handover'));
    // A follower that never applies the new log start: the answer waits for it.
    const leader = state('trim-handover').leader;
    const stalled = cluster.cluster.broker([3, 2, 1].find((b) => b !== leader)!)!;
    await stalled.replication.stop();
    const deleting = client.send<{ topics: { partitions: { errorCode: number; lowWatermark: number }[] }[] }>(
      await client.leaderFor('trim-handover', 0),
      DeleteRecords,
      { topics: [{ name: 'trim-handover', partitions: [{ partitionIndex: 0, offset: 5 }] }], timeoutMs: 20_000 },
      { timeoutMs: 30_000 },
    );
    await waitUntil('the leader to delete', () => replicaOf(leader, 'trim-handover')!.logStartOffset() === 5);
    await stopLeaderDuring(leader, deleting.then(({ body }) => body.topics[0]!.partitions[0]!.errorCode));
    stalled.replication.start();
    await waitUntil('replicas back in sync', () => state('trim-handover').isr.length === 3 && inSync('trim-handover'));
  });

  it('throttle only replicas that are not in sync, at the configured rate', async () => {
    await admin.createTopics([{ name: 'throttled', partitions: -1, replicationFactor: -1, assignment: [[1, 2]] }]);
    const producer = new Producer(client, { acks: -1, lingerMs: 5 });
    for (let i = 0; i < 100; i++) void producer.send({ topic: 'throttled', partition: 0, value: Buffer.alloc(1000, i) });
    await producer.flush();
    // The in-sync follower (2) is not held back even with a throttle on every replica.
    for (const b of ['1', '2', '3']) await admin.alterConfigs(RESOURCE_BROKER, b, { 'leader.replication.throttled.rate': '20000', 'follower.replication.throttled.rate': '20000' });
    await admin.alterConfigs(RESOURCE_TOPIC, 'throttled', { 'leader.replication.throttled.replicas': '*', 'follower.replication.throttled.replicas': '*' });
    await produce('throttled', 100, 100);
    // A new replica (3) copies ~110 KB at 20 KB/s: five to six seconds.
    const start = Date.now();
    await alterReassignments(client, [{ topic: 'throttled', partition: 0, replicas: [1, 2, 3] }]);
    await waitUntil('the new replica to catch up', () => state('throttled').isr.includes(3), 60_000);
    const seconds = (Date.now() - start) / 1000;
    const bytes = logBytes(3, 'throttled').length;
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes / seconds).toBeLessThan(20000 * 1.2);
    expect(bytes / seconds).toBeGreaterThan(20000 * 0.8);
    for (const b of ['1', '2', '3']) await admin.alterConfigs(RESOURCE_BROKER, b, { 'leader.replication.throttled.rate': null, 'follower.replication.throttled.rate': null });
  });
});

describe('leader election', () => {
  it('moves leadership back to the preferred replica on request', async () => {
    await admin.createTopics([{ name: 'pref', partitions: -1, replicationFactor: -1, assignment: [[2, 1, 3]] }]);
    await waitUntil('ISR complete', () => state('pref').isr.length === 3);
    await cluster.cluster.stopBroker(2);
    await cluster.cluster.startBroker(2);
    await waitUntil('broker 2 in sync', () => state('pref').isr.includes(2));
    expect(state('pref').leader).not.toBe(2);
    const elect = () =>
      client.send<{ replicaElectionResults: { partitionResult: { errorCode: number }[] }[] }>('controller', ElectLeaders, { electionType: 0, topicPartitions: [{ topic: 'pref', partitions: [0] }], timeoutMs: 5000 });
    expect((await elect()).body.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(0);
    expect(state('pref').leader).toBe(2);
    expect((await elect()).body.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
  });
});

describe('reassignment', () => {
  it('copies the data to the new replicas, then removes the old one and its files', async () => {
    await admin.createTopics([{ name: 'moving', partitions: -1, replicationFactor: -1, assignment: [[1, 2]] }]);
    const values = await produce('moving', 0, 300);
    const errors = await alterReassignments(client, [{ topic: 'moving', partition: 0, replicas: [2, 3] }]);
    expect(errors.every((e) => e.error === null)).toBe(true);
    await waitUntil('the reassignment to finish', () => state('moving').addingReplicas.length === 0 && state('moving').removingReplicas.length === 0);
    expect(state('moving').replicas).toEqual([2, 3]);
    expect(state('moving').leader).toBe(2);
    await waitUntil('replicas in sync', () => inSync('moving'));
    expect(logBytes(3, 'moving').equals(logBytes(2, 'moving'))).toBe(true);
    await waitUntil('broker 1 to drop its replica', () => replicaOf(1, 'moving') === undefined);
    expect(existsSync(join(cluster.cluster.logDirFor(1), 'moving-0'))).toBe(false);
    expect(await listReassignments(client)).toEqual([]);
    expect(await readAll('moving')).toEqual(values);
  });

  it('moves a partition away from its leader: the follower fetch that completes the move is answered, not failed', async () => {
    // The last new replica's fetch brings it into the ISR, which completes the reassignment and
    // deletes the old leader's replica while that fetch is still being answered from it.
    for (const topic of ['away-1', 'away-2', 'away-3']) {
      await admin.createTopics([{ name: topic, partitions: -1, replicationFactor: -1, assignment: [[1]] }]);
      // Idempotent records: the leader's producer state is built, and answering reads the log for it.
      const producer = new Producer(client, { acks: -1, idempotent: true });
      await Promise.all(Array.from({ length: 200 }, (_, i) => producer.send({ topic, partition: 0, value: Buffer.from(`${i}`) })));
      await producer.close();
      expect((await alterReassignments(client, [{ topic, partition: 0, replicas: [2, 3] }])).every((e) => e.error === null)).toBe(true);
      await waitUntil(`${topic} to move`, () => state(topic).replicas.join() === '2,3' && state(topic).addingReplicas.length === 0);
      await waitUntil(`broker 1 to drop its replica of ${topic}`, () => replicaOf(1, topic) === undefined);
    }
    expect(errorLines.filter((l) => l.includes('Unexpected error'))).toEqual([]);
  });

  it('copies a compacted log, gaps and all, to a new replica', async () => {
    const configs = { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0.01' };
    await admin.createTopics([{ name: 'compacted', partitions: -1, replicationFactor: -1, assignment: [[1]], configs }]);
    const producer = new Producer(client, { acks: -1, lingerMs: 0 });
    for (let i = 0; i < 200; i++) await producer.send({ topic: 'compacted', partition: 0, key: Buffer.from(`k${i % 7}`), value: Buffer.from(`v${i}`) });
    await cluster.cluster.broker(1)!.compactLogs();
    const compacted = logBytes(1, 'compacted');
    expect((await readAll('compacted')).length).toBeLessThan(200);
    expect((await alterReassignments(client, [{ topic: 'compacted', partition: 0, replicas: [1, 3] }])).every((e) => e.error === null)).toBe(true);
    await waitUntil('the reassignment to finish', () => state('compacted').addingReplicas.length === 0 && state('compacted').replicas.length === 2);
    await waitUntil('replicas in sync', () => inSync('compacted'));
    expect(logBytes(3, 'compacted').equals(compacted)).toBe(true);
  });

  it('rejects unknown brokers and partitions, and cancels only running reassignments', async () => {
    const errors = await alterReassignments(client, [
      { topic: 'moving', partition: 0, replicas: [2, 9] },
      { topic: 'moving', partition: 5, replicas: [1, 2] },
      { topic: 'moving', partition: 0, replicas: null },
    ]);
    expect(errors.map((e) => e.error?.code ?? 0)).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);
    expect(state('moving').replicas).toEqual([2, 3]);
  });
});
