/**
 * Read-modify-write of a small file shared by concurrent processes (the context store): an
 * exclusive lock file beside it (created with O_EXCL, holding the owner's pid) and an atomic
 * replacement (a temporary file renamed over the old one), so that two writers never lose each
 * other's change and a reader never sees half a file.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { FailedError } from './errors.js';

/** How long a writer waits for another one's lock before it gives up. */
export const LOCK_WAIT_MS = 10_000;
/** A lock file without a pid (its owner died between creating and writing it) is stale after this. */
const EMPTY_LOCK_STALE_MS = 5_000;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid in a lock file, undefined when it has none (yet), null when the file is gone. */
function lockOwner(lockPath: string): number | undefined | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Whether the lock at lockPath belongs to nobody any more: its pid is dead, or it has none and is old. */
function isStale(lockPath: string, owner: number | undefined): boolean {
  if (owner !== undefined) return owner !== process.pid && !alive(owner);
  try {
    return Date.now() - statSync(lockPath).mtimeMs > EMPTY_LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock without removing one a live process took meanwhile: the lock is renamed
 * aside (atomic), and put back if what was moved turns out not to be stale.
 */
function breakStaleLock(lockPath: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // gone already: someone else broke or released it
  }
  const owner = lockOwner(aside);
  if (owner !== null && !isStale(aside, owner)) {
    try {
      linkSync(aside, lockPath);
    } catch {
      /* a third process holds the lock now; the one moved aside is lost to its owner, which still finishes its write */
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    /* already gone */
  }
}

/** Takes the lock at lockPath (waiting up to waitMs for its holder), runs fn, and releases it. */
export async function withFileLock<T>(lockPath: string, fn: () => T | Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    }
    const owner = lockOwner(lockPath);
    if (owner === null) continue;
    if (isStale(lockPath, owner)) {
      breakStaleLock(lockPath);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new FailedError(
        `${lockPath} is locked${owner === undefined ? '' : ` by process ${owner}`} (still locked after ${waitMs / 1000} s); if no kafka-ts command is running, remove the lock file`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    try {
      if (lockOwner(lockPath) === process.pid) unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Replaces the file at path with text atomically (a temporary file in the same directory, synced,
 * then renamed over it), with exactly `mode`: a file of secrets rewritten is private again even
 * if someone had opened it up.
 */
export function writeFileAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, mode); // the umask may have taken bits off
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
    throw e;
  }
}
