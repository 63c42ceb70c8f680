/**
 * Committed offsets of the groups this coordinator serves, in memory (Kafka's offset half of
 * GroupMetadataManager): commit validation and stamping, fetch, delete and retention. Writing
 * them to __consumer_offsets is the OffsetsLog's job; the coordinator changes this store only
 * after the write succeeded.
 */
import type { OffsetEntry } from '../../protocol/consumer-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { metadataHeapBytes, OffsetMetadataBudget } from './metadata-budget.js';

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

/** What prepareCommit checks a commit against. */
export interface CommitLimits {
  /** offset.metadata.max.bytes: the longest metadata of one offset. */
  metadataMaxBytes: number;
  /** kafka-ts.offset.metadata.max.total.bytes: what the budget may hold in all. */
  metadataMaxTotalBytes: number;
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;

/** How much the stored metadata grows when `after` replaces `before` (either may be absent). */
const growth = (before: CommittedOffset | undefined, after: { metadata: string | null } | undefined) => metadataHeapBytes(after?.metadata) - metadataHeapBytes(before?.metadata);

export class OffsetStore {
  /** Every stored metadata string is counted in `budget`, which the daemon's coordinators share. */
  constructor(private readonly budget = new OffsetMetadataBudget()) {}

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
    const k = key(entry.topic, entry.partition);
    this.budget.track(growth(m.get(k), entry));
    m.set(k, entry);
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
      if (!m) continue;
      for (const [k, e] of m) {
        if (e.topic !== topic) continue;
        m.delete(k);
        this.budget.track(growth(e, undefined));
      }
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
      for (const e of entries.values()) this.budget.track(growth(e, undefined));
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

  /** Stores an offset, whatever the budget says: commits were checked by prepareCommit, and loading never refuses. */
  put(groupId: string, entry: CommittedOffset): void {
    const m = this.committed(groupId);
    const k = key(entry.topic, entry.partition);
    this.budget.track(growth(m.get(k), entry));
    m.set(k, entry);
  }

  delete(groupId: string, topic: string, partition: number): void {
    const m = this.byGroup.get(groupId);
    const k = key(topic, partition);
    this.budget.track(growth(m?.get(k), undefined));
    m?.delete(k);
  }

  /** Forgets every offset of the group (deleted, expired, or no longer coordinated here). */
  dropGroup(groupId: string): void {
    for (const e of this.byGroup.get(groupId)?.values() ?? []) this.budget.track(growth(e, undefined));
    this.byGroup.delete(groupId);
    for (const [pid, groups] of this.pending) {
      for (const e of groups.get(groupId)?.values() ?? []) this.budget.track(growth(e, undefined));
      groups.delete(groupId);
      if (groups.size === 0) this.pending.delete(pid);
    }
  }

  /**
   * Checks and stamps a group's commit (a transaction's, pending for `producerId`, when given):
   * a per-offset error code and the entries to write for the accepted ones, with their index in
   * `offsets`. OFFSET_METADATA_TOO_LARGE for metadata longer than offset.metadata.max.bytes, or
   * whose growth over what the partition holds now would take the daemon's stored metadata past
   * kafka-ts.offset.metadata.max.total.bytes. The growth accepted is promised until the caller,
   * once the write is over, gives `reserved` back with release().
   */
  prepareCommit(
    groupId: string,
    offsets: OffsetToCommit[],
    limits: CommitLimits,
    retentionTimeMs: number,
    now: number,
    producerId?: number,
  ): { codes: number[]; accepted: { index: number; entry: CommittedOffset }[]; reserved: number } {
    const current = producerId === undefined ? this.byGroup.get(groupId) : this.pending.get(producerId)?.get(groupId);
    let reserved = 0;
    const codes = offsets.map((o) => {
      if ((o.metadata?.length ?? 0) > limits.metadataMaxBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      const more = growth(current?.get(key(o.topic, o.partition)), o);
      if (!this.budget.reserve(more, limits.metadataMaxTotalBytes)) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      reserved += Math.max(0, more);
      return 0;
    });
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
    return { codes, accepted, reserved };
  }

  /** Gives back what prepareCommit promised a commit whose write is over (stored or failed). */
  release(reserved: number): void {
    this.budget.release(reserved);
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
