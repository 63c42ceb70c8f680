/**
 * The Streams serdes for the schema registry's formats (src/streams/registry-serdes.ts), one per
 * format, against a registry over HTTP (the fake one of test/helpers): a serializer registers its
 * schema under `<topic>-value` in prepare() and writes Confluent's wire format; a deserializer
 * that meets an id it has not fetched asks for it (fetchFor) and reads the record after; a value
 * read and written unchanged keeps its bytes; bad bytes and unknown ids are SerializationErrors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrySerde, RegistrySerdes } from '../../src/streams/registry-serdes.js';
import { SerializationError } from '../../src/streams/errors.js';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-registry.js';

let registry: FakeRegistry;
beforeAll(async () => {
  registry = await startFakeRegistry();
});
afterAll(async () => {
  await registry?.close();
});

const AVRO = JSON.stringify({ type: 'record', name: 'Score', fields: [{ name: 'name', type: 'string' }, { name: 'score', type: 'int' }] });
const JSON_SCHEMA = JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, score: { type: 'integer' } }, required: ['name', 'score'], additionalProperties: false });
const PROTO = 'syntax = "proto3";\npackage t;\nmessage Score {\n  string name = 1;\n  int32 score = 2;\n}\n';

const cases = [
  { format: 'avro', schema: AVRO, make: (o: object) => RegistrySerdes.Avro(o), bad: { name: 'x', score: 'high' } },
  { format: 'json-schema', schema: JSON_SCHEMA, make: (o: object) => RegistrySerdes.JsonSchema(o), bad: { name: 'x', score: 'high' } },
  { format: 'protobuf', schema: PROTO, make: (o: object) => RegistrySerdes.Protobuf(o), bad: { name: 'x', nope: 1 } },
] as const;

describe.each(cases)('$format serde', ({ format, schema, make, bad }) => {
  it('registers, writes the wire format, fetches an unknown id, reads back, passes unchanged values through', async () => {
    const topic = `scores-${format}`;
    const writer = make({ config: { 'schema.registry.url': registry.url, 'value.schema': schema } }) as RegistrySerde;
    await writer.prepare({ role: 'serializer', topics: [topic], config: {} });
    expect(registry.requests).toContain(`POST /subjects/${topic}-value/versions`);
    const bytes = writer.serialize(topic, { name: 'ann', score: 7 })!;
    expect(bytes[0]).toBe(0);
    const id = Buffer.from(bytes).readInt32BE(1);
    expect(id).toBeGreaterThan(0);
    if (format === 'protobuf') expect(bytes[5]).toBe(0); // message indexes [0]
    expect(writer.serialize(topic, null)).toBeNull();
    expect(() => writer.serialize(topic, bad as never)).toThrow(SerializationError);

    // A reader configured only with the registry (from the streams config, as Kafka Streams passes it).
    const reader = make({}) as RegistrySerde;
    await reader.prepare({ role: 'deserializer', topics: [topic], config: { 'schema.registry.url': registry.url } });
    expect(() => reader.deserialize(topic, bytes)).toThrow(/not fetched/);
    const pending = reader.fetchFor(bytes);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(reader.fetchFor(bytes)).toBeNull();
    const value = reader.deserialize(topic, bytes) as { name: string; score: number };
    expect(value).toEqual({ name: 'ann', score: 7 });
    // Unchanged: the same bytes; changed: written again with the schema it was read with.
    expect(reader.serialize(`${topic}-out`, value)).toBe(bytes);
    value.score = 9;
    const again = reader.serialize(`${topic}-out`, value)!;
    expect(Buffer.from(again).readInt32BE(1)).toBe(id);
    expect(reader.deserialize(topic, again)).toEqual({ name: 'ann', score: 9 });
  });
});

describe('registry serde errors', () => {
  it('bad magic byte, short bytes, unknown id, nothing to write with, no registry', async () => {
    const s = RegistrySerdes.Avro({ config: { 'schema.registry.url': registry.url } });
    await s.prepare({ role: 'deserializer', topics: ['t'], config: {} });
    expect(() => s.deserialize('t', Buffer.from('plain text'))).toThrow(/Unknown magic byte 112/);
    expect(() => s.deserialize('t', Buffer.from([0, 0]))).toThrow(SerializationError);
    const unknown = Buffer.from([0, 0, 0, 3, 231, 1, 2]);
    await s.fetchFor(unknown);
    expect(() => s.deserialize('t', unknown)).toThrow(/schema id 999 is unknown to the registry/);
    expect(() => s.serialize('t', { a: 1 })).toThrow(/no value schema to write topic t with/);
    const none = RegistrySerdes.Avro({ isKey: true });
    await expect(none.prepare({ role: 'deserializer', topics: ['t'], config: {} })).rejects.toThrow(/needs schema.registry.url/);
    // A key serde registers under <topic>-key.
    const key = RegistrySerdes.of('avro', { isKey: true, config: { 'schema.registry.url': registry.url, 'key.schema': '"string"' } });
    await key.prepare({ role: 'serializer', topics: ['keys'], config: {} });
    expect(registry.requests).toContain('POST /subjects/keys-key/versions');
    expect(Buffer.from(key.serialize('keys', 'k1')!).subarray(5)).toEqual(Buffer.from([4, 0x6b, 0x31]));
  });
});
