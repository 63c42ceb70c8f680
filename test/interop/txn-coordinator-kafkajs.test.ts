/**
 * kafkajs 2.2.4's transactional producer, unmodified, against the transaction coordinator: a
 * transaction sending to 3 partitions plus sendOffsets is committed, another is aborted, and
 * kafkajs consumers see exactly the committed records in read_committed and both in
 * read_uncommitted; a second producer with the same transactional id fences the first; and with
 * three brokers the coordinator's broker is stopped mid-transaction and the producer carries on
 * with the new coordinator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const silent = () => () => undefined;

async function readAll(bootstrap: string, topic: string, expected: number, readUncommitted: boolean, groupId: string): Promise<string[]> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'txn-reader', logLevel: logLevel.NOTHING, logCreator: silent });
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
      if (seen.length >= expected) done();
    },
  });
  const deadline = new Promise<void>((r) => setTimeout(r, 15_000).unref());
  await Promise.race([all, deadline]);
  // A little longer, to see records that should not be there.
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return seen.sort();
}

function producer(bootstrap: string, transactionalId: string): Producer {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: `txn-${transactionalId}`, logLevel: logLevel.NOTHING, logCreator: silent, retry: { retries: 8, initialRetryTime: 100 } });
  return kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
}

describe('kafkajs 2.2.4 transactions on one broker', () => {
  let b: TestBroker;
  beforeAll(async () => {
    b = await startBroker({ properties: { 'transaction.state.log.num.partitions': '3' } });
    const admin = new Kafka({ brokers: [b.bootstrap], clientId: 'admin', logLevel: logLevel.NOTHING, logCreator: silent }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tx-out', numPartitions: 3 }, { topic: 'tx-in', numPartitions: 1 }] });
    await admin.disconnect();
  });
  afterAll(async () => b.close());

  it('commits one transaction (3 partitions + offsets) and aborts another; read_committed sees only the first', async () => {
    const p = producer(b.bootstrap, 'kjs-1');
    await p.connect();
    const t1 = await p.transaction();
    for (let part = 0; part < 3; part++) await t1.send({ topic: 'tx-out', messages: [{ partition: part, value: `committed-${part}` }] });
    await t1.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '42' }] }] });
    await t1.commit();
    const t2 = await p.transaction();
    for (let part = 0; part < 3; part++) await t2.send({ topic: 'tx-out', messages: [{ partition: part, value: `aborted-${part}` }] });
    await t2.abort();
    await p.disconnect();

    const committed = ['committed-0', 'committed-1', 'committed-2'];
    expect(await readAll(b.bootstrap, 'tx-out', 3, false, 'reader-committed')).toEqual(committed);
    expect(await readAll(b.bootstrap, 'tx-out', 6, true, 'reader-uncommitted')).toEqual([...committed, 'aborted-0', 'aborted-1', 'aborted-2'].sort());

    // The group's offset was committed with the transaction.
    const admin = new Kafka({ brokers: [b.bootstrap], clientId: 'admin', logLevel: logLevel.NOTHING, logCreator: silent }).admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['tx-in'] });
    await admin.disconnect();
    expect(offsets[0]!.partitions[0]!.offset).toBe('42');
    // What the coordinator recorded.
    const coord = b.cluster.brokers()[0]!.transactions;
    expect(coord.describe('kjs-1')).toMatchObject({ errorCode: 0, state: 'CompleteAbort', partitions: [] });
  });

  it('fences the first producer when a second one with the same transactional id starts', async () => {
    const first = producer(b.bootstrap, 'kjs-fence');
    await first.connect();
    const t = await first.transaction();
    await t.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'zombie' }] });
    const second = producer(b.bootstrap, 'kjs-fence');
    await second.connect();
    const t2 = await second.transaction(); // aborts the first one's open transaction
    await t2.send({ topic: 'tx-out', messages: [{ partition: 0, value: 'successor' }] });
    await t2.commit();
    // kafkajs 2.2.4 speaks EndTxn v0-1, so the fence comes back as INVALID_PRODUCER_EPOCH.
    await expect(t.commit()).rejects.toThrow(/old epoch|fenced/i);
    await first.disconnect().catch(() => undefined);
    await second.disconnect();
    const seen = await readAll(b.bootstrap, 'tx-out', 4, false, 'reader-fence');
    expect(seen).toContain('successor');
    expect(seen).not.toContain('zombie');
  });
});

describe('kafkajs 2.2.4 across a coordinator move (3 brokers)', () => {
  let b: TestBroker;
  beforeAll(async () => {
    b = await startBroker({ properties: { 'kafka-ts.brokers': '3', 'transaction.state.log.num.partitions': '1', 'replica.fetch.wait.max.ms': '50', 'default.replication.factor': '3' } });
    const admin = new Kafka({ brokers: [b.bootstrap], clientId: 'admin', logLevel: logLevel.NOTHING, logCreator: silent }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'moving', numPartitions: 3, replicationFactor: 3 }] });
    await admin.disconnect();
  });
  afterAll(async () => b.close());

  it('continues with the new coordinator when the old one stops mid-transaction; the result is exactly once', async () => {
    const p = producer(b.bootstrap, 'kjs-move');
    await p.connect();
    const t1 = await p.transaction();
    await t1.send({ topic: 'moving', messages: [0, 1, 2].map((partition) => ({ partition, value: `a-${partition}` })) });
    const leader = b.cluster.metadata.topic('__transaction_state')!.partitions[0]!.leader;
    await b.cluster.stopBroker(leader);
    await t1.send({ topic: 'moving', messages: [0, 1, 2].map((partition) => ({ partition, value: `b-${partition}` })) });
    await t1.commit();
    const t2 = await p.transaction();
    await t2.send({ topic: 'moving', messages: [{ partition: 0, value: 'c-0' }] });
    await t2.commit();
    await p.disconnect();
    const newLeader = b.cluster.metadata.topic('__transaction_state')!.partitions[0]!.leader;
    expect(newLeader).not.toBe(leader);
    const seen = await readAll(b.cluster.bootstrap, 'moving', 7, false, 'reader-move');
    expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'b-2', 'c-0']);
  });
});
