/**
 * Kafka's rack-unaware replica placement: partition p's first replica is broker
 * (p + start) % n, and the others follow at a shift that grows every n partitions, so replicas
 * spread evenly and leaders rotate. Used by the broker for new topics and by reassign-partitions
 * --generate.
 */
export function placeReplicas(
  brokers: readonly number[],
  partitions: number,
  replicationFactor: number,
  firstPartition = 0,
  random: () => number = Math.random,
  fixedStart?: number,
): number[][] {
  const n = brokers.length;
  if (replicationFactor > n) throw new RangeError(`replication factor ${replicationFactor} larger than available brokers ${n}`);
  const start = fixedStart ?? Math.floor(random() * n);
  let shift = fixedStart ?? Math.floor(random() * n);
  const out: number[][] = [];
  for (let i = 0; i < partitions; i++) {
    const p = firstPartition + i;
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const replicas = [brokers[first]!];
    for (let j = 1; j < replicationFactor; j++) {
      replicas.push(brokers[(first + 1 + ((shift + j - 1) % (n - 1))) % n]!);
    }
    out.push(replicas);
  }
  return out;
}
