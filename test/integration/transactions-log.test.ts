/**
 * The log side of transactions with raw requests against a real broker (disk logs in a temp dir):
 * WriteTxnMarkers appends control batches (and its errors), the last stable offset stops at an
 * open transaction and moves on at its marker, read_committed Fetch never returns data past it and
 * lists the aborted transactions it overlaps, a parked read_committed fetch wakes when the LSO
 * moves, ListOffsets with isolation, the .txnindex and the open transaction survive a restart,
 * TxnOffsetCommit offsets stay pending until the marker, and markers replicate like any batch.
 * The transactional batches are written without a coordinator's transaction, so the brokers run
 * with transaction.partition.verification.enable=false (KIP-890's check is txn-verification.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { Fetch, ListGroups, ListOffsets, OffsetFetch, Produce, TxnOffsetCommit, WriteTxnMarkers } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords, encodeBatch, readBatchHeader, splitBatches } from '../../src/protocol/record-batch.js';
import { readBatches } from '../../src/storage/log-store.js';
import { offsetsPartitionFor } from '../../src/util/java-hash.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

const UNVERIFIED = { 'transaction.partition.verification.enable': 'false' };

interface FetchedPartition {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  records: Buffer | null;
}

function txnBatch(producerId: number, epoch: number, seq: number, values: string[], transactional = true): Buffer {
  return encodeBatch(values.map((v) => ({ key: Buffer.from(v.split('=')[0]!), value: Buffer.from(v) })), { producerId, producerEpoch: epoch, baseSequence: seq, transactional });
}

async function produce(client: KafkaClient, topic: string, records: Buffer, partition = 0): Promise<{ errorCode: number; baseOffset: number }> {
  await client.refreshMetadata([topic]);
  const { body } = await client.send<{ responses: { partitionResponses: { errorCode: number; baseOffset: number }[] }[] }>(await client.leaderFor(topic, partition), Produce, {
    transactionalId: 'tx',
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return body.responses[0]!.partitionResponses[0]!;
}

async function marker(client: KafkaClient, producerId: number, epoch: number, commit: boolean, topics: { name: string; partitionIndexes: number[] }[], coordinatorEpoch = 0, node: number | 'any' = 'any') {
  const { body } = await client.send<{ markers: { producerId: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }[] }>(node, WriteTxnMarkers, {
    markers: [{ producerId, producerEpoch: epoch, transactionResult: commit, topics, coordinatorEpoch }],
  });
  return body.markers[0]!.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

function fetchRequest(topic: string, offset: number, isolationLevel: number, maxWaitMs = 0, minBytes = 0) {
  return {
    replicaId: -1,
    maxWaitMs,
    minBytes,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function fetch(client: KafkaClient, topic: string, offset: number, isolationLevel: number, maxWaitMs = 0, minBytes = 0): Promise<FetchedPartition> {
  const { body } = await client.send<{ responses: { partitions: FetchedPartition[] }[] }>('any', Fetch, fetchRequest(topic, offset, isolationLevel, maxWaitMs, minBytes), { maxVersion: 11 });
  return body.responses[0]!.partitions[0]!;
}

/** The data values a fetch returned and the control records' types (0 abort, 1 commit) in order. */
function contents(p: FetchedPartition): { data: string[]; markers: number[]; lastOffset: number } {
  const data: string[] = [];
  const markers: number[] = [];
  let lastOffset = -1;
  for (const b of p.records ? splitBatches(p.records) : []) {
    const h = readBatchHeader(b);
    for (const r of decodeBatchRecords(b, h)) {
      lastOffset = r.offset;
      if (h.attributes & 0x20) markers.push(r.key!.readInt16BE(2));
      else data.push(r.value!.toString());
    }
  }
  return { data, markers, lastOffset };
}

async function latest(client: KafkaClient, topic: string, isolationLevel: number): Promise<number> {
  const { body } = await client.send<{ topics: { partitions: { offset: number }[] }[] }>('any', ListOffsets, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
  });
  return body.topics[0]!.partitions[0]!.offset;
}

