/**
 * One broker's side of replication: from the cluster metadata it works out which of its replicas
 * lead and which follow, runs a ReplicaFetcher per leader for the followers, deletes replicas
 * that were moved away, and, for the partitions it leads, keeps the ISR honest (followers that
 * have not caught up within replica.lag.time.max.ms are dropped; followers that catch up rejoin).
 */
import type { Logger } from '../../util/logger.js';
import type { PartitionState, TopicState } from '../metadata/cluster-metadata.js';
import type { PartitionReplica } from '../replica.js';
import { ReplicaFetcher } from './replica-fetcher.js';
import type { ReplicationHost } from './replication-host.js';
import { isStorageIoError } from '../log-dirs.js';

interface Role {
  role: 'leader' | 'follower' | 'none';
  leader: number;
  leaderEpoch: number;
}

export class ReplicaManager {
  private readonly roles = new Map<string, Role>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private isrTimer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    private readonly broker: ReplicationHost,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.reconcile();
    const every = Math.max(50, Math.floor(this.broker.config.replicaLagTimeMaxMs / 2));
    this.isrTimer = setInterval(() => this.checkIsr(), every);
    this.isrTimer.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.isrTimer) clearInterval(this.isrTimer);
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    this.roles.clear();
    await Promise.all(fetchers.map((f) => f.stop()));
  }

  /** Wakes every fetcher (replication throttles changed). */
  wake(): void {
    for (const f of this.fetchers.values()) f.wake();
  }

  /** Fetchers by leader id (for status and tests). */
  followedBy(leaderId: number): number {
    return this.fetchers.get(leaderId)?.size ?? 0;
  }

  /** Brings roles, fetchers and local replicas in line with the metadata. */
  reconcile(): void {
    if (!this.started) return;
    const b = this.broker;
    const seen = new Set<string>();
    for (const t of b.metadata.allTopics()) {
      t.partitions.forEach((s, p) => {
        const key = `${t.name}-${p}`;
        const assigned = s.replicas.includes(b.id) || s.addingReplicas.includes(b.id);
        const replica = b.replica(t.name, p);
        if (!assigned || !replica) return;
        seen.add(key);
        this.apply(key, replica, s);
      });
    }
    // Roles of replicas that are gone (topic deleted): stop following them.
    for (const key of [...this.roles.keys()]) {
      if (!seen.has(key) && !b.replicas.has(key)) {
        this.unfollow(key);
        this.roles.delete(key);
      }
    }
    // Replicas this broker no longer hosts (moved away by a reassignment).
    for (const [key, replica] of [...b.replicas]) {
      if (seen.has(key)) continue;
      const t = b.metadata.topic(replica.topic);
      const s = t?.partitions[replica.partition];
      if (s && (s.replicas.includes(b.id) || s.addingReplicas.includes(b.id))) continue;
      this.unfollow(key);
      this.roles.delete(key);
      if (t) {
        this.log.info(`Deleting replica ${key} from broker ${b.id}: it was reassigned away`);
        b.removeReplica(replica.topic, replica.partition);
      }
    }
    this.stopIdleFetchers();
  }

  /** Fetchers left with no partition to fetch stop. */
  private stopIdleFetchers(): void {
    for (const [leader, f] of [...this.fetchers]) {
      if (f.size === 0) {
        this.fetchers.delete(leader);
        void f.stop();
      }
    }
  }

  /**
   * Some partitions of `t` changed (leader, ISR, replicas): their roles and fetchers only. A pass
   * over every partition per change made a cluster of thousands of replicas spend minutes on the
   * ISR changes after a broker restart (one pass per change per broker), starving the fetchers
   * until more followers fell out of the ISR, and every client waited.
   */
  reconcilePartitions(t: TopicState, partitions: readonly number[]): void {
    if (!this.started) return;
    const b = this.broker;
    for (const p of partitions) {
      const s = t.partitions[p];
      const key = `${t.name}-${p}`;
      const replica = b.replica(t.name, p);
      if (!s || !replica) continue;
      if (s.replicas.includes(b.id) || s.addingReplicas.includes(b.id)) {
        this.apply(key, replica, s);
        continue;
      }
      // Moved away by a reassignment.
      this.unfollow(key);
      this.roles.delete(key);
      this.log.info(`Deleting replica ${key} from broker ${b.id}: it was reassigned away`);
      b.removeReplica(t.name, p);
    }
    this.stopIdleFetchers();
  }

  /**
   * New partitions of `t` (a topic just created, or added to): roles and fetchers for them only
   * (nothing else changed, and a pass over every partition per new topic made creating thousands
   * quadratic).
   */
  adoptNewPartitions(t: TopicState, partitions: readonly number[]): void {
    if (!this.started) return;
    const b = this.broker;
    for (const p of partitions) {
      const s = t.partitions[p]!;
      const replica = b.replica(t.name, p);
      if (!replica || !(s.replicas.includes(b.id) || s.addingReplicas.includes(b.id))) continue;
      this.apply(`${t.name}-${p}`, replica, s);
    }
  }

  private apply(key: string, replica: PartitionReplica, s: PartitionState): void {
    // Stopped meanwhile (the log dir went offline during this reconcile).
    if (!this.started) return;
    const b = this.broker;
    const prev = this.roles.get(key);
    const role: Role['role'] = s.leader === b.id ? 'leader' : s.leader >= 0 ? 'follower' : 'none';
    const unchanged = prev && prev.role === role && prev.leader === s.leader && prev.leaderEpoch === s.leaderEpoch;
    this.roles.set(key, { role, leader: s.leader, leaderEpoch: s.leaderEpoch });
    if (role === 'leader') {
      if (!unchanged) {
        this.unfollow(key);
        this.becomeLeader(replica, s);
      }
      // The ISR may have shrunk: the high watermark can move and waiting produces re-check.
      replica.updateHighWatermark(s.isr, b.id);
      replica.notify();
    } else if (role === 'follower') {
      const f = this.fetchers.get(s.leader);
      if (!unchanged || !f?.has(key)) {
        this.unfollow(key);
        replica.followers.clear();
        this.fetcherFor(s.leader).add(replica);
      }
      replica.notify();
    } else {
      this.unfollow(key);
      replica.notify();
    }
  }

  private becomeLeader(replica: PartitionReplica, s: PartitionState): void {
    try {
      replica.log.markLeaderEpoch(s.leaderEpoch);
    } catch (e) {
      if (!isStorageIoError(e)) throw e;
      // The log dir goes offline: the controller moves leadership on at once.
      this.broker.logDirFailure(`marking leader epoch ${s.leaderEpoch} of ${replica.key}`, e);
      return;
    }
    const now = Date.now();
    replica.followers.clear();
    // Followers start with a grace period and are assumed to have what is committed.
    for (const id of [...s.replicas, ...s.addingReplicas]) {
      if (id !== this.broker.id) replica.followers.set(id, { logEndOffset: replica.highWatermark, lastCaughtUpMs: now, lastFetchMs: now, leaderEndAtLastFetch: replica.highWatermark, logStartOffset: -1 });
    }
    this.log.info(`Broker ${this.broker.id} leads ${replica.key} at epoch ${s.leaderEpoch} from offset ${replica.logEndOffset()}`);
  }

  private unfollow(key: string): void {
    for (const f of this.fetchers.values()) f.remove(key);
  }

  private fetcherFor(leaderId: number): ReplicaFetcher {
    let f = this.fetchers.get(leaderId);
    if (!f) {
      const b = this.broker;
      f = new ReplicaFetcher(
        b,
        leaderId,
        () => b.cluster.replicationAddress(leaderId),
        this.log,
      );
      this.fetchers.set(leaderId, f);
      f.start();
    }
    return f;
  }

  /** Drops followers that have not caught up within replica.lag.time.max.ms from the ISR. */
  private checkIsr(): void {
    const b = this.broker;
    const now = Date.now();
    const lagMax = b.config.replicaLagTimeMaxMs;
    for (const [key, role] of this.roles) {
      if (role.role !== 'leader') continue;
      const replica = b.replicas.get(key);
      if (!replica) continue;
      const s = b.metadata.topic(replica.topic)?.partitions[replica.partition];
      if (!s || s.leader !== b.id) continue;
      // Alone in its ISR (one replica, or the others out already): nobody to take out.
      if (s.isr.length === 1 && s.isr[0] === b.id) continue;
      const out = s.isr.filter((id) => {
        if (id === b.id) return false;
        const f = replica.followers.get(id);
        return !f || now - f.lastCaughtUpMs > lagMax;
      });
      if (out.length > 0) b.cluster.controller.replication.shrinkIsr(replica.topic, replica.partition, b.id, s.leaderEpoch, out);
    }
  }

  /** A follower fetched: it rejoins the ISR once it has everything committed in this epoch. */
  maybeExpandIsr(replica: PartitionReplica, s: PartitionState, followerId: number, fetchOffset: number): void {
    if (s.isr.includes(followerId)) return;
    if (!s.replicas.includes(followerId)) return;
    const epochs = replica.log.leaderEpochs();
    const epochStart = epochs.find((e) => e.epoch === s.leaderEpoch)?.startOffset ?? 0;
    if (fetchOffset >= replica.highWatermark && fetchOffset >= epochStart) {
      this.broker.cluster.controller.replication.expandIsr(replica.topic, replica.partition, this.broker.id, s.leaderEpoch, followerId);
    }
  }
}
