/**
 * Read-modify-write of a small file shared by concurrent processes (the context store): an
 * exclusive lock file beside it (created with O_EXCL, holding the owner's pid) and an atomic
 * replacement (a temporary file renamed over the old one), so that two writers never lose each
 * other's change and a reader never sees half a file.
 */
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { FailedError } from './errors.js';

/** How long a writer waits for another one's lock before it gives up. */
export const LOCK_WAIT_MS = 10_000;
/** A lock file without a pid (its owner died between creating and writing it) is stale after this. */
const EMPTY_LOCK_STALE_MS = 5_000;
/**
 * A lock taken on another host (a shared home, a container's mounted config dir: its pid means
 * nothing here) is stale only after this; a change under the lock takes milliseconds.
 */
const FOREIGN_LOCK_STALE_MS = 60_000;
/** Who holds a lock: `pid@host` in the lock file (asked when needed: node:os loads lazily, see src/cli/launch.ts). */
const lockHolder = (): string => `${process.pid}@${hostname()}`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The pid in a lock file taken on this host, 'foreign' for one taken on another, undefined when
 * it has none (yet), null when the file is gone.
 */
function lockOwner(lockPath: string): number | 'foreign' | undefined | null {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const [pidText, host] = text.split('@');
  if (host !== undefined && host !== hostname()) return 'foreign';
  const pid = Number.parseInt(pidText ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

const olderThan = (path: string, ms: number): boolean => {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
};

/** Whether the lock at lockPath belongs to nobody any more: its pid is dead, or it has none (or another host's) and is old. */
function isStale(lockPath: string, owner: number | 'foreign' | undefined): boolean {
  if (owner === 'foreign') return olderThan(lockPath, FOREIGN_LOCK_STALE_MS);
  if (owner !== undefined) return owner !== process.pid && !alive(owner);
  return olderThan(lockPath, EMPTY_LOCK_STALE_MS);
}

/** Whether this process holds the lock at lockPath (it could have been broken as stale meanwhile). */
const holds = (lockPath: string): boolean => {
  try {
    return readFileSync(lockPath, 'utf8').trim() === lockHolder();
  } catch {
    return false;
  }
};

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

/**
 * Takes the lock at lockPath (waiting up to waitMs for its holder), runs fn, and releases it. fn
 * calls `assertHeld` right before its write: a lock broken meanwhile (judged stale by mistake)
 * fails the change instead of letting two writers overwrite each other.
 */
export async function withFileLock<T>(lockPath: string, fn: (assertHeld: () => void) => T | Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new FailedError(`Cannot create the lock file ${lockPath}: ${code ?? (e as Error).message}`);
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${lockHolder()}\n`);
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
  const assertHeld = () => {
    if (!holds(lockPath)) throw new FailedError(`${lockPath} was taken over by another process while this one held it; nothing was written: try again`);
  };
  try {
    return await fn(assertHeld);
  } finally {
    try {
      if (holds(lockPath)) unlinkSync(lockPath);
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
