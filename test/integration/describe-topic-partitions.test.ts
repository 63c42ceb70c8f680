/**
 * DescribeTopicPartitions (75) as Kafka's handler answers it: the partition limit clamped to
 * [1, max.request.partition.size.limit = 2000] (a fuzz trial got 20,050 partitions in one answer
 * for a limit of 2^31-1), and an empty topic list asking for every topic, paged by the cursor.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { DescribeTopicPartitions, type DescribeTopicPartitionsResponse } from '../../src/protocol/apis/index.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ inMemory: true });
  await new Admin(broker.client()).createTopics([
    { name: 'wide', partitions: 2100, replicationFactor: 1 },
    { name: 'a-small', partitions: 3, replicationFactor: 1 },
    { name: 'z-small', partitions: 2, replicationFactor: 1 },
  ]);
});
afterAll(async () => broker.close());

type Cursor = DescribeTopicPartitionsResponse['nextCursor'];
async function describe(names: string[], responsePartitionLimit: number, cursor: Cursor = null): Promise<DescribeTopicPartitionsResponse> {
  const { body } = await broker.client().send('any', DescribeTopicPartitions, { topics: names.map((name) => ({ name })), responsePartitionLimit, cursor });
  return body as DescribeTopicPartitionsResponse;
}

it('answers at most 2000 partitions whatever limit is asked, and at least one', async () => {
  const big = await describe(['wide'], 2 ** 31 - 1);
  expect(big.topics[0]!.partitions).toHaveLength(2000);
  expect(big.nextCursor).toEqual({ topicName: 'wide', partitionIndex: 2000 });
  const rest = await describe(['wide'], 2 ** 31 - 1, big.nextCursor);
  expect(rest.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual(Array.from({ length: 100 }, (_, i) => 2000 + i));
  expect(rest.nextCursor).toBeNull();
  for (const limit of [0, -1]) {
    const one = await describe(['a-small'], limit);
    expect(one.topics[0]!.partitions.map((p) => p.partitionIndex), `limit ${limit}`).toEqual([0]);
    expect(one.nextCursor).toEqual({ topicName: 'a-small', partitionIndex: 1 });
  }
});

it('an empty topic list describes every topic by name, page by page', async () => {
  const seen: string[] = [];
  let cursor: Cursor = null;
  let pages = 0;
  do {
    const page = await describe([], 1000, cursor);
    for (const t of page.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  const topics = [...new Set(seen.map((k) => k.replace(/-\d+$/, '')))];
  expect(topics).toEqual(['__consumer_offsets', 'a-small', 'wide', 'z-small']);
  expect(seen.filter((k) => k.startsWith('wide-'))).toHaveLength(2100);
  expect(seen.filter((k) => k.startsWith('z-small-'))).toEqual(['z-small-0', 'z-small-1']);
  // Every partition once: pages continue where the last stopped.
  expect(new Set(seen).size).toBe(seen.length);
});
