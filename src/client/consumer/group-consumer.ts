/**
 * A group consumer: joins a consumer group through its coordinator (JoinGroup, SyncGroup with
 * the leader computing the assignment), heartbeats in the background on its own connection,
 * follows rebalances — eager (revoke everything, then rejoin) or cooperative (revoke only what
 * moves, then rejoin once more) — starts assigned partitions at their committed offsets (or by
 * auto.offset.reset), refreshes metadata every metadata.max.age.ms to rejoin when its topics get
 * partitions or its pattern matches other topics, commits automatically every
 * auto.commit.interval.ms and on close, and leaves the group when it closes.
 */
import { Heartbeat, JoinGroup, LeaveGroup, SyncGroup, type JoinGroupResponse, type SyncGroupResponse } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError, errorInfo } from '../../protocol/errors.js';
import { AUTHORIZATION_CODES } from '../../protocol/acls.js';
import { denialMessage } from '../../protocol/acls.js';
import { decodeAssignment, encodeSubscription } from '../../protocol/consumer-protocol.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import type { KafkaClient } from '../client.js';
import { GroupAdmin } from '../groups.js';
import { ASSIGNORS, type Assignor } from './assignors.js';
import { Fetcher, type ConsumedRecord, type FetcherOptions, type RawChunk } from './fetcher.js';
import { leaderAssignments, partitionCounts } from './leader-assignment.js';

/** How long close() waits for the final commit and leaving the group (Kafka's DEFAULT_CLOSE_TIMEOUT_MS). */
export const CLOSE_TIMEOUT_MS = 30_000;

/** How close()'s final commit went (see GroupConsumer.close). */
export type CloseOutcome = { commit: 'done' } | { commit: 'failed'; error: Error } | { commit: 'timed-out' };
export interface GroupConsumerOptions extends FetcherOptions {
  groupId: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs?: number;
  /** max.poll.interval.ms: how long the group waits for this member to rejoin. */
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  assignors?: Assignor[];
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  /**
   * metadata.max.age.ms: how often a joined member refreshes metadata to notice topics a pattern
   * now matches and (the leader) partitions added to subscribed topics, and rejoins when they
   * changed; Kafka's default 300000.
   */
  metadataMaxAgeMs?: number;
  /**
   * allow.auto.create.topics: a topic subscribed by name that does not exist is asked for with
   * auto-creation (the broker creates it if its auto.create.topics.enable is on). Default false.
   */
  allowAutoTopicCreation?: boolean;
  /** Called once when the member starts waiting for its topics (a named one missing, or none matching the pattern). */
  onWaitingForTopics?: () => void;
  /** Called with partitions as they are assigned and revoked. */
  onAssigned?: (partitions: { topic: string; partition: number }[]) => void;
  /** May return a promise: the rebalance waits for it (e.g. to commit before giving partitions up). */
  onRevoked?: (partitions: { topic: string; partition: number }[]) => void | Promise<void>;
}

