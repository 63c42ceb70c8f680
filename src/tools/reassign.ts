/**
 * kafka-reassign-partitions: Kafka's JSON files (plans and topic lists) read and written
 * byte-compatibly, Kafka's replica placement for --generate, and the execute / verify / cancel /
 * list flows with throttles, against the local daemon or any Kafka cluster.
 */
import { Admin, RESOURCE_BROKER, RESOURCE_TOPIC } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { alterReassignments, listReassignments, replicaSizes, type OngoingReassignment } from '../client/reassignments.js';
import { BusyError, FailedError, isKafkaTsError, NotFoundError, UsageError, type KafkaTsError, type Outcome } from '../util/errors.js';
import { progressLine } from './progress.js';

export interface PlanEntry {
  topic: string;
  partition: number;
  replicas: number[];
  /** One per replica; "any" means no directory preference. */
  logDirs: string[];
}

/** A bad input file: Kafka prints "Error: <message>"; kafka-ts exits 2 without changing anything. */
const badInput = (message: string) => new UsageError(message, { stdout: `Error: ${message}` });

const tp = (e: { topic: string; partition: number }) => `${e.topic}-${e.partition}`;
const byTopicPartition = <T extends { topic: string; partition: number }>(a: T, b: T) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badInput(`Unable to parse the ${what} as JSON: ${(e as Error).message}`);
  }
}

function checkVersion(doc: Record<string, unknown>): void {
  if (doc.version !== undefined && doc.version !== 1) throw badInput(`Not supported version field value ${JSON.stringify(doc.version)}`);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Reads a reassignment plan: {"version":1,"partitions":[{"topic","partition","replicas","log_dirs"?}]}. */
export function parsePlan(text: string): PlanEntry[] {
  const doc = parseJson(text, 'reassignment JSON file');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badInput('The reassignment JSON file must hold an object with a "partitions" list');
  const d = doc as Record<string, unknown>;
  checkVersion(d);
  if (!Array.isArray(d.partitions)) throw badInput('The reassignment JSON file has no "partitions" list');
  return d.partitions.map((raw, i) => {
    const p = raw as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || typeof p.topic !== 'string' || !isInt(p.partition)) throw badInput(`Partition entry ${i} needs a "topic" string and a "partition" number`);
    if (!Array.isArray(p.replicas) || !p.replicas.every(isInt)) throw badInput(`Partition ${p.topic}-${p.partition} needs a "replicas" list of broker ids`);
    const replicas = p.replicas as number[];
    let logDirs = replicas.map(() => 'any');
    if (p.log_dirs !== undefined) {
      if (!Array.isArray(p.log_dirs) || !p.log_dirs.every((x) => typeof x === 'string')) throw badInput(`Partition ${p.topic}-${p.partition} has a "log_dirs" value that is not a list of strings`);
      if (p.log_dirs.length !== replicas.length) {
        throw badInput(`Size of replicas list [${replicas.join(', ')}] is different from size of log dirs list [${(p.log_dirs as string[]).join(', ')}] for partition ${p.topic}-${p.partition}`);
      }
      logDirs = p.log_dirs as string[];
    }
    return { topic: p.topic, partition: p.partition, replicas, logDirs };
  });
}

/** Kafka's compact plan JSON: version first, partitions sorted, log_dirs filled with "any". */
export function formatPlan(entries: { topic: string; partition: number; replicas: number[]; logDirs?: string[] }[]): string {
  const partitions = [...entries].sort(byTopicPartition).map((e) => ({ topic: e.topic, partition: e.partition, replicas: e.replicas, log_dirs: e.logDirs ?? e.replicas.map(() => 'any') }));
  return JSON.stringify({ version: 1, partitions });
}

