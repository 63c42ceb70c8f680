/**
 * A client for Confluent Schema Registry's REST API (the daemon's registry, Confluent's own, or a
 * hosted one): subjects, versions, schemas by id (cached: an id never changes its schema),
 * registration, compatibility checks, configuration and deletion. Credentials as Confluent's
 * clients take them: basic auth `user:pass` (basic.auth.user.info) or a bearer token.
 * Confluent's error bodies ({"error_code":40401,"message":"…"}) become errors of the one family.
 */
import { AuthenticationError, AuthorizationError, FailedError, KafkaTsError, NotFoundError, UsageError } from '../util/errors.js';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry stores it (by id: no subject or version). */
export interface RegisteredSchema {
  id: number;
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

/** A schema under a subject and version. */
export interface SubjectVersion extends RegisteredSchema {
  subject: string;
  version: number;
}

export interface SchemaInput {
  schema: string;
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export interface RegistryClientOptions {
  url: string;
  /** `user:password` (Confluent's basic.auth.user.info). */
  basicAuth?: string;
  bearerToken?: string;
  timeoutMs?: number;
}

/** The registry refused a schema as incompatible (HTTP 409), or `check` found it incompatible. */
export class IncompatibleSchemaError extends KafkaTsError {
  override name = 'IncompatibleSchemaError';
  constructor(
    message: string,
    readonly reasons: string[] = [],
  ) {
    super('incompatible', message);
  }
}

/**
 * Confluent's 422 codes that say the request itself is wrong (invalid schema, version, level,
 * mode, subject, a schema too large, an invalid rule set or association): usage errors. The
 * others (42205 operation not permitted, e.g. read-only mode; 42206 references exist; 42207 id
 * does not match; 42211 context not empty) are refusals of a valid request: failures.
 */
const INVALID_INPUT_CODES = new Set([42201, 42202, 42203, 42204, 42208, 42209, 42210, 42212]);

/** Confluent's error codes → our family. */
export function registryError(status: number, code: number | undefined, message: string, url: string): KafkaTsError {
  const detail = `${message || `HTTP ${status}`}${code !== undefined ? ` (error code ${code})` : ''}`;
  if (status === 401) return new AuthenticationError(`schema registry ${url}: ${message || 'unauthorized'}`, { hint: 'check --basic-auth / basic.auth.user.info' });
  if (status === 403) return new AuthorizationError(`schema registry ${url}: ${message || 'forbidden'}`);
  if (status === 404) return new NotFoundError(message || `not found: ${url}`);
  // 409 with 409 or 40901 (Confluent's incompatible schema); other 409s are conflicts (associations).
  if (status === 409 && (code === undefined || code === 409 || code === 40901)) return new IncompatibleSchemaError(message || 'Schema being registered is incompatible with an earlier schema');
  if (status === 400 || status === 415 || (status === 422 && (code === undefined || INVALID_INPUT_CODES.has(code)))) return new UsageError(`schema registry: ${detail}`);
  return new FailedError(`schema registry ${url}: ${detail}`);
}

const encode = encodeURIComponent;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class SchemaRegistryClient {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly byId = new Map<number, Promise<RegisteredSchema>>();
  /** Registered (or looked-up) ids by subject and schema text. */
  private readonly idOf = new Map<string, Promise<number>>();

  constructor(opts: RegistryClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.headers = { Accept: `${CONTENT_TYPE}, application/json` };
    if (opts.basicAuth !== undefined) this.headers.Authorization = `Basic ${Buffer.from(opts.basicAuth).toString('base64')}`;
    else if (opts.bearerToken !== undefined) this.headers.Authorization = `Bearer ${opts.bearerToken}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.url}${path}`;
    let res: { status: number; text: string };
    try {
      res = await this.send(method, url, body === undefined ? undefined : JSON.stringify(body));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ETIMEDOUT' ? `no answer within ${this.timeoutMs} ms` : (err.code ?? err.message);
      throw new KafkaTsError('unreachable', `Cannot reach the schema registry at ${this.url}: ${why}`, { hint: 'is it running at that URL? (schema.registry.url)' });
    }
    let parsed: unknown = undefined;
    try {
      parsed = res.text.length ? JSON.parse(res.text) : undefined;
    } catch {
      if (res.status < 300) throw new FailedError(`schema registry ${url}: the answer is not JSON`);
    }
    if (res.status >= 300) {
      const b = (parsed ?? {}) as { error_code?: number; message?: string };
      throw registryError(res.status, b.error_code, b.message ?? '', url);
    }
    return parsed as T;
  }

  /** One HTTP exchange (node:http/https: cheaper to load than fetch for a CLI that makes a few). */
  private async send(method: string, url: string, body: string | undefined): Promise<{ status: number; text: string }> {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...this.headers };
      if (body !== undefined) Object.assign(headers, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
      const req = mod.request(u, { method, headers, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  subjects(deleted = false): Promise<string[]> {
    return this.request('GET', `/subjects${deleted ? '?deleted=true' : ''}`);
  }

  versions(subject: string): Promise<number[]> {
    return this.request('GET', `/subjects/${encode(subject)}/versions`);
  }

  async version(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    const v = await this.request<Partial<SubjectVersion>>('GET', `/subjects/${encode(subject)}/versions/${version}`);
    return normalise(v) as SubjectVersion;
  }

  /** The schema with this id (cached for the life of the client). */
  schemaById(id: number): Promise<RegisteredSchema> {
    let p = this.byId.get(id);
    if (!p) {
      p = this.request<Partial<RegisteredSchema>>('GET', `/schemas/ids/${id}`).then((s) => ({ ...normalise(s), id }) as RegisteredSchema);
      this.byId.set(id, p);
      p.catch(() => this.byId.delete(id));
    }
    return p;
  }

  /** Registers a schema under a subject (or finds it registered), returning its id. */
  register(subject: string, input: SchemaInput, normalize = false): Promise<number> {
    return this.request<{ id: number }>('POST', `/subjects/${encode(subject)}/versions${normalize ? '?normalize=true' : ''}`, body(input)).then((r) => r.id);
  }

  /** The subject's version holding this schema (404 when it has none). */
  async lookup(subject: string, input: SchemaInput): Promise<SubjectVersion> {
    return normalise(await this.request('POST', `/subjects/${encode(subject)}`, body(input))) as SubjectVersion;
  }

  /** The id of a schema under a subject: registered when `register`, else looked up; cached. */
  idFor(subject: string, input: SchemaInput, register: boolean): Promise<number> {
    const key = `${subject}\0${register}\0${input.schemaType ?? 'AVRO'}\0${input.schema}`;
    let p = this.idOf.get(key);
    if (!p) {
      p = register ? this.register(subject, input) : this.lookup(subject, input).then((v) => v.id);
      this.idOf.set(key, p);
      p.catch(() => this.idOf.delete(key));
    }
    return p;
  }

  /**
   * Whether a schema is compatible with one version of a subject, or (no version) with the
   * versions its compatibility level names, as a registration checks; reasons when not.
   */
  async checkCompatibility(subject: string, version: number | 'latest' | undefined, input: SchemaInput): Promise<{ compatible: boolean; messages: string[] }> {
    const path = version === undefined ? `/compatibility/subjects/${encode(subject)}/versions?verbose=true` : `/compatibility/subjects/${encode(subject)}/versions/${version}?verbose=true`;
    const r = await this.request<{ is_compatible: boolean; messages?: string[] }>('POST', path, body(input));
    return { compatible: r.is_compatible, messages: r.messages ?? [] };
  }

  /** The compatibility level (of a subject, or the global one). */
  async getCompatibility(subject?: string, defaultToGlobal = true): Promise<string> {
    const path = subject === undefined ? '/config' : `/config/${encode(subject)}${defaultToGlobal ? '?defaultToGlobal=true' : ''}`;
    const r = await this.request<{ compatibilityLevel?: string; compatibility?: string }>('GET', path);
    return r.compatibilityLevel ?? r.compatibility ?? 'BACKWARD';
  }

  async setCompatibility(level: string, subject?: string): Promise<string> {
    const r = await this.request<{ compatibility?: string; compatibilityLevel?: string }>('PUT', subject === undefined ? '/config' : `/config/${encode(subject)}`, { compatibility: level });
    return r.compatibility ?? r.compatibilityLevel ?? level;
  }

  /** Deletes a subject (soft, or permanently after a soft delete); returns the versions deleted. */
  deleteSubject(subject: string, permanent = false): Promise<number[]> {
    return this.request('DELETE', `/subjects/${encode(subject)}${permanent ? '?permanent=true' : ''}`);
  }

  deleteVersion(subject: string, version: number | 'latest', permanent = false): Promise<number> {
    return this.request('DELETE', `/subjects/${encode(subject)}/versions/${version}${permanent ? '?permanent=true' : ''}`);
  }
}

function body(input: SchemaInput): Record<string, unknown> {
  const b: Record<string, unknown> = { schema: input.schema };
  // Confluent omits schemaType for AVRO, its default; some registries reject it otherwise.
  if (input.schemaType && input.schemaType !== 'AVRO') b.schemaType = input.schemaType;
  if (input.references?.length) b.references = input.references;
  return b;
}

function normalise<T extends Partial<RegisteredSchema>>(s: T): T & { schemaType: SchemaType; references: SchemaReference[] } {
  return { ...s, schemaType: s.schemaType ?? 'AVRO', references: s.references ?? [] };
}
