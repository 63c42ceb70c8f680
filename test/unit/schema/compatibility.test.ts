/**
 * Compatibility, table-driven. Each Avro case is a schema change (old → new) with two answers
 * taken from the Avro specification's "Schema Resolution" rules: can the new schema read data
 * the old one wrote (BACKWARD), can the old schema read the new one's data (FORWARD); FULL is
 * both. Every case runs at every level, so each level sees all of them. Then chains for the
 * transitive levels, and JSON Schema and Protobuf cases (Confluent's rules).
 */
import { describe, expect, it } from 'vitest';
import { checkCompatibility, parseSchema, type CompatibilityLevel, type SchemaType } from '../../../src/schema/index.js';

const rec = (fields: object[], extra: object = {}) => JSON.stringify({ type: 'record', name: 'R', namespace: 'ns', fields, ...extra });
const f = (name: string, type: unknown, extra: object = {}) => ({ name, type, ...extra });
const one = (type: unknown, extra: object = {}) => rec([f('a', type, extra)]);
const en = (symbols: string[], extra: object = {}) => one({ type: 'enum', name: 'E', symbols, ...extra });

/** [name, old, new, new reads old (BACKWARD), old reads new (FORWARD)] */
const AVRO: [string, string, string, boolean, boolean][] = [
  ['identical record', one('int'), one('int'), true, true],
  ['add a field with a default', one('int'), rec([f('a', 'int'), f('b', 'string', { default: 'x' })]), true, true],
  ['add a field without a default', one('int'), rec([f('a', 'int'), f('b', 'string')]), false, true],
  ['remove a field that had a default', rec([f('a', 'int'), f('b', 'string', { default: 'x' })]), one('int'), true, true],
  ['remove a field without a default', rec([f('a', 'int'), f('b', 'string')]), one('int'), true, false],
  ['promote int to long', one('int'), one('long'), true, false],
  ['promote int to float', one('int'), one('float'), true, false],
  ['promote int to double', one('int'), one('double'), true, false],
  ['promote long to float', one('long'), one('float'), true, false],
  ['promote long to double', one('long'), one('double'), true, false],
  ['promote float to double', one('float'), one('double'), true, false],
  ['narrow long to int', one('long'), one('int'), false, true],
  ['narrow double to float', one('double'), one('float'), false, true],
  ['string to bytes', one('string'), one('bytes'), true, true],
  ['bytes to string', one('bytes'), one('string'), true, true],
  ['int to string', one('int'), one('string'), false, false],
  ['boolean to int', one('boolean'), one('int'), false, false],
  ['enum gains a symbol', en(['A', 'B']), en(['A', 'B', 'C']), true, false],
  ['enum loses a symbol', en(['A', 'B', 'C']), en(['A', 'B']), false, true],
  ['enum loses a symbol, new enum has a default', en(['A', 'B', 'C']), en(['A', 'B'], { default: 'A' }), true, true],
  ['enum gains a symbol, new enum has a default', en(['A', 'B']), en(['A', 'B', 'C'], { default: 'A' }), true, false],
  ['enum renamed', en(['A']), one({ type: 'enum', name: 'F', symbols: ['A'] }), false, false],
  ['fixed size changed', one({ type: 'fixed', name: 'X', size: 4 }), one({ type: 'fixed', name: 'X', size: 8 }), false, false],
  ['fixed unchanged', one({ type: 'fixed', name: 'X', size: 4 }), one({ type: 'fixed', name: 'X', size: 4 }), true, true],
  ['fixed renamed', one({ type: 'fixed', name: 'X', size: 4 }), one({ type: 'fixed', name: 'Y', size: 4 }), false, false],
  ['record renamed', one('int'), JSON.stringify({ type: 'record', name: 'S', namespace: 'ns', fields: [f('a', 'int')] }), false, false],
  ['record renamed, new one aliases the old name', one('int'), JSON.stringify({ type: 'record', name: 'S', namespace: 'ns', aliases: ['R'], fields: [f('a', 'int')] }), true, false],
  ['namespace changed, same name', one('int'), JSON.stringify({ type: 'record', name: 'R', namespace: 'other', fields: [f('a', 'int')] }), true, true],
  ['field renamed, new one aliases the old name', one('int'), rec([f('b', 'int', { aliases: ['a'] })]), true, false],
  ['field renamed without alias or default', one('int'), rec([f('b', 'int')]), false, false],
  ['string becomes optional (union with null)', one('string'), one(['null', 'string']), true, false],
  ['optional string becomes required', one(['null', 'string']), one('string'), false, true],
  ['union gains a branch', one(['int', 'string']), one(['int', 'string', 'boolean']), true, false],
  ['union loses a branch', one(['int', 'string', 'boolean']), one(['int', 'string']), false, true],
  ['union branch promoted int to long', one(['null', 'int']), one(['null', 'long']), true, false],
  ['int read by a union holding long', one('int'), one(['null', 'long']), true, false],
  ['array items promoted', one({ type: 'array', items: 'int' }), one({ type: 'array', items: 'long' }), true, false],
  ['map values promoted', one({ type: 'map', values: 'int' }), one({ type: 'map', values: 'long' }), true, false],
  ['array becomes map', one({ type: 'array', items: 'int' }), one({ type: 'map', values: 'int' }), false, false],
  ['nested record gains a field with a default', one({ type: 'record', name: 'N', fields: [f('x', 'int')] }), one({ type: 'record', name: 'N', fields: [f('x', 'int'), f('y', 'int', { default: 0 })] }), true, true],
  ['nested record gains a field without a default', one({ type: 'record', name: 'N', fields: [f('x', 'int')] }), one({ type: 'record', name: 'N', fields: [f('x', 'int'), f('y', 'int')] }), false, true],
  ['nested field changes type', one({ type: 'record', name: 'N', fields: [f('x', 'int')] }), one({ type: 'record', name: 'N', fields: [f('x', 'string')] }), false, false],
  ['optional field added with null default', one('int'), rec([f('a', 'int'), f('b', ['null', 'string'], { default: null })]), true, true],
  ['record in array items gains a defaulted field', one({ type: 'array', items: { type: 'record', name: 'I', fields: [f('x', 'int')] } }), one({ type: 'array', items: { type: 'record', name: 'I', fields: [f('x', 'int'), f('y', 'string', { default: '' })] } }), true, true],
  ['recursive list gains a defaulted field', rec([f('v', 'int'), f('next', ['null', 'R'])]), rec([f('v', 'int'), f('next', ['null', 'R']), f('w', 'int', { default: 1 })]), true, true],
  ['primitive schema int to long', '"int"', '"long"', true, false],
];

