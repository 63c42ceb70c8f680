/**
 * Serdes for the schema registry's formats (Avro, JSON Schema, Protobuf) in Confluent's wire
 * format: magic byte 0, the schema id (4 bytes, big-endian), then the payload (Protobuf: after
 * its message indexes). Configured as Kafka Streams' Confluent serdes are: `schema.registry.url`
 * (and Confluent's auth properties), `auto.register.schemas` (default true), subjects by
 * TopicNameStrategy (`<topic>-value`, `<topic>-key`); the schema a serializer writes is
 * `value.schema` / `value.schema.file` / `value.schema.id` (`key.*` for a key serde),
 * `value.schema.message` for a Protobuf message other than the file's first, or
 * `use.latest.version=true` for the subject's latest. Unset properties come from the streams
 * config.
 *
 * Values are the JSON the console tools print and read (Avro's JSON encoding, Protobuf's JSON
 * mapping, the JSON document), parsed: `value.score` of an Avro record is its field.
 *
 * The task engine is synchronous, the registry is not, so the I/O happens around it:
 * - `prepare()` (awaited by KafkaStreams.start() for every serde of the topology) connects,
 *   and for a serializer registers or looks up its schema under each sink topic's subject;
 * - `fetchFor(bytes)` (called by the runtime on each polled batch before it is processed)
 *   returns a promise when the bytes name a schema id not fetched yet, so deserialize() finds
 *   every id it meets; an id the registry does not know is a SerializationError for the record
 *   (handled by `default.deserialization.exception.handler`).
 *
 * A value a deserializer produced and a serializer of the same serde writes unchanged is written
 * as the bytes it was read from (copy and filter pass records through as they came); a changed
 * or new value is written with the configured schema, else with the schema it was read with.
 */
import { SchemaRegistryClient, type RegisteredSchema, type RegistryClientOptions } from '../client/schema-registry.js';
import { buildCodec, CodecError, type Codec } from '../tools/schema-formats/codecs.js';
import { boolProperty } from '../util/properties.js';
import { registryProperties, schemaFormat, sideSpec, TYPE_OF_FORMAT, type SchemaFormat, type SideSpec } from '../tools/schema-formats/config.js';
import { frame, HEADER_SIZE, MAGIC_BYTE } from '../tools/schema-formats/wire.js';
import { isKafkaTsError, UsageError } from '../util/errors.js';
import { SerializationError } from './errors.js';
import type { Serde } from './serdes.js';

export type RegistryFormat = SchemaFormat;

/** Finds the registry from the properties' own settings (the CLI knows the local daemon's). */
export type RegistryLocator = (fromProperties: Partial<RegistryClientOptions>) => Promise<RegistryClientOptions>;

export interface RegistrySerdeOptions {
  /** A key serde (subject `<topic>-key`, `key.*` properties); a value serde by default. */
  isKey?: boolean;
  /** Confluent's serde properties; they win over the streams config's. */
  config?: Record<string, string>;
  /** Where the registry is when no schema.registry.url is set. */
  locate?: RegistryLocator;
  /** A client to use as it is (tests; shared clients). */
  client?: SchemaRegistryClient;
}

/** What the runtime passes to prepare(). */
export interface SerdePrepareContext {
  role: 'deserializer' | 'serializer';
  /** Real topic names this serde reads or writes. */
  topics: string[];
  /** The streams config (string values), below the serde's own config. */
  config: Record<string, string | number | undefined>;
}

interface Read {
  bytes: Uint8Array;
  id: number;
  text: string;
}

export class RegistrySerde<T = unknown> implements Serde<T> {
  readonly serdeName: string;
  readonly isKey: boolean;
  private readonly side: 'key' | 'value';
  private clientPromise: Promise<SchemaRegistryClient> | null = null;
  private client: SchemaRegistryClient | null;
  private readonly codecs = new Map<number, Codec | Error>();
  private readonly loading = new Map<number, Promise<void>>();
  /** The schema written to each topic (when one is configured). */
  private readonly writers = new Map<string, { id: number; codec: Codec }>();
  private readonly reads = new WeakMap<object, Read>();
  private lastReadId = -1;
  private props: Record<string, string> = {};

