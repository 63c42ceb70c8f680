/**
 * The group coordinator of one broker: runs Kafka's classic group protocol for the groups whose
 * __consumer_offsets partition this broker leads, and keeps their offsets and membership in that
 * topic in Kafka's record formats, reading it back at start.
 *
 * A façade over Kafka's seams (GroupCoordinator over GroupMetadataManager):
 * - group-state-machine.ts: join/sync/heartbeat/leave, timers and rebalances (table in group-state.ts);
 * - offset-store.ts: committed offsets in memory;
 * - offsets-log.ts: which offsets partitions are ours, loading them, writing records to them.
 * Here: the "is this group ours" check every API starts with, simple (generation -1) commits for
 * empty or unknown groups, the admin APIs, and offset retention for groups that stay empty.
 *
 * It reaches the broker only through the OffsetsLogPort (ports.ts).
 */
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { decodeSubscription } from '../../protocol/consumer-protocol.js';
import type { Logger } from '../../util/logger.js';
import { ClassicGroup, type GroupState, type JoinResult, type SyncResult } from './group.js';
import { GroupStateMachine, joinError, memberError, syncError, type JoinRequest, type LeaveResult, type SyncRequest } from './group-state-machine.js';
import { OffsetMetadataBudget } from './metadata-budget.js';
import { OffsetStore, type CommittedOffset, type FetchedOffset, type OffsetToCommit } from './offset-store.js';
import { OffsetsLog, type ReplayedGroup } from './offsets-log.js';
import type { OffsetsLogPort } from './ports.js';

export type { JoinRequest, SyncRequest } from './group-state-machine.js';

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  version: number;
  offsets: OffsetToCommit[];
}

/** TxnOffsetCommit: offsets a transactional producer commits for a group, pending until its marker. */
export interface TxnCommitRequest {
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: OffsetToCommit[];
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolData: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

/** What the group handlers (JoinGroup … OffsetDelete) call: the coordinator's public face. */
export interface GroupService {
  join(req: JoinRequest): Promise<JoinResult>;
  sync(req: SyncRequest): Promise<SyncResult>;
  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number;
  leave(groupId: string, leaving: { memberId: string; groupInstanceId: string | null }[]): LeaveResult;
  commit(req: CommitRequest): Promise<number[]>;
  /** TxnOffsetCommit: per-offset error codes; accepted offsets stay pending until the transaction's marker. */
  txnCommit(req: TxnCommitRequest): Promise<number[]>;
  /** A transaction marker landed on __consumer_offsets partition `partition` (WriteTxnMarkers). */
  completeTransaction(partition: number, producerId: number, commit: boolean): void;
  /** With `requireStable`, partitions with a pending transactional offset answer UNSTABLE_OFFSET_COMMIT. */
  fetch(groupId: string, wanted: { topic: string; partition: number }[] | null, requireStable?: boolean): { errorCode: number; offsets: FetchedOffset[] };
  list(states: string[] | null): { groupId: string; protocolType: string; state: GroupState }[];
  describe(groupId: string): GroupDescription;
  deleteGroup(groupId: string): Promise<number>;
  deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; partitions: number[] }>;
}

const EMPTY = Buffer.alloc(0);

