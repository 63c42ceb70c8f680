/**
 * Idempotent producers on a real broker: InitProducerId hands out ids, a retried batch is
 * answered with its first offsets and written once (also after a restart, when the producer
 * state is rebuilt from the log), sequence gaps and stale epochs are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { InitProducerId, Produce } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch, readBatchHeader } from '../../src/protocol/record-batch.js';
import { Producer } from '../../src/client/producer/producer.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { readBatches } from '../../src/storage/log-store.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createLogger } from '../../src/util/logger.js';
import { join } from 'node:path';

let broker: TestBroker;
/** Transactional batches below come without a coordinator's transaction: unverified (KIP-890 off). */
const UNVERIFIED = { 'transaction.partition.verification.enable': 'false' };
let dir: { dir: string; cleanup: () => void };

beforeAll(async () => {
  dir = tempDir();
  broker = await startBroker({ dir: dir.dir, properties: UNVERIFIED });
  await new Admin(broker.client()).createTopics([{ name: 'idem', partitions: 1, replicationFactor: 1 }]);
});
afterAll(async () => {
  await broker.close();
  dir.cleanup();
});

async function initProducerId(transactionalId: string | null = null) {
  const { body } = await broker.client().send<{ errorCode: number; producerId: number; producerEpoch: number }>('any', InitProducerId, { transactionalId, transactionTimeoutMs: 60_000 });
  return body;
}

const batch = (producerId: number, producerEpoch: number, baseSequence: number, n: number, opts: { transactional?: boolean } = {}) =>
  encodeBatch(
    Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`p${producerId}-e${producerEpoch}-s${baseSequence + i}`) })),
    { producerId, producerEpoch, baseSequence, ...opts },
  );

async function produce(records: Buffer, transactionalId: string | null = null): Promise<{ errorCode: number; baseOffset: number; errorMessage: string | null }> {
  const { body } = await broker.client().send<{ responses: { partitionResponses: { errorCode: number; baseOffset: number; errorMessage: string | null }[] }[] }>('any', Produce, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }],
  });
  return body.responses[0]!.partitionResponses[0]!;
}

/** Producer ids of the batches stored in a partition. */
function storedProducerIds(b: TestBroker, topic: string): number[] {
  const log = b.cluster.brokers()[0]!.replica(topic, 0)!.log;
  return [...readBatches(log, 0, log.logEndOffset())].map((batch) => readBatchHeader(batch).producerId);
}

const logEnd = () => broker.cluster.brokers()[0]!.replica('idem', 0)!.logEndOffset();

/** Sends one idempotent batch of `count` records from a new producer, then stops the broker cleanly. */
async function sendThenStop(count: number) {
  const { producerId } = await initProducerId();
  const sent = batch(producerId, 0, 0, count);
  const { baseOffset } = await produce(sent);
  const endAtStop = logEnd();
  await broker.close(true);
  return { producerId, sent, baseOffset, endAtStop };
}

