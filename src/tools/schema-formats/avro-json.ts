/**
 * Avro's JSON encoding of a decoded value, written by a function built once per schema (what
 * avsc's Type#toString does, without its per-value copy: console-consumer's hot path; floats as
 * Avro's Java encoder prints them, 0.1 and not avsc's widened 0.10000000149011612). Unions
 * are wrapped ({"string":"x"}; null stays null), bytes and fixed are ISO-8859-1 strings, enums
 * their symbol, records their fields in schema order.
 */
import type { Type } from 'avsc';
import { shortestFloat32 } from '../../util/float32.js';

type Writer = (v: unknown) => string;

interface AvroTypeLike {
  typeName: string;
  branchName?: string;
  fields?: { name: string; type: AvroTypeLike }[];
  itemsType?: AvroTypeLike;
  valuesType?: AvroTypeLike;
  types?: AvroTypeLike[];
  isValid(v: unknown): boolean;
  toString(v?: unknown): string;
}

const num: Writer = (v) => (Number.isFinite(v as number) ? String(v) : 'null');
const str: Writer = (v) => JSON.stringify(v);

export function avroJsonWriter(type: Type): Writer {
  return build(type as unknown as AvroTypeLike, new Map());
}

function build(t: AvroTypeLike, seen: Map<AvroTypeLike, Writer>): Writer {
  const known = seen.get(t);
  if (known) return known;
  switch (t.typeName) {
    case 'null':
      return () => 'null';
    case 'boolean':
      return (v) => (v ? 'true' : 'false');
    case 'int':
    case 'long':
    case 'double':
      return num;
    case 'float':
      return (v) => num(shortestFloat32(v as number));
    case 'string':
    case 'enum':
      return str;
    case 'bytes':
    case 'fixed':
      return (v) => JSON.stringify((v as Buffer).toString('latin1'));
    case 'array': {
      let item: Writer = () => '';
      const w: Writer = (v) => {
        const a = v as unknown[];
        let out = '[';
        for (let i = 0; i < a.length; i++) out += (i ? ',' : '') + item(a[i]);
        return `${out}]`;
      };
      seen.set(t, w);
      item = build(t.itemsType!, seen);
      return w;
    }
    case 'map': {
      let value: Writer = () => '';
      const w: Writer = (v) => {
        let out = '{';
        let first = true;
        for (const [k, x] of Object.entries(v as object)) {
          out += `${first ? '' : ','}${JSON.stringify(k)}:${value(x)}`;
          first = false;
        }
        return `${out}}`;
      };
      seen.set(t, w);
      value = build(t.valuesType!, seen);
      return w;
    }
    case 'record':
    case 'error': {
      const names = t.fields!.map((f) => f.name);
      const prefixes = names.map((n, i) => `${i ? ',' : '{'}${JSON.stringify(n)}:`);
      const writers: Writer[] = [];
      const w: Writer = (v) => {
        const r = v as Record<string, unknown>;
        let out = '';
        for (let i = 0; i < names.length; i++) out += prefixes[i]! + writers[i]!(r[names[i]!]);
        return names.length ? `${out}}` : '{}';
      };
      seen.set(t, w);
      for (const f of t.fields!) writers.push(build(f.type, seen));
      return w;
    }
    case 'union:unwrapped': {
      const branches = t.types!;
      const writers: Writer[] = [];
      const keys = branches.map((b) => JSON.stringify(b.branchName ?? b.typeName));
      const w: Writer = (v) => {
        for (let i = 0; i < branches.length; i++) {
          const b = branches[i]!;
          if (b.typeName === 'null') {
            if (v === null) return 'null';
          } else if (v !== null && b.isValid(v)) return `{${keys[i]}:${writers[i]!(v)}}`;
        }
        throw new Error(`a value of no branch of the union ${t.toString()}`);
      };
      seen.set(t, w);
      for (const b of branches) writers.push(build(b, seen));
      return w;
    }
    default:
      // Wrapped unions and anything else: avsc's own writer.
      return (v) => t.toString(v);
  }
}
