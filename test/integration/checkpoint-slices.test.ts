/**
 * The broker's periodic checkpoint (high watermarks, producer state snapshots, index entries) is
 * written in slices with the event loop turning between them (issue 17: done in one go, a thousand
 * partitions' files held every request up for 150-350 ms every five seconds). No timing is
 * asserted: a slice of 0 ms does one partition, so the test sees the pass part-way through.
 */
import { afterEach, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let b: TestBroker | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

const PARTITIONS = 12;

/** A broker whose topic's partitions each got a record from an idempotent producer (producer state to save). */
async function brokerWithProducerState(topic: string) {
  b = await startBroker();
  await new Admin(b.client()).createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  const producer = new Producer(b.client(), { acks: -1, idempotent: true, lingerMs: 0 });
  await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => producer.send({ topic, partition: p, value: Buffer.from(`v${p}`) })));
  await producer.close();
  return b.cluster.broker(b.cluster.controllerId)!;
}

it('writes the partitions\' producer snapshots in slices, requests answered between them, all done when it resolves', async () => {
  const broker = await brokerWithProducerState('slices');
  const snapshotted = () => Array.from({ length: PARTITIONS }, (_, p) => join(b!.dir, 'data', `slices-${p}`)).filter((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.snapshot'))).length;
  expect(snapshotted()).toBe(0);

  broker.passSliceMs = 0;
  const done = broker.checkpoint();
  const partWay = snapshotted();
  // Not done in one go: the event loop turns before the pass is done.
  expect(partWay).toBeLessThan(PARTITIONS);
  // Another pass asked for meanwhile (the timer's next tick on a slow disk) is the same pass.
  expect(broker.checkpoint()).toBe(done);
  // Turns of the event loop until the pass is done: requests would be answered in each.
  let finished = false;
  void done.then(() => (finished = true));
  let turns = 0;
  while (!finished && turns < 10_000) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  const seen = { partWay, turns, done: snapshotted() };
  // One partition per slice: each of this topic's partitions (besides the internal topics') had a slice of its own.
  expect(seen.turns, JSON.stringify(seen)).toBeGreaterThanOrEqual(PARTITIONS - 1);
  expect(seen.done, JSON.stringify(seen)).toBe(PARTITIONS);
});

it('a pass stopped by the broker\'s stop writes nothing more, and the stop writes every snapshot', async () => {
  const broker = await brokerWithProducerState('stopped');
  broker.passSliceMs = 0;
  const done = broker.checkpoint();
  const dir = b.dir;
  await b.close(true);
  b = null;
  // The pass ends (its next slice sees the stop) without writing into closed logs.
  await done;
  const snapshotted = Array.from({ length: PARTITIONS }, (_, p) => readdirSync(join(dir, 'data', `stopped-${p}`)).filter((f) => f.endsWith('.snapshot')).length);
  expect(snapshotted).toEqual(Array.from({ length: PARTITIONS }, () => 1));
});
