/**
 * A small stand-in for a hosted schema registry (Confluent's REST API, the parts the console
 * tools and `schema-registry` use), with basic auth: for tests of credentials, errors and
 * unreachable registries that the daemon's registry cannot show. It does not check
 * compatibility: a schema whose text contains "INCOMPATIBLE" is refused (409) and checked false.
 * The versions of a subject named locked-* are denied (403), as a registry's ACLs may deny them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Stored {
  id: number;
  schema: string;
  schemaType: string;
  references: unknown[];
}

export interface FakeRegistry {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeRegistry(opts: { user?: string; password?: string } = {}): Promise<FakeRegistry> {
  const schemas: Stored[] = [];
  const subjects = new Map<string, number[]>();
  const config = new Map<string, string>([['', 'BACKWARD']]);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const send = (status: number, obj: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify(obj));
      };
      const fail = (status: number, code: number, message: string) => send(status, { error_code: code, message });
      if (opts.user !== undefined && req.headers.authorization !== `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`) {
        return fail(401, 401, 'Unauthorized');
      }
      const url = new URL(req.url!, 'http://x');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const input = body ? (JSON.parse(body) as { schema: string; schemaType?: string; references?: unknown[]; compatibility?: string }) : undefined;
      const find = (i: NonNullable<typeof input>) => schemas.find((s) => s.schema === i.schema && s.schemaType === (i.schemaType ?? 'AVRO'));
      const version = (subject: string, v: string) => {
        const list = subjects.get(subject);
        if (!list) return fail(404, 40401, `Subject '${subject}' not found.`);
        const n = v === 'latest' ? list.length : Number(v);
        const id = list[n - 1];
        if (id === undefined) return fail(404, 40402, `Version ${v} not found.`);
        const s = schemas[id - 1]!;
        return send(200, { subject, version: n, id, schema: s.schema, ...(s.schemaType !== 'AVRO' && { schemaType: s.schemaType }), ...(s.references.length && { references: s.references }) });
      };
      const m = req.method;
      if (m === 'GET' && parts[0] === 'subjects' && parts.length === 1) return send(200, [...subjects.keys()]);
      if (parts[0] === 'subjects' && parts[2] === 'versions' && parts.length === 3) {
        if (m === 'GET' && parts[1]!.startsWith('locked-')) return fail(403, 40301, `User is denied operation Read on Subject: ${parts[1]}`);
        if (m === 'GET') return subjects.has(parts[1]!) ? send(200, subjects.get(parts[1]!)!.map((_, i) => i + 1)) : fail(404, 40401, `Subject '${parts[1]}' not found.`);
        if (input!.schema.includes('INCOMPATIBLE')) return fail(409, 409, 'Schema being registered is incompatible with an earlier schema for subject "x"');
        let s = find(input!);
        if (!s) schemas.push((s = { id: schemas.length + 1, schema: input!.schema, schemaType: input!.schemaType ?? 'AVRO', references: input!.references ?? [] }));
        const list = subjects.get(parts[1]!) ?? [];
        if (!list.includes(s.id)) list.push(s.id);
        subjects.set(parts[1]!, list);
        return send(200, { id: s.id });
      }
      if (m === 'GET' && parts[0] === 'subjects' && parts[2] === 'versions' && parts.length === 4) return version(parts[1]!, parts[3]!);
      if (m === 'POST' && parts[0] === 'subjects' && parts.length === 2) {
        const s = find(input!);
        const list = subjects.get(parts[1]!);
        if (!list) return fail(404, 40401, `Subject '${parts[1]}' not found.`);
        if (!s || !list.includes(s.id)) return fail(404, 40403, 'Schema not found');
        return version(parts[1]!, String(list.indexOf(s.id) + 1));
      }
      if (m === 'DELETE' && parts[0] === 'subjects' && parts.length === 2) {
        const list = subjects.get(parts[1]!);
        if (!list) return fail(404, 40401, `Subject '${parts[1]}' not found.`);
        subjects.delete(parts[1]!);
        return send(200, list.map((_, i) => i + 1));
      }
      if (m === 'GET' && parts[0] === 'schemas' && parts[1] === 'ids') {
        const s = schemas[Number(parts[2]) - 1];
        if (!s) return fail(404, 40403, 'Schema not found');
        return send(200, { schema: s.schema, ...(s.schemaType !== 'AVRO' && { schemaType: s.schemaType }), ...(s.references.length && { references: s.references }) });
      }
      if (parts[0] === 'config') {
        if (m === 'PUT') {
          config.set(parts[1] ?? '', input!.compatibility!);
          return send(200, { compatibility: input!.compatibility });
        }
        const level = config.get(parts[1] ?? '') ?? (url.searchParams.get('defaultToGlobal') === 'true' ? config.get('') : undefined);
        return level ? send(200, { compatibilityLevel: level }) : fail(404, 40408, `Subject '${parts[1]}' does not have subject-level compatibility configured`);
      }
      if (m === 'POST' && parts[0] === 'compatibility') {
        if (!subjects.has(parts[2]!)) return fail(404, 40401, `Subject '${parts[2]}' not found.`);
        const bad = input!.schema.includes('INCOMPATIBLE');
        return send(200, { is_compatible: !bad, ...(bad && { messages: ['READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: the field has no default'] }) });
      }
      if (m === 'GET' && parts[0] === 'schemas' && parts[1] === 'types') return send(200, ['JSON', 'PROTOBUF', 'AVRO']);
      return fail(404, 404, 'HTTP 404 Not Found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
