/**
 * Durable mode (issue 17): flush.messages / flush.ms and the broker's log.flush.interval.*
 * defaults. The fdatasync calls are traced through the fs-ops layer (its counter, and fault plans
 * that fail or slow them): an acknowledged record was synced before the answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { datasyncCount, setFaultPlan } from '../../src/storage/disk/fs-ops.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { KafkaProtocolError } from '../../src/protocol/errors.js';
import { createLogger } from '../../src/util/logger.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  setFaultPlan(null);
  await broker?.close();
  broker = undefined;
});

async function waitUntil(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const record = (topic: string, i: number) => ({ topic, partition: 0, value: Buffer.from(`v${i}`) });

describe('durable mode', () => {
  it('flush.messages=1: every acknowledged record (acks=1 and acks=all) was fdatasync-ed first; group commit shares syncs', async () => {
    broker = await startBroker();
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'd', partitions: 2, replicationFactor: 1, configs: { 'flush.messages': '1' } }]);
    for (const acks of [1, -1]) {
      const producer = new Producer(client, { acks, lingerMs: 0 });
      for (let i = 0; i < 20; i++) {
        const before = datasyncCount();
        await producer.send(record('d', i));
        // The answer came after at least one fdatasync of the segment.
        expect(datasyncCount(), `acks=${acks} record ${i}`).toBeGreaterThan(before);
      }
      // Many producers at once: appends gathered while a round runs share the next one.
      const producers = Array.from({ length: 8 }, () => new Producer(broker!.client(), { acks, lingerMs: 0 }));
      const before = datasyncCount();
      await Promise.all(producers.flatMap((p, k) => Array.from({ length: 25 }, (_, i) => p.send({ ...record('d', i), partition: k % 2 }))));
      const syncs = datasyncCount() - before;
      expect(syncs).toBeGreaterThan(0);
      // 200 batches in 8 producers' flights (at most 8 at a time): fewer syncs than appends.
      expect(syncs, `${syncs} fdatasync calls for 200 appends`).toBeLessThan(200);
    }
  });

  it('flush.messages=1: a failing fdatasync is not acknowledged (KAFKA_STORAGE_ERROR), without flush.messages no sync is made', async () => {
    broker = await startBroker();
    const client = broker.client();
    const admin = new Admin(client);
    await admin.createTopics([{ name: 'plain', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(client, { acks: 1, lingerMs: 0, retries: 0 });
    const before = datasyncCount();
    for (let i = 0; i < 10; i++) await producer.send(record('plain', i));
    expect(datasyncCount()).toBe(before);
    await admin.createTopics([{ name: 'sync', partitions: 1, replicationFactor: 1, configs: { 'flush.messages': '1' } }]);
    await producer.send(record('sync', 0));
    setFaultPlan({ dir: broker.dir, ops: ['fsync'], error: 'EIO' });
    const err = await producer.send(record('sync', 1)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaProtocolError);
    expect((err as KafkaProtocolError).errorName).toBe('KAFKA_STORAGE_ERROR');
    expect((err as Error).message).toMatch(/syncing sync-0 to disk: EIO/);
  });

  it('flush.ms syncs by time; the broker default log.flush.interval.messages applies; configs --alter takes effect at once', async () => {
    broker = await startBroker({ properties: { 'log.flush.interval.messages': '1' } });
    const client = broker.client();
    const admin = new Admin(client);
    await admin.createTopics([
      { name: 'bydefault', partitions: 1, replicationFactor: 1 },
      { name: 'timed', partitions: 1, replicationFactor: 1, configs: { 'flush.messages': '9223372036854775807', 'flush.ms': '50' } },
    ]);
    const producer = new Producer(client, { acks: 1, lingerMs: 0 });
    // Broker default: each record synced before its answer.
    let before = datasyncCount();
    await producer.send(record('bydefault', 0));
    expect(datasyncCount()).toBeGreaterThan(before);
    // flush.ms=50: the answer does not wait, a sync follows within about 50 ms.
    before = datasyncCount();
    await producer.send(record('timed', 0));
    const acked = datasyncCount();
    await waitUntil('a flush.ms sync', () => datasyncCount() > acked);
    expect(datasyncCount()).toBeGreaterThan(before);
    // Alter: flush.messages=1 on the timed topic now syncs before each answer.
    await admin.alterConfigs(2, 'timed', { 'flush.ms': null, 'flush.messages': '1' });
    before = datasyncCount();
    await producer.send(record('timed', 1));
    expect(datasyncCount()).toBeGreaterThan(before);
    // And back: without flush.*, no sync at all.
    await admin.alterConfigs(2, 'bydefault', { 'flush.messages': '9223372036854775807' });
    before = datasyncCount();
    for (let i = 1; i < 5; i++) await producer.send(record('bydefault', i));
    expect(datasyncCount()).toBe(before);
  });

  it('flush.ms: a sync by time that fails takes the log dir offline (one ERROR line), as Kafka does on an fsync error', async () => {
    const lines: string[] = [];
    broker = await startBroker({ log: createLogger((l) => lines.push(l), 'test', 'INFO') });
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'timed', partitions: 1, replicationFactor: 1, configs: { 'flush.ms': '20' } }]);
    // No retries: a refused record fails the test at once rather than after delivery.timeout.ms.
    const producer = new Producer(client, { acks: 1, lingerMs: 0, retries: 0 });
    await producer.send(record('timed', 0));
    const node = broker.cluster.brokers()[0]!;
    const log = node.replica('timed', 0)!.log;
    await waitUntil('the first flush.ms sync', () => log.unflushedMessages() === 0);
    // The timer's sync has taken the record but its fdatasync runs off the event loop: a sync
    // requested now completes only after it, so the fault below cannot fail that one.
    await log.sync();
    // Only this partition's files: a failed fsync elsewhere (the metadata log) is another story.
    setFaultPlan({ dir: join(broker.cluster.logDirFor(1), 'timed-0'), ops: ['fsync'], error: 'EIO' });
    // The answer does not wait for the sync; the sync that follows fails.
    await producer.send(record('timed', 1));
    await waitUntil('the log dir to go offline', () => node.logDirState.offline);
    const errors = lines.filter((l) => / ERROR /.test(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Error while syncing timed-0 to disk in dir .*: EIO/);
  });

  it('rejects bad broker flush settings', async () => {
    const { buildBrokerConfig } = await import('../../src/broker/config.js');
    expect(() => buildBrokerConfig('/tmp/x', { 'log.flush.interval.messages': '0' })).toThrow(/at least 1/);
    expect(() => buildBrokerConfig('/tmp/x', { 'log.flush.interval.ms': 'soon' })).toThrow(/LONG/);
    const { warnings } = buildBrokerConfig('/tmp/x', { 'log.flush.interval.ms': '9223372036854775807', 'log.flush.scheduler.interval.ms': '1000' });
    expect(warnings).toEqual([]);
  });
});
