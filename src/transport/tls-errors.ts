/**
 * Turns node:tls failures into one actionable line (kind auth): an untrusted, expired or
 * misnamed server certificate, a TLS port spoken to in plaintext and the reverse, a client
 * certificate the broker refused. These are not retried: the next attempt would fail the same way.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { AuthenticationError } from '../util/errors.js';
import { opensslReason, versionsText } from './tls-settings.js';

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** Alerts a broker sends when it does not accept (or did not get) our client certificate. */
const CLIENT_CERT_REFUSED = /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED/;

export const notTlsError = (label: string) =>
  new AuthenticationError(`${label} does not speak TLS; is it a PLAINTEXT listener? (set security.protocol=PLAINTEXT or SASL_PLAINTEXT, or use the broker's SSL port)`);

export const looksLikeTlsError = (label: string) =>
  new AuthenticationError(`${label} looks like a TLS listener; set security.protocol=SSL or SASL_SSL`);

export const clientCertRefusedError = (label: string) =>
  new AuthenticationError(
    `${label} closed the TLS connection before answering: it may require a client certificate or refuse this one; set ssl.keystore.location (PEM key and certificate) signed by a CA it trusts`,
  );

/**
 * A broker that took our client certificate in the handshake and then hung up (node:tls brokers,
 * kafka-ts's among them, cannot send a TLS alert for a certificate that does not verify: they
 * close). Our own certificate says what it can: expired or not yet valid, else most likely a CA
 * the broker's truststore does not have (the broker's log names the cause).
 */
export function clientCertRefusedByBroker(label: string, cert: unknown, now = new Date()): AuthenticationError {
  const pem = (Array.isArray(cert) ? cert[0] : cert) as string | Buffer | undefined;
  let leaf: X509Certificate | null = null;
  try {
    leaf = pem === undefined ? null : new X509Certificate(pem);
  } catch {
    leaf = null;
  }
  const subject = leaf ? leaf.subject.split('\n').reverse().join(',') : 'the client certificate';
  const reason = !leaf
    ? 'it is expired, or not signed by a CA in the broker\'s ssl.truststore.location'
    : now > new Date(leaf.validTo)
      ? `certificate expired (${subject} expired ${new Date(leaf.validTo).toISOString()}); renew it`
      : now < new Date(leaf.validFrom)
        ? `certificate not yet valid (${subject} is valid from ${new Date(leaf.validFrom).toISOString()}; check the clocks)`
        : `unknown CA: ${subject} is issued by ${leaf.issuer.split('\n').reverse().join(',')}, which is most likely not in the broker's ssl.truststore.location`;
  return new AuthenticationError(`${label} refused the client certificate: ${reason} (the broker closed the TLS connection; its log names the cause)`);
}

/** The names a client can connect by: the subject alternative names; the CN only when there is no DNS name among them (then hostname checks ignore it, RFC 6125). */
function certNames(cert: PeerCertificate | undefined): string {
  if (!cert) return 'unknown';
  const names = cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [];
  if (cert.subject?.CN && !names.some((n) => n.startsWith('DNS:'))) names.unshift(`CN=${String(cert.subject.CN)}`);
  return names.length ? names.join(', ') : 'none';
}

/** What the client offered, for messages (its tls.connect options, plus whether the address came from the broker's metadata). */
export interface TlsContext {
  tls?: { minVersion?: string; maxVersion?: string; ciphers?: string; cert?: unknown };
  /** The address is one the broker advertised (not one the user gave): hostname problems are the broker's advertised.listeners. */
  advertised?: boolean;
}

/** OpenSSL's reason in a few words for the end of a line: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION -> "tlsv1 alert protocol version". */
const reasonOf = (code: string) => code.replace(/^ERR_SSL_/, '').toLowerCase().replace(/_/g, ' ');

/**
 * The error to report for a TLS failure during or right after the handshake, or null when `e`
 * is an ordinary socket error (refused, reset after the handshake...). Never OpenSSL's raw text.
 */
