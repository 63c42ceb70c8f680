/**
 * The seed examples through `kafka-ts streams`, end to end against the daemon: records
 * produced by kcat, the command run until idle, the output read back by kcat. Copy, filter
 * (value.length > 5), a KStream–KTable join (order + " send to " + address), a KStream–GlobalKTable
 * join keyed on the value, and a Processor API filter with forward and commit (`streams run`).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKcat } from '../helpers/real-clients.js';
import { fast, harness, type Harness } from '../fixtures/streams/harness.js';

let h: Harness;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/streams/${name}`, import.meta.url));
const state = (name: string) => join(h.home, 'state', name);
const sorted = (a: string[]) => [...a].sort();

beforeAll(async () => {
  requireKcat();
  h = await harness();
});
afterAll(async () => h?.close());

describe('kafka-ts streams: the seed examples, with kcat in and out', () => {
  it('copy: stream_log -> stream_log_copy', async () => {
    await h.topics(['stream_log', 3], ['stream_log_copy', 3]);
    const lines = Array.from({ length: 30 }, (_, i) => `k${i}:value number ${i}`);
    await h.produce('stream_log', lines);
    const r = await h.run(['copy', '--from', 'stream_log', '--to', 'stream_log_copy', '--until-idle', '1s', ...fast(state('copy'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kafka-ts-streams-copy-stream_log-stream_log_copy: RUNNING tasks \[0_0 0_1 0_2\]/);
    expect(r.stdout).toMatch(/stopped when idle \(--until-idle\): processed 30 records/);
    expect(sorted(await h.read('stream_log_copy'))).toEqual(sorted(lines.map((l) => l.replace(':', '='))));
  });

  it("filter: --where 'value.length > 5'", async () => {
    await h.topics(['stream_log_filter', 1]);
    const r = await h.run(['filter', '--from', 'stream_log', '--where', 'value.length > 5', '--to', 'stream_log_filter', '--until-idle', '1s', '--output', 'json', ...fast(state('filter'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; state: string; processed: number });
    expect(docs.at(-1)).toMatchObject({ event: 'stopped', reason: 'until-idle', state: 'NOT_RUNNING', processed: 30 });
    expect(docs.some((d) => d.event === 'status' && d.state === 'RUNNING')).toBe(true);
    // "value number 0" .. all longer than 5: add short ones to see the filter work.
    await h.produce('stream_log', ['s1:tiny', 's2:short', 's3:longer!']);
    const r2 = await h.run(['filter', '--from', 'stream_log', '--where', 'value.length > 5', '--to', 'stream_log_filter', '--until-idle', '1s', ...fast(state('filter'))]);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/processed 3 records/);
    const out = await h.read('stream_log_filter');
    expect(out).toHaveLength(31);
    expect(out).toContain('s3=longer!');
    expect(out.filter((l) => l.startsWith('s1=') || l.startsWith('s2='))).toEqual([]);
  });

  it('KStream-KTable join: order + " send to " + address', async () => {
    await h.topics(['orders', 2], ['addresses', 2], ['order_join', 2]);
    await h.produce('addresses', ['alice:1 Main St', 'bob:2 Side Rd']);
    await h.produce('orders', ['alice:book', 'carol:pen', 'bob:ink', 'alice:lamp']);
    const r = await h.run(['join', '--stream', 'orders', '--table', 'addresses', '--to', 'order_join', '--joiner', 'order + " send to " + address', '--until-idle', '1s', ...fast(state('join'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sorted(await h.read('order_join'))).toEqual(['alice=book send to 1 Main St', 'alice=lamp send to 1 Main St', 'bob=ink send to 2 Side Rd']);
  });

  it('KStream-GlobalKTable join keyed on the value', async () => {
    await h.topics(['gorders', 3], ['gaddresses', 1], ['gorder_join', 1]);
    await h.produce('gaddresses', ['alice:1 Main St', 'bob:2 Side Rd']);
    await h.produce('gorders', ['order-1:alice', 'order-2:carol', 'order-3:bob']);
    const r = await h.run(['join', '--stream', 'gorders', '--table', 'gaddresses', '--global', '--key-from', 'value', '--to', 'gorder_join', '--joiner', 'value + " send to " + tableValue', '--until-idle', '1s', ...fast(state('gjoin'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sorted(await h.read('gorder_join'))).toEqual(['order-1=alice send to 1 Main St', 'order-3=bob send to 2 Side Rd']);
  });

  it('Processor API: a filter app with forward and commit, via streams run', async () => {
    await h.topics(['pa_in', 2], ['pa_out', 2]);
    await h.produce('pa_in', ['a:short', 'b:long enough', 'c:tiny', 'd:exactly6']);
    // commit.interval.ms is a minute (the app's config): the commits come from context.commit().
    const r = await h.run(['run', fixture('long-values.mjs'), '--until-idle', '1s', '--output', 'json', '--state-dir', state('pa')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; state: string; applicationId: string; processed: number; commits: number });
    expect(docs.at(-1)).toMatchObject({ event: 'stopped', applicationId: 'kafka-ts-streams-long-values', processed: 4 });
    // Before the final commit of the shutdown, context.commit() had already committed.
    expect(docs.find((d) => d.state === 'PENDING_SHUTDOWN')?.commits, r.stdout).toBeGreaterThanOrEqual(1);
    expect(sorted(await h.read('pa_out'))).toEqual(['b=long enough!', 'd=exactly6!']);
    // Committed: a second run finds nothing new to do.
    const again = await h.run(['run', fixture('long-values.mjs'), '--until-idle', '1s', '--state-dir', state('pa')]);
    expect(again.stdout).toMatch(/processed 0 records/);
  });

  it('a TypeScript app file (types stripped by transpileModule)', async () => {
    await h.topics(['ts_in', 1], ['ts_out', 1]);
    await h.produce('ts_in', ['x:hello']);
    const r = await h.run(['run', fixture('upper.ts'), '--until-idle', '1s', '--state-dir', state('ts')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await h.read('ts_out')).toEqual(['x=HELLO']);
  });
});
