/**
 * node:tls options from Kafka's client SSL properties (PEM only), with librdkafka's names as
 * aliases. JKS and PKCS12 stores are refused with the command that converts them to PEM.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { UsageError } from '../../util/errors.js';
import { binaryStoreType, opensslReason, pemConversion, tlsSettings, unreadableCertificate } from '../../transport/tls-settings.js';

type Props = Record<string, string>;

const BINARY_STORE = /\.(jks|p12|pfx|pkcs12|keystore|truststore)$/i;

/** The error for a JKS/PKCS12 store: kafka-ts reads PEM only; say how to convert. */
export function binaryStoreError(key: string, type: 'JKS' | 'PKCS12', location: string | undefined): UsageError {
  const { steps, pem } = pemConversion(type, location ?? 'store.jks');
  return new UsageError(`${key}: kafka-ts reads PEM stores only, not ${type}; convert it with: ${steps} (then set ${key.replace(/\.(type|location)$/, '.type')}=PEM and ${key.replace(/\.(type|location)$/, '.location')}=${pem})`);
}

/** A file read as UTF-8 that is no text (a JKS or PKCS12 store whatever its name or ssl.*.type says). */
const isBinary = (text: string) => !text.includes('-----BEGIN') && /[\u0000\uFFFD]/.test(text);

async function readPem(key: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${key}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')})`);
  }
}

/** Checks a store's type (PEM or absent) and its file's extension; returns nothing or throws. */
function checkStoreType(props: Props, prefix: 'ssl.truststore' | 'ssl.keystore'): void {
  const typeKey = `${prefix}.type`;
  const type = (props[typeKey] ?? '').trim().toUpperCase();
  const location = props[`${prefix}.location`]?.trim();
  if (type === 'JKS' || type === 'PKCS12') throw binaryStoreError(typeKey, type, location);
  if (type && type !== 'PEM') throw new UsageError(`${typeKey}=${props[typeKey]} is not supported; kafka-ts reads PEM (set ${typeKey}=PEM)`);
  if (location && BINARY_STORE.test(location)) {
    throw binaryStoreError(`${prefix}.location`, /\.(p12|pfx|pkcs12)$/i.test(location) ? 'PKCS12' : 'JKS', location);
  }
}

const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Kafka's inline PEM values (ssl.truststore.certificates, ssl.keystore.certificate.chain,
 * ssl.keystore.key) often lose their line breaks in a properties file (continued lines, or a
 * literal \n): each block is rebuilt with its base64 body in 64-column lines, as Kafka accepts.
 */
export const inlinePem = (v: string): string =>
  v
    .replace(/\\n/g, '\n')
    .replace(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g, (m: string, label: string, body: string) => {
      if (body.includes(':')) return m; // RFC 1421 headers (an old-style encrypted key): keep as written
      const b64 = body.replace(/\s+/g, '');
      return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
    });

/** The setting that named the client key and certificate, for messages. */
function keySetting(props: Props): string {
  if (props['ssl.keystore.location'] !== undefined && props['ssl.keystore.location'].trim() !== '') return 'ssl.keystore.location';
  if (props['ssl.keystore.key'] !== undefined) return 'ssl.keystore.key / ssl.keystore.certificate.chain';
  if (props['ssl.key.location'] !== undefined) return 'ssl.key.location / ssl.certificate.location';
  return 'ssl.key.pem / ssl.certificate.pem';
}


