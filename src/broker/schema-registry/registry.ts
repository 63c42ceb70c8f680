/**
 * The registry's state and operations, as Confluent Schema Registry keeps them: subjects with
 * numbered versions, each pointing at a global schema id (the same schema gets the same id in
 * every subject; ids are never reused), soft and permanent deletes, compatibility levels and modes
 * globally and per subject. Every change is first written to `_schemas` (acks=all) and applied
 * once written; on start the state is rebuilt by replaying the topic. Changes run one at a time.
 */
import { checkCompatibility, isCompatibilityLevel, parseSchema, schemaTypeOf, InvalidSchemaError, type CompatibilityLevel, type ParsedSchema, type ResolvedReference, type SchemaReference, type SchemaType } from '../../schema/index.js';
import type { Logger } from '../../util/logger.js';
import * as E from './errors.js';
import type { SchemasLog } from './kafka-log.js';
import { decodeRecord, encodeRecord, type ConfigValue, type RegistryRecord, type SchemaValue } from './records.js';

interface StoredSchema {
  id: number;
  type: SchemaType;
  text: string;
  references: SchemaReference[];
  parsed?: Promise<ParsedSchema>;
  /** canonKey of the schema, once parsed. */
  key?: string;
}

interface VersionEntry {
  version: number;
  id: number;
  deleted: boolean;
}

/** The body of a register, lookup or compatibility request. */
export interface SchemaRequest {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  /** IMPORT mode: the id and version to keep (Confluent's schema migration). */
  id?: unknown;
  version?: unknown;
}

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';
const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'];

export interface SchemaView {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  references?: SchemaReference[];
  schema: string;
}

/** A config as set; what is not set comes from the global config, then the defaults. */
interface SubjectConfig {
  compatibilityLevel?: CompatibilityLevel;
  normalize?: boolean;
}

export class SchemaRegistry {
  private readonly schemas = new Map<number, StoredSchema>();
  /** type + canonical form + references → id (the same schema gets the same id). */
  private readonly byCanonical = new Map<string, number>();
  private readonly subjects = new Map<string, Map<number, VersionEntry>>();
  /** Configs (global: null) as set: a level, normalize, or both. */
  private readonly configs = new Map<string | null, SubjectConfig>();
  private readonly modes = new Map<string | null, string>();
  private nextId = 1;
  /** How many subject-versions (soft-deleted ones too) use each id: an id no version uses is not found. */
  private readonly uses = new Map<number, number>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles once the replayed schemas' canonical forms are known (and those parsed again since). */
  private indexed: Promise<void> = Promise.resolve();
  /** Set once `_schemas` is replayed: later changes invalidate the parses that depend on them. */
  private loaded = false;

  private constructor(
    private readonly store: SchemasLog,
    private readonly log: Logger,
  ) {}

  /** Rebuilds the state from `_schemas`. */
  static async open(store: SchemasLog, log: Logger): Promise<SchemaRegistry> {
    const r = new SchemaRegistry(store, log);
    const raw = await store.readAll();
    let skipped = 0;
    for (const rec of raw) {
      const d = decodeRecord(rec);
      if (d) r.apply(d);
      else skipped++;
    }
    if (skipped > 0) log.warn(`Skipped ${skipped} records of _schemas that are not schema registry records`);
    // Canonical forms of what was replayed, for "same schema, same id" (parsed in the background).
    // The lowest id wins a schema imported under several ids, as the first registered does.
    const indexOne = (s: StoredSchema, p: ParsedSchema) => {
      s.key = canonKey(p, s.references);
      const prev = r.byCanonical.get(s.key);
      if (prev === undefined || s.id < prev) r.byCanonical.set(s.key, s.id);
    };
    r.indexed = Promise.all([...r.schemas.values()].map((s) => r.parsedOf(s).then((p) => indexOne(s, p), () => undefined))).then(() => undefined);
    r.loaded = true;
    log.info(`Schema registry loaded ${raw.length} records of _schemas: ${r.schemas.size} schemas, ${r.subjects.size} subjects, next id ${r.nextId}`);
    return r;
  }

