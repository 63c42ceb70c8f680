/**
 * Edge cases where the registry's REST API was apart from Confluent's: error messages, IMPORT
 * mode's id and version rules, the config's `normalize`, and Avro named types written in object
 * form ({"type": "com.x.Foo"}) resolved through a reference.
 */
import { describe, expect, it } from 'vitest';
import { registries } from '../helpers/registry.js';

const { start } = registries();

const rec = (fields: object[], name = 'R') => JSON.stringify({ type: 'record', name, namespace: 'x', fields });

describe("error messages are Confluent's", () => {
  it('invalid mode, invalid subject, references exist', async () => {
    const { call } = await start();
    expect(await call('PUT', '/mode', { mode: 'SOMETIMES' })).toEqual({ status: 422, body: { error_code: 42204, message: 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.' } });
    expect(await call('PUT', '/config/a%01b', { compatibility: 'FULL' })).toEqual({ status: 422, body: { error_code: 42208, message: "The specified subject 'a\u0001b' is not a valid." } });
    const FOO = JSON.stringify({ type: 'record', name: 'Foo', namespace: 'com.x', fields: [{ name: 'a', type: 'int' }] });
    expect((await call('POST', '/subjects/foo/versions', { schema: FOO })).body).toEqual({ id: 1 });
    const BAR = JSON.stringify({ type: 'record', name: 'Bar', namespace: 'com.x', fields: [{ name: 'f', type: 'com.x.Foo' }] });
    expect((await call('POST', '/subjects/bar/versions', { schema: BAR, references: [{ name: 'com.x.Foo', subject: 'foo', version: 1 }] })).body).toEqual({ id: 2 });
    const refused = { status: 422, body: { error_code: 42206, message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=foo,version=1}.' } };
    expect(await call('DELETE', '/subjects/foo/versions/1')).toEqual(refused);
    expect(await call('DELETE', '/subjects/foo')).toEqual(refused);
  });
});

describe('IMPORT mode: ids and versions as Confluent keeps them', () => {
  it('a version without an id is no import; an imported version replaces the one there', async () => {
    const { call } = await start();
    const A = rec([{ name: 'a', type: 'int' }]);
    const B = rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }]);
    // READWRITE: a version given must be the next one; it is then registered like any other.
    expect(await call('POST', '/subjects/rw/versions', { schema: A, version: 2 })).toEqual({ status: 422, body: { error_code: 42201, message: 'Version is not one more than previous version' } });
    expect(await call('POST', '/subjects/rw/versions', { schema: A, version: 1 })).toEqual({ status: 200, body: { id: 1 } });
    expect((await call('GET', '/subjects/rw/versions')).body).toEqual([1]);
    // IMPORT: without an id it is refused, version or not.
    expect((await call('PUT', '/mode/imp', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect(await call('POST', '/subjects/imp/versions', { schema: A, version: 1 })).toEqual({ status: 422, body: { error_code: 42205, message: 'Subject imp is not in read-write mode' } });
    expect((await call('POST', '/subjects/imp/versions', { schema: A, id: 10, version: 1 })).body).toEqual({ id: 10 });
    // Another schema at version 1 with a new id: the last write wins.
    expect(await call('POST', '/subjects/imp/versions', { schema: B, id: 11, version: 1 })).toEqual({ status: 200, body: { id: 11 } });
    expect((await call('GET', '/subjects/imp/versions/1')).body).toEqual({ subject: 'imp', version: 1, id: 11, schema: B });
    expect((await call('GET', '/subjects/imp/versions')).body).toEqual([1]);
    // The id no version uses any more is not found.
    expect(await call('GET', '/schemas/ids/10')).toMatchObject({ status: 404, body: { error_code: 40403 } });
  });

  it('a replaced version is what the schemas referencing it are read with from then on', async () => {
    const { call } = await start();
    const foo = (fields: object[]) => JSON.stringify({ type: 'record', name: 'Foo', namespace: 'com.x', fields });
    const BAR = JSON.stringify({ type: 'record', name: 'Bar', namespace: 'com.x', fields: [{ name: 'f', type: 'com.x.Foo' }] });
    const refs = [{ name: 'com.x.Foo', subject: 'foo', version: 1 }];
    expect((await call('PUT', '/mode', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect((await call('POST', '/subjects/foo/versions', { schema: foo([{ name: 'a', type: 'int' }]), id: 1, version: 1 })).body).toEqual({ id: 1 });
    expect((await call('POST', '/subjects/bar/versions', { schema: BAR, references: refs, id: 2, version: 1 })).body).toEqual({ id: 2 });
    // Checked once with the first Foo (bar's parse is made and kept).
    expect((await call('POST', '/compatibility/subjects/bar/versions/latest', { schema: BAR, references: refs })).body).toEqual({ is_compatible: true });
    // foo version 1 replaced: a Foo with a field the first lacked, without a default.
    expect((await call('POST', '/subjects/foo/versions', { schema: foo([{ name: 'a', type: 'int' }, { name: 'c', type: 'string' }]), id: 3, version: 1 })).body).toEqual({ id: 3 });
    // bar version 1 now reads foo's new version 1, as the schema checked does: nothing changed.
    // (Read with the first Foo it would be BACKWARD-incompatible: c has no default.)
    expect(await call('POST', '/compatibility/subjects/bar/versions/latest?verbose=true', { schema: BAR, references: refs })).toEqual({ status: 200, body: { is_compatible: true, messages: [] } });
    expect((await call('POST', '/subjects/bar', { schema: BAR, references: refs })).body).toMatchObject({ id: 2, version: 1 });
  });
});

describe("the config's normalize", () => {
  it('is set, read and deleted with the level, and normalizes registrations as ?normalize=true does', async () => {
    const { call } = await start();
    const messy = '{"properties":{"b":{"type":"string"},"a":{"type":"integer"}},"type":"object"}';
    const normal = '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}';
    expect(await call('PUT', '/config/j', { normalize: true })).toEqual({ status: 200, body: { normalize: true } });
    expect((await call('GET', '/config/j')).body).toEqual({ normalize: true });
    expect((await call('GET', '/config/j?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD', normalize: true });
    expect((await call('POST', '/subjects/j/versions', { schemaType: 'JSON', schema: messy })).body).toEqual({ id: 1 });
    expect((await call('GET', '/subjects/j/versions/1/schema')).body).toEqual(JSON.parse(normal));
    expect(await call('GET', '/subjects/j/versions/1/schema').then((r) => JSON.stringify(r.body))).toBe(normal);
    // Setting the level keeps normalize; a subject without the config stores the text as given.
    expect((await call('PUT', '/config/j', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
    expect((await call('GET', '/config/j')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
    expect((await call('POST', '/subjects/plain/versions', { schemaType: 'JSON', schema: messy.replace('integer', 'number') })).body).toEqual({ id: 2 });
    expect(JSON.stringify((await call('GET', '/subjects/plain/versions/1/schema')).body)).toBe(messy.replace('integer', 'number'));
    // The global config's normalize applies to every subject; Protobuf is normalized too.
    expect((await call('PUT', '/config', { normalize: true })).body).toEqual({ normalize: true });
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD', normalize: true });
    const proto = 'syntax = "proto3";\npackage p;\nmessage M {   string b = 2;  int32 a = 1; }\n';
    expect((await call('POST', '/subjects/pb/versions', { schemaType: 'PROTOBUF', schema: proto })).body).toEqual({ id: 3 });
    expect((await call('GET', '/subjects/pb/versions/1/schema')).body).toBe('syntax = "proto3";\npackage p;\nmessage M {\n  string b = 2;\n  int32 a = 1;\n}\n');
    expect((await call('DELETE', '/config/j')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
    // Neither a level nor normalize: refused.
    expect(await call('PUT', '/config', {})).toMatchObject({ status: 422, body: { error_code: 42203 } });
  });

  it('takes "true" and "false" as strings, as Confluent\'s JSON mapping does; refuses anything else', async () => {
    const { call } = await start();
    expect(await call('PUT', '/config/s', { normalize: 'true' })).toEqual({ status: 200, body: { normalize: true } });
    expect((await call('GET', '/config/s')).body).toEqual({ normalize: true });
    expect(await call('PUT', '/config/s', { normalize: 'FALSE', compatibility: 'FULL' })).toEqual({ status: 200, body: { compatibility: 'FULL', normalize: false } });
    expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: false });
    for (const bad of ['yes', 1, {}]) {
      expect(await call('PUT', '/config/s', { normalize: bad })).toEqual({ status: 400, body: { error_code: 400, message: `Invalid normalize value ${JSON.stringify(bad)}: expected true or false` } });
      expect(await call('PUT', '/config/s', { normalize: bad, compatibility: 'NONE' })).toMatchObject({ status: 400, body: { error_code: 400 } });
    }
    expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: false });
  });

  it('a registration reads the config as it is when its turn comes: a PUT /config queued before it applies', async () => {
    const { call, registry } = await start();
    const messy = '{"properties":{"b":{"type":"string"},"a":{"type":"integer"}},"type":"object"}';
    const normal = '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}';
    // Both asked in the same turn, the config first: the registration waits for it, and normalizes.
    const set = registry.registry.setConfig('q', { normalize: true });
    const reg = registry.registry.register('q', { schemaType: 'JSON', schema: messy });
    expect(await set).toEqual({ normalize: true });
    expect(await reg).toEqual({ id: 1 });
    expect(JSON.stringify((await call('GET', '/subjects/q/versions/1/schema')).body)).toBe(normal);
  });
});

describe('Avro: a named type in object form', () => {
  it('resolves through a reference and within the schema, and is the same schema as the bare name', async () => {
    const { call } = await start();
    const FOO = JSON.stringify({ type: 'record', name: 'Foo', namespace: 'com.x', fields: [{ name: 'a', type: 'int' }] });
    expect((await call('POST', '/subjects/foo/versions', { schema: FOO })).body).toEqual({ id: 1 });
    const refs = [{ name: 'com.x.Foo', subject: 'foo', version: 1 }];
    const objectForm = JSON.stringify({ type: 'record', name: 'Bar', namespace: 'other', fields: [{ name: 'f', type: { type: 'com.x.Foo' } }, { name: 'g', type: ['null', { type: 'com.x.Foo' }], default: null }] });
    expect(await call('POST', '/subjects/bar/versions', { schema: objectForm, references: refs })).toEqual({ status: 200, body: { id: 2 } });
    const bare = JSON.stringify({ type: 'record', name: 'Bar', namespace: 'other', fields: [{ name: 'f', type: 'com.x.Foo' }, { name: 'g', type: ['null', 'com.x.Foo'], default: null }] });
    expect((await call('POST', '/subjects/bar', { schema: bare, references: refs })).body).toMatchObject({ id: 2, version: 1 });
    // Defined earlier in the same schema, named relative to the namespace.
    const local = JSON.stringify({ type: 'record', name: 'Outer', namespace: 'y', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }, { name: 'e2', type: { type: 'E' } }] });
    expect(await call('POST', '/subjects/local/versions', { schema: local })).toEqual({ status: 200, body: { id: 3 } });
  });
});
