#!/usr/bin/env node
// Generates src/protocol/apis/*.ts and src/protocol/data/*.ts from Apache Kafka's message
// definitions (the JSON files with `//` comment lines, see ../shared/kafka-protocol).
//
// Only the structure is carried over: field names, types, version ranges, tags and defaults.
// The generated files are committed, so the project builds and tests without the definitions.
//
// Usage: node scripts/gen-protocol.mjs <kafka-protocol-dir>
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = process.argv[2];
if (!srcDir) {
  console.error('usage: gen-protocol.mjs <kafka-protocol-dir>');
  process.exit(2);
}

/** API keys the project speaks (broker, client, or both). */
const API_KEYS = new Set([0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 35, 36, 37, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 55, 60, 61, 64, 65, 66, 75]);
/** Non-API payload formats: consumer protocol bytes and __consumer_offsets records. */
const DATA = [
  ['messages', 'ConsumerProtocolSubscription'],
  ['messages', 'ConsumerProtocolAssignment'],
  ['consumer-offsets', 'OffsetCommitKey'],
  ['consumer-offsets', 'OffsetCommitValue'],
  ['consumer-offsets', 'GroupMetadataKey'],
  ['consumer-offsets', 'GroupMetadataValue'],
];

const MAX = 0x7fff;

function load(file) {
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*\/\//.test(l))
    .join('\n');
  return JSON.parse(text);
}

function range(spec) {
  if (spec === undefined || spec === 'none') return null;
  if (spec.endsWith('+')) return [Number(spec.slice(0, -1)), MAX];
  const [a, b] = spec.split('-');
  return b === undefined ? [Number(a), Number(a)] : [Number(a), Number(b)];
}

const camel = (s) => s[0].toLowerCase() + s.slice(1);
const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const PRIMS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records']);

function parseDefault(type, raw, nullable) {
  if (typeof raw !== "string" && raw !== undefined) raw = String(raw);
  if (raw === undefined) return undefined;
  if (raw === 'null') return null;
  switch (type) {
    case 'bool':
      return raw === 'true';
    case 'string':
      return raw;
    case 'float64':
      return Number(raw);
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'int64':
      return raw.startsWith('0x') ? Number.parseInt(raw, 16) : Number(raw);
    default:
      return nullable ? null : undefined;
  }
}

function convertFields(fields, common) {
  return fields.map((f) => {
    const out = { name: camel(f.name) };
    let t = f.type;
    const isArray = t.startsWith('[]');
    if (isArray) t = t.slice(2);
    const versions = range(f.versions) ?? [1, 0];
    const nullable = range(f.nullableVersions);
    let sub = f.fields;
    if (!PRIMS.has(t) && !sub) {
      const c = common.get(t);
      if (!c) throw new Error(`unknown type ${f.type} for ${f.name}`);
      sub = c.fields;
    }
    if (isArray) {
      out.type = 'array';
      if (sub) out.fields = convertFields(sub, common);
      else out.items = t;
    } else if (sub) {
      out.type = 'struct';
      out.fields = convertFields(sub, common);
    } else {
      out.type = t;
    }
    out.versions = versions;
    if (nullable) out.nullable = nullable;
    if (f.tag !== undefined) {
      out.tag = f.tag;
      out.tagged = range(f.taggedVersions);
    }
    const d = parseDefault(isArray ? 'array' : t, f.default, !!nullable);
    if (d !== undefined) out.default = d;
    return out;
  });
}

function render(value, indent) {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value) && value.every((x) => typeof x === 'number')) {
    return `[${value.map((n) => (n === MAX ? 'MAX' : String(n))).join(', ')}]`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${pad}  ${render(v, indent + 1)},`).join('\n')}\n${pad}]`;
  }
  if (value && typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => `${k}: ${render(v, indent)}`);
    const oneLine = `{ ${parts.join(', ')} }`;
    if (!('fields' in value)) return oneLine;
    const head = Object.entries(value)
      .filter(([k]) => k !== 'fields')
      .map(([k, v]) => `${k}: ${render(v, indent)}`);
    return `{ ${head.join(', ')}, fields: ${render(value.fields, indent + 1)} }`;
  }
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(value);
}

