/**
 * The lag evaluator with a deterministic clock: every case builds samples at fixed times and
 * judges them at a fixed `now`.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, drainOf, evaluateGroup, evaluatePartition, groupDrain, type EvalSettings, type Sample } from '../../../src/lag/evaluator.js';
import { LagMonitor, type Snapshot } from '../../../src/lag/monitor.js';

const WINDOW = 10_000;
const settings: EvalSettings = { ...DEFAULT_SETTINGS, windowMs: WINDOW };
const NOW = 1_700_000_100_000;

/** Samples one second apart ending at NOW, from [committed, logEnd] pairs. */
function series(points: [number | null, number][], extra: Partial<Sample> = {}): Sample[] {
  return points.map(([committed, logEnd], i) => ({ at: NOW - (points.length - 1 - i) * 1000, committed, logEnd, owned: true, timeLagMs: null, ...extra }));
}
const steps = (n: number, f: (i: number) => [number | null, number]) => series(Array.from({ length: n }, (_, i) => f(i)));

describe('evaluatePartition', () => {
  it('without a committed offset: WARN NO_OFFSET when records wait in the log (lag unknown), OK with lag 0 when it is empty (nothing to consume)', () => {
    // Records 0..99 and nothing committed: the group has consumed none of them as far as Kafka knows.
    expect(evaluatePartition(steps(12, () => [null, 100]), NOW, settings)).toMatchObject({ status: 'WARN', reason: 'NO_OFFSET', lag: null, drain: { kind: 'unknown' } });
    // Every record deleted (log start = log end), or none written: nothing to consume.
    // (Lag 0, not unknown: a caught-up group's drain read "?" and every --once said "1 partition not counted".)
    expect(evaluatePartition(series(Array.from({ length: 12 }, () => [null, 100] as [null, number]), { logStart: 100 }), NOW, settings)).toMatchObject({ status: 'OK', reason: null, lag: 0, timeLagMs: 0, drain: { kind: 'none' } });
    expect(evaluatePartition(steps(12, () => [null, 0]), NOW, settings)).toMatchObject({ status: 'OK', reason: null, lag: 0, drain: { kind: 'none' } });
  });

  it('is IDLE when caught up and nothing new arrives, OK when caught up on a moving log', () => {
    expect(evaluatePartition(steps(12, () => [50, 50]), NOW, settings)).toMatchObject({ status: 'IDLE', lag: 0, timeLagMs: 0, drain: { kind: 'none' } });
    expect(evaluatePartition(steps(12, (i) => [50 + i * 10, 50 + i * 10]), NOW, settings)).toMatchObject({ status: 'OK', lag: 0, consumeRate: 10, produceRate: 10 });
  });

  it('does not call a quiet, caught-up partition STOP (Burrow#38)', () => {
    const v = evaluatePartition(series(Array.from({ length: 30 }, () => [7, 7] as [number, number]), { owned: false }), NOW, settings);
    expect(v.status).toBe('IDLE');
  });

  it('STOP: behind for the whole window, offset frozen, nobody owns the partition', () => {
    const v = evaluatePartition(series(Array.from({ length: 12 }, (_, i) => [100, 150 + i] as [number, number]), { owned: false }), NOW, settings);
    expect(v).toMatchObject({ status: 'ERR', reason: 'STOP', lag: 61, complete: true, consumeRate: 0, produceRate: 1, drain: { kind: 'growing' } });
  });

  it('STALL: behind for the whole window, offset frozen, a member owns it', () => {
    const v = evaluatePartition(steps(12, () => [100, 150]), NOW, settings);
    expect(v).toMatchObject({ status: 'ERR', reason: 'STALL', drain: { kind: 'idle' } });
  });

  it('REWIND: the committed offset went back and stays below its earlier peak', () => {
    const back = steps(12, (i) => [i < 6 ? 100 + i * 10 : 40 + i, 300]);
    expect(evaluatePartition(back, NOW, settings)).toMatchObject({ status: 'ERR', reason: 'REWIND' });
    // A rewind that has recovered (a rebalance re-committing an older offset) is forgiven.
    const recovered = steps(12, (i) => [i === 5 ? 90 : 100 + i * 10, 300]);
    expect(evaluatePartition(recovered, NOW, settings).status).toBe('OK');
  });

  it('a rewind restarts the consume rate: no span across it counts (OUT/S "-" and DRAIN "?" until a rate is seen again)', () => {
    // Rewound (reset --to-earliest) at the last sample: no rate since, so none, and no drain.
    const justRewound = steps(12, (i) => [i < 11 ? 100 + i * 10 : 0, 300]);
    expect(evaluatePartition(justRewound, NOW, settings)).toMatchObject({ status: 'ERR', reason: 'REWIND', lag: 300, consumeRate: null, produceRate: 0, drain: { kind: 'unknown' } });
    // Consuming again after the rewind: the rate since it (46 -> 51 over 5 s), not 0 from the span across it.
    const back = steps(12, (i) => [i < 6 ? 100 + i * 10 : 40 + i, 300]);
    expect(evaluatePartition(back, NOW, settings)).toMatchObject({ status: 'ERR', reason: 'REWIND', lag: 249, consumeRate: 1, drain: { kind: 'eta', ms: 249_000 } });
    // The group's OUT/S is unknown while its only partition's is.
    const m = new LagMonitor(settings);
    justRewound.forEach((s) => m.ingest({ at: s.at, missing: [], groups: [{ group: 'g', state: 'Empty', members: 0, partitions: [{ topic: 't', partition: 0, committed: s.committed, logEnd: s.logEnd, owner: null, committedTimestamp: null }] }] }));
    expect(m.report(NOW).groups[0]).toMatchObject({ status: 'ERR', reason: 'REWIND', consumeRate: null, drain: { kind: 'unknown' } });
  });

  it('WARN TREND: behind at every sample, moving, lag higher at the end than at the start', () => {
    const v = evaluatePartition(steps(12, (i) => [100 + i * 5, 200 + i * 10]), NOW, settings);
    expect(v).toMatchObject({ status: 'WARN', reason: 'TREND', lag: 155, consumeRate: 5, produceRate: 10, drain: { kind: 'growing' } });
  });

  it('OK while draining, with a time-to-drain estimate of lag / (consume rate - produce rate)', () => {
    const v = evaluatePartition(steps(12, (i) => [100 + i * 30, 1000 + i * 10]), NOW, settings);
    expect(v).toMatchObject({ status: 'OK', lag: 680, consumeRate: 30, produceRate: 10, drain: { kind: 'eta', ms: 34_000 } });
  });

  it('does not judge trends before the window is covered: WARMING (never OK while behind), but applies thresholds', () => {
    const short = steps(4, (i) => [100, 200 + i * 10]);
    expect(evaluatePartition(short, NOW, settings)).toMatchObject({ status: 'WARMING', reason: null, complete: false, windowFilledMs: 3000 });
    expect(evaluatePartition(short, NOW, { ...settings, maxLag: 100 })).toMatchObject({ status: 'WARN', reason: 'LAG' });
    // Once covered, the window counts as filled.
    expect(evaluatePartition(steps(12, (i) => [100, 200 + i * 10]), NOW, settings)).toMatchObject({ complete: true, windowFilledMs: WINDOW });
  });

  it('is not WARMING when the data already decides: caught up is OK or IDLE at once', () => {
    expect(evaluatePartition(steps(2, () => [50, 50]), NOW, settings)).toMatchObject({ status: 'IDLE', complete: false });
    expect(evaluatePartition(steps(2, (i) => [50 + i, 50 + i]), NOW, settings)).toMatchObject({ status: 'OK', complete: false });
  });

  it('STOP at once: nobody owns the partition, the offset is frozen, the oldest unconsumed record is older than the window', () => {
    // The case: a group with no members, lag 20,600 and an 18-minute time lag, seen twice a second apart.
    const stopped = series([[1000, 21_600], [1000, 21_600]], { owned: false, timeLagMs: 18 * 60_000 });
    expect(evaluatePartition(stopped, NOW, settings)).toMatchObject({ status: 'ERR', reason: 'STOP', lag: 20_600, complete: false, windowFilledMs: 1000 });
    // From a single sample too: nothing has moved for longer than the window.
    expect(evaluatePartition(stopped.slice(-1), NOW, settings)).toMatchObject({ status: 'ERR', reason: 'STOP' });
  });

  it('does not STOP at once what the data does not decide: young records, an owner, or a moving offset', () => {
    const young = series([[1000, 21_600], [1000, 21_600]], { owned: false, timeLagMs: WINDOW - 1 });
    expect(evaluatePartition(young, NOW, settings).status).toBe('WARMING');
    // A member may be busy with a long batch: STALL needs the whole window.
    const owned = series([[1000, 21_600], [1000, 21_600]], { owned: true, timeLagMs: 18 * 60_000 });
    expect(evaluatePartition(owned, NOW, settings).status).toBe('WARMING');
    // A consumer committing without joining the group (assign()) works through old records.
    const moving = series([[1000, 21_600], [1200, 21_600]], { owned: false, timeLagMs: 18 * 60_000 });
    expect(evaluatePartition(moving, NOW, settings).status).toBe('WARMING');
    // Unknown record timestamps decide nothing.
    const unknown = series([[1000, 21_600], [1000, 21_600]], { owned: false, timeLagMs: null });
    expect(evaluatePartition(unknown, NOW, settings).status).toBe('WARMING');
  });

  it('honours --allowed-lag and --allowed-time-lag as "caught up"', () => {
    const behind = steps(12, () => [100, 103]);
    expect(evaluatePartition(behind, NOW, settings)).toMatchObject({ status: 'ERR', reason: 'STALL' });
    expect(evaluatePartition(behind, NOW, { ...settings, allowedLag: 5 })).toMatchObject({ status: 'IDLE' });
    const young = series(Array.from({ length: 12 }, () => [100, 103] as [number, number]), { timeLagMs: 800 });
    expect(evaluatePartition(young, NOW, { ...settings, allowedTimeLagMs: 1000 })).toMatchObject({ status: 'IDLE' });
    expect(evaluatePartition(young, NOW, { ...settings, allowedTimeLagMs: 500 }).status).toBe('ERR');
  });

  it('raises WARN above --max-lag and --max-time-lag even when the trend is fine', () => {
    const draining = series(Array.from({ length: 12 }, (_, i) => [100 + i * 30, 1000 + i * 10] as [number, number]), { timeLagMs: 60_000 });
    expect(evaluatePartition(draining, NOW, { ...settings, maxLag: 500 })).toMatchObject({ status: 'WARN', reason: 'LAG' });
    expect(evaluatePartition(draining, NOW, { ...settings, maxTimeLagMs: 30_000 })).toMatchObject({ status: 'WARN', reason: 'TIME_LAG' });
    expect(evaluatePartition(draining, NOW, { ...settings, maxLag: 1000, maxTimeLagMs: 120_000 }).status).toBe('OK');
  });

  it('looks only at the window: an old stall followed by progress is OK', () => {
    const samples = [...steps(30, (i) => (i < 15 ? [100, 2000] : [100 + (i - 14) * 40, 2000]))];
    expect(evaluatePartition(samples, NOW, settings)).toMatchObject({ status: 'OK', drain: { kind: 'eta' } });
  });
});

