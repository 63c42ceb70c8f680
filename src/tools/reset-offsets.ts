/**
 * consumer-groups --reset-offsets: computing a plan (scope × scenario, with Kafka's clamping),
 * printing it (table, Kafka's CSV, JSON), and committing it. Only inactive groups (Empty, or
 * Dead/unknown) can be reset, as in Kafka.
 */
import { readOptionText } from '../util/files.js';
import { Admin, OffsetSpec } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { GroupAdmin } from '../client/groups.js';
import { AuthorizationError, NotFoundError, UsageError, type Outcome } from '../util/errors.js';
import { ErrorCode } from '../protocol/errors.js';
import { formatTimestamp } from '../util/logger.js';
import { parseDuration } from './offset-spec.js';

export type Scenario =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: number; exact?: bigint }
  | { kind: 'shift'; by: number; exact?: bigint }
  | { kind: 'datetime'; timestamp: number }
  | { kind: 'duration'; ms: number }
  | { kind: 'file'; entries: FileRow[] }
  | { kind: 'plan'; entries: PlanRow[] };

export interface Scope {
  allTopics: boolean;
  topics: { topic: string; partitions: number[] | null }[];
}

export interface PlanRow {
  group: string;
  topic: string;
  partition: number;
  newOffset: number;
}

/**
 * A --from-file row. Offsets are Java longs, as in Kafka; one past 2^53 is planned as
 * +-(2^53 - 1), still past every log and so clamped, with `exact` its value for the warning.
 */
export type FileRow = PlanRow & { exact?: bigint };

const INT32_MAX = 0x7fffffff;
const LONG_MIN = -0x8000000000000000n;
const LONG_MAX = 0x7fffffffffffffffn;

/** A Java long as kafka-ts plans it: exact up to 2^53, else +-(2^53 - 1) with the exact value; null past a long. */
export function parseLong(text: string): { value: number; exact?: bigint } | null {
  if (!/^\s*-?\d+\s*$/.test(text)) return null;
  const exact = BigInt(text.trim());
  if (exact < LONG_MIN || exact > LONG_MAX) return null;
  const value = Number(exact);
  return Number.isSafeInteger(value) ? { value } : { value: Math.sign(value) * Number.MAX_SAFE_INTEGER, exact };
}

export interface ResetPlan {
  rows: PlanRow[];
  /** Groups refused because they are active, with their state. */
  active: { group: string; state: string }[];
  /**
   * Groups that do not exist, with nothing to reset (--all-topics: no committed offsets). A
   * group that does not exist yet can still be given offsets for named topics, as in Kafka.
   */
  missing: string[];
  /** Kafka's WARN lines (clamping, empty partitions) to print on stderr. */
  warnings: string[];
  /** Kafka's informational stdout lines (empty partitions under --to-datetime). */
  notes: string[];
  /** Groups the --from-file or --from-plan rows do not mention: nothing to reset for them. */
  unplanned: string[];
}

const INACTIVE = new Set(['Empty', 'Dead']);

/** Kafka's line for a group the --from-file rows do not mention. */
export const noPlanLine = (group: string) => `\nError: No reset plan for group ${group} found`;

/** Kafka's --to-datetime: yyyy-MM-dd'T'HH:mm:ss.SSS with an optional zone (Z, ±hh, ±hhmm, ±hh:mm); no zone means UTC. */
export function parseDatetime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (!m) throw new UsageError(`Error parsing date '${text}': expected yyyy-MM-ddTHH:mm:ss.SSS with an optional zone (Z, +hh, +hhmm or +hh:mm), e.g. 2024-01-31T12:00:00.000Z`);
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const check = new Date(t);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new UsageError(`Error parsing date '${text}': no such date or time`);
  }
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
    t -= sign * offset;
  }
  return t;
}

/**
 * --by-duration: an ISO-8601 duration as Kafka reads it (Java's Duration.parse: PnDTnHnMn.nS in
 * either case, each number and the whole with an optional sign, a decimal point or comma in the
 * seconds), or the shorter grammar of lag and console-consumer (90s, 15m, 1h30m, 2d). Milliseconds;
 * a negative duration is a time after now, as in Kafka.
 */