/** Reads a topics-to-move file: {"topics":[{"topic":"foo"}],"version":1}. */
export function parseTopicsToMove(text: string): string[] {
  const doc = parseJson(text, 'topics-to-move JSON file');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badInput('The topics-to-move JSON file must hold an object with a "topics" list');
  const d = doc as Record<string, unknown>;
  checkVersion(d);
  if (!Array.isArray(d.topics)) throw badInput('The topics-to-move JSON file has no "topics" list');
  const topics = d.topics.map((t, i) => {
    const name = (t as Record<string, unknown>)?.topic;
    if (typeof name !== 'string') throw badInput(`Topic entry ${i} needs a "topic" string`);
    return name;
  });
  const dupes = [...new Set(topics.filter((t, i) => topics.indexOf(t) !== i))];
  if (dupes.length) throw badInput(`List of topics to reassign contains duplicate entries: [${dupes.join(', ')}]`);
  return topics;
}

/** Checks a plan the way Kafka's tool does before anything is sent. */
export function validatePlan(entries: PlanEntry[]): void {
  if (entries.length === 0) throw badInput('Partition reassignment list cannot be empty');
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const e of entries) {
    if (seen.has(tp(e))) dupes.push(tp(e));
    seen.add(tp(e));
  }
  if (dupes.length) throw badInput(`Partition reassignment contains duplicate topic partitions: ${dupes.join(',')}`);
  for (const e of entries) {
    if (e.replicas.length === 0) throw badInput('Partition replica list cannot be empty');
    const dup = e.replicas.find((r, i) => e.replicas.indexOf(r) !== i);
    if (dup !== undefined) throw badInput(`Partition replica lists may not contain duplicate entries: ${tp(e)} contains multiple entries for ${dup}`);
    if (e.logDirs.some((d) => d !== 'any')) {
      throw new UsageError(`Moving replicas between log directories is not supported: kafka-ts brokers have one log directory each (${tp(e)} names ${e.logDirs.filter((d) => d !== 'any').join(', ')}); use "any"`);
    }
  }
}

/**
 * Kafka's rack-unaware replica placement: a random first broker and a random shift for the
 * following replicas, the shift growing by one after each full round of brokers.
 */
export function placeReplicas(brokers: number[], partitions: number, replicationFactor: number, random: () => number = Math.random): number[][] {
  const n = brokers.length;
  if (replicationFactor > n) throw badInput(`Replication factor: ${replicationFactor} larger than available brokers: ${n}.`);
  const start = Math.floor(random() * n);
  let shift = Math.floor(random() * n);
  const out: number[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const replicas = [brokers[first]!];
    for (let j = 1; j < replicationFactor; j++) replicas.push(brokers[(first + 1 + ((shift + j - 1) % (n - 1))) % n]!);
    out.push(replicas);
  }
  return out;
}

/** Current replicas of the given partitions; unknown topics and partitions are errors. */
async function currentReplicas(client: KafkaClient, entries: { topic: string; partition: number }[]): Promise<Map<string, number[]>> {
  const md = await client.refreshMetadata([...new Set(entries.map((e) => e.topic))]);
  const out = new Map<string, number[]>();
  for (const e of entries) {
    const t = md.topics.get(e.topic);
    if (!t || t.errorCode) throw new NotFoundError(`Topic ${e.topic} not found.`, { stdout: `Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${e.topic} not found.` });
    const p = t.partitions.find((x) => x.partition === e.partition);
    if (!p) throw new NotFoundError(`Unable to find partition: ${tp(e)}`, { stdout: `Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: ${tp(e)}` });
    out.set(tp(e), p.replicas);
  }
  return out;
}

export interface GenerateResult {
  current: string;
  proposed: string;
}

