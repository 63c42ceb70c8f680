/**
 * The controller's part in replication: which replica leads each partition and which replicas are
 * in sync. It reacts to brokers stopping and starting (leader election, clean unless
 * `unclean.leader.election.enable`), to leaders shrinking and expanding their ISR, to
 * ElectLeaders (preferred or unclean) and to partition reassignments, and writes every change to
 * the cluster metadata, from which each broker's ReplicaManager takes its roles.
 *
 * Rules follow Kafka's controller: a new leader comes from the live ISR in replica order (the
 * first replica is the preferred one); a leader change bumps the leader epoch; every ISR or
 * replica-set change bumps the partition epoch; with no live ISR member the partition goes
 * offline (leader -1) keeping its last ISR, so that member can lead again cleanly when it returns.
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { BrokerConfig } from '../config.js';
import type { ApiError } from '../api-error.js';
import type { ClusterMetadata, PartitionState, TopicState } from '../metadata/cluster-metadata.js';
import type { Logger } from '../../util/logger.js';

const OK: ApiError = { code: 0, message: null };
const err = (code: number, message: string | null = null): ApiError => ({ code, message });

export interface PartitionRef {
  topic: string;
  partition: number;
}

export interface OngoingReassignment extends PartitionRef {
  replicas: number[];
  adding: number[];
  removing: number[];
}

export class ReplicationControl {
  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly config: BrokerConfig,
    private readonly liveBrokers: () => number[],
    private readonly registeredBrokers: () => number[],
    private readonly log: Logger,
  ) {}

  private isLive(id: number): boolean {
    return this.liveBrokers().includes(id);
  }

  private uncleanAllowed(t: TopicState): boolean {
    const v = t.configs['unclean.leader.election.enable'];
    return v !== undefined ? v === 'true' : this.config.uncleanLeaderElection;
  }

  /** Sets a new leader (or -1), bumping the epochs and logging it. */
  private setLeader(t: TopicState, p: number, s: PartitionState, leader: number, why: string): void {
    const before = s.leader;
    s.leader = leader;
    s.leaderEpoch++;
    s.partitionEpoch++;
    if (leader === -1) this.log.warn(`Partition ${t.name}-${p} is offline: no in-sync replica of ${JSON.stringify(s.replicas)} is available (${why})`);
    else this.log.info(`Partition ${t.name}-${p}: leader ${before} -> ${leader} at epoch ${s.leaderEpoch} (${why}); ISR ${JSON.stringify(s.isr)}`);
  }

  /** The first replica (preferred order) that is live and in the ISR, or -1. */
  private cleanCandidate(s: PartitionState, exclude = -1): number {
    return s.replicas.find((r) => r !== exclude && s.isr.includes(r) && this.isLive(r)) ?? -1;
  }

  /**
   * A broker stopped (or its log dir went offline, with `why` saying so): it leaves every ISR, and
   * partitions it led elect a new leader.
   */
  onBrokerStopped(id: number, why = `broker ${id} stopped`): void {
    for (const t of this.metadata.allTopics()) {
      this.metadata.updatePartitions(t.name, (topic) => {
        const changed: number[] = [];
        topic.partitions.forEach((s, p) => {
          if (!s.replicas.includes(id)) return;
          if (s.leader === id) {
            const next = this.cleanCandidate(s, id);
            if (next >= 0) {
              s.isr = s.isr.filter((r) => r !== id);
              this.setLeader(topic, p, s, next, why);
            } else if (this.uncleanAllowed(topic)) {
              const any = s.replicas.find((r) => r !== id && this.isLive(r)) ?? -1;
              if (any >= 0) {
                s.isr = [any];
                this.setLeader(topic, p, s, any, `${why}; unclean election`);
              } else this.setLeader(topic, p, s, -1, why);
            } else this.setLeader(topic, p, s, -1, why);
            changed.push(p);
          } else if (s.isr.includes(id) && s.isr.length > 1) {
            s.isr = s.isr.filter((r) => r !== id);
            s.partitionEpoch++;
            changed.push(p);
          }
        });
        return changed;
      });
    }
  }

  /** A broker started: offline partitions it can lead get it as leader. */
  onBrokerStarted(id: number): void {
    for (const t of this.metadata.allTopics()) {
      this.metadata.updatePartitions(t.name, (topic) => {
        const changed: number[] = [];
        topic.partitions.forEach((s, p) => {
          if (s.leader >= 0 && this.isLive(s.leader)) return;
          if (!s.replicas.includes(id)) return;
          const next = this.cleanCandidate(s);
          if (next >= 0) {
            this.setLeader(topic, p, s, next, `broker ${id} started`);
            changed.push(p);
          } else if (this.uncleanAllowed(topic) && this.isLive(id)) {
            s.isr = [id];
            this.setLeader(topic, p, s, id, `broker ${id} started; unclean election`);
            changed.push(p);
          }
        });
        return changed;
      });
    }
  }

  /** A leader drops followers that fell behind (replica.lag.time.max.ms). */
  shrinkIsr(topic: string, partition: number, leaderId: number, leaderEpoch: number, remove: number[]): void {
    this.metadata.updatePartitions(topic, (t) => {
      const s = t.partitions[partition];
      if (!s || s.leader !== leaderId || s.leaderEpoch !== leaderEpoch) return [];
      const isr = s.isr.filter((r) => !remove.includes(r) || r === leaderId);
      if (isr.length === s.isr.length) return [];
      this.log.info(`Shrinking ISR of ${topic}-${partition} from ${JSON.stringify(s.isr)} to ${JSON.stringify(isr)} (out of sync: ${remove.join(',')})`);
      s.isr = isr;
      s.partitionEpoch++;
      return [partition];
    });
  }

  /** A leader adds a follower that caught up; a reassignment waiting for it may complete. */
  expandIsr(topic: string, partition: number, leaderId: number, leaderEpoch: number, add: number): void {
    this.metadata.updatePartitions(topic, (t) => {
      const s = t.partitions[partition];
      if (!s || s.leader !== leaderId || s.leaderEpoch !== leaderEpoch || s.isr.includes(add)) return [];
      // A fetch that was in flight when its broker stopped must not bring it back.
      if (!s.replicas.includes(add) || !this.isLive(add)) return [];
      s.isr = [...s.isr, add];
      s.partitionEpoch++;
      this.log.info(`Expanding ISR of ${topic}-${partition} to ${JSON.stringify(s.isr)}`);
      this.completeReassignmentIfReady(t, partition, s);
      return [partition];
    });
  }

  // ---- leader election ----

  /**
   * ElectLeaders. `partitions` null means every partition (preferred: those not led by their
   * preferred replica; unclean: those without a leader).
   */
  electLeaders(type: 'preferred' | 'unclean', partitions: PartitionRef[] | null): { topic: string; partition: number; error: ApiError }[] {
    const targets: PartitionRef[] =
      partitions ??
      this.metadata.allTopics().flatMap((t) =>
        t.partitions
          .map((s, partition) => ({ topic: t.name, partition, s }))
          .filter(({ s }) => (type === 'preferred' ? s.leader !== s.replicas[0] : s.leader < 0 || !this.isLive(s.leader)))
          .map(({ topic, partition }) => ({ topic, partition })),
      );
    return targets.map(({ topic, partition }) => {
      let error: ApiError = OK;
      const t = this.metadata.topic(topic);
      if (!t || !t.partitions[partition]) return { topic, partition, error: err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.') };
      this.metadata.updatePartitions(topic, (topicState) => {
        const s = topicState.partitions[partition]!;
        if (type === 'preferred') {
          const preferred = s.replicas[0]!;
          if (s.leader === preferred) error = err(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
          else if (!this.isLive(preferred) || !s.isr.includes(preferred)) {
            error = err(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, `Failed to elect leader for partition ${topic}-${partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy`);
          } else {
            this.setLeader(topicState, partition, s, preferred, 'preferred leader election');
            return [partition];
          }
          return [];
        }
        if (s.leader >= 0 && this.isLive(s.leader)) {
          error = err(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
          return [];
        }
        const clean = this.cleanCandidate(s);
        const chosen = clean >= 0 ? clean : (s.replicas.find((r) => this.isLive(r)) ?? -1);
        if (chosen < 0) {
          error = err(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, `Failed to elect leader for partition ${topic}-${partition} under strategy UncleanLeaderElectionStrategy`);
          return [];
        }
        if (!s.isr.includes(chosen)) s.isr = [chosen];
        this.setLeader(topicState, partition, s, chosen, clean >= 0 ? 'leader election' : 'unclean leader election');
        return [partition];
      });
      return { topic, partition, error };
    });
  }

  /**
   * Moves leadership back to preferred replicas for brokers whose share of lost leaderships is
   * above leader.imbalance.per.broker.percentage (auto.leader.rebalance.enable).
   */
  rebalanceLeaders(): void {
    const preferredOf = new Map<number, PartitionRef[]>();
    let imbalanced = 0;
    const counts = new Map<number, { total: number; lost: PartitionRef[] }>();
    for (const t of this.metadata.allTopics()) {
      t.partitions.forEach((s, partition) => {
        const preferred = s.replicas[0];
        if (preferred === undefined) return;
        const c = counts.get(preferred) ?? { total: 0, lost: [] };
        c.total++;
        if (s.leader !== preferred) c.lost.push({ topic: t.name, partition });
        counts.set(preferred, c);
      });
    }
    for (const [broker, c] of counts) {
      if (!this.isLive(broker) || c.total === 0) continue;
      if ((c.lost.length / c.total) * 100 > this.config.leaderImbalancePerBrokerPercentage) {
        preferredOf.set(broker, c.lost);
        imbalanced += c.lost.length;
      }
    }
    if (imbalanced === 0) return;
    const results = this.electLeaders('preferred', [...preferredOf.values()].flat());
    const moved = results.filter((r) => r.error.code === 0).length;
    if (moved > 0) this.log.info(`Moved leadership of ${moved} partition(s) back to their preferred replicas`);
  }

  // ---- reassignments ----

  listReassignments(only: PartitionRef[] | null): OngoingReassignment[] {
    const out: OngoingReassignment[] = [];
    for (const t of this.metadata.allTopics()) {
      t.partitions.forEach((s, partition) => {
        if (s.addingReplicas.length === 0 && s.removingReplicas.length === 0) return;
        if (only && !only.some((o) => o.topic === t.name && o.partition === partition)) return;
        out.push({ topic: t.name, partition, replicas: [...s.replicas], adding: [...s.addingReplicas], removing: [...s.removingReplicas] });
      });
    }
    return out;
  }

  /** Starts (replicas given) or cancels (null) the reassignment of one partition. */
  alterReassignment(topic: string, partition: number, target: number[] | null): ApiError {
    const t = this.metadata.topic(topic);
    const s = t?.partitions[partition];
    if (!t || !s) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    const reassigning = s.addingReplicas.length > 0 || s.removingReplicas.length > 0;
    if (target === null) {
      if (!reassigning) return err(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, `No ongoing reassignment for partition ${topic}-${partition}.`);
      this.metadata.updatePartitions(topic, (ts) => {
        const st = ts.partitions[partition]!;
        const adding = st.addingReplicas;
        st.replicas = st.replicas.filter((r) => !adding.includes(r));
        st.isr = st.isr.filter((r) => !adding.includes(r));
        st.addingReplicas = [];
        st.removingReplicas = [];
        st.partitionEpoch++;
        this.log.info(`Cancelled the reassignment of ${topic}-${partition}; replicas are ${JSON.stringify(st.replicas)} again`);
        if (!st.replicas.includes(st.leader)) this.setLeader(ts, partition, st, this.cleanCandidate(st), 'reassignment cancelled');
        return [partition];
      });
      return OK;
    }
    if (target.length === 0) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The replica assignment for ${topic}-${partition} is empty.`);
    if (new Set(target).size !== target.length) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate replica ids in partition ${topic}-${partition} reassignment replica list ${JSON.stringify(target)}`);
    const known = new Set(this.registeredBrokers());
    const unknown = target.filter((b) => !known.has(b));
    if (unknown.length) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${unknown[0]}, but no such broker is registered.`);
    this.metadata.updatePartitions(topic, (ts) => {
      const st = ts.partitions[partition]!;
      const original = st.replicas.filter((r) => !st.addingReplicas.includes(r));
      st.replicas = [...target, ...original.filter((r) => !target.includes(r))];
      st.addingReplicas = target.filter((r) => !original.includes(r));
      st.removingReplicas = original.filter((r) => !target.includes(r));
      st.isr = st.isr.filter((r) => st.replicas.includes(r));
      st.partitionEpoch++;
      if (st.addingReplicas.length || st.removingReplicas.length) {
        this.log.info(`Reassigning ${topic}-${partition} from ${JSON.stringify(original)} to ${JSON.stringify(target)} (adding ${JSON.stringify(st.addingReplicas)}, removing ${JSON.stringify(st.removingReplicas)})`);
      }
      this.completeReassignmentIfReady(ts, partition, st);
      // Same replicas in a new order: the preferred leader changed, nothing moves.
      if (st.addingReplicas.length === 0 && st.removingReplicas.length === 0) st.replicas = [...target];
      return [partition];
    });
    return OK;
  }

  /** Once every new replica is in the ISR, the old ones go and leadership follows the target. */
  private completeReassignmentIfReady(t: TopicState, partition: number, s: PartitionState): void {
    if (s.addingReplicas.length === 0 && s.removingReplicas.length === 0) return;
    if (!s.addingReplicas.every((r) => s.isr.includes(r))) return;
    const removing = s.removingReplicas;
    const target = s.replicas.filter((r) => !removing.includes(r));
    s.replicas = target;
    s.isr = s.isr.filter((r) => target.includes(r));
    s.addingReplicas = [];
    s.removingReplicas = [];
    s.partitionEpoch++;
    this.log.info(`Completed the reassignment of ${t.name}-${partition}: replicas ${JSON.stringify(target)}, ISR ${JSON.stringify(s.isr)}`);
    if (!target.includes(s.leader) || !this.isLive(s.leader)) this.setLeader(t, partition, s, this.cleanCandidate(s), 'reassignment completed');
  }
}
