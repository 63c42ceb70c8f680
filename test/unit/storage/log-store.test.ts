import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../../src/storage/disk/disk-store.js';
import { MemoryLogStore } from '../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type LogStore, OffsetOutOfRangeError } from '../../../src/storage/log-store.js';
import { decodeBatchRecords, encodeBatch, rewriteCrc, splitBatches } from '../../../src/protocol/record-batch.js';
import { datasyncCount, setFaultPlan } from '../../../src/storage/disk/fs-ops.js';
import { tempDir } from '../../helpers/tmp.js';

const config = (over: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, ...over });

function batchOf(values: string[], timestamp = 1_700_000_000_000): Buffer {
  return encodeBatch(
    values.map((v, i) => ({ key: Buffer.from(`k${v}`), value: Buffer.from(v), timestamp: timestamp + i })),
    { now: timestamp },
  );
}

function readValues(store: LogStore, topic: string, from: number, maxBytes = 1 << 20): string[] {
  const log = store.open(topic, 0, config());
  const out: string[] = [];
  let offset = from;
  for (;;) {
    const res = log.read(offset, maxBytes, log.logEndOffset());
    if (res.batches.length === 0) break;
    for (const b of res.batches) {
      for (const r of decodeBatchRecords(b)) if (r.offset >= offset) out.push(r.value!.toString());
    }
    offset = decodeBatchRecords(res.batches[res.batches.length - 1]!).at(-1)!.offset + 1;
  }
  return out;
}

const stores: [string, () => { store: () => LogStore; cleanup: () => void; dir?: string }][] = [
  ['memory', () => ({ store: () => new MemoryLogStore(), cleanup: () => {} })],
  [
    'disk',
    () => {
      const t = tempDir();
      return { store: () => new DiskLogStore(t.dir), cleanup: t.cleanup, dir: t.dir };
    },
  ],
];

