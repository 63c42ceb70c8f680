/**
 * Partitioning as Kafka's Java producer does it: keyed records go to
 * toPositive(murmur2(key)) % partitions, so the same key lands on the same partition as with the
 * Java client; records without a key stick to one partition until its batch is sent (KIP-480).
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
