import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordAccumulator } from '../../../../src/client/producer/accumulator.js';
import type { ProducerBatch, SendCallback } from '../../../../src/client/producer/batch.js';
import { partitionForKey } from '../../../../src/client/producer/partitioners.js';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { decodeBatchRecords } from '../../../../src/protocol/record-batch.js';

const value = (n: number, fill = 'v') => Buffer.alloc(n, fill);

function accumulator(config: Partial<{ batchSize: number; lingerMs: number; maxRequestSize: number; bufferMemory: number; openBytesMax: number }> = {}, partitions = 4) {
  const onReady = vi.fn();
  const acc = new RecordAccumulator({ batchSize: 16384, lingerMs: 5, maxRequestSize: Infinity, ...config }, () => partitions, onReady);
  return { acc, onReady };
}

const heads = (acc: RecordAccumulator) => [...acc.heads()].map(([, b]) => b);
const values = (b: ProducerBatch) => decodeBatchRecords(b.builder.build()).map((r) => r.value!.toString());

afterEach(() => {
  vi.useRealTimers();
});

describe('batching by size', () => {
  it('seals a batch once it reaches batch.size and starts the next with the record that would overflow it', () => {
    const { acc, onReady } = accumulator({ batchSize: 200 });
    for (let i = 0; i < 3; i++) expect(acc.append({ topic: 't', partition: 0, value: value(50, String(i)) }, 4)).toBeNull();
    expect(acc.readyCount).toBe(0);
    // The fourth would take the batch past 200 bytes: the first three go ready, it opens the next.
    acc.append({ topic: 't', partition: 0, value: value(50, '3') }, 4);
    expect(acc.readyCount).toBe(1);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(values(heads(acc)[0]!)).toEqual(['0', '1', '2'].map((c) => c.repeat(50)));
    acc.sealExpired(true);
    expect(acc.readyCount).toBe(2);
    expect(acc.readyOf('t', 0).map((b) => b.count)).toEqual([3, 1]);
  });

  it('seals a batch as soon as it is full', () => {
    const { acc, onReady } = accumulator({ batchSize: 100 });
    acc.append({ topic: 't', partition: 1, value: value(120) }, 4);
    expect(acc.readyCount).toBe(1);
    expect(onReady).toHaveBeenCalledTimes(1);
  });

  it('while a flush waits, seals the records placed together once the code placing them is done (not one batch each)', async () => {
    const { acc, onReady } = accumulator();
    acc.flushing++;
    acc.append({ topic: 't', partition: 0, value: value(1) }, 4);
    acc.append({ topic: 't', partition: 0, value: value(1) }, 4);
    expect(acc.readyCount).toBe(0);
    await Promise.resolve();
    expect(acc.readyOf('t', 0).map((b) => b.count)).toEqual([2]);
    expect(onReady).toHaveBeenCalledTimes(1);
  });
});

describe('open bytes bound (openBytesMax)', () => {
  it('seals every open batch once they hold the bound together, each partition keeping its records in order', () => {
    const { acc, onReady } = accumulator({ batchSize: 1000, openBytesMax: 300 });
    // 100 bytes each to partitions 0, 1, 2: no batch is near batch.size, but together they reach 300.
    acc.appendValue('t', 0, value(100, 'a'), 0, 100, 1);
    acc.appendValue('t', 1, value(100, 'b'), 0, 100, 1);
    expect(acc.readyCount).toBe(0);
    acc.appendValue('t', 2, value(100, 'c'), 0, 100, 1);
    expect(acc.readyCount).toBe(3);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect([0, 1, 2].map((p) => values(acc.readyOf('t', p)[0]!))).toEqual([['a'.repeat(100)], ['b'.repeat(100)], ['c'.repeat(100)]]);
    // The count starts again: a batch sealed for being full takes its bytes off it too.
    acc.appendValue('t', 0, value(250, 'd'), 0, 250, 1);
    expect(acc.readyCount).toBe(3);
    acc.appendValue('t', 1, value(50, 'e'), 0, 50, 1);
    expect(acc.readyCount).toBe(5);
    expect(acc.readyOf('t', 0).map((b) => b.count)).toEqual([1, 1]);
  });

  it('leaves open batches to batch.size and linger.ms when not given', () => {
    const { acc } = accumulator({ batchSize: 1000 });
    for (let p = 0; p < 4; p++) acc.appendValue('t', p, value(900), 0, 900, 1);
    expect(acc.readyCount).toBe(0);
  });
});

