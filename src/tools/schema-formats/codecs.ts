/**
 * Codecs for the registry's schema types, each turning one JSON text into payload bytes and
 * back: Avro (avsc; JSON in Avro's JSON encoding, unions wrapped as {"string":"x"}), JSON Schema
 * (ajv validates; the payload is the JSON text) and Protobuf (protobufjs; JSON as protobuf's JSON
 * mapping, 64-bit integers as strings). Schemas are parsed by the schema layer (src/schema, shared with
 * the daemon's registry), which loads the libraries on first use: the CLI's start-up never does.
 */
import type { RegisteredSchema, SchemaReference, SchemaType } from '../../client/schema-registry.js';
import type { ParsedSchema } from '../../schema/index.js';
import { parseJsonExact, stringifyJsonExact } from '../../util/exact-json.js';
import { shortestFloat32 } from '../../util/float32.js';
import { avroJsonWriter } from './avro-json.js';
import { avroTranscoder, avroTranscoderInto, Out, type OutTarget } from './avro-transcode.js';
import { avroScanner } from './avro-scan.js';
import { AvroInputError, avroEncoder } from './avro-encode.js';
import { decodeMessageIndexes, hasMessageIndexes } from './wire.js';

export interface Codec {
  type: SchemaType;
  /** JSON text → payload (Protobuf: with the message's indexes; valid until the next call). Throws CodecError for bad input. */
  encode(json: string): { payload: Uint8Array; indexes?: number[] };
  /** A fast path from the line's bytes to the framed record (schema `id`), or null to use encode. */
  encodeFramed?(line: Buffer, id: number): Buffer | null;
  /**
   * Payload at `at` → one line of JSON. Throws CodecError when the bytes do not match. A Buffer
   * returned is only valid until the next call (a scratch buffer).
   */
  decode(b: Buffer, at: number): string | Buffer;
  /**
   * The payload at [at, end) of `b` → its JSON appended to `target` directly (console-consumer's
   * output buffer), when the codec can; throws CodecError (leaving `target` as it was) as decode.
   */
  decodeInto?(b: Buffer, at: number, end: number, target: OutTarget): void;
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
  const refs = [...(await referenced(schema, resolve))].map(([name, r]) => ({ name, schema: r.schema }));
  const { parseSchema, InvalidSchemaError } = await import('../../schema/index.js');
  let parsed: ParsedSchema;
  try {
    parsed = await parseSchema(schema.schemaType, schema.schema, refs);
  } catch (e) {
    if (e instanceof InvalidSchemaError) throw new CodecError(`invalid ${schema.schemaType} schema ${schema.id}: ${e.message}`);
    throw e;
  }
  if (parsed.avro) return avroCodec(schema.id, parsed.avro);
  if (parsed.json) return jsonCodec(schema.id, parsed.json);
  if (parsed.protobuf) return protobufCodec(schema.id, parsed.protobuf, parsed.messages ?? [], opts);
  throw new CodecError(`unsupported schema type ${String(schema.schemaType)}`);
}

/** A line's JSON; `exact`: integers past 2^53 as bigints with all their digits (parseJsonExact). */
const parseJson = (text: string, exact = false): unknown => {
  try {
    return exact ? parseJsonExact(text) : JSON.parse(text);
  } catch (e) {
    throw new CodecError(`invalid JSON (${(e as Error).message})`);
  }
};

/** Bytes of the slabs console-producer's Avro records are encoded into. */
const SLAB = 64 * 1024;

