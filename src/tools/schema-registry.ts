/**
 * kafka-ts schema-registry: what each verb does against a Confluent-compatible registry, as data
 * (the --output json document) and text lines. Never prints or exits; an incompatible schema is
 * an outcome (`incompatible`), not an error, so its reasons are printed like any result.
 */
import type { SchemaInput, SchemaReference, SchemaRegistryClient, SchemaType, SubjectVersion } from '../client/schema-registry.js';
import { NotFoundError, UsageError, isKafkaTsError } from '../util/errors.js';

export interface Report {
  data: unknown;
  lines: string[];
  incompatible?: boolean;
}

/** A version argument: a positive number or latest (and `all` where a check allows it). */
export function parseVersion(v: string | undefined, allowAll = false): number | 'latest' | 'all' | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === 'latest' || t === '-1') return 'latest';
  if (allowAll && t === 'all') return 'all';
  if (/^\d+$/.test(t) && Number(t) >= 1) return Number(t);
  throw new UsageError(`Invalid version '${v}': expected a version number (1, 2, …) or latest${allowAll ? ' or all' : ''}`);
}

/** The schema type from --schema-type, else from the file name (.avsc, .json, .proto), else AVRO. */
export function schemaTypeOf(given: string | undefined, file: string): SchemaType {
  if (given !== undefined) {
    const t = given.toUpperCase() === 'JSON-SCHEMA' || given.toUpperCase() === 'JSONSCHEMA' ? 'JSON' : given.toUpperCase();
    if (t !== 'AVRO' && t !== 'JSON' && t !== 'PROTOBUF') throw new UsageError(`Unknown schema type '${given}' (expected AVRO, JSON or PROTOBUF)`);
    return t;
  }
  if (/\.proto$/i.test(file)) return 'PROTOBUF';
  if (/\.json$/i.test(file)) return 'JSON';
  return 'AVRO';
}

export async function listSubjects(c: SchemaRegistryClient, deleted: boolean): Promise<Report> {
  const subjects = (await c.subjects(deleted)).sort();
  return { data: { subjects }, lines: subjects };
}

export async function listVersions(c: SchemaRegistryClient, subject: string): Promise<Report> {
  const versions = await c.versions(subject);
  return { data: { subject, versions }, lines: versions.map(String) };
}

function pretty(s: { schema: string; schemaType: SchemaType }): string {
  if (s.schemaType === 'PROTOBUF') return s.schema.replace(/\n$/, '');
  try {
    return JSON.stringify(JSON.parse(s.schema), null, 2);
  } catch {
    return s.schema;
  }
}

const refsText = (refs: SchemaReference[]) => (refs.length ? [`References: ${refs.map((r) => `${r.name} (${r.subject} version ${r.version})`).join(', ')}`] : []);

export async function getSchema(c: SchemaRegistryClient, subject: string | undefined, version: number | 'latest', id: number | undefined): Promise<Report> {
  if (id !== undefined) {
    const s = await c.schemaById(id);
    return { data: s, lines: [`Schema id ${id} (${s.schemaType})`, ...refsText(s.references), pretty(s)] };
  }
  const v: SubjectVersion = await c.version(subject!, version);
  return { data: v, lines: [`Subject ${v.subject} version ${v.version}, schema id ${v.id} (${v.schemaType})`, ...refsText(v.references), pretty(v)] };
}

export async function register(c: SchemaRegistryClient, subject: string, input: SchemaInput, normalize: boolean): Promise<Report> {
  const id = await c.register(subject, input, normalize);
  let version: number | null = null;
  try {
    version = (await c.lookup(subject, input)).version;
  } catch {
    // Some registries cannot look a schema up; the id is what matters.
  }
  return { data: { subject, id, version }, lines: [`Registered schema id ${id} under subject ${subject}${version !== null ? ` as version ${version}` : ''}`] };
}

/** What a compatibility check under `level` compares a schema with (as a registration does). */
function levelScope(level: string | undefined): string {
  if (level === undefined) return "the versions its compatibility level names";
  if (level === 'NONE') return 'nothing (level NONE)';
  return `${level.endsWith('_TRANSITIVE') ? 'every version' : 'the latest version'} (level ${level})`;
}

/**
 * check: no version asks exactly what a registration checks (the subject's level decides against
 * which versions); `all` asks about each version in turn; `latest` or N that version alone.
 */
