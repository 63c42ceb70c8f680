/**
 * Issue 19, the daemon side, end to end with the built binary: `configs --list-configs`, the
 * generated docs/config pages being current, the daemon refusing a bad server.properties or
 * --override with one line and exit 2 (nothing started), an unknown key warned about in the
 * daemon log, and `topics --create --config` / `configs --alter` refusing bad values with Kafka's
 * InvalidConfigurationException texts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { catalogueMarkdown, SURFACES } from '../../src/tools/config-listing.js';

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const ROOT = join(import.meta.dirname, '..', '..');

let home: string;
let cleanup: () => void;
beforeAll(() => ({ dir: home, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('configs --list-configs', () => {
  it('lists each surface in text and JSON, without a broker', async () => {
    const broker = await kafkaTs(['configs', '--list-configs', 'broker'], { home });
    expect(broker.exitCode, show(broker)).toBe(0);
    const lines = broker.stdout.trim().split('\n');
    expect(lines.find((l) => l.startsWith('num.io.threads '))).toMatch(/^num\.io\.threads +int {2}default=8 {2}no effect: the daemon is one Node\.js process/);
    expect(lines.find((l) => l.startsWith('log.retention.ms '))).toMatch(/long {2}default=null {2}supported$/);
    for (const surface of SURFACES) {
      const r = await kafkaTs(['configs', '--list-configs', surface, '--output', 'json'], { home });
      expect(r.exitCode, show(r)).toBe(0);
      const data = JSON.parse(r.stdout) as { surface: string; configs: { name: string; support: string; note: string | null }[] };
      expect(data.surface).toBe(surface);
      expect(data.configs.length, surface).toBeGreaterThan(20);
      for (const c of data.configs) if (c.support !== 'supported') expect(c.note, `${surface} ${c.name}`).toBeTruthy();
    }
    const topic = JSON.parse((await kafkaTs(['configs', '--list-configs', 'topic', '-o', 'json'], { home })).stdout) as { configs: { name: string; support: string }[] };
    expect(topic.configs.find((c) => c.name === 'preallocate')?.support).toBe('no-effect');
    expect(topic.configs.find((c) => c.name === 'compression.type')?.support).toBe('supported');
  });

  it('refuses another surface with exit 2, and is in --help', async () => {
    const r = await kafkaTs(['configs', '--list-configs', 'streams'], { home });
    expect(r).toEqual({ stdout: '', stderr: "kafka-ts configs: usage error: --list-configs takes one of producer, consumer, admin, broker, topic, not 'streams'\n", exitCode: 2 });
    expect((await kafkaTs(['configs', '--help'], { home })).stdout).toContain('--list-configs <surface>');
  });

  it('docs/config/SURFACE.md are current (npm run gen:config-docs)', () => {
    for (const surface of SURFACES) {
      const file = join(ROOT, 'docs', 'config', `${surface}.md`);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8'), `${file} is not current: run npm run gen:config-docs`).toBe(catalogueMarkdown(surface));
    }
  });
});

describe('the daemon refuses bad settings before it starts', () => {
  const cases: [string, string, string][] = [
    ['int', 'num.partitions=many', 'Invalid value many for configuration num.partitions: Not a number of type INT'],
    ['long', 'log.retention.bytes=1.5', 'Invalid value 1.5 for configuration log.retention.bytes: Not a number of type LONG'],
    ['double', 'log.cleaner.min.cleanable.ratio=half', 'Invalid value half for configuration log.cleaner.min.cleanable.ratio: Not a number of type DOUBLE'],
    ['boolean', 'delete.topic.enable=yes', 'Invalid value yes for configuration delete.topic.enable: Expected value to be either true or false'],
    ['list', 'log.cleanup.policy=delete,shred', 'Invalid value shred for configuration log.cleanup.policy: String must be one of: compact, delete'],
    ['class', 'create.topic.policy.class.name=com.example.Policy', 'Invalid value com.example.Policy for configuration create.topic.policy.class.name: topic policies are Java classes; kafka-ts cannot load them'],
    ['enum', 'log.message.timestamp.type=Now', 'Invalid value Now for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
    ['duration', 'log.roll.ms=1h', 'Invalid value 1h for configuration log.roll.ms: Not a number of type LONG'],
    ['out of range', 'num.io.threads=0', 'Invalid value 0 for configuration num.io.threads: Value must be at least 1'],
  ];

  it.each(cases)('%s: server start --override exits 2 with one line, and starts nothing', async (_type, override, message) => {
    const dir = join(home, `o-${_type.replace(/ /g, '-')}`);
    const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', dir, '--override', override], { home: dir });
    expect(r, show(r)).toEqual({ stdout: '', stderr: `kafka-ts server: usage error: ${message}\n`, exitCode: 2 });
    expect(existsSync(join(dir, 'server.log'))).toBe(false);
  });

  it('the same from a server.properties file, in server-start -daemon and in the foreground', async () => {
    const file = join(home, 'bad.properties');
    writeFileSync(file, 'listeners=PLAINTEXT://127.0.0.1:0\nnum.io.threads=0\n');
    for (const args of [['server-start', '-daemon', file], ['server-start', file], ['server', 'start', '--config', file]]) {
      const dir = join(home, `f-${args.length}-${args[1]}`.replace(/[^\w-]/g, ''));
      const r = await kafkaTs([...args, '--data-dir', dir], { home: dir });
      expect(r.exitCode, show(r)).toBe(2);
      expect(r.stderr.trim().split('\n'), show(r)).toEqual([`kafka-ts ${args[0]}: usage error: Invalid value 0 for configuration num.io.threads: Value must be at least 1`]);
    }
  });

  it("a binary server.properties in the data directory is refused too, before the daemon starts", async () => {
    const dir = join(home, 'own-bin');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'server.properties'), Buffer.from([0x00, 0x01, 0x02, 0xff]));
    const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', dir], { home: dir });
    expect(r.exitCode, show(r)).toBe(2);
    expect(r.stderr, show(r)).toMatch(/^kafka-ts server: usage error: Properties file .*server\.properties is not text/);
  });

  it('a binary server.properties is refused as not text (exit 2)', async () => {
    const file = join(home, 'random.properties');
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0xff, 0xfe, 0x00, 0x01]));
    const r = await kafkaTs(['server', 'start', '--port', '0', '--config', file, '--data-dir', join(home, 'bin')], { home: join(home, 'bin') });
    expect(r.exitCode, show(r)).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('is not text');
  });
});

describe('a running daemon', () => {
  let dhome: string;
  const kt = (...args: string[]) => kafkaTs(args, { home: dhome });
  beforeAll(async () => {
    dhome = join(home, 'daemon');
    await startDaemon(dhome, ['--override', 'no.such.setting=1', '--override', 'num.network.threads=8']);
  });
  afterAll(() => stopDaemon(dhome));

  it('warns about an unknown key in its log, once, and not about a no-effect key', () => {
    const log = readFileSync(join(dhome, 'server.log'), 'utf8');
    expect(log.split('\n').filter((l) => l.includes('was supplied but'))).toEqual([expect.stringMatching(/WARN .*The configuration 'no\.such\.setting' was supplied but isn't a known config\. \(kafka\.Kafka\)$/)]);
    expect(log).not.toContain('num.network.threads');
  });

  it("topics --create --config refuses bad values with Kafka's texts, creating nothing", async () => {
    const cases: [string, string][] = [
      ['retention.ms=abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
      ['min.cleanable.dirty.ratio=2', 'Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
      ['preallocate=maybe', 'Invalid value maybe for configuration preallocate: Expected value to be either true or false'],
      ['message.timestamp.type=Now', 'Invalid value Now for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
      ['remote.storage.enable=true', 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'],
    ];
    for (const [config, message] of cases) {
      const r = await kt('topics', '--create', '--topic', 'cat-bad', '--config', config);
      // kafka-topics.sh prints its errors on stdout.
      expect(r, show(r)).toEqual({ stdout: `Error while executing topic command : ${message}\n`, stderr: '', exitCode: 1 });
    }
    expect((await kt('topics', '--list')).stdout).not.toContain('cat-bad');
  });

  it("configs --alter refuses bad topic and broker values with Kafka's texts, changing nothing", async () => {
    expect((await kt('topics', '--create', '--topic', 'cat-t')).exitCode).toBe(0);
    const cases: [string[], string][] = [
      [['--topic', 'cat-t', '--add-config', 'compression.lz4.level=99'], 'Invalid value 99 for configuration compression.lz4.level: Value must be no more than 17 (INVALID_CONFIG)'],
      [['--topic', 'cat-t', '--add-config', 'remote.storage.enable=true'], 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage. (INVALID_CONFIG)'],
      [['--broker', '1', '--add-config', 'log.cleaner.min.cleanable.ratio=3'], 'Invalid value 3 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1 (INVALID_REQUEST)'],
      [['--broker-defaults', '--add-config', 'log.retention.ms=soon'], 'Invalid value soon for configuration log.retention.ms: Not a number of type LONG (INVALID_REQUEST)'],
    ];
    const before = [await kt('configs', '--describe', '--topic', 'cat-t'), await kt('configs', '--describe', '--entity-type', 'brokers')];
    for (const [args, message] of cases) {
      const r = await kt('configs', '--alter', ...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: error: ${message}\n`, exitCode: 1 } });
    }
    expect([await kt('configs', '--describe', '--topic', 'cat-t'), await kt('configs', '--describe', '--entity-type', 'brokers')]).toEqual(before);
  });
});