function avroCodec(id: number, type: import('avsc').Type): Codec {
  const toJson = avroJsonWriter(type);
  const transcode = avroTranscoder(type);
  const transcodeInto = avroTranscoderInto(type);
  const encodeJson = avroEncoder(type);
  const scan = avroScanner(type);
  const out = new Out();
  return {
    type: 'AVRO',
    encodeFramed(line, schemaId) {
      // Records are encoded one after another into a slab, each returned as a view of it (no
      // copy; the producer copies it into its batch, and the slab goes once its views have).
      // A slab is left when it may not hold the next record: Avro takes at most 8 bytes per
      // byte of JSON (a one-digit double).
      const most = 8 * line.length + 16;
      if (out.buf.length - out.pos < most) {
        out.buf = Buffer.allocUnsafe(Math.max(SLAB, most));
        out.pos = 0;
      }
      const start = out.pos;
      const buf = out.buf;
      buf[start] = 0;
      buf[start + 1] = schemaId >>> 24;
      buf[start + 2] = (schemaId >>> 16) & 0xff;
      buf[start + 3] = (schemaId >>> 8) & 0xff;
      buf[start + 4] = schemaId & 0xff;
      out.pos = start + 5;
      if (!scan(line, out)) {
        out.pos = start;
        return null;
      }
      return out.buf.subarray(start, out.pos);
    },
    encode(json) {
      if (encodeJson) {
        const value = parseJson(json, true);
        try {
          return { payload: encodeJson(value) };
        } catch (e) {
          if (e instanceof AvroInputError) throw new CodecError(`does not match the Avro schema: ${e.message}`);
          throw e;
        }
      }
      // fromString checks every value against the schema as it converts Avro's JSON encoding.
      let value: unknown;
      try {
        value = type.fromString(json);
      } catch (e) {
        if (e instanceof SyntaxError) throw new CodecError(`invalid JSON (${e.message})`);
        throw new CodecError(`does not match the Avro schema: ${(e as Error).message}`);
      }
      return { payload: type.toBuffer(value) };
    },
    ...(transcodeInto && {
      decodeInto(b: Buffer, at: number, end: number, target: OutTarget) {
        try {
          transcodeInto(b, at, end, target);
        } catch (e) {
          throw new CodecError(`the bytes do not match Avro schema ${id}: ${(e as Error).message}`);
        }
      },
    }),
    decode(b, at) {
      if (transcode) {
        try {
          return transcode(b, at);
        } catch (e) {
          throw new CodecError(`the bytes do not match Avro schema ${id}: ${(e as Error).message}`);
        }
      }
      let decoded: { value: unknown; offset: number };
      try {
        decoded = type.decode(b, at);
      } catch (e) {
        throw new CodecError(`the bytes do not match Avro schema ${id}: ${(e as Error).message}`);
      }
      if (decoded.offset !== b.length) throw new CodecError(`the bytes do not match Avro schema ${id}: ${decoded.offset < 0 ? 'truncated data' : `${b.length - decoded.offset} trailing bytes`}`);
      return toJson(decoded.value);
    },
  };
}

function jsonCodec(id: number, schema: NonNullable<ParsedSchema['json']>): Codec {
  const check = (value: unknown, what: string) => {
    if (!schema.validate(value)) throw new CodecError(`${what} JSON schema ${id}: ${schema.errors() || 'invalid'}`);
  };
  return {
    type: 'JSON',
    encode(json) {
      const value = parseJson(json);
      check(value, 'does not match');
      return { payload: Buffer.from(json, 'utf8') };
    },
    decode(b, at) {
      const text = b.toString('utf8', at);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new CodecError(`the bytes are not the JSON of schema ${id}: ${(e as Error).message}`);
      }
      check(value, 'the record does not match');
      // One line of JSON as it was written; re-serialised (every digit kept) only when it spans lines.
      return /[\r\n]/.test(text) ? stringifyJsonExact(parseJsonExact(text)) : text;
    },
  };
}

