/**
 * Fetched data read into reused buffers (src/util/read-buffers.ts) is never overwritten before its
 * answer is written: many connections pipelining fetches of different offsets at once each get
 * the bytes of the offsets they asked for. On the client, console-consumer's fetch answers are read
 * into reused buffers and still printed byte for byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Fetch, Produce } from '../../src/protocol/apis/index.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/messages.js';
import { batchCrcIsValid, decodeBatchRecords, encodeBatch, splitBatches } from '../../src/protocol/record-batch.js';
import { frameBuffers, readBuffers } from '../../src/util/read-buffers.js';
import { Producer } from '../../src/client/producer/producer.js';
import { consumeAssigned } from '../../src/tools/console-consumer.js';
import { formatterConfig } from '../../src/tools/message-format.js';
import { startBroker } from '../helpers/broker.js';
import { FrameConn } from '../helpers/frame-conn.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `count` records into partition 0 of `topic`, record i's value `value(i)`. */
async function produceValues(b: Awaited<ReturnType<typeof startBroker>>, topic: string, count: number, value: (i: number) => string): Promise<void> {
  const producer = new Producer(b.client('p'), { acks: -1, lingerMs: 5 });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition: 0, value: Buffer.from(value(i)) })));
  await producer.close();
}

describe('fetched data in reused read buffers', () => {
  it('reaches every connection as stored, while many pipelined fetches of other offsets are read and written', async () => {
    const b = await startBroker();
    cleanups.push(() => b.close());
    await new Admin(b.client()).createTopics([{ name: 'pooled', partitions: 1, replicationFactor: 1 }]);
    const port = Number(b.bootstrap.split(':')[1]);
    // 6 MiB: 96 batches of 16 records of 4 KiB, each value naming its batch and record.
    const batches = 96;
    const perBatch = 16;
    const produce: Buffer[] = [];
    for (let i = 0; i < batches; i++) {
      const records = encodeBatch(Array.from({ length: perBatch }, (_, j) => ({ value: Buffer.from(`${i}:${j}:`.padEnd(4096, String.fromCharCode(97 + ((i + j) % 26)))) })));
      produce.push(...encodeRequest(Produce, 3, i + 1, 'pooled', { transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{ name: 'pooled', partitionData: [{ index: 0, records }] }] }));
    }
    const produced = await FrameConn.exchange({ port }, produce, batches);
    for (const f of produced) expect(decodeResponse(Produce, 3, f).body.responses[0].partitionResponses[0].errorCode).toBe(0);

    const reusedBefore = readBuffers.reused;
    // 12 connections x 20 pipelined fetches of 128 KiB-1 MiB from offsets spread over the log.
    const connections = 12;
    const perConnection = 20;
    const asked: { offset: number; maxBytes: number }[][] = [];
    const work = Array.from({ length: connections }, (_, c) => {
      const mine: { offset: number; maxBytes: number }[] = [];
      const frames: Buffer[] = [];
      for (let k = 0; k < perConnection; k++) {
        const offset = ((c * 37 + k * 101) % batches) * perBatch;
        const maxBytes = (128 << 10) * (1 + ((c + k) % 8));
        mine.push({ offset, maxBytes });
        const body = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, topics: [{ topic: 'pooled', partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: maxBytes }] }] };
        frames.push(...encodeRequest(Fetch, 4, k + 1, `pooled-${c}`, body));
      }
      asked.push(mine);
      return FrameConn.exchange({ port }, frames, perConnection);
    });
    const answers = await Promise.all(work);
    let checked = 0;
    answers.forEach((list, c) => {
      list.forEach((payload, k) => {
        const { offset } = asked[c]![k]!;
        const p = decodeResponse(Fetch, 4, payload).body.responses[0].partitions[0];
        expect(p.errorCode).toBe(0);
        const got = splitBatches(p.records as Buffer);
        expect(got.length, `connection ${c} fetch ${k}`).toBeGreaterThan(0);
        let expected = offset;
        for (const batch of got) {
          expect(batchCrcIsValid(batch), `CRC of a batch for connection ${c} fetch ${k}`).toBe(true);
          for (const r of decodeBatchRecords(batch)) {
            const i = Math.floor(expected / perBatch);
            const j = expected % perBatch;
            expect(r.offset).toBe(expected);
            expect(r.value!.subarray(0, 12).toString().startsWith(`${i}:${j}:`), `offset ${expected}`).toBe(true);
            expected++;
            checked++;
          }
        }
      });
    });
    expect(checked).toBeGreaterThan(connections * perConnection * perBatch);
    // The reads did go through reused buffers.
    expect(readBuffers.reused).toBeGreaterThan(reusedBefore);
  }, 60_000);

  it('console-consumer reads its fetch answers into reused buffers and prints every record as stored', async () => {
    const b = await startBroker({ inMemory: true });
    cleanups.push(() => b.close());
    await new Admin(b.client()).createTopics([{ name: 'printed', partitions: 1, replicationFactor: 1 }]);
    // 8 MiB of 4 KiB values, each naming its offset: fetch answers of 1 MiB, read many times over.
    const count = 2048;
    const value = (i: number) => `${i}:`.padEnd(4095, String.fromCharCode(97 + (i % 26)));
    await produceValues(b, 'printed', count, value);

    const reusedBefore = frameBuffers.reused;
    const out: Buffer[] = [];
    const io = { out: { write: (d: string | Buffer) => void out.push(Buffer.from(d)), flush: async () => undefined }, warn: () => undefined, interrupted: new Promise<never>(() => undefined) };
    const opts = { maxMessages: -1, timeoutMs: null, skipMessageOnError: false, format: 'default' as const, formatter: formatterConfig({}) };
    const result = await consumeAssigned(b.client('c'), ['printed'], undefined, { start: { kind: 'earliest' }, end: { kind: 'end' } }, {}, opts, io);
    expect(result.processed).toBe(count);
    const lines = Buffer.concat(out).toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(count);
    lines.forEach((line, i) => expect(line === value(i), `line ${i}`).toBe(true));
    // The answers did go through reused buffers.
    expect(frameBuffers.reused).toBeGreaterThan(reusedBefore);
  }, 60_000);

  it('console-consumer writes into an output buffer again only once the sink says its bytes have left', async () => {
    const b = await startBroker({ inMemory: true });
    cleanups.push(() => b.close());
    await new Admin(b.client()).createTopics([{ name: 'recycled', partitions: 1, replicationFactor: 1 }]);
    const count = 3000;
    const value = (i: number) => `${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)));
    await produceValues(b, 'recycled', count, value);

    // A sink like stdout into a pipe: it holds what it is given and takes the bytes only later,
    // then says so; a buffer written into before that would print other records' bytes.
    const held: Buffer[] = [];
    const printed: Buffer[] = [];
    const memories = new Set<ArrayBufferLike>();
    let writes = 0;
    const out = {
      write: (d: string | Buffer) => {
        held.push(typeof d === 'string' ? Buffer.from(d) : d);
        memories.add((d as Buffer).buffer);
        writes++;
      },
      flush: async () => undefined,
      afterWritten: (done: () => void) =>
        setImmediate(() => {
          for (const h of held.splice(0)) printed.push(Buffer.from(h));
          done();
        }),
    };
    const io = { out, warn: () => undefined, interrupted: new Promise<never>(() => undefined) };
    const opts = { maxMessages: -1, timeoutMs: null, skipMessageOnError: false, format: 'default' as const, formatter: formatterConfig({}) };
    const result = await consumeAssigned(b.client('c'), ['recycled'], undefined, { start: { kind: 'earliest' }, end: { kind: 'end' } }, {}, opts, io);
    expect(result.processed).toBe(count);
    for (const h of held.splice(0)) printed.push(Buffer.from(h));
    const lines = Buffer.concat(printed).toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(count);
    lines.forEach((line, i) => expect(line === value(i), `line ${i}`).toBe(true));
    // Output buffers were written into again.
    expect(memories.size).toBeLessThan(writes);
  }, 60_000);
});
