/**
 * DescribeQuorum (55) on an in-process broker: the quorum of __cluster_metadata-0 (the only voter,
 * the controller, leads; the high watermark is the metadata log's end and grows with each change),
 * Kafka's error for any other partition, and ACLs (DESCRIBE on the cluster).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeQuorum } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { describeQuorum } from '../../src/client/cluster-info.js';
import { Admin } from '../../src/client/admin.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(() => broker.close());

describe('DescribeQuorum', () => {
  it('describes the metadata quorum; its high watermark follows the metadata log', async () => {
    const client = broker.client();
    const before = await describeQuorum(client);
    expect(before).toMatchObject({ leaderId: 1, leaderEpoch: 1, observers: [] });
    expect(before.voters.map((v) => [v.replicaId, v.logEndOffset, v.directoryId])).toEqual([[1, before.highWatermark, null]]);
    expect((await new Admin(client).createTopics([{ name: 'quorum-t', partitions: 3, replicationFactor: 1 }])).map((r) => r.error)).toEqual([null]);
    const after = await describeQuorum(client);
    expect(after.highWatermark).toBeGreaterThan(before.highWatermark);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for any other partition, per partition', async () => {
    const client = broker.client();
    for (const topics of [
      [{ topicName: 'orders', partitions: [{ partitionIndex: 0 }] }],
      [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }],
    ]) {
      const { body } = await client.send('any', DescribeQuorum, { topics });
      expect(body.errorCode).toBe(0);
      expect(body.topics.map((t) => [t.topicName, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual(topics.map((t) => [t.topicName, t.partitions.map((p) => [p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])]));
    }
  });
});
