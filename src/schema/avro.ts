/**
 * Avro: parsing with avsc, and Avro's schema-resolution rules (the specification's "Schema
 * Resolution" section) as a reader/writer check that lists every incompatibility, in the words
 * and error types of Avro's SchemaCompatibility, which Confluent's registry reports.
 */
import type { Type } from 'avsc';
import { parseJsonText, stableStringify } from './canonical.js';
import { InvalidSchemaError, type Incompatibility, type ParsedSchema, type ResolvedReference } from './types.js';

type Avsc = typeof import('avsc');
let avsc: Avsc | null = null;
async function loadAvsc(): Promise<Avsc> {
  const m = (await import('avsc')) as Avsc & { default?: Avsc };
  return (avsc ??= m.default ?? m);
}

/** Parses an Avro schema (JSON text) after its references, into one avsc registry. */
export async function parseAvro(text: string, refs: readonly ResolvedReference[] = []): Promise<ParsedSchema> {
  const lib = await loadAvsc();
  const registry: Record<string, Type> = {};
  let doc: unknown;
  try {
    for (const r of refs) lib.Type.forSchema(namedRefsBare(parseJsonText(r.schema, `Reference '${r.name}'`)) as never, { registry });
    doc = parseJsonText(text, 'The schema');
    const avro = lib.Type.forSchema(namedRefsBare(doc) as never, { registry });
    const parsedForm = avroCanonical(doc, '');
    return { type: 'AVRO', text: JSON.stringify(doc), canonical: stableStringify(parsedForm), normalized: JSON.stringify(orderAvroKeys(parsedForm)), avro };
  } catch (e) {
    throw new InvalidSchemaError((e as Error).message);
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const COMPLEX = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);

/**
 * The schema for avsc: a named type written in object form ({"type": "com.x.Foo"}, which Avro
 * reads as the type named com.x.Foo, defined earlier or in a reference) as the bare name avsc
 * understands, and {"type": <schema>} as that schema; everything else as it is (a default is
 * data, never walked).
 */
function namedRefsBare(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(namedRefsBare);
  if (!schema || typeof schema !== 'object') return schema;
  const o = schema as Record<string, unknown>;
  const type = o.type;
  if (typeof type === 'string' && COMPLEX.has(type)) {
    const out: Record<string, unknown> = { ...o };
    if (Array.isArray(o.fields)) out.fields = o.fields.map((f: unknown) => (f && typeof f === 'object' ? { ...(f as object), type: namedRefsBare((f as { type?: unknown }).type) } : f));
    if ('items' in o) out.items = namedRefsBare(o.items);
    if ('values' in o) out.values = namedRefsBare(o.values);
    return out;
  }
  if (typeof type === 'string') return PRIMITIVES.has(type) ? o : type;
  if (type && typeof type === 'object') return namedRefsBare(type);
  return o;
}
const fullName = (name: string, ns: string) => (name.includes('.') || ns === '' ? name : `${ns}.${name}`);
const namespaceOf = (full: string) => (full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '');

/**
 * A schema as Avro parses it, written back: what Confluent's registry identifies a schema by
 * (AvroSchema's canonical string, Avro's Schema.toString). Names fully qualified (namespace
 * "x" with name "A" is "x.A"; references to named types likewise), a primitive without
 * attributes as its name ({"type":"int"} is "int"), a field's default order dropped; docs,
 * defaults, aliases, logical types and other attributes kept. Key order is left to the caller.
 */
export function avroCanonical(schema: unknown, ns: string): unknown {
  if (typeof schema === 'string') return PRIMITIVES.has(schema) ? schema : fullName(schema, ns);
  if (Array.isArray(schema)) return schema.map((b) => avroCanonical(b, ns));
  if (!schema || typeof schema !== 'object') return schema;
  const { type, ...rest } = schema as Record<string, unknown>;
  if (typeof type !== 'string' || !COMPLEX.has(type)) {
    // {"type": T} with attributes (a logical type, custom properties) or without; a named
    // type's name in this form is that type (Avro keeps no attributes on a reference).
    const inner = avroCanonical(type, ns);
    const named = typeof type === 'string' && !PRIMITIVES.has(type);
    return Object.keys(rest).length === 0 || named ? inner : { ...rest, type: inner };
  }
  if (type === 'array') return { ...rest, type, items: avroCanonical(rest.items, ns) };
  if (type === 'map') return { ...rest, type, values: avroCanonical(rest.values, ns) };
  const { name, namespace, aliases, fields, ...attrs } = rest;
  const full = fullName(String(name), typeof namespace === 'string' ? namespace : ns);
  const inner = namespaceOf(full);
  const out: Record<string, unknown> = { ...attrs, type, name: full };
  if (Array.isArray(aliases)) out.aliases = aliases.map((a) => (typeof a === 'string' ? fullName(a, inner) : a));
  if (Array.isArray(fields)) {
    out.fields = fields.map((f: Record<string, unknown>) => {
      const { type: ft, order, ...fa } = f;
      return { ...fa, ...(order !== undefined && order !== 'ascending' && { order }), type: avroCanonical(ft, inner) };
    });
  }
  return out;
}

/** Avro's reserved attributes first, in the order Avro writes them; then any other, by name. */
const TYPE_KEYS = ['type', 'name', 'fields', 'symbols', 'items', 'values', 'size', 'logicalType', 'precision', 'scale', 'default', 'doc', 'aliases'];
const FIELD_KEYS = ['name', 'type', 'order', 'default', 'doc', 'aliases'];
function orderAvroKeys(v: unknown, order = TYPE_KEYS): unknown {
  if (Array.isArray(v)) return v.map((x) => orderAvroKeys(x, order));
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = Object.keys(o).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  // A default value is data, not schema: kept as given.
  return Object.fromEntries(keys.map((k) => [k, k === 'default' ? o[k] : orderAvroKeys(o[k], k === 'fields' ? FIELD_KEYS : TYPE_KEYS)]));
}

const PROMOTIONS: Record<string, readonly string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

interface AvroType {
  typeName: string;
  name?: string;
  aliases?: string[];
  fields?: { name: string; type: AvroType; aliases?: string[]; defaultValue(): unknown }[];
  symbols?: string[];
  default?: string;
  size?: number;
  itemsType?: AvroType;
  valuesType?: AvroType;
  types?: AvroType[];
}

const kind = (t: AvroType) => (t.typeName.startsWith('union') ? 'union' : t.typeName === 'error' ? 'record' : t.typeName);
const shortName = (n: string | undefined) => (n ?? '').split('.').pop()!;

/** Whether the reader's name (or one of its aliases) matches the writer's name, as Avro compares them (unqualified). */
function namesMatch(reader: AvroType, writer: AvroType): boolean {
  if (shortName(reader.name) === shortName(writer.name)) return true;
  return (reader.aliases ?? []).some((a) => shortName(a) === shortName(writer.name));
}

/**
 * Every reason data written with `writer` cannot be read with `reader`. `newIsReader` picks the
 * wording: for BACKWARD the new schema reads; for FORWARD the old one does.
 */
export function avroIncompatibilities(reader: Type, writer: Type, newIsReader = true): Incompatibility[] {
  const out: Incompatibility[] = [];
  const [rName, wName] = newIsReader ? ['new', 'old'] : ['old', 'new'];
  const seen = new Set<string>();
  const ids = new WeakMap<object, number>();
  let next = 0;
  const id = (t: object) => {
    let v = ids.get(t);
    if (v === undefined) ids.set(t, (v = next++));
    return v;
  };
  const typeMismatch = (path: string) => out.push({ errorType: 'TYPE_MISMATCH', description: `The type (path '${path || '/'}') of a field in the ${rName} schema does not match with the ${wName} schema`, additionalInfo: `reader type and writer type differ at ${path}` });

  /** Whether `r` can read `w`; records what is wrong when `report`. */
  const check = (r: AvroType, w: AvroType, path: string, report: boolean): boolean => {
    const key = `${id(r)}:${id(w)}`;
    if (seen.has(key)) return true; // recursive types: assume the pair compatible while checking it
    const rk = kind(r);
    const wk = kind(w);
    if (wk === 'union') {
      let ok = true;
      w.types!.forEach((wb, i) => {
        if (rk === 'union') {
          if (!r.types!.some((rb) => check(rb, wb, path, false))) {
            ok = false;
            if (report) out.push({ errorType: 'MISSING_UNION_BRANCH', description: `The ${rName} schema is missing a type inside a union field at path '${path}/${i}' in the ${wName} schema`, additionalInfo: `reader union lacking writer type: ${wb.typeName.toUpperCase()}` });
          }
        } else if (!check(r, wb, `${path}/${i}`, report)) ok = false;
      });
      return ok;
    }
    if (rk === 'union') {
      // Avro picks the first reader branch that matches the writer.
      if (r.types!.some((rb) => check(rb, w, path, false))) return true;
      if (report) out.push({ errorType: 'MISSING_UNION_BRANCH', description: `The ${rName} schema is missing a type inside a union field at path '${path || '/'}' in the ${wName} schema`, additionalInfo: `reader union lacking writer type: ${w.typeName.toUpperCase()}` });
      return false;
    }
    if (rk !== wk) {
      if ((PROMOTIONS[wk] ?? []).includes(rk)) return true;
      if (report) typeMismatch(path);
      return false;
    }
    switch (rk) {
      case 'record': {
        if (!namesMatch(r, w)) {
          if (report) out.push({ errorType: 'NAME_MISMATCH', description: `The name of the ${rName} schema has changed (path '${path}/name')`, additionalInfo: `expected: ${w.name}` });
          return false;
        }
        seen.add(key);
        let ok = true;
        r.fields!.forEach((rf, i) => {
          const wf = w.fields!.find((f) => f.name === rf.name) ?? w.fields!.find((f) => (rf.aliases ?? []).includes(f.name));
          if (!wf) {
            if (rf.defaultValue() === undefined) {
              ok = false;
              if (report) out.push({ errorType: 'READER_FIELD_MISSING_DEFAULT_VALUE', description: `The field '${rf.name}' at path '${path}/fields/${i}' in the ${rName} schema has no default value and is missing in the ${wName} schema`, additionalInfo: rf.name });
            }
          } else if (!check(rf.type, wf.type, `${path}/fields/${i}/type`, report)) ok = false;
        });
        seen.delete(key);
        return ok;
      }
      case 'enum': {
        if (!namesMatch(r, w)) {
          if (report) out.push({ errorType: 'NAME_MISMATCH', description: `The name of the ${rName} schema has changed (path '${path}/name')`, additionalInfo: `expected: ${w.name}` });
          return false;
        }
        const missing = w.symbols!.filter((s) => !r.symbols!.includes(s));
        if (missing.length > 0 && r.default === undefined) {
          if (report) out.push({ errorType: 'MISSING_ENUM_SYMBOLS', description: `The ${rName} schema is missing enum symbols '${missing.join(', ')}' at path '${path}/symbols' in the ${wName} schema`, additionalInfo: `[${missing.join(', ')}]` });
          return false;
        }
        return true;
      }
      case 'fixed': {
        if (!namesMatch(r, w)) {
          if (report) out.push({ errorType: 'NAME_MISMATCH', description: `The name of the ${rName} schema has changed (path '${path}/name')`, additionalInfo: `expected: ${w.name}` });
          return false;
        }
        if (r.size !== w.size) {
          if (report) out.push({ errorType: 'FIXED_SIZE_MISMATCH', description: `The size of FIXED type field at path '${path}/size' in the ${rName} schema does not match with the ${wName} schema`, additionalInfo: `expected: ${w.size}, found: ${r.size}` });
          return false;
        }
        return true;
      }
      case 'array':
        return check(r.itemsType!, w.itemsType!, `${path}/items`, report);
      case 'map':
        return check(r.valuesType!, w.valuesType!, `${path}/values`, report);
      default:
        return true; // the same primitive
    }
  };
  check(reader as unknown as AvroType, writer as unknown as AvroType, '', true);
  return out;
}