  private apply(rec: RegistryRecord): void {
    switch (rec.keytype) {
      case 'SCHEMA': {
        let versions = this.subjects.get(rec.subject);
        const before = versions?.get(rec.version);
        if (before) this.uses.set(before.id, (this.uses.get(before.id) ?? 1) - 1);
        const v = rec.value;
        if (!v) {
          versions?.delete(rec.version);
          if (versions?.size === 0) this.subjects.delete(rec.subject);
        } else {
          if (!this.schemas.has(v.id)) this.schemas.set(v.id, { id: v.id, type: schemaTypeOf(v.schemaType) ?? 'AVRO', text: v.schema, references: v.references ?? [] });
          this.nextId = Math.max(this.nextId, v.id + 1);
          if (!versions) this.subjects.set(rec.subject, (versions = new Map()));
          versions.set(rec.version, { version: rec.version, id: v.id, deleted: v.deleted === true });
          this.uses.set(v.id, (this.uses.get(v.id) ?? 0) + 1);
        }
        // What the subject-version (or the subject's latest) resolves to changed: parses made with
        // the text it had are stale. (While replaying nothing is parsed yet.)
        if (this.loaded && (!before || !v || before.id !== v.id || before.deleted !== (v.deleted === true))) this.invalidateDependents(rec.subject, rec.version);
        return;
      }
      case 'CONFIG': {
        const c = configOf(rec.value);
        if (c) this.configs.set(rec.subject, c);
        else this.configs.delete(rec.subject);
        return;
      }
      case 'MODE':
        if (rec.value && MODES.includes(rec.value.mode)) this.modes.set(rec.subject, rec.value.mode);
        else this.modes.delete(rec.subject);
        return;
      default:
        return; // DELETE_SUBJECT and NOOP: the SCHEMA records carry the state
    }
  }

  /** Writes records to `_schemas`, then applies them. */
  private async write(records: RegistryRecord[]): Promise<void> {
    try {
      await this.store.append(records.map(encodeRecord));
    } catch (e) {
      throw E.storeError((e as Error).message);
    }
    for (const r of records) this.apply(r);
  }

  /** Runs a change after the ones before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Drops the cached parses of the schemas that reference a subject-version (by number or as
   * latest), directly or through other references, and parses them again with what it resolves
   * to now (their identity refreshed); register and lookup wait for that as for the start's index.
   */
  private invalidateDependents(subject: string, version: number): void {
    const stale = new Set<number>();
    let changed: { subject: string; version: number }[] = [{ subject, version }];
    while (changed.length > 0) {
      const next: { subject: string; version: number }[] = [];
      for (const s of this.schemas.values()) {
        if (stale.has(s.id) || !s.references.some((r) => changed.some((c) => r.subject === c.subject && (r.version === c.version || r.version === -1)))) continue;
        stale.add(s.id);
        next.push(...this.usesOf(s.id, true));
      }
      changed = next;
    }
    if (stale.size === 0) return;
    const again = [...stale].map((id) => {
      const s = this.schemas.get(id)!;
      s.parsed = undefined;
      return this.parsedOf(s).then(
        (p) => {
          const key = canonKey(p, s.references);
          if (s.key !== undefined && s.key !== key && this.byCanonical.get(s.key) === s.id) this.byCanonical.delete(s.key);
          const prev = this.byCanonical.get(key);
          if (prev === undefined || s.id < prev) this.byCanonical.set(key, s.id);
          s.key = key;
        },
        () => undefined, // a reference that no longer resolves: the schema's uses report it
      );
    });
    this.indexed = Promise.all([this.indexed, ...again]).then(() => undefined);
  }

  private parsedOf(s: StoredSchema): Promise<ParsedSchema> {
    s.parsed ??= this.resolveRefs(s.references).then((refs) => parseSchema(s.type, s.text, refs));
    return s.parsed;
  }

  // ---- reading ----

  /** Versions of a subject, oldest first; soft-deleted ones only with `deleted`. */
  private versionsOf(subject: string, deleted = false): VersionEntry[] {
    return [...(this.subjects.get(subject)?.values() ?? [])].filter((v) => deleted || !v.deleted).sort((a, b) => a.version - b.version);
  }

  listSubjects(deleted: boolean, prefix = ''): string[] {
    return [...this.subjects.keys()].filter((s) => s.startsWith(prefix) && this.versionsOf(s, deleted).length > 0).sort();
  }

  listVersions(subject: string, deleted: boolean): number[] {
    const v = this.versionsOf(subject, deleted);
    if (v.length === 0) throw E.subjectNotFound(subject);
    return v.map((x) => x.version);
  }

