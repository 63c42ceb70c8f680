/**
 * Keeps the recent samples of every group's partitions and turns them into a report: current
 * lag, time lag, rates, drain estimates, Burrow-style statuses and the lag history sparklines
 * are drawn from. Pure: snapshots come in with their own timestamps, `report(now)` takes the time.
 */
import { evaluateGroup, evaluatePartition, evaluateUnavailable, lagOf, type Drain, type EvalSettings, type Reason, type Sample, type Status, type Verdict } from './evaluator.js';

export interface PartitionSnapshot {
  topic: string;
  partition: number;
  committed: number | null;
  /** High watermark; null when the broker could not say. */
  logEnd: number | null;
  /** The log end is unknown because the partition does not exist (its topic was deleted). */
  unknownTopic?: boolean;
  /** Log start offset, when known (the collector asks for it only without a committed offset). */
  logStart?: number | null;
  /** The member assigned the partition, if any. */
  owner: { memberId: string; clientId: string; host: string } | null;
  /** Timestamp of the record at the committed offset (the oldest unconsumed one), when known. */
  committedTimestamp: number | null;
}

export interface GroupSnapshot {
  group: string;
  state: string;
  members: number;
  partitions: PartitionSnapshot[];
}

export interface Snapshot {
  at: number;
  groups: GroupSnapshot[];
  /** Groups asked for by name that do not exist. */
  missing: string[];
}

export interface PartitionReport extends Verdict {
  topic: string;
  partition: number;
  committed: number | null;
  logEnd: number | null;
  owner: { memberId: string; clientId: string; host: string } | null;
  /** Lag at each sample in the history, oldest first. */
  history: number[];
}

export interface GroupReport {
  group: string;
  state: string;
  members: number;
  status: Status;
  reason: Reason | null;
  /** Lag summed over the partitions whose lag is known (see the two counts below). */
  totalLag: number;
  /** Partitions the group has no committed offset for: their lag is unknown and not in totalLag. */
  partitionsWithoutOffset: number;
  /** Partitions whose log end offset could not be read (no leader, or the topic does not exist): not in totalLag either. */
  partitionsWithoutLogEnd: number;
  maxTimeLagMs: number | null;
  consumeRate: number | null;
  produceRate: number | null;
  drain: Drain;
  complete: boolean;
  /** How much of the window the group has been observed for: its least observed partition's. */
  windowFilledMs: number;
  /** Total lag at each sample in the history, oldest first. */
  history: number[];
  partitions: PartitionReport[];
}

export interface LagReport {
  at: number;
  windowMs: number;
  groups: GroupReport[];
  missing: string[];
}

interface PartitionHistory {
  topic: string;
  partition: number;
  latest: PartitionSnapshot;
  samples: Sample[];
}

interface GroupHistory {
  latest: GroupSnapshot;
  partitions: Map<string, PartitionHistory>;
  totals: { at: number; lag: number }[];
}

/** Sum of the non-null values, or null when all are null. */
function sum(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

export class LagMonitor {
  private readonly groups = new Map<string, GroupHistory>();
  private missing: string[] = [];

  constructor(
    readonly settings: EvalSettings,
    /** How much history sparklines show; the judgement window is kept at least. */
    readonly historyMs = 5 * 60_000,
  ) {}

  ingest(snap: Snapshot): void {
    const keep = Math.max(this.historyMs, this.settings.windowMs * 1.5);
    const seen = new Set<string>();
    for (const g of snap.groups) {
      seen.add(g.group);
      let h = this.groups.get(g.group);
      if (!h) this.groups.set(g.group, (h = { latest: g, partitions: new Map(), totals: [] }));
      h.latest = g;
      const present = new Set<string>();
      let total = 0;
      // Rebalancing, members hold no assignment until it completes (DescribeGroups says none): a
      // group with members then owns its partitions as far as STOP is concerned (Burrow raises
      // nothing for a rebalance either).
      const rebalancing = g.members > 0 && (g.state === 'PreparingRebalance' || g.state === 'CompletingRebalance');
      for (const p of g.partitions) {
        const key = `${p.topic}\0${p.partition}`;
        present.add(key);
        let ph = h.partitions.get(key);
        if (!ph) h.partitions.set(key, (ph = { topic: p.topic, partition: p.partition, latest: p, samples: [] }));
        ph.latest = p;
        // No log end this time (no leader): listed and judged unmeasurable, no sample taken.
        if (p.logEnd === null) continue;
        const sample: Sample = { at: snap.at, committed: p.committed, logEnd: p.logEnd, logStart: p.logStart ?? null, owned: p.owner !== null || rebalancing, timeLagMs: timeLag(p, snap.at) };
        ph.samples.push(sample);
        while (ph.samples.length > 1 && ph.samples[0]!.at < snap.at - keep) ph.samples.shift();
        total += lagOf(sample) ?? 0;
      }
      for (const key of [...h.partitions.keys()]) if (!present.has(key)) h.partitions.delete(key);
      h.totals.push({ at: snap.at, lag: total });
      while (h.totals.length > 1 && h.totals[0]!.at < snap.at - keep) h.totals.shift();
    }
    for (const id of [...this.groups.keys()]) if (!seen.has(id)) this.groups.delete(id);
    this.missing = snap.missing;
  }

  report(now: number): LagReport {
    const groups: GroupReport[] = [];
    for (const [id, h] of this.groups) {
      const partitions: PartitionReport[] = [...h.partitions.values()]
        .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
        .map((ph) => ({
          ...(ph.latest.logEnd === null ? evaluateUnavailable(ph.samples, now, this.settings, ph.latest.unknownTopic ? 'UNKNOWN_TOPIC' : 'UNAVAILABLE') : evaluatePartition(ph.samples, now, this.settings)),
          topic: ph.topic,
          partition: ph.partition,
          committed: ph.latest.committed,
          logEnd: ph.latest.logEnd,
          owner: ph.latest.owner,
          history: ph.samples.map((s) => lagOf(s) ?? 0),
        }));
      const judged = evaluateGroup(partitions);
      const timeLags = partitions.map((p) => p.timeLagMs).filter((t): t is number => t !== null);
      groups.push({
        group: id,
        state: h.latest.state,
        members: h.latest.members,
        status: judged.status,
        reason: judged.reason,
        totalLag: partitions.reduce((n, p) => n + (p.lag ?? 0), 0),
        // Each partition counted once: no log end (no leader) first; no offset where records wait.
        partitionsWithoutOffset: partitions.filter((p) => p.committed === null && p.logEnd !== null && p.lag === null).length,
        partitionsWithoutLogEnd: partitions.filter((p) => p.logEnd === null).length,
        maxTimeLagMs: timeLags.length ? Math.max(...timeLags) : null,
        consumeRate: sum(partitions.map((p) => p.consumeRate)),
        produceRate: sum(partitions.map((p) => p.produceRate)),
        drain: judged.drain,
        complete: partitions.length > 0 && partitions.every((p) => p.complete),
        windowFilledMs: Math.min(this.settings.windowMs, ...partitions.map((p) => p.windowFilledMs)),
        history: h.totals.map((t) => t.lag),
        partitions,
      });
    }
    groups.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    return { at: now, windowMs: this.settings.windowMs, groups, missing: this.missing };
  }
}

/** Age of the oldest unconsumed record at `at`: 0 when caught up, unknown without its timestamp. */
function timeLag(p: PartitionSnapshot, at: number): number | null {
  if (p.committed === null || p.logEnd === null) return null;
  if (p.committed >= p.logEnd) return 0;
  return p.committedTimestamp === null ? null : Math.max(0, at - p.committedTimestamp);
}
