/**
 * The metadata quorum as DescribeQuorum (55) reports it for the daemon. Every logical broker runs
 * in combined mode (broker and controller in one process, as `process.roles=broker,controller`),
 * so every broker is a voter and the controller is the quorum's leader. The brokers share the
 * metadata in memory, so a running voter is always caught up; a stopped one stays at the log end
 * offset it had when it stopped, and catches up when it starts again. The leader epoch counts
 * changes of controller since the daemon started (it is not persisted: the daemon has no Raft
 * election to number).
 */

export interface QuorumReplica {
  replicaId: number;
  logEndOffset: number;
  /** When the leader last heard from the replica (ms since the epoch), -1 if never. */
  lastFetchTimestamp: number;
  /** When the replica was last caught up with the leader, -1 if never. */
  lastCaughtUpTimestamp: number;
}

export interface QuorumView {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: QuorumReplica[];
  observers: QuorumReplica[];
}

export class QuorumTracker {
  private leader = -1;
  private epoch = 0;
  private readonly stopped = new Map<number, { offset: number; at: number }>();

  /** Call after any broker starts or stops: a new controller is a new leader epoch. */
  leaderIs(id: number): void {
    if (id === this.leader) return;
    this.leader = id;
    if (id >= 0) this.epoch++;
  }

  brokerStopped(id: number, logEndOffset: number, now = Date.now()): void {
    this.stopped.set(id, { offset: logEndOffset, at: now });
  }

  brokerStarted(id: number): void {
    this.stopped.delete(id);
  }

  view(brokerIds: readonly number[], highWatermark: number, now = Date.now()): QuorumView {
    const voters = brokerIds.map((id): QuorumReplica => {
      const s = this.stopped.get(id);
      return s
        ? { replicaId: id, logEndOffset: s.offset, lastFetchTimestamp: s.at, lastCaughtUpTimestamp: s.offset === highWatermark ? now : s.at }
        : { replicaId: id, logEndOffset: highWatermark, lastFetchTimestamp: now, lastCaughtUpTimestamp: now };
    });
    return { leaderId: this.leader, leaderEpoch: this.epoch, highWatermark, voters, observers: [] };
  }
}
