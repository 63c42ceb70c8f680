/**
 * Lag evaluation, modelled on Burrow's rules (OK / WARN / ERR with STOP, STALL or REWIND) with
 * the changes its users ask for: the window is a span of time rather than a number of commits,
 * lag is always computed from live log-end offsets, partitions with nothing new to consume are
 * IDLE instead of "stopped", and thresholds can be set in records or in time.
 *
 * Pure: every function takes the samples and the current time; nothing here reads a clock.
 *
 * Partition rules, first match wins:
 *   log end offset unknown (no leader, or
 *     its leader did not answer)            ERR UNAVAILABLE (lag cannot be measured)
 *   the partition does not exist (its
 *     topic was deleted)                    ERR UNKNOWN_TOPIC (nor can it be consumed)
 *   no committed offset, records in the
 *     log (log end above log start)         WARN NO_OFFSET (records wait; lag cannot be measured)
 *   no committed offset, empty log          OK (nothing to consume)
 *   the committed offset went backwards
 *     and has not come back                 ERR REWIND
 *   caught up (lag within --allowed-lag or
 *     time lag within --allowed-time-lag)   IDLE if the log end did not move, else OK
 *   window not yet observed in full:
 *     nobody owns the partition, the
 *     committed offset did not move, and the
 *     oldest unconsumed record is older than
 *     the window                            ERR STOP at once (no progress for longer than the window)
 *     over a --max-* threshold              WARN LAG / WARN TIME_LAG
 *     otherwise                             WARMING (not yet known; never OK while behind)
 *   behind at every sample, committed
 *     offset never moved                    ERR STOP (no member owns the partition)
 *                                           ERR STALL (a member owns it but does not commit)
 *   behind at every sample, moving, and
 *     lag higher at the end than at the
 *     start of the window                   WARN TREND (the consumer falls behind)
 *   over --max-lag / --max-time-lag         WARN LAG / WARN TIME_LAG
 *   otherwise                               OK
 */

export type Status = 'IDLE' | 'OK' | 'WARMING' | 'WARN' | 'ERR';
export type Reason = 'STOP' | 'STALL' | 'REWIND' | 'TREND' | 'LAG' | 'TIME_LAG' | 'NO_OFFSET' | 'UNAVAILABLE' | 'UNKNOWN_TOPIC';

/** One observation of a partition. */
export interface Sample {
  at: number;
  /** The group's committed offset, or null when it has none. */
  committed: number | null;
  /** The partition's high watermark. */
  logEnd: number;
  /** The partition's log start offset, when known (asked for only without a committed offset; unknown counts as 0). */
  logStart?: number | null;
  /**
   * Whether a live member of the group is assigned the partition, or may be: during a rebalance
   * the group's members hold no assignment until it completes, which is no sign of a stop.
   */
  owned: boolean;
  /** Age of the oldest unconsumed record (0 when caught up), or null when unknown. */
  timeLagMs: number | null;
}

export interface Thresholds {
  /** Lag (records) that still counts as caught up; Burrow's allowed-lag. */
  allowedLag: number;
  /** Time lag that still counts as caught up. */
  allowedTimeLagMs: number | null;
  /** Lag above which a partition is at least WARN. */
  maxLag: number | null;
  /** Time lag above which a partition is at least WARN. */
  maxTimeLagMs: number | null;
}

export interface EvalSettings extends Thresholds {
  /** The span of time the trend rules look at. */
  windowMs: number;
}

export const DEFAULT_SETTINGS: EvalSettings = { windowMs: 30_000, allowedLag: 0, allowedTimeLagMs: null, maxLag: null, maxTimeLagMs: null };

/**
 * How a backlog develops: none; an estimated time to drain (lag ÷ (consume rate − produce rate));
 * growing (produced faster than consumed); steady (both at the same pace); idle (neither moves).
 */
export type Drain = { kind: 'none' } | { kind: 'eta'; ms: number } | { kind: 'growing' } | { kind: 'steady' } | { kind: 'idle' } | { kind: 'unknown' };

export interface Verdict {
  status: Status;
  reason: Reason | null;
  lag: number | null;
  timeLagMs: number | null;
  /** Records per second committed by the group, over the window. */
  consumeRate: number | null;
  /** Records per second appended to the partition, over the window. */
  produceRate: number | null;
  drain: Drain;
  /** True once the samples cover the whole window; trend rules only run then. */
  complete: boolean;
  /** How much of the window the samples cover (the window itself once complete). */
  windowFilledMs: number;
}

