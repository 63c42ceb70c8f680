/** The OAuth client-credentials flow against a real local HTTP server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecurity } from '../../../src/client/security/index.js';
import { oauthInitialResponse } from '../../../src/client/security/oauth.js';
import { isKafkaTsError } from '../../../src/util/errors.js';

interface Seen {
  method: string;
  auth: string;
  type: string;
  body: URLSearchParams;
}
const seen: Seen[] = [];
let expiresIn: number | undefined = 3600;
let url = '';
let server: http.Server;
let issued = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, auth: req.headers.authorization ?? '', type: req.headers['content-type'] ?? '', body: new URLSearchParams(body) });
      const [id, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      res.setHeader('content-type', 'application/json');
      if (id !== 'kafka-ts-app' || secret !== 's3cr3t') {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: 'invalid_client', error_description: 'bad client credentials' }));
        return;
      }
      issued++;
      res.end(JSON.stringify({ access_token: `token-${issued}`, token_type: 'Bearer', ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const OAUTH = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

describe('OAUTHBEARER client credentials', () => {
  it('POSTs grant_type=client_credentials with basic auth and scope, and caches the token until it nears expiry', async () => {
    seen.length = 0;
    expiresIn = 3600;
    const s = await clientSecurity({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url': url,
      'sasl.jaas.config': `${OAUTH} required clientId="kafka-ts-app" clientSecret="s3cr3t" scope="kafka.read";`,
    });
    const t1 = await s.sasl!.tokens!.token();
    const t2 = await s.sasl!.tokens!.token();
    expect(t1).toMatch(/^token-\d+$/);
    expect(t2).toBe(t1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', type: 'application/x-www-form-urlencoded', auth: `Basic ${Buffer.from('kafka-ts-app:s3cr3t').toString('base64')}` });
    expect(Object.fromEntries(seen[0]!.body)).toEqual({ grant_type: 'client_credentials', scope: 'kafka.read' });
    expect(s.sasl!.who).toBe(`a token for client kafka-ts-app from ${url}`);
  });

  it('fetches a new token once the cached one is near its expiry (librdkafka-style properties)', async () => {
    seen.length = 0;
    expiresIn = 0.05; // 50 ms: refreshed after 40 ms
    const s = await clientSecurity({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url': url,
      'sasl.oauthbearer.client.id': 'kafka-ts-app',
      'sasl.oauthbearer.client.secret': 's3cr3t',
    });
    const first = await s.sasl!.tokens!.token();
    const deadline = Date.now() + 5000;
    let next = first;
    while (next === first && Date.now() < deadline) next = await s.sasl!.tokens!.token();
    expect(next).not.toBe(first);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]!.body.has('scope')).toBe(false);
    expiresIn = 3600;
  });

  it('a refused client is an auth error naming the client and the endpoint error, never the secret', async () => {
    const s = await clientSecurity({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url': `${url}?api_key=querysecret`,
      'sasl.jaas.config': `${OAUTH} required clientId="kafka-ts-app" clientSecret="wrongsecret";`,
    });
    let error: unknown;
    await s.sasl!.tokens!.token().catch((e: unknown) => (error = e));
    expect(isKafkaTsError(error) && error.kind).toBe('auth');
    expect((error as Error).message).toBe(`the OAuth token endpoint ${url} refused client kafka-ts-app with HTTP 401: invalid_client (bad client credentials)`);
    expect((error as Error).message).not.toMatch(/wrongsecret|querysecret/);
  });

  it('an unreachable endpoint is an auth error, promptly', async () => {
    const s = await clientSecurity({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.oauthbearer.token.endpoint.url': 'http://127.0.0.1:1/token',
      'sasl.oauthbearer.client.id': 'x',
      'sasl.oauthbearer.client.secret': 'y',
    });
    await expect(s.sasl!.tokens!.token()).rejects.toThrow(/^could not get an OAuth token from http:\/\/127\.0\.0\.1:1\/token: /);
  });

  it('builds the RFC 7628 GS2 initial response', () => {
    expect(oauthInitialResponse('abc').toString()).toBe('n,,\x01auth=Bearer abc\x01\x01');
    expect(oauthInitialResponse('abc', { traceId: 't' }).toString()).toBe('n,,\x01auth=Bearer abc\x01traceId=t\x01\x01');
  });
});
