/**
 * Running the real Kafka clients the interop tests use: kcat (librdkafka), kafka-python and
 * confluent-kafka (Debian's python3 packages) and kafkajs (npm). CI installs them; a missing one
 * fails the test with a message saying how to install it.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const PY_CLIENT = fileURLToPath(new URL('../interop/clients/py_client.py', import.meta.url));
export const KAFKAJS_CLIENT = fileURLToPath(new URL('../interop/clients/kafkajs-client.cjs', import.meta.url));

const INSTALL = 'install the real clients with: apt-get install -y kcat python3-kafka python3-confluent-kafka';

export function requireKcat(): void {
  if (!existsSync('/usr/bin/kcat')) throw new Error(`kcat is missing; ${INSTALL}`);
}

export async function requirePython(module: 'kafka' | 'confluent_kafka'): Promise<void> {
  const r = await execa(PYTHON, ['-c', `import ${module}`], { reject: false });
  if (r.exitCode !== 0) throw new Error(`python module ${module} is missing; ${INSTALL}`);
}

export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function run(cmd: string, args: string[], opts: { input?: string | Buffer; inputFile?: string; timeout?: number; encoding?: 'utf8' | 'buffer' } = {}): Promise<RunOutput> {
  const r = await execa(cmd, args, {
    reject: false,
    input: opts.input,
    inputFile: opts.inputFile,
    timeout: opts.timeout ?? 120_000,
    stripFinalNewline: false,
    maxBuffer: 512 * 1024 * 1024,
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

export const kcat = (args: string[], opts: Parameters<typeof run>[2] = {}) => {
  requireKcat();
  return run('/usr/bin/kcat', args, opts);
};

export const python = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(PYTHON, [PY_CLIENT, ...args], opts);

export const kafkajs = (args: string[], opts: Parameters<typeof run>[2] = {}) => run(process.execPath, [KAFKAJS_CLIENT, ...args], opts);

export interface PyRecord {
  p: number;
  o: number;
  k: string | null;
  v: string | null;
  h: [string, string | null][];
}

export const parseJsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
