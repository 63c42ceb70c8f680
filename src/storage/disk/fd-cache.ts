/**
 * A bounded, least-recently-used cache of open file descriptors for segment files.
 *
 * Every partition has at least three segment files (.log, .index, .timeindex); holding them all
 * open ties the number of partitions to the process's fd limit (at 20,000 fds, topic creation
 * failed near 6,600 partitions and the daemon could then not start). Segments instead ask this
 * cache for a descriptor just before each file operation; when `capacity` descriptors are open
 * the least recently used one is closed. A descriptor is never held by a caller across another
 * `fd()` call (an evicted number may be reused by the kernel for another file), so every
 * descriptor is evictable between operations, including the active segment's.
 *
 * Closing loses nothing: segment writes go to the page cache through `writeSync` and nothing
 * here is memory-mapped, so a reopened descriptor sees every byte written through the old one.
 *
 * When opening fails with EMFILE/ENFILE (the cap is above what the process can really open,
 * or sockets and other files use up the limit), the cache gives back half of its descriptors and
 * lowers its cap to what it kept, so that other opens (sockets, checkpoint files) find room again,
 * and retries; only when the cache is empty does the error reach the caller. Code opening files
 * outside the cache can call `relieve()` on EMFILE the same way.
 */
import { closeSync, openSync, readFileSync } from './fs-ops.js';

/** Capacity used when the process's fd limit cannot be read (non-Linux). */
const FALLBACK_CAPACITY = 512;
/** The smallest capacity the default picks, whatever the limit says. */
const MIN_DEFAULT_CAPACITY = 16;

/** The soft "Max open files" limit of this process (Linux /proc/self/limits), or null. */
export function openFilesSoftLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (!m) return null;
  if (m[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Default capacity: half the soft fd limit (the rest is for sockets and other files). */
export function defaultFdCapacity(limitsText?: string): number {
  const limit = openFilesSoftLimit(limitsText);
  if (limit === null) return FALLBACK_CAPACITY;
  return Math.max(MIN_DEFAULT_CAPACITY, Math.min(Math.floor(limit / 2), 1 << 20));
}

/** Whether an error says the process (EMFILE) or the system (ENFILE) is out of descriptors. */
export const isFdExhaustion = (e: unknown): boolean => {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
};

export interface FdCacheStats {
  /** Descriptors open now. */
  open: number;
  /** The cap now: the configured one, or lower after EMFILE. */
  capacity: number;
  /** open(2) calls made (first opens and reopens after eviction). */
  opens: number;
  /** Descriptors closed to make room. */
  evictions: number;
  /** Descriptors closed because EMFILE/ENFILE said the process was out of them. */
  emergencyEvictions: number;
  /** Times EMFILE/ENFILE lowered the cap. */
  exhaustions: number;
}

/** A cached descriptor, linked into the cache's use order. */
interface Entry {
  path: string;
  fd: number;
  /** The entry used just before this one, and just after (null at the ends). */
  older: Entry | null;
  newer: Entry | null;
}

export class FdCache {
  /**
   * path -> entry. The use order is a linked list through the entries, not the Map's insertion
   * order: moving a key to the end of a Map (delete, then set) costs V8 time that grows with the
   * Map's size (~9 us a use with 9,000 files open), and every read or write of a segment is a use.
   */
  private readonly fds = new Map<string, Entry>();
  /** Least and most recently used. */
  private oldest: Entry | null = null;
  private newest: Entry | null = null;
  private opens = 0;
  private evictions = 0;
  private emergencyEvictions = 0;
  private exhaustions = 0;
  /** The cap in force: `capacity`, lowered by `relieve()`. */
  private limit: number;

  constructor(
    readonly capacity: number = defaultFdCapacity(),
    /** Told when EMFILE/ENFILE made the cache give descriptors back (for one WARN line). */
    private readonly onRelieve?: (closed: number, cap: number) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`fd cache capacity must be a positive integer, got ${capacity}`);
    this.limit = capacity;
  }

  /**
   * The process ran out of descriptors: closes half of the cached ones and lowers the cap to
   * the rest. Returns false when there was nothing to give back (the caller's error stands).
   */
  relieve(): boolean {
    if (this.fds.size === 0) return false;
    this.exhaustions++;
    this.limit = Math.max(1, this.fds.size >> 1);
    let closed = 0;
    while (this.fds.size > this.limit) {
      this.evictOldest();
      this.evictions--;
      this.emergencyEvictions++;
      closed++;
    }
    this.onRelieve?.(closed, this.limit);
    return true;
  }

  /**
   * A descriptor for `path` (opened read-write; the file must exist). Use it at once: the next
   * call on this cache may close it.
   */
  fd(path: string): number {
    const cached = this.fds.get(path);
    if (cached !== undefined) {
      if (cached !== this.newest) {
        this.unlink(cached);
        this.append(cached);
      }
      return cached.fd;
    }
    return this.openInto(path, 'r+');
  }

  /** Creates (or empties) `path` and returns a descriptor for it, as `fd()` does. */
  create(path: string): number {
    this.close(path);
    return this.openInto(path, 'w+');
  }

  /** Closes `path`'s descriptor if it is open (before the file is deleted, renamed or replaced). */
  close(path: string): void {
    const entry = this.fds.get(path);
    if (entry === undefined) return;
    this.fds.delete(path);
    this.unlink(entry);
    closeSync(entry.fd);
  }

  /** Closes every cached descriptor. */
  closeAll(): void {
    for (const { fd } of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.fds.clear();
    this.oldest = this.newest = null;
  }

  has(path: string): boolean {
    return this.fds.has(path);
  }

  stats(): FdCacheStats {
    return { open: this.fds.size, capacity: this.limit, opens: this.opens, evictions: this.evictions, emergencyEvictions: this.emergencyEvictions, exhaustions: this.exhaustions };
  }

  private openInto(path: string, flags: 'r+' | 'w+'): number {
    while (this.fds.size >= this.limit) this.evictOldest();
    let fd: number;
    for (;;) {
      try {
        fd = openSync(path, flags);
        break;
      } catch (e) {
        // Out of descriptors: give back half of ours, keep to that from now on, and try again.
        if (!isFdExhaustion(e) || !this.relieve()) throw e;
      }
    }
    this.opens++;
    const entry: Entry = { path, fd, older: null, newer: null };
    this.fds.set(path, entry);
    this.append(entry);
    return fd;
  }

  private evictOldest(): void {
    const entry = this.oldest;
    if (entry === null) return;
    this.fds.delete(entry.path);
    this.unlink(entry);
    this.evictions++;
    closeSync(entry.fd);
  }

  /** Makes `entry` the most recently used (it is not in the list). */
  private append(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  /** Takes `entry` out of the use order. */
  private unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }
}
