/**
 * The console tools' schema settings, as Confluent's kafka-avro-console-producer / -consumer
 * take them: `--value-format avro|json-schema|protobuf` (and `--key-format`), `--property
 * value.schema=…` / `value.schema.file=…` / `value.schema.id=…` (and key.*),
 * `schema.registry.url`, `auto.register.schemas`, basic or bearer auth properties. Subjects
 * follow TopicNameStrategy: `<topic>-value`, `<topic>-key`.
 */
import { readFileSync } from 'node:fs';
import type { RegistryClientOptions, SchemaReference, SchemaType } from '../../client/schema-registry.js';
import { UsageError } from '../../util/errors.js';
import type { SideKey } from './keys.js';

export const SCHEMA_FORMATS = ['avro', 'json-schema', 'protobuf'] as const;
export type SchemaFormat = (typeof SCHEMA_FORMATS)[number];
/** The --key-format / --value-format choices: the schema formats, and string (the bytes as they are). */
export const FORMAT_CHOICES = ['string', ...SCHEMA_FORMATS] as const;

export const TYPE_OF_FORMAT: Record<SchemaFormat, SchemaType> = { avro: 'AVRO', 'json-schema': 'JSON', protobuf: 'PROTOBUF' };

/** A format option's value: a schema format, or undefined for plain bytes. */
export function schemaFormat(name: string | undefined, option: string): SchemaFormat | undefined {
  if (name === undefined || name === 'string') return undefined;
  const n = name.toLowerCase() === 'json' ? 'json-schema' : name.toLowerCase();
  if (!(SCHEMA_FORMATS as readonly string[]).includes(n)) throw new UsageError(`Unknown ${option} '${name}' (expected ${FORMAT_CHOICES.join(', ')})`);
  return n as SchemaFormat;
}

export interface SideSpec {
  side: 'key' | 'value';
  format: SchemaFormat;
  subject: string;
  /** The schema text (value.schema or the contents of value.schema.file). */
  schema?: string;
  schemaId?: number;
  references: SchemaReference[];
  /** Protobuf: the message to write (value.schema.message); the file's first by default. */
  message?: string;
}

/** What one side (key or value) of a producer writes with, from the reader properties. */
export function sideSpec(side: 'key' | 'value', format: SchemaFormat, topic: string, props: Record<string, string>): SideSpec {
  const prop = (key: SideKey): string | undefined => props[`${side}.${key}`];
  const text = prop('schema');
  const file = prop('schema.file');
  const idText = prop('schema.id');
  const given = [text, file, idText].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError(`Give one of ${side}.schema, ${side}.schema.file and ${side}.schema.id`);
  const spec: SideSpec = { side, format, subject: `${topic}-${side}`, references: [] };
  const strategy = prop('subject.name.strategy');
  if (strategy !== undefined && !/TopicNameStrategy$/.test(strategy)) throw new UsageError(`${side}.subject.name.strategy ${strategy} is not supported (only TopicNameStrategy: the subject is <topic>-${side})`);
  if (text !== undefined) spec.schema = text;
  if (file !== undefined) spec.schema = readText(file, `${side}.schema.file`);
  if (idText !== undefined) {
    if (!/^\s*\d+\s*$/.test(idText)) throw new UsageError(`Invalid value ${idText} for ${side}.schema.id: expected a schema id (a non-negative integer)`);
    spec.schemaId = Number(idText);
  }
  const refs = prop('refs') ?? prop('schema.refs');
  if (refs !== undefined) spec.references = parseReferences(refs, `${side}.refs`);
  const message = prop('schema.message');
  if (message !== undefined) spec.message = message;
  return spec;
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Schema references as Confluent's tools take them: a JSON list of {"name","subject","version"}. */
export function parseReferences(text: string, what: string): SchemaReference[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not JSON: ${(e as Error).message}`);
  }
  const ok = (r: unknown): r is SchemaReference =>
    typeof r === 'object' && r !== null && typeof (r as SchemaReference).name === 'string' && typeof (r as SchemaReference).subject === 'string' && Number.isInteger((r as SchemaReference).version);
  if (!Array.isArray(v) || !v.every(ok)) throw new UsageError(`${what} must be a JSON list of {"name":…,"subject":…,"version":N}`);
  return v;
}

/**
 * The registry's address and credentials from Confluent's client properties (a URL's own
 * user:pass counts as basic.auth.credentials.source=URL). `url` stays undefined when none is set.
 */
export function registryProperties(props: Record<string, string>): Partial<RegistryClientOptions> {
  const out: Partial<RegistryClientOptions> = {};
  let url = props['schema.registry.url'];
  if (url !== undefined) {
    url = url.split(',')[0]!.trim();
    try {
      const u = new URL(url);
      if (u.username) {
        out.basicAuth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
        u.username = '';
        u.password = '';
      }
      out.url = u.toString().replace(/\/$/, '');
    } catch {
      throw new UsageError(`Invalid schema.registry.url ${url}`);
    }
  }
  const source = (props['basic.auth.credentials.source'] ?? props['schema.registry.basic.auth.credentials.source'] ?? 'USER_INFO').toUpperCase();
  const info = props['basic.auth.user.info'] ?? props['schema.registry.basic.auth.user.info'];
  if (info !== undefined && (source === 'USER_INFO' || source === 'SASL_INHERIT')) out.basicAuth = info;
  const token = props['bearer.auth.token'];
  if (token !== undefined) out.bearerToken = token;
  return out;
}
