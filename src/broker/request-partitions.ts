/**
 * A request's partitions the way Kafka reads them: into a map, so a partition named twice counts
 * once, with what its last mention carries. KafkaApis.handleProduceRequest collects the batches in
 * a map (authorizedRequestInfo) and answers from it, one entry per partition, grouped by topic;
 * FetchRequest.fetchData is a LinkedHashMap (the first mention keeps its place, the last one's
 * fetch offset and limits win) whose response groups consecutive partitions of one topic.
 */

export interface TopicShape<T, P> {
  /** Names the topic: its name, or its id. */
  key(topic: T): string;
  partitions(topic: T): readonly P[];
  partition(p: P): number;
  /** The topic with these partitions in place of its own. */
  with(topic: T, partitions: P[]): T;
  /** Produce: a topic named twice is answered as one topic. Fetch: consecutive mentions only. */
  mergeTopics: boolean;
}

/** `topics` with every (topic, partition) once; the same array when nothing repeats. */
export function lastMentionWins<T, P>(topics: readonly T[], shape: TopicShape<T, P>): readonly T[] {
  // The usual request of one topic and one partition (a client's produce or fetch) repeats nothing.
  if (topics.length === 0 || (topics.length === 1 && shape.partitions(topics[0]!).length <= 1)) return topics;
  if (!repeats(topics, shape)) return topics;
  const entries = new Map<string, { topic: T; partition: P }>();
  for (const t of topics) {
    const k = shape.key(t);
    for (const p of shape.partitions(t)) {
      const id = `${k}\u0000${shape.partition(p)}`;
      const seen = entries.get(id);
      if (seen) seen.partition = p;
      else entries.set(id, { topic: t, partition: p });
    }
  }
  const groups: { key: string; topic: T; partitions: P[] }[] = [];
  const byKey = new Map<string, { key: string; topic: T; partitions: P[] }>();
  for (const { topic, partition } of entries.values()) {
    const k = shape.key(topic);
    const tail = groups[groups.length - 1];
    const group = shape.mergeTopics ? byKey.get(k) : tail?.key === k ? tail : undefined;
    if (group) group.partitions.push(partition);
    else {
      const fresh = { key: k, topic, partitions: [partition] };
      groups.push(fresh);
      byKey.set(k, fresh);
    }
  }
  return groups.map((g) => shape.with(g.topic, g.partitions));
}

/** Whether a partition (or, where topics merge, a topic) is named twice. */
function repeats<T, P>(topics: readonly T[], shape: TopicShape<T, P>): boolean {
  const seen = new Set<string>();
  const seenTopics = new Set<string>();
  for (const t of topics) {
    const k = shape.key(t);
    if (shape.mergeTopics) {
      if (seenTopics.has(k)) return true;
      seenTopics.add(k);
    }
    for (const p of shape.partitions(t)) {
      const id = `${k}\u0000${shape.partition(p)}`;
      if (seen.has(id)) return true;
      seen.add(id);
    }
  }
  return false;
}
