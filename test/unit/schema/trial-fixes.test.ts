/**
 * The schema layer where a trial found it wrong: Protobuf type names in descriptors and canonical
 * forms, Avro identity by parsed form and normalize, and JSON Schema compatibility through
 * $ref and combined schemas (oneOf, anyOf, allOf).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSchema, protobufDescriptor, readIncompatibilities } from '../../../src/schema/index.js';

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

describe('JSON Schema compatibility through $ref and combined schemas', () => {
  const json = (s: object, refs: { name: string; schema: string }[] = []) => parseSchema('JSON', JSON.stringify(s), refs);
  const obj = (a: object, extra: object = {}) => ({ type: 'object', properties: { a }, additionalProperties: false, ...extra });
  /** The error types of BACKWARD (the new schema reads the old one's documents). */
  const backward = async (next: object, old: object, nextRefs: { name: string; schema: string }[] = [], oldRefs = nextRefs) =>
    readIncompatibilities(await json(next, nextRefs), await json(old, oldRefs), true).map((i) => i.errorType);

  it('follows local $refs (#/definitions, #/$defs) and the schema\'s references', async () => {
    const old = obj({ type: 'string' });
    expect(await backward(obj({ $ref: '#/definitions/N' }, { definitions: { N: { type: 'integer' } } }), old)).toEqual(['TYPE_CHANGED']);
    expect(await backward(obj({ $ref: '#/$defs/N' }, { $defs: { N: { type: 'integer' } } }), old)).toEqual(['TYPE_CHANGED']);
    expect(await backward(obj({ $ref: '#/definitions/S' }, { definitions: { S: { type: 'string' } } }), old)).toEqual([]);
    const refs = [{ name: 'n.json', schema: JSON.stringify({ type: 'integer' }) }];
    expect(await backward(obj({ $ref: 'n.json' }), old, refs)).toEqual(['TYPE_CHANGED']);
    // Old and new both by reference: compared through it.
    expect(await backward(obj({ $ref: '#/definitions/N' }, { definitions: { N: { type: 'integer' } } }), obj({ $ref: '#/definitions/N' }, { definitions: { N: { type: 'string' } } }))).toEqual(['TYPE_CHANGED']);
    // A recursive schema compared with itself: compatible, and the check ends.
    const tree = { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#' } } } };
    expect(await backward(tree, tree)).toEqual([]);
  });

  it('an unresolvable $ref or an uncompared keyword is incompatible, never passed', async () => {
    const old = obj({ type: 'string' });
    // A plain-name fragment (draft-07's "$id": "#num"), which this check does not resolve.
    expect(await backward(obj({ $ref: '#num' }, { definitions: { N: { $id: '#num', type: 'integer' } } }), old)).toEqual(['REFERENCE_NOT_RESOLVED']);
    expect(await backward(obj({ type: 'string', not: { const: 'x' } }), old)).toEqual(['KEYWORD_NOT_COMPARED']);
  });

  it('compares a type replaced by a combined one branch-wise', async () => {
    const old = obj({ type: 'string' });
    expect(await backward(obj({ oneOf: [{ type: 'integer' }] }), old)).toEqual(['TYPE_CHANGED']);
    expect(await backward(obj({ anyOf: [{ type: 'integer' }] }), old)).toEqual(['TYPE_CHANGED']);
    expect(await backward(obj({ allOf: [{ type: 'integer' }] }), old)).toEqual(['TYPE_CHANGED']);
    expect(await backward(obj({ allOf: [{ type: 'string' }, { maxLength: 3 }] }), old)).toEqual(['MAX_LENGTH_ADDED']);
    expect(await backward(obj({ oneOf: [{ type: 'integer' }, { type: 'string' }] }), old)).toEqual([]);
    expect(await backward(obj({ type: 'string', anyOf: [{ type: 'integer' }] }), old)).toEqual(['TYPE_CHANGED']);
    // A combined type replaced by a plain one: every oneOf branch must still be read.
    expect(await backward(old, obj({ oneOf: [{ type: 'string' }, { type: 'integer' }] }))).toEqual(['TYPE_CHANGED']);
    expect(await backward(old, obj({ oneOf: [{ type: 'string' }, { type: 'string', maxLength: 2 }] }))).toEqual([]);
  });

  it('applies Confluent\'s rules to two combined schemas', async () => {
    const sum = (k: string, ...types: string[]) => obj({ [k]: types.map((type) => ({ type })) });
    expect(await backward(sum('oneOf', 'string', 'integer'), sum('oneOf', 'string'))).toEqual([]); // SUM_TYPE_EXTENDED
    expect(await backward(sum('oneOf', 'string'), sum('oneOf', 'string', 'integer'))).toEqual(['SUM_TYPE_NARROWED']);
    expect(await backward(sum('anyOf', 'string', 'boolean'), sum('anyOf', 'string', 'integer'))).toEqual(['COMBINED_TYPE_SUBSCHEMAS_CHANGED']);
    expect(await backward(sum('allOf', 'string', 'string'), sum('allOf', 'string'))).toEqual([]); // duplicates collapse
    expect(await backward(obj({ allOf: [{ type: 'string' }, { maxLength: 3 }] }), obj({ allOf: [{ type: 'string' }] }))).toEqual(['PRODUCT_TYPE_EXTENDED']);
    expect(await backward(obj({ allOf: [{ type: 'string' }] }), obj({ allOf: [{ type: 'string' }, { maxLength: 3 }] }))).toEqual([]); // PRODUCT_TYPE_NARROWED
    expect(await backward(sum('oneOf', 'string', 'integer'), sum('allOf', 'string', 'integer'))).toEqual(['COMBINED_TYPE_CHANGED']);
    expect(await backward(sum('anyOf', 'string', 'integer'), sum('oneOf', 'string', 'integer'))).toEqual([]); // COMBINED_TYPE_EXTENDED
  });
});
