/**
 * The schema layer where a trial found it wrong: Protobuf type names in descriptors and canonical
 * forms, Avro identity by parsed form and normalize, and JSON Schema compatibility through
 * $ref and combined schemas (oneOf, anyOf, allOf).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSchema, protobufDescriptor } from '../../../src/schema/index.js';

const require = createRequire(import.meta.url);
const pb = require('@bufbuild/protobuf') as typeof import('@bufbuild/protobuf');
const wkt = require('@bufbuild/protobuf/wkt') as typeof import('@bufbuild/protobuf/wkt');

describe('Protobuf type names', () => {
  const ADDRESS = 'syntax = "proto3";\npackage demo;\nmessage Address { string city = 1; }\n';
  const refs = [{ name: 'address.proto', schema: ADDRESS }];
  const person = (t: string) => `syntax = "proto3";\npackage demo;\nimport "address.proto";\nmessage Person { ${t} home = 1; Inner i = 2; map<string, Address> by_name = 3; message Inner { int32 x = 1; } }\n`;

  it('are fully qualified in a descriptor, as protoc writes them', async () => {
    const fd = pb.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(await protobufDescriptor(person('Address'), refs), 'base64'));
    const msg = fd.messageType[0]!;
    expect(msg.field.map((f) => f.typeName)).toEqual(['.demo.Address', '.demo.Person.Inner', '.demo.Person.ByNameEntry']);
    expect(msg.nestedType.map((n) => n.name).sort()).toEqual(['ByNameEntry', 'Inner']);
    expect(msg.nestedType.find((n) => n.name === 'ByNameEntry')!.field[1]!.typeName).toBe('.demo.Address');
  });

  it('give one canonical form however a type is spelled, descriptor included', async () => {
    const a = await parseSchema('PROTOBUF', person('Address'), refs);
    expect((await parseSchema('PROTOBUF', person('demo.Address'), refs)).canonical).toBe(a.canonical);
    expect((await parseSchema('PROTOBUF', person('.demo.Address'), refs)).canonical).toBe(a.canonical);
    expect((await parseSchema('PROTOBUF', await protobufDescriptor(person('Address'), refs), refs)).canonical).toBe(a.canonical);
  });
});

describe('Avro canonical form', () => {
  const canon = async (s: unknown) => (await parseSchema('AVRO', JSON.stringify(s))).canonical;

  it('is the parsed form: spelling of primitives and names does not matter', async () => {
    expect(await canon('string')).toBe(await canon({ type: 'string' }));
    expect(await canon({ type: 'array', items: 'int' })).toBe(await canon({ type: 'array', items: { type: 'int' } }));
    const a = { type: 'record', name: 'A', namespace: 'x', aliases: ['B'], fields: [{ name: 'f', type: 'int', order: 'ascending' }, { name: 'r', type: 'A' }] };
    const b = { type: 'record', name: 'x.A', aliases: ['x.B'], fields: [{ name: 'f', type: { type: 'int' } }, { name: 'r', type: 'x.A' }] };
    expect(await canon(a)).toBe(await canon(b));
  });

  it('keeps what Confluent keeps: docs, defaults, aliases, logical types, custom attributes', async () => {
    const base = { type: 'record', name: 'A', fields: [{ name: 'f', type: 'int' }] };
    const f = (extra: object) => ({ ...base, fields: [{ name: 'f', type: 'int', ...extra }] });
    for (const variant of [{ ...base, doc: 'd' }, f({ default: 1 }), f({ aliases: ['g'] }), f({ doc: 'x' }), { ...base, fields: [{ name: 'f', type: { type: 'int', logicalType: 'date' } }] }, { ...base, fields: [{ name: 'f', type: { type: 'int', 'x-tag': 1 } }] }]) {
      expect(await canon(variant), JSON.stringify(variant)).not.toBe(await canon(base));
    }
  });
});
