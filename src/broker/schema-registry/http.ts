/**
 * The registry's REST API on node:http, with Confluent Schema Registry's paths, bodies, status
 * codes and error bodies ({"error_code":40401,"message":"Subject 'x' not found."}). A request
 * can fail, never the daemon: every error becomes a response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCHEMA_TYPES, protobufDescriptor } from '../../schema/index.js';
import type { Logger } from '../../util/logger.js';
import { RegistryError } from './errors.js';
import type { SchemaRegistry, SchemaRequest } from './registry.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED = new Set(['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream']);

export interface HttpOptions {
  host: string;
  port: number;
  /** Largest request body accepted (413 beyond). */
  maxRequestBytes: number;
  log: Logger;
}

interface Req {
  method: string;
  parts: string[];
  query: URLSearchParams;
  body: () => unknown;
}

type Reply = { status?: number; body: unknown; raw?: boolean };

const flag = (q: URLSearchParams, name: string) => q.get(name) === 'true';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = () => new HttpError(404, 'HTTP 404 Not Found');
const notAllowed = () => new HttpError(405, 'HTTP 405 Method Not Allowed');

/** Routes a request to the registry; returns the reply or throws. */
async function route(reg: SchemaRegistry, r: Req): Promise<Reply> {
  const [head, a, b, c, d, e] = r.parts;
  const m = r.method;
  const only = (method: string) => {
    if (m !== method) throw notAllowed();
  };
  switch (head) {
    case undefined:
      only('GET');
      return { body: {} };
    case 'schemas': {
      if (a === undefined) {
        only('GET');
        return { body: reg.listSchemas(r.query.get('subjectPrefix') ?? '', flag(r.query, 'deleted'), flag(r.query, 'latestOnly')) };
      }
      if (a === 'types' && b === undefined) {
        only('GET');
        return { body: [...SCHEMA_TYPES].reverse() };
      }
      if (a !== 'ids' || b === undefined || d !== undefined) throw notFound();
      only('GET');
      if (!/^\d+$/.test(b)) throw new RegistryError(404, 40403, `Schema ${b} not found`);
      const id = Number(b);
      if (c === undefined) {
        const s = reg.getById(id);
        if (s.schemaType === 'PROTOBUF' && r.query.get('format') === 'serialized') return { body: { ...s, schema: await protobufDescriptor(s.schema, await reg.resolveReferences(s.references ?? [])) } };
        return { body: s };
      }
      if (c === 'schema') return { body: reg.getById(id).schema, raw: true };
      if (c === 'versions' || c === 'subjects') {
        reg.getById(id);
        // Confluent's: live versions only unless deleted=true; `subject` keeps that subject's.
        const only = r.query.get('subject');
        const uses = reg.usesOf(id, flag(r.query, 'deleted')).filter((u) => only === null || u.subject === only);
        return { body: c === 'versions' ? uses : [...new Set(uses.map((u) => u.subject))] };
      }
      throw notFound();
    }
    case 'subjects': {
      if (a === undefined) {
        only('GET');
        return { body: reg.listSubjects(flag(r.query, 'deleted'), r.query.get('subjectPrefix') ?? '') };
      }
      if (b === undefined) {
        if (m === 'POST') return { body: await reg.lookup(a, r.body() as SchemaRequest, flag(r.query, 'deleted')) };
        if (m === 'DELETE') return { body: await reg.deleteSubject(a, flag(r.query, 'permanent')) };
        throw notAllowed();
      }
      if (b !== 'versions' || e !== undefined) throw notFound();
      if (c === undefined) {
        if (m === 'GET') return { body: reg.listVersions(a, flag(r.query, 'deleted')) };
        if (m === 'POST') return { body: await reg.register(a, r.body() as SchemaRequest, flag(r.query, 'normalize')) };
        throw notAllowed();
      }
      if (d === undefined) {
        if (m === 'GET') {
          const v = reg.getVersion(a, c, flag(r.query, 'deleted'));
          if (v.schemaType === 'PROTOBUF' && r.query.get('format') === 'serialized') return { body: { ...v, schema: await protobufDescriptor(v.schema, await reg.resolveReferences(v.references ?? []), a) } };
          return { body: v };
        }
        if (m === 'DELETE') return { body: await reg.deleteVersion(a, c, flag(r.query, 'permanent')) };
        throw notAllowed();
      }
      only('GET');
      if (d === 'schema') return { body: reg.getVersion(a, c, flag(r.query, 'deleted')).schema, raw: true };
      if (d === 'referencedby') return { body: reg.referencedBy(a, c) };
      throw notFound();
    }
    case 'config':
    case 'mode': {
      if (b !== undefined) throw notFound();
      const subject = a ?? null;
      const toGlobal = flag(r.query, 'defaultToGlobal');
      if (head === 'config') {
        if (m === 'GET') return { body: reg.getConfig(subject, toGlobal) };
        if (m === 'PUT') return { body: await reg.setConfig(subject, r.body()) };
        if (m === 'DELETE') return { body: await reg.deleteConfig(subject) };
      } else {
        if (m === 'GET') return { body: reg.getMode(subject, toGlobal) };
        if (m === 'PUT') return { body: await reg.setMode(subject, r.body(), flag(r.query, 'force')) };
        if (m === 'DELETE' && subject !== null) return { body: await reg.deleteMode(subject) };
      }
      throw notAllowed();
    }
    case 'compatibility': {
      if (a !== 'subjects' || b === undefined || c !== 'versions' || e !== undefined) throw notFound();
      only('POST');
      return { body: await reg.compatibility(b, d ?? null, r.body() as SchemaRequest, flag(r.query, 'verbose')) };
    }
    case 'contexts':
      only('GET');
      if (a !== undefined) throw notFound();
      return { body: ['.'] };
    default:
      throw notFound();
  }
}

