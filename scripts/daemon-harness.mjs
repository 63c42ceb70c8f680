// Shared by scripts/fuzz.mjs and scripts/chaos.mjs: the real daemon process (the built
// bin/kafka-ts.cjs, KAFKA_TS_HOME in a temp dir), its log, the client from dist/, a seeded PRNG
// and argument parsing. Needs a build (`npm run build`).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'kafka-ts.cjs');

export async function loadClient() {
  if (!existsSync(join(ROOT, 'dist', 'src', 'client', 'client.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const client = await import('../dist/src/client/client.js');
  const { Admin } = await import('../dist/src/client/admin.js');
  const { Producer } = await import('../dist/src/client/producer/producer.js');
  const { Fetcher } = await import('../dist/src/client/consumer/fetcher.js');
  return { KafkaClient: client.KafkaClient, parseBootstrap: client.parseBootstrap, Admin, Producer, Fetcher };
}

/** `--key value` and `--flag` pairs; numbers stay strings. */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (!(key in defaults)) throw new Error(`unknown option --${key} (options: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')})`);
    const next = argv[i + 1];
    if (typeof defaults[key] === 'boolean' && (next === undefined || next.startsWith('--'))) out[key] = true;
    else {
      out[key] = typeof defaults[key] === 'number' ? Number(next) : typeof defaults[key] === 'boolean' ? next === 'true' : next;
      if (typeof defaults[key] === 'number' && !Number.isFinite(out[key])) throw new Error(`--${key} needs a number, got ${next}`);
      i++;
    }
  }
  return out;
}

/** sfc32 seeded through splitmix32: `rng()` in [0, 1), `int(n)` in [0, n). */
export function makeRng(...seeds) {
  let h = 0x9e3779b9;
  for (const s of seeds) {
    h = Math.imul(h ^ (s >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  const split = () => {
    h = (h + 0x9e3779b9) | 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const rng = () => next();
  rng.int = (n) => Math.floor(next() * n);
  rng.pick = (arr) => arr[Math.floor(next() * arr.length)];
  rng.chance = (p) => next() < p;
  return rng;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, cond, timeoutMs = 30_000, everyMs = 20) {
  const start = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Runs the kafka-ts binary against `home`; resolves with its exit code and output. */
export function kafkaTs(args, home, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', KAFKA_TS_CONTEXT: '', KAFKA_TS_CONFIG_DIR: join(home, '.config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function tempHome(prefix) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * Starts the daemon in the background (`server start`), as a user would; resolves with its pid
 * and the PLAINTEXT bootstrap of every live broker.
 */
export async function startDaemon(home, { port = 0, brokers = 1, overrides = {} } = {}) {
  const args = ['server', 'start', '--port', String(port), '--brokers', String(brokers), '--data-dir', home, '--output', 'json'];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const r = await kafkaTs(args, home, 120_000);
  if (r.code !== 0) throw new Error(`daemon failed to start (exit ${r.code}): ${(r.stderr + r.stdout).trim()}`);
  const status = JSON.parse(r.stdout);
  const tcp = status.listeners.filter((l) => l.startsWith('PLAINTEXT://')).map((l) => l.slice('PLAINTEXT://'.length));
  return { pid: status.pid, bootstrap: tcp.join(','), first: tcp[0], status };
}

export async function stopDaemon(home) {
  return kafkaTs(['server', 'stop', '--data-dir', home], home, 60_000);
}

/** SIGKILLs the pid and waits until it is gone. */
export async function killHard(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await waitFor(`pid ${pid} to exit after SIGKILL`, () => !alive(pid), 30_000, 5);
}

/** Counts the ERROR and WARN lines of the daemon's server.log; keeps the first ERROR lines. */
export function scanLog(home) {
  const file = join(home, 'server.log');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  const errors = lines.filter((l) => /^\[[^\]]+\] ERROR /.test(l));
  const warns = lines.filter((l) => /^\[[^\]]+\] WARN /.test(l));
  return { errors: errors.length, warns: warns.length, firstErrors: errors.slice(0, 5), warnLines: warns };
}

/** Whether a listener can take `port` on 127.0.0.1 now. */
function canListen(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first port of the kernel's ephemeral range (where outgoing connections take their source ports). */
function ephemeralLow() {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * A port free now, and the `count - 1` after it (a daemon of `count` brokers listens on them), for
 * a daemon that must come back on the same ports after a restart. Taken below the kernel's
 * ephemeral range: an outgoing connection of another process (a parallel test's client) can take
 * a port of that range as its source port and hold it for as long as it lives, and one held a
 * restarting broker's port for over 30 s in CI.
 */
export async function freePort(count = 1) {
  const low = Math.min(ephemeralLow(), 65536);
  const from = 10_000;
  for (let attempt = 0; low - count > from && attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (low - count - from));
    let free = true;
    for (let i = 0; i < count && free; i++) free = await canListen(port + i);
    if (free) return port;
  }
  throw new Error(`no ${count} free consecutive port(s) between ${from} and the ephemeral range's start ${low}`);
}

/** Reads every record of `topic` from the beginning to the end offsets it has now. */
export async function readAll(lib, client, topic, partitions) {
  const admin = new lib.Admin(client);
  const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, timestamp: -1 })));
  const fetcher = new lib.Fetcher(client, { maxWaitMs: 50 });
  await fetcher.assign(ends.map((e) => ({ topic, partition: e.partition, start: 'earliest', stopAt: e.offset })));
  const out = [];
  const deadline = Date.now() + 120_000;
  while (!fetcher.allAtEnd()) {
    if (Date.now() > deadline) throw new Error(`reading ${topic} back did not finish in 120 s (${out.length} records read)`);
    for (const ch of await fetcher.poll()) for (const r of ch.records) out.push({ partition: r.partition, offset: r.offset, value: r.value ? r.value.toString() : null });
  }
  fetcher.close();
  return out;
}

/** Whatever ends this script (an exception included), the daemons it started do not outlive it. */
const started = new Set();
export function ownDaemon(pid) {
  started.add(pid);
}
process.on('exit', () => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
});
