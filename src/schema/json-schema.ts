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
    const refDocs: Record<string, unknown> = {};
    for (const r of refs) {
      const ref = parseJsonText(r.schema, `Reference '${r.name}'`) as object;
      ajv.addSchema(ref, r.name);
      refDocs[r.name] = ref;
    }
    const validate = ajv.compile(doc as object);
    const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
    const canonical = stableStringify(doc);
    return { type: 'JSON', text: JSON.stringify(doc), canonical, normalized: canonical, json: { schema: doc, refs: refDocs, validate: (v) => validate(v), errors } };
  } catch (e) {
    throw new InvalidSchemaError((e as Error).message);
  }
}

type Obj = Record<string, unknown>;
const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];
const jsonTypeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);
/** The types a schema admits: its `type`, else those of its enum or const values, else all. */
const typesOf = (s: Obj): string[] => {
  if (s.type !== undefined) return Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  if (Array.isArray(s.enum)) return [...new Set((s.enum as unknown[]).map(jsonTypeOf))];
  if (s.const !== undefined) return [jsonTypeOf(s.const)];
  return ALL_TYPES;
};
const open = (s: Obj) => s.additionalProperties !== false;

/** Where a schema's $refs resolve: its own document and its references' (by name). */
interface RefScope {
  root: unknown;
  refs: Readonly<Record<string, unknown>>;
}

const COMBINERS = ['allOf', 'anyOf', 'oneOf'] as const;
type Combiner = (typeof COMBINERS)[number];
/** Keywords that constrain nothing. */
const ANNOTATIONS = new Set(['$schema', '$id', 'id', '$comment', 'title', 'description', 'examples', 'default', 'definitions', '$defs', 'readOnly', 'writeOnly', 'deprecated', '$anchor', 'format']);
/** Constraints this check does not compare: changed in the reader, they make it report incompatible rather than guess. */
const NOT_COMPARED = ['not', 'if', 'then', 'else', 'dependencies', 'dependentRequired', 'dependentSchemas', 'patternProperties', 'propertyNames', 'contains', 'minContains', 'maxContains', 'prefixItems', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$recursiveRef'];

/** One conjunct of a schema: a plain schema (no combiner), or a combiner's branches. */
type Part = { kind: 'plain'; s: Obj | false; scope: RefScope } | { kind: Combiner; branches: unknown[]; scope: RefScope };

/** Resolves a $ref within `scope`: a JSON pointer into the document (#/definitions/N, #/$defs/N), or a reference by name or $id, with a pointer. */
function resolveRef(ref: string, scope: RefScope): { s: unknown; scope: RefScope } | null {
  const hash = ref.indexOf('#');
  const base = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : ref.slice(hash + 1);
  let doc: unknown;
  let next = scope;
  const idOf = (d: unknown) => (d && typeof d === 'object' ? (d as Obj).$id : undefined);
  if (base === '' || base === idOf(scope.root)) doc = scope.root;
  else {
    let absolute = base;
    try {
      if (typeof idOf(scope.root) === 'string') absolute = new URL(base, idOf(scope.root) as string).href;
    } catch {
      /* not a URI: by name only */
    }
    const named = Object.entries(scope.refs).find(([name, d]) => name === base || idOf(d) === base || idOf(d) === absolute);
    if (!named) return null;
    doc = named[1];
    next = { root: doc, refs: scope.refs };
  }
  if (pointer !== '' && !pointer.startsWith('/')) return null; // a plain-name anchor
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!doc || typeof doc !== 'object' || !(key in (doc as Obj))) return null;
    doc = (doc as Obj)[key];
  }
  return { s: doc, scope: next };
}

/**
 * Every reason a document valid under `writer` may be refused by `reader`, with Confluent's error
 * types: local and cross-reference $refs resolved; oneOf/anyOf/allOf compared as Confluent's
 * CombinedSchemaDiff does (criteria, branches gained or lost, a matching of compatible branches);
 * a plain schema against a combined one branch-wise. What cannot be compared (an unresolvable
 * $ref, a changed `not`, `if`, `patternProperties`, …) is reported incompatible, never passed.
 */