  /** A version by number, "latest" or -1. */
  private entry(subject: string, version: string, deleted: boolean): VersionEntry {
    const n = parseVersion(version);
    const all = this.versionsOf(subject, deleted);
    if (all.length === 0) {
      if (!deleted && this.versionsOf(subject, true).length > 0 && n !== -1) {
        const soft = this.subjects.get(subject)?.get(n);
        if (soft) throw E.versionNotFound(n);
      }
      throw E.subjectNotFound(subject);
    }
    const found = n === -1 ? all[all.length - 1] : all.find((v) => v.version === n);
    if (!found) throw E.versionNotFound(n);
    return found;
  }

  private view(subject: string, e: VersionEntry): SchemaView {
    const s = this.schemas.get(e.id)!;
    return { subject, version: e.version, id: e.id, ...(s.type !== 'AVRO' && { schemaType: s.type }), ...(s.references.length > 0 && { references: s.references }), schema: s.text };
  }

  getVersion(subject: string, version: string, deleted: boolean): SchemaView {
    return this.view(subject, this.entry(subject, version, deleted));
  }

  /** GET /schemas: every subject-version (the latest of each with `latestOnly`), by subject then version. */
  listSchemas(prefix: string, deleted: boolean, latestOnly: boolean): SchemaView[] {
    const out: SchemaView[] = [];
    for (const subject of this.listSubjects(deleted, prefix)) {
      const versions = this.versionsOf(subject, deleted);
      for (const e of latestOnly ? versions.slice(-1) : versions) out.push(this.view(subject, e));
    }
    return out;
  }

  getById(id: number): { schema: string; schemaType?: SchemaType; references?: SchemaReference[] } {
    const s = this.schemas.get(id);
    if (!s || !this.uses.get(id)) throw E.schemaNotFound(id);
    return { ...(s.type !== 'AVRO' && { schemaType: s.type }), ...(s.references.length > 0 && { references: s.references }), schema: s.text };
  }

  schemaById(id: number): StoredSchema {
    this.getById(id);
    return this.schemas.get(id)!;
  }

  /** Subject-versions using a schema id (soft-deleted ones too with `deleted`). */
  usesOf(id: number, deleted = false): { subject: string; version: number }[] {
    const out: { subject: string; version: number }[] = [];
    for (const [subject, versions] of this.subjects) for (const v of versions.values()) if (v.id === id && (deleted || !v.deleted)) out.push({ subject, version: v.version });
    return out.sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  /** Ids of the schemas referencing a subject-version. */
  referencedBy(subject: string, version: string): number[] {
    const e = this.entry(subject, version, false);
    const out = new Set<number>();
    for (const [, versions] of this.subjects) {
      for (const v of versions.values()) {
        if (v.deleted) continue;
        const s = this.schemas.get(v.id)!;
        if (s.references.some((r) => r.subject === subject && (r.version === e.version || (r.version === -1 && this.latestVersion(subject) === e.version)))) out.add(v.id);
      }
    }
    return [...out].sort((a, b) => a - b);
  }

  private latestVersion(subject: string): number | undefined {
    return this.versionsOf(subject).pop()?.version;
  }

  // ---- schemas in requests ----

  /** The texts of a schema's references, dependencies first (for a Protobuf descriptor). */
  resolveReferences(refs: readonly SchemaReference[]): Promise<ResolvedReference[]> {
    return this.resolveRefs(refs);
  }

  /** Resolves references to texts, dependencies first (each once). */
  private async resolveRefs(refs: readonly SchemaReference[], seen = new Set<string>()): Promise<ResolvedReference[]> {
    const out: ResolvedReference[] = [];
    for (const r of refs) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      let e: VersionEntry;
      try {
        e = this.entry(r.subject, String(r.version), false);
      } catch {
        throw E.invalidSchema(`the reference '${r.name}' names subject '${r.subject}' version ${r.version}, which does not exist`);
      }
      const s = this.schemas.get(e.id)!;
      out.push(...(await this.resolveRefs(s.references, seen)), { name: r.name, schema: s.text });
    }
    return out;
  }