// WARMING ranks above OK: a group with one partition still undecided is not known to be fine.
const RANK: Record<Status, number> = { IDLE: 0, OK: 1, WARMING: 2, WARN: 3, ERR: 4 };
export const worse = (a: Status, b: Status): Status => (RANK[a] >= RANK[b] ? a : b);
export const statusRank = (s: Status): number => RANK[s];

export const lagOf = (s: Sample): number | null => (s.committed === null ? null : Math.max(0, s.logEnd - s.committed));

function caughtUp(s: Sample, t: Thresholds): boolean {
  const lag = lagOf(s);
  if (lag === null) return true;
  if (lag <= t.allowedLag) return true;
  return t.allowedTimeLagMs !== null && s.timeLagMs !== null && s.timeLagMs <= t.allowedTimeLagMs;
}

function overThreshold(s: Sample, t: Thresholds): Reason | null {
  const lag = lagOf(s);
  if (t.maxLag !== null && lag !== null && lag > t.maxLag) return 'LAG';
  if (t.maxTimeLagMs !== null && s.timeLagMs !== null && s.timeLagMs > t.maxTimeLagMs) return 'TIME_LAG';
  return null;
}

/** Per-second rate of change of a counter between two samples; null without two samples apart in time. */
function rate(first: Sample, last: Sample, value: (s: Sample) => number | null): number | null {
  const a = value(first);
  const b = value(last);
  const seconds = (last.at - first.at) / 1000;
  if (a === null || b === null || seconds <= 0) return null;
  return Math.max(0, (b - a) / seconds);
}

/** Index in `win` of the first sample after the last drop of the committed offset (0 without one). */
function sinceRewind(win: readonly Sample[]): number {
  let since = 0;
  let prev: number | null = null;
  for (let i = 0; i < win.length; i++) {
    const c = win[i]!.committed;
    if (c === null) continue;
    if (prev !== null && c < prev) since = i;
    prev = c;
  }
  return since;
}

export function drainOf(lag: number | null, consumeRate: number | null, produceRate: number | null): Drain {
  if (lag === null) return { kind: 'unknown' };
  if (lag === 0) return { kind: 'none' };
  if (consumeRate === null || produceRate === null) return { kind: 'unknown' };
  if (consumeRate > produceRate) return { kind: 'eta', ms: Math.round((lag / (consumeRate - produceRate)) * 1000) };
  if (consumeRate === 0 && produceRate === 0) return { kind: 'idle' };
  return consumeRate === produceRate ? { kind: 'steady' } : { kind: 'growing' };
}

/** Judges one partition from its samples (oldest first) at time `now`. */
export function evaluatePartition(samples: readonly Sample[], now: number, settings: EvalSettings): Verdict {
  const windowStart = now - settings.windowMs;
  const inWindow = samples.filter((s) => s.at >= windowStart && s.at <= now);
  const win = inWindow.length > 0 ? inWindow : samples.slice(-1);
  const last = win[win.length - 1];
  if (!last) return { status: 'OK', reason: null, lag: null, timeLagMs: null, consumeRate: null, produceRate: null, drain: { kind: 'unknown' }, complete: false, windowFilledMs: 0 };
  const first = win[0]!;
  // Observed for (nearly) the whole window: sampling ticks rarely land exactly on its start.
  const complete = samples.length >= 2 && now - samples[0]!.at >= settings.windowMs * 0.9;
  const windowFilledMs = complete ? settings.windowMs : Math.max(0, Math.min(settings.windowMs, now - samples[0]!.at));
  const lag = lagOf(last);
  // A rewind restarts the consume rate: a span across it is no consumption (its drop was clamped
  // to 0, so OUT/S read 0 and DRAIN growing for a window), so the rate counts from the sample
  // after the last drop only (none yet: unknown, and so is the drain).
  const consumeRate = rate(win[sinceRewind(win)]!, last, (s) => s.committed);
  const produceRate = rate(first, last, (s) => s.logEnd);
  const base = { lag, timeLagMs: lag === 0 ? 0 : last.timeLagMs, consumeRate, produceRate, drain: drainOf(lag, consumeRate, produceRate), complete, windowFilledMs };
  const verdict = (status: Status, reason: Reason | null = null): Verdict => ({ ...base, status, reason });

  // Nothing committed: the lag cannot be measured. Records in the log wait for the group (a
  // consumer that never commits, or one that has not committed on this partition yet).
  // An empty log without one has nothing to consume: lag 0, nothing to drain.
  if (last.committed === null) return last.logEnd > (last.logStart ?? 0) ? verdict('WARN', 'NO_OFFSET') : { ...verdict('OK'), lag: 0, timeLagMs: 0, drain: { kind: 'none' } };

  // REWIND: the committed offset dropped below an earlier one in the window and stays below it.
  let peak = -Infinity;
  for (let i = 0; i < win.length; i++) {
    const c = win[i]!.committed;
    if (c === null) continue;
    if (c < peak && last.committed < peak) return verdict('ERR', 'REWIND');
    peak = Math.max(peak, c);
  }

  if (caughtUp(last, settings)) return verdict(first.logEnd === last.logEnd && win.length >= 2 ? 'IDLE' : 'OK');

  const threshold = overThreshold(last, settings);
  const moved = win.some((s) => s.committed !== first.committed);
  if (!complete) {
    // The oldest unconsumed record has waited longer than the window and nobody is there to take
    // it: there has been no progress for longer than the window, so waiting for it adds nothing.
    // A moving offset (a consumer committing without joining, e.g. with assign()) is progress.
    if (!last.owned && !moved && last.timeLagMs !== null && last.timeLagMs > settings.windowMs) return verdict('ERR', 'STOP');
    return threshold ? verdict('WARN', threshold) : verdict('WARMING');
  }

  const alwaysBehind = win.every((s) => !caughtUp(s, settings));
  if (alwaysBehind && !moved) return verdict('ERR', last.owned ? 'STALL' : 'STOP');
  if (alwaysBehind && lag! > (lagOf(first) ?? 0)) return verdict('WARN', 'TREND');
  return threshold ? verdict('WARN', threshold) : verdict('OK');
}

