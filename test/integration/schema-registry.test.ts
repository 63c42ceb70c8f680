/**
 * The schema registry on an in-process cluster: Confluent's REST API (bodies, status codes and
 * error codes), deletes, config and mode, references, bad input (the server keeps serving), and
 * durability: the state comes back from `_schemas` after a restart, and survives the loss of a
 * broker with three of them.
 */
import { describe, expect, it } from 'vitest';
import { seeded } from '../helpers/random.js';
import { registries } from '../helpers/registry.js';

const LIMIT = 256 * 1024;
const { start, stop, dir: dataDir } = registries(LIMIT);

const avro = (fields: object[], name = 'User') => JSON.stringify({ type: 'record', name, namespace: 'com.example', fields });
const USER1 = avro([{ name: 'id', type: 'long' }]);
const USER2 = avro([{ name: 'id', type: 'long' }, { name: 'email', type: ['null', 'string'], default: null }]);

describe('schema registry REST API', () => {
  it('registers, reads back and looks up schemas as Confluent does', async () => {
    const { call } = await start();
    expect(await call('GET', '/schemas/types')).toEqual({ status: 200, body: ['PROTOBUF', 'JSON', 'AVRO'] });
    expect(await call('GET', '/subjects')).toEqual({ status: 200, body: [] });
    expect(await call('POST', '/subjects/users-value/versions', { schema: USER1 })).toEqual({ status: 200, body: { id: 1 } });
    // The same schema again, spaced and ordered differently: the same id, no new version.
    const respaced = JSON.stringify(JSON.parse(USER1), null, 2).replace('"type": "record",\n  "name": "User"', '"name": "User",\n  "type": "record"');
    expect((await call('POST', '/subjects/users-value/versions', { schema: respaced })).body).toEqual({ id: 1 });
    expect((await call('POST', '/subjects/users-value/versions', { schema: USER2 })).body).toEqual({ id: 2 });
    // Another subject, an already known schema: the same global id, version 1 there.
    expect((await call('POST', '/subjects/other-value/versions', { schema: USER1 })).body).toEqual({ id: 1 });
    expect((await call('GET', '/subjects')).body).toEqual(['other-value', 'users-value']);
    expect((await call('GET', '/subjects/users-value/versions')).body).toEqual([1, 2]);
    expect((await call('GET', '/subjects/users-value/versions/latest')).body).toEqual({ subject: 'users-value', version: 2, id: 2, schema: USER2 });
    expect((await call('GET', '/subjects/users-value/versions/1')).body).toEqual({ subject: 'users-value', version: 1, id: 1, schema: USER1 });
    expect((await call('GET', '/subjects/users-value/versions/-1/schema')).body).toEqual(JSON.parse(USER2));
    expect((await call('GET', '/schemas/ids/1')).body).toEqual({ schema: USER1 });
    expect((await call('GET', '/schemas/ids/1/schema')).body).toEqual(JSON.parse(USER1));
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 'other-value', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
    expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['other-value', 'users-value']);
    expect((await call('GET', '/schemas?subjectPrefix=users&latestOnly=true')).body).toEqual([{ subject: 'users-value', version: 2, id: 2, schema: USER2 }]);
    expect((await call('GET', '/schemas')).body.map((s: { subject: string; version: number }) => `${s.subject}/${s.version}`)).toEqual(['other-value/1', 'users-value/1', 'users-value/2']);
    expect((await call('POST', '/subjects/users-value', { schema: USER2 })).body).toEqual({ subject: 'users-value', version: 2, id: 2, schema: USER2 });
    expect(await call('POST', '/subjects/users-value', { schema: avro([{ name: 'x', type: 'int' }]) })).toEqual({ status: 404, body: { error_code: 40403, message: 'Schema not found' } });
  });

  it('checks compatibility on register and on request, at the configured level', async () => {
    const { call } = await start();
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    await call('POST', '/subjects/s/versions', { schema: USER1 });
    const incompatible = avro([{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }]);
    const refused = await call('POST', '/subjects/s/versions', { schema: incompatible });
    expect(refused.status).toBe(409);
    expect(refused.body.error_code).toBe(409);
    expect(refused.body.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "s", details: \[\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'name' at path '\/fields\/1' in the new schema has no default value and is missing in the old schema'/);
    expect((await call('POST', '/compatibility/subjects/s/versions/latest', { schema: incompatible })).body).toEqual({ is_compatible: false });
    const verbose = await call('POST', '/compatibility/subjects/s/versions/1?verbose=true', { schema: incompatible });
    expect(verbose.body.is_compatible).toBe(false);
    expect(verbose.body.messages).toContain("{compatibility: 'BACKWARD'}");
    expect((await call('POST', '/compatibility/subjects/s/versions/latest?verbose=true', { schema: USER2 })).body).toEqual({ is_compatible: true, messages: [] });
    // Per subject: NONE lets it through; the global level stays.
    expect(await call('GET', '/config/s')).toEqual({ status: 404, body: { error_code: 40408, message: "Subject 's' does not have subject-level compatibility configured" } });
    expect((await call('GET', '/config/s?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('PUT', '/config/s', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
    expect((await call('POST', '/subjects/s/versions', { schema: incompatible })).body).toEqual({ id: 2 });
    expect((await call('DELETE', '/config/s')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await call('PUT', '/config', { compatibility: 'FULL_TRANSITIVE' })).body).toEqual({ compatibility: 'FULL_TRANSITIVE' });
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL_TRANSITIVE' });
    expect(await call('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42203 } });
    // Mode: READONLY refuses changes, reads go on.
    expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
    expect((await call('PUT', '/mode', { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' });
    expect(await call('POST', '/subjects/t/versions', { schema: USER1 })).toMatchObject({ status: 422, body: { error_code: 42205 } });
    expect((await call('GET', '/subjects/s/versions')).body).toEqual([1, 2]);
    expect((await call('PUT', '/mode', { mode: 'READWRITE' })).body).toEqual({ mode: 'READWRITE' });
    expect(await call('PUT', '/mode', { mode: 'SOMETIMES' })).toMatchObject({ status: 422, body: { error_code: 42204 } });
  });

  it('deletes softly, then permanently, with Confluent error codes', async () => {
    const { call } = await start();
    await call('POST', '/subjects/d/versions', { schema: USER1 });
    await call('POST', '/subjects/d/versions', { schema: USER2 });
    expect(await call('DELETE', '/subjects/d/versions/1?permanent=true')).toEqual({ status: 404, body: { error_code: 40407, message: "Subject 'd' Version 1 was not deleted first before being permanently deleted" } });
    expect((await call('DELETE', '/subjects/d/versions/1')).body).toBe(1);
    expect(await call('DELETE', '/subjects/d/versions/1')).toEqual({ status: 404, body: { error_code: 40406, message: "Subject 'd' Version 1 was soft deleted.Set permanent=true to delete permanently" } });
    expect((await call('GET', '/subjects/d/versions')).body).toEqual([2]);
    expect((await call('GET', '/subjects/d/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await call('GET', '/subjects/d/versions/1?deleted=true')).body).toMatchObject({ version: 1, id: 1 });
    expect((await call('DELETE', '/subjects/d/versions/1?permanent=true')).body).toBe(1);
    expect(await call('DELETE', '/subjects/d?permanent=true')).toMatchObject({ status: 404, body: { error_code: 40405 } });
    expect((await call('DELETE', '/subjects/d')).body).toEqual([2]);
    expect(await call('DELETE', '/subjects/d')).toMatchObject({ status: 404, body: { error_code: 40404 } });
    expect((await call('GET', '/subjects')).body).toEqual([]);
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['d']);
    expect((await call('DELETE', '/subjects/d?permanent=true')).body).toEqual([2]);
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual([]);
    expect(await call('GET', '/schemas/ids/1')).toEqual({ status: 404, body: { error_code: 40403, message: 'Schema 1 not found' } });
    // Ids are never reused.
    expect((await call('POST', '/subjects/d/versions', { schema: avro([{ name: 'z', type: 'int' }]) })).body).toEqual({ id: 3 });
  });

  it('resolves references (Avro, JSON Schema, Protobuf) by subject and version', async () => {
    const { call } = await start();
    const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'com.example', fields: [{ name: 'city', type: 'string' }] });
    await call('POST', '/subjects/address/versions', { schema: address });
    const person = JSON.stringify({ type: 'record', name: 'Person', namespace: 'com.example', fields: [{ name: 'home', type: 'com.example.Address' }] });
    const refs = [{ name: 'com.example.Address', subject: 'address', version: 1 }];
    expect((await call('POST', '/subjects/person/versions', { schema: person, references: refs })).body).toEqual({ id: 2 });
    expect((await call('GET', '/schemas/ids/2')).body).toEqual({ references: refs, schema: person });
    expect((await call('GET', '/subjects/address/versions/1/referencedby')).body).toEqual([2]);
    expect(await call('DELETE', '/subjects/address/versions/1')).toMatchObject({ status: 422, body: { error_code: 42206 } });
    expect(await call('POST', '/subjects/person2/versions', { schema: person })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await call('POST', '/subjects/person3/versions', { schema: person, references: [{ name: 'com.example.Address', subject: 'nope', version: 1 }] })).toMatchObject({ status: 422, body: { error_code: 42201 } });

    await call('POST', '/subjects/point/versions', { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { x: { type: 'number' } } }) });
    const line = JSON.stringify({ type: 'object', properties: { from: { $ref: 'point.json' } } });
    expect((await call('POST', '/subjects/line/versions', { schemaType: 'JSON', schema: line, references: [{ name: 'point.json', subject: 'point', version: 1 }] })).status).toBe(200);

    await call('POST', '/subjects/money/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\npackage shop;\nmessage Money { int64 cents = 1; }\n' });
    const order = 'syntax = "proto3";\npackage shop;\nimport "money.proto";\nimport "google/protobuf/timestamp.proto";\nmessage Order { Money total = 1; google.protobuf.Timestamp at = 2; }\n';
    const reg = await call('POST', '/subjects/order/versions', { schemaType: 'PROTOBUF', schema: order, references: [{ name: 'money.proto', subject: 'money', version: 1 }] });
    expect(reg.status).toBe(200);
    const got = await call('GET', `/schemas/ids/${reg.body.id}`);
    expect(got.body).toMatchObject({ schemaType: 'PROTOBUF', references: [{ name: 'money.proto', subject: 'money', version: 1 }] });
    // As a file descriptor (Confluent's format=serialized), registered again: the same schema, the same id.
    const serialized = await call('GET', `/schemas/ids/${reg.body.id}?format=serialized`);
    expect(serialized.body.schema).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect((await call('POST', '/subjects/order/versions', { schemaType: 'PROTOBUF', schema: serialized.body.schema, references: [{ name: 'money.proto', subject: 'money', version: 1 }] })).body).toEqual({ id: reg.body.id });
  });

  it('answers bad input with the right status and Confluent body, and keeps serving', async () => {
    const { call, registry } = await start();
    const invalid = [
      ['AVRO', '{"type":"record","name":"X","fields":[{"name":"a","type":"nosuchtype"}]}'],
      ['AVRO', '{"type":'],
      ['JSON', '{"type":"object","properties":{"a":{"type":"strin"}}}'],
      ['JSON', '[1,2]'],
      ['PROTOBUF', 'syntax = "proto3"; message M { strin a = 1; }'],
      ['PROTOBUF', 'message {'],
    ];
    for (const [schemaType, schema] of invalid) {
      const r = await call('POST', '/subjects/bad/versions', { schemaType, schema });
      expect({ schemaType, schema, r }).toMatchObject({ r: { status: 422, body: { error_code: 42201 } } });
      expect(r.body.message).toMatch(/^Invalid schema: /);
    }
    expect(await call('POST', '/subjects/bad/versions', { schema: '' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await call('POST', '/subjects/bad/versions', { schemaType: 'XML', schema: '<a/>' })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    expect(await call('GET', '/subjects/nope/versions')).toEqual({ status: 404, body: { error_code: 40401, message: "Subject 'nope' not found." } });
    expect(await call('GET', '/subjects/nope/versions/1')).toEqual({ status: 404, body: { error_code: 40401, message: "Subject 'nope' not found." } });
    await call('POST', '/subjects/ok/versions', { schema: USER1 });
    expect(await call('GET', '/subjects/ok/versions/7')).toEqual({ status: 404, body: { error_code: 40402, message: 'Version 7 not found.' } });
    expect(await call('GET', '/subjects/ok/versions/zero')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await call('GET', '/subjects/ok/versions/0')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await call('GET', '/schemas/ids/4242')).toEqual({ status: 404, body: { error_code: 40403, message: 'Schema 4242 not found' } });
    expect(await call('GET', '/no/such/path')).toEqual({ status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } });
    expect(await call('PATCH', '/subjects')).toEqual({ status: 405, body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' } });
    expect(await call('POST', '/subjects/ok/versions', '{"schema": ', {})).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await call('POST', '/subjects/ok/versions', { schema: USER1 }, { 'Content-Type': 'text/plain' })).toEqual({ status: 415, body: { error_code: 415, message: 'HTTP 415 Unsupported Media Type' } });
    for (const type of ['application/json', 'application/vnd.schemaregistry+json', 'application/vnd.schemaregistry.v1+json; charset=utf-8']) {
      expect((await call('POST', '/subjects/ok/versions', { schema: USER1 }, { 'Content-Type': type })).body).toEqual({ id: 1 });
    }
    const huge = JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'Big', doc: 'x'.repeat(LIMIT), fields: [] }) });
    expect(await call('POST', '/subjects/big/versions', huge)).toEqual({ status: 413, body: { error_code: 413, message: `Request body too large: the limit is ${LIMIT} bytes` } });
    // Malformed HTTP on a raw socket.
    const net = await import('node:net');
    const port = Number(new URL(registry.url).port);
    const answer = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GARBAGE / HTTP/9.9\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    // Still serving.
    expect((await call('GET', '/subjects')).body).toEqual(['ok']);
    expect((await call('GET', '/subjects/ok/versions/latest')).body).toMatchObject({ id: 1 });
  });
});

describe('schema registry under random requests', () => {
  it('answers every request with a Confluent body, never a server error, and keeps its state', async () => {
    const { call } = await start();
    await call('POST', '/subjects/keep/versions', { schema: USER1 });
    const rnd = seeded(42).int;
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const segments = ['subjects', 'schemas', 'ids', 'versions', 'latest', '-1', '0', '1', '99999999999', 'config', 'mode', 'compatibility', 'schema', 'referencedby', 'types', 'keep', '%', '%E0%A4%A', '..', 'x'.repeat(300), '%00'];
    const values = [null, true, 0, -1, 1.5, '', 'AVRO', 'JSON', 'PROTOBUF', 'xml', '{', '"int"', '{"type":"record"}', USER1, 'message M {', [], [{}], [{ name: 'a', subject: 'keep', version: 1 }], {}, { nested: [1, 2] }];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const path = `/${Array.from({ length: rnd(6) }, () => pick(segments)).join('/')}${rnd(3) === 0 ? `?${pick(['deleted', 'permanent', 'verbose', 'format', 'defaultToGlobal'])}=${pick(['true', 'serialized', 'x'])}` : ''}`;
      const method = pick(['GET', 'POST', 'PUT', 'DELETE']);
      const body = method === 'POST' || method === 'PUT' ? (rnd(4) === 0 ? pick(['{', '[', 'null', '"s"', '']) : { schema: pick(values), schemaType: pick(values), references: pick(values), compatibility: pick(values), mode: pick(values) }) : undefined;
      let r;
      try {
        r = await call(method, path, body);
      } catch (e) {
        throw new Error(`${method} ${path} ${JSON.stringify(body)}: ${(e as Error).message}`);
      }
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)} -> ${JSON.stringify(r.body)}`).toBeLessThan(500);
      if (r.status >= 400) expect(r.body).toEqual({ error_code: expect.any(Number), message: expect.any(String) });
    }
    expect(statuses.size).toBeGreaterThan(3);
    await call('PUT', '/mode', { mode: 'READWRITE' });
    expect((await call('GET', '/schemas/ids/1')).body).toEqual({ schema: USER1 });
  });
});

describe('schema registry durability', () => {
  it('rebuilds subjects, versions, ids, config and mode from _schemas after a restart', async () => {
    const dir = dataDir();
    const first = await start(dir);
    await first.call('POST', '/subjects/a/versions', { schema: USER1 });
    await first.call('POST', '/subjects/a/versions', { schema: USER2 });
    await first.call('POST', '/subjects/b/versions', { schemaType: 'JSON', schema: '{"type":"object"}' });
    await first.call('DELETE', '/subjects/a/versions/1');
    await first.call('PUT', '/config/b', { compatibility: 'FULL' });
    await stop(first);
    const again = await start(dir);
    expect((await again.call('GET', '/subjects')).body).toEqual(['a', 'b']);
    expect((await again.call('GET', '/subjects/a/versions')).body).toEqual([2]);
    expect((await again.call('GET', '/subjects/a/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await again.call('GET', '/schemas/ids/3')).body).toEqual({ schemaType: 'JSON', schema: '{"type":"object"}' });
    expect((await again.call('GET', '/config/b')).body).toEqual({ compatibilityLevel: 'FULL' });
    // Same schema, same id; a new one gets the next id.
    expect((await again.call('POST', '/subjects/c/versions', { schema: USER2 })).body).toEqual({ id: 2 });
    expect((await again.call('POST', '/subjects/c/versions', { schema: avro([{ name: 'id', type: 'long' }, { name: 'n', type: 'int', default: 0 }]) })).body).toEqual({ id: 4 });
    const topic = again.broker.cluster.metadata.topic('_schemas')!;
    expect(again.broker.cluster.broker(1)!.topicConfig(topic, 'cleanup.policy')).toBe('compact');
  });

  it('with three brokers, survives losing the leader of _schemas', async () => {
    const dir = dataDir();
    const props = { 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '50' };
    const r = await start(dir, props);
    const { cluster } = r.broker;
    expect(cluster.metadata.topic('_schemas')).toBeUndefined(); // made by the first write
    expect((await r.call('POST', '/subjects/x/versions', { schema: USER1 })).body).toEqual({ id: 1 });
    expect(cluster.metadata.topic('_schemas')!.partitions[0]!.replicas).toHaveLength(3);
    const leader = cluster.metadata.topic('_schemas')!.partitions[0]!.leader;
    await cluster.stopBroker(leader);
    expect(cluster.metadata.topic('_schemas')!.partitions[0]!.leader).not.toBe(leader);
    expect((await r.call('POST', '/subjects/x/versions', { schema: USER2 })).body).toEqual({ id: 2 });
    expect((await r.call('GET', '/schemas/ids/1')).body).toEqual({ schema: USER1 });
    // Restart everything from disk except the lost broker's view: the survivors hold both versions.
    await stop(r);
    const again = await start(dir, props);
    expect((await again.call('GET', '/subjects/x/versions')).body).toEqual([1, 2]);
    expect((await again.call('GET', '/schemas/ids/2')).body).toEqual({ schema: USER2 });
  });
});
