import { describe, expect, it, vi } from 'vitest';
import { newBatch, type ProducerBatch } from '../../../../src/client/producer/batch.js';
import { Idempotence, type InitProducerIdListener } from '../../../../src/client/producer/idempotence.js';
import { type KafkaClient, UnsupportedApiError } from '../../../../src/client/client.js';
import { ErrorCode, KafkaProtocolError } from '../../../../src/protocol/errors.js';
import { ConnectionError } from '../../../../src/transport/client-connection.js';

function batch(count: number, partition = 0): ProducerBatch {
  const b = newBatch('t', partition, false, 64);
  for (let i = 0; i < count; i++) b.builder.append(null, Buffer.from(`r${i}`), undefined, 0);
  b.count = count;
  return b;
}

/** An idempotent producer that has its id. */
function withId(producerEpoch = 0) {
  const idem = new Idempotence(true);
  idem.producerId = 7;
  idem.producerEpoch = producerEpoch;
  return idem;
}

describe('sequence numbers', () => {
  it('numbers each partition on its own, in the order batches are first sent', () => {
    const idem = withId();
    const [a, b, c] = [batch(3), batch(2), batch(4, 1)];
    expect(idem.stamp(a)).toEqual({ producerId: 7, producerEpoch: 0, baseSequence: 0 });
    expect(idem.stamp(b).baseSequence).toBe(3);
    expect(idem.stamp(c).baseSequence).toBe(0);
    expect(idem.stamp(batch(1)).baseSequence).toBe(5);
  });

  it('keeps a retried batch on its numbers', () => {
    const idem = withId();
    const a = batch(3);
    idem.stamp(a);
    idem.stamp(batch(1));
    expect(idem.stamp(a).baseSequence).toBe(0);
  });

  it('wraps from Int32.MAX to 0', () => {
    const idem = withId();
    // Only the count matters for numbering; no need to encode two billion records.
    const huge = newBatch('t', 0, false, 64);
    huge.count = 0x7fffffff - 1;
    idem.stamp(huge);
    // It takes 0x7ffffffe, 0x7fffffff and 0.
    expect(idem.stamp(batch(3)).baseSequence).toBe(0x7ffffffe);
    expect(idem.stamp(batch(1)).baseSequence).toBe(1);
  });
});

describe('a batch that failed for good', () => {
  it('gives the numbers of a refused batch to the later ones', () => {
    const idem = withId();
    const refused = batch(3);
    idem.stamp(refused);
    const half = batch(2);
    idem.stamp(half);
    half.encoded = Buffer.alloc(1);
    const unnumbered = batch(1);
    idem.release(refused, [half, unnumbered]);
    expect(half.baseSequence).toBe(0);
    expect(half.encoded).toBeNull();
    expect(unnumbered.baseSequence).toBe(-1);
    expect(idem.stamp(batch(1)).baseSequence).toBe(2);
    expect(idem.epochBumpPending).toBe(false);
  });

  it('bumps the epoch for a batch that may have been written, keeping the numbers until then', () => {
    const idem = withId();
    const lost = batch(3);
    idem.stamp(lost);
    lost.maybeWritten = true;
    const later = batch(2);
    idem.stamp(later);
    idem.release(lost, [later]);
    expect(idem.epochBumpPending).toBe(true);
    expect(later.baseSequence).toBe(3);
  });

  it('leaves alone a batch never numbered, and a producer without idempotence', () => {
    const idem = withId();
    idem.stamp(batch(2));
    idem.release(batch(5), []);
    expect(idem.stamp(batch(1)).baseSequence).toBe(2);
    const plain = new Idempotence(false);
    const b = batch(2);
    b.baseSequence = 4;
    b.maybeWritten = true;
    plain.release(b, []);
    expect(plain.epochBumpPending).toBe(false);
  });

  it('a new epoch: each partition stays on its old numbers until it moves, then starts at 0 with its waiting batches renumbered', () => {
    const idem = withId(4);
    idem.epochBumpPending = true;
    idem.stamp(batch(3));
    idem.stamp(batch(3, 1));
    const waiting = batch(2);
    idem.stamp(waiting);
    waiting.encoded = Buffer.alloc(1);
    idem.bumpEpoch();
    expect(idem.epochBumpPending).toBe(false);
    expect([idem.isStale('t\u00000'), idem.isStale('t\u00001'), idem.isStale('t\u00002')]).toEqual([true, true, false]);
    // A retry keeps its epoch and numbers until its partition moves; a partition never numbered starts in the new epoch.
    expect(idem.stamp(waiting)).toEqual({ producerId: 7, producerEpoch: 4, baseSequence: 3 });
    expect(idem.stamp(batch(1, 2))).toEqual({ producerId: 7, producerEpoch: 5, baseSequence: 0 });
    // A numbered batch goes again first (an answer may come after an append); one refused as out of order lets its partition move.
    expect(idem.mayMove('t\u00000', waiting)).toBe(false);
    waiting.refusedUnwritten = true;
    expect(idem.mayMove('t\u00000', waiting)).toBe(true);
    idem.moveToCurrentEpoch('t\u00000', [waiting]);
    expect([waiting.baseSequence, waiting.encoded, idem.isStale('t\u00000')]).toEqual([-1, null, false]);
    expect(idem.stamp(waiting)).toEqual({ producerId: 7, producerEpoch: 5, baseSequence: 0 });
    expect(idem.stamp(batch(1, 1))).toEqual({ producerId: 7, producerEpoch: 4, baseSequence: 3 });
  });

  it('a partition whose broker lost the state moves at once, its retries renumbered too', () => {
    const idem = withId();
    const lost = batch(2);
    idem.stamp(lost);
    lost.maybeWritten = true;
    idem.stateLost(lost);
    expect(idem.epochBumpPending).toBe(true);
    idem.bumpEpoch();
    expect(idem.mayMove('t\u00000', lost)).toBe(true);
  });

  it('takes a new producer id once the epoch is exhausted', () => {
    const idem = withId(0x7fff);
    expect(idem.needsProducerId).toBe(false);
    expect(idem.epochExhausted).toBe(true);
    const waiting = batch(1);
    idem.stamp(waiting);
    idem.renew([waiting]);
    expect(idem.needsProducerId).toBe(true);
    expect([idem.producerId, idem.producerEpoch, waiting.baseSequence]).toEqual([-1, -1, -1]);
  });
});

