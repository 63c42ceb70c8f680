/**
 * The non-interactive lag views: tables for --once/--check (one row per group, or per partition
 * when groups are named) and the JSON document. The TUI shows the same numbers.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Drain } from './evaluator.js';
import { formatDrain, formatRate, formatStatus, formatTimeLag, paintStatus, shortState } from './format.js';
import type { GroupReport, LagReport } from './monitor.js';

/** Counts in the tables for scripts: plain integers (awk, sort -n), no thousands separators. */
const integer = (n: number | null): string => (n === null ? '-' : String(n));

function table(head: string[], rows: string[][], rightAligned: Set<number>): string {
  const t = new Table({
    head,
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: head.map((_, i) => (rightAligned.has(i) ? 'right' : 'left')),
  });
  t.push(...rows);
  // cli-table3 pads the last column too; trailing spaces help nobody.
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

/** One row per group. */
export function groupsTable(report: LagReport, c: ChalkInstance): string {
  const rows = report.groups.map((g) => [
    g.group,
    shortState(g.state),
    String(g.members),
    integer(g.totalLag),
    formatTimeLag(g.maxTimeLagMs),
    formatRate(g.produceRate),
    formatRate(g.consumeRate),
    formatDrain(g.drain),
    paintStatus(c, g.status, formatStatus(g, report.windowMs)),
  ]);
  return table(['GROUP', 'STATE', 'MEMBERS', 'LAG', 'TIME-LAG', 'IN/S', 'OUT/S', 'DRAIN', 'STATUS'], rows, new Set([2, 3, 4, 5, 6]));
}

/** One row per partition of the given groups. */
export function partitionsTable(groups: GroupReport[], windowMs: number, c: ChalkInstance): string {
  const rows = groups.flatMap((g) =>
    g.partitions.map((p) => [
      g.group,
      p.topic,
      String(p.partition),
      integer(p.committed),
      integer(p.logEnd),
      integer(p.lag),
      formatTimeLag(p.timeLagMs),
      formatRate(p.produceRate),
      formatRate(p.consumeRate),
      formatDrain(p.drain),
      paintStatus(c, p.status, formatStatus(p, windowMs)),
      p.owner?.clientId ?? '-',
    ]),
  );
  return table(['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'TIME-LAG', 'IN/S', 'OUT/S', 'DRAIN', 'STATUS', 'CLIENT-ID'], rows, new Set([2, 3, 4, 5, 6, 7, 8]));
}

const round = (r: number | null) => (r === null ? null : Math.round(r * 100) / 100);
const drainJson = (d: Drain) => (d.kind === 'eta' ? { kind: d.kind, ms: d.ms } : { kind: d.kind });

/** The documented JSON view of a report (rates in records per second, times in ms). */
export function reportJson(report: LagReport, extra: Record<string, unknown> = {}): object {
  return {
    at: new Date(report.at).toISOString(),
    windowMs: report.windowMs,
    ...extra,
    groups: report.groups.map((g) => ({
      group: g.group,
      state: g.state,
      members: g.members,
      status: g.status,
      reason: g.reason,
      totalLag: g.totalLag,
      partitionsWithoutOffset: g.partitionsWithoutOffset,
      partitionsWithoutLogEnd: g.partitionsWithoutLogEnd,
      maxTimeLagMs: g.maxTimeLagMs,
      produceRate: round(g.produceRate),
      consumeRate: round(g.consumeRate),
      drain: drainJson(g.drain),
      complete: g.complete,
      windowFilledMs: g.windowFilledMs,
      partitions: g.partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        committedOffset: p.committed,
        logEndOffset: p.logEnd,
        lag: p.lag,
        timeLagMs: p.timeLagMs,
        produceRate: round(p.produceRate),
        consumeRate: round(p.consumeRate),
        drain: drainJson(p.drain),
        status: p.status,
        reason: p.reason,
        complete: p.complete,
        windowFilledMs: p.windowFilledMs,
        owner: p.owner,
      })),
    })),
    missing: report.missing,
  };
}

/**
 * What a group's total lag leaves out, in words ("2 partitions not counted: 2 without a committed
 * offset"), or null when it counts every partition.
 */
export function uncountedNote(g: GroupReport): string | null {
  const parts: string[] = [];
  if (g.partitionsWithoutOffset) parts.push(`${g.partitionsWithoutOffset} without a committed offset`);
  // Without a log end: no leader, or no such partition (its topic deleted).
  const deleted = g.partitions.filter((p) => p.logEnd === null && p.reason === 'UNKNOWN_TOPIC').length;
  if (g.partitionsWithoutLogEnd > deleted) parts.push(`${g.partitionsWithoutLogEnd - deleted} without a leader (log end unknown)`);
  if (deleted) parts.push(`${deleted} on a topic that does not exist`);
  const n = g.partitionsWithoutOffset + g.partitionsWithoutLogEnd;
  return parts.length ? `${n} partition${n === 1 ? '' : 's'} not counted: ${parts.join(', ')}` : null;
}
