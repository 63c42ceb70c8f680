import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, OffsetSpec } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { ApiVersions, Fetch, ListOffsets, Metadata, Produce } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch, decodeBatchRecords, splitBatches } from '../../src/protocol/record-batch.js';
import { CompressionType } from '../../src/protocol/compression.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { RawConn } from '../helpers/raw-kafka.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startBroker({ properties: { 'num.partitions': '2' } });
});
afterAll(async () => broker.close());

const batch = (...values: string[]) => encodeBatch(values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v) })));

describe('ApiVersions', () => {
  it('advertises the minimum profile that librdkafka gates features on', async () => {
    const c = broker.client();
    const { body } = await c.send<{ apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[] }>('any', ApiVersions, {});
    const range = (k: number) => body.apiKeys.find((a) => a.apiKey === k)!;
    expect(range(0)).toMatchObject({ minVersion: 0 }); // Produce from v0: librdkafka's gzip/snappy/lz4 gate
    expect(range(0).maxVersion).toBeGreaterThanOrEqual(7);
    expect(range(1).minVersion).toBe(0);
    expect(range(1).maxVersion).toBeGreaterThanOrEqual(11);
    expect(range(3)).toMatchObject({ minVersion: 0 });
    expect(range(18)).toMatchObject({ minVersion: 0, maxVersion: 3 });
    expect(range(10).minVersion).toBe(0);
  });
});

