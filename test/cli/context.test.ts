/**
 * kafka-ts context end to end: contexts saved in a private store, used by --context,
 * KAFKA_TS_CONTEXT and `context use`, with ${env:…} references resolved and secrets masked.
 * The commands run in a home of their own (no daemon there), so only a context can lead them to
 * the daemon's TCP listener.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let daemonHome: string;
let home: string;
let bootstrap: string;
const cleanups: (() => void)[] = [];
const kt = (args: string[], env: Record<string, string> = {}): Promise<RunResult> => kafkaTs(args, { home, env });
const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-very-secret";';

beforeAll(async () => {
  const d = tempDir('kafka-ts-cli-ctx-daemon-');
  const c = tempDir('kafka-ts-cli-ctx-');
  cleanups.push(d.cleanup, c.cleanup);
  daemonHome = d.dir;
  home = c.dir;
  ({ bootstrap } = await startDaemon(daemonHome));
  const created = await kafkaTs(['topics', '--create', '--topic', 'ctx-orders', '--bootstrap-server', bootstrap], { home: daemonHome });
  expect(created.exitCode, created.stderr).toBe(0);
});
afterAll(async () => {
  await stopDaemon(daemonHome);
  await stopDaemon(home); // in case a failing test started one on demand
  cleanups.forEach((c) => c());
});

describe('kafka-ts context', () => {
  it('adds a context, stores it with mode 0600 and lists it', async () => {
    const add = await kt(['context', 'add', 'dev', '--bootstrap-server', bootstrap, '--property', 'security.protocol=${env:DEV_PROTOCOL}']);
    expect(add).toEqual({ stdout: `Added context dev (${bootstrap}).\n`, stderr: '', exitCode: 0 });
    expect(statSync(join(home, '.config', 'contexts.json')).mode & 0o777).toBe(0o600);
    const again = await kt(['context', 'add', 'dev', '--bootstrap-server', bootstrap]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe("kafka-ts context: usage error: Context 'dev' already exists (--force replaces it)\n");
    const list = await kt(['context', 'list']);
    expect(list).toEqual({ stdout: `CURRENT   NAME   BOOTSTRAP SERVERS\n          dev    ${bootstrap}\n`, stderr: '', exitCode: 0 });
  });

  it('--context reaches the cluster; its ${env:…} reference is resolved, or named when missing', async () => {
    const ok = await kt(['topics', '--list', '--context', 'dev'], { DEV_PROTOCOL: 'PLAINTEXT' });
    expect(ok.stdout.split('\n')).toContain('ctx-orders');
    expect(ok.exitCode).toBe(0);
    const missing = await kt(['topics', '--list', '--context', 'dev']);
    expect(missing).toEqual({ stdout: '', stderr: 'kafka-ts topics: usage error: ${env:DEV_PROTOCOL}: environment variable DEV_PROTOCOL is not set\n', exitCode: 2 });
  });

  it('KAFKA_TS_CONTEXT names a context; an unknown one is exit 4 listing the known ones', async () => {
    const ok = await kt(['topics', '--list'], { KAFKA_TS_CONTEXT: 'dev', DEV_PROTOCOL: 'PLAINTEXT' });
    expect(ok.stdout.split('\n')).toContain('ctx-orders');
    const unknown = await kt(['topics', '--list'], { KAFKA_TS_CONTEXT: 'prod' });
    expect(unknown).toEqual({ stdout: '', stderr: "kafka-ts topics: error: Context 'prod' does not exist (known: dev)\n", exitCode: 4 });
    const json = await kt(['topics', '--list', '--context', 'prod', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 4, kind: 'not_found', message: "Context 'prod' does not exist (known: dev)" } });
  });

  it('--bootstrap-server beats --context (whose properties still apply)', async () => {
    expect((await kt(['context', 'add', 'nowhere', '--bootstrap-server', '127.0.0.1:1', '--property', 'client.id=${env:NOWHERE_ID}'])).exitCode).toBe(0);
    const r = await kt(['topics', '--list', '--context', 'nowhere', '--bootstrap-server', bootstrap], { NOWHERE_ID: 'from-context' });
    expect(r.stdout.split('\n')).toContain('ctx-orders');
    expect(r.exitCode).toBe(0);
  });

  it('bootstrap.servers in the command\'s own properties names the cluster (beating --context), not the local daemon', async () => {
    const file = join(home, 'client.properties');
    writeFileSync(file, `bootstrap.servers=${bootstrap}\n`);
    const listed = await kt(['topics', '--list', '--command-config', file, '--context', 'nowhere'], { NOWHERE_ID: 'from-context' });
    expect({ exitCode: listed.exitCode, stderr: listed.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(listed.stdout.split('\n')).toContain('ctx-orders');
    // It used to start a local daemon here and write the record there.
    const produced = await kafkaTs(['console-producer', '--topic', 'ctx-via-file', '--producer.config', file], { home, input: 'via-file\n' });
    expect(produced.exitCode, produced.stderr).toBe(0);
    expect(produced.stderr).not.toContain('started the local broker');
    const read = await kt(['console-consumer', '--topic', 'ctx-via-file', '--from-beginning', '-e', '--bootstrap-server', bootstrap]);
    expect(read.stdout.split('\n')).toContain('via-file');
  });

  it('context use makes a context the default; --none goes back; current prints it', async () => {
    expect(await kt(['context', 'use', 'dev'])).toEqual({ stdout: 'Switched to context dev.\n', stderr: '', exitCode: 0 });
    expect(await kt(['context', 'current'])).toEqual({ stdout: 'dev\n', stderr: '', exitCode: 0 });
    const list = await kt(['context', 'list', '-o', 'json']);
    expect(JSON.parse(list.stdout)).toEqual({
      current: 'dev',
      contexts: [
        { name: 'dev', bootstrapServer: bootstrap, current: true },
        { name: 'nowhere', bootstrapServer: '127.0.0.1:1', current: false },
      ],
    });
    expect((await kt(['context', 'list'])).stdout).toContain(`*         dev       ${bootstrap}\n`);
    const viaCurrent = await kt(['topics', '--list'], { DEV_PROTOCOL: 'PLAINTEXT' });
    expect(viaCurrent.stdout.split('\n')).toContain('ctx-orders');
    // KAFKA_BOOTSTRAP_SERVERS beats the current context.
    const viaEnv = await kt(['topics', '--list'], { KAFKA_BOOTSTRAP_SERVERS: bootstrap });
    expect(viaEnv.exitCode).toBe(0);
    expect(await kt(['context', 'use', 'nope'])).toMatchObject({ exitCode: 4, stderr: "kafka-ts context: error: Context 'nope' does not exist (known: dev, nowhere)\n" });
    expect((await kt(['context', 'use', '--none'])).exitCode).toBe(0);
    expect(await kt(['context', 'current'])).toEqual({ stdout: '', stderr: 'kafka-ts context: error: No current context\n', exitCode: 4 });
  });

  it('show masks secrets (JAAS keeps module and username) in text and JSON; add warns about clear secrets', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'client.properties');
    writeFileSync(file, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${JAAS}\nssl.key.password=key-secret\n`);
    const add = await kt(['context', 'add', 'sasl', '--bootstrap-server', 'broker:9093', '--command-config', file, '--property', 'sasl.mechanism=SCRAM-SHA-256']);
    expect(add.exitCode).toBe(0);
    expect(add.stderr).toContain('warning: sasl.jaas.config, ssl.key.password stored in clear');
    expect(add.stderr + add.stdout).not.toContain('secret";');
    const show = await kt(['context', 'show', 'sasl']);
    expect(show).toEqual({
      stdout: [
        'name: sasl',
        'bootstrap servers: broker:9093',
        'properties:',
        '  sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="******";',
        '  sasl.mechanism=SCRAM-SHA-256',
        '  security.protocol=SASL_PLAINTEXT',
        '  ssl.key.password=******',
        '',
      ].join('\n'),
      stderr: '',
      exitCode: 0,
    });
    // Without --bootstrap-server, the file's bootstrap.servers names the cluster (and is not kept as a property).
    writeFileSync(file, 'bootstrap.servers=cloud.example:9092\nsecurity.protocol=SASL_SSL\nbasic.auth.user.info=key:secret\n');
    expect((await kt(['context', 'add', 'cloud', '--command-config', file])).stdout).toBe('Added context cloud (cloud.example:9092).\n');
    expect((await kt(['context', 'show', 'cloud'])).stdout).toBe('name: cloud\nbootstrap servers: cloud.example:9092\nproperties:\n  basic.auth.user.info=******\n  security.protocol=SASL_SSL\n');
    expect((await kt(['context', 'remove', 'cloud'])).exitCode).toBe(0);
    const json = await kt(['context', 'show', 'sasl', '-o', 'json']);
    expect(json.stdout).not.toContain('alice-very-secret');
    expect(json.stdout).not.toContain('key-secret');
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'sasl', current: false, bootstrapServer: 'broker:9093', properties: { 'ssl.key.password': '******' } });
    // A reference is shown as written: it holds no secret.
    expect((await kt(['context', 'show', 'dev'])).stdout).toContain('security.protocol=${env:DEV_PROTOCOL}');
  });

  it('remove deletes a context (and the current choice with it); usage errors are exit 2', async () => {
    expect((await kt(['context', 'use', 'nowhere'])).exitCode).toBe(0);
    expect(await kt(['context', 'remove', 'nowhere'])).toEqual({ stdout: 'Removed context nowhere. There is no current context now.\n', stderr: '', exitCode: 0 });
    expect((await kt(['context', 'list'])).stdout).not.toContain('nowhere');
    expect((await kt(['context', 'remove', 'nowhere'])).exitCode).toBe(4);
    expect((await kt(['context', 'frobnicate'])).exitCode).toBe(2);
    expect((await kt(['context', 'add', 'x'])).stderr).toBe('kafka-ts context: usage error: Missing required argument "[bootstrap-server]"\n');
    expect((await kt(['context', 'add', 'bad name', '--bootstrap-server', 'h:1'])).exitCode).toBe(2);
    expect((await kt(['context', 'list', '--force'])).stderr).toBe('kafka-ts context: usage error: Option --force cannot be used with context list\n');
    const help = await kt(['context', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).not.toMatch(/secret/);
  });

  it("resolves Kafka's config providers in --command-config files and inline properties; the file flags are exclusive", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const secrets = join(t.dir, 'secrets.properties');
    writeFileSync(secrets, 'protocol=PLAINTEXT\n');
    const file = join(t.dir, 'admin.properties');
    writeFileSync(
      file,
      [
        'config.providers=env,file',
        'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
        'config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider',
        `security.protocol=\${file:${secrets}:protocol}`,
        'client.id=${env:ADMIN_CLIENT_ID}',
        '',
      ].join('\n'),
    );
    const ok = await kt(['topics', '--list', '--bootstrap-server', bootstrap, '--command-config', file], { ADMIN_CLIENT_ID: 'admin-1' });
    expect(ok.stdout.split('\n')).toContain('ctx-orders');
    expect(ok.exitCode).toBe(0);
    const missing = await kt(['topics', '--list', '--bootstrap-server', bootstrap, '--command-config', file]);
    expect(missing).toEqual({ stdout: '', stderr: 'kafka-ts topics: usage error: ${env:ADMIN_CLIENT_ID}: environment variable ADMIN_CLIENT_ID is not set\n', exitCode: 2 });
    // Kafka 4.2's --command-config on the console consumer, resolving inline --command-property too.
    const consumed = await kt(
      ['console-consumer', '--topic', 'ctx-orders', '--bootstrap-server', bootstrap, '--command-config', file, '--command-property', 'client.id=${env:ADMIN_CLIENT_ID}', '-e', '--from-beginning'],
      { ADMIN_CLIENT_ID: 'c-1' },
    );
    expect(consumed).toMatchObject({ exitCode: 0, stderr: 'Processed a total of 0 messages\n' });
    const both = await kt(['console-consumer', '--topic', 'x', '--consumer.config', file, '--command-config', file]);
    expect(both).toEqual({ stdout: '', stderr: 'kafka-ts console-consumer: usage error: Options --consumer.config and --command-config name the same properties file; give one of them\n', exitCode: 2 });
  });
});


describe('kafka-ts context: concurrent changes', () => {
  let store: string;
  const at = (args: string[]): Promise<RunResult> => kafkaTs(args, { home: store });
  const names = async (): Promise<string[]> => (JSON.parse((await at(['context', 'list', '--output', 'json'])).stdout) as { contexts: { name: string }[] }).contexts.map((c) => c.name);
  beforeAll(() => {
    const t = tempDir('kafka-ts-cli-ctx-lock-');
    cleanups.push(t.cleanup);
    store = t.dir;
  });

  it('parallel adds keep every context; parallel removes and uses lose none of the others', async () => {
    const n = 8;
    const adds = await Promise.all(Array.from({ length: n }, (_, i) => at(['context', 'add', `c${i}`, '--bootstrap-server', `h${i}:9092`])));
    for (const r of adds) expect(r.exitCode, r.stderr).toBe(0);
    expect(await names()).toEqual(Array.from({ length: n }, (_, i) => `c${i}`).sort());
    const mixed = await Promise.all([at(['context', 'remove', 'c0']), at(['context', 'remove', 'c1']), at(['context', 'use', 'c7']), at(['context', 'add', 'c8', '--bootstrap-server', 'h8:9092'])]);
    for (const r of mixed) expect(r.exitCode, r.stderr).toBe(0);
    expect(await names()).toEqual(['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    expect((await at(['context', 'current'])).stdout).toBe('c7\n');
    // No lock or temporary file is left behind.
    expect(readdirSync(join(store, '.config'))).toEqual(['contexts.json']);
  });

  it('breaks a lock left by a process that is gone, and makes the file private again (0600: it holds secrets)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(store, '.config', 'contexts.json.lock'), `${dead}\n`);
    chmodSync(join(store, '.config', 'contexts.json'), 0o640);
    const r = await at(['context', 'add', 'after-crash', '--bootstrap-server', 'h:9092']);
    expect(r, r.stderr).toMatchObject({ exitCode: 0 });
    expect(await names()).toContain('after-crash');
    expect(existsSync(join(store, '.config', 'contexts.json.lock'))).toBe(false);
    expect(statSync(join(store, '.config', 'contexts.json')).mode & 0o777).toBe(0o600);
  });
});
