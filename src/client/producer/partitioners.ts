/**
 * Partitioning as Kafka's Java producer does it: keyed records go to
 * toPositive(murmur2(key)) % partitions, so the same key lands on the same partition as with the
 * Java client; records without a key stick to one partition until a batch's worth of bytes went
 * there (KIP-480, as Kafka 3.3+ counts it: KIP-794). `partitioner.class` picks one of Kafka's
 * built-in partitioners by its Java class name (`RecordPartitioner` below).
 */

/** Kafka's murmur2 (seed 0x9747b28c), identical to org.apache.kafka.common.utils.Utils.murmur2. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // The last 1-3 bytes, as Java's fall-through switch mixes them.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export const toPositive = (n: number): number => n & 0x7fffffff;

/** The partition Kafka's Java producer picks for a key. */
export const partitionForKey = (key: Uint8Array, numPartitions: number): number => toPositive(murmur2(key)) % numPartitions;

/** Sticky choice for records without a key: one partition per topic until `next()` is called. */
export class StickyPartitioner {
  private readonly current = new Map<string, number>();

  partition(topic: string, numPartitions: number): number {
    let p = this.current.get(topic);
    if (p === undefined || p >= numPartitions) {
      p = Math.floor(Math.random() * numPartitions);
      this.current.set(topic, p);
    }
    return p;
  }

  /** Moves to another partition once the current one's batch has been sent. */
  next(topic: string, numPartitions: number, from: number): void {
    if (this.current.get(topic) !== from) return;
    if (numPartitions <= 1) return;
    let p = Math.floor(Math.random() * (numPartitions - 1));
    if (p >= from) p++;
    this.current.set(topic, p);
  }
}

/** partitioner.class: the Java class names of Kafka's built-in partitioners, and what each means here. */
export const PARTITIONER_CLASSES: Readonly<Record<string, PartitionerKind>> = {
  'org.apache.kafka.clients.producer.RoundRobinPartitioner': 'round-robin',
  'org.apache.kafka.clients.producer.UniformStickyPartitioner': 'uniform-sticky',
  'org.apache.kafka.clients.producer.internals.DefaultPartitioner': 'default',
};

export type PartitionerKind = 'default' | 'round-robin' | 'uniform-sticky';

/** Kafka's warnings for its deprecated partitioner classes (KafkaProducer logs them at start). */
export const PARTITIONER_DEPRECATION: Readonly<Partial<Record<string, string>>> = {
  'org.apache.kafka.clients.producer.UniformStickyPartitioner':
    "UniformStickyPartitioner is deprecated.  Please clear partitioner.class configuration setting and set partitioner.ignore.keys to 'true' instead to get the uniform sticky partitioning behavior",
  'org.apache.kafka.clients.producer.internals.DefaultPartitioner': 'DefaultPartitioner is deprecated.  Please clear partitioner.class configuration setting to get the default partitioning behavior',
};

export interface PartitionerOptions {
  /** partitioner.class, as a kind (default: the built-in partitioner). */
  kind?: PartitionerKind;
  /** partitioner.ignore.keys: keyed records are spread as unkeyed ones (built-in partitioner only). */
  ignoreKeys?: boolean;
  /** partitioner.adaptive.partitioning.enable: a sticky switch favours partitions with shorter queues. */
  adaptive?: boolean;
  /** batch.size: the bytes a sticky partition takes before the producer moves on. */
  batchSize?: number;
  /**
   * partitioner.availability.timeout.ms (KIP-794): with adaptive partitioning, a sticky switch
   * skips partitions whose leader has not taken produce requests for this long (0: off).
   */
  availabilityTimeoutMs?: number;
}

/** What the partitioner may know of a topic's partitions. */
export interface PartitionView {
  /** Whether the partition has a leader in the producer's metadata (Kafka's "available" partitions). */
  available(topic: string, partition: number): boolean;
  /** Batches queued for the partition (adaptive partitioning favours short queues). */
  queued(topic: string, partition: number): number;
  /** Whether the partition's leader has had batches ready and taken none for longer than `ms`. */
  stalled?(topic: string, partition: number, ms: number): boolean;
}

