/**
 * A callback of the caller's that throws must not break the producer's counting: the sender
 * completes a request's records in a loop, and an exception escaping one of them used to leave
 * the others uncompleted and send the whole request down the failure path, so `flush` and `close`
 * waited forever. Each case throws on the first call only; every later record must still be
 * acknowledged, the error reported through onCallbackError, and the producer must close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Producer, type RecordMetadata } from '../../src/client/producer/producer.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startBroker({ inMemory: true });
  await new Admin(broker.client()).createTopics([{ name: 'cb', partitions: 1, replicationFactor: 1 }]);
});

afterAll(() => broker?.close());

/** Rejects after `ms`, naming what it waited for: a hang fails the test instead of timing it out. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const RECORDS = 50;

describe('a throwing callback', () => {
  it('a send callback that throws once: the other records of its batch and the later ones are acknowledged, and close returns', async () => {
    const producer = new Producer(broker.client(), { lingerMs: 20 });
    const reported: unknown[] = [];
    producer.onCallbackError = (e) => reported.push(e);
    const acked: RecordMetadata[] = [];
    let calls = 0;
    // The first batch holds several records, so the throw lands in the middle of the sender's loop.
    for (let i = 0; i < RECORDS; i++) {
      producer.append({ topic: 'cb', value: Buffer.from(`v${i}`) }, (e, meta) => {
        if (++calls === 1) throw new Error('boom from a send callback');
        if (e) throw e;
        acked.push(meta!);
      });
    }
    await within(producer.flush(), 15_000, 'flush after a throwing send callback');
    for (let i = 0; i < RECORDS; i++) producer.append({ topic: 'cb', value: Buffer.from(`w${i}`) }, (e, meta) => e || acked.push(meta!));
    await within(producer.close(), 15_000, 'close after a throwing send callback');
    expect(calls).toBe(RECORDS);
    expect(acked).toHaveLength(2 * RECORDS - 1);
    expect(producer.stats).toEqual({ acked: 2 * RECORDS, failed: 0 });
    expect(producer.outstanding).toBe(0);
    // Written once each: the batch was not sent down the failure path and retried.
    const offsets = acked.map((m) => m.offset).sort((a, b) => a - b);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(reported).toHaveLength(1);
    expect((reported[0] as Error).message).toBe('boom from a send callback');
  });

  it('onBatchAcked that throws once: later batches are acknowledged and counted, and close returns', async () => {
    const producer = new Producer(broker.client(), { lingerMs: 0 });
    const reported: unknown[] = [];
    producer.onCallbackError = (e) => reported.push(e);
    let batches = 0;
    let records = 0;
    producer.onBatchAcked = (b) => {
      if (++batches === 1) throw new Error('boom from onBatchAcked');
      records += b.count;
    };
    // The first record alone in its batch, acknowledged before the others are sent.
    producer.append({ topic: 'cb', value: Buffer.from('first') });
    await within(producer.flush(), 15_000, 'flush after a throwing onBatchAcked');
    for (let i = 0; i < RECORDS; i++) producer.append({ topic: 'cb', value: Buffer.from(`x${i}`) });
    await within(producer.close(), 15_000, 'close after a throwing onBatchAcked');
    expect(batches).toBeGreaterThan(1);
    expect(records).toBe(RECORDS);
    expect(producer.stats).toEqual({ acked: RECORDS + 1, failed: 0 });
    expect(producer.outstanding).toBe(0);
    expect(reported.map((e) => (e as Error).message)).toEqual(['boom from onBatchAcked']);
  });

  it('unreported, the error is thrown again later, outside the producer (an uncaught exception)', async () => {
    const producer = new Producer(broker.client(), { lingerMs: 0 });
    // vitest's own listener would fail the run: set aside for this test, and put back after.
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    try {
      const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
      producer.append({ topic: 'cb', value: Buffer.from('y') }, () => {
        throw new Error('boom, unreported');
      });
      await within(producer.close(), 15_000, 'close after an unreported throwing callback');
      expect(((await within(uncaught, 15_000, 'the uncaught exception')) as Error).message).toBe('boom, unreported');
      expect(producer.stats).toEqual({ acked: 1, failed: 0 });
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const l of listeners) process.on('uncaughtException', l);
    }
  });
});
