/**
 * kafka-topics: topic selection, the five actions and their views. Layouts follow Kafka's
 * TopicCommand (3.8+, with the Elr fields); messages are Kafka's, as scripts match on them.
 */
import { Admin, CONFIG_SOURCE_DEFAULT, RESOURCE_TOPIC, type TopicDescription } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { toBase64Url, isZeroUuid } from '../util/ids.js';
import { validateTopicConfig, validateTopicConfigSet } from '../protocol/topic-configs.js';
import { isKafkaTsError, KafkaTsError, reportedLines, UsageError, type ErrorKind } from '../util/errors.js';

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

/** Kafka's failure layout for topic commands: on stdout, with the odd spacing. */
export class TopicCommandError extends KafkaTsError {
  override name = 'TopicCommandError';
  constructor(message: string, kind: ErrorKind = 'failed') {
    super(kind, message, { stdout: `Error while executing topic command : ${message}` });
  }
}

/** A refused topic operation; an ACL denial names what was tried (kind denied, exit 8). */
function refused(e: { kind: string; message: string; hint?: string }, what: string): TopicCommandError {
  return e.kind === 'denied' ? new TopicCommandError(`not authorized to ${what} (${e.hint ?? 'TOPIC_AUTHORIZATION_FAILED'})`, 'denied') : new TopicCommandError(e.message);
}

/**
 * Kafka's --topic value as a regular expression: trimmed, ',' becomes '|', spaces removed,
 * surrounding quotes stripped; it must match the whole name.
 */
