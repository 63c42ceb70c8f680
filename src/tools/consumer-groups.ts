/**
 * kafka-consumer-groups: gathering group state and offsets, and printing Kafka's layouts (the
 * Java port's columns and messages, with the ≤3.7 fixes noted in the reference: topic(0,1) in
 * ASSIGNMENT, rows ending in newlines). Every view also has a JSON form.
 */
import { Admin, OffsetSpec } from '../client/admin.js';
import type { KafkaClient } from '../client/client.js';
import { GroupAdmin, type GroupDescription } from '../client/groups.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import type { Outcome } from '../util/errors.js';
import { exceptionClass } from './kafka-exceptions.js';

export interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface GroupView {
  group: string;
  state: string;
  description: GroupDescription;
  rows: OffsetRow[];
}

const pad = (s: string, w: number) => s.padEnd(w);
const dash = (v: string | number | null) => (v === null ? '-' : String(v));

/** The TCP address of the local daemon's broker `nodeId`, found from its Unix socket path. */
export type TcpAddressOf = (socketPath: string, nodeId: number) => Promise<{ host: string; port: number } | null>;

/**
 * On the local daemon's Unix socket the coordinator is named by its socket path; Kafka's tools
 * print its host:port, so the broker's TCP listener is shown instead (text and JSON), and the
 * socket (unix://path) only when the daemon does not say it.
 */
async function showTcpCoordinators(descriptions: GroupDescription[], tcpAddress: TcpAddressOf): Promise<void> {
  const found = new Map<string, { host: string; port: number } | null>();
  for (const d of descriptions) {
    const c = d.coordinator;
    if (!c.host.startsWith('/')) continue;
    const key = `${c.host}\0${c.nodeId}`;
    if (!found.has(key)) found.set(key, await tcpAddress(c.host, c.nodeId).catch(() => null));
    const tcp = found.get(key);
    if (tcp) d.coordinator = { nodeId: c.nodeId, ...tcp };
  }
}

/** Describes groups with their committed offsets, log-end offsets and lag (Kafka's --offsets). */
export async function describeOffsets(client: KafkaClient, groupIds: string[], tcpAddress?: TcpAddressOf): Promise<GroupView[]> {
  const groups = new GroupAdmin(client);
  const admin = new Admin(client);
  const descriptions = await groups.describeGroups([...groupIds].sort());
  if (tcpAddress) await showTcpCoordinators(descriptions, tcpAddress);
  const views: GroupView[] = [];
  for (const d of descriptions) {
    if (d.state === 'Dead') {
      views.push({ group: d.groupId, state: d.state, description: d, rows: [] });
      continue;
    }
    const committed = await groups.fetchOffsets(d.groupId);
    const assigned = new Map<string, { consumerId: string; host: string; clientId: string }>();
    const memberOrder = [...d.members].filter((m) => m.assignment.length > 0).sort((a, b) => count(b) - count(a));
    const partitions: { topic: string; partition: number; member: (typeof memberOrder)[number] | null }[] = [];
    for (const m of memberOrder) {
      for (const a of m.assignment) {
        for (const p of a.partitions) {
          assigned.set(`${a.topic}\0${p}`, { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId });
          partitions.push({ topic: a.topic, partition: p, member: m });
        }
      }
    }
    for (const c of [...committed].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))) {
      if (c.offset >= 0 && !assigned.has(`${c.topic}\0${c.partition}`)) partitions.push({ topic: c.topic, partition: c.partition, member: null });
    }
    const ends = await endOffsets(admin, partitions);
    const rows = partitions.map(({ topic, partition }): OffsetRow => {
      const k = `${topic}\0${partition}`;
      const c = committed.find((x) => x.topic === topic && x.partition === partition);
      const current = c && c.offset >= 0 ? c.offset : null;
      const end = ends.get(k) ?? null;
      const owner = assigned.get(k);
      return {
        group: d.groupId,
        topic,
        partition,
        currentOffset: current,
        logEndOffset: end,
        lag: current !== null && end !== null ? end - current : null,
        consumerId: owner?.consumerId ?? null,
        host: owner?.host ?? null,
        clientId: owner?.clientId ?? null,
      };
    });
    views.push({ group: d.groupId, state: d.state, description: d, rows });
  }
  return views;
}

const count = (m: { assignment: { partitions: number[] }[] }) => m.assignment.reduce((n, a) => n + a.partitions.length, 0);

