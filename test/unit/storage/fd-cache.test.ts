/**
 * The bounded segment-fd cache: LRU eviction, the default sized from the process's fd limit, and
 * disk logs that behave exactly like the in-memory store while the cache keeps only a few files
 * open (every descriptor evicted and reopened between operations).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FdCache, defaultFdCapacity, openFilesSoftLimit } from '../../../src/storage/disk/fd-cache.js';
import { DiskLogStore } from '../../../src/storage/disk/disk-store.js';
import { MemoryLogStore } from '../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type LogStore, StorageError } from '../../../src/storage/log-store.js';
import { decodeBatchRecords, encodeBatch } from '../../../src/protocol/record-batch.js';
import { tempDir } from '../../helpers/tmp.js';
import { seeded } from '../../helpers/random.js';

const config = (over: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, ...over });
const batchOf = (values: string[], timestamp = 1_700_000_000_000): Buffer =>
  encodeBatch(
    values.map((v, i) => ({ key: Buffer.from(`k${v}`), value: Buffer.from(v), timestamp: timestamp + i })),
    { now: timestamp },
  );

/** Every record of a partition as offset:value, read in small steps (many reads, many reopens). */
function dump(store: LogStore, topic: string, cfg: LogConfig): string[] {
  const log = store.open(topic, 0, cfg);
  const out: string[] = [];
  let offset = log.logStartOffset();
  const end = log.logEndOffset();
  while (offset < end) {
    const { batches } = log.read(offset, 64, end);
    if (batches.length === 0) break;
    for (const b of batches) for (const r of decodeBatchRecords(b)) if (r.offset >= offset) out.push(`${r.offset}:${r.value!.toString()}`);
    offset = decodeBatchRecords(batches.at(-1)!).at(-1)!.offset + 1;
  }
  return out;
}

/** Descriptors this process has open (Linux), or null. */
const openFds = (): number | null => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : null);

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('kafka-ts-fdcache-')));
afterEach(() => cleanup());

