/**
 * Group commit for durable mode (flush.messages / flush.ms): partitions ask for their dirty files
 * to be synced; the requests that arrive while one round of fdatasync calls runs (or before the
 * next turn of the event loop) are served together by the next round, one fdatasync per file for
 * all of them. One instance per log dir (a DiskLogStore), so a round covers every partition of the
 * dir. Waiters are released only after every file of their round is on disk.
 */
import { datasyncPath } from './fs-ops.js';

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface GroupSyncStats {
  /** Sync rounds run (each one fdatasync per dirty file). */
  rounds: number;
  /** Sync requests served (appends or timers that waited for a round). */
  requests: number;
  /** fdatasync calls made. */
  files: number;
}

export class GroupSync {
  private pending = new Set<string>();
  private waiters: Waiter[] = [];
  private running = false;
  private scheduled = false;
  private readonly counts: GroupSyncStats = { rounds: 0, requests: 0, files: 0 };

  /** Resolves once `paths` (and whatever else was asked for meanwhile) were fdatasync'ed. */
  request(paths: Iterable<string>): Promise<void> {
    for (const p of paths) this.pending.add(p);
    this.counts.requests++;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  stats(): GroupSyncStats {
    return { ...this.counts };
  }

  private kick(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // The next turn: every append read from the sockets in this one joins the round.
    setImmediate(() => void this.round());
  }

  private async round(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const paths = [...this.pending];
    const waiters = this.waiters;
    this.pending = new Set();
    this.waiters = [];
    this.counts.rounds++;
    this.counts.files += paths.length;
    try {
      await Promise.all(paths.map((p) => datasyncPath(p)));
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e as Error);
    } finally {
      this.running = false;
      if (this.waiters.length > 0) this.kick();
    }
  }
}
