/**
 * Finding, starting and stopping the local daemon from the CLI. The daemon is reached through
 * its control socket (status, stop) and its Kafka-protocol Unix socket (everything else).
 */
import { chmodSync, closeSync, existsSync, fstatSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT, daemonPaths, type DaemonPaths, type DaemonStatus } from '../broker/daemon-paths.js';
import { makeDirectory } from '../util/directories.js';
import { parseProperties } from '../util/properties.js';
import { FailedError, TimeoutError, UsageError, type ExitStatusKey } from './errors.js';
import { readPropertiesFile } from './properties.js';

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

/** How long `server status` and the commands that find the daemon wait for its control socket. */
export const STATUS_TIMEOUT_MS = 3000;

export async function daemonStatus(paths: DaemonPaths): Promise<DaemonStatus | null> {
  const r = await control(paths, { op: 'status' }, STATUS_TIMEOUT_MS);
  return r?.ok && r.status ? r.status : null;
}

/**
 * The TCP address (its first TCP listener, as advertised) of the local daemon's broker `nodeId`,
 * given one of its brokers' Unix socket paths, which is what the daemon's brokers name themselves
 * by on those sockets (FindCoordinator, Metadata). Null when the daemon does not answer or the
 * broker has no live TCP listener. What the CLI shows where Kafka's tools print host:port.
 */
export async function daemonTcpAddress(socketPath: string, nodeId: number): Promise<{ host: string; port: number } | null> {
  const status = await daemonStatus(daemonPaths(dirname(socketPath)));
  const broker = status?.brokers.find((b) => b.id === nodeId && b.live);
  const tcp = broker?.listeners.find((l) => !l.startsWith('LOCAL://') && !l.includes(':///'));
  const m = tcp ? /^[^:]+:\/\/\[?(.*?)\]?:(\d+)$/.exec(tcp) : null;
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export interface StartOptions {
  port?: number;
  brokers?: number;
  /** The schema registry's port (0 = free), or false to run none. */
  schemaRegistryPort?: number;
  schemaRegistry?: boolean;
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
  throw new FailedError('Cannot find bin/kafka-ts.cjs to start the daemon with');
}

/**
 * Starts the daemon in the background and waits until it serves (or reports why it could not).
 * Its output goes to server.log in the home directory.
 */
/**
 * glibc malloc settings for the daemon (any the user set win). Fetched data lives in buffers of up
 * to 1 MiB (one partition's answer): by default glibc raises its mmap threshold after the first
 * such buffer is freed, so later ones come from the heap arenas, which fragment and are not given
 * back after load. A fixed threshold keeps them mmapped (unmapped when freed); few arenas (V8's
 * helper threads allocate too) and a low trim threshold return freed heap memory to the system.
 */
export const DAEMON_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: String(128 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(1024 * 1024),
};

/**
 * The daemon's V8 old-generation ceiling (MB) unless KAFKA_HEAP_OPTS says otherwise. Without one,
 * V8 (sizing its limit from the machine's memory, ~4 GB here) lets the heap grow with what
 * requests in flight leave behind long before it collects: 586 MB in use under the soak bench's
 * saturating load; with this ceiling the daemon peaked at 345 MB RSS. 10,000 topics are created
 * and reopened after a SIGKILL within it (npm run bench -- metadata).
 */
export const DEFAULT_DAEMON_HEAP_MB = 256;

const SIZE_UNITS: Record<string, number> = { '': 1 / (1024 * 1024), k: 1 / 1024, m: 1, g: 1024 };

/**
 * Node options for the daemon from KAFKA_HEAP_OPTS, the variable Kafka's scripts take
 * ("-Xmx1G -Xms1G"): -Xmx<size> is the V8 heap ceiling, -Xms<size> is accepted with no effect (V8
 * grows its heap on demand). Anything else is refused: it would otherwise be silently ignored.
 */
export function daemonNodeOptions(env: NodeJS.ProcessEnv): string[] {
  return [`--max-old-space-size=${daemonHeapMb(env)}`];
}

/** The daemon's heap ceiling in MB: KAFKA_HEAP_OPTS's -Xmx, else DEFAULT_DAEMON_HEAP_MB. */
export function daemonHeapMb(env: NodeJS.ProcessEnv): number {
  let mb = DEFAULT_DAEMON_HEAP_MB;
  for (const token of (env.KAFKA_HEAP_OPTS ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^-Xm([xs])(\d+)([kmg]?)$/i.exec(token);
    if (!m) throw new UsageError(`KAFKA_HEAP_OPTS: '${token}' cannot be applied to the kafka-ts daemon; only -Xmx<size> (its heap ceiling, e.g. -Xmx1G) and -Xms<size> (no effect) are understood`);
    if (m[1]!.toLowerCase() === 's') continue;
    mb = Math.ceil(Number(m[2]) * SIZE_UNITS[m[3]!.toLowerCase()]!);
    if (mb < 64) throw new UsageError(`KAFKA_HEAP_OPTS: ${token} is below the daemon's least heap of 64 MB`);
  }
  return mb;
}

/** The daemon's environment: the caller's, the malloc settings it did not set, KAFKA_TS_DAEMON=1. */
export function daemonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...DAEMON_MALLOC_ENV, ...env, KAFKA_TS_DAEMON: '1' };
}

