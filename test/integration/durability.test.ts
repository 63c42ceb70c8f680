/**
 * The daemon keeps every acknowledged record across SIGTERM and SIGKILL, continues offsets
 * without gaps or duplicates, and recovers a partition whose segment lost bytes at the end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
const clients: KafkaClient[] = [];

beforeEach(() => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-durable-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stopDaemon(home);
  cleanup();
});

const connect = (bootstrap: string) => {
  const c = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
  clients.push(c);
  return c;
};

async function readAll(bootstrap: string, topic: string, partitions: number): Promise<{ partition: number; offset: number; value: string }[]> {
  const f = new Fetcher(connect(bootstrap), { maxWaitMs: 50 });
  await f.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, start: 'earliest' as const })));
  const out: { partition: number; offset: number; value: string }[] = [];
  do {
    for (const ch of await f.poll()) for (const r of ch.records) out.push({ partition: r.partition, offset: r.offset, value: r.value!.toString() });
  } while (!f.allAtEnd());
  return out;
}

async function produceUntilKilled(bootstrap: string, pid: number, signal: NodeJS.Signals) {
  const client = connect(bootstrap);
  await new Admin(client).createTopics([{ name: 'durable', partitions: 2, replicationFactor: 1 }]);
  const producer = new Producer(client, { acks: 1, lingerMs: 1, batchSize: 2048, retries: 0, deliveryTimeoutMs: 5000 });
  const acked: { partition: number; offset: number; value: string }[] = [];
  let killed = false;
  let i = 0;
  // Keep records flowing until the daemon dies; the kill happens while batches are in flight.
  while (!killed || producer.outstanding > 0) {
    if (!killed) {
      const value = `record-${i++}`;
      producer.append({ topic: 'durable', key: Buffer.from(value), value: Buffer.from(value) }, (err, meta) => {
        if (err || !meta) return;
        acked.push({ partition: meta.partition, offset: meta.offset, value });
        if (acked.length === 3000 && !killed) {
          killed = true;
          process.kill(pid, signal);
        }
      });
      if (i % 200 === 0) await producer.waitForRoom(2000);
    } else await producer.waitForRoom(1);
  }
  return { acked, sent: i };
}

function checkLog(records: { partition: number; offset: number; value: string }[], acked: { partition: number; offset: number; value: string }[]) {
  const byPartition = new Map<number, number[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
  for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, k) => k)); // no gaps
  const values = records.map((r) => r.value);
  expect(new Set(values).size).toBe(values.length); // no duplicates
  const stored = new Map(records.map((r) => [`${r.partition}:${r.offset}`, r.value]));
  for (const a of acked) expect(stored.get(`${a.partition}:${a.offset}`)).toBe(a.value);
}

describe('durability of the daemon', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`keeps every acknowledged record after ${signal} mid-produce and continues offsets`, async () => {
      const { bootstrap, status } = await startDaemon(home);
      const { acked } = await produceUntilKilled(bootstrap, status.pid as number, signal);
      expect(acked.length).toBeGreaterThanOrEqual(3000);
      const restarted = await startDaemon(home);
      const before = await readAll(restarted.bootstrap, 'durable', 2);
      checkLog(before, acked);
      const p = new Producer(connect(restarted.bootstrap), { lingerMs: 0 });
      const meta = await p.send({ topic: 'durable', partition: 0, value: Buffer.from('after-restart') });
      expect(meta.offset).toBe(before.filter((r) => r.partition === 0).length);
      checkLog(await readAll(restarted.bootstrap, 'durable', 2), acked);
    });
  }

  it('recovers a partition whose last segment lost bytes at the end, and serves the valid prefix', async () => {
    const { bootstrap } = await startDaemon(home);
    const client = connect(bootstrap);
    await new Admin(client).createTopics([{ name: 'torn', partitions: 1, replicationFactor: 1 }]);
    const p = new Producer(client, { lingerMs: 0 });
    for (let i = 0; i < 20; i++) await p.send({ topic: 'torn', value: Buffer.from(`v${i}`.repeat(20)) });
    await client.close();
    await stopDaemon(home);
    const segment = join(home, 'data', 'torn-0', '00000000000000000000.log');
    truncateSync(segment, statSync(segment).size - 9);
    const { bootstrap: again } = await startDaemon(home);
    const log = readFileSync(join(home, 'server.log'), 'utf8');
    expect(log).toMatch(/Recovered partition torn-0: cut \d+ invalid bytes \(a torn write\)/);
    const records = await readAll(again, 'torn', 1);
    expect(records.map((r) => r.value)).toEqual(Array.from({ length: 19 }, (_, i) => `v${i}`.repeat(20)));
    const meta = await new Producer(connect(again), { lingerMs: 0 }).send({ topic: 'torn', value: Buffer.from('next') });
    expect(meta.offset).toBe(19);
  });

  it('cuts garbage appended after the last batch by a crash', async () => {
    const { bootstrap, status } = await startDaemon(home);
    const client = connect(bootstrap);
    await new Admin(client).createTopics([{ name: 'junk', partitions: 1, replicationFactor: 1 }]);
    const p = new Producer(client, { lingerMs: 0 });
    for (let i = 0; i < 5; i++) await p.send({ topic: 'junk', value: Buffer.from(`ok${i}`) });
    process.kill(status.pid as number, 'SIGKILL');
    appendFileSync(join(home, 'data', 'junk-0', '00000000000000000000.log'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 1, 0, 9, 9]));
    const { bootstrap: again } = await startDaemon(home);
    expect((await readAll(again, 'junk', 1)).map((r) => r.value)).toEqual(['ok0', 'ok1', 'ok2', 'ok3', 'ok4']);
    const r = await kafkaTs(['server', 'status', '--data-dir', home], { home });
    expect(r.exitCode).toBe(0);
  });
});
