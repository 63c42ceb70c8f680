/**
 * The high-watermark checkpoint (Kafka's `replication-offset-checkpoint`): each broker writes
 * its replicas' high watermarks to its log directory every few seconds and on shutdown, and
 * starts from them. A follower that restarts must not trust records above its last known high
 * watermark: they may never have been committed and may differ from the leader's.
 *
 * Format: a version line (0), a count line, then "topic partition highWatermark" lines.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint';

export function readHighWatermarks(logDir: string): Map<string, number> {
  const out = new Map<string, number>();
  const path = join(logDir, HW_CHECKPOINT_FILE);
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.slice(2)) {
    const m = /^(\S+) (\d+) (\d+)$/.exec(line.trim());
    if (m) out.set(`${m[1]}-${m[2]}`, Number(m[3]));
  }
  return out;
}

export function writeHighWatermarks(logDir: string, entries: { topic: string; partition: number; highWatermark: number }[]): void {
  if (!existsSync(logDir)) return;
  const path = join(logDir, HW_CHECKPOINT_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `0\n${entries.length}\n${entries.map((e) => `${e.topic} ${e.partition} ${e.highWatermark}\n`).join('')}`);
  renameSync(tmp, path);
}