export function parseByDuration(text: string): number {
  const short = parseDuration(text);
  if (short !== null) return short;
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text);
  // As Java: "T" needs a part after it, and there must be at least one part.
  if (!m || m[3]?.toUpperCase() === 'T' || [m[2], m[4], m[5], m[6]].every((x) => x === undefined)) {
    throw new UsageError(`Error parsing duration '${text}': expected ISO-8601 PnDTnHnMnS (e.g. PT1H30M or P1D) or a duration like 90s, 15m, 1h30m, 2d`);
  }
  const [, sign, d, , h, mi, sec, frac] = m;
  const part = (x: string | undefined) => Number(x ?? 0);
  const seconds = part(sec);
  // The fraction takes the seconds' sign (Java: "-PT-1.5S" is 1.5 s).
  const fraction = frac ? Math.round(Number(`0.${frac}`) * 1000) * (sec!.startsWith('-') ? -1 : 1) : 0;
  const ms = part(d) * 86_400_000 + part(h) * 3_600_000 + part(mi) * 60_000 + seconds * 1000 + fraction;
  return sign === '-' ? -ms : ms;
}

/** `--topic t` or `--topic t:0,2`; Kafka's messages for malformed values. */
export function parseTopicArg(arg: string): { topic: string; partitions: number[] | null } {
  const i = arg.indexOf(':');
  if (i < 0) return { topic: arg, partitions: null };
  const topic = arg.slice(0, i);
  const rest = arg.slice(i + 1);
  if (!topic || rest === '') throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`);
  const partitions = rest.split(',').map((p) => {
    // Kafka's Integer.parseInt: a partition past an int is as invalid as a word.
    if (!/^\d+$/.test(p.trim()) || Number(p.trim()) > INT32_MAX) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}''`);
    return Number(p.trim());
  });
  // Kafka collects the partitions in a set: `t:0,0` is partition 0 once.
  return { topic, partitions: [...new Set(partitions)] };
}

// ---- CSV (Kafka's --export format, Jackson's "loose" quoting) ----

function csvField(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const needs = v.length > 24 || /[\x00-\x2c\\]/.test(v);
  return needs ? `"${v.replace(/"/g, '""')}"` : v;
}

export function exportCsv(rows: PlanRow[], withGroup: boolean): string {
  const lines = rows.map((r) => (withGroup ? [r.group, r.topic, r.partition, r.newOffset] : [r.topic, r.partition, r.newOffset]).map(csvField).join(','));
  return `${lines.map((l) => `${l}\n`).join('')}\n`;
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new Error('unterminated quote');
  out.push(cur);
  return out;
}

/**
 * Reads a --from-file CSV. With exactly one group the first line decides whether the file is
 * `topic,partition,offset` (attributed to that group) or `group,topic,partition,offset`.
 */
export function parseResetCsv(text: string, groups: string[]): FileRow[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError('The --from-file file has no offsets');
  const parse = (line: string, n: number) => {
    try {
      return parseCsvLine(line);
    } catch {
      throw new UsageError(`--from-file line ${n}: ${line}: unterminated quote`);
    }
  };
  // As Kafka: a partition is an int (0 up), an offset a long (clamped to the log later).
  const row = (group: string, topic: string, p: string, o: string, line: string, n: number): FileRow => {
    if (!/^\s*\d+\s*$/.test(p) || Number(p) > INT32_MAX) throw new UsageError(`--from-file line ${n}: invalid partition '${p}' in '${line}' (expected 0 to ${INT32_MAX})`);
    const offset = parseLong(o);
    if (!offset) throw new UsageError(`--from-file line ${n}: invalid offset '${o}' in '${line}' (expected a whole number from ${LONG_MIN} to ${LONG_MAX})`);
    return { group, topic, partition: Number(p), newOffset: offset.value, ...(offset.exact !== undefined && { exact: offset.exact }) };
  };
  const three = groups.length === 1 && parse(lines[0]!, 1).length === 3;
  const rows = lines.map((line, i): FileRow => {
    const f = parse(line, i + 1);
    if (three) {
      if (f.length !== 3) throw new UsageError(`--from-file line ${i + 1}: expected topic,partition,offset but got '${line}'`);
      return row(groups[0]!, f[0]!, f[1]!, f[2]!, line, i + 1);
    }
    if (f.length !== 4) throw new UsageError(`--from-file line ${i + 1}: expected group,topic,partition,offset but got '${line}'`);
    return row(f[0]!, f[1]!, f[2]!, f[3]!, line, i + 1);
  });
  // Kafka builds the plan in a map: one row per group and partition, the last line naming it wins.
  const byPartition = new Map<string, FileRow>();
  for (const r of rows) byPartition.set(`${r.group}\0${r.topic}\0${r.partition}`, r);
  return [...byPartition.values()];
}

