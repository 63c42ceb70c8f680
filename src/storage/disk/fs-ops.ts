/**
 * The file-system calls the disk store makes, in one place.
 *
 * segment.ts, disk-store.ts and fd-cache.ts import every node:fs function they use from here
 * rather than from 'node:fs' directly, so that tests can substitute failing calls (fault
 * injection) without touching the storage code.
 *
 * TESTING ONLY: a fault plan (`setFaultPlan`, or the daemon's `KAFKA_TS_FAULTS` environment
 * variable, see `faultPlanFromEnv`) makes open/write/fsync/read calls on files under one directory
 * fail with ENOSPC or EIO, or delays them. With no plan (always, outside tests) every call goes
 * straight to node:fs; the only cost is remembering which path each open descriptor belongs to.
 */
import * as fs from 'node:fs';
import { sep } from 'node:path';

export { existsSync, fstatSync, ftruncateSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, utimesSync } from 'node:fs';
export { rm } from 'node:fs/promises';

/** The calls a fault plan can affect: openSync; writeSync and writeFileSync; fsyncSync; readSync and readFileSync. */
export type FaultOp = 'open' | 'write' | 'fsync' | 'read';
const FAULT_OPS: readonly FaultOp[] = ['open', 'write', 'fsync', 'read'];
export type FaultError = 'ENOSPC' | 'EIO';
const ERRNO: Record<FaultError, { errno: number; text: string }> = {
  ENOSPC: { errno: -28, text: 'no space left on device' },
  EIO: { errno: -5, text: 'i/o error' },
};

/** A fault to inject (testing only). */
export interface FaultPlan {
  /** Calls on files under this directory are affected (its own files included). */
  dir: string;
  ops: readonly FaultOp[];
  /** Fail each affected call with this error (as node:fs would throw it). */
  error?: FaultError;
  /**
   * Delay each affected call by this many milliseconds (before failing, if `error` is set too).
   * Storage I/O is synchronous, so the delay blocks the whole process, as a slow disk would.
   */
  delayMs?: number;
  /** Only while this file exists: a child-process test arms and disarms the fault with it. */
  whileExists?: string;
  /**
   * With ENOSPC: writes succeed until this many more bytes were written under `dir`; the write
   * that crosses the limit writes the part that fits (a short write, as a full disk gives) and
   * the ones after it fail. Without it every affected call fails at once.
   */
  spaceBytes?: number;
}

let plan: FaultPlan | null = null;
let planDir = '';
/**
 * Path of every descriptor opened through here, by number (fault plans match descriptors by
 * path). An array: the kernel hands back the lowest free number, so a full fd cache closes and
 * reopens the same number at every miss, and a Map deleting and re-adding one key slows down with
 * its size (see FdCache).
 */
const fdPaths: (string | undefined)[] = [];
/** Calls the plan affected, for tests. */
let injected = 0;
/** Bytes that still fit under the plan's `spaceBytes`, or -1 for none. */
let spaceLeft = -1;

/** Installs (or with null removes) the fault plan. Testing only. */
export function setFaultPlan(p: FaultPlan | null): void {
  if (p) {
    for (const op of p.ops) if (!FAULT_OPS.includes(op)) throw new Error(`unknown fault op ${op} (expected ${FAULT_OPS.join(', ')})`);
    if (p.error !== undefined && !(p.error in ERRNO)) throw new Error(`unknown fault error ${p.error} (expected ENOSPC or EIO)`);
    if (p.delayMs !== undefined && !(Number.isFinite(p.delayMs) && p.delayMs >= 0)) throw new Error(`fault delayMs must be a number >= 0, got ${p.delayMs}`);
    if (p.error === undefined && !p.delayMs) throw new Error('a fault plan needs an error or a delayMs');
    if (p.spaceBytes !== undefined && !(Number.isInteger(p.spaceBytes) && p.spaceBytes >= 0 && p.error === 'ENOSPC')) {
      throw new Error(`fault spaceBytes must be an integer >= 0 and goes with error ENOSPC, got ${p.spaceBytes}`);
    }
  }
  plan = p;
  spaceLeft = p?.spaceBytes ?? -1;
  planDir = p ? p.dir.replace(/[\\/]+$/, '') : '';
  injected = 0;
}

/** How many calls the current plan has failed or delayed. */
export function faultsInjected(): number {
  return injected;
}

/**
 * The plan in `KAFKA_TS_FAULTS` (testing only), JSON with FaultPlan's fields, e.g.
 * `{"dir":"/tmp/logs","ops":["write","fsync"],"error":"ENOSPC","whileExists":"/tmp/arm"}`.
 * Returns null when unset or empty; throws on a malformed value.
 */
