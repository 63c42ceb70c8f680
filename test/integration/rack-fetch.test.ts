/**
 * Racks and follower fetching (KIP-392) in one in-process cluster of three brokers in racks a, b
 * and c with the rack-aware replica selector: racks in Metadata, the leader's
 * preferred_read_replica for a consumer in a follower's rack, the follower serving up to its high
 * watermark (and OFFSET_OUT_OF_RANGE past its log end), our fetcher following the preferred
 * replica, and the settings' checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import type { KafkaClient } from '../../src/client/client.js';
import { Fetch, type FetchResponse } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { selectReadReplica } from '../../src/broker/replica-selector.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let cluster: TestBroker;
let client: KafkaClient;
let admin: Admin;
const TOPIC = 'racked';
const N = 200;

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const state = () => cluster.cluster.metadata.topic(TOPIC)!.partitions[0]!;
const replicaOn = (id: number) => cluster.cluster.broker(id)!.replica(TOPIC, 0)!;
const rackOfId = (id: number) => ['a', 'b', 'c'][id - 1]!;

beforeAll(async () => {
  cluster = await startBroker({
    properties: {
      'kafka-ts.brokers': '3',
      'kafka-ts.broker.racks': 'a,b,c',
      'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
      'auto.leader.rebalance.enable': 'false',
      'replica.fetch.backoff.ms': '100',
    },
  });
  client = cluster.client();
  admin = new Admin(client);
  const [res] = await admin.createTopics([{ name: TOPIC, partitions: 1, replicationFactor: 3 }]);
  expect(res!.error).toBeNull();
  const producer = new Producer(client, { acks: -1, lingerMs: 2 });
  await Promise.all(Array.from({ length: N }, (_, i) => producer.send({ topic: TOPIC, partition: 0, value: Buffer.from(`v${i}`) })));
  await producer.close();
  // Every follower has everything and knows the high watermark.
  await waitUntil('the followers to catch up', () => state().isr.length === 3 && [1, 2, 3].every((id) => replicaOn(id).highWatermark === N));
}, 60_000);
afterAll(async () => cluster?.close());

async function rawFetch(broker: number, fetchOffset: number, rackId: string, version?: number): Promise<FetchResponse['responses'][number]['partitions'][number]> {
  const { body } = await client.send(
    broker,
    Fetch,
    {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: TOPIC, topicId: cluster.cluster.metadata.topic(TOPIC)!.id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId,
    },
    version === undefined ? {} : { maxVersion: version },
  );
  return body.responses[0]!.partitions[0]!;
}

describe('racks and follower fetching (KIP-392)', () => {
  it('Metadata and DescribeCluster carry each broker rack', async () => {
    const md = await client.refreshMetadata([TOPIC]);
    expect([...md.brokers.values()].map((b) => [b.nodeId, b.rack]).sort()).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const described = await admin.describeCluster();
    expect(described.brokers.map((b) => [b.nodeId, b.rack]).sort()).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it("the leader sends a consumer in a follower's rack to that follower, which serves it", async () => {
    const { leader } = state();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const toFollower = await rawFetch(leader, 0, rackOfId(follower));
    expect(toFollower.errorCode).toBe(0);
    expect(toFollower.preferredReadReplica).toBe(follower);
    expect(toFollower.records?.length ?? 0).toBe(0);
    // In the leader's own rack, or without a rack: the leader serves, no redirection.
    const local = await rawFetch(leader, 0, rackOfId(leader));
    expect(local.preferredReadReplica).toBe(-1);
    expect(local.records!.length).toBeGreaterThan(0);
    expect((await rawFetch(leader, 0, '')).preferredReadReplica).toBe(-1);
    expect((await rawFetch(leader, 0, 'nowhere')).preferredReadReplica).toBe(-1);

    const before = cluster.cluster.broker(follower)!.consumerFetches.asFollower.partitionFetches;
    const served = await rawFetch(follower, 0, rackOfId(follower));
    expect(served.errorCode).toBe(0);
    expect(served.highWatermark).toBe(N);
    expect(served.records!.length).toBeGreaterThan(0);
    expect(cluster.cluster.broker(follower)!.consumerFetches.asFollower.partitionFetches).toBe(before + 1);
    // At the follower's high watermark: nothing yet; past its log end: out of range there.
    expect((await rawFetch(follower, N, rackOfId(follower))).errorCode).toBe(0);
    expect((await rawFetch(follower, N + 5, rackOfId(follower))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // Before v11 only the leader serves consumers.
    expect((await rawFetch(follower, 0, '', 10)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('our fetcher with client.rack reads every record once, from the follower in its rack', async () => {
    const { leader } = state();
    const follower = [1, 2, 3].find((id) => id !== leader)!;
    const counters = cluster.cluster.broker(follower)!.consumerFetches;
    const before = counters.asFollower.bytes;
    const fetcher = new Fetcher(client, { maxWaitMs: 50, rackId: rackOfId(follower), maxPartitionBytes: 512 });
    await fetcher.assign([{ topic: TOPIC, partition: 0, start: 'earliest', stopAt: N }]);
    const offsets: number[] = [];
    const deadline = Date.now() + 20_000;
    while (!fetcher.allAtEnd() && Date.now() < deadline) for (const c of await fetcher.poll()) offsets.push(...c.records.map((r) => r.offset));
    fetcher.close();
    expect(offsets).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(counters.asFollower.bytes).toBeGreaterThan(before);
  });
});

describe('rack settings', () => {
  const build = (props: Record<string, string>) => () => buildBrokerConfig('/nonexistent', props);
  it('refuses a custom selector class, a wrong number of racks and an empty rack', () => {
    expect(build({ 'replica.selector.class': 'com.example.Nearest' })).toThrow(/Invalid value com\.example\.Nearest for configuration replica\.selector\.class: .*replica selectors are Java classes/);
    expect(build({ 'kafka-ts.brokers': '3', 'kafka-ts.broker.racks': 'a,b' })).toThrow(/2 rack\(s\) given for 3 broker\(s\)/);
    expect(build({ 'kafka-ts.broker.racks': 'a,,b' })).toThrow(/one non-empty rack per broker/);
    expect(build({ 'broker.rack': 'a', 'replica.selector.class': 'org.apache.kafka.common.replica.LeaderSelector' })).not.toThrow();
    // Known keys: no "supplied but isn't a known config" warning.
    expect(buildBrokerConfig('/nonexistent', { 'kafka-ts.brokers': '3', 'kafka-ts.broker.racks': 'a,b,c', 'broker.rack': 'z', 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' }).warnings).toEqual([]);
  });

  it("picks Kafka's RackAwareReplicaSelector choice", () => {
    const leader = { id: 1, rack: 'a', logEndOffset: 10, lastCaughtUpMs: 100 };
    const b2 = { id: 2, rack: 'b', logEndOffset: 8, lastCaughtUpMs: 90 };
    const b3 = { id: 3, rack: 'b', logEndOffset: 10, lastCaughtUpMs: 80 };
    expect(selectReadReplica('b', leader, [b2, b3])).toBe(3);
    expect(selectReadReplica('a', leader, [b2, b3])).toBe(1);
    expect(selectReadReplica('', leader, [b2, b3])).toBe(1);
    expect(selectReadReplica('z', leader, [b2, b3])).toBe(1);
  });
});