export function planTable(rows: PlanRow[]): string {
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(30)} ${b.padEnd(30)} ${c.padEnd(10)} ${d.padEnd(15)}`;
  return `\n${[line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'), ...rows.map((r) => line(r.group, r.topic, String(r.partition), String(r.newOffset)))].join('\n')}\n\n`;
}

const warn = (message: string) => `[${formatTimestamp(new Date())}] WARN ${message} (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)`;

/** Computes the reset plan for each group; nothing is changed. */
export async function computePlan(client: KafkaClient, groupIds: string[], scope: Scope, scenario: Scenario, now = Date.now()): Promise<ResetPlan> {
  const groups = new GroupAdmin(client);
  const admin = new Admin(client);
  const plan: ResetPlan = { rows: [], active: [], missing: [], warnings: [], notes: [], unplanned: [] };
  // Rows come out by group, topic, partition (Kafka prints them in hash order).
  const descriptions = await groups.describeGroups([...groupIds].sort());
  // Named topics are asked for by name: a topic the principal may not describe is then answered
  // TOPIC_AUTHORIZATION_FAILED (a listing of all topics just leaves it out).
  const named = scenario.kind !== 'file' && scenario.kind !== 'plan' && !scope.allTopics ? [...new Set(scope.topics.map((t) => t.topic))] : null;
  const md = await client.refreshMetadata(named);
  for (const d of descriptions) {
    if (!INACTIVE.has(d.state)) {
      plan.active.push({ group: d.groupId, state: d.state });
      continue;
    }
    const committed = await groups.fetchOffsets(d.groupId);
    const committedOf = new Map(committed.filter((c) => c.offset >= 0).map((c) => [`${c.topic}\0${c.partition}`, c.offset]));

    let partitions: { topic: string; partition: number; wanted?: number; exact?: bigint }[];
    if (scenario.kind === 'file' || scenario.kind === 'plan') {
      const mine = scenario.entries.filter((e) => e.group === d.groupId);
      if (mine.length === 0) {
        plan.notes.push(noPlanLine(d.groupId));
        plan.unplanned.push(d.groupId);
        continue;
      }
      partitions = mine.map((e) => ({ topic: e.topic, partition: e.partition, wanted: e.newOffset, exact: (e as FileRow).exact }));
    } else if (scope.allTopics) {
      partitions = committed.filter((c) => c.offset >= 0).map((c) => ({ topic: c.topic, partition: c.partition }));
      if (d.state === 'Dead' && partitions.length === 0) plan.missing.push(d.groupId);
    } else {
      partitions = scope.topics.flatMap((t) => {
        const info = md.topics.get(t.topic);
        // Kafka's describeTopics fails with TopicAuthorizationException: a denial, not a missing topic.
        if (info?.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) throw new AuthorizationError(`not authorized to describe topic ${t.topic} (TOPIC_AUTHORIZATION_FAILED)`);
        if (!info || info.errorCode !== 0) throw new NotFoundError(`Topic '${t.topic}' does not exist`);
        return (t.partitions ?? info.partitions.map((p) => p.partition)).map((partition) => ({ topic: t.topic, partition }));
      });
    }
    for (const p of partitions) {
      const t = md.topics.get(p.topic);
      if (!t || t.errorCode !== 0 || !t.partitions.some((x) => x.partition === p.partition)) {
        throw new NotFoundError(`Partition ${p.topic}-${p.partition} does not exist`);
      }
    }
    // Kafka keys the plan by partition: `--topic t:0 --topic t` plans t-0 once.
    partitions = [...new Map(partitions.map((p) => [`${p.topic}\0${p.partition}`, p])).values()];
    partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    if (partitions.length === 0) continue;

    const lookup = async (timestamp: number) => {
      const res = await admin.listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })));
      const m = new Map<string, number>();
      for (const r of res) {
        if (r.error) throw r.error;
        m.set(`${r.topic}\0${r.partition}`, r.offset);
      }
      return m;
    };
    const starts = await lookup(OffsetSpec.earliest);
    const ends = await lookup(OffsetSpec.latest);
    // `exact`: the value asked for when it is past 2^53 (`value` is then +-(2^53 - 1)), for the warning.
    const clamp = (k: string, tp: string, value: number, exact?: bigint) => {
      const lo = starts.get(k)!;
      const hi = ends.get(k)!;
      if (value > hi) {
        plan.warnings.push(warn(`New offset (${exact ?? value}) is higher than latest offset for topic partition ${tp}. Value will be set to ${hi}`));
        return hi;
      }
      if (value < lo) {
        plan.warnings.push(warn(`New offset (${exact ?? value}) is lower than earliest offset for topic partition ${tp}. Value will be set to ${lo}`));
        return lo;
      }
      return value;
    };
    const byTime = scenario.kind === 'datetime' || scenario.kind === 'duration' ? await lookup(scenario.kind === 'datetime' ? scenario.timestamp : now - scenario.ms) : null;
    for (const p of partitions) {
      const k = `${p.topic}\0${p.partition}`;
      const tp = `${p.topic}-${p.partition}`;
      let value: number;
      switch (scenario.kind) {
        case 'earliest':
          value = starts.get(k)!;
          break;
        case 'latest':
          value = ends.get(k)!;
          break;
        case 'current':
          value = committedOf.get(k) ?? ends.get(k)!;
          break;
        case 'offset':
          value = clamp(k, tp, scenario.offset, scenario.exact);
          break;
        case 'shift': {
          const c = committedOf.get(k);
          if (c === undefined) throw new UsageError(`Cannot shift offset for partition ${tp} since there is no current committed offset`);
          value = clamp(k, tp, c + scenario.by, scenario.exact === undefined ? undefined : BigInt(c) + scenario.exact);
          break;
        }
        case 'datetime':
        case 'duration': {
          const found = byTime!.get(k)!;
          if (found < 0) {
            plan.notes.push(`\nWarn: Partition ${p.partition} from topic ${p.topic} is empty. Falling back to latest known offset.`);
            value = ends.get(k)!;
          } else value = found;
          break;
        }
        case 'file':
          value = clamp(k, tp, p.wanted!, p.exact);
          break;
        case 'plan':
          // A saved plan is applied exactly as it was computed.
          value = p.wanted!;
          break;
      }
      plan.rows.push({ group: d.groupId, topic: p.topic, partition: p.partition, newOffset: value });
    }
  }
  return plan;
}