const LEVELS: CompatibilityLevel[] = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];
const expected = (level: CompatibilityLevel, back: boolean, fwd: boolean) => (level.startsWith('BACKWARD') ? back : level.startsWith('FORWARD') ? fwd : back && fwd);

async function check(type: SchemaType, level: CompatibilityLevel, versions: string[], candidate: string) {
  const previous = await Promise.all(versions.map(async (s, i) => ({ version: i + 1, schema: await parseSchema(type, s) })));
  return checkCompatibility(level, await parseSchema(type, candidate), previous);
}

describe('Avro compatibility (Avro specification, schema resolution)', () => {
  it('has at least 30 cases per level', () => expect(AVRO.length).toBeGreaterThanOrEqual(30));
  for (const level of LEVELS) {
    describe(level, () => {
      it.each(AVRO)('%s', async (_name, oldS, newS, back, fwd) => {
        const r = await check('AVRO', level, [oldS], newS);
        expect({ compatible: r.compatible, messages: r.messages }).toMatchObject({ compatible: expected(level, back, fwd) });
      });
    });
  }
  it('NONE accepts anything', async () => {
    expect((await check('AVRO', 'NONE', [one('int')], one('string'))).compatible).toBe(true);
  });

  it('lists what is incompatible in Confluent style', async () => {
    const r = await check('AVRO', 'BACKWARD', [one('int')], rec([f('a', 'string'), f('b', 'int')]));
    expect(r.messages[0]).toMatch(/^\{errorType:'TYPE_MISMATCH', description:'The type \(path '\/fields\/0\/type'\) of a field in the new schema does not match with the old schema'/);
    expect(r.messages[1]).toContain("errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'");
    expect(r.messages[1]).toContain("The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema");
    expect(r.messages.slice(2)).toEqual(['{oldSchemaVersion: 1}', `{oldSchema: '${JSON.stringify(JSON.parse(one('int')))}'}`, "{compatibility: 'BACKWARD'}"]);
    const e = await check('AVRO', 'BACKWARD', [en(['A', 'B', 'C'])], en(['A']));
    expect(e.messages[0]).toContain("errorType:'MISSING_ENUM_SYMBOLS'");
    expect(e.messages[0]).toContain("missing enum symbols 'B, C'");
  });

  describe('transitive levels check every version, the others the latest only', () => {
    const v1 = one('int');
    const v2 = rec([f('a', 'int'), f('b', 'string', { default: 'x' })]);
    const v3 = rec([f('a', 'int'), f('b', 'string')]);
    it.each([
      ['BACKWARD', [v1, v2], v3, true],
      ['BACKWARD_TRANSITIVE', [v1, v2], v3, false],
      ['FULL', [v1, v2], v3, true],
      ['FULL_TRANSITIVE', [v1, v2], v3, false],
      ['FORWARD', [v3, v2], v1, true],
      ['FORWARD_TRANSITIVE', [v3, v2], v1, false],
      ['BACKWARD_TRANSITIVE', [v1, v2], rec([f('a', 'long'), f('b', 'string', { default: 'y' })]), true],
      ['FORWARD_TRANSITIVE', [v2, v2], v1, true],
    ] as [CompatibilityLevel, string[], string, boolean][])('%s', async (level, versions, candidate, ok) => {
      expect((await check('AVRO', level, versions, candidate)).compatible).toBe(ok);
    });
  });
});

const obj = (properties: object, extra: object = {}) => JSON.stringify({ type: 'object', properties, ...extra });

/** [name, old, new, BACKWARD answer (new accepts every document old accepts), error type when not] */
const JSON_CASES: [string, string, string, boolean, string?][] = [
  ['identical', obj({ a: { type: 'string' } }), obj({ a: { type: 'string' } }), true],
  ['property added to an open content model', obj({ a: { type: 'string' } }), obj({ a: { type: 'string' }, b: { type: 'integer' } }), false, 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'],
  ['property added to a closed content model', obj({ a: { type: 'string' } }, { additionalProperties: false }), obj({ a: { type: 'string' }, b: { type: 'integer' } }, { additionalProperties: false }), true],
  ['property removed, new model open', obj({ a: { type: 'string' }, b: { type: 'integer' } }), obj({ a: { type: 'string' } }), true],
  ['property removed, new model closed', obj({ a: { type: 'string' }, b: { type: 'integer' } }, { additionalProperties: false }), obj({ a: { type: 'string' } }, { additionalProperties: false }), false, 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'],
  ['required property added', obj({ a: { type: 'string' } }), obj({ a: { type: 'string' } }, { required: ['a'] }), false, 'REQUIRED_ATTRIBUTE_ADDED'],
  ['required property dropped', obj({ a: { type: 'string' } }, { required: ['a'] }), obj({ a: { type: 'string' } }), true],
  ['integer widened to number', obj({ a: { type: 'integer' } }), obj({ a: { type: 'number' } }), true],
  ['number narrowed to integer', obj({ a: { type: 'number' } }), obj({ a: { type: 'integer' } }), false, 'TYPE_NARROWED'],
  ['string changed to integer', obj({ a: { type: 'string' } }), obj({ a: { type: 'integer' } }), false, 'TYPE_CHANGED'],
  ['enum extended', obj({ a: { enum: ['x', 'y'] } }), obj({ a: { enum: ['x', 'y', 'z'] } }), true],
  ['enum narrowed', obj({ a: { enum: ['x', 'y'] } }), obj({ a: { enum: ['x'] } }), false, 'ENUM_ARRAY_NARROWED'],
  ['maxLength added', obj({ a: { type: 'string' } }), obj({ a: { type: 'string', maxLength: 5 } }), false, 'MAX_LENGTH_ADDED'],
  ['maxLength increased', obj({ a: { type: 'string', maxLength: 5 } }), obj({ a: { type: 'string', maxLength: 9 } }), true],
  ['maxLength decreased', obj({ a: { type: 'string', maxLength: 9 } }), obj({ a: { type: 'string', maxLength: 5 } }), false, 'MAX_LENGTH_DECREASED'],
  ['minimum increased', obj({ a: { type: 'integer', minimum: 0 } }), obj({ a: { type: 'integer', minimum: 1 } }), false, 'MINIMUM_INCREASED'],
  ['additionalProperties closed', obj({ a: { type: 'string' } }), obj({ a: { type: 'string' } }, { additionalProperties: false }), false, 'ADDITIONAL_PROPERTIES_REMOVED'],
  ['array items widened', JSON.stringify({ type: 'array', items: { type: 'integer' } }), JSON.stringify({ type: 'array', items: { type: 'number' } }), true],
];

describe('JSON Schema compatibility (Confluent rules)', () => {
  it.each(JSON_CASES)('%s', async (_n, oldS, newS, ok, type) => {
    const back = await check('JSON', 'BACKWARD', [oldS], newS);
    expect(back.compatible).toBe(ok);
    if (type) expect(back.messages[0]).toContain(`type=${type}`);
    // FORWARD is the same question asked the other way round.
    const fwd = await check('JSON', 'FORWARD', [newS], oldS);
    expect(fwd.compatible).toBe(ok);
  });
});

const proto = (body: string, pkg = 'p', syntax = 'proto3') => `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`;

/** [name, old, new, compatible, error type when not] (Confluent's wire-level rules, the same both ways). */
const PROTO_CASES: [string, string, string, boolean, string?][] = [
  ['identical, other whitespace and comments', proto('message M { string a = 1; }'), proto('// c\nmessage M {\n  string a = 1;\n}'), true],
  ['field added', proto('message M { string a = 1; }'), proto('message M { string a = 1; int32 b = 2; }'), true],
  ['field removed', proto('message M { string a = 1; int32 b = 2; }'), proto('message M { string a = 1; }'), true],
  ['field renamed, same number', proto('message M { string a = 1; }'), proto('message M { string b = 1; }'), true],
  ['int32 to int64 (both varints)', proto('message M { int32 a = 1; }'), proto('message M { int64 a = 1; }'), true],
  ['string to bytes', proto('message M { string a = 1; }'), proto('message M { bytes a = 1; }'), true],
  ['int32 to string', proto('message M { int32 a = 1; }'), proto('message M { string a = 1; }'), false, 'FIELD_SCALAR_KIND_CHANGED'],
  ['sint32 to int32', proto('message M { sint32 a = 1; }'), proto('message M { int32 a = 1; }'), false, 'FIELD_SCALAR_KIND_CHANGED'],
  ['scalar to message', proto('message M { string a = 1; } message N { string x = 1; }'), proto('message M { N a = 1; } message N { string x = 1; }'), false, 'FIELD_KIND_CHANGED'],
  ['message type changed', proto('message M { N a = 1; } message N { string x = 1; } message O { string y = 1; }'), proto('message M { O a = 1; } message N { string x = 1; } message O { string y = 1; }'), false, 'FIELD_NAMED_TYPE_CHANGED'],
  ['message removed', proto('message M { string a = 1; } message N { string x = 1; }'), proto('message M { string a = 1; }'), false, 'MESSAGE_REMOVED'],
  ['message added', proto('message M { string a = 1; }'), proto('message M { string a = 1; } message N { string x = 1; }'), true],
  ['package changed', proto('message M { string a = 1; }'), proto('message M { string a = 1; }', 'q'), false, 'PACKAGE_CHANGED'],
  ['required field added (proto2)', proto('message M { optional string a = 1; }', 'p', 'proto2'), proto('message M { optional string a = 1; required int32 b = 2; }', 'p', 'proto2'), false, 'REQUIRED_FIELD_ADDED'],
  ['field moved into an existing oneof', proto('message M { string a = 1; oneof o { string b = 2; } }'), proto('message M { oneof o { string a = 1; string b = 2; } }'), false, 'FIELD_MOVED_TO_EXISTING_ONEOF'],
  ['enum value added', proto('message M { E e = 1; } enum E { A = 0; }'), proto('message M { E e = 1; } enum E { A = 0; B = 1; }'), true],
];

describe('Protobuf compatibility (Confluent rules)', () => {
  it.each(PROTO_CASES)('%s', async (_n, oldS, newS, ok, type) => {
    for (const level of ['BACKWARD', 'FORWARD', 'FULL'] as CompatibilityLevel[]) {
      const r = await check('PROTOBUF', level, [oldS], newS);
      expect(r.compatible, level).toBe(ok);
      if (type) expect(r.messages[0]).toContain(`type=${type}`);
    }
  });
});
