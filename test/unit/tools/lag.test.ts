import { describe, expect, it } from 'vitest';
import { lagResult, type LagOptions } from '../../../src/tools/lag.js';
import { LagMonitor } from '../../../src/lag/monitor.js';
import { groupsTable, partitionsTable, reportJson } from '../../../src/lag/views.js';
import { colorsFor } from '../../../src/util/colors.js';

const settings = { windowMs: 30_000, allowedLag: 0, allowedTimeLagMs: null, maxLag: null, maxTimeLagMs: null };
const options = (o: Partial<LagOptions>): LagOptions => ({ groups: [], mode: 'once', intervalMs: 1000, settings, output: 'text', target: 'local', ...o });
const env = { NO_COLOR: '1' };

function report(lag: number, missing: string[] = []) {
  const monitor = new LagMonitor(settings);
  const partition = (committed: number) => ({ topic: 'orders', partition: 0, committed, logEnd: 10, owner: null, committedTimestamp: 0 });
  monitor.ingest({ at: 1000, groups: [{ group: 'billing', state: 'Empty', members: 0, partitions: [partition(10 - lag)] }], missing });
  monitor.ingest({ at: 2000, groups: [{ group: 'billing', state: 'Empty', members: 0, partitions: [partition(10 - lag)] }], missing });
  return monitor.report(2000);
}

const io = () => {
  const warned: string[] = [];
  return { io: { out: { isTTY: false }, warn: (l: string) => void warned.push(l), env }, warned };
};

describe('lag --once and --check reports', () => {
  it('--once: the groups table as text, nothing else', () => {
    const r = report(0);
    const { io: ctx, warned } = io();
    const result = lagResult(r, options({}), ctx, false);
    expect(result).toEqual({ data: undefined, text: groupsTable(r, colorsFor({ isTTY: false }, env)), outcome: 'Ok' });
    expect(result.text).toContain('billing');
    expect(warned).toEqual([]);
  });

  it('tables for scripts print counts as plain integers (no thousands separators)', () => {
    const monitor = new LagMonitor(settings);
    const part = { topic: 'orders', partition: 0, committed: 1000, logEnd: 1_234_567, owner: null, committedTimestamp: 0 };
    for (const at of [1000, 2000]) monitor.ingest({ at, groups: [{ group: 'big', state: 'Empty', members: 0, partitions: [part] }], missing: [] });
    const r = monitor.report(2000);
    const c = colorsFor({ isTTY: false }, env);
    expect(groupsTable(r, c).split('\n')[1]).toMatch(/^big\s+Empty\s+0\s+1233567\s/);
    expect(partitionsTable(r.groups, r.windowMs, c).split('\n')[1]).toMatch(/^big\s+orders\s+0\s+1000\s+1234567\s+1233567\s/);
  });

  it('counts each partition left out of the lag once: no log end (no leader) before no committed offset', () => {
    const monitor = new LagMonitor(settings);
    const parts = [
      { topic: 'gone', partition: 0, committed: null, logEnd: null, owner: null, committedTimestamp: null },
      { topic: 'gone', partition: 1, committed: null, logEnd: null, owner: null, committedTimestamp: null },
      { topic: 'new', partition: 0, committed: null, logEnd: 5, owner: null, committedTimestamp: null },
      { topic: 'empty', partition: 0, committed: null, logEnd: 0, owner: null, committedTimestamp: null },
    ];
    for (const at of [1000, 2000]) monitor.ingest({ at, groups: [{ group: 'g', state: 'Stable', members: 1, partitions: parts }], missing: [] });
    const g = monitor.report(2000).groups[0]!;
    expect({ withoutOffset: g.partitionsWithoutOffset, withoutLogEnd: g.partitionsWithoutLogEnd }).toEqual({ withoutOffset: 1, withoutLogEnd: 2 });
  });

  it('named groups: the partitions table', () => {
    const r = report(0);
    expect(lagResult(r, options({ groups: ['billing'] }), io().io, false).text).toBe(partitionsTable(r.groups, r.windowMs, colorsFor({ isTTY: false }, env)));
  });

  it('--output json: the documented document, with the worst status for --check', () => {
    const r = report(0);
    expect(lagResult(r, options({ output: 'json' }), io().io, false)).toEqual({ data: reportJson(r), text: '', outcome: 'Ok' });
    const checked = lagResult(r, options({ output: 'json', mode: 'check' }), io().io, true);
    expect(checked.data).toEqual(reportJson(r, { worst: r.groups[0]!.status }));
  });

  it('--check ends with the worst status and says it on stderr', () => {
    const r = report(0);
    const { io: ctx, warned } = io();
    expect(lagResult(r, options({ mode: 'check' }), ctx, true).outcome).toBe('Ok');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^Worst status: .* \(group billing, window 30s\)$/);
  });

  it('a named group that does not exist: NotFound, said on stderr in both modes', () => {
    const r = { ...report(0), groups: [], missing: ['ghost'] };
    for (const output of ['text', 'json'] as const) {
      const { io: ctx, warned } = io();
      const result = lagResult(r, options({ groups: ['ghost'], output }), ctx, true);
      expect(result.outcome).toBe('NotFound');
      expect(warned).toEqual(["kafka-ts lag: error: Consumer group 'ghost' does not exist"]);
    }
  });

  it('no groups at all: nothing on stdout, a note on stderr', () => {
    const r = { ...report(0), groups: [] };
    const { io: ctx, warned } = io();
    expect(lagResult(r, options({}), ctx, false)).toEqual({ data: undefined, text: '', outcome: 'Ok' });
    expect(warned).toEqual(['No consumer groups.']);
  });
});
