/**
 * kafka-ts configs changes that take effect, checked with real clients: a topic config altered
 * with `configs --alter` is what kafka-python's describe_configs reads; max.message.bytes makes
 * the broker refuse kcat's larger record (MESSAGE_TOO_LARGE); retention.ms with a small
 * segment.ms deletes old segments; dynamic broker configs (the cluster-wide default
 * log.retention.ms and message.max.bytes) apply to topics without an override at once, and
 * survive a daemon restart. One daemon, the retention check every 200 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { kcat, PYTHON, requireKcat, requirePython } from '../helpers/real-clients.js';
import { execa } from 'execa';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });
const start = async () => ({ bootstrap } = await startDaemon(home, ['--override', 'log.retention.check.interval.ms=200']));

/** kafka-python's describe_configs of one resource: {name: value}. */
async function pythonDescribe(type: 'TOPIC' | 'BROKER', name: string, bs = bootstrap): Promise<Record<string, string>> {
  const script = [
    'import sys, json',
    'from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType',
    "a = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='configs-test')",
    'out = {}',
    'for resp in a.describe_configs([ConfigResource(getattr(ConfigResourceType, sys.argv[2]), sys.argv[3])]):',
    '    for res in resp.resources:',
    '        if res[0]: raise SystemExit("error %s %s" % (res[0], res[1]))',
    '        out.update({e[0]: e[1] for e in res[4]})',
    'a.close()',
    'print(json.dumps(out))',
  ].join('\n');
  const r = await execa(PYTHON, ['-c', script, bs, type, name], { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0) throw new Error(`kafka-python describe_configs failed: ${r.stderr}`);
  return JSON.parse(String(r.stdout)) as Record<string, string>;
}

/** kcat's earliest offset of partition 0. */
async function earliest(topic: string): Promise<number> {
  const r = await kcat(['-b', bootstrap, '-Q', '-t', `${topic}:0:-2`], { timeout: 20_000 });
  const m = /\[0\] offset (-?\d+)/.exec(r.stdout);
  if (!m) throw new Error(`kcat -Q: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

/** Produces a record now and then until the topic's earliest offset moves past 0 (old segments deleted). */
async function produceUntilTrimmed(topic: string, deadlineMs = 20_000): Promise<{ earliest: number; produced: number }> {
  const until = Date.now() + deadlineMs;
  let produced = 0;
  let low = 0;
  while (Date.now() < until) {
    const r = await kcat(['-b', bootstrap, '-t', topic, '-P'], { input: `m${produced}\n`, timeout: 20_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    produced++;
    low = await earliest(topic);
    if (low > 0) return { earliest: low, produced };
    await new Promise((r) => setTimeout(r, 150)); // segment.ms / retention.ms are time: let the clock move
  }
  throw new Error(`${topic}: earliest offset still ${low} after ${produced} records in ${deadlineMs} ms`);
}

/** kcat producing one keyed record (compacted topics need keys) of about `size` bytes: its exit code and stderr. */
const produceSized = (topic: string, size: number) =>
  kcat(['-b', bootstrap, '-t', topic, '-P', '-K', ':', '-X', 'message.send.max.retries=0'], { input: `k:${'x'.repeat(size)}\n`, timeout: 30_000 });

beforeAll(async () => {
  requireKcat();
  await requirePython('kafka');
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-configs-effects-'));
  await start();
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('topic configs altered with kafka-ts configs', () => {
  it('a config the broker accepts with no effect is set with a warning naming why (topics --create and configs --alter); the others set quietly', async () => {
    const created = await kt('topics', 'create', 'fx-quiet', '--config', 'preallocate=true', '--config', 'retention.ms=60000');
    expect(created).toEqual({ stdout: 'Created topic fx-quiet.\n', stderr: 'WARN preallocate has no effect on this kafka-ts broker: segment files grow as they are written\n', exitCode: 0 });
    expect(await kt('configs', '--alter', '--topic', 'fx-quiet', '--add-config', 'file.delete.delay.ms=10,compression.type=gzip')).toEqual({
      stdout: 'Completed updating config for topic fx-quiet.\n',
      stderr: 'WARN file.delete.delay.ms has no effect on this kafka-ts broker: deleted segments are removed at once\n',
      exitCode: 0,
    });
    expect((await pythonDescribe('TOPIC', 'fx-quiet'))['file.delete.delay.ms']).toBe('10');
  });

  it('are what kafka-python describes, and max.message.bytes refuses a larger record from kcat', async () => {
    expect((await kt('topics', 'create', 'fx-big')).exitCode).toBe(0);
    expect(await kt('configs', '--alter', '--topic', 'fx-big', '--add-config', 'max.message.bytes=1000,cleanup.policy=[compact,delete]')).toEqual({
      stdout: 'Completed updating config for topic fx-big.\n',
      stderr: '',
      exitCode: 0,
    });
    const seen = await pythonDescribe('TOPIC', 'fx-big');
    expect({ max: seen['max.message.bytes'], policy: seen['cleanup.policy'] }).toEqual({ max: '1000', policy: 'compact,delete' });

    const big = await produceSized('fx-big', 2000);
    expect(big.exitCode).not.toBe(0);
    expect(big.stderr).toContain('Message size too large');
    expect((await produceSized('fx-big', 500)).exitCode).toBe(0);

    // Removing the override lifts the limit again (the broker default, 1048588).
    expect((await kt('configs', '--alter', '--topic', 'fx-big', '--delete-config', 'max.message.bytes')).exitCode).toBe(0);
    expect((await pythonDescribe('TOPIC', 'fx-big'))['max.message.bytes']).toBe('1048588');
    expect((await produceSized('fx-big', 2000)).exitCode).toBe(0);
  });

  it('retention.ms with a small segment.ms deletes old segments', async () => {
    expect((await kt('topics', 'create', 'fx-ret')).exitCode).toBe(0);
    expect((await kt('configs', '--alter', '--topic', 'fx-ret', '--add-config', 'segment.ms=100,retention.ms=1000')).exitCode).toBe(0);
    expect(await pythonDescribe('TOPIC', 'fx-ret')).toMatchObject({ 'segment.ms': '100', 'retention.ms': '1000' });
    const { earliest: low } = await produceUntilTrimmed('fx-ret');
    expect(low).toBeGreaterThan(0);
  });

  it("refuses bad names and values with Kafka's messages, and changes nothing", async () => {
    expect((await kt('topics', 'create', 'fx-bad')).exitCode).toBe(0);
    expect((await kt('configs', '--alter', '--topic', 'fx-bad', '--add-config', 'retention.ms=5000')).exitCode).toBe(0);
    const cases: [string[], string][] = [
      [['--add-config', 'no.such.config=1'], 'Unknown topic config name: no.such.config (INVALID_CONFIG)'],
      [['--add-config', 'retention.ms=abc'], 'Invalid value abc for configuration retention.ms: Not a number of type LONG (INVALID_CONFIG)'],
      [['--add-config', 'cleanup.policy=shred'], 'Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete (INVALID_CONFIG)'],
      [['--add-config', 'segment.bytes=10'], 'Invalid value 10 for configuration segment.bytes: Value must be at least 14 (INVALID_CONFIG)'],
      [['--delete-config', 'segment.ms'], 'Invalid config(s): segment.ms'],
    ];
    for (const [args, message] of cases) {
      const r = await kt('configs', '--alter', '--topic', 'fx-bad', ...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: error: ${message}\n`, exitCode: 1 } });
    }
    expect(await kt('configs', '--describe', '--topic', 'fx-bad')).toEqual({
      stdout: 'Dynamic configs for topic fx-bad are:\n  retention.ms=5000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=5000}\n',
      stderr: '',
      exitCode: 0,
    });
  });
});

