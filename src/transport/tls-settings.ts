/**
 * Kafka's `ssl.enabled.protocols` and `ssl.cipher.suites` as node:tls options, for the broker's
 * listeners and the client alike. Kafka names suites as JSSE does (the IANA names:
 * TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 for TLS 1.2, TLS_AES_128_GCM_SHA256 for TLS 1.3); node:tls
 * takes OpenSSL's names for TLS 1.2 and the IANA names for TLS 1.3 in one `ciphers` string. OpenSSL's
 * own names (librdkafka's form) are accepted too. An unknown name, or a list that leaves no suite for
 * the enabled versions, is an error naming the setting: a suite is never dropped in silence.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { getCiphers } from 'node:tls';

/** The TLS 1.2 suites OpenSSL offers (`openssl ciphers -stdname`): IANA/JSSE name -> OpenSSL name. */
const TLS12: Record<string, string> = Object.fromEntries(
  `
TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256
TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384
TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 ECDHE-ECDSA-AES128-SHA256
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 ECDHE-ECDSA-AES256-SHA384
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ECDHE-ECDSA-AES128-SHA
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA ECDHE-ECDSA-AES256-SHA
TLS_ECDHE_ECDSA_WITH_AES_128_CCM ECDHE-ECDSA-AES128-CCM
TLS_ECDHE_ECDSA_WITH_AES_256_CCM ECDHE-ECDSA-AES256-CCM
TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ECDHE-ECDSA-AES128-CCM8
TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8 ECDHE-ECDSA-AES256-CCM8
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384
TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-RSA-CHACHA20-POLY1305
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 ECDHE-RSA-AES128-SHA256
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 ECDHE-RSA-AES256-SHA384
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ECDHE-RSA-AES128-SHA
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA ECDHE-RSA-AES256-SHA
TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 DHE-RSA-AES128-GCM-SHA256
TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 DHE-RSA-AES256-GCM-SHA384
TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256 DHE-RSA-CHACHA20-POLY1305
TLS_DHE_RSA_WITH_AES_128_CBC_SHA256 DHE-RSA-AES128-SHA256
TLS_DHE_RSA_WITH_AES_256_CBC_SHA256 DHE-RSA-AES256-SHA256
TLS_DHE_RSA_WITH_AES_128_CBC_SHA DHE-RSA-AES128-SHA
TLS_DHE_RSA_WITH_AES_256_CBC_SHA DHE-RSA-AES256-SHA
TLS_DHE_RSA_WITH_AES_128_CCM DHE-RSA-AES128-CCM
TLS_DHE_RSA_WITH_AES_256_CCM DHE-RSA-AES256-CCM
TLS_DHE_RSA_WITH_AES_128_CCM_8 DHE-RSA-AES128-CCM8
TLS_DHE_RSA_WITH_AES_256_CCM_8 DHE-RSA-AES256-CCM8
TLS_DHE_DSS_WITH_AES_128_GCM_SHA256 DHE-DSS-AES128-GCM-SHA256
TLS_DHE_DSS_WITH_AES_256_GCM_SHA384 DHE-DSS-AES256-GCM-SHA384
TLS_DHE_DSS_WITH_AES_128_CBC_SHA256 DHE-DSS-AES128-SHA256
TLS_DHE_DSS_WITH_AES_256_CBC_SHA256 DHE-DSS-AES256-SHA256
TLS_DHE_DSS_WITH_AES_128_CBC_SHA DHE-DSS-AES128-SHA
TLS_DHE_DSS_WITH_AES_256_CBC_SHA DHE-DSS-AES256-SHA
TLS_RSA_WITH_AES_128_GCM_SHA256 AES128-GCM-SHA256
TLS_RSA_WITH_AES_256_GCM_SHA384 AES256-GCM-SHA384
TLS_RSA_WITH_AES_128_CBC_SHA256 AES128-SHA256
TLS_RSA_WITH_AES_256_CBC_SHA256 AES256-SHA256
TLS_RSA_WITH_AES_128_CBC_SHA AES128-SHA
TLS_RSA_WITH_AES_256_CBC_SHA AES256-SHA
TLS_RSA_WITH_AES_128_CCM AES128-CCM
TLS_RSA_WITH_AES_256_CCM AES256-CCM
TLS_RSA_WITH_AES_128_CCM_8 AES128-CCM8
TLS_RSA_WITH_AES_256_CCM_8 AES256-CCM8
`
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string]),
);

/** TLS 1.3 suites: the same name in Kafka (JSSE) and node:tls. */
const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];

/** JSSE's signalling pseudo-suite: OpenSSL always sends the renegotiation extension, so it asks for nothing. */
const SCSV = 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV';

type Version = 'TLSv1.2' | 'TLSv1.3';

export interface TlsSettings {
  minVersion?: Version;
  maxVersion?: Version;
  /** node:tls's `ciphers`: OpenSSL names for TLS 1.2, IANA names for TLS 1.3, ':'-separated. */
  ciphers?: string;
}

const listOf = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * `ssl.enabled.protocols` and `ssl.cipher.suites` (raw values, undefined when not set) as node:tls
 * options; `fail(key, message)` makes the error to throw (ConfigError on the broker, UsageError on
 * the client), `key` being 'ssl.enabled.protocols' or 'ssl.cipher.suites'. TLSv1 and TLSv1.1 beside
 * TLSv1.2 or TLSv1.3 are passed over as Java does (they are disabled in the JDK and in OpenSSL's
 * defaults alike); alone they are an error.
 */