export async function tlsOptions(props: Props): Promise<ConnectionOptions> {
  checkStoreType(props, 'ssl.truststore');
  checkStoreType(props, 'ssl.keystore');
  const opts: ConnectionOptions = {};

  // Trust: Kafka's truststore, librdkafka's ssl.ca.location / ssl.ca.pem; the system CAs otherwise.
  // Kafka's and librdkafka's names of one setting: both given, neither can be said to win (a
  // properties file shared by both kinds of client, edited in one place only), so it is refused.
  for (const [kafka, rdkafka] of [['ssl.truststore.location', 'ssl.ca.location'], ['ssl.truststore.certificates', 'ssl.ca.pem']] as const) {
    if ((props[kafka] ?? '').trim() !== '' && (props[rdkafka] ?? '').trim() !== '') {
      throw new UsageError(`${kafka} and ${rdkafka} both name the trusted CA certificates (Kafka's and librdkafka's names for one setting); set only one`);
    }
  }
  const caFile = props['ssl.truststore.location'] ?? props['ssl.ca.location'];
  const caInline = props['ssl.truststore.certificates'] ?? props['ssl.ca.pem'];
  if (caFile !== undefined && caFile.trim() !== '') {
    const key = props['ssl.truststore.location'] !== undefined ? 'ssl.truststore.location' : 'ssl.ca.location';
    const pem = await readPem(key, caFile.trim());
    if (isBinary(pem)) throw binaryStoreError(key, binaryStoreType(caFile.trim()), caFile.trim());
    if (!pem.match(PEM_CERT)) throw new UsageError(`${key}: ${caFile.trim()} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    const bad = unreadableCertificate(pem);
    if (bad) throw new UsageError(`${key}: certificate ${bad} in ${caFile.trim()} cannot be read (damaged PEM?)`);
    opts.ca = pem;
  } else if (caInline !== undefined && caInline.trim() !== '') {
    const pem = inlinePem(caInline);
    if (!pem.match(PEM_CERT)) throw new UsageError('ssl.truststore.certificates holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    const bad = unreadableCertificate(pem);
    if (bad) throw new UsageError(`${props['ssl.truststore.certificates'] !== undefined ? 'ssl.truststore.certificates' : 'ssl.ca.pem'}: certificate ${bad} cannot be read (damaged PEM?)`);
    opts.ca = pem;
  }

  // Client certificate (mutual TLS).
  const passphrase = props['ssl.key.password'];
  const keystore = props['ssl.keystore.location'];
  if (keystore !== undefined && keystore.trim() !== '') {
    const pem = await readPem('ssl.keystore.location', keystore.trim());
    if (isBinary(pem)) throw binaryStoreError('ssl.keystore.location', binaryStoreType(keystore.trim()), keystore.trim());
    const key = PEM_KEY.exec(pem)?.[0];
    const certs = pem.match(PEM_CERT);
    if (!key || !certs) throw new UsageError(`ssl.keystore.location: ${keystore.trim()} must hold the private key and the certificate chain in PEM`);
    opts.key = key;
    opts.cert = certs.join('\n');
  } else if (props['ssl.keystore.certificate.chain'] !== undefined || props['ssl.keystore.key'] !== undefined) {
    const chain = props['ssl.keystore.certificate.chain'];
    const key = props['ssl.keystore.key'];
    if (!chain || !key) throw new UsageError('ssl.keystore.certificate.chain and ssl.keystore.key go together (inline PEM certificate chain and private key)');
    // As in Kafka these hold the PEM text itself; a file name here is a common slip (never echoed).
    for (const [name, v] of [['ssl.keystore.certificate.chain', chain], ['ssl.keystore.key', key]] as const) {
      if (!v.includes('-----BEGIN ')) throw new UsageError(`${name} holds the PEM text itself, not a file name; for files use ssl.keystore.location (key and chain in one PEM file)`);
    }
    opts.cert = inlinePem(chain);
    opts.key = inlinePem(key);
  } else if (props['ssl.certificate.location'] !== undefined || props['ssl.key.location'] !== undefined) {
    const certFile = props['ssl.certificate.location']?.trim();
    const keyFile = props['ssl.key.location']?.trim();
    if (!certFile || !keyFile) throw new UsageError('ssl.certificate.location and ssl.key.location go together (PEM client certificate and its key)');
    opts.cert = await readPem('ssl.certificate.location', certFile);
    opts.key = await readPem('ssl.key.location', keyFile);
  } else if (props['ssl.certificate.pem'] !== undefined || props['ssl.key.pem'] !== undefined) {
    if (!props['ssl.certificate.pem'] || !props['ssl.key.pem']) throw new UsageError('ssl.certificate.pem and ssl.key.pem go together');
    opts.cert = inlinePem(props['ssl.certificate.pem']);
    opts.key = inlinePem(props['ssl.key.pem']);
  }
  if (opts.key !== undefined && passphrase !== undefined && passphrase !== '') opts.passphrase = passphrase;
  if (opts.key !== undefined) {
    // Fail here, once, with a clear line, rather than on each connection.
    const { createPrivateKey } = await import('node:crypto');
    try {
      createPrivateKey({ key: opts.key as string, ...(opts.passphrase ? { passphrase: opts.passphrase } : {}) });
    } catch (e) {
      const encrypted = /ENCRYPTED/.test(opts.key as string);
      throw new UsageError(
        encrypted && !opts.passphrase
          ? 'the client private key is encrypted; set ssl.key.password'
          : encrypted
            ? 'cannot decrypt the client private key: wrong ssl.key.password?'
            : `the client private key cannot be read (${(e as Error).message.split('\n')[0]})`,
      );
    }
    // A key that is not the certificate's fails every handshake the same way: say so once, here.
    try {
      createSecureContext({ key: opts.key, cert: opts.cert, ...(opts.passphrase ? { passphrase: opts.passphrase } : {}) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        `${keySetting(props)}: ${code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ? "the private key does not match the certificate (the first certificate must be the key's own)" : `the key and certificate cannot be used (${opensslReason((e as Error).message)})`}`,
      );
    }
  }

  // Verification: hostname (Kafka: ssl.endpoint.identification.algorithm, https by default, empty
  // = off; librdkafka: none) and the chain (librdkafka: enable.ssl.certificate.verification).
  const algo = (props['ssl.endpoint.identification.algorithm'] ?? 'https').trim().toLowerCase();
  if (algo !== 'https' && algo !== '' && algo !== 'none') {
    throw new UsageError(`ssl.endpoint.identification.algorithm=${algo} is not supported (https, or empty to turn hostname verification off)`);
  }
  if (algo !== 'https') opts.checkServerIdentity = () => undefined;
  const verify = props['enable.ssl.certificate.verification'];
  if (verify !== undefined) {
    const v = verify.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') throw new UsageError(`enable.ssl.certificate.verification must be true or false (got '${verify}')`);
    if (v === 'false') opts.rejectUnauthorized = false;
  }
  if (opts.rejectUnauthorized !== false) opts.rejectUnauthorized = true;
  Object.assign(
    opts,
    tlsSettings(props['ssl.enabled.protocols'], props['ssl.cipher.suites'], (key, message) => new UsageError(`${key}=${props[key]!.trim()}: ${message}`)),
  );
  return opts;
}
