/**
 * kafka-ts configs --entity-type users end to end: SCRAM credentials added, described and
 * deleted on the daemon (Describe/AlterUserScramCredentials), Kafka's messages and layouts, exit
 * codes, JSON; usage errors are found before any connection and never echo a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });
const users = (...args: string[]) => kt('configs', '--entity-type', 'users', ...args);

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-configs-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('configs usage errors (before connecting; exit 2)', () => {
  it("gives Kafka's messages and never echoes a password", async () => {
    const cases: [string[], string][] = [
      [['configs', '--entity-type', 'users'], 'Command must include exactly one action: --describe, --alter'],
      [['configs', '--describe'], 'At least one entity type must be specified'],
      [['configs', '--alter', '--entity-type', 'users', '--add-config', 'SCRAM-SHA-256=[password=hunter2]'], 'An entity-name or default entity must be specified with --alter of users, clients, brokers or ips'],
      [['configs', '--alter', '--user', 'alice'], 'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter'],
      [['configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=1024,password=hunter2]'], 'Iterations 1024 is less than the minimum 4096 required for SCRAM-SHA-256'],
      [['configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[secret=hunter2]'], 'Invalid credential property SCRAM-SHA-256: expected SCRAM-SHA-256=[iterations=N,password=PASSWORD] (iterations optional, before password)'],
      [['configs', '--alter', '--entity-type', 'users', '--entity-default', '--add-config', 'SCRAM-SHA-256=[password=hunter2]'], 'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.'],
      // No --entity-default was given: the message says what was.
      [['configs', '--alter', '--entity-type', 'users', '--entity-name', '', '--add-config', 'SCRAM-SHA-256=[password=hunter2]'], 'The user name given with --entity-name is empty: SCRAM credentials belong to a named user (--entity-name alice)'],
      [['configs', '--describe', '--entity-type', 'topic'], 'Invalid entity type topic, the entity type must be one of topics, clients, users, brokers, ips, broker-loggers, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument'],
      [['configs', '--describe', '--entity-type', 'topics', '--entity-type', 'topics'], 'Duplicate entity type(s) specified: topics'],
      [['configs', '--describe', '--entity-type', 'topics', '--entity-type', 'brokers'], "Only 'users' and 'clients' entity types may be specified together"],
      [['configs', '--describe', '--entity-name', 'y', '--topic', 'x'], '--entity-{type,name,default} should not be used in conjunction with specific entity flags'],
      [['configs', '--describe', '--topic', 'x', '--add-config', 'a=b'], 'Option "[describe]" can\'t be used with option "[add-config]"'],
      [['configs', '--describe', '--entity-type', 'topics', '--entity-default'], '--entity-default must not be specified with --describe of topics'],
      [['configs', '--describe', '--entity-type', 'broker-loggers'], 'An entity name must be specified with --describe of broker-loggers'],
      [['configs', '--describe', '--broker-logger', 'x'], 'The entity name for broker-loggers must be a valid integer broker id, but it is: x'],
      [['configs', '--alter', '--group', 'g', '--add-config', 'a=b', '--add-config-file', '/nonexistent'], 'Only one of --add-config or --add-config-file must be specified'],
      [['configs', '--alter', '--topic', 'x', '--add-config', 'a'], 'Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas.'],
      [['configs', '--alter', '--topic', 'x', '--add-config', 'a b=1'], 'Invalid character found for config key: a b'],
      [['configs', '--alter', '--topic', 'x', '--add-config', 'a=1=2'], 'Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas.'],
      [['configs', '--describe', '--topic', 'x', '--bootstrap-server', 'localhost:1', '--bootstrap-controller', 'localhost:2'], 'Only one of --bootstrap-server or --bootstrap-controller can be specified'],
      [['configs', 'show', '--topic', 'x'], "unknown action 'show' (expected describe, alter)"],
      [['configs', 'describe', '--alter', '--topic', 'x'], "the verb 'describe' and the option --alter cannot be combined: name the action once, as a verb or as an option"],
      [['configs', '--describe', '--alter', '--topic', 'x'], 'Command must include exactly one action: --describe, --alter'],
      [['configs', '--describe', '--topic', 'x', '--bootstrap-controller', 'localhost:9093'], '--bootstrap-controller is not supported: kafka-ts configs talks to brokers (the local daemon has no separate controller listener); use --bootstrap-server'],
      [['configs', '--alter', '--client', 'c1', '--add-config', 'foo=1'], "Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: foo"],
      [['configs', '--alter', '--ip', 'not-an-ip', '--add-config', 'connection_creation_rate=1'], 'The entity name for ips must be a valid IP or resolvable host, but it is: not-an-ip'],
      [['configs', '--describe', '--entity-type', 'ips', '--entity-name', '1.2.3.4', '--all'], '--all can only be used with --describe of topics, brokers, broker-loggers, client-metrics and groups'],
      [['configs', '--alter', '--entity-type', 'users', '--entity-name', 'u', '--entity-type', 'clients', '--add-config', 'producer_byte_rate=1'], 'An entity name must be specified for every entity type'],
      [['configs', 'alter', '--client', 'c1', '--add-config', 'producer_byte_rate=1MB'], 'Cannot parse quota configuration value for producer_byte_rate: 1MB'],
      [['configs', '--alter', '--entity-type', 'topics', '--add-config', 'retention.ms=1'], 'An entity name must be specified with --alter of topics'],
      [['configs', '--describe', '--broker', 'one'], 'The entity name for brokers must be a valid integer broker id, but it is: one'],
      // Kafka keeps the last of two values silently, and its broker refuses a key both set and deleted.
      [['configs', '--alter', '--topic', 'x', '--add-config', 'retention.ms=1,retention.ms=2'], 'Invalid entity config: retention.ms is given more than once'],
      [['configs', '--alter', '--topic', 'x', '--add-config', 'retention.ms=1', '--delete-config', 'segment.ms,retention.ms'], 'Invalid entity config: retention.ms is both added (--add-config) and deleted (--delete-config)'],
    ];
    for (const [args, message] of cases) {
      const r = await kt(...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: usage error: ${message}\n`, exitCode: 2 } });
    }
  });
});

describe('configs --entity-type users against the daemon', () => {
  it('adds credentials, describes them in Kafka\'s layout, and deletes one', async () => {
    const add = await users('--alter', '--entity-name', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]', '--bootstrap-server', bootstrap);
    expect(add).toEqual({ stdout: 'Completed updating config for user alice.\n', stderr: '', exitCode: 0 });
    const file = join(home, 'bob.properties');
    writeFileSync(file, 'SCRAM-SHA-512=[iterations=4096,password=bob-secret]\n', { mode: 0o600 });
    expect(await kt('configs', '--alter', '--user', 'bob', '--add-config-file', file)).toMatchObject({ stdout: 'Completed updating config for user bob.\n', exitCode: 0 });

    expect(await users('--describe', '--entity-name', 'alice')).toEqual({
      stdout: "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
      stderr: '',
      exitCode: 0,
    });
    const all = await users('--describe');
    expect(all.stdout).toBe(
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n" +
        "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=4096\n",
    );
    const json = await users('--describe', '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual({
      quotas: [],
      users: [
        { user: 'alice', scramCredentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
        { user: 'bob', scramCredentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }] },
      ],
    });

    const del = await users('--alter', '--entity-name', 'alice', '--delete-config', 'SCRAM-SHA-512', '-o', 'json');
    expect(JSON.parse(del.stdout)).toEqual({ entityType: 'users', entityName: 'alice', upserted: [], deleted: ['SCRAM-SHA-512'] });
    expect((await users('--describe', '--entity-name', 'alice')).stdout).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n");

    // Deleting what is not there: exit 4, said plainly. A user without credentials describes as nothing.
    expect(await users('--alter', '--entity-name', 'alice', '--delete-config', 'SCRAM-SHA-512')).toEqual({
      stdout: '',
      stderr: 'kafka-ts configs: error: User alice has no SCRAM-SHA-512 credential to delete\n',
      exitCode: 4,
    });
    expect(await users('--describe', '--entity-name', 'carol')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    for (const r of [add, all, json, del]) expect(r.stdout + r.stderr).not.toMatch(/alice-secret|bob-secret/);
  });
});

describe('configs for topics and brokers against the daemon', () => {
  it("sets and deletes topic configs incrementally and describes them in Kafka's layout", async () => {
    expect((await kt('topics', 'create', 'cfg-orders')).exitCode).toBe(0);
    expect(await kt('configs', '--describe', '--topic', 'cfg-orders')).toEqual({ stdout: 'Dynamic configs for topic cfg-orders are:\n', stderr: '', exitCode: 0 });
    expect(await kt('configs', '--alter', '--topic', 'cfg-orders', '--add-config', 'retention.ms=86400000,cleanup.policy=[compact,delete]')).toEqual({
      stdout: 'Completed updating config for topic cfg-orders.\n',
      stderr: '',
      exitCode: 0,
    });
    const d = await kt('configs', '--describe', '--entity-type', 'topics', '--entity-name', 'cfg-orders');
    // Verb style is the same command.
    expect(await kt('configs', 'describe', '--entity-type', 'topics', '--entity-name', 'cfg-orders')).toEqual(d);
    expect(await kt('configs', 'alter', '--topic', 'cfg-orders', '--add-config', 'retention.ms=86400000')).toEqual({ stdout: 'Completed updating config for topic cfg-orders.\n', stderr: '', exitCode: 0 });
    expect(d.stdout.split('\n')).toEqual([
      'Dynamic configs for topic cfg-orders are:',
      expect.stringMatching(/^ {2}cleanup\.policy=compact,delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup\.policy=compact,delete, [A-Z_]+:log\.cleanup\.policy=delete\}$/),
      // As Kafka: log.retention.ms has no default (log.retention.hours has), so no broker synonym follows.
      '  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000}',
      '',
    ]);
    // Deleting a config that is not set dynamically is Kafka's "Invalid config(s)", and changes nothing.
    expect(await kt('configs', '--alter', '--topic', 'cfg-orders', '--delete-config', 'retention.ms,segment.bytes')).toEqual({
      stdout: '',
      stderr: 'kafka-ts configs: error: Invalid config(s): segment.bytes\n',
      exitCode: 1,
    });
    expect((await kt('configs', '--alter', '--topic', 'cfg-orders', '--delete-config', 'retention.ms')).exitCode).toBe(0);
    const json = JSON.parse((await kt('configs', '--describe', '--topic', 'cfg-orders', '-o', 'json')).stdout);
    expect(json.entities.map((e: { name: string; configs: { name: string }[] }) => [e.name, e.configs.map((c) => c.name)])).toEqual([['cfg-orders', ['cleanup.policy']]]);
    expect(await kt('configs', '--describe', '--topic', 'cfg-nope')).toEqual({
      stdout: "The topic 'cfg-nope' doesn't exist and doesn't have dynamic config.\n",
      stderr: '',
      exitCode: 4,
    });
    // An invalid name is not "doesn't exist": Kafka's tool checks the name first (Topic.validate).
    expect(await kt('configs', '--describe', '--topic', 'bad name!')).toEqual({
      stdout: '',
      stderr: "kafka-ts configs: error: Topic name is invalid: 'bad name!' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'\n",
      exitCode: 1,
    });
    const unknown = await kt('configs', '--alter', '--topic', 'cfg-orders', '--add-config', 'no.such.config=1');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no.such.config');
  });

  it("--add-config takes a trailing comma as Kafka's parser does (Java's split drops trailing empty entries); one in the middle stays an error", async () => {
    expect((await kt('topics', 'create', 'cfg-comma')).exitCode).toBe(0);
    expect(await kt('configs', '--alter', '--topic', 'cfg-comma', '--add-config', 'retention.ms=6000,')).toEqual({ stdout: 'Completed updating config for topic cfg-comma.\n', stderr: '', exitCode: 0 });
    expect(await kt('configs', '--alter', '--topic', 'cfg-comma', '--add-config', 'retention.ms=7000,segment.ms=3600000,,')).toMatchObject({ stderr: '', exitCode: 0 });
    const d = await kt('configs', '--describe', '--topic', 'cfg-comma');
    expect(d.stdout).toContain('retention.ms=7000');
    expect(d.stdout).toContain('segment.ms=3600000');
    const middle = await kt('configs', '--alter', '--topic', 'cfg-comma', '--add-config', 'retention.ms=6000,,segment.ms=1');
    expect(middle).toMatchObject({ stdout: '', exitCode: 2 });
    expect(middle.stderr).toContain('Invalid entity config: all configs to be added must be in the format "key=val"');
    expect(await kt('configs', '--alter', '--topic', 'cfg-comma', '--delete-config', 'segment.ms,')).toMatchObject({ stderr: '', exitCode: 0 });
  });

  it('takes --add-config-file for topics, and answers --alter and errors in JSON', async () => {
    expect((await kt('topics', 'create', 'cfg-file')).exitCode).toBe(0);
    const file = join(home, 'topic.properties');
    writeFileSync(file, '# retention and policy\nretention.ms = 3600000\ncleanup.policy=[compact,delete]\n');
    const alter = await kt('configs', '--alter', '--topic', 'cfg-file', '--add-config-file', file, '-o', 'json');
    expect({ ...alter, stdout: JSON.parse(alter.stdout) }).toEqual({
      stdout: { entityType: 'topics', entityName: 'cfg-file', set: ['retention.ms', 'cleanup.policy'], deleted: [] },
      stderr: '',
      exitCode: 0,
    });
    const json = JSON.parse((await kt('configs', '--describe', '--topic', 'cfg-file', '-o', 'json')).stdout);
    expect(json).toEqual({
      entityType: 'topics',
      entities: [
        {
          name: 'cfg-file',
          default: false,
          configs: [
            {
              name: 'cleanup.policy',
              value: 'compact,delete',
              sensitive: false,
              source: 'DYNAMIC_TOPIC_CONFIG',
              synonyms: [
                { name: 'cleanup.policy', value: 'compact,delete', source: 'DYNAMIC_TOPIC_CONFIG' },
                { name: 'log.cleanup.policy', value: 'delete', source: 'DEFAULT_CONFIG' },
              ],
            },
            {
              name: 'retention.ms',
              value: '3600000',
              sensitive: false,
              source: 'DYNAMIC_TOPIC_CONFIG',
              synonyms: [
                { name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG' },
              ],
            },
          ],
        },
      ],
    });
    const bad = await kt('configs', '--alter', '--topic', 'cfg-file', '--add-config', 'retention.ms=soon', '-o', 'json');
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ error: { code: 1, kind: 'failed', message: 'Invalid value soon for configuration retention.ms: Not a number of type LONG (INVALID_CONFIG)' } });
    expect(bad.stderr).toBe('kafka-ts configs: error: Invalid value soon for configuration retention.ms: Not a number of type LONG (INVALID_CONFIG)\n');
    // Kafka checks the overrides together (LogConfig.validateValues): a min compaction lag above the max is refused.
    const conflict = 'conflict topic config setting min.compaction.lag.ms (600000) > max.compaction.lag.ms (60000) (INVALID_CONFIG)';
    expect((await kt('configs', '--alter', '--topic', 'cfg-file', '--add-config', 'min.compaction.lag.ms=600000')).exitCode).toBe(0);
    const lag = await kt('configs', '--alter', '--topic', 'cfg-file', '--add-config', 'max.compaction.lag.ms=60000');
    expect({ exitCode: lag.exitCode, stderr: lag.stderr }).toEqual({ exitCode: 1, stderr: `kafka-ts configs: error: ${conflict}\n` });
    const created = await kt('topics', '--create', '--topic', 'cfg-lag', '--config', 'min.compaction.lag.ms=600000', '--config', 'max.compaction.lag.ms=60000');
    // (topics prints Kafka's TopicCommand line.)
    expect({ exitCode: created.exitCode, stdout: created.stdout }).toEqual({ exitCode: 1, stdout: `Error while executing topic command : ${conflict.replace(' (INVALID_CONFIG)', '')}\n` });
    // A topic that does not exist is "not found" (exit 4) for --alter as for --describe.
    const missing = await kt('configs', '--alter', '--topic', 'no-such-topic', '--add-config', 'retention.ms=1', '-o', 'json');
    expect({ ...missing, stdout: JSON.parse(missing.stdout) }).toEqual({
      stdout: { error: { code: 4, kind: 'not_found', message: "Topic 'no-such-topic' does not exist" } },
      stderr: "kafka-ts configs: error: Topic 'no-such-topic' does not exist\n",
      exitCode: 4,
    });
  });

  it('describes every broker and the cluster default; --all lists every config', async () => {
    expect(await kt('configs', '--describe', '--entity-type', 'brokers')).toMatchObject({ stdout: 'Dynamic configs for broker 1 are:\nDefault configs for brokers in the cluster are:\n', exitCode: 0 });
    const all = await kt('configs', '--describe', '--broker', '1', '--all');
    expect(all.stdout).toMatch(/^All configs for broker 1 are:\n/);
    expect(all.stdout).toMatch(/\n {2}broker\.id=1 sensitive=false synonyms=\{/);
  });

  it("broker loggers: the daemon's levels, described and changed at run time, with Kafka's checks", async () => {
    const d = await kt('configs', '--describe', '--broker-logger', '1');
    expect(d.exitCode, d.stderr).toBe(0);
    const lines = d.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Dynamic configs for broker-logger 1 are:');
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}[\w.$]+=(INFO|WARN|DEBUG|ERROR|TRACE|FATAL) sensitive=false synonyms=\{\}$/);
    expect(lines).toEqual(expect.arrayContaining(['  root=INFO sensitive=false synonyms={}', '  kafka=INFO sensitive=false synonyms={}', '  kafka.controller.KafkaController=INFO sensitive=false synonyms={}']));
    const json = JSON.parse((await kt('configs', '--describe', '--entity-type', 'broker-loggers', '--entity-name', '1', '-o', 'json')).stdout);
    expect(json.entities[0].configs.find((c: { name: string }) => c.name === 'root')).toEqual({ name: 'root', value: 'INFO', sensitive: false, source: 'DYNAMIC_BROKER_LOGGER_CONFIG', synonyms: [] });

    // WARN on the controller's logger: a topic's creation (an INFO line) is no longer logged; back to INFO, it is.
    const log = join(home, 'server.log');
    expect(await kt('configs', '--alter', '--broker-logger', '1', '--add-config', 'kafka.controller=WARN')).toEqual({ stdout: 'Completed updating config for broker-logger 1.\n', stderr: '', exitCode: 0 });
    expect((await kt('configs', '--describe', '--broker-logger', '1')).stdout).toContain('\n  kafka.controller.KafkaController=WARN sensitive=false synonyms={}\n');
    expect((await kt('topics', 'create', 'bl-quiet')).exitCode).toBe(0);
    expect((await kt('configs', '--alter', '--broker-logger', '1', '--delete-config', 'kafka.controller')).exitCode).toBe(0);
    expect((await kt('topics', 'create', 'bl-loud')).exitCode).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!readFileSync(log, 'utf8').includes('Created topic bl-loud') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const text = readFileSync(log, 'utf8');
    expect({ loud: text.includes('Created topic bl-loud'), quiet: text.includes('Created topic bl-quiet') }).toEqual({ loud: true, quiet: false });

    const cases: [string[], string, number][] = [
      [['--add-config', 'no.such.logger=DEBUG'], 'Invalid broker logger(s): no.such.logger', 1],
      [['--add-config', 'kafka=LOUD'], 'Cannot set the log level of kafka to LOUD as it is not a supported log level. Valid log levels are FATAL, ERROR, WARN, INFO, DEBUG, TRACE (INVALID_CONFIG)', 1],
      [['--delete-config', 'root'], 'Removing the log level of the root logger is not allowed (INVALID_REQUEST)', 1],
    ];
    for (const [args, message, exitCode] of cases) {
      const r = await kt('configs', '--alter', '--broker-logger', '1', ...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: error: ${message}\n`, exitCode } });
    }
    expect(await kt('configs', '--describe', '--broker-logger', '7')).toEqual({ stdout: "The broker-logger '7' doesn't exist and doesn't have dynamic config.\n", stderr: '', exitCode: 4 });
    expect((await kt('configs', '--describe', '--broker-logger', '1')).stdout).toContain('\n  root=INFO sensitive=false synonyms={}\n');
  });

  it('groups and client metrics reach the broker, which answers as a Kafka broker without them', async () => {
    const cases: [string[], string][] = [
      [['--describe', '--group', 'g1'], 'Unsupported resource type: GROUP (INVALID_REQUEST)'],
      [['--describe', '--client-metrics', 'm1'], 'Unsupported resource type: CLIENT_METRICS (INVALID_REQUEST)'],
      [['--alter', '--group', 'g1', '--add-config', 'consumer.session.timeout.ms=50000'], 'Unknown resource type 32 (INVALID_REQUEST)'],
    ];
    for (const [args, message] of cases) {
      const r = await kt('configs', ...args);
      expect({ args, r }).toEqual({ args, r: { stdout: '', stderr: `kafka-ts configs: error: ${message}\n`, exitCode: 1 } });
    }
    // No groups: --describe of every group lists none.
    expect(await kt('configs', '--describe', '--entity-type', 'groups')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });
});