async function protobufCodec(id: number, root: import('protobufjs').Root, messages: string[], opts: CodecOptions): Promise<Codec> {
  const m = (await import('protobufjs')) as Protobuf & { default?: Protobuf };
  const protobuf = m.default ?? m;
  type PbType = import('protobufjs').Type;
  const nestedTypes = (t: { nestedArray: import('protobufjs').ReflectionObject[] }) => t.nestedArray.filter((n): n is PbType => n instanceof protobuf.Type);
  // This file's top-level messages in declaration order: what message indexes count.
  const own = messages.map((name) => root.lookupType(name));
  if (own.length === 0) throw new CodecError(`Protobuf schema ${id} declares no message`);
  const typeAt = (indexes: number[]): PbType => {
    let list = own;
    let t: PbType | undefined;
    for (const i of indexes) {
      t = list[i];
      if (!t) throw new CodecError(`message index ${indexes.join('.')} is not in Protobuf schema ${id}`);
      list = nestedTypes(t);
    }
    return t!;
  };
  const indexesOf = (name: string): number[] => {
    const walk = (list: PbType[], path: number[]): number[] | null => {
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        if (t.name === name || t.fullName === `.${name}` || t.fullName === name) return [...path, i];
        const found = walk(nestedTypes(t), [...path, i]);
        if (found) return found;
      }
      return null;
    };
    const found = walk(own, []);
    if (!found) throw new CodecError(`no message ${name} in Protobuf schema ${id} (it has ${own.map((t) => t.name).join(', ')})`);
    return found;
  };
  const writeIndexes = opts.message ? indexesOf(opts.message) : [0];
  const writer = typeAt(writeIndexes);
  const decoders = new Map<string, { t: PbType; printFloats: ((o: Record<string, unknown>) => void) | null }>();
  return {
    type: 'PROTOBUF',
    encode(json) {
      const obj = protoObject(writer, parseJson(json, true), protobuf, '');
      try {
        return { payload: writer.encode(writer.fromObject(obj)).finish(), indexes: writeIndexes };
      } catch (e) {
        // protoObject checked every value; protobufjs should not throw, but if it does it is the input's.
        throw new CodecError(`does not match Protobuf message ${writer.name}: ${(e as Error).message}`);
      }
    },
    decode(b, at) {
      let indexes = [0];
      if (hasMessageIndexes(b, at)) ({ indexes, next: at } = decodeMessageIndexes(b, at));
      const key = indexes.join('.');
      let d = decoders.get(key);
      if (!d) {
        const t = typeAt(indexes);
        decoders.set(key, (d = { t, printFloats: floatPrinter(t, protobuf) }));
      }
      const t = d.t;
      try {
        const obj = t.toObject(t.decode(b.subarray(at)), { longs: String, enums: String, bytes: String, json: true });
        d.printFloats?.(obj);
        return JSON.stringify(obj);
      } catch (e) {
        throw new CodecError(`the bytes do not match Protobuf message ${t.name} of schema ${id}: ${(e as Error).message}`);
      }
    },
  };
}

type Protobuf = typeof import('protobufjs');

/**
 * protobufjs reads a float field widened to a double (0.1 as 0.10000000149011612): this puts each
 * float of a decoded message object (toObject's, keyed by field name) back as JsonFormat prints
 * it (shortestFloat32), in nested messages, lists and map values too. Null for a message with no
 * float anywhere in it.
 */
