/**
 * Reading partitions for Fetch: whole stored batches from the one containing the fetch offset,
 * bounded by partition and response byte limits, waiting (long poll) until `minBytes` are
 * available or `maxWaitMs` passes. Consumers read up to the high watermark (read_uncommitted) or
 * the last stable offset (read_committed, which also gets the aborted transactions overlapping
 * what it read, from the aborted-transaction index); followers up to the log end. A parked fetch
 * wakes on every append and high-watermark move, which is also when the last stable offset moves.
 *
 * Follower fetching (KIP-392, Fetch v11+ consumers): a follower serves consumers up to its own
 * high watermark (the leader's, as of its last replica fetch), an offset past its log end is
 * OFFSET_OUT_OF_RANGE (clients then go back to the leader); with the rack-aware replica selector
 * the leader answers a consumer with a rack id by preferred_read_replica and no records.
 */
import { leaderEpochError } from './leader-epoch.js';
import { ErrorCode } from '../protocol/errors.js';
import { CompressionType } from '../protocol/compression.js';
import { RecordBatchView, nextOffsetOf } from '../protocol/record-batch.js';
import type { LeaderLookup } from './append/leader-append.js';
import type { PartitionState, TopicState } from './metadata/cluster-metadata.js';
import type { PartitionReplica } from './replica.js';
import { endOffsetForEpoch } from '../storage/leader-epochs.js';
import type { BrokerThrottles, RateLimiter } from './replication/throttle.js';
import { isStorageIoError } from './log-dirs.js';
import { selectReadReplica, type ReplicaCandidate } from './replica-selector.js';

/** Consumer reads served by one broker, as leader and as follower (`server status --output json`). */
export interface ConsumerFetchCounters {
  asLeader: { partitionFetches: number; bytes: number };
  asFollower: { partitionFetches: number; bytes: number };
  /** Partition fetches answered with a preferred read replica instead of records. */
  redirected: number;
}

export const newConsumerFetchCounters = (): ConsumerFetchCounters => ({ asLeader: { partitionFetches: 0, bytes: 0 }, asFollower: { partitionFetches: 0, bytes: 0 }, redirected: 0 });

/** What reading partitions needs from the broker that leads them (implemented by Broker). */
export interface FetchHost {
  readonly running: boolean;
  readonly throttles: Pick<BrokerThrottles, 'limiter'>;
  /** Finds the partition and checks that this broker leads it. */
  leaderFor(topic: string, partition: number): LeaderLookup;
  replica(topic: string, partition: number): PartitionReplica | undefined;
  /** A follower fetched from `fetchOffset`: its progress counts for the ISR, the high and the low watermark. */
  recordFollowerFetch(replica: PartitionReplica, state: PartitionState, followerId: number, fetchOffset: number, logStartOffset?: number): void;
  /** Whether sends of this partition to followers count against the leader throttle. */
  leaderThrottled(topic: TopicState, partition: number): boolean;
  /** An I/O error met while `doing` something with a partition's log: its log dir goes offline. */
  logDirFailure(doing: string, error: Error): void;
  /** Finds a partition this broker follows (a live, online replica that does not lead): KIP-392 reads. */
  followerFor?(topic: string, partition: number): LeaderLookup;
  readonly consumerFetches?: ConsumerFetchCounters;
}

export interface PartitionFetch {
  topic: string | null;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** Unknown topic id (Fetch v13+) rather than unknown name. */
  unknownTopicId?: boolean;
  /** The fetcher's idea of the leader epoch (v9+), -1 when not given. */
  currentLeaderEpoch?: number;
  /** A follower's latest epoch (v12+), to find where its log diverges. */
  lastFetchedEpoch?: number;
  /** A follower's own log start offset (v5+), which DeleteRecords waits on; -1 when not given. */
  logStartOffset?: number;
}