/** High watermarks of partitions (ListOffsets latest, read_uncommitted); missing ones are left out. */
export async function endOffsets(admin: Admin, partitions: { topic: string; partition: number }[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (partitions.length === 0) return out;
  const res = await admin.listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: OffsetSpec.latest })));
  for (const r of res) if (!r.error && r.offset >= 0) out.set(`${r.topic}\0${r.partition}`, r.offset);
  return out;
}

/** The message Kafka prints before (or instead of) a group's table, and where it goes. */
export function stateMessage(group: string, state: string): { stdout?: string; stderr?: string; table: boolean } {
  switch (state) {
    case 'Dead':
      return { stdout: `\nError: Consumer group '${group}' does not exist.`, table: false };
    case 'Empty':
      return { stderr: `\nConsumer group '${group}' has no active members.`, table: true };
    case 'PreparingRebalance':
    case 'CompletingRebalance':
    case 'Assigning':
    case 'Reconciling':
      return { stderr: `\nWarning: Consumer group '${group}' is rebalancing.`, table: true };
    default:
      return { table: true };
  }
}

export function offsetsTable(rows: OffsetRow[]): string {
  const gw = Math.max(15, ...rows.map((r) => r.group.length));
  const tw = Math.max(15, ...rows.map((r) => r.topic.length));
  const cw = Math.max(15, ...rows.map((r) => dash(r.consumerId).length));
  const hw = Math.max(15, ...rows.map((r) => dash(r.host).length));
  const line = (cols: string[]) =>
    `${pad(cols[0]!, gw)} ${pad(cols[1]!, tw)} ${pad(cols[2]!, 10)} ${pad(cols[3]!, 15)} ${pad(cols[4]!, 15)} ${pad(cols[5]!, 15)} ${pad(cols[6]!, cw)} ${pad(cols[7]!, hw)} ${cols[8]}`;
  const out = [`\n${line(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'])}`];
  for (const r of rows) {
    out.push(line([r.group, r.topic, String(r.partition), dash(r.currentOffset), dash(r.logEndOffset), dash(r.lag), dash(r.consumerId), dash(r.host), dash(r.clientId)]));
  }
  return `${out.join('\n')}\n`;
}

export function assignmentText(assignment: { topic: string; partitions: number[] }[]): string {
  if (assignment.every((a) => a.partitions.length === 0)) return '-';
  return assignment
    .filter((a) => a.partitions.length > 0)
    .map((a) => `${a.topic}(${[...a.partitions].sort((x, y) => x - y).join(',')})`)
    .join(', ');
}

export function membersTable(d: GroupDescription, verbose: boolean): string {
  const withInstance = d.members.some((m) => m.groupInstanceId);
  const gw = Math.max(15, d.groupId.length);
  const cw = Math.max(15, ...d.members.map((m) => m.memberId.length));
  const iw = Math.max(17, ...d.members.map((m) => (m.groupInstanceId ?? '').length));
  const hw = Math.max(15, ...d.members.map((m) => m.clientHost.length));
  const clw = Math.max(15, ...d.members.map((m) => m.clientId.length));
  const line = (group: string, id: string, instance: string, host: string, client: string, parts: string, assignment: string) =>
    `${pad(group, gw)} ${pad(id, cw)} ${withInstance ? `${pad(instance, iw)} ` : ''}${pad(host, hw)} ${pad(client, clw)} ${pad(parts, 15)} ${verbose ? assignment : ''}`;
  const out = [`\n${line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'ASSIGNMENT')}`];
  for (const m of d.members) out.push(line(d.groupId, m.memberId, m.groupInstanceId ?? '-', m.clientHost, m.clientId, String(count(m)), assignmentText(m.assignment)));
  return `${out.join('\n')}\n`;
}

export function stateTable(d: GroupDescription): string {
  // A socket path only when the local daemon did not name the broker's TCP listener.
  const address = d.coordinator.host.startsWith('/') ? `unix://${d.coordinator.host}` : `${d.coordinator.host}:${d.coordinator.port}`;
  const coordinator = `${address}  (${d.coordinator.nodeId})`;
  const c = Math.max(25, coordinator.length);
  // Kafka's widths (%-Cs %-Cs %-20s %-15s, C = max(25, the coordinator's length)), each widened to
  // its value when that is longer: a group id past C, a custom assignor's name past 20 or
  // CompletingRebalance (19) would push the later values out from under their headers.
  const gw = Math.max(c, d.groupId.length);
  const sw = Math.max(20, d.protocol.length);
  const stw = Math.max(15, d.state.length);
  const line = (a: string, b: string, s: string, st: string, n: string) => `${pad(a, gw)} ${pad(b, c)} ${pad(s, sw)} ${pad(st, stw)} ${n}`;
  return `\n${line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS')}\n${line(d.groupId, coordinator, d.protocol, d.state, String(d.members.length))}\n`;
}

