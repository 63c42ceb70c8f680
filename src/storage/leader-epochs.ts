/**
 * The leader-epoch cache: for each leader epoch, the first offset written in it. Followers use
 * it to find where their log diverges from a new leader's (OffsetForLeaderEpoch). Persisted in
 * Kafka's checkpoint layout: a version line, a count line, then `epoch startOffset` lines.
 */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private list: EpochEntry[] = [];

  constructor(private readonly persist?: (text: string) => void) {}

  load(text: string): void {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    this.list = lines.slice(2).map((l) => {
      const [e, o] = l.trim().split(/\s+/).map(Number);
      return { epoch: e!, startOffset: o! };
    }).filter((e) => Number.isFinite(e.epoch) && Number.isFinite(e.startOffset));
  }

  entries(): EpochEntry[] {
    return this.list.map((e) => ({ ...e }));
  }

  latestEpoch(): number {
    return this.list.length ? this.list[this.list.length - 1]!.epoch : -1;
  }

  /** Records that `epoch` starts at `startOffset` if it is newer than the latest known epoch. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const last = this.list[this.list.length - 1];
    if (last && last.epoch >= epoch) return;
    this.list.push({ epoch, startOffset });
    this.save();
  }

  /** Forgets epochs that start at or after `offset` (the log was truncated there). */
  truncateFrom(offset: number): void {
    const n = this.list.length;
    this.list = this.list.filter((e) => e.startOffset < offset);
    if (this.list.length !== n) this.save();
  }

  /** The end offset of `epoch` as a leader would answer OffsetForLeaderEpoch (see endOffsetForEpoch). */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    return endOffsetForEpoch(this.list, epoch, logEndOffset);
  }

  private save(): void {
    this.persist?.(`0\n${this.list.length}\n${this.list.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`);
  }
}

/**
 * The end offset of `epoch` in a log with these epoch entries, as a leader answers a follower
 * (Kafka's LeaderEpochFileCache.endOffsetFor): the latest epoch ends at the log end; an older
 * epoch ends where the next known epoch starts, answered with the largest known epoch not above
 * it, or with the epoch itself when it predates every known epoch; an epoch newer than every
 * known one is unknown (-1/-1).
 */
export function endOffsetForEpoch(entries: readonly EpochEntry[], epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
  const undefinedEpoch = { epoch: -1, endOffset: -1 };
  if (epoch < 0 || entries.length === 0) return undefinedEpoch;
  const latest = entries[entries.length - 1]!;
  if (latest.epoch === epoch) return { epoch, endOffset: logEndOffset };
  const higher = entries.find((e) => e.epoch > epoch);
  if (!higher) return undefinedEpoch;
  let floor: EpochEntry | undefined;
  for (const e of entries) if (e.epoch <= epoch) floor = e;
  return { epoch: floor ? floor.epoch : epoch, endOffset: higher.startOffset };
}
