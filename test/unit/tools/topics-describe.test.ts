/**
 * topics --describe during a reassignment, as Kafka's TopicCommand: the replication factor is the
 * replicas minus those being added (getReplicationFactor), and --under-replicated-partitions
 * compares the ISR with that (isUnderReplicated), so a move of r-0 from [1] to [2,3] shows
 * ReplicationFactor: 1 and is not under-replicated while 1 is in sync.
 */
import { describe, expect, it } from 'vitest';
import { describeLines, type PartitionView, type TopicView } from '../../../src/tools/topics.js';

const partition = (over: Partial<PartitionView>): PartitionView => ({ partition: 0, leader: 1, replicas: [1], isr: [1], adding: [], removing: [], elr: [], lastKnownElr: [], ...over });
const topic = (p: PartitionView): TopicView => ({ name: 'r', id: null, internal: false, partitionCount: 1, replicationFactor: p.replicas.length - p.adding.length, configs: {}, partitions: [p] });

describe('topics --describe during a reassignment', () => {
  const moving = partition({ replicas: [2, 3, 1], adding: [2, 3], removing: [1] });
  const live = new Set([1, 2, 3]);
  const minIsr = new Map([['r', 1]]);

  it('prints the adding and removing replicas', () => {
    expect(describeLines([topic(moving)], {}, live, minIsr)).toEqual([
      'Topic: r\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: ',
      '\tTopic: r\tPartition: 0\tLeader: 1\tReplicas: 2,3,1\tIsr: 1\tAdding Replicas: 2,3\tRemoving Replicas: 1\tElr: \tLastKnownElr: ',
    ]);
  });

  it('is not under-replicated while the replicas it moves away from are in sync; is when one of them is not', () => {
    expect(describeLines([topic(moving)], { underReplicated: true }, live, minIsr)).toEqual([]);
    const widening = partition({ replicas: [1, 2, 3], isr: [1], adding: [3], removing: [] });
    expect(describeLines([topic(widening)], { underReplicated: true }, live, minIsr)).toHaveLength(1);
  });
});
