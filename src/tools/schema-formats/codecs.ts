/**
 * Codecs for the registry's schema types, each turning one JSON text into payload bytes and
 * back: Avro (avsc; JSON in Avro's JSON encoding, unions wrapped as {"string":"x"}), JSON Schema
 * (ajv validates; the payload is the JSON text) and Protobuf (protobufjs; JSON as protobuf's JSON
 * mapping, int64 as strings). The libraries are imported here only, on first use, so the CLI's
 * start-up never loads them.
 */
import type { RegisteredSchema, SchemaReference, SchemaType } from '../../client/schema-registry.js';
import { decodeMessageIndexes, hasMessageIndexes } from './wire.js';

export interface Codec {
  type: SchemaType;
  /** JSON text → payload (Protobuf: with the message's indexes). Throws CodecError for bad input. */
  encode(json: string): { payload: Uint8Array; indexes?: number[] };
  /** Payload at `at` → one line of JSON. Throws CodecError when the bytes do not match. */
  decode(b: Buffer, at: number): string;
}

export class CodecError extends Error {
  override name = 'CodecError';
}

/** A referenced schema, resolved (recursively) by subject and version. */
export type ResolveReference = (ref: SchemaReference) => Promise<RegisteredSchema>;

export interface CodecOptions {
  /** Protobuf: the message to write (its full or simple name); the file's first message by default. */
  message?: string;
}

/** Every schema a schema references, depth first (dependencies before dependents), by reference name. */
async function referenced(schema: RegisteredSchema, resolve: ResolveReference, seen = new Map<string, RegisteredSchema>()): Promise<Map<string, RegisteredSchema>> {
  for (const ref of schema.references) {
    if (seen.has(ref.name)) continue;
    const s = await resolve(ref);
    await referenced(s, resolve, seen);
    seen.set(ref.name, s);
  }
  return seen;
}

export async function buildCodec(schema: RegisteredSchema, resolve: ResolveReference, opts: CodecOptions = {}): Promise<Codec> {
  const refs = await referenced(schema, resolve);
  if (schema.schemaType === 'AVRO') return avroCodec(schema, refs);
  if (schema.schemaType === 'JSON') return jsonCodec(schema, refs);
  if (schema.schemaType === 'PROTOBUF') return protobufCodec(schema, refs, opts);
  throw new CodecError(`unsupported schema type ${String(schema.schemaType)}`);
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CodecError(`invalid JSON (${(e as Error).message})`);
  }
};

async function avroCodec(schema: RegisteredSchema, refs: Map<string, RegisteredSchema>): Promise<Codec> {
  const avro = (await import('avsc')).default;
  const registry = {};
  let type: import('avsc').Type;
  try {
    for (const r of refs.values()) avro.Type.forSchema(JSON.parse(r.schema), { registry });
    type = avro.Type.forSchema(JSON.parse(schema.schema), { registry });
  } catch (e) {
    throw new CodecError(`invalid Avro schema ${schema.id}: ${(e as Error).message}`);
  }
  return {
    type: 'AVRO',
    encode(json) {
      let value: unknown;
      try {
        value = type.fromString(json);
      } catch (e) {
        if (e instanceof SyntaxError) throw new CodecError(`invalid JSON (${e.message})`);
        throw new CodecError(`does not match the Avro schema: ${(e as Error).message}`);
      }
      const paths: string[] = [];
      if (!type.isValid(value, { errorHook: (p) => paths.push(p.join('.') || '(the value)') })) {
        throw new CodecError(`does not match the Avro schema at ${paths.join(', ')}`);
      }
      return { payload: type.toBuffer(value) };
    },
    decode(b, at) {
      try {
        return type.toString(type.fromBuffer(at === 0 ? b : b.subarray(at)));
      } catch (e) {
        throw new CodecError(`the bytes do not match Avro schema ${schema.id}: ${(e as Error).message}`);
      }
    },
  };
}