  constructor(
    readonly format: RegistryFormat,
    private readonly options: RegistrySerdeOptions = {},
  ) {
    this.isKey = options.isKey ?? false;
    this.side = this.isKey ? 'key' : 'value';
    this.client = options.client ?? null;
    this.serdeName = { avro: 'Avro', 'json-schema': 'JsonSchema', protobuf: 'Protobuf' }[format];
  }

  private connect(): Promise<SchemaRegistryClient> {
    if (this.client) return Promise.resolve(this.client);
    this.clientPromise ??= (async () => {
      const fromProps = registryProperties(this.props);
      let target: RegistryClientOptions;
      if (fromProps.url !== undefined) target = { ...fromProps, url: fromProps.url };
      else if (this.options.locate) target = await this.options.locate(fromProps);
      else throw new UsageError(`The ${this.serdeName} serde needs schema.registry.url (in the streams config or the serde's)`);
      this.client = new SchemaRegistryClient(target);
      return this.client;
    })();
    return this.clientPromise;
  }

  /** Connects; a serializer resolves the schema it writes to each topic. Throws UsageError/NotFoundError for bad settings. */
  async prepare(ctx: SerdePrepareContext): Promise<void> {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.config)) if (v !== undefined) merged[k] = String(v);
    this.props = { ...merged, ...this.props, ...(this.options.config ?? {}) };
    const client = await this.connect();
    if (ctx.role !== 'serializer') return;
    const autoRegister = boolProperty(this.props, 'auto.register.schemas', true);
    const useLatest = boolProperty(this.props, 'use.latest.version', false);
    for (const topic of ctx.topics) {
      if (this.writers.has(topic)) continue;
      const spec = sideSpec(this.side, this.format, topic, this.props);
      if (spec.schema === undefined && spec.schemaId === undefined && !useLatest) continue; // written with the schema it was read with
      const schema = await this.resolve(client, spec, autoRegister);
      this.writers.set(topic, { id: schema.id, codec: await this.codec(client, schema, spec.message) });
    }
  }

  private async resolve(client: SchemaRegistryClient, spec: SideSpec, autoRegister: boolean): Promise<RegisteredSchema> {
    const type = TYPE_OF_FORMAT[this.format];
    let schema: RegisteredSchema;
    const notFound = (why: string) => (e: unknown): never => {
      if (isKafkaTsError(e) && e.kind === 'not_found') throw new UsageError(why);
      throw e;
    };
    if (spec.schemaId !== undefined) schema = await client.schemaById(spec.schemaId).catch(notFound(`${this.side}.schema.id ${spec.schemaId}: no schema with this id in the registry at ${client.url}`));
    else if (spec.schema !== undefined) {
      const id = await client
        .idFor(spec.subject, { schema: spec.schema, schemaType: type, references: spec.references }, autoRegister)
        .catch(notFound(`the ${this.side} schema is not registered under subject ${spec.subject} (auto.register.schemas=false)`));
      schema = { id, schema: spec.schema, schemaType: type, references: spec.references };
    } else schema = await client.version(spec.subject, 'latest').catch(notFound(`use.latest.version: subject ${spec.subject} has no version`));
    if (schema.schemaType !== type) throw new UsageError(`schema ${schema.id} is a ${schema.schemaType} schema, not ${type} (the ${this.serdeName} serde)`);
    return schema;
  }

  private async codec(client: SchemaRegistryClient, schema: RegisteredSchema, message?: string): Promise<Codec> {
    try {
      return await buildCodec(schema, (ref) => client.version(ref.subject, ref.version), message ? { message } : {});
    } catch (e) {
      if (e instanceof CodecError) throw new UsageError(`the ${this.side} schema: ${e.message}`);
      throw e;
    }
  }

  /** A promise when `data` names a schema id not fetched yet (the runtime awaits it before processing); else null. */
  fetchFor(data: Uint8Array | null): Promise<void> | null {
    if (data === null || data.length < HEADER_SIZE || data[0] !== MAGIC_BYTE) return null;
    const id = ((data[1]! << 24) | (data[2]! << 16) | (data[3]! << 8) | data[4]!) >>> 0;
    if (this.codecs.has(id)) return null;
    let p = this.loading.get(id);
    if (!p) {
      p = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, p);
    }
    return p;
  }

  private async load(id: number): Promise<void> {
    const client = this.client ?? (await this.connect());
    try {
      const schema = await client.schemaById(id);
      this.codecs.set(id, await buildCodec(schema, (ref) => client.version(ref.subject, ref.version)));
    } catch (e) {
      if (isKafkaTsError(e) && e.kind === 'not_found') this.codecs.set(id, new Error(`schema id ${id} is unknown to the registry at ${client.url}`));
      else if (e instanceof CodecError) this.codecs.set(id, e);
      else throw e;
    }
  }

  deserialize(topic: string, data: Uint8Array | null): T | null {
    if (data === null || data === undefined) return null;
    const what = `${this.serdeName} deserializer (${this.side} of topic ${topic})`;
    if (data.length < HEADER_SIZE) throw new SerializationError(`${what}: ${data.length} bytes is too short for the schema registry's wire format`);
    if (data[0] !== MAGIC_BYTE) throw new SerializationError(`${what}: Unknown magic byte ${data[0]} (not the schema registry's wire format)`);
    const id = ((data[1]! << 24) | (data[2]! << 16) | (data[3]! << 8) | data[4]!) >>> 0;
    const codec = this.codecs.get(id);
    if (codec === undefined) throw new SerializationError(`${what}: schema id ${id} was not fetched from the registry (the runtime fetches ids before processing a batch)`);
    if (codec instanceof Error) throw new SerializationError(`${what}: ${codec.message}`);
    if (codec.type !== TYPE_OF_FORMAT[this.format]) throw new SerializationError(`${what}: schema id ${id} is a ${codec.type} schema, not ${TYPE_OF_FORMAT[this.format]}`);
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let value: unknown;
    try {
      value = JSON.parse(codec.decode(b, HEADER_SIZE).toString());
    } catch (e) {
      throw new SerializationError(`${what}: ${(e as Error).message}`);
    }
    this.lastReadId = id;
    if (typeof value === 'object' && value !== null) this.reads.set(value, { bytes: data, id, text: JSON.stringify(value) });
    return value as T;
  }

  serialize(topic: string, data: T | null): Uint8Array | null {
    if (data === null || data === undefined) return null;
    const read = typeof data === 'object' ? this.reads.get(data as object) : undefined;
    const text = JSON.stringify(data);
    if (read && read.text === text && !this.writers.has(topic)) return read.bytes;
    const writer = this.writers.get(topic);
    let id: number;
    let codec: Codec | Error | undefined;
    if (writer) ({ id, codec } = writer);
    else {
      id = read?.id ?? this.lastReadId;
      codec = this.codecs.get(id);
    }
    if (codec === undefined || codec instanceof Error) {
      throw new SerializationError(`${this.serdeName} serializer: no ${this.side} schema to write topic ${topic} with: set ${this.side}.schema (auto.register.schemas registers it under ${topic}-${this.side}) or ${this.side}.schema.id`);
    }
    try {
      const { payload, indexes } = codec.encode(text);
      return frame(id, payload, indexes);
    } catch (e) {
      if (e instanceof CodecError) throw new SerializationError(`${this.serdeName} serializer (${this.side} of topic ${topic}, schema id ${id}): ${e.message}`);
      throw e;
    }
  }
}

/** The registry serdes by format name (`avro`, `json-schema` or `json`, `protobuf`). */
export const RegistrySerdes = {
  Avro: <T = unknown>(o?: RegistrySerdeOptions) => new RegistrySerde<T>('avro', o),
  JsonSchema: <T = unknown>(o?: RegistrySerdeOptions) => new RegistrySerde<T>('json-schema', o),
  Protobuf: <T = unknown>(o?: RegistrySerdeOptions) => new RegistrySerde<T>('protobuf', o),
  of: <T = unknown>(format: string, o?: RegistrySerdeOptions) => new RegistrySerde<T>(schemaFormat(format, 'serde')!, o),
};

/** Whether a serde takes part in start-up and batch fetching (duck-typed: the runtime knows no format). */
export function isRegistrySerde(s: unknown): s is RegistrySerde {
  return s instanceof RegistrySerde;
}
