/**
 * kafka-streams-application-reset.sh: resets a Kafka Streams application so it reprocesses its
 * input. The application's consumer group (its application.id) gets new committed offsets for its
 * input topics (earliest by default, or --to-offset, --to-datetime, --by-duration, --to-latest,
 * --shift-by, --from-file), its intermediate topics are skipped to their end, and its internal
 * topics (<application.id>-…-changelog / -repartition / foreign-key join topics) are deleted.
 * Kafka's messages, line for line; validation happens before anything changes.
 */
import { readOptionText } from '../util/files.js';
import { Admin, OffsetSpec } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { GroupAdmin } from '../client/groups.js';
import { BusyError, FailedError, NotFoundError, UsageError } from '../util/errors.js';

export type StreamsScenario =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  | { kind: 'datetime'; timestamp: number }
  | { kind: 'duration'; ms: number }
  | { kind: 'file'; offsets: Map<string, number> };

export interface StreamsResetRequest {
  applicationId: string;
  inputTopics: string[];
  intermediateTopics: string[];
  /** --internal-topics: a subset of the inferred ones; empty means all of them. */
  internalTopics: string[];
  scenario: StreamsScenario;
  dryRun: boolean;
  force: boolean;
}

export interface StreamsResetResult {
  lines: string[];
  /** Input or intermediate topics that do not exist (Kafka exits 1 for them, after the rest). */
  missingTopics: string[];
  /**
   * The JSON document. A dry run changes nothing, so its members and topics are named for what a
   * reset would do (membersToRemove, topicsToDelete), never as removed or deleted.
   */
  data: {
    applicationId: string;
    dryRun: boolean;
    offsets: { topic: string; partition: number; offset: number; kind: 'input' | 'intermediate' }[];
    missingTopics: string[];
  } & ({ removedMembers: string[]; deletedTopics: string[] } | { membersToRemove: string[]; topicsToDelete: string[] });
}

/** The failure a reset ends with when input or intermediate topics do not exist (after it did the rest). */
export const missingTopicsError = (r: StreamsResetResult): NotFoundError =>
  new NotFoundError(`${r.missingTopics.length} topic(s) not found, skipped: ${r.missingTopics.join(', ')}${r.data.dryRun ? '' : ' (the rest of the reset was done)'}`);

/** Topic names Kafka Streams gives its internal topics (StreamsResetter.matchesInternalTopicFormat). */
export function isInternalTopicName(name: string): boolean {
  return (
    name.endsWith('-changelog') ||
    name.endsWith('-repartition') ||
    name.endsWith('-subscription-registration-topic') ||
    name.endsWith('-subscription-response-topic') ||
    /^.+-KTABLE-FK-JOIN-SUBSCRIPTION-(REGISTRATION|RESPONSE)-\d+-topic$/.test(name)
  );
}

/** A --from-file plan: TOPIC,PARTITION,OFFSET lines (Kafka's format; blank lines are skipped). */
export function parseResetPlanCsv(text: string, path: string): Map<string, number> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError(`Error parsing reset plan CSV file ${path}. It is empty.`);
  const out = new Map<string, number>();
  lines.forEach((line, i) => {
    const parts = line.split(',');
    const [topic, partition, offset] = parts.map((p) => p.trim());
    if (parts.length !== 3 || !topic || !/^\d+$/.test(partition!) || !/^-?\d+$/.test(offset!)) {
      throw new UsageError(`Reset plan CSV file ${path} is not following the format \`TOPIC,PARTITION,OFFSET\` (line ${i + 1}: ${JSON.stringify(line)}).`);
    }
    out.set(`${topic}:${partition}`, Number(offset));
  });
  return out;
}

export const readResetPlanCsv = (path: string): Map<string, number> => {
  return parseResetPlanCsv(readOptionText(path, '--from-file'), path);
};

const javaList = (items: readonly string[]) => `[${items.join(', ')}]`;

