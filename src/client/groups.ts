/**
 * Consumer-group operations over the Kafka protocol: find a group's coordinator, list groups
 * (asking every broker), describe them, read and write committed offsets, delete groups and
 * offsets. Used by the group consumer and by the consumer-groups command.
 */
import {
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
} from '../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { denialMessage } from '../protocol/acls.js';
import { decodeAssignment, decodeSubscription } from '../protocol/consumer-protocol.js';
import { ConnectionError, type KafkaClient } from './client.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string | null;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded assignment (consumer protocol), sorted; empty when not Stable. */
  assignment: { topic: string; partitions: number[] }[];
  /** Subscribed topics, when the group is Stable and uses the consumer protocol. */
  subscription: string[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignment strategy (protocol name) when Stable. */
  protocol: string;
  members: MemberDescription[];
  coordinator: { nodeId: number; host: string; port: number };
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retriable coordinator errors: look the coordinator up again and retry. */
const COORDINATOR_ERRORS = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export class GroupAdmin {
  private readonly coordinators = new Map<string, { nodeId: number; host: string; port: number }>();

  constructor(readonly client: KafkaClient) {}

  /** The broker coordinating `groupId` (retrying while it is not available yet). */
  async coordinator(groupId: string, refresh = false): Promise<{ nodeId: number; host: string; port: number }> {
    const known = this.coordinators.get(groupId);
    if (known && !refresh) return known;
    const deadline = Date.now() + this.client.connectTimeoutMs;
    for (;;) {
      const { body } = await this.client.send('any', FindCoordinator, (v) => (v >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 }));
      const c = body.coordinators?.[0] ?? { nodeId: body.nodeId ?? -1, host: body.host ?? '', port: body.port ?? -1, errorCode: body.errorCode ?? 0, errorMessage: body.errorMessage ?? null };
      if (!c.errorCode) {
        const found = { nodeId: c.nodeId!, host: c.host!, port: c.port! };
        this.coordinators.set(groupId, found);
        if (!this.client.cluster.brokers.has(found.nodeId)) await this.client.refreshMetadata([]);
        return found;
      }
      if (!COORDINATOR_ERRORS.has(c.errorCode!) || Date.now() > deadline) throw new KafkaProtocolError(c.errorCode!, denialMessage(c.errorCode!, `access group ${groupId}`, c.errorMessage));
      await sleep(100);
    }
  }

  /**
   * Runs `op` against the group's coordinator, rediscovering it on coordinator errors. A
   * coordinator that cannot be reached (its broker stopped) is forgotten, as Kafka's admin client
   * does: the next call asks FindCoordinator again, and this one does at once when its request
   * never left (a long-lived GroupAdmin, the lag watcher's, kept asking the dead broker forever).
   */
  async withCoordinator<T>(groupId: string, op: (nodeId: number) => Promise<T>, errorOf: (r: T) => number): Promise<T> {
    const deadline = Date.now() + this.client.connectTimeoutMs;
    let refresh = false;
    for (;;) {
      const c = await this.coordinator(groupId, refresh);
      let r: T;
      try {
        r = await op(c.nodeId);
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        if (this.coordinators.get(groupId) === c) this.coordinators.delete(groupId);
        if (!e.requestNotSent || Date.now() > deadline) throw e;
        refresh = true;
        await sleep(100);
        continue;
      }
      const code = errorOf(r);
      if (!COORDINATOR_ERRORS.has(code) || Date.now() > deadline) return r;
      refresh = true;
      await sleep(100);
    }
  }

  /** Every group on every broker (ListGroups goes to each broker, as Kafka's admin does). */
  async listGroups(states: string[] | null = null): Promise<GroupListing[]> {
    const md = await this.client.refreshMetadata([]);
    const all: GroupListing[] = [];
    for (const nodeId of md.brokers.keys()) {
      const { body, version } = await this.client.send(nodeId, ListGroups, { statesFilter: states ?? [], typesFilter: [] });
      if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
      for (const g of body.groups) {
        if (states && version < 4 && g.groupState && !states.includes(g.groupState)) continue;
        all.push({ groupId: g.groupId, protocolType: g.protocolType, state: version >= 4 ? (g.groupState ?? null) : null });
      }
    }
    // Brokers before ListGroups v4 do not report states: ask DescribeGroups.
    if (all.some((g) => g.state === null)) {
      const described = await this.describeGroups(all.map((g) => g.groupId));
      for (const g of all) g.state = described.find((d) => d.groupId === g.groupId)?.state ?? null;
      if (states) return all.filter((g) => g.state !== null && states.map((s) => s.toLowerCase()).includes(g.state.toLowerCase()));
    }
    return all;
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      const { body } = await this.withCoordinator(
        groupId,
        (nodeId) => this.client.send(nodeId, DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }),
        (r) => r.body.groups[0]?.errorCode ?? 0,
      );
      const coordinator = await this.coordinator(groupId);
      const g = body.groups[0]!;
      if (g.errorCode) throw new KafkaProtocolError(g.errorCode, denialMessage(g.errorCode, `describe group ${groupId}`, null));
      const consumer = g.protocolType === 'consumer' || g.protocolType === '';
      out.push({
        groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        coordinator,
        members: g.members.map((m) => {
          let assignment: MemberDescription['assignment'] = [];
          let subscription: string[] = [];
          if (consumer) {
            try {
              assignment = decodeAssignment(m.memberAssignment)
                .assignedPartitions.map((a) => ({ topic: a.topic, partitions: [...a.partitions].sort((x, y) => x - y) }))
                .sort((a, b) => (a.topic < b.topic ? -1 : 1));
              if (m.memberMetadata.length) subscription = decodeSubscription(m.memberMetadata).topics;
            } catch {
              /* not the consumer protocol after all */
            }
          }
          return { memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost, assignment, subscription };
        }),
      });
    }
    return out;
  }

  /** Committed offsets of a group (all of them, or of the given partitions). */
  async fetchOffsets(groupId: string, partitions: { topic: string; partition: number }[] | null = null): Promise<CommittedOffset[]> {
    const topics = partitions === null ? null : [...groupBy(partitions)].map(([name, ps]) => ({ name, partitionIndexes: ps }));
    const { body, version } = await this.withCoordinator(
      groupId,
      (nodeId) =>
        this.client.send(nodeId, OffsetFetch, (v) => (v >= 8 ? { groups: [{ groupId, topics }], requireStable: false } : { groupId, topics, requireStable: false }), {
          purpose: 'coordinator',
        }),
      (r) => (r.version >= 8 ? (r.body.groups?.[0]?.errorCode ?? 0) : (r.body.errorCode ?? r.body.topics?.[0]?.partitions[0]?.errorCode ?? 0)),
    );
    const group = version >= 8 ? body.groups![0]! : { errorCode: body.errorCode ?? 0, topics: body.topics ?? [] };
    if (group.errorCode) throw new KafkaProtocolError(group.errorCode, denialMessage(group.errorCode, `fetch the offsets of group ${groupId}`, null));
    const out: CommittedOffset[] = [];
    for (const t of group.topics) {
      for (const p of t.partitions) {
        if (p.errorCode) throw new KafkaProtocolError(p.errorCode, denialMessage(p.errorCode, `describe topic ${t.name} (offsets of group ${groupId})`, null));
        out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata: p.metadata ?? '' });
      }
    }
    return out;
  }

  /**
   * Commits offsets. Without a member (generation -1) this is the admin path that works for
   * empty or unknown groups; a group member passes its generation and member id.
   */
  async commitOffsets(
    groupId: string,
    offsets: { topic: string; partition: number; offset: number; leaderEpoch?: number; metadata?: string }[],
    member: { generationId: number; memberId: string; groupInstanceId: string | null } = { generationId: -1, memberId: '', groupInstanceId: null },
  ): Promise<{ topic: string; partition: number; error: KafkaProtocolError | null }[]> {
    if (offsets.length === 0) return [];
    const byTopic = new Map<string, typeof offsets>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const { body } = await this.withCoordinator(
      groupId,
      (nodeId) =>
        this.client.send(
          nodeId,
          OffsetCommit,
          {
            groupId,
            generationIdOrMemberEpoch: member.generationId,
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            retentionTimeMs: -1,
            topics: [...byTopic].map(([name, os]) => ({
              name,
              partitions: os.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1, commitTimestamp: -1, committedMetadata: o.metadata ?? '' })),
            })),
          },
          { purpose: 'coordinator' },
        ),
      (r) => r.body.topics[0]?.partitions[0]?.errorCode ?? 0,
    );
    return body.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: p.errorCode ? new KafkaProtocolError(p.errorCode) : null })));
  }

  /**
   * Removes members from a group (LeaveGroup v3+, as Kafka's Admin.removeMembersFromConsumerGroup):
   * static members by group.instance.id, dynamic ones by member id. Returns each member's error.
   */
  async removeMembers(groupId: string, members: { memberId: string; groupInstanceId: string | null }[]): Promise<{ memberId: string; error: KafkaProtocolError | null }[]> {
    if (!(await this.client.supports(LeaveGroup, 3))) throw new KafkaProtocolError(ErrorCode.UNSUPPORTED_VERSION, 'The broker does not support removing members from a group (LeaveGroup v3)');
    const { body } = await this.withCoordinator(
      groupId,
      (nodeId) =>
        this.client.send(nodeId, LeaveGroup, {
          groupId,
          memberId: '',
          members: members.map((m) => ({ memberId: m.groupInstanceId ? '' : m.memberId, groupInstanceId: m.groupInstanceId, reason: 'member was removed by an admin' })),
        }),
      (r) => r.body.errorCode,
    );
    if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
    return (body.members ?? []).map((m) => ({ memberId: m.memberId || (m.groupInstanceId ?? ''), error: m.errorCode ? new KafkaProtocolError(m.errorCode) : null }));
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; error: KafkaProtocolError | null }[]> {
    const out: { groupId: string; error: KafkaProtocolError | null }[] = [];
    for (const groupId of groupIds) {
      const { body } = await this.withCoordinator(
        groupId,
        (nodeId) => this.client.send(nodeId, DeleteGroups, { groupsNames: [groupId] }),
        (r) => r.body.results[0]?.errorCode ?? 0,
      );
      const code = body.results[0]?.errorCode ?? 0;
      out.push({ groupId, error: code ? new KafkaProtocolError(code) : null });
    }
    return out;
  }

  async deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ error: KafkaProtocolError | null; partitions: { topic: string; partition: number; error: KafkaProtocolError | null }[] }> {
    const { body } = await this.withCoordinator(
      groupId,
      (nodeId) =>
        this.client.send(nodeId, OffsetDelete, {
          groupId,
          topics: [...groupBy(partitions)].map(([name, ps]) => ({ name, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })),
        }),
      (r) => r.body.errorCode,
    );
    if (body.errorCode) return { error: new KafkaProtocolError(body.errorCode), partitions: [] };
    return {
      error: null,
      partitions: body.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: p.errorCode ? new KafkaProtocolError(p.errorCode) : null }))),
    };
  }
}

function groupBy(partitions: { topic: string; partition: number }[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const p of partitions) m.set(p.topic, [...(m.get(p.topic) ?? []), p.partition]);
  return m;
}
