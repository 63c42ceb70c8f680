/**
 * The DSL (src/streams) on the runtime (src/streams/runtime) against an in-process broker: the
 * issue's seed shapes end to end — a filter, a KStream–KTable join, a KStream–GlobalKTable join
 * keyed on the value, a windowed count — and the co-partitioning check of a 3- and 2-partition join.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, OffsetSpec } from '../../src/client/admin.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder, TimeWindows } from '../../src/streams/index.js';
import type { StreamsProperties } from '../../src/streams/runtime/config.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

let broker: TestBroker;
let admin: Admin;
let state: { dir: string; cleanup: () => void };
const running: KafkaStreams[] = [];

beforeAll(async () => {
  broker = await startBroker({ properties: { 'transaction.state.log.num.partitions': '2' } });
  admin = new Admin(broker.client());
  state = tempDir('kafka-streams-dsl-');
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.close().catch(() => undefined)));
  await broker.close();
  state.cleanup();
});

async function topics(...specs: [string, number][]) {
  for (const r of await admin.createTopics(specs.map(([name, partitions]) => ({ name, partitions, replicationFactor: 1 })))) if (r.error) throw r.error;
}

async function produce(topic: string, records: { key: string | null; value: string; timestamp?: number }[]) {
  const p = new Producer(broker.client('input'), { lingerMs: 0 });
  for (const r of records) await p.send({ topic, key: r.key === null ? null : Buffer.from(r.key), value: Buffer.from(r.value), ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }) });
  await p.close();
}

async function readAll(topic: string): Promise<{ key: Buffer | null; value: Buffer | null }[]> {
  const client = broker.client('reader');
  const n = (await client.refreshMetadata([topic])).topics.get(topic)!.partitions.length;
  const ends = await admin.listOffsets(Array.from({ length: n }, (_, partition) => ({ topic, partition, timestamp: OffsetSpec.latest })));
  const f = new Fetcher(client);
  await f.assign(ends.map((e) => ({ topic, partition: e.partition, start: 'earliest' as const, stopAt: e.offset })));
  const out: { key: Buffer | null; value: Buffer | null }[] = [];
  while (!f.allAtEnd()) for (const c of await f.poll({ maxWaitMs: 100 })) for (const r of c.records) out.push({ key: r.key, value: r.value });
  f.close();
  return out;
}
const strings = (rs: { key: Buffer | null; value: Buffer | null }[]) => rs.map((r) => `${r.key?.toString() ?? 'null'}=${r.value?.toString() ?? 'null'}`);

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function run(b: StreamsBuilder, props: StreamsProperties): KafkaStreams {
  const s = new KafkaStreams(b.build(), { 'state.dir': state.dir, 'commit.interval.ms': 200, ...props }, { client: (id) => broker.client(id) });
  running.push(s);
  return s;
}

describe('the DSL on the runtime', () => {
  it('filter: value.length > 5', async () => {
    await topics(['stream_log', 2], ['stream_log_filter', 2]);
    const b = new StreamsBuilder();
    b.stream<string, string>('stream_log')
      .filter((_k, v) => v.length > 5)
      .to('stream_log_filter');
    const s = run(b, { 'application.id': 'dsl-filter' });
    await s.start();
    await produce('stream_log', ['short', 'longer one', 'tiny', 'exactly6'].map((value) => ({ key: null, value })));
    const out = await waitFor('two long values', () => readAll('stream_log_filter'), (o) => o.length >= 2);
    expect(strings(out).sort()).toEqual(['null=exactly6', 'null=longer one']);
    await s.close();
  });

  it('KStream–KTable join: order + " send to " + address', async () => {
    await topics(['orders', 2], ['addresses', 2], ['order_join', 2]);
    const b = new StreamsBuilder();
    const addresses = b.table<string, string>('addresses');
    b.stream<string, string>('orders')
      .join(addresses, (order, address) => `${order} send to ${address}`)
      .to('order_join');
    const s = run(b, { 'application.id': 'dsl-join' });
    await produce('addresses', [{ key: 'alice', value: '1 Main St' }]);
    await s.start();
    await waitFor('the table loaded', async () => s.metrics(), (m) => m.state === 'RUNNING' && m.tasks.every((t) => t.lag === 0));
    await produce('orders', [{ key: 'alice', value: 'book' }]);
    const out = await waitFor('one joined order', () => readAll('order_join'), (o) => o.length >= 1);
    expect(strings(out)).toEqual(['alice=book send to 1 Main St']);
    await s.close();
  });

  it('KStream–GlobalKTable join keyed on the value', async () => {
    await topics(['g_orders', 3], ['g_addresses', 1], ['g_order_join', 1]);
    await produce('g_addresses', [{ key: 'alice', value: '1 Main St' }]);
    const b = new StreamsBuilder();
    const addresses = b.globalTable<string, string>('g_addresses');
    b.stream<string, string>('g_orders')
      .join(addresses, (_id, customer) => customer, (customer, address) => `${customer} send to ${address}`)
      .to('g_order_join');
    const s = run(b, { 'application.id': 'dsl-global' });
    await s.start();
    await produce('g_orders', [
      { key: 'order-1', value: 'alice' },
      { key: 'order-2', value: 'carol' },
    ]);
    const out = await waitFor('one joined order', () => readAll('g_order_join'), (o) => o.length >= 1);
    expect(strings(out)).toEqual(['order-1=alice send to 1 Main St']);
    await s.close();
  });

  it('a windowed count through a repartition topic (groupBy) with its changelog', async () => {
    await topics(['clicks', 3], ['clicks_per_minute', 1]);
    const b = new StreamsBuilder();
    b.stream<string, string>('clicks')
      .groupBy((_k, page) => page)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count()
      .toStream()
      .map((w, n) => ({ key: `${w.key}@${w.window.start}`, value: String(n) }) as never)
      .to('clicks_per_minute', Produced.with(Serdes.String(), Serdes.String()));
    const s = run(b, { 'application.id': 'dsl-count' });
    await s.start();
    await produce('clicks', [
      { key: 'u1', value: '/a', timestamp: 1_000 },
      { key: 'u2', value: '/a', timestamp: 2_000 },
      { key: 'u3', value: '/b', timestamp: 3_000 },
      { key: 'u1', value: '/a', timestamp: 61_000 },
    ]);
    const out = await waitFor('counts', () => readAll('clicks_per_minute'), (o) => strings(o).includes('/a@0=2') && strings(o).includes('/a@60000=1') && strings(o).includes('/b@0=1'));
    expect(strings(out)).toContain('/a@0=2');
    const internal = (await admin.listTopics()).map((t) => t.name).filter((n) => n.startsWith('dsl-count-'));
    expect(internal.some((n) => n.endsWith('-repartition'))).toBe(true);
    expect(internal.some((n) => n.endsWith('-changelog'))).toBe(true);
    await s.close();
  });

  it('a record the serde cannot read: LogAndContinueExceptionHandler skips it, LogAndFailExceptionHandler stops the application', async () => {
    await topics(['ints', 1], ['ints_out', 1], ['ints_out2', 1]);
    const p = new Producer(broker.client('input'), { lingerMs: 0 });
    for (const v of [Buffer.from([0, 0, 0, 7]), Buffer.from('bad'), Buffer.from([0, 0, 0, 9])]) await p.send({ topic: 'ints', key: null, value: v });
    await p.close();
    const build = (to: string) => {
      const b = new StreamsBuilder();
      b.stream('ints', Consumed.with(Serdes.String(), Serdes.Integer()))
        .mapValues((n) => String(n * 2))
        .to(to, Produced.with(Serdes.String(), Serdes.String()));
      return b;
    };
    const logs: string[] = [];
    const cont = new KafkaStreams(
      build('ints_out').build(),
      { 'application.id': 'dsl-deser-continue', 'state.dir': state.dir, 'commit.interval.ms': 200, 'default.deserialization.exception.handler': 'org.apache.kafka.streams.errors.LogAndContinueExceptionHandler' },
      { client: (id) => broker.client(id), log: (_l, m) => logs.push(m) },
    );
    running.push(cont);
    await cont.start();
    const out = await waitFor('the two good records', () => readAll('ints_out'), (o) => o.length >= 2);
    expect(strings(out)).toEqual(['null=14', 'null=18']);
    expect(logs.some((l) => /deserializ|serde|skip/i.test(l))).toBe(true);
    await cont.close();

    const fail = run(build('ints_out2'), { 'application.id': 'dsl-deser-fail' });
    await fail.start();
    await expect(fail.waitForShutdown()).rejects.toThrow(/Integer|deserializ/i);
    expect(fail.currentState()).toBe('ERROR');
    // The good record before the bad one was processed but never committed as an offset.
    const { GroupAdmin } = await import('../../src/client/groups.js');
    const committed = await new GroupAdmin(broker.client()).fetchOffsets('dsl-deser-fail', [{ topic: 'ints', partition: 0 }]);
    expect(committed[0]?.offset ?? -1).toBeLessThan(2);
  });

  it('a join of a 3- and a 2-partition topic fails at start with Kafka\'s message', async () => {
    await topics(['cp_orders', 3], ['cp_addresses', 2], ['cp_out', 1]);
    const b = new StreamsBuilder();
    b.stream<string, string>('cp_orders')
      .join(b.table<string, string>('cp_addresses'), (o, a) => `${o} ${a}`)
      .to('cp_out');
    const s = run(b, { 'application.id': 'dsl-cp' });
    await expect(s.start()).rejects.toThrow('Invalid topology: Topics not co-partitioned: [cp_addresses,cp_orders]');
  });
});
