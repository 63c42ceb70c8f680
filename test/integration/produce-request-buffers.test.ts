/**
 * Produce requests of 64 KiB and more are read into reused buffers (src/transport/server.ts,
 * `requestBuffer`), given back once the request is handled: no record is ever stored with another
 * request's bytes, while many connections pipeline produce requests of 64 KiB-1 MiB at once with
 * acks=all and acks=1, into a plain topic and a durable one (flush.messages=1), on the disk store
 * (the daemon's) and the memory store (in-process brokers).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { Fetch, Produce } from '../../src/protocol/apis/index.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/messages.js';
import { batchCrcIsValid, decodeBatchRecords, encodeBatch, splitBatches } from '../../src/protocol/record-batch.js';
import { readBuffers } from '../../src/util/read-buffers.js';
import { startBroker } from '../helpers/broker.js';
import { FrameConn } from '../helpers/frame-conn.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOPICS = ['plain', 'durable'];
const PARTITIONS = 3;
const RECORD_BYTES = 4096;

/** The value of record `j` of connection `c`'s request `k`: it names all three and is filled with a letter of its own. */
const valueOf = (c: number, k: number, j: number) => `${c}:${k}:${j}:`.padEnd(RECORD_BYTES, String.fromCharCode(97 + ((c * 7 + k * 3 + j) % 26)));

describe.each([{ store: 'disk' }, { store: 'memory' }])('produce requests in reused buffers ($store store)', ({ store }) => {
  it('stores every record as sent while many connections pipeline produce requests of 64 KiB-1 MiB', async () => {
    const b = await startBroker({ inMemory: store === 'memory' });
    cleanups.push(() => b.close());
    await new Admin(b.client()).createTopics([
      { name: 'plain', partitions: PARTITIONS, replicationFactor: 1 },
      { name: 'durable', partitions: PARTITIONS, replicationFactor: 1, configs: { 'flush.messages': '1' } },
    ]);
    const port = Number(b.bootstrap.split(':')[1]);
    const reused = readBuffers.reused;

    // 6 connections x 10 pipelined requests, one batch each of 16-255 records of 4 KiB (64 KiB to
    // 1 MiB), acks=all on even connections and acks=1 on odd ones.
    const connections = 6;
    const perConnection = 10;
    const sent = new Map<string, string[]>();
    const work = Array.from({ length: connections }, (_, c) => {
      const frames: Buffer[] = [];
      for (let k = 0; k < perConnection; k++) {
        const count = 16 + ((c * 41 + k * 97) % 240);
        const topic = TOPICS[(c + k) % 2]!;
        const partition = (c + k) % PARTITIONS;
        const values = Array.from({ length: count }, (_, j) => valueOf(c, k, j));
        const key = `${topic}-${partition}`;
        sent.set(key, [...(sent.get(key) ?? []), ...values]);
        const records = encodeBatch(values.map((v) => ({ value: Buffer.from(v) })));
        const body = { transactionalId: null, acks: c % 2 === 0 ? -1 : 1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
        frames.push(...encodeRequest(Produce, 7, k + 1, `producer-${c}`, body));
      }
      return FrameConn.exchange({ port }, frames, perConnection);
    });
    for (const list of await Promise.all(work)) {
      for (const f of list) expect(decodeResponse(Produce, 7, f).body.responses[0].partitionResponses[0].errorCode).toBe(0);
    }
    // Request buffers were used again (nothing else has read into the pool yet).
    expect(readBuffers.reused).toBeGreaterThan(reused);

    // Every partition read back whole: each record once, byte for byte, in valid batches.
    let fetchId = 0;
    for (const topic of TOPICS) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const got: string[] = [];
        for (let offset = 0; ; ) {
          const body = { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0, topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }] };
          const [answer] = await FrameConn.exchange({ port }, encodeRequest(Fetch, 4, ++fetchId, 'reader', body), 1);
          const p = decodeResponse(Fetch, 4, answer!).body.responses[0].partitions[0];
          expect(p.errorCode).toBe(0);
          const batches = splitBatches((p.records as Buffer | null) ?? Buffer.alloc(0));
          if (batches.length === 0) break;
          for (const batch of batches) {
            expect(batchCrcIsValid(batch), `CRC of a batch of ${topic}-${partition} at ${offset}`).toBe(true);
            for (const r of decodeBatchRecords(batch)) {
              expect(r.offset).toBe(got.length);
              got.push(r.value!.toString());
              offset = r.offset + 1;
            }
          }
        }
        const expected = sent.get(`${topic}-${partition}`) ?? [];
        expect(got.length, `${topic}-${partition}`).toBe(expected.length);
        // Requests of one connection arrive in order; across connections in any order: compare as sets of distinct values.
        const want = new Set(expected);
        expect(want.size).toBe(expected.length);
        for (const v of got) expect(want.delete(v), `${topic}-${partition}: a record stored as ${JSON.stringify(v.slice(0, 24))}`).toBe(true);
        expect(want.size).toBe(0);
      }
    }
  }, 120_000);
});