export async function check(c: SchemaRegistryClient, subject: string, version: number | 'latest' | 'all' | undefined, input: SchemaInput): Promise<Report> {
  // The level only words the report; a registry that does not tell it still answers the check.
  const level = await c.getCompatibility(subject).catch(() => undefined);
  let r = { compatible: true, messages: [] as string[] };
  let against: string;
  let checked: number[] | null = null;
  try {
    if (version === 'all') {
      checked = await c.versions(subject).catch((e: unknown) => {
        if (isKafkaTsError(e) && e.kind === 'not_found') return [];
        throw e;
      });
      for (const v of checked) {
        const one = await c.checkCompatibility(subject, v, input);
        if (!one.compatible) r = { compatible: false, messages: [...r.messages, ...(one.messages.length ? one.messages : [`(version ${v}: the registry gave no reason)`])] };
      }
      const rules = level === undefined ? '' : level === 'NONE' ? ' under level NONE (no rule to break)' : ` under ${level.replace('_TRANSITIVE', '')} rules`;
      against = checked.length === 0 ? `subject ${subject}: it has no versions` : `every version of subject ${subject} (${checked.join(', ')})${rules}`;
    } else if (version === undefined) {
      r = await c.checkCompatibility(subject, undefined, input);
      against = `subject ${subject}: checked against ${levelScope(level)}, as register checks`;
    } else {
      r = await c.checkCompatibility(subject, version, input);
      against = `subject ${subject} version ${version}${level === undefined ? '' : ` (level ${level})`}`;
    }
  } catch (e) {
    if (!isKafkaTsError(e) || e.kind !== 'not_found') throw e;
    // An older registry (Confluent's before mid-2020) answers 40401 for a subject without versions
    // where later ones answer compatible (the schema would be its version 1): asked, the subject
    // says which. A probe refused for another reason (401, 403, 5xx) reports that reason.
    if (version === undefined || version === 'latest') {
      const none = await c.versions(subject).then(
        (v) => v.length === 0,
        (x: unknown) => {
          if (isKafkaTsError(x) && x.kind === 'not_found') return true;
          throw x;
        },
      );
      if (none) {
        r = { compatible: true, messages: [] };
        against = `subject ${subject}: it has no versions`;
      } else throw new NotFoundError(`Cannot check against subject ${subject}${version === 'latest' ? ' version latest' : ''}: ${e.message}`);
    } else throw new NotFoundError(`Cannot check against subject ${subject}${typeof version === 'number' ? ` version ${version}` : ''}: ${e.message}`);
  }
  const lines = r.compatible ? [`The schema is compatible with ${against}`] : [`The schema is INCOMPATIBLE with ${against}:`, ...(r.messages.length ? r.messages : ['(the registry gave no reason)']).map((m) => `  ${m}`)];
  return { data: { subject, version: version ?? null, level: level ?? null, ...(checked && { versions: checked }), compatible: r.compatible, messages: r.messages }, lines, incompatible: !r.compatible };
}

export async function compatibility(c: SchemaRegistryClient, subject: string | undefined, set: string | undefined): Promise<Report> {
  const level = set === undefined ? await c.getCompatibility(subject) : await c.setCompatibility(set, subject);
  const of = subject === undefined ? 'global' : `subject ${subject}`;
  return { data: { subject: subject ?? null, compatibility: level }, lines: [set === undefined ? `Compatibility level (${of}): ${level}` : `Compatibility level (${of}) set to ${level}`] };
}

export async function remove(c: SchemaRegistryClient, subject: string, version: number | 'latest' | undefined, permanent: boolean): Promise<Report> {
  const versions = version === undefined ? await c.deleteSubject(subject, permanent) : [await c.deleteVersion(subject, version, permanent)];
  const how = permanent ? 'Permanently deleted' : 'Deleted';
  return {
    data: { subject, versions, permanent },
    lines: [`${how} ${version === undefined ? `subject ${subject} (version${versions.length === 1 ? '' : 's'} ${versions.join(', ')})` : `version ${versions[0]} of subject ${subject}`}`],
  };
}

export async function types(c: SchemaRegistryClient): Promise<Report> {
  const t = await c.request<string[]>('GET', '/schemas/types');
  return { data: { types: t }, lines: t };
}