/**
 * Kafka's error lines of a reset (each after a blank line): the groups refused before the plan
 * table (active or missing ones), and the partitions that failed after it.
 */
export function resetErrors(plan: Pick<ResetPlan, 'active' | 'missing'>, failures: { row: PlanRow; message: string }[]): { before: string[]; after: string[] } {
  return {
    before: [
      ...plan.active.map((a) => `\nError: Assignments can only be reset if the group '${a.group}' is inactive, but the current state is ${a.state}.`),
      ...plan.missing.map((g) => `\nError: Consumer group '${g}' does not exist.`),
    ],
    after: failures.map((f) => `\nError: Failed to reset ${f.row.topic}-${f.row.partition} of group '${f.row.group}': ${f.message}`),
  };
}

export interface ResetFailure {
  row: PlanRow;
  message: string;
  /** An ACL refusal (exit 8). */
  denied: boolean;
  code: number;
}

/**
 * The reset's view: the plan (a table, or Kafka's CSV with --export), the notes and errors Kafka
 * prints around it, and as JSON the plan with the groups refused (`rejected`: active; `missing`;
 * `unplanned`: no --from-file/--from-plan rows) and the partitions that failed.
 */
export function resetView(
  plan: ResetPlan,
  failures: ResetFailure[],
  o: { execute: boolean; export: boolean; withGroup: boolean; table: boolean },
): { data: object; text: () => string; diagnostics: () => string[]; exit: Outcome | 'Denied' } {
  const data = { dryRun: !o.execute, plan: plan.rows, rejected: plan.active, missing: plan.missing, unplanned: plan.unplanned, failures: failures.map((f) => ({ ...f.row, error: f.message })) };
  const { before, after } = resetErrors(plan, failures);
  const table = o.export ? exportCsv(plan.rows, o.withGroup) : o.table ? planTable(plan.rows) : '';
  const text = () => [...[...plan.notes, ...before].map((l) => `${l}\n`), table, ...after.map((l) => `${l}\n`)].join('');
  const diagnostics = () => [...plan.unplanned.map(noPlanLine), ...before, ...after];
  const exit = plan.active.length ? 'Busy' : plan.missing.length ? 'NotFound' : failures.some((f) => f.denied) ? 'Denied' : failures.length || plan.unplanned.length ? 'Failure' : 'Ok';
  return { data, text, diagnostics, exit };
}

/** Commits the plan (admin commits, generation -1). Returns the partitions that failed. */
export async function executePlan(client: KafkaClient, rows: PlanRow[]): Promise<ResetFailure[]> {
  const groups = new GroupAdmin(client);
  const failures: ResetFailure[] = [];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const mine = rows.filter((r) => r.group === group);
    const results = await groups.commitOffsets(
      group,
      mine.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })),
    );
    for (const r of results) {
      if (!r.error) continue;
      const denied = r.error.code === ErrorCode.TOPIC_AUTHORIZATION_FAILED || r.error.code === ErrorCode.GROUP_AUTHORIZATION_FAILED;
      failures.push({ row: mine.find((m) => m.topic === r.topic && m.partition === r.partition)!, message: `${r.error.message} (${r.error.errorName})`, denied, code: r.error.code });
    }
  }
  return failures;
}

