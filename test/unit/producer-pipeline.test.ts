/**
 * The producer pipeline: an idempotent producer keeps up to max.in.flight (5) batches of one
 * partition in flight, and when one fails in flight the batches after it (refused by the broker
 * with OUT_OF_ORDER_SEQUENCE_NUMBER, or lost with the connection) are retried after it, one at a
 * time, in order, on their sequence numbers. The partition's first batch of an epoch goes alone:
 * until the broker holds one, it takes any sequence. A fake client holds every Produce request
 * until the test answers it (or drops it, as a closed connection would).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo, KafkaClient } from '../../src/client/client.js';
import { Producer, type ProducerOptions, type RecordMetadata } from '../../src/client/producer/producer.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords, readBatchHeader } from '../../src/protocol/record-batch.js';
import { ConnectionError } from '../../src/transport/client-connection.js';

interface SentBatch {
  values: string[];
  producerEpoch: number;
  baseSequence: number;
}

interface PendingProduce {
  batch: SentBatch;
  /** Answers as the broker would (appending it, or refusing it with `errorCode`). */
  answer(errorCode?: number): void;
  /** The connection closes before the request reached the broker. */
  drop(): void;
  /** The broker appends the batch, and the connection closes before the answer reaches the producer. */
  writeAndDrop(): void;
}

/** One partition; the fake broker checks sequences as Kafka's does (duplicates answered with their offsets). */
class FakeClient {
  readonly cluster: ClusterInfo = {
    clusterId: 'c',
    controllerId: 1,
    brokers: new Map(),
    topics: new Map([['t', { name: 't', id: Buffer.alloc(16), internal: false, errorCode: 0, partitions: [{ partition: 0, errorCode: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1], offline: [] }] }]]),
  };
  readonly produces: PendingProduce[] = [];
  /** The log: values in offset order. */
  readonly log: string[] = [];
  private written = new Map<string, number>();
  private expected = 0;
  private epoch = -1;

  send(_node: number | 'any', api: { name: string }, body: any): Promise<{ body: unknown }> {
    if (api.name === 'InitProducerId') return Promise.resolve({ body: { errorCode: 0, producerId: 9, producerEpoch: 0 } });
    const records: Buffer = body.topicData[0].partitionData[0].records;
    const h = readBatchHeader(records);
    const batch = { values: decodeBatchRecords(records).map((r) => r.value!.toString()), producerEpoch: h.producerEpoch, baseSequence: h.baseSequence };
    return new Promise((resolve, reject) => {
      const reply = (errorCode: number, baseOffset = -1) =>
        resolve({ body: { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset, logAppendTimeMs: -1, errorMessage: null }] }] } });
      this.produces.push({
        batch,
        drop: () => reject(new ConnectionError('connection closed')),
        writeAndDrop: () => {
          this.append(h.producerEpoch, h.baseSequence, batch.values);
          reject(new ConnectionError('connection closed'));
        },
        answer: (errorCode = 0) => {
          if (errorCode) return reply(errorCode);
          const r = this.append(h.producerEpoch, h.baseSequence, batch.values);
          reply(r.errorCode, r.baseOffset);
        },
      });
    });
  }

  private append(epoch: number, baseSequence: number, values: string[]): { errorCode: number; baseOffset: number } {
    if (baseSequence < 0) {
      this.log.push(...values);
      return { errorCode: 0, baseOffset: this.log.length - values.length };
    }
    if (epoch > this.epoch) {
      this.epoch = epoch;
      this.expected = 0;
    }
    const id = `${epoch}:${baseSequence}:${values.length}`;
    const dup = this.written.get(id);
    if (dup !== undefined) return { errorCode: 0, baseOffset: dup };
    if (baseSequence !== this.expected) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
    this.expected += values.length;
    this.written.set(id, this.log.length);
    this.log.push(...values);
    return { errorCode: 0, baseOffset: this.log.length - values.length };
  }

  refreshMetadata = vi.fn(async () => this.cluster);
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function producer(opts: ProducerOptions = {}) {
  const client = new FakeClient();
  const p = new Producer(client as unknown as KafkaClient, { batchSize: 1, retryBackoffMs: 1, idempotent: true, ...opts });
  const acked: RecordMetadata[] = [];
  const failed: string[] = [];
  const send = (value: string) => p.append({ topic: 't', partition: 0, value: Buffer.from(value) }, (e, m) => (e ? failed.push(value) : acked.push(m!)));
  /** Waits until `n` requests were sent in all; then lets time pass and checks nothing else went out. */
  const sent = async (n: number) => {
    await vi.waitFor(() => expect(client.produces.length).toBeGreaterThanOrEqual(n));
    await vi.advanceTimersByTimeAsync(500);
    expect(client.produces.map((r) => r.batch)).toHaveLength(n);
    return client.produces.slice(0, n);
  };
  /**
   * The partition's first batch ('p', sequence 0, offset 0), acknowledged: later batches may then
   * be in flight together (the requests seen so far are forgotten).
   */
  const primed = async () => {
    send('p');
    const [first] = await sent(1);
    expect(first!.batch).toEqual({ values: ['p'], producerEpoch: 0, baseSequence: 0 });
    first!.answer();
    await p.flush();
    client.produces.length = 0;
    acked.length = 0;
  };
  return { p, client, send, acked, failed, sent, primed };
}