describe('linger', () => {
  it('keeps a small batch open for linger.ms, then makes it ready', () => {
    vi.useFakeTimers();
    const { acc, onReady } = accumulator({ lingerMs: 50 });
    acc.append({ topic: 't', partition: 0, value: value(10) }, 4);
    vi.advanceTimersByTime(49);
    expect(acc.readyCount).toBe(0);
    vi.advanceTimersByTime(1);
    expect(acc.readyCount).toBe(1);
    expect(onReady).toHaveBeenCalledTimes(1);
  });

  it('lets a batch opened later linger its own full time', () => {
    vi.useFakeTimers();
    const { acc } = accumulator({ lingerMs: 50 });
    acc.append({ topic: 't', partition: 0, value: value(10) }, 4);
    vi.advanceTimersByTime(30);
    acc.append({ topic: 't', partition: 1, value: value(10) }, 4);
    vi.advanceTimersByTime(20);
    expect(heads(acc).map((b) => b.partition)).toEqual([0]);
    // The timer runs again for a full linger.ms once the first batch went.
    vi.advanceTimersByTime(30);
    expect(heads(acc).map((b) => b.partition)).toEqual([0]);
    vi.advanceTimersByTime(20);
    expect(heads(acc).map((b) => b.partition).sort()).toEqual([0, 1]);
  });

  it('does not fire after the linger is cancelled', () => {
    vi.useFakeTimers();
    const { acc, onReady } = accumulator({ lingerMs: 50 });
    acc.append({ topic: 't', partition: 0, value: value(10) }, 4);
    acc.cancelLinger();
    vi.advanceTimersByTime(100);
    expect(onReady).not.toHaveBeenCalled();
    expect(acc.readyCount).toBe(0);
  });
});