export async function generate(client: KafkaClient, topics: string[], brokerList: number[]): Promise<GenerateResult> {
  const dupes = [...new Set(brokerList.filter((b, i) => brokerList.indexOf(b) !== i))];
  if (dupes.length) throw badInput(`Broker list contains duplicate entries: [${dupes.join(', ')}]`);
  const cluster = await new Admin(client).describeCluster();
  const known = cluster.brokers.map((b) => b.nodeId);
  // Brokers that do not exist are dropped, as Kafka's tool does.
  const brokers = known.filter((b) => brokerList.includes(b)).sort((a, b) => a - b);
  const md = await client.refreshMetadata(topics);
  const current: PlanEntry[] = [];
  const proposed: PlanEntry[] = [];
  for (const name of topics) {
    const t = md.topics.get(name);
    if (!t || t.errorCode) throw new NotFoundError(`Topic ${name} not found.`, { stdout: `Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${name} not found.` });
    for (const p of t.partitions) current.push({ topic: name, partition: p.partition, replicas: p.replicas, logDirs: p.replicas.map(() => 'any') });
    const rf = t.partitions[0]?.replicas.length ?? 1;
    placeReplicas(brokers, t.partitions.length, rf).forEach((replicas, partition) => proposed.push({ topic: name, partition, replicas, logDirs: replicas.map(() => 'any') }));
  }
  return { current: formatPlan(current), proposed: formatPlan(proposed) };
}

const THROTTLE_BROKER_CONFIGS = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate', 'replica.alter.log.dirs.io.max.bytes.per.second'];
const THROTTLE_TOPIC_CONFIGS = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'];

/** Kafka's throttled-replica lists: sources lead, new replicas follow; "partition:broker", sorted as strings. */
export function throttledReplicas(moves: { partition: number; current: number[]; target: number[] }[]): { leader: string; follower: string } {
  const leader = new Set<string>();
  const follower = new Set<string>();
  for (const m of moves) {
    for (const b of m.current) leader.add(`${m.partition}:${b}`);
    for (const b of m.target) if (!m.current.includes(b)) follower.add(`${m.partition}:${b}`);
  }
  return { leader: [...leader].sort().join(','), follower: [...follower].sort().join(',') };
}

export interface ExecuteOptions {
  additional: boolean;
  throttle: number;
  logDirThrottle: number;
}

/** What --execute did, for --output json: the rollback plan and the partitions started or refused. */
export interface ExecuteResult {
  /** Failure when the broker refused some partitions. */
  outcome: Outcome;
  /** The current assignment of the plan's partitions, as a plan (JSON text) to roll back with. */
  rollback: string;
  started: { topic: string; partition: number }[];
  failed: { topic: string; partition: number; error: string }[];
}

