/**
 * The perf tools' live progress bar: one line on a terminal's stderr, redrawn in place (\r) and
 * cleared before any other line is printed, so stdout keeps exactly Kafka's lines.
 */
import { formatDuration } from '../lag/format.js';

export interface ProgressBar {
  show(done: number, total: number, elapsedMs: number): void;
  clear(): void;
}

export function progressBar(stream: NodeJS.WriteStream, unit: string): ProgressBar {
  let shown = false;
  return {
    show(done, total, elapsedMs) {
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const rate = elapsedMs > 0 ? (1000 * done) / elapsedMs : 0;
      const eta = rate > 0 && done < total ? ` ETA ${formatDuration(((total - done) / rate) * 1000)}` : '';
      const text = ` ${String(Math.floor(share * 100)).padStart(3)}%  ${done}/${total} ${unit}  ${Math.round(rate)} ${unit}/s${eta}`;
      const width = Math.max(10, Math.min(40, (stream.columns || 80) - text.length - 3));
      const filled = Math.round(share * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${text}\x1b[K`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