describe('drain and group status', () => {
  it('estimates drain only when consumption outpaces production', () => {
    expect(drainOf(0, 0, 0)).toEqual({ kind: 'none' });
    expect(drainOf(100, 20, 10)).toEqual({ kind: 'eta', ms: 10_000 });
    expect(drainOf(100, 10, 20)).toEqual({ kind: 'growing' });
    expect(drainOf(100, 10, 10)).toEqual({ kind: 'steady' });
    expect(drainOf(100, 0, 0)).toEqual({ kind: 'idle' });
    expect(drainOf(100, null, 0)).toEqual({ kind: 'unknown' });
  });

  it('takes the worst partition; the group drains when its slowest partition does', () => {
    const ok = evaluatePartition(steps(12, (i) => [100 + i * 30, 1000 + i * 10]), NOW, settings);
    const idle = evaluatePartition(steps(12, () => [50, 50]), NOW, settings);
    const warn = evaluatePartition(steps(12, (i) => [100 + i * 5, 200 + i * 10]), NOW, settings);
    expect(evaluateGroup([idle, idle])).toMatchObject({ status: 'IDLE' });
    expect(evaluateGroup([idle, ok])).toMatchObject({ status: 'OK', drain: { kind: 'eta', ms: 34_000 } });
    expect(evaluateGroup([ok, warn, idle])).toMatchObject({ status: 'WARN', reason: 'TREND', drain: { kind: 'growing' } });
    const warming = evaluatePartition(steps(3, (i) => [100, 200 + i]), NOW, settings);
    expect(evaluateGroup([idle, ok, warming])).toMatchObject({ status: 'WARMING' });
    expect(evaluateGroup([warming, warn])).toMatchObject({ status: 'WARN' });
    expect(groupDrain([{ kind: 'eta', ms: 5 }, { kind: 'eta', ms: 9 }, { kind: 'none' }])).toEqual({ kind: 'eta', ms: 9 });
    // A partition whose drain is not known (no rate yet) may be the slowest: the group's is not known either.
    expect(groupDrain([{ kind: 'eta', ms: 5 }, { kind: 'unknown' }, { kind: 'none' }])).toEqual({ kind: 'unknown' });
    // ... but a deleted topic's partition (ERR UNKNOWN_TOPIC, its offsets kept until they expire) has nothing to drain.
    const gone = { ...evaluatePartition(steps(12, () => [5, 5]), NOW, settings), status: 'ERR' as const, reason: 'UNKNOWN_TOPIC' as const, drain: { kind: 'unknown' as const } };
    expect(evaluateGroup([ok, gone]).drain).toEqual({ kind: 'eta', ms: 34_000 });
  });
});

