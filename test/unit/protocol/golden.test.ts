/**
 * Request frames captured from real clients (kcat/librdkafka, kafka-python, kafkajs) with
 * scripts/capture-golden.mjs decode with the shared schemas and re-encode byte for byte; the
 * record batches inside their Produce requests do too.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { API_BY_KEY } from '../../../src/protocol/apis/index.js';
import { readRequestHeader, skipRequestHeaderTags, writeRequestHeader } from '../../../src/protocol/headers.js';
import { Reader, Writer } from '../../../src/protocol/primitives.js';
import { compileStruct, isFlexible } from '../../../src/protocol/schema.js';
import { codecFor } from '../../../src/protocol/compression.js';
import { BATCH_HEADER_SIZE, batchCrcIsValid, compressionOf, decodeBatchRecords, encodeBatch, isTransactionalBatch, readBatchHeader, splitBatches, walkRecords } from '../../../src/protocol/record-batch.js';

const dir = fileURLToPath(new URL('../../fixtures/golden', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort();

describe('golden request frames from real clients', () => {
  it('has captures from every client family', () => {
    for (const prefix of ['kcat-', 'kafka-python-', 'kafkajs-']) expect(files.some((f) => f.startsWith(prefix))).toBe(true);
    expect(files).toContain('kcat-18-v3.bin'); // ApiVersions v3, flexible body with a v0 response header
    expect(files).toContain('kcat-0-v7.bin');
    expect(files).toContain('kafka-python-consume-1-v4.bin');
  });

  it('has the transactional requests of kafkajs 2.2.4 and librdkafka 2.0.2, with what each client meant', () => {
    const decode = (file: string) => {
      const r = new Reader(readFileSync(join(dir, file)));
      const header = readRequestHeader(r);
      skipRequestHeaderTags(r, header);
      const api = API_BY_KEY.get(header.apiKey)!;
      return compileStruct(api.request, header.apiVersion, isFlexible(api, header.apiVersion)).decode(r) as Record<string, unknown>;
    };
    // FindCoordinator for the transactional id (key type 1), InitProducerId with it, then the transaction.
    expect(decode('kafkajs-txn-10-v2.bin')).toMatchObject({ key: 'gold-tx', keyType: 1 });
    // kafkajs's first InitProducerId is the idempotent one it sends on connect (no transactional id).
    expect(decode('kafkajs-txn-22-v1.bin')).toMatchObject({ transactionalId: null });
    expect(decode('kafkajs-txn-24-v1.bin')).toMatchObject({ v3AndBelowTransactionalId: 'gold-tx', v3AndBelowTopics: [{ name: 'gold', partitions: [0] }] });
    expect(decode('kafkajs-txn-25-v1.bin')).toMatchObject({ transactionalId: 'gold-tx', groupId: 'gold-group' });
    expect(decode('kafkajs-txn-28-v1.bin')).toMatchObject({ transactionalId: 'gold-tx', groupId: 'gold-group', topics: [{ name: 'gold', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] });
    expect(decode('kafkajs-txn-26-v1.bin')).toMatchObject({ transactionalId: 'gold-tx', committed: true });
    expect(decode('kafkajs-txn-0-v7.bin')).toMatchObject({ transactionalId: 'gold-tx' });
    expect(decode('librdkafka-txn-10-v2.bin')).toMatchObject({ key: 'gold-rd', keyType: 1 });
    expect(decode('librdkafka-txn-22-v4.bin')).toMatchObject({ transactionalId: 'gold-rd' });
    expect(decode('librdkafka-txn-24-v0.bin')).toMatchObject({ v3AndBelowTransactionalId: 'gold-rd' });
    expect(decode('librdkafka-txn-28-v3.bin')).toMatchObject({ transactionalId: 'gold-rd', groupId: 'gold-rd-group' });
    expect(decode('librdkafka-txn-0-v7.bin')).toMatchObject({ transactionalId: 'gold-rd' });
    // The batches inside both clients' transactional Produce requests carry the transactional bit.
    for (const file of ['kafkajs-txn-0-v7.bin', 'librdkafka-txn-0-v7.bin']) {
      const body = decode(file) as { topicData: { partitionData: { records: Buffer }[] }[] };
      for (const batch of splitBatches(body.topicData[0]!.partitionData[0]!.records)) expect(readBatchHeader(batch).attributes & 0x10).toBe(0x10);
    }
  });

  for (const file of files) {
    it(`${file} decodes and re-encodes byte for byte`, () => {
      const bytes = readFileSync(join(dir, file));
      const r = new Reader(bytes);
      const header = readRequestHeader(r);
      skipRequestHeaderTags(r, header);
      const api = API_BY_KEY.get(header.apiKey)!;
      const codec = compileStruct(api.request, header.apiVersion, isFlexible(api, header.apiVersion));
      const body = codec.decode(r);
      expect(r.remaining).toBe(0);
      const w = new Writer();
      writeRequestHeader(w, header);
      codec.encode(w, body);
      expect(w.toBuffer().equals(bytes)).toBe(true);

      if (header.apiKey !== 0) return;
      for (const t of body.topicData) {
        for (const p of t.partitionData) {
          for (const batch of splitBatches(p.records)) {
            expect(batchCrcIsValid(batch)).toBe(true);
            const h = readBatchHeader(batch);
            const records = decodeBatchRecords(batch, h);
            expect(records.length).toBe(h.recordCount);
            // The produce path's check that records parse accepts every real client's batches.
            const compression = compressionOf(h.attributes);
            const body = batch.subarray(BATCH_HEADER_SIZE);
            expect(walkRecords(compression === 0 ? body : codecFor(compression).decompress(body), h.recordCount)).toBe(records.findIndex((rec) => rec.key === null));
            if (compression !== 0) continue;
            const again = encodeBatch(
              records.map((rec) => ({ key: rec.key, value: rec.value, headers: rec.headers, timestamp: rec.timestamp })),
              {
                baseOffset: h.baseOffset,
                partitionLeaderEpoch: h.partitionLeaderEpoch,
                producerId: h.producerId,
                producerEpoch: h.producerEpoch,
                baseSequence: h.baseSequence,
                transactional: isTransactionalBatch(h.attributes),
              },
            );
            expect(again.equals(batch)).toBe(true);
          }
        }
      }
    });
  }
});
