/**
 * Unmodified registry clients against the daemon's registry: Confluent's JavaScript client
 * (@confluentinc/schemaregistry, its serializers and deserializers) and
 * @kafkajs/confluent-schema-registry register Avro, JSON Schema and Protobuf schemas and encode
 * records; kafkajs carries them through the broker; each client decodes what the other wrote
 * (Avro, JSON Schema; the kafkajs library's Protobuf framing has no message indexes, so Protobuf
 * is checked per client and against kafka-ts's own parse of the schema).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryService } from '../../src/broker/schema-registry/index.js';
import { parseSchema } from '../../src/schema/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const require = createRequire(import.meta.url);
const confluent = require('@confluentinc/schemaregistry') as typeof import('@confluentinc/schemaregistry');
const kjs = require('@kafkajs/confluent-schema-registry') as typeof import('@kafkajs/confluent-schema-registry');
const pb = require('@bufbuild/protobuf') as typeof import('@bufbuild/protobuf');
const wkt = require('@bufbuild/protobuf/wkt') as typeof import('@bufbuild/protobuf/wkt');

let broker: TestBroker;
let registry: SchemaRegistryService;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startBroker();
  registry = await SchemaRegistryService.start({ cluster: broker.cluster, host: '127.0.0.1', port: 0, maxRequestBytes: 1 << 20, log: silentLogger });
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'schema-interop', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await registry?.close();
  await broker?.close();
});

/** Produces the values with kafkajs and reads them back with a kafkajs consumer. */
async function roundTrip(topic: string, values: Buffer[]): Promise<Buffer[]> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw ${got.length} of ${values.length} records on ${topic}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!);
        if (got.length === values.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

const USER = JSON.stringify({ type: 'record', name: 'User', namespace: 'com.example', fields: [{ name: 'id', type: 'long' }, { name: 'name', type: 'string' }, { name: 'email', type: ['null', 'string'], default: null }] });
const ORDER = JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } }, required: ['sku', 'qty'] });
const PROTO = 'syntax = "proto3";\npackage shop;\n\nmessage Item {\n  string sku = 1;\n  int32 qty = 2;\n  repeated string tags = 3;\n}\n';