/**
 * A partition whose log end offset could not be read this time (no leader, or its leader did not
 * answer): ERR UNAVAILABLE, since whether the group keeps up cannot be told; ERR UNKNOWN_TOPIC
 * when the partition does not exist (its topic was deleted, as Kafka's UNKNOWN_TOPIC_OR_PARTITION
 * says). `samples` are its earlier, measured observations (they still say how long it has been
 * watched).
 */
export function evaluateUnavailable(samples: readonly Sample[], now: number, settings: EvalSettings, reason: 'UNAVAILABLE' | 'UNKNOWN_TOPIC' = 'UNAVAILABLE'): Verdict {
  const complete = samples.length >= 2 && now - samples[0]!.at >= settings.windowMs * 0.9;
  const windowFilledMs = complete ? settings.windowMs : samples.length ? Math.max(0, Math.min(settings.windowMs, now - samples[0]!.at)) : 0;
  return { status: 'ERR', reason, lag: null, timeLagMs: null, consumeRate: null, produceRate: null, drain: { kind: 'unknown' }, complete, windowFilledMs };
}

/** A group's status: the worst of its partitions (IDLE only when every partition is idle). */
export function evaluateGroup(verdicts: readonly Verdict[]): { status: Status; reason: Reason | null; drain: Drain } {
  let status: Status = verdicts.length === 0 ? 'OK' : 'IDLE';
  let reason: Reason | null = null;
  for (const v of verdicts) {
    if (RANK[v.status] > RANK[status]) {
      status = v.status;
      reason = v.reason;
    }
  }
  // A deleted topic's offsets (kept until they expire) have nothing left to drain.
  return { status, reason, drain: groupDrain(verdicts.filter((v) => v.reason !== 'UNKNOWN_TOPIC').map((v) => v.drain)) };
}

/**
 * The group drains when its slowest partition does; one growing partition means it is growing.
 * One partition whose drain is not known leaves the group's unknown too: it may be the slowest.
 */
export function groupDrain(drains: readonly Drain[]): Drain {
  if (drains.some((d) => d.kind === 'growing')) return { kind: 'growing' };
  if (drains.some((d) => d.kind === 'steady')) return { kind: 'steady' };
  if (drains.some((d) => d.kind === 'idle')) return { kind: 'idle' };
  if (drains.some((d) => d.kind === 'unknown')) return { kind: 'unknown' };
  const etas = drains.filter((d): d is { kind: 'eta'; ms: number } => d.kind === 'eta');
  if (etas.length > 0) return { kind: 'eta', ms: Math.max(...etas.map((d) => d.ms)) };
  return { kind: 'none' };
}
