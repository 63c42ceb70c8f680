/**
 * console-consumer piped into a reader that stops reading (issue 17): the consumer waits for the
 * pipe instead of buffering the topic, so its memory stays bounded; once the reader reads again
 * every record arrives, in order, and the command ends normally at the end of the log (-e).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, isolatedContexts, kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const RECORDS = 150_000; // 1 KiB each: ~150 MB, far more than the bound below
let home: string;
let cleanup: () => void;
let bootstrap: string;

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-slow-reader-'));
  ({ bootstrap } = await startDaemon(home));
  expect((await kafkaTs(['topics', '--create', '--topic', 'slow', '--partitions', '1'], { home })).exitCode).toBe(0);
  const line = 'x'.repeat(1000);
  const file = join(home, 'input.txt');
  writeFileSync(file, Array.from({ length: RECORDS }, (_, i) => `${String(i).padStart(8, '0')} ${line}\n`).join(''));
  // kcat writes the data (a peer's producer, so this test does not depend on ours).
  const p = spawnSync('kcat', ['-b', bootstrap, '-P', '-t', 'slow', '-l', file], { encoding: 'utf8' });
  expect(p.status, p.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const rssMb = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return NaN;
  }
};

it('console-consumer into a pipe nobody reads stays under a memory bound, then delivers every record', async () => {
  const child = spawn(process.execPath, [BIN, 'console-consumer', '--topic', 'slow', '--from-beginning', '-e'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', ...isolatedContexts(home) },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Nobody reads stdout: wait until the consumer's RSS stops growing (no new peak for 2 s).
  let peak = 0;
  let peakAt = Date.now();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rss = rssMb(child.pid!);
    if (rss > peak + 1) peakAt = Date.now();
    peak = Math.max(peak, rss || 0);
    if (Date.now() - peakAt > 2000) break;
    if (Date.now() > deadline) throw new Error(`consumer RSS still growing after 30 s (peak ${peak.toFixed(0)} MB); stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(child.exitCode, `the consumer should be blocked on its pipe, not finished; stderr: ${stderr}`).toBeNull();
  expect(peak, `console-consumer RSS peaked at ${peak.toFixed(0)} MB with a stalled reader over a ~150 MB topic`).toBeLessThan(200);

  // The reader reads again: everything arrives, in order, and the command ends at the log end.
  let count = 0;
  let next = 0;
  let partial = '';
  let outOfOrder = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (!outOfOrder && Number(l.slice(0, 8)) !== next) outOfOrder = `line ${count}: ${l.slice(0, 20)}`;
      next++;
      count++;
    }
  });
  const code = await exited;
  expect({ code, count, outOfOrder, stderr: stderr.replace(/Processed a total of \d+ messages\n/, '') }).toEqual({ code: 0, count: RECORDS, outOfOrder: '', stderr: '' });
}, 90_000);
