/**
 * The schema layer's API (parsing, canonical forms, compatibility), shared by the daemon's
 * registry and the console tools' schema formats. Pure: no I/O; the format libraries load on first use.
 */
import { parseAvro } from './avro.js';
import { parseJsonSchema } from './json-schema.js';
import { parseProtobuf } from './protobuf.js';
import type { ParsedSchema, ResolvedReference, SchemaType } from './types.js';

export * from './types.js';
export { COMPATIBILITY_LEVELS, checkCompatibility, isCompatibilityLevel, readIncompatibilities, type CompatibilityLevel, type CompatibilityResult, type PreviousVersion } from './compatibility.js';
export { protobufDescriptor, protobufIndexesOf, protobufMessageAt } from './protobuf.js';
export { stableStringify } from './canonical.js';

/**
 * Parses and validates a schema of a type; `refs` are the referenced schemas (by the name the
 * schema uses for them), dependencies first. Throws InvalidSchemaError.
 */
export function parseSchema(type: SchemaType, text: string, refs: readonly ResolvedReference[] = []): Promise<ParsedSchema> {
  switch (type) {
    case 'AVRO':
      return parseAvro(text, refs);
    case 'JSON':
      return parseJsonSchema(text, refs);
    case 'PROTOBUF':
      return parseProtobuf(text, refs);
  }
}