export async function execute(client: KafkaClient, entries: PlanEntry[], o: ExecuteOptions, print: (line: string) => void): Promise<ExecuteResult> {
  validatePlan(entries);
  const ongoing = await listReassignments(client);
  if (ongoing.length > 0 && !o.additional) {
    throw new BusyError('a reassignment is already running (use --additional)', {
      stdout:
        'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.',
    });
  }
  const admin = new Admin(client);
  const brokers = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  for (const e of entries) {
    const unknown = e.replicas.find((r) => !brokers.has(r));
    if (unknown !== undefined) throw new NotFoundError(`Unknown broker id ${unknown}`, { stdout: `Error: Unknown broker id ${unknown}` });
  }
  const current = await currentReplicas(client, entries);
  const rollback = formatPlan(entries.map((e) => ({ topic: e.topic, partition: e.partition, replicas: current.get(tp(e))! })));
  print('Current partition replica assignment\n');
  print(rollback);
  print('\nSave this to use as the --reassignment-json-file option during rollback');

  if (o.throttle >= 0 || o.logDirThrottle >= 0) {
    print('Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.');
    if (o.throttle >= 0) {
      // Ongoing moves keep their throttles: merge them in.
      const moves = new Map<string, { topic: string; partition: number; current: number[]; target: number[] }>();
      for (const r of ongoing) moves.set(tp(r), { topic: r.topic, partition: r.partition, current: r.replicas.filter((b) => !r.adding.includes(b)), target: r.replicas.filter((b) => !r.removing.includes(b)) });
      for (const e of entries) moves.set(tp(e), { topic: e.topic, partition: e.partition, current: current.get(tp(e))!, target: e.replicas });
      const byTopic = new Map<string, { partition: number; current: number[]; target: number[] }[]>();
      for (const m of moves.values()) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
      for (const [topic, list] of byTopic) {
        const lists = throttledReplicas(list);
        await admin.alterConfigs(RESOURCE_TOPIC, topic, { 'leader.replication.throttled.replicas': lists.leader, 'follower.replication.throttled.replicas': lists.follower || null });
      }
      const involved = new Set<number>();
      for (const m of moves.values()) for (const b of [...m.current, ...m.target]) involved.add(b);
      for (const b of [...involved].sort((x, y) => x - y)) {
        await admin.alterConfigs(RESOURCE_BROKER, String(b), { 'leader.replication.throttled.rate': String(o.throttle), 'follower.replication.throttled.rate': String(o.throttle) });
      }
      print(`The inter-broker throttle limit was set to ${o.throttle} B/s`);
    }
    if (o.logDirThrottle >= 0) print(`The replica-alter-dir throttle limit was set to ${o.logDirThrottle} B/s`);
  }

  const results = await alterReassignments(
    client,
    entries.map((e) => ({ topic: e.topic, partition: e.partition, replicas: e.replicas })),
  );
  const failed = results.filter((r) => r.error).sort(byTopicPartition);
  const failedJson = failed.map((f) => ({ topic: f.topic, partition: f.partition, error: f.error!.message }));
  if (failed.length) {
    print('Error reassigning partition(s):');
    for (const f of failed) print(`${tp(f)}: ${f.error!.message}`);
    return { outcome: 'Failure', rollback, started: [], failed: failedJson };
  }
  const names = entries.map(tp).sort();
  print(`Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}`);
  return { outcome: 'Ok', rollback, started: [...entries].sort(byTopicPartition).map((e) => ({ topic: e.topic, partition: e.partition })), failed: [] };
}

export type PartitionStatus = { topic: string; partition: number; state: 'completed' | 'in-progress' | 'different'; replicas: number[]; target: number[] };

/** Where each planned partition stands. */
export async function status(client: KafkaClient, entries: PlanEntry[]): Promise<{ partitions: PartitionStatus[]; anyOngoing: boolean }> {
  const ongoing = await listReassignments(client);
  const current = await currentReplicas(client, entries);
  const partitions = [...entries].sort(byTopicPartition).map((e): PartitionStatus => {
    const replicas = current.get(tp(e))!;
    const moving = ongoing.some((r) => r.topic === e.topic && r.partition === e.partition);
    const same = replicas.length === e.replicas.length && replicas.every((r, i) => r === e.replicas[i]);
    return { topic: e.topic, partition: e.partition, state: moving ? 'in-progress' : same ? 'completed' : 'different', replicas, target: e.replicas };
  });
  return { partitions, anyOngoing: ongoing.length > 0 };
}

export function statusLines(s: PartitionStatus[]): string[] {
  return [
    'Status of partition reassignment:',
    ...s.map((p) =>
      p.state === 'completed'
        ? `Reassignment of partition ${tp(p)} is completed.`
        : p.state === 'in-progress'
          ? `Reassignment of partition ${tp(p)} is still in progress.`
          : `There is no active reassignment of partition ${tp(p)}, but replica set is ${p.replicas.join(',')} rather than ${p.target.join(',')}.`,
    ),
  ];
}

/**
 * Removes the throttle configs (brokers: every cluster broker plus the plan's; topics: the plan's).
 * A broker of the plan that is not running cannot be reached to clear its throttle: the others and
 * the topics are cleared, then this fails (exit 1, as Kafka's tool, whose call for it times out,
 * exits 1) naming it, so that --verify is run again once it is back.
 */
