/**
 * Consumer pipeline (issue 17): console-consumer formats records straight from the fetched
 * batches (RecordView, walkChunk) into large output buffers. These tests hold that path to the
 * record-object path byte for byte: every print.* property and separator, --output json, nulls,
 * binary and non-ASCII bytes, JSON escapes, headers, LogAppendTime, compressed batches, the
 * from/to window of a chunk, and a visitor that stops early.
 */
import { describe, expect, it } from 'vitest';
import { RecordView, decodeChunk, walkChunk, walkHeaders, type RawChunk } from '../../src/client/consumer/fetcher.js';
import { encodeBatch, readBatchHeader, type NewRecord } from '../../src/protocol/record-batch.js';
import { CompressionType } from '../../src/protocol/compression.js';
import { Writer } from '../../src/protocol/primitives.js';
import { OutBuffer, defaultFormatter, formatterConfig, viewFormatter } from '../../src/tools/message-format.js';
import { recordToJson, viewJsonWriter } from '../../src/tools/record-json.js';

const RECORDS: NewRecord[] = [
  { key: Buffer.from('k1'), value: Buffer.from('plain value'), timestamp: 1_700_000_000_000 },
  { key: null, value: null, timestamp: 1_700_000_000_001 },
  { key: Buffer.from([0xff, 0x00, 0x80]), value: Buffer.from('quote " back \\ tab \t nl \n ctl \u0001 del \u007f'), timestamp: 0 },
  { key: Buffer.from('ключ'), value: Buffer.from('värde ✓ 🚀'), timestamp: 5 },
  {
    key: Buffer.from(''),
    value: Buffer.from(''),
    headers: [
      { key: 'h1', value: Buffer.from('x') },
      { key: 'h2', value: null },
      { key: 'h1', value: Buffer.from([0xc3, 0x28]) },
    ],
    timestamp: 123456789,
  },
  { key: Buffer.from('big'), value: Buffer.alloc(5000, 'z'), timestamp: 9 },
];

function chunkOf(batches: Buffer[], from = 0, to = Infinity): RawChunk {
  return { topic: 'top"ic', partition: 3, from, to, batches: batches.map((batch) => ({ batch, header: readBatchHeader(batch) })) };
}

const batchesFor = (compression = 0, logAppendTime = false) => [
  encodeBatch(RECORDS.slice(0, 3), { baseOffset: 10, compression, logAppendTime, now: 42, partitionLeaderEpoch: 7 }),
  encodeBatch(RECORDS.slice(3), { baseOffset: 13, compression, logAppendTime, now: 42, partitionLeaderEpoch: -1 }),
];

function viaObjects(c: RawChunk, format: (w: Writer, r: ReturnType<typeof decodeChunk>[number]) => void): Buffer {
  const w = new Writer(1024);
  for (const r of decodeChunk(c)) format(w, r);
  return w.toBuffer();
}

function viaViews(c: RawChunk, format: (o: OutBuffer, v: RecordView) => void, bufferSize = 1 << 20): Buffer {
  const o = new OutBuffer(bufferSize);
  walkChunk(c, new RecordView(), (v) => format(o, v));
  return Buffer.from(o.take());
}

const PROPERTY_SETS: Record<string, string>[] = [
  {},
  { 'print.key': 'true', 'print.timestamp': 'true' },
  { 'print.key': 'true', 'print.timestamp': 'true', 'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true', 'print.epoch': 'true', 'print.delivery': 'true' },
  { 'print.key': 'true', 'print.value': 'false', 'key.separator': ' | ', 'line.separator': '\r\n', 'null.literal': '<nil>', 'print.headers': 'true', 'headers.separator': ';' },
  { 'print.value': 'false' },
];

describe('console-consumer view formatting matches the record-object path', () => {
  for (const [name, compression, logAppend] of [
    ['uncompressed', CompressionType.none, false],
    ['gzip', CompressionType.gzip, false],
    ['lz4, LogAppendTime', CompressionType.lz4, true],
  ] as const) {
    it(`DefaultMessageFormatter, every print.* set (${name})`, () => {
      const c = chunkOf(batchesFor(compression, logAppend));
      for (const props of PROPERTY_SETS) {
        const cfg = formatterConfig(props);
        const fast = viewFormatter(cfg);
        expect(fast, JSON.stringify(props)).not.toBeNull();
        // A tiny initial buffer makes the output buffer grow mid-record.
        expect(viaViews(c, fast!, 8).toString('latin1'), JSON.stringify(props)).toBe(viaObjects(c, defaultFormatter(cfg)).toString('latin1'));
      }
    });

    it(`--output json (${name})`, () => {
      const c = chunkOf(batchesFor(compression, logAppend));
      const fast = viaViews(c, viewJsonWriter(walkHeaders));
      const slow = viaObjects(c, (w, r) => w.raw(Buffer.from(`${recordToJson(r)}\n`)));
      expect(fast.toString('utf8')).toBe(slow.toString('utf8'));
      // Each line is the envelope, parseable.
      for (const line of fast.toString('utf8').trimEnd().split('\n')) expect(JSON.parse(line).topic).toBe('top"ic');
    });
  }

  it('a deserializer other than the byte-copying ones falls back to record objects', () => {
    expect(viewFormatter(formatterConfig({ 'value.deserializer': 'org.apache.kafka.common.serialization.LongDeserializer' }))).toBeNull();
    expect(viewFormatter(formatterConfig({ 'key.deserializer': 'org.apache.kafka.common.serialization.StringDeserializer' }))).not.toBeNull();
  });

  it('keeps to the chunk window (from..to) and stops when the visitor says so', () => {
    const c = chunkOf(batchesFor(), 11, 14);
    const offsets: number[] = [];
    expect(walkChunk(c, new RecordView(), (v) => void offsets.push(v.offset))).toBe(true);
    expect(offsets).toEqual([11, 12, 13]);
    expect(decodeChunk(c).map((r) => r.offset)).toEqual([11, 12, 13]);
    const seen: number[] = [];
    expect(walkChunk(chunkOf(batchesFor()), new RecordView(), (v) => (seen.push(v.offset), seen.length < 4))).toBe(false);
    expect(seen).toEqual([10, 11, 12, 13]);
  });

  it('one RecordView serves every record (nothing allocated per record)', () => {
    const views = new Set<RecordView>();
    walkChunk(chunkOf(batchesFor()), new RecordView(), (v) => void views.add(v));
    expect(views.size).toBe(1);
  });

  it('OutBuffer writes integers as decimal text and hands over its bytes', () => {
    const o = new OutBuffer(4);
    const ns = [0, 7, 10, 99, 2147483647, 2147483648, 99_999_999, 100_000_000, 100_000_001, 1_700_000_000_000, 1_700_000_000_007, Number.MAX_SAFE_INTEGER, -1, -1234];
    for (const n of ns) {
      o.int(n);
      o.text(',');
    }
    expect(o.take().toString()).toBe(ns.map((n) => `${n},`).join(''));
    expect(o.length).toBe(0);
  });
});
