/**
 * The sender through the producer's public API, against a fake client that holds every Produce
 * request until the test answers it: the order batches go out in, one batch per partition in
 * flight for an idempotent producer, retries ahead of later batches, and the sequence and epoch
 * rules when a batch fails for good.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo, KafkaClient } from '../../../../src/client/client.js';
import { Producer, type ProducerOptions, type RecordMetadata } from '../../../../src/client/producer/producer.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { decodeBatchRecords, readBatchHeader } from '../../../../src/protocol/record-batch.js';

interface SentBatch {
  partition: number;
  values: string[];
  producerEpoch: number;
  baseSequence: number;
}

interface PendingProduce {
  leader: number;
  batches: SentBatch[];
  answer(errors?: Record<number, number>): void;
}

class FakeClient {
  readonly cluster: ClusterInfo = {
    clusterId: 'c',
    controllerId: 1,
    brokers: new Map(),
    topics: new Map([
      [
        't',
        {
          name: 't',
          id: Buffer.alloc(16),
          internal: false,
          errorCode: 0,
          partitions: [0, 1].map((partition) => ({ partition, errorCode: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offline: [] })),
        },
      ],
    ]),
  };
  readonly produces: PendingProduce[] = [];
  private nextOffset = new Map<number, number>();
  initProducerIds = 0;

  send(node: number | 'any', api: { name: string }, body: any): Promise<{ body: unknown }> {
    if (api.name === 'InitProducerId') {
      this.initProducerIds++;
      return Promise.resolve({ body: { errorCode: 0, producerId: 9, producerEpoch: 0 } });
    }
    expect(api.name).toBe('Produce');
    return new Promise((resolve) => {
      const batches = body.topicData.flatMap((t: any) =>
        t.partitionData.map((p: { index: number; records: Buffer }) => {
          const h = readBatchHeader(p.records);
          return { partition: p.index, values: decodeBatchRecords(p.records).map((r) => r.value!.toString()), producerEpoch: h.producerEpoch, baseSequence: h.baseSequence };
        }),
      );
      this.produces.push({
        leader: node as number,
        batches,
        answer: (errors = {}) => {
          const partitionResponses = batches.map((b: SentBatch) => {
            const errorCode = errors[b.partition] ?? 0;
            const baseOffset = this.nextOffset.get(b.partition) ?? 0;
            if (errorCode === 0) this.nextOffset.set(b.partition, baseOffset + b.values.length);
            return { index: b.partition, errorCode, baseOffset: errorCode ? -1 : baseOffset, logAppendTimeMs: -1, errorMessage: null };
          });
          resolve({ body: { responses: [{ name: 't', partitionResponses }] } });
        },
      });
    });
  }

  refreshMetadata = vi.fn(async () => this.cluster);
}

// Fake timers: the tests decide when time passes, however loaded the machine is.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function producer(opts: ProducerOptions) {
  const client = new FakeClient();
  // batch.size 1: every record is a batch of its own.
  const p = new Producer(client as unknown as KafkaClient, { batchSize: 1, retryBackoffMs: 1, ...opts });
  const acked: RecordMetadata[] = [];
  const failed: { value: string; error: Error }[] = [];
  const send = (partition: number, value: string) =>
    p.append({ topic: 't', partition, value: Buffer.from(value) }, (e, m) => (e ? failed.push({ value, error: e }) : acked.push(m!)));
  /**
   * Waits until `n` Produce requests have been sent in all, and returns the last one. Then it lets
   * a second of fake time pass (linger, retry backoff, every microtask) before checking that no
   * other request went out: whatever the sender would still send now has been sent.
   */
  const request = async (n: number) => {
    await vi.waitFor(() => expect(client.produces.length).toBeGreaterThanOrEqual(n));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.produces).toHaveLength(n);
    return client.produces[n - 1]!;
  };
  return { p, client, send, acked, failed, request };
}

