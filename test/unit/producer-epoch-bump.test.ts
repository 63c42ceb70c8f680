/**
 * An idempotent producer's epoch bump across partitions (KIP-360, as Kafka's producer does it):
 * each partition moves to the new epoch on its own, once nothing of it is in flight, and a retry
 * the broker may already hold goes again on its old epoch and numbers first. So a partition's
 * trouble holds up no other partition, and no retry is written twice. Two partitions on two fake
 * brokers that check sequences as Kafka's do (a duplicate is answered with its offset).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo, KafkaClient } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeBatchRecords, readBatchHeader } from '../../src/protocol/record-batch.js';
import { ConnectionError } from '../../src/transport/client-connection.js';

/** One partition's log and this producer's state on its broker. */
class PartitionLog {
  readonly log: string[] = [];
  private readonly written = new Map<string, number>();
  private expected = 0;
  private epoch = -1;

  append(epoch: number, seq: number, values: string[]): { errorCode: number; baseOffset: number } {
    if (epoch > this.epoch) {
      if (seq !== 0) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
      this.epoch = epoch;
      this.expected = 0;
    }
    if (epoch < this.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 };
    const dup = this.written.get(`${epoch}:${seq}:${values.length}`);
    if (dup !== undefined) return { errorCode: 0, baseOffset: dup };
    if (seq !== this.expected) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
    this.expected += values.length;
    this.written.set(`${epoch}:${seq}:${values.length}`, this.log.length);
    this.log.push(...values);
    return { errorCode: 0, baseOffset: this.log.length - values.length };
  }
}

interface Sent {
  partition: number;
  value: string;
  epoch: number;
  seq: number;
  /** The broker appends it and answers (or answers `errorCode` without appending). */
  answer(errorCode?: number): void;
  /** The broker appends it; the connection closes before the answer arrives. */
  writeAndDrop(): void;
  /** The broker appends it, then answers `errorCode` (a leader that lost the partition while it waited for replicas). */
  appendThen(errorCode: number): void;
}

class FakeClient {
  readonly partitions = [new PartitionLog(), new PartitionLog()];
  readonly cluster: ClusterInfo = {
    clusterId: 'c',
    controllerId: 1,
    brokers: new Map(),
    topics: new Map([['t', { name: 't', id: Buffer.alloc(16), internal: false, errorCode: 0, partitions: [0, 1].map((p) => ({ partition: p, errorCode: 0, leader: p + 1, leaderEpoch: 0, replicas: [p + 1], isr: [p + 1], offline: [] })) }]]),
  };
  readonly sent: Sent[] = [];

  send(_node: number | 'any', api: { name: string }, body: any): Promise<{ body: unknown }> {
    if (api.name === 'InitProducerId') return Promise.resolve({ body: { errorCode: 0, producerId: 9, producerEpoch: 0 } });
    const data = body.topicData[0].partitionData[0] as { index: number; records: Buffer };
    const h = readBatchHeader(data.records);
    const values = decodeBatchRecords(data.records).map((r) => r.value!.toString());
    const log = this.partitions[data.index]!;
    return new Promise((resolve, reject) => {
      const reply = (errorCode: number, baseOffset: number) => resolve({ body: { responses: [{ name: 't', partitionResponses: [{ index: data.index, errorCode, baseOffset, logAppendTimeMs: -1, errorMessage: null }] }] } });
      this.sent.push({
        partition: data.index,
        value: values.join(','),
        epoch: h.producerEpoch,
        seq: h.baseSequence,
        answer: (errorCode = 0) => {
          if (errorCode) return reply(errorCode, -1);
          const r = log.append(h.producerEpoch, h.baseSequence, values);
          reply(r.errorCode, r.baseOffset);
        },
        writeAndDrop: () => {
          log.append(h.producerEpoch, h.baseSequence, values);
          reject(new ConnectionError('connection closed'));
        },
        appendThen: (errorCode) => {
          log.append(h.producerEpoch, h.baseSequence, values);
          reply(errorCode, -1);
        },
      });
    });
  }

  refreshMetadata = vi.fn(async () => this.cluster);
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function producer(retries: number) {
  const client = new FakeClient();
  const p = new Producer(client as unknown as KafkaClient, { batchSize: 1, retryBackoffMs: 1, idempotent: true, retries });
  const failed: string[] = [];
  const acked: string[] = [];
  const send = (partition: number, value: string) => p.append({ topic: 't', partition, value: Buffer.from(value) }, (e) => (e ? failed : acked).push(value));
  /** The next request for `value`, once sent (fake time passes meanwhile: back-offs, metadata). */
  const request = async (value: string, nth = 1): Promise<Sent> => {
    let found: Sent | undefined;
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(50);
      found = client.sent.filter((s) => s.value === value)[nth - 1];
      expect(found, `request ${nth} for ${value}; sent: ${client.sent.map((s) => `${s.value}@${s.epoch}:${s.seq}`).join(' ')}`).toBeDefined();
    });
    return found!;
  };
  /** Both partitions primed: a first batch each acknowledged, so later ones may be in flight together. */
  const primed = async () => {
    send(0, 'p0');
    send(1, 'p1');
    (await request('p0')).answer();
    (await request('p1')).answer();
    await p.flush();
  };
  return { p, client, send, failed, acked, request, primed };
}

