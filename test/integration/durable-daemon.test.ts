/**
 * Durable mode in the real daemon (issue 17): with flush.messages=1 every acknowledged record was
 * fdatasync-ed (server status counts the group-commit rounds) and is there after SIGKILL, with the
 * page cache dropped first where the test may do so (root with a writable /proc/sys). The status
 * also carries the request handling time per API.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
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
  ({ dir: home, cleanup } = tempDir('kafka-ts-durable-mode-'));
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

type Status = { pid: number; durableSyncs: { rounds: number; requests: number; files: number }; requestTimes: { api: string; count: number; p50Ms: number; p99Ms: number; maxMs: number }[]; eventLoopDelay?: { p50Ms: number; maxMs: number } };
const status = async (): Promise<Status> => JSON.parse((await kafkaTs(['server', 'status', '--output', 'json'], { home })).stdout) as Status;

it('flush.messages=1: acknowledged records were synced and survive SIGKILL; status shows syncs and request times', async () => {
  const { bootstrap } = await startDaemon(home);
  const client = connect(bootstrap);
  await new Admin(client).createTopics([{ name: 'dur', partitions: 2, replicationFactor: 1, configs: { 'flush.messages': '1' } }]);
  const before = await status();
  const producer = new Producer(client, { acks: 1, lingerMs: 0 });
  const acked = new Map<string, string>();
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      producer.send({ topic: 'dur', partition: i % 2, value: Buffer.from(`v${i}`) }).then((m) => acked.set(`${m.partition}:${m.offset}`, `v${i}`)),
    ),
  );
  const after = await status();
  expect(after.durableSyncs.files).toBeGreaterThan(before.durableSyncs.files);
  expect(after.durableSyncs.requests - before.durableSyncs.requests).toBeGreaterThan(0);
  const produce = after.requestTimes.find((t) => t.api === 'Produce')!;
  expect(produce.count).toBeGreaterThan(0);
  expect(produce.maxMs).toBeGreaterThanOrEqual(produce.p50Ms);
  expect(after.eventLoopDelay!.maxMs).toBeGreaterThanOrEqual(after.eventLoopDelay!.p50Ms);
  let dropped = false;
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    dropped = true;
  } catch {
    /* not allowed here: the sync trace above is the evidence */
  }
  process.kill(after.pid, 'SIGKILL');
  const gone = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(after.pid, 0);
    } catch {
      break;
    }
    if (Date.now() > gone) throw new Error(`daemon ${after.pid} still running 10 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const again = await startDaemon(home);
  const f = new Fetcher(connect(again.bootstrap), { maxWaitMs: 50 });
  await f.assign([0, 1].map((p) => ({ topic: 'dur', partition: p, start: 'earliest' as const })));
  const stored = new Map<string, string>();
  do for (const ch of await f.poll()) for (const r of ch.records) stored.set(`${r.partition}:${r.offset}`, r.value!.toString());
  while (!f.allAtEnd());
  console.log(`durable daemon: ${acked.size} acknowledged, ${stored.size} read back after SIGKILL (page cache dropped: ${dropped})`);
  for (const [k, v] of acked) expect(stored.get(k), k).toBe(v);
}, 40_000);
