/**
 * Client-side connection security from Kafka's client properties (`security.protocol`, `ssl.*`,
 * `sasl.*`): one implementation used by every command and the lag TUI.
 *
 * - `security.protocol`: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL (any case, as Kafka).
 * - TLS: PEM stores only (tls.ts); JKS/PKCS12 are refused with the conversion command.
 * - SASL: PLAIN, SCRAM-SHA-256/512, OAUTHBEARER (sasl-config.ts, authenticate.ts), on each new
 *   TCP connection right after ApiVersions. When the broker gives the session a lifetime
 *   (connections.max.reauth.ms), the client re-authenticates the live connection before it ends
 *   (KIP-368); if that fails the connection is closed and the next request opens a new one.
 * - Unix-socket connections (the local daemon's LOCAL listener) are never TLS or SASL: the peer
 *   is authenticated by the operating system.
 */
import type { ConnectionOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { rfc2253Subject } from '../../transport/certificate-subject.js';
import { UsageError } from '../../util/errors.js';
import { saslSettings, type SaslSettings } from './sasl-config.js';
import { tlsOptions } from './tls.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ClientSecurity {
  protocol: SecurityProtocol;
  /** Options for tls.connect when the protocol is SSL or SASL_SSL. */
  tls?: ConnectionOptions;
  /** The mechanism and credentials when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: SaslSettings;
}

export const PLAINTEXT: ClientSecurity = { protocol: 'PLAINTEXT' };

/**
 * The principal a broker will see for this client when the client can tell (for messages such as
 * ACL denials): `User:<name>` for PLAIN and SCRAM, the client certificate's subject with mutual
 * TLS (Kafka's default ssl.principal.mapping.rules), `User:ANONYMOUS` otherwise; undefined for
 * OAUTHBEARER, whose principal is the token's subject as the broker validates it.
 */
export function expectedPrincipal(s: ClientSecurity): string | undefined {
  if (s.sasl) return s.sasl.username !== undefined ? `User:${s.sasl.username}` : undefined;
  const cert = s.tls?.cert;
  const pem = Array.isArray(cert) ? cert[0] : cert;
  if (pem === undefined) return 'User:ANONYMOUS';
  try {
    return `User:${rfc2253Subject(new X509Certificate(typeof pem === 'string' ? pem : Buffer.from(pem)).subject)}`;
  } catch {
    return undefined;
  }
}

export type { SaslSettings, SaslMechanism } from './sasl-config.js';
export { saslAuthenticate } from './authenticate.js';

/** Parses security.protocol; a bad value is a UsageError naming the key and the allowed values. */
export function securityProtocol(props: Record<string, string> = {}): SecurityProtocol {
  const raw = props['security.protocol'];
  if (raw === undefined) return 'PLAINTEXT';
  const p = raw.trim().toUpperCase();
  if (!(SECURITY_PROTOCOLS as readonly string[]).includes(p)) {
    throw new UsageError(`security.protocol=${raw} is not valid; use one of ${SECURITY_PROTOCOLS.join(', ')}`);
  }
  return p as SecurityProtocol;
}

/** Reads the security settings from client properties; bad or unsupported values are usage errors. */
export async function clientSecurity(props: Record<string, string> = {}): Promise<ClientSecurity> {
  const protocol = securityProtocol(props);
  if (protocol === 'PLAINTEXT') return PLAINTEXT;
  const out: ClientSecurity = { protocol };
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') out.sasl = saslSettings(props);
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.tls = await tlsOptions(props);
  return out;
}

/**
 * The ssl.* and sasl.* settings the chosen security.protocol does not use, each with the
 * protocols that would (Kafka accepts them quietly; a forgotten security.protocol=SASL_SSL
 * would then connect without authenticating and fail later, or not at all).
 */
export function unusedSecuritySettings(props: Record<string, string>): { keys: string[]; protocols: string }[] {
  const protocol = securityProtocol(props);
  const keys = (prefix: string) => Object.keys(props).filter((k) => k.startsWith(prefix)).sort();
  const out: { keys: string[]; protocols: string }[] = [];
  if (!protocol.startsWith('SASL')) out.push({ keys: keys('sasl.'), protocols: 'SASL_PLAINTEXT or SASL_SSL' });
  if (!protocol.endsWith('SSL')) out.push({ keys: keys('ssl.'), protocols: 'SSL or SASL_SSL' });
  return out.filter((u) => u.keys.length > 0);
}