export interface PartitionData {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer[];
  bytes: number;
  /** read_committed: the aborted transactions overlapping the returned range (null otherwise). */
  abortedTransactions?: { producerId: number; firstOffset: number }[] | null;
  /** For a follower whose log diverges: the largest epoch both have and where it ends here. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** KIP-392: the replica the consumer should fetch this partition from instead (no records). */
  preferredReadReplica?: number;
}

/** A consumer's Fetch v11+: followers may serve it, and the leader may send it to a replica in its rack. */
export interface ReadReplicaOptions {
  /** The consumer's rack_id ('' when it has none). */
  clientRack: string;
  /** replica.selector.class is the RackAwareReplicaSelector. */
  rackAware: boolean;
  rackOf(brokerId: number): string | null;
  isLive(brokerId: number): boolean;
  /** Whether this broker is live: one stopping (controlled shutdown) serves no follower reads. */
  selfLive(): boolean;
}

export interface FetchOptions {
  /** The fetching follower's broker id, or -1 for consumers. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  apiVersion: number;
  /** 0 read_uncommitted, 1 read_committed (Fetch v4+). */
  isolationLevel?: number;
  /** Resolves when the requesting connection closes. */
  closed: Promise<void>;
  /** Listens for the connection's close until the returned function is called (preferred over `closed`). */
  onClose?: (listener: () => void) => () => void;
  /** The transport's memory ceiling: answer bytes this fetch may take now, a wait for room, and what it took (see ConnectionInfo). */
  responseRoom?: () => number;
  whenResponseRoom?: () => Promise<void> | null;
  reserveResponse?: (bytes: number) => void;
  /** Set for consumers' Fetch v11+ (KIP-392); absent, only the leader serves consumers. */
  readReplicas?: ReadReplicaOptions;
}

const empty = (errorCode: number, hw = -1, logStart = -1, lso = hw): PartitionData => ({
  errorCode,
  highWatermark: hw,
  lastStableOffset: lso,
  logStartOffset: logStart,
  records: [],
  bytes: 0,
});