/** --list with --state and/or --type: `%-Ws[ %-20s][ %-20s]` with W = max(15, longest id) + 10. */
export function listTable(groups: { groupId: string; state: string | null }[], withType: boolean, withState: boolean): string {
  const w = Math.max(15, ...groups.map((g) => g.groupId.length)) + 10;
  const line = (id: string, type: string, state: string) => `${pad(id, w)}${withType ? ` ${pad(type, 20)}` : ''}${withState ? ` ${pad(state, 20)}` : ''}`;
  return [line('GROUP', 'TYPE', 'STATE'), ...groups.map((g) => line(g.groupId, 'Classic', g.state ?? 'Unknown'))].join('\n') + '\n';
}

export function describeJson(views: GroupView[], kind: 'offsets' | 'members' | 'state'): object {
  return {
    groups: views.map((v) => {
      const d = v.description;
      const base = { group: v.group, state: v.state, exists: v.state !== 'Dead' };
      if (kind === 'state') {
        return { ...base, coordinator: d.coordinator, assignmentStrategy: d.protocol || null, members: d.members.length };
      }
      if (kind === 'members') {
        return {
          ...base,
          members: d.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, host: m.clientHost, clientId: m.clientId, partitions: count(m), assignment: m.assignment })),
        };
      }
      return {
        ...base,
        totalLag: v.rows.reduce((n, r) => n + (r.lag ?? 0), 0),
        offsets: v.rows.map((r) => ({ topic: r.topic, partition: r.partition, currentOffset: r.currentOffset, logEndOffset: r.logEndOffset, lag: r.lag, consumerId: r.consumerId, host: r.host, clientId: r.clientId })),
      };
    }),
  };
}

// ---- delete and delete-offsets ----

export interface DeleteGroupsResult {
  deleted: string[];
  failed: { group: string; error: string; message: string }[];
}

/** --delete: Kafka's report. */
export function deleteGroupsLines(r: DeleteGroupsResult): string[] {
  const quoted = (ids: string[]) => ids.map((g) => `'${g}'`).join(', ');
  if (r.failed.length === 0) return [`Deletion of requested consumer groups (${quoted(r.deleted)}) was successful.`];
  return [
    '\nError: Deletion of some consumer groups failed:',
    ...r.failed.map(
      (f) => `* Group '${f.group}' could not be deleted due to: java.util.concurrent.ExecutionException: ${exceptionClass(f.error)}: ${f.message}`,
    ),
    ...(r.deleted.length ? [`\nThese consumer groups were deleted successfully: ${quoted(r.deleted)}`] : []),
  ];
}

/**
 * --delete: not found when every failure is an unknown group, busy when every one is a non-empty
 * group. Judged from the brokers' error codes (as leader-election does), not the names printed.
 */
export function deleteGroupsOutcome(results: { error: { code: number } | null }[]): Outcome | 'Denied' {
  const failed = results.flatMap((r) => (r.error ? [r.error.code] : []));
  if (failed.length === 0) return 'Ok';
  if (failed.every((code) => code === ErrorCode.GROUP_ID_NOT_FOUND)) return 'NotFound';
  if (failed.every((code) => code === ErrorCode.NON_EMPTY_GROUP)) return 'Busy';
  return failed.includes(ErrorCode.GROUP_AUTHORIZATION_FAILED) ? 'Denied' : 'Failure';
}

export interface DeleteOffsetsResult {
  group: string;
  /**
   * The error the report is about: Kafka's top-level result (the request's error, or else the
   * first partition the request failed for), else the first row's (a topic the cluster lacks).
   */
  error: string | null;
  /** Kafka's top-level result alone, which picks the first line: null when the request succeeded for every partition it named. */
  requestError: string | null;
  /** `partition` null: a topic the cluster does not have (Kafka's row says "Not Provided"). */
  partitions: { topic: string; partition: number | null; status: string; error: string | null }[];
}

const UNKNOWN_TOPIC = new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

/**
 * --delete-offsets: deletes the group's committed offsets of the topics named (`t` or `t:0,2`),
 * each partition once (Kafka keys them in a set, so `--topic t:0 --topic t` is t-0 once).
 */
