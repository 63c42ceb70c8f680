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
 * The end offset of `epoch` in a log with these epoch entries, as a leader answers a follower:
 * the start offset of the first later epoch, or the log end offset when `epoch` is the latest.
 * An epoch the log does not have answers for the largest known epoch below it; one below every
 * known epoch answers -1/-1.
 */
export function endOffsetForEpoch(entries: readonly EpochEntry[], epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
  let found = -1;
  for (let i = 0; i < entries.length; i++) if (entries[i]!.epoch <= epoch) found = i;
  if (found < 0) return { epoch: -1, endOffset: -1 };
  const next = entries[found + 1];
  return { epoch: entries[found]!.epoch, endOffset: next ? next.startOffset : logEndOffset };
}