export class GroupCoordinator implements GroupService {
  readonly groups = new Map<string, ClassicGroup>();
  private readonly offsets: OffsetStore;
  private readonly offsetsLog: OffsetsLog;
  private readonly machine: GroupStateMachine;
  private retentionTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly port: OffsetsLogPort,
    private readonly log: Logger,
    /** The offset metadata heap shared by the daemon's coordinators (kafka-ts.offset.metadata.max.total.bytes). */
    metadataBudget = new OffsetMetadataBudget(),
  ) {
    this.offsets = new OffsetStore(metadataBudget);
    this.offsetsLog = new OffsetsLog(port, log);
    this.machine = new GroupStateMachine(this.groups, () => this.config, log, (g) => this.offsetsLog.writeGroup(g));
  }

  private get config() {
    return this.port.config;
  }

  // ---- ownership and loading ----

  partitionFor(groupId: string): number {
    return this.offsetsLog.partitionFor(groupId);
  }

  /** 0 when this broker coordinates the group, else NOT_COORDINATOR (or COORDINATOR_NOT_AVAILABLE). */
  coordinatorError(groupId: string): number {
    return this.offsetsLog.coordinatorError(groupId);
  }

  /** Loads and serves the offsets partitions this broker leads; unloads the ones it lost. */
  syncOwnership(): void {
    this.offsetsLog.syncOwnership(
      (_partition, groups) => this.load(groups),
      (partition) => this.unload(partition),
    );
    if (!this.retentionTimer && this.config.offsetsRetentionCheckIntervalMs > 0) {
      this.retentionTimer = setInterval(() => void this.expireOffsets(), this.config.offsetsRetentionCheckIntervalMs);
      this.retentionTimer.unref();
    }
  }

  private load(replayed: Map<string, ReplayedGroup>) {
    for (const [id, { offsets, metadata, pending }] of replayed) {
      if (metadata === null && (!offsets || offsets.size === 0) && !pending) continue; // deleted group
      const g = this.machine.restore(id, metadata ?? undefined);
      this.offsets.dropGroup(id);
      if (offsets) for (const e of offsets.values()) this.offsets.put(id, e);
      for (const [pid, entries] of replayed.get(id)?.pending ?? []) for (const e of entries.values()) this.offsets.putPending(pid, id, e);
      this.groups.set(id, g);
    }
  }

  private unload(partition: number) {
    for (const [id, g] of this.groups) {
      if (this.partitionFor(id) !== partition) continue;
      this.machine.evict(g, ErrorCode.NOT_COORDINATOR);
      this.groups.delete(id);
      this.offsets.dropGroup(id);
    }
  }

  stop(): void {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    for (const p of this.offsetsLog.ownedPartitions()) this.offsetsLog.release(p, (partition) => this.unload(partition));
  }

  // ---- membership ----

  async join(req: JoinRequest): Promise<JoinResult> {
    if (!req.groupId) return joinError(ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return joinError(notHere);
    return this.machine.join(req);
  }

  async sync(req: SyncRequest): Promise<SyncResult> {
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return syncError(notHere);
    return this.machine.sync(req);
  }

  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return notHere;
    return this.machine.heartbeat(groupId, generationId, memberId, groupInstanceId);
  }

  /** LeaveGroup for one or more members; returns the top-level and per-member errors. */
  leave(groupId: string, leaving: { memberId: string; groupInstanceId: string | null }[]): LeaveResult {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { errorCode: notHere, members: [] };
    return this.machine.leave(groupId, leaving);
  }

  // ---- offsets ----

  async commit(req: CommitRequest): Promise<number[]> {
    const all = (code: number) => req.offsets.map(() => code);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return all(notHere);
    // An empty group id is valid here, unlike in the membership APIs: Kafka keeps OffsetCommit
    // (and OffsetFetch, DescribeGroups, DeleteGroups) open to "" for backwards compatibility
    // (GroupCoordinatorService.commitOffsets refuses only a null id; the old GroupCoordinator's
    // isValidGroupId). A commit with generation -1 makes it an Empty group, listed as any other.
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
      const error = this.machine.memberCommitError(g, req.generationId, req.memberId, req.groupInstanceId);
      if (error) return all(error);
    }
    return this.writeCommit(
      g,
      this.offsets.prepareCommit(req.groupId, req.offsets, this.commitLimits(), req.retentionTimeMs, Date.now()),
      (entries) => this.offsetsLog.writeOffsets(req.groupId, entries),
      (entry) => this.offsets.put(req.groupId, entry),
    );
  }

  /**
   * TxnOffsetCommit, as Kafka's handleTxnCommitOffsets: an unknown group is created (empty); an
   * empty group takes a commit with generation -1; otherwise a request naming a generation, a
   * member or an instance is checked as OffsetCommit's (memberError: a group.instance.id the group
   * does not know or a member id it does not have is UNKNOWN_MEMBER_ID, a static member's stale id
   * FENCED_INSTANCE_ID) and a generation other than the group's is ILLEGAL_GENERATION.
   * The offsets are written as the producer's transactional records (so a stale epoch gets
   * INVALID_PRODUCER_EPOCH from the log) and held pending until its marker.
   */
  async txnCommit(req: TxnCommitRequest): Promise<number[]> {
    const all = (code: number) => req.offsets.map(() => code);
    const notHere = this.coordinatorError(req.groupId);
    if (notHere) return all(notHere);
    if (!req.groupId) return all(ErrorCode.INVALID_GROUP_ID);
    let g = this.groups.get(req.groupId);
    if (!g) {
      g = new ClassicGroup(req.groupId);
      this.groups.set(req.groupId, g);
    }
    if (g.state === 'Dead') return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    // Kafka's ClassicGroup.validateOffsetCommit: an empty group takes a commit without a
    // generation; a request naming a generation, a member or an instance must be the current one.
    const simple = req.generationId < 0 && g.state === 'Empty';
    if (!simple && (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId)) {
      const error = memberError(g, req.memberId, req.groupInstanceId);
      if (error) return all(error);
      if (req.generationId !== g.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    }
    return this.writeCommit(
      g,
      this.offsets.prepareCommit(req.groupId, req.offsets, this.commitLimits(), -1, Date.now(), req.producerId),
      (entries) => this.offsetsLog.writeTxnOffsets(req.groupId, req.producerId, req.producerEpoch, entries),
      (entry) => this.offsets.putPending(req.producerId, req.groupId, entry),
    );
  }

  private commitLimits() {
    return { metadataMaxBytes: this.config.offsetMetadataMaxBytes, metadataMaxTotalBytes: this.config.offsetMetadataMaxTotalBytes };
  }

  /**
   * The second half of OffsetCommit and TxnOffsetCommit: writes the accepted offsets and, once
   * written, stores them (if the group is still the one served); the write's error replaces their
   * codes. The metadata budget promised to them is given back either way: stored offsets count in
   * it by themselves.
   */
  private async writeCommit(
    g: ClassicGroup,
    prepared: ReturnType<OffsetStore['prepareCommit']>,
    write: (entries: CommittedOffset[]) => Promise<number>,
    store: (entry: CommittedOffset) => void,
  ): Promise<number[]> {
    const { codes, accepted, reserved } = prepared;
    let error: number;
    try {
      error = await this.whileCommitting(g, () => write(accepted.map((a) => a.entry)));
    } finally {
      this.offsets.release(reserved);
    }
    for (const a of accepted) {
      if (error) codes[a.index] = error;
      else if (this.isCurrent(g)) store(a.entry);
    }
    return codes;
  }

  completeTransaction(partition: number, producerId: number, commit: boolean): void {
    this.offsets.completePending(producerId, commit, (groupId) => this.partitionFor(groupId) === partition);
  }

  /** Committed offsets (all of the group's when `wanted` is null); -1 where nothing is committed. */
  fetch(groupId: string, wanted: { topic: string; partition: number }[] | null, requireStable = false): { errorCode: number; offsets: FetchedOffset[] } {
    const notHere = this.coordinatorError(groupId);
    if (notHere) return { errorCode: notHere, offsets: [] };
    const offsets = this.offsets.fetch(groupId, wanted);
    if (requireStable) {
      for (const o of offsets) {
        // Kafka: the offset is withheld (-1) while a transaction's commit for it is undecided.
        if (this.offsets.hasPending(groupId, o.topic, o.partition)) Object.assign(o, { offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
      }
    }
    return { errorCode: 0, offsets };
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
    // "" is a group like any other here (see commit): Kafka deletes the empty group id's offsets.
    const notHere = this.coordinatorError(groupId);
    if (notHere) return notHere;
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    const error = await this.offsetsLog.writeTombstones(groupId, this.offsets.all(groupId), true);
    if (error) return error;
    // Unloaded or replaced while the tombstones were written: the group now served is not ours to drop.
    if (this.isCurrent(g)) this.drop(g);
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
    // Kafka (GroupMetadata.isSubscribedToTopic): subscriptions it cannot read count as subscribed
    // to every topic, to be safe.
    let unknown = false;
    if (g.state !== 'Empty' && g.protocolName) {
      // A real subscription names at most every topic (and owns partitions of them): a member's
      // metadata of up to a request's size could otherwise decode into tens of millions of names.
      const maxElements = this.config.maxPartitions * 4;
      for (const m of g.members.values()) {
        try {
          for (const t of decodeSubscription(g.metadataFor(m, g.protocolName), maxElements).topics) subscribed.add(t);
        } catch {
          unknown = true;
        }
      }
    }
    const codes = partitions.map((p) => (unknown || subscribed.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : 0));
    const doomed = partitions.filter((p, i) => codes[i] === 0 && this.offsets.has(groupId, p.topic, p.partition));
    const error = await this.offsetsLog.writeTombstones(groupId, doomed);
    if (error) return { errorCode: error, partitions: [] };
    if (this.isCurrent(g)) for (const p of doomed) this.offsets.delete(groupId, p.topic, p.partition);
    return { errorCode: 0, partitions: codes };
  }

  /**
   * A deleted topic's committed offsets go with it, as Kafka's coordinator removes them: a topic
   * created again under the same name must not be read from the old topic's positions (records
   * below them would be skipped). As in Kafka, memory changes at once, for every group, before
   * anything is awaited (no fetch sees an old offset, and a commit made afterwards lands after
   * the tombstones, which are appended now); a group left Empty with no offsets is gone.
   */
  deleteTopicOffsets(topic: string): void {
    for (const g of [...this.groups.values()]) {
      const doomed = this.offsets.all(g.groupId).filter((e) => e.topic === topic);
      const hadPending = this.offsets.hasPendingOf(g.groupId);
      this.offsets.dropPendingOfTopic(g.groupId, topic);
      if (doomed.length === 0 && hadPending === this.offsets.hasPendingOf(g.groupId)) continue;
      for (const e of doomed) this.offsets.delete(g.groupId, e.topic, e.partition);
      const dropGroup = g.state === 'Empty' && this.offsets.count(g.groupId) === 0 && !this.offsets.hasPendingOf(g.groupId);
      if (dropGroup) this.drop(g);
      if (doomed.length > 0 || dropGroup) {
        const failed = (why: string) => this.log.warn(`Could not write the removal of deleted topic ${topic}'s offsets from group ${g.groupId} (${why}); they come back if the group is loaded again`);
        this.offsetsLog.writeTombstones(g.groupId, doomed, dropGroup).then(
          (error) => error && failed(errorInfo(error).name),
          (e: Error) => failed(e.message),
        );
      }
      this.log.info(`Removed ${doomed.length} offset(s) of deleted topic ${topic} from group ${g.groupId}${dropGroup ? ', which is now gone' : ''}`);
    }
  }

  /**
   * Offset retention: groups empty for longer than offsets.retention.ms lose their offsets. As in
   * Kafka's cleanupGroupMetadata, an empty group holding no offsets (none committed, none pending
   * in a transaction) is removed at the check: groups left by members that never committed, or
   * made by commits that were all refused, do not pile up.
   */
  async expireOffsets(now = Date.now()): Promise<void> {
    let bare = 0;
    for (const g of [...this.groups.values()]) {
      const emptyTooLong = g.state === 'Empty' && now - g.emptySince > this.config.offsetsRetentionMs;
      const expired = this.offsets.expired(g.groupId, now, emptyTooLong);
      if (expired.length === 0) {
        if (!this.bare(g)) continue;
        if (await this.offsetsLog.writeTombstones(g.groupId, [], true)) continue;
        // Still bare after the write: a member may have joined, or a commit begun, meanwhile.
        if (this.isCurrent(g) && this.bare(g)) {
          this.drop(g);
          bare++;
        }
        continue;
      }
      const dropGroup = g.state === 'Empty' && g.commitsInFlight === 0 && expired.length === this.offsets.count(g.groupId);
      if (await this.offsetsLog.writeTombstones(g.groupId, expired, dropGroup)) continue;
      if (this.isCurrent(g)) for (const e of expired) this.offsets.delete(g.groupId, e.topic, e.partition);
      // Gone only if nothing came during the write (a commit's offsets, a member).
      if (dropGroup && this.isCurrent(g) && this.bare(g)) this.drop(g);
      this.log.info(`Removed ${expired.length} expired offset(s) of group ${g.groupId}`);
    }
    if (bare > 0) this.log.info(`Removed ${bare} empty group(s) without offsets`);
  }

  /** Empty with no offsets: none committed, none pending in a transaction, none being written (Kafka's !hasOffsets). */
  private bare(g: ClassicGroup): boolean {
    return g.state === 'Empty' && g.commitsInFlight === 0 && this.offsets.count(g.groupId) === 0 && !this.offsets.hasPendingOf(g.groupId);
  }

  /** Runs a commit's write with the group counted as having offsets on the way (see ClassicGroup.commitsInFlight). */
  private async whileCommitting<T>(g: ClassicGroup, write: () => Promise<T>): Promise<T> {
    g.commitsInFlight++;
    try {
      return await write();
    } finally {
      g.commitsInFlight--;
    }
  }

  /**
   * Is this still the group object the coordinator serves? A write awaited while the group was
   * deleted, unloaded or replaced must not touch the offsets of whatever came after it.
   */
  private isCurrent(g: ClassicGroup): boolean {
    return this.groups.get(g.groupId) === g;
  }

  /** The group is gone (deleted, or all its offsets expired while it was empty). */
  private drop(g: ClassicGroup) {
    g.shutdown();
    g.transition('Dead');
    this.groups.delete(g.groupId);
    this.offsets.dropGroup(g.groupId);
  }
}
