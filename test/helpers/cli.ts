/** Runs the built kafka-ts binary with execa, against an isolated home directory. */
import { execa, type Options, type Result, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/kafka-ts.cjs', import.meta.url));

/** No context from the caller's environment or config directory: the store lives in the test's home. */
export const isolatedContexts = (home: string): Record<string, string> => ({ KAFKA_TS_CONTEXT: '', KAFKA_TS_CONFIG_DIR: home ? join(home, '.config') : '' });

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function kafkaTs(args: string[], opts: { home: string; input?: string | Buffer; env?: Record<string, string>; timeout?: number } & Partial<Options> = { home: '' }): Promise<RunResult> {
  const { home, input, env, timeout, ...rest } = opts;
  const r = (await execa(process.execPath, [BIN, ...args], {
    reject: false,
    input,
    stripFinalNewline: false,
    timeout: timeout ?? 60_000,
    // KAFKA_BOOTSTRAP_SERVERS, KAFKA_TS_CONTEXT or a current context from the caller's shell
    // would send every command elsewhere.
    env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', ...isolatedContexts(home), ...env },
    ...rest,
  })) as Result;
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

/** Starts a daemon on a free port in `home`; returns its TCP bootstrap address. */
export async function startDaemon(home: string, extra: string[] = []): Promise<{ bootstrap: string; status: Record<string, unknown> }> {
  const r = await kafkaTs(['server', 'start', '--port', '0', '--schema-registry-port', '0', '--data-dir', home, '--output', 'json', ...extra], { home });
  if (r.exitCode !== 0) throw new Error(`daemon failed to start: ${r.stderr}${r.stdout}`);
  const status = JSON.parse(r.stdout) as { listeners: string[] };
  const tcp = status.listeners.find((l) => l.startsWith('PLAINTEXT://'))!.slice('PLAINTEXT://'.length);
  return { bootstrap: tcp, status };
}

export async function stopDaemon(home: string): Promise<void> {
  await kafkaTs(['server', 'stop', '--data-dir', home], { home });
}

/** Starts the binary in the background (for commands that wait), isolated like kafkaTs. */
export function spawnKafkaTs(args: string[], home: string): ResultPromise {
  return execa(process.execPath, [BIN, ...args], { reject: false, stripFinalNewline: false, env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', ...isolatedContexts(home) } });
}

/**
 * Resolves once the process has written text matching `pattern` on stderr, or has ended (the
 * caller's assertions on its result then say why).
 */
export function untilStderr(proc: ResultPromise, pattern: string | RegExp): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    proc.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) resolve();
    });
    void proc.then(() => resolve());
  });
}
