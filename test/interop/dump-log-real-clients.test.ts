/**
 * dump-log on segments written through the daemon by an unmodified real client: kcat produces with
 * every codec, and dump-log's records (offsets, keys, payloads) equal what kcat reads back; a
 * flipped byte in a copy is flagged and the dump goes on; a kcat group's commit is decoded from
 * __consumer_offsets with --offsets-decoder. The daemon keeps running: dump-log only reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { kcat } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]) => kafkaTs(args, { home });
const segmentOf = (topic: string, p = 0) => join(home, 'data', `${topic}-${p}`, '00000000000000000000.log');

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const N = 300;
/** Compressible values, so that librdkafka keeps the compressed batch (it sends a batch uncompressed when compression does not help). */
const input = Array.from({ length: N }, (_, i) => `key-${i}:value-${i}-${'abc'.repeat(40)}-é`).join('\n') + '\n';

/** "offset key payload" of every record line of a --print-data-log dump. */
const recordsOf = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('| offset: '))
    .map((l) => {
      const m = /^\| offset: (\d+) .* key: (.*) payload: (.*)$/.exec(l);
      if (!m) throw new Error(`unexpected record line: ${l}`);
      return `${m[1]} ${m[2]} ${m[3]}`;
    });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-dumplog-interop-'));
  ({ bootstrap } = await startDaemon(home));
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('dump-log on segments kcat wrote', () => {
  it.each(CODECS)('codec %s: the same records kcat reads back, in batches of that codec', async (codec) => {
    const topic = `dl-${codec}`;
    expect((await kt('topics', '--create', '--topic', topic, '--partitions', '1')).exitCode).toBe(0);
    const p = await kcat(['-b', bootstrap, '-P', '-t', topic, '-K:', '-z', codec, '-X', 'linger.ms=100'], { input });
    expect(p.exitCode, p.stderr).toBe(0);
    const c = await kcat(['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%o %k %s\n']);
    expect(c.exitCode, c.stderr).toBe(0);
    const kcatLines = c.stdout.split('\n').filter(Boolean);
    expect(kcatLines).toHaveLength(N);

    const d = await kt('dump-log', '--print-data-log', '--files', segmentOf(topic));
    expect(d.exitCode, d.stderr).toBe(0);
    expect(d.stderr).toBe('');
    expect(recordsOf(d.stdout)).toEqual(kcatLines);
    const batches = d.stdout.split('\n').filter((l) => l.startsWith('baseOffset: '));
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) expect(b).toMatch(new RegExp(` magic: 2 compresscodec: ${codec} crc: \\d+ isvalid: true$`));

    // The same, verb style and JSON.
    const j = await kt('dump-log', segmentOf(topic), '--deep-iteration', '--decoder', 'string', '--output', 'json');
    expect(j.exitCode, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout) as { damaged: boolean; files: { batches: { compressCodec: string; records: { offset: number; key: string; payload: string }[] }[] }[] };
    expect(doc.damaged).toBe(false);
    expect(doc.files[0]!.batches.flatMap((b) => b.records.map((r) => `${r.offset} ${r.key} ${r.payload}`))).toEqual(kcatLines);

    // The indexes the daemon wrote agree with the log.
    const v = await kt('dump-log', '--verify-index-only', '--files', [segmentOf(topic).replace(/\.log$/, '.index'), segmentOf(topic).replace(/\.log$/, '.timeindex')].join(','));
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stderr).toBe('');
  }, 60_000);

  it('flags a flipped byte in a copy of a segment (isvalid: false, CRC on stderr, exit 1) and prints every batch after it', async () => {
    const before = await kt('dump-log', '--files', segmentOf('dl-gzip'));
    const batches = before.stdout.split('\n').filter((l) => l.startsWith('baseOffset: '));
    const { dir, cleanup: done } = tempDir('kafka-ts-dumplog-flip-');
    try {
      const copy = join(dir, '00000000000000000000.log');
      copyFileSync(segmentOf('dl-gzip'), copy);
      const buf = readFileSync(copy);
      buf[80] ^= 0x01; // inside the first batch's (compressed) records
      writeFileSync(copy, buf);
      const r = await kafkaTs(['dump-log', '--deep-iteration', '--files', copy], { home });
      expect(r.exitCode).toBe(1);
      const after = r.stdout.split('\n').filter((l) => l.startsWith('baseOffset: '));
      expect(after).toHaveLength(batches.length);
      expect(after[0]).toMatch(/ isvalid: false$/);
      expect(after.slice(1).every((l) => l.endsWith('isvalid: true'))).toBe(true);
      expect(r.stderr).toMatch(new RegExp(`^${copy}: position 0: CRC mismatch: stored \\d+, computed \\d+$`, 'm'));
    } finally {
      done();
    }
  });

  it("decodes a kcat consumer group's commit from __consumer_offsets with --offsets-decoder", async () => {
    const g = await kcat(['-b', bootstrap, '-G', 'dl-group', '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=true', '-e', '-q', '-f', '%o\n', 'dl-none'], { timeout: 60_000 });
    expect(g.exitCode, g.stderr).toBe(0);
    expect(g.stdout.split('\n').filter(Boolean)).toHaveLength(N);
    const d = await kt('consumer-groups', '--describe', '--group', 'dl-group', '--output', 'json');
    expect(d.exitCode, d.stderr).toBe(0);
    const files = readdirSync(join(home, 'data'))
      .filter((f) => f.startsWith('__consumer_offsets-'))
      .map((f) => join(home, 'data', f, '00000000000000000000.log'));
    const r = await kt('dump-log', '--offsets-decoder', '--files', files.join(','));
    expect(r.exitCode, r.stderr).toBe(0);
    const commits = r.stdout.split('\n').filter((l) => l.includes('key: {"type":"1","data":{"group":"dl-group","topic":"dl-none","partition":0}}'));
    expect(commits.length, r.stdout.slice(0, 2000)).toBeGreaterThan(0);
    expect(commits.at(-1)).toMatch(new RegExp(`payload: \\{"version":"\\d","data":\\{"offset":${N},.*"commitTimestamp":\\d+\\}\\}$`));
    expect(r.stdout).toMatch(/key: \{"type":"2","data":\{"group":"dl-group"\}\} payload: \{"version":"\d","data":\{"protocolType":"consumer"/);
  }, 90_000);

  it("reads the running daemon's cluster metadata log with --cluster-metadata-decoder", async () => {
    const r = await kt('dump-log', '--cluster-metadata-decoder', join(home, 'meta', 'metadata.log'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| offset: 0 position: 0 size: \d+ crc: \d+ isvalid: true payload: \{"type":"cluster","data":\{"clusterId":"[\w-]{22}"\}\}$/m);
    for (const codec of CODECS) expect(r.stdout).toContain(`"data":{"topic":{"name":"dl-${codec}"`);
  });
});