describe('FdCache', () => {
  it('keeps at most `capacity` files open, closing the least recently used', () => {
    const cache = new FdCache(2);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, n));
    for (const p of [a, b, c]) writeFileSync(p!, '');
    cache.fd(a!);
    cache.fd(b!);
    cache.fd(a!); // a is now the most recently used
    cache.fd(c!); // evicts b
    expect([cache.has(a!), cache.has(b!), cache.has(c!)]).toEqual([true, false, true]);
    expect(cache.stats()).toMatchObject({ open: 2, capacity: 2, opens: 3, evictions: 1 });
    cache.fd(b!); // reopened, evicts a
    expect(cache.has(a!)).toBe(false);
    expect(cache.stats()).toMatchObject({ open: 2, opens: 4, evictions: 2 });
    cache.closeAll();
    expect(cache.stats().open).toBe(0);
  });

  it('evicts in exact least-recently-used order through uses, closes, creates and evictions', () => {
    // A reference model (an array, most recent last) beside the cache, over a seeded random walk.
    const files = Array.from({ length: 12 }, (_, i) => join(dir, `f${i}`));
    for (const f of files) writeFileSync(f, '');
    const capacity = 5;
    const cache = new FdCache(capacity);
    const model: string[] = [];
    let limit = capacity;
    let evicted = 0;
    const use = (f: string) => {
      const at = model.indexOf(f);
      if (at >= 0) model.splice(at, 1);
      else if (model.length >= limit) {
        model.shift();
        evicted++;
      }
      model.push(f);
    };
    const next = seeded(7).int;
    for (let step = 0; step < 3000; step++) {
      const f = files[next(files.length)]!;
      const op = next(10);
      if (op === 9 && model.length > 1) {
        // EMFILE: the cache gives back its older half and keeps to the rest from now on.
        cache.relieve();
        const keep = Math.max(1, model.length >> 1);
        model.splice(0, model.length - keep);
        limit = keep;
      } else if (op === 0) {
        cache.close(f);
        const at = model.indexOf(f);
        if (at >= 0) model.splice(at, 1);
      } else if (op === 1) {
        cache.create(f);
        const at = model.indexOf(f);
        if (at >= 0) model.splice(at, 1);
        use(f);
      } else {
        cache.fd(f);
        use(f);
      }
      const open = files.filter((x) => cache.has(x));
      expect(open.sort(), `step ${step}`).toEqual([...model].sort());
    }
    expect(evicted, 'the walk evicted often').toBeGreaterThan(200);
    // Filled to its limit, the cache's next eviction takes the model's oldest.
    for (const x of files) {
      if (model.length >= limit) break;
      if (!model.includes(x)) {
        cache.fd(x);
        use(x);
      }
    }
    const outside = files.find((x) => !model.includes(x))!;
    const oldest = model[0]!;
    cache.fd(outside);
    expect(cache.has(oldest)).toBe(false);
    expect(cache.has(outside)).toBe(true);
    cache.closeAll();
    expect(cache.stats().open).toBe(0);
    cache.fd(files[0]!);
    expect(cache.stats().open).toBe(1);
    cache.closeAll();
  });

  it('reopens files read-write without creating them; create() makes or empties one', () => {
    const cache = new FdCache(4);
    expect(() => cache.fd(join(dir, 'missing'))).toThrow(/ENOENT/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    writeFileSync(join(dir, 'full'), 'data');
    cache.create(join(dir, 'full'));
    expect(readdirSync(dir).sort()).toEqual(['full']);
    expect(existsSync(join(dir, 'full'))).toBe(true);
    cache.closeAll();
  });

  it('gives back half its descriptors and keeps to that cap when the process runs out (relieve)', () => {
    const cache = new FdCache(10);
    const paths = Array.from({ length: 8 }, (_, i) => join(dir, `f${i}`));
    for (const p of paths) (writeFileSync(p, ''), cache.fd(p));
    expect(cache.relieve()).toBe(true);
    expect(cache.stats()).toMatchObject({ open: 4, capacity: 4, emergencyEvictions: 4, exhaustions: 1, evictions: 0 });
    expect(paths.map((p) => cache.has(p))).toEqual([false, false, false, false, true, true, true, true]);
    for (const p of paths) cache.fd(p);
    expect(cache.stats().open).toBe(4);
    cache.closeAll();
    expect(cache.relieve()).toBe(false);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new FdCache(0)).toThrow(RangeError);
  });

  it('sizes the default from the soft "Max open files" limit (half of it)', () => {
    const limits = (soft: string) =>
      `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft}                 1048576              files     \n`;
    expect(openFilesSoftLimit(limits('4096'))).toBe(4096);
    expect(defaultFdCapacity(limits('4096'))).toBe(2048);
    expect(defaultFdCapacity(limits('256'))).toBe(128);
    expect(defaultFdCapacity(limits('20'))).toBe(16);
    expect(openFilesSoftLimit('no such line')).toBeNull();
    expect(defaultFdCapacity('no such line')).toBe(512);
    if (existsSync('/proc/self/limits')) expect(openFilesSoftLimit()).toBeGreaterThan(0);
  });
});