describe('an epoch bump with two partitions', () => {
  it("a partition whose retry may have been written, and has no leader, holds up no other partition's new batches", async () => {
    const { p, client, send, failed, request, primed } = producer(1);
    await primed();
    send(0, 'a');
    send(1, 'b');
    const b = await request('b');
    b.writeAndDrop();
    // t-1 goes offline: its retry of b waits for a leader.
    client.cluster.topics.get('t')!.partitions[1]!.leader = -1;
    (await request('a')).answer(ErrorCode.REQUEST_TIMED_OUT);
    // a's last attempt times out too: it fails for good, and may have been written.
    (await request('a', 2)).answer(ErrorCode.REQUEST_TIMED_OUT);
    send(0, 'c');
    const c = await request('c');
    expect({ epoch: c.epoch, seq: c.seq }).toEqual({ epoch: 1, seq: 0 });
    c.answer();
    // t-1 is back: b goes again on its old numbers, answered as the duplicate it is.
    client.cluster.topics.get('t')!.partitions[1]!.leader = 2;
    const again = await request('b', 2);
    expect({ epoch: again.epoch, seq: again.seq }).toEqual({ epoch: 0, seq: 1 });
    again.answer();
    await p.flush();
    expect(failed).toEqual(['a']);
    expect(client.partitions[1]!.log).toEqual(['p1', 'b']);
    // Then t-1 moves to the new epoch too.
    send(1, 'd');
    const d = await request('d');
    expect({ epoch: d.epoch, seq: d.seq }).toEqual({ epoch: 1, seq: 0 });
  });

  it('a retry answered NOT_LEADER_OR_FOLLOWER after the old leader appended it goes again on its old numbers', async () => {
    const { p, client, send, failed, request, primed } = producer(1);
    await primed();
    send(0, 'a');
    send(1, 'b');
    const b = await request('b');
    (await request('a')).answer(ErrorCode.REQUEST_TIMED_OUT);
    (await request('a', 2)).answer(ErrorCode.REQUEST_TIMED_OUT);
    b.appendThen(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const again = await request('b', 2);
    expect({ epoch: again.epoch, seq: again.seq }).toEqual({ epoch: 0, seq: 1 });
    again.answer();
    await p.flush();
    expect(failed).toEqual(['a']);
    expect(client.partitions[1]!.log).toEqual(['p1', 'b']);
  });

  it('a batch appended and then answered NOT_LEADER_OR_FOLLOWER, failing for good, leaves its numbers alone (the next batch is not taken for its duplicate)', async () => {
    const { p, client, send, failed, acked, request, primed } = producer(0);
    await primed();
    send(0, 'a');
    (await request('a')).appendThen(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    await vi.advanceTimersByTimeAsync(50);
    send(0, 'b');
    (await request('b')).answer();
    await p.flush();
    expect({ failed, acked: acked.filter((v) => v === 'b') }).toEqual({ failed: ['a'], acked: ['b'] });
    // a was written after all (its answer could not say so); b is written after it, not lost.
    expect(client.partitions[0]!.log).toEqual(['p0', 'a', 'b']);
  });

  it('a broker that lost the state of one partition renumbers that one; a retry the other broker may hold keeps its numbers', async () => {
    const { p, client, send, failed, request, primed } = producer(10);
    await primed();
    send(0, 'a');
    send(1, 'b');
    const [a, b] = [await request('a'), await request('b')];
    a.answer(ErrorCode.UNKNOWN_PRODUCER_ID);
    b.writeAndDrop();
    const a2 = await request('a', 2);
    expect({ epoch: a2.epoch, seq: a2.seq }).toEqual({ epoch: 1, seq: 0 });
    a2.answer();
    const b2 = await request('b', 2);
    expect({ epoch: b2.epoch, seq: b2.seq }).toEqual({ epoch: 0, seq: 1 });
    b2.answer();
    await p.flush();
    expect(failed).toEqual([]);
    expect(client.partitions.map((l) => l.log)).toEqual([
      ['p0', 'a'],
      ['p1', 'b'],
    ]);
  });
});
