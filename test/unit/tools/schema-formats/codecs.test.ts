/**
 * The schema codecs and Confluent's wire format, in process: Avro's JSON encoding (wrapped
 * unions), JSON Schema validation, Protobuf message indexes (and records written without them),
 * schema references, and the errors for input or bytes that do not match.
 */
import { describe, expect, it } from 'vitest';
import type { RegisteredSchema } from '../../../../src/client/schema-registry.js';
import { buildCodec, CodecError } from '../../../../src/tools/schema-formats/codecs.js';
import { decodeMessageIndexes, encodeMessageIndexes, frame, hasMessageIndexes, schemaIdOf, WireFormatError } from '../../../../src/tools/schema-formats/wire.js';

const noRefs = () => Promise.reject(new Error('no references expected'));
const avro = (schema: object, id = 1): RegisteredSchema => ({ id, schema: JSON.stringify(schema), schemaType: 'AVRO', references: [] });

describe('wire format', () => {
  it('frames magic byte 0, the id big-endian, then the payload', () => {
    const b = frame(0x01020304, Buffer.from('xy'));
    expect([...b]).toEqual([0, 1, 2, 3, 4, 0x78, 0x79]);
    expect(schemaIdOf(b)).toBe(0x01020304);
  });

  it('refuses short input and other magic bytes', () => {
    expect(() => schemaIdOf(Buffer.from([0, 1]))).toThrow(WireFormatError);
    expect(() => schemaIdOf(Buffer.from('plain text'))).toThrow(/unknown magic byte 112/);
  });

  it("encodes message indexes as Confluent does: [0] as one 0 byte, else zig-zag count and indexes", () => {
    expect([...encodeMessageIndexes([0])]).toEqual([0]);
    expect([...encodeMessageIndexes([1])]).toEqual([2, 2]);
    expect([...encodeMessageIndexes([2, 70])]).toEqual([4, 4, 0x8c, 0x01]);
    for (const idx of [[0], [1], [0, 0], [3, 1, 2], [200]]) {
      const b = Buffer.concat([encodeMessageIndexes(idx), Buffer.from([0x0a])]);
      const { indexes, next } = decodeMessageIndexes(b, 0);
      expect(indexes).toEqual(idx);
      expect(b[next]).toBe(0x0a);
    }
    expect(hasMessageIndexes(Buffer.from([0, 0x0a]), 0)).toBe(true);
    expect(hasMessageIndexes(Buffer.from([0x0a, 1]), 0)).toBe(false);
  });
});

describe('Avro', () => {
  const order = avro({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }, { name: 'raw', type: 'bytes' }] });

  it('reads Avro JSON (unions wrapped) and writes it back the same', async () => {
    const c = await buildCodec(order, noRefs);
    for (const json of ['{"id":1,"note":null,"raw":""}', '{"id":-7,"note":{"string":"hé"},"raw":"\\u00ff\\u0001"}']) {
      const { payload } = c.encode(json);
      expect(JSON.parse(c.decode(Buffer.concat([Buffer.alloc(5), payload]), 5).toString())).toEqual(JSON.parse(json));
    }
  });

  it('names what does not match: an unwrapped union, a wrong type, a missing field, bad JSON', async () => {
    const c = await buildCodec(order, noRefs);
    expect(() => c.encode('{"id":1,"note":"x","raw":""}')).toThrow(CodecError);
    expect(() => c.encode('{"id":"one","note":null,"raw":""}')).toThrow(/long/);
    expect(() => c.encode('{"note":null,"raw":""}')).toThrow(CodecError);
    expect(() => c.encode('{"id":1,')).toThrow(/invalid JSON/);
  });

  it('refuses bytes that are not a record of the schema (truncated, trailing)', async () => {
    const c = await buildCodec(order, noRefs);
    const { payload } = c.encode('{"id":300,"note":{"string":"abc"},"raw":"x"}');
    expect(() => c.decode(Buffer.from(payload).subarray(0, 3), 0)).toThrow(/do not match Avro schema 1/);
    expect(() => c.decode(Buffer.concat([payload, Buffer.from([1, 2])]), 0)).toThrow(CodecError);
  });

  it('resolves a referenced named type', async () => {
    const addr = { id: 7, schema: JSON.stringify({ type: 'record', name: 'Address', namespace: 'x', fields: [{ name: 'city', type: 'string' }] }), schemaType: 'AVRO' as const, references: [] };
    const main: RegisteredSchema = { id: 8, schema: JSON.stringify({ type: 'record', name: 'P', namespace: 'x', fields: [{ name: 'home', type: 'x.Address' }] }), schemaType: 'AVRO', references: [{ name: 'x.Address', subject: 'addr', version: 1 }] };
    const c = await buildCodec(main, async (ref) => (ref.subject === 'addr' ? addr : Promise.reject(new Error('?'))));
    expect(c.decode(Buffer.from(c.encode('{"home":{"city":"Oslo"}}').payload), 0).toString()).toBe('{"home":{"city":"Oslo"}}');
  });
});

