/**
 * console-consumer's schema fast path (records decoded from the fetched batches straight into
 * the output buffers) prints byte for byte what the record path prints, for every print.*
 * combination, and reports the same errors (unknown id, bytes not in the wire format, bytes that
 * do not match, a schema of another type) with and without --skip-message-on-error; schemas are
 * fetched once each, when the walk first meets their id. Also: the Avro writers' number fast
 * paths (doubles written without strings, decimals read without Number()) agree with avsc.
 */
import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { decodeChunk, type RawChunk } from '../../src/client/consumer/fetcher.js';
import { BatchBuilder, readBatchHeader } from '../../src/protocol/record-batch.js';
import type { RegisteredSchema, SchemaRegistryClient } from '../../src/client/schema-registry.js';
import { NotFoundError } from '../../src/util/errors.js';
import { RecordDecoder } from '../../src/tools/schema-formats/decoder.js';
import { formatterConfig } from '../../src/tools/message-format.js';
import { printLoop, printViewLoop, type ConsumeOptions, type ConsumeResult } from '../../src/tools/console-consumer.js';
import { avroTranscoder, Out } from '../../src/tools/schema-formats/avro-transcode.js';
import { avroScanner } from '../../src/tools/schema-formats/avro-scan.js';
import { seeded } from '../helpers/random.js';

const EVENT = { type: 'record', name: 'Event', fields: [{ name: 'id', type: 'long' }, { name: 'user', type: 'string' }, { name: 'score', type: 'double' }, { name: 'tag', type: ['null', 'string'], default: null }] };
const eventType = avro.Type.forSchema(EVENT as never);
const stringType = avro.Type.forSchema('string');
const SCHEMAS: Record<number, RegisteredSchema> = {
  1: { id: 1, schema: JSON.stringify(EVENT), schemaType: 'AVRO', references: [] },
  2: { id: 2, schema: '"string"', schemaType: 'AVRO', references: [] },
  3: { id: 3, schema: JSON.stringify({ type: 'object' }), schemaType: 'JSON', references: [] },
};

/** A registry with the schemas above, counting lookups by id. */
function registry() {
  const fetched: number[] = [];
  const client = {
    url: 'http://registry.test',
    schemaById: (id: number) => {
      fetched.push(id);
      const s = SCHEMAS[id];
      return s ? Promise.resolve(s) : Promise.reject(new NotFoundError(`Schema ${id} not found`));
    },
    version: () => Promise.reject(new Error('no references here')),
  } as unknown as SchemaRegistryClient;
  return { client, fetched };
}

const framed = (id: number, payload: Buffer) => {
  const b = Buffer.alloc(5 + payload.length);
  b.writeInt32BE(id, 1);
  payload.copy(b, 5);
  return b;
};
const event = (i: number) => framed(1, eventType.toBuffer({ id: i, user: `u-${i}`, score: i / 8, tag: i % 2 ? null : 't' }));

/** Records: good ones, then each kind of bad value, a good one after each; keys Avro strings or null. */
function chunk(): RawChunk {
  const values: (Buffer | null)[] = [
    event(0),
    null,
    event(1),
    Buffer.from('plain text'),
    event(2),
    framed(99, Buffer.from([2])), // an id the registry does not know
    event(3),
    framed(1, Buffer.from([0x80])), // a long cut short
    framed(1, Buffer.concat([eventType.toBuffer({ id: 1, user: 'x', score: 0, tag: null }), Buffer.from([7])])), // trailing bytes
    framed(3, Buffer.from('{}')), // a JSON Schema id under --value-format avro
    Buffer.alloc(0),
    framed(2, stringType.toBuffer('a value whose schema is fetched only now')),
    event(4),
  ];
  const b = new BatchBuilder();
  values.forEach((v, i) => b.append(i % 3 === 0 ? null : framed(2, stringType.toBuffer(`k${i}`)), v, i === 4 ? [{ key: 'h', value: Buffer.from('v') }] : [], 1_700_000_000_000 + i));
  const batch = b.build({ baseOffset: 10 });
  return { topic: 't', partition: 0, from: 0, to: Infinity, batches: [{ batch, header: readBatchHeader(batch) }] };
}

interface Run {
  out: string;
  warnings: string[];
  result: ConsumeResult;
  fetched: number[];
}

async function consume(path: 'records' | 'views', props: Record<string, string>, extra: Partial<ConsumeOptions> = {}, formats = { key: 'avro', value: 'avro' } as const): Promise<Run> {
  const { client, fetched } = registry();
  const decoder = new RecordDecoder(client, formats);
  const formatter = formatterConfig(props);
  if (decoder.key) formatter.key = decoder.key;
  if (decoder.value) formatter.value = decoder.value;
  const opts: ConsumeOptions = { maxMessages: -1, timeoutMs: null, skipMessageOnError: false, format: 'default', formatter, schema: decoder, ...extra };
  const written: Buffer[] = [];
  const warnings: string[] = [];
  const io = { out: { write: (d: string | Buffer) => void written.push(Buffer.from(d)), flush: () => Promise.resolve() }, warn: (l: string) => void warnings.push(l), interrupted: new Promise(() => {}) };
  let polls = 0;
  let result: ConsumeResult;
  if (path === 'records') {
    result = await printLoop(() => Promise.resolve(polls++ === 0 ? { records: decodeChunk(chunk()), done: false } : { records: [], done: true }), opts, io);
  } else {
    const print = decoder.viewFormatter(formatter);
    expect(print).not.toBeNull();
    result = await printViewLoop(() => Promise.resolve(polls++ === 0 ? { chunks: [chunk()], done: false } : { chunks: [], done: true }), print!, opts, io, decoder);
  }
  return { out: Buffer.concat(written).toString(), warnings, result, fetched };
}