async function jsonCodec(schema: RegisteredSchema, refs: Map<string, RegisteredSchema>): Promise<Codec> {
  const doc = parseSchemaJson(schema);
  const draft = typeof doc === 'object' && doc !== null ? String((doc as { $schema?: unknown }).$schema ?? '') : '';
  const mod = draft.includes('2020-12') ? await import('ajv/dist/2020.js') : draft.includes('2019-09') ? await import('ajv/dist/2019.js') : await import('ajv');
  const Ajv = (mod as unknown as { default: typeof import('ajv').default }).default;
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, logger: false });
  let validate: import('ajv').ValidateFunction;
  try {
    for (const [name, r] of refs) ajv.addSchema(withoutOldDraft(parseSchemaJson(r)) as object, name);
    validate = ajv.compile(withoutOldDraft(doc) as object);
  } catch (e) {
    throw new CodecError(`invalid JSON schema ${schema.id}: ${(e as Error).message}`);
  }
  const check = (value: unknown, what: string) => {
    if (!validate(value)) {
      const err = validate.errors?.[0];
      throw new CodecError(`${what} JSON schema ${schema.id}: ${err ? `${err.instancePath || '(the value)'} ${err.message ?? ''}`.trim() : 'invalid'}`);
    }
  };
  return {
    type: 'JSON',
    encode(json) {
      const value = parseJson(json);
      check(value, 'does not match');
      return { payload: Buffer.from(json, 'utf8') };
    },
    decode(b, at) {
      let value: unknown;
      try {
        value = JSON.parse(b.toString('utf8', at));
      } catch (e) {
        throw new CodecError(`the bytes are not the JSON of schema ${schema.id}: ${(e as Error).message}`);
      }
      check(value, 'the record does not match');
      return JSON.stringify(value);
    },
  };
}

function parseSchemaJson(s: RegisteredSchema): unknown {
  try {
    return JSON.parse(s.schema);
  } catch (e) {
    throw new CodecError(`invalid JSON schema ${s.id}: ${(e as Error).message}`);
  }
}

/** ajv 8 knows drafts 07, 2019-09 and 2020-12; older drafts validate the same keywords as 07 here. */
function withoutOldDraft(doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null) return doc;
  const d = doc as Record<string, unknown>;
  if (typeof d.$schema === 'string' && /draft-0[346]/.test(d.$schema)) {
    const { $schema: _, ...rest } = d;
    return rest;
  }
  return doc;
}

