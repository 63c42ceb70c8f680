/**
 * The producer side: resolves each side's schema once (registering it under `<topic>-value` when
 * auto.register.schemas, else looking it up; or fetching value.schema.id; or the subject's latest
 * version), then turns each line's JSON into Confluent's wire format synchronously.
 */
import type { RegisteredSchema, SchemaRegistryClient } from '../../client/schema-registry.js';
import { NotFoundError, UsageError, isKafkaTsError } from '../../util/errors.js';
import { LineParseError } from '../line-reader.js';
import { buildCodec, CodecError, type Codec } from './codecs.js';
import { TYPE_OF_FORMAT, type SideSpec } from './config.js';
import { frame } from './wire.js';

/** A line whose key or value cannot be written with its schema: stops reading, like a bad line. */
export class SchemaInputError extends LineParseError {
  override name = 'SchemaInputError';
}

export interface SerializableRecord {
  key: Buffer | null;
  value: Buffer | null;
}

/** Turns a record's JSON key and value into the wire format in place; throws SchemaInputError. */
export type RecordSerializer = (record: SerializableRecord, lineNumber: number) => void;

async function resolveSide(client: SchemaRegistryClient, spec: SideSpec, autoRegister: boolean): Promise<RegisteredSchema> {
  const type = TYPE_OF_FORMAT[spec.format];
  let schema: RegisteredSchema;
  if (spec.schemaId !== undefined) {
    try {
      schema = await client.schemaById(spec.schemaId);
    } catch (e) {
      if (isKafkaTsError(e) && e.kind === 'not_found') throw new NotFoundError(`${spec.side}.schema.id ${spec.schemaId}: no schema with this id in the registry at ${client.url}`);
      throw e;
    }
  } else if (spec.schema !== undefined) {
    const input = { schema: spec.schema, schemaType: type, references: spec.references };
    const id = await client.idFor(spec.subject, input, autoRegister).catch((e: unknown) => {
      if (!autoRegister && isKafkaTsError(e) && e.kind === 'not_found') {
        throw new NotFoundError(`the ${spec.side} schema is not registered under subject ${spec.subject} (auto.register.schemas=false)`);
      }
      throw e;
    });
    schema = { id, schema: spec.schema, schemaType: type, references: spec.references };
  } else {
    try {
      schema = await client.version(spec.subject, 'latest');
    } catch (e) {
      if (isKafkaTsError(e) && e.kind === 'not_found') {
        throw new UsageError(`--${spec.side}-format ${spec.format} needs a schema: --property ${spec.side}.schema=…, ${spec.side}.schema.file=… or ${spec.side}.schema.id=… (subject ${spec.subject} has no version to use)`);
      }
      throw e;
    }
  }
  if (schema.schemaType !== type) throw new UsageError(`schema ${schema.id} is a ${schema.schemaType} schema, not ${type} (--${spec.side}-format ${spec.format})`);
  return schema;
}

async function sideEncoder(client: SchemaRegistryClient, spec: SideSpec, autoRegister: boolean) {
  const schema = await resolveSide(client, spec, autoRegister);
  let codec: Codec;
  try {
    codec = await buildCodec(schema, (ref) => client.version(ref.subject, ref.version), spec.message ? { message: spec.message } : {});
  } catch (e) {
    if (e instanceof CodecError) throw new UsageError(`the ${spec.side} schema: ${e.message}`);
    throw e;
  }
  const { id } = schema;
  const what = `the ${spec.side} (subject ${spec.subject}, schema id ${id})`;
  const fast = codec.encodeFramed?.bind(codec);
  return (b: Buffer, lineNumber: number): Buffer => {
    const framed = fast?.(b, id);
    if (framed) return framed;
    try {
      const { payload, indexes } = codec.encode(b.toString('utf8'));
      return frame(id, payload, indexes);
    } catch (e) {
      if (e instanceof CodecError) throw new SchemaInputError(`line ${lineNumber}: ${what}: ${e.message}`);
      throw e;
    }
  };
}

export async function recordSerializer(client: SchemaRegistryClient, sides: { key?: SideSpec; value?: SideSpec }, autoRegister: boolean): Promise<RecordSerializer> {
  const key = sides.key ? await sideEncoder(client, sides.key, autoRegister) : null;
  const value = sides.value ? await sideEncoder(client, sides.value, autoRegister) : null;
  return (r, line) => {
    // A null (null.marker) stays null: a tombstone has no schema.
    if (key && r.key !== null) r.key = key(r.key, line);
    if (value && r.value !== null) r.value = value(r.value, line);
  };
}
