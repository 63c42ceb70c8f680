/**
 * Protobuf: .proto text (or, as Confluent's newer clients send it, a base64 FileDescriptorProto)
 * parsed with protobufjs; a printer that writes a Root back as normalised .proto text (the
 * canonical form, and the text returned for a descriptor); the file descriptor of a schema (the
 * registry's `format=serialized`); and Confluent's wire-level compatibility rules.
 */
import type { Enum, Field, Namespace, ReflectionObject, Root, Service, Type } from 'protobufjs';
import { InvalidSchemaError, type Incompatibility, type ParsedSchema, type ResolvedReference } from './types.js';

type Pb = typeof import('protobufjs');
let pb: Pb | null = null;
async function load(): Promise<Pb> {
  const m = (await import('protobufjs')) as Pb & { default?: Pb };
  return (pb ??= m.default ?? m);
}
type Descriptor = {
  FileDescriptorProto: { decode(b: Uint8Array): unknown; encode(m: unknown): { finish(): Uint8Array }; fromObject(o: object): unknown; toObject(m: unknown): object };
  FileDescriptorSet: { fromObject(o: object): unknown; toObject(m: unknown): { file?: { name?: string }[] } };
};
async function loadDescriptor(): Promise<Descriptor> {
  const m = (await import('protobufjs/ext/descriptor/index.js')) as Descriptor & { default?: Descriptor };
  return m.default ?? m;
}

