/**
 * Requests that size work from client input are refused before anything is allocated: a
 * CreateTopics or CreatePartitions asking for 100,000,000 partitions once held the event loop for
 * ~45 s and ran the daemon out of heap (issue 14, point 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { DescribeConfigs, Metadata, type DescribeConfigsResponse, type MetadataResponse } from '../../src/protocol/apis/index.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const HUGE = 100_000_000;
/** Generous: the refusal takes a millisecond or two; an allocation of HUGE partitions takes tens of seconds. */
const QUICK_MS = 2000;

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await f();
  return { value, ms: performance.now() - start };
}

describe('partition counts from client input', () => {
  let broker: TestBroker;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startBroker();
    admin = new Admin(broker.client());
    await admin.createTopics([{ name: 'grow', partitions: 2, replicationFactor: 1 }]);
  });
  afterAll(async () => broker.close());

  const partitionsOf = async (name: string) => (await admin.describeTopics([name]))[0]?.partitions.length;
  const topicNames = async () => (await admin.listTopics()).map((t) => t.name).sort();

  it.each([false, true])('refuses CreateTopics for 100,000,000 partitions at once with POLICY_VIOLATION (validate_only %s)', async (validateOnly) => {
    const before = await topicNames();
    const { value, ms } = await timed(() => admin.createTopics([{ name: 'huge', partitions: HUGE, replicationFactor: 1 }], validateOnly));
    expect(value[0]!.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(value[0]!.error?.message).toBe('Excessively large number of partitions per request.');
    expect(ms).toBeLessThan(QUICK_MS);
    expect(await topicNames()).toEqual(before);
  });

  it('counts the whole request, as Kafka does: every topic of it fails and none is created', async () => {
    const before = await topicNames();
    const results = await admin.createTopics([
      { name: 'small', partitions: 1, replicationFactor: 1 },
      { name: 'half-a', partitions: 6000, replicationFactor: 1 },
      { name: 'half-b', partitions: 6000, replicationFactor: 1 },
    ]);
    expect(results.map((r) => r.error?.code)).toEqual([ErrorCode.POLICY_VIOLATION, ErrorCode.POLICY_VIOLATION, ErrorCode.POLICY_VIOLATION]);
    expect(await topicNames()).toEqual(before);
  });

  it('counts explicit replica assignments too', async () => {
    const assignment = Array.from({ length: 10_001 }, () => [1]); // node.id 1, the default
    const [r] = await admin.createTopics([{ name: 'assigned', partitions: -1, replicationFactor: -1, assignment }]);
    expect(r!.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(await topicNames()).not.toContain('assigned');
  });

  it('refuses a replication factor sized from the request before placing anything', async () => {
    const { value, ms } = await timed(() => admin.createTopics([{ name: 'wide', partitions: 10_000, replicationFactor: 32_767 }]));
    expect(value[0]!.error?.code).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(await topicNames()).not.toContain('wide');
  });

  it.each([false, true])('refuses CreatePartitions to 100,000,000 with POLICY_VIOLATION (validate_only %s)', async (validateOnly) => {
    const { value, ms } = await timed(() => admin.createPartitions('grow', HUGE, null, validateOnly));
    expect(value.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(ms).toBeLessThan(QUICK_MS);
    expect(await partitionsOf('grow')).toBe(2);
  });

  it('creates nothing for a valid CreatePartitions with validate_only', async () => {
    expect((await admin.createPartitions('grow', 5, null, true)).error).toBeNull();
    expect(await partitionsOf('grow')).toBe(2);
  });

  it('keeps serving: a normal topic is created and grown afterwards', async () => {
    expect((await admin.createTopics([{ name: 'after', partitions: 3, replicationFactor: 1 }]))[0]!.error).toBeNull();
    expect((await admin.createPartitions('after', 4, null)).error).toBeNull();
    expect(await partitionsOf('after')).toBe(4);
  });
});

describe('kafka-ts.max.partitions and kafka-ts.max.partitions.per.request', () => {
  let broker: TestBroker;
  let admin: Admin;

  // __consumer_offsets takes 4 (the test helper's offsets.topic.num.partitions), leaving 6.
  beforeAll(async () => {
    broker = await startBroker({ properties: { 'kafka-ts.max.partitions': '10', 'kafka-ts.max.partitions.per.request': '5' } });
    admin = new Admin(broker.client());
  });
  afterAll(async () => broker.close());

  it('refuses a request over the configured per-request limit', async () => {
    const [r] = await admin.createTopics([{ name: 'six', partitions: 6, replicationFactor: 1 }]);
    expect(r!.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(r!.error?.message).toBe('Excessively large number of partitions per request.');
  });

  it('refuses partitions beyond the daemon-wide limit, naming it', async () => {
    expect((await admin.createTopics([{ name: 'five', partitions: 5, replicationFactor: 1 }]))[0]!.error).toBeNull();
    const [r] = await admin.createTopics([{ name: 'two', partitions: 2, replicationFactor: 1 }]);
    expect(r!.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect(r!.error?.message).toContain('kafka-ts.max.partitions=10');
    const grow = await admin.createPartitions('five', 7, null);
    expect(grow.error?.code).toBe(ErrorCode.POLICY_VIOLATION);
    expect((await admin.describeTopics(['five']))[0]!.partitions.length).toBe(5);
    expect((await admin.createTopics([{ name: 'one', partitions: 1, replicationFactor: 1 }]))[0]!.error).toBeNull();
  });
});

describe('auto-creation by Metadata', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ properties: { 'auto.create.topics.enable': 'true', 'kafka-ts.max.partitions.per.request': '3' } });
  });
  afterAll(async () => broker.close());

  it('checks the topics one request would create together, as the one CreateTopics Kafka sends for them: over the limit, none is created', async () => {
    const client = broker.client();
    const names = ['auto-a', 'auto-b', 'auto-c', 'auto-d'];
    // Named twice, a topic counts once.
    const over = await client.refreshMetadata([...names, 'auto-a'], true);
    expect(names.map((n) => over.topics.get(n)?.errorCode)).toEqual(names.map(() => ErrorCode.POLICY_VIOLATION));
    expect([...(await client.refreshMetadata(null)).topics.keys()].filter((n) => n.startsWith('auto-'))).toEqual([]);
    const within = await client.refreshMetadata([...names.slice(0, 3), 'auto-a'], true);
    expect(names.slice(0, 3).map((n) => within.topics.get(n)?.errorCode)).toEqual([0, 0, 0]);
  });
});

