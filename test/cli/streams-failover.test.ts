/**
 * Scaling and failover: three `kafka-ts streams count` processes share the six tasks of a
 * 6-partition input; one is SIGKILLed; its tasks move to the other two, which restore the
 * windowed counts from the changelog, and the output is complete: under exactly_once_v2 every
 * input record is counted exactly once (read by kcat with isolation.level=read_committed).
 * SIGTERM then stops the survivors cleanly (exit 0).
 */
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKcat } from '../helpers/real-clients.js';
import { fast, harness, lastValues, windowedCountReference, type Harness, type TimedRecord } from '../fixtures/streams/harness.js';

let h: Harness;
beforeAll(async () => {
  requireKcat();
  h = await harness();
});
afterAll(async () => h?.close());

interface Status {
  event: string;
  state: string;
  processed: number;
  commits: number;
  restored: number;
  tasks: { id: string; lag: number | null }[];
}

/** Collects a process's JSON status lines. */
function watch(p: ResultPromise): { last: () => Status | undefined; all: Status[] } {
  const all: Status[] = [];
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        all.push(JSON.parse(line) as Status);
      } catch {
        /* not a status line */
      }
    }
  });
  return { all, last: () => all.at(-1) };
}

const T0 = 1_700_000_040_000;
const batch = (from: number, n: number): TimedRecord[] =>
  // 12 keys, timestamps spread over three minutes; the keys spread over the 6 partitions by hash.
  Array.from({ length: n }, (_, j) => ({ key: `user${(from + j) % 12}`, value: `click${from + j}`, timestamp: T0 + ((from + j) % 180) * 1000 }));

async function scenario(guarantee: 'exactly_once_v2' | 'at_least_once') {
    const [input, output, app] = [`fo_in_${guarantee}`, `fo_out_${guarantee}`, `fo-${guarantee}`.replace(/_/g, '-')];
    await h.topics([input, 6], [output, 6]);
    const first = batch(0, 3000);
    await h.produceTimed(input, first);
    const args = (i: number) => [
      'count', '--from', input, '--window', '1m', '--grace', '10m', '--to', output,
      '--application-id', app, '--processing-guarantee', guarantee, '--output', 'json', '--status-interval', '300ms',
      ...fast(join(h.home, 'state', `${guarantee}-p${i}`)), '--config', 'transaction.timeout.ms=3000',
    ];
    const procs = [0, 1, 2].map((i) => h.streams(args(i)));
    const watches = procs.map(watch);
    await h.waitFor(
      'three instances RUNNING with two tasks each',
      async () => watches.map((w) => ({ state: w.last()?.state, tasks: w.last()?.tasks.map((t) => t.id) })),
      (s) => s.every((x) => x.state === 'RUNNING' && x.tasks?.length === 2),
      40_000,
    );
    // Killed as soon as it has committed something (state to restore): likely in the middle of the
    // first batch, with records processed (counted, changelogged, produced) not committed yet.
    const ready = (x: Status | undefined) => !!x && x.processed > 0 && x.commits > 0;
    await h.waitFor('an instance that has processed and committed records', async () => watches.map((w) => w.last()), (n) => n.some(ready), 20_000);
    const victim = watches.findIndex((w) => ready(w.last()));
    const victimTasks = watches[victim]!.last()!.tasks.map((t) => t.id);
    const survivors = [0, 1, 2].filter((i) => i !== victim);
    const restoredBefore = survivors.reduce((a, i) => a + (watches[i]!.last()?.restored ?? 0), 0);
    procs[victim]!.kill('SIGKILL');
    const second = batch(3000, 600);
    await h.produceTimed(input, second);
    await h.waitFor(
      'the survivors to own all six tasks, caught up',
      async () => survivors.map((i) => watches[i]!.last()),
      (s) => s.every((x) => x?.state === 'RUNNING' && x.tasks.every((t) => t.lag === 0)) && s.reduce((a, x) => a + x!.tasks.length, 0) === 6,
      40_000,
    );
    const taken = survivors.flatMap((i) => watches[i]!.last()!.tasks.map((t) => t.id));
    expect(taken.sort()).toEqual(['0_0', '0_1', '0_2', '0_3', '0_4', '0_5']);
    expect(victimTasks.every((t) => taken.includes(t))).toBe(true);
    // The moved tasks' windows came back from the changelog before counting on.
    expect(survivors.reduce((a, i) => a + (watches[i]!.last()?.restored ?? 0), 0)).toBeGreaterThan(restoredBefore);

    const expected = Object.fromEntries(windowedCountReference([...first, ...second], 60_000, 60_000, 600_000));
    const sameKeys = (m: Record<string, number>) => JSON.stringify(Object.keys(m).sort()) === JSON.stringify(Object.keys(expected).sort());
    if (guarantee === 'exactly_once_v2') {
      // Exactly once: the committed counts reach the reference and never exceed it.
      const seen = await h.waitFor('read_committed counts equal to the reference', async () => Object.fromEntries(lastValues(await h.read(output, { committed: true }))), (m) => sameKeys(m) && Object.entries(expected).every(([k, n]) => m[k] === n), 30_000);
      expect(seen).toEqual(expected);
    } else {
      // At least once: records processed after the victim's last commit are counted again.
      const seen = await h.waitFor('counts at least the reference', async () => Object.fromEntries(lastValues(await h.read(output))), (m) => sameKeys(m) && Object.entries(expected).every(([k, n]) => (m[k] ?? 0) >= n), 30_000);
      for (const [k, n] of Object.entries(expected)) expect(seen[k]).toBeGreaterThanOrEqual(n);
    }

    for (const i of survivors) procs[i]!.kill('SIGTERM');
    for (const i of survivors) {
      const r = await procs[i]!;
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(watches[i]!.last()).toMatchObject({ event: 'stopped', reason: 'signal', state: 'NOT_RUNNING' });
    }
}

describe('three streams count processes on a 6-partition input, one SIGKILLed', () => {
  it('exactly_once_v2: tasks move, state is restored from the changelog, every record counted once', () => scenario('exactly_once_v2'));
  it('at_least_once: tasks move, state is restored, every record counted at least once', () => scenario('at_least_once'));
});