describe('registry clients against the daemon registry', () => {
  it('Avro: both clients register, encode and decode each other through the broker', async () => {
    const client = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    const id = await client.register('users-value', { schemaType: 'AVRO', schema: USER });
    const kreg = new kjs.SchemaRegistry({ host: registry.url });
    // The same schema from the other client: the same id.
    expect((await kreg.register({ type: kjs.SchemaType.AVRO, schema: USER }, { subject: 'users-value' })).id).toBe(id);
    const ser = new confluent.AvroSerializer(client, confluent.SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    const fromConfluent = await ser.serialize('users', { id: 1, name: 'ann', email: null });
    const fromKafkajs = await kreg.encode(id, { id: 2, name: 'bob', email: 'bob@example.com' });
    expect(fromConfluent.readInt32BE(1)).toBe(id);
    const [a, b] = await roundTrip('users', [fromConfluent, fromKafkajs]);
    const de = new confluent.AvroDeserializer(client, confluent.SerdeType.VALUE, {});
    expect({ ...(await de.deserialize('users', b!)) }).toEqual({ id: 2, name: 'bob', email: 'bob@example.com' });
    expect({ ...(await kreg.decode(a!)) }).toEqual({ id: 1, name: 'ann', email: null });
    // kafka-ts's own handle reads the payload after the 5-byte header.
    const parsed = await parseSchema('AVRO', (await (await fetch(`${registry.url}/schemas/ids/${id}`)).json()).schema);
    expect({ ...(parsed.avro!.fromBuffer(a!.subarray(5)) as object) }).toEqual({ id: 1, name: 'ann', email: null });
  });

  it('JSON Schema: both clients, through the broker, validation included', async () => {
    const kreg = new kjs.SchemaRegistry({ host: registry.url });
    const { id } = await kreg.register({ type: kjs.SchemaType.JSON, schema: ORDER }, { subject: 'orders-value' });
    const client = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    const ser = new confluent.JsonSerializer(client, confluent.SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
    const fromConfluent = await ser.serialize('orders', { sku: 'a-1', qty: 2 });
    const fromKafkajs = await kreg.encode(id, { sku: 'b-2', qty: 5 });
    await expect(kreg.encode(id, { sku: 'c', qty: 0 })).rejects.toThrow();
    const [a, b] = await roundTrip('orders', [fromConfluent, fromKafkajs]);
    const de = new confluent.JsonDeserializer(client, confluent.SerdeType.VALUE, {});
    expect(await de.deserialize('orders', b!)).toEqual({ sku: 'b-2', qty: 5 });
    expect(await kreg.decode(a!)).toEqual({ sku: 'a-1', qty: 2 });
  });

  it('Protobuf: .proto text from one client, a file descriptor from the other, one id', async () => {
    const kreg = new kjs.SchemaRegistry({ host: registry.url });
    const { id } = await kreg.register({ type: kjs.SchemaType.PROTOBUF, schema: PROTO }, { subject: 'items-value' });
    const fromKafkajs = await kreg.encode(id, { sku: 'x', qty: 3, tags: ['t'] });
    // Confluent's client reads the schema as a serialized FileDescriptorProto.
    const served = (await (await fetch(`${registry.url}/schemas/ids/${id}?format=serialized`)).json()) as { schema: string };
    const file = pb.createFileRegistry(pb.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(served.schema, 'base64')), () => undefined);
    const desc = file.getMessage('shop.Item')!;
    const client = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    const ser = new confluent.ProtobufSerializer(client, confluent.SerdeType.VALUE, { autoRegisterSchemas: true });
    ser.registry.add(desc);
    const fromConfluent = await ser.serialize('items', pb.create(desc, { sku: 'y', qty: 4, tags: ['u', 'v'] }));
    // It registered the descriptor (base64): the registry knows it as the same schema.
    expect(fromConfluent.readInt32BE(1)).toBe(id);
    const [a, b] = await roundTrip('items', [fromKafkajs, fromConfluent]);
    expect({ ...(await kreg.decode(a!)) }).toMatchObject({ sku: 'x', qty: 3, tags: ['t'] });
    const de = new confluent.ProtobufDeserializer(client, confluent.SerdeType.VALUE, {});
    const back = (await de.deserialize('items', b!)) as { sku: string; qty: number; tags: string[] };
    expect([back.sku, back.qty, back.tags]).toEqual(['y', 4, ['u', 'v']]);
    // kafka-ts's handle decodes the Confluent framing (magic, id, message indexes [0] as one zero byte).
    const parsed = await parseSchema('PROTOBUF', PROTO);
    const Item = parsed.protobuf!.lookupType('shop.Item');
    expect(b![5]).toBe(0);
    expect(Item.toObject(Item.decode(b!.subarray(6)))).toEqual({ sku: 'y', qty: 4, tags: ['u', 'v'] });
  });

  it('Protobuf: a type imported from a reference keeps its package in the served descriptor, so Confluent\'s deserializer finds it', async () => {
    const ADDRESS = 'syntax = "proto3";\npackage demo;\n\nmessage Address {\n  string city = 1;\n}\n';
    const PERSON = 'syntax = "proto3";\npackage demo;\nimport "address.proto";\n\nmessage Person {\n  string name = 1;\n  Address home = 2;\n  demo.Address work = 3;\n  map<string, Address> others = 4;\n}\n';
    const client = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    await client.register('demo-address', { schemaType: 'PROTOBUF', schema: ADDRESS });
    const references = [{ name: 'address.proto', subject: 'demo-address', version: 1 }];
    const id = await client.register('people-value', { schemaType: 'PROTOBUF', schema: PERSON, references });
    // protoc's form: fully qualified, with the leading dot.
    const served = (await (await fetch(`${registry.url}/schemas/ids/${id}?format=serialized`)).json()) as { schema: string };
    const fd = pb.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(served.schema, 'base64'));
    expect(fd.messageType[0]!.field.map((f) => f.typeName)).toEqual(['', '.demo.Address', '.demo.Address', '.demo.Person.OthersEntry']);
    // Confluent's framing: magic 0, the id, message index [0] (one zero byte), then the message.
    const parsed = await parseSchema('PROTOBUF', PERSON, [{ name: 'address.proto', schema: ADDRESS }]);
    const Person = parsed.protobuf!.lookupType('demo.Person');
    const payload = Person.encode(Person.fromObject({ name: 'ann', home: { city: 'Oslo' }, work: { city: 'Bergen' }, others: { k: { city: 'Rome' } } })).finish();
    const header = Buffer.alloc(6);
    header.writeInt32BE(id, 1);
    const de = new confluent.ProtobufDeserializer(client, confluent.SerdeType.VALUE, {});
    const back = (await de.deserialize('people', Buffer.concat([header, payload]))) as { name: string; home: { city: string }; work: { city: string }; others: Record<string, { city: string }> };
    expect([back.name, back.home.city, back.work.city, back.others.k!.city]).toEqual(['ann', 'Oslo', 'Bergen', 'Rome']);
  });
});