// With max.in.flight.requests.per.connection=1 (several in flight: test/unit/producer-pipeline.test.ts).
describe('idempotent sender', () => {
  it('keeps one batch per partition in flight, sending each partition in order with consecutive sequences', async () => {
    const { p, client, send, acked, request } = producer({ idempotent: true, maxInFlightPerBroker: 1 });
    for (const v of ['a0', 'a1', 'a2']) send(0, v);
    send(1, 'b0');
    const first = await request(1);
    expect(client.initProducerIds).toBe(1);
    // One request per leader, with the head batch of each partition (both fit in 1 MiB).
    expect(first.batches).toEqual([
      { partition: 0, values: ['a0'], producerEpoch: 0, baseSequence: 0 },
      { partition: 1, values: ['b0'], producerEpoch: 0, baseSequence: 0 },
    ]);
    first.answer();
    const second = await request(2);
    expect(second.batches).toEqual([{ partition: 0, values: ['a1'], producerEpoch: 0, baseSequence: 1 }]);
    second.answer();
    const third = await request(3);
    expect(third.batches).toEqual([{ partition: 0, values: ['a2'], producerEpoch: 0, baseSequence: 2 }]);
    third.answer();
    await p.flush();
    expect(acked.filter((m) => m.partition === 0).map((m) => m.offset)).toEqual([0, 1, 2]);
    expect(p.stats).toEqual({ acked: 4, failed: 0 });
  });

  it('retries a batch before the batch after it, on the same sequence', async () => {
    const { p, send, acked, request } = producer({ idempotent: true, maxInFlightPerBroker: 1 });
    send(0, 'x');
    send(0, 'y');
    (await request(1)).answer({ 0: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    const retry = await request(2);
    expect(retry.batches).toEqual([{ partition: 0, values: ['x'], producerEpoch: 0, baseSequence: 0 }]);
    retry.answer();
    const next = await request(3);
    expect(next.batches).toEqual([{ partition: 0, values: ['y'], producerEpoch: 0, baseSequence: 1 }]);
    next.answer();
    await p.flush();
    expect(acked.map((m) => m.offset)).toEqual([0, 1]);
  });

  it('gives a refused batch its sequence back: the next batch takes it', async () => {
    const { p, send, failed, request } = producer({ idempotent: true, retries: 0, maxInFlightPerBroker: 1 });
    send(0, 'refused');
    send(0, 'next');
    (await request(1)).answer({ 0: ErrorCode.CORRUPT_MESSAGE });
    const next = await request(2);
    expect(next.batches).toEqual([{ partition: 0, values: ['next'], producerEpoch: 0, baseSequence: 0 }]);
    next.answer();
    await p.flush();
    expect(failed.map((f) => f.value)).toEqual(['refused']);
  });

  it('bumps the epoch after a batch that may have been written, once nothing is in flight', async () => {
    const { p, send, failed, request } = producer({ idempotent: true, retries: 0, maxInFlightPerBroker: 1 });
    send(0, 'maybe');
    send(1, 'other');
    send(0, 'next');
    const first = await request(1);
    expect(first.batches.map((b) => b.partition)).toEqual([0, 1]);
    first.answer({ 0: ErrorCode.REQUEST_TIMED_OUT });
    const next = await request(2);
    // Every partition starts again at 0 under the new epoch.
    expect(next.batches).toEqual([{ partition: 0, values: ['next'], producerEpoch: 1, baseSequence: 0 }]);
    next.answer();
    await p.flush();
    expect(failed.map((f) => f.value)).toEqual(['maybe']);
    send(1, 'after');
    (await request(3)).batches.forEach((b) => expect(b).toEqual({ partition: 1, values: ['after'], producerEpoch: 1, baseSequence: 0 }));
  });
});

describe('plain sender', () => {
  it('pipelines a partition up to max.in.flight requests per leader, in order', async () => {
    const { p, client, send, acked, request } = producer({ acks: 1, maxInFlightPerBroker: 2 });
    for (const v of ['a0', 'a1', 'a2']) send(0, v);
    await request(2);
    expect(client.initProducerIds).toBe(0);
    expect(client.produces.map((r) => r.batches)).toEqual([
      [{ partition: 0, values: ['a0'], producerEpoch: -1, baseSequence: -1 }],
      [{ partition: 0, values: ['a1'], producerEpoch: -1, baseSequence: -1 }],
    ]);
    client.produces[0]!.answer();
    const third = await request(3);
    expect(third.batches.map((b) => b.values)).toEqual([['a2']]);
    client.produces[1]!.answer();
    third.answer();
    await p.flush();
    expect(acked.map((m) => m.offset)).toEqual([0, 1, 2]);
  });
});

describe('a partition without a leader', () => {
  it('waits for one, asking for metadata every retry.backoff.ms, and expires the batch after delivery.timeout.ms with the last error', async () => {
    const { p, client, send, failed, request } = producer({ acks: 1, retryBackoffMs: 100, deliveryTimeoutMs: 3000 });
    send(0, 'stuck');
    const first = await request(1);
    // The log dir of the leader failed: it answers KAFKA_STORAGE_ERROR and the partition goes offline.
    client.cluster.topics.get('t')!.partitions[0]!.leader = -1;
    client.refreshMetadata.mockClear();
    first.answer({ 0: ErrorCode.KAFKA_STORAGE_ERROR });
    await vi.advanceTimersByTimeAsync(1000);
    expect(failed).toEqual([]);
    // About one lookup per backoff, not a busy loop.
    expect(client.refreshMetadata.mock.calls.length).toBeGreaterThan(3);
    expect(client.refreshMetadata.mock.calls.length).toBeLessThan(20);
    await vi.advanceTimersByTimeAsync(2500);
    expect(failed.map((f) => f.value)).toEqual(['stuck']);
    expect(failed[0]!.error).toMatchObject({ code: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(failed[0]!.error.message).toMatch(/^Expiring 1 record\(s\) for t-0: 3000 ms has passed since batch creation without a leader \(last error: KAFKA_STORAGE_ERROR: /);
    expect(client.produces).toHaveLength(1);
    await p.flush();
  });
});
