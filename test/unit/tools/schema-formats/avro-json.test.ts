/**
 * The compiled Avro JSON writer prints exactly what avsc's Type#toString prints (Avro's JSON
 * encoding), over every kind of type: records (nested, recursive), unions of primitives and
 * named types, enums, fixed, bytes, arrays, maps, and non-finite doubles; but floats as Avro's
 * Java encoder prints them (the shortest decimal of the float, where avsc widens it).
 */
import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { avroJsonWriter } from '../../../../src/tools/schema-formats/avro-json.js';
import { avroTranscoder } from '../../../../src/tools/schema-formats/avro-transcode.js';
import { avroEncoder } from '../../../../src/tools/schema-formats/avro-encode.js';

const schema = {
  type: 'record',
  name: 'Everything',
  namespace: 'test',
  fields: [
    { name: 'n', type: 'null' },
    { name: 'b', type: 'boolean' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 's', type: 'string' },
    { name: 'raw', type: 'bytes' },
    { name: 'fx', type: { type: 'fixed', name: 'Four', size: 4 } },
    { name: 'e', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] } },
    { name: 'arr', type: { type: 'array', items: ['null', 'int'] } },
    { name: 'm', type: { type: 'map', values: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'string' }] } } },
    { name: 'u', type: ['null', 'string', 'test.Inner'] },
    // Ambiguous (string and enum): avsc wraps this union's values.
    { name: 'w', type: ['null', 'string', 'test.Colour'] },
    { name: 'next', type: ['null', 'Everything'], default: null },
  ],
};

describe('Avro JSON, from values (avroJsonWriter) and straight from bytes (avroTranscoder)', () => {
  const type = avro.Type.forSchema(schema as never);
  const write = avroJsonWriter(type);
  const base = { n: null, b: true, i: -3, l: 2 ** 40, f: 1.5, d: -0.25, s: 'hé "quoted"\n', raw: Buffer.from([0, 255, 65]), fx: Buffer.from('abcd'), e: 'GREEN', arr: [1, null, 3], m: { k: { x: 'v' } }, u: null, w: null, next: null };
  const values = [
    base,
    { ...base, b: false, u: 'text', arr: [], m: {} },
    { ...base, u: { x: 'inner' }, d: Number.NaN },
    { ...base, w: { 'test.Colour': 'RED' }, next: { ...base, u: { x: 'deep' }, w: { string: 's' }, f: Number.POSITIVE_INFINITY } },
  ];

  const transcode = avroTranscoder(type)!;

  it('matches avsc toString for every kind of type', () => {
    for (const v of values) {
      const bytes = type.toBuffer(v);
      const decoded = type.fromBuffer(bytes);
      expect(write(decoded)).toBe(type.toString(decoded));
      expect(transcode(Buffer.concat([Buffer.from([9, 9]), bytes]), 2).toString()).toBe(type.toString(decoded));
    }
  });

  it('encodes Avro JSON to the bytes avsc writes, defaults filled in', () => {
    const encode = avroEncoder(type)!;
    // (NaN and infinities have no JSON form: the first two values only.)
    for (const v of values.slice(0, 2)) {
      const decoded = type.fromBuffer(type.toBuffer(v));
      const json = JSON.parse(type.toString(decoded)) as Record<string, unknown>;
      expect(Buffer.from(encode(json)).equals(type.toBuffer(decoded))).toBe(true);
      delete json.next;
      expect(Buffer.from(encode(json)).equals(type.toBuffer({ ...decoded, next: null }))).toBe(true);
    }
    expect(() => encode({ ...JSON.parse(type.toString(type.fromBuffer(type.toBuffer(values[0])))), i: 2 ** 31 })).toThrow(/^i: expected an int, got 2147483648$/);
    expect(() => encode({ ...JSON.parse(type.toString(type.fromBuffer(type.toBuffer(values[0])))), u: 'x' })).toThrow(/u: expected null or one of \{"string":…\}, \{"test.Inner":…\}/);
    expect(() => encode({})).toThrow(/^n: expected a value \(the field has no default\)/);
  });

  it('prints a float as Avro\'s Java JSON encoder does (0.1, not the widened 0.10000000149011612)', () => {
    const t = avro.Type.forSchema({ type: 'record', name: 'F', fields: [{ name: 'f', type: 'float' }, { name: 'fs', type: { type: 'array', items: 'float' } }, { name: 'd', type: 'double' }] } as never);
    const v = { f: 0.1, fs: [0.3, -2.5, 3.4028234663852886e38, 1.401298464324817e-45], d: 0.1 };
    const expected = '{"f":0.1,"fs":[0.3,-2.5,3.4028235e+38,1e-45],"d":0.1}';
    expect(avroTranscoder(t)!(t.toBuffer(v), 0).toString()).toBe(expected);
    expect(avroJsonWriter(t)(t.fromBuffer(t.toBuffer(v)))).toBe(expected);
  });

  it('reads arrays and maps written in blocks with byte sizes (negative counts)', () => {
    const t = avro.Type.forSchema({ type: 'array', items: 'int' });
    // Two blocks: -2 items (zig-zag 3) with their byte size, then 1 item, then the end.
    const bytes = Buffer.from([3, 4, 2, 4, 2, 6, 0]);
    expect(transcode === null).toBe(false);
    expect(avroTranscoder(t)!(bytes, 0).toString()).toBe('[1,2,3]');
  });

  it('refuses truncated and trailing bytes, and out-of-range enum and union indexes', () => {
    const bytes = type.toBuffer(values[0]);
    expect(() => transcode(bytes.subarray(0, bytes.length - 1), 0)).toThrow(/truncated/);
    expect(() => transcode(Buffer.concat([bytes, Buffer.from([0])]), 0)).toThrow(/trailing/);
    const e = avro.Type.forSchema({ type: 'enum', name: 'E', symbols: ['A'] });
    expect(() => avroTranscoder(e)!(Buffer.from([2]), 0)).toThrow(/enum index 1/);
    const u = avro.Type.forSchema(['null', 'int']);
    expect(() => avroTranscoder(u)!(Buffer.from([4]), 0)).toThrow(/union branch 2/);
  });
});
