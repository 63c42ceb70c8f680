/**
 * get-offsets, delete-records, log-dirs and broker-api-versions through the CLI, against a daemon
 * with three logical brokers: Kafka's layouts (golden, from the reference), flag and verb style,
 * JSON, bad input that changes nothing, and cross-checks with kcat and kafka-python.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { kcat, PYTHON, requirePython } from '../helpers/real-clients.js';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
let admin: Admin;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs([...args, '--bootstrap-server', bootstrap], { home });
let n = 0;
const file = (text: string) => {
  const path = join(home, `input-${n++}.json`);
  writeFileSync(path, text);
  return path;
};
/** Base timestamp of the records of topic offs: record i of partition p has T0 + 1000 * i. */
const T0 = 1_700_000_000_000;

async function waitUntil(what: string, cond: () => Promise<boolean>, seen: () => unknown, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-admin-tools-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3']));
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'admin-tools-test' });
  admin = new Admin(client);
  expect((await kt('topics', '--create', '--topic', 'offs', '--partitions', '11', '--replication-factor', '1')).exitCode).toBe(0);
  expect((await kt('topics', '--create', '--topic', 'seg', '--partitions', '1', '--replication-factor', '2', '--config', 'segment.bytes=2000')).exitCode).toBe(0);
  const producer = new Producer(client, { acks: -1 });
  // Partition p of offs holds p + 1 records.
  for (let p = 0; p < 11; p++) for (let i = 0; i <= p; i++) void producer.send({ topic: 'offs', partition: p, value: Buffer.from(`v${p}-${i}`), timestamp: T0 + 1000 * i });
  for (let i = 0; i < 100; i++) await producer.send({ topic: 'seg', partition: 0, value: Buffer.alloc(100, i) });
  await producer.flush();
}, 60_000);

