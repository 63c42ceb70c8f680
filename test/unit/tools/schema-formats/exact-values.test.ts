/**
 * No Avro value silently changed between a line of JSON and the bytes, either way: longs over
 * the whole 64-bit range (past 2^53 too, logical types on long as well; the JSON read and
 * written with every digit, the -o json envelope and --input json included), records refusing
 * fields the schema does not have, floats that would overflow to Infinity.
 */
import { describe, expect, it } from 'vitest';
import avsc from 'avsc';
import type { RegisteredSchema, SchemaRegistryClient } from '../../../../src/client/schema-registry.js';
import type { ConsumedRecord } from '../../../../src/client/consumer/fetcher.js';
import { buildCodec, CodecError, type Codec } from '../../../../src/tools/schema-formats/codecs.js';
import { RecordDecoder } from '../../../../src/tools/schema-formats/decoder.js';
import { Out } from '../../../../src/tools/schema-formats/avro-transcode.js';
import { frame } from '../../../../src/tools/schema-formats/wire.js';
import { recordFromJson } from '../../../../src/tools/record-json.js';
import { parseJsonExact, stringifyJsonExact } from '../../../../src/util/exact-json.js';

const noRefs = () => Promise.reject(new Error('no references expected'));
const avro = (schema: unknown, id = 1): RegisteredSchema => ({ id, schema: JSON.stringify(schema), schemaType: 'AVRO', references: [] });

/** An Avro long as any Avro library writes it: zig-zag, then 7 bits a byte (independent of the code under test). */
function avroLong(n: bigint): number[] {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return out;
}

/** The line as console-producer encodes it: the scanner's fast path first, else encode. */
function produce(c: Codec, line: string): Buffer {
  const framed = c.encodeFramed?.(Buffer.from(line), 1);
  return framed ? Buffer.from(framed.subarray(5)) : Buffer.from(c.encode(line).payload);
}

