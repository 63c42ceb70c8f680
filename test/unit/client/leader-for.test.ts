/**
 * KafkaClient.leaderFor and a stopped broker: a cached leader that the cluster no longer lists
 * (a brokers-only metadata refresh dropped it and kept the topics) is looked up again, instead of
 * being returned until it comes back ('Unknown broker id 1' on every request to it).
 */
import { expect, it } from 'vitest';
import { KafkaClient, type ClusterInfo, type TopicInfo } from '../../../src/client/client.js';

const broker = (nodeId: number) => [nodeId, { nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null }] as const;
const topic = (leader: number): TopicInfo => ({
  name: 't',
  id: Buffer.alloc(16),
  internal: false,
  errorCode: 0,
  partitions: [{ partition: 0, errorCode: 0, leader, leaderEpoch: leader, replicas: [1, 2], isr: [leader], offline: [] }],
});

/** A client whose cache says `cached`, and whose metadata refreshes answer with leader 2 among brokers 2 and 3. */
function client(cached: ClusterInfo) {
  const c = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port: 1 }] });
  c.cluster = cached;
  const refreshed: (string[] | null)[] = [];
  c.refreshMetadata = async (topics) => {
    refreshed.push(topics);
    c.cluster = { ...c.cluster, brokers: new Map([broker(2), broker(3)]), topics: new Map([['t', topic(2)]]) };
    return c.cluster;
  };
  return { c, refreshed };
}

it('looks the topic up again when its cached leader is no longer among the brokers', async () => {
  const { c, refreshed } = client({ clusterId: null, controllerId: 2, brokers: new Map([broker(2), broker(3)]), topics: new Map([['t', topic(1)]]) });
  expect(await c.leaderFor('t', 0)).toBe(2);
  expect(refreshed).toEqual([['t']]);
});

it('answers from the cache while the cached leader is listed', async () => {
  const { c, refreshed } = client({ clusterId: null, controllerId: 1, brokers: new Map([broker(1), broker(2), broker(3)]), topics: new Map([['t', topic(1)]]) });
  expect(await c.leaderFor('t', 0)).toBe(1);
  expect(refreshed).toEqual([]);
});
