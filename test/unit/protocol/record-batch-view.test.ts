/**
 * RecordBatchView, the one reader of the batch-header layout: its named fields agree with what
 * BatchBuilder wrote and with a batch kcat (librdkafka) produced, and its setters keep the batch
 * valid (offsets are outside the CRC; LogAppendTime stamping re-checksums).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_BY_KEY } from '../../../src/protocol/apis/index.js';
import { CompressionType } from '../../../src/protocol/compression.js';
import { readRequestHeader, skipRequestHeaderTags } from '../../../src/protocol/headers.js';
import { Reader } from '../../../src/protocol/primitives.js';
import { compileStruct, isFlexible } from '../../../src/protocol/schema.js';
import { RecordBatchView, decodeBatchRecords, encodeBatch, readBatchHeader, splitBatches } from '../../../src/protocol/record-batch.js';

describe('RecordBatchView', () => {
  it('reads every header field BatchBuilder wrote', () => {
    const buf = encodeBatch(
      [
        { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1_700_000_000_000 },
        { key: null, value: Buffer.from('2'), timestamp: 1_700_000_000_500 },
        { key: Buffer.from('c'), value: null, timestamp: 1_700_000_000_100 },
      ],
      { baseOffset: 2 ** 33 + 5, partitionLeaderEpoch: 7, producerId: 2 ** 40 + 3, producerEpoch: 4, baseSequence: 11, compression: CompressionType.gzip },
    );
    const v = new RecordBatchView(buf);
    expect(v.hasHeader).toBe(true);
    expect(v.sizeInBytes).toBe(buf.length);
    expect(v.batchLength).toBe(buf.length - 12);
    expect(v.baseOffset).toBe(2 ** 33 + 5);
    expect(v.partitionLeaderEpoch).toBe(7);
    expect(v.magic).toBe(2);
    expect(v.compression).toBe(CompressionType.gzip);
    expect(v.timestampType).toBe('CreateTime');
    expect([v.isTransactional, v.isControl]).toEqual([false, false]);
    expect(v.lastOffsetDelta).toBe(2);
    expect(v.lastOffset).toBe(2 ** 33 + 7);
    expect(v.baseTimestamp).toBe(1_700_000_000_000);
    expect(v.maxTimestamp).toBe(1_700_000_000_500);
    expect(v.producerId).toBe(2 ** 40 + 3);
    expect(v.producerEpoch).toBe(4);
    expect(v.baseSequence).toBe(11);
    expect(v.recordCount).toBe(3);
    expect(v.crcIsValid).toBe(true);
    expect(v.header()).toEqual({ ...readBatchHeader(buf), crc: v.crc });
  });

  it('reads the attribute flags', () => {
    const v = new RecordBatchView(encodeBatch([{ value: null }], { transactional: true, control: true, logAppendTime: true, producerId: 1 }));
    expect([v.isTransactional, v.isControl, v.timestampType]).toEqual([true, true, 'LogAppendTime']);
    expect(v.producerEpoch).toBe(-1);
    expect(v.baseSequence).toBe(-1);
  });

  it('assigns offsets and leader epoch without touching the CRC', () => {
    const buf = encodeBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y') }]);
    const v = new RecordBatchView(buf);
    const crc = v.crc;
    v.assignOffsets(1234, 9);
    expect([v.baseOffset, v.lastOffset, v.partitionLeaderEpoch, v.crc, v.crcIsValid]).toEqual([1234, 1235, 9, crc, true]);
    expect(decodeBatchRecords(buf).map((r) => r.offset)).toEqual([1234, 1235]);
  });

  it('stamps LogAppendTime: type, max timestamp, every record time, new CRC', () => {
    const buf = encodeBatch([{ value: Buffer.from('x'), timestamp: 5 }, { value: Buffer.from('y'), timestamp: 9 }]);
    const v = new RecordBatchView(buf);
    const crc = v.crc;
    v.stampLogAppendTime(1_800_000_000_123);
    expect(v.timestampType).toBe('LogAppendTime');
    expect(v.maxTimestamp).toBe(1_800_000_000_123);
    expect(v.baseTimestamp).toBe(5);
    expect(v.crc).not.toBe(crc);
    expect(v.crcIsValid).toBe(true);
    expect(decodeBatchRecords(buf).map((r) => r.timestamp)).toEqual([1_800_000_000_123, 1_800_000_000_123]);
  });

  it('reads the batch kcat (librdkafka) produced in a golden Produce frame', () => {
    const bytes = readFileSync(fileURLToPath(new URL('../../fixtures/golden/kcat-0-v7.bin', import.meta.url)));
    const r = new Reader(bytes);
    const header = readRequestHeader(r);
    skipRequestHeaderTags(r, header);
    const api = API_BY_KEY.get(0)!;
    const body = compileStruct(api.request, header.apiVersion, isFlexible(api, header.apiVersion)).decode(r);
    const records: Buffer = body.topicData[0].partitionData[0].records;
    const [batch] = splitBatches(records);
    const v = new RecordBatchView(batch!);
    const h = readBatchHeader(batch!);
    expect(v.sizeInBytes).toBe(records.length);
    expect(v.magic).toBe(2);
    expect(v.crcIsValid).toBe(true);
    expect(v.recordCount).toBeGreaterThan(0);
    expect(v.lastOffsetDelta).toBe(v.recordCount - 1);
    expect(v.baseOffset).toBe(0);
    for (const k of ['baseOffset', 'batchLength', 'partitionLeaderEpoch', 'magic', 'crc', 'attributes', 'lastOffsetDelta', 'baseTimestamp', 'maxTimestamp', 'producerId', 'producerEpoch', 'baseSequence', 'recordCount'] as const) {
      expect(v[k], k).toBe(h[k]);
    }
    expect(decodeBatchRecords(batch!)).toHaveLength(v.recordCount);
  });
});