const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

describe('idempotent producer pipeline', () => {
  it('keeps five batches of one partition in flight, with consecutive sequences', async () => {
    const { p, client, send, acked, sent } = producer();
    values(7).forEach(send);
    // The first goes alone: the broker holds nothing of this producer yet.
    const [alone] = await sent(1);
    expect(alone!.batch).toEqual({ values: ['v0'], producerEpoch: 0, baseSequence: 0 });
    alone!.answer();
    const first = (await sent(6)).slice(1);
    expect(first.map((r) => r.batch)).toEqual(values(6).slice(1).map((v, i) => ({ values: [v], producerEpoch: 0, baseSequence: i + 1 })));
    first[0]!.answer();
    // One came back: the seventh goes out.
    expect((await sent(7))[6]!.batch).toEqual({ values: ['v6'], producerEpoch: 0, baseSequence: 6 });
    for (const r of client.produces.slice(2)) r.answer();
    await p.flush();
    expect(client.log).toEqual(values(7));
    expect(acked.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('sends the first batch of a partition alone, so a later one cannot be written ahead of it', async () => {
    const { p, client, send, failed, sent } = producer({ retries: 0 });
    values(3).forEach(send);
    const [alone] = await sent(1);
    // Refused for good (not written): the broker still holds nothing, and the next batch takes its sequence.
    alone!.answer(ErrorCode.CORRUPT_MESSAGE);
    const [next] = (await sent(2)).slice(1);
    expect(next!.batch).toEqual({ values: ['v1'], producerEpoch: 0, baseSequence: 0 });
    next!.answer();
    (await sent(3))[2]!.answer();
    await p.flush();
    expect(failed).toEqual(['v0']);
    expect(client.log).toEqual(['v1', 'v2']);
  });

  it('retries the batches behind a failed one after it, in order, on their sequences', async () => {
    const { p, client, send, acked, failed, sent, primed } = producer();
    await primed();
    values(5).forEach(send);
    const first = await sent(5);
    // The first is refused (a leader change); the broker then refuses the rest as out of order.
    first[0]!.answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    for (const r of first.slice(1)) r.answer();
    // Retries go one at a time: each only once nothing else of the partition is in flight.
    for (let i = 0; i < 5; i++) {
      const retry = (await sent(6 + i))[5 + i]!;
      expect(retry.batch).toEqual({ values: [`v${i}`], producerEpoch: 0, baseSequence: i + 1 });
      retry.answer();
    }
    await p.flush();
    expect(failed).toEqual([]);
    expect(client.log).toEqual(['p', ...values(5)]);
    expect(acked.map((m) => m.offset)).toEqual([1, 2, 3, 4, 5]);
  });

  it('loses no record and writes none twice when the connection drops with five in flight', async () => {
    const { p, client, send, acked, failed, sent, primed } = producer();
    await primed();
    values(8).forEach(send);
    const first = await sent(5);
    // The broker appended the first three; the connection closed before any answer came back.
    for (const r of first.slice(0, 3)) r.writeAndDrop();
    for (const r of first.slice(3)) r.drop();
    expect(client.log).toEqual(['p', 'v0', 'v1', 'v2']);
    // The five come back one at a time, in order, on their sequences (the first three answered
    // as duplicates with their first offsets); the three never sent follow the last of them.
    for (let i = 0; i < 4; i++) {
      const retry = (await sent(6 + i))[5 + i]!;
      expect(retry.batch).toEqual({ values: [`v${i}`], producerEpoch: 0, baseSequence: i + 1 });
      retry.answer();
    }
    const rest = (await sent(13)).slice(9);
    expect(rest.map((r) => r.batch)).toEqual([4, 5, 6, 7].map((i) => ({ values: [`v${i}`], producerEpoch: 0, baseSequence: i + 1 })));
    for (const r of rest) r.answer();
    await p.flush();
    expect(failed).toEqual([]);
    expect(client.log).toEqual(['p', ...values(8)]);
    expect(acked.map((m) => m.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('bumps the epoch when a batch fails for good with later batches in flight, and numbers them afresh', async () => {
    const { p, client, send, acked, failed, sent, primed } = producer({ retries: 0 });
    await primed();
    values(3).forEach(send);
    const first = await sent(3);
    first[0]!.answer(ErrorCode.CORRUPT_MESSAGE);
    first[1]!.answer();
    first[2]!.answer();
    // The new epoch's first batch goes alone, then the next.
    const again = (await sent(4))[3]!;
    expect(again.batch).toEqual({ values: ['v1'], producerEpoch: 1, baseSequence: 0 });
    again.answer();
    const last = (await sent(5))[4]!;
    expect(last.batch).toEqual({ values: ['v2'], producerEpoch: 1, baseSequence: 1 });
    last.answer();
    await p.flush();
    expect(failed).toEqual(['v0']);
    expect(client.log).toEqual(['p', 'v1', 'v2']);
    expect(acked.map((m) => m.offset)).toEqual([1, 2]);
  });
});

describe('an epoch bump after a batch that may have been written failed for good', () => {
  it('first settles the retries that may have been written on their old numbers, so none is written twice', async () => {
    const { p, client, send, acked, failed, sent, primed } = producer({ retries: 1 });
    await primed();
    send('v0');
    send('v1');
    const first = await sent(2);
    // Both appended; the connection closed before either answer came back.
    first[0]!.writeAndDrop();
    first[1]!.writeAndDrop();
    // v0's retry times out: its last attempt, so it fails for good, and may have been written.
    const retry0 = (await sent(3))[2]!;
    expect(retry0.batch).toEqual({ values: ['v0'], producerEpoch: 0, baseSequence: 1 });
    retry0.answer(ErrorCode.REQUEST_TIMED_OUT);
    // v1 goes again on its own numbers: the broker holds it, and answers with its offset.
    // (Numbered afresh in a new epoch, it would be written a second time.)
    const retry1 = (await sent(4))[3]!;
    expect(retry1.batch).toEqual({ values: ['v1'], producerEpoch: 0, baseSequence: 2 });
    retry1.answer();
    await p.flush();
    expect(failed).toEqual(['v0']);
    expect(acked.map((m) => m.offset)).toEqual([2]);
    // Then the new epoch starts.
    send('v2');
    const next = (await sent(5))[4]!;
    expect(next.batch).toEqual({ values: ['v2'], producerEpoch: 1, baseSequence: 0 });
    next.answer();
    await p.flush();
    expect(client.log).toEqual(['p', 'v0', 'v1', 'v2']);
  });

  it('numbers afresh a retry the broker refuses as out of order (it was not written)', async () => {
    const { p, client, send, acked, failed, sent, primed } = producer({ retries: 1 });
    await primed();
    send('v0');
    send('v1');
    const first = await sent(2);
    // Neither reached the log; v1 may have been, as far as the producer knows.
    first[0]!.answer(ErrorCode.REQUEST_TIMED_OUT);
    first[1]!.drop();
    (await sent(3))[2]!.answer(ErrorCode.REQUEST_TIMED_OUT);
    const retry1 = (await sent(4))[3]!;
    expect(retry1.batch).toEqual({ values: ['v1'], producerEpoch: 0, baseSequence: 2 });
    retry1.answer();
    const again = (await sent(5))[4]!;
    expect(again.batch).toEqual({ values: ['v1'], producerEpoch: 1, baseSequence: 0 });
    again.answer();
    await p.flush();
    expect(failed).toEqual(['v0']);
    expect(client.log).toEqual(['p', 'v1']);
    expect(acked.map((m) => m.offset)).toEqual([1]);
  });
});

describe('plain producer with several batches in flight', () => {
  it('pipelines five batches and may reorder on a retry, as Kafka allows', async () => {
    const { p, client, send, failed, sent } = producer({ idempotent: false, acks: 1 });
    values(3).forEach(send);
    const first = await sent(3);
    expect(first.map((r) => r.batch.baseSequence)).toEqual([-1, -1, -1]);
    first[0]!.answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    first[1]!.answer();
    first[2]!.answer();
    const retry = (await sent(4))[3]!;
    expect(retry.batch.values).toEqual(['v0']);
    retry.answer();
    await p.flush();
    expect(failed).toEqual([]);
    expect([...client.log].sort()).toEqual(values(3));
  });

  it('keeps max.in.flight.requests.per.connection batches of one partition in flight without idempotence (kcat\'s 1,000,000)', async () => {
    const { p, client, send, sent, failed, acked } = producer({ idempotent: false, acks: -1, maxInFlightPerBroker: 1_000_000 });
    values(200).forEach(send);
    // All 200 one-record batches go out before any answer comes back (an idempotent producer stops at 5).
    const all = await sent(200);
    for (const r of all) r.answer();
    await p.flush();
    expect(failed).toEqual([]);
    expect(acked).toHaveLength(200);
    expect(client.log).toEqual(values(200));
  });

  it('stops at max.in.flight.requests.per.connection requests without idempotence', async () => {
    const { p, client, send, sent, failed } = producer({ idempotent: false, acks: 1, maxInFlightPerBroker: 7 });
    values(20).forEach(send);
    const first = await sent(7);
    first[0]!.answer();
    await sent(8);
    for (let answered = 1; answered < 20; answered++) {
      await vi.waitFor(() => expect(client.produces.length).toBeGreaterThan(answered));
      client.produces[answered]!.answer();
    }
    await p.flush();
    expect(failed).toEqual([]);
    expect(client.log).toEqual(values(20));
  });
});
