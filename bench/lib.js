// Shared benchmark helpers: a daemon on a temp dir and free port, timing external commands,
// and printing result tables.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'kafka-ts.cjs');
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
export const TICK = 100;

/** CPU ticks of this process's exited, waited-for children (cutime + cstime of /proc/self/stat). */
export function childTicks() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return Number(f[13]) + Number(f[14]);
}

export function requireKcat() {
  const r = spawnSync('kcat', ['-V']);
  if (r.status !== 0) throw new Error('kcat is required for the benchmarks: apt-get install -y kcat');
}

export function kafkaTs(args, home, opts = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, KAFKA_TS_HOME: home }, encoding: 'utf8', ...opts });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`kafka-ts ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

/** Starts a daemon on a fresh temp dir; returns {home, bootstrap, pid, stop()}. */
export function startDaemon(extra = []) {
  const home = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-'));
  const r = kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--output', 'json', ...extra], home);
  const status = JSON.parse(r.stdout);
  const bootstrap = status.listeners.find((l) => l.startsWith('PLAINTEXT://')).slice('PLAINTEXT://'.length);
  return {
    home,
    bootstrap,
    pid: status.pid,
    stop() {
      kafkaTs(['server', 'stop', '--data-dir', home], home, { allowFail: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a command to completion and returns its wall-clock seconds. `inputFile` feeds stdin from
 * a file; stdout goes to /dev/null unless `stdout` is given.
 */
export function timed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const stdin = opts.inputFile ? openSync(opts.inputFile, 'r') : 'ignore';
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: [stdin, opts.stdout ?? 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
    if (typeof stdin === 'number') closeSync(stdin);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else resolve({ seconds, code, stderr: err });
    });
  });
}

/** Writes `count` lines of `size` bytes (newline included) to a file; returns its path. */
export function lineFile(dir, count, size, keyed = false) {
  const path = join(dir, `lines-${count}x${size}${keyed ? '-keyed' : ''}.txt`);
  const fd = openSync(path, 'w');
  const chunk = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const head = keyed ? `key-${i % 1000}\t` : '';
    const body = `${head}${i} `;
    chunk.push(body + 'x'.repeat(Math.max(0, size - 1 - body.length)) + '\n');
    bytes += size;
    if (chunk.length === 10000) {
      writeSync(fd, chunk.join(''));
      chunk.length = 0;
    }
  }
  if (chunk.length) writeSync(fd, chunk.join(''));
  closeSync(fd);
  return path;
}

export function table(rows) {
  const cols = Object.keys(rows[0]);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(widths[i])).join('  ');
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The median of a list of numbers (the upper one of the middle two for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall time in ms of `runs` executions of a command, after 3 warm-up runs; each must exit 0. */
export function wall(cmd, args, env, runs) {
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    if (i >= 3) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}