describe('dynamic broker configs', () => {
  it('the cluster-wide default applies to topics without an override at once, and survives a restart', async () => {
    expect((await kt('topics', 'create', 'fx-dyn')).exitCode).toBe(0);
    expect((await kt('configs', '--alter', '--topic', 'fx-dyn', '--add-config', 'segment.ms=100')).exitCode).toBe(0);
    expect(await kt('configs', '--alter', '--entity-type', 'brokers', '--entity-default', '--add-config', 'log.retention.ms=1000,message.max.bytes=1500')).toEqual({
      stdout: 'Completed updating default config for brokers in the cluster.\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await kt('configs', '--alter', '--broker', '1', '--add-config', 'log.cleaner.threads=2')).toEqual({
      stdout: 'Completed updating config for broker 1.\n',
      stderr: 'WARN log.cleaner.threads has no effect on this kafka-ts broker: the daemon is one Node.js process serving every logical broker from one event loop; it has no thread pools to size\n',
      exitCode: 0,
    });
    // The topic inherits them: kafka-python sees the values, kcat's 2000-byte record is refused, old segments go.
    expect(await pythonDescribe('TOPIC', 'fx-dyn')).toMatchObject({ 'retention.ms': '1000', 'max.message.bytes': '1500' });
    const big = await produceSized('fx-dyn', 2000);
    expect(big.exitCode).not.toBe(0);
    expect(big.stderr).toContain('Message size too large');
    expect((await produceUntilTrimmed('fx-dyn')).earliest).toBeGreaterThan(0);

    const describeBrokers = async () => (await kt('configs', '--describe', '--entity-type', 'brokers')).stdout;
    const expected = [
      'Dynamic configs for broker 1 are:',
      '  log.cleaner.threads=2 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.cleaner.threads=2, DEFAULT_CONFIG:log.cleaner.threads=1}',
      'Default configs for brokers in the cluster are:',
      '  log.retention.ms=1000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=1000}',
      '  message.max.bytes=1500 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:message.max.bytes=1500}',
      '',
    ].join('\n');
    expect(await describeBrokers()).toBe(expected);

    await stopDaemon(home);
    await start();
    expect(await describeBrokers()).toBe(expected);
    expect(await pythonDescribe('BROKER', '1')).toMatchObject({ 'log.cleaner.threads': '2', 'message.max.bytes': '1500', 'log.retention.ms': '1000' });
    expect((await produceSized('fx-dyn', 2000)).stderr).toContain('Message size too large');

    // Deleting them restores Kafka's defaults.
    expect((await kt('configs', '--alter', '--broker-defaults', '--delete-config', 'log.retention.ms,message.max.bytes')).exitCode).toBe(0);
    expect(await pythonDescribe('TOPIC', 'fx-dyn')).toMatchObject({ 'retention.ms': '604800000', 'max.message.bytes': '1048588' });
  });

  it("refuses a static config, a bad value and a config not set, with Kafka's messages, changing nothing", async () => {
    const cases: [string[], string, number][] = [
      [['--broker', '1', '--add-config', 'num.partitions=3'], 'Cannot update these configs dynamically: Set(num.partitions) (INVALID_REQUEST)', 1],
      [['--broker-defaults', '--add-config', 'log.dirs=/tmp/x,message.max.bytes=10'], 'Cannot update these configs dynamically: Set(log.dirs) (INVALID_REQUEST)', 1],
      [['--broker', '1', '--add-config', 'message.max.bytes=big'], 'Invalid value big for configuration message.max.bytes: Not a number of type INT (INVALID_REQUEST)', 1],
      [['--broker', '1', '--add-config', 'num.io.threads=0'], 'Invalid value 0 for configuration num.io.threads: Value must be at least 1 (INVALID_REQUEST)', 1],
      [['--broker', '1', '--delete-config', 'num.io.threads'], 'Invalid config(s): num.io.threads', 1],
      [['--broker', '9', '--add-config', 'num.io.threads=4'], 'Broker 9 is not in the cluster (brokers: 1)', 4],
    ];
    const before = await kt('configs', '--describe', '--entity-type', 'brokers', '-o', 'json');
    for (const [args, message, exitCode] of cases) {
      const r = await kt('configs', '--alter', ...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: error: ${message}\n`, exitCode } });
    }
    expect(await kt('configs', '--describe', '--entity-type', 'brokers', '-o', 'json')).toEqual(before);
  });

  it("log.cleaner.threads: refused below 1, beyond double or below half the broker's current value, as Kafka's LogCleaner refuses it", async () => {
    // From broker 1's own 2 back to the default 1: half of 2 is allowed.
    expect((await kt('configs', '--alter', '--broker', '1', '--delete-config', 'log.cleaner.threads')).exitCode).toBe(0);
    const refused = (why: string) => ({ stdout: '', stderr: `kafka-ts configs: error: Invalid dynamic configuration: ${why} (INVALID_REQUEST)\n`, exitCode: 1 });
    const before = await kt('configs', '--describe', '--entity-type', 'brokers', '-o', 'json');
    expect(await kt('configs', '--alter', '--broker-defaults', '--add-config', 'log.cleaner.threads=0')).toEqual(refused('Log cleaner threads should be at least 1'));
    expect(await kt('configs', '--alter', '--broker', '1', '--add-config', 'log.cleaner.threads=0')).toEqual(refused('Log cleaner threads should be at least 1'));
    expect(await kt('configs', '--alter', '--broker-defaults', '--add-config', 'log.cleaner.threads=3')).toEqual(refused('Log cleaner threads cannot be increased to more than double the current value 1'));
    expect(await kt('configs', '--describe', '--entity-type', 'brokers', '-o', 'json')).toEqual(before);
    // Doubling is allowed; from 2, 5 is too many and (once at 4) 1 too few.
    expect(await kt('configs', '--alter', '--broker-defaults', '--add-config', 'log.cleaner.threads=2')).toMatchObject({ stdout: 'Completed updating default config for brokers in the cluster.\n', exitCode: 0 });
    expect(await kt('configs', '--alter', '--broker', '1', '--add-config', 'log.cleaner.threads=5')).toEqual(refused('Log cleaner threads cannot be increased to more than double the current value 2'));
    expect((await kt('configs', '--alter', '--broker', '1', '--add-config', 'log.cleaner.threads=4')).exitCode).toBe(0);
    expect(await kt('configs', '--alter', '--broker', '1', '--add-config', 'log.cleaner.threads=1')).toEqual(refused('Log cleaner threads cannot be reduced to less than half the current value 4'));
    expect(await kt('configs', '--alter', '--broker', '1', '--delete-config', 'log.cleaner.threads')).toMatchObject({ exitCode: 0 });
    expect(await kt('configs', '--alter', '--broker-defaults', '--delete-config', 'log.cleaner.threads')).toMatchObject({ exitCode: 0 });
  });
});