describe('disk logs through a small fd cache', () => {
  it('behave exactly like the in-memory store across appends, rolls, reads, truncation, retention and a restart', () => {
    const cache = new FdCache(3);
    const disk = new DiskLogStore(join(dir, 'logs'), undefined, cache);
    const memory = new MemoryLogStore();
    const cfg = config({ segmentBytes: 400, indexIntervalBytes: 100, retentionBytes: -1 });
    const topics = Array.from({ length: 40 }, (_, i) => `t${i}`);
    // A deterministic pseudo-random sequence of operations spread over all partitions.
    const rnd = seeded(42).int;
    for (let step = 0; step < 1500; step++) {
      const topic = topics[rnd(topics.length)]!;
      const op = rnd(20);
      const d = disk.open(topic, 0, cfg);
      const m = memory.open(topic, 0, cfg);
      if (op < 14) {
        const values = Array.from({ length: 1 + rnd(4) }, (_, i) => `${topic}-${step}-${i}`);
        expect(d.append(batchOf(values), 0)).toEqual(m.append(batchOf(values), 0));
      } else if (op < 18) {
        const end = d.logEndOffset();
        if (end > d.logStartOffset()) {
          const at = d.logStartOffset() + rnd(end - d.logStartOffset());
          // (A disk read stops at a segment's end, a memory read does not: compare the first batch.)
          const rd = d.read(at, 200, end).batches[0]?.toString('hex');
          const rm = m.read(at, 200, end).batches[0]?.toString('hex');
          expect(rd).toBe(rm);
        }
      } else if (op === 18 && d.logEndOffset() > 2) {
        const to = d.logEndOffset() - 1 - rnd(2);
        d.truncateTo(to);
        m.truncateTo(to);
      } else if (op === 19 && d.logEndOffset() > 0) {
        const to = rnd(d.logEndOffset());
        d.deleteRecordsBefore(to);
        m.deleteRecordsBefore(to);
      }
      expect(d.logEndOffset()).toBe(m.logEndOffset());
      expect(d.logStartOffset()).toBe(m.logStartOffset());
      expect(cache.stats().open).toBeLessThanOrEqual(3);
    }
    const before = Object.fromEntries(topics.map((t) => [t, dump(memory, t, cfg)]));
    for (const t of topics) expect(dump(disk, t, cfg), t).toEqual(before[t]);
    expect(cache.stats().evictions).toBeGreaterThan(1000);
    // Clean restart, and a restart after a "crash" (no clean-shutdown marker): same records.
    disk.close();
    expect(cache.stats().open).toBe(0);
    const again = new DiskLogStore(join(dir, 'logs'), undefined, new FdCache(2));
    for (const t of topics) expect(dump(again, t, cfg), t).toEqual(before[t]);
    rmSync(join(dir, 'logs', '.kafka_cleanshutdown'), { force: true });
    const crashed = new DiskLogStore(join(dir, 'logs'), undefined, new FdCache(1));
    for (const t of topics) expect(dump(crashed, t, cfg), t).toEqual(before[t]);
    crashed.close();
  });

  it('hold the process to the cache capacity however many partitions are open', () => {
    const before = openFds();
    if (before === null) return; // not Linux: nothing to count
    const cache = new FdCache(16);
    const store = new DiskLogStore(join(dir, 'logs'), undefined, cache);
    for (let i = 0; i < 300; i++) store.open(`p${i}`, 0, config()).append(batchOf([`v${i}`]), 0);
    const during = openFds()!;
    expect(during - before, `fds open before ${before}, with 300 partitions ${during}`).toBeLessThanOrEqual(16 + 2);
    for (let i = 0; i < 300; i += 37) expect(dump(store, `p${i}`, config())).toEqual([`0:v${i}`]);
    store.close();
    expect(openFds()! - before).toBeLessThanOrEqual(2);
  });

  it('report a partition that cannot be opened as a StorageError naming it, and open the others', () => {
    const logs = join(dir, 'logs');
    const store = new DiskLogStore(logs, undefined, new FdCache(8));
    store.open('good', 0, config()).append(batchOf(['ok']), 0);
    store.open('bad', 0, config()).append(batchOf(['lost']), 0);
    store.close();
    // Damage: the segment file is replaced by a directory.
    const seg = join(logs, 'bad-0', '00000000000000000000.log');
    rmSync(seg);
    mkdirSync(seg);
    const reopened = new DiskLogStore(logs, undefined, new FdCache(8));
    let error: unknown;
    try {
      reopened.open('bad', 0, config());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(/^Could not open the log of bad-0 in .*bad-0: EISDIR/);
    expect((error as Error).message).not.toContain('\n');
    expect(dump(reopened, 'good', config())).toEqual(['0:ok']);
    reopened.close();
  });
});
