/**
 * The CLI core without a broker: unknown commands, --version on every command, and what an
 * unexpected error prints (one line; the stack, mapped to the sources, only with --debug).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../commands/index.js';
import { kafkaTs, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let home: string;
let cleanup: () => void;
const kt = (args: string[], env?: Record<string, string>): Promise<RunResult> => kafkaTs(args, { home, env });
/** A bootstrap nobody listens on, without a port: a socket path that does not exist. */
const nowhere = () => `unix://${join(home, 'nobody.sock')}`;

beforeAll(() => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-core-'));
});
afterAll(() => cleanup());

describe('commands and versions', () => {
  it('suggests the command meant by an unknown one', async () => {
    expect(await kt(['topic'])).toEqual({ stdout: '', stderr: "kafka-ts: usage error: unknown command 'topic' (Did you mean topics?) (see 'kafka-ts --help')\n", exitCode: 2 });
    expect((await kt(['consumer-group', '--list'])).stderr).toContain('(Did you mean consumer-groups?)');
  });

  it('refuses help about an unknown command as a usage error, and answers help --help', async () => {
    const r = await kt(['help', 'nope']);
    expect(r).toEqual({ stdout: '', stderr: "kafka-ts: usage error: unknown command 'nope' (see 'kafka-ts --help')\n", exitCode: 2 });
    expect(JSON.parse((await kt(['help', 'nope', '--output', 'json'])).stdout)).toMatchObject({ error: { code: 2, kind: 'usage' } });
    for (const flag of ['--help', '-h']) {
      const h = await kt(['help', flag]);
      expect(h.exitCode).toBe(0);
      expect(h.stdout).toMatch(/^Usage: kafka-ts \[options\] \[command\]/);
      expect(h.stdout).toContain('help [command]');
    }
    const t = await kt(['help', 'topics']);
    expect(t.exitCode).toBe(0);
    expect(t.stdout).toMatch(/^Usage: kafka-ts topics/);
  });

  it('answers --version and -V on every command with exit 0', async () => {
    for (const c of COMMANDS) {
      for (const flag of ['--version', '-V']) {
        const r = await kt([c.name, flag]);
        expect({ command: c.name, flag, ...r }).toEqual({ command: c.name, flag, stdout: '0.1.0\n', stderr: '', exitCode: 0 });
      }
    }
  });
});

describe('unexpected errors', () => {
  // A promise rejection nobody handles, raised while a command is running (it retries a broker
  // that is not there), injected with Node's own --require preload.
  const inject = () => {
    const file = join(home, 'reject.cjs');
    writeFileSync(file, "setImmediate(() => Promise.reject(new Error('injected failure')));\n");
    return { NODE_OPTIONS: `--require ${file}` };
  };

  // The command's own warning that it keeps retrying may come first.
  const withoutRetrying = (stderr: string) => stderr.replace(/^kafka-ts: warning: Could not connect .*\n/, '');

  it('prints one line and exits 1, without the bundle source or a stack', async () => {
    const r = await kt(['topics', '--list', '--bootstrap-server', nowhere()], inject());
    expect({ ...r, stderr: withoutRetrying(r.stderr) }).toEqual({ stdout: '', stderr: 'kafka-ts: internal error: injected failure (run with --debug for the stack trace)\n', exitCode: 1 });
  });

  it('adds the stack with --debug anywhere on the line, or KAFKA_TS_DEBUG=1', async () => {
    for (const [args, env] of [
      [['--debug', 'topics', '--list', '--bootstrap-server', nowhere()], inject()],
      [['topics', '--list', '--debug', '--bootstrap-server', nowhere()], inject()],
      [['topics', '--list', '--bootstrap-server', nowhere()], { ...inject(), KAFKA_TS_DEBUG: '1' }],
    ] as const) {
      const r = await kt([...args], env);
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 1 });
      expect(withoutRetrying(r.stderr)).toMatch(/^kafka-ts: internal error: injected failure\nError: injected failure\n {4}at /);
    }
  });

  it('maps stack traces of errors inside the bundle to the TypeScript sources under --debug', async () => {
    const config = join(home, 'fast.properties');
    writeFileSync(config, 'default.api.timeout.ms=300\n');
    const plain = await kt(['topics', '--list', '--bootstrap-server', nowhere(), '--command-config', config]);
    expect(plain.exitCode).toBe(3);
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    const debug = await kt(['--debug', 'topics', '--list', '--bootstrap-server', nowhere(), '--command-config', config]);
    expect(debug.exitCode).toBe(3);
    expect(debug.stderr).toMatch(/\n {4}at .*src\/transport\/client-connection\.ts:\d+:\d+/);
    expect(debug.stderr).not.toContain('kafka-ts.cjs');
  });
});