export function tlsSettings(protocols: string | undefined, suites: string | undefined, fail: (key: 'ssl.enabled.protocols' | 'ssl.cipher.suites', message: string) => Error): TlsSettings {
  const out: TlsSettings = {};
  let min: Version = 'TLSv1.2';
  let max: Version = 'TLSv1.3';
  if (protocols !== undefined && protocols.trim() !== '') {
    const names = listOf(protocols);
    const versions = new Set<Version>();
    for (const n of names) {
      const v = n.toUpperCase();
      if (v === 'TLSV1.2') versions.add('TLSv1.2');
      else if (v === 'TLSV1.3') versions.add('TLSv1.3');
      else if (v !== 'TLSV1' && v !== 'TLSV1.1') throw fail('ssl.enabled.protocols', `${n} is not a TLS version kafka-ts can use (TLSv1.2, TLSv1.3)`);
    }
    if (versions.size === 0) throw fail('ssl.enabled.protocols', `kafka-ts speaks TLSv1.2 and TLSv1.3 only (TLSv1 and TLSv1.1 are disabled in OpenSSL and Java alike)`);
    min = versions.has('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3';
    max = versions.has('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2';
    out.minVersion = min;
    out.maxVersion = max;
  }
  if (suites !== undefined && suites.trim() !== '') {
    const known = new Set(getCiphers().map((c) => c.toUpperCase()));
    const tls12: string[] = [];
    const tls13: string[] = [];
    const unknown: string[] = [];
    for (const name of listOf(suites)) {
      const upper = name.toUpperCase();
      if (upper === SCSV) continue;
      if (TLS13.includes(upper)) tls13.push(upper);
      else if (TLS12[upper] !== undefined) tls12.push(TLS12[upper]);
      else if (!upper.startsWith('TLS_') && known.has(upper)) tls12.push(upper);
      else unknown.push(name);
    }
    if (unknown.length > 0) {
      throw fail('ssl.cipher.suites', `unknown or unsupported cipher suite${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256, or OpenSSL's)`);
    }
    // A version with none of its suites listed cannot be negotiated (as in Java): say so, and offer only the others.
    if (tls13.length === 0) max = 'TLSv1.2';
    if (tls12.length === 0) min = 'TLSv1.3';
    if (tls12.length + tls13.length === 0 || min > max) {
      throw fail('ssl.cipher.suites', `none of these suites can be used with ${protocols !== undefined && protocols.trim() !== '' ? `ssl.enabled.protocols=${protocols.trim()}` : 'TLSv1.2 or TLSv1.3'}`);
    }
    out.minVersion = min;
    out.maxVersion = max;
    out.ciphers = [...tls13, ...tls12].join(':');
  }
  return out;
}

/** The versions a side offers, for messages: "TLSv1.2", "TLSv1.2, TLSv1.3". */
export function versionsText(o: { minVersion?: string; maxVersion?: string }): string {
  const min = o.minVersion ?? 'TLSv1.2';
  const max = o.maxVersion ?? 'TLSv1.3';
  return min === max ? min : `${min}, ${max}`;
}

/**
 * A JKS or PKCS12 file's conversion to PEM: the shell steps and the PEM file they write, never
 * over the store itself or another file that exists (a user's other PEM, a keytool output left
 * from before: keytool would refuse it, openssl would overwrite it).
 */
export function pemConversion(type: 'JKS' | 'PKCS12', file: string): { steps: string; pem: string } {
  const base = file.replace(/\.[^./]+$/, '');
  const free = (name: string) => name !== file && !existsSync(name);
  const out = (ext: string) => [`${base}.${ext}`, `${base}-converted.${ext}`].find(free) ?? Array.from({ length: 99 }, (_, i) => `${base}-converted-${i + 2}.${ext}`).find(free) ?? `${base}-converted.${ext}`;
  const steps =
    type === 'PKCS12'
      ? `openssl pkcs12 -in ${file} -out ${out('pem')} -nodes`
      : `keytool -importkeystore -srckeystore ${file} -destkeystore ${out('p12')} -deststoretype PKCS12 && openssl pkcs12 -in ${out('p12')} -out ${out('pem')} -nodes`;
  return { steps, pem: out('pem') };
}

/** The store type a non-PEM file most likely is, by its name (PKCS12 unless it looks like JKS). */
export const binaryStoreType = (file: string): 'JKS' | 'PKCS12' => (/\.(jks|keystore|truststore)$/i.test(file) ? 'JKS' : 'PKCS12');

/**
 * The 1-based position of the first PEM certificate in `pem` that cannot be parsed, or 0 (node:tls
 * skips such a certificate in a CA list without a word, and the handshake then fails as "not trusted").
 */
export function unreadableCertificate(pem: string): number {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  for (let i = 0; i < blocks.length; i++) {
    try {
      new X509Certificate(blocks[i]!);
    } catch {
      return i + 1;
    }
  }
  return 0;
}

/**
 * OpenSSL's reason from a Node error message, without its error code, library prefix and source
 * location: "error:05800074:x509 certificate routines::key values mismatch" -> "key values mismatch".
 */
export function opensslReason(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/^[0-9A-F]*:?error:[0-9A-F]+:[^:]*:[^:]*:/i, '')
    .replace(/:\S*\.c:\d+.*$/, '')
    .trim();
}