export function topicPattern(value: string): RegExp {
  const cleaned = value.trim().replace(/,/g, '|').replace(/ /g, '').replace(/^["']+|["']+$/g, '');
  try {
    return new RegExp(`^(?:${cleaned})$`);
  } catch {
    throw new TopicCommandError(`${cleaned} is an invalid regex.`, 'usage');
  }
}

export interface TopicFilters {
  topic?: string;
  /** `topic` is a name, not a pattern (the verb style's `delete NAME`: a '.' in it matches only '.'). */
  exact?: boolean;
  excludeInternal?: boolean;
}

/** Topic names matching --topic (all when absent), sorted, honouring --exclude-internal. */
export async function selectTopics(admin: Admin, f: TopicFilters): Promise<{ name: string; internal: boolean }[]> {
  const all = await admin.listTopics();
  const re = f.topic !== undefined && !f.exact ? topicPattern(f.topic) : null;
  const matches = (name: string) => f.topic === undefined || (re ? re.test(name) : name === f.topic);
  const found = all.filter((t) => (!f.excludeInternal || !t.internal) && matches(t.name));
  // A named topic missing from the list may be hidden by ACLs: say so rather than "does not exist".
  const name = f.topic?.trim();
  if (found.length === 0 && name && /^[a-zA-Z0-9._-]+$/.test(name)) {
    const md = await admin.metadata([name]);
    if (md.topics.get(name)?.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) throw new TopicCommandError(`not authorized to describe topic ${name} (TOPIC_AUTHORIZATION_FAILED)`, 'denied');
  }
  return found;
}

export function missingTopicError(value: string): TopicCommandError {
  return new TopicCommandError(`Topic '${value}' does not exist as expected`, 'not_found');
}

// ---- create ----

export function parseReplicaAssignment(text: string): number[][] {
  const parts = text.split(',').map((p) =>
    p.split(':').map((b) => {
      const t = b.trim();
      if (!/^\d+$/.test(t)) throw new UsageError(`Invalid --replica-assignment '${text}': broker ids must be integers`);
      return Number(t);
    }),
  );
  parts.forEach((ids) => {
    if (new Set(ids).size !== ids.length) throw new TopicCommandError(`Partition replica lists may not contain duplicate entries: ${ids.join(',')}`);
  });
  parts.forEach((ids, i) => {
    if (ids.length !== parts[0]!.length) throw new TopicCommandError(`Partition ${i} has different replication factor: [${ids.join(', ')}]`);
  });
  return parts;
}

/** `--config k=v` entries: exactly one '=' each (whitespace around it allowed). */
export function parseTopicConfigs(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const parts = e.split(/\s*=\s*/);
    if (parts.length !== 2 || parts[0]!.trim() === '') {
      throw new TopicCommandError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".');
    }
    out[parts[0]!.trim()] = parts[1]!.trim();
  }
  return out;
}

/**
 * `--config` pairs checked as Kafka's TopicCommand checks them before it sends anything
 * (LogConfig.validate): their format, then every name, then each value and the values together
 * (min.compaction.lag.ms above max.compaction.lag.ms); what depends on the broker (tiered storage)
 * is the broker's to refuse. The messages are the broker's.
 */
export function checkTopicConfigs(entries: readonly string[]): Record<string, string> {
  const configs = parseTopicConfigs(entries);
  const names = Object.keys(configs);
  const problem =
    names.map((k) => validateTopicConfig(k, null)).find((p) => p !== null) ??
    names.map((k) => validateTopicConfig(k, configs[k]!, false)).find((p) => p !== null) ??
    validateTopicConfigSet(configs);
  if (problem) throw new TopicCommandError(problem);
  return configs;
}

export const collisionWarning = (name: string): string | null =>
  /[._]/.test(name)
    ? "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
    : null;

export interface CreateRequest {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  assignment?: number[][];
  configs: Record<string, string>;
  ifNotExists: boolean;
}

/**
 * TopicCommand's checks of --create's counts, which it makes before asking the broker anything:
 * Kafka's lines, but usage errors (exit 2) as invalid arguments like a non-numeric -p are.
 */
export function checkCreateCounts(req: Pick<CreateRequest, 'partitions' | 'replicationFactor'>): void {
  if (req.replicationFactor !== undefined && (req.replicationFactor < 1 || req.replicationFactor > 32767)) {
    throw new TopicCommandError('The replication factor must be between 1 and 32767 inclusive', 'usage');
  }
  if (req.partitions !== undefined && req.partitions < 1) throw new TopicCommandError('The partitions must be greater than 0', 'usage');
}

/** Creates a topic; returns false when it existed and --if-not-exists was given. */
export async function createTopic(admin: Admin, req: CreateRequest): Promise<boolean> {
  checkCreateCounts(req);
  const [result] = await admin.createTopics([
    {
      name: req.name,
      partitions: req.partitions ?? -1,
      replicationFactor: req.replicationFactor ?? -1,
      assignment: req.assignment,
      configs: req.configs,
    },
  ]);
  const err = result?.error;
  if (!err) return true;
  if (err.code === ErrorCode.TOPIC_ALREADY_EXISTS && req.ifNotExists) return false;
  throw refused(err, `create topic ${req.name}`);
}

// ---- describe ----

export interface PartitionView {
  partition: number;
  leader: number | null;
  replicas: number[];
  isr: number[];
  adding: number[];
  removing: number[];
  elr: number[] | null;
  lastKnownElr: number[] | null;
}

export interface TopicView {
  name: string;
  id: string | null;
  internal: boolean;
  partitionCount: number;
  replicationFactor: number;
  configs: Record<string, string | null>;
  partitions: PartitionView[];
}

export interface DescribeFilters {
  underReplicated?: boolean;
  unavailable?: boolean;
  underMinIsr?: boolean;
  atMinIsr?: boolean;
  withOverrides?: boolean;
}

/**
 * A partition's replication factor as Kafka's TopicCommand counts it (getReplicationFactor): while a
 * reassignment runs, its replicas minus the ones being added (the assignment it moves away from).
 */
export const replicationFactorOf = (p: Pick<PartitionView, 'replicas' | 'adding'>): number => p.replicas.length - p.adding.length;

/** Builds describe views: partition state, configs with a non-default source, reassignments. */
/**
 * `byId`: described by --topic-id, which Kafka's TopicCommand answers from the Metadata API: the
 * ELR fields are unknown there, printed N/A (null in JSON).
 */
export async function describeTopics(client: KafkaClient, names: string[], byId = false): Promise<{ views: TopicView[]; liveBrokers: Set<number>; minIsr: Map<string, number> }> {
  const admin = new Admin(client);
  const descs: TopicDescription[] = await admin.describeTopics(names);
  // A denial is Kafka's "Error while executing topic command" line too, as a refused describe is.
  const configs = await admin.describeConfigs(descs.map((d) => ({ type: RESOURCE_TOPIC, name: d.name }))).catch((e: unknown) => {
    throw isKafkaTsError(e) && e.kind === 'denied' ? refused(e, `describe the configs of topic ${descs.map((d) => d.name).join(', ')}`) : e;
  });
  const reassigning = await listReassigningSafe(client);
  const liveBrokers = new Set(client.cluster.brokers.keys());
  const minIsr = new Map<string, number>();
  const views = descs.map((d): TopicView => {
    const entries = configs.get(`${RESOURCE_TOPIC}:${d.name}`) ?? [];
    const overrides: Record<string, string | null> = {};
    for (const e of entries) if (e.source !== CONFIG_SOURCE_DEFAULT && !e.isDefault) overrides[e.name] = e.isSensitive ? null : e.value;
    minIsr.set(d.name, Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? 1));
    const partitions = d.partitions.map((p): PartitionView => {
      const r = reassigning.get(`${d.name}-${p.partition}`);
      return {
        partition: p.partition,
        leader: p.leader >= 0 ? p.leader : null,
        replicas: p.replicas,
        isr: p.isr,
        adding: r?.adding ?? [],
        removing: r?.removing ?? [],
        elr: byId ? null : p.elr,
        lastKnownElr: byId ? null : p.lastKnownElr,
      };
    });
    const first = partitions[0];
    return {
      name: d.name,
      id: isZeroUuid(d.id) ? null : toBase64Url(d.id),
      internal: d.internal,
      partitionCount: partitions.length,
      replicationFactor: first ? replicationFactorOf(first) : 0,
      configs: overrides,
      partitions,
    };
  });
  return { views, liveBrokers, minIsr };
}