function floatPrinter(root: import('protobufjs').Type, pb: Protobuf): ((o: Record<string, unknown>) => void) | null {
  type PbType = import('protobufjs').Type;
  type Fix = (o: Record<string, unknown>) => void;
  const nestedOf = (f: import('protobufjs').Field): PbType | null => {
    const r = f.resolve().resolvedType;
    return r instanceof pb.Type ? r : null;
  };
  // Every message type reachable from the root, then those with a float somewhere in them (a
  // message may contain itself: repeated until nothing changes).
  const types = new Set<PbType>([root]);
  for (const t of types) for (const f of t.fieldsArray) { const n = nestedOf(f); if (n) types.add(n); }
  const withFloat = new Set<PbType>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of types) {
      if (withFloat.has(t) || !t.fieldsArray.some((f) => f.type === 'float' || withFloat.has(nestedOf(f)!))) continue;
      withFloat.add(t);
      changed = true;
    }
  }
  if (!withFloat.has(root)) return null;
  const fixes = new Map<PbType, Fix>();
  for (const t of withFloat) {
    const steps: Fix[] = [];
    for (const f of t.fieldsArray) {
      const nested = nestedOf(f);
      let each: (x: unknown) => unknown;
      if (f.type === 'float') each = (x) => (typeof x === 'number' ? shortestFloat32(x) : x);
      else if (nested && withFloat.has(nested)) each = (x) => (x !== null && typeof x === 'object' && fixes.get(nested)!(x as Record<string, unknown>), x);
      else continue;
      const name = f.name;
      if ((f as { map?: boolean }).map) {
        steps.push((o) => {
          const m = o[name] as Record<string, unknown> | undefined;
          if (m) for (const k of Object.keys(m)) m[k] = each(m[k]);
        });
      } else if (f.repeated) {
        steps.push((o) => {
          const l = o[name];
          if (Array.isArray(l)) for (let i = 0; i < l.length; i++) l[i] = each(l[i]);
        });
      } else steps.push((o) => o[name] !== undefined && (o[name] = each(o[name])));
    }
    fixes.set(t, (o) => {
      for (const step of steps) step(o);
    });
  }
  return fixes.get(root)!;
}
type PbField = import('protobufjs').Field;

const I32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const U32: [bigint, bigint] = [0n, 2n ** 32n - 1n];
const I64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const U64: [bigint, bigint] = [0n, 2n ** 64n - 1n];
/** Each integer type's range. */
const INTS: Record<string, [bigint, bigint]> = { int32: I32, sint32: I32, sfixed32: I32, uint32: U32, fixed32: U32, int64: I64, sint64: I64, sfixed64: I64, uint64: U64, fixed64: U64 };
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

/**
 * A JSON value as a Protobuf message object for protobufjs's fromObject (which accepts anything,
 * truncating and dropping what does not fit): field names as declared or in lowerCamelCase
 * (protobuf's JSON names); unknown fields, a field or oneof given twice, wrong types, integers
 * out of their type's range and enum values not in the enum are errors, as in protobuf's JsonFormat.
 */
function protoObject(type: import('protobufjs').Type, obj: unknown, pb: Protobuf, path: string): Record<string, unknown> {
  const fail = (why: string): never => {
    throw new CodecError(`does not match Protobuf message ${type.name}: ${why}`);
  };
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return fail(`${path || 'the value'} must be a JSON object`);
  const byName = new Map<string, PbField>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(pb.util.camelCase(f.name), f);
  }
  const out: Record<string, unknown> = {};
  const given = new Map<PbField, string>();
  const oneofs = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    const f = byName.get(k);
    const at = path ? `${path}.${k}` : k;
    if (!f) return fail(`unknown field ${at}`);
    if (given.has(f)) return fail(`${at}: field ${f.name} is given twice (as ${given.get(f)} and ${k})`);
    given.set(f, k);
    f.resolve();
    if (v === null) continue;
    if (f.partOf) {
      const other = oneofs.get(f.partOf.name);
      if (other !== undefined) return fail(`${at}: ${other} and ${k} are both members of oneof ${f.partOf.name} (give one)`);
      oneofs.set(f.partOf.name, k);
    }
    if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v)) return fail(`${at} must be an object (a map)`);
      const keyType = (f as PbField & { keyType: string }).keyType;
      out[f.name] = Object.fromEntries(Object.entries(v as object).map(([mk, mv]) => [protoMapKey(keyType, mk, `${at}.${mk}`, fail), protoValue(f, mv, pb, `${at}.${mk}`, fail)]));
    } else if (f.repeated) {
      if (!Array.isArray(v)) return fail(`${at} must be a list`);
      out[f.name] = v.map((x, i) => protoValue(f, x, pb, `${at}[${i}]`, fail));
    } else out[f.name] = protoValue(f, v, pb, at, fail);
  }
  return out;
}

