/**
 * Avro's JSON encoding (unions wrapped as {"string":"x"}, bytes as ISO-8859-1 strings) straight
 * to Avro binary, by a writer built once per schema from the parsed JSON: console-producer's hot
 * path, without avsc's per-value copy. It checks every value against the schema as it writes
 * and names the first that does not fit; a missing field takes its default.
 */
import type { Type } from 'avsc';
import { stringifyJsonExact } from '../../util/exact-json.js';
import { Out } from './avro-transcode.js';

type Enc = (v: unknown, o: Out, path: string) => void;

interface AvroTypeLike {
  typeName: string;
  branchName?: string;
  fields?: { name: string; type: AvroTypeLike; defaultValue(): unknown }[];
  itemsType?: AvroTypeLike;
  valuesType?: AvroTypeLike;
  types?: AvroTypeLike[];
  symbols?: string[];
  size?: number;
  toBuffer(v: unknown): Buffer;
}

export class AvroInputError extends Error {
  override name = 'AvroInputError';
}

const fail = (path: string, what: string, v: unknown): never => {
  const shown = v === undefined ? 'nothing' : stringifyJsonExact(v);
  throw new AvroInputError(`${path || 'the value'}: expected ${what}, got ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`);
};

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * A JSON number for a float or double (an integer past 2^53 comes as a bigint, see
 * parseJsonExact), or NaN when it is not one or a float would overflow to Infinity.
 */
export function avroFloating(v: unknown, size: 4 | 8): number {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  return Number.isFinite(size === 4 ? Math.fround(n) : n) ? n : NaN;
}

function utf8(o: Out, s: string): void {
  const n = s.length;
  let ascii = true;
  for (let k = 0; k < n; k++) {
    if (s.charCodeAt(k) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    o.varint(n);
    o.ascii(s);
  } else {
    const bytes = Buffer.from(s, 'utf8');
    o.varint(bytes.length);
    o.bytes(bytes);
  }
}

function latin1(o: Out, s: string, path: string): void {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0xff) fail(path, 'bytes as ISO-8859-1 characters (\\u0000-\\u00ff)', s);
  o.ascii(s);
}

