/**
 * Compatibility levels as Confluent's registry applies them: BACKWARD (the new schema reads data
 * written with the previous one), FORWARD (the previous schema reads the new one's data), FULL
 * (both); the _TRANSITIVE forms check against every earlier version instead of the latest only.
 */
import { avroIncompatibilities } from './avro.js';
import { jsonIncompatibilities } from './json-schema.js';
import { protobufIncompatibilities } from './protobuf.js';
import type { Incompatibility, ParsedSchema } from './types.js';

export const COMPATIBILITY_LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function isCompatibilityLevel(s: unknown): s is CompatibilityLevel {
  return typeof s === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(s);
}

/** Why data written with `writer` cannot be read with `reader` (both of one type). */
export function readIncompatibilities(reader: ParsedSchema, writer: ParsedSchema, newIsReader: boolean): Incompatibility[] {
  if (reader.type !== writer.type) return [{ errorType: 'TYPE_MISMATCH', description: `The schema type changed from ${writer.type} to ${reader.type}` }];
  switch (reader.type) {
    case 'AVRO':
      return avroIncompatibilities(reader.avro!, writer.avro!, newIsReader);
    case 'JSON':
      return jsonIncompatibilities(reader.json!.schema, writer.json!.schema, reader.json!.refs, writer.json!.refs);
    case 'PROTOBUF':
      return newIsReader ? protobufIncompatibilities(reader, writer) : protobufIncompatibilities(writer, reader);
  }
}

export interface PreviousVersion {
  version: number;
  schema: ParsedSchema;
}

export interface CompatibilityResult {
  compatible: boolean;
  /** Confluent's verbose messages: each incompatibility, then the version, schema and level it was checked against. */
  messages: string[];
}

/** Confluent writes these lists without escaping quotes; so do we. */
const quote = (s: string) => s;
const incompatibilityMessage = (i: Incompatibility) => `{errorType:'${i.errorType}', description:'${quote(i.description)}', additionalInfo:'${quote(i.additionalInfo ?? '')}'}`;

/**
 * Checks `candidate` against the subject's live versions (oldest first) at `level`. Non-transitive
 * levels look at the latest version only; transitive ones at all, newest first, stopping at the first failure.
 */
export function checkCompatibility(level: CompatibilityLevel, candidate: ParsedSchema, previous: readonly PreviousVersion[]): CompatibilityResult {
  if (level === 'NONE' || previous.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const base = level.replace('_TRANSITIVE', '');
  const against = transitive ? [...previous].reverse() : [previous[previous.length - 1]!];
  for (const p of against) {
    const found: Incompatibility[] = [];
    if (base === 'BACKWARD' || base === 'FULL') found.push(...readIncompatibilities(candidate, p.schema, true));
    if (base === 'FORWARD' || base === 'FULL') found.push(...readIncompatibilities(p.schema, candidate, false));
    if (found.length > 0) {
      return {
        compatible: false,
        messages: [...found.map(incompatibilityMessage), `{oldSchemaVersion: ${p.version}}`, `{oldSchema: '${quote(p.schema.text)}'}`, `{compatibility: '${level}'}`],
      };
    }
  }
  return { compatible: true, messages: [] };
}