const LONGS = ['0', '-1', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740993', '1234567890123456789', '9223372036854775807', '-9223372036854775808'];

describe('exact JSON', () => {
  it('keeps the digits of integers past 2^53 (as bigint) and is JSON.parse otherwise', () => {
    expect(parseJsonExact('{"a":9007199254740993,"b":[-9223372036854775808,1.5,"9007199254740993x",1e400]}')).toEqual({ a: 9007199254740993n, b: [-9223372036854775808n, 1.5, '9007199254740993x', Infinity] });
    // "__proto__" is an own field, as JSON.parse makes it, not the object's prototype.
    const o = parseJsonExact('{"__proto__":{"x":12345678901234567890}}') as object;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toEqual({ x: 12345678901234567890n });
    expect(parseJsonExact('[9007199254740991, 90071992547409930.5, 9007199254740993e0, true, false, null, "\\"\\\\"]')).toEqual([9007199254740991, 90071992547409930.5, 9007199254740993, true, false, null, '"\\']);
    expect(() => parseJsonExact('{"a":12345678901234567,')).toThrow(SyntaxError);
    expect(stringifyJsonExact({ a: 9007199254740993n, b: [1, 'x', null], c: undefined, d: { e: -1n } })).toBe('{"a":9007199254740993,"b":[1,"x",null],"d":{"e":-1}}');
  });
});

describe('JSON Schema', () => {
  it('keeps the digits of a big integer when a payload spanning lines is printed as one line', async () => {
    const c = await buildCodec({ id: 5, schemaType: 'JSON', references: [], schema: '{"type":"object"}' }, noRefs);
    expect(c.decode(Buffer.from('{\n  "id": 9007199254740993,\n  "x": [1.5]\n}'), 0)).toBe('{"id":9007199254740993,"x":[1.5]}');
  });
});

describe('Avro longs over the whole 64-bit range', () => {
  const schema = { type: 'record', name: 'R', fields: [{ name: 'id', type: 'long' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } }, { name: 'opt', type: ['null', 'long'], default: null }, { name: 'all', type: { type: 'array', items: 'long' } }] };

  it('decodes the bytes a real client writes to the exact integer, as text and in the -o json envelope', async () => {
    const c = await buildCodec(avro(schema), noRefs);
    for (const v of LONGS) {
      const n = BigInt(v);
      const payload = Buffer.from([...avroLong(n), ...avroLong(n), 2, ...avroLong(n), 2, ...avroLong(n), 0]);
      const json = `{"id":${v},"at":${v},"opt":{"long":${v}},"all":[${v}]}`;
      expect(c.decode(Buffer.concat([Buffer.alloc(5), payload]), 5).toString()).toBe(json);
      const target = new Out();
      c.decodeInto!(payload, 0, payload.length, target);
      expect(target.buf.toString('utf8', 0, target.pos)).toBe(json);
      // What it reads, it writes back the same bytes (the scanner's fast path or the general one).
      expect([...produce(c, json)]).toEqual([...payload]);
      expect([...produce(c, ` ${json}`)]).toEqual([...payload]);
    }
  });

  it('prints exact longs in the -o json envelope', async () => {
    const s = avro({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'long' }] }, 9);
    const client = { url: 'http://r', schemaById: () => Promise.resolve(s), version: noRefs } as unknown as SchemaRegistryClient;
    const d = new RecordDecoder(client, { value: 'avro' });
    const record = { topic: 't', partition: 0, offset: 0, timestamp: 1, timestampType: 'CreateTime', key: null, value: frame(9, Buffer.from(avroLong(9223372036854775807n))), headers: [] } as unknown as ConsumedRecord;
    await d.prepare([record]);
    expect(d.json(record)).toContain('"value":{"id":9223372036854775807}');
    // ...and console-producer --input json takes the envelope back with the same digits.
    const back = recordFromJson(d.json(record), 1, { value: true });
    expect(back.value!.toString()).toBe('{"id":9223372036854775807}');
  });

  it('refuses integers past the 64-bit range with the value as typed; fractions and non-numbers as before', async () => {
    const c = await buildCodec(avro(schema), noRefs);
    const line = (id: string) => `{"id":${id},"at":0,"all":[]}`;
    expect(() => c.encode(line('9223372036854775808'))).toThrow('id: expected a long (a 64-bit integer), got 9223372036854775808');
    expect(() => c.encode(line('-9223372036854775809'))).toThrow('got -9223372036854775809');
    expect(() => c.encode(`{"id":0,"at":99999999999999999999,"all":[]}`)).toThrow('at: expected a long (a 64-bit integer), got 99999999999999999999');
    expect(() => c.encode(line('1.5'))).toThrow(/id: expected a long/);
    expect(() => c.encode(line('"1"'))).toThrow(/id: expected a long/);
    expect(() => c.encode(`{"id":0,"at":0,"all":[],"opt":{"int":1}}`)).toThrow(CodecError);
    const ints = await buildCodec(avro({ type: 'record', name: 'I', fields: [{ name: 'n', type: 'int' }] }), noRefs);
    expect(() => ints.encode('{"n":9007199254740993}')).toThrow('n: expected an int, got 9007199254740993');
  });

  it('reads a double given as an integer past 2^53 as JSON does; refuses a float that would overflow to Infinity', async () => {
    const c = await buildCodec(avro({ type: 'record', name: 'F', fields: [{ name: 'd', type: 'double' }, { name: 'f', type: 'float' }] }), noRefs);
    const t = avsc.Type.forSchema({ type: 'record', name: 'F', fields: [{ name: 'd', type: 'double' }, { name: 'f', type: 'float' }] } as never);
    expect(t.fromBuffer(produce(c, '{"d":12345678901234567890,"f":3.4e38}'))).toEqual({ d: 12345678901234567890, f: Math.fround(3.4e38) });
    for (const f of ['3.5e38', '-1e39', '1e300']) expect(() => produce(c, `{"d":0,"f":${f}}`)).toThrow(`f: expected a float (a number within ±3.4e38), got ${Number(f)}`);
    expect(t.fromBuffer(produce(c, '{"d":1e300,"f":1e-50}'))).toEqual({ d: 1e300, f: 0 });
  });
});

describe('Avro records refuse fields the schema does not have', () => {
  const schema = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'int' }, { name: 'item', type: 'string' }, { name: 'note', type: ['null', { type: 'record', name: 'Note', fields: [{ name: 'text', type: 'string' }] }], default: null }] };

  it('names the field, top level or nested, whatever the order of the fields', async () => {
    const c = await buildCodec(avro(schema), noRefs);
    expect(() => produce(c, '{"id":3,"item":"pizza","bogus":1}')).toThrow('does not match the Avro schema: bogus: unknown field (Order has id, item, note)');
    expect(() => produce(c, '{"bogus":1,"id":3,"item":"pizza"}')).toThrow('bogus: unknown field');
    expect(() => produce(c, '{"id":3,"item":"pizza","note":{"Note":{"text":"x","size":2}}}')).toThrow('note.size: unknown field (Note has text)');
    expect(() => produce(c, '{"id":3,"item":"pizza","toString":1}')).toThrow('toString: unknown field');
    expect(avsc.Type.forSchema(schema as never).fromBuffer(produce(c, '{"item":"pizza","id":3}'))).toEqual({ id: 3, item: 'pizza', note: null });
  });
});
