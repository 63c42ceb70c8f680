/** A one-line progress display for long data moves: bar, bytes, rate and estimated time left. */
import { formatDuration } from '../lag/format.js';

/** 512 B, 1.5 KB, 460.2 MB, 1.0 GB (decimal units, as throttles are given in bytes/s). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function progressLine(moved: number, total: number, bytesPerSecond: number | null, pending: number, width = 80): string {
  const share = total > 0 ? Math.min(1, moved / total) : 0;
  const eta = bytesPerSecond && bytesPerSecond > 0 ? `ETA ${formatDuration(((total - moved) / bytesPerSecond) * 1000)}` : 'ETA ?';
  const speed = bytesPerSecond === null ? '? B/s' : `${formatBytes(bytesPerSecond)}/s`;
  const text = ` ${String(Math.floor(share * 100)).padStart(3)}%  ${formatBytes(moved)} / ${formatBytes(total)}  ${speed}  ${eta}  (${pending} partition${pending === 1 ? '' : 's'} moving)`;
  const barWidth = Math.max(10, Math.min(40, width - text.length - 3));
  const filled = Math.round(share * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${text}`;
}
