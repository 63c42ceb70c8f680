/** How lag numbers read, shared by the TUI, the --once tables and the JSON view. */
import type { ChalkInstance } from 'chalk';
import type { Drain, Reason, Status } from './evaluator.js';

/** 0s, 850ms, 2s, 4.2s, 42s, 3m05s, 2h10m, 3d04h. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export const formatCount = (n: number | null): string => (n === null ? '-' : n.toLocaleString('en-US'));

/** Records per second: 0, 3.5, 120, 12.3k, 1.2M. */
export function formatRate(r: number | null): string {
  if (r === null) return '-';
  if (r === 0) return '0';
  if (r < 10) return r.toFixed(1);
  if (r < 10_000) return String(Math.round(r));
  if (r < 10_000_000) return `${(r / 1000).toFixed(1)}k`;
  return `${(r / 1_000_000).toFixed(1)}M`;
}

export const formatTimeLag = (ms: number | null): string => (ms === null ? '?' : formatDuration(ms));

export function formatDrain(d: Drain): string {
  switch (d.kind) {
    case 'none':
      return '-';
    case 'eta':
      return `~${formatDuration(d.ms)}`;
    case 'unknown':
      return '?';
    default:
      return d.kind;
  }
}

export const formatStatus = (status: Status, reason: Reason | null): string => (reason ? `${status} ${reason}` : status);

/** Group states as they fit a column: both rebalancing states read "Rebalancing". */
export const shortState = (state: string): string => (state === 'PreparingRebalance' || state === 'CompletingRebalance' ? 'Rebalancing' : state);

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the last values in `width` cells (each cell the maximum of the values it covers). */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0 || values.length === 0) return '';
  let cells: number[];
  if (values.length <= width) cells = [...values];
  else {
    cells = [];
    for (let i = 0; i < width; i++) {
      const from = Math.floor((i * values.length) / width);
      const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / width));
      cells.push(Math.max(...values.slice(from, to)));
    }
  }
  const max = Math.max(...cells);
  return cells.map((v) => (max <= 0 ? BARS[0] : BARS[Math.min(7, Math.round((v / max) * 7))])).join('');
}

export function paintStatus(c: ChalkInstance, status: Status, text: string): string {
  switch (status) {
    case 'ERR':
      return c.red.bold(text);
    case 'WARN':
      return c.yellow(text);
    case 'OK':
      return c.green(text);
    default:
      return c.dim(text);
  }
}
