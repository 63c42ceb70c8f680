/**
 * The schema registry's REST API where a trial found it apart from Confluent's: schema ids'
 * versions and subjects (deleted, subject), compatibility with a subject that has no versions,
 * IMPORT mode (ids and versions kept, no compatibility check, restart), equivalent Avro schemas
 * (one id) and normalize, and JSON Schema compatibility through $ref and combined schemas.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaRegistryService } from '../../src/broker/schema-registry/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';

const CT = 'application/vnd.schemaregistry.v1+json';

interface Running {
  broker: TestBroker;
  registry: SchemaRegistryService;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

const running: Running[] = [];
const dirs: (() => void)[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.registry.close();
    await r.broker.close(true);
  }
  for (const d of dirs.splice(0)) d();
});

async function start(dir?: string): Promise<Running> {
  const t = dir ? { dir } : tempDir();
  if (!dir) dirs.push((t as { cleanup: () => void }).cleanup);
  const broker = await startBroker({ dir: t.dir });
  const registry = await SchemaRegistryService.start({ cluster: broker.cluster, host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, log: silentLogger });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${registry.url}${path}`, { method, headers: { 'Content-Type': CT }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* raw */
    }
    return { status: res.status, body: parsed as any };
  };
  const r = { broker, registry, call };
  running.push(r);
  return r;
}

async function stop(r: Running) {
  running.splice(running.indexOf(r), 1);
  await r.registry.close();
  await r.broker.close(true);
}

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
  it('is compatible against latest (Confluent 7.2+); a numbered version is not found', async () => {
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
    const t = tempDir();
    dirs.push(t.cleanup);
    const r = await start(t.dir);
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
    // An id that holds another schema, a version that holds another id: refused.
    expect(await r.call('POST', '/subjects/s/versions', { schema: rec([{ name: 'c', type: 'int' }]), id: 1, version: 4 })).toEqual({ status: 422, body: { error_code: 42205, message: 'Overwrite new schema with id 1 is not permitted.' } });
    expect(await r.call('POST', '/subjects/s/versions', { schema: rec([{ name: 'c', type: 'int' }]), id: 600, version: 3 })).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect(await r.call('POST', '/subjects/s/versions', { schema: V1, id: 'x' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    // Outside IMPORT, an id is refused.
    expect(await r.call('POST', '/subjects/rw/versions', { schema: V1, id: 700 })).toEqual({ status: 422, body: { error_code: 42205, message: 'Subject rw is not in import mode' } });
    await stop(r);
    const again = await start(t.dir);
    expect((await again.call('GET', '/mode/s')).body).toEqual({ mode: 'IMPORT' });
    expect((await again.call('GET', '/schemas/ids/500')).body).toEqual({ schema: BREAK });
    expect((await again.call('GET', '/subjects/s/versions/3')).body).toMatchObject({ id: 500, version: 3 });
    expect((await again.call('PUT', '/mode/s', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
    // New ids continue after the imported ones; the imported schema keeps its id.
    expect((await again.call('POST', '/subjects/n/versions', { schema: rec([{ name: 'z', type: 'int' }]) })).body).toEqual({ id: 501 });
    expect((await again.call('POST', '/subjects/n2/versions', { schema: BREAK })).body).toEqual({ id: 500 });
  });
});
