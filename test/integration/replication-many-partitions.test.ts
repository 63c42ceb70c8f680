/**
 * ISR changes with many partitions: each change (a follower back in sync after its broker
 * restarted, one per partition) gives roles to its own partitions, not a pass over every
 * partition of every broker. With a pass per change, a 3-broker daemon with 2,000 partitions at
 * replication factor 3 spent minutes on the ~2,000 changes after one broker restarted, its
 * fetchers starved, followers fell out of the ISR again, and every client timed out (30 s).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { createLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let b: TestBroker;
const lines: string[] = [];

beforeAll(async () => {
  b = await startBroker({
    properties: { 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '100' },
    log: createLogger((line) => void lines.push(line), 'kafka.Kafka', 'INFO'),
  });
});
afterAll(async () => b.close());

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('a restarted broker rejoins the ISR of every partition, each change reconciling its own partition only', async () => {
  const partitions = 150;
  await new Admin(b.client()).createTopics([{ name: 'wide', partitions, replicationFactor: 3 }]);
  const topic = () => b.cluster.metadata.topic('wide')!;
  const fullIsr = () => topic().partitions.every((s) => s.isr.length === 3);
  await waitUntil('every ISR full after creation', fullIsr);
  await b.cluster.stopBroker(3);
  expect(topic().partitions.every((s) => !s.isr.includes(3))).toBe(true);
  const restarted = await b.cluster.startBroker(3);
  const passes = [1, 2].map((id) => vi.spyOn(b.cluster.broker(id)!.replication, 'reconcile'));
  passes.push(vi.spyOn(restarted.replication, 'reconcile'));
  const shrinksBefore = lines.filter((l) => l.includes('Shrinking ISR of wide-')).length;
  await waitUntil('broker 3 back in every ISR', fullIsr);
  // One ISR change per partition, none answered by a pass over all partitions.
  expect(passes.map((p) => p.mock.calls.length)).toEqual([0, 0, 0]);
  expect(lines.filter((l) => l.includes('Shrinking ISR of wide-')).length).toBe(shrinksBefore);
});