const TS_TYPES = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'number', float64: 'number', string: 'string', bytes: 'Buffer', uuid: 'Buffer', records: 'Records',
};

const hasRecords = (fields) => fields.some((f) => f.type === 'records' || (f.fields && hasRecords(f.fields)));

/**
 * The head of a message interface. A message with a `records` field takes the field's type as a
 * parameter: decoded it is one buffer (the default); to encode, it may also be a list of batches
 * (RecordBatches), which the codec writes back to back without concatenating them.
 */
const typeHead = (name, fields) => (hasRecords(fields) ? `${name}<Records extends RecordBatches = Buffer | null>` : name);

/** The ApiDef type arguments: decoded request and response, then the encodable ones where they differ. */
function apiTypeArgs(name, request, response) {
  const args = [`${name}Request`, `${name}Response`];
  if (hasRecords(request) || hasRecords(response)) {
    args.push(hasRecords(request) ? `${name}Request<RecordBatches>` : `${name}Request`);
    if (hasRecords(response)) args.push(`${name}Response<RecordBatches>`);
  }
  return args.join(', ');
}

/**
 * A TypeScript type for a struct. Fields present in every version of the message are required;
 * the others are optional (decoding fills them with defaults, encoding may leave them out).
 */
function tsType(fields, [lo, hi], indent) {
  const pad = '  '.repeat(indent);
  const lines = fields.map((f) => {
    const always = f.versions[0] <= lo && f.versions[1] >= hi && f.tag === undefined;
    let t;
    // Nested fields are required when present whenever their parent is.
    const inner = [Math.max(lo, f.versions[0]), Math.min(hi, f.versions[1])];
    if (f.type === 'array') t = f.fields ? `Array<${tsType(f.fields, inner, indent + 1)}>` : `${TS_TYPES[f.items]}[]`;
    else if (f.type === 'struct') t = tsType(f.fields, inner, indent + 1);
    else t = TS_TYPES[f.type];
    if (f.nullable && !t.endsWith('| null')) t += ' | null';
    return `${pad}  ${f.name}${always ? '' : '?'}: ${t};`;
  });
  return `{\n${lines.join('\n')}\n${pad}}`;
}

/** Derives "which version added or dropped which field" from the field tables. */
function history(label, fields, [lo, hi], prefix = '') {
  const events = new Map();
  const add = (v, s) => {
    if (v < lo || v > hi) return;
    if (!events.has(v)) events.set(v, []);
    events.get(v).push(s);
  };
  const walk = (fs, path) => {
    for (const f of fs) {
      const name = path ? `${path}.${f.name}` : f.name;
      if (f.versions[0] > lo) add(f.versions[0], `+${name}`);
      if (f.versions[1] < hi && f.versions[1] >= lo) add(f.versions[1] + 1, `-${name}`);
      if (f.fields) walk(f.fields, name);
    }
  };
  walk(fields, prefix);
  return [...events.entries()].sort((a, b) => a[0] - b[0]).map(([v, list]) => `//   v${v} ${label}: ${list.join(' ')}`);
}

function fmtRange([a, b]) {
  return b === MAX ? `${a}+` : a === b ? `${a}` : `${a}-${b}`;
}

function commonMap(json) {
  return new Map((json.commonStructs ?? []).map((c) => [c.name, c]));
}