type TopicPartition = { topic: string; partition: number };
const tpKey = (t: TopicPartition) => `${t.topic}\0${t.partition}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How often metadata is looked at while a subscribed topic does not exist: Kafka's consumer asks
 * again after retry.backoff.ms (growing to retry.backoff.max.ms, 1 s), not metadata.max.age.ms.
 */
export const MISSING_TOPIC_REFRESH_MS = 250;

/** Group errors after which the member must join again (possibly with a new member id). */
const REJOIN = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);
const COORDINATOR = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

/**
 * A topic's Metadata error that ends a read of it, or null when the topic is there or not there
 * yet (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE while it is being created): a consumer
 * waits for those, as Kafka's does, and fails on the others as Kafka's throws
 * InvalidTopicException or TopicAuthorizationException (a name the broker refuses is never created).
 */
export function topicMetadataFailure(topic: string, errorCode: number): KafkaProtocolError | null {
  if (errorCode === 0 || errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || errorCode === ErrorCode.LEADER_NOT_AVAILABLE) return null;
  if (AUTHORIZATION_CODES.has(errorCode)) return new KafkaProtocolError(errorCode, `not authorized to describe topic ${topic}`);
  if (errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION) return new KafkaProtocolError(errorCode, `Invalid topics: [${topic}]`);
  return new KafkaProtocolError(errorCode, `topic ${topic}: ${errorInfo(errorCode).message}`);
}

export class GroupConsumer {
  readonly groups: GroupAdmin;
  private readonly fetcher: Fetcher;
  private readonly opts: Required<Omit<GroupConsumerOptions, keyof FetcherOptions | 'onAssigned' | 'onRevoked' | 'groupInstanceId' | 'onWaitingForTopics'>> &
    Pick<GroupConsumerOptions, 'onAssigned' | 'onRevoked' | 'onWaitingForTopics'> & { groupInstanceId: string | null };
  /** Subscribed topics that did not exist at the last look (for a pattern: it matched none); looked for often. */
  private waitingForTopics = false;
  private saidWaiting = false;
  private topics: string[] = [];
  private pattern: RegExp | null = null;
  memberId = '';
  generationId = -1;
  private owned: TopicPartition[] = [];
  /** Owned partitions not started yet (their start offsets not looked up): startAssigned. */
  private unstarted: TopicPartition[] = [];
  private needsJoin = true;
  private joining: Promise<void> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private fatal: Error | null = null;
  private lastCommit = Date.now();
  /** Offsets last committed, so that auto-commit only sends what moved. */
  private committed = new Map<string, number>();
  private closed = false;
  /** The user data of the latest assignment (what the leader's assignor put in for this member). */
  assignmentUserData: Buffer | null = null;
  private readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  private readonly maxPollRecords: number;
  /**
   * max.poll.records: records fetched but not yet returned, per partition (in the order they were
   * fetched), returned by the next polls before anything is fetched, as Kafka's consumer keeps
   * them in its fetch buffer. A partition's first held record is its consumed position (what
   * commit and positions() use), the fetcher's position being past the held records. Records of
   * a paused partition stay held and are not returned until it is resumed (Kafka's consumer).
   */
  private held = new Map<string, { records: ConsumedRecord[]; at: number }>();
  /** Partitions paused by pause() (their fetching stopped, their held records kept back). */
  private pausedParts = new Set<string>();
  /** The topics subscribed at the last join (for a pattern: those it matched then). */
  private joinedTopics: string[] = [];
  /** The leader's: each subscribed topic's partition count when it last computed the assignment. */
  private assignedCounts: Map<string, number> | null = null;
  /** When checkMetadata next looks. */
  private nextMetadataCheck = 0;
  /** The generation a heartbeat was last answered for without error (the group stable in it). */
  private confirmedGeneration = -1;

  constructor(
    readonly client: KafkaClient,
    options: GroupConsumerOptions,
  ) {
    this.groups = new GroupAdmin(client);
    this.fetcher = new Fetcher(client, options);
    this.autoOffsetReset = options.autoOffsetReset ?? 'latest';
    this.maxPollRecords = Math.max(1, options.maxPollRecords ?? 500);
    this.opts = {
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 300_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
      assignors: options.assignors ?? [ASSIGNORS.range!, ASSIGNORS['cooperative-sticky']!],
      autoCommit: options.autoCommit ?? true,
      autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5000,
      metadataMaxAgeMs: options.metadataMaxAgeMs ?? 300_000,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
      onWaitingForTopics: options.onWaitingForTopics,
      onAssigned: options.onAssigned,
      onRevoked: options.onRevoked,
    };
  }

  /** Subscribes to topics by name or by a pattern matched against every topic. */
  subscribe(topics: string[] | RegExp): void {
    if (topics instanceof RegExp) this.pattern = topics;
    else this.topics = [...topics];
    this.needsJoin = true;
  }

  assignment(): TopicPartition[] {
    return [...this.owned];
  }

  /** Joins when needed and auto-commits; false when nothing is assigned (after a short wait). */
  private async beforeFetch(maxWaitMs: number): Promise<boolean> {
    if (this.fatal) throw this.fatal;
    if (!this.needsJoin && this.generationId >= 0 && Date.now() >= this.nextMetadataCheck) await this.checkMetadata();
    if (this.needsJoin) await this.ensureJoined();
    if (this.fatal) throw this.fatal;
    if (!this.needsJoin) await this.startAssigned();
    if (this.fatal) throw this.fatal;
    if (this.opts.autoCommit && Date.now() - this.lastCommit >= this.opts.autoCommitIntervalMs) await this.commit().catch(() => undefined);
    if (this.owned.length > 0) return true;
    await sleep(Math.min(maxWaitMs, 100));
    return false;
  }

  /**
   * Like poll, but the fetched batches stay undecoded (walkChunk / decodeChunk read them) and
   * max.poll.records does not apply: for callers that only count (consumer-perf-test). Positions
   * and commits move as with poll. Not to be mixed with poll on one consumer.
   */
  async pollRaw(maxWaitMs: number): Promise<RawChunk[]> {
    if (this.held.size > 0) throw new Error('pollRaw on a consumer whose poll holds records');
    if (!(await this.beforeFetch(maxWaitMs))) return [];
    return this.fetcher.pollRaw({ maxWaitMs });
  }

  /** The next fetched records, joining or rejoining the group first when needed. */
  async poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    const abandonToken = this.fetcher.abandonToken();
    if (!(await this.beforeFetch(maxWaitMs))) return [];
    if (this.fetcher.abandonToken() !== abandonToken) return [];
    if (this.hasReturnable()) return this.takeHeld();
    const chunks = await this.fetcher.poll({ maxWaitMs, abandonToken });
    if (this.held.size === 0) {
      const records = chunks.length === 1 ? chunks[0]!.records : chunks.flatMap((c) => c.records);
      if (records.length <= this.maxPollRecords) return records;
    }
    // max.poll.records: the rest are kept for the next polls (a partition's records in order).
    for (const c of chunks) {
      if (c.records.length === 0) continue;
      const k = tpKey(c);
      const h = this.held.get(k);
      if (h) this.held.set(k, { records: [...h.records.slice(h.at), ...c.records], at: 0 });
      else this.held.set(k, { records: c.records, at: 0 });
    }
    return this.takeHeld();
  }

  /** Some held records belong to a partition that is not paused. */
  private hasReturnable(): boolean {
    if (this.held.size === 0) return false;
    if (this.pausedParts.size === 0) return true;
    for (const k of this.held.keys()) if (!this.pausedParts.has(k)) return true;
    return false;
  }

  /** The next max.poll.records held records of partitions not paused; moves their consumed positions. */
  private takeHeld(): ConsumedRecord[] {
    let out: ConsumedRecord[] = [];
    for (const [k, h] of this.held) {
      const room = this.maxPollRecords - out.length;
      if (room <= 0) break;
      if (this.pausedParts.has(k)) continue;
      const to = Math.min(h.records.length, h.at + room);
      const part = h.at === 0 && to === h.records.length ? h.records : h.records.slice(h.at, to);
      out = out.length === 0 ? part : out.concat(part);
      h.at = to;
      // A partition whose records were all returned is at the fetcher's position again.
      if (h.at >= h.records.length) this.held.delete(k);
    }
    return out;
  }

  /** Forgets held records: all of them, or those of the partitions in `keys` (seek, revocation). */
  private dropHeld(keys?: ReadonlySet<string>): void {
    if (!keys) {
      this.held.clear();
      return;
    }
    for (const k of keys) this.held.delete(k);
  }

  /**
   * Stops fetching from the partitions and keeps their fetched records back until resume()
   * (Kafka's consumer pause): Kafka Streams pauses a partition whose buffer is full.
   */
  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      this.pausedParts.add(tpKey(p));
      this.fetcher.pause(p.topic, p.partition, true);
    }
  }

  /** Fetches from (and returns the held records of) paused partitions again. */
  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      if (!this.pausedParts.delete(tpKey(p))) continue;
      this.fetcher.pause(p.topic, p.partition, false);
    }
  }

  /** True when every assigned partition has been read up to its high watermark (and returned). */
  caughtUp(): boolean {
    return this.unstarted.length === 0 && this.held.size === 0 && this.fetcher.allAtEnd();
  }

  /**
   * True once the member's assignment is settled: joined with no rejoin pending, its partitions
   * started, and a heartbeat of this generation answered without a rebalance (a cooperative
   * rebalance may need a second round to hand over partitions, announced to the others by then).
   * A member assigned nothing then has nothing to wait for (console-consumer -e).
   */
  settled(): boolean {
    return this.generationId >= 0 && !this.needsJoin && !this.joining && this.unstarted.length === 0 && this.confirmedGeneration === this.generationId;
  }

  /** Makes the next poll rejoin the group (e.g. a transactional offset commit found the member gone). */
  rejoin(forgetMemberId = false): void {
    this.needsJoin = true;
    if (forgetMemberId) this.memberId = '';
  }

  /** Assigned partitions with their fetch position and last known end offset (-1 until fetched). */
  positions(): { topic: string; partition: number; position: number; end: number }[] {
    return this.fetcher.assignment().map((p) => {
      const held = this.held.get(tpKey(p));
      return held === undefined ? p : { ...p, position: held.records[held.at]!.offset };
    });
  }

  /**
   * The poll under way returns no records and moves no position when it ends (Kafka's wakeup()):
   * for a consumer told to stop, which then commits what it processed and closes.
   */
  abandonPoll(): void {
    this.fetcher.abandonPoll();
  }

  /** Moves a partition's position (records fetched but not processed are not committed). */
  seek(topic: string, partition: number, offset: number): void {
    this.dropHeld(new Set([tpKey({ topic, partition })]));
    this.fetcher.seek(topic, partition, offset);
  }

  /** Commits the current positions of the assigned partitions (only those that moved). */
  async commit(partitions: TopicPartition[] = this.owned): Promise<void> {
    this.lastCommit = Date.now();
    const keys = new Set(partitions.map(tpKey));
    const offsets = this.positions()
      .filter((p) => keys.has(tpKey(p)) && this.committed.get(tpKey(p)) !== p.position)
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position }));
    if (offsets.length === 0 || this.generationId < 0) return;
    const results = await this.groups.commitOffsets(this.opts.groupId, offsets, { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId });
    for (const r of results) {
      if (!r.error) {
        const o = offsets.find((x) => x.topic === r.topic && x.partition === r.partition)!;
        this.committed.set(tpKey(o), o.offset);
      } else if (REJOIN.has(r.error.code)) {
        this.needsJoin = true;
        if (r.error.code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        throw new KafkaProtocolError(r.error.code, `Commit failed: the group rebalanced (${r.error.errorName}); uncommitted records may be delivered again`);
      } else throw r.error;
    }
  }

  private async ensureJoined(): Promise<void> {
    if (!this.joining) {
      this.joining = (async () => {
        try {
          while (this.needsJoin && !this.closed && !this.fatal) await this.joinOnce();
        } finally {
          this.joining = null;
        }
      })();
    }
    return this.joining;
  }

  /**
   * The topics to join with, noting whether some are still awaited: a named topic that does not
   * exist (looked up by name, with auto-creation when allowed, as Kafka's consumer's metadata
   * request asks), or a pattern that matches none. A failed lookup of named topics awaits nothing.
   */
  private async subscribedTopics(): Promise<string[]> {
    if (!this.pattern) {
      let md: Awaited<ReturnType<KafkaClient['refreshMetadata']>>;
      try {
        md = await this.client.refreshMetadata(this.topics, this.opts.allowAutoTopicCreation);
      } catch {
        this.waitingForTopics = false;
        return this.topics;
      }
      for (const t of this.topics) {
        const failure = topicMetadataFailure(t, md.topics.get(t)?.errorCode ?? 0);
        if (failure) throw failure;
      }
      this.waitingForTopics = this.topics.some((t) => md.topics.get(t)?.errorCode !== 0 || md.topics.get(t)!.partitions.length === 0);
      return this.topics;
    }
    const md = await this.client.refreshMetadata(null);
    const matched = [...md.topics.values()].filter((t) => !t.internal && this.pattern!.test(t.name)).map((t) => t.name).sort();
    this.waitingForTopics = matched.length === 0;
    return matched;
  }

  /** When checkMetadata next looks: soon while a subscribed topic is awaited (said once), else after metadata.max.age.ms. */
  private scheduleMetadataCheck(): void {
    if (!this.waitingForTopics) {
      this.nextMetadataCheck = Date.now() + this.opts.metadataMaxAgeMs;
      return;
    }
    this.nextMetadataCheck = Date.now() + Math.min(this.opts.metadataMaxAgeMs, MISSING_TOPIC_REFRESH_MS);
    if (!this.saidWaiting) this.opts.onWaitingForTopics?.();
    this.saidWaiting = true;
  }

  /**
   * Every metadata.max.age.ms, as Kafka's consumer refreshes its metadata: when a pattern now
   * matches other topics, or (on the leader, which assigned them) a subscribed topic has another
   * partition count, the member rejoins, so that new topics and partitions are assigned. A
   * failed refresh is tried again at the next check.
   */
  private async checkMetadata(): Promise<void> {
    this.nextMetadataCheck = Date.now() + this.opts.metadataMaxAgeMs;
    try {
      if (this.pattern && (await this.subscribedTopics()).join('\0') !== this.joinedTopics.join('\0')) this.needsJoin = true;
      // A named topic awaited now exists: join again so that the leader assigns it.
      if (!this.pattern && this.waitingForTopics) {
        await this.subscribedTopics();
        if (!this.waitingForTopics) this.needsJoin = true;
      }
      if (this.assignedCounts && !this.needsJoin) {
        const topics = [...this.assignedCounts.keys()];
        const now = partitionCounts(await this.client.refreshMetadata(topics), topics);
        if (topics.some((t) => now.get(t) !== this.assignedCounts!.get(t))) this.needsJoin = true;
      }
    } catch {
      // Metadata is looked at again at the next check; fetching goes on meanwhile.
    }
    if (!this.needsJoin) this.scheduleMetadataCheck();
  }

  private async revoke(partitions: TopicPartition[]) {
    if (partitions.length === 0) return;
    for (const p of partitions) this.fetcher.unassign(p.topic, p.partition);
    const gone = new Set(partitions.map(tpKey));
    this.dropHeld(gone);
    for (const k of gone) this.pausedParts.delete(k);
    this.owned = this.owned.filter((p) => !gone.has(tpKey(p)));
    // onRevoked is told of what onAssigned was told of: not of partitions never started.
    const unstarted = new Set(this.unstarted.map(tpKey));
    this.unstarted = this.unstarted.filter((p) => !gone.has(tpKey(p)));
    const started = partitions.filter((p) => !unstarted.has(tpKey(p)));
    if (started.length > 0) await this.opts.onRevoked?.(started);
  }

  private async joinOnce(): Promise<void> {
    // As in Kafka's Java consumer, the rebalance is cooperative only when every assignor is.
    const eager = !this.opts.assignors.every((a) => a.protocol === 'cooperative');
    if (eager && this.owned.length > 0) {
      // Eager protocol: everything is given back before joining.
      if (this.opts.autoCommit) await this.commit().catch(() => undefined);
      await this.revoke([...this.owned]);
    }
    this.stopHeartbeat();
    const topics = await this.subscribedTopics();
    const coordinator = (await this.groups.coordinator(this.opts.groupId)).nodeId;
    const ownedByTopic = new Map<string, number[]>();
    for (const p of this.owned) ownedByTopic.set(p.topic, [...(ownedByTopic.get(p.topic) ?? []), p.partition]);
    const subscription = (a: Assignor) =>
      encodeSubscription(
        { topics, userData: a.subscriptionUserData?.() ?? null, ownedPartitions: [...ownedByTopic].map(([topic, partitions]) => ({ topic, partitions })), generationId: this.generationId, rackId: null },
        2,
      );
    let join: JoinGroupResponse;
    try {
      ({ body: join } = await this.client.send(
        coordinator,
        JoinGroup,
        {
          groupId: this.opts.groupId,
          sessionTimeoutMs: this.opts.sessionTimeoutMs,
          rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          protocolType: 'consumer',
          protocols: this.opts.assignors.map((a) => ({ name: a.name, metadata: subscription(a) })),
          reason: null,
        },
        { timeoutMs: this.opts.rebalanceTimeoutMs + 5000, purpose: 'coordinator' },
      ));
    } catch (e) {
      if (e instanceof ConnectionError || e instanceof RequestTimeoutError) {
        await this.groups.coordinator(this.opts.groupId, true).catch(() => undefined);
        await sleep(100);
        return;
      }
      throw e;
    }
    if (join.errorCode) return this.onJoinError(join.errorCode, join.memberId);
    this.memberId = join.memberId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    /** The leader's view of the subscribed topics' partitions, kept for checkMetadata. */
    const leaderView: { counts: Map<string, number> | null } = { counts: null };
    if (join.leader === this.memberId) {
      assignments = await leaderAssignments(this.opts.assignors, join, async (all) => {
        const md = await this.client.refreshMetadata(all);
        leaderView.counts = partitionCounts(md, all);
        return md;
      });
    }
    let sync: SyncGroupResponse;
    try {
      ({ body: sync } = await this.client.send(
        coordinator,
        SyncGroup,
        {
          groupId: this.opts.groupId,
          generationId: join.generationId,
          memberId: this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          protocolType: 'consumer',
          protocolName: join.protocolName,
          assignments,
        },
        { timeoutMs: this.opts.rebalanceTimeoutMs + 5000, purpose: 'coordinator' },
      ));
    } catch (e) {
      if (e instanceof ConnectionError || e instanceof RequestTimeoutError) return;
      throw e;
    }
    if (sync.errorCode) return this.onJoinError(sync.errorCode, this.memberId);
    this.generationId = join.generationId;
    this.needsJoin = false;
    this.joinedTopics = topics;
    this.assignedCounts = leaderView.counts;
    this.scheduleMetadataCheck();
    const decoded = decodeAssignment(sync.assignment);
    this.assignmentUserData = decoded.userData ?? null;
    const assigned = decoded.assignedPartitions.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
    const now = new Set(assigned.map(tpKey));
    const had = new Set(this.owned.map(tpKey));
    const lost = this.owned.filter((p) => !now.has(tpKey(p)));
    if (lost.length > 0) {
      // Cooperative: commit and give back only what moved, then rejoin so others can take it.
      if (this.opts.autoCommit) await this.commit(lost).catch(() => undefined);
      await this.revoke(lost);
      this.needsJoin = true;
    }
    // The member owns its new partitions from here on and heartbeats; where each starts is looked
    // up after the join (startAssigned, heartbeating meanwhile), and a lookup that fails is tried
    // again by the next poll, as the Java consumer sets positions in poll: a failure leaves no
    // member with a generation but no partitions and no heartbeat.
    const added = assigned.filter((p) => !had.has(tpKey(p)));
    this.owned.push(...added);
    this.unstarted.push(...added);
    this.startHeartbeat(coordinator);
  }

  /** Starts the owned partitions not started yet; throws (leaving them for the next poll) when a lookup fails. */
  private async startAssigned(): Promise<void> {
    if (this.unstarted.length === 0) return;
    const partitions = [...this.unstarted];
    await this.start(partitions);
    const started = new Set(partitions.map(tpKey));
    this.unstarted = this.unstarted.filter((p) => !started.has(tpKey(p)));
  }

  private async onJoinError(code: number, memberId: string) {
    switch (code) {
      case ErrorCode.MEMBER_ID_REQUIRED:
        this.memberId = memberId;
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = '';
        return;
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.ILLEGAL_GENERATION:
        return;
      default:
        if (COORDINATOR.has(code)) {
          await this.groups.coordinator(this.opts.groupId, true).catch(() => undefined);
          await sleep(100);
          return;
        }
        this.fatal = new KafkaProtocolError(code, denialMessage(code, `join group ${this.opts.groupId}`, `Joining group ${this.opts.groupId} failed`));
    }
  }

  /** Starts newly assigned partitions at their committed offsets (or by auto.offset.reset). */
  private async start(partitions: TopicPartition[]) {
    const committed = await this.groups.fetchOffsets(this.opts.groupId, partitions);
    const at = new Map(committed.map((c) => [tpKey(c), c.offset]));
    // A newly assigned partition is not paused (its fetcher state starts afresh).
    for (const p of partitions) this.pausedParts.delete(tpKey(p));
    await this.fetcher.assign(
      partitions.map((p) => {
        const offset = at.get(tpKey(p)) ?? -1;
        if (offset >= 0) this.committed.set(tpKey(p), offset);
        return { ...p, start: offset >= 0 ? offset : this.resetPosition(p) };
      }),
    );
    this.opts.onAssigned?.(partitions);
  }

  /** Where a partition without a committed offset starts (auto.offset.reset). */
  private resetPosition(p: TopicPartition): 'earliest' | 'latest' {
    if (this.autoOffsetReset === 'none') {
      // Kafka's NoOffsetForPartitionException text, naming every partition without an offset.
      const before = this.fatal?.message.match(/\[(.*)\]$/)?.[1];
      const names = [...(before ? [before] : []), `${p.topic}-${p.partition}`].join(', ');
      this.fatal = new KafkaProtocolError(ErrorCode.OFFSET_OUT_OF_RANGE, `Undefined offset with no reset policy for partitions: [${names}]`);
      return 'latest';
    }
    return this.autoOffsetReset;
  }

  private startHeartbeat(coordinator: number) {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(coordinator), this.opts.heartbeatIntervalMs);
  }

  private stopHeartbeat() {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(coordinator: number) {
    if (this.needsJoin || this.joining || this.closed) return;
    const generation = this.generationId;
    try {
      const { body } = await this.client.send(
        coordinator,
        Heartbeat,
        { groupId: this.opts.groupId, generationId: generation, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId },
        { purpose: 'coordinator', timeoutMs: this.opts.sessionTimeoutMs },
      );
      if (!body.errorCode) {
        this.confirmedGeneration = generation;
        return;
      }
      if (REJOIN.has(body.errorCode)) {
        if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        this.needsJoin = true;
      } else if (COORDINATOR.has(body.errorCode)) {
        await this.groups.coordinator(this.opts.groupId, true).catch(() => undefined);
        this.needsJoin = true;
      } else if (body.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
        this.fatal = new KafkaProtocolError(body.errorCode, `Member of group ${this.opts.groupId} was fenced by another instance with the same group.instance.id`);
      }
    } catch {
      // A missed heartbeat is retried on the next tick; the session timeout is the real limit.
    }
  }

  /**
   * Commits (auto-commit) and leaves the group, for at most `timeoutMs` (Kafka's consumer:
   * close() gives both 30 s): with the broker gone, the commit and the leave would each wait out
   * the client's retries. Says how the final commit went: done (or nothing to commit), failed
   * (refused or unreachable: the next member starts from the last commit that did), or timed out
   * (abandoned: it may still have landed).
   */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<CloseOutcome> {
    if (this.closed) return { commit: 'done' };
    this.closed = true;
    this.stopHeartbeat();
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<CloseOutcome>((resolve) => (timer = setTimeout(() => resolve({ commit: 'timed-out' }), timeoutMs)));
    try {
      return await Promise.race([this.finishMembership(), abandoned]);
    } finally {
      clearTimeout(timer);
      this.fetcher.close();
    }
  }

  /** close(): the final commit and the LeaveGroup (best effort). */
  private async finishMembership(): Promise<CloseOutcome> {
    if (this.joining) await this.joining.catch(() => undefined);
    // Also while a rejoin is pending (a rebalance the heartbeat was told of, partitions added):
    // the broker takes commits of the current generation until the group moves on, as the Java
    // consumer's commit on close relies on. One it refuses (the member was fenced) is reported.
    let outcome: CloseOutcome = { commit: 'done' };
    if (this.opts.autoCommit && this.generationId >= 0 && this.memberId !== '') {
      await this.commit().catch((e: unknown) => (outcome = { commit: 'failed', error: e as Error }));
    }
    if (this.memberId && !this.opts.groupInstanceId) {
      try {
        const coordinator = (await this.groups.coordinator(this.opts.groupId)).nodeId;
        await this.client.send(
          coordinator,
          LeaveGroup,
          (v) => (v >= 3 ? { groupId: this.opts.groupId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is being closed' }] } : { groupId: this.opts.groupId, memberId: this.memberId }),
          { purpose: 'coordinator', timeoutMs: 5000 },
        );
      } catch {
        /* leaving is best effort; the session timeout removes the member otherwise */
      }
    }
    return outcome;
  }
}
