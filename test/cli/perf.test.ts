/**
 * producer-perf-test, consumer-perf-test and e2e-latency end to end (execa): Kafka's output
 * layouts (golden regexes from the reference, §10, §11 and Kafka's EndToEndLatency), flags, JSON
 * and bad input with its exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { BIN, kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, untilStderr, type RunResult } from '../helpers/cli.js';
import { execa } from 'execa';
import { spawn } from 'node:child_process';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (args: string[], env?: Record<string, string>): Promise<RunResult> => kafkaTs(args, { home, env });
const ppt = (...args: string[]) => kt(['producer-perf-test', ...args]);
const cpt = (...args: string[]) => kt(['consumer-perf-test', ...args], { TZ: 'UTC' });

const N = '[0-9]+';
const F = (d: number) => `[0-9]+\\.[0-9]{${d}}`;
const WINDOW = new RegExp(`^${N} records sent, ${F(1)} records/sec \\(${F(2)} MB/sec\\), ${F(1)} ms avg latency, ${F(1)} ms max latency\\.$`);
const TOTAL = (n: number) => new RegExp(`^${n} records sent, ${F(1)} records/sec \\(${F(2)} MB/sec\\), ${F(2)} ms avg latency, ${F(2)} ms max latency, ${N} ms 50th, ${N} ms 95th, ${N} ms 99th, ${N} ms 99\\.9th\\.$`);
const DATE = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d:\\d{3}';
const SUMMARY = new RegExp(`^${DATE}, ${DATE}, ${F(4)}, ${F(4)}, ${N}, ${F(4)}, ${N}, ${N}, ${F(4)}, ${F(4)}$`);
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-perf-'));
  ({ bootstrap } = await startDaemon(home));
  for (const t of ['pp', 'cp', 'pp-file']) expect((await kt(['topics', 'create', t, '-p', '2'])).exitCode).toBe(0);
}, 60_000);
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('producer-perf-test', () => {
  it("prints Kafka's final line with percentiles, and the records land in the topic", async () => {
    const r = await ppt('--topic', 'pp', '--num-records', '3000', '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=1');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect(l).toMatch(WINDOW);
    expect(lines.at(-1)).toMatch(TOTAL(3000));
    const offsets = await kt(['consumer-perf-test', '--topic', 'pp', '--messages', '3000', '--output', 'json']);
    expect(JSON.parse(offsets.stdout)).toMatchObject({ messages: 3000, bytes: 300_000 });
  });

  it('prints a window line every 5 s when throttled, and keeps near the asked throughput', async () => {
    const r = await ppt('--topic', 'pp', '--num-records', '1300', '--record-size', '10', '--throughput', '200');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length, r.stdout).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(WINDOW);
    // 5 s at 200/s: about 1000 records in the first window.
    expect(Number(lines[0]!.split(' ')[0])).toBeGreaterThan(800);
    expect(Number(lines[0]!.split(' ')[0])).toBeLessThan(1100);
    const rate = Number(/, ([0-9.]+) records\/sec/.exec(lines.at(-1)!)![1]);
    expect(rate).toBeGreaterThan(150);
    expect(rate).toBeLessThan(210);
  }, 30_000);

  it('--output json has the totals, the percentiles and the latency histogram', async () => {
    const r = await ppt('--topic', 'pp', '--num-records', '2000', '--payload-monotonic', '--throughput', '-1', '--output', 'json');
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ topic: 'pp', records: 2000, failed: 0, interrupted: false });
    expect(j.bytes).toBe([...Array(2000).keys()].reduce((s, i) => s + String(i).length, 0));
    expect(Object.keys(j.latency.percentiles)).toEqual(['p50', 'p95', 'p99', 'p999']);
    expect(j.latency.histogram.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(2000);
    expect(j.latency.histogram[0]).toEqual({ fromMs: 0, toMs: 1, count: expect.any(Number) });
  });

  it('reads payloads from a file split by --payload-delimiter, and prints --print-metrics', async () => {
    const file = join(home, 'payloads.txt');
    writeFileSync(file, 'alpha|beta|gamma');
    const r = await ppt('--topic', 'pp-file', '--num-records', '30', '--payload-file', file, '--payload-delimiter', '|', '--throughput', '-1', '--print-metrics');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Reading payloads from: ${file}`);
    expect(lines[1]).toBe('Number of messages read: 3');
    expect(lines[2]).toMatch(TOTAL(30));
    expect(lines[3]).toBe('');
    expect(lines[4]).toMatch(/^Metric Name +Value$/);
    expect(r.stdout).toMatch(/^producer-metrics:record-send-total:\{client-id=perf-producer-client\} +: 30\.000$/m);
    const values = await kt(['console-consumer', '--topic', 'pp-file', '--from-beginning', '-e']);
    expect(values.stdout.trim().split('\n').every((v) => ['alpha', 'beta', 'gamma'].includes(v))).toBe(true);
  });

  it('--throughput 0 sends one record and waits; Ctrl-C ends it with the final line and exit 130', async () => {
    expect((await kt(['topics', 'create', 'pp-zero', '-p', '1'])).exitCode).toBe(0);
    const child = execa(process.execPath, [BIN, 'producer-perf-test', '--topic', 'pp-zero', '--num-records', '100', '--record-size', '7', '--throughput', '0'], {
      env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined },
      reject: false,
    });
    // Once its one record is in the topic, the command is waiting (its handlers are in place).
    const deadline = Date.now() + 30_000;
    let seen = '';
    while (!(seen = (await kt(['console-consumer', '--topic', 'pp-zero', '--from-beginning', '-e'])).stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toMatch(/^[A-Z]{7}\n$/);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(String(r.stdout)).toMatch(TOTAL(1));
  }, 40_000);

  /** Starts producer-perf-test with stdout on a pipe; resolves its first stdout line and its exit. */
  const perfOnPipe = (topic: string) => {
    const child = spawn(process.execPath, [BIN, 'producer-perf-test', '--topic', topic, '--num-records', '50000000', '--record-size', '10', '--throughput', '20000', '--producer-props', 'acks=1'], {
      env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    const firstLine = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      void exited.then(() => resolve(stdout));
    });
    /** The exit code, or 'hung' if it has not ended within `ms` (it is then killed). */
    const exit = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([exited, new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))]);
      clearTimeout(timer);
      if (r === 'hung') child.kill('SIGKILL');
      return r;
    };
    return { child, firstLine, exit, output: () => ({ stdout, stderr }) };
  };

  it('a reader that closes the pipe ends it quietly with 0, without false send errors (it hung, ignoring SIGTERM)', async () => {
    const run = perfOnPipe('pp');
    expect(await run.firstLine).toMatch(WINDOW);
    // As `| head -1`: the reader goes away; the next window line (5 s on) meets the closed pipe.
    run.child.stdout.destroy();
    const code = await run.exit(20_000);
    expect({ code, stderr: run.output().stderr }).toEqual({ code: 0, stderr: '' });
  }, 40_000);

  it('SIGTERM while sending ends it with its total line and 143', async () => {
    const run = perfOnPipe('pp');
    expect(await run.firstLine).toMatch(WINDOW);
    run.child.kill('SIGTERM');
    const code = await run.exit(20_000);
    const { stdout, stderr } = run.output();
    expect({ code, stderr }).toEqual({ code: 143, stderr: '' });
    const last = stdout.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(TOTAL(Number(/^(\d+) records sent/.exec(last)?.[1])));
  }, 40_000);

  it("waits for a broker max.block.ms by default, Kafka's producer's 60000 (it gave up after 10 s)", async () => {
    const child = spawnKafkaTs(['producer-perf-test', '--topic', 'pp', '--num-records', '1', '--record-size', '1', '--throughput', '-1', '--bootstrap-server', '127.0.0.1:1'], home);
    try {
      await untilStderr(child, 'retrying for up to');
      // Still waiting: nothing said after the warning (an error would follow it).
      child.kill('SIGKILL');
      expect(String((await child).stderr)).toBe('kafka-ts: warning: Could not connect to 127.0.0.1:1: connection refused; retrying for up to 60000 ms (max.block.ms)\n');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('draws a progress bar on a terminal (stderr), cleared before the final line', async () => {
    // script(1) runs the command on a pseudo-terminal; its output is the terminal's.
    const cmd = `${process.execPath} ${BIN} producer-perf-test --topic pp --num-records 800 --record-size 10 --throughput 1000`;
    const r = await execa('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false, timeout: 30_000 });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const screen = String(r.stdout);
    expect(screen).toMatch(/\r\[#*\.*\] +\d+%  \d+\/800 records  \d+ records\/s/);
    // The last bar is erased, then Kafka's line follows on a clean line.
    expect(screen).toMatch(/\r\x1b\[K800 records sent, [^\r]*99\.9th\.\s*$/);
  }, 40_000);

  it('warns about an unknown producer config as Kafka does, and goes on', async () => {
    const r = await ppt('--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--producer-props', 'no.such.config=1');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("The configuration 'no.such.config' was supplied but isn't a known config.");
  });

  it("--producer-props followed by an option is argparse4j's 'expected at least one argument' (exit 2): the option is not taken as a property", async () => {
    for (const args of [
      ['--topic', 'pp', '--num-records', '10', '--producer-props', '--record-size', '10', '--throughput', '-1'],
      ['--topic', 'pp', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', '--print-metrics'],
      ['--topic', 'pp', '--num-records', '10', '--record-size', '10', '--producer-props', '-x=1', '--throughput', '-1'],
    ]) {
      const r = await ppt(...args);
      expect({ args, r }).toEqual({ args, r: { exitCode: 2, stdout: '', stderr: 'kafka-ts producer-perf-test: usage error: argument --producer-props: expected at least one argument\n' } });
    }
    // A list ends at the next option, which keeps its own value.
    const r = await ppt('--topic', 'pp', '--num-records', '10', '--producer-props', 'acks=1', 'linger.ms=0', '--record-size', '10', '--throughput', '-1', '--output', 'json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 10, bytes: 100 });
  });

  it('warns that --payload-delimiter has no effect without --payload-file (Kafka ignores it in silence), and goes on', async () => {
    const r = await ppt('--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--payload-delimiter', 'x');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('WARN --payload-delimiter has no effect without --payload-file\n');
    expect(r.stdout.trimEnd()).toMatch(TOTAL(10));
    const quiet = await ppt('--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1');
    expect(quiet).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it.each([
    [['--topic', 'pp', '--record-size', '10', '--throughput', '-1'], 'argument --num-records is required'],
    [['--num-records', '10', '--record-size', '10', '--throughput', '-1'], 'argument --topic is required'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '10'], 'argument --throughput is required'],
    [['--topic', 'pp', '--num-records', '10', '--throughput', '-1'], 'one of the arguments --record-size --payload-file --payload-monotonic is required'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '1', '--payload-monotonic', '--throughput', '-1'], 'argument --payload-monotonic: not allowed with argument --record-size'],
    [['--topic', 'pp', '--num-records', '0', '--record-size', '10', '--throughput', '-1'], '--num-records should be greater than zero'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '-5', '--throughput', '-1'], '--record-size should be greater than zero'],
    [['--topic', 'pp', '--num-records', 'ten', '--record-size', '5', '--throughput', '-1'], "argument --num-records: could not convert 'ten' to Long"],
    [['--topic', 'pp', '--num-records', '9223372036854775808', '--record-size', '5', '--throughput', '-1'], "argument --num-records: could not convert '9223372036854775808' to Long"],
    [['--topic', 'pp', '--num-records', '99999999999999999999', '--record-size', '5', '--throughput', '-1'], "argument --num-records: could not convert '99999999999999999999' to Long"],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--producer-props', 'acks'], 'Invalid property: acks'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--producer-props', 'a=b=c'], 'Invalid property: a=b=c'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--producer-props', 'acks=2'], 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--producer-props', 'linger.ms=soon'], 'Invalid value soon for configuration linger.ms: Not a number of type LONG'],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--transaction-duration-ms', 'soon'], "argument --transaction-duration-ms: could not convert 'soon' to Long"],
    [['--topic', 'pp', '--num-records', '10', '--record-size', '5', '--throughput', '-1', '--transaction-duration-ms', '0'], '--transaction-duration-ms should be greater than zero'],
    [['--topic', 'pp', '--num-records', '10', '--payload-file', '/nonexistent/x', '--throughput', '-1'], 'File does not exist or empty file provided.'],
    [['--topic', 'pp', '--num-records', '10', '--payload-file', '/tmp', '--throughput', '-1'], '--payload-file /tmp is a directory'],
  ])('refuses %j with one line and exit 2, sending nothing', async (args, message) => {
    const r = await ppt(...args);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});

describe('consumer-perf-test', () => {
  beforeAll(async () => {
    const r = await ppt('--topic', 'cp', '--num-records', '5000', '--record-size', '200', '--throughput', '-1');
    expect(r.exitCode).toBe(0);
  });

  it("prints Kafka's header and summary line; MB and message counts are exact", async () => {
    const r = await cpt('--bootstrap-server', bootstrap, '--topic', 'cp', '--messages', '5000');
    expect(r.exitCode).toBe(0);
    const [header, line, ...rest] = r.stdout.split('\n');
    expect(header).toBe(HEADER);
    expect(line).toMatch(SUMMARY);
    expect(rest).toEqual(['']);
    const fields = line!.split(', ');
    expect(fields[2]).toBe('0.9537'); // 5000 x 200 bytes / 2^20
    expect(fields[4]).toBe('5000');
    expect(Number(fields[6]) + Number(fields[7])).toBeGreaterThan(0);
  });

  it('--hide-header, --date-format, --group and JSON', async () => {
    const r = await cpt('--topic', 'cp', '--messages', '100', '--hide-header', '--date-format', "yyyy'T'HH", '--group', 'perf-g');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}T\d\d, \d{4}T\d\d, [0-9.]+, /);
    expect(r.stdout.split('\n')).toHaveLength(2);
    const metrics = await cpt('--topic', 'cp', '--messages', '100', '--group', 'perf-m', '--from-latest', '--timeout', '300', '--print-metrics');
    expect(metrics.stdout).toMatch(/^WARNING: Exiting before consuming the expected number of messages: timeout \(300 ms\) exceeded\./m);
    // Kafka's table, sorted by name: the coordinator's rows before the fetch manager's.
    expect(metrics.stdout).toMatch(/\n\nMetric Name +Value\nconsumer-coordinator-metrics:rebalance-latency-total:\{client-id=perf-consumer-client\} +: [0-9]+\.000\nconsumer-fetch-manager-metrics:records-consumed-total:\{client-id=perf-consumer-client, topic=cp\} +: 0\.000\nconsumer-fetch-manager-metrics:records-consumed-total:\{client-id=perf-consumer-client\} +: 0\.000\n$/);
    const groups = await kt(['consumer-groups', '--list']);
    expect(groups.stdout.split('\n')).toContain('perf-g');
    const j = JSON.parse((await cpt('--topic', 'cp', '--messages', '10', '--output', 'json')).stdout);
    expect(j).toMatchObject({ topic: 'cp', timedOut: false });
    expect(j.messages).toBeGreaterThanOrEqual(10);
    expect(j.group).toMatch(/^perf-consumer-\d+$/);
    // JSON mode keeps stdout JSON and the timeout warning on stderr.
    const late = await cpt('--topic', 'cp', '--messages', '100', '--group', 'perf-late', '--from-latest', '--timeout', '300', '--output', 'json');
    expect(JSON.parse(late.stdout)).toMatchObject({ topic: 'cp', messages: 0, timedOut: true });
    expect(late.stderr).toBe('WARNING: Exiting before consuming the expected number of messages: timeout (300 ms) exceeded. You can use the --timeout option to increase the timeout.\n');
  });

  it('a topic that does not exist is exit 4 at once, as in console-consumer (it waited out --timeout and exited 0)', async () => {
    const started = Date.now();
    const r = await cpt('--topic', 'no-such-topic', '--messages', '500', '--timeout', '30000', '--output', 'json');
    expect(r).toEqual({ stdout: '{"error":{"code":4,"kind":"not_found","message":"Topic \'no-such-topic\' does not exist"}}\n', stderr: "kafka-ts consumer-perf-test: error: Topic 'no-such-topic' does not exist\n", exitCode: 4 });
    expect(Date.now() - started).toBeLessThan(20_000);
    // Text mode: nothing on stdout, not the CSV header of a run that never began.
    expect(await cpt('--topic', 'no-such-topic', '--messages', '5')).toEqual({ stdout: '', stderr: "kafka-ts consumer-perf-test: error: Topic 'no-such-topic' does not exist\n", exitCode: 4 });
    expect(await cpt('--topic', 'no-such-topic', '--messages', '5', '--show-detailed-stats')).toMatchObject({ stdout: '', exitCode: 4 });
    expect((await kt(['topics', '--list'])).stdout.split('\n')).not.toContain('no-such-topic');
  });

  it('commits what it counted, not what it fetched beyond (whole polls of max.poll.records)', async () => {
    const j = JSON.parse((await cpt('--topic', 'cp', '--messages', '100', '--group', 'perf-commit', '--output', 'json')).stdout);
    expect(j.messages).toBe(500);
    const d = JSON.parse((await kt(['consumer-groups', '--describe', '--group', 'perf-commit', '--output', 'json'])).stdout);
    const committed = d.groups[0].offsets.reduce((n: number, o: { currentOffset: number }) => n + o.currentOffset, 0);
    expect(committed).toBe(500);
  });

  it('--show-detailed-stats prints the detailed header and interval lines', async () => {
    const r = await cpt('--topic', 'cp', '--messages', '5001', '--show-detailed-stats', '--reporting-interval', '1', '--timeout', '1500');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER.replace('start.time, end.time', 'time, threadId'));
    const detailed = new RegExp(`^${DATE}, 0, ${F(4)}, ${F(4)}, ${N}, ${F(4)}, ${N}, -?${N}, ${F(4)}, ${F(4)}$`);
    for (const l of lines.slice(1, -1)) expect(l).toMatch(detailed);
    expect(lines.at(-1)).toBe('WARNING: Exiting before consuming the expected number of messages: timeout (1500 ms) exceeded. You can use the --timeout option to increase the timeout.');
  });

  it.each([
    [['--topic', 'cp'], 'Missing required argument "[messages]"'],
    [['--messages', '5'], 'Missing required argument "[topic]"'],
    [['--topic', 'cp', '--messages', 'x'], "Cannot parse argument 'x' of option messages"],
    [['--topic', 'cp', '--messages', '9223372036854775808'], "Cannot parse argument '9223372036854775808' of option messages"],
    [['--topic', 'cp', '--messages', '5', '--reporting-interval', '0'], 'Reporting interval must be greater than 0.'],
    [['--topic', 'cp', '--messages', '5', '--fetch-size', '-1'], 'Option fetch-size must be greater than zero'],
    [['--topic', 'cp', '--messages', '5', '--date-format', 'qq'], "Illegal pattern character 'q'"],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await cpt(...args);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('e2e-latency', () => {
  const RESULT = /^Avg latency: [0-9]+\.[0-9]{4} ms\nPercentiles: 50th = [0-9]+, 99th = [0-9]+, 99\.9th = [0-9]+\n$/;

  it("Kafka's positional form: creates the topic, prints progress and Kafka's two lines", async () => {
    const r = await kt(['e2e-latency', bootstrap, 'e2e', '50', '1', '64']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Topic "e2e" does not exist. Will create topic with 1 partition(s) and replication factor = 1');
    expect(lines[1]).toMatch(/^0\t[0-9]+\.[0-9]+$/);
    expect(lines.slice(2).join('\n')).toMatch(RESULT);
  });

  it('the flag form, a properties file, --histogram and JSON', async () => {
    const props = join(home, 'e2e.properties');
    writeFileSync(props, 'client.id=e2e\n');
    const r = await kt(['e2e-latency', '--topic', 'e2e', '--num-messages', '20', '--producer-acks', 'all', '--message-size', '10', '--command-config', props, '--histogram']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0\t[0-9.]+\nAvg latency: [0-9.]+ ms\nPercentiles: [^\n]+\n\nLatency histogram \(ms\):\n( *[0-9]+-[0-9]+ ms \| #* +[0-9]+ \( *[0-9.]+%\)\n)+$/);
    const j = JSON.parse((await kt(['e2e-latency', bootstrap, 'e2e', '30', 'all', '0', '--output', 'json'])).stdout);
    expect(j).toMatchObject({ topic: 'e2e', messages: 30, createdTopic: false });
    expect(Object.keys(j.percentiles)).toEqual(['p50', 'p99', 'p999']);
    expect(j.histogram.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(30);
  });

  it("the properties file reaches the producer (compression, idempotence); the tool's own keys warn; a transactional.id is exit 2", async () => {
    const props = join(home, 'e2e-gzip.properties');
    writeFileSync(props, 'compression.type=gzip\nlinger.ms=50\nsession.timeout.ms=6000\nisolation.level=read_committed\n');
    const r = await kt(['e2e-latency', bootstrap, 'e2e-gzip', '3', 'all', '10', props]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      "WARN linger.ms has no effect on e2e-latency: each record is sent at once (linger.ms=0), as Kafka's tool sends it",
      "WARN session.timeout.ms has no effect on e2e-latency: its consumer is assigned the topic's partitions and joins no group, as Kafka's tool's",
    ]);
    const dump = await kt(['dump-log', '--files', join(home, 'data', 'e2e-gzip-0', '00000000000000000000.log')]);
    const batches = dump.stdout.split('\n').filter((l) => l.startsWith('baseOffset:'));
    expect(batches, dump.stdout).toHaveLength(3);
    // gzip as the file asks, and idempotent (a producer id) as Kafka's producer is with acks=all.
    for (const b of batches) expect(b).toMatch(/producerId: [0-9]+ .* compresscodec: gzip /);
    writeFileSync(props, 'transactional.id=t1\n');
    expect(await kt(['e2e-latency', bootstrap, 'e2e-gzip', '3', 'all', '10', props])).toEqual({ stdout: '', stderr: 'kafka-ts e2e-latency: usage error: transactional.id cannot be used with e2e-latency: it sends each record outside any transaction\n', exitCode: 2 });
  });

  it('a reader that has gone away (| true) ends it at its first line, quietly with 0 (it sent a thousand more records first)', async () => {
    expect((await kt(['topics', 'create', 'e2e-pipe', '-p', '1'])).exitCode).toBe(0);
    const child = spawn(process.execPath, [BIN, 'e2e-latency', bootstrap, 'e2e-pipe', '100000', '1', '10'], {
      env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Gone before the first line: that write meets EPIPE. The next one would be 1000 records on.
    child.stdout.destroy();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? -1 : null)))),
      new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 60_000))),
    ]);
    clearTimeout(timer);
    if (code === 'hung') child.kill('SIGKILL');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // What it sent: the record of the first line and at most a few after it, not on to the next line's.
    const sent = Number(/^e2e-pipe:0:(\d+)$/m.exec((await kt(['get-offsets', '--topic', 'e2e-pipe'])).stdout)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(100);
  }, 90_000);

  it('shows the histogram by itself on a terminal', async () => {
    const cmd = `${process.execPath} ${BIN} e2e-latency ${bootstrap} e2e 20 1 10`;
    const r = await execa('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: undefined }, reject: false, timeout: 30_000 });
    expect(r.exitCode, String(r.stdout)).toBe(0);
    expect(String(r.stdout)).toMatch(/Percentiles: [^\n]+\r?\n\r?\nLatency histogram \(ms\):\r?\n/);
  });

  it('fails at once, exit 1, for a record the producer refuses (over buffer.memory, or a max.request.size given)', async () => {
    const started = Date.now();
    const r = await kt(['e2e-latency', bootstrap, 'e2e-huge', '1', '1', '999999999']);
    expect(r).toEqual({ stdout: '', stderr: 'kafka-ts e2e-latency: error: record of 999,999,999 bytes exceeds buffer.memory=33554432 of the producer; raise it or split the record (MESSAGE_TOO_LARGE)\n', exitCode: 1 });
    // Before a topic is made, within the test's own timeout (not the producer's 120 s delivery timeout).
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await kt(['topics', '--list', '--bootstrap-server', bootstrap])).stdout.split('\n')).not.toContain('e2e-huge');
    const props = join(home, 'e2e-small.properties');
    writeFileSync(props, 'max.request.size=1000\n');
    const small = await kt(['e2e-latency', bootstrap, 'e2e-huge', '1', 'all', '2000', props]);
    expect(small).toEqual({ stdout: '', stderr: 'kafka-ts e2e-latency: error: record of 2,000 bytes exceeds max.request.size=1000 of the producer; raise it or split the record (MESSAGE_TOO_LARGE)\n', exitCode: 1 });
  });

  it.each([
    [[bootstrap, 'e2e', '10', '0', '10'], 'Latency testing requires synchronous acknowledgement. Please use 1 or all'],
    [[bootstrap, 'e2e', '10', '-1', '10'], 'Latency testing requires synchronous acknowledgement. Please use 1 or all'],
    [[bootstrap, 'e2e', '10'], 'USAGE: kafka-ts e2e-latency broker_list topic num_messages producer_acks message_size_bytes'],
    [[bootstrap, 'e2e', 'ten', '1', '10'], 'For input string: "ten"'],
    [[bootstrap, 'e2e', '10', '1', '-3'], 'message_size_bytes must not be negative'],
    [['--topic', 'e2e', '--num-messages', '5'], 'Missing required arguments --producer-acks, --message-size'],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await kt(['e2e-latency', ...args]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
