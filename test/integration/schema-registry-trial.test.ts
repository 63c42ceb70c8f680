/**
 * The schema registry's REST API where a trial found it apart from Confluent's: schema ids'
 * versions and subjects (deleted, subject), compatibility with a subject that has no versions,
 * IMPORT mode (ids and versions kept, no compatibility check, restart), equivalent Avro schemas
 * (one id) and normalize, and JSON Schema compatibility through $ref and combined schemas.
 */
import { describe, expect, it } from 'vitest';
import { protobufDescriptor } from '../../src/schema/protobuf.js';
import { registries } from '../helpers/registry.js';

const { start, stop, dir: dataDir } = registries();

const rec = (fields: object[], name = 'R') => JSON.stringify({ type: 'record', name, namespace: 'x', fields });

describe('schema ids: versions and subjects', () => {
  it('leave soft-deleted versions out unless deleted=true, and filter by subject', async () => {
    const { call } = await start();
    const S = rec([{ name: 'a', type: 'int' }]);
    for (const s of ['a', 'b', 'c']) expect((await call('POST', `/subjects/${s}/versions`, { schema: S })).body).toEqual({ id: 1 });
    expect((await call('DELETE', '/subjects/b/versions/1')).body).toBe(1);
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 'a', version: 1 },
      { subject: 'c', version: 1 },
    ]);
    expect((await call('GET', '/schemas/ids/1/versions?deleted=true')).body).toEqual([
      { subject: 'a', version: 1 },
      { subject: 'b', version: 1 },
      { subject: 'c', version: 1 },
    ]);
    expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['a', 'c']);
    expect((await call('GET', '/schemas/ids/1/subjects?deleted=true')).body).toEqual(['a', 'b', 'c']);
    expect((await call('GET', '/schemas/ids/1/subjects?subject=c')).body).toEqual(['c']);
    expect((await call('GET', '/schemas/ids/1/versions?subject=b')).body).toEqual([]);
    expect((await call('GET', '/schemas/ids/1/versions?subject=b&deleted=true')).body).toEqual([{ subject: 'b', version: 1 }]);
    expect((await call('GET', '/schemas/ids/9/versions')).body).toMatchObject({ error_code: 40403 });
  });
});