afterAll(async () => {
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

describe('get-offsets', () => {
  it("prints Kafka's topic:partition:offset lines, sorted as Kafka sorts them", async () => {
    const r = await kt('get-offsets', '--topic', 'offs');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    // Sorted by the string topic-partition: offs-10 before offs-2.
    expect(r.stdout).toBe(['0', '1', '10', '2', '3', '4', '5', '6', '7', '8', '9'].map((p) => `offs:${p}:${Number(p) + 1}\n`).join(''));
    const some = await kt('get-offsets', '--topic', 'off.', '--partitions', '2,10', '--time', 'earliest');
    expect(some.stdout).toBe('offs:10:0\noffs:2:0\n');
    const json = await kt('get-offsets', '--topic-partitions', 'offs:3', '--time', '-3', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ time: -3, offsets: [{ topic: 'offs', partition: 3, offset: 3, timestamp: T0 + 3000 }], noOffset: [], errors: [], denied: [] });
  });

  it('takes --topic-partitions rules, also as verb-style arguments', async () => {
    const ranged = await kt('get-offsets', '--topic-partitions', 'offs:2-4,seg');
    expect(ranged.stdout).toBe('offs:2:3\noffs:3:4\nseg:0:100\n');
    const open = await kt('get-offsets', 'offs:9-', 'offs:-1');
    expect(open.stdout).toBe('offs:0:1\noffs:10:11\noffs:9:10\n');
    const anyTopic = await kt('get-offsets', ':10', '--exclude-internal-topics');
    expect(anyTopic.stdout).toBe('offs:10:11\n');
    const internal = await kt('get-offsets', '--topic', '__consumer_offsets', '--partitions', '0');
    expect(internal.stdout).toBe('__consumer_offsets:0:0\n');
    expect((await kt('get-offsets', '--topic', '__consumer_offsets', '--exclude-internal-topics')).exitCode).toBe(4);
  });

  it('looks up by time, max-timestamp, earliest-local and latest-tiered as Kafka does', async () => {
    const byTime = await kt('get-offsets', '--topic', 'offs', '--partitions', '4,5', '--time', String(T0 + 2500));
    expect(byTime.stdout).toBe('offs:4:3\noffs:5:3\n');
    // A time after every record: no offset, so the partition is left out of Kafka's lines (stderr says so).
    expect(await kt('get-offsets', 'offs:1', '--time', String(T0 + 9_999_999))).toEqual({
      stdout: '',
      stderr: `No offset at time ${T0 + 9_999_999} (no record at or after it) for offs:1: left out\n`,
      exitCode: 0,
    });
    expect((await kt('get-offsets', 'offs:5', '--time', 'max-timestamp')).stdout).toBe('offs:5:5\n');
    expect((await kt('get-offsets', 'offs:5', '--time', 'earliest-local')).stdout).toBe('offs:5:0\n');
    expect(await kt('get-offsets', 'offs:5,offs:6', '--time', 'latest-tiered')).toEqual({
      stdout: '',
      stderr: 'No offset at latest-tiered (nothing of the partition is in tiered storage) for offs:5, offs:6: left out\n',
      exitCode: 0,
    });
    const tiered = JSON.parse((await kt('get-offsets', 'offs:5', '--time', '-5', '--output', 'json')).stdout);
    expect(tiered).toEqual({ time: -5, offsets: [], noOffset: [{ topic: 'offs', partition: 5 }], errors: [], denied: [] });
  });

  it('agrees with kcat -Q and with kafka-python end_offsets and offsets_for_times', async () => {
    const ts = T0 + 1500;
    const ours = await kt('get-offsets', '--topic', 'offs', '--time', String(ts), '--output', 'json');
    const mine = new Map((JSON.parse(ours.stdout).offsets as { partition: number; offset: number }[]).map((o) => [o.partition, o.offset]));
    const q = await kcat(['-b', bootstrap, '-Q', ...Array.from({ length: 11 }, (_, p) => ['-t', `offs:${p}:${ts}`]).flat()]);
    expect(q.exitCode).toBe(0);
    const theirs = new Map([...q.stdout.matchAll(/offs \[(\d+)\]\s+offset (-?\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
    expect(theirs.size).toBe(11);
    for (const [p, o] of theirs) expect({ p, o: mine.get(p) ?? -1 }).toEqual({ p, o });
    await requirePython('kafka');
    const script = [
      'import json, sys',
      'from kafka import KafkaConsumer, TopicPartition',
      `c = KafkaConsumer(bootstrap_servers='${bootstrap}', api_version_auto_timeout_ms=20000)`,
      'tps = [TopicPartition("offs", p) for p in range(11)]',
      'end = c.end_offsets(tps)',
      `times = c.offsets_for_times({tp: ${ts} for tp in tps})`,
      'print(json.dumps({"end": {tp.partition: o for tp, o in end.items()}, "times": {tp.partition: (t.offset if t else -1) for tp, t in times.items()}}))',
      'c.close()',
    ].join('\n');
    const py = await execa(PYTHON, ['-c', script], { reject: false, timeout: 60_000 });
    expect(py.exitCode, py.stderr).toBe(0);
    const got = JSON.parse(py.stdout) as { end: Record<string, number>; times: Record<string, number> };
    const latest = await kt('get-offsets', '--topic', 'offs', '--output', 'json');
    for (const o of JSON.parse(latest.stdout).offsets) expect(got.end[o.partition]).toBe(o.offset);
    for (let p = 0; p < 11; p++) expect({ p, o: got.times[p] }).toEqual({ p, o: mine.get(p) ?? -1 });
  }, 90_000);

  it("refuses bad input with Kafka's messages, exit 2, before connecting", async () => {
    const time = await kt('get-offsets', '--topic', 'offs', '--time', 'yesterday');
    expect(time).toMatchObject({ exitCode: 2, stdout: '' });
    expect(time.stderr.trim().split('\n')).toHaveLength(1);
    expect(time.stderr).toContain('Malformed time argument yesterday. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp');
    expect((await kt('get-offsets', '--topic', 'offs', '--partitions', '1,x')).stderr).toContain('--partitions expects a comma separated list of numeric partition ids, but received: 1,x');
    // As Kafka's GetOffsetShell: an empty --partitions is every partition.
    expect((await kt('get-offsets', '--topic', 'offs', '--partitions', '')).stdout.split('\n').filter(Boolean)).toHaveLength(11);
    expect((await kt('get-offsets', '--topic', 'offs', '--topic-partitions', 'offs:1')).stderr).toContain('--topic-partitions cannot be used with --topic or --partitions');
    const rule = await kt('get-offsets', '--topic-partitions', 'offs:x');
    expect(rule).toMatchObject({ exitCode: 2 });
    expect(rule.stderr).toContain('Invalid rule specification: offs:x');
    const none = await kt('get-offsets', '--topic', 'nope');
    expect(none).toMatchObject({ exitCode: 4, stdout: '' });
    expect(none.stderr).toContain('Could not match any topic-partitions with the specified filters');
  });

  it("reads --partitions as Kafka's split(\",\") and Integer.parseInt: a trailing comma is dropped; a space or an id past an int is a usage error (exit 2)", async () => {
    const lines = async (partitions: string) => {
      const r = await kt('get-offsets', '--topic', 'offs', '--partitions', partitions);
      expect({ partitions, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ partitions, exitCode: 0, stderr: '' });
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(await lines('0,')).toEqual(['offs:0:1']);
    expect(await lines('1,0,,')).toEqual(['offs:0:1', 'offs:1:2']);
    expect(await lines('+2')).toEqual(['offs:2:3']);
    expect(await lines(',')).toHaveLength(11);
    for (const partitions of ['0, 1', ' 0', '99999999999', '2147483648', ',0', '0,,1', '1.0']) {
      const r = await kt('get-offsets', '--topic', 'offs', '--partitions', partitions);
      expect({ partitions, r }).toEqual({
        partitions,
        r: { exitCode: 2, stdout: '', stderr: `kafka-ts get-offsets: usage error: --partitions expects a comma separated list of numeric partition ids, but received: ${partitions}\n` },
      });
    }
    // An id that parses but names no partition matches nothing, as in Kafka.
    expect((await kt('get-offsets', '--topic', 'offs', '--partitions', '2147483647')).exitCode).toBe(4);
  });
});

/** Names this build of librdkafka does not know yet. */
const KNOWN_LATER: Record<string, string> = { '60': 'DescribeCluster', '61': 'DescribeProducers', '65': 'DescribeTransactions', '66': 'ListTransactions', '75': 'DescribeTopicPartitions' };

/** Bytes of the .log files of a partition directory. */
const logBytes = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

interface LogDirsDoc {
  brokers: { broker: number; logDirs: { partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[]; error: string | null; logDir: string }[] }[];
  version: number;
}
const logDirs = async (...args: string[]): Promise<LogDirsDoc> => JSON.parse((await kt('log-dirs', '--describe', '--output', 'json', ...args)).stdout);
/** seg-0's size on each broker hosting it (two of three). */
const segSizes = async () =>
  new Map((await logDirs('--topic-list', 'seg')).brokers.filter((b) => b.logDirs[0]!.partitions.length).map((b) => [b.broker, { dir: b.logDirs[0]!.logDir, size: b.logDirs[0]!.partitions[0]!.size }]));

describe('log-dirs', () => {
  it("prints Kafka's three lines; each broker answers for its own dir, sizes equal the files on disk", async () => {
    const r = await kt('log-dirs', '--describe', '--topic-list', 'offs,seg');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Querying brokers for log directories information', 'Received log directory information from brokers 1,2,3']);
    expect(lines[3]).toBe('');
    const doc = JSON.parse(lines[2]!) as LogDirsDoc;
    expect(lines[2]).toMatch(/^\{"brokers":\[\{"broker":1,"logDirs":\[\{"partitions":\[\{"partition":"[a-z]+-\d+","size":\d+,"offsetLag":0,"isFuture":false\}/);
    expect(doc.version).toBe(1);
    expect(doc.brokers.map((b) => b.logDirs[0]!.logDir)).toEqual([join(home, 'data'), join(home, 'data-2'), join(home, 'data-3')]);
    const hosted = doc.brokers.flatMap((b) => b.logDirs[0]!.partitions.map((p) => p.partition));
    expect(hosted.filter((p) => p.startsWith('offs-')).sort()).toEqual(Array.from({ length: 11 }, (_, p) => `offs-${p}`).sort());
    expect(hosted.filter((p) => p === 'seg-0')).toHaveLength(2);
    for (const b of doc.brokers) {
      expect(b.logDirs[0]!.error).toBeNull();
      for (const p of b.logDirs[0]!.partitions) expect({ p: p.partition, size: p.size }).toEqual({ p: p.partition, size: logBytes(join(b.logDirs[0]!.logDir, p.partition)) });
    }
  });

  it('asks only the brokers of --broker-list (verb style too), refuses unknown ones', async () => {
    const two = await kafkaTs(['log-dirs', 'describe', '--broker-list', '2', '--bootstrap-server', bootstrap], { home });
    expect(two.stdout.split('\n')[1]).toBe('Received log directory information from brokers 2');
    const doc = JSON.parse(two.stdout.split('\n')[2]!) as LogDirsDoc;
    expect(doc.brokers.map((b) => [b.broker, b.logDirs[0]!.logDir])).toEqual([[2, join(home, 'data-2')]]);
    const bad = await kt('log-dirs', '--describe', '--broker-list', '2,7');
    expect(bad).toMatchObject({ exitCode: 4, stdout: '' });
    expect(bad.stderr).toContain('The given brokers do not exist from --broker-list: 7. Current existent brokers: 1,2,3');
    expect((await kt('log-dirs', '--broker-list', '2')).exitCode).toBe(2);
  });

  it('--broker-list is a set, as in Kafka: ascending and each broker once, in the text and the JSON', async () => {
    const r = await kt('log-dirs', '--describe', '--broker-list', '3,1,3', '--topic-list', 'seg');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe('Received log directory information from brokers 1,3');
    expect((JSON.parse(lines[2]!) as LogDirsDoc).brokers.map((b) => b.broker)).toEqual([1, 3]);
    expect((await logDirs('--broker-list', '2,1')).brokers.map((b) => b.broker)).toEqual([1, 2]);
    const bad = await kt('log-dirs', '--describe', '--broker-list', '9,2,7,9');
    expect(bad).toMatchObject({ exitCode: 4, stdout: '' });
    expect(bad.stderr).toContain('The given brokers do not exist from --broker-list: 7,9. Current existent brokers: 1,2,3\n');
  });
});

describe('delete-records', () => {
  it("refuses bad input with Kafka's messages and deletes nothing", async () => {
    const cases: [string, string][] = [
      ['{"partitions":[{"topic":"seg"', 'The input string is not a valid JSON'],
      ['{"version":1}', 'Missing partitions field'],
      ['{"partitions":[],"version":2}', 'Not supported version field value 2'],
      ['{"partitions":[{"topic":"seg","partition":0,"offset":5},{"topic":"seg","partition":0,"offset":6}]}', 'Offset json file contains duplicate topic partitions: seg-0'],
      ['{"partitions":[{"topic":"seg","partition":0,"offset":-5}]}', 'Invalid offset -5 for seg-0'],
    ];
    for (const [text, message] of cases) {
      const r = await kt('delete-records', '--offset-json-file', file(text));
      expect({ text, exitCode: r.exitCode, stdout: r.stdout, lines: r.stderr.trim().split('\n').length }).toEqual({ text, exitCode: 2, stdout: '', lines: 1 });
      expect(r.stderr).toContain(message);
    }
    expect((await kt('delete-records', '--topic', 'seg', '--partition', '0', '--before-offset', '-2')).exitCode).toBe(2);
    expect((await kt('delete-records', '--topic', 'seg', '--partition', '0')).stderr).toContain('Missing required option(s): before-offset');
    const unknown = await kt('delete-records', '--offset-json-file', file('{"partitions":[{"topic":"nope","partition":0,"offset":1},{"topic":"seg","partition":3,"offset":1}]}'));
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stdout).toBe(
      'Executing records delete operation\nRecords delete operation completed:\n' +
        'partition: nope-0\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n' +
        'partition: seg-3\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n',
    );
    const beyond = await kt('delete-records', 'seg:0:500');
    expect(beyond.exitCode).toBe(1);
    expect(beyond.stdout).toContain('partition: seg-0\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: ');
    expect((await kt('get-offsets', 'seg:0', '--time', 'earliest')).stdout).toBe('seg:0:0\n');
  });

  it('says in one line why --offset-json-file cannot be read, and names a partition given twice as arguments (exit 2)', async () => {
    const missing = join(home, 'no-such-offsets.json');
    for (const [args, line] of [
      [['--offset-json-file', missing], `Cannot read --offset-json-file ${missing}: no such file`],
      [['--offset-json-file', home], `Cannot read --offset-json-file ${home}: it is a directory`],
      [['seg:0:3', 'seg:0:3'], 'A partition is given more than once: seg-0 (give each topic:partition:offset once)'],
    ] as const) {
      const r = await kt('delete-records', ...args);
      expect({ args, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, exitCode: 2, stdout: '', stderr: `kafka-ts delete-records: usage error: ${line}\n` });
    }
    const json = await kt('delete-records', '--offset-json-file', missing, '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 2, kind: 'usage', message: `Cannot read --offset-json-file ${missing}: no such file` } });
  });

  it('says why the other tools\' files cannot be read in the same words (exit 2)', async () => {
    const missing = join(home, 'no-such-file');
    for (const [args, line] of [
      [['consumer-groups', '--reset-offsets', '--group', 'g', '--all-topics', '--from-file', missing, '--execute'], `Cannot read --from-file ${missing}: no such file`],
      [['consumer-groups', '--reset-offsets', '--group', 'g', '--all-topics', '--from-plan', home, '--execute'], `Cannot read --from-plan ${home}: it is a directory`],
      [['reassign-partitions', '--reassignment-json-file', missing, '--execute'], `Cannot read --reassignment-json-file ${missing}: no such file`],
      [['streams-application-reset', '--application-id', 'app', '--from-file', missing], `Cannot read --from-file ${missing}: no such file`],
    ] as const) {
      const r = await kt(...args);
      expect({ args, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, exitCode: 2, stdout: '', stderr: `kafka-ts ${args[0]}: usage error: ${line}\n` });
    }
  });

  it('moves the low watermark, deletes whole segments from disk on every replica; kcat starts there', async () => {
    const before = await segSizes();
    expect([...before.values()].map((s) => s.size)).toEqual([17000, 17000]);
    const r = await kt('delete-records', '--topic', 'seg', '--partition', '0', '--before-offset', '60');
    expect(r).toMatchObject({ exitCode: 0, stdout: 'Executing records delete operation\nRecords delete operation completed:\npartition: seg-0\tlow_watermark: 60\n' });
    expect((await kt('get-offsets', 'seg:0', '--time', 'earliest')).stdout).toBe('seg:0:60\n');
    const c = await kcat(['-b', bootstrap, '-C', '-t', 'seg', '-p', '0', '-o', 'beginning', '-e', '-f', '%o\\n']);
    expect(c.exitCode).toBe(0);
    expect(c.stdout.trim().split('\n').map(Number)).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
    // Followers follow the leader's log start: every replica is smaller, as on disk.
    let after = before;
    await waitUntil('both replicas of seg-0 to shrink', async () => {
      after = await segSizes();
      return [...after].every(([b, s]) => s.size < before.get(b)!.size);
    }, () => [...after]);
    for (const [, s] of after) {
      expect(s.size).toBe(logBytes(join(s.dir, 'seg-0')));
      expect(existsSync(join(s.dir, 'seg-0', '00000000000000000000.log'))).toBe(false);
    }
    const json = await kt('delete-records', '--offset-json-file', file('{"partitions":[{"topic":"seg","partition":0,"offset":-1}],"version":1}'), '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ partitions: [{ topic: 'seg', partition: 0, lowWatermark: 100, error: null, message: null }] });
  });

  it('refuses a compact-only topic with PolicyViolation', async () => {
    const r = await kt('delete-records', '__consumer_offsets:0:0');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('partition: __consumer_offsets-0\terror: org.apache.kafka.common.errors.PolicyViolationException: ');
  });
});

describe('broker-api-versions', () => {
  it("prints Kafka's block per broker with usable versions of kafka-ts's client", async () => {
    const r = await kt('broker-api-versions');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const blocks = r.stdout.split(/\n(?=127\.)/);
    expect(blocks).toHaveLength(3);
    blocks.forEach((b, i) => {
      const lines = b.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+ \\(id: ${i + 1} rack: null isFenced: false\\) -> \\($`));
      expect(lines.at(-1)).toBe(')');
      expect(lines).toContain('\tProduce(0): 0 to 9 [usable: 9],');
      expect(lines).toContain('\tListOffsets(2): 0 to 10 [usable: 9],');
      expect(lines).toContain('\tApiVersions(18): 0 to 3 [usable: 3],');
      expect(lines.at(-2)).toBe('\tDescribeTopicPartitions(75): 0 [usable: 0]');
      for (const l of lines.slice(1, -1)) expect(l).toMatch(/^\t[A-Za-z]+\(\d+\): (\d+( to \d+)?( \[usable: \d+\])?|UNSUPPORTED),?$/);
    });
    const json = JSON.parse((await kt('broker-api-versions', '--output', 'json')).stdout);
    expect(json.brokers.map((b: { id: number }) => b.id)).toEqual([1, 2, 3]);
    expect(json.brokers[0].apis[0]).toEqual({ apiKey: 0, name: 'Produce', minVersion: 0, maxVersion: 9, usable: 9, status: 'usable' });
  });

  it('SaslHandshake and SaslAuthenticate carry [usable: N] as in Kafka: the client sends them on SASL connections', async () => {
    const r = await kt('broker-api-versions');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l === '\tSaslHandshake(17): 0 to 1 [usable: 1],')).toHaveLength(3);
    expect(lines.filter((l) => l === '\tSaslAuthenticate(36): 0 to 2 [usable: 2],')).toHaveLength(3);
    const json = JSON.parse((await kt('broker-api-versions', '--output', 'json')).stdout) as { brokers: { apis: { apiKey: number; usable: number | null; status: string }[] }[] };
    expect(json.brokers[0]!.apis.filter((a) => a.apiKey === 17 || a.apiKey === 36)).toMatchObject([
      { apiKey: 17, usable: 1, status: 'usable' },
      { apiKey: 36, usable: 2, status: 'usable' },
    ]);
  });

  it("names and ranges agree with what librdkafka (kcat) read from the same broker's ApiVersions", async () => {
    const k = await kcat(['-b', bootstrap, '-L', '-d', 'feature']);
    expect(k.exitCode).toBe(0);
    // librdkafka's names: "ApiVersion", "Request" after the newer ones, "Unknown-60?" for those it does not know.
    const named = (n: string, key: string) => (n === 'ApiVersion' ? 'ApiVersions' : n.startsWith('Unknown-') ? (KNOWN_LATER[key] ?? n) : n.replace(/Request$/, ''));
    const theirs = [...k.stderr.matchAll(/\/bootstrap:\s+ApiKey (.+?) \((\d+)\) Versions (\d+)\.\.(\d+)/g)].map((m) => ({ name: named(m[1]!, m[2]!), apiKey: Number(m[2]), minVersion: Number(m[3]), maxVersion: Number(m[4]) }));
    expect(theirs.length).toBeGreaterThan(20);
    const port = Number(bootstrap.split(':').at(-1));
    const json = JSON.parse((await kt('broker-api-versions', '--output', 'json')).stdout) as { brokers: { port: number; apis: { apiKey: number; name: string; minVersion: number | null; maxVersion: number | null }[] }[] };
    const ours = json.brokers.find((b) => b.port === port)!.apis.filter((a) => a.minVersion !== null).map(({ apiKey, name, minVersion, maxVersion }) => ({ name, apiKey, minVersion, maxVersion }));
    expect(ours).toEqual(theirs);
  });

  it('works against the local daemon over its Unix sockets, as the other tools', async () => {
    const r = await kafkaTs(['broker-api-versions'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').filter((l) => !l.startsWith('\t') && l !== ')' && l !== '')).toEqual([1, 2, 3].map((id) => `unix://${join(home, `broker-${id}.sock`)} (id: ${id} rack: null isFenced: false) -> (`));
    expect((await kafkaTs(['get-offsets', 'offs:10'], { home })).stdout).toBe('offs:10:11\n');
  });
});

describe('with a broker down', () => {
  it('get-offsets skips the partitions without a leader, on stderr as Kafka, and exits 1; delete-records reports them', async () => {
    expect((await kt('topics', '--create', '--topic', 'lone', '--replica-assignment', '3,1')).exitCode).toBe(0);
    expect((await kafkaTs(['server', 'stop-broker', '3', '--data-dir', home], { home })).exitCode).toBe(0);
    try {
      const r = await kt('get-offsets', '--topic', 'lone');
      expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 1, stdout: 'lone:1:0\n' });
      expect(r.stderr).toMatch(/^Skip getting offsets for topic-partition lone-0 due to error: org\.apache\.kafka\.common\.errors\.LeaderNotAvailableException: /m);
      const d = await kt('delete-records', 'lone:0:-1', 'lone:1:-1');
      expect(d.exitCode).toBe(1);
      expect(d.stdout).toBe(
        'Executing records delete operation\nRecords delete operation completed:\n' +
          'partition: lone-0\terror: org.apache.kafka.common.errors.LeaderNotAvailableException: There is no leader for this topic-partition as we are in the middle of a leadership election.\n' +
          'partition: lone-1\tlow_watermark: 0\n',
      );
    } finally {
      await kafkaTs(['server', 'start-broker', '3', '--data-dir', home], { home });
    }
  });
});
