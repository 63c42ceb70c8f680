import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../../src/storage/disk/disk-store.js';
import { MemoryLogStore } from '../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type LogStore, type PartitionLog } from '../../../src/storage/log-store.js';
import { DEFAULT_CLEANUP, type CleanupPolicy } from '../../../src/storage/compaction.js';
import { CompressionType } from '../../../src/protocol/compression.js';
import { decodeBatchRecords, encodeBatch, readBatchHeader } from '../../../src/protocol/record-batch.js';
import { tempDir } from '../../helpers/tmp.js';

const T0 = 1_700_000_000_000;

/** A compacted log whose every batch gets its own segment, so each batch but the last is closed. */
const compacted = (cleanup: Partial<CleanupPolicy> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  segmentBytes: 1,
  cleanup: { ...DEFAULT_CLEANUP, delete: false, compact: true, ...cleanup },
});

type Entry = [key: string | null, value: string | null];

function batch(entries: Entry[], opts: { compression?: number; timestamp?: number } = {}): Buffer {
  const ts = opts.timestamp ?? T0;
  return encodeBatch(
    entries.map(([k, v], i) => ({ key: k === null ? null : Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: ts + i })),
    { now: ts, compression: opts.compression },
  );
}

/** Every record from the log start: [offset, key, value]. */
function contents(log: PartitionLog): [number, string | null, string | null][] {
  const out: [number, string | null, string | null][] = [];
  let offset = log.logStartOffset();
  while (offset < log.logEndOffset()) {
    const res = log.read(offset, 1 << 20, log.logEndOffset());
    if (res.batches.length === 0) break;
    for (const b of res.batches) {
      for (const r of decodeBatchRecords(b)) if (r.offset >= offset) out.push([r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
      const h = readBatchHeader(b);
      offset = h.baseOffset + h.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** Base offset of the last batch: what stays uncleanable in both stores (the disk's active segment). */
const lastBatchBase = (log: PartitionLog) => contents(log).at(-1)![0];

const stores: [string, () => { open: () => LogStore; cleanup: () => void; dir?: string }][] = [
  ['memory', () => ({ open: () => new MemoryLogStore(), cleanup: () => {} })],
  [
    'disk',
    () => {
      const t = tempDir();
      return { open: () => new DiskLogStore(t.dir), cleanup: t.cleanup, dir: t.dir };
    },
  ],
];

for (const [name, make] of stores) {
  describe(`${name} log compaction`, () => {
    let ctx: ReturnType<typeof make>;
    let store: LogStore;
    beforeEach(() => {
      ctx = make();
      store = ctx.open();
    });
    afterEach(() => {
      store.close();
      ctx.cleanup();
    });

    it('keeps the latest record of each key at its original offset, and every record of the uncleanable tail', () => {
      const log = store.open('c', 0, compacted());
      log.append(batch([['a', 'a1'], ['b', 'b1']]), 0); // 0-1
      log.append(batch([['a', 'a2'], ['c', 'c1']]), 0); // 2-3
      log.append(batch([['b', 'b2'], ['a', 'a3']]), 0); // 4-5
      log.append(batch([['c', 'c2'], ['a', 'a4']]), 0); // 6-7: the last batch, never cleaned here
      const end = log.logEndOffset();
      const result = log.compact(Date.now(), lastBatchBase(log))!;
      expect(result.recordsRemoved).toBe(3); // a1, b1, a2: c1 is only superseded in the tail
      expect(result.cleanedThrough).toBe(6);
      expect(contents(log)).toEqual([
        [3, 'c', 'c1'],
        [4, 'b', 'b2'],
        [5, 'a', 'a3'],
        [6, 'c', 'c2'],
        [7, 'a', 'a4'],
      ]);
      expect(log.logEndOffset()).toBe(end);
      // Reads from an offset inside a removed range start at the next record.
      expect(log.read(1, 1 << 20, end).batches.map((b) => readBatchHeader(b).baseOffset)[0]).toBe(2);
      // Nothing new since: the next pass has nothing to do.
      expect(log.compact(Date.now(), lastBatchBase(log))).toBeNull();
    });

    it('keeps a batch’s base offset and last offset delta when it drops its last record, so readers step past it', () => {
      const log = store.open('c', 0, compacted());
      log.append(batch([['x', '1'], ['y', '1']]), 0); // 0-1
      log.append(batch([['y', '2']]), 0); // 2
      log.append(batch([['z', '1']]), 0); // 3 (tail)
      log.compact(Date.now(), lastBatchBase(log));
      const first = log.read(0, 1 << 20, log.logEndOffset()).batches[0]!;
      const h = readBatchHeader(first);
      expect([h.baseOffset, h.lastOffsetDelta, h.recordCount]).toEqual([0, 1, 1]);
      expect(contents(log).map((r) => r[0])).toEqual([0, 2, 3]);
    });

    it('keeps a tombstone for delete.retention.ms after the pass that first keeps it (KIP-534), then drops it', () => {
      const keep = store.open('keep', 0, compacted({ deleteRetentionMs: 3_600_000, minCleanableRatio: 0 }));
      const drop = store.open('drop', 0, compacted({ deleteRetentionMs: 0, minCleanableRatio: 0 }));
      for (const log of [keep, drop]) {
        log.append(batch([['a', 'a1'], ['b', 'b1']]), 0);
        log.append(batch([['a', null]]), 0);
        log.append(batch([['b', 'b2']]), 0);
        log.append(batch([['z', 'tail']]), 0);
      }
      // The first pass removes what the tombstone deletes and keeps the tombstone, whatever
      // delete.retention.ms: a consumer that read a1 gets to read its deletion.
      const first = Date.now() + 60_000;
      for (const [log, retention] of [
        [keep, 3_600_000],
        [drop, 0],
      ] as const) {
        log.compact(first, lastBatchBase(log));
        expect(contents(log)).toEqual([
          [2, 'a', null],
          [3, 'b', 'b2'],
          [4, 'z', 'tail'],
        ]);
        // Its batch carries the delete horizon in its base timestamp; the record keeps its time.
        const stamped = log.read(2, 1, log.logEndOffset()).batches[0]!;
        expect(readBatchHeader(stamped)).toMatchObject({ attributes: 0x40, baseTimestamp: first + retention });
        expect(decodeBatchRecords(stamped)[0]!.timestamp).toBe(T0);
      }
      // A later pass (new records make the log dirty again): past the horizon the tombstone goes.
      for (const log of [keep, drop]) {
        log.append(batch([['y', 'more']]), 0);
        log.append(batch([['x', 'tail']]), 0);
        log.compact(first + 1000, lastBatchBase(log));
      }
      expect(contents(keep).map((r) => r[0])).toEqual([2, 3, 4, 5, 6]);
      expect(contents(drop).map((r) => r[0])).toEqual([3, 4, 5, 6]);
    });

    it('compacts past a record stamped a year ahead when min.compaction.lag.ms is 0 (only a lag above 0 holds records back, as in Kafka)', () => {
      const log = store.open('future', 0, compacted({ minCleanableRatio: 0 }));
      log.append(batch([['a', 'future']], { timestamp: T0 + 365 * 86_400_000 }), 0);
      log.append(batch([['b', 'b1']]), 0);
      log.append(batch([['b', 'b2']]), 0);
      log.append(batch([['z', 'tail']]), 0);
      expect(log.compact(T0 + 1000, lastBatchBase(log))?.recordsRemoved).toBe(1);
      expect(contents(log).map((r) => r[2])).toEqual(['future', 'b2', 'tail']);
    });

    it('keeps a tombstone for good when delete.retention.ms is Long.MAX_VALUE, its records\' timestamps intact', () => {
      const log = store.open('forever', 0, compacted({ deleteRetentionMs: 9223372036854775807, minCleanableRatio: 0 }));
      log.append(batch([['a', 'a1']]), 0);
      log.append(batch([['a', null]]), 0);
      log.append(batch([['z', 'tail']]), 0);
      const now = Date.now() + 60_000;
      log.compact(now, lastBatchBase(log));
      log.append(batch([['y', 'more']]), 0);
      log.append(batch([['x', 'tail']]), 0);
      log.compact(now + 1000, lastBatchBase(log));
      expect(contents(log).map((r) => [r[0], r[2]])).toEqual([
        [1, null],
        [2, 'tail'],
        [3, 'more'],
        [4, 'tail'],
      ]);
      const kept = log.read(1, 1, log.logEndOffset()).batches[0]!;
      expect(readBatchHeader(kept).attributes & 0x40).toBe(0);
      expect(decodeBatchRecords(kept)[0]!.timestamp).toBe(T0);
    });

    it('does not compact above the high watermark, records younger than min.compaction.lag.ms, or below the dirty ratio', () => {
      const log = store.open('c', 0, compacted({ minCompactionLagMs: 60_000 }));
      log.append(batch([['a', 'old']], { timestamp: T0 }), 0);
      log.append(batch([['a', 'new']], { timestamp: T0 + 1000 }), 0);
      log.append(batch([['b', 'tail']], { timestamp: T0 + 2000 }), 0);
      // The high watermark at 1: the newer record of a is not committed and must not decide.
      expect(log.compact(T0 + 600_000, 1)?.recordsRemoved ?? 0).toBe(0);
      // Both old enough? Only the first is: the second is younger than the lag at T0 + 30 s.
      expect(log.compact(T0 + 30_500, 2)?.recordsRemoved ?? 0).toBe(0);
      expect(contents(log).map((r) => r[2])).toEqual(['old', 'new', 'tail']);

      const ratio = store.open('r', 0, compacted({ minCleanableRatio: 0.99 }));
      ratio.append(batch([['a', '1']]), 0);
      ratio.append(batch([['a', '2']]), 0);
      ratio.append(batch([['z', 'tail']]), 0);
      expect(ratio.compact(Date.now(), 2)?.recordsRemoved).toBe(1);
      ratio.append(batch([['a', '3']]), 0);
      ratio.append(batch([['z', 'tail2']]), 0);
      // One new batch among three cleanable ones is below a 0.99 dirty ratio.
      expect(ratio.compact(Date.now(), 4)).toBeNull();
    });

    it('max.compaction.lag.ms: dirty records older than it are cleaned below the dirty ratio too', () => {
      const log = store.open('m', 0, compacted({ minCleanableRatio: 0.99, maxCompactionLagMs: 60_000 }));
      log.append(batch([['a', '1']], { timestamp: T0 }), 0);
      log.append(batch([['a', '2']], { timestamp: T0 + 1000 }), 0);
      log.append(batch([['z', 'tail']], { timestamp: T0 + 2000 }), 0);
      expect(log.compact(T0 + 3000, 2)?.recordsRemoved).toBe(1);
      log.append(batch([['a', '3']], { timestamp: T0 + 10_000 }), 0);
      log.append(batch([['z', 'tail2']], { timestamp: T0 + 11_000 }), 0);
      // One new batch among three cleanable ones: below the ratio while it is younger than the lag...
      expect(log.compact(T0 + 60_000, 4)).toBeNull();
      // ...and cleaned once it has waited longer.
      expect(log.compact(T0 + 70_001, 4)?.recordsRemoved).toBe(1);
      expect(contents(log).map((r) => r[2])).toEqual(['tail', '3', 'tail2']);
    });

    it('keeps records without a key and re-compresses what it rewrites with the batch’s codec', () => {
      const log = store.open('c', 0, compacted());
      log.append(batch([['a', 'a1'], [null, 'keyless'], ['a', 'a2'], ['b', 'b1']], { compression: CompressionType.gzip }), 0);
      log.append(batch([['b', 'b2']]), 0);
      log.append(batch([['t', 'tail']]), 0);
      log.compact(Date.now(), lastBatchBase(log));
      const first = log.read(0, 1 << 20, log.logEndOffset()).batches[0]!;
      expect(readBatchHeader(first).attributes & 7).toBe(CompressionType.gzip);
      expect(contents(log)).toEqual([
        [1, null, 'keyless'],
        [2, 'a', 'a2'],
        [4, 'b', 'b2'],
        [5, 't', 'tail'],
      ]);
    });

    it('is never touched by time retention when the policy is compact only', () => {
      const log = store.open('c', 0, { ...compacted(), retentionMs: 1 });
      log.append(batch([['a', '1']], { timestamp: 1 }), 0);
      log.append(batch([['b', '1']], { timestamp: 1 }), 0);
      expect(log.applyRetention(Date.now())).toBe(0);
      expect(log.logStartOffset()).toBe(0);
    });

    it('lets a follower append a replicated batch that starts beyond its log end (a gap left by compaction)', () => {
      const log = store.open('f', 0, compacted());
      const b = batch([['a', '1']]);
      b.writeInt32BE(0, 0);
      b.writeInt32BE(5, 4); // base offset 5
      expect(log.appendAsFollower(b)).toEqual({ baseOffset: 5, lastOffset: 5 });
      expect(log.logEndOffset()).toBe(6);
      expect(() => log.appendAsFollower(b)).toThrow(/out-of-order/);
    });

    if (name === 'disk') {
      it('keeps a tombstone through its first cleaning however long ago its segment was written', () => {
        const log = store.open('c', 0, compacted({ deleteRetentionMs: 3_600_000 }));
        log.append(batch([['a', 'a1']]), 0);
        log.append(batch([['a', null]]), 0);
        log.append(batch([['z', 'tail']]), 0);
        // Both segments were last written two hours ago, past delete.retention.ms.
        const twoHoursAgo = (Date.now() - 7_200_000) / 1000;
        for (const f of readdirSync(join(ctx.dir!, 'c-0')).filter((f) => f.endsWith('.log'))) utimesSync(join(ctx.dir!, 'c-0', f), twoHoursAgo, twoHoursAgo);
        log.compact(Date.now(), lastBatchBase(log));
        expect(contents(log)).toEqual([
          [1, 'a', null],
          [2, 'z', 'tail'],
        ]);
      });

      it('reopens a compacted log with the same records, rebuilt indexes, and no leftovers of an interrupted pass', () => {
        const log = store.open('c', 0, compacted());
        for (let i = 0; i < 40; i++) log.append(batch([[`k${i % 4}`, `v${i}`]]), 0);
        log.compact(Date.now(), lastBatchBase(log));
        const before = contents(log);
        // k3's v35 stays: its successor v39 is in the uncleanable last segment.
        expect(before.map((r) => r[2])).toEqual(['v35', 'v36', 'v37', 'v38', 'v39']);
        store.close();
        // A pass cut short by a crash leaves its output file behind.
        const dir = join(ctx.dir!, 'c-0');
        writeFileSync(join(dir, '00000000000000000036.log.cleaned'), 'partial');
        store = ctx.open();
        const reopened = store.open('c', 0, compacted());
        expect(contents(reopened)).toEqual(before);
        expect(readdirSync(dir).some((f) => f.endsWith('.cleaned'))).toBe(false);
        // Emptied segments are gone, except the first, which holds the log start.
        const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
        expect(logs).toEqual(['00000000000000000000.log', ...[35, 36, 37, 38, 39].map((o) => `000000000000000000${o}.log`)]);
        const firstBatchAt = (offset: number) => readBatchHeader(reopened.read(offset, 1 << 20, reopened.logEndOffset()).batches[0]!).baseOffset;
        expect(firstBatchAt(37)).toBe(37);
        expect(firstBatchAt(5)).toBe(35);
      });
    }
  });
}
