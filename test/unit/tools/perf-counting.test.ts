/**
 * The perf tools' cheap paths: consumer-perf-test counts fetched batches in place (records and
 * key+value bytes, only those at the chunk's offsets; with check.crcs the fetcher checks CRCs), and
 * producer-perf-test takes its latencies from the producer's acknowledged batches (onBatchAcked:
 * count, bytes, timestamps as runs), whose buffers are reused only once acknowledged.
 */
import { describe, expect, it } from 'vitest';
import type { KafkaClient } from '../../../src/client/client.js';
import { assertBatchIntact, type RawChunk } from '../../../src/client/consumer/fetcher.js';
import { Producer, type AckedBatch } from '../../../src/client/producer/producer.js';
import { computedBatchCrc, decodeBatchRecords, encodeBatch, readBatchHeader } from '../../../src/protocol/record-batch.js';
import { countChunk } from '../../../src/tools/consumer-perf.js';

const chunk = (batches: Buffer[], from = 0, to = Infinity): RawChunk => ({ topic: 't', partition: 0, from, to, batches: batches.map((batch) => ({ batch, header: readBatchHeader(batch) })) });
const rec = (i: number, key: string | null = null) => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(`value-${i}`), timestamp: 1000 + i });

describe('consumer-perf-test counting', () => {
  it('counts records and key+value bytes of plain and compressed batches, only at the chunk offsets', () => {
    const a = encodeBatch([rec(0, 'k'), rec(1), rec(2)], { baseOffset: 0 });
    const b = encodeBatch([rec(3, 'kk'), rec(4)], { baseOffset: 3, compression: 1 });
    expect(countChunk(chunk([a, b]))).toEqual({ records: 5, bytes: 5 * 7 + 1 + 2, next: 5 });
    // A fetch from offset 1 gets the whole first batch back: offset 0 is not counted.
    expect(countChunk(chunk([a, b], 1))).toEqual({ records: 4, bytes: 4 * 7 + 2, next: 5 });
    // At most `max` records (the tool stops at a poll boundary); `next` is where the rest begins.
    expect(countChunk(chunk([a, b]), 4)).toEqual({ records: 4, bytes: 4 * 7 + 1 + 2, next: 4 });
  });

  it('check.crcs: a corrupt batch fails with where it is and both CRCs (Kafka\'s message); an intact one passes', () => {
    const a = encodeBatch([rec(0), rec(1)], { baseOffset: 40 });
    const bad = Buffer.from(a);
    bad[bad.length - 2]! ^= 0xff;
    expect(countChunk(chunk([bad])).records).toBe(2);
    expect(() => assertBatchIntact('t', 0, a, readBatchHeader(a))).not.toThrow();
    const h = readBatchHeader(bad);
    expect(() => assertBatchIntact('t', 0, bad, h)).toThrow(`Record batch for partition t-0 at offset 40 is invalid, cause: Record is corrupt (stored crc = ${h.crc}, computed crc = ${computedBatchCrc(bad)})`);
    expect(computedBatchCrc(bad)).not.toBe(h.crc);
  });
});

describe('producer onBatchAcked', () => {
  it('reports every record once with its bytes and timestamps, and reuses a buffer only after its batch is acknowledged', async () => {
    const held: { records: Buffer; copy: Buffer; answer: () => void }[] = [];
    const client = {
      cluster: { topics: new Map([['t', { name: 't', errorCode: 0, partitions: [{ partition: 0, errorCode: 0, leader: 1 }] }]]) },
      refreshMetadata: async () => client.cluster,
      send: (_n: number, _api: unknown, body: any) =>
        new Promise((resolve) => {
          const records: Buffer = body.topicData[0].partitionData[0].records;
          held.push({ records, copy: Buffer.from(records), answer: () => resolve({ body: { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1 }] }] } }) });
        }),
    };
    const p = new Producer(client as unknown as KafkaClient, { batchSize: 4096, idempotent: false, acks: -1, maxInFlightPerBroker: 1000, lingerMs: 0 });
    const acked: AckedBatch[] = [];
    p.onBatchAcked = (b) => acked.push({ ...b, runs: b.runs && [...b.runs] });
    const values = Array.from({ length: 60 }, (_, i) => `v${String(i).padStart(3, '0')}-${'x'.repeat(300)}`);
    for (let i = 0; i < 30; i++) p.append({ topic: 't', value: Buffer.from(values[i]!), timestamp: 5000 + Math.floor(i / 4) });
    await new Promise((r) => setTimeout(r, 20));
    const first = held.length;
    expect(first).toBeGreaterThan(2);
    // The first batch is acknowledged; the next records may go into its buffer, never into those still in flight.
    held[0]!.answer();
    await new Promise((r) => setTimeout(r, 0));
    const snapshot = held.slice(1).map((h) => Buffer.from(h.records));
    for (let i = 30; i < 60; i++) p.append({ topic: 't', value: Buffer.from(values[i]!), timestamp: 6000 });
    await new Promise((r) => setTimeout(r, 20));
    held.slice(1, first).forEach((h, i) => expect(h.records.equals(snapshot[i]!)).toBe(true));
    // The acknowledged batch's buffer was taken again (Kafka's BufferPool), by a batch sent after it.
    expect(held.slice(first).some((h) => h.records.buffer === held[0]!.records.buffer)).toBe(true);
    for (const h of held.slice(1)) h.answer();
    await p.flush();
    // What went out (copied as it was sent) is every record once, in order.
    expect(held.flatMap((h) => decodeBatchRecords(h.copy).map((r) => r.value!.toString()))).toEqual(values);
    expect(acked.reduce((n, b) => n + b.count, 0)).toBe(60);
    expect(acked.reduce((n, b) => n + b.bytes, 0)).toBe(values.reduce((n, v) => n + v.length, 0));
    for (const b of acked) expect(b.runs!.filter((_, i) => i % 2 === 1).reduce((n, c) => n + c, 0)).toBe(b.count);
    expect(acked[0]!.runs!.slice(0, 2)).toEqual([5000, 4]);
    expect(p.stats).toEqual({ acked: 60, failed: 0 });
  });
});