export async function resetStreamsApplication(client: KafkaClient, r: StreamsResetRequest, now = Date.now()): Promise<StreamsResetResult> {
  const admin = new Admin(client);
  const groups = new GroupAdmin(client);
  const lines: string[] = [];
  let memberIds: string[] = [];
  let offsets: StreamsResetResult['data']['offsets'] = [];
  let missingTopics: string[] = [];

  // Everything is checked before anything changes (Kafka deletes the members first and checks
  // --internal-topics only after resetting the offsets).
  const allTopics = new Set((await admin.listTopics()).map((t) => t.name));
  const named = new Set([...r.inputTopics, ...r.intermediateTopics]);
  const inferred = [...allTopics].filter((t) => !named.has(t) && t.startsWith(`${r.applicationId}-`) && isInternalTopicName(t)).sort();
  if (r.internalTopics.length > 0 && !r.internalTopics.every((t) => inferred.includes(t))) {
    throw new UsageError(
      'Invalid topic specified in the --internal-topics option. Ensure that the topics specified are all internal topics. Do a dry run without the --internal-topics option to see the list of all internal topics that can be deleted.',
    );
  }
  const [group] = await groups.describeGroups([r.applicationId]);
  const members = group?.members ?? [];
  if (members.length > 0) {
    if (!r.force) {
      throw new BusyError(
        `Consumer group '${r.applicationId}' is still active and has following members: ${javaList(members.map((m) => m.memberId))}. Make sure to stop all running application instances before running the reset tool. You can use option '--force' to remove active members from the group.`,
      );
    }
    // A dry run changes nothing, not even the members (Kafka's tool removes them anyway), and says so.
    lines.push(
      r.dryRun
        ? `Would force delete all ${members.length} active member(s) in the group: ${r.applicationId} (dry run: none removed)`
        : `Force deleting all active members in the group: ${r.applicationId}`,
    );
    memberIds = members.map((m) => m.memberId);
    if (!r.dryRun) {
      const failed = (await groups.removeMembers(r.applicationId, members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })))).filter((m) => m.error);
      if (failed.length > 0) throw new FailedError(`Could not remove members ${failed.map((m) => `${m.memberId} (${m.error!.errorName})`).join(', ')} from group ${r.applicationId}`);
    }
  }

  if (r.dryRun) lines.push('----Dry run displays the actions which will be performed when running Streams Reset Tool----');

  if (r.inputTopics.length === 0 && r.intermediateTopics.length === 0) {
    lines.push('No input or intermediate topics specified. Skipping seek.');
  } else {
    if (r.inputTopics.length > 0) lines.push(`Reset-offsets for input topics ${javaList(r.inputTopics)}`);
    if (r.intermediateTopics.length > 0) lines.push(`Seek-to-end for intermediate topics ${javaList(r.intermediateTopics)}`);
    const missingInput = r.inputTopics.filter((t) => !allTopics.has(t));
    const missingIntermediate = r.intermediateTopics.filter((t) => !allTopics.has(t));
    if (missingInput.length > 0) lines.push('Following input topics are not found, skipping them', ...missingInput.map((t) => `Topic: ${t}`));
    if (missingIntermediate.length > 0) lines.push('Following intermediate topics are not found, skipping them', ...missingIntermediate.map((t) => `Topic:${t}`));
    missingTopics = [...missingInput, ...missingIntermediate];
    const input = r.inputTopics.filter((t) => allTopics.has(t));
    const intermediate = r.intermediateTopics.filter((t) => allTopics.has(t) && !input.includes(t));
    if (input.length + intermediate.length > 0) {
      const commits = [
        ...(await inputOffsets(client, admin, groups, r, input, lines, now)).map((o) => ({ ...o, kind: 'input' as const })),
        ...(await endOffsets(admin, client, intermediate, r.applicationId, lines)).map((o) => ({ ...o, kind: 'intermediate' as const })),
      ];
      offsets = commits;
      if (!r.dryRun && commits.length > 0) {
        const failures = (await groups.commitOffsets(r.applicationId, commits)).filter((c) => c.error);
        if (failures.length > 0) throw new FailedError(`Resetting offsets failed: ${failures.map((f) => `${f.topic}-${f.partition}: ${f.error!.message} (${f.error!.errorName})`).join(', ')}`);
      }
      lines.push('Done.');
    }
  }

  const toDelete = r.internalTopics.length > 0 ? r.internalTopics : inferred;
  lines.push(`Deleting ${r.internalTopics.length > 0 ? 'specified' : 'inferred'} internal topics ${javaList(toDelete)}`);
  if (!r.dryRun && toDelete.length > 0) {
    const failed = (await admin.deleteTopics(toDelete)).filter((t) => t.error);
    if (failed.length > 0) throw new FailedError(`Encountered an error deleting one or more topics: ${failed.map((t) => `${t.name} (${t.error!.errorName})`).join(', ')}`);
  }
  lines.push('Done.');
  const data: StreamsResetResult['data'] = r.dryRun
    ? { applicationId: r.applicationId, dryRun: true, membersToRemove: memberIds, offsets, missingTopics, topicsToDelete: toDelete }
    : { applicationId: r.applicationId, dryRun: false, removedMembers: memberIds, offsets, missingTopics, deletedTopics: toDelete };
  return { lines, missingTopics, data };
}

