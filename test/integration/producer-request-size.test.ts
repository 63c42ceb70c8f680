/**
 * How the producer fills a Produce request: batches of several partitions share a request up to
 * max.request.size (Kafka's 1 MiB when unset), its first batch whatever its size, and a partition a
 * full request left behind starts the next one. Seen through a TCP proxy the broker advertises, which
 * decodes every Produce request it passes on; then every record is read back from the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { API_BY_KEY } from '../../src/protocol/apis/index.js';
import { readRequestHeader, skipRequestHeaderTags } from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/primitives.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import { compileStruct, isFlexible } from '../../src/protocol/schema.js';
import { readBatches } from '../../src/storage/log-store.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { KafkaProxy, requestApiKey } from '../helpers/kafka-proxy.js';

interface SeenRequest {
  /** Bytes of record batches in the request. */
  bytes: number;
  partitions: number[];
}

/** The Produce requests the proxy passed on, decoded. */
const produces: SeenRequest[] = [];
const proxy = new KafkaProxy(() => ({
  request: (frame) => {
    if (requestApiKey(frame) === 0) produces.push(decodeProduce(frame));
  },
}));

function decodeProduce(frame: Buffer): SeenRequest {
  const r = new Reader(frame);
  const header = readRequestHeader(r);
  skipRequestHeaderTags(r, header);
  const api = API_BY_KEY.get(0)!;
  const body = compileStruct(api.request, header.apiVersion, isFlexible(api, header.apiVersion)).decode(r) as {
    topicData: { partitionData: { index: number; records: Buffer | null }[] }[];
  };
  const parts = body.topicData.flatMap((t) => t.partitionData);
  return { bytes: parts.reduce((n, p) => n + (p.records?.length ?? 0), 0), partitions: parts.map((p) => p.index) };
}

let broker: TestBroker;
const PARTITIONS = 6;

beforeAll(async () => {
  const port = await proxy.listen();
  broker = await startBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` } });
  proxy.target = broker.cluster.boundPort(broker.cluster.brokers()[0]!.id);
  await new Admin(broker.client()).createTopics([
    { name: 'wide', partitions: PARTITIONS, replicationFactor: 1 },
    { name: 'capped', partitions: PARTITIONS, replicationFactor: 1 },
    { name: 'turns', partitions: PARTITIONS, replicationFactor: 1 },
    { name: 'packed', partitions: PARTITIONS, replicationFactor: 1 },
  ]);
});
afterAll(async () => {
  await broker?.close();
  await proxy.close();
});

/** Produces `perPartition` records of `size` bytes to each partition, all appended before the first send; returns the requests the proxy saw. */
async function produceAll(
  topic: string,
  perPartition: number,
  size: number,
  opts: { batchSize: number; maxRequestSize?: number; maxInFlightPerBroker?: number; compression?: number },
): Promise<SeenRequest[]> {
  const from = produces.length;
  const client = new KafkaClient({ bootstrap: parseBootstrap(broker.bootstrap), clientId: 'sizes', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  await client.refreshMetadata([topic]);
  const producer = new Producer(client, { idempotent: true, acks: -1, lingerMs: 60_000, ...opts });
  const failures: string[] = [];
  const pad = 'x'.repeat(size);
  // Round robin over the partitions, so every partition's batches fill at the same pace.
  for (let i = 0; i < perPartition; i++) {
    for (let p = 0; p < PARTITIONS; p++) {
      producer.append({ topic, partition: p, value: Buffer.from(`${i} ${pad}`.slice(0, size)) }, (e) => e && failures.push(`${p}/${i}: ${e.message}`));
    }
  }
  await producer.close();
  await client.close();
  expect(failures).toEqual([]);
  for (let p = 0; p < PARTITIONS; p++) {
    const log = broker.cluster.brokers()[0]!.replica(topic, p)!.log;
    const seen: number[] = [];
    for (const batch of readBatches(log, 0, log.logEndOffset())) for (const r of decodeBatchRecords(batch)) seen.push(Number(r.value!.toString().split(' ')[0]));
    const firstWrong = seen.findIndex((v, k) => v !== k);
    expect(firstWrong, `partition ${p}: records out of order or duplicated near ${firstWrong}`).toBe(-1);
    expect(seen.length, `partition ${p}`).toBe(perPartition);
  }
  return produces.slice(from);
}

describe('Produce request size', () => {
  it('carries batches of several partitions up to 1 MiB when max.request.size is unset', async () => {
    // 6 partitions x 1,200 records of 1,000 B, in batches of up to 500 KB: 12 batches of ~500 KB
    // and 6 of the rest, all ready at once (close seals them).
    const seen = await produceAll('wide', 1200, 1000, { batchSize: 500_000 });
    const over = seen.filter((r) => r.partitions.length > 1 && r.bytes > 1 << 20);
    expect(over, `requests of several batches over 1 MiB: ${JSON.stringify(over.map((r) => r.bytes))}`).toEqual([]);
    expect(seen.some((r) => r.partitions.length > 1), 'some request carried several partitions').toBe(true);
    // Two batches a request: the partitions a full request left behind start the next, so the
    // first three requests reach every partition (not partitions 0 and 1 again).
    const firstThree = seen.slice(0, 3).map((r) => r.partitions);
    expect(new Set(firstThree.flat()).size, `partitions of the first requests: ${JSON.stringify(firstThree)}`).toBe(PARTITIONS);
  }, 60_000);

  it('follows a chosen max.request.size, and a batch larger than it still goes alone', async () => {
    // Batches of up to 200 KB (batch.size above max.request.size) and the ~100 KB rest of each partition.
    const seen = await produceAll('capped', 300, 1000, { batchSize: 200_000, maxRequestSize: 150_000 });
    const over = seen.filter((r) => r.bytes > 150_000);
    expect(over.length, 'the 200 KB batches were sent').toBeGreaterThanOrEqual(PARTITIONS);
    expect(over.filter((r) => r.partitions.length > 1), 'requests over max.request.size with several batches').toEqual([]);
  }, 60_000);

  it('gives each freed request slot to the next partition in turn, not to the deepest queue', async () => {
    // One request in flight, one 600 KB batch a request, four full batches queued per partition:
    // the requests go round the partitions (0,1,2,...,5,0,1,...), so no partition waits for
    // another's whole queue.
    const seen = await produceAll('turns', 2400, 1000, { batchSize: 600_000, maxInFlightPerBroker: 1 });
    const order = seen.map((r) => r.partitions);
    // Checked over the first three rounds, while every partition still has full batches queued.
    expect(order.length, JSON.stringify(order)).toBeGreaterThanOrEqual(3 * PARTITIONS);
    for (let i = 0; i < 3 * PARTITIONS; i += PARTITIONS) {
      const round = order.slice(i, i + PARTITIONS).flat();
      expect(new Set(round).size, `requests ${i}..${i + PARTITIONS - 1} should reach every partition: ${JSON.stringify(order)}`).toBe(PARTITIONS);
    }
  }, 60_000);

  it('sizes compressed batches by how much the topic compresses, packing several into a request', async () => {
    // gzip: ~600 KB of repetitive records a batch compress to a few KB; the first request learns
    // the ratio, and the later ones carry several partitions' batches.
    const seen = await produceAll('packed', 2400, 1000, { batchSize: 600_000, compression: 1 });
    expect(seen.some((r) => r.partitions.length > 2), `requests: ${JSON.stringify(seen.map((r) => r.partitions))}`).toBe(true);
  }, 60_000);
});
