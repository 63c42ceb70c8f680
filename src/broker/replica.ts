/**
 * One partition replica hosted by one logical broker: its log, its high watermark and, when it
 * leads, the progress of its followers. Waiters (long-polling fetches, acks=all produces, a
 * DeleteRecords waiting for the followers) are woken whenever the log end, the high watermark, a
 * follower's log start or the replica's role moves.
 */
import type { PartitionLog } from '../storage/log-store.js';
import { ProducerStateTable } from './producer-state.js';

export interface FollowerProgress {
  logEndOffset: number;
  /** Last time the follower was known to have everything the leader had (Kafka's rule below). */
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** The leader's log end when the follower last fetched. */
  leaderEndAtLastFetch: number;
  /** The follower's log start offset as its last fetch reported it (-1 before Fetch v5). */
  logStartOffset: number;
}

export class PartitionReplica {
  highWatermark: number;
  /** Idempotent producers' recent batches, derived from the log and its snapshots. */
  readonly producers: ProducerStateTable;
  /** Follower progress, kept by the leader (broker id -> progress). */
  readonly followers = new Map<number, FollowerProgress>();
  private readonly waiters = new Set<() => void>();

  /** topic-partition, as the broker's map of replicas is keyed (made once: passes over every partition look it up). */
  readonly key: string;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    /** The checkpointed high watermark, when the broker has one for this partition. */
    checkpointed?: number,
    producerIdExpirationMs?: number,
    /** Where warnings about its producer state go (the broker's log). */
    warn?: (message: string) => void,
  ) {
    // Without a checkpoint the replica serves what it has; with one it starts from what was
    // known to be committed, and leading or following moves it on from there.
    this.highWatermark = checkpointed === undefined ? log.logEndOffset() : Math.min(checkpointed, log.logEndOffset());
    this.producers = new ProducerStateTable(log, producerIdExpirationMs, warn);
    this.key = `${topic}-${partition}`;
  }


  logEndOffset(): number {
    return this.log.logEndOffset();
  }

  logStartOffset(): number {
    return this.log.logStartOffset();
  }

  /**
   * Recomputes the high watermark as the smallest log end offset over the in-sync replicas
   * (the leader itself included). Returns true when it moved.
   */
  updateHighWatermark(isr: readonly number[], selfId: number): boolean {
    let hw = this.log.logEndOffset();
    for (const id of isr) {
      if (id !== selfId) hw = Math.min(hw, this.followers.get(id)?.logEndOffset ?? this.highWatermark);
    }
    // The high watermark never moves backwards on a leader.
    if (hw <= this.highWatermark) return false;
    this.highWatermark = hw;
    this.notify();
    return true;
  }

  /**
   * The low watermark DeleteRecords answers (Kafka's lowWatermarkIfLeader): the smallest log start
   * offset over the leader and its followers on live brokers, as they last reported it (-1 for
   * one not heard from since this broker took the lead).
   */
  lowWatermark(replicas: readonly number[], leaderId: number, isLive: (brokerId: number) => boolean): number {
    let low = this.log.logStartOffset();
    for (const id of replicas) {
      if (id !== leaderId && isLive(id)) low = Math.min(low, this.followers.get(id)?.logStartOffset ?? -1);
    }
    return low;
  }

  /** Sets the high watermark directly (followers learn it from their leader). */
  setHighWatermark(hw: number): void {
    const bounded = Math.min(hw, this.log.logEndOffset());
    if (bounded !== this.highWatermark) {
      this.highWatermark = bounded;
      this.notify();
    }
  }

  /** Wakes everything waiting on this partition. */
  notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** How many requests (fetches, acks=all produces) are waiting on this partition; for tests. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Registers a one-shot wake-up; returns a function that cancels it. */
  onChange(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }
}
