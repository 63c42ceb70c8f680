/**
 * The producer catalogue's supported keys, each shown to have its effect: a producer built from
 * the checked properties (checkProperties → producerOptions, as the commands build theirs) against
 * an in-process broker, looking at what landed (partitions, batch headers, offsets). The EFFECTS
 * table names the test of each supported key; a test below checks it covers every one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { PRODUCER_CATALOGUE, producerOptions } from '../../src/client/config/producer.js';
import { COMMON_CLIENT_CONFIGS } from '../../src/client/config/common.js';
import { partitionForKey } from '../../src/client/producer/partitioners.js';
import { Producer, type RecordMetadata } from '../../src/client/producer/producer.js';
import { describeTransaction } from '../../src/client/transactions-admin.js';
import { Fetch, type FetchResponse } from '../../src/protocol/apis/index.js';
import { compressionByName } from '../../src/protocol/compression.js';
import { readBatchHeader, splitBatches, type BatchHeader } from '../../src/protocol/record-batch.js';
import { checkProperties, ConfigValues } from '../../src/util/config-catalogue.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { seeded } from '../helpers/random.js';

const SELF = 'test/integration/config-catalogue-producer.test.ts';

/** Supported producer key (the common client keys are in config-catalogue.test.ts) → [test file, test name] showing its effect. */
const EFFECTS: Record<string, [string, string]> = {
  acks: [SELF, 'acks=0 leaves offsets unknown, acks=1 and all return them'],
  'batch.size': [SELF, 'linger.ms and batch.size decide how records are batched'],
  'linger.ms': [SELF, 'linger.ms and batch.size decide how records are batched'],
  'buffer.memory': [SELF, 'buffer.memory bounds what console-producer keeps unacknowledged; a record finding it full fails after max.block.ms'],
  'compression.type': [SELF, 'compression.type sets the codec of the batches'],
  'compression.gzip.level': [SELF, 'compression.gzip.level and compression.zstd.level change the compressed size of the same records'],
  'compression.zstd.level': [SELF, 'compression.gzip.level and compression.zstd.level change the compressed size of the same records'],
  retries: [SELF, 'retries=0 fails at the first connection error; otherwise delivery.timeout.ms bounds the retries'],
  'delivery.timeout.ms': [SELF, 'retries=0 fails at the first connection error; otherwise delivery.timeout.ms bounds the retries'],
  'max.in.flight.requests.per.connection': [SELF, 'max.in.flight.requests.per.connection above 5 turns default idempotence off and refuses explicit idempotence'],
  'max.request.size': [SELF, 'max.request.size refuses a larger record before it is sent'],
  'max.block.ms': [SELF, 'max.block.ms bounds the wait for a missing topic'],
  'enable.idempotence': [SELF, 'enable.idempotence stamps batches with a producer id, and needs acks=all'],
  'transactional.id': [SELF, 'transactional.id and transaction.timeout.ms reach the coordinator'],
  'transaction.timeout.ms': [SELF, 'transactional.id and transaction.timeout.ms reach the coordinator'],
  'partitioner.class': [SELF, 'partitioner.class=RoundRobinPartitioner spreads 3,000 unkeyed records 1,000/1,000/1,000'],
  'partitioner.ignore.keys': [SELF, 'keyed records land where murmur2 puts them, and are spread with partitioner.ignore.keys=true'],
  'partitioner.adaptive.partitioning.enable': ['test/unit/partitioners.test.ts', 'adaptive partitioning favours partitions with short queues'],
  'partitioner.availability.timeout.ms': [SELF, 'partitioner.availability.timeout.ms: unkeyed records avoid a partition whose leader takes no produce requests'],
  'interceptor.classes': ['test/unit/config-catalogue.test.ts', 'interceptor.classes is accepted empty and refused with Java classes'],
};

let broker: TestBroker;
let client: KafkaClient;
let admin: Admin;
let n = 0;

beforeAll(async () => {
  broker = await startBroker({ properties: { 'auto.create.topics.enable': 'false' } });
  client = broker.client('cfg-producer');
  await client.connect();
  admin = new Admin(client);
});
afterAll(async () => {
  await broker?.close();
});