  private async parseRequest(body: SchemaRequest): Promise<{ parsed: ParsedSchema; references: SchemaReference[] }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw E.invalidSchema('the request body must be a JSON object');
    if (typeof body.schema !== 'string' || body.schema.trim() === '') throw E.invalidSchema('Empty schema');
    const type = body.schemaType === undefined || body.schemaType === null ? 'AVRO' : typeof body.schemaType === 'string' ? schemaTypeOf(body.schemaType) : null;
    if (!type) throw E.invalidSchema(`unknown schemaType ${JSON.stringify(body.schemaType)} (AVRO, JSON or PROTOBUF)`);
    const references = parseReferences(body.references);
    const refs = await this.resolveRefs(references);
    try {
      return { parsed: await parseSchema(type, body.schema, refs), references };
    } catch (e) {
      if (e instanceof InvalidSchemaError) throw E.invalidSchema(`${type} schema: ${e.message}`);
      throw e;
    }
  }

  private effectiveLevel(subject: string): CompatibilityLevel {
    return this.configs.get(subject)?.compatibilityLevel ?? this.configs.get(null)?.compatibilityLevel ?? DEFAULT_COMPATIBILITY;
  }

  /** Whether registrations under a subject are normalized without ?normalize=true (the config's `normalize`). */
  private effectiveNormalize(subject: string): boolean {
    return this.configs.get(subject)?.normalize ?? this.configs.get(null)?.normalize ?? false;
  }

  private effectiveMode(subject: string | null): string {
    return (subject !== null ? this.modes.get(subject) : undefined) ?? this.modes.get(null) ?? 'READWRITE';
  }

  private checkWritable(subject: string | null): void {
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw E.notPermitted(subject === null ? 'The registry is in read-only mode' : `Subject ${subject} is in read-only mode`);
  }

  private async previous(subject: string, entries: VersionEntry[]) {
    return Promise.all(entries.map(async (e) => ({ version: e.version, schema: await this.parsedOf(this.schemas.get(e.id)!) })));
  }

  // ---- changes ----

  /**
   * Registers a schema under a subject; the id (an existing one when the schema is already known).
   * As Confluent's, the id alone decides: a request with an id needs IMPORT mode, one without an id
   * READWRITE (a version alone is no import). In IMPORT the id is kept, and the version given (else
   * the next one), replacing a version already there; compatibility is not checked. Outside IMPORT
   * a version given must be the subject's next one (42201 otherwise). The text is normalized with
   * ?normalize=true or the config's `normalize` as it stands when the registration's turn comes.
   */
  async register(subject: string, body: SchemaRequest, normalizeParam = false): Promise<{ id: number }> {
    validateSubject(subject);
    const given = importTarget(body);
    this.checkWritable(subject);
    const { parsed, references } = await this.parseRequest(body);
    const key = canonKey(parsed, references);
    const keys = canonKeys(parsed, references);
    await this.indexed;
    return this.serial(async () => {
      const live = this.versionsOf(subject);
      // The same schema (by its parsed form) already a live version: its id, nothing new.
      const same = live.filter((v) => keys.includes(this.keyOf(v.id))).find((v) => given.id === undefined || v.id === given.id);
      if (same && (given.id === undefined || given.id === same.id) && (given.version === undefined || given.version === same.version)) return { id: same.id };
      this.checkWritable(subject);
      const mode = this.effectiveMode(subject);
      // As Confluent's: an id asks for IMPORT mode, no id for READWRITE; a version alone is no import.
      if (given.id !== undefined && mode !== 'IMPORT') throw E.notPermitted(`Subject ${subject} is not in import mode`);
      if (given.id === undefined && mode !== 'READWRITE') throw E.notPermitted(`Subject ${subject} is not in read-write mode`);
      if (mode !== 'IMPORT') {
        const result = checkCompatibility(this.effectiveLevel(subject), parsed, await this.previous(subject, live));
        if (!result.compatible) {
          throw new E.RegistryError(409, 409, `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${result.messages.join(', ')}]`);
        }
      }
      if (given.id !== undefined && this.schemas.has(given.id) && this.keyOf(given.id) !== key) throw E.notPermitted(`Overwrite new schema with id ${given.id} is not permitted.`);
      const id = given.id ?? this.byCanonical.get(key) ?? this.nextId;
      const all = this.versionsOf(subject, true);
      const next = (all[all.length - 1]?.version ?? 0) + 1;
      // Outside IMPORT a version given must be the next one; in IMPORT any version is kept, one
      // already there replaced (the last write wins, as Confluent's).
      if (given.version !== undefined && mode !== 'IMPORT' && given.version !== next) throw E.versionNotNext();
      const version = given.version ?? next;
      // normalize=true stores the normalised text; a schema already known keeps the text it has.
      // The config is read here, in turn: a PUT /config queued before this registration applies.
      const normalize = normalizeParam || this.effectiveNormalize(subject);
      const text = this.schemas.get(id)?.text ?? (normalize ? (parsed.normalized ?? parsed.text) : parsed.text);
      const value: SchemaValue = { subject, version, id, ...(parsed.type !== 'AVRO' && { schemaType: parsed.type }), schema: text, ...(references.length > 0 && { references }), deleted: false };
      await this.write([{ keytype: 'SCHEMA', subject, version, value }]);
      if (!this.byCanonical.has(key)) this.byCanonical.set(key, id);
      const stored = this.schemas.get(id)!;
      if (stored.text === parsed.text) stored.parsed ??= Promise.resolve(parsed);
      stored.key ??= key;
      return { id };
    });
  }

  /** The identity (type, canonical form, references) of a stored schema, once parsed. */
  private keyOf(id: number): string | undefined {
    return this.schemas.get(id)?.key;
  }

  /** Finds the version of a subject holding this schema. */
  async lookup(subject: string, body: SchemaRequest, deleted: boolean): Promise<SchemaView> {
    if (this.versionsOf(subject, deleted).length === 0) throw E.subjectNotFound(subject);
    const { parsed, references } = await this.parseRequest(body);
    await this.indexed;
    const keys = canonKeys(parsed, references);
    const found = this.versionsOf(subject, deleted)
      .filter((v) => keys.includes(this.keyOf(v.id)))
      .pop();
    if (!found) throw E.schemaNotFound();
    return this.view(subject, found);
  }

  async compatibility(subject: string, version: string | null, body: SchemaRequest, verbose: boolean): Promise<{ is_compatible: boolean; messages?: string[] }> {
    const { parsed } = await this.parseRequest(body);
    const level = this.effectiveLevel(subject);
    let against: VersionEntry[];
    if (version === null) against = this.versionsOf(subject);
    else if (parseVersion(version) === -1 && this.versionsOf(subject).length === 0) {
      // As Confluent's since mid-2020: nothing to be incompatible with (the schema would register as version 1).
      against = [];
    } else if (this.versionsOf(subject).length === 0) throw E.versionNotFound(parseVersion(version));
    else {
      const e = this.entry(subject, version, false);
      // One version named: the check is against it alone, transitive or not.
      against = [e];
    }
    const result = checkCompatibility(level, parsed, await this.previous(subject, against));
    return { is_compatible: result.compatible, ...(verbose && { messages: result.messages }) };
  }

  deleteVersion(subject: string, version: string, permanent: boolean): Promise<number> {
    return this.serial(async () => {
      this.checkWritable(subject);
      const n = parseVersion(version);
      if (this.versionsOf(subject, true).length === 0) throw E.subjectNotFound(subject);
      const e = n === -1 ? this.versionsOf(subject, permanent).pop() : this.subjects.get(subject)!.get(n);
      if (!e) throw E.versionNotFound(n);
      if (permanent && !e.deleted) throw E.versionNotSoftDeleted(subject, e.version);
      if (!permanent && e.deleted) throw E.versionSoftDeleted(subject, e.version);
      if (!permanent) {
        const users = this.referencedBy(subject, String(e.version));
        if (users.length > 0) throw E.referenceExists(subject, e.version);
      }
      const s = this.schemas.get(e.id)!;
      const value: SchemaValue = { subject, version: e.version, id: e.id, ...(s.type !== 'AVRO' && { schemaType: s.type }), schema: s.text, ...(s.references.length > 0 && { references: s.references }), deleted: true };
      await this.write([{ keytype: 'SCHEMA', subject, version: e.version, value: permanent ? null : value }]);
      return e.version;
    });
  }

  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.serial(async () => {
      this.checkWritable(subject);
      const all = this.versionsOf(subject, true);
      if (all.length === 0) throw E.subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (permanent && live.length > 0) throw E.subjectNotSoftDeleted(subject);
      if (!permanent && live.length === 0) throw E.subjectSoftDeleted(subject);
      const records: RegistryRecord[] = [];
      if (permanent) {
        for (const e of all) records.push({ keytype: 'SCHEMA', subject, version: e.version, value: null });
        if (this.configs.has(subject)) records.push({ keytype: 'CONFIG', subject, value: null });
        if (this.modes.has(subject)) records.push({ keytype: 'MODE', subject, value: null });
      } else {
        for (const e of live) {
          const users = this.referencedBy(subject, String(e.version)).filter((id) => !live.some((l) => l.id === id));
          if (users.length > 0) throw E.referenceExists(subject, e.version);
        }
        for (const e of live) {
          const s = this.schemas.get(e.id)!;
          records.push({ keytype: 'SCHEMA', subject, version: e.version, value: { subject, version: e.version, id: e.id, ...(s.type !== 'AVRO' && { schemaType: s.type }), schema: s.text, ...(s.references.length > 0 && { references: s.references }), deleted: true } });
        }
        records.push({ keytype: 'DELETE_SUBJECT', subject, value: { subject, version: live[live.length - 1]!.version } });
      }
      await this.write(records);
      return (permanent ? all : live).map((v) => v.version);
    });
  }

  // ---- config and mode ----

  /** GET /config: the level (the global one always has one) and normalize when set. */
  getConfig(subject: string | null, defaultToGlobal: boolean): ConfigValue {
    const global = { compatibilityLevel: this.configs.get(null)?.compatibilityLevel ?? DEFAULT_COMPATIBILITY, ...normalizeOf(this.configs.get(null)) };
    if (subject === null) return global;
    const own = this.configs.get(subject);
    if (own) return defaultToGlobal ? { compatibilityLevel: this.effectiveLevel(subject), ...normalizeOf({ normalize: own.normalize ?? this.configs.get(null)?.normalize }) } : { ...own };
    if (defaultToGlobal) return global;
    throw E.subjectConfigNotFound(subject);
  }

  /**
   * PUT /config: {"compatibility": level, "normalize": bool}, either or both (Confluent's also
   * takes "compatibilityLevel", and "true"/"false" as strings); what is not given is kept from the
   * config already set.
   */
  setConfig(subject: string | null, body: unknown): Promise<{ compatibility?: CompatibilityLevel; normalize?: boolean }> {
    const raw = body && typeof body === 'object' ? (body as { compatibility?: unknown; compatibilityLevel?: unknown; normalize?: unknown }) : {};
    const given = raw.compatibility ?? raw.compatibilityLevel;
    const level = typeof given === 'string' ? given.toUpperCase() : null;
    const normalize = normalizeValue(raw.normalize);
    if (!isCompatibilityLevel(level) && ((given !== undefined && given !== null) || normalize === undefined)) throw E.invalidCompatibility();
    if (subject !== null) validateSubject(subject);
    return this.serial(async () => {
      this.checkWritable(subject);
      const value: SubjectConfig = { ...this.configs.get(subject), ...(isCompatibilityLevel(level) && { compatibilityLevel: level }), ...(normalize !== undefined && { normalize }) };
      await this.write([{ keytype: 'CONFIG', subject, value }]);
      return { ...(isCompatibilityLevel(level) && { compatibility: level }), ...(normalize !== undefined && { normalize }) };
    });
  }

  deleteConfig(subject: string | null): Promise<ConfigValue> {
    return this.serial(async () => {
      const prev = this.configs.get(subject);
      if (subject !== null && !prev) {
        if (this.versionsOf(subject, true).length === 0) throw E.subjectNotFound(subject);
        throw E.subjectConfigNotFound(subject);
      }
      if (prev) await this.write([{ keytype: 'CONFIG', subject, value: null }]);
      return subject === null ? { compatibilityLevel: prev?.compatibilityLevel ?? DEFAULT_COMPATIBILITY, ...normalizeOf(prev) } : { ...prev };
    });
  }

  getMode(subject: string | null, defaultToGlobal: boolean): { mode: string } {
    if (subject === null) return { mode: this.effectiveMode(null) };
    const m = this.modes.get(subject);
    if (m) return { mode: m };
    if (defaultToGlobal) return { mode: this.effectiveMode(null) };
    throw E.subjectModeNotFound(subject);
  }

  /** Sets a mode; IMPORT on a subject (or registry) that has schemas only with `force`, as Confluent's. */
  setMode(subject: string | null, body: unknown, force = false): Promise<{ mode: string }> {
    const mode = body && typeof body === 'object' ? (body as { mode?: unknown }).mode : undefined;
    if (typeof mode !== 'string' || !MODES.includes(mode.toUpperCase())) throw E.invalidMode();
    const m = mode.toUpperCase();
    if (subject !== null) validateSubject(subject);
    return this.serial(async () => {
      if (m === 'IMPORT' && this.effectiveMode(subject) !== 'IMPORT' && !force) {
        const occupied = subject === null ? this.listSubjects(false).length > 0 : this.versionsOf(subject).length > 0;
        if (occupied) throw E.notPermitted('Cannot import since found existing subjects');
      }
      await this.write([{ keytype: 'MODE', subject, value: { mode: m } }]);
      return { mode: m };
    });
  }

  deleteMode(subject: string): Promise<{ mode: string }> {
    return this.serial(async () => {
      const prev = this.modes.get(subject);
      if (!prev) throw E.subjectModeNotFound(subject);
      await this.write([{ keytype: 'MODE', subject, value: null }]);
      return { mode: prev };
    });
  }

  /** Figures for status and logs. */
  stats(): { schemas: number; subjects: number; nextId: number } {
    return { schemas: this.schemas.size, subjects: this.listSubjects(false).length, nextId: this.nextId };
  }
}