const syntaxOf = (text: string) => /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(text)?.[1] ?? 'proto2';
/** .proto text has punctuation base64 never has. */
const looksLikeText = (s: string) => /[;{}"']/.test(s);

/**
 * Base64 FileDescriptorProto → .proto text (anything else is returned as it is). Its imports are
 * resolved from `refs` and the well-known types, and only its own definitions are printed.
 */
async function descriptorToText(text: string, refs: readonly ResolvedReference[] = [], keepCase = true): Promise<string> {
  const t = text.trim();
  if (looksLikeText(t) || !/^[A-Za-z0-9+/=\s]+$/.test(t) || t.length === 0) return text;
  const lib = await load();
  const d = await loadDescriptor();
  try {
    const file = d.FileDescriptorProto.decode(Buffer.from(t, 'base64'));
    type FileObj = { syntax?: string; dependency?: string[]; package?: string; messageType?: { name: string }[]; enumType?: { name: string }[]; service?: { name: string }[] };
    const fileObj = d.FileDescriptorProto.toObject(file) as FileObj;
    const files: object[] = [];
    const seen = new Set<string>();
    const addDependency = async (dep: string) => {
      if (seen.has(dep)) return;
      seen.add(dep);
      const ref = refs.find((r) => r.name === dep);
      const depRoot = new lib.Root();
      let syntax = 'proto3';
      if (ref) {
        const depText = await descriptorToText(ref.schema, refs);
        syntax = syntaxOf(depText);
        const parsed = lib.parse(depText, depRoot, { keepCase: true });
        for (const i of parsed.imports ?? []) await addDependency(i);
      } else {
        const common = (lib.common as unknown as { get(f: string): { nested?: object } | null }).get(dep);
        if (!common) return;
        depRoot.addJSON(common.nested as never);
      }
      const set = d.FileDescriptorSet.toObject((depRoot as unknown as { toDescriptor(s: string): unknown }).toDescriptor(syntax));
      files.push(...(set.file ?? []).map((f, i) => ({ ...f, name: `${dep}#${i}` })));
    };
    for (const dep of fileObj.dependency ?? []) await addDependency(dep);
    const set = d.FileDescriptorSet.fromObject({ file: [...files, { ...fileObj, dependency: [] }] });
    // keepCase: a field keeps its name (by_name), not its JSON name (byName).
    const root = (lib.Root as unknown as { fromDescriptor(s: unknown, o: object): Root }).fromDescriptor(set, { keepCase });
    root.resolveAll();
    const own = new Set([...(fileObj.messageType ?? []), ...(fileObj.enumType ?? []), ...(fileObj.service ?? [])].map((x) => x.name));
    return printProto(root, fileObj.package ?? '', fileObj.syntax || 'proto2', fileObj.dependency ?? [], own);
  } catch (e) {
    throw new InvalidSchemaError(`Not a .proto text nor a base64 FileDescriptorProto: ${(e as Error).message}`);
  }
}

export async function parseProtobuf(input: string, refs: readonly ResolvedReference[] = []): Promise<ParsedSchema> {
  const lib = await load();
  const text = await descriptorToText(input, refs);
  const opts = { keepCase: true, alternateCommentMode: false };
  let own;
  try {
    own = lib.parse(text, new lib.Root(), opts);
  } catch (e) {
    throw new InvalidSchemaError((e as Error).message);
  }
  const root = new lib.Root();
  const loaded = new Set<string>();
  const byName = new Map(refs.map((r) => [r.name, r.schema]));
  const addFile = async (name: string, source: string) => {
    if (loaded.has(name)) return;
    loaded.add(name);
    const parsed = lib.parse(await descriptorToText(source, refs), root, opts);
    for (const imp of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) await addImport(imp);
  };
  const addImport = async (imp: string) => {
    if (loaded.has(imp)) return;
    const src = byName.get(imp);
    if (src !== undefined) return addFile(imp, src);
    const common = (lib.common as unknown as { get(f: string): { nested?: object } | null }).get(imp);
    if (common) {
      loaded.add(imp);
      root.addJSON(common.nested as never);
      return;
    }
    throw new InvalidSchemaError(`Import "${imp}" is neither a reference of this schema nor a well-known type`);
  };
  try {
    await addFile('<schema>', text);
    root.resolveAll();
  } catch (e) {
    if (e instanceof InvalidSchemaError) throw e;
    throw new InvalidSchemaError((e as Error).message);
  }
  const imports = [...(own.imports ?? []), ...(own.weakImports ?? [])];
  // Printed from the resolved Root, type names fully qualified: `Address`, `demo.Address` and
  // `.demo.Address` (a descriptor's form) name one type, so one canonical form.
  let ownNs: Namespace = own.root;
  for (const part of own.package ? own.package.split('.') : []) ownNs = (ownNs.nested?.[part] as Namespace | undefined) ?? ownNs;
  const canonical = printProto(root, own.package ?? '', syntaxOf(text), imports, new Set(ownNs.nestedArray.map((o) => o.name)));
  const messages: string[] = [];
  const collect = (ns: Namespace) => {
    for (const o of ns.nestedArray) {
      if (o instanceof lib.Type) messages.push(o.fullName.replace(/^\./, ''));
      if (o instanceof lib.Namespace && !(o instanceof lib.Type)) collect(o);
    }
  };
  collect(own.root);
  const fromDescriptor = input.trim() !== text.trim();
  // kafka-ts until 2026-12-07 turned a descriptor's field names into their JSON names
  // (first_name became firstName) and stored that text: the same descriptor sent again must
  // still find the schema registered then.
  const legacyText = fromDescriptor ? await descriptorToText(input, refs, false) : text;
  const legacyCanonical = legacyText !== text ? (await parseProtobuf(legacyText, refs)).canonical : undefined;
  return { type: 'PROTOBUF', text: fromDescriptor ? canonical : text, canonical, normalized: canonical, protobuf: root, messages, ...(legacyCanonical !== undefined && legacyCanonical !== canonical && { legacyCanonical }) };
}

/**
 * The message a Confluent message-index path names in a schema ([] or [0]: the first top-level
 * message; [1, 0]: the first message nested in the second), or undefined.
 */
export function protobufMessageAt(schema: ParsedSchema, indexes: readonly number[]): Type | undefined {
  const path = indexes.length === 0 ? [0] : indexes;
  const first = schema.messages?.[path[0]!];
  let t = first === undefined ? undefined : schema.protobuf!.lookupType(first);
  for (const i of path.slice(1)) t = t?.nestedArray.filter(isType)[i];
  return t;
}

/** The message-index path of a message (by full name, with or without the leading dot), or undefined. */
export function protobufIndexesOf(schema: ParsedSchema, fullName: string): number[] | undefined {
  const name = fullName.replace(/^\./, '');
  const walk = (types: Type[], prefix: number[]): number[] | undefined => {
    for (const [i, t] of types.entries()) {
      if (t.fullName.replace(/^\./, '') === name) return [...prefix, i];
      const inner = walk(t.nestedArray.filter(isType), [...prefix, i]);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk((schema.messages ?? []).map((m) => schema.protobuf!.lookupType(m)), []);
}

/**
 * The file descriptor of a schema, base64 (Confluent's `format=serialized`): its own messages,
 * enums and services, with type names resolved against its imports (`refs`, well-known types).
 */
export async function protobufDescriptor(text: string, refs: readonly ResolvedReference[] = [], name = 'schema.proto'): Promise<string> {
  const lib = await load();
  const d = await loadDescriptor();
  const src = await descriptorToText(text, refs);
  const own = lib.parse(src, new lib.Root(), { keepCase: true });
  const pkg = own.package ?? '';
  let ns: Namespace = own.root;
  for (const part of pkg ? pkg.split('.') : []) ns = ns.nested![part] as Namespace;
  const mine = new Set(ns.nestedArray.filter((o) => !('nestedArray' in o) || isType(o) || isService(o) || isEnum(o)).map((o) => o.name));
  const parsed = await parseProtobuf(src, refs);
  const syntax = syntaxOf(src);
  const set = (parsed.protobuf as unknown as { toDescriptor(syntax: string): unknown }).toDescriptor(syntax);
  type FileObj = { package?: string; messageType?: { name: string }[]; enumType?: { name: string }[]; service?: { name: string }[] };
  const files = (d.FileDescriptorSet.toObject(set) as { file?: FileObj[] }).file ?? [];
  const file = files.find((f) => (f.package ?? '') === pkg) ?? {};
  const keep = <T extends { name: string }>(xs: T[] | undefined) => (xs ?? []).filter((x) => mine.has(x.name));
  qualifyTypeNames(lib, parsed.protobuf!, pkg, file as DescFile);
  const out = { ...file, name, package: pkg || undefined, syntax: syntax === 'proto3' ? 'proto3' : undefined, dependency: own.imports ?? [], messageType: keep(file.messageType), enumType: keep(file.enumType), service: keep(file.service) };
  return Buffer.from(d.FileDescriptorProto.encode(d.FileDescriptorProto.fromObject(out)).finish()).toString('base64');
}

type DescField = { name: string; typeName?: string };
type DescMessage = { name: string; field?: DescField[]; nestedType?: DescMessage[]; options?: { mapEntry?: boolean } };
type DescFile = { messageType?: DescMessage[]; service?: { name: string; method?: { inputType?: string; outputType?: string }[] }[] };

/**
 * Rewrites the type names of a descriptor's fields and methods as protoc writes them: fully
 * qualified with a leading dot (`.demo.Address`), resolved in the scope they were written in. A
 * reader resolves a bare or package-relative name against the file's own types only, so a type
 * imported from another package (or the same package in another file) would not be found.
 */
function qualifyTypeNames(lib: Pb, root: Root, pkg: string, file: DescFile): void {
  const resolve = (ns: Namespace, name: string | undefined): string | undefined => {
    if (!name || name.startsWith('.')) return name;
    const found = ns.lookup(name, [lib.Type, lib.Enum]);
    return found ? found.fullName : name;
  };
  const scopeOf = (path: string, fallback: Namespace): Namespace => {
    const o = path === '' ? root : root.lookup(path);
    return o && 'nestedArray' in o ? (o as Namespace) : fallback;
  };
  const top = scopeOf(pkg, root);
  const walk = (msgs: DescMessage[] | undefined, path: string, parent: Namespace) => {
    for (const m of msgs ?? []) {
      const full = path ? `${path}.${m.name}` : m.name;
      // A map's entry message is no type of the Root: its names resolve in the message holding the map.
      const ns = scopeOf(full, parent);
      // protoc names a map's entry message after the field (`my_map` → MyMapEntry); protobufjs does not.
      for (const entry of (m.nestedType ?? []).filter((n) => n.options?.mapEntry)) {
        const f = (m.field ?? []).find((x) => x.typeName === entry.name);
        if (!f) continue;
        entry.name = `${f.name.replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/_/g, '')}Entry`;
        f.typeName = `.${full}.${entry.name}`;
      }
      for (const f of m.field ?? []) f.typeName = resolve(ns, f.typeName);
      walk(m.nestedType, full, ns);
    }
  };
  walk(file.messageType, pkg, top);
  for (const svc of file.service ?? []) {
    const ns = scopeOf(pkg ? `${pkg}.${svc.name}` : svc.name, top);
    for (const meth of svc.method ?? []) {
      meth.inputType = resolve(ns, meth.inputType);
      meth.outputType = resolve(ns, meth.outputType);
    }
  }
}

// ---- printing ----

function printProto(root: Root, pkg: string, syntax: string, imports: readonly string[], only?: ReadonlySet<string>): string {
  const lines: string[] = [`syntax = "${syntax}";`];
  if (pkg) lines.push(`package ${pkg};`);
  for (const i of imports) lines.push(`import "${i}";`);
  let ns: Namespace = root;
  for (const part of pkg ? pkg.split('.') : []) {
    const next = ns.nested?.[part];
    if (!next) break;
    ns = next as Namespace;
  }
  for (const o of ns.nestedArray) if (!only || only.has(o.name)) printObject(o, '', lines);
  return `${lines.join('\n')}\n`;
}

const isType = (o: ReflectionObject): o is Type => 'fieldsArray' in o;
const isEnum = (o: ReflectionObject): o is Enum => 'values' in o && !('fieldsArray' in o);
const isService = (o: ReflectionObject): o is Service => 'methodsArray' in o;

function fieldLine(f: Field, inOneof: boolean): string {
  const m = f as Field & { keyType?: string; map?: boolean };
  const opts = f.options as Record<string, unknown> | undefined;
  const label = m.map || inOneof ? '' : f.repeated ? 'repeated ' : f.required ? 'required ' : opts?.proto3_optional || (f.optional && f.rule === 'optional') ? 'optional ' : '';
  // The resolved type's full name (without the leading dot) when known: one spelling per type.
  const named = f.resolvedType ? f.resolvedType.fullName.replace(/^\./, '') : f.type;
  const type = m.map ? `map<${m.keyType}, ${named}>` : named;
  const extra = Object.entries(opts ?? {}).filter(([k]) => k !== 'proto3_optional' && k !== 'packed');
  return `${label}${type} ${f.name} = ${f.id}${extra.length ? ` [${extra.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}]` : ''};`;
}

function printObject(o: ReflectionObject, indent: string, lines: string[]): void {
  if (isType(o)) {
    lines.push(`${indent}message ${o.name} {`);
    const inner = `${indent}  `;
    const oneofs = o.oneofsArray.filter((x) => !(x.fieldsArray.length === 1 && (x.fieldsArray[0]!.options as Record<string, unknown> | undefined)?.proto3_optional));
    const inOneof = new Set(oneofs.flatMap((x) => x.fieldsArray));
    for (const f of o.fieldsArray) if (!inOneof.has(f)) lines.push(`${inner}${fieldLine(f, false)}`);
    for (const x of oneofs) {
      lines.push(`${inner}oneof ${x.name} {`);
      for (const f of x.fieldsArray) lines.push(`${inner}  ${fieldLine(f, true)}`);
      lines.push(`${inner}}`);
    }
    for (const r of o.reserved ?? []) lines.push(`${inner}reserved ${typeof r === 'string' ? JSON.stringify(r) : r[0] === r[1] ? r[0] : `${r[0]} to ${r[1]}`};`);
    for (const n of o.nestedArray) printObject(n, inner, lines);
    lines.push(`${indent}}`);
  } else if (isEnum(o)) {
    lines.push(`${indent}enum ${o.name} {`);
    for (const [k, v] of Object.entries(o.values)) lines.push(`${indent}  ${k} = ${v};`);
    lines.push(`${indent}}`);
  } else if (isService(o)) {
    lines.push(`${indent}service ${o.name} {`);
    const full = (t: Type | null | undefined, written: string) => (t ? t.fullName.replace(/^\./, '') : written);
    for (const m of o.methodsArray) lines.push(`${indent}  rpc ${m.name} (${m.requestStream ? 'stream ' : ''}${full(m.resolvedRequestType, m.requestType)}) returns (${m.responseStream ? 'stream ' : ''}${full(m.resolvedResponseType, m.responseType)});`);
    lines.push(`${indent}}`);
  } else if ('nestedArray' in o) {
    for (const n of (o as Namespace).nestedArray) printObject(n, indent, lines);
  }
}

// ---- compatibility ----

const GROUPS = [['int32', 'uint32', 'int64', 'uint64', 'bool'], ['sint32', 'sint64'], ['fixed32', 'sfixed32'], ['fixed64', 'sfixed64'], ['string', 'bytes']];
const SCALARS = new Set(GROUPS.flat().concat(['double', 'float']));

/** Every wire-level reason data of one version cannot be read by the other (symmetric, as Confluent's rules). */
export function protobufIncompatibilities(newer: ParsedSchema, older: ParsedSchema): Incompatibility[] {
  const out: Incompatibility[] = [];
  const add = (errorType: string, path: string) => out.push({ errorType, description: `Found incompatible change: Difference{fullPath='${path}', type=${errorType}}`, additionalInfo: path });
  const pkgOf = (s: ParsedSchema) => /^\s*package\s+([\w.]+)\s*;/m.exec(s.canonical)?.[1] ?? '';
  if (pkgOf(newer) !== pkgOf(older)) add('PACKAGE_CHANGED', '#/');
  const types = (s: ParsedSchema) => {
    const m = new Map<string, Type>();
    const walk = (ns: Namespace) => {
      for (const o of ns.nestedArray) {
        if (isType(o)) m.set(o.fullName, o);
        if ('nestedArray' in o) walk(o as Namespace);
      }
    };
    walk(s.protobuf!);
    return m;
  };
  const nt = types(newer);
  const ot = types(older);
  const ownNames = new Set(older.messages ?? []);
  for (const [name, o] of ot) {
    const path = `#/${name.replace(/^\./, '')}`;
    const n = nt.get(name);
    if (!n) {
      if ([...ownNames].some((own) => name.replace(/^\./, '').startsWith(own))) add('MESSAGE_REMOVED', path);
      continue;
    }
    const oneofOf = (f: Field) => (f.partOf && !(f.options as Record<string, unknown> | undefined)?.proto3_optional ? f.partOf.name : null);
    for (const of of o.fieldsArray) {
      const nf = n.fieldsById[of.id];
      const fpath = `${path}/${of.id}`;
      if (!nf) {
        if (of.required) add('REQUIRED_FIELD_REMOVED', fpath);
        if (oneofOf(of)) add('ONEOF_FIELD_REMOVED', fpath);
        continue;
      }
      const oKind = of.resolvedType ? (isEnum(of.resolvedType) ? 'enum' : 'message') : 'scalar';
      const nKind = nf.resolvedType ? (isEnum(nf.resolvedType) ? 'enum' : 'message') : 'scalar';
      if ((of as Field & { map?: boolean }).map !== (nf as Field & { map?: boolean }).map) add('FIELD_KIND_CHANGED', fpath);
      else if (oKind === 'scalar' && nKind === 'scalar') {
        if (of.type !== nf.type && !GROUPS.some((g) => g.includes(of.type) && g.includes(nf.type)) && SCALARS.has(of.type)) add('FIELD_SCALAR_KIND_CHANGED', fpath);
      } else if (oKind === 'enum' && nKind === 'scalar' && GROUPS[0]!.includes(nf.type)) {
        /* enums are varints on the wire */
      } else if (oKind === 'scalar' && nKind === 'enum' && GROUPS[0]!.includes(of.type)) {
        /* likewise */
      } else if (oKind !== nKind) add('FIELD_KIND_CHANGED', fpath);
      else if (of.resolvedType!.fullName !== nf.resolvedType!.fullName) add('FIELD_NAMED_TYPE_CHANGED', fpath);
      if (of.required !== nf.required && nf.required) add('REQUIRED_FIELD_ADDED', fpath);
      if (oneofOf(of) && !oneofOf(nf)) add('ONEOF_FIELD_REMOVED', fpath);
      if (!oneofOf(of) && oneofOf(nf)) {
        const existing = o.oneofsArray.some((x) => x.name === oneofOf(nf));
        if (existing) add('FIELD_MOVED_TO_EXISTING_ONEOF', fpath);
      }
    }
    for (const nf of n.fieldsArray) if (!o.fieldsById[nf.id] && nf.required) add('REQUIRED_FIELD_ADDED', `${path}/${nf.id}`);
  }
  return out;
}