export function faultPlanFromEnv(value: string | undefined): FaultPlan | null {
  if (value === undefined || value.trim() === '') return null;
  let p: unknown;
  try {
    p = JSON.parse(value);
  } catch {
    throw new Error(`KAFKA_TS_FAULTS is not JSON: ${value}`);
  }
  const o = p as Partial<FaultPlan> | null;
  if (!o || typeof o.dir !== 'string' || !Array.isArray(o.ops)) throw new Error('KAFKA_TS_FAULTS needs "dir" (a path) and "ops" (a list of open, write, fsync, read)');
  return { dir: o.dir, ops: o.ops, error: o.error, delayMs: o.delayMs, whileExists: o.whileExists, spaceBytes: o.spaceBytes };
}

function affects(op: FaultOp, path: string | undefined): boolean {
  if (!plan || path === undefined || !plan.ops.includes(op)) return false;
  if (path !== planDir && !path.startsWith(planDir + sep)) return false;
  return plan.whileExists === undefined || fs.existsSync(plan.whileExists);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Applies the plan to one call of `bytes` bytes: waits, then throws when the plan says so.
 * Returns how many of the bytes may be written (a short write when `spaceBytes` runs out).
 */
function inject(op: FaultOp, syscall: string, path: string | undefined, showPath: boolean, bytes = 0): number {
  if (!affects(op, path)) return bytes;
  if (spaceLeft >= 0 && op === 'write') {
    if (spaceLeft >= bytes || (spaceLeft > 0 && syscall === 'write')) {
      const fits = Math.min(bytes, spaceLeft);
      spaceLeft -= fits;
      return fits;
    }
  }
  injected++;
  const { delayMs, error } = plan!;
  if (delayMs) Atomics.wait(sleeper, 0, 0, delayMs);
  if (error === undefined) return bytes;
  const { errno, text } = ERRNO[error];
  throw Object.assign(new Error(`${error}: ${text}, ${syscall}${showPath ? ` '${path}'` : ''}`), { errno, code: error, syscall, ...(showPath ? { path } : {}) });
}

const pathOf = (p: fs.PathLike | number): string | undefined => (typeof p === 'number' ? fdPaths[p] : String(p));

export const openSync: typeof fs.openSync = (path, flags, mode) => {
  if (plan) inject('open', 'open', pathOf(path), true);
  const fd = fs.openSync(path, flags, mode);
  fdPaths[fd] = String(path);
  return fd;
};

export const closeSync: typeof fs.closeSync = (fd) => {
  fdPaths[fd] = undefined;
  fs.closeSync(fd);
};

export const writeSync = ((fd: number, buffer: NodeJS.ArrayBufferView, offset?: number, length?: number, position?: number | null) => {
  if (plan) {
    const from = offset ?? 0;
    const len = length ?? buffer.byteLength - from;
    const allowed = inject('write', 'write', fdPaths[fd], false, len);
    if (allowed < len) return fs.writeSync(fd, buffer, from, allowed, position);
  }
  return fs.writeSync(fd, buffer, offset, length, position);
}) as typeof fs.writeSync;

export const writeFileSync: typeof fs.writeFileSync = (file, data, options) => {
  if (plan) inject('write', 'open', pathOf(file), true, typeof data === 'string' ? Buffer.byteLength(data) : (data as NodeJS.ArrayBufferView).byteLength);
  fs.writeFileSync(file, data, options);
};

export const fsyncSync: typeof fs.fsyncSync = (fd) => {
  if (plan) inject('fsync', 'fsync', fdPaths[fd], false);
  fs.fsyncSync(fd);
};

export const readSync = ((fd: number, ...rest: unknown[]) => {
  if (plan) inject('read', 'read', fdPaths[fd], false);
  return (fs.readSync as (fd: number, ...a: unknown[]) => number)(fd, ...rest);
}) as typeof fs.readSync;

export const readFileSync = ((path: fs.PathOrFileDescriptor, options?: unknown) => {
  if (plan) inject('read', 'read', pathOf(path as fs.PathLike | number), false);
  return (fs.readFileSync as (p: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(path, options);
}) as typeof fs.readFileSync;

/** fdatasync calls made through `datasyncPath` (durable mode), for tests and status. */
let datasyncs = 0;
export function datasyncCount(): number {
  return datasyncs;
}

/**
 * Makes a file's (or directory's) written data durable: opens it with its own descriptor,
 * fdatasync(2) off the event loop (the libuv pool), closes it. A descriptor of its own, so the fd
 * cache may evict the segment's descriptor meanwhile; fdatasync flushes the file, not the
 * descriptor. Opening and closing are quick calls on the event loop: done asynchronously they
 * each waited for a turn of a busy loop, which made every group-commit round (and every
 * acknowledgement waiting on it) three turns longer. A fault plan's 'fsync' op applies to it. A
 * file removed meanwhile (retention, truncation) is nothing to sync.
 */
export async function datasyncPath(path: string): Promise<void> {
  if (plan) inject('fsync', 'fdatasync', path, true);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  datasyncs++;
  await new Promise<void>((resolve, reject) =>
    fs.fdatasync(fd, (err) => {
      // A failing close must reject the sync, not escape this callback as an uncaught exception.
      try {
        fs.closeSync(fd);
      } catch (e) {
        err ??= e as NodeJS.ErrnoException;
      }
      if (err) reject(err);
      else resolve();
    }),
  );
}
