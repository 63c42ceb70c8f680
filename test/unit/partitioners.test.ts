/**
 * partitioner.class and friends, against Kafka's own behaviour: murmur2 as Java computes it, the
 * built-in sticky partitioner (one batch per partition before switching, KIP-480/794),
 * RoundRobinPartitioner's exact spread, partitioner.ignore.keys, adaptive partitioning and
 * partitions without a leader.
 */
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, RecordPartitioner, type PartitionView } from '../../src/client/producer/partitioners.js';

const view = (leaderless: number[] = [], queued: Record<number, number> = {}): PartitionView => ({
  available: (_t, p) => !leaderless.includes(p),
  queued: (_t, p) => queued[p] ?? 0,
});

/** A seeded generator, so a run can be repeated. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const key = (s: string) => Buffer.from(s, 'utf8');

describe('murmur2', () => {
  it("matches Kafka's Utils.murmur2 on its own test vectors", () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of cases) expect(murmur2(key(s)), s).toBe(h);
  });
});

describe('RecordPartitioner', () => {
  it('RoundRobinPartitioner: 3,000 unkeyed records over 3 partitions land 1,000/1,000/1,000, in turn', () => {
    const p = new RecordPartitioner({ kind: 'round-robin' }, view());
    const counts = [0, 0, 0];
    const first: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const n = p.partition('t', null, 3, 100);
      counts[n]!++;
      if (i < 6) first.push(n);
    }
    expect(counts).toEqual([1000, 1000, 1000]);
    expect(first).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('RoundRobinPartitioner spreads keyed records too, and skips partitions without a leader', () => {
    const p = new RecordPartitioner({ kind: 'round-robin' }, view([1]));
    const seen = Array.from({ length: 6 }, (_, i) => p.partition('t', key(`k${i}`), 3, 10));
    expect(seen).toEqual([0, 2, 0, 2, 0, 2]);
  });

  it('the built-in partitioner puts a keyed record where Java murmur2 does, whatever the batch state', () => {
    const p = new RecordPartitioner({}, view(), seeded(1));
    for (let i = 0; i < 200; i++) {
      const k = key(`user-${i}`);
      expect(p.partition('t', k, 7, 100)).toBe(partitionForKey(k, 7));
    }
    // The one vector from Kafka's DefaultPartitionerTest-style check: toPositive(murmur2) % n.
    expect(partitionForKey(key('foobar'), 10)).toBe((-790332482 & 0x7fffffff) % 10);
  });

  it('the built-in sticky partitioner fills one batch (batch.size bytes) per partition before switching', () => {
    const batchSize = 16384;
    const p = new RecordPartitioner({ batchSize, adaptive: false }, view(), seeded(7));
    const runs: { partition: number; count: number }[] = [];
    for (let i = 0; i < 2000; i++) {
      const n = p.partition('t', null, 4, 100);
      const last = runs[runs.length - 1];
      if (last && last.partition === n) last.count++;
      else runs.push({ partition: n, count: 1 });
    }
    // 61 bytes of batch header, then 24 + 100 bytes per record: 131 records fit 16,384 bytes.
    const full = Math.floor((batchSize - 61) / 124);
    // Each stay on a partition is a whole number of batches (a switch may pick the same partition again).
    for (const r of runs.slice(0, -1)) expect(r.count % full, JSON.stringify(runs.slice(0, 5))).toBe(0);
    expect(new Set(runs.map((r) => r.partition)).size).toBe(4);
  });

  it('partitioner.ignore.keys=true spreads keyed records as unkeyed ones (sticky), and so does UniformStickyPartitioner', () => {
    for (const opts of [{ ignoreKeys: true }, { kind: 'uniform-sticky' as const }]) {
      const p = new RecordPartitioner({ ...opts, batchSize: 1000, adaptive: false }, view(), seeded(3));
      const got = Array.from({ length: 40 }, () => p.partition('t', key('same-key'), 5, 100));
      // Same key, yet several partitions; within a batch's worth the partition stays.
      expect(new Set(got).size).toBeGreaterThan(1);
      expect(got.slice(0, 7).every((x) => x === got[0])).toBe(true);
    }
  });

  it('adaptive partitioning favours partitions with short queues; partitions without a leader are skipped', () => {
    const count = (adaptive: boolean) => {
      const p = new RecordPartitioner({ batchSize: 100, adaptive }, view([3], { 0: 20, 1: 0, 2: 0 }), seeded(11));
      const c = [0, 0, 0, 0];
      for (let i = 0; i < 3000; i++) c[p.partition('t', null, 4, 100)]!++;
      return c;
    };
    const adaptive = count(true);
    const uniform = count(false);
    expect(adaptive[3]).toBe(0);
    expect(uniform[3]).toBe(0);
    // Weights 1 : 21 : 21 with a queue of 20 batches on partition 0.
    expect(adaptive[0]!).toBeLessThan(adaptive[1]! / 5);
    expect(uniform[0]!).toBeGreaterThan(uniform[1]! / 2);
  });
});
