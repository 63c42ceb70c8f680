/**
 * A context for a SASL listener whose password comes from ${env:…}: the user is created with
 * `configs --entity-type users` over the local socket (a super user), then commands reach the
 * SASL_PLAINTEXT listener through the context; a wrong password is exit 7 without the password.
 * A Kafka Streams properties file written for that listener (security.protocol, sasl.*) reaches
 * it too: streams passes the connection settings on to its clients, as Kafka Streams does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, stopDaemon, type RunResult } from '../helpers/cli.js';

let daemonHome: string;
let home: string;
let saslBootstrap: string;
const cleanups: (() => void)[] = [];
const kt = (args: string[], env: Record<string, string> = {}): Promise<RunResult> => kafkaTs(args, { home, env });
const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${env:ALICE_PASSWORD}";';

beforeAll(async () => {
  const d = tempDir('kafka-ts-cli-ctxsasl-daemon-');
  const c = tempDir('kafka-ts-cli-ctxsasl-');
  cleanups.push(d.cleanup, c.cleanup);
  daemonHome = d.dir;
  home = c.dir;
  const started = await kafkaTs(
    [
      'server', 'start', '--port', '0', '--data-dir', daemonHome, '--output', 'json',
      '--override', 'listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      '--override', 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
    ],
    { home: daemonHome },
  );
  expect(started.exitCode, started.stderr).toBe(0);
  const status = JSON.parse(started.stdout) as { listeners: string[] };
  saslBootstrap = status.listeners.find((l) => l.startsWith('SASL_PLAINTEXT://'))!.slice('SASL_PLAINTEXT://'.length);
  // The local socket is a super user: it creates alice's credential.
  const add = await kafkaTs(['configs', '--alter', '--user', 'alice', '--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'], { home: daemonHome });
  expect(add, add.stderr).toMatchObject({ stdout: 'Completed updating config for user alice.\n', exitCode: 0 });
}, 60_000);
afterAll(async () => {
  await stopDaemon(daemonHome);
  await stopDaemon(home);
  cleanups.forEach((c) => c());
});

describe('a context for a SASL listener', () => {
  it('reaches it with the password from ${env:…}, and configs describes through it', async () => {
    const add = await kt([
      'context', 'add', 'sec', '--bootstrap-server', saslBootstrap, '--use',
      '--property', 'security.protocol=SASL_PLAINTEXT', '--property', 'sasl.mechanism=SCRAM-SHA-256', '--property', `sasl.jaas.config=${SCRAM_JAAS}`,
    ]);
    expect(add).toEqual({ stdout: `Added context sec (${saslBootstrap}); it is now the current context.\n`, stderr: '', exitCode: 0 });
    const env = { ALICE_PASSWORD: 'alice-secret' };
    expect(await kt(['topics', '--create', '--topic', 'sasl-orders'], env)).toMatchObject({ stdout: 'Created topic sasl-orders.\n', exitCode: 0 });
    expect((await kt(['topics', '--list'], env)).stdout.split('\n')).toContain('sasl-orders');
    const produced = await kafkaTs(['console-producer', '--topic', 'sasl-orders'], { home, env, input: 'one\ntwo\n' });
    expect(produced.exitCode, produced.stderr).toBe(0);
    const consumed = await kt(['console-consumer', '--topic', 'sasl-orders', '--from-beginning', '-e', '--group', 'g1'], env);
    expect(consumed).toMatchObject({ stdout: 'one\ntwo\n', exitCode: 0 });
    expect((await kt(['configs', '--describe', '--entity-type', 'users'], env)).stdout).toBe("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n");
  });

  it('a wrong password is exit 7 and never printed; show masks nothing that is a reference', async () => {
    const r = await kt(['topics', '--list'], { ALICE_PASSWORD: 'wrong-password' });
    expect(r.exitCode).toBe(7);
    expect(r.stdout + r.stderr).not.toContain('wrong-password');
    expect(r.stderr).toContain('alice');
    const missing = await kt(['topics', '--list']);
    expect(missing).toMatchObject({ exitCode: 2, stderr: 'kafka-ts topics: usage error: ${env:ALICE_PASSWORD}: environment variable ALICE_PASSWORD is not set\n' });
    expect((await kt(['context', 'show'])).stdout).toContain('password="${env:ALICE_PASSWORD}";');
  });

  it('console-producer refused at connect ends with its summary (0 sent, the error) in both modes, exit 7', async () => {
    const env = { ALICE_PASSWORD: 'wrong-password' };
    const json = await kafkaTs(['console-producer', '--topic', 'sasl-orders', '--output', 'json'], { home, env, input: 'x\n' });
    expect(json.exitCode).toBe(7);
    const summary = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ topic: 'sasl-orders', sent: 0, failed: 0, inputError: null, interrupted: false, error: { code: 7, kind: 'auth' } });
    const lines = json.stderr.trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual(['kafka-ts console-producer: sent 0 records to topic sasl-orders', `kafka-ts console-producer: error: ${(summary.error as { message: string }).message}`]);
    const text = await kafkaTs(['console-producer', '--topic', 'sasl-orders'], { home, env, input: 'x\n' });
    expect(text).toMatchObject({ stdout: '', exitCode: 7 });
    expect(text.stderr.trimEnd().split('\n').slice(-2)).toEqual(lines.slice(-2));
    expect(json.stdout + json.stderr + text.stderr).not.toContain('wrong-password');
  });
});

describe('kafka-ts streams with a Streams properties file for a SASL listener', () => {
  it('passes security.protocol and sasl.* on to its clients (no warning) and copies the records', async () => {
    const env = { ALICE_PASSWORD: 'alice-secret' };
    const props = join(home, 'streams.properties');
    writeFileSync(props, [
      `bootstrap.servers=${saslBootstrap}`, 'application.id=sasl-copy', 'security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-256', `sasl.jaas.config=${SCRAM_JAAS}`,
      'config.providers=env', 'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      'commit.interval.ms=200', 'session.timeout.ms=6000', 'heartbeat.interval.ms=500', '',
    ].join('\n'));
    for (const t of ['sasl-in', 'sasl-out']) expect(await kafkaTs(['topics', '--create', '--topic', t], { home: daemonHome }), t).toMatchObject({ exitCode: 0 });
    expect(await kafkaTs(['console-producer', '--topic', 'sasl-in'], { home: daemonHome, input: 'a\nb\nc\n' })).toMatchObject({ exitCode: 0 });
    const r = await kafkaTs(['streams', 'copy', '--from', 'sasl-in', '--to', 'sasl-out', '--streams.config', props, '--state-dir', join(home, 'state'), '--until-idle', '2s', '--output', 'json'], { home, env, timeout: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/has no effect|isn't a known config/);
    const copied = await kafkaTs(['console-consumer', '--topic', 'sasl-out', '--from-beginning', '-e'], { home: daemonHome });
    expect(copied).toMatchObject({ stdout: 'a\nb\nc\n', exitCode: 0 });
    // Without the connection settings the SASL listener turns the client away (exit 7).
    writeFileSync(props, [`bootstrap.servers=${saslBootstrap}`, 'application.id=sasl-copy-2', ''].join('\n'));
    const plain = await kafkaTs(['streams', 'copy', '--from', 'sasl-in', '--to', 'sasl-out', '--streams.config', props, '--state-dir', join(home, 'state'), '--until-idle', '2s'], { home, env, timeout: 60_000 });
    expect(plain.exitCode, plain.stderr).toBe(7);
  }, 120_000);
});
