/**
 * The records of the `_schemas` topic in Confluent Schema Registry's layout: JSON keys naming
 * what a record is about ({"keytype":"SCHEMA","subject":…,"version":…,"magic":1}, CONFIG, MODE,
 * DELETE_SUBJECT) and JSON values; a null value (tombstone) removes what the key names, which is
 * how compaction forgets a permanently deleted version.
 */
import type { SchemaReference, SchemaType } from '../../schema/types.js';

export const SCHEMAS_TOPIC = '_schemas';

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  schema: string;
  references?: SchemaReference[];
  deleted: boolean;
}

/** A CONFIG record's value, as Confluent's: a level, whether to normalize, or both. */
export interface ConfigValue {
  compatibilityLevel?: string;
  normalize?: boolean;
}

export type RegistryRecord =
  | { keytype: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  | { keytype: 'CONFIG'; subject: string | null; value: ConfigValue | null }
  | { keytype: 'MODE'; subject: string | null; value: { mode: string } | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string; value: { subject: string; version: number } | null }
  | { keytype: 'NOOP' };

export interface RawRecord {
  key: Buffer;
  value: Buffer | null;
}

export function encodeRecord(r: RegistryRecord): RawRecord {
  const value = (v: object | null) => (v === null ? null : Buffer.from(JSON.stringify(v)));
  switch (r.keytype) {
    case 'SCHEMA':
      return { key: Buffer.from(JSON.stringify({ keytype: 'SCHEMA', subject: r.subject, version: r.version, magic: 1 })), value: value(r.value) };
    case 'CONFIG':
    case 'MODE':
    case 'DELETE_SUBJECT':
      return { key: Buffer.from(JSON.stringify({ keytype: r.keytype, subject: r.subject, magic: 0 })), value: value(r.value) };
    default:
      return { key: Buffer.from(JSON.stringify({ keytype: 'NOOP', magic: 0 })), value: null };
  }
}

/** Decodes one record; null for what is not a registry record (a stray write to the topic). */
export function decodeRecord(raw: RawRecord): RegistryRecord | null {
  let key: { keytype?: unknown; subject?: unknown; version?: unknown };
  let value: unknown = null;
  try {
    key = JSON.parse(raw.key.toString('utf8')) as typeof key;
    if (raw.value) value = JSON.parse(raw.value.toString('utf8'));
  } catch {
    return null;
  }
  if (!key || typeof key !== 'object') return null;
  const subject = typeof key.subject === 'string' ? key.subject : null;
  switch (key.keytype) {
    case 'SCHEMA': {
      if (subject === null || typeof key.version !== 'number') return null;
      const v = value as SchemaValue | null;
      if (v !== null && (typeof v.id !== 'number' || typeof v.schema !== 'string')) return null;
      return { keytype: 'SCHEMA', subject, version: key.version, value: v };
    }
    case 'CONFIG':
      return { keytype: 'CONFIG', subject, value: value as ConfigValue | null };
    case 'MODE':
      return { keytype: 'MODE', subject, value: value as { mode: string } | null };
    case 'DELETE_SUBJECT':
      return subject === null ? null : { keytype: 'DELETE_SUBJECT', subject, value: value as { subject: string; version: number } | null };
    case 'NOOP':
      return { keytype: 'NOOP' };
    default:
      return null;
  }
}
