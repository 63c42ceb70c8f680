/** The schema layer's parse API (shared by the registry and the console formats): handles, canonical forms, errors. */
import { describe, expect, it } from 'vitest';
import { InvalidSchemaError, parseSchema, protobufDescriptor, protobufIndexesOf, protobufMessageAt, schemaTypeOf } from '../../../src/schema/index.js';
import { registrySettings } from '../../../src/broker/schema-registry/settings.js';
import { decodeRecord, encodeRecord } from '../../../src/broker/schema-registry/records.js';

describe('parseSchema', () => {
  it('Avro: an avsc Type, the same canonical form whatever the spacing and key order', async () => {
    const a = await parseSchema('AVRO', '{"type":"record","name":"U","fields":[{"name":"id","type":"long"}]}');
    const b = await parseSchema('AVRO', '{ "fields": [ { "type": "long", "name": "id" } ],\n "name": "U", "type": "record" }');
    expect(a.canonical).toBe(b.canonical);
    expect(a.text).toBe('{"type":"record","name":"U","fields":[{"name":"id","type":"long"}]}');
    expect(a.avro!.fromBuffer(a.avro!.toBuffer({ id: 5 }))).toEqual({ id: 5 });
  });

  it('Avro references are registered before the schema that uses them', async () => {
    const addr = JSON.stringify({ type: 'record', name: 'Addr', namespace: 'x', fields: [{ name: 'city', type: 'string' }] });
    const p = await parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'P', namespace: 'x', fields: [{ name: 'a', type: 'x.Addr' }] }), [{ name: 'x.Addr', schema: addr }]);
    expect(p.avro!.isValid({ a: { city: 'Oslo' } })).toBe(true);
    await expect(parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'a', type: 'x.Addr' }] }))).rejects.toBeInstanceOf(InvalidSchemaError);
  });

  it('Avro: a named type in object form ({"type": "x.Addr"}) is that type, from a reference or the schema itself', async () => {
    const addr = JSON.stringify({ type: 'record', name: 'Addr', namespace: 'x', fields: [{ name: 'city', type: 'string' }] });
    const refs = [{ name: 'x.Addr', schema: addr }];
    const obj = await parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'P', namespace: 'y', fields: [{ name: 'a', type: { type: 'x.Addr' } }, { name: 'b', type: { type: 'array', items: { type: 'x.Addr' } } }] }), refs);
    const bare = await parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'P', namespace: 'y', fields: [{ name: 'a', type: 'x.Addr' }, { name: 'b', type: { type: 'array', items: 'x.Addr' } }] }), refs);
    expect(obj.canonical).toBe(bare.canonical);
    expect(obj.avro!.isValid({ a: { city: 'Oslo' }, b: [{ city: 'Rome' }] })).toBe(true);
    const local = await parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'Q', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }, { name: 'f', type: { type: 'E' } }] }));
    expect(local.avro!.isValid({ e: 'A', f: 'A' })).toBe(true);
    // A primitive in object form keeps its attributes; an unknown name is still invalid.
    expect((await parseSchema('AVRO', '{"type":"string","avro.java.string":"String"}')).canonical).toBe('{"avro.java.string":"String","type":"string"}');
    await expect(parseSchema('AVRO', JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'a', type: { type: 'x.Nope' } }] }))).rejects.toBeInstanceOf(InvalidSchemaError);
  });

  it('JSON Schema: an ajv validator with readable errors; draft 2020-12 when $schema says so', async () => {
    const j = await parseSchema('JSON', '{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}');
    expect(j.json!.validate({ n: 1 })).toBe(true);
    expect(j.json!.validate({ n: 'x' })).toBe(false);
    expect(j.json!.errors()).toBe('/n must be integer');
    const d = await parseSchema('JSON', JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }], items: false }));
    expect(d.json!.validate(['a'])).toBe(true);
    expect(d.json!.validate(['a', 'b'])).toBe(false);
  });

  it('Protobuf: a resolved Root, the message names, canonical text free of comments and spacing', async () => {
    const text = 'syntax = "proto3";\npackage shop; // the shop\nimport "google/protobuf/timestamp.proto";\nmessage Order { string sku = 1; google.protobuf.Timestamp at = 2; message Line { int32 n = 1; } }\nenum Kind { A = 0; }\n';
    const p = await parseSchema('PROTOBUF', text);
    expect(p.messages).toEqual(['shop.Order']);
    expect(protobufMessageAt(p, [])!.fullName).toBe('.shop.Order');
    expect(protobufMessageAt(p, [0, 0])!.fullName).toBe('.shop.Order.Line');
    expect(protobufMessageAt(p, [3])).toBeUndefined();
    expect(protobufIndexesOf(p, 'shop.Order.Line')).toEqual([0, 0]);
    const Order = p.protobuf!.lookupType('shop.Order');
    expect(Order.toObject(Order.decode(Order.encode({ sku: 'a' }).finish()))).toEqual({ sku: 'a' });
    const again = await parseSchema('PROTOBUF', text.replace(/ /g, '  ').replace('// the shop', ''));
    expect(again.canonical).toBe(p.canonical);
    // Through a FileDescriptorProto (Confluent's format=serialized) and back: the same schema.
    const fromDescriptor = await parseSchema('PROTOBUF', await protobufDescriptor(text));
    expect(fromDescriptor.canonical).toBe(p.canonical);
  });

  it('names what is wrong with an invalid schema of each type', async () => {
    await expect(parseSchema('AVRO', '{"type":"enum","name":"E","symbols":["A","A"]}')).rejects.toThrow(InvalidSchemaError);
    await expect(parseSchema('JSON', '{"type":12}')).rejects.toThrow(InvalidSchemaError);
    await expect(parseSchema('PROTOBUF', 'syntax = "proto3"; message M { Missing m = 1; }')).rejects.toThrow(/Missing/);
    await expect(parseSchema('PROTOBUF', 'syntax = "proto3"; import "other.proto"; message M { int32 a = 1; }')).rejects.toThrow(/other\.proto/);
    expect(schemaTypeOf(undefined)).toBe('AVRO');
    expect(schemaTypeOf('protobuf')).toBe('PROTOBUF');
    expect(schemaTypeOf('XML')).toBeNull();
  });
});