export function jsonIncompatibilities(reader: unknown, writer: unknown, readerRefs: Readonly<Record<string, unknown>> = {}, writerRefs: Readonly<Record<string, unknown>> = {}): Incompatibility[] {
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (o: unknown) => {
    if (!o || typeof o !== 'object') return String(o);
    let v = ids.get(o);
    if (v === undefined) ids.set(o, (v = nextId++));
    return String(v);
  };
  const inProgress = new Set<string>();
  const diff = (errorType: string, path: string, description?: string): Incompatibility => ({ errorType, description: description ?? `Found incompatible change: Difference{jsonPath='${path || '#/'}', type=${errorType}}`, additionalInfo: path || '#/' });

  /** The conjuncts of a schema, $refs resolved (an unresolvable one is an incompatibility). */
  const partsOf = (s0: unknown, scope: RefScope, path: string, side: string, out: Incompatibility[], depth = 0): Part[] => {
    if (s0 === true || s0 === undefined) return [];
    if (s0 === false) return [{ kind: 'plain', s: false, scope }];
    if (!s0 || typeof s0 !== 'object' || Array.isArray(s0)) return [];
    const s = s0 as Obj;
    const parts: Part[] = [];
    if (typeof s.$ref === 'string') {
      const target = depth < 32 ? resolveRef(s.$ref, scope) : null;
      if (!target) {
        out.push(diff('REFERENCE_NOT_RESOLVED', `${path}/$ref`, `The $ref '${s.$ref}' at path '${path}/$ref' in the ${side} schema cannot be resolved (only #/… pointers and the schema's references are): compatibility cannot be checked`));
        return [{ kind: 'plain', s: false, scope }];
      }
      parts.push(...partsOf(target.s, target.scope, path, side, out, depth + 1));
    }
    const base: Obj = {};
    for (const [k, v] of Object.entries(s)) if (k !== '$ref' && !ANNOTATIONS.has(k) && !(COMBINERS as readonly string[]).includes(k)) base[k] = v;
    if (Object.keys(base).length > 0) parts.push({ kind: 'plain', s: base, scope });
    for (const c of COMBINERS) if (Array.isArray(s[c])) parts.push({ kind: c, branches: s[c] as unknown[], scope });
    return parts;
  };

  /** Incompatibilities of reader `r` with writer `w` (schemas, $refs unresolved yet). */
  const check = (r0: unknown, rs: RefScope, w0: unknown, ws: RefScope, path: string): Incompatibility[] => {
    const out: Incompatibility[] = [];
    if (r0 === w0 && rs === ws) return out;
    // A recursive schema: the pair being checked is assumed compatible while it is (as Avro's check does).
    const key = `${idOf(r0)}:${idOf(w0)}:${idOf(rs.root)}:${idOf(ws.root)}`;
    if (inProgress.has(key)) return out;
    inProgress.add(key);
    try {
      const R = partsOf(r0, rs, path, 'new', out);
      const W = partsOf(w0, ws, path, 'old', out);
      if (out.length > 0) return out;
      out.push(...checkParts(R, W, path));
      return out;
    } finally {
      inProgress.delete(key);
    }
  };

  const checkParts = (R: Part[], W: Part[], path: string): Incompatibility[] => {
    if (R.length === 0) return []; // the reader accepts anything
    const anything: Part = { kind: 'plain', s: {}, scope: { root: {}, refs: {} } };
    const writer = W.length === 0 ? [anything] : W;
    const out: Incompatibility[] = [];
    for (const r of R) {
      if (writer.length === 1) {
        out.push(...checkPart(r, writer[0]!, path));
        continue;
      }
      // Writer documents satisfy every writer part: one part within the reader's is enough.
      const tries = writer.map((w) => checkPart(r, w, path));
      if (!tries.some((t) => t.length === 0)) out.push(...(tries[writer.findIndex((w) => w.kind === 'plain')] ?? tries[0]!));
    }
    return out;
  };

  const plainOf = (p: Part) => (p.kind === 'plain' ? p.s : { [p.kind]: p.branches });

  const checkPart = (r: Part, w: Part, path: string): Incompatibility[] => {
    if (r.kind === 'plain' && w.kind === 'plain') return checkPlain(r.s, r.scope, w.s, w.scope, path);
    if (r.kind !== 'plain' && w.kind !== 'plain') return checkCombined(r as Extract<Part, { kind: Combiner }>, w as Extract<Part, { kind: Combiner }>, path);
    if (r.kind !== 'plain') {
      // A type replaced by a combined one: oneOf/anyOf needs a branch that reads it, allOf every branch.
      const each = r.branches.map((b, i) => check(b, r.scope, plainOf(w), w.scope, `${path}/${r.kind}/${i}`));
      if (r.kind === 'allOf') return each.flat();
      if (each.some((e) => e.length === 0)) return [];
      return [diff('TYPE_CHANGED', path)];
    }
    const wc = w as Extract<Part, { kind: Combiner }>;
    // A combined type replaced by a plain one: every oneOf/anyOf branch must be read; of allOf, one branch is enough.
    const each = wc.branches.map((b, i) => check(r.s, r.scope, b, wc.scope, `${path}/${wc.kind}/${i}`));
    if (wc.kind !== 'allOf') return each.flat();
    if (each.some((e) => e.length === 0)) return [];
    return each[0] ?? [];
  };

  /** Confluent's rules for two combined schemas: the criteria, branches gained or lost, and a matching of compatible branches. */
  const checkCombined = (r: Extract<Part, { kind: Combiner }>, w: Extract<Part, { kind: Combiner }>, path: string): Incompatibility[] => {
    const out: Incompatibility[] = [];
    const dedupe = (xs: unknown[]) => [...new Map(xs.map((x) => [stableStringify(x), x])).values()];
    const rb = dedupe(r.branches);
    const wb = dedupe(w.branches);
    if (r.kind !== w.kind) {
      const extended = r.kind === 'anyOf' || (wb.length === 1 && rb.length === 1) || (wb.length === 1 && r.kind === 'oneOf') || (rb.length === 1 && w.kind === 'allOf');
      if (!extended) return [diff('COMBINED_TYPE_CHANGED', path)];
    }
    if (rb.length > wb.length && r.kind === 'allOf') out.push(diff('PRODUCT_TYPE_EXTENDED', path));
    if (rb.length < wb.length && w.kind !== 'allOf') out.push(diff('SUM_TYPE_NARROWED', path));
    // Compatible pairs (writer branch → reader branch), then a maximum matching (augmenting paths).
    const ok = wb.map((wx, i) => rb.map((rx) => check(rx, r.scope, wx, w.scope, `${path}/${w.kind}/${i}`).length === 0));
    const matchOfReader = new Array<number>(rb.length).fill(-1);
    const augment = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < rb.length; j++) {
        if (!ok[i]![j] || seen[j]) continue;
        seen[j] = true;
        if (matchOfReader[j] === -1 || augment(matchOfReader[j]!, seen)) {
          matchOfReader[j] = i;
          return true;
        }
      }
      return false;
    };
    let matched = 0;
    for (let i = 0; i < wb.length; i++) if (augment(i, new Array<boolean>(rb.length).fill(false))) matched++;
    if (matched < Math.min(rb.length, wb.length)) out.push(diff('COMBINED_TYPE_SUBSCHEMAS_CHANGED', path));
    return out;
  };

  const checkPlain = (r0: Obj | false, rs: RefScope, w0: Obj | false, ws: RefScope, path: string): Incompatibility[] => {
    const out: Incompatibility[] = [];
    const add = (errorType: string, p: string) => out.push(diff(errorType, p));
    if (r0 === false) {
      if (w0 !== false) add('TYPE_NARROWED', path);
      return out;
    }
    if (w0 === false) return out; // the writer accepts nothing
    const r = r0;
    const w = w0;
    const walk = (rx: unknown, wx: unknown, p: string) => out.push(...check(rx, rs, wx, ws, p));
    const rt = typesOf(r);
    const wt = typesOf(w);
    const lost = wt.filter((t) => !rt.includes(t) && !(t === 'integer' && rt.includes('number')));
    if (lost.length > 0) {
      add(rt.some((t) => wt.includes(t) || (t === 'number' && wt.includes('integer')) || (t === 'integer' && wt.includes('number'))) ? 'TYPE_NARROWED' : 'TYPE_CHANGED', `${path}/type`);
      return out;
    }
    for (const k of NOT_COMPARED) {
      if (r[k] !== undefined && stableStringify(r[k]) !== stableStringify(w[k])) {
        out.push(diff('KEYWORD_NOT_COMPARED', `${path}/${k}`, `The keyword '${k}' at path '${path}/${k}' differs between the new and the old schema, and kafka-ts cannot compare it: reported incompatible`));
      }
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
    if (r.uniqueItems === true && w.uniqueItems !== true) add('UNIQUE_ITEMS_ADDED', `${path}/uniqueItems`);
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
      if (Array.isArray(r.items)) {
        if (stableStringify(r.items) !== stableStringify(w.items)) out.push(diff('KEYWORD_NOT_COMPARED', `${path}/items`, `The tuple 'items' at path '${path}/items' differs between the new and the old schema, and kafka-ts cannot compare it: reported incompatible`));
      } else if (r.items !== undefined) walk(r.items, Array.isArray(w.items) ? true : (w.items ?? true), `${path}/items`);
    }
    return out;
  };

  return check(reader, { root: reader, refs: readerRefs }, writer, { root: writer, refs: writerRefs }, '#');
}