function readOne(broker: FetchHost, f: PartitionFetch, budget: number, opts: FetchOptions): PartitionData {
  if (f.unknownTopicId) return empty(ErrorCode.UNKNOWN_TOPIC_ID);
  if (f.topic === null) return empty(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const isFollower = opts.replicaId >= 0;
  let found = broker.leaderFor(f.topic, f.partition);
  let asFollower = false;
  if ('error' in found && found.error === ErrorCode.NOT_LEADER_OR_FOLLOWER && !isFollower && opts.readReplicas?.selfLive() && broker.followerFor) {
    const other = broker.followerFor(f.topic, f.partition);
    if (!('error' in other)) {
      found = other;
      asFollower = true;
    }
  }
  if ('error' in found) return empty(found.error);
  const { replica, topic } = found;
  let { state } = found;
  const epochError = leaderEpochError(f.currentLeaderEpoch, state.leaderEpoch);
  if (epochError !== null) return empty(epochError);
  const hw = replica.highWatermark;
  const start = replica.logStartOffset();
  const end = replica.logEndOffset();
  let limiter: RateLimiter | null = null;
  if (isFollower) {
    if (!state.replicas.includes(opts.replicaId)) return empty(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const lastEpoch = f.lastFetchedEpoch ?? -1;
    if (lastEpoch >= 0) {
      const agreed = endOffsetForEpoch(replica.log.leaderEpochs(), lastEpoch, end);
      if (agreed.epoch < lastEpoch || agreed.endOffset < f.fetchOffset) return { ...empty(0, hw, start), divergingEpoch: agreed };
    }
    broker.recordFollowerFetch(replica, state, opts.replicaId, f.fetchOffset, f.logStartOffset ?? -1);
    // That may have brought the follower into the ISR and so completed a reassignment that moves
    // the partition off this broker (its replica closed and deleted) or leadership elsewhere: the
    // fetch is answered as the partition now stands, as Kafka's old leader answers.
    const now = broker.leaderFor(f.topic, f.partition);
    if ('error' in now) return empty(now.error);
    if (now.replica !== replica) return empty(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    state = now.state;
    // A throttled replica that is not in sync (one being added) gets nothing while the leader's
    // replication quota is overdrawn; in-sync followers are never held back (as in Kafka).
    if (!state.isr.includes(opts.replicaId) && broker.leaderThrottled(topic, f.partition)) {
      limiter = broker.throttles.limiter('leader');
      if (limiter && limiter.waitMs() > 0) return empty(0, replica.highWatermark, start);
    }
  }
  const readCommitted = !isFollower && opts.isolationLevel === 1;
  if (!isFollower && !asFollower && opts.readReplicas?.rackAware) {
    const preferred = preferredReplica(replica, state, f.fetchOffset, opts.readReplicas);
    if (preferred >= 0) {
      if (broker.consumerFetches) broker.consumerFetches.redirected++;
      const lso0 = replica.producers.lastStableOffsetIfKnown(hw);
      return { ...empty(0, hw, start, lso0), preferredReadReplica: preferred };
    }
  }
  const lso = readCommitted ? replica.producers.lastStableOffset(hw) : replica.producers.lastStableOffsetIfKnown(hw);
  if (f.fetchOffset < start || f.fetchOffset > end) return empty(ErrorCode.OFFSET_OUT_OF_RANGE, replica.highWatermark, start, lso);
  const limit = isFollower ? end : readCommitted ? lso : hw;
  if (budget <= 0 || f.fetchOffset >= limit) return empty(0, replica.highWatermark, start, lso);
  let res: ReturnType<typeof replica.log.read>;
  try {
    res = replica.log.read(f.fetchOffset, Math.min(f.partitionMaxBytes, budget), limit);
  } catch (e) {
    if (!isStorageIoError(e)) throw e;
    broker.logDirFailure(`reading from ${f.topic}-${f.partition}`, e);
    return empty(ErrorCode.KAFKA_STORAGE_ERROR);
  }
  if (opts.apiVersion < 10 && res.batches.some((b) => new RecordBatchView(b).compression === CompressionType.zstd)) {
    return empty(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, hw, start, lso);
  }
  limiter?.consume(res.bytes);
  if (!isFollower && broker.consumerFetches) {
    const c = asFollower ? broker.consumerFetches.asFollower : broker.consumerFetches.asLeader;
    c.partitionFetches++;
    c.bytes += res.bytes;
  }
  const data: PartitionData = { errorCode: 0, highWatermark: replica.highWatermark, lastStableOffset: lso, logStartOffset: start, records: res.batches, bytes: res.bytes };
  if (readCommitted && res.batches.length > 0) {
    // Kafka's bound: the offset after the returned batches.
    const upTo = nextOffsetOf(res.batches[res.batches.length - 1]!);
    data.abortedTransactions = replica.log.abortedTxns(f.fetchOffset, upTo).map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
  }
  return data;
}

/**
 * The leader's choice of read replica for a consumer (Kafka's findPreferredReadReplica): the
 * candidates are the leader and the live in-sync followers holding the fetch offset; -1 when the
 * choice is the leader itself (never sent back).
 */
function preferredReplica(replica: PartitionReplica, state: PartitionState, fetchOffset: number, rr: ReadReplicaOptions): number {
  if (rr.clientRack === '') return -1;
  const now = Date.now();
  const leader: ReplicaCandidate = { id: state.leader, rack: rr.rackOf(state.leader), logEndOffset: replica.logEndOffset(), lastCaughtUpMs: now };
  const followers: ReplicaCandidate[] = [];
  for (const id of state.isr) {
    const progress = replica.followers.get(id);
    if (id === state.leader || !progress || !rr.isLive(id) || progress.logEndOffset < fetchOffset) continue;
    followers.push({ id, rack: rr.rackOf(id), logEndOffset: progress.logEndOffset, lastCaughtUpMs: progress.lastCaughtUpMs });
  }
  const chosen = selectReadReplica(rr.clientRack, leader, followers);
  return chosen === leader.id ? -1 : chosen;
}

function readAll(broker: FetchHost, items: PartitionFetch[], opts: FetchOptions): PartitionData[] {
  let total = 0;
  opts = { ...opts, maxBytes: Math.min(opts.maxBytes, opts.responseRoom?.() ?? Infinity) };
  return items.map((f) => {
    // The first partition with data always returns at least one whole batch (KIP-74).
    const budget = total === 0 ? Math.max(opts.maxBytes, 1) : opts.maxBytes - total;
    const d = readOne(broker, f, budget, opts);
    total += d.bytes;
    return d;
  });
}

/**
 * Calls `f` once the requesting connection closes; the returned function stops listening. A
 * listener that is taken away again, not a reaction added to the connection's long-lived `closed`
 * promise: such reactions stay until the connection closes, one or more per fetch, and a busy
 * consumer's connection held hundreds of thousands of them.
 */
function onceClosed(opts: FetchOptions, f: () => void): () => void {
  if (opts.onClose) return opts.onClose(f);
  let listening = true;
  void opts.closed.then(() => listening && f());
  return () => (listening = false);
}

/** Resolves when any of the replicas changes, the deadline passes or the connection closes (true). */
function waitForChange(replicas: PartitionReplica[], ms: number, opts: FetchOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const c of cancels) c();
      resolve(closed);
    };
    const timer = setTimeout(() => finish(false), ms);
    for (const r of replicas) cancels.push(r.onChange(() => finish(false)));
    cancels.push(onceClosed(opts, () => finish(true)));
  });
}

