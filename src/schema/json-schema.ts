/**
 * JSON Schema: validation with ajv (draft-07 by default; draft 2019-09 and 2020-12 when the
 * schema's $schema names them), and Confluent's compatibility rules: a reader schema must accept
 * every document the writer schema accepts (types, required properties, open or closed content
 * models, enums, and the numeric and length limits).
 */
import { parseJsonText, stableStringify } from './canonical.js';
import { InvalidSchemaError, type Incompatibility, type ParsedSchema, type ResolvedReference } from './types.js';

type AjvCtor = new (opts: object) => {
  addSchema(s: object, key?: string): unknown;
  compile(s: object): ((v: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
};

async function ajvFor(schema: unknown): Promise<AjvCtor> {
  const uri = typeof schema === 'object' && schema && typeof (schema as { $schema?: unknown }).$schema === 'string' ? (schema as { $schema: string }).$schema : '';
  const pick = async (p: Promise<unknown>) => {
    const m = (await p) as { default?: AjvCtor } & AjvCtor;
    return m.default ?? m;
  };
  if (uri.includes('2020-12')) return pick(import('ajv/dist/2020.js'));
  if (uri.includes('2019-09')) return pick(import('ajv/dist/2019.js'));
  return pick(import('ajv'));
}

export async function parseJsonSchema(text: string, refs: readonly ResolvedReference[] = []): Promise<ParsedSchema> {
  let doc: unknown;
  try {
    doc = parseJsonText(text, 'The schema');
  } catch (e) {
    throw new InvalidSchemaError((e as Error).message);
  }
  if (typeof doc !== 'boolean' && (typeof doc !== 'object' || doc === null || Array.isArray(doc))) throw new InvalidSchemaError('A JSON schema must be an object or a boolean');
  try {
    const Ajv = await ajvFor(doc);
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const r of refs) {
      const ref = parseJsonText(r.schema, `Reference '${r.name}'`) as object;
      ajv.addSchema(ref, r.name);
    }
    const validate = ajv.compile(doc as object);
    const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
    const canonical = stableStringify(doc);
    return { type: 'JSON', text: JSON.stringify(doc), canonical, normalized: canonical, json: { schema: doc, validate: (v) => validate(v), errors } };
  } catch (e) {
    throw new InvalidSchemaError((e as Error).message);
  }
}

type Obj = Record<string, unknown>;
const asObj = (s: unknown): Obj => (s === true || s === undefined ? {} : s === false ? { not: {} } : (s as Obj));
const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];
const typesOf = (s: Obj): string[] => (s.type === undefined ? ALL_TYPES : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
const open = (s: Obj) => s.additionalProperties !== false;

/** Every reason a document valid under `writer` may be refused by `reader`, with Confluent's error types. */
export function jsonIncompatibilities(reader: unknown, writer: unknown): Incompatibility[] {
  const out: Incompatibility[] = [];
  const add = (errorType: string, path: string) => out.push({ errorType, description: `Found incompatible change: Difference{jsonPath='${path || '#/'}', type=${errorType}}`, additionalInfo: path || '#/' });
  const walk = (r0: unknown, w0: unknown, path: string) => {
    const r = asObj(r0);
    const w = asObj(w0);
    if (r0 === false && w0 !== false) return add('TYPE_NARROWED', path);
    const rt = typesOf(r);
    const wt = typesOf(w);
    const lost = wt.filter((t) => !rt.includes(t) && !(t === 'integer' && rt.includes('number')));
    if (lost.length > 0) {
      add(rt.some((t) => wt.includes(t) || (t === 'number' && wt.includes('integer')) || (t === 'integer' && wt.includes('number'))) ? 'TYPE_NARROWED' : 'TYPE_CHANGED', `${path}/type`);
      return;
    }
    if (Array.isArray(r.enum)) {
      const re = (r.enum as unknown[]).map(stableStringify);
      if (!Array.isArray(w.enum)) add('ENUM_ARRAY_CHANGED', `${path}/enum`);
      else if ((w.enum as unknown[]).some((v) => !re.includes(stableStringify(v)))) add('ENUM_ARRAY_NARROWED', `${path}/enum`);
    }
    if (r.const !== undefined && stableStringify(r.const) !== stableStringify(w.const)) add(w.const === undefined ? 'CONST_ADDED' : 'CONST_CHANGED', `${path}/const`);
    const limit = (key: string, upper: boolean, added: string, changed: string) => {
      const rv = r[key];
      const wv = w[key];
      if (typeof rv !== 'number') return;
      if (typeof wv !== 'number') add(added, `${path}/${key}`);
      else if (upper ? rv < wv : rv > wv) add(changed, `${path}/${key}`);
    };
    limit('maxLength', true, 'MAX_LENGTH_ADDED', 'MAX_LENGTH_DECREASED');
    limit('minLength', false, 'MIN_LENGTH_ADDED', 'MIN_LENGTH_INCREASED');
    limit('maximum', true, 'MAXIMUM_ADDED', 'MAXIMUM_DECREASED');
    limit('minimum', false, 'MINIMUM_ADDED', 'MINIMUM_INCREASED');
    limit('exclusiveMaximum', true, 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_DECREASED');
    limit('exclusiveMinimum', false, 'EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_INCREASED');
    limit('maxItems', true, 'MAX_ITEMS_ADDED', 'MAX_ITEMS_DECREASED');
    limit('minItems', false, 'MIN_ITEMS_ADDED', 'MIN_ITEMS_INCREASED');
    limit('maxProperties', true, 'MAX_PROPERTIES_ADDED', 'MAX_PROPERTIES_DECREASED');
    limit('minProperties', false, 'MIN_PROPERTIES_ADDED', 'MIN_PROPERTIES_INCREASED');
    if (typeof r.pattern === 'string' && r.pattern !== w.pattern) add(w.pattern === undefined ? 'PATTERN_ADDED' : 'PATTERN_CHANGED', `${path}/pattern`);
    if (typeof r.multipleOf === 'number' && r.multipleOf !== w.multipleOf) add(w.multipleOf === undefined ? 'MULTIPLE_OF_ADDED' : 'MULTIPLE_OF_CHANGED', `${path}/multipleOf`);
    if (rt.includes('object') && wt.includes('object')) {
      const rp = (r.properties ?? {}) as Obj;
      const wp = (w.properties ?? {}) as Obj;
      const rreq = (r.required ?? []) as string[];
      const wreq = (w.required ?? []) as string[];
      for (const name of rreq) if (!wreq.includes(name)) add('REQUIRED_ATTRIBUTE_ADDED', `${path}/required`);
      for (const name of Object.keys(rp)) {
        const p = `${path}/properties/${name}`;
        if (name in wp) walk(rp[name], wp[name], p);
        else if (open(w)) {
          // The writer's open content model may have produced this property with any value.
          if (w.additionalProperties && typeof w.additionalProperties === 'object') walk(rp[name], w.additionalProperties, p);
          else if (stableStringify(rp[name]) !== '{}' && rp[name] !== true) add('PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', p);
        }
      }
      for (const name of Object.keys(wp)) {
        if (name in rp) continue;
        const p = `${path}/properties/${name}`;
        if (r.additionalProperties === false) add('PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', p);
        else if (r.additionalProperties && typeof r.additionalProperties === 'object') walk(r.additionalProperties, wp[name], p);
      }
      if (r.additionalProperties === false && w.additionalProperties !== false) add('ADDITIONAL_PROPERTIES_REMOVED', `${path}/additionalProperties`);
      else if (r.additionalProperties && typeof r.additionalProperties === 'object' && w.additionalProperties !== false) walk(r.additionalProperties, w.additionalProperties ?? true, `${path}/additionalProperties`);
    }
    if (rt.includes('array') && wt.includes('array')) {
      if (r.items !== undefined && !Array.isArray(r.items)) walk(r.items, Array.isArray(w.items) ? true : (w.items ?? true), `${path}/items`);
    }
  };
  walk(reader, writer, '#');
  return out;
}
