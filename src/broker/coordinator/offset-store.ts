/**
 * Committed offsets of the groups this coordinator serves, in memory (Kafka's offset half of
 * GroupMetadataManager): commit validation and stamping, fetch, delete and retention. Writing
 * them to __consumer_offsets is the OffsetsLog's job; the coordinator changes this store only
 * after the write succeeded.
 */
import type { OffsetEntry } from '../../protocol/consumer-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';

export interface CommittedOffset extends OffsetEntry {
  topic: string;
  partition: number;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  /** Set by OffsetCommit v1 only; -1 means "now". */
  commitTimestamp: number;
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  /** UNSTABLE_OFFSET_COMMIT when a stable offset was asked for and a transaction's is pending. */
  errorCode?: number;
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, CommittedOffset>>();
  /**
   * Transactional offsets (TxnOffsetCommit) written but not yet decided: producer id → group →
   * partition → offset. The transaction's marker on the group's __consumer_offsets partition
   * makes them committed (COMMIT) or drops them (ABORT), as Kafka's pendingTransactionalOffsetCommits.
   */
  private readonly pending = new Map<number, Map<string, Map<string, CommittedOffset>>>();

  putPending(producerId: number, groupId: string, entry: CommittedOffset): void {
    let groups = this.pending.get(producerId);
    if (!groups) this.pending.set(producerId, (groups = new Map()));
    let m = groups.get(groupId);
    if (!m) groups.set(groupId, (m = new Map()));
    m.set(key(entry.topic, entry.partition), entry);
  }

  /** Whether a transaction's offset for this partition of the group awaits its marker. */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const groups of this.pending.values()) if (groups.get(groupId)?.has(key(topic, partition))) return true;
    return false;
  }

  /** Forgets the group's offsets of a topic that open transactions wrote (the topic was deleted). */
  dropPendingOfTopic(groupId: string, topic: string): void {
    for (const groups of this.pending.values()) {
      const m = groups.get(groupId);
      if (m) for (const [k, e] of m) if (e.topic === topic) m.delete(k);
    }
  }

  /** Whether open transactions wrote offsets of the group. */
  hasPendingOf(groupId: string): boolean {
    for (const groups of this.pending.values()) if ((groups.get(groupId)?.size ?? 0) > 0) return true;
    return false;
  }

  /** Groups with pending offsets of any producer. */
  pendingGroups(): Set<string> {
    const out = new Set<string>();
    for (const groups of this.pending.values()) for (const g of groups.keys()) out.add(g);
    return out;
  }

  /**
   * The marker of `producerId`'s transaction landed: its pending offsets of the groups `ours`
   * accepts are committed or dropped. Returns the groups whose offsets were committed.
   */
  completePending(producerId: number, commit: boolean, ours: (groupId: string) => boolean): string[] {
    const groups = this.pending.get(producerId);
    if (!groups) return [];
    const done: string[] = [];
    for (const [groupId, entries] of groups) {
      if (!ours(groupId)) continue;
      groups.delete(groupId);
      if (!commit) continue;
      for (const e of entries.values()) this.put(groupId, e);
      done.push(groupId);
    }
    if (groups.size === 0) this.pending.delete(producerId);
    return done;
  }

  private committed(groupId: string): Map<string, CommittedOffset> {
    let m = this.byGroup.get(groupId);
    if (!m) this.byGroup.set(groupId, (m = new Map()));
    return m;
  }

  /** The group's committed offsets, in the order they were first committed. */
  all(groupId: string): CommittedOffset[] {
    return [...(this.byGroup.get(groupId)?.values() ?? [])];
  }

  count(groupId: string): number {
    return this.byGroup.get(groupId)?.size ?? 0;
  }

  has(groupId: string, topic: string, partition: number): boolean {
    return this.byGroup.get(groupId)?.has(key(topic, partition)) ?? false;
  }

  put(groupId: string, entry: CommittedOffset): void {
    this.committed(groupId).set(key(entry.topic, entry.partition), entry);
  }

  delete(groupId: string, topic: string, partition: number): void {
    this.byGroup.get(groupId)?.delete(key(topic, partition));
  }

  /** Forgets every offset of the group (deleted, expired, or no longer coordinated here). */
  dropGroup(groupId: string): void {
    this.byGroup.delete(groupId);
    for (const [pid, groups] of this.pending) {
      groups.delete(groupId);
      if (groups.size === 0) this.pending.delete(pid);
    }
  }

  /**
   * Checks and stamps a commit: a per-offset error code (OFFSET_METADATA_TOO_LARGE or 0) and the
   * entries to write for the accepted ones, with their index in `offsets`.
   */
  prepareCommit(
    offsets: OffsetToCommit[],
    retentionTimeMs: number,
    metadataMaxBytes: number,
    now: number,
  ): { codes: number[]; accepted: { index: number; entry: CommittedOffset }[] } {
    const codes = offsets.map((o) => ((o.metadata?.length ?? 0) > metadataMaxBytes ? ErrorCode.OFFSET_METADATA_TOO_LARGE : 0));
    const accepted = offsets
      .map((o, index) => ({ o, index }))
      .filter(({ index }) => codes[index] === 0)
      .map(({ o, index }) => ({
        index,
        entry: {
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata ?? '',
          commitTimestamp: o.commitTimestamp >= 0 ? o.commitTimestamp : now,
          expireTimestamp: retentionTimeMs > 0 ? now + retentionTimeMs : -1,
          topic: o.topic,
          partition: o.partition,
        },
      }));
    return { codes, accepted };
  }

  /** Committed offsets (all of the group's when `wanted` is null); -1 where nothing is committed. */
  fetch(groupId: string, wanted: { topic: string; partition: number }[] | null): FetchedOffset[] {
    const committed = this.byGroup.get(groupId) ?? new Map<string, CommittedOffset>();
    if (wanted === null) {
      return [...committed.values()].map((e) => ({ topic: e.topic, partition: e.partition, offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata }));
    }
    return wanted.map((w) => {
      const e = committed.get(key(w.topic, w.partition));
      return { ...w, offset: e?.offset ?? -1, leaderEpoch: e?.leaderEpoch ?? -1, metadata: e?.metadata ?? '' };
    });
  }

  /**
   * Offsets past their own expire timestamp (OffsetCommit v2-4 retention), or all of them when
   * the group has been empty for longer than offsets.retention.ms.
   */
  expired(groupId: string, now: number, emptyTooLong: boolean): CommittedOffset[] {
    return this.all(groupId).filter((e) => (e.expireTimestamp >= 0 && e.expireTimestamp <= now) || emptyTooLong);
  }
}