describe('compatibility with a subject without versions', () => {
  it('is compatible against latest (as Confluent answers since mid-2020); a numbered version is not found', async () => {
    const { call } = await start();
    const S = rec([{ name: 'a', type: 'int' }]);
    expect(await call('POST', '/compatibility/subjects/none/versions/latest', { schema: S })).toEqual({ status: 200, body: { is_compatible: true } });
    expect(await call('POST', '/compatibility/subjects/none/versions/latest?verbose=true', { schema: S })).toEqual({ status: 200, body: { is_compatible: true, messages: [] } });
    expect(await call('POST', '/compatibility/subjects/none/versions', { schema: S })).toEqual({ status: 200, body: { is_compatible: true } });
    expect(await call('POST', '/compatibility/subjects/none/versions/2', { schema: S })).toMatchObject({ status: 404, body: { error_code: 40402 } });
    // An invalid schema is still refused.
    expect(await call('POST', '/compatibility/subjects/none/versions/latest', { schema: '{"type":"nope"}' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
  });
});

describe('IMPORT mode', () => {
  it('keeps the given id and version, checks no compatibility, and survives a restart', async () => {
    const dir = dataDir();
    const r = await start(dir);
    const V1 = rec([{ name: 'a', type: 'int' }]);
    const BREAK = rec([{ name: 'b', type: 'string' }]); // no default: BACKWARD-incompatible with V1
    expect((await r.call('POST', '/subjects/s/versions', { schema: V1 })).body).toEqual({ id: 1 });
    // A subject with schemas goes to IMPORT only with force=true.
    expect(await r.call('PUT', '/mode/s', { mode: 'IMPORT' })).toEqual({ status: 422, body: { error_code: 42205, message: 'Cannot import since found existing subjects' } });
    expect(await r.call('PUT', '/mode', { mode: 'IMPORT' })).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect((await r.call('PUT', '/mode/s?force=true', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect((await r.call('PUT', '/mode/empty', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    // Id and version kept; no compatibility check.
    expect(await r.call('POST', '/subjects/s/versions', { schema: BREAK, id: 500, version: 3 })).toEqual({ status: 200, body: { id: 500 } });
    expect((await r.call('GET', '/subjects/s/versions/3')).body).toEqual({ subject: 's', version: 3, id: 500, schema: BREAK });
    expect((await r.call('GET', '/subjects/s/versions')).body).toEqual([1, 3]);
    // The same again: the same answer, nothing new.
    expect((await r.call('POST', '/subjects/s/versions', { schema: BREAK, id: 500, version: 3 })).body).toEqual({ id: 500 });
    // Without an id and version: refused in IMPORT mode.
    expect(await r.call('POST', '/subjects/s/versions', { schema: rec([{ name: 'c', type: 'int' }]) })).toMatchObject({ status: 422, body: { error_code: 42205, message: 'Subject s is not in read-write mode' } });
    // An id that holds another schema: refused.
    expect(await r.call('POST', '/subjects/s/versions', { schema: rec([{ name: 'c', type: 'int' }]), id: 1, version: 4 })).toEqual({ status: 422, body: { error_code: 42205, message: 'Overwrite new schema with id 1 is not permitted.' } });
    expect(await r.call('POST', '/subjects/s/versions', { schema: V1, id: 'x' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    // Outside IMPORT, an id is refused.
    expect(await r.call('POST', '/subjects/rw/versions', { schema: V1, id: 700 })).toEqual({ status: 422, body: { error_code: 42205, message: 'Subject rw is not in import mode' } });
    await stop(r);
    const again = await start(dir);
    expect((await again.call('GET', '/mode/s')).body).toEqual({ mode: 'IMPORT' });
    expect((await again.call('GET', '/schemas/ids/500')).body).toEqual({ schema: BREAK });
    expect((await again.call('GET', '/subjects/s/versions/3')).body).toMatchObject({ id: 500, version: 3 });
    expect((await again.call('PUT', '/mode/s', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
    // New ids continue after the imported ones; the imported schema keeps its id.
    expect((await again.call('POST', '/subjects/n/versions', { schema: rec([{ name: 'z', type: 'int' }]) })).body).toEqual({ id: 501 });
    expect((await again.call('POST', '/subjects/n2/versions', { schema: BREAK })).body).toEqual({ id: 500 });
  });
});

describe('Avro schemas identified by their parsed form', () => {
  it('gives equivalent spellings one id and version; docs still tell schemas apart', async () => {
    const { call } = await start();
    expect((await call('POST', '/subjects/p/versions', { schema: '"string"' })).body).toEqual({ id: 1 });
    expect((await call('POST', '/subjects/p/versions', { schema: '{"type":"string"}' })).body).toEqual({ id: 1 });
    const A = { type: 'record', name: 'A', namespace: 'x', fields: [{ name: 'f', type: 'int' }, { name: 'e', type: { type: 'enum', name: 'E', symbols: ['a'] } }, { name: 'e2', type: 'E' }] };
    const A2 = { type: 'record', name: 'x.A', fields: [{ name: 'f', type: { type: 'int' } }, { name: 'e', type: { type: 'enum', name: 'x.E', symbols: ['a'] } }, { name: 'e2', type: 'x.E' }] };
    expect((await call('POST', '/subjects/r/versions', { schema: JSON.stringify(A) })).body).toEqual({ id: 2 });
    expect((await call('POST', '/subjects/r/versions', { schema: JSON.stringify(A2) })).body).toEqual({ id: 2 });
    expect((await call('GET', '/subjects/r/versions')).body).toEqual([1]);
    expect((await call('POST', '/subjects/r', { schema: JSON.stringify(A2) })).body).toMatchObject({ version: 1, id: 2 });
    // Another subject: the same id.
    expect((await call('POST', '/subjects/r2/versions', { schema: JSON.stringify(A2) })).body).toEqual({ id: 2 });
    // What Confluent keeps tells schemas apart: a doc, a logical type.
    expect((await call('POST', '/subjects/r3/versions', { schema: JSON.stringify({ ...A, doc: 'about A' }) })).body).toEqual({ id: 3 });
    expect((await call('POST', '/subjects/l/versions', { schema: '{"type":"int","logicalType":"date"}' })).body).toEqual({ id: 4 });
  });

  it('normalize=true registers the normalised text', async () => {
    const { call } = await start();
    const messy = '{"fields":[{"type":{"type":"int"},"name":"f","order":"ascending"}],"namespace":"x","name":"A","type":"record","doc":"d"}';
    expect((await call('POST', '/subjects/n/versions?normalize=true', { schema: messy })).body).toEqual({ id: 1 });
    expect((await call('GET', '/subjects/n/versions/1')).body.schema).toBe('{"type":"record","name":"x.A","fields":[{"name":"f","type":"int"}],"doc":"d"}');
    // Without normalize, the same schema otherwise spelt: the same id.
    expect((await call('POST', '/subjects/n/versions', { schema: messy })).body).toEqual({ id: 1 });
  });

  it('keeps ids registered apart before (here through IMPORT) after a restart; lookups find each', async () => {
    const dir = dataDir();
    const r = await start(dir);
    expect((await r.call('POST', '/subjects/a/versions', { schema: '"string"' })).body).toEqual({ id: 1 });
    expect((await r.call('PUT', '/mode/b', { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' });
    expect((await r.call('POST', '/subjects/b/versions', { schema: '{"type":"string"}', id: 2, version: 1 })).body).toEqual({ id: 2 });
    await stop(r);
    const again = await start(dir);
    expect((await again.call('POST', '/subjects/a', { schema: '{"type":"string"}' })).body).toMatchObject({ id: 1, version: 1 });
    expect((await again.call('POST', '/subjects/b', { schema: '"string"' })).body).toMatchObject({ id: 2, version: 1 });
    expect((await again.call('GET', '/schemas/ids/2')).body).toEqual({ schema: '{"type":"string"}' });
    expect((await again.call('POST', '/subjects/c/versions', { schema: '"string"' })).body).toEqual({ id: 1 });
  });
});

describe('Protobuf descriptors registered by an earlier kafka-ts', () => {
  it('are found by the same descriptor, though that version stored its field names in their JSON form', async () => {
    const { call } = await start();
    const proto = (a: string, b: string) => `syntax = "proto3";\npackage demo;\n\nmessage User {\n  string ${a} = 1;\n  int32 ${b} = 2;\n}\n`;
    // What kafka-ts stored for this descriptor before it kept field names as written.
    expect((await call('POST', '/subjects/users-value/versions', { schemaType: 'PROTOBUF', schema: proto('firstName', 'userId') })).body).toEqual({ id: 1 });
    const descriptor = await protobufDescriptor(proto('first_name', 'user_id'));
    // @confluentinc/schemaregistry's serializer registers (and looks up) the base64 descriptor.
    expect((await call('POST', '/subjects/users-value', { schemaType: 'PROTOBUF', schema: descriptor })).body).toMatchObject({ id: 1, version: 1 });
    expect((await call('POST', '/subjects/users-value/versions', { schemaType: 'PROTOBUF', schema: descriptor })).body).toEqual({ id: 1 });
    expect((await call('GET', '/subjects/users-value/versions')).body).toEqual([1]);
    // A schema whose names really differ is another schema.
    expect((await call('POST', '/subjects/users-value/versions', { schemaType: 'PROTOBUF', schema: await protobufDescriptor(proto('given_name', 'user_id')) })).body).toEqual({ id: 2 });
  });
});