/** Reads a body up to `max` bytes; past it, drains the rest and reports the overflow. */
function readBody(req: http.IncomingMessage, max: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > max;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooLarge = true;
      if (!tooLarge) chunks.push(c);
      // A client sending far more than it may: stop listening to it.
      if (size > max * 4 + (1 << 20)) req.destroy();
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
    // Destroyed above (or by the client): nothing to answer, but the handler must not wait forever.
    req.on('close', () => resolve({ body: Buffer.alloc(0), tooLarge: true }));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, raw = false): void {
  if (res.headersSent) return;
  const text = raw && typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export class RegistryHttpServer {
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async listen(reg: SchemaRegistry, opts: HttpOptions): Promise<RegistryHttpServer> {
    const log = opts.log;
    const server = http.createServer((req, res) => {
      void handle(req, res).catch((e: Error) => {
        log.error(`Schema registry: ${req.method} ${req.url} failed: ${e.stack ?? e.message}`);
        send(res, 500, { error_code: 50001, message: `Error in the backend data store - ${e.message}` });
      });
    });
    server.on('clientError', (_e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://registry');
      let parts: string[];
      try {
        parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
      } catch {
        return send(res, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
      }
      const method = (req.method ?? 'GET').toUpperCase();
      const hasBody = method === 'POST' || method === 'PUT';
      const { body, tooLarge } = await readBody(req, opts.maxRequestBytes);
      if (tooLarge) {
        res.setHeader('Connection', 'close');
        return send(res, 413, { error_code: 413, message: `Request body too large: the limit is ${opts.maxRequestBytes} bytes` });
      }
      if (hasBody) {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== '' && !ACCEPTED.has(type)) return send(res, 415, { error_code: 415, message: 'HTTP 415 Unsupported Media Type' });
      }
      let parsedBody: unknown = null;
      if (hasBody && body.length > 0) {
        try {
          parsedBody = JSON.parse(body.toString('utf8'));
        } catch (e) {
          return send(res, 400, { error_code: 400, message: `Unrecognized JSON in the request body: ${(e as Error).message}` });
        }
      }
      try {
        const reply = await route(reg, { method, parts, query: url.searchParams, body: () => parsedBody });
        send(res, reply.status ?? 200, reply.body, reply.raw);
      } catch (e) {
        if (e instanceof RegistryError) return send(res, e.status, { error_code: e.code, message: e.message });
        if (e instanceof HttpError) return send(res, e.status, { error_code: e.status, message: e.message });
        throw e;
      }
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.host, port: opts.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return new RegistryHttpServer(server, `http://${host}:${addr.port}`);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}