export function tlsFailure(e: NodeJS.ErrnoException & { cert?: PeerCertificate; host?: string }, label: string, host: string, handshakeDone: boolean, ctx: TlsContext = {}): AuthenticationError | null {
  const code = e.code ?? '';
  const where = `server certificate for ${label}`;
  if (UNTRUSTED.has(code)) {
    return new AuthenticationError(`${where} is not trusted: ${e.message}; set ssl.truststore.location (PEM) to the CA that signed it`);
  }
  if (code === 'CERT_HAS_EXPIRED') return new AuthenticationError(`${where} has expired; the broker must renew it`);
  if (code === 'CERT_NOT_YET_VALID') return new AuthenticationError(`${where} is not valid yet (check the clocks)`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'ERR_TLS_CERT_ALTNAME_FORMAT') {
    return new AuthenticationError(
      ctx.advertised
        ? `${where} does not match host ${host} (the certificate names ${certNames(e.cert)}): ${label} is the address the broker advertises; set the broker's advertised.listeners to one of those names, or set ssl.endpoint.identification.algorithm= (empty) to skip hostname verification`
        : `${where} does not match host ${host} (the certificate names ${certNames(e.cert)}); connect by one of those names, or set ssl.endpoint.identification.algorithm= (empty) to skip hostname verification`,
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ERR_SSL_RECORD_LAYER_FAILURE') return notTlsError(label);
  if (!handshakeDone && (code === 'ECONNRESET' || code === 'EPIPE' || /before secure TLS connection/.test(e.message))) return notTlsError(label);
  const offered = versionsText(ctx.tls ?? {});
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|WRONG_SSL_VERSION|VERSION_TOO_(LOW|HIGH)/.test(code)) {
    return new AuthenticationError(`TLS with ${label} failed: the broker accepts none of the TLS versions in ssl.enabled.protocols (${offered}) (${reasonOf(code)})`);
  }
  if (/NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|NO_CIPHER_MATCH/.test(code) || (/HANDSHAKE_FAILURE/.test(code) && ctx.tls?.ciphers !== undefined)) {
    return new AuthenticationError(
      `TLS with ${label} failed: the broker refused the handshake: it shares no cipher suite with ssl.cipher.suites${ctx.tls?.cert === undefined ? ', or it requires a client certificate (ssl.keystore.location)' : ''} (${reasonOf(code)})`,
    );
  }
  if (/UNKNOWN_CA/.test(code)) {
    return new AuthenticationError(`${label} refused the TLS connection: it does not trust the CA that signed the client certificate (ssl.keystore.location); it must be signed by a CA in the broker's ssl.truststore.location (${reasonOf(code)})`);
  }
  if (/CERTIFICATE_EXPIRED/.test(code) && ctx.tls?.cert !== undefined) {
    return new AuthenticationError(`${label} refused the client certificate: certificate expired; renew it (${reasonOf(code)})`);
  }
  if (/BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED/.test(code) && ctx.tls?.cert !== undefined) {
    return new AuthenticationError(`${label} refused the client certificate (ssl.keystore.location): is it expired, or not meant for client authentication? (${reasonOf(code)})`);
  }
  if (code.startsWith('ERR_SSL_') && CLIENT_CERT_REFUSED.test(code)) {
    return new AuthenticationError(
      `${label} refused the TLS connection (${code.replace(/^ERR_SSL_(SSLV3_|TLSV1_|TLSV13_)?/, '').toLowerCase().replace(/_/g, ' ')}); does it require a client certificate? set ssl.keystore.location (PEM key and certificate) signed by a CA it trusts`,
    );
  }
  if (code.startsWith('ERR_SSL_')) return new AuthenticationError(`TLS with ${label} failed (${reasonOf(code)})`);
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_OSSL_')) return new AuthenticationError(`TLS with ${label} failed: ${opensslReason(e.message)}`);
  return null;
}