/** Resolves when `room` does (false) or the connection closes (true). */
function roomOrClose(room: Promise<void>, opts: FetchOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const stop = onceClosed(opts, () => resolve(true));
    void room.then(() => {
      stop();
      resolve(false);
    });
  });
}

export async function fetchPartitions(broker: FetchHost, items: PartitionFetch[], opts: FetchOptions): Promise<PartitionData[]> {
  // Nothing to read (no partition named, or none allowed): answered at once, as Kafka's
  // ReplicaManager does, rather than after the whole wait.
  if (items.length === 0) return [];
  const deadline = Date.now() + opts.maxWaitMs;
  let startMoved = false;
  for (;;) {
    // No room (answers wait in slow sockets up to the daemon's ceiling, or this turn's reads are done): wait.
    for (let room = opts.whenResponseRoom?.(); room; room = opts.whenResponseRoom?.()) {
      // Gone meanwhile: answer what fits (nobody reads it), as a long poll cut short does.
      if (await roomOrClose(room, opts)) break;
    }
    // From the room check to the reservation nothing else runs: each answer counts before the next reads.
    const results = readAll(broker, items, opts);
    const bytes = results.reduce((n, r) => n + r.bytes, 0);
    const failed = results.some((r) => r.errorCode !== 0 || (r.preferredReadReplica ?? -1) >= 0);
    const remaining = deadline - Date.now();
    if (bytes >= opts.minBytes || failed || startMoved || remaining <= 0 || !broker.running) {
      opts.reserveResponse?.(bytes);
      return results;
    }
    const replicas = items
      .map((f) => (f.topic === null ? undefined : broker.replica(f.topic, f.partition)))
      .filter((r): r is PartitionReplica => r !== undefined);
    // A follower learns a new log start (DeleteRecords, retention) from the answer: answer now
    // rather than at the end of the wait, since a DeleteRecords waits for the followers to apply it.
    const starts = opts.replicaId >= 0 ? replicas.map((r) => r.logStartOffset()) : null;
    if (await waitForChange(replicas, remaining, opts)) return results;
    startMoved = starts !== null && replicas.some((r, i) => r.logStartOffset() !== starts[i]);
  }
}
