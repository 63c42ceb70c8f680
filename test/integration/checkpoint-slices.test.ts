/**
 * The broker's periodic passes over its partitions (the checkpoint of producer state snapshots
 * and index entries, the cleaner, retention) run in slices with the event loop turning between
 * them (issue 17: done in one go, a thousand partitions' files held every request up for 150-350
 * ms every five seconds). No timing is asserted: a slice of 0 ms does one partition, so the test
 * sees a pass part-way through, and can remove partitions or stop the broker under it.
 */
import { afterEach, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import type { Logger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let b: TestBroker | null = null;
afterEach(async () => {
  await b?.close();
  b = null;
});

const PARTITIONS = 12;

/** WARN and ERROR lines, which a pass over partitions removed or closed under it must not log. */
function recordingLogger(lines: string[]): Logger {
  const log: Logger = { debug() {}, info() {}, warn: (m) => void lines.push(`WARN ${m}`), error: (m) => void lines.push(`ERROR ${m}`), child: () => log };
  return log;
}

/**
 * A broker whose topic's partitions each got a record from an idempotent producer (producer state
 * to save), compacted and deleted by retention so the cleaner and retention have work too.
 */
async function brokerWithProducerState(topic: string, problems: string[]) {
  b = await startBroker({ log: recordingLogger(problems) });
  await new Admin(b.client()).createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1, configs: { 'cleanup.policy': 'compact,delete', 'retention.ms': '1' } }]);
  const producer = new Producer(b.client(), { acks: -1, idempotent: true, lingerMs: 0 });
  await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => producer.send({ topic, partition: p, key: Buffer.from('k'), value: Buffer.from(`v${p}`) })));
  await producer.close();
  const broker = b.cluster.broker(b.cluster.controllerId)!;
  broker.passSliceMs = 0;
  return broker;
}

const snapshotsIn = (dir: string, topic: string) => Array.from({ length: PARTITIONS }, (_, p) => readdirSync(join(dir, 'data', `${topic}-${p}`)).filter((f) => f.endsWith('.snapshot')).length);

it("writes the partitions' producer snapshots in slices, the event loop turning between them, all done when it resolves", async () => {
  const problems: string[] = [];
  const broker = await brokerWithProducerState('slices', problems);
  const done = broker.checkpoint();
  const partWay = snapshotsIn(b!.dir, 'slices').reduce((a, n) => a + n, 0);
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
  const seen = { partWay, turns, snapshots: snapshotsIn(b!.dir, 'slices'), problems };
  // One partition per slice: each of this topic's partitions (besides the internal topics') had a slice of its own.
  expect(seen.turns, JSON.stringify(seen)).toBeGreaterThanOrEqual(PARTITIONS - 1);
  expect(seen.snapshots, JSON.stringify(seen)).toEqual(Array.from({ length: PARTITIONS }, () => 1));
  expect(problems).toEqual([]);
});

it('a pass of each kind skips the partitions removed under it (their logs are closed): nothing logged, the log dir stays online', async () => {
  const problems: string[] = [];
  const broker = await brokerWithProducerState('gone', problems);
  const passes = [broker.checkpoint(), broker.compactLogs(Date.now() + 60_000), broker.applyRetention(Date.now() + 60_000)];
  for (let p = 0; p < PARTITIONS; p++) broker.removeReplica('gone', p);
  await Promise.all(passes);
  expect(problems).toEqual([]);
  expect(broker.replicas.size).toBeGreaterThan(0);
  // The log dir still takes writes: a partition of another topic is written and read back.
  await new Admin(b!.client()).createTopics([{ name: 'after', partitions: 1, replicationFactor: 1 }]);
  const producer = new Producer(b!.client(), { acks: -1, lingerMs: 0 });
  await producer.send({ topic: 'after', partition: 0, value: Buffer.from('still online') });
  await producer.close();
});

it("a pass stopped by the broker's stop does nothing after it, and the stop writes every snapshot", async () => {
  const problems: string[] = [];
  const broker = await brokerWithProducerState('stopped', problems);
  const passes = [broker.checkpoint(), broker.compactLogs(Date.now() + 60_000), broker.applyRetention(Date.now() + 60_000)];
  const dir = b!.dir;
  await b!.close(true);
  b = null;
  // The passes end (their next slice sees the stop) without touching closed logs.
  await Promise.all(passes);
  expect(problems).toEqual([]);
  expect(snapshotsIn(dir, 'stopped')).toEqual(Array.from({ length: PARTITIONS }, () => 1));
});

const checkpointFile = (dir: string) => join(dir, 'data', 'replication-offset-checkpoint');

it('the high-watermark checkpoint is written again only when a high watermark or the set of partitions changed, or the file is gone', async () => {
  const problems: string[] = [];
  const broker = await brokerWithProducerState('marks', problems);
  const file = checkpointFile(b!.dir);
  broker.checkpointHighWatermarks();
  // A file changed behind the broker's back shows whether it was written again.
  const written = readFileSync(file, 'utf8');
  expect(written).toContain('marks 3 1\n');
  writeFileSync(file, 'left alone\n');
  broker.checkpointHighWatermarks();
  broker.checkpointHighWatermarks();
  expect(readFileSync(file, 'utf8')).toBe('left alone\n');
  const producer = new Producer(b!.client(), { acks: -1, lingerMs: 0 });
  await producer.send({ topic: 'marks', partition: 3, key: Buffer.from('k'), value: Buffer.from('one more') });
  await producer.close();
  broker.checkpointHighWatermarks();
  expect(readFileSync(file, 'utf8')).toBe(written.replace('marks 3 1\n', 'marks 3 2\n'));
  writeFileSync(file, 'left alone\n');
  broker.removeReplica('marks', 5);
  broker.checkpointHighWatermarks();
  expect(readFileSync(file, 'utf8')).toContain('marks 3 2\n');
  expect(readFileSync(file, 'utf8')).not.toContain('marks 5 ');
  // A file gone is written again, changed or not.
  rmSync(file);
  broker.checkpointHighWatermarks();
  expect(readFileSync(file, 'utf8')).toContain('marks 3 2\n');
  expect(problems).toEqual([]);
});

it("the cleaner's pass goes through the compacted topics' partitions only", async () => {
  const problems: string[] = [];
  const broker = await brokerWithProducerState('compacted', problems);
  await new Admin(b!.client()).createTopics([{ name: 'by-time', partitions: 200, replicationFactor: 1 }]);
  // One partition a slice: the turns of the event loop count the partitions the pass took.
  let finished = false;
  void broker.compactLogs().then(() => (finished = true));
  let turns = 0;
  while (!finished && turns < 10_000) {
    await new Promise((r) => setImmediate(r));
    turns++;
  }
  // 12 compacted partitions and the 4 of __consumer_offsets, not the 200 deleted by time.
  expect(turns).toBeGreaterThanOrEqual(PARTITIONS + 4 - 1);
  expect(turns).toBeLessThan(PARTITIONS + 4 + 20);
  expect(problems).toEqual([]);
});
