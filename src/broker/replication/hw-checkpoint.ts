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

interface Checkpointed {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
}

/**
 * Writes a log dir's checkpoint file, skipping a write that would not change it: with 10,000 idle
 * partitions the same 300 KB were built and rewritten every 5 s, most of an idle daemon's CPU.
 * What was last written is kept as values (not the replicas, which a stopped broker lets go), and
 * checked without building the text; the first write, and one whose file has gone, always happens.
 */
export class HighWatermarkCheckpoint {
  /** Topic, partition and high watermark of each line last written; null before the first write. */
  private topics: string[] | null = null;
  private partitions: number[] = [];
  private marks: number[] = [];

  constructor(private readonly logDir: string) {}

  write(replicas: Iterable<Checkpointed>): void {
    if (!existsSync(this.logDir)) return;
    const now = [...replicas];
    const path = join(this.logDir, HW_CHECKPOINT_FILE);
    if (this.unchanged(now) && existsSync(path)) return;
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `0\n${now.length}\n${now.map((e) => `${e.topic} ${e.partition} ${e.highWatermark}\n`).join('')}`);
    renameSync(tmp, path);
    this.topics = now.map((r) => r.topic);
    this.partitions = now.map((r) => r.partition);
    this.marks = now.map((r) => r.highWatermark);
  }

  private unchanged(now: Checkpointed[]): boolean {
    const topics = this.topics;
    if (topics === null || now.length !== topics.length) return false;
    for (let i = 0; i < now.length; i++) {
      const r = now[i]!;
      if (r.highWatermark !== this.marks[i] || r.partition !== this.partitions[i] || r.topic !== topics[i]) return false;
    }
    return true;
  }
}