for (const [name, make] of stores) {
  describe(`${name} log store`, () => {
    let ctx: ReturnType<typeof make>;
    let store: LogStore;
    beforeEach(() => {
      ctx = make();
      store = ctx.store();
    });
    afterEach(() => {
      store.close();
      ctx.cleanup();
    });

    it('assigns consecutive offsets and reads whole batches from the one containing the offset', () => {
      const log = store.open('t', 0, config());
      expect(log.append(batchOf(['a', 'b', 'c']), 0)).toEqual({ baseOffset: 0, lastOffset: 2 });
      expect(log.append(batchOf(['d', 'e']), 0)).toEqual({ baseOffset: 3, lastOffset: 4 });
      expect(log.logEndOffset()).toBe(5);
      const res = log.read(1, 1 << 20, 5);
      expect(res.batches.length).toBe(2);
      expect(decodeBatchRecords(res.batches[0]!)[0]!.offset).toBe(0);
      expect(readValues(store, 't', 1)).toEqual(['b', 'c', 'd', 'e']);
    });

    it("assigns offsets from the log end and the batch's own delta, whatever base offset the producer wrote", () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['a']), 0);
      // A base offset past 2^53: (next - base) in doubles lost the delta and the next batch reused an offset.
      const odd = batchOf(['b', 'c', 'd']);
      odd.writeBigInt64BE(0x7fffffffffffff00n, 0);
      expect(log.append(odd, 0)).toEqual({ baseOffset: 1, lastOffset: 3 });
      expect(log.append(batchOf(['e']), 0)).toEqual({ baseOffset: 4, lastOffset: 4 });
      expect(readValues(store, 't', 0)).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('returns the whole first batch even when it exceeds maxBytes, and nothing at the end', () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['x'.repeat(5000)]), 0);
      log.append(batchOf(['y']), 0);
      const res = log.read(0, 100, 2);
      expect(res.batches.length).toBe(1);
      expect(res.bytes).toBeGreaterThan(5000);
      expect(log.read(2, 100, 2).batches).toEqual([]);
    });

    it('stops at maxOffset (the high watermark)', () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['a']), 0);
      log.append(batchOf(['b']), 0);
      expect(log.read(0, 1 << 20, 1).batches.length).toBe(1);
    });

    it('rejects reads outside the log', () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['a']), 0);
      expect(() => log.read(2, 100, 1)).toThrow(OffsetOutOfRangeError);
    });

    it('finds offsets by timestamp inside batches', () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['a', 'b', 'c'], 1000), 0); // timestamps 1000..1002
      log.append(batchOf(['d', 'e'], 2000), 0); // 2000..2001
      expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
      expect(log.offsetForTimestamp(1001)).toEqual({ offset: 1, timestamp: 1001 });
      expect(log.offsetForTimestamp(1500)).toEqual({ offset: 3, timestamp: 2000 });
      expect(log.offsetForTimestamp(2002)).toBeNull();
      expect(log.maxTimestamp()).toEqual({ offset: 4, timestamp: 2001 });
    });

    it('names the record with the largest timestamp, not the last of its batch (KAFKA-16310)', () => {
      const log = store.open('t', 0, config());
      log.append(batchOf(['a'], 500), 0);
      const stamps = [1000, 5000, 3000, 7000, 2000, 7000, 6000];
      log.append(encodeBatch(stamps.map((timestamp, i) => ({ value: Buffer.from(`v${i}`), timestamp }))), 0);
      expect(log.maxTimestamp()).toEqual({ offset: 4, timestamp: 7000 });
      // Past the log start, the first such record at or after it.
      log.deleteRecordsBefore(5);
      expect(log.maxTimestamp()).toEqual({ offset: 6, timestamp: 7000 });
    });

    it('deletes records before an offset and truncates after one', () => {
      const log = store.open('t', 0, config({ segmentBytes: 200 }));
      for (let i = 0; i < 10; i++) log.append(batchOf([`v${i}`]), 0);
      log.deleteRecordsBefore(4);
      expect(log.logStartOffset()).toBe(4);
      expect(() => log.read(3, 100, 10)).toThrow(OffsetOutOfRangeError);
      expect(readValues(store, 't', 4)).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
      log.truncateTo(7);
      expect(log.logEndOffset()).toBe(7);
      expect(log.append(batchOf(['new']), 1).baseOffset).toBe(7);
      expect(readValues(store, 't', 4)).toEqual(['v4', 'v5', 'v6', 'new']);
      expect(log.leaderEpochs()).toEqual([
        { epoch: 0, startOffset: 0 },
        { epoch: 1, startOffset: 7 },
      ]);
    });

    it('drops a whole batch when truncating inside it, and can start over at an offset', () => {
      const log = store.open('t', 0, config({ segmentBytes: 200 }));
      log.append(batchOf(['a', 'b', 'c']), 0); // 0..2
      log.append(batchOf(['d', 'e', 'f']), 1); // 3..5
      log.truncateTo(4);
      expect(log.logEndOffset()).toBe(3);
      expect(log.leaderEpochs()).toEqual([{ epoch: 0, startOffset: 0 }]);
      log.markLeaderEpoch(2);
      expect(log.leaderEpochs()).toEqual([
        { epoch: 0, startOffset: 0 },
        { epoch: 2, startOffset: 3 },
      ]);
      log.truncateFullyAndStartAt(40);
      expect([log.logStartOffset(), log.logEndOffset(), log.leaderEpochs()]).toEqual([40, 40, []]);
      const replicated = batchOf(['x']);
      replicated.writeBigInt64BE(40n, 0);
      replicated.writeInt32BE(3, 12);
      expect(log.appendAsFollower(replicated)).toEqual({ baseOffset: 40, lastOffset: 40 });
      expect(readValues(store, 't', 40)).toEqual(['x']);
      expect(log.leaderEpochs()).toEqual([{ epoch: 3, startOffset: 40 }]);
    });

    it('applies size retention to old data', () => {
      const log = store.open('t', 0, config({ segmentBytes: 150, retentionBytes: 300, retentionMs: -1 }));
      for (let i = 0; i < 20; i++) log.append(batchOf([`v${i}`]), 0);
      expect(log.applyRetention(Date.now())).toBeGreaterThan(0);
      expect(log.logStartOffset()).toBeGreaterThan(0);
      expect(log.sizeInBytes()).toBeLessThanOrEqual(450);
      expect(readValues(store, 't', log.logStartOffset()).at(-1)).toBe('v19');
    });

    it('expires the whole log by time, active segment included, once the high watermark covers it; it goes on at its end', () => {
      const log = store.open('t', 0, config({ segmentBytes: 200, retentionMs: 60_000 }));
      for (let i = 0; i < 6; i++) log.append(batchOf([`v${i}`]), 0); // timestamps from 2023: long expired
      const end = log.logEndOffset();
      // Below the high watermark only: the records from it on stay.
      expect(log.applyRetention(Date.now(), () => end - 1)).toBeGreaterThan(0);
      expect(log.logStartOffset()).toBeLessThan(end);
      expect(readValues(store, 't', log.logStartOffset()).at(-1)).toBe('v5');
      // Everything replicated: the active segment goes too, and the log is empty at its end.
      expect(log.applyRetention(Date.now(), () => end)).toBeGreaterThan(0);
      expect([log.logStartOffset(), log.logEndOffset(), log.sizeInBytes()]).toEqual([end, end, 0]);
      expect(log.read(end, 1 << 20, end).batches).toEqual([]);
      expect(() => log.read(end - 1, 1 << 20, end)).toThrow(OffsetOutOfRangeError);
      // An empty log has nothing to expire, and takes new records at its end.
      expect(log.applyRetention(Date.now())).toBe(0);
      expect(log.append(batchOf(['new'], Date.now()), 0).baseOffset).toBe(end);
      expect(log.applyRetention(Date.now())).toBe(0);
      expect(readValues(store, 't', end)).toEqual(['new']);
      if (ctx.dir) {
        store.close();
        store = ctx.store();
        const reopened = store.open('t', 0, config({ segmentBytes: 200, retentionMs: 60_000 }));
        expect([reopened.logStartOffset(), reopened.logEndOffset()]).toEqual([end, end + 1]);
      }
    });

    it('keeps the newest producer snapshot and drops snapshots a truncation made stale', () => {
      const log = store.open('t', 0, config());
      expect(log.producerSnapshot()).toBeNull();
      for (let i = 0; i < 10; i++) log.append(batchOf([`v${i}`]), 0);
      log.saveProducerSnapshot(4, Buffer.from('at 4'));
      log.saveProducerSnapshot(8, Buffer.from('at 8'));
      expect(log.producerSnapshot()).toMatchObject({ offset: 8, data: Buffer.from('at 8') });
      log.truncateTo(9);
      expect(log.producerSnapshot()?.offset).toBe(8);
      log.truncateTo(6);
      expect(log.producerSnapshot()).toBeNull();
      log.saveProducerSnapshot(6, Buffer.from('at 6'));
      log.truncateFullyAndStartAt(20);
      expect(log.producerSnapshot()).toBeNull();
    });
  });
}