/** Where a background start hands its --override pairs to the daemon (a JSON array). */
const OVERRIDES_ENV = 'KAFKA_TS_DAEMON_OVERRIDES';

/**
 * The --override pairs a background start handed to this daemon process, taken out of the
 * environment so that nothing the daemon runs inherits them; [] elsewhere.
 */
export function takeDaemonOverrides(env: NodeJS.ProcessEnv): string[] {
  const raw = env[OVERRIDES_ENV];
  if (raw === undefined || !env.KAFKA_TS_DAEMON) return [];
  delete env[OVERRIDES_ENV];
  delete process.env[OVERRIDES_ENV];
  const list: unknown = JSON.parse(raw);
  return Array.isArray(list) ? list.map(String) : [];
}

export async function startDaemon(paths: DaemonPaths, opts: StartOptions = {}, timeoutMs = 60_000): Promise<DaemonStatus> {
  makeHome(paths);
  const args = [...daemonNodeOptions(process.env), cliEntry(), 'server', 'start', '--foreground', '--data-dir', paths.home];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.brokers !== undefined) args.push('--brokers', String(opts.brokers));
  if (opts.schemaRegistryPort !== undefined) args.push('--schema-registry-port', String(opts.schemaRegistryPort));
  if (opts.schemaRegistry === false) args.push('--no-schema-registry');
  if (opts.propertiesFile) args.push('--config', opts.propertiesFile);
  let logFd: number;
  /** Where this start's lines begin in server.log (earlier runs' lines would mislead). */
  let logStart = 0;
  try {
    logFd = openSync(paths.logFile, 'a');
    logStart = fstatSync(logFd).size;
  } catch (e) {
    throw new FailedError(`Data directory ${paths.home} is not writable (${(e as NodeJS.ErrnoException).code}).`);
  }
  const { spawn } = await import('node:child_process');
  // --override values go in the environment, not the command line: they may hold secrets, and a
  // daemon's arguments are visible to every local user (`ps`) for as long as it runs.
  const env = { ...daemonEnv(process.env), ...(opts.overrides?.length && { [OVERRIDES_ENV]: JSON.stringify(opts.overrides) }) };
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd, 'ipc'], env });
  closeSync(logFd);
  return new Promise<DaemonStatus>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new FailedError(`The daemon did not become ready within ${timeoutMs / 1000} s; see ${paths.logFile}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
    };
    child.on('message', (m: { ready?: DaemonStatus; error?: string; usage?: boolean }) => {
      if (m.ready) {
        cleanup();
        resolvePromise(m.ready);
        return;
      }
      // Report once the failed daemon is gone, so that a retry does not find it still exiting.
      const error = m.usage ? new UsageError(m.error ?? 'The daemon failed to start') : new FailedError(m.error ?? 'The daemon failed to start');
      child.removeAllListeners();
      const fail = () => {
        cleanup();
        reject(error);
      };
      child.once('exit', fail);
      setTimeout(fail, 5000).unref();
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const how = signal ? `was killed by ${signal}` : `exited (status ${code})`;
      reject(new FailedError(startupExitMessage(logSince(paths.logFile, logStart), how, paths.logFile, daemonHeapMb(process.env))));
    });
  });
}

function makeHome(paths: DaemonPaths): void {
  try {
    makeDirectory(paths.home);
  } catch (e) {
    throw new FailedError(`${(e as Error).message}. Choose another data directory with --data-dir or KAFKA_TS_HOME.`);
  }
}

function logSince(file: string, from: number): string {
  try {
    return readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Why the daemon's process ended during start-up, from what it wrote to server.log meanwhile: its
 * last lines, or, when V8 ran out of heap (a native stack trace, of no use to a user), what to do:
 * the data it loads needs a larger heap than it has.
 */
export function startupExitMessage(logText: string, how: string, logFile: string, heapMb: number): string {
  if (/JavaScript heap out of memory/.test(logText)) {
    const larger = Math.max(1, Math.ceil((heapMb * 2) / 1024));
    return `The daemon ran out of memory during start-up: what it loads needs more than its ${heapMb} MB heap. Run the command again with a larger one in the environment, e.g. KAFKA_HEAP_OPTS=-Xmx${larger}G (see ${logFile})`;
  }
  return `The daemon ${how} during start-up; see ${logFile}:\n${logText.trimEnd().split('\n').slice(-5).join('\n')}`;
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
    if (Date.now() > deadline) throw new TimeoutError(`The daemon (pid ${pid}) did not stop within ${timeoutMs / 1000} s`);
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
 * Starts a daemon in `paths.home` unless one runs or is being started there. Commands started
 * together elect one starter through an exclusive lock file holding its pid; the others wait
 * for the daemon it starts (and if it fails, the next of them tries, so each reports the cause).
 * `started` is false when the daemon was there already or another command started it.
 */
export async function startOrJoin(paths: DaemonPaths, opts: StartOptions | (() => Promise<StartOptions>), timeoutMs = 60_000): Promise<{ status: DaemonStatus; started: boolean }> {
  makeHome(paths);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await daemonStatus(paths);
    if (running) return { status: running, started: false };
    let holder = takeStartLock(paths);
    let daemonHolds = false;
    if (holder === null) {
      try {
        // Another starter may have finished between the status check and taking the lock.
        const again = await daemonStatus(paths);
        if (again) return { status: again, started: false };
        // A daemon starting without the lock: a foreground start, or one whose starter was killed.
        holder = silentDaemon(paths);
        daemonHolds = holder !== null;
        if (holder === null) {
          const options = typeof opts === 'function' ? await opts() : opts;
          return { status: await startDaemon(paths, options, Math.max(1000, deadline - Date.now())), started: true };
        }
      } finally {
        releaseStartLock(paths);
      }
    }
    if (Date.now() > deadline) {
      // The pid file's live daemon: starting, or running but too busy to answer (it cannot tell).
      if (daemonHolds) throw new FailedError(`The kafka-ts daemon (pid ${holder}) in ${paths.home} did not answer within ${timeoutMs / 1000} s: it is still starting or too busy to answer; see ${paths.logFile}`);
      throw new FailedError(`Another kafka-ts process${holder > 0 ? ` (pid ${holder})` : ''} is starting the daemon in ${paths.home}, which did not become ready within ${timeoutMs / 1000} s; see ${paths.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of a live daemon that holds the pid file but does not answer (still starting, or busy), else null. */
export function silentDaemon(paths: DaemonPaths): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && readCmdline(pid).includes('kafka-ts') ? pid : null;
}

/** Takes the start lock: null when taken, else the pid of the command holding it. */
/** A start lock still empty after this long was left by a starter killed before it wrote its pid. */
const EMPTY_LOCK_STALE_MS = 5000;

function takeStartLock(paths: DaemonPaths, retry = true): number | null {
  let fd: number | null = null;
  try {
    fd = openSync(paths.startLock, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // Made but not written (a full disk): an empty lock would hold off every later start.
      if (fd !== null) {
        closeSync(fd);
        rmSync(paths.startLock, { force: true });
      }
      throw new FailedError(`Data directory ${paths.home} is not writable (${code}).`);
    }
  }
  let text = '';
  let age = 0;
  try {
    text = readFileSync(paths.startLock, 'utf8');
    age = Date.now() - statSync(paths.startLock).mtimeMs;
  } catch {
    /* released meanwhile */
  }
  const pid = Number(text.trim());
  // An empty file is one being written, unless it has been empty for a while (its starter was
  // killed between making and writing it); a dead (or recycled) pid is a starter that was killed.
  const stale = text === '' ? age > EMPTY_LOCK_STALE_MS : !(Number.isInteger(pid) && pid > 0 && isAlive(pid) && readCmdline(pid).includes('kafka-ts'));
  if (stale && retry) {
    try {
      unlinkSync(paths.startLock);
    } catch {
      /* removed by another waiter */
    }
    return takeStartLock(paths, false);
  }
  return pid || 0;
}

function releaseStartLock(paths: DaemonPaths): void {
  try {
    if (readFileSync(paths.startLock, 'utf8').trim() === String(process.pid)) unlinkSync(paths.startLock);
  } catch {
    /* already gone */
  }
}

/** Remembers the settings of an explicit `server start`, for the daemon commands start later. */
export function rememberStartOptions(paths: DaemonPaths, opts: StartOptions): void {
  try {
    // Mode 0600: --override values may hold secrets (ssl.key.password, sasl.jaas.config).
    writeFileSync(paths.startOptions, `${JSON.stringify(opts, null, 2)}\n`, { mode: 0o600 });
    chmodSync(paths.startOptions, 0o600);
  } catch {
    /* a read-only data dir still runs a daemon; auto-start then uses server.properties */
  }
}

/** The settings of the last explicit `server start` in this data dir, if any. */
export function rememberedStartOptions(paths: DaemonPaths): StartOptions | null {
  let text: string;
  try {
    text = readFileSync(paths.startOptions, 'utf8');
  } catch {
    return null;
  }
  try {
    const o = JSON.parse(text) as StartOptions;
    return {
      port: typeof o.port === 'number' ? o.port : undefined,
      brokers: typeof o.brokers === 'number' ? o.brokers : undefined,
      schemaRegistryPort: typeof o.schemaRegistryPort === 'number' ? o.schemaRegistryPort : undefined,
      schemaRegistry: o.schemaRegistry === false ? false : undefined,
      propertiesFile: typeof o.propertiesFile === 'string' ? o.propertiesFile : undefined,
      overrides: Array.isArray(o.overrides) ? o.overrides.map(String) : undefined,
    };
  } catch {
    throw new FailedError(`Cannot read ${paths.startOptions} (not JSON); remove it or run 'kafka-ts server start' with the settings you want.`);
  }
}

/**
 * The broker properties a start reads: the --config file alone when one is given (as
 * kafka-server-start.sh reads only the file it is given), else the data directory's
 * server.properties (none: {}); --override pairs and flags go on top. Both are refused when not text.
 */
export function startProperties(paths: DaemonPaths, configFile?: string): Record<string, string> {
  if (configFile !== undefined) return readPropertiesFile(configFile);
  return existsSync(paths.properties) ? readPropertiesFile(paths.properties) : {};
}

/**
 * The note for a start given --config while the data directory has a server.properties of its
 * own: that file is not read (it was, merged, before), which would otherwise drop its settings
 * (an authorizer, listeners) without a word.
 */
export function unreadPropertiesNote(paths: DaemonPaths, configFile?: string): string[] {
  if (configFile === undefined || !existsSync(paths.properties) || resolve(configFile) === resolve(paths.properties)) return [];
  return [`${paths.properties} is not read: --config ${configFile} is the one properties file of this start (as kafka-server-start.sh reads one); copy what you need from it.`];
}

/**
 * How many brokers an explicit `server start` runs when --brokers is not given: none decided here
 * when its properties (startProperties and --override) set kafka-ts.brokers; else as many as this
 * data directory was last started with, since its partitions are spread over them (started with
 * fewer, the others' replicas stay in the ISR until they drop out, and acks=all waits on them);
 * else the daemon's default, one.
 */
export function rememberedBrokers(paths: DaemonPaths, props: Record<string, string>): number | undefined {
  if (props['kafka-ts.brokers'] !== undefined) return undefined;
  const n = rememberedStartOptions(paths)?.brokers;
  return n !== undefined && n > 1 ? n : undefined;
}

/**
 * What a command starting the daemon on its own uses: the settings of the last explicit
 * `server start` here; else server.properties in the data dir (read by the daemon) decides;
 * else Kafka's port 9092, or a free port when 9092 is taken (the CLI itself uses the Unix
 * socket, and the line announcing the start names the port).
 */
export async function autoStartOptions(paths: DaemonPaths): Promise<StartOptions> {
  const remembered = rememberedStartOptions(paths);
  if (remembered?.propertiesFile && !existsSync(remembered.propertiesFile)) {
    throw new FailedError(
      `The daemon was last started here with the properties file ${remembered.propertiesFile}, which is gone (remembered in ${paths.startOptions}); start it with 'kafka-ts server start' and the settings you want now.`,
    );
  }
  if (remembered) return remembered;
  let props: Record<string, string> = {};
  try {
    props = parseProperties(readFileSync(paths.properties, 'utf8'));
  } catch {
    /* no server.properties */
  }
  if (props['listeners'] !== undefined || props['port'] !== undefined) return {};
  return (await portFree(DEFAULT_PORT)) ? {} : { port: 0 };
}

function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = net.createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

/**
 * Makes sure a daemon serves `paths.home`, starting one if needed (see autoStartOptions);
 * `announce` receives the one line telling the user it was started.
 */
export async function ensureDaemon(paths: DaemonPaths, announce: (line: string) => void): Promise<DaemonStatus> {
  const { status, started } = await startOrJoin(paths, () => autoStartOptions(paths));
  if (!started) return status;
  const tcp = status.listeners.find((l) => l.startsWith('PLAINTEXT://'))?.slice('PLAINTEXT://'.length);
  const registry = status.schemaRegistry ? `schema registry ${status.schemaRegistry}, ` : '';
  announce(`kafka-ts: started the local broker (pid ${status.pid}, ${tcp ? `listening on ${tcp}, ` : ''}${registry}data in ${status.dataDir})`);
  return status;
}

/** The API version table (as the client keeps it) a daemon's socket answered. */
type VersionTable = Map<number, { min: number; max: number }>;

/**
 * What the daemon's Kafka sockets answered to ApiVersions, kept in the data dir
 * (api-versions.json) so that the next command skips that round trip. An entry holds for the
 * socket file it was negotiated on: a daemon binds a new socket file when it starts, so a
 * restarted daemon (of this or another kafka-ts version) has another inode or ctime and is
 * negotiated again. Unreadable or unwritable files only mean negotiating.
 */
export function daemonApiVersions(paths: DaemonPaths) {
  const file = join(paths.home, 'api-versions.json');
  type Entry = { socket: string; versions: [number, number, number][] };
  const identity = (path: string): string | undefined => {
    try {
      const st = statSync(path, { bigint: true });
      return st.isSocket() ? `${st.dev}:${st.ino}:${st.ctimeNs}:${st.mtimeNs}` : undefined;
    } catch {
      return undefined;
    }
  };
  const read = (): Record<string, Entry> => {
    try {
      const o = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, Entry>) : {};
    } catch {
      return {};
    }
  };
  const write = (entries: Record<string, Entry>) => {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(entries)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* never written */
      }
    }
  };
  const socketOf = (a: { path: string } | { host: string; port: number }) => ('path' in a ? a.path : undefined);
  return {
    get(address: { path: string } | { host: string; port: number }): VersionTable | undefined {
      const path = socketOf(address);
      const id = path === undefined ? undefined : identity(path);
      const entry = id === undefined ? undefined : read()[path!];
      if (!entry || entry.socket !== id || !Array.isArray(entry.versions)) return undefined;
      return new Map(entry.versions.map(([k, min, max]) => [k, { min, max }]));
    },
    set(address: { path: string } | { host: string; port: number }, versions: VersionTable): void {
      const path = socketOf(address);
      const id = path === undefined ? undefined : identity(path);
      if (id === undefined) return;
      write({ ...read(), [path!]: { socket: id, versions: [...versions].map(([k, v]) => [k, v.min, v.max]) } });
    },
    forget(address: { path: string } | { host: string; port: number }): void {
      const path = socketOf(address);
      if (path === undefined) return;
      const entries = read();
      if (!(path in entries)) return;
      delete entries[path];
      write(entries);
    },
  };
}

/**
 * Runs the daemon in this process (`--foreground`). Its start-up failures come from the daemon's
 * own bundle, with its own copy of the error classes; the CLI classifies them by kind all the same.
 */
export async function runDaemonHere(home: string, properties: Record<string, string>, onReady?: () => void): Promise<ExitStatusKey> {
  const { runForeground } = await import('./server-run.js');
  return runForeground(home, properties, onReady);
}