describe('partition choice', () => {
  it('sends keyed records where the Java producer does', () => {
    const { acc } = accumulator();
    const key = Buffer.from('user-42');
    acc.append({ topic: 't', key, value: value(1) }, 7);
    acc.sealExpired(true);
    expect(heads(acc)[0]!.partition).toBe(partitionForKey(key, 7));
  });

  it('sticks keyless records to one partition until its batch is sealed, then moves on', () => {
    const { acc } = accumulator({ batchSize: 100 });
    while (acc.readyCount === 0) acc.append({ topic: 't', value: value(10) }, 4);
    const [sealed] = heads(acc);
    expect(sealed!.count).toBeGreaterThan(1);
    // The record that overflowed the batch had its partition already; the next one moves on.
    acc.append({ topic: 't', value: value(10) }, 4);
    acc.sealExpired(true);
    const partitions = [...acc.allReady()].map((b) => b.partition);
    expect(partitions.filter((p) => p === sealed!.partition)).toHaveLength(2);
    expect(partitions.filter((p) => p !== sealed!.partition)).toHaveLength(1);
  });

  it('refuses a partition the topic does not have', () => {
    const { acc } = accumulator();
    const rejected = acc.append({ topic: 't', partition: 4, value: value(1) }, 4);
    expect(rejected?.partition).toBe(4);
    expect(rejected?.error.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    acc.sealExpired(true);
    expect(acc.readyCount).toBe(0);
  });

  it('refuses a record larger than max.request.size before it takes a place in a batch', () => {
    const { acc } = accumulator({ maxRequestSize: 1000 });
    const rejected = acc.append({ topic: 't', partition: 2, value: value(2000) }, 4);
    expect(rejected?.error.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(rejected?.error.message).toBe('record of 2,000 bytes exceeds max.request.size=1000 of the producer; raise it or split the record');
    expect(acc.append({ topic: 't', partition: 2, value: value(900) }, 4)).toBeNull();
  });

  it('refuses a record larger than buffer.memory too (Kafka: RecordTooLargeException), on both paths', () => {
    const { acc } = accumulator({ bufferMemory: 1000 });
    const rejected = acc.append({ topic: 't', partition: 2, value: value(2000) }, 4);
    expect(rejected?.error.code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(rejected?.error.message).toBe('record of 2,000 bytes exceeds buffer.memory=1000 of the producer; raise it or split the record');
    const src = value(2000);
    expect(acc.appendValue('t', 1, src, 0, 2000, Date.now())?.message).toBe('record of 2,000 bytes exceeds buffer.memory=1000 of the producer; raise it or split the record');
    expect(acc.sizeRefusal(900)).toBeNull();
    expect(acc.sizeRefusal(999_999_999)?.message).toBe('record of 999,999,999 bytes exceeds buffer.memory=1000 of the producer; raise it or split the record');
    // The smaller limit is named.
    expect(accumulator({ maxRequestSize: 500, bufferMemory: 1000 }).acc.sizeRefusal(2000)?.message).toMatch(/exceeds max\.request\.size=500 /);
  });
});

describe('ready queues', () => {
  it('takes heads in order and puts a retry back in front', () => {
    const { acc } = accumulator({ batchSize: 10 });
    for (let i = 0; i < 3; i++) acc.append({ topic: 't', partition: 0, value: value(20, String(i)) }, 4);
    const [first] = heads(acc);
    acc.take(first!);
    expect(acc.readyCount).toBe(2);
    expect(values(heads(acc)[0]!)).toEqual(['1'.repeat(20)]);
    acc.requeue(first!);
    expect(acc.readyOf('t', 0).map((b) => values(b)[0]![0])).toEqual(['0', '1', '2']);
  });

  it('clears every queue, handing each batch over', () => {
    const { acc } = accumulator({ batchSize: 10 });
    for (let p = 0; p < 3; p++) acc.append({ topic: 't', partition: p, value: value(20) }, 4);
    const seen: number[] = [];
    acc.clearReady((b) => seen.push(b.partition));
    expect(seen.sort()).toEqual([0, 1, 2]);
    expect(acc.readyCount).toBe(0);
    expect(heads(acc)).toEqual([]);
  });
});

describe('splitting a batch the broker found too large', () => {
  function sentBatch(count: number, withCallbacks: boolean) {
    const { acc, onReady } = accumulator({ batchSize: 1 << 20 });
    const cbs: SendCallback[] = [];
    for (let i = 0; i < count; i++) {
      const cb: SendCallback = () => undefined;
      cbs.push(cb);
      acc.append({ topic: 't', partition: 0, value: Buffer.from(`r${i}`), timestamp: 1000 + i }, 1, withCallbacks ? cb : undefined);
    }
    acc.sealExpired(true);
    // A later batch of the same partition, waiting behind the one sent.
    acc.append({ topic: 't', partition: 0, value: Buffer.from('later') }, 1);
    acc.sealExpired(true);
    const [big, later] = [...acc.allReady()];
    acc.take(big!);
    big!.encoded = big!.builder.build();
    big!.attempts = 1;
    onReady.mockClear();
    return { acc, onReady, big: big!, later: later!, cbs };
  }

  it('puts two halves in front of the later batches, in order, keeping the sequence numbers', () => {
    const { acc, onReady, big, later } = sentBatch(5, false);
    big.baseSequence = 10;
    big.firstAttemptAt = 123;
    expect(acc.split(big)).toBe(true);
    expect(onReady).toHaveBeenCalledTimes(1);
    const queue = acc.readyOf('t', 0);
    expect(queue).toHaveLength(3);
    const [a, b] = queue;
    expect(values(a!)).toEqual(['r0', 'r1', 'r2']);
    expect(values(b!)).toEqual(['r3', 'r4']);
    expect([a!.baseSequence, b!.baseSequence]).toEqual([10, 13]);
    expect([a!.count, b!.count]).toEqual([3, 2]);
    expect([a!.firstAttemptAt, b!.firstAttemptAt]).toEqual([123, 123]);
    expect([a!.attempts, b!.attempts]).toEqual([0, 0]);
    expect(queue[2]).toBe(later);
    // The records keep their timestamps.
    expect(decodeBatchRecords(b!.builder.build()).map((r) => r.timestamp)).toEqual([1003, 1004]);
  });

  it('wraps the second half past Int32.MAX, and leaves unnumbered halves unnumbered', () => {
    const numbered = sentBatch(4, false);
    numbered.big.baseSequence = 0x7fffffff - 1;
    numbered.acc.split(numbered.big);
    expect(numbered.acc.readyOf('t', 0).slice(0, 2).map((b) => b.baseSequence)).toEqual([0x7ffffffe, 0]);
    const plain = sentBatch(4, false);
    plain.acc.split(plain.big);
    expect(plain.acc.readyOf('t', 0).slice(0, 2).map((b) => b.baseSequence)).toEqual([-1, -1]);
  });

  it('gives each half the callbacks of its own records', () => {
    const { acc, big, cbs } = sentBatch(3, true);
    acc.split(big);
    const [a, b] = acc.readyOf('t', 0);
    expect(a!.callbacks).toEqual(cbs.slice(0, 2));
    expect(b!.callbacks).toEqual(cbs.slice(2));
    expect(b!.timestamps).toEqual([1002]);
  });

  it('cannot split a lone record', () => {
    const { acc, onReady, big } = sentBatch(1, false);
    expect(acc.split(big)).toBe(false);
    expect(onReady).not.toHaveBeenCalled();
    expect(acc.readyOf('t', 0)).toHaveLength(1);
  });
});
