/**
 * SASL/OAUTHBEARER (RFC 7628) with Kafka's default unsecured validator
 * (OAuthBearerUnsecuredValidatorCallbackHandler): an unsigned JWT (alg "none", empty signature);
 * the principal is the `sub` claim (unsecuredValidatorPrincipalClaimName), `exp` is required and
 * checked (with unsecuredValidatorAllowableClockSkewMs), and the space-separated
 * unsecuredValidatorRequiredScope must be within the `scope` claim (unsecuredValidatorScopeClaimName).
 * Never to be used where tokens must be trusted: it is Kafka's development default, for testing.
 */
import { SaslFailure, type SaslStep, type ServerMechanism } from './mechanism.js';

export interface OAuthOptions {
  principalClaim: string;
  scopeClaim: string;
  requiredScope: string[];
  clockSkewMs: number;
}

export const oauthOptions = (o: Record<string, string>): OAuthOptions => ({
  principalClaim: o['unsecuredValidatorPrincipalClaimName'] ?? 'sub',
  scopeClaim: o['unsecuredValidatorScopeClaimName'] ?? 'scope',
  requiredScope: (o['unsecuredValidatorRequiredScope'] ?? '').split(/[\s,]+/).filter((s) => s !== ''),
  clockSkewMs: Number(o['unsecuredValidatorAllowableClockSkewMs'] ?? 0) || 0,
});

function b64urlJson(part: string, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new SaslFailure(`invalid token: its ${what} is not a base64url JSON object`);
  }
}

export class OAuthBearerServer implements ServerMechanism {
  readonly name = 'OAUTHBEARER';
  private used = false;

  constructor(
    private readonly opts: OAuthOptions,
    private readonly now: () => number = Date.now,
  ) {}

  evaluate(token: Buffer): SaslStep {
    if (this.used) throw new SaslFailure('unexpected second OAUTHBEARER message');
    this.used = true;
    const parts = token.toString('utf8').split('\u0001');
    const header = /^([ny]),(?:a=([^,]*))?,$/.exec(parts[0] ?? '');
    if (!header || parts.length < 3 || parts[parts.length - 1] !== '' || parts[parts.length - 2] !== '') throw new SaslFailure('invalid OAUTHBEARER client message');
    let bearer: string | undefined;
    for (const kv of parts.slice(1, -2)) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new SaslFailure('invalid OAUTHBEARER client message');
      if (kv.slice(0, i) === 'auth') bearer = kv.slice(i + 1);
    }
    const m = /^bearer +(\S+)$/i.exec(bearer ?? '');
    if (!m) throw new SaslFailure('invalid OAUTHBEARER client message: no bearer token');
    const jwt = m[1]!.split('.');
    if (jwt.length !== 3) throw new SaslFailure('invalid token: not a JWT');
    const h = b64urlJson(jwt[0]!, 'header');
    if (h['alg'] !== 'none' || jwt[2] !== '') throw new SaslFailure('invalid token: only unsecured JWTs (alg none, no signature) are accepted by the unsecured validator');
    const claims = b64urlJson(jwt[1]!, 'payload');
    const principal = claims[this.opts.principalClaim];
    if (typeof principal !== 'string' || principal.trim() === '') throw new SaslFailure(`invalid token: no '${this.opts.principalClaim}' claim`);
    const exp = claims['exp'];
    if (typeof exp !== 'number') throw new SaslFailure('invalid token: no numeric exp claim', principal);
    const lifetimeMs = Math.floor(exp * 1000) - this.now();
    if (lifetimeMs + this.opts.clockSkewMs <= 0) throw new SaslFailure('invalid token: expired', principal);
    const scopeClaim = claims[this.opts.scopeClaim];
    const scope = Array.isArray(scopeClaim) ? scopeClaim.map(String) : typeof scopeClaim === 'string' ? scopeClaim.split(' ').filter((s) => s) : [];
    const missing = this.opts.requiredScope.filter((s) => !scope.includes(s));
    if (missing.length > 0) throw new SaslFailure(`invalid token: insufficient scope (missing ${missing.join(' ')})`, principal);
    if (header[2] && header[2] !== principal) throw new SaslFailure('authorization id differs from the token principal', principal);
    return { challenge: Buffer.alloc(0), done: true, user: principal, credentialLifetimeMs: Math.max(1, lifetimeMs + this.opts.clockSkewMs) };
  }
}
