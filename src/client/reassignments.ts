/**
 * Where partitions live, through the admin API: reassignments (KIP-455: list ongoing ones, start
 * or cancel), leader elections (KIP-460) and replica sizes per broker (DescribeLogDirs).
 */
import {
  AlterPartitionReassignments,
  DescribeLogDirs,
  type DescribeLogDirsResponse,
  ElectLeaders,
  ListPartitionReassignments,
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
  const { body } = await client.send('controller', ListPartitionReassignments, { timeoutMs: client.requestTimeoutMs, topics });
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
  const { body } = await client.send('controller', AlterPartitionReassignments, {
    timeoutMs: client.requestTimeoutMs,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  return body.responses.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, error: p.errorCode ? new KafkaProtocolError(p.errorCode, p.errorMessage) : null })),
  );
}

/** Runs a preferred or unclean election; returns the per-partition outcome. */
export async function electLeaders(
  client: KafkaClient,
  type: 'preferred' | 'unclean',
  partitions: { topic: string; partition: number }[] | null,
  timeoutMs = 30_000,
): Promise<{ topic: string; partition: number; error: KafkaProtocolError | null }[]> {
  let topicPartitions: { topic: string; partitions: number[] }[] | null = null;
  if (partitions) {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    topicPartitions = [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps }));
  }
  const { body, version } = await client.send('controller', ElectLeaders, { electionType: type === 'unclean' ? 1 : 0, topicPartitions, timeoutMs });
  if (type === 'unclean' && version < 1) throw new KafkaProtocolError(35, 'The broker does not support unclean leader election through the admin API (ElectLeaders v1)');
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
  return body.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => ({ topic: t.topic, partition: p.partitionId, error: p.errorCode ? new KafkaProtocolError(p.errorCode, p.errorMessage) : null })),
  );
}

/** The size in bytes of each replica on each of `brokerIds` (topic-partition -> broker -> bytes). */
export async function replicaSizes(client: KafkaClient, brokerIds: number[], only: { topic: string; partition: number }[] | null = null): Promise<Map<string, Map<number, number>>> {
  let topics: { topic: string; partitions: number[] }[] | null = null;
  if (only) {
    const byTopic = new Map<string, number[]>();
    for (const p of only) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }
  const out = new Map<string, Map<number, number>>();
  await Promise.all(
    brokerIds.map(async (id) => {
      let body: DescribeLogDirsResponse;
      try {
        ({ body } = await client.send(id, DescribeLogDirs, { topics }));
      } catch {
        return; // a broker that is down reports nothing
      }
      for (const dir of body.results) {
        for (const t of dir.topics) {
          for (const p of t.partitions) {
            const key = `${t.name}-${p.partitionIndex}`;
            if (!out.has(key)) out.set(key, new Map());
            out.get(key)!.set(id, p.partitionSize);
          }
        }
      }
    }),
  );
  return out;
}
