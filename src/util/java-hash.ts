/**
 * Java's String.hashCode (over UTF-16 code units, int32 arithmetic) and Kafka's Utils.abs,
 * which maps Integer.MIN_VALUE to 0. Kafka places a group's records in partition
 * abs(hash(groupId)) % offsets.topic.num.partitions of __consumer_offsets.
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export const kafkaAbs = (n: number): number => (n === -2147483648 ? 0 : Math.abs(n));

export const offsetsPartitionFor = (groupId: string, partitions: number): number => kafkaAbs(javaStringHashCode(groupId)) % partitions;