/**
 * The producer's choice of partition for a record that names none, per partitioner.class:
 * - the built-in partitioner: murmur2 of the key; records without a key (or all, with
 *   partitioner.ignore.keys) stick to one partition until batch.size bytes went there, then move
 *   to another chosen at random among partitions with a leader — weighted towards short queues
 *   when partitioner.adaptive.partitioning.enable is on (KIP-794);
 * - RoundRobinPartitioner: every record (keyed or not) to the next partition with a leader, per
 *   topic. Kafka's own class skips a partition whenever a record starts a new batch (it is asked
 *   twice, KAFKA-9965), so its spread is uneven; kafka-ts asks once, so 3,000 records over 3
 *   partitions land exactly 1,000 on each;
 * - UniformStickyPartitioner (deprecated): the sticky choice for every record, keys ignored.
 */
/** A record batch's header, and the accumulator's estimate of a record's bytes beyond its payload. */
const BATCH_HEADER = 61;
const RECORD_ESTIMATE = 24;

export class RecordPartitioner {
  private readonly kind: PartitionerKind;
  private readonly ignoreKeys: boolean;
  private readonly adaptive: boolean;
  private readonly batchSize: number;
  private readonly availabilityTimeoutMs: number;
  private readonly counters = new Map<string, number>();
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();
  private lastTopic: string | null = null;
  private lastSticky: { partition: number; bytes: number } | undefined;

  constructor(
    opts: PartitionerOptions,
    private readonly view: PartitionView,
    private readonly random: () => number = Math.random,
  ) {
    this.kind = opts.kind ?? 'default';
    this.ignoreKeys = this.kind === 'uniform-sticky' || (opts.ignoreKeys ?? false);
    this.adaptive = opts.adaptive ?? true;
    this.batchSize = Math.max(1, opts.batchSize ?? 16384);
    this.availabilityTimeoutMs = opts.availabilityTimeoutMs ?? 0;
  }

  /**
   * The partition for a record of `size` payload bytes. A sticky partition takes records while
   * their estimated batch (header plus the accumulator's per-record estimate) fits batch.size, so
   * it gets one full batch before the producer moves on.
   */
  partition(topic: string, key: Uint8Array | null | undefined, numPartitions: number, size: number): number {
    if (this.kind === 'round-robin') return this.roundRobin(topic, numPartitions);
    if (key && !this.ignoreKeys) return partitionForKey(key, numPartitions);
    const bytes = RECORD_ESTIMATE + size;
    // The last topic's state without a lookup: a console producer asks a million times in a row.
    let s = topic === this.lastTopic ? this.lastSticky : this.sticky.get(topic);
    if (!s || s.partition >= numPartitions || (s.bytes > BATCH_HEADER && s.bytes + bytes > this.batchSize)) {
      s = { partition: this.nextSticky(topic, numPartitions), bytes: BATCH_HEADER };
      this.sticky.set(topic, s);
    }
    this.lastTopic = topic;
    this.lastSticky = s;
    s.bytes += bytes;
    return s.partition;
  }

  private availableOf(topic: string, numPartitions: number): number[] {
    const out: number[] = [];
    for (let p = 0; p < numPartitions; p++) if (this.view.available(topic, p)) out.push(p);
    return out;
  }

  private roundRobin(topic: string, numPartitions: number): number {
    const n = this.counters.get(topic) ?? 0;
    this.counters.set(topic, (n + 1) | 0);
    const available = this.availableOf(topic, numPartitions);
    const i = n & 0x7fffffff;
    return available.length > 0 ? available[i % available.length]! : i % numPartitions;
  }

  private nextSticky(topic: string, numPartitions: number): number {
    let available = this.availableOf(topic, numPartitions);
    // KIP-794: with adaptive partitioning, partitions whose leader stalls are left out (unless all are).
    const timeout = this.availabilityTimeoutMs;
    if (this.adaptive && timeout > 0 && this.view.stalled) {
      const live = available.filter((p) => !this.view.stalled!(topic, p, timeout));
      if (live.length > 0) available = live;
    }
    const choices = available.length > 0 ? available : [...Array(numPartitions).keys()];
    if (!this.adaptive || choices.length === 1) return choices[Math.floor(this.random() * choices.length)]!;
    // KIP-794: weight each partition by (longest queue + 1 - its queue), so short queues get more.
    const queues = choices.map((p) => this.view.queued(topic, p));
    const max = Math.max(...queues);
    const weights = queues.map((q) => max + 1 - q);
    let r = this.random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < choices.length; i++) {
      r -= weights[i]!;
      if (r < 0) return choices[i]!;
    }
    return choices[choices.length - 1]!;
  }
}