async function listReassigningSafe(client: KafkaClient): Promise<Map<string, { adding: number[]; removing: number[] }>> {
  const out = new Map<string, { adding: number[]; removing: number[] }>();
  try {
    const { listReassignments } = await import('../client/reassignments.js');
    for (const r of await listReassignments(client)) out.set(`${r.topic}-${r.partition}`, r);
  } catch (e) {
    if (e instanceof KafkaProtocolError) throw e;
    // Brokers without the reassignment API simply have none in progress.
  }
  return out;
}

const ids = (l: number[]) => l.join(',');
const elrText = (l: number[] | null) => (l === null ? 'N/A' : ids(l));

export function partitionLine(topic: string, p: PartitionView): string {
  let line = `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${p.leader ?? 'none'}\tReplicas: ${ids(p.replicas)}\tIsr: ${ids(p.isr)}`;
  if (p.adding.length > 0 || p.removing.length > 0) line += `\tAdding Replicas: ${ids(p.adding)}\tRemoving Replicas: ${ids(p.removing)}`;
  return `${line}\tElr: ${elrText(p.elr)}\tLastKnownElr: ${elrText(p.lastKnownElr)}`;
}

export function headerLine(t: TopicView): string {
  const configs = Object.entries(t.configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const id = t.id ? `\tTopicId: ${t.id}` : '';
  return `Topic: ${t.name}${id}\tPartitionCount: ${t.partitionCount}\tReplicationFactor: ${t.replicationFactor}\tConfigs: ${configs}`;
}

/** Applies the describe filters; returns the text lines Kafka prints. */
const hasPartitionFilter = (f: DescribeFilters) => !!(f.underReplicated || f.unavailable || f.underMinIsr || f.atMinIsr);

/** The partitions of `t` that the describe filters select (all of them without a partition filter). */
function selectedPartitions(t: TopicView, f: DescribeFilters, liveBrokers: Set<number>, minIsr: Map<string, number>): TopicView['partitions'] {
  if (!hasPartitionFilter(f)) return t.partitions;
  const min = minIsr.get(t.name) ?? 1;
  return t.partitions.filter((p) => {
    const noLeader = p.leader === null || !liveBrokers.has(p.leader);
    return (
      // As Kafka's isUnderReplicated: fewer in sync than the replication factor (replicas being added not counted).
      (f.underReplicated && p.isr.length < replicationFactorOf(p)) ||
      (f.unavailable && noLeader) ||
      (f.underMinIsr && (noLeader || p.isr.length < min)) ||
      (f.atMinIsr && p.isr.length === min)
    );
  });
}

export function describeLines(views: TopicView[], f: DescribeFilters, liveBrokers: Set<number>, minIsr: Map<string, number>): string[] {
  const lines: string[] = [];
  for (const t of views) {
    if (f.withOverrides) {
      if (Object.keys(t.configs).length > 0) lines.push(headerLine(t));
      continue;
    }
    // With a partition filter Kafka prints the matching partition lines only, no headers.
    if (!hasPartitionFilter(f)) lines.push(headerLine(t));
    for (const p of selectedPartitions(t, f, liveBrokers, minIsr)) lines.push(partitionLine(t.name, p));
  }
  return lines;
}

/**
 * The JSON document for --output json describe, under the same filters as the text: a partition
 * filter keeps the matching partitions and the topics that have any; --topics-with-overrides
 * keeps the topics with config overrides.
 */
export function describeJson(views: TopicView[], f: DescribeFilters = {}, liveBrokers = new Set<number>(), minIsr = new Map<string, number>()): object {
  const topics = views
    .filter((t) => !f.withOverrides || Object.keys(t.configs).length > 0)
    .map((t) => ({ t, partitions: selectedPartitions(t, f, liveBrokers, minIsr) }))
    .filter((x) => !hasPartitionFilter(f) || x.partitions.length > 0);
  return {
    topics: topics.map(({ t, partitions }) => ({
      name: t.name,
      topicId: t.id,
      internal: t.internal,
      partitionCount: t.partitionCount,
      replicationFactor: t.replicationFactor,
      configs: t.configs,
      partitions: partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        addingReplicas: p.adding,
        removingReplicas: p.removing,
        elr: p.elr,
        lastKnownElr: p.lastKnownElr,
      })),
    })),
  };
}