/** A CONFIG record's value as a config: null when it sets nothing. */
function configOf(v: ConfigValue | null): SubjectConfig | null {
  if (!v) return null;
  const out: SubjectConfig = { ...(isCompatibilityLevel(v.compatibilityLevel) && { compatibilityLevel: v.compatibilityLevel }), ...(typeof v.normalize === 'boolean' && { normalize: v.normalize }) };
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * A config's normalize as given: a boolean, or "true"/"false" in any case (Confluent's JSON
 * mapping reads both as a Boolean); absent or null is not given; anything else is refused.
 */
function normalizeValue(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw E.invalidNormalize(v);
}

const normalizeOf = (c: SubjectConfig | undefined) => (c?.normalize === undefined ? {} : { normalize: c.normalize });

/** The id and version a register request asks to keep (IMPORT mode), checked. */
function importTarget(body: SchemaRequest): { id?: number; version?: number } {
  if (typeof body !== 'object' || body === null) return {};
  const out: { id?: number; version?: number } = {};
  // Confluent reads an absent id as -1 and an absent version as 0: "not given".
  if (body.id !== undefined && body.id !== null && body.id !== -1) {
    if (typeof body.id !== 'number' || !Number.isInteger(body.id) || body.id < 1 || body.id > 2 ** 31 - 1) throw E.invalidSchema(`the id must be an integer between 1 and 2^31-1, not ${JSON.stringify(body.id)}`);
    out.id = body.id;
  }
  if (body.version !== undefined && body.version !== null && body.version !== 0) {
    if (typeof body.version !== 'number' || !Number.isInteger(body.version) || body.version < 1 || body.version > 2 ** 31 - 1) throw E.invalidVersion(String(body.version));
    out.version = body.version;
  }
  return out;
}