/** What the coordinator answers an admin commit (no member, generation -1) once the group has members. */
const GROUP_NOW_ACTIVE = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION, ErrorCode.REBALANCE_IN_PROGRESS]);

/**
 * --execute: commits the plan. A group that became active after the plan was made (a consumer
 * joined: its commits are refused as from a non-member) is reported as one active at the start
 * is: moved to plan.active with its current state and its rows taken out of the plan, which was
 * not applied to it. Returns the other failures.
 */
export async function executeReset(client: KafkaClient, plan: ResetPlan): Promise<ResetFailure[]> {
  const failures = await executePlan(client, plan.rows);
  const active = [...new Set(failures.filter((f) => GROUP_NOW_ACTIVE.has(f.code)).map((f) => f.row.group))];
  if (active.length === 0) return failures;
  const states = new Map((await new GroupAdmin(client).describeGroups(active)).map((d) => [d.groupId, d.state]));
  return settleActive(plan, failures, states);
}

/** executeReset's bookkeeping: `states` are the current states of the groups whose commits were refused as active. */
export function settleActive(plan: ResetPlan, failures: ResetFailure[], states: Map<string, string>): ResetFailure[] {
  const active = new Set(failures.filter((f) => GROUP_NOW_ACTIVE.has(f.code)).map((f) => f.row.group));
  // A member may have joined and left again by now: the group was active when it was committed to.
  for (const group of active) plan.active.push({ group, state: INACTIVE.has(states.get(group) ?? 'Dead') ? 'Stable' : states.get(group)! });
  plan.rows = plan.rows.filter((r) => !active.has(r.group));
  return failures.filter((f) => !active.has(f.row.group));
}

/** Waits until every group is inactive (Empty or Dead), up to timeoutMs. Returns the still-active ones. */
export async function waitInactive(
  client: KafkaClient,
  groupIds: string[],
  timeoutMs: number,
  onWaiting: (active: { group: string; state: string }[]) => void = () => {},
  pollMs = 250,
): Promise<{ group: string; state: string }[]> {
  const groups = new GroupAdmin(client);
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    const active = (await groups.describeGroups(groupIds)).filter((d) => !INACTIVE.has(d.state)).map((d) => ({ group: d.groupId, state: d.state }));
    if (active.length === 0 || Date.now() >= deadline) return active;
    if (!told) onWaiting(active);
    told = true;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}

/** A plan saved with `--reset-offsets ... --output json` (or a bare list of its rows). */
export function readPlan(path: string): { group: string; topic: string; partition: number; newOffset: number }[] {
  const text = readOptionText(path, '--from-plan');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`--from-plan ${path} is not valid JSON: expected {"plan": [...]} as printed by --output json`);
  }
  const rows = Array.isArray(doc) ? doc : (doc as { plan?: unknown }).plan;
  if (!Array.isArray(rows)) throw new UsageError(`--from-plan ${path}: expected {"plan": [...]} as printed by --output json`);
  // One entry per group and partition: a repeated one is taken once, two that disagree are refused
  // (a plan is applied exactly, so there is no "last one wins" to guess at).
  const byPartition = new Map<string, { i: number; row: PlanRow }>();
  rows.forEach((x, i) => {
    const r = x as Record<string, unknown>;
    const partition = r.partition as number;
    const newOffset = r.newOffset as number;
    if (typeof r.group !== 'string' || typeof r.topic !== 'string' || !Number.isInteger(partition) || partition < 0 || partition > INT32_MAX || !Number.isSafeInteger(newOffset) || newOffset < 0) {
      throw new UsageError(`--from-plan ${path}: entry ${i} needs group, topic, a partition from 0 to ${INT32_MAX} and a newOffset from 0 to ${Number.MAX_SAFE_INTEGER}`);
    }
    const k = `${r.group}\0${r.topic}\0${partition}`;
    const seen = byPartition.get(k);
    if (seen && seen.row.newOffset !== newOffset) {
      throw new UsageError(`--from-plan ${path}: entries ${seen.i} and ${i} plan ${r.topic}-${partition} of group '${r.group}' at different offsets (${seen.row.newOffset} and ${newOffset})`);
    }
    if (!seen) byPartition.set(k, { i, row: { group: r.group, topic: r.topic, partition, newOffset } });
  });
  return [...byPartition.values()].map((x) => x.row);
}
