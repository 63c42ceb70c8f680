/**
 * Partition reassignments through the admin API (KIP-455): list ongoing ones, start or cancel.
 */
import {
  AlterPartitionReassignments,
  type AlterPartitionReassignmentsResponse,
  ListPartitionReassignments,
  type ListPartitionReassignmentsResponse,
} from '../protocol/apis/index.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** Ongoing reassignments (all, or of the given partitions), sorted by topic and partition. */
export async function listReassignments(client: KafkaClient, only?: { topic: string; partition: number }[]): Promise<OngoingReassignment[]> {
  let topics: { name: string; partitionIndexes: number[] }[] | null = null;
  if (only) {
    const byTopic = new Map<string, number[]>();
    for (const p of only) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  }
  const { body } = await client.send<ListPartitionReassignmentsResponse>('controller', ListPartitionReassignments, { timeoutMs: client.requestTimeoutMs, topics });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  const out: OngoingReassignment[] = [];
  for (const t of body.topics) {
    for (const p of t.partitions) {
      out.push({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas, adding: p.addingReplicas, removing: p.removingReplicas });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/**
 * Starts (replicas given) or cancels (replicas null) reassignments. Returns per-partition errors;
 * a top-level error is thrown.
 */
export async function alterReassignments(
  client: KafkaClient,
  changes: { topic: string; partition: number; replicas: number[] | null }[],
): Promise<{ topic: string; partition: number; error: KafkaProtocolError | null }[]> {
  const byTopic = new Map<string, { partitionIndex: number; replicas: number[] | null }[]>();
  for (const c of changes) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), { partitionIndex: c.partition, replicas: c.replicas }]);
  const { body } = await client.send<AlterPartitionReassignmentsResponse>('controller', AlterPartitionReassignments, {
    timeoutMs: client.requestTimeoutMs,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  return body.responses.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: p.errorCode ? new KafkaProtocolError(p.errorCode, p.errorMessage) : null })),
  );
}