async function topic(partitions = 1): Promise<string> {
  const name = `cfg-${++n}`;
  const [r] = await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
  expect(r!.error).toBeNull();
  await client.refreshMetadata([name]);
  return name;
}

/** Checks props against the catalogue (no errors expected) and builds the producer the commands would. */
function producer(props: Record<string, string>, on: KafkaClient = client): Producer {
  const r = checkProperties(PRODUCER_CATALOGUE, props);
  expect(r.errors).toEqual([]);
  return new Producer(on, producerOptions(new ConfigValues(PRODUCER_CATALOGUE, r.values), compressionByName));
}

async function sendAll(p: Producer, records: { topic: string; key?: string; value: string }[]): Promise<RecordMetadata[]> {
  const all = records.map((r) => p.send({ topic: r.topic, key: r.key === undefined ? null : Buffer.from(r.key), value: Buffer.from(r.value) }));
  await p.flush();
  return Promise.all(all);
}

/** The record batches of a partition, as stored. */
async function batches(t: string, partition = 0): Promise<BatchHeader[]> {
  const { body } = await client.send<unknown, FetchResponse>(await client.leaderFor(t, partition), Fetch, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: t, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 50 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  const records = body.responses[0]!.partitions[0]!.records as Buffer | null;
  return records ? splitBatches(records).map((b) => readBatchHeader(b)) : [];
}

const count = (bs: BatchHeader[]) => bs.reduce((a, b) => a + b.recordCount, 0);

describe('producer settings have their effect', () => {
  it('EFFECTS names a test for every supported producer key, in a file that has it', () => {
    const supported = PRODUCER_CATALOGUE.entries.filter((e) => e.support === 'supported').map((e) => e.name);
    const common = new Set(COMMON_CLIENT_CONFIGS.map((e) => e.name));
    const missing = supported.filter((k) => !(k in EFFECTS) && !common.has(k));
    expect(missing).toEqual([]);
    for (const [key, [file, name]] of Object.entries(EFFECTS)) {
      expect(existsSync(file), `${key}: ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${key}: "${name}" in ${file}`).toContain(name);
    }
  });

  it('partitioner.class=RoundRobinPartitioner spreads 3,000 unkeyed records 1,000/1,000/1,000', async () => {
    const t = await topic(3);
    const p = producer({ 'partitioner.class': 'org.apache.kafka.clients.producer.RoundRobinPartitioner', 'linger.ms': '20' });
    const metas = await sendAll(p, Array.from({ length: 3000 }, (_, i) => ({ topic: t, value: `v${i}` })));
    await p.close();
    const byMeta = [0, 1, 2].map((q) => metas.filter((m) => m.partition === q).length);
    expect(byMeta).toEqual([1000, 1000, 1000]);
    expect(await Promise.all([0, 1, 2].map(async (q) => count(await batches(t, q))))).toEqual([1000, 1000, 1000]);
  });

  it('keyed records land where murmur2 puts them, and are spread with partitioner.ignore.keys=true', async () => {
    const t = await topic(4);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    for (const cls of [undefined, 'org.apache.kafka.clients.producer.internals.DefaultPartitioner']) {
      const p = producer(cls ? { 'partitioner.class': cls } : {});
      const metas = await sendAll(p, keys.map((k) => ({ topic: t, key: k, value: 'x' })));
      await p.close();
      metas.forEach((m, i) => expect(m.partition, keys[i]).toBe(partitionForKey(Buffer.from(keys[i]!), 4)));
    }
    const p = producer({ 'partitioner.ignore.keys': 'true', 'batch.size': '400' });
    const metas = await sendAll(p, Array.from({ length: 60 }, () => ({ topic: t, key: 'one-key', value: 'x'.repeat(50) })));
    await p.close();
    expect(new Set(metas.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it('the default partitioner sticks to a partition for a batch of unkeyed records before switching', async () => {
    const t = await topic(3);
    const p = producer({ 'batch.size': '1000', 'linger.ms': '50', 'partitioner.adaptive.partitioning.enable': 'false' });
    const metas = await sendAll(p, Array.from({ length: 210 }, () => ({ topic: t, value: 'v'.repeat(100) })));
    await p.close();
    // 61 bytes of header and 124 per record fill 1,000 bytes with 7 records: runs are whole batches.
    const runs: number[] = [];
    metas.forEach((m, i) => (i > 0 && m.partition === metas[i - 1]!.partition ? runs[runs.length - 1]!++ : runs.push(1)));
    for (const r of runs.slice(0, -1)) expect(r % 7, runs.join(',')).toBe(0);
    expect(new Set(metas.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it('acks=0 leaves offsets unknown, acks=1 and all return them', async () => {
    const t = await topic();
    for (const [acks, known] of [['0', false], ['1', true], ['all', true]] as const) {
      const p = producer({ acks, 'enable.idempotence': 'false' });
      const [m] = await sendAll(p, [{ topic: t, value: acks }]);
      await p.close();
      expect(m!.offset >= 0, `acks=${acks}`).toBe(known);
    }
  });

  it('compression.type sets the codec of the batches', async () => {
    for (const [codec, id] of [['gzip', 1], ['lz4', 3], ['zstd', 4], ['none', 0]] as const) {
      const t = await topic();
      const p = producer({ 'compression.type': codec });
      await sendAll(p, Array.from({ length: 20 }, () => ({ topic: t, value: 'aaaaaaaaaaaaaaaaaaaa' })));
      await p.close();
      const bs = await batches(t);
      expect(bs.length).toBeGreaterThan(0);
      for (const b of bs) expect(b.attributes & 0x07, codec).toBe(id);
    }
  });

  it('compression.gzip.level and compression.zstd.level change the compressed size of the same records', async () => {
    // Text from a small vocabulary picked by a fixed LCG: compressible, but a higher level finds more.
    const words = ['kafka', 'topic', 'partition', 'offset', 'broker', 'leader', 'replica', 'consumer', 'producer', 'batch', 'record', 'segment'];
    const rng = seeded(42);
    const values = Array.from({ length: 400 }, () => Array.from({ length: 16 }, () => words[rng.int(words.length)]).join(' '));
    const size = async (props: Record<string, string>) => {
      const t = await topic();
      const p = producer({ 'batch.size': String(1 << 20), 'linger.ms': '1000', ...props });
      await sendAll(p, values.map((value) => ({ topic: t, value })));
      await p.close();
      const bs = await batches(t);
      expect(count(bs)).toBe(values.length);
      return bs.reduce((a, b) => a + b.batchLength, 0);
    };
    const gzip = { fast: await size({ 'compression.type': 'gzip', 'compression.gzip.level': '1' }), best: await size({ 'compression.type': 'gzip', 'compression.gzip.level': '9' }), dflt: await size({ 'compression.type': 'gzip' }) };
    const zstd = { fast: await size({ 'compression.type': 'zstd', 'compression.zstd.level': '-5' }), best: await size({ 'compression.type': 'zstd', 'compression.zstd.level': '19' }), dflt: await size({ 'compression.type': 'zstd' }) };
    expect(gzip.best, JSON.stringify(gzip)).toBeLessThan(gzip.fast);
    expect(gzip.dflt, JSON.stringify(gzip)).toBeLessThan(gzip.fast);
    expect(zstd.best, JSON.stringify(zstd)).toBeLessThan(zstd.fast);
    expect(zstd.best, JSON.stringify(zstd)).toBeLessThan(zstd.dflt);
    // A level of another codec is not this codec's: zstd with compression.gzip.level=1 is zstd's default
    // (about: record timestamps differ between runs)./
    const other = await size({ 'compression.type': 'zstd', 'compression.gzip.level': '1' });
    expect(Math.abs(other - zstd.dflt), JSON.stringify({ zstd, other })).toBeLessThan((zstd.dflt - zstd.best) / 2);
  });

  it('linger.ms and batch.size decide how records are batched', async () => {
    const one = await topic();
    let p = producer({ 'linger.ms': '200' });
    await sendAll(p, Array.from({ length: 50 }, (_, i) => ({ topic: one, value: `r${i}` })));
    await p.close();
    expect((await batches(one)).length).toBe(1);

    const each = await topic();
    p = producer({ 'linger.ms': '0' });
    for (let i = 0; i < 5; i++) await sendAll(p, [{ topic: each, value: `r${i}` }]);
    await p.close();
    expect((await batches(each)).length).toBe(5);

    const small = await topic();
    p = producer({ 'linger.ms': '200', 'batch.size': '300' });
    await sendAll(p, Array.from({ length: 50 }, () => ({ topic: small, value: 'x'.repeat(40) })));
    await p.close();
    const bs = await batches(small);
    expect(count(bs)).toBe(50);
    expect(bs.length).toBeGreaterThanOrEqual(8);
  });

  it('enable.idempotence stamps batches with a producer id, and needs acks=all', async () => {
    for (const [v, stamped] of [['true', true], ['false', false]] as const) {
      const t = await topic();
      const p = producer({ 'enable.idempotence': v });
      await sendAll(p, [{ topic: t, value: v }]);
      await p.close();
      const [b] = await batches(t);
      expect(b!.producerId >= 0, `enable.idempotence=${v}`).toBe(stamped);
    }
    const r = checkProperties(PRODUCER_CATALOGUE, { 'enable.idempotence': 'true', acks: '1' });
    expect(() => producerOptions(new ConfigValues(PRODUCER_CATALOGUE, r.values), compressionByName)).toThrow('Must set acks to all in order to use the idempotent producer.');
  });

  it('max.in.flight.requests.per.connection above 5 turns default idempotence off and refuses explicit idempotence', () => {
    const opts = (props: Record<string, string>) => producerOptions(new ConfigValues(PRODUCER_CATALOGUE, checkProperties(PRODUCER_CATALOGUE, props).values), compressionByName);
    expect(opts({ 'max.in.flight.requests.per.connection': '1' })).toMatchObject({ maxInFlightPerBroker: 1, idempotent: true });
    expect(opts({ 'max.in.flight.requests.per.connection': '6' })).toMatchObject({ maxInFlightPerBroker: 6, idempotent: false });
    expect(() => opts({ 'max.in.flight.requests.per.connection': '6', 'enable.idempotence': 'true' })).toThrow('at most 5');
  });

  it('transactional.id and transaction.timeout.ms reach the coordinator', async () => {
    const t = await topic();
    const p = producer({ 'transactional.id': 'cfg-txn', 'transaction.timeout.ms': '12345' });
    await p.initTransactions();
    p.beginTransaction();
    await sendAll(p, [{ topic: t, value: 'in-txn' }]);
    await p.commitTransaction();
    await p.close();
    const d = await describeTransaction(client, 'cfg-txn');
    expect(d.transactionTimeoutMs).toBe(12345);
    const [b] = await batches(t);
    expect(b!.attributes & 0x10).toBe(0x10);
  });

  it('max.request.size refuses a larger record before it is sent', async () => {
    const t = await topic();
    const p = producer({ 'max.request.size': '2000' });
    await expect(p.send({ topic: t, value: Buffer.alloc(5000) })).rejects.toThrow('max.request.size=2000');
    await sendAll(p, [{ topic: t, value: 'small' }]);
    await p.close();
  });

  it('max.block.ms is waited in full for a missing topic before it fails (it gave up when the next backoff would pass it)', async () => {
    const p = producer({ 'max.block.ms': '1200' });
    const started = Date.now();
    await expect(p.send({ topic: 'cfg-absent-full', value: Buffer.from('x') })).rejects.toThrow('Topic cfg-absent-full not present in metadata after 1200 ms.');
    // Backoffs 100, 200, 400, 800 ms: it failed at ~700 ms, as 700 + 800 passes 1200.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
    await p.close();
  });

  it('max.block.ms bounds the wait for a missing topic', async () => {
    const p = producer({ 'max.block.ms': '300' });
    await expect(p.send({ topic: 'cfg-absent', value: Buffer.from('x') })).rejects.toThrow('not present in metadata after 300 ms');
    await p.close().catch(() => undefined);
  });

  it('retries=0 fails at the first connection error; otherwise delivery.timeout.ms bounds the retries', async () => {
    const own = await startBroker();
    try {
      const c = own.client('cfg-retries');
      await c.connect();
      const [r] = await new Admin(c).createTopics([{ name: 'r', partitions: 1, replicationFactor: 1 }]);
      expect(r!.error).toBeNull();
      await c.refreshMetadata(['r']);
      const once = producer({ retries: '0', 'linger.ms': '0', 'request.timeout.ms': '1000', 'delivery.timeout.ms': '60000' }, c);
      const bounded = producer({ 'linger.ms': '0', 'request.timeout.ms': '500', 'delivery.timeout.ms': '1500' }, c);
      await once.send({ topic: 'r', value: Buffer.from('warm') });
      await bounded.send({ topic: 'r', value: Buffer.from('warm') });
      await own.cluster.close();
      const started = Date.now();
      const e1 = await once.send({ topic: 'r', value: Buffer.from('x') }).then(() => null, (e: Error) => e);
      const t1 = Date.now() - started;
      expect(e1, 'retries=0').not.toBeNull();
      const e2 = await bounded.send({ topic: 'r', value: Buffer.from('y') }).then(() => null, (e: Error) => e);
      expect(e2, 'delivery.timeout.ms=1500').not.toBeNull();
      // Loose sanity bound only: the failure without retries did not wait out its 60 s delivery timeout.
      expect(t1).toBeLessThan(30_000);
    } finally {
      await own.close().catch(() => undefined);
    }
  }, 40_000);

  it('buffer.memory bounds what console-producer keeps unacknowledged; a record finding it full fails after max.block.ms', async () => {
    const { runConsoleProducer } = await import('../../src/tools/console-producer.js');
    const { readerConfig } = await import('../../src/tools/line-reader.js');
    // acks=all on a one-replica topic with min.insync.replicas=2: NOT_ENOUGH_REPLICAS, retried, so
    // records stay unacknowledged until the setting is lowered.
    const t = `cfg-${++n}`;
    const [created] = await admin.createTopics([{ name: t, partitions: 1, replicationFactor: 1, configs: { 'min.insync.replicas': '2' } }]);
    expect(created!.error).toBeNull();
    await client.refreshMetadata([t]);
    const lines = Buffer.from(Array.from({ length: 10 }, () => 'x'.repeat(100)).join('\n') + '\n');
    const run = async (bufferMemory: number | undefined) => {
      const warnings: string[] = [];
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const stdin = (async function* () {
        yield lines;
        await released;
      })();
      const cfg = new ConfigValues(PRODUCER_CATALOGUE, checkProperties(PRODUCER_CATALOGUE, { acks: 'all', 'enable.idempotence': 'false', 'max.block.ms': '100', 'retry.backoff.ms': '50', 'linger.ms': '0' }).values);
      const done = runConsoleProducer(client, { topic: t, input: readerConfig({}), sync: false, prompt: false, producer: producerOptions(cfg, compressionByName), ...(bufferMemory !== undefined && { bufferMemory }) }, {
        stdin,
        prompt: () => undefined,
        warn: (l) => warnings.push(l),
        interrupted: new Promise(() => undefined),
      });
      // The records that found the buffer full have failed (each after max.block.ms); let the others through.
      const deadline = Date.now() + 15_000;
      while (warnings.length < (bufferMemory === undefined ? 0 : 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await admin.alterConfigs(2, t, { 'min.insync.replicas': '1' });
      release();
      const summary = await done;
      await admin.alterConfigs(2, t, { 'min.insync.replicas': '2' });
      return { summary, warnings };
    };
    // 500 bytes hold five 100-byte records: the other five wait 100 ms each and fail with Kafka's text.
    const bounded = await run(500);
    expect({ sent: bounded.summary.sent, failed: bounded.summary.failed }, bounded.warnings.join('\n')).toEqual({ sent: 5, failed: 5 });
    expect(bounded.warnings).toHaveLength(5);
    for (const w of bounded.warnings) {
      expect(w).toContain(`Error when sending 1 message to topic ${t} with error: Failed to allocate 100 bytes within the configured max blocking time 100 ms. Total memory: 500 bytes. Available memory: 0 bytes.`);
    }
    // Unbounded (Kafka's 32 MB default holds them all): every record waits for the broker and is sent.
    const free = await run(undefined);
    expect({ sent: free.summary.sent, failed: free.summary.failed, warnings: free.warnings }).toEqual({ sent: 10, failed: 0, warnings: [] });
  });

  it('partitioner.availability.timeout.ms: unkeyed records avoid a partition whose leader takes no produce requests', async () => {
    // Two brokers, partition 0 led by broker 1 and partition 1 by broker 2, whose Produce
    // requests are held (never answered) until the end.
    const two = await startBroker({ properties: { 'kafka-ts.brokers': '2', 'auto.create.topics.enable': 'false' } });
    try {
      const c = two.client('availability');
      await c.connect();
      const held: (() => void)[] = [];
      let holding = true;
      const send = c.send.bind(c) as (...a: unknown[]) => Promise<unknown>;
      (c as unknown as { send: (...a: unknown[]) => Promise<unknown> }).send = (target: unknown, api: unknown, ...rest: unknown[]) => {
        if (holding && target === 2 && (api as { name: string }).name === 'Produce') return new Promise((res, rej) => held.push(() => void send(target, api, ...rest).then(res, rej)));
        return send(target, api, ...rest);
      };
      const [r] = await new Admin(c).createTopics([{ name: 'avail', partitions: -1, replicationFactor: -1, assignment: [[1], [2]] }]);
      expect(r!.error).toBeNull();
      await c.refreshMetadata(['avail']);
      expect(c.cluster.topics.get('avail')!.partitions.map((p) => p.leader)).toEqual([1, 2]);
      const run = async (props: Record<string, string>) => {
        holding = true;
        const p = producer({ 'max.in.flight.requests.per.connection': '1', 'enable.idempotence': 'false', acks: '1', 'linger.ms': '0', 'batch.size': '200', ...props }, c);
        // Two records for partition 1: one request in flight (held), the next batch ready and blocked.
        const until = async (what: string, ok: () => boolean) => {
          const deadline = Date.now() + 10_000;
          while (!ok() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
          expect(ok(), what).toBe(true);
        };
        const first = [p.send({ topic: 'avail', partition: 1, key: null, value: Buffer.from('x') })];
        await until('a Produce to broker 2 held', () => held.length === 1);
        first.push(p.send({ topic: 'avail', partition: 1, key: null, value: Buffer.from('y') }));
        const stalled = (ms: number) => (p as unknown as { sender: { stalled(l: number, ms: number): boolean } }).sender.stalled(2, ms);
        await until('leader 2 blocked for 100 ms', () => stalled(100));
        const metas = Array.from({ length: 200 }, () => p.send({ topic: 'avail', key: null, value: Buffer.from('v'.repeat(100)) }));
        holding = false;
        for (const h of held.splice(0)) h();
        await p.flush();
        await Promise.all(first);
        const got = await Promise.all(metas);
        await p.close();
        return [0, 1].map((q) => got.filter((m) => m.partition === q).length);
      };
      // On (adaptive partitioning on): partition 1 is skipped while its leader is stalled.
      expect(await run({ 'partitioner.availability.timeout.ms': '100' })).toEqual([200, 0]);
      // Without adaptive partitioning the setting has no effect (as Kafka): both partitions get records.
      const uniform = await run({ 'partitioner.availability.timeout.ms': '100', 'partitioner.adaptive.partitioning.enable': 'false' });
      expect(uniform[1], uniform.join('/')).toBeGreaterThan(20);
    } finally {
      await two.close();
    }
  });

  it('producer-perf-test takes buffer.memory as its bound on outstanding records', async () => {
    const { producerSettings } = await import('../../src/cli/flags/producer-perf-test.js');
    expect(producerSettings({ 'buffer.memory': '1000000' }, compressionByName).bufferMemory).toBe(1_000_000);
    expect(producerSettings({}, compressionByName).bufferMemory).toBe(33554432);
  });
});

