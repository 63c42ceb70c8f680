/**
 * The group coordinator of one broker: runs Kafka's classic group protocol for the groups whose
 * __consumer_offsets partition this broker leads, and keeps their offsets and membership in that
 * topic in Kafka's record formats, reading it back at start.
 *
 * Behaviour follows Kafka's GroupMetadataManager/ClassicGroup: MEMBER_ID_REQUIRED for JoinGroup
 * v4+, static membership, the initial rebalance delay, session and rebalance timeouts,
 * REBALANCE_IN_PROGRESS on heartbeats during a rebalance, simple (generation -1) commits for
 * empty or unknown groups, and offset retention for groups that stay empty.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeOffsetsRecord, groupKey, groupValue, offsetKey, offsetValue, type OffsetEntry } from '../../protocol/consumer-offsets.js';
import { decodeSubscription } from '../../protocol/consumer-protocol.js';
import { encodeBatch, decodeBatchRecords } from '../../protocol/record-batch.js';
import { readBatches } from '../../storage/log-store.js';
import { offsetsPartitionFor } from '../../util/java-hash.js';
import type { Logger } from '../../util/logger.js';
import type { Broker } from '../broker.js';
import { OFFSETS_TOPIC } from '../controller.js';
import { ClassicGroup, type GroupState, type JoinResult, type Member, type Protocol, type SyncResult } from './group.js';

export interface JoinRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Protocol[];
  clientId: string;
  clientHost: string;
  version: number;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
  version: number;
}

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  version: number;
  offsets: { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string | null; commitTimestamp: number }[];
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolData: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;
const EMPTY = Buffer.alloc(0);

const joinError = (errorCode: number, memberId = ''): JoinResult => ({
  errorCode,
  generationId: -1,
  protocolType: null,
  protocolName: null,
  leader: '',
  memberId,
  skipAssignment: false,
  members: [],
});

export class GroupCoordinator {
  readonly groups = new Map<string, ClassicGroup>();
  /** __consumer_offsets partitions this coordinator has loaded (and so serves). */
  private readonly owned = new Set<number>();
  private retentionTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
  ) {}

  private get config() {
    return this.broker.config;
  }

  // ---- ownership and loading ----

  private offsetsPartitions(): number {
    return this.broker.metadata.topic(OFFSETS_TOPIC)?.partitions.length ?? this.config.offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.offsetsPartitions());
  }

  /** 0 when this broker coordinates the group, else NOT_COORDINATOR (or COORDINATOR_NOT_AVAILABLE). */
  coordinatorError(groupId: string): number {
    const t = this.broker.metadata.topic(OFFSETS_TOPIC);
    if (!t) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return this.owned.has(this.partitionFor(groupId)) ? 0 : ErrorCode.NOT_COORDINATOR;
  }

  /** Loads and serves the offsets partitions this broker leads; unloads the ones it lost. */
  syncOwnership(): void {
    const t = this.broker.metadata.topic(OFFSETS_TOPIC);
    if (!t) return;
    t.partitions.forEach((p, i) => {
      const leads = p.leader === this.broker.id && this.broker.replica(OFFSETS_TOPIC, i) !== undefined;
      if (leads && !this.owned.has(i)) this.load(i);
      else if (!leads && this.owned.has(i)) this.unload(i);
    });
    if (!this.retentionTimer && this.config.offsetsRetentionCheckIntervalMs > 0) {
      this.retentionTimer = setInterval(() => void this.expireOffsets(), this.config.offsetsRetentionCheckIntervalMs);
      this.retentionTimer.unref();
    }
  }

  private load(partition: number) {
    const replica = this.broker.replica(OFFSETS_TOPIC, partition)!;
    const started = Date.now();
    const offsets = new Map<string, Map<string, OffsetEntry & { topic: string; partition: number }>>();
    const metadata = new Map<string, import('../../protocol/data/index.js').GroupMetadataValueData | null>();
    const start = replica.logStartOffset();
    let records = 0;
    for (const batch of readBatches(replica.log, start, replica.logEndOffset())) {
      for (const r of decodeBatchRecords(batch)) {
        if (r.offset < start || !r.key) continue;
        let rec;
        try {
          rec = decodeOffsetsRecord(r.key, r.value);
        } catch (e) {
          this.log.warn(`Skipping an undecodable record at ${OFFSETS_TOPIC}-${partition}@${r.offset}: ${(e as Error).message}`);
          continue;
        }
        if (!rec) continue;
        records++;
        if (rec.kind === 'offset') {
          let m = offsets.get(rec.group);
          if (!m) offsets.set(rec.group, (m = new Map()));
          if (rec.value) m.set(key(rec.topic, rec.partition), { ...rec.value, topic: rec.topic, partition: rec.partition });
          else m.delete(key(rec.topic, rec.partition));
        } else metadata.set(rec.group, rec.value);
      }
    }
    for (const id of new Set([...offsets.keys(), ...metadata.keys()])) {
      if (this.partitionFor(id) !== partition) continue;
      const md = metadata.get(id);
      const committed = offsets.get(id);
      if (md === null && (!committed || committed.size === 0)) continue; // deleted group
      const g = new ClassicGroup(id);
      if (committed) for (const [k, v] of committed) g.offsets.set(k, v);
      if (md) {
        g.protocolType = md.protocolType || null;
        g.generationId = md.generation;
        g.protocolName = md.protocol;
        g.leaderId = md.leader;
        for (const m of md.members) {
          const member: Member = {
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId ?? null,
            clientId: m.clientId,
            clientHost: m.clientHost,
            rebalanceTimeoutMs: m.rebalanceTimeout ?? m.sessionTimeout,
            sessionTimeoutMs: m.sessionTimeout,
            protocolType: md.protocolType,
            protocols: [{ name: md.protocol ?? '', metadata: m.subscription }],
            assignment: m.assignment,
            awaitingJoin: null,
            awaitingSync: null,
            sessionTimer: null,
            joinVersion: 0,
          };
          g.members.set(member.memberId, member);
          if (member.groupInstanceId) g.staticMembers.set(member.groupInstanceId, member.memberId);
        }
      }
      // A group restored with members is Stable; they keep heartbeating or expire.
      g.transition(g.members.size > 0 ? 'Stable' : 'Empty');
      for (const m of g.members.values()) this.armSession(g, m);
      this.groups.set(id, g);
    }
    this.owned.add(partition);
    if (records > 0) this.log.info(`Loaded ${records} records of ${OFFSETS_TOPIC}-${partition} in ${Date.now() - started} ms`);
  }

  private unload(partition: number) {
    this.owned.delete(partition);
    for (const [id, g] of this.groups) {
      if (this.partitionFor(id) !== partition) continue;
      g.shutdown();
      for (const m of g.members.values()) {
        m.awaitingJoin?.(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
        m.awaitingSync?.({ errorCode: ErrorCode.NOT_COORDINATOR, protocolType: null, protocolName: null, assignment: EMPTY });
      }
      this.groups.delete(id);
    }
  }

  stop(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    for (const p of [...this.owned]) this.unload(p);
  }

  // ---- persistence ----

  /** Appends records to the group's offsets partition; returns Kafka's error code. */
  private async write(groupId: string, records: { key: Buffer; value: Buffer | null }[]): Promise<number> {
    if (records.length === 0) return 0;
    const batch = encodeBatch(records.map((r) => ({ key: r.key, value: r.value })));
    const out = await this.broker.appendAsLeader(OFFSETS_TOPIC, this.partitionFor(groupId), batch, -1, 30_000);
    if (out.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || out.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return ErrorCode.NOT_COORDINATOR;
    if (out.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS || out.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND || out.errorCode === ErrorCode.REQUEST_TIMED_OUT) {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return out.errorCode;
  }

  private groupRecord(g: ClassicGroup): { key: Buffer; value: Buffer } {
    const protocol = g.protocolName;
    return {
      key: groupKey(g.groupId),
      value: groupValue({
        protocolType: g.protocolType ?? '',
        generation: g.generationId,
        protocol,
        leader: g.leaderId,
        currentStateTimestamp: g.stateTimestamp,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeoutMs,
          sessionTimeout: m.sessionTimeoutMs,
          subscription: protocol ? g.metadataFor(m, protocol) : EMPTY,
          assignment: m.assignment,
        })),
      }),
    };
  }

  private storeGroup(g: ClassicGroup): Promise<number> {
    return this.write(g.groupId, [this.groupRecord(g)]);
  }

  // ---- membership ----

  private armSession(g: ClassicGroup, m: Member) {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = setTimeout(() => {
      m.sessionTimer = null;
      if (g.members.get(m.memberId) !== m) return;
      // A member whose join or sync is parked is alive by definition.
      if (m.awaitingJoin || m.awaitingSync) return this.armSession(g, m);
      this.log.info(`Member ${m.memberId} in group ${g.groupId} has failed (session timeout ${m.sessionTimeoutMs} ms); removing it`);
      this.removeMember(g, m, 'session timeout');
    }, m.sessionTimeoutMs);
    m.sessionTimer.unref?.();
  }

  private removeMember(g: ClassicGroup, m: Member, reason: string) {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: EMPTY });
    m.awaitingJoin = null;
    m.awaitingSync = null;
    g.members.delete(m.memberId);
    if (m.groupInstanceId && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    if (g.leaderId === m.memberId) g.leaderId = null;
    switch (g.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(g, `removing member ${m.memberId} (${reason})`);
        // Like Kafka's delayed join, complete at once when everyone left has already rejoined.
        this.tryCompleteJoin(g);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(g);
        break;
      default:
        break;
    }
  }

  private prepareRebalance(g: ClassicGroup, reason: string) {
    if (g.state === 'CompletingRebalance') {
      // Parked syncs learn they must rejoin.
      for (const m of g.members.values()) {
        m.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: EMPTY });
        m.awaitingSync = null;
        m.assignment = EMPTY;
      }
    }
    g.clearSyncTimer();
    g.clearJoinTimer();
    const wasEmpty = g.state === 'Empty';
    g.transition('PreparingRebalance');
    this.log.info(`Preparing to rebalance group ${g.groupId} in state PreparingRebalance with old generation ${g.generationId} (reason: ${reason})`);
    const rebalanceTimeout = Math.max(g.rebalanceTimeoutMs(), 1);
    const delay = this.config.groupInitialRebalanceDelayMs;
    if (wasEmpty && delay > 0) {
      // Kafka's initial delay: wait for more members, extending while they keep arriving.
      g.joinDeadline = Date.now() + Math.max(rebalanceTimeout, delay);
      let members = g.members.size;
      const fire = () => {
        const grew = g.members.size > members;
        members = g.members.size;
        if (grew && Date.now() + delay < g.joinDeadline) g.joinTimer = setTimeout(fire, delay);
        else {
          g.joinTimer = null;
          g.joinDeadline = 0;
          this.completeJoin(g);
        }
      };
      g.joinTimer = setTimeout(fire, delay);
    } else {
      g.joinDeadline = 0;
      g.joinTimer = setTimeout(() => {
        g.joinTimer = null;
        this.completeJoin(g);
      }, rebalanceTimeout);
    }
  }

  private tryCompleteJoin(g: ClassicGroup) {
    if (g.state !== 'PreparingRebalance' || g.joinDeadline > 0) return;
    if (g.hasAllMembersJoined()) this.completeJoin(g);
  }

  private completeJoin(g: ClassicGroup) {
    if (g.state !== 'PreparingRebalance') return;
    g.clearJoinTimer();
    // Dynamic members that did not rejoin are gone; static members stay.
    for (const m of [...g.members.values()]) {
      if (!m.awaitingJoin && !m.groupInstanceId) {
        if (m.sessionTimer) clearTimeout(m.sessionTimer);
        g.members.delete(m.memberId);
        if (g.leaderId === m.memberId) g.leaderId = null;
      }
    }
    for (const t of g.pendingMembers.values()) clearTimeout(t);
    g.pendingMembers.clear();
    g.generationId++;
    if (g.isEmpty) {
      g.protocolName = null;
      g.leaderId = null;
      g.transition('Empty');
      this.log.info(`Group ${g.groupId} with generation ${g.generationId} is now empty`);
      void this.storeGroup(g);
      return;
    }
    g.protocolName = g.selectProtocol();
    g.protocolType = [...g.members.values()][0]!.protocolType;
    if (!g.leaderId || !g.members.has(g.leaderId)) {
      g.leaderId = ([...g.members.values()].find((m) => m.awaitingJoin) ?? [...g.members.values()][0]!).memberId;
    }
    g.transition('CompletingRebalance');
    this.log.info(`Stabilized group ${g.groupId} generation ${g.generationId} (${g.members.size} members, protocol ${g.protocolName})`);
    const members = [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: g.metadataFor(m, g.protocolName!) }));
    for (const m of g.members.values()) {
      const respond = m.awaitingJoin;
      m.awaitingJoin = null;
      m.assignment = EMPTY;
      respond?.({
        errorCode: 0,
        generationId: g.generationId,
        protocolType: g.protocolType,
        protocolName: g.protocolName,
        leader: g.leaderId,
        memberId: m.memberId,
        skipAssignment: false,
        members: m.memberId === g.leaderId ? members : [],
      });
      this.armSession(g, m);
    }
    const generation = g.generationId;
    g.syncTimer = setTimeout(() => {
      g.syncTimer = null;
      if (g.state !== 'CompletingRebalance' || g.generationId !== generation) return;
      // Members that never sent SyncGroup are dropped, which starts another rebalance.
      const missing = [...g.members.values()].filter((m) => !m.awaitingSync);
      for (const m of missing) {
        if (m.sessionTimer) clearTimeout(m.sessionTimer);
        g.members.delete(m.memberId);
        if (m.groupInstanceId) g.staticMembers.delete(m.groupInstanceId);
      }
      if (missing.length) this.prepareRebalance(g, `${missing.length} member(s) did not sync in time`);
    }, Math.max(g.rebalanceTimeoutMs(), 1));
  }

  private currentJoin(g: ClassicGroup, m: Member, withMembers: boolean): JoinResult {
    return {
      errorCode: 0,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId: m.memberId,
      skipAssignment: false,
      members: withMembers
        ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: g.metadataFor(x, g.protocolName!) }))
        : [],
    };
  }

  private protocolsChanged(m: Member, protocols: Protocol[]): boolean {
    if (m.protocols.length !== protocols.length) return true;
    return m.protocols.some((p, i) => p.name !== protocols[i]!.name || !p.metadata.equals(protocols[i]!.metadata));
  }

  private addMember(g: ClassicGroup, req: JoinRequest, memberId: string): Promise<JoinResult> {
    return new Promise((resolve) => {
      const m: Member = {
        memberId,
        groupInstanceId: req.groupInstanceId,
        clientId: req.clientId,
        clientHost: req.clientHost,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
        assignment: EMPTY,
        awaitingJoin: resolve,
        awaitingSync: null,
        sessionTimer: null,
        joinVersion: req.version,
      };
      if (g.members.size === 0) g.protocolType = req.protocolType;
      g.members.set(memberId, m);
      if (req.groupInstanceId) g.staticMembers.set(req.groupInstanceId, memberId);
      this.armSession(g, m);
      if (g.state !== 'PreparingRebalance') this.prepareRebalance(g, `adding new member ${memberId}`);
      this.tryCompleteJoin(g);
    });
  }

  private updateMember(g: ClassicGroup, m: Member, req: JoinRequest): Promise<JoinResult> {
    return new Promise((resolve) => {
      m.protocols = req.protocols;
      m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
      m.sessionTimeoutMs = req.sessionTimeoutMs;
      m.clientId = req.clientId;
      m.clientHost = req.clientHost;
      m.joinVersion = req.version;
      m.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
      m.awaitingJoin = resolve;
      this.armSession(g, m);
      if (g.state !== 'PreparingRebalance') this.prepareRebalance(g, `updating metadata of member ${m.memberId}`);
      this.tryCompleteJoin(g);
    });
  }

  async join(req: JoinRequest): Promise<JoinResult> {
    if (!req.groupId) return joinError(ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return joinError(notHere);
    if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    let g = this.groups.get(req.groupId);
    if (!g) {
      if (req.memberId !== '' && !req.groupInstanceId) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
      g = new ClassicGroup(req.groupId);
      this.groups.set(req.groupId, g);
    }
    if (g.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    const existing = req.memberId ? g.members.get(req.memberId) : undefined;
    // Protocol compatibility is checked against everyone else.
    const others = new ClassicGroup(g.groupId);
    for (const [id, m] of g.members) if (id !== req.memberId) others.members.set(id, m);
    others.protocolType = others.members.size ? g.protocolType : null;
    if (!others.supportsProtocols(req.protocolType, req.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    if (g.members.size >= this.config.groupMaxSize && !existing && !g.pendingMembers.has(req.memberId)) {
      return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED!, req.memberId);
    }

    if (req.memberId === '') {
      const memberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
      if (req.groupInstanceId) {
        const oldId = g.staticMembers.get(req.groupInstanceId);
        const old = oldId ? g.members.get(oldId) : undefined;
        if (old) return this.replaceStaticMember(g, old, memberId, req);
        return this.addMember(g, req, memberId);
      }
      if (req.version >= 4) {
        const timer = setTimeout(() => {
          g.pendingMembers.delete(memberId);
          this.tryCompleteJoin(g);
        }, req.sessionTimeoutMs);
        timer.unref?.();
        g.pendingMembers.set(memberId, timer);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addMember(g, req, memberId);
    }

    const pending = g.pendingMembers.get(req.memberId);
    if (pending) {
      clearTimeout(pending);
      g.pendingMembers.delete(req.memberId);
      return this.addMember(g, req, req.memberId);
    }
    if (!existing) {
      if (req.groupInstanceId && g.staticMembers.has(req.groupInstanceId)) return joinError(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
      return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
    if (req.groupInstanceId && g.staticMembers.get(req.groupInstanceId) !== req.memberId) return joinError(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
    switch (g.state) {
      case 'PreparingRebalance':
        return this.updateMember(g, existing, req);
      case 'CompletingRebalance':
        if (!this.protocolsChanged(existing, req.protocols)) {
          this.armSession(g, existing);
          return this.currentJoin(g, existing, existing.memberId === g.leaderId);
        }
        return this.updateMember(g, existing, req);
      case 'Stable':
        if (existing.memberId === g.leaderId || this.protocolsChanged(existing, req.protocols)) return this.updateMember(g, existing, req);
        this.armSession(g, existing);
        return this.currentJoin(g, existing, false);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  /** A static member came back under a new member id: the old id is fenced. */
  private replaceStaticMember(g: ClassicGroup, old: Member, memberId: string, req: JoinRequest): Promise<JoinResult> | JoinResult {
    old.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.awaitingSync?.({ errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: EMPTY });
    if (old.sessionTimer) clearTimeout(old.sessionTimer);
    g.members.delete(old.memberId);
    const wasLeader = g.leaderId === old.memberId;
    const member: Member = { ...old, memberId, awaitingJoin: null, awaitingSync: null, sessionTimer: null, clientId: req.clientId, clientHost: req.clientHost, joinVersion: req.version };
    g.members.set(memberId, member);
    g.staticMembers.set(req.groupInstanceId!, memberId);
    if (wasLeader) g.leaderId = memberId;
    if (g.state === 'Stable' && !this.protocolsChanged(old, req.protocols)) {
      // Same subscription: no rebalance; the member keeps its assignment.
      this.armSession(g, member);
      void this.storeGroup(g);
      const r = this.currentJoin(g, member, false);
      return { ...r, skipAssignment: req.version >= 9 && wasLeader, members: req.version >= 9 && wasLeader ? this.currentJoin(g, member, true).members : [] };
    }
    return this.updateMember(g, member, req);
  }

  async sync(req: SyncRequest): Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return fail(notHere);
    const g = this.groups.get(req.groupId);
    if (!g) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (g.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const m = g.members.get(req.memberId);
    if (!m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.groupInstanceId && g.staticMembers.get(req.groupInstanceId) !== req.memberId) return fail(ErrorCode.FENCED_INSTANCE_ID);
    if (req.generationId !== g.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType && req.protocolType !== g.protocolType) || (req.protocolName && req.protocolName !== g.protocolName)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const ok = (assignment: Buffer): SyncResult => ({ errorCode: 0, protocolType: g.protocolType, protocolName: g.protocolName, assignment });
    switch (g.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.armSession(g, m);
        return ok(m.assignment);
      case 'CompletingRebalance': {
        const parked = new Promise<SyncResult>((resolve) => (m.awaitingSync = resolve));
        this.armSession(g, m);
        if (m.memberId === g.leaderId) {
          const byMember = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
          for (const x of g.members.values()) x.assignment = byMember.get(x.memberId) ?? EMPTY;
          const generation = g.generationId;
          const error = await this.storeGroup(g);
          if (g.state === 'CompletingRebalance' && g.generationId === generation) {
            if (error) {
              for (const x of g.members.values()) x.awaitingSync?.(fail(error));
              for (const x of g.members.values()) x.awaitingSync = null;
              this.prepareRebalance(g, `storing group metadata failed (${error})`);
            } else {
              g.clearSyncTimer();
              g.transition('Stable');
              for (const x of g.members.values()) {
                x.awaitingSync?.(ok(x.assignment));
                x.awaitingSync = null;
              }
            }
          }
        }
        return parked;
      }
    }
    return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  }

  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return notHere;
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Fencing is checked first, as Kafka does: a replaced static member must learn it was fenced.
    if (groupInstanceId && g.staticMembers.has(groupInstanceId) && g.staticMembers.get(groupInstanceId) !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.armSession(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  /** LeaveGroup for one or more members; returns the top-level and per-member errors. */
  leave(groupId: string, leaving: { memberId: string; groupInstanceId: string | null }[]): { errorCode: number; members: { memberId: string; groupInstanceId: string | null; errorCode: number }[] } {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { errorCode: notHere, members: [] };
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: leaving.map((l) => ({ ...l, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    if (g.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const results = leaving.map((l) => {
      let memberId = l.memberId;
      if (l.groupInstanceId) {
        const mapped = g.staticMembers.get(l.groupInstanceId);
        if (!mapped) return { ...l, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
        if (memberId && memberId !== mapped) return { ...l, errorCode: ErrorCode.FENCED_INSTANCE_ID };
        memberId = mapped;
      }
      const pending = g.pendingMembers.get(memberId);
      if (pending) {
        clearTimeout(pending);
        g.pendingMembers.delete(memberId);
        this.tryCompleteJoin(g);
        return { ...l, errorCode: 0 };
      }
      const m = g.members.get(memberId);
      if (!m) return { ...l, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.log.info(`Member ${memberId} has left group ${groupId} through explicit LeaveGroup`);
      this.removeMember(g, m, 'the member left');
      return { ...l, errorCode: 0 };
    });
    return { errorCode: 0, members: results };
  }

  // ---- offsets ----

  async commit(req: CommitRequest): Promise<number[]> {
    const all = (code: number) => req.offsets.map(() => code);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return all(notHere);
    if (!req.groupId) return all(ErrorCode.INVALID_GROUP_ID);
    let g = this.groups.get(req.groupId);
    const simple = req.generationId < 0 && req.memberId === '' && !req.groupInstanceId;
    if (!g) {
      if (req.generationId >= 0) return all(req.version >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      g = new ClassicGroup(req.groupId);
      this.groups.set(req.groupId, g);
    } else if (g.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    else if (simple) {
      if (g.state !== 'Empty') return all(ErrorCode.UNKNOWN_MEMBER_ID);
    } else {
      const m = g.members.get(req.memberId);
      if (!m) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (req.groupInstanceId && g.staticMembers.get(req.groupInstanceId) !== req.memberId) return all(ErrorCode.FENCED_INSTANCE_ID);
      if (req.generationId !== g.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      if (g.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS);
      if (g.state === 'Stable') this.armSession(g, m);
    }
    const now = Date.now();
    const codes: number[] = req.offsets.map((o) => ((o.metadata?.length ?? 0) > this.config.offsetMetadataMaxBytes ? ErrorCode.OFFSET_METADATA_TOO_LARGE : 0));
    const accepted = req.offsets
      .map((o, i) => ({ o, i }))
      .filter(({ i }) => codes[i] === 0)
      .map(({ o, i }) => ({
        i,
        entry: {
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata ?? '',
          commitTimestamp: o.commitTimestamp >= 0 ? o.commitTimestamp : now,
          expireTimestamp: req.retentionTimeMs > 0 ? now + req.retentionTimeMs : -1,
          topic: o.topic,
          partition: o.partition,
        },
      }));
    const error = await this.write(
      req.groupId,
      accepted.map((a) => ({ key: offsetKey(req.groupId, a.entry.topic, a.entry.partition), value: offsetValue(a.entry) })),
    );
    for (const a of accepted) {
      if (error) codes[a.i] = error;
      else g.offsets.set(key(a.entry.topic, a.entry.partition), a.entry);
    }
    return codes;
  }

  /** Committed offsets (all of the group's when `wanted` is null); -1 where nothing is committed. */
  fetch(groupId: string, wanted: { topic: string; partition: number }[] | null): { errorCode: number; offsets: { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string }[] } {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { errorCode: notHere, offsets: [] };
    const g = this.groups.get(groupId);
    const committed = g && g.state !== 'Dead' ? g.offsets : new Map<string, OffsetEntry & { topic: string; partition: number }>();
    if (wanted === null) {
      return {
        errorCode: 0,
        offsets: [...committed.values()].map((e) => ({ topic: e.topic, partition: e.partition, offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata })),
      };
    }
    return {
      errorCode: 0,
      offsets: wanted.map((w) => {
        const e = committed.get(key(w.topic, w.partition));
        return { ...w, offset: e?.offset ?? -1, leaderEpoch: e?.leaderEpoch ?? -1, metadata: e?.metadata ?? '' };
      }),
    };
  }

  // ---- admin ----

  list(states: string[] | null): { groupId: string; protocolType: string; state: GroupState }[] {
    const wanted = states && states.length ? new Set(states.map((s) => s.toLowerCase())) : null;
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead' && (!wanted || wanted.has(g.state.toLowerCase())))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  describe(groupId: string): GroupDescription {
    const base = { groupId, protocolType: '', protocolData: '', members: [] as GroupDescription['members'] };
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { ...base, errorCode: notHere, state: 'Dead' };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return { ...base, errorCode: 0, state: 'Dead' };
    const stable = g.state === 'Stable';
    return {
      errorCode: 0,
      groupId,
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable && g.protocolName ? g.metadataFor(m, g.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  async deleteGroup(groupId: string): Promise<number> {
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    const notHere = this.coordinatorError(groupId);
    if (notHere) return notHere;
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const tombstones = [...g.offsets.values()].map((e) => ({ key: offsetKey(groupId, e.topic, e.partition), value: null }));
    tombstones.push({ key: groupKey(groupId), value: null });
    const error = await this.write(groupId, tombstones);
    if (error) return error;
    g.shutdown();
    g.transition('Dead');
    this.groups.delete(groupId);
    this.log.info(`Deleted group ${groupId}`);
    return 0;
  }

  /** OffsetDelete: returns the top-level error and per-partition errors. */
  async deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; partitions: number[] }> {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { errorCode: notHere, partitions: [] };
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    if (g.state !== 'Empty' && g.protocolType !== 'consumer') return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    const subscribed = new Set<string>();
    if (g.state !== 'Empty' && g.protocolName) {
      for (const m of g.members.values()) {
        try {
          for (const t of decodeSubscription(g.metadataFor(m, g.protocolName)).topics) subscribed.add(t);
        } catch {
          /* undecodable subscription: nothing known to be subscribed */
        }
      }
    }
    const codes = partitions.map((p) => (subscribed.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : 0));
    const doomed = partitions.filter((p, i) => codes[i] === 0 && g.offsets.has(key(p.topic, p.partition)));
    const error = await this.write(
      groupId,
      doomed.map((p) => ({ key: offsetKey(groupId, p.topic, p.partition), value: null })),
    );
    if (error) return { errorCode: error, partitions: [] };
    for (const p of doomed) g.offsets.delete(key(p.topic, p.partition));
    return { errorCode: 0, partitions: codes };
  }

  /** Offset retention: groups empty for longer than offsets.retention.ms lose their offsets. */
  async expireOffsets(now = Date.now()): Promise<void> {
    for (const g of [...this.groups.values()]) {
      const expired = [...g.offsets.values()].filter(
        (e) => (e.expireTimestamp >= 0 && e.expireTimestamp <= now) || (g.state === 'Empty' && now - g.emptySince > this.config.offsetsRetentionMs),
      );
      if (expired.length === 0) continue;
      const records = expired.map((e) => ({ key: offsetKey(g.groupId, e.topic, e.partition), value: null as Buffer | null }));
      const dropGroup = g.state === 'Empty' && expired.length === g.offsets.size;
      if (dropGroup) records.push({ key: groupKey(g.groupId), value: null });
      if (await this.write(g.groupId, records)) continue;
      for (const e of expired) g.offsets.delete(key(e.topic, e.partition));
      if (dropGroup) {
        g.shutdown();
        g.transition('Dead');
        this.groups.delete(g.groupId);
      }
      this.log.info(`Removed ${expired.length} expired offset(s) of group ${g.groupId}`);
    }
  }
}
