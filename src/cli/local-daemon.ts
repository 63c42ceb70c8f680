/**
 * Finding, starting and stopping the local daemon from the CLI. The daemon is reached through
 * its control socket (status, stop) and its Kafka-protocol Unix socket (everything else).
 */
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonPaths, type DaemonPaths, type DaemonStatus } from '../broker/daemon-paths.js';
import { CliError, ExitCode } from './errors.js';

/** `$KAFKA_TS_HOME`, else `$XDG_DATA_HOME/kafka-ts`, else `~/.local/share/kafka-ts`. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKA_TS_HOME) return resolve(env.KAFKA_TS_HOME);
  const xdg = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'kafka-ts');
}

export { daemonPaths, type DaemonPaths, type DaemonStatus };

/** Sends one control request; null when no daemon answers. */
export function control<T = { ok: boolean; error?: string; status?: DaemonStatus }>(paths: DaemonPaths, request: object, timeoutMs = 10_000): Promise<T | null> {
  return new Promise((resolvePromise) => {
    if (!existsSync(paths.control)) return resolvePromise(null);
    const socket = net.connect(paths.control);
    let buf = '';
    const done = (v: T | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(JSON.parse(buf.slice(0, nl)) as T);
    });
    socket.on('error', () => done(null));
  });
}

export async function daemonStatus(paths: DaemonPaths): Promise<DaemonStatus | null> {
  const r = await control(paths, { op: 'status' }, 3000);
  return r?.ok && r.status ? r.status : null;
}

export interface StartOptions {
  port?: number;
  brokers?: number;
  /** server.properties file to read (kafka-server-start style). */
  propertiesFile?: string;
  overrides?: string[];
}

/**
 * The CLI entry point the daemon is started with (built JavaScript). Found by walking up from
 * this module, which lives in dist/ (bundle) or dist/src/cli/ (compiled tree).
 */
function cliEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'bin', 'kafka-ts.cjs');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new CliError('Cannot find bin/kafka-ts.cjs to start the daemon with', ExitCode.Failure);
}

/**
 * Starts the daemon in the background and waits until it serves (or reports why it could not).
 * Its output goes to server.log in the home directory.
 */
export async function startDaemon(paths: DaemonPaths, opts: StartOptions = {}, timeoutMs = 60_000): Promise<DaemonStatus> {
  try {
    mkdirSync(paths.home, { recursive: true });
  } catch (e) {
    throw new CliError(`Data directory ${paths.home} is not writable (${(e as NodeJS.ErrnoException).code}).`, ExitCode.Failure);
  }
  const args = [cliEntry(), 'server', 'start', '--foreground', '--data-dir', paths.home];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.brokers !== undefined) args.push('--brokers', String(opts.brokers));
  if (opts.propertiesFile) args.push('--config', opts.propertiesFile);
  for (const o of opts.overrides ?? []) args.push('--override', o);
  let logFd: number;
  try {
    logFd = openSync(paths.logFile, 'a');
  } catch (e) {
    throw new CliError(`Data directory ${paths.home} is not writable (${(e as NodeJS.ErrnoException).code}).`, ExitCode.Failure);
  }
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd, 'ipc'], env: { ...process.env, KAFKA_TS_DAEMON: '1' } });
  closeSync(logFd);
  return new Promise<DaemonStatus>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new CliError(`The daemon did not become ready within ${timeoutMs / 1000} s; see ${paths.logFile}`, ExitCode.Failure));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
    };
    child.on('message', (m: { ready?: DaemonStatus; error?: string }) => {
      cleanup();
      if (m.ready) resolvePromise(m.ready);
      else reject(new CliError(m.error ?? 'The daemon failed to start', ExitCode.Failure));
    });
    child.on('exit', (code) => {
      cleanup();
      reject(new CliError(`The daemon exited during start-up (status ${code}); see ${paths.logFile}:\n${tail(paths.logFile)}`, ExitCode.Failure));
    });
  });
}

function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks the daemon to stop and waits until its process is gone. Returns the pid, or null if none ran. */
export async function stopDaemon(paths: DaemonPaths, timeoutMs = 30_000): Promise<number | null> {
  const status = await daemonStatus(paths);
  let pid = status?.pid ?? null;
  if (!status) {
    // No control socket answers: a daemon that lost it still has a pid file.
    if (!existsSync(paths.pidFile)) return null;
    const filePid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    if (!Number.isInteger(filePid) || !isAlive(filePid) || !readCmdline(filePid).includes('kafka-ts')) return null;
    pid = filePid;
    process.kill(pid, 'SIGTERM');
  } else await control(paths, { op: 'stop' });
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid!)) {
    if (Date.now() > deadline) throw new CliError(`The daemon (pid ${pid}) did not stop within ${timeoutMs / 1000} s`, ExitCode.Timeout);
    await new Promise((r) => setTimeout(r, 50));
  }
  return pid;
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'kafka-ts';
  }
}

/**
 * Makes sure a daemon serves `paths.home`, starting one if needed; `announce` receives the one
 * line telling the user it was started.
 */
export async function ensureDaemon(paths: DaemonPaths, announce: (line: string) => void): Promise<DaemonStatus> {
  const running = await daemonStatus(paths);
  if (running) return running;
  const status = await startDaemon(paths);
  const tcp = status.listeners.find((l) => l.startsWith('PLAINTEXT://'))?.slice('PLAINTEXT://'.length);
  announce(`kafka-ts: started the local broker (pid ${status.pid}, ${tcp ? `listening on ${tcp}, ` : ''}data in ${status.dataDir})`);
  return status;
}
