/**
 * Schema formats against real registry clients: records that `kafka-ts console-producer
 * --value-format avro|json-schema|protobuf` writes are decoded by @kafkajs/confluent-schema-registry
 * and @confluentinc/schemaregistry after kafkajs consumed them; records those clients encoded and
 * kafkajs produced are decoded by `kafka-ts console-consumer --value-format …`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AvroDeserializer, AvroSerializer, JsonDeserializer, JsonSerializer, ProtobufDeserializer, ProtobufSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
// @confluentinc/schemaregistry's own Protobuf runtime (its dependency), for a message to serialize.
import { create, createFileRegistry, createMutableRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let url: string;
let kafka: Kafka;

const AVRO = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: ['null', 'string'], default: null }, { name: 'price', type: 'double' }] };
const JSON_SCHEMA = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] };
const PROTO = 'syntax = "proto3";\npackage shop;\n\nmessage Item {\n  string sku = 1;\n  int32 qty = 2;\n  repeated string tags = 3;\n}\n';

const kt = (args: string[], input?: string) => kafkaTs(args, { home, input });
const reg = () => ['--property', `schema.registry.url=${url}`];


/** Every raw value of a topic, read by kafkajs from the beginning. */
async function rawValues(topic: string, count: number): Promise<Buffer[]> {
  const consumer = kafka.consumer({ groupId: `g-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kafkajs saw ${seen.length} of ${count} records of ${topic}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!);
        if (seen.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

async function produceRaw(topic: string, values: Buffer[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

const consumeText = async (topic: string, format: string) => {
  const r = await kt(['console-consumer', '--topic', topic, '--from-beginning', '-e', '--value-format', format, ...reg()]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
};

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-interop-schemas-'));
  const started = await startDaemon(home, ['--schema-registry-port', '0']);
  bootstrap = started.bootstrap;
  // The daemon's own registry (server status lists it).
  url = started.status.schemaRegistry as string;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  kafka = new Kafka({ clientId: 'schema-interop', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  writeFileSync(join(home, 'order.avsc'), JSON.stringify(AVRO));
  writeFileSync(join(home, 'person.json'), JSON.stringify(JSON_SCHEMA));
  writeFileSync(join(home, 'item.proto'), PROTO);
  for (const t of ['avro-kt', 'avro-js', 'json-kt', 'json-js', 'proto-kt', 'proto-js']) expect((await kt(['topics', 'create', t])).exitCode).toBe(0);
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('Avro', () => {
  it('kafka-ts writes, both registry clients read (through kafkajs)', async () => {
    const lines = ['{"id":1,"note":null,"price":2.5}', '{"id":2,"note":{"string":"gift"},"price":10.0}'];
    const p = await kt(['console-producer', '--topic', 'avro-kt', '--value-format', 'avro', ...reg(), '--property', `value.schema.file=${join(home, 'order.avsc')}`], `${lines.join('\n')}\n`);
    expect(p.exitCode, p.stderr).toBe(0);
    const raw = await rawValues('avro-kt', 2);
    const kjs = new SchemaRegistry({ host: url });
    expect(await Promise.all(raw.map((b) => kjs.decode(b)))).toEqual([{ id: 1, note: null, price: 2.5 }, { id: 2, note: 'gift', price: 10 }]);
    const des = new AvroDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {});
    expect(await Promise.all(raw.map((b) => des.deserialize('avro-kt', b)))).toEqual([{ id: 1, note: null, price: 2.5 }, { id: 2, note: 'gift', price: 10 }]);
  });

  it('both registry clients write (through kafkajs), kafka-ts reads', async () => {
    const kjs = new SchemaRegistry({ host: url });
    const { id } = await kjs.register({ type: SchemaType.AVRO, schema: JSON.stringify(AVRO) }, { subject: 'avro-js-value' });
    const ser = new AvroSerializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    await produceRaw('avro-js', [await kjs.encode(id, { id: 7, note: 'kafkajs', price: 1.25 }), await ser.serialize('avro-js', { id: 8, note: null, price: 3 })]);
    expect(await consumeText('avro-js', 'avro')).toEqual([{ id: 7, note: { string: 'kafkajs' }, price: 1.25 }, { id: 8, note: null, price: 3 }]);
  });
});

describe('JSON Schema', () => {
  it('kafka-ts writes, both registry clients read (through kafkajs)', async () => {
    const p = await kt(['console-producer', '--topic', 'json-kt', '--value-format', 'json-schema', ...reg(), '--property', `value.schema.file=${join(home, 'person.json')}`], '{"name":"ann","age":30}\n{"name":"bob"}\n');
    expect(p.exitCode, p.stderr).toBe(0);
    const raw = await rawValues('json-kt', 2);
    const kjs = new SchemaRegistry({ host: url });
    expect(await Promise.all(raw.map((b) => kjs.decode(b)))).toEqual([{ name: 'ann', age: 30 }, { name: 'bob' }]);
    const des = new JsonDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {});
    expect(await Promise.all(raw.map((b) => des.deserialize('json-kt', b)))).toEqual([{ name: 'ann', age: 30 }, { name: 'bob' }]);
  });

  it('both registry clients write (through kafkajs), kafka-ts reads', async () => {
    const kjs = new SchemaRegistry({ host: url });
    const { id } = await kjs.register({ type: SchemaType.JSON, schema: JSON.stringify(JSON_SCHEMA) }, { subject: 'json-js-value' });
    const ser = new JsonSerializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    await produceRaw('json-js', [await kjs.encode(id, { name: 'kj', age: 1 }), await ser.serialize('json-js', { name: 'cf' })]);
    expect(await consumeText('json-js', 'json-schema')).toEqual([{ name: 'kj', age: 1 }, { name: 'cf' }]);
  });
});

describe('Protobuf', () => {
  it('kafka-ts writes, both registry clients read (through kafkajs)', async () => {
    const p = await kt(['console-producer', '--topic', 'proto-kt', '--value-format', 'protobuf', ...reg(), '--property', `value.schema.file=${join(home, 'item.proto')}`], '{"sku":"a-1","qty":2,"tags":["x","y"]}\n{"sku":"b-2"}\n');
    expect(p.exitCode, p.stderr).toBe(0);
    const raw = await rawValues('proto-kt', 2);
    // Confluent's wire format: the message indexes [0] as the single byte 0 after the id.
    for (const b of raw) expect(b[5]).toBe(0);
    const kjs = new SchemaRegistry({ host: url });
    const decoded = await Promise.all(raw.map((b) => kjs.decode(b)));
    expect(decoded.map((m) => JSON.parse(JSON.stringify(m)))).toEqual([{ sku: 'a-1', qty: 2, tags: ['x', 'y'] }, { sku: 'b-2' }]);
    // @confluentinc's deserializer reads the schema as a descriptor (?format=serialized) and the message indexes.
    const des = new ProtobufDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {});
    const msgs = await Promise.all(raw.map((b) => des.deserialize('proto-kt', b)));
    expect(msgs.map((m: { sku: string; qty: number; tags: string[] }) => ({ sku: m.sku, qty: m.qty, tags: m.tags }))).toEqual([{ sku: 'a-1', qty: 2, tags: ['x', 'y'] }, { sku: 'b-2', qty: 0, tags: [] }]);
  });

  it('both registry clients write (through kafkajs; @kafkajs/… without message indexes), kafka-ts reads', async () => {
    const kjs = new SchemaRegistry({ host: url });
    const { id } = await kjs.register({ type: SchemaType.PROTOBUF, schema: PROTO }, { subject: 'proto-js-value' });
    // @confluentinc's serializer writes @bufbuild messages: their descriptor from the registry's serialized form.
    const served = (await (await fetch(`${url}/schemas/ids/${id}?format=serialized`)).json()) as { schema: string };
    const files = createFileRegistry(fromBinary(FileDescriptorProtoSchema, Buffer.from(served.schema, 'base64')), () => undefined);
    const item = files.getMessage('shop.Item')!;
    const ser = new ProtobufSerializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, registry: createMutableRegistry(item) });
    await produceRaw('proto-js', [await kjs.encode(id, { sku: 'k', qty: 5, tags: ['t'] }), await ser.serialize('proto-js', create(item, { sku: 'cf', qty: 3, tags: ['z'] }))]);
    const p = await kt(['console-producer', '--topic', 'proto-js', '--value-format', 'protobuf', ...reg(), '--property', `value.schema.id=${id}`], '{"sku":"own","qty":1}\n');
    expect(p.exitCode, p.stderr).toBe(0);
    expect(await consumeText('proto-js', 'protobuf')).toEqual([{ sku: 'k', qty: 5, tags: ['t'] }, { sku: 'cf', qty: 3, tags: ['z'] }, { sku: 'own', qty: 1 }]);
  });
});
