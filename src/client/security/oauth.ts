/**
 * OAUTHBEARER tokens (RFC 7628) for the client: a static token (`sasl.oauthbearer.token`, a
 * kafka-ts property), a token file re-read on each login (`sasl.oauthbearer.token.file`, or the
 * `tokenFile` option of OAuthBearerLoginModule in `sasl.jaas.config`, both kafka-ts's), Kafka's
 * unsecured development token (`unsecuredLoginStringClaim_sub` in the JAAS options), or the
 * OAuth 2 client-credentials flow against `sasl.oauthbearer.token.endpoint.url` (the token is
 * cached until shortly before it expires).
 */
import { readFile } from 'node:fs/promises';
import { AuthenticationError, UsageError } from '../../util/errors.js';

export interface TokenSource {
  /** A token for the next login; refreshed when the cached one is about to expire. */
  token(): Promise<string>;
  /** For messages: where the token comes from (never the token or a secret). */
  readonly description: string;
}

/** RFC 7628 initial client response: GS2 header, then auth=Bearer <token>, then two ^A. */
export const oauthInitialResponse = (token: string, extensions: Record<string, string> = {}): Buffer =>
  Buffer.from(`n,,\x01auth=Bearer ${token}\x01${Object.entries(extensions).map(([k, v]) => `${k}=${v}\x01`).join('')}\x01`, 'utf8');

export function staticToken(token: string): TokenSource {
  const t = token.trim();
  if (!t) throw new UsageError('sasl.oauthbearer.token is empty');
  return { token: () => Promise.resolve(t), description: 'the token from sasl.oauthbearer.token' };
}

export function fileToken(path: string, key = 'sasl.oauthbearer.token.file'): TokenSource {
  return {
    description: `the token in ${path}`,
    async token() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new UsageError(`${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const t = text.trim();
      if (!t) throw new UsageError(`${key}: ${path} is empty`);
      return t;
    },
  };
}

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Kafka's OAuthBearerUnsecuredLoginCallbackHandler: an unsigned JWT (alg none) for development brokers. */
export function unsecuredToken(options: Record<string, string>): TokenSource {
  const sub = options['unsecuredLoginStringClaim_sub'];
  if (!sub) throw new UsageError('sasl.jaas.config: unsecuredLoginStringClaim_sub is required for an unsecured OAUTHBEARER token');
  const lifetimeS = Number(options['unsecuredLoginLifetimeSeconds'] ?? 3600);
  const scope = options['unsecuredLoginListClaim_scope'];
  return {
    description: `an unsecured token for ${sub}`,
    token() {
      const iat = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { sub, iat, exp: iat + (Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS : 3600) };
      if (scope) claims['scope'] = scope.split(/[,\s]+/).filter(Boolean);
      return Promise.resolve(`${b64url(JSON.stringify({ alg: 'none' }))}.${b64url(JSON.stringify(claims))}.`);
    },
  };
}

export interface ClientCredentials {
  url: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  timeoutMs?: number;
}

/** OAuth 2 client credentials (RFC 6749 4.4): POST grant_type=client_credentials with HTTP basic auth
 * (id:secret not URL-encoded, as Kafka's default sasl.oauthbearer.header.urlencode=false). */
export function clientCredentialsToken(cc: ClientCredentials): TokenSource {
  let cached: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;
  const fetchToken = async (): Promise<string> => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (cc.scope) body.set('scope', cc.scope);
    const basic = Buffer.from(`${cc.clientId}:${cc.clientSecret}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(cc.url, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(cc.timeoutMs ?? 10_000),
      });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? 'timed out' : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
      throw new AuthenticationError(`could not get an OAuth token from ${safeUrl(cc.url)}: ${why}`);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // reported below
    }
    if (!res.ok) {
      const detail = typeof json['error'] === 'string' ? `: ${json['error']}${typeof json['error_description'] === 'string' ? ` (${json['error_description']})` : ''}` : '';
      throw new AuthenticationError(`the OAuth token endpoint ${safeUrl(cc.url)} refused client ${cc.clientId} with HTTP ${res.status}${detail}`);
    }
    const token = json['access_token'];
    if (typeof token !== 'string' || !token) throw new AuthenticationError(`the OAuth token endpoint ${safeUrl(cc.url)} answered without an access_token`);
    const expiresIn = Number(json['expires_in']);
    // Refresh at 80% of the lifetime (Kafka's sasl.login.refresh.window.factor); no expiry: one minute.
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 60_000;
    cached = { token, refreshAt: Date.now() + lifetimeMs * 0.8 };
    return token;
  };
  return {
    description: `a token for client ${cc.clientId} from ${safeUrl(cc.url)}`,
    token() {
      if (cached && Date.now() < cached.refreshAt) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => (pending = null));
      return pending;
    },
  };
}

/** The URL without credentials or query (they may hold secrets). */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the token endpoint';
  }
}
