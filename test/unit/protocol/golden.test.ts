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
import { batchCrcIsValid, compressionOf, decodeBatchRecords, encodeBatch, readBatchHeader, splitBatches } from '../../../src/protocol/record-batch.js';

const dir = fileURLToPath(new URL('../../fixtures/golden', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort();

describe('golden request frames from real clients', () => {
  it('has captures from every client family', () => {
    for (const prefix of ['kcat-', 'kafka-python-', 'kafkajs-']) expect(files.some((f) => f.startsWith(prefix))).toBe(true);
    expect(files).toContain('kcat-18-v3.bin'); // ApiVersions v3, flexible body with a v0 response header
    expect(files).toContain('kcat-0-v7.bin');
    expect(files).toContain('kafka-python-consume-1-v4.bin');
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
            if (compressionOf(h.attributes) !== 0) continue;
            const again = encodeBatch(
              records.map((rec) => ({ key: rec.key, value: rec.value, headers: rec.headers, timestamp: rec.timestamp })),
              {
                baseOffset: h.baseOffset,
                partitionLeaderEpoch: h.partitionLeaderEpoch,
                producerId: h.producerId,
                producerEpoch: h.producerEpoch,
                baseSequence: h.baseSequence,
              },
            );
            expect(again.equals(batch)).toBe(true);
          }
        }
      }
    });
  }
});