describe('InitProducerId', () => {
  const listener = () => ({ ready: vi.fn(), retryLater: vi.fn(), unavailable: vi.fn(), failed: vi.fn() }) satisfies InitProducerIdListener;
  const client = (answer: () => Promise<unknown>) => ({ send: vi.fn(answer) }) as unknown as KafkaClient & { send: ReturnType<typeof vi.fn> };

  it('takes the id and epoch the broker gives, asking once at a time', async () => {
    const idem = new Idempotence(true);
    const c = client(async () => ({ body: { errorCode: 0, producerId: 42, producerEpoch: 3 } }));
    const l = listener();
    idem.initProducerId(c, l);
    idem.initProducerId(c, l);
    await vi.waitFor(() => expect(l.ready).toHaveBeenCalled());
    expect(c.send).toHaveBeenCalledTimes(1);
    expect([idem.producerId, idem.producerEpoch, idem.needsProducerId]).toEqual([42, 3, false]);
  });

  it('tries again after a retriable failure', async () => {
    const idem = new Idempotence(true);
    const l = listener();
    idem.initProducerId(client(async () => Promise.reject(new ConnectionError('gone', 'localhost:9092'))), l);
    await vi.waitFor(() => expect(l.retryLater).toHaveBeenCalled());
    expect(idem.needsProducerId).toBe(true);
    idem.initProducerId(client(async () => ({ body: { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE } })), l);
    await vi.waitFor(() => expect(l.retryLater).toHaveBeenCalledTimes(2));
  });

  it("drops optional idempotence when the cluster lacks it, and fails when it was asked for", async () => {
    const optional = new Idempotence('if-supported');
    const l1 = listener();
    optional.initProducerId(client(async () => Promise.reject(new UnsupportedApiError('no InitProducerId'))), l1);
    await vi.waitFor(() => expect(l1.unavailable).toHaveBeenCalled());
    expect([optional.enabled, optional.needsProducerId]).toEqual([false, false]);

    const required = new Idempotence(true);
    const l2 = listener();
    required.initProducerId(client(async () => ({ body: { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED } })), l2);
    await vi.waitFor(() => expect(l2.failed).toHaveBeenCalled());
    expect(l2.failed.mock.calls[0]![0]).toBeInstanceOf(KafkaProtocolError);
    expect(required.enabled).toBe(true);
  });
});