export async function clearThrottles(client: KafkaClient, entries: PlanEntry[], print: (line: string) => void): Promise<void> {
  const admin = new Admin(client);
  const live = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  const brokers = new Set(live);
  for (const e of entries) for (const r of e.replicas) brokers.add(r);
  const sortedBrokers = [...brokers].sort((a, b) => a - b);
  const unreached: { broker: number; error: KafkaTsError }[] = [];
  for (const b of sortedBrokers) {
    try {
      await admin.alterConfigs(RESOURCE_BROKER, String(b), Object.fromEntries(THROTTLE_BROKER_CONFIGS.map((k) => [k, null])));
    } catch (e) {
      if (live.has(b) || !isKafkaTsError(e) || e.kind !== 'unreachable') throw e;
      unreached.push({ broker: b, error: e });
    }
  }
  const cleared = sortedBrokers.filter((b) => !unreached.some((u) => u.broker === b));
  const topics = [...new Set(entries.map((e) => e.topic))].sort();
  for (const t of topics) await admin.alterConfigs(RESOURCE_TOPIC, t, Object.fromEntries(THROTTLE_TOPIC_CONFIGS.map((k) => [k, null])));
  if (cleared.length > 0) print(`Clearing broker-level throttles on broker${cleared.length === 1 ? '' : 's'} ${cleared.join(',')}`);
  print(`Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}`);
  if (unreached.length > 0) {
    const ids = unreached.map((u) => u.broker).join(',');
    const message = `Could not clear the broker-level throttles on broker${unreached.length === 1 ? '' : 's'} ${ids}: not running (${unreached[0]!.error.message}); run --verify again once ${unreached.length === 1 ? 'it is' : 'they are'} back`;
    throw new FailedError(message, { stdout: `Error: ${message}`, cause: unreached[0]!.error });
  }
}

/** What --cancel did (for --output json) and how it ended. */
export interface CancelResult {
  outcome: Outcome;
  cancelled: { topic: string; partition: number }[];
  failed: { topic: string; partition: number; error: string }[];
}

export async function cancel(client: KafkaClient, entries: PlanEntry[], print: (line: string) => void): Promise<CancelResult> {
  const ongoing = await listReassignments(client);
  const active = entries.filter((e) => ongoing.some((r) => r.topic === e.topic && r.partition === e.partition));
  if (active.length === 0) {
    print('None of the specified partition reassignments are active.');
    return { outcome: 'Ok', cancelled: [], failed: [] };
  }
  const results = await alterReassignments(client, active.map((e) => ({ topic: e.topic, partition: e.partition, replicas: null })));
  const failed = results.filter((r) => r.error).sort(byTopicPartition);
  const ok = results.filter((r) => !r.error).sort(byTopicPartition);
  if (ok.length) print(`Successfully cancelled partition reassignment(s) for: ${ok.map(tp).join(',')}`);
  if (failed.length) {
    print('Error cancelling partition reassignment(s) for:');
    for (const f of failed) print(`${tp(f)}: ${f.error!.message}`);
  }
  return {
    outcome: failed.length ? 'Failure' : 'Ok',
    cancelled: ok.map((r) => ({ topic: r.topic, partition: r.partition })),
    failed: failed.map((f) => ({ topic: f.topic, partition: f.partition, error: f.error!.message })),
  };
}

export function listLines(ongoing: OngoingReassignment[]): string[] {
  if (ongoing.length === 0) return ['No partition reassignments found.'];
  return [
    'Current partition reassignments:',
    ...ongoing.map((r) => `${tp(r)}: replicas: ${r.replicas.join(',')}.${r.adding.length ? ` adding: ${r.adding.join(',')}.` : ''}${r.removing.length ? ` removing: ${r.removing.join(',')}.` : ''}`),
  ];
}

/**
 * The reports of each action, as JSON documents (--output json) and Kafka's text lines, built
 * from what the flows above return.
 */
export const generateReport = (g: GenerateResult) => ({
  data: { current: JSON.parse(g.current) as unknown, proposed: JSON.parse(g.proposed) as unknown },
  lines: ['Current partition replica assignment', g.current, '', 'Proposed partition reassignment configuration', g.proposed],
});