export async function deleteOffsets(client: KafkaClient, group: string, topics: { topic: string; partitions: number[] | null }[]): Promise<DeleteOffsetsResult> {
  const md = await client.refreshMetadata([...new Set(topics.map((x) => x.topic))]);
  const known = topics.filter((x) => md.topics.get(x.topic)?.errorCode === 0);
  const keyed = new Map<string, { topic: string; partition: number }>();
  for (const x of known) for (const partition of x.partitions ?? md.topics.get(x.topic)!.partitions.map((p) => p.partition)) keyed.set(`${x.topic}\0${partition}`, { topic: x.topic, partition });
  const res = keyed.size ? await new GroupAdmin(client).deleteOffsets(group, [...keyed.values()]) : { error: null, partitions: [] };
  const row = (topic: string, partition: number | null, e: KafkaProtocolError | null) => ({ topic, partition, status: e ? `Error: :${e.message}` : 'Successful', error: e?.errorName ?? null });
  const rows = [
    ...res.partitions.map((p) => row(p.topic, p.partition, p.error)),
    ...[...new Set(topics.filter((x) => !known.includes(x)).map((x) => x.topic))].map((topic) => row(topic, null, UNKNOWN_TOPIC)),
    // Kafka's order: by the string topic + partition (-1 for an unknown topic), so 10 before 2.
  ].sort((a, b) => (`${a.topic}${a.partition ?? -1}` < `${b.topic}${b.partition ?? -1}` ? -1 : 1));
  // Kafka's top-level result is its admin call's all(): the request's error, or a failed partition's.
  const requestError = res.error?.errorName ?? rows.find((x) => x.partition !== null && x.error)?.error ?? null;
  return { group, error: requestError ?? rows.find((x) => x.error)?.error ?? null, requestError, partitions: rows };
}

const PARTITION_LEVEL = new Set(['GROUP_SUBSCRIBED_TO_TOPIC', 'TOPIC_AUTHORIZATION_FAILED', 'UNKNOWN_TOPIC_OR_PARTITION']);

/**
 * --delete-offsets: Kafka's report (`topics`: the --topic values as given). The first line is
 * Kafka's top-level result, which a topic the cluster lacks does not change (its row says so).
 */
export function deleteOffsetsLines(r: DeleteOffsetsResult, topics: string[]): string[] {
  const { group, requestError: error, partitions: rows } = r;
  const lines: string[] = [];
  if (!error) lines.push(`Request succeed for deleting offsets with topic ${topics.join(', ')} group ${group}`);
  else if (error === 'GROUP_ID_NOT_FOUND') lines.push(`\nError: '${group}' does not exist.`);
  else if (error === 'INVALID_GROUP_ID') lines.push(`\nError: '${group}' is not valid.`);
  else if (error === 'GROUP_AUTHORIZATION_FAILED') lines.push(`\nError: Access to '${group}' is not authorized.`);
  else if (error === 'NON_EMPTY_GROUP') lines.push(`\nError: Deleting offsets of a consumer group '${group}' is forbidden if the group is not empty.`);
  else if (PARTITION_LEVEL.has(error)) lines.push('\nError: Encounter some partition level error, see the follow-up details:');
  else lines.push(`\nError: Encounter some unknown error: ${error}`);
  if (rows.length) lines.push(`\n${[`${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(15)} ${'STATUS'.padEnd(15)}`, ...rows.map((x) => `${x.topic.padEnd(30)} ${(x.partition ?? 'Not Provided').toString().padEnd(15)} ${x.status.padEnd(15)}`)].join('\n')}`);
  return lines;
}

export function deleteOffsetsOutcome(r: DeleteOffsetsResult): Outcome | 'Denied' {
  const errors = [r.error, ...r.partitions.map((x) => x.error)];
  if (r.error === 'GROUP_ID_NOT_FOUND') return 'NotFound';
  if (errors.includes('GROUP_AUTHORIZATION_FAILED') || errors.includes('TOPIC_AUTHORIZATION_FAILED')) return 'Denied';
  if (errors.includes('NON_EMPTY_GROUP') || errors.includes('GROUP_SUBSCRIBED_TO_TOPIC')) return 'Busy';
  // Every topic named is unknown (its rows say "Not Provided"): not found, as a missing group is; some of them: a partial failure.
  if (!r.requestError && r.partitions.length > 0 && r.partitions.every((x) => x.partition === null)) return 'NotFound';
  return r.error ? 'Failure' : 'Ok';
}