function canonKey(p: Pick<ParsedSchema, 'type' | 'canonical'>, refs: readonly SchemaReference[]): string {
  return `${p.type}\0${p.canonical}\0${JSON.stringify(refs.map((r) => [r.name, r.subject, r.version]))}`;
}

/** The keys a stored schema that is this one may have: its own, and the one an earlier kafka-ts gave it. */
function canonKeys(p: ParsedSchema, refs: readonly SchemaReference[]): (string | undefined)[] {
  return [canonKey(p, refs), ...(p.legacyCanonical === undefined ? [] : [canonKey({ type: p.type, canonical: p.legacyCanonical }, refs)])];
}

/** "latest", -1 (latest) or a version number 1..2^31-1. */
export function parseVersion(v: string): number {
  if (v === 'latest' || v === '-1') return -1;
  if (!/^\d+$/.test(v)) throw E.invalidVersion(v);
  const n = Number(v);
  if (n < 1 || n > 2 ** 31 - 1) throw E.invalidVersion(v);
  return n;
}

function validateSubject(s: string): void {
  if (s.length === 0 || s.length > 255 || /[\u0000-\u001f]/.test(s)) throw E.invalidSubject(s);
}

function parseReferences(v: unknown): SchemaReference[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw E.invalidSchema('references must be an array');
  return v.map((r: unknown) => {
    const o = (r ?? {}) as { name?: unknown; subject?: unknown; version?: unknown };
    if (typeof o.name !== 'string' || typeof o.subject !== 'string' || typeof o.version !== 'number' || !Number.isInteger(o.version)) {
      throw E.invalidSchema(`a reference needs a name, a subject and an integer version: ${JSON.stringify(r)}`);
    }
    return { name: o.name, subject: o.subject, version: o.version };
  });
}
