/**
 * The schema layer: parsing, normalising and compatibility checks of the three schema types a
 * Confluent-style registry stores (AVRO, JSON, PROTOBUF). Pure: no I/O; the format libraries
 * (avsc, ajv, protobufjs) are loaded lazily on first use so no CLI or daemon start-up pays for them.
 */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

/** A reference as a registry stores it: the name the schema imports it by, and where it lives. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A referenced schema's text, resolved; `refs` lists every schema it needs (dependencies first). */
export interface ResolvedReference {
  name: string;
  schema: string;
}

/** A schema that parsed: its type, the text a registry returns, its canonical form (equal for the same schema), and the format library's handle. */
export interface ParsedSchema {
  type: SchemaType;
  /** The schema as stored and returned (JSON minified; Protobuf as .proto text). */
  text: string;
  /** Equal for two registrations of the same schema (whitespace, key order, comments ignored). */
  canonical: string;
  /** The text registered with normalize=true: the canonical form, written in a fixed layout. */
  normalized?: string;
  /**
   * The canonical form an earlier kafka-ts gave this schema, when it differs (a Protobuf
   * descriptor whose field names it changed): a stored schema with that form is this one.
   */
  legacyCanonical?: string;
  /** AVRO: the avsc Type (references registered before it). */
  avro?: import('avsc').Type;
  /** JSON: the parsed schema document and an ajv validator for it. */
  json?: { schema: unknown; refs?: Readonly<Record<string, unknown>>; validate: (value: unknown) => boolean; errors: () => string };
  /** PROTOBUF: the protobufjs Root holding the schema (and its imports), resolved. */
  protobuf?: import('protobufjs').Root;
  /** PROTOBUF: the top-level messages' full names in declaration order (Confluent's message index 0 is the first); nested ones via protobufMessageAt. */
  messages?: string[];
}

/** A schema that does not parse, or breaks its type's rules (Confluent's 42201). */
export class InvalidSchemaError extends Error {
  override name = 'InvalidSchemaError';
}

/** One incompatibility, as Confluent lists them. */
export interface Incompatibility {
  errorType: string;
  description: string;
  additionalInfo?: string;
}

export function schemaTypeOf(value: string | undefined | null): SchemaType | null {
  const t = (value ?? 'AVRO').toUpperCase();
  return (SCHEMA_TYPES as readonly string[]).includes(t) ? (t as SchemaType) : null;
}
