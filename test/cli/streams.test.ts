/**
 * kafka-ts streams: describe, bad input and start-up errors (one line, documented exit code,
 * nothing half-committed), co-partitioning (refused for 3 vs 2 partitions, working through
 * repartition()), and deserialization failures under both exception handlers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { fast, harness, type Harness } from '../fixtures/streams/harness.js';

let h: Harness;
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/streams/${name}`, import.meta.url));
const state = (name: string) => join(h.home, 'state', name);
const oneLine = (stderr: string) => {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};

beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h?.close());

describe('streams describe', () => {
  it("prints Kafka's Topology.describe() layout, and JSON, without a broker", async () => {
    const home = tempDir();
    try {
      const r = await kafkaTs(['streams', 'describe', 'copy', '--from', 'stream_log', '--to', 'stream_log_copy'], { home: home.dir });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(
        'Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [stream_log])\n      --> KSTREAM-SINK-0000000001\n    Sink: KSTREAM-SINK-0000000001 (topic: stream_log_copy)\n      <-- KSTREAM-SOURCE-0000000000\n\n',
      );
      const j = await kafkaTs(['streams', 'describe', fixture('repartition-join.mjs'), '--output', 'json'], { home: home.dir });
      expect(j.exitCode, j.stderr).toBe(0);
      const doc = JSON.parse(j.stdout) as { subtopologies: { id: string; nodes: { type: string; name: string; topics?: string[] }[] }[]; text: string };
      expect(doc.subtopologies.map((s) => s.id)).toEqual(['0', '1']);
      const sinks = doc.subtopologies.flatMap((s) => s.nodes.filter((n) => n.type === 'sink').flatMap((n) => n.topics));
      expect(sinks.sort()).toEqual(['orders-by-customer-repartition', 'rp_out']);
      expect(doc.text).toMatch(/^Topologies:\n {3}Sub-topology: 0\n/);
    } finally {
      home.cleanup();
    }
  });
});

describe('bad input', () => {
  it('a --where that does not parse: exit 2, one line', async () => {
    const r = await h.run(['filter', '--from', 'a', '--where', 'value.length >', '--to', 'b']);
    expect(r.exitCode).toBe(2);
    // The error is the user's text's own (it named a ')' the compiled wrapper added).
    expect(oneLine(r.stderr)).toMatch(/Invalid expression for --where: Unexpected end of input: value\.length >$/);
  });

  it('an option the verb does not take, and an unknown verb: exit 2', async () => {
    expect((await h.run(['copy', '--from', 'a', '--to', 'b', '--where', 'true'])).exitCode).toBe(2);
    const r = await h.run(['frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/Unknown verb 'frobnicate'/);
  });

  it('an app file that throws while loading, or while building: exit 2, one line; a missing one: exit 4', async () => {
    const load = await h.run(['run', fixture('throws-at-load.mjs')]);
    expect(load.exitCode).toBe(2);
    expect(oneLine(load.stderr)).toMatch(/throws-at-load\.mjs failed to load: cannot read settings\.json/);
    const build = await h.run(['run', fixture('throws-at-build.mjs')]);
    expect(build.exitCode).toBe(2);
    expect(oneLine(build.stderr)).toMatch(/throws-at-build\.mjs failed to build its topology: /);
    const missing = await h.run(['run', join(h.home, 'nope.mjs')]);
    expect(missing.exitCode).toBe(4);
    expect(oneLine(missing.stderr)).toMatch(/nope\.mjs: no such file/);
  });

  it('an unknown source topic: exit 4 with Kafka\'s MissingSourceTopicException message', async () => {
    await h.topics(['exists_out', 1]);
    const r = await h.run(['copy', '--from', 'no_such_topic', '--to', 'exists_out', ...fast(state('missing'))]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/One or more source topics were missing during rebalance: no_such_topic/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a state dir that cannot be written: exit 1, nothing consumed', async () => {
    await h.topics(['sd_in', 1], ['sd_out', 1]);
    await h.produce('sd_in', ['k:v']);
    const file = join(h.home, 'a-file');
    writeFileSync(file, 'not a directory');
    const r = await h.run(['copy', '--from', 'sd_in', '--to', 'sd_out', '--application-id', 'sd-app', '--state-dir', join(file, 'state')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/state\.dir .* is not writable/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await h.read('sd_out')).toEqual([]);
    const g = await kafkaTs(['consumer-groups', '--bootstrap-server', h.bootstrap, '--describe', '--group', 'sd-app', '--output', 'json'], { home: h.home });
    expect(g.stdout).not.toMatch(/"currentOffset":\s*1/);
  });
});

describe('scripted runs', () => {
  it('--max-records stops cleanly once that many records are processed, and commits them', async () => {
    await h.topics(['mr_in', 1], ['mr_out', 1]);
    await h.produce('mr_in', Array.from({ length: 20 }, (_, i) => `k${i}:v${i}`));
    const r = await h.run(['copy', '--from', 'mr_in', '--to', 'mr_out', '--application-id', 'mr-app', '--max-records', '5', '--output', 'json', ...fast(state('mr'))]);
    expect(r.exitCode, r.stderr).toBe(0);
    const end = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { reason: string; processed: number };
    expect(end.reason).toBe('max-records');
    expect(end.processed).toBeGreaterThanOrEqual(5);
    // What it processed is committed: a second run picks up after it, and together they copy each record once.
    const rest = await h.run(['copy', '--from', 'mr_in', '--to', 'mr_out', '--application-id', 'mr-app', '--until-idle', '1s', ...fast(state('mr'))]);
    expect(rest.exitCode, rest.stderr).toBe(0);
    expect(rest.stdout).toContain(`processed ${20 - end.processed} records`);
    expect(await h.read('mr_out')).toHaveLength(20);
  });
});

describe('co-partitioning', () => {
  it('a KStream-KTable join of a 3- and a 2-partition topic fails at start; with repartition() it works', async () => {
    await h.topics(['rp_orders', 3], ['rp_addresses', 2], ['rp_out', 2]);
    await h.produce('rp_addresses', ['alice:1 Main St', 'bob:2 Side Rd']);
    await h.produce('rp_orders', ['alice:book', 'bob:ink', 'carol:pen']);
    const bad = await h.run(['run', fixture('plain-join.mjs'), ...fast(state('plain'))]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/Invalid topology: .*(co-partitioned|same number of partitions).*rp_(orders|addresses)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const good = await h.run(['run', fixture('repartition-join.mjs'), '--until-idle', '2s', ...fast(state('rp'))]);
    expect(good.exitCode, good.stderr).toBe(0);
    expect((await h.read('rp_out')).sort()).toEqual(['alice=book send to 1 Main St', 'bob=ink send to 2 Side Rd']);
    const topics = await kafkaTs(['topics', '--bootstrap-server', h.bootstrap, '--describe', '--topic', 'kafka-ts-streams-repartition-join-orders-by-customer-repartition'], { home: h.home });
    expect(topics.stdout).toMatch(/PartitionCount: 2/);
  });
});

describe('deserialization errors', () => {
  // Values read as Long: "bad" is 3 bytes, not 8.
  const long = (n: number) => Buffer.alloc(8).fill(0, 0, 7).fill(n, 7).toString('latin1');
  it('LogAndFailExceptionHandler stops the application (exit 1) with nothing half-committed; LogAndContinue skips the record', async () => {
    await h.topics(['ser_in', 1], ['ser_out', 1]);
    // kcat -P with -D to keep binary values: a record per line would break on the bytes, so use -D '|'.
    const { kcat } = await import('../helpers/real-clients.js');
    const input = [`a:${long(1)}`, 'b:bad', `c:${long(3)}`].join('|');
    const p = await kcat(['-b', h.bootstrap, '-P', '-t', 'ser_in', '-K:', '-D', '|'], { input: Buffer.from(input, 'latin1') });
    expect(p.exitCode, p.stderr).toBe(0);
    const common = ['copy', '--from', 'ser_in', '--to', 'ser_out', '--value-serde', 'long', '--processing-guarantee', 'exactly_once_v2', '--application-id', 'ser-app', '--until-idle', '1s', ...fast(state('ser'))];
    const fail = await h.run(common);
    expect(fail.exitCode, fail.stderr).toBe(1);
    expect(fail.stderr).toMatch(/ser_in/);
    expect(fail.stderr).not.toMatch(/\n\s+at /);
    const committedAfterFail = await h.read('ser_out', { committed: true, format: '%k\n' });
    expect(committedAfterFail.filter((k) => k !== 'a')).toEqual([]);
    const cont = await h.run([...common, '--config', 'default.deserialization.exception.handler=org.apache.kafka.streams.errors.LogAndContinueExceptionHandler']);
    expect(cont.exitCode, cont.stderr).toBe(0);
    // Every good record once (read_committed), the bad one skipped.
    expect(await h.read('ser_out', { committed: true, format: '%k\n' })).toEqual(['a', 'c']);
  });
});
