/**
 * Running the real Kafka clients the interop tests use: kcat (librdkafka), kafka-python and
 * confluent-kafka (Debian's python3 packages) and kafkajs (npm). CI installs them; a missing one
 * fails the test with a message saying how to install it.
 */
import { execa } from 'execa';
import { spawn } from 'node:child_process';
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

async function run(cmd: string, args: string[], opts: { input?: string | Buffer; inputFile?: string; timeout?: number; encoding?: 'utf8' | 'buffer'; env?: Record<string, string> } = {}): Promise<RunOutput> {
  const r = await execa(cmd, args, {
    reject: false,
    env: opts.env,
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

/**
 * How a real client connects to a secured listener; the scripts in interop/clients read it as
 * JSON (KAFKA_INTEROP_SECURITY or --security) and kcat gets it as -X properties. Paths are PEM files.
 */
export interface ClientSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  mechanism?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
  /** The user; with OAUTHBEARER the `sub` of an unsecured (alg none) JWT the client makes itself. */
  username?: string;
  password?: string;
  /** OAUTHBEARER: the unsecured JWT's lifetime in seconds (negative: already expired; kafkajs and kafka-python only). */
  tokenLifetimeSeconds?: number;
  /** The CA the client trusts. */
  ca?: string;
  /** The client's certificate and key (mTLS). */
  cert?: string;
  key?: string;
}

/** The environment that hands `sec` to the python and kafkajs scripts. */
export const securityEnv = (sec: ClientSecurity): Record<string, string> => ({ KAFKA_INTEROP_SECURITY: JSON.stringify(sec) });

/** kcat (librdkafka) -X properties for `sec`. */
export function kcatSecurity(sec: ClientSecurity): string[] {
  const props: Record<string, string | undefined> = { 'security.protocol': sec.protocol.toLowerCase() };
  if (sec.mechanism === 'OAUTHBEARER') {
    // librdkafka's built-in unsecured JWT (alg none) with the user as its subject.
    Object.assign(props, { 'sasl.mechanism': 'OAUTHBEARER', 'enable.sasl.oauthbearer.unsecure.jwt': 'true', 'sasl.oauthbearer.config': `principal=${sec.username}` });
  } else if (sec.protocol.startsWith('SASL')) Object.assign(props, { 'sasl.mechanism': sec.mechanism, 'sasl.username': sec.username, 'sasl.password': sec.password });
  if (sec.protocol.endsWith('SSL')) {
    Object.assign(props, { 'ssl.ca.location': sec.ca, 'ssl.endpoint.identification.algorithm': 'https' });
    if (sec.cert) Object.assign(props, { 'ssl.certificate.location': sec.cert, 'ssl.key.location': sec.key });
  }
  return Object.entries(props).flatMap(([k, v]) => (v === undefined ? [] : ['-X', `${k}=${v}`]));
}

export interface Refusal {
  /** True when the output matched before the deadline (or the client exited having printed it). */
  matched: boolean;
  ms: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client that should be refused (bad password, untrusted CA) until its output matches
 * `pattern`, it exits, or `deadlineMs` passes; then kills it. Clients such as librdkafka retry
 * refused logins forever, so the error line, not the exit, is the signal. Never hangs.
 */
export function runUntilRefused(cmd: string, args: string[], pattern: RegExp, opts: { env?: Record<string, string>; deadlineMs?: number } = {}): Promise<Refusal> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    let matched = false;
    const finish = () => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(finish, opts.deadlineMs ?? 30_000);
    const look = () => {
      if (!matched && pattern.test(stdout + stderr)) {
        matched = true;
        finish();
      }
    };
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), look()));
    child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), look()));
    child.on('close', (code) => {
      clearTimeout(timer);
      look();
      resolve({ matched, ms: Date.now() - start, exitCode: code, stdout, stderr });
    });
  });
}