const PRINTS: Record<string, string>[] = [
  {},
  { 'print.key': 'true' },
  { 'print.key': 'true', 'print.offset': 'true', 'print.partition': 'true', 'print.timestamp': 'true', 'key.separator': ' | ', 'null.literal': 'NULL' },
  { 'print.headers': 'true', 'print.epoch': 'true', 'print.delivery': 'true', 'print.value': 'false', 'print.key': 'true' },
  { 'print.offset': 'true', 'print.value': 'false' },
  { 'print.value': 'false' },
  { 'print.key': 'true', 'line.separator': '\r\n' },
];

describe('schema formats: the view path prints what the record path prints', () => {
  for (const props of PRINTS) {
    for (const skip of [true, false]) {
      it(`${JSON.stringify(props)}${skip ? ' --skip-message-on-error' : ''}`, async () => {
        const records = await consume('records', props, { skipMessageOnError: skip });
        const views = await consume('views', props, { skipMessageOnError: skip });
        expect(views.out).toBe(records.out);
        expect(views.warnings).toEqual(records.warnings);
        expect({ ...views.result, unprinted: [] }).toEqual({ ...records.result, unprinted: [] });
      });
    }
  }

  it('names the record of each error, skips it, and fetches each schema id once, when first met', async () => {
    const r = await consume('views', {}, { skipMessageOnError: true });
    expect(r.out.split('\n')[0]).toBe('{"id":0,"user":"u-0","score":0,"tag":{"string":"t"}}');
    expect(r.warnings).toEqual([
      'Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 13: unknown magic byte 112 (not the schema registry\'s wire format)',
      'Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 15: schema id 99 is unknown to the registry at http://registry.test',
      'Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 17: the bytes do not match Avro schema 1: truncated data',
      'Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 18: the bytes do not match Avro schema 1: 1 trailing bytes',
      'Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 19: schema id 3 is a JSON schema, not AVRO (--value-format avro)',
      "Error processing message, skipping this message: Cannot decode the value of the record at topic t partition 0 offset 20: 0 bytes is too short for the schema registry's wire format",
    ]);
    expect(r.result).toMatchObject({ processed: 13, failure: null });
    expect(r.fetched).toEqual([1, 99, 3, 2]);
  });

  it('without --skip-message-on-error: stops at the first bad record, having printed the ones before', async () => {
    const r = await consume('views', {});
    expect(r.out.trim().split('\n')).toHaveLength(3);
    // The failure is the command's to report (after Kafka's "Processed a total" line).
    expect(r.warnings).toEqual([]);
    expect(r.result).toMatchObject({ processed: 4, failure: expect.stringContaining('Cannot decode the value of the record at topic t partition 0 offset 13') });
  });

  it('--max-messages counts skipped records as the record path does', async () => {
    for (const max of [1, 4, 7]) {
      const records = await consume('records', { 'print.offset': 'true' }, { skipMessageOnError: true, maxMessages: max });
      const views = await consume('views', { 'print.offset': 'true' }, { skipMessageOnError: true, maxMessages: max });
      expect(views.out).toBe(records.out);
      expect(views.result.processed).toBe(max);
    }
  });

  it('a key-only format: the value printed as its bytes', async () => {
    const props = { 'print.key': 'true' };
    const records = await consume('records', props, { skipMessageOnError: true }, { key: 'avro' } as never);
    const views = await consume('views', props, { skipMessageOnError: true }, { key: 'avro' } as never);
    expect(views.out).toBe(records.out);
    expect(views.out.split('\n')[1]).toMatch(/^"k1"\tnull$/);
  });
});

describe('Avro number fast paths agree with avsc', () => {
  const doubles = [0, -0, 1, -1, 0.5, 0.1, 0.3, 1 / 3, 123.456, -123.456, 1e-6, 1e-7, 999999999.999999, 1e9, 2 ** 31, -(2 ** 31), 0.1 + 0.2, 5e-324, Number.MAX_VALUE, 1e21, 12345.678901];
  const rand = seeded(7).float;
  for (let i = 0; i < 20000; i++) {
    const k = i % 5;
    doubles.push(k === 0 ? rand() : k === 1 ? (rand() - 0.5) * 2e9 : k === 2 ? Math.round(rand() * 1e7) / 10 ** (i % 9) : k === 3 ? -Math.round(rand() * 1e12) / 1e6 : Number((rand() * 1e4).toFixed(i % 7)));
  }

  it('doubles transcoded to JSON as avsc writes them', () => {
    const t = avro.Type.forSchema('double');
    const transcode = avroTranscoder(t)!;
    for (const v of doubles) expect(transcode(t.toBuffer(v), 0).toString(), String(v)).toBe(t.toString(v));
  });

  it('decimals scanned from JSON to the bytes avsc writes', () => {
    const t = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'd', type: 'double' }, { name: 'f', type: 'float' }] } as never);
    const scan = avroScanner(t);
    const out = new Out();
    const texts = doubles.filter(Number.isFinite).map((v) => JSON.stringify(v));
    texts.push('0.10', '-0.0', '100.25', '1.5e3', '123456789012345.6', '0.000000000000001');
    for (const text of texts) {
      const line = `{"d":${text},"f":${text}}`;
      out.pos = 0;
      // A float past ±3.4e38 (avsc writes Infinity) is left to the general path, which refuses it.
      const fits = Number.isFinite(Math.fround(Number(text)));
      expect(scan(Buffer.from(line), out), line).toBe(fits);
      if (!fits) continue;
      const want = t.toBuffer({ d: Number(text), f: Number(text) });
      expect(out.buf.subarray(0, out.pos).equals(want), line).toBe(true);
    }
  });
});
