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