async function protobufCodec(schema: RegisteredSchema, refs: Map<string, RegisteredSchema>, opts: CodecOptions): Promise<Codec> {
  const protobuf = (await import('protobufjs')).default;
  type PbType = import('protobufjs').Type;
  const root = new protobuf.Root();
  let own: PbType[];
  try {
    for (const r of refs.values()) protobuf.parse(r.schema, root);
    const alone = protobuf.parse(schema.schema);
    protobuf.parse(schema.schema, root);
    root.resolveAll();
    // This file's top-level messages in declaration order: what message indexes count.
    const ns = alone.package ? alone.root.lookup(alone.package) : alone.root;
    own = ((ns as import('protobufjs').Namespace | null)?.nestedArray ?? []).filter((n): n is PbType => n instanceof protobuf.Type);
  } catch (e) {
    throw new CodecError(`invalid Protobuf schema ${schema.id}: ${(e as Error).message}`);
  }
  if (own.length === 0) throw new CodecError(`Protobuf schema ${schema.id} declares no message`);
  const typeAt = (indexes: number[]): PbType => {
    let list = own;
    let t: PbType | undefined;
    for (const i of indexes) {
      t = list[i];
      if (!t) throw new CodecError(`message index ${indexes.join('.')} is not in Protobuf schema ${schema.id}`);
      list = t.nestedArray.filter((n): n is PbType => n instanceof protobuf.Type);
    }
    return root.lookupType(t!.fullName);
  };
  const indexesOf = (name: string): number[] => {
    const walk = (list: PbType[], path: number[]): number[] | null => {
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        if (t.name === name || t.fullName === name || t.fullName === `.${name}`) return [...path, i];
        const found = walk(t.nestedArray.filter((n): n is PbType => n instanceof protobuf.Type), [...path, i]);
        if (found) return found;
      }
      return null;
    };
    const found = walk(own, []);
    if (!found) throw new CodecError(`no message ${name} in Protobuf schema ${schema.id} (it has ${own.map((t) => t.name).join(', ')})`);
    return found;
  };
  const writeIndexes = opts.message ? indexesOf(opts.message) : [0];
  const writer = typeAt(writeIndexes);
  const decoders = new Map<string, PbType>();
  return {
    type: 'PROTOBUF',
    encode(json) {
      const obj = parseJson(json);
      const problem = checkProto(writer, obj, protobuf, '');
      if (problem) throw new CodecError(`does not match Protobuf message ${writer.name}: ${problem}`);
      return { payload: writer.encode(writer.fromObject(obj as Record<string, unknown>)).finish(), indexes: writeIndexes };
    },
    decode(b, at) {
      let indexes = [0];
      if (hasMessageIndexes(b, at)) ({ indexes, next: at } = decodeMessageIndexes(b, at));
      const key = indexes.join('.');
      let t = decoders.get(key);
      if (!t) decoders.set(key, (t = typeAt(indexes)));
      try {
        const msg = t.decode(b.subarray(at));
        return JSON.stringify(t.toObject(msg, { longs: String, enums: String, bytes: String, json: true }));
      } catch (e) {
        throw new CodecError(`the bytes do not match Protobuf message ${t.name} of schema ${schema.id}: ${(e as Error).message}`);
      }
    },
  };
}


type Protobuf = typeof import('protobufjs');
const INTS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** What is wrong with a JSON value for a Protobuf message (protobufjs's fromObject accepts anything), or null. */
function checkProto(type: import('protobufjs').Type, obj: unknown, pb: Protobuf, path: string): string | null {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return `${path || 'the value'} must be a JSON object`;
  const byName = new Map<string, import('protobufjs').Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(pb.util.camelCase(f.name), f);
  }
  for (const [k, v] of Object.entries(obj)) {
    const f = byName.get(k);
    const at = path ? `${path}.${k}` : k;
    if (!f) return `unknown field ${at}`;
    if (v === null) continue;
    f.resolve();
    if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v)) return `${at} must be an object (a map)`;
      for (const [mk, mv] of Object.entries(v as object)) {
        const p = checkScalarOrMessage(f, mv, pb, `${at}.${mk}`);
        if (p) return p;
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) return `${at} must be a list`;
      for (let i = 0; i < v.length; i++) {
        const p = checkScalarOrMessage(f, v[i], pb, `${at}[${i}]`);
        if (p) return p;
      }
    } else {
      const p = checkScalarOrMessage(f, v, pb, at);
      if (p) return p;
    }
  }
  return null;
}

function checkScalarOrMessage(f: import('protobufjs').Field, v: unknown, pb: Protobuf, at: string): string | null {
  const rt = f.resolvedType;
  if (rt instanceof pb.Type) return checkProto(rt, v, pb, at);
  if (rt instanceof pb.Enum) {
    if (typeof v === 'string' ? !(v in rt.values) : typeof v !== 'number') return `${at}: ${JSON.stringify(v)} is not a value of enum ${rt.name}`;
    return null;
  }
  if (INTS.has(f.type)) return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)) ? null : `${at} must be an integer (${f.type})`;
  if (f.type === 'double' || f.type === 'float') return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? null : `${at} must be a number (${f.type})`;
  if (f.type === 'bool') return typeof v === 'boolean' ? null : `${at} must be true or false`;
  if (f.type === 'string' || f.type === 'bytes') return typeof v === 'string' ? null : `${at} must be a string${f.type === 'bytes' ? ' (base64)' : ''}`;
  return null;
}