describe('disk log store specifics', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('a removed partition\'s directory is renamed aside at once (…-delete) and its files removed after, off the event loop; a start removes leftovers', async () => {
    const store = new DiskLogStore(t.dir);
    store.open('gone', 0, config()).append(batchOf(['a', 'b']), 0);
    store.remove('gone', 0);
    expect(existsSync(join(t.dir, 'gone-0'))).toBe(false);
    // Still there right after: removed asynchronously, not in the call.
    const aside = readdirSync(t.dir).filter((f) => f.endsWith('-delete'));
    expect(aside).toEqual([expect.stringMatching(/^gone-0\.[0-9a-z]+-delete$/)]);
    expect(store.list()).toEqual([]);
    // The same partition again is a new, empty log.
    expect(store.open('gone', 0, config()).logEndOffset()).toBe(0);
    await store.pendingRemovals();
    expect(readdirSync(t.dir).filter((f) => f.endsWith('-delete'))).toEqual([]);
    store.close();
    // A topic name of Kafka's greatest length (249) still fits the 255 bytes of a name when set aside.
    const long = 'x'.repeat(249);
    store.open(long, 0, config()).append(batchOf(['a']), 0);
    store.remove(long, 0);
    expect(readdirSync(t.dir).filter((f) => f.endsWith('-delete')).map((f) => f.length)).toEqual([255]);
    await store.pendingRemovals();
    // A stop before the files went: the next start removes them.
    mkdirSync(join(t.dir, 'left-3.abc-delete'));
    writeFileSync(join(t.dir, 'left-3.abc-delete', '00000000000000000000.log'), 'x');
    const again = new DiskLogStore(t.dir);
    await again.pendingRemovals();
    expect(readdirSync(t.dir).filter((f) => f.endsWith('-delete'))).toEqual([]);
    again.close();
  });

  it('keeps producer snapshots as <offset>.snapshot files, and drops one that recovery cut the log below', () => {
    let store = new DiskLogStore(t.dir);
    let log = store.open('t', 0, config());
    for (let i = 0; i < 4; i++) log.append(batchOf([`v${i}`]), 0);
    log.saveProducerSnapshot(4, Buffer.from('state'));
    const dir = join(t.dir, 't-0');
    expect(readdirSync(dir)).toContain('00000000000000000004.snapshot');
    store.close();
    store = new DiskLogStore(t.dir);
    log = store.open('t', 0, config());
    expect(log.producerSnapshot()).toEqual({ offset: 4, data: Buffer.from('state'), file: join(dir, '00000000000000000004.snapshot') });
    store.close();
    // A torn write: the last batch loses its tail, so the log ends at 3 and the snapshot at 4 goes.
    const segment = join(dir, '00000000000000000000.log');
    truncateSync(segment, statSync(segment).size - 3);
    store = new DiskLogStore(t.dir);
    log = store.open('t', 0, config());
    expect(log.logEndOffset()).toBe(3);
    expect(log.producerSnapshot()).toBeNull();
    expect(readdirSync(dir).filter((f) => f.includes('.snapshot'))).toEqual([]);
    store.close();
  });

  it('keeps the log start it comes down to when truncated below it across a restart', () => {
    // DeleteRecords moves the start to 2, a truncation inside the first batch empties the log (the
    // start comes down to 0 with the end), and the records written next stay visible after a
    // restart (the start offset file used to keep saying 2, hiding offsets 0 and 1).
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config());
    log.append(batchOf(['a', 'b', 'c']), 0);
    log.deleteRecordsBefore(2);
    log.truncateTo(1);
    expect([log.logStartOffset(), log.logEndOffset()]).toEqual([0, 0]);
    log.append(batchOf(['d', 'e']), 1);
    store.close();
    const reopened = new DiskLogStore(t.dir);
    expect(reopened.open('t', 0, config()).logStartOffset()).toBe(0);
    expect(readValues(reopened, 't', 0)).toEqual(['d', 'e']);
    reopened.close();
  });

  it('names segment files by 20-digit base offset and rolls by segment.bytes', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('orders', 0, config({ segmentBytes: 300 }));
    for (let i = 0; i < 10; i++) log.append(batchOf([`value-${i}`]), 0);
    const files = readdirSync(join(t.dir, 'orders-0')).sort();
    expect(files).toContain('00000000000000000000.log');
    expect(files).toContain('00000000000000000000.index');
    expect(files).toContain('00000000000000000000.timeindex');
    expect(files.filter((f) => f.endsWith('.log')).length).toBeGreaterThan(2);
    store.close();
    const reopened = new DiskLogStore(t.dir);
    expect(readValues(reopened, 'orders', 0)).toEqual(Array.from({ length: 10 }, (_, i) => `value-${i}`));
    reopened.close();
  });

  it('rolls by segment.ms', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentMs: 0 }));
    log.append(batchOf(['a']), 0);
    const start = Date.now();
    while (Date.now() === start) {
      /* let the clock move past the segment's creation time */
    }
    log.append(batchOf(['b']), 0);
    expect(readdirSync(join(t.dir, 't-0')).filter((f) => f.endsWith('.log')).length).toBe(2);
    store.close();
  });

  it('segment.index.bytes: a segment rolls once its offset or time index would pass that size', () => {
    const store = new DiskLogStore(t.dir);
    // 24 bytes: three offset entries (8 bytes) or two time entries (12 bytes); an entry per batch.
    const log = store.open('ib', 0, config({ indexIntervalBytes: 1, segmentIndexBytes: 24 }));
    for (let i = 0; i < 7; i++) log.append(batchOf([`v${i}`], 1_700_000_000_000 + i), 0);
    expect(readdirSync(join(t.dir, 'ib-0')).filter((f) => f.endsWith('.log')).sort()).toEqual(['00000000000000000000.log', '00000000000000000002.log', '00000000000000000004.log', '00000000000000000006.log']);
    expect(readValues(store, 'ib', 0)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
    store.close();
  });

  it('a log\'s writeIndexes writes the active segment\'s index entries kept in memory to its files', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('ix', 0, config({ indexIntervalBytes: 1 }));
    for (let i = 0; i < 10; i++) log.append(batchOf([`v${i}`], 1_700_000_000_000 + i), 0);
    const size = (ext: string) => statSync(join(t.dir, 'ix-0', `00000000000000000000.${ext}`)).size;
    // Fewer entries than a group: still in memory.
    expect({ index: size('index'), timeindex: size('timeindex') }).toEqual({ index: 0, timeindex: 0 });
    log.writeIndexes();
    expect({ index: size('index'), timeindex: size('timeindex') }).toEqual({ index: 10 * 8, timeindex: 10 * 12 });
    store.close();
  });

  it('segment.jitter.ms: a segment rolls up to the jitter (a random share of it) before segment.ms', () => {
    const logs = (topic: string) => readdirSync(join(t.dir, `${topic}-0`)).filter((f) => f.endsWith('.log')).length;
    const store = new DiskLogStore(t.dir);
    // An hour's segment.ms; the draw is the most the jitter allows (just under an hour): it rolls within a few ms.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999999999);
    try {
      const jittered = store.open('j', 0, config({ segmentMs: 3_600_000, segmentJitterMs: 3_600_000 }));
      const plain = store.open('p', 0, config({ segmentMs: 3_600_000 }));
      jittered.append(batchOf(['a']), 0);
      plain.append(batchOf(['a']), 0);
      const start = Date.now();
      while (Date.now() < start + 5) {
        /* let the clock move past the jittered roll time */
      }
      jittered.append(batchOf(['b']), 0);
      plain.append(batchOf(['b']), 0);
      expect({ jittered: logs('j'), plain: logs('p') }).toEqual({ jittered: 2, plain: 1 });
    } finally {
      random.mockRestore();
      store.close();
    }
  });

  it('max.compaction.lag.ms: a compacted log rolls at that age however long segment.ms is', () => {
    const logs = (topic: string) => readdirSync(join(t.dir, `${topic}-0`)).filter((f) => f.endsWith('.log')).length;
    const store = new DiskLogStore(t.dir);
    const cleanup = { ...DEFAULT_LOG_CONFIG.cleanup, compact: true, maxCompactionLagMs: 1 };
    const compacted = store.open('c', 0, config({ segmentMs: 3_600_000, cleanup }));
    const deleting = store.open('d', 0, config({ segmentMs: 3_600_000, cleanup: { ...cleanup, compact: false } }));
    for (const log of [compacted, deleting]) log.append(batchOf(['a']), 0);
    const start = Date.now();
    while (Date.now() < start + 5) {
      /* let the clock move past the lag */
    }
    for (const log of [compacted, deleting]) log.append(batchOf(['b']), 0);
    expect({ compacted: logs('c'), deleting: logs('d') }).toEqual({ compacted: 2, deleting: 1 });
    store.close();
  });

  it('finds the batch of every offset near the end as a freshly opened store does, across truncations and rolls', () => {
    // The segment remembers its last appended batches (a fetch at the end reads no index or file
    // to find one); a reopened store has no such memory and scans. Both must name the same batch.
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentBytes: 2000 }));
    const firstOffsets = (l: typeof log, end: number) => Array.from({ length: end }, (_, o) => decodeBatchRecords(l.read(o, 1, end).batches[0]!)[0]!.offset);
    let n = 0;
    const appendSome = (count: number) => {
      for (let i = 0; i < count; i++) log.append(batchOf(Array.from({ length: 1 + (i % 4) }, () => `v${n++}`)), 0);
    };
    appendSome(30);
    log.truncateTo(log.logEndOffset() - 5);
    appendSome(3);
    log.truncateTo(log.logEndOffset() - 1);
    appendSome(12);
    const end = log.logEndOffset();
    const live = firstOffsets(log, end);
    store.close();
    const reopened = new DiskLogStore(t.dir);
    expect(live).toEqual(firstOffsets(reopened.open('t', 0, config({ segmentBytes: 2000 })), end));
    reopened.close();
  });

  it('uses the sparse index for lookups in a large segment', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ indexIntervalBytes: 1024 }));
    for (let i = 0; i < 500; i++) log.append(batchOf([`r${i}`.padEnd(200, '.')]), 0);
    expect(statSync(join(t.dir, 't-0', '00000000000000000000.index')).size).toBeGreaterThan(8 * 50);
    const res = log.read(377, 10, 500);
    expect(decodeBatchRecords(res.batches[0]!)[0]!.offset).toBe(377);
    store.close();
  });

  it('recovers a torn write at the end of the active segment after a crash', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config());
    for (let i = 0; i < 5; i++) log.append(batchOf([`v${i}`, `w${i}`]), 0);
    // Simulate a crash (no clean close) that left half of a sixth batch on disk.
    const half = batchOf(['torn']).subarray(0, 40);
    const file = join(t.dir, 't-0', '00000000000000000000.log');
    appendFileSync(file, half);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child: () => logger };
    const recovered = new DiskLogStore(t.dir, logger);
    const l2 = recovered.open('t', 0, config());
    expect(l2.logEndOffset()).toBe(10);
    expect(warnings.some((w) => w.includes('cut 40 invalid bytes'))).toBe(true);
    expect(readValues(recovered, 't', 0)).toHaveLength(10);
    expect(l2.append(batchOf(['after']), 0).baseOffset).toBe(10);
    recovered.close();
  });

  it('a damaged older segment loses its tail only, and says so (offsets lost, later segments kept), not "a torn write"', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentBytes: 1000 }));
    for (let i = 0; i < 30; i++) log.append(batchOf([`value-${i}`.repeat(10)]), 0);
    store.close();
    const dir = join(t.dir, 't-0');
    const segments = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(segments.length).toBeGreaterThan(2);
    const first = join(dir, segments[0]!);
    truncateSync(first, statSync(first).size - 7);
    const next = Number(segments[1]!.slice(0, 20));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child: () => logger };
    const recovered = new DiskLogStore(t.dir, logger);
    const l2 = recovered.open('t', 0, config({ segmentBytes: 1000 }));
    expect(l2.logEndOffset()).toBe(30);
    const line = warnings.find((w) => w.includes('Recovered partition t-0'));
    expect(line).toMatch(new RegExp(`cut \\d+ invalid bytes from the end of segment 0, which is not the last one \\(damage, not a torn write\\): offsets ${next - 1} to ${next - 1} are lost`));
    expect(line).not.toContain('(a torn write)');
    expect(readValues(recovered, 't', 0)).toHaveLength(29);
    recovered.close();
  });

  it('recovers when bytes were cut off the end after a clean shutdown', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ indexIntervalBytes: 100 }));
    for (let i = 0; i < 20; i++) log.append(batchOf([`value-${i}`.repeat(10)]), 0);
    store.close();
    const file = join(t.dir, 't-0', '00000000000000000000.log');
    truncateSync(file, statSync(file).size - 7);
    const recovered = new DiskLogStore(t.dir);
    const l2 = recovered.open('t', 0, config({ indexIntervalBytes: 100 }));
    expect(l2.logEndOffset()).toBe(19);
    expect(readValues(recovered, 't', 0)).toHaveLength(19);
    expect(readValues(recovered, 't', 10)[0]).toBe('value-10'.repeat(10));
    recovered.close();
  });

  it('detects a corrupted byte inside the last batch (CRC) and cuts it', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config());
    log.append(batchOf(['good']), 0);
    log.append(batchOf(['bad']), 0);
    // No clean close: the active segment is validated in full.
    const file = join(t.dir, 't-0', '00000000000000000000.log');
    const size = statSync(file).size;
    truncateSync(file, size - 1);
    appendFileSync(file, Buffer.from([0x42]));
    const recovered = new DiskLogStore(t.dir);
    expect(recovered.open('t', 0, config()).logEndOffset()).toBe(1);
    recovered.close();
    expect(existsSync(join(t.dir, '.kafka_cleanshutdown'))).toBe(true);
  });

  it('never indexes a batch without a timestamp (NO_TIMESTAMP, -1), even past offset 2^31', () => {
    // A follower starting over behind a leader whose log is past 2^31: an entry (-1, offset -1)
    // had a relative offset below -2^31, and the failed index write wedged appends and close.
    const noTimestamp = (v: string) => encodeBatch([{ key: null, value: Buffer.from(v), timestamp: -1 }], { now: -1 });
    const base = 3_000_000_000;
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentBytes: 300, indexIntervalBytes: 1 }));
    log.truncateFullyAndStartAt(base);
    for (let i = 0; i < 10; i++) expect(log.append(noTimestamp(`v${i}`), 0).baseOffset).toBe(base + i);
    log.append(batchOf(['stamped'], 1000), 0);
    expect(log.maxTimestamp()).toEqual({ offset: base + 10, timestamp: 1000 });
    expect(log.offsetForTimestamp(0)).toEqual({ offset: base + 10, timestamp: 1000 });
    store.close();
    // Every time index holds only the stamped batch's entry, relative to its segment.
    const dir = join(t.dir, 't-0');
    const entries = readdirSync(dir)
      .filter((f) => f.endsWith('.timeindex'))
      .flatMap((f) => {
        const b = readFileSync(join(dir, f));
        return Array.from({ length: b.length / 12 }, (_, i) => [Number(b.readBigInt64BE(i * 12)), Number(f.slice(0, 20)) + b.readInt32BE(i * 12 + 8)]);
      });
    expect(entries).toEqual([[1000, base + 10]]);
    const reopened = new DiskLogStore(t.dir);
    const again = reopened.open('t', 0, config({ segmentBytes: 300, indexIntervalBytes: 1 }));
    expect(again.logEndOffset()).toBe(base + 11);
    expect(again.append(noTimestamp('after'), 0).baseOffset).toBe(base + 11);
    expect(readValues(reopened, 't', base)).toEqual([...Array.from({ length: 10 }, (_, i) => `v${i}`), 'stamped', 'after']);
    reopened.close();
  });

  it('keeps a batch stamped INT64_MAX through rolls, close and reopen (its time index entry is INT64_MAX)', () => {
    // The time index wrote 2^63 (INT64_MAX read as a double) as two int32 halves: RangeError at the
    // roll, the log dir offline, close failing and the partition unopenable afterwards.
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentBytes: 300, indexIntervalBytes: 1 }));
    const far = batchOf(['far']);
    for (const at of [27, 35]) far.writeBigInt64BE(0x7fffffffffffffffn, at); // base and max timestamp
    rewriteCrc(far);
    log.append(far, 0);
    for (let i = 0; i < 6; i++) log.append(batchOf([`v${i}`.repeat(30)]), 0);
    expect(readdirSync(join(t.dir, 't-0')).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(1);
    store.close();
    const tidx = readFileSync(join(t.dir, 't-0', '00000000000000000000.timeindex'));
    expect(tidx.readBigInt64BE(0)).toBe(0x7fffffffffffffffn);
    const reopened = new DiskLogStore(t.dir);
    const again = reopened.open('t', 0, config({ segmentBytes: 300, indexIntervalBytes: 1 }));
    expect(again.logEndOffset()).toBe(7);
    expect(readValues(reopened, 't', 0)[0]).toBe('far');
    reopened.close();
  });

  it('rebuilds a time index holding an entry without a timestamp (written by an older build)', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ indexIntervalBytes: 1 }));
    log.append(encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: -1 }], { now: -1 }), 0);
    log.append(batchOf(['b'], 1000), 0);
    store.close();
    const file = join(t.dir, 't-0', '00000000000000000000.timeindex');
    const bad = Buffer.alloc(12);
    bad.writeBigInt64BE(-1n, 0);
    bad.writeInt32BE(-1, 8);
    writeFileSync(file, Buffer.concat([bad, readFileSync(file)]));
    const reopened = new DiskLogStore(t.dir);
    const again = reopened.open('t', 0, config({ indexIntervalBytes: 1 }));
    expect(again.offsetForTimestamp(0)).toEqual({ offset: 1, timestamp: 1000 });
    reopened.close();
    expect(readFileSync(file).length).toBe(12);
  });

  it('keeps what a failed sync was to sync unsynced: the next sync syncs it', async () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ flushMessages: 1 }));
    log.append(batchOf(['a']), 0);
    setFaultPlan({ dir: t.dir, ops: ['fsync'], error: 'EIO' });
    try {
      await expect(log.sync()).rejects.toMatchObject({ code: 'EIO' });
    } finally {
      setFaultPlan(null);
    }
    expect(log.unflushedMessages()).toBe(1);
    const before = datasyncCount();
    await log.sync();
    expect(datasyncCount()).toBeGreaterThan(before);
    store.close();
  });

  it('reports a failed flush.ms sync to the failure listener and syncs its data at the next sync', async () => {
    const failures: string[] = [];
    const store = new DiskLogStore(t.dir);
    store.onFailure((doing, e) => failures.push(`${doing}: ${(e as NodeJS.ErrnoException).code}`));
    const log = store.open('t', 0, config({ flushMs: 1 }));
    setFaultPlan({ dir: t.dir, ops: ['fsync'], error: 'EIO' });
    try {
      log.append(batchOf(['a']), 0);
      const deadline = Date.now() + 10_000;
      while (failures.length === 0) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the flush.ms sync to fail');
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      setFaultPlan(null);
    }
    expect(failures).toEqual(['syncing t-0 to disk: EIO']);
    // Still counted for flush.messages, and synced by the next sync (it did nothing before).
    expect(log.unflushedMessages()).toBe(1);
    const before = datasyncCount();
    await log.sync();
    expect(datasyncCount()).toBeGreaterThan(before);
    expect(log.unflushedMessages()).toBe(0);
    store.close();
  });

  it('logs a failed flush.ms sync when nobody listens for failures', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m), child: () => logger };
    const store = new DiskLogStore(t.dir, logger);
    const log = store.open('t', 0, config({ flushMs: 1 }));
    setFaultPlan({ dir: t.dir, ops: ['fsync'], error: 'EIO' });
    try {
      log.append(batchOf(['a']), 0);
      const deadline = Date.now() + 10_000;
      while (errors.length === 0) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the flush.ms sync to fail');
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      setFaultPlan(null);
    }
    expect(errors).toEqual([expect.stringMatching(/^Error while syncing t-0 to disk in dir .*: EIO/)]);
    store.close();
  });

  it('expires a segment without timestamps by its last modification, as Kafka does', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config({ segmentBytes: 1, retentionMs: 600_000 }));
    log.append(encodeBatch([{ key: null, value: Buffer.from('old'), timestamp: -1 }], { now: -1 }), 0);
    log.append(encodeBatch([{ key: null, value: Buffer.from('new'), timestamp: -1 }], { now: -1 }), 0);
    // The first segment was last written an hour ago, the second just now.
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(join(t.dir, 't-0', '00000000000000000000.log'), hourAgo, hourAgo);
    expect(log.applyRetention(Date.now())).toBe(1);
    expect([log.logStartOffset(), log.logEndOffset()]).toEqual([1, 2]);
    store.close();
  });

  it('keeps stored bytes exactly as appended apart from the base offset', () => {
    const store = new DiskLogStore(t.dir);
    const log = store.open('t', 0, config());
    log.append(batchOf(['first']), 0);
    const original = batchOf(['second', 'third']);
    const copy = Buffer.from(original);
    log.append(copy, 5);
    const stored = splitBatches(Buffer.concat(log.read(1, 1 << 20, 10).batches))[0]!;
    expect(stored.subarray(16).equals(original.subarray(16))).toBe(true);
    expect(stored.readInt32BE(12)).toBe(5);
    store.close();
  });
});
