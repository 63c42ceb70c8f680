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

/** How much of the window has been observed: "12/30s", or "1.2/2s" for a window under 10 s. */
export function formatWindowProgress(filledMs: number, windowMs: number): string {
  const decimals = windowMs < 10_000 ? 1 : 0;
  const scale = 10 ** decimals;
  const filled = Math.floor((Math.min(filledMs, windowMs) / 1000) * scale) / scale;
  const window = (windowMs / 1000).toFixed(decimals).replace(/\.0$/, '');
  return `${filled.toFixed(decimals).replace(/\.0$/, '')}/${window}s`;
}

/** A status as it reads: "ERR STOP", "IDLE", and while the window fills "warming 12/30s". */
export function formatStatus(v: { status: Status; reason: Reason | null; windowFilledMs?: number }, windowMs: number): string {
  if (v.status === 'WARMING') return `warming ${formatWindowProgress(v.windowFilledMs ?? 0, windowMs)}`;
  return v.reason ? `${v.status} ${v.reason}` : v.status;
}

/** Group states as they fit a column: both rebalancing states read "Rebalancing". */
export const shortState = (state: string): string => (state === 'PreparingRebalance' || state === 'CompletingRebalance' ? 'Rebalancing' : state);

const BARS = '▁▂▃▄▅▆▇█';

/** The largest value among several series: the shared top of their sparklines. */
export const sparklineScale = (series: readonly (readonly number[])[]): number => series.reduce((top, values) => values.reduce((a, b) => Math.max(a, b), top), 0);

/**
 * A sparkline of the last values in `width` cells (each cell the maximum of the values it covers).
 * The scale is zero-based and runs up to `top` (by default the largest of the values; pass
 * sparklineScale() of every row shown so rows compare): 0 is the lowest bar, any lag at least the
 * second, `top` the full bar. So a steady small lag beside a large one stays low, where on a scale
 * of its own it would fill its row.
 */
export function sparkline(values: readonly number[], width: number, top = sparklineScale([values])): string {
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
  const max = Math.max(top, ...cells);
  return cells.map((v) => (v <= 0 || max <= 0 ? BARS[0] : BARS[1 + Math.round((v / max) * 6)])).join('');
}

export function paintStatus(c: ChalkInstance, status: Status, text: string): string {
  switch (status) {
    case 'ERR':
      return c.red.bold(text);
    case 'WARN':
      return c.yellow(text);
    case 'OK':
      return c.green(text);
    case 'WARMING':
      return c.cyan(text);
    default:
      return c.dim(text);
  }
}