function build(t: AvroTypeLike, seen: Map<AvroTypeLike, Enc>): Enc {
  const known = seen.get(t);
  if (known) return known;
  switch (t.typeName) {
    case 'null':
      return (v, _o, path) => void (v !== null && fail(path, 'null', v));
    case 'boolean':
      return (v, o, path) => {
        if (typeof v !== 'boolean') fail(path, 'a boolean', v);
        o.room(1);
        o.buf[o.pos++] = v ? 1 : 0;
      };
    case 'int':
      return (v, o, path) => {
        if (!Number.isInteger(v) || (v as number) < -2147483648 || (v as number) > 2147483647) fail(path, 'an int', v);
        o.varint(v as number);
      };
    case 'long':
      // Past 2^53 the line's integers are bigints (parseJsonExact), so every long is exact.
      return (v, o, path) => {
        if (Number.isSafeInteger(v)) o.varint(v as number);
        else if (typeof v === 'bigint' && v >= LONG_MIN && v <= LONG_MAX) o.varintBig(v);
        else fail(path, 'a long (a 64-bit integer)', v);
      };
    case 'float':
    case 'double': {
      const size = t.typeName === 'float' ? 4 : 8;
      return (v, o, path) => {
        const n = avroFloating(v, size);
        if (Number.isNaN(n)) fail(path, size === 4 ? 'a float (a number within ±3.4e38)' : 'a double', v);
        o.room(size);
        o.pos = size === 4 ? o.buf.writeFloatLE(n, o.pos) : o.buf.writeDoubleLE(n, o.pos);
      };
    }
    case 'string':
      return (v, o, path) => {
        if (typeof v !== 'string') fail(path, 'a string', v);
        utf8(o, v as string);
      };
    case 'bytes':
      return (v, o, path) => {
        if (typeof v !== 'string') fail(path, 'bytes (a string)', v);
        o.varint((v as string).length);
        latin1(o, v as string, path);
      };
    case 'fixed':
      return (v, o, path) => {
        if (typeof v !== 'string' || v.length !== t.size) fail(path, `fixed (a string of ${t.size} characters)`, v);
        latin1(o, v as string, path);
      };
    case 'enum': {
      const index = new Map(t.symbols!.map((s, k) => [s, k]));
      return (v, o, path) => {
        const k = typeof v === 'string' ? index.get(v) : undefined;
        if (k === undefined) fail(path, `one of ${t.symbols!.join(', ')}`, v);
        o.varint(k!);
      };
    }
    case 'array': {
      let item: Enc = () => {};
      const e: Enc = (v, o, path) => {
        if (!Array.isArray(v)) fail(path, 'an array', v);
        const a = v as unknown[];
        if (a.length) {
          o.varint(a.length);
          for (let k = 0; k < a.length; k++) item(a[k], o, `${path}[${k}]`);
        }
        o.varint(0);
      };
      seen.set(t, e);
      item = build(t.itemsType!, seen);
      return e;
    }
    case 'map': {
      let value: Enc = () => {};
      const e: Enc = (v, o, path) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'a map (an object)', v);
        const keys = Object.keys(v as object);
        if (keys.length) {
          o.varint(keys.length);
          for (const k of keys) {
            utf8(o, k);
            value((v as Record<string, unknown>)[k], o, `${path}.${k}`);
          }
        }
        o.varint(0);
      };
      seen.set(t, e);
      value = build(t.valuesType!, seen);
      return e;
    }
    case 'record':
    case 'error': {
      const fields = t.fields!;
      const names = new Set(fields.map((f) => f.name));
      const encs: Enc[] = [];
      // A missing field writes its default's bytes (computed on first need); no default: an error.
      const defaults: (Buffer | null | undefined)[] = fields.map(() => undefined);
      const e: Enc = (v, o, path) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `a ${t.branchName ?? 'record'} (an object)`, v);
        const r = v as Record<string, unknown>;
        let given = 0;
        for (let k = 0; k < fields.length; k++) {
          const f = fields[k]!;
          const x = Object.hasOwn(r, f.name) ? r[f.name] : undefined;
          if (x !== undefined) {
            given++;
            encs[k]!(x, o, path ? `${path}.${f.name}` : f.name);
          } else {
            let d = defaults[k];
            if (d === undefined) {
              const dv = f.defaultValue();
              d = defaults[k] = dv === undefined ? null : f.type.toBuffer(dv);
            }
            if (d === null) fail(path ? `${path}.${f.name}` : f.name, `a value (the field has no default)`, undefined);
            o.bytes(d!);
          }
        }
        // A field the schema does not have would be dropped: refused, as JSON Schema and Protobuf do.
        if (Object.keys(r).length !== given) {
          const extra = Object.keys(r).find((n) => !names.has(n))!;
          throw new AvroInputError(`${path ? `${path}.${extra}` : extra}: unknown field (${t.branchName ?? 'the record'} has ${fields.map((f) => f.name).join(', ') || 'no fields'})`);
        }
      };
      seen.set(t, e);
      for (const f of fields) encs.push(build(f.type, seen));
      return e;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = t.types!;
      const nullAt = branches.findIndex((b) => b.typeName === 'null');
      const byName = new Map(branches.map((b, k) => [b.branchName ?? b.typeName, k]));
      const encs: Enc[] = [];
      const names = [...byName.keys()].filter((n) => n !== 'null');
      const e: Enc = (v, o, path) => {
        if (v === null) {
          if (nullAt < 0) fail(path, `one of ${names.map((n) => `{"${n}":…}`).join(', ')}`, v);
          return o.varint(nullAt);
        }
        const keys = typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
        const k = keys.length === 1 ? byName.get(keys[0]!) : undefined;
        if (k === undefined || k === nullAt) fail(path, `${nullAt >= 0 ? 'null or ' : ''}one of ${names.map((n) => `{"${n}":…}`).join(', ')} (Avro's JSON encoding wraps union values)`, v);
        o.varint(k!);
        encs[k!]!((v as Record<string, unknown>)[keys[0]!], o, path);
      };
      seen.set(t, e);
      for (const b of branches) encs.push(build(b, seen));
      return e;
    }
    default:
      throw new Error(`no encoder for Avro type ${t.typeName}`);
  }
}

/** JSON value → Avro bytes (a scratch buffer, valid until the next call); null for a schema it does not know. */
export function avroEncoder(type: Type): ((value: unknown) => Buffer) | null {
  let enc: Enc;
  try {
    enc = build(type as unknown as AvroTypeLike, new Map());
  } catch {
    return null;
  }
  const out = new Out();
  return (value) => {
    out.pos = 0;
    enc(value, out, '');
    return out.buf.subarray(0, out.pos);
  };
}
