/**
 * A context for a SASL listener whose password comes from ${env:…}: the user is created with
 * `configs --entity-type users` over the local socket (a super user), then commands reach the
 * SASL_PLAINTEXT listener through the context; a wrong password is exit 7 without the password.
 */
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
});