describe('idempotent producers', () => {
  it('writes a retried batch once and answers the retry with its first offset; refuses gaps and stale epochs', async () => {
    const a = await initProducerId();
    const b = await initProducerId();
    expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    expect(b.producerId).not.toBe(a.producerId);

    const first = batch(a.producerId, 0, 0, 3);
    expect(await produce(first)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce(batch(b.producerId, 0, 0, 2))).toMatchObject({ errorCode: 0, baseOffset: 3 });
    // The retry of a's first batch (its response was "lost"): same offsets, nothing written.
    expect(await produce(first)).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(logEnd()).toBe(5);
    expect(await produce(batch(a.producerId, 0, 3, 2))).toMatchObject({ errorCode: 0, baseOffset: 5 });

    const gap = await produce(batch(a.producerId, 0, 9, 1));
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(gap.errorMessage).toMatch(/9 \(incoming seq\. number\), 4 \(current end sequence number\)/);

    // A new epoch starts again at sequence 0; the old epoch is then fenced.
    expect((await produce(batch(a.producerId, 1, 5, 1))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(batch(a.producerId, 1, 0, 1))).toMatchObject({ errorCode: 0, baseOffset: 7 });
    expect((await produce(batch(a.producerId, 0, 5, 1))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(logEnd()).toBe(8);
  });

  it('rebuilds producer state from the log after a restart, and never reuses a producer id', async () => {
    const { producerId, sent, baseOffset, endAtStop: end } = await sendThenStop(4);
    broker = await startBroker({ dir: dir.dir, properties: UNVERIFIED });
    expect(await produce(sent)).toMatchObject({ errorCode: 0, baseOffset });
    expect(logEnd()).toBe(end);
    expect((await produce(batch(producerId, 0, 7, 1))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(batch(producerId, 0, 4, 1))).toMatchObject({ errorCode: 0, baseOffset: end });
    const after = await initProducerId();
    expect(after.producerId).toBeGreaterThan(producerId);
  });

  it('saves producer state at a clean stop, so a restart still knows producers whose batches were deleted', async () => {
    const { producerId, sent, baseOffset, endAtStop } = await sendThenStop(2);
    expect(readdirSync(join(dir.dir, 'data', 'idem-0'))).toContain(`${String(endAtStop).padStart(20, '0')}.snapshot`);
    broker = await startBroker({ dir: dir.dir, properties: UNVERIFIED });
    const end = logEnd();
    const [deleted] = await new Admin(broker.client()).deleteRecords([{ topic: 'idem', partition: 0, offset: end }]);
    expect(deleted!.lowWatermark).toBe(end);
    // The retry is still recognised from the snapshot, though its batch is gone from the log.
    expect(await produce(sent)).toMatchObject({ errorCode: 0, baseOffset });
    expect(logEnd()).toBe(end);
    expect((await produce(batch(producerId, 0, 9, 1))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('a corrupt producer snapshot is rebuilt from the log, with one WARN naming the file', async () => {
    const { producerId, sent, baseOffset, endAtStop } = await sendThenStop(3);
    const file = join(dir.dir, 'data', 'idem-0', `${String(endAtStop).padStart(20, '0')}.snapshot`);
    const data = readFileSync(file);
    data[data.length - 1]! ^= 0xff;
    writeFileSync(file, data);
    const lines: string[] = [];
    broker = await startBroker({ dir: dir.dir, properties: UNVERIFIED, log: createLogger((l) => lines.push(l), 'test', 'INFO') });
    // Rebuilt from the log: the retry is still recognised, a gap still refused.
    expect(await produce(sent)).toMatchObject({ errorCode: 0, baseOffset });
    expect(logEnd()).toBe(endAtStop);
    expect((await produce(batch(producerId, 0, 9, 1))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const warnings = lines.filter((l) => / WARN /.test(l) && l.includes('.snapshot'));
    expect(warnings, lines.join('')).toHaveLength(1);
    expect(warnings[0]).toContain(`WARN Producer state snapshot ${file} is corrupt (CRC mismatch); rebuilding the producer state of idem-0 from the log`);
  });

  it('refuses an oversized batch without advancing the producer, naming the limit', async () => {
    const { producerId } = await initProducerId();
    const start = logEnd();
    expect(await produce(batch(producerId, 0, 0, 1))).toMatchObject({ errorCode: 0, baseOffset: start });
    const big = encodeBatch([{ value: Buffer.alloc(1_100_000, 1) }], { producerId, producerEpoch: 0, baseSequence: 1 });
    expect(await produce(big)).toMatchObject({
      errorCode: ErrorCode.MESSAGE_TOO_LARGE,
      baseOffset: -1,
      errorMessage: `The record batch size in the append to idem-0 is ${big.length} bytes which exceeds the maximum configured value of 1048588.`,
    });
    // Sequence 1 is still the next one.
    expect(await produce(batch(producerId, 0, 1, 1))).toMatchObject({ errorCode: 0, baseOffset: start + 1 });
  });

  it('sends a transactional id to its coordinator; a transactional batch opens a transaction and a plain batch inside it is refused', async () => {
    // No FindCoordinator(key type 1) yet, so no __transaction_state: no broker coordinates it.
    expect((await initProducerId('tx-1')).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const { producerId } = await initProducerId();
    // A transactional batch opens a transaction; a plain batch of the same producer inside it is refused.
    expect((await produce(batch(producerId, 0, 0, 1, { transactional: true }))).errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect((await produce(batch(producerId, 0, 0, 1, { transactional: true }), 'tx-1')).errorCode).toBe(0);
    expect((await produce(batch(producerId, 0, 1, 1))).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });
});

describe('idempotence the caller did not insist on', () => {
  let old: TestBroker;
  beforeAll(async () => {
    // A broker like the ones before Kafka 0.11: the same broker with InitProducerId left out of
    // its ApiVersions answer, so a client must not use it.
    old = await startBroker();
    const advertised = old.cluster.router.advertised;
    advertised.splice(advertised.findIndex((a) => a.apiKey === InitProducerId.key), 1);
    await new Admin(old.client()).createTopics([{ name: 'plain', partitions: 1, replicationFactor: 1 }]);
  });
  afterAll(() => old.close());

  it("is used where the cluster offers it, and dropped for plain batches where it does not; enable.idempotence=true then fails", async () => {
    const unavailable: string[] = [];
    const send = async (b: TestBroker, topic: string, idempotent: boolean | 'if-supported') => {
      const producer = new Producer(b.client(), { acks: -1, idempotent });
      producer.onIdempotenceUnavailable = (e) => unavailable.push(e.message);
      const results = await Promise.allSettled(Array.from({ length: 3 }, (_, i) => producer.send({ topic, partition: 0, value: Buffer.from(`v${i}`) })));
      await producer.close();
      return results;
    };

    await new Admin(broker.client()).createTopics([{ name: 'optional', partitions: 1, replicationFactor: 1 }]);
    expect((await send(broker, 'optional', 'if-supported')).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(storedProducerIds(broker, 'optional')[0]).toBeGreaterThanOrEqual(0);
    expect(unavailable).toEqual([]);

    expect((await send(old, 'plain', 'if-supported')).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(storedProducerIds(old, 'plain')).toEqual([-1]);
    expect(unavailable).toEqual([expect.stringMatching(/does not support InitProducerId/)]);

    const insisted = await send(old, 'plain', true);
    expect(insisted.every((r) => r.status === 'rejected' && /does not support InitProducerId/.test(String(r.reason)))).toBe(true);
    expect(storedProducerIds(old, 'plain')).toEqual([-1]);
  });
});

describe('a batch that failed for good', () => {
  it('bumps the epoch when the failed batch may have been written, so the later records are not refused as out of order', async () => {
    const d = tempDir();
    let b = await startBroker({ dir: d.dir });
    const address = b.bootstrap;
    // The producer's own client, which outlives the broker it first talked to.
    const client = new KafkaClient({ bootstrap: parseBootstrap(address), clientId: 'bump', connectTimeoutMs: 1000, requestTimeoutMs: 2000 });
    try {
      await new Admin(b.client()).createTopics([{ name: 'bump', partitions: 1, replicationFactor: 1 }]);
      const producer = new Producer(client, { acks: -1, idempotent: true, lingerMs: 0, retryBackoffMs: 20, deliveryTimeoutMs: 1000 });
      await producer.send({ topic: 'bump', partition: 0, value: Buffer.from('before') });
      // The broker is gone for longer than delivery.timeout.ms: the batch fails without an answer.
      await b.close(true);
      await expect(producer.send({ topic: 'bump', partition: 0, value: Buffer.from('lost') })).rejects.toThrow();
      b = await startBroker({ dir: d.dir, properties: { listeners: `PLAINTEXT://${address}` } });
      const after = await producer.send({ topic: 'bump', partition: 0, value: Buffer.from('after') });
      expect(after.offset).toBe(1);
      await producer.close();
      const log = b.cluster.brokers()[0]!.replica('bump', 0)!.log;
      const stored = [...readBatches(log, 0, log.logEndOffset())].map((batch) => {
        const h = readBatchHeader(batch);
        return { epoch: h.producerEpoch, seq: h.baseSequence };
      });
      expect(stored).toEqual([
        { epoch: 0, seq: 0 },
        { epoch: 1, seq: 0 },
      ]);
    } finally {
      await client.close();
      await b.close();
      d.cleanup();
    }
  });
});