/** What --execute started: the rollback plan, the partitions started or refused, the throttle (null when none). */
export const executedJson = (done: ExecuteResult, throttle: number) => ({ rollback: JSON.parse(done.rollback) as unknown, started: done.started, failed: done.failed, throttle: throttle >= 0 ? throttle : null });

/** --verify: each partition's state; the throttles are cleared once nothing moves (unless preserved). */
export function verifyReport(s: { partitions: PartitionStatus[]; anyOngoing: boolean }, preserveThrottles: boolean) {
  return {
    data: {
      partitions: s.partitions.map((p) => ({ topic: p.topic, partition: p.partition, status: p.state, replicas: p.replicas, targetReplicas: p.target })),
      throttlesCleared: !s.anyOngoing && !preserveThrottles,
    },
    // No log-directory moves: Kafka prints their (empty) report as a blank line.
    lines: [...statusLines(s.partitions), ''],
  };
}

export const cancelledJson = (done: CancelResult, preserveThrottles: boolean) => ({ cancelled: done.cancelled, failed: done.failed, throttlesCleared: !preserveThrottles });

export const listReport = (ongoing: OngoingReassignment[]) => ({
  data: { reassignments: ongoing.map((x) => ({ topic: x.topic, partition: x.partition, replicas: x.replicas, addingReplicas: x.adding, removingReplicas: x.removing })) },
  lines: listLines(ongoing),
});

export interface Progress {
  /** Bytes the new replicas hold so far. */
  moved: number;
  /** Bytes they need (the leaders' replica sizes). */
  total: number;
  /** Partitions of the plan still reassigning. */
  pending: number;
}

/** How far the data movement of the plan's ongoing reassignments has come. */
export async function progress(client: KafkaClient, entries: PlanEntry[]): Promise<Progress> {
  const ongoing = (await listReassignments(client)).filter((r) => entries.some((e) => e.topic === r.topic && e.partition === r.partition));
  if (ongoing.length === 0) return { moved: 0, total: 0, pending: 0 };
  const md = await client.refreshMetadata([...new Set(ongoing.map((r) => r.topic))]);
  const brokers = [...new Set(ongoing.flatMap((r) => r.replicas))];
  const sizes = await replicaSizes(client, brokers, ongoing);
  let moved = 0;
  let total = 0;
  for (const r of ongoing) {
    const leader = md.topics.get(r.topic)?.partitions.find((p) => p.partition === r.partition)?.leader ?? -1;
    const s = sizes.get(tp(r));
    const need = s?.get(leader) ?? 0;
    for (const b of r.adding) {
      total += need;
      moved += Math.min(need, s?.get(b) ?? 0);
    }
  }
  return { moved, total, pending: ongoing.length };
}

/**
 * Polls until the plan's reassignments are done, showing bytes moved, rate (over the last ten
 * seconds, so the estimate does not jump about) and time left: redrawn in place on a terminal,
 * a line every five seconds otherwise.
 */
export async function waitForPlan(client: KafkaClient, entries: PlanEntry[], out: NodeJS.WriteStream, pollMs = 250): Promise<void> {
  const tty = !!out.isTTY;
  const samples: { at: number; moved: number }[] = [];
  let lastPrinted = 0;
  for (;;) {
    const p = await progress(client, entries);
    const now = Date.now();
    if (p.pending === 0) {
      out.write(`${tty ? '\r\x1b[K' : ''}Reassignment complete.\n`);
      return;
    }
    samples.push({ at: now, moved: p.moved });
    while (samples.length > 1 && now - samples[0]!.at > 10_000) samples.shift();
    const first = samples[0]!;
    const rate = now > first.at ? ((p.moved - first.moved) / (now - first.at)) * 1000 : null;
    const line = progressLine(p.moved, p.total, rate, p.pending, tty ? Math.min(out.columns ?? 80, 100) : 80);
    if (tty) out.write(`\r\x1b[K${line}`);
    else if (now - lastPrinted >= 5000) {
      out.write(`${line}\n`);
      lastPrinted = now;
    }
    await new Promise((res) => setTimeout(res, pollMs));
  }
}
