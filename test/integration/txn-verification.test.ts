/**
 * KIP-890 transaction verification (transaction.partition.verification.enable, true by default
 * as in Kafka 3.6+): a transactional batch that would start its producer's transaction in a
 * partition is appended only when the transaction coordinator has that partition in the
 * producer's ongoing transaction. A stray transactional batch (no InitProducerId, no
 * AddPartitionsToTxn) or a write to a partition the producer never added used to be appended and
 * held the partition's last stable offset, and so every read_committed consumer, back for ever.
 * Three brokers: the leader asks whichever broker coordinates the transactional id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { defineHandler, type AnyHandler } from '../../src/broker/handler.js';
import { AddPartitionsToTxn, EndTxn, FindCoordinator, IncrementalAlterConfigs, InitProducerId, ListOffsets, Produce, WriteTxnMarkers } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { silentLogger } from '../../src/util/logger.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { RawConn } from '../helpers/raw-kafka.js';
import { tempDir } from '../helpers/tmp.js';

const TOPIC = 'v';

interface Env {
  cluster: KafkaCluster;
  conns: Map<number, RawConn>;
  close(): Promise<void>;
}

async function start(props: Record<string, string>): Promise<Env> {
  const t = tempDir();
  const { config } = buildBrokerConfig(t.dir, {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'offsets.topic.num.partitions': '2',
    'transaction.state.log.num.partitions': '3',
    'auto.leader.rebalance.enable': 'false',
    ...props,
  });
  const cluster = await KafkaCluster.start({ config, log: silentLogger });
  const client = new KafkaClient({ bootstrap: parseBootstrap(cluster.bootstrap), clientId: 'verify-test', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  const created = await new Admin(client).createTopics([{ name: TOPIC, partitions: 3, replicationFactor: 1 }]);
  await client.close();
  expect(created.every((r) => r.error === null), JSON.stringify(created)).toBe(true);
  const conns = new Map<number, RawConn>();
  return {
    cluster,
    conns,
    async close() {
      for (const c of conns.values()) c.close();
      await cluster.close();
      t.cleanup();
    },
  };
}

async function conn(env: Env, broker: number): Promise<RawConn> {
  let c = env.conns.get(broker);
  if (!c || c.closed) env.conns.set(broker, (c = await RawConn.tcp(env.cluster.boundPort(broker))));
  return c;
}

const leaderOf = (env: Env, partition: number) => env.cluster.metadata.topic(TOPIC)!.partitions[partition]!.leader;

const batch = (producerId: number, producerEpoch: number, baseSequence: number, value: string, transactional = true) =>
  encodeBatch([{ value: Buffer.from(value) }], producerId < 0 ? {} : { producerId, producerEpoch, baseSequence, transactional });

/** Produce v9 of one batch to a partition's leader. */
async function produce(env: Env, partition: number, records: Buffer, transactionalId: string | null) {
  const r = await (await conn(env, leaderOf(env, partition))).request(Produce, 9, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] });
  return r!.responses[0]!.partitionResponses[0]!;
}

/** The partition's latest offset for read_uncommitted (high watermark) and read_committed (last stable offset). */
async function offsets(env: Env, partition: number): Promise<{ hw: number; lso: number }> {
  const at = async (isolationLevel: number) => {
    const r = await (await conn(env, leaderOf(env, partition))).request(ListOffsets, 7, { replicaId: -1, isolationLevel, topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1 }] }] });
    return Number(r!.topics[0]!.partitions[0]!.offset);
  };
  return { hw: await at(0), lso: await at(1) };
}

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The coordinator of `id` (FindCoordinator creates __transaction_state) and a connection to it. */
async function coordinator(env: Env, id: string): Promise<RawConn> {
  const any = await conn(env, env.cluster.brokers()[0]!.id);
  const fc = await waitFor('a coordinator', async () => (await any.request(FindCoordinator, 3, { key: id, keyType: 1, coordinatorKeys: [id] }))!, (r) => r.errorCode === 0);
  return conn(env, fc.nodeId!);
}