const shown = (v: unknown) => stringifyJsonExact(v);

/**
 * An integer of a Protobuf integer type: a JSON number or a string of digits, within the type's
 * range; 64-bit ones as a decimal string (protobufjs reads it exactly), 32-bit ones as a number.
 * A JSON number past 2^53 (a bigint from parseJsonExact, or one written with an exponent) is
 * refused: another JSON reader would round it, so it goes as a string.
 */
function protoInt(type: string, v: unknown, at: string, fail: (why: string) => never): number | string {
  const [min, max] = INTS[type]!;
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'bigint') n = v;
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
  else return fail(`${at} must be an integer (${type}), got ${shown(v)}`);
  if (n < min || n > max) return fail(`${at}: ${shown(v)} is out of range for ${type} (${min} to ${max})`);
  if (max <= U32[1]) return Number(n);
  if (typeof v !== 'string' && !Number.isSafeInteger(v)) return fail(`${at}: ${shown(v)} is past 2^53, where a JSON number loses digits: give the ${type} as a string ("${n}")`);
  return n.toString();
}

/** A map's key (a JSON object's key, so a string) checked against the map's key type. */
function protoMapKey(keyType: string, k: string, at: string, fail: (why: string) => never): string {
  if (INTS[keyType]) protoInt(keyType, k, at, fail);
  else if (keyType === 'bool' && k !== 'true' && k !== 'false') fail(`${at}: the map's keys are bool, "true" or "false"`);
  return k;
}

/** Whether an enum is open (proto3, or edition 2023's default): protobufjs resolves its features, private as they are. */
function isOpenEnum(e: import('protobufjs').Enum): boolean {
  return (e as unknown as { _features?: { enum_type?: string } })._features?.enum_type === 'OPEN';
}

function protoValue(f: PbField, v: unknown, pb: Protobuf, at: string, fail: (why: string) => never): unknown {
  const rt = f.resolvedType;
  if (rt instanceof pb.Type) return protoObject(rt, v, pb, at);
  if (rt instanceof pb.Enum) {
    const known = typeof v === 'string' ? Object.hasOwn(rt.values, v) : typeof v === 'number' && Number.isInteger(v) && Object.hasOwn(rt.valuesById, v);
    // An open enum (proto3's) takes any int32 by number, as JsonFormat does; a closed one (proto2's) only its values.
    const open = typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 && isOpenEnum(rt);
    return known || open ? v : fail(`${at}: ${shown(v)} is not a value of enum ${rt.name} (${Object.entries(rt.values).map(([k, n]) => `${k}=${n}`).join(', ')})`);
  }
  if (INTS[f.type]) return protoInt(f.type, v, at, fail);
  if (f.type === 'double' || f.type === 'float') {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
    if (Number.isNaN(n)) return fail(`${at} must be a number (${f.type}), got ${shown(v)}`);
    // A float past ±3.4e38 would be written as Infinity.
    if (f.type === 'float' && !Number.isFinite(Math.fround(n))) return fail(`${at}: ${shown(v)} is out of range for float (±3.4e38)`);
    return n;
  }
  if (f.type === 'bool') return typeof v === 'boolean' ? v : fail(`${at} must be true or false, got ${shown(v)}`);
  if (f.type === 'string') return typeof v === 'string' ? v : fail(`${at} must be a string, got ${shown(v)}`);
  if (f.type === 'bytes') {
    // protobufjs throws for some bad base64 and decodes other bad base64 to other bytes: checked here.
    if (typeof v !== 'string' || !BASE64.test(v) || v.replace(/=+$/, '').length % 4 === 1 || (v.includes('=') && v.length % 4 !== 0)) return fail(`${at} must be base64 (bytes), got ${shown(v).slice(0, 40)}`);
    return Buffer.from(v, 'base64');
  }
  return v;
}
