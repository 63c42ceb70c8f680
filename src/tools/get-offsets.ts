/**
 * kafka-ts get-offsets (kafka-get-offsets.sh): which partitions (Kafka's --topic regex with
 * --partitions, or --topic-partitions rules), which offset (--time), and Kafka's
 * `topic:partition:offset` lines sorted by the string `topic-partition`.
 */
import type { Admin } from '../client/admin.js';
import { ErrorCode } from '../protocol/errors.js';
import { AuthorizationError, deniedAs, NotFoundError, UsageError, type Outcome } from '../util/errors.js';
import { exceptionClass } from './kafka-exceptions.js';

/** Kafka's --time names and the ListOffsets timestamps they stand for. */
export const TIME_NAMES: Readonly<Record<string, number>> = { latest: -1, earliest: -2, 'max-timestamp': -3, 'earliest-local': -4, 'latest-tiered': -5 };

/** --time: a name, or a long (-1 … -5 or a timestamp in ms); Kafka's message otherwise. */
export function parseTime(value: string | undefined): number {
  if (value === undefined) return -1;
  const v = value.trim();
  const named = TIME_NAMES[v.toLowerCase()];
  if (named !== undefined) return named;
  if (/^[-+]?\d{1,19}$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new UsageError(
    `Malformed time argument ${value}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp`,
  );
}

/** Which partitions of which topics: a list of rules, any of which may match. */
export interface PartitionFilter {
  topic(name: string): boolean;
  partition(topic: string, partition: number): boolean;
  /** Topic names the patterns name literally (`orders` in `orders|logs.*`): asked for by name when not listed. */
  names: string[];
}

interface Rule {
  topic: RegExp | null;
  /** [from, to): to null is unbounded. */
  from: number;
  to: number | null;
}

/** Kafka's --topic value as a full-match regex (',' is '|', spaces and surrounding quotes dropped). */
function topicRegex(value: string): RegExp {
  const cleaned = value.trim().replace(/,/g, '|').replace(/ /g, '').replace(/^["']+|["']+$/g, '');
  try {
    return new RegExp(`^(?:${cleaned})$`);
  } catch {
    throw new UsageError(`${cleaned} is an invalid regex.`);
  }
}

/** The alternatives of a topic regex that are plain topic names (which match themselves). */
function literalNames(re: RegExp | null): string[] {
  if (!re) return [];
  const body = re.source.slice('^(?:'.length, -')$'.length);
  return body.split('|').filter((n) => /^[A-Za-z0-9._-]+$/.test(n));
}

const fromRules = (rules: Rule[]): PartitionFilter => ({
  topic: (name) => rules.some((r) => !r.topic || r.topic.test(name)),
  partition: (topic, p) => rules.some((r) => (!r.topic || r.topic.test(topic)) && p >= r.from && (r.to === null || p < r.to)),
  names: [...new Set(rules.flatMap((r) => literalNames(r.topic)))],
});

/** --topic-partitions: `rule(,rule)*`, rule `topicRegex[:P]` or `:P`, P `N`, `N-M` (M exclusive), `N-`, `-M`. */
export function parseTopicPartitions(value: string): PartitionFilter {
  const rules = value.split(',').map((raw): Rule => {
    // As Kafka: an empty part means "any" (`t:` and `t:-` are every partition of t).
    const m = /^([^:,]*)(?::(?:(\d*)|(\d*)-(\d*)))?$/.exec(raw);
    if (!m) throw new UsageError(`Invalid rule specification: ${raw}`);
    const topic = m[1] ? topicRegex(m[1]) : null;
    if (m[2]) return { topic, from: Number(m[2]), to: Number(m[2]) + 1 };
    return { topic, from: m[3] ? Number(m[3]) : 0, to: m[4] ? Number(m[4]) : null };
  });
  return fromRules(rules);
}

/** --topic (regex, all topics when absent) and --partitions (`0,1,2`, all when absent). */
export function topicAndPartitions(topic: string | undefined, partitions: string | undefined): PartitionFilter {
  let ids: Set<number> | null = null;
  if (partitions !== undefined) {
    // Kafka's GetOffsetShell: partitions.split(",") (Java drops trailing empty items: "0," is 0, and
    // "," nothing), each Integer.parseInt (no spaces, an optional sign, within an int: "0, 1" and
    // 99999999999 are refused). No ids at all ("" or ",") means every partition.
    const parts = partitions.split(',');
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    const isInt = (p: string) => /^[+-]?\d+$/.test(p) && Number(p) >= -(2 ** 31) && Number(p) < 2 ** 31;
    if (!parts.every(isInt)) throw new UsageError(`--partitions expects a comma separated list of numeric partition ids, but received: ${partitions}`);
    if (parts.length > 0) ids = new Set(parts.map(Number));
  }
  const re = topic !== undefined ? topicRegex(topic) : null;
  return { topic: (n) => !re || re.test(n), partition: (t, p) => (!re || re.test(t)) && (!ids || ids.has(p)), names: literalNames(re) };
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
  /** The record's timestamp for lookups by time and max-timestamp; null otherwise or when unknown. */
  timestamp: number | null;
}

export interface OffsetsResult {
  time: number;
  offsets: PartitionOffset[];
  /** Partitions that have no such offset (left out of Kafka's lines; named on stderr here). */
  noOffset: { topic: string; partition: number }[];
  errors: { topic: string; partition: number; error: string; message: string }[];
  /** Topics named by the filter that the principal may not describe (left out, as Kafka's listing leaves them out). */
  denied: string[];
}

/** Kafka's order: by the string `topic-partition` (so t-10 comes before t-2). */
const byName = (a: { topic: string; partition: number }, b: { topic: string; partition: number }) => {
  const x = `${a.topic}-${a.partition}`;
  const y = `${b.topic}-${b.partition}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The offsets of every matching partition; partitions without one (offset -1) are left out, as Kafka. */
export async function getOffsets(admin: Admin, filter: PartitionFilter, time: number, excludeInternal: boolean): Promise<OffsetsResult> {
  const listed = await admin.listTopics();
  const topics = listed.filter((t) => !(excludeInternal && t.internal) && filter.topic(t.name));
  const described = await admin.describeTopics(topics.map((t) => t.name));
  const wanted = described.flatMap((t) => t.partitions.filter((p) => filter.partition(t.name, p.partition)).map((p) => ({ topic: t.name, partition: p.partition, timestamp: time })));
  // A listing leaves out the topics the principal may not describe; one named outright is asked
  // for by name, which the broker answers TOPIC_AUTHORIZATION_FAILED: a denial, not a missing topic.
  // Only an alternative that matched no listed topic (`a.b` is also a pattern: it matches axb).
  const unlisted = filter.names.filter((n) => !listed.some((t) => new RegExp(`^(?:${n})$`).test(t.name)));
  const md = unlisted.length > 0 ? await admin.metadata(unlisted) : null;
  const denied = unlisted.filter((n) => md!.topics.get(n)?.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (wanted.length === 0 && denied.length > 0) throw new AuthorizationError(deniedMessage(denied));
  if (wanted.length === 0) throw new NotFoundError('Could not match any topic-partitions with the specified filters');
  const results = await admin.listOffsets(wanted);
  const offsets: PartitionOffset[] = [];
  const noOffset: OffsetsResult['noOffset'] = [];
  const errors: OffsetsResult['errors'] = [];
  for (const r of results.sort(byName)) {
    if (r.error) errors.push({ topic: r.topic, partition: r.partition, error: r.error.errorName, message: r.error.message });
    else if (r.offset >= 0) offsets.push({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp >= 0 ? r.timestamp : null });
    else noOffset.push({ topic: r.topic, partition: r.partition });
  }
  return { time, offsets, noOffset, errors, denied };
}

/** Kafka's TopicAuthorizationException message ("Not authorized to access topics: [orders]"), with the error's name. */
const deniedMessage = (topics: string[]) => `not authorized to access topics: [${topics.join(', ')}] (TOPIC_AUTHORIZATION_FAILED)`;

/** Why a partition can have no offset for --time. */
function noOffsetReason(time: number): string {
  if (time === TIME_NAMES['max-timestamp']) return 'at max-timestamp (the partition holds no records)';
  if (time === TIME_NAMES['latest-tiered']) return 'at latest-tiered (nothing of the partition is in tiered storage)';
  return `at time ${time} (no record at or after it)`;
}

/** The command's view: Kafka's lines on stdout, skipped partitions on stderr. */
export function offsetsView(r: OffsetsResult, principal?: string): { data: OffsetsResult; text: () => string[]; warnings: () => string[]; exit: Outcome | 'Denied' } {
  return {
    data: r,
    text: () => r.offsets.map((o) => `${o.topic}:${o.partition}:${o.offset}`),
    // Kafka's tool leaves such partitions out without a word; the lines stay Kafka's, stderr says which.
    warnings: () => [
      ...r.errors.map((e) => `Skip getting offsets for topic-partition ${e.topic}-${e.partition} due to error: ${exceptionClass(e.error)}: ${e.message}`),
      // Named as the error's line names it (describeError): "User:alice is not authorized to …".
      ...(r.denied.length > 0 ? [`${deniedAs(deniedMessage(r.denied), principal)}: left out`] : []),
      ...(r.noOffset.length > 0 ? [`No offset ${noOffsetReason(r.time)} for ${r.noOffset.map((p) => `${p.topic}:${p.partition}`).join(', ')}: left out`] : []),
    ],
    exit: r.denied.length > 0 || r.errors.some((e) => e.error === 'TOPIC_AUTHORIZATION_FAILED') ? 'Denied' : r.errors.length ? 'Failure' : 'Ok',
  };
}
