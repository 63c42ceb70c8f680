/**
 * Replication throttles, as Kafka applies them during reassignments: a byte rate per broker
 * (`leader.replication.throttled.rate` for what a leader sends, `follower.replication.throttled.rate`
 * for what a follower receives, set as dynamic broker configs) that applies only to the replicas
 * listed in a topic's `leader.replication.throttled.replicas` / `follower.replication.throttled.replicas`
 * ("partition:broker,…" or "*").
 */
import type { ClusterMetadata, TopicState } from '../metadata/cluster-metadata.js';

/**
 * A token bucket allowing debt: a transfer may overdraw it, and the next one waits until the
 * balance is positive again, so the long-run rate is the configured one even with large batches.
 */
export class RateLimiter {
  private tokens = 0;
  private last: number;

  constructor(
    private rate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** Changes the rate; the balance carries over. */
  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
  }

  private refill(): void {
    const t = this.now();
    // At most one second of unused rate accumulates (a short burst after an idle spell).
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Milliseconds until a transfer may start (0: now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  consume(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** A broker's configured rate for one direction, or null when it is not throttled. */
export function throttleRate(metadata: ClusterMetadata, brokerId: number, direction: 'leader' | 'follower'): number | null {
  const key = `${direction}.replication.throttled.rate`;
  const raw = metadata.brokerConfigs[String(brokerId)]?.[key] ?? metadata.brokerConfigs['']?.[key];
  if (raw === undefined) return null;
  const rate = Number(raw);
  return Number.isFinite(rate) && rate > 0 && rate < UNLIMITED ? rate : null;
}

/** Whether `broker`'s replica of `partition` is listed in the topic's throttled replicas for `direction`. */
export function isThrottledReplica(topic: TopicState, partition: number, brokerId: number, direction: 'leader' | 'follower'): boolean {
  const list = topic.configs[`${direction}.replication.throttled.replicas`];
  if (!list) return false;
  if (list.trim() === '*') return true;
  return list.split(',').some((entry) => {
    const [p, b] = entry.split(':').map((x) => Number(x.trim()));
    return p === partition && b === brokerId;
  });
}

/** The per-broker limiters, kept in step with the dynamic configs. */
export class BrokerThrottles {
  private readonly limiters = new Map<'leader' | 'follower', RateLimiter>();

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly brokerId: number,
  ) {}

  /** The limiter for a direction, or null when the broker has no throttle set. */
  limiter(direction: 'leader' | 'follower'): RateLimiter | null {
    const rate = throttleRate(this.metadata, this.brokerId, direction);
    if (rate === null) {
      this.limiters.delete(direction);
      return null;
    }
    let l = this.limiters.get(direction);
    if (!l) this.limiters.set(direction, (l = new RateLimiter(rate)));
    else l.setRate(rate);
    return l;
  }
}