const apisDir = join(root, 'src/protocol/apis');
const dataDir = join(root, 'src/protocol/data');
rmSync(apisDir, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(apisDir, { recursive: true });
mkdirSync(dataDir, { recursive: true });

const msgDir = join(srcDir, 'messages');
const requests = readdirSync(msgDir).filter((f) => f.endsWith('Request.json'));
const index = [];
for (const file of requests) {
  const req = load(join(msgDir, file));
  if (req.type !== 'request' || !API_KEYS.has(req.apiKey)) continue;
  const res = load(join(msgDir, file.replace('Request.json', 'Response.json')));
  const name = req.name.replace(/Request$/, '');
  const versions = range(req.validVersions);
  const flexible = range(req.flexibleVersions);
  const request = convertFields(req.fields, commonMap(req));
  const response = convertFields(res.fields, commonMap(res));
  const id = String(req.apiKey).padStart(2, '0');
  const fileName = `${id}-${kebab(name)}`;
  const lines = [
    `// ${name} (API key ${req.apiKey}). Generated by scripts/gen-protocol.mjs; do not edit.`,
    `// Versions ${fmtRange(versions)}${flexible ? `, flexible from ${flexible[0]}` : ', never flexible'}.`,
    `// Field changes by version:`,
    ...history('request', request, versions),
    ...history('response', response, versions),
    hasRecords(request) || hasRecords(response)
      ? `import { MAX_VERSION as MAX, apiDef, type RecordBatches } from '../schema.js';`
      : `import { MAX_VERSION as MAX, apiDef } from '../schema.js';`,
    ``,
    `export interface ${typeHead(`${name}Request`, request)} ${tsType(request, versions, 0)}`,
    ``,
    `export interface ${typeHead(`${name}Response`, response)} ${tsType(response, versions, 0)}`,
    ``,
    // The field tables are functions: built on first use (apiDef in src/protocol/schema.ts).
    `export const ${name} = apiDef<${apiTypeArgs(name, request, response)}>(`,
    `  { key: ${req.apiKey}, name: '${name}', versions: ${render(versions, 1)}, flexible: ${flexible ? flexible[0] : 'null'} },`,
    `  () => ${render(request, 1)},`,
    `  () => ${render(response, 1)},`,
    `);`,
    ``,
  ];
  writeFileSync(join(apisDir, `${fileName}.ts`), lines.join('\n'));
  index.push({ key: req.apiKey, name, fileName });
}
index.sort((a, b) => a.key - b.key);
writeFileSync(
  join(apisDir, 'index.ts'),
  [
    '// Generated by scripts/gen-protocol.mjs; do not edit.',
    ...index.map((a) => `import { ${a.name} } from './${a.fileName}.js';`),
    ...index.map((a) => `export type { ${a.name}Request, ${a.name}Response } from './${a.fileName}.js';`),
    `import type { ApiDef } from '../schema.js';`,
    '',
    `export { ${index.map((a) => a.name).join(', ')} };`,
    '',
    '/** Every API the project has a schema for, by API key. */',
    'export const API_BY_KEY: ReadonlyMap<number, ApiDef> = new Map<number, ApiDef>([',
    ...index.map((a) => `  [${a.key}, ${a.name}],`),
    ']);',
    '',
  ].join('\n'),
);

const dataIndex = [];
for (const [dir, name] of DATA) {
  const json = load(join(srcDir, dir, `${name}.json`));
  const versions = range(json.validVersions);
  const flexible = range(json.flexibleVersions);
  const fields = convertFields(json.fields, commonMap(json));
  const fileName = kebab(name);
  const lines = [
    `// ${name}. Generated by scripts/gen-protocol.mjs; do not edit.`,
    `// Versions ${fmtRange(versions)}${flexible ? `, flexible from ${flexible[0]}` : ', never flexible'}.`,
    ...history('fields', fields, versions),
    `import { MAX_VERSION as MAX, type MessageDef } from '../schema.js';`,
    ``,
    `export interface ${name}Data ${tsType(fields, versions, 0)}`,
    ``,
    `export const ${name}: MessageDef<${name}Data> = {`,
    `  name: '${name}',`,
    `  versions: ${render(versions, 1)},`,
    `  flexible: ${flexible ? flexible[0] : 'null'},`,
    `  fields: ${render(fields, 1)},`,
    `};`,
    ``,
  ];
  writeFileSync(join(dataDir, `${fileName}.ts`), lines.join('\n'));
  dataIndex.push({ name, fileName });
}
writeFileSync(
  join(dataDir, 'index.ts'),
  ['// Generated by scripts/gen-protocol.mjs; do not edit.', ...dataIndex.map((d) => `export { ${d.name}, type ${d.name}Data } from './${d.fileName}.js';`), ''].join('\n'),
);
console.log(`generated ${index.length} APIs and ${dataIndex.length} data formats`);