describe('LagMonitor', () => {
  const snap = (at: number, committed: number, logEnd: number, extra: Partial<Snapshot> = {}): Snapshot => ({
    at,
    groups: [
      {
        group: 'billing',
        state: 'Stable',
        members: 1,
        partitions: [{ topic: 'orders', partition: 0, committed, logEnd, owner: { memberId: 'm-1', clientId: 'c', host: '/127.0.0.1' }, committedTimestamp: at - 5000 }],
      },
    ],
    missing: [],
    ...extra,
  });

  it('accumulates samples, computes time lag from record timestamps, and keeps a lag history', () => {
    const m = new LagMonitor(settings, 60_000);
    for (let i = 0; i <= 10; i++) m.ingest(snap(NOW - 10_000 + i * 1000, 100 + i * 5, 200 + i * 10));
    const r = m.report(NOW);
    const g = r.groups[0]!;
    expect(g).toMatchObject({ group: 'billing', state: 'Stable', members: 1, status: 'WARN', reason: 'TREND', totalLag: 150, maxTimeLagMs: 5000, consumeRate: 5, produceRate: 10, complete: true });
    expect(g.history).toEqual([100, 105, 110, 115, 120, 125, 130, 135, 140, 145, 150]);
    expect(g.partitions[0]).toMatchObject({ topic: 'orders', partition: 0, committed: 150, logEnd: 300, lag: 150, timeLagMs: 5000, owner: { clientId: 'c' } });
  });

  it('judges a stopped group with old records ERR STOP from its first two samples, and reports how full the window is', () => {
    const stopped = (at: number): Snapshot => ({
      at,
      groups: [{ group: 'etl', state: 'Empty', members: 0, partitions: [{ topic: 'orders', partition: 0, committed: 1000, logEnd: 21_600, owner: null, committedTimestamp: NOW - 18 * 60_000 }] }],
      missing: [],
    });
    const m = new LagMonitor(settings, 60_000);
    m.ingest(stopped(NOW - 1000));
    m.ingest(stopped(NOW));
    expect(m.report(NOW).groups[0]).toMatchObject({ status: 'ERR', reason: 'STOP', totalLag: 20_600, complete: false, windowFilledMs: 1000 });
    const warming = new LagMonitor(settings, 60_000);
    for (let i = 0; i < 3; i++) warming.ingest(snap(NOW - 2000 + i * 1000, 100, 200 + i));
    expect(warming.report(NOW).groups[0]).toMatchObject({ status: 'WARMING', complete: false, windowFilledMs: 2000 });
  });

  it('does not call a rebalancing group with members stopped (its members hold no assignment until it completes)', () => {
    const rebalancing = (at: number, state: string, members: number): Snapshot => ({
      at,
      groups: [{ group: 'etl', state, members, partitions: [{ topic: 'orders', partition: 0, committed: 1000, logEnd: 21_600, owner: null, committedTimestamp: NOW - 18 * 60_000 }] }],
      missing: [],
    });
    for (const state of ['PreparingRebalance', 'CompletingRebalance']) {
      const m = new LagMonitor(settings, 60_000);
      m.ingest(rebalancing(NOW - 1000, state, 3));
      m.ingest(rebalancing(NOW, state, 3));
      expect(m.report(NOW).groups[0]!.reason, state).not.toBe('STOP');
      // Stuck in it for the whole window without progress: a member is there, so STALL, not STOP.
      const stuck = new LagMonitor(settings, 60_000);
      for (let i = 0; i <= 10; i++) stuck.ingest(rebalancing(NOW - 10_000 + i * 1000, state, 3));
      expect(stuck.report(NOW).groups[0], state).toMatchObject({ status: 'ERR', reason: 'STALL' });
    }
    // Without members it is a stop at once, as before.
    const empty = new LagMonitor(settings, 60_000);
    empty.ingest(rebalancing(NOW - 1000, 'PreparingRebalance', 0));
    empty.ingest(rebalancing(NOW, 'PreparingRebalance', 0));
    expect(empty.report(NOW).groups[0]).toMatchObject({ status: 'ERR', reason: 'STOP' });
  });

  it('lists a partition whose log end is unknown (no leader) as ERR UNAVAILABLE with lag null, and leaves it out of the total', () => {
    const m = new LagMonitor(settings, 60_000);
    const two = (at: number, logEnd1: number | null): Snapshot => ({
      at,
      missing: [],
      groups: [
        {
          group: 'bg',
          state: 'Empty',
          members: 0,
          partitions: [
            { topic: 'big', partition: 0, committed: 10, logEnd: 10, owner: null, committedTimestamp: null },
            { topic: 'big', partition: 1, committed: 100, logEnd: logEnd1, owner: null, committedTimestamp: null },
          ],
        },
      ],
    });
    for (let i = 0; i <= 10; i++) m.ingest(two(NOW - 10_000 + i * 1000, i < 8 ? 130 : null));
    const g = m.report(NOW).groups[0]!;
    expect(g.partitions.map((p) => [p.partition, p.committed, p.logEnd, p.lag, p.status, p.reason])).toEqual([
      [0, 10, 10, 0, 'IDLE', null],
      [1, 100, null, null, 'ERR', 'UNAVAILABLE'],
    ]);
    expect(g).toMatchObject({ status: 'ERR', reason: 'UNAVAILABLE', totalLag: 0, partitionsWithoutLogEnd: 1, partitionsWithoutOffset: 0 });
    // Measured again: judged from its samples as before.
    m.ingest(two(NOW + 1000, 130));
    expect(m.report(NOW + 1000).groups[0]).toMatchObject({ totalLag: 30, partitionsWithoutLogEnd: 0 });
    // Never measured at all (no leader from the first sample on): listed too.
    const first = new LagMonitor(settings, 60_000);
    first.ingest(two(NOW, null));
    expect(first.report(NOW).groups[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
  });

  it('counts partitions without a committed offset apart from the total, and does not call the group OK when records wait there', () => {
    const m = new LagMonitor(settings, 60_000);
    for (let i = 0; i < 3; i++) {
      m.ingest({
        at: NOW - 2000 + i * 1000,
        missing: [],
        groups: [
          {
            group: 'js',
            state: 'Stable',
            members: 1,
            partitions: [
              { topic: 't', partition: 0, committed: 448, logEnd: 500, owner: null, committedTimestamp: null },
              { topic: 't', partition: 1, committed: null, logEnd: 1400, logStart: 0, owner: null, committedTimestamp: null },
              { topic: 't', partition: 2, committed: null, logEnd: 1450, owner: null, committedTimestamp: null },
            ],
          },
        ],
      });
    }
    const g = m.report(NOW).groups[0]!;
    expect(g).toMatchObject({ totalLag: 52, partitionsWithoutOffset: 2, partitionsWithoutLogEnd: 0, status: 'WARN', reason: 'NO_OFFSET' });
    expect(g.partitions.map((p) => [p.lag, p.status, p.reason])).toEqual([
      [52, 'WARMING', null],
      [null, 'WARN', 'NO_OFFSET'],
      [null, 'WARN', 'NO_OFFSET'],
    ]);
  });

  it('drops history older than it keeps, forgets groups that disappear, reports missing groups', () => {
    const m = new LagMonitor({ ...settings, windowMs: 2000 }, 3000);
    for (let i = 0; i < 10; i++) m.ingest(snap(NOW - 9000 + i * 1000, 10, 10));
    expect(m.report(NOW).groups[0]!.history.length).toBeLessThanOrEqual(5);
    m.ingest({ at: NOW + 1000, groups: [], missing: ['billing'] });
    expect(m.report(NOW + 1000)).toMatchObject({ groups: [], missing: ['billing'] });
  });
});
