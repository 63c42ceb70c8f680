/**
 * kafka-ts configs --entity-type users end to end: SCRAM credentials added, described and
 * deleted on the daemon (Describe/AlterUserScramCredentials), Kafka's messages and layouts, exit
 * codes, JSON; usage errors are found before any connection and never echo a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
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
      [['configs', '--alter', '--entity-type', 'users', '--add-config', 'SCRAM-SHA-256=[password=hunter2]'], 'An entity name must be specified for every entity type'],
      [['configs', '--alter', '--user', 'alice'], 'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter'],
      [['configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=1024,password=hunter2]'], 'Iterations 1024 is less than the minimum 4096 required for SCRAM-SHA-256'],
      [['configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[secret=hunter2]'], 'Invalid credential property SCRAM-SHA-256: expected SCRAM-SHA-256=[iterations=N,password=PASSWORD] (iterations optional, before password)'],
      [['configs', '--alter', '--entity-type', 'users', '--entity-default', '--add-config', 'SCRAM-SHA-256=[password=hunter2]'], 'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.'],
      [['configs', '--alter', '--client', 'c1', '--add-config', 'foo=1'], "Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: foo"],
      [['configs', '--alter', '--entity-type', 'topics', '--add-config', 'retention.ms=1'], 'An entity name must be specified with --alter of topics'],
      [['configs', '--describe', '--broker', 'one'], 'The entity name for brokers must be a valid integer broker id, but it is: one'],
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
    expect(d.stdout.split('\n')).toEqual([
      'Dynamic configs for topic cfg-orders are:',
      expect.stringMatching(/^ {2}cleanup\.policy=compact,delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup\.policy=compact,delete, [A-Z_]+:log\.cleanup\.policy=delete\}$/),
      expect.stringMatching(/^ {2}retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=86400000, [A-Z_]+:log\.retention\.ms=\d+\}$/),
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
    const unknown = await kt('configs', '--alter', '--topic', 'cfg-orders', '--add-config', 'no.such.config=1');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no.such.config');
  });

  it('describes every broker and the cluster default; --all lists every config', async () => {
    expect(await kt('configs', '--describe', '--entity-type', 'brokers')).toMatchObject({ stdout: 'Dynamic configs for broker 1 are:\nDefault configs for brokers in the cluster are:\n', exitCode: 0 });
    const all = await kt('configs', '--describe', '--broker', '1', '--all');
    expect(all.stdout).toMatch(/^All configs for broker 1 are:\n/);
    expect(all.stdout).toMatch(/\n {2}broker\.id=1 sensitive=false synonyms=\{/);
  });
});

