/**
 * The log cleaner on a real broker: a compacted topic read back through Fetch keeps the latest
 * value of each key at its offset, and __consumer_offsets is compacted without losing a group's
 * offsets across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { decodeBatchRecords } from '../../src/protocol/record-batch.js';
import type { DiskPartitionLog } from '../../src/storage/disk/disk-store.js';
import { readBatches } from '../../src/storage/log-store.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

let broker: TestBroker;
let dir: { dir: string; cleanup: () => void };
const brokerProps = { 'offsets.topic.num.partitions': '1', 'offsets.topic.segment.bytes': '1024', 'log.cleaner.backoff.ms': '0' };

beforeAll(async () => {
  dir = tempDir();
  broker = await startBroker({ dir: dir.dir, properties: brokerProps });
});
afterAll(async () => {
  await broker.close();
  dir.cleanup();
});

async function readAll(b: TestBroker, topic: string): Promise<{ offset: number; key: string; value: string | null }[]> {
  const f = new Fetcher(b.client('reader'), { maxWaitMs: 50 });
  await f.assign([{ topic, partition: 0, start: 'earliest' }]);
  const out: { offset: number; key: string; value: string | null }[] = [];
  do {
    for (const chunk of await f.poll()) for (const r of chunk.records) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null });
  } while (!f.allAtEnd());
  return out;
}

describe('log cleaner', () => {
  it('compacts a cleanup.policy=compact topic: consumers see the latest value of every key, at its offset', async () => {
    const c = broker.client();
    const [created] = await new Admin(c).createTopics([
      { name: 'table', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '2048', 'min.cleanable.dirty.ratio': '0.01' } },
    ]);
    expect(created!.error).toBeNull();
    const producer = new Producer(c, { lingerMs: 0 });
    const latest = new Map<string, { offset: number; value: string | null }>();
    for (let i = 0; i < 400; i++) {
      const key = `user-${i % 20}`;
      const value = i % 97 === 0 ? null : `v${i}`; // a few deletions
      const meta = await producer.send({ topic: 'table', key: Buffer.from(key), value: value === null ? null : Buffer.from(value) });
      latest.set(key, { offset: meta.offset, value });
    }
    const before = await readAll(broker, 'table');
    expect(before).toHaveLength(400);
    const end = before.at(-1)!.offset + 1;

    await broker.cluster.brokers()[0]!.compactLogs();

    const after = await readAll(broker, 'table');
    expect(after.length).toBeLessThan(400);
    // Every key's latest record is there, at the offset it was written to.
    for (const [key, want] of latest) expect(after.find((r) => r.key === key && r.offset === want.offset)?.value).toBe(want.value);
    // Exactly each key's latest record among those the cleaner may touch (all but the active
    // segment's), and every record of the active segment. Tombstones stay for delete.retention.ms.
    const log = broker.cluster.brokers()[0]!.replica('table', 0)!.log as DiskPartitionLog;
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    expect(activeBase).toBeGreaterThan(0);
    const newestBelow = new Map<string, number>();
    for (const r of before) if (r.offset < activeBase) newestBelow.set(r.key, r.offset);
    expect(after).toEqual(before.filter((r) => r.offset >= activeBase || newestBelow.get(r.key) === r.offset));
    // Producing carries on at the same offsets.
    const meta = await producer.send({ topic: 'table', key: Buffer.from('user-0'), value: Buffer.from('after') });
    expect(meta.offset).toBe(end);
  });

  it('refuses records without a key on a compacted topic, as Kafka does', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'keyed', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact,delete' } }]);
    const producer = new Producer(c, { lingerMs: 0, retries: 0 });
    await expect(producer.send({ topic: 'keyed', value: Buffer.from('no key') })).rejects.toThrow(/Compacted topic cannot accept message without key/);
    expect((await producer.send({ topic: 'keyed', key: Buffer.from('k'), value: Buffer.from('v') })).offset).toBe(0);
  });

  it('compacts __consumer_offsets and keeps every group’s latest offsets through a restart', async () => {
    const c = broker.client();
    await new Admin(c).createTopics([{ name: 'orders', partitions: 3, replicationFactor: 1 }]);
    const groups = new GroupAdmin(c);
    for (let i = 1; i <= 200; i++) {
      const res = await groups.commitOffsets('g-compact', [0, 1, 2].map((p) => ({ topic: 'orders', partition: p, offset: i * 10 + p })));
      expect(res.every((r) => r.error === null)).toBe(true);
    }
    const offsetsLog = broker.cluster.brokers()[0]!.replica('__consumer_offsets', 0)!;
    const count = () => {
      const start = offsetsLog.logStartOffset();
      let n = 0;
      for (const b of readBatches(offsetsLog.log, start, offsetsLog.logEndOffset())) n += decodeBatchRecords(b).filter((r) => r.offset >= start).length;
      return n;
    };
    expect(count()).toBeGreaterThanOrEqual(600);
    await broker.cluster.brokers()[0]!.compactLogs();
    expect(count()).toBeLessThan(100);

    await broker.close(true);
    broker = await startBroker({ dir: dir.dir, properties: brokerProps });
    const offsets = await new GroupAdmin(broker.client()).fetchOffsets('g-compact');
    expect(offsets.map((o) => [o.partition, o.offset]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [0, 2000],
      [1, 2001],
      [2, 2002],
    ]);
  });
});