describe('topics', () => {
  it('creates with -1 defaults, rejects duplicates and bad names with Kafka messages', async () => {
    const admin = new Admin(broker.client());
    const [ok] = await admin.createTopics([{ name: 'defaults', partitions: -1, replicationFactor: -1 }]);
    expect(ok!.error).toBeNull();
    const md = await admin.metadata(['defaults']);
    expect(md.topics.get('defaults')!.partitions).toHaveLength(2);
    expect(md.topics.get('defaults')!.id.equals(Buffer.alloc(16))).toBe(false);
    const [dup] = await admin.createTopics([{ name: 'defaults', partitions: 1, replicationFactor: 1 }]);
    expect(dup!.error!.code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(dup!.error!.message).toBe("Topic 'defaults' already exists.");
    const [bad] = await admin.createTopics([{ name: 'bad name!', partitions: 1, replicationFactor: 1 }]);
    expect(bad!.error!.code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const [rf] = await admin.createTopics([{ name: 'rf3', partitions: 1, replicationFactor: 3 }]);
    expect(rf!.error!.message).toBe('Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.');
    const [zero] = await admin.createTopics([{ name: 'zero', partitions: 0, replicationFactor: 1 }]);
    expect(zero!.error!.code).toBe(ErrorCode.INVALID_PARTITIONS);
    const [cfg] = await admin.createTopics([{ name: 'cfg', partitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } }]);
    expect(cfg!.error!.code).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('validate_only checks without creating', async () => {
    const admin = new Admin(broker.client());
    const [r] = await admin.createTopics([{ name: 'dry', partitions: 3, replicationFactor: 1 }], true);
    expect(r!.error).toBeNull();
    expect((await admin.listTopics()).map((t) => t.name)).not.toContain('dry');
  });

  it('grows partitions and deletes topics', async () => {
    const admin = new Admin(broker.client());
    await admin.createTopics([{ name: 'grow', partitions: 1, replicationFactor: 1 }]);
    expect((await admin.createPartitions('grow', 1, null)).error!.message).toBe('Topic already has 1 partition(s).');
    expect((await admin.createPartitions('grow', 3, null)).error).toBeNull();
    expect((await admin.metadata(['grow'])).topics.get('grow')!.partitions).toHaveLength(3);
    // As Kafka's controller: null assignments are placed by the controller; a list, even an empty one, must cover each new partition.
    expect((await admin.createPartitions('grow', 4, [])).error!.message).toBe('Attempted to add 1 additional partition(s), but only 0 assignment(s) were specified.');
    expect((await admin.metadata(['grow'])).topics.get('grow')!.partitions).toHaveLength(3);
    const [del] = await admin.deleteTopics(['grow']);
    expect(del!.error).toBeNull();
    const [gone] = await admin.deleteTopics(['grow']);
    expect(gone!.error!.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const [internal] = await admin.deleteTopics(['__consumer_offsets']);
    expect(internal!.error!.code).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('auto-creates topics on Metadata when allowed, and not otherwise', async () => {
    const c = broker.client();
    const md = await c.refreshMetadata(['auto-made'], true);
    expect(md.topics.get('auto-made')!.errorCode).toBe(0);
    const md2 = await c.refreshMetadata(['not-made'], false);
    expect(md2.topics.get('not-made')!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('describes configs with their source', async () => {
    const admin = new Admin(broker.client());
    await admin.createTopics([{ name: 'configured', partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
    const entries = (await admin.describeConfigs([{ type: 2, name: 'configured' }])).get('2:configured')!;
    expect(entries.find((e) => e.name === 'retention.ms')).toMatchObject({ value: '1000', source: 1 });
    expect(entries.find((e) => e.name === 'cleanup.policy')).toMatchObject({ value: 'delete', source: 5 });
    await admin.alterConfigs(2, 'configured', { 'retention.ms': null, 'segment.ms': '60000' });
    const after = (await admin.describeConfigs([{ type: 2, name: 'configured' }])).get('2:configured')!;
    expect(after.find((e) => e.name === 'retention.ms')!.source).toBe(5);
    expect(after.find((e) => e.name === 'segment.ms')).toMatchObject({ value: '60000', source: 1 });
  });
});

describe('produce and fetch', () => {
  it('assigns offsets, serves stored batches from the containing batch, and honours acks=0', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'pf', partitions: 1, replicationFactor: 1 }]);
    const produce = async (acks: number, records: Buffer) =>
      (
        await c.send<{ responses: { partitionResponses: { errorCode: number; baseOffset: number }[] }[] }>(
          'any',
          Produce,
          { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records }] }] },
          { expectResponse: acks !== 0 },
        )
      ).body;
    expect((await produce(1, batch('a', 'b', 'c'))).responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce(0, batch('d'))).toBeUndefined();
    expect((await produce(-1, batch('e'))).responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 4 });

    const { body } = await c.send<{ responses: { partitions: { errorCode: number; highWatermark: number; records: Buffer }[] }[] }>('any', Fetch, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [{ topic: 'pf', partitions: [{ partition: 0, fetchOffset: 1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const p = body.responses[0]!.partitions[0]!;
    expect(p.highWatermark).toBe(5);
    const records = splitBatches(p.records).flatMap((b) => decodeBatchRecords(b));
    expect(records[0]!.offset).toBe(0); // the whole batch containing offset 1
    expect(records.map((r) => r.value!.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('rejects corrupt CRCs, wrong record counts and oversized batches', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'bad-batches', partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } }]);
    const send = async (records: Buffer) =>
      (
        await c.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topicData: [{ name: 'bad-batches', partitionData: [{ index: 0, records }] }],
        })
      ).body.responses[0]!.partitionResponses[0]!.errorCode;
    const corrupt = batch('x');
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(await send(corrupt)).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(await send(Buffer.concat([batch('one'), batch('two')]))).toBe(ErrorCode.INVALID_RECORD);
    expect(await send(encodeBatch([{ value: Buffer.alloc(3000, 1) }]))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(await send(batch('fine'))).toBe(0);
    const end = await new Admin(c).listOffsets([{ topic: 'bad-batches', partition: 0, timestamp: OffsetSpec.latest }]);
    expect(end[0]!.offset).toBe(1);
  });

  it('answers OFFSET_OUT_OF_RANGE beyond the log and long-polls until data arrives', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'poll', partitions: 1, replicationFactor: 1 }]);
    const fetch = (offset: number, maxWaitMs: number) =>
      c.send<{ responses: { partitions: { errorCode: number; records: Buffer | null }[] }[] }>('any', Fetch, {
        replicaId: -1,
        maxWaitMs,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: 'poll', partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
    expect((await fetch(5, 0)).body.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const producer = new Producer(broker.client('p2'), { lingerMs: 0 });
    const waiting = fetch(0, 20_000);
    // The fetch is parked until the append below wakes it.
    await producer.send({ topic: 'poll', value: Buffer.from('late') });
    const res = await waiting;
    const recs = splitBatches(res.body.responses[0]!.partitions[0]!.records!).flatMap((b) => decodeBatchRecords(b));
    expect(recs.map((r) => r.value!.toString())).toEqual(['late']);
  });

  it('Fetch v13 by a topic id that was deleted answers UNKNOWN_TOPIC_ID (100) for its partitions, also once the name is taken again', async () => {
    const c = broker.client();
    const admin = new Admin(c);
    await admin.createTopics([{ name: 'gone', partitions: 2, replicationFactor: 1 }]);
    await new Producer(broker.client('p-gone'), { lingerMs: 0 }).send({ topic: 'gone', value: Buffer.from('x') });
    const oldId = (await admin.metadata(['gone'])).topics.get('gone')!.id;
    const port = Number(broker.bootstrap.split(':').pop());
    const raw = await RawConn.tcp(port);
    type FetchBody = { responses: { topicId: Buffer; partitions: { partitionIndex: number; errorCode: number; highWatermark: number }[] }[] };
    const fetchById = async (topicId: Buffer) =>
      (await raw.request(Fetch, 13, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topicId, partitions: [0, 1].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 })) }],
        forgottenTopicsData: [],
        rackId: '',
      } as never)) as unknown as FetchBody;
    try {
      const before = await fetchById(oldId);
      expect(before.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
      expect((await admin.deleteTopics(['gone']))[0]!.error).toBeNull();
      const after = await fetchById(oldId);
      expect(after.responses[0]!.topicId.equals(oldId)).toBe(true);
      expect(after.responses[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])).toEqual([
        [0, ErrorCode.UNKNOWN_TOPIC_ID, -1],
        [1, ErrorCode.UNKNOWN_TOPIC_ID, -1],
      ]);
      expect(ErrorCode.UNKNOWN_TOPIC_ID).toBe(100);
      // The name again, under a new id: the old id stays unknown, the new one is served.
      await admin.createTopics([{ name: 'gone', partitions: 2, replicationFactor: 1 }]);
      const newId = (await admin.metadata(['gone'])).topics.get('gone')!.id;
      expect(newId.equals(oldId)).toBe(false);
      expect((await fetchById(oldId)).responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.UNKNOWN_TOPIC_ID]);
      expect((await fetchById(newId)).responses[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    } finally {
      raw.socket.destroy();
    }
  });

  it('lists offsets: earliest, latest, by timestamp, max timestamp, and v0 old-style', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'times', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(c, { lingerMs: 0 });
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'times', value: Buffer.from(`v${i}`), timestamp: 1000 * (i + 1) });
    const admin = new Admin(c);
    await admin.createTopics([{ name: 'empty-times', partitions: 1, replicationFactor: 1 }]);
    const empty = await admin.listOffsets([-2, -1].map((timestamp) => ({ topic: 'empty-times', partition: 0, timestamp })));
    expect(empty.map((r) => r.offset)).toEqual([0, 0]);
    const q = (timestamp: number) => admin.listOffsets([{ topic: 'times', partition: 0, timestamp }]).then((r) => r[0]!);
    expect((await q(OffsetSpec.earliest)).offset).toBe(0);
    expect((await q(OffsetSpec.latest)).offset).toBe(5);
    expect(await q(2500)).toMatchObject({ offset: 2, timestamp: 3000 });
    expect(await q(99999)).toMatchObject({ offset: -1, timestamp: -1 });
    expect(await q(OffsetSpec.maxTimestamp)).toMatchObject({ offset: 4, timestamp: 5000 });
    const { body } = await c.send<{ topics: { partitions: { oldStyleOffsets: number[] }[] }[] }>(
      'any',
      ListOffsets,
      { replicaId: -1, topics: [{ name: 'times', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 1 }] }] },
      { maxVersion: 0 },
    );
    expect(body.topics[0]!.partitions[0]!.oldStyleOffsets).toEqual([5]);
  });

  it('returns LogAppendTime timestamps when the topic asks for them', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'lat', partitions: 1, replicationFactor: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } }]);
    const before = Date.now();
    const meta = await new Producer(c, { lingerMs: 0 }).send({ topic: 'lat', value: Buffer.from('x'), timestamp: 42 });
    expect(meta.timestamp).toBeGreaterThanOrEqual(before);
    const f = new Fetcher(c, { maxWaitMs: 100 });
    await f.assign([{ topic: 'lat', partition: 0, start: 'earliest' }]);
    const [chunk] = await f.poll();
    expect(chunk!.records[0]!.timestampType).toBe('LogAppendTime');
    expect(chunk!.records[0]!.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('stores compressed batches as produced, for every codec', async () => {
    const c = broker.client();
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const topic = `codec-${codec}`;
      await new Admin(c).createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
      const producer = new Producer(c, { compression: CompressionType[codec], lingerMs: 10 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => producer.send({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(`value ${i} `.repeat(5)) })));
      const f = new Fetcher(c, { maxWaitMs: 100 });
      await f.assign([{ topic, partition: 0, start: 'earliest' }]);
      const got: string[] = [];
      while (got.length < 50) for (const ch of await f.poll()) got.push(...ch.records.map((r) => r.key!.toString()));
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
      const stored = broker.cluster.brokers()[0]!.replica(topic, 0)!.log.read(0, 1 << 20, 100).batches[0]!;
      expect(stored.readInt16BE(21) & 7).toBe(CompressionType[codec]);
    }
  });
});

describe('metadata', () => {
  it('answers v0 empty-list as all topics and v1+ null as all topics, with internal flags', async () => {
    const c = broker.client();
    const v0 = await c.send<{ topics: { name: string }[] }>('any', Metadata, { topics: [] }, { maxVersion: 0 });
    expect(v0.body.topics.map((t) => t.name)).toContain('__consumer_offsets');
    const v1 = await c.send<{ topics: { name: string; isInternal: boolean }[]; controllerId: number }>('any', Metadata, { topics: null }, { maxVersion: 1 });
    expect(v1.body.topics.find((t) => t.name === '__consumer_offsets')!.isInternal).toBe(true);
    expect(v1.body.controllerId).toBe(1);
  });
});