async function initProducer(env: Env, id: string) {
  const c = await coordinator(env, id);
  const init = await waitFor(
    `InitProducerId(${id})`,
    async () => (await c.request(InitProducerId, 4, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }))!,
    (r) => r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS,
  );
  expect(init.errorCode).toBe(0);
  const add = async (partitions: number[]) => {
    const r = (await c.request(AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: id, v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch, v3AndBelowTopics: [{ name: TOPIC, partitions }] }))!;
    return r.resultsByTopicV3AndBelow!.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
  };
  const end = async (committed: boolean) => (await c.request(EndTxn, 3, { transactionalId: id, producerId: init.producerId, producerEpoch: init.producerEpoch, committed }))!.errorCode;
  return { producerId: init.producerId, epoch: init.producerEpoch, add, end };
}

describe('transaction.partition.verification.enable=true (the default), three brokers', () => {
  let env: Env;
  beforeAll(async () => {
    env = await start({ 'kafka-ts.brokers': '3' });
  }, 60_000);
  afterAll(async () => env?.close());

  it('refuses a stray transactional batch (no InitProducerId, no AddPartitionsToTxn): nothing is written and the LSO stays with the high watermark', async () => {
    expect((await produce(env, 0, batch(-1, -1, -1, 'plain'), null)).errorCode).toBe(0);
    // Without a transactional id, as Kafka's KafkaApis answers it.
    expect((await produce(env, 0, batch(777, 0, 0, 'stray'), null)).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    // No __transaction_state yet: no coordinator to verify with (retriable, as in Kafka).
    const early = await produce(env, 0, batch(777, 0, 0, 'stray'), 'ghost');
    expect(early.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(early.errorMessage).toContain('COORDINATOR_NOT_AVAILABLE');
    await coordinator(env, 'ghost');
    // The coordinator does not know the transactional id.
    const r = await waitFor('the coordinator to load', () => produce(env, 0, batch(777, 0, 0, 'stray'), 'ghost'), (x) => x.errorCode !== ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(r.errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await offsets(env, 0)).toEqual({ hw: 1, lso: 1 });
  });

  it('a real transaction: the first batch right after AddPartitionsToTxn is appended, a partition it never added is refused with INVALID_TXN_STATE, and after the commit no LSO is stuck', async () => {
    const p = await initProducer(env, 'tx-v');
    expect(await p.add([1])).toEqual([0]);
    const before2 = await offsets(env, 2);
    // Partitions led by the three brokers: the leader asks the coordinator wherever it runs.
    expect(new Set([0, 1, 2].map((i) => leaderOf(env, i))).size).toBeGreaterThan(1);
    expect((await produce(env, 1, batch(p.producerId, p.epoch, 0, 'a'), 'tx-v')).errorCode).toBe(0);
    expect((await produce(env, 1, batch(p.producerId, p.epoch, 1, 'b'), 'tx-v')).errorCode).toBe(0);
    const stray = await produce(env, 2, batch(p.producerId, p.epoch, 0, 'not-added'), 'tx-v');
    expect(stray).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE, errorMessage: 'Partition was not added to the transaction' });
    // A fenced epoch is INVALID_PRODUCER_EPOCH (Kafka turns the coordinator's PRODUCER_FENCED into it).
    expect((await produce(env, 2, batch(p.producerId, p.epoch + 1, 0, 'fenced'), 'tx-v')).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await offsets(env, 2)).toEqual(before2);
    expect(await p.end(true)).toBe(0);
    for (const i of [1, 2]) await waitFor(`the LSO of ${TOPIC}-${i} to reach its high watermark`, () => offsets(env, i), (o) => o.lso === o.hw);
    // The transaction is over: the partition must be added to the next one before it is written again.
    expect((await produce(env, 1, batch(p.producerId, p.epoch, 2, 'late'), 'tx-v')).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it("answers a new partition's batch of a transaction being committed (PrepareCommit) NOT_ENOUGH_REPLICAS, retriable, as Kafka answers Produce before v12", async () => {
    const handlers = (env.cluster.router as unknown as { handlers: Map<number, AnyHandler> }).handlers;
    const real = handlers.get(WriteTxnMarkers.key)!;
    // Markers are refused for now, so the commit stays in PrepareCommit.
    const refuse = defineHandler({
      api: WriteTxnMarkers,
      minVersion: 0,
      maxVersion: 1,
      handle: (req) => ({ markers: req.markers.map((m) => ({ producerId: m.producerId, topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => ({ partitionIndex: i, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER })) })) })) }),
    });
    const p = await initProducer(env, 'tx-prepare');
    expect(await p.add([0, 2])).toEqual([0, 0]);
    expect((await produce(env, 0, batch(p.producerId, p.epoch, 0, 'x'), 'tx-prepare')).errorCode).toBe(0);
    handlers.set(WriteTxnMarkers.key, refuse as unknown as AnyHandler);
    try {
      expect(await p.end(true)).toBe(0);
      const r = await produce(env, 2, batch(p.producerId, p.epoch, 0, 'y'), 'tx-prepare');
      expect(r.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
      expect(r.errorMessage).toContain('CONCURRENT_TRANSACTIONS');
    } finally {
      handlers.set(WriteTxnMarkers.key, real);
    }
    await waitFor(`the LSO of ${TOPIC}-0 to reach its high watermark`, () => offsets(env, 0), (o) => o.lso === o.hw);
  });

  // Last: it stops a broker.
  it('after a coordinator move, the new coordinator verifies: the first batch of an added partition is appended once it has loaded the transaction', async () => {
    const p = await initProducer(env, 'tx-move');
    const t = env.cluster.metadata.topic('__transaction_state')!;
    const coord = t.partitions.find((_, i) => i === env.cluster.brokers()[0]!.transactions.partitionFor('tx-move'))!.leader;
    const partition = [0, 1, 2].find((i) => leaderOf(env, i) !== coord)!;
    expect(await p.add([partition])).toEqual([0]);
    await env.cluster.stopBroker(coord);
    env.conns.get(coord)?.close();
    // NOT_ENOUGH_REPLICAS (retriable) while no coordinator has loaded it, as a client retries.
    const r = await waitFor('the new coordinator', () => produce(env, partition, batch(p.producerId, p.epoch, 0, 'moved'), 'tx-move'), (x) => x.errorCode !== ErrorCode.NOT_ENOUGH_REPLICAS, 30_000);
    expect(r.errorCode).toBe(0);
    const now = env.cluster.metadata.topic('__transaction_state')!.partitions[env.cluster.brokers()[0]!.transactions.partitionFor('tx-move')]!.leader;
    expect(now).not.toBe(coord);
  }, 60_000);
});

describe('transaction.partition.verification.enable=false', () => {
  let env: Env;
  beforeAll(async () => {
    env = await start({ 'transaction.partition.verification.enable': 'false' });
  }, 60_000);
  afterAll(async () => env?.close());

  it('appends a transactional batch unverified, as Kafka does with verification off (its transaction stays open); set true dynamically, it verifies', async () => {
    const r = await produce(env, 0, batch(777, 0, 0, 'stray'), 'ghost');
    expect(r.errorCode).toBe(0);
    expect(await offsets(env, 0)).toEqual({ hw: 1, lso: 0 });
    // A dynamic broker config, as in Kafka (cluster-wide default here).
    const c = await conn(env, env.cluster.brokers()[0]!.id);
    const alter = (await c.request(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'transaction.partition.verification.enable', configOperation: 0, value: 'true' }] }], validateOnly: false }))!;
    expect(alter.responses[0]!.errorCode).toBe(0);
    await coordinator(env, 'ghost');
    const refused = await waitFor('the coordinator to load', () => produce(env, 1, batch(778, 0, 0, 'stray'), 'ghost'), (x) => x.errorCode !== ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(await offsets(env, 1)).toEqual({ hw: 0, lso: 0 });
  });
});