describe('registry settings and _schemas records', () => {
  it('reads the kafka-ts.schema.registry.* keys', () => {
    expect(registrySettings({})).toEqual({ enabled: true, host: '127.0.0.1', port: 8081, explicitPort: false, maxRequestBytes: 8 << 20 });
    expect(registrySettings({ 'kafka-ts.schema.registry.listener': 'http://0.0.0.0:0', 'kafka-ts.schema.registry.enable': 'FALSE' })).toMatchObject({ enabled: false, host: '0.0.0.0', port: 0, explicitPort: true });
    expect(() => registrySettings({ 'kafka-ts.schema.registry.listener': 'nope' })).toThrow(/kafka-ts.schema.registry.listener/);
    expect(() => registrySettings({ 'kafka-ts.schema.registry.max.request.bytes': '10' })).toThrow(/at least 1024/);
  });

  it("writes Confluent's key and value layout, and skips what is not a registry record", () => {
    const r = encodeRecord({ keytype: 'SCHEMA', subject: 's', version: 2, value: { subject: 's', version: 2, id: 7, schema: '"int"', deleted: false } });
    expect(r.key.toString()).toBe('{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}');
    expect(JSON.parse(r.value!.toString())).toEqual({ subject: 's', version: 2, id: 7, schema: '"int"', deleted: false });
    expect(decodeRecord(r)).toMatchObject({ keytype: 'SCHEMA', subject: 's', version: 2, value: { id: 7 } });
    expect(encodeRecord({ keytype: 'CONFIG', subject: null, value: { compatibilityLevel: 'FULL' } }).key.toString()).toBe('{"keytype":"CONFIG","subject":null,"magic":0}');
    expect(decodeRecord({ key: Buffer.from('not json'), value: null })).toBeNull();
    expect(decodeRecord({ key: Buffer.from('{"keytype":"SCHEMA","subject":"s"}'), value: null })).toBeNull();
  });
});