describe('one broker', () => {
  let broker: TestBroker;
  let client: KafkaClient;
  const dir = tempDir();
  const logDir = () => broker.cluster.brokers()[0]!.logDir;
  const start = async () => {
    broker = await startBroker({ dir: dir.dir, properties: UNVERIFIED });
    client = broker.client();
  };
  beforeAll(async () => {
    await start();
    await new Admin(client).createTopics([
      { name: 'tx', partitions: 1, replicationFactor: 1 },
      { name: 'tx-restart', partitions: 1, replicationFactor: 1 },
      { name: 'tx-out', partitions: 1, replicationFactor: 1 },
    ]);
  });
  afterAll(async () => {
    await broker.close();
    dir.cleanup();
  });

  it('stops the LSO at an open transaction, moves it on at COMMIT, and lists ABORTed ones for read_committed', async () => {
    expect(await produce(client, 'tx', encodeBatch([{ value: Buffer.from('plain') }]))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce(client, 'tx', txnBatch(1000, 0, 0, ['a=1', 'b=1']))).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(await produce(client, 'tx', encodeBatch([{ value: Buffer.from('after') }]))).toMatchObject({ errorCode: 0, baseOffset: 3 });

    // Open transaction at offset 1: the LSO stops there; read_uncommitted still sees everything.
    let committed = await fetch(client, 'tx', 0, 1);
    expect(committed).toMatchObject({ errorCode: 0, highWatermark: 4, lastStableOffset: 1 });
    expect(contents(committed).data).toEqual(['plain']);
    expect(contents(await fetch(client, 'tx', 1, 1)).data).toEqual([]);
    const uncommitted = await fetch(client, 'tx', 0, 0);
    expect(uncommitted).toMatchObject({ highWatermark: 4, lastStableOffset: 1, abortedTransactions: null });
    expect(contents(uncommitted).data).toEqual(['plain', 'a=1', 'b=1', 'after']);
    expect(await latest(client, 'tx', 1)).toBe(1);
    expect(await latest(client, 'tx', 0)).toBe(4);

    // COMMIT: the marker is the next offset and the LSO reaches the high watermark.
    expect(await marker(client, 1000, 0, true, [{ name: 'tx', partitionIndexes: [0] }])).toEqual([0]);
    committed = await fetch(client, 'tx', 0, 1);
    expect(committed).toMatchObject({ highWatermark: 5, lastStableOffset: 5, abortedTransactions: [] });
    expect(contents(committed)).toEqual({ data: ['plain', 'a=1', 'b=1', 'after'], markers: [1], lastOffset: 4 });
    expect(await latest(client, 'tx', 1)).toBe(5);

    // An aborted transaction (epoch 1 of another producer) between two committed records.
    expect(await produce(client, 'tx', txnBatch(2000, 1, 0, ['x=1']))).toMatchObject({ errorCode: 0, baseOffset: 5 });
    expect(await produce(client, 'tx', txnBatch(2000, 1, 1, ['y=1']))).toMatchObject({ errorCode: 0, baseOffset: 6 });
    // A plain batch from a producer inside its transaction is refused, as Kafka.
    expect((await produce(client, 'tx', txnBatch(2000, 1, 2, ['z=1'], false))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await marker(client, 2000, 1, false, [{ name: 'tx', partitionIndexes: [0] }], 3)).toEqual([0]);
    committed = await fetch(client, 'tx', 5, 1);
    expect(committed).toMatchObject({ lastStableOffset: 8, highWatermark: 8, abortedTransactions: [{ producerId: 2000, firstOffset: 5 }] });
    expect(contents(committed).markers).toEqual([0]);
    // A read starting after the aborted range does not list it.
    expect((await fetch(client, 'tx', 8, 1)).abortedTransactions).toBeNull();

    // The index entry: Kafka's 34-byte layout in the segment's .txnindex.
    const idx = readFileSync(join(logDir(), 'tx-0', '00000000000000000000.txnindex'));
    expect(idx.length).toBe(34);
    expect([idx.readInt16BE(0), Number(idx.readBigInt64BE(2)), Number(idx.readBigInt64BE(10)), Number(idx.readBigInt64BE(18)), Number(idx.readBigInt64BE(26))]).toEqual([0, 2000, 5, 7, 8]);
  });

  it('answers markers with Kafka errors per partition and changes nothing for them', async () => {
    const topicEnd = () => broker.cluster.brokers()[0]!.replica('tx', 0)!.logEndOffset();
    const before = topicEnd();
    // Producer 2000 is at epoch 1: epoch 0 is stale. Its coordinator epoch is 3: 2 is a zombie coordinator.
    expect(await marker(client, 2000, 0, true, [{ name: 'tx', partitionIndexes: [0] }], 3)).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect(await marker(client, 2000, 1, true, [{ name: 'tx', partitionIndexes: [0] }], 2)).toEqual([ErrorCode.TRANSACTION_COORDINATOR_FENCED]);
    expect(await marker(client, 2000, 1, true, [{ name: 'nope', partitionIndexes: [0] }, { name: 'tx', partitionIndexes: [7] }], 3)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(topicEnd()).toBe(before);
    // A data batch with a stale epoch is fenced too.
    expect((await produce(client, 'tx', txnBatch(2000, 0, 0, ['old=1']))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // Clients may not write control batches.
    const control = encodeBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], { producerId: 2000, producerEpoch: 1, baseSequence: 2, transactional: true, control: true });
    expect((await produce(client, 'tx', control)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(topicEnd()).toBe(before);
  });

  it('wakes a parked read_committed fetch when the marker moves the LSO', async () => {
    const from = broker.cluster.brokers()[0]!.replica('tx', 0)!.logEndOffset();
    expect((await produce(client, 'tx', txnBatch(3000, 0, 0, ['w=1']))).errorCode).toBe(0);
    const t0 = Date.now();
    // Another connection: a broker answers one connection's requests in order.
    const parked = fetch(broker.client('parked'), 'tx', from, 1, 8000, 1);
    // The fetch stays parked while the transaction is open (the data is below the HW, not the LSO).
    await new Promise((r) => setTimeout(r, 300));
    const replica = broker.cluster.brokers()[0]!.replica('tx', 0)!;
    expect(replica.waiting).toBeGreaterThan(0);
    expect(await marker(client, 3000, 0, true, [{ name: 'tx', partitionIndexes: [0] }])).toEqual([0]);
    const got = await parked;
    expect(Date.now() - t0).toBeLessThan(7000);
    expect(contents(got).data).toEqual(['w=1']);
  });

  it('keeps the .txnindex and an open transaction across a restart (producer-state snapshot)', async () => {
    expect((await produce(client, 'tx-restart', txnBatch(4000, 0, 0, ['gone=1']))).errorCode).toBe(0);
    expect(await marker(client, 4000, 0, false, [{ name: 'tx-restart', partitionIndexes: [0] }])).toEqual([0]);
    expect((await produce(client, 'tx-restart', encodeBatch([{ value: Buffer.from('seen') }]))).errorCode).toBe(0);
    expect((await produce(client, 'tx-restart', txnBatch(5000, 0, 0, ['open=1']))).errorCode).toBe(0);
    expect((await fetch(client, 'tx-restart', 0, 1)).lastStableOffset).toBe(3);
    await broker.close(true);
    const partitionDir = join(logDir(), 'tx-restart-0');
    expect(existsSync(join(partitionDir, '00000000000000000000.txnindex'))).toBe(true);
    expect(existsSync(join(partitionDir, '00000000000000000004.snapshot'))).toBe(true);
    await start();
    const p = await fetch(client, 'tx-restart', 0, 1);
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 4, lastStableOffset: 3, abortedTransactions: [{ producerId: 4000, firstOffset: 0 }] });
    expect(contents(p).data).toEqual(['gone=1', 'seen']);
    // The restarted broker still knows the open transaction's producer: a plain batch inside it is refused.
    expect((await produce(client, 'tx-restart', txnBatch(5000, 0, 1, ['plain=1'], false))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await marker(client, 5000, 0, true, [{ name: 'tx-restart', partitionIndexes: [0] }])).toEqual([0]);
    expect(await fetch(client, 'tx-restart', 0, 1)).toMatchObject({ lastStableOffset: 5, highWatermark: 5 });
  });

  it('keeps TxnOffsetCommit offsets pending until the COMMIT marker on __consumer_offsets, and drops them on ABORT', async () => {
    const group = 'txn-group';
    const offsetsPartition = offsetsPartitionFor(group, 4);
    const commit = async (producerId: number, epoch: number, offset: number) => {
      const { body } = await client.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', TxnOffsetCommit, {
        transactionalId: 'tx-app',
        groupId: group,
        producerId,
        producerEpoch: epoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'tx-out', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      });
      return body.topics[0]!.partitions[0]!.errorCode;
    };
    const fetchOffset = async (requireStable: boolean) => {
      const { body } = await client.send<{ topics: { partitions: { committedOffset: number; errorCode: number }[] }[] }>('any', OffsetFetch, {
        groupId: group,
        topics: [{ name: 'tx-out', partitionIndexes: [0] }],
        requireStable,
      }, { maxVersion: 7 });
      return body.topics[0]!.partitions[0]!;
    };
    expect(await commit(6000, 0, 42)).toBe(0);
    expect(await fetchOffset(true)).toEqual(expect.objectContaining({ committedOffset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }));
    expect(await fetchOffset(false)).toEqual(expect.objectContaining({ committedOffset: -1, errorCode: 0 }));
    expect(await marker(client, 6000, 0, true, [{ name: '__consumer_offsets', partitionIndexes: [offsetsPartition] }])).toEqual([0]);
    expect(await fetchOffset(true)).toEqual(expect.objectContaining({ committedOffset: 42, errorCode: 0 }));

    expect(await commit(6000, 0, 99)).toBe(0);
    expect(await commit(6000, -1, 100)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await marker(client, 6000, 0, false, [{ name: '__consumer_offsets', partitionIndexes: [offsetsPartition] }])).toEqual([0]);
    expect(await fetchOffset(true)).toEqual(expect.objectContaining({ committedOffset: 42, errorCode: 0 }));

    // Nothing to commit (an unknown topic): no group is made for it.
    const nothing = await client.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', TxnOffsetCommit, {
      transactionalId: 'tx-app', groupId: 'txn-nothing', producerId: 6000, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    expect(nothing.body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const listed = await client.send<{ groups: { groupId: string }[] }>('any', ListGroups, {});
    expect(listed.body.groups.map((g) => g.groupId)).not.toContain('txn-nothing');

    // A member id the group does not have.
    const { body } = await client.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', TxnOffsetCommit, {
      transactionalId: 'tx-app', groupId: group, producerId: 6000, producerEpoch: 0, generationId: 1, memberId: 'ghost', groupInstanceId: null,
      topics: [{ name: 'tx-out', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    expect(body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // Pending offsets come back pending after a restart; the marker then commits them.
    expect(await commit(6000, 0, 77)).toBe(0);
    await broker.close(true);
    await start();
    const until = Date.now() + 10_000;
    let seen = await fetchOffset(true).catch(() => null);
    while ((!seen || seen.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || seen.errorCode === ErrorCode.NOT_COORDINATOR) && Date.now() < until) seen = await fetchOffset(true).catch(() => null);
    expect(seen).toEqual(expect.objectContaining({ committedOffset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }));
    expect(await marker(client, 6000, 0, true, [{ name: '__consumer_offsets', partitionIndexes: [offsetsPartition] }])).toEqual([0]);
    expect(await fetchOffset(true)).toEqual(expect.objectContaining({ committedOffset: 77, errorCode: 0 }));
  });
});

describe('three brokers', () => {
  let cluster: TestBroker;
  let client: KafkaClient;
  beforeAll(async () => {
    cluster = await startBroker({ properties: { ...UNVERIFIED, 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '50' } });
    client = cluster.client();
    await new Admin(client).createTopics([{ name: 'tx3', partitions: 1, replicationFactor: 3 }]);
  });
  afterAll(async () => cluster.close());

  it('replicates markers like any batch; the LSO waits for the marker to be replicated', async () => {
    expect((await produce(client, 'tx3', txnBatch(7000, 0, 0, ['r=1', 'r=2']))).errorCode).toBe(0);
    const leader = await client.leaderFor('tx3', 0);
    expect(await marker(client, 7000, 0, false, [{ name: 'tx3', partitionIndexes: [0] }], 0, leader)).toEqual([0]);
    // Markers are written with acks=-1: when the answer comes, every in-sync replica has it.
    const leaderReplica = cluster.cluster.broker(leader)!.replica('tx3', 0)!;
    const bytes = (b: number) => {
      const r = cluster.cluster.broker(b)!.replica('tx3', 0)!;
      return Buffer.concat([...readBatches(r.log, 0, r.logEndOffset())]);
    };
    const replicas = cluster.cluster.metadata.topic('tx3')!.partitions[0]!.replicas;
    for (const b of replicas) expect(bytes(b).equals(bytes(leader))).toBe(true);
    const last = [...readBatches(leaderReplica.log, 0, leaderReplica.logEndOffset())].at(-1)!;
    expect(readBatchHeader(last)).toMatchObject({ producerId: 7000, producerEpoch: 0, attributes: 0x30, baseOffset: 2 });
    const p = await client.send<{ responses: { partitions: FetchedPartition[] }[] }>(leader, Fetch, fetchRequest('tx3', 0, 1), { maxVersion: 11 });
    expect(p.body.responses[0]!.partitions[0]).toMatchObject({ lastStableOffset: 3, abortedTransactions: [{ producerId: 7000, firstOffset: 0 }] });
    // Every follower indexed the abort too (its producer state replays the marker), so a new leader serves it.
    for (const b of replicas) {
      const r = cluster.cluster.broker(b)!.replica('tx3', 0)!;
      r.producers.lastStableOffset(r.highWatermark);
      expect(r.log.abortedTxns(0, 3)).toEqual([{ producerId: 7000, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 }]);
    }
  });

  it('a new leader after failover knows the open transaction (LSO) and takes its marker', async () => {
    await new Admin(client).createTopics([{ name: 'tx3f', partitions: 1, replicationFactor: 3 }]);
    await client.refreshMetadata(['tx3f']);
    expect((await produce(client, 'tx3f', encodeBatch([{ value: Buffer.from('before') }]))).errorCode).toBe(0);
    expect((await produce(client, 'tx3f', txnBatch(7100, 0, 0, ['open=1']))).errorCode).toBe(0);
    const first = cluster.cluster.metadata.topic('tx3f')!.partitions[0]!.leader;
    await cluster.cluster.stopBroker(first);
    const next = cluster.cluster.metadata.topic('tx3f')!.partitions[0]!.leader;
    expect(next).not.toBe(first);
    await client.refreshMetadata(['tx3f']);
    const read = async () => (await client.send<{ responses: { partitions: FetchedPartition[] }[] }>(next, Fetch, fetchRequest('tx3f', 0, 1), { maxVersion: 11 })).body.responses[0]!.partitions[0]!;
    // The new leader's high watermark may need a round of follower fetches to come up to 2.
    const deadline = Date.now() + 15_000;
    let p = await read();
    while (p.highWatermark < 2 && Date.now() < deadline) p = await read();
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 2, lastStableOffset: 1 });
    expect(contents(p).data).toEqual(['before']);
    expect(await marker(client, 7100, 0, false, [{ name: 'tx3f', partitionIndexes: [0] }], 0, next)).toEqual([0]);
    p = await read();
    expect(p).toMatchObject({ lastStableOffset: 3, abortedTransactions: [{ producerId: 7100, firstOffset: 1 }] });
    await cluster.cluster.startBroker(first);
  });
});

describe('authorization', () => {
  const AUTHZ = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'allow.everyone.if.no.acl.found': 'false', 'super.users': 'User:admin-nobody' };
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker({ properties: AUTHZ });
  });
  afterAll(async () => broker.close());

  it('refuses markers without CLUSTER_ACTION and transactional writes without WRITE on the transactional id', async () => {
    const anon = broker.client('anon');
    expect(await marker(anon, 1, 0, true, [{ name: 'any', partitionIndexes: [0, 1] }])).toEqual([ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
    const { body } = await anon.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', TxnOffsetCommit, {
      transactionalId: 'tx-app', groupId: 'g', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'any', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    expect(body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const produced = await anon.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
      transactionalId: 'tx-app', acks: -1, timeoutMs: 1000,
      topicData: [{ name: 'any', partitionData: [{ index: 0, records: txnBatch(1, 0, 0, ['a=1']) }] }],
    });
    expect(produced.body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });
});