describe('auto-creation of many topics by one Metadata request', () => {
  // Each creation appends a metadata record and makes a log: one request naming 5,000 new topics
  // held every client for 14 s (measured). The handler takes turns of the event loop between
  // creations, so a request arriving meanwhile is answered before it. No timing is asserted.
  it('answers other clients while it creates them, then every topic in its answer', async () => {
    const b = await startBroker({ inMemory: true, properties: { 'auto.create.topics.enable': 'true' } });
    try {
      const names = Array.from({ length: 3000 }, (_, i) => `many-${i}`);
      const order: string[] = [];
      const big = b
        .client('creator')
        .refreshMetadata(names, true)
        .then((r) => (order.push('creator'), r));
      const deadline = Date.now() + 60_000;
      while (!b.cluster.metadata.topic('many-0') && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      expect(b.cluster.metadata.topic('many-0'), 'the creation began').toBeDefined();
      await b.client('other').refreshMetadata(['many-0'], false);
      const createdThen = names.filter((n) => b.cluster.metadata.topic(n)).length;
      order.push('other');
      const answer = await big;
      expect(order).toEqual(['other', 'creator']);
      expect(createdThen).toBeLessThan(names.length);
      expect(names.filter((n) => answer.topics.get(n)?.errorCode !== 0)).toEqual([]);
    } finally {
      await b.close();
    }
  });
});

describe('a resource named many times in one request', () => {
  // Kafka answers the set of the topics a Metadata request names; a request naming one topic
  // 700,000 times (15 MB) was answered 700,000 times and ran the daemon out of heap, as did one
  // DescribeConfigs naming a broker 30,000 times (150 KB, a gigabyte of answer).
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker({ inMemory: true });
    await new Admin(broker.client()).createTopics([{ name: 'named-often', partitions: 3, replicationFactor: 1 }]);
  });
  afterAll(async () => broker.close());

  it('Metadata answers each topic once, however often it is named', async () => {
    const { body } = await broker.client().send('any', Metadata, () => ({
      topics: [...Array.from({ length: 20_000 }, () => ({ name: 'named-often', topicId: Buffer.alloc(16) })), { name: 'not-there', topicId: Buffer.alloc(16) }, { name: 'named-often', topicId: Buffer.alloc(16) }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    const topics = (body as MetadataResponse).topics;
    expect(topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['named-often', 0, 3],
      ['not-there', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
    ]);
  });

  it('DescribeConfigs answers a repeated resource (same type, name and keys) once, and different keys apart', async () => {
    const broker1 = { resourceType: 4, resourceName: '1', configurationKeys: null };
    const { body } = await broker.client().send('any', DescribeConfigs, {
      resources: [
        ...Array.from({ length: 10_000 }, () => broker1),
        { resourceType: 2, resourceName: 'named-often', configurationKeys: ['retention.ms', 'cleanup.policy'] },
        { resourceType: 2, resourceName: 'named-often', configurationKeys: ['cleanup.policy', 'retention.ms', 'retention.ms'] },
        { resourceType: 2, resourceName: 'named-often', configurationKeys: ['retention.ms'] },
        { resourceType: 2, resourceName: 'named-often', configurationKeys: [] },
        { resourceType: 2, resourceName: 'named-often', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    });
    const results = (body as DescribeConfigsResponse).results;
    expect(results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.configs.length > 2 ? 'all' : r.configs.map((c) => c.name).sort().join(',')])).toEqual([
      [4, '1', 0, 'all'],
      [2, 'named-often', 0, 'cleanup.policy,retention.ms'],
      [2, 'named-often', 0, 'retention.ms'],
      [2, 'named-often', 0, 'all'],
    ]);
  });
});