async function partitionsOf(client: KafkaClient, topics: string[]): Promise<{ topic: string; partition: number }[]> {
  if (topics.length === 0) return [];
  const md = await client.refreshMetadata(topics);
  return topics
    .sort()
    .flatMap((topic) => (md.topics.get(topic)?.partitions ?? []).map((p) => ({ topic, partition: p.partition })).sort((a, b) => a.partition - b.partition));
}

async function lookup(admin: Admin, partitions: { topic: string; partition: number }[], timestamp: number): Promise<Map<string, number>> {
  const res = await admin.listOffsets(partitions.map((p) => ({ ...p, timestamp })));
  const m = new Map<string, number>();
  for (const x of res) {
    if (x.error) throw x.error;
    m.set(`${x.topic}:${x.partition}`, x.offset);
  }
  return m;
}

/** The intermediate topics' partitions at their end ("seekToEnd"). */
async function endOffsets(admin: Admin, client: KafkaClient, topics: string[], groupId: string, lines: string[]) {
  const partitions = await partitionsOf(client, topics);
  if (partitions.length === 0) return [];
  const ends = await lookup(admin, partitions, OffsetSpec.latest);
  lines.push(`Following intermediate topics offsets will be reset to end (for consumer group ${groupId})`);
  // Kafka prints the topic once per partition.
  for (const p of partitions) lines.push(`Topic: ${p.topic}`);
  return partitions.map((p) => ({ ...p, offset: ends.get(`${p.topic}:${p.partition}`)! }));
}

/** The input topics' new offsets, clamped to [earliest, latest] with Kafka's messages. */
async function inputOffsets(client: KafkaClient, admin: Admin, groups: GroupAdmin, r: StreamsResetRequest, topics: string[], lines: string[], now: number) {
  const partitions = await partitionsOf(client, topics);
  if (partitions.length === 0) return [];
  const starts = await lookup(admin, partitions, OffsetSpec.earliest);
  const ends = await lookup(admin, partitions, OffsetSpec.latest);
  const s = r.scenario;
  if (s.kind === 'file') {
    const missing = partitions.filter((p) => !s.offsets.has(`${p.topic}:${p.partition}`));
    if (missing.length > 0) throw new UsageError(`--from-file has no offset for ${missing.map((p) => `${p.topic}-${p.partition}`).join(', ')}`);
  }
  lines.push(`Following input topics offsets will be reset to (for consumer group ${r.applicationId})`);
  const clamp = (k: string, value: number) => {
    const hi = ends.get(k)!;
    const lo = starts.get(k)!;
    if (value >= hi) {
      if (value > hi) lines.push(`New offset (${value}) is higher than latest offset. Value will be set to ${hi}`);
      return hi;
    }
    if (value < lo) {
      lines.push(`New offset (${value}) is lower than earliest offset. Value will be set to ${lo}`);
      return lo;
    }
    return value;
  };
  let byTime: Map<string, number> | null = null;
  if (s.kind === 'datetime' || s.kind === 'duration') byTime = await lookup(admin, partitions, s.kind === 'datetime' ? s.timestamp : now - s.ms);
  // --shift-by moves from the committed offset, or, without one, from where a consumer would
  // start (auto.offset.reset=latest, the Java consumer's default).
  const committed = s.kind === 'shift' ? new Map((await groups.fetchOffsets(r.applicationId)).filter((c) => c.offset >= 0).map((c) => [`${c.topic}:${c.partition}`, c.offset])) : null;
  const out: { topic: string; partition: number; offset: number }[] = [];
  for (const p of partitions) {
    const k = `${p.topic}:${p.partition}`;
    let offset: number;
    switch (s.kind) {
      case 'earliest':
        offset = starts.get(k)!;
        break;
      case 'latest':
        offset = ends.get(k)!;
        break;
      case 'offset':
        offset = clamp(k, s.offset);
        break;
      case 'shift':
        offset = clamp(k, (committed!.get(k) ?? ends.get(k)!) + s.by);
        break;
      case 'file':
        offset = clamp(k, s.offsets.get(k)!);
        break;
      case 'datetime':
      case 'duration': {
        const found = byTime!.get(k)!;
        if (found >= 0) offset = found;
        else {
          offset = ends.get(k)!;
          lines.push(`Partition ${p.partition} from topic ${p.topic} is empty, without a committed record. Falling back to latest known offset.`);
        }
        break;
      }
    }
    out.push({ ...p, offset });
  }
  for (const o of out) lines.push(`Topic: ${o.topic} Partition: ${o.partition} Offset: ${o.offset}`);
  return out;
}