describe('JSON Schema', () => {
  const schema: RegisteredSchema = {
    id: 2,
    schemaType: 'JSON',
    references: [],
    schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name'], additionalProperties: false }),
  };

  it('validates on the way in and out; the payload is the JSON text', async () => {
    const c = await buildCodec(schema, noRefs);
    const { payload } = c.encode('{"name":"ann","age":3}');
    expect(Buffer.from(payload).toString()).toBe('{"name":"ann","age":3}');
    expect(c.decode(Buffer.from(payload), 0)).toBe('{"name":"ann","age":3}');
    expect(() => c.encode('{"name":"ann","age":-1}')).toThrow(/\/age must be >= 0/);
    expect(() => c.encode('{"age":1}')).toThrow(/required property 'name'/);
    expect(() => c.decode(Buffer.from('{"nam'), 0)).toThrow(/not the JSON of schema 2/);
    expect(() => c.decode(Buffer.from('{"name":5}'), 0)).toThrow(/does not match JSON schema 2/);
  });

  it('takes draft 2020-12 schemas', async () => {
    const c = await buildCodec({ ...schema, schema: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'integer' }] }) }, noRefs);
    expect(() => c.encode('["x"]')).toThrow(CodecError);
    expect(Buffer.from(c.encode('[1,"x"]').payload).toString()).toBe('[1,"x"]');
  });
});

describe('Protobuf', () => {
  const proto: RegisteredSchema = {
    id: 3,
    schemaType: 'PROTOBUF',
    references: [],
    schema: `syntax = "proto3";
package demo;
message User { string name = 1; int64 age = 2; repeated string tags = 3; Kind kind = 4; message Inner { int32 x = 1; } Inner inner = 5; map<string, int32> counts = 6; }
enum Kind { A = 0; B = 1; }
message Other { string s = 1; }
`,
  };

  it('writes the first message with index [0], another by name with its indexes, and reads both back', async () => {
    const c = await buildCodec(proto, noRefs);
    const json = '{"name":"ann","age":"12345678901234","tags":["a"],"kind":"B","inner":{"x":5},"counts":{"a":1}}';
    const { payload, indexes } = c.encode(json);
    expect(indexes).toEqual([0]);
    const framed = frame(3, payload, indexes);
    expect(framed[5]).toBe(0);
    expect(JSON.parse(c.decode(framed, 5))).toEqual(JSON.parse(json));
    const other = await buildCodec(proto, noRefs, { message: 'Other' });
    const o = other.encode('{"s":"x"}');
    expect(o.indexes).toEqual([1]);
    expect(c.decode(frame(3, o.payload, o.indexes), 5)).toBe('{"s":"x"}');
    const inner = await buildCodec(proto, noRefs, { message: 'demo.User.Inner' });
    const i = inner.encode('{"x":9}');
    expect(i.indexes).toEqual([0, 0]);
    expect(c.decode(frame(3, i.payload, i.indexes), 5)).toBe('{"x":9}');
  });

  it('reads a record written without message indexes (as @kafkajs/confluent-schema-registry writes) as the first message', async () => {
    const c = await buildCodec(proto, noRefs);
    const { payload } = c.encode('{"name":"bo"}');
    expect(c.decode(frame(3, payload), 5)).toBe('{"name":"bo"}');
  });

  it('names unknown fields, wrong types and bad enum values; refuses unknown messages', async () => {
    const c = await buildCodec(proto, noRefs);
    expect(() => c.encode('{"nme":"x"}')).toThrow(/unknown field nme/);
    expect(() => c.encode('{"age":"old"}')).toThrow(/age must be an integer/);
    expect(() => c.encode('{"kind":"C"}')).toThrow(/not a value of enum Kind/);
    expect(() => c.encode('{"inner":{"y":1}}')).toThrow(/unknown field inner.y/);
    await expect(buildCodec(proto, noRefs, { message: 'Nope' })).rejects.toThrow(/no message Nope/);
    expect(() => c.decode(frame(3, Buffer.from([0x0a, 0x05, 0x61]), [0]), 5)).toThrow(/do not match Protobuf message User/);
    expect(() => c.decode(Buffer.concat([Buffer.alloc(5), encodeMessageIndexes([7]), Buffer.from([0x0a, 0])]), 5)).toThrow(/message index 7/);
  });

  it('takes field names as declared or in lowerCamelCase (protobuf JSON names), prints them as declared', async () => {
    const c = await buildCodec({ ...proto, schema: 'syntax = "proto3";\nmessage S { string user_name = 1; }\n' }, noRefs);
    for (const json of ['{"user_name":"a"}', '{"userName":"a"}']) expect(c.decode(Buffer.from(c.encode(json).payload), 0)).toBe('{"user_name":"a"}');
  });

  it('refuses an invalid schema of each type', async () => {
    await expect(buildCodec({ ...proto, schema: 'message {' }, noRefs)).rejects.toThrow(/invalid PROTOBUF schema 3/);
    await expect(buildCodec(avro({ type: 'record', name: 'R' }), noRefs)).rejects.toThrow(/invalid AVRO schema/);
    await expect(buildCodec({ id: 4, schemaType: 'JSON', references: [], schema: '{"type":"nope"}' }, noRefs)).rejects.toThrow(/invalid JSON schema 4/);
  });
});
