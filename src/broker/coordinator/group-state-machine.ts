/**
 * Kafka's classic group protocol for the groups of one coordinator (GroupMetadataManager and
 * ClassicGroup): JoinGroup, SyncGroup, Heartbeat and LeaveGroup, the session, join and sync
 * timers, and the rebalances they start. States change only along the table in group-state.ts.
 *
 * Behaviour: MEMBER_ID_REQUIRED for JoinGroup v4+, static membership, the initial rebalance
 * delay, session and rebalance timeouts, REBALANCE_IN_PROGRESS on heartbeats during a rebalance.
 * Timers are Node's (setTimeout, Date.now), so tests drive them with fake timers.
 *
 * Whether this broker coordinates a group is the caller's check; persisting the group metadata
 * is the `storeGroup` callback's job.
 */
import { randomUUID } from 'node:crypto';
import type { GroupMetadataValueData } from '../../protocol/data/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { Logger } from '../../util/logger.js';
import { ClassicGroup, type JoinResult, type Member, type Protocol, type SyncResult } from './group.js';
import type { GroupCoordinatorConfig } from './ports.js';

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

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

const EMPTY = Buffer.alloc(0);

export const joinError = (errorCode: number, memberId = ''): JoinResult => ({
  errorCode,
  generationId: -1,
  protocolType: null,
  protocolName: null,
  leader: '',
  memberId,
  skipAssignment: false,
  members: [],
});

export const syncError = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY });

export class GroupStateMachine {
  constructor(
    private readonly groups: Map<string, ClassicGroup>,
    private readonly config: () => GroupCoordinatorConfig,
    private readonly log: Logger,
    /** Writes the group's metadata to __consumer_offsets; resolves to Kafka's error code. */
    private readonly storeGroup: (g: ClassicGroup) => Promise<number>,
  ) {}

  // ---- restoring and evicting ----

  /** Rebuilds a group from its last metadata record; one restored with members is Stable. */
  restore(groupId: string, md: GroupMetadataValueData | undefined): ClassicGroup {
    const g = new ClassicGroup(groupId);
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
    g.restore(g.members.size > 0 ? 'Stable' : 'Empty');
    for (const m of g.members.values()) this.armSession(g, m);
    return g;
  }

  /** Stops the group's timers and answers its parked requests with `errorCode` (the coordinator moved). */
  evict(g: ClassicGroup, errorCode: number): void {
    g.shutdown();
    for (const m of g.members.values()) {
      m.awaitingJoin?.(joinError(errorCode, m.memberId));
      m.awaitingSync?.(syncError(errorCode));
    }
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
    m.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
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

  // ---- rebalancing ----

  private prepareRebalance(g: ClassicGroup, reason: string) {
    if (g.state === 'CompletingRebalance') {
      // Parked syncs learn they must rejoin.
      for (const m of g.members.values()) {
        m.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
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
    const delay = this.config().groupInitialRebalanceDelayMs;
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

  // ---- the group APIs ----

  /** JoinGroup (the group id is known valid and coordinated here). */
  async join(req: JoinRequest): Promise<JoinResult> {
    const config = this.config();
    if (req.sessionTimeoutMs < config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > config.groupMaxSessionTimeoutMs) {
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
    if (g.members.size >= config.groupMaxSize && !existing && !g.pendingMembers.has(req.memberId)) {
      return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, req.memberId);
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
        const group = g;
        const timer = setTimeout(() => {
          group.pendingMembers.delete(memberId);
          this.tryCompleteJoin(group);
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
    old.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    if (old.sessionTimer) clearTimeout(old.sessionTimer);
    g.members.delete(old.memberId);
    const wasLeader = g.leaderId === old.memberId;
    const member: Member = { ...old, memberId, awaitingJoin: null, awaitingSync: null, sessionTimer: null, clientId: req.clientId, clientHost: req.clientHost, joinVersion: req.version };
    g.members.set(memberId, member);
    g.staticMembers.set(req.groupInstanceId!, memberId);
    if (wasLeader) g.leaderId = memberId;
    // As Kafka's: a Stable group rebalances only when the protocol it would select next changes.
    // The member's old protocols are not compared: a group restored from __consumer_offsets holds
    // only the selected protocol of each member, so a comparison made every restarted static member
    // of a reloaded group start a rebalance.
    member.protocols = req.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    if (g.state === 'Stable' && g.selectProtocol() === g.protocolName) {
      // No rebalance; the member keeps its assignment, once the new member id is stored (as
      // Kafka's: a replacement that could not be written is undone, the old id kept, and the
      // join answered with the write's error, so a restart never brings back a mapping that a
      // client was told is gone).
      this.armSession(g, member);
      return this.storeGroup(g).then((error) => {
        // Gone meanwhile (its session ended, the group moved or was unloaded): nothing to answer for.
        if (g.members.get(memberId) !== member) return joinError(error || ErrorCode.UNKNOWN_MEMBER_ID, '');
        if (error === 0) {
          const r = this.currentJoin(g, member, false);
          return { ...r, skipAssignment: req.version >= 9 && wasLeader, members: req.version >= 9 && wasLeader ? this.currentJoin(g, member, true).members : [] };
        }
        if (member.sessionTimer) clearTimeout(member.sessionTimer);
        g.members.delete(memberId);
        g.members.set(old.memberId, { ...old, awaitingJoin: null, awaitingSync: null, sessionTimer: null });
        g.staticMembers.set(req.groupInstanceId!, old.memberId);
        if (wasLeader) g.leaderId = old.memberId;
        this.armSession(g, g.members.get(old.memberId)!);
        this.log.warn(`Failed to persist the new member id of static member ${req.groupInstanceId} of group ${g.groupId} (${errorInfo(error).name}); keeping ${old.memberId}`);
        return joinError(error, '');
      });
    }
    return this.updateMember(g, member, req);
  }

  /** SyncGroup (the group is coordinated here). Followers park until the leader's assignment is stored. */
  async sync(req: SyncRequest): Promise<SyncResult> {
    const fail = syncError;
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

  /** Heartbeat (the group is coordinated here); returns Kafka's error code. */
  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
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

  /** LeaveGroup for one or more members (the group is coordinated here). */
  leave(groupId: string, leaving: { memberId: string; groupInstanceId: string | null }[]): LeaveResult {
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

  /**
   * The member checks of an OffsetCommit that names a member (generation >= 0 or a member id) in
   * an existing group; a valid commit from a Stable group's member also keeps its session alive.
   */
  memberCommitError(g: ClassicGroup, generationId: number, memberId: string, groupInstanceId: string | null): number {
    const error = memberError(g, memberId, groupInstanceId);
    if (error) return error;
    const m = g.members.get(memberId)!;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (g.state === 'Stable') this.armSession(g, m);
    return 0;
  }
}

/**
 * Kafka's member check for OffsetCommit and TxnOffsetCommit (ClassicGroup.validateMember): with a
 * group.instance.id, the instance must be known (else UNKNOWN_MEMBER_ID) and mapped to this member
 * id (else FENCED_INSTANCE_ID: a replaced static member's old id learns it was fenced); then the
 * member id must be in the group.
 */
export function memberError(g: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId) {
    const mapped = g.staticMembers.get(groupInstanceId);
    if (mapped === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (mapped !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return g.members.has(memberId) ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
}