// ---- alter / delete ----

/** What --alter did: the topics grown, and those the broker refused (each with Kafka's error line). */
export interface AlterResult {
  altered: string[];
  failed: { topic: string; error: KafkaProtocolError; line: TopicCommandError }[];
}

/**
 * Grows every named topic to `total` partitions in one CreatePartitions request, as Kafka's
 * TopicCommand does: each topic succeeds or fails on its own, so one that cannot grow (it already
 * has as many partitions) no longer stops the others (they were sent one by one, up to the first
 * failure).
 */
export async function alterPartitions(admin: Admin, names: string[], total: number, fullAssignment: number[][] | undefined): Promise<AlterResult> {
  const md = fullAssignment ? await admin.metadata(names) : null;
  // With --replica-assignment, the entries for the partitions a topic has already are skipped.
  const assignmentOf = (name: string) => (fullAssignment ? fullAssignment.slice(md!.topics.get(name)?.partitions.length ?? 0) : null);
  const results = await admin.createPartitionsFor(names.map((name) => ({ name, count: total, assignment: assignmentOf(name) })));
  const byName = new Map(results.map((r) => [r.name, r.error]));
  const out: AlterResult = { altered: [], failed: [] };
  for (const name of names) {
    const error = byName.get(name);
    if (error) out.failed.push({ topic: name, error, line: refused(error, `alter topic ${name}`) });
    else out.altered.push(name);
  }
  return out;
}

/**
 * How --alter ends when some topics failed: a single failure (nothing grown) is thrown as before
 * (Kafka's one error line, its exit status); otherwise the error line of each failing topic (a
 * denial naming `principal`, as the one-topic line does), the document with the topics grown and
 * those refused, and exit status 1 (8 when every topic was refused by the ACLs). Null when
 * nothing failed.
 */
export function alterFailures(r: AlterResult, principal?: string): { data: object; lines: string[]; exit: 'Failure' | 'Denied' } | null {
  if (r.failed.length === 0) return null;
  if (r.failed.length === 1 && r.altered.length === 0) throw r.failed[0]!.line;
  const denied = r.altered.length === 0 && r.failed.every((f) => f.line.kind === 'denied');
  return {
    data: { altered: r.altered, failed: r.failed.map((f) => ({ topic: f.topic, error: f.error.errorName, message: f.error.message })) },
    lines: r.failed.map((f) => {
      const { line, stdout } = reportedLines(f.line, principal);
      return stdout ?? line;
    }),
    exit: denied ? 'Denied' : 'Failure',
  };
}

export async function deleteTopics(admin: Admin, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const results = await admin.deleteTopics(names);
  const failed = results.find((r) => r.error);
  if (failed?.error) throw refused(failed.error, `delete topic ${failed.name}`);
}
