/**
 * A TLS listener's server settings from Kafka's PEM properties: ssl.keystore.type=PEM with
 * ssl.keystore.location (a file with the private key and the certificate chain) or inline
 * ssl.keystore.certificate.chain + ssl.keystore.key, ssl.key.password for an encrypted key,
 * ssl.truststore.type=PEM with ssl.truststore.location or inline ssl.truststore.certificates, and
 * ssl.client.auth=required|requested|none. JKS and PKCS12 stores are refused with the command
 * that converts them. Values are never echoed into messages (keys and passwords).
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { createPrivateKey } from 'node:crypto';
import { ConfigError } from '../config.js';
import { unreadableReason } from '../../util/files.js';
import type { ListenerProps } from './listener-config.js';
import { binaryStoreType, opensslReason, pemConversion, tlsSettings, unreadableCertificate } from '../../transport/tls-settings.js';

export type ClientAuth = 'required' | 'requested' | 'none';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** PEM blocks, re-wrapped: Kafka accepts inline PEM whose line breaks a properties file lost. */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  const out: { label: string; pem: string }[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]!.replace(/\\n/g, '').replace(/\s+/g, '');
    // An encrypted traditional key keeps its Proc-Type/DEK-Info headers; leave such a block as it is.
    const pem = /Proc-Type:/.test(m[2]!) ? m[0] : `-----BEGIN ${m[1]}-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${m[1]}-----\n`;
    out.push({ label: m[1]!, pem });
  }
  return out;
}

function convertHint(key: string, type: string): string {
  const lower = type.toLowerCase();
  return (
    `${key}=${type} is not supported: kafka-ts reads PEM stores only (${key}=PEM). Convert with ` +
    (lower === 'jks'
      ? "'keytool -importkeystore -srckeystore store.jks -destkeystore store.p12 -deststoretype PKCS12' then 'openssl pkcs12 -in store.p12 -out store.pem -nodes'"
      : "'openssl pkcs12 -in store.p12 -out store.pem -nodes'")
  );
}

function readStoreFile(p: ListenerProps, key: string): string {
  const path = p.get(key)!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read ${p.source(key)} ${path}: ${unreadableReason(e)}`);
  }
  return text;
}

/** The store type: as given, or PEM when the file or value is PEM (Kafka's default type is JKS). */
function checkType(p: ListenerProps, typeKey: string, content: string | undefined, what: string, file?: string) {
  const type = p.get(typeKey);
  if (type !== undefined && type.trim().toUpperCase() !== 'PEM') throw new ConfigError(convertHint(p.source(typeKey), type.trim()));
  if (content !== undefined && !content.includes('-----BEGIN')) {
    // A binary store, whatever the type says: name the likely type and the command that converts it.
    if (file !== undefined) {
      const storeType = binaryStoreType(file);
      const { steps, pem } = pemConversion(storeType, file);
      throw new ConfigError(`${what} is not PEM (a ${storeType} store?): kafka-ts reads PEM stores only; convert it with: ${steps} (then point ${what.split(' ')[0]} at ${pem})`);
    }
    const hint = convertHint(p.source(typeKey), 'JKS').replace(/^.*?Convert with /, '');
    throw new ConfigError(`${what} is not PEM (a JKS or PKCS12 store?): kafka-ts reads PEM stores only. Convert with ${hint}`);
  }
}

/** The setting(s) the listener's key and certificate came from, for messages. */
export function keystoreSource(p: ListenerProps): string {
  const location = p.get('ssl.keystore.location');
  const inline = p.get('ssl.keystore.certificate.chain') !== undefined && p.get('ssl.keystore.key') !== undefined;
  const prefixed = (k: string) => p.source(k).startsWith('listener.name.');
  const useInline = inline && (location === undefined || (prefixed('ssl.keystore.certificate.chain') && !prefixed('ssl.keystore.location')));
  return useInline ? `${p.source('ssl.keystore.certificate.chain')} / ${p.source('ssl.keystore.key')}` : `${p.source('ssl.keystore.location')} ${location ?? ''}`.trim();
}

/** The setting the listener's trusted certificates came from, for messages. */
export function truststoreSource(p: ListenerProps): string {
  const location = p.get('ssl.truststore.location');
  return location !== undefined ? `${p.source('ssl.truststore.location')} ${location}` : p.source('ssl.truststore.certificates');
}

function keystore(p: ListenerProps): { key: string; cert: string } {
  const location = p.get('ssl.keystore.location');
  const inlineChain = p.get('ssl.keystore.certificate.chain');
  const inlineKey = p.get('ssl.keystore.key');
  let text: string;
  // A listener's own inline key and chain win over a global keystore file.
  const prefixed = (k: string) => p.source(k).startsWith('listener.name.');
  const useInline = inlineChain !== undefined && inlineKey !== undefined && (location === undefined || (prefixed('ssl.keystore.certificate.chain') && !prefixed('ssl.keystore.location')));
  if (location !== undefined && !useInline) {
    text = readStoreFile(p, 'ssl.keystore.location');
    checkType(p, 'ssl.keystore.type', text, `${p.source('ssl.keystore.location')} ${location}`, location);
  } else if (useInline) {
    checkType(p, 'ssl.keystore.type', inlineChain, p.source('ssl.keystore.certificate.chain'));
    text = `${inlineKey!}\n${inlineChain!}`;
  } else {
    throw new ConfigError(
      `Listener ${p.name} uses TLS but has no key and certificate: set ssl.keystore.location (a PEM file with the key and chain) or ssl.keystore.certificate.chain and ssl.keystore.key (or their listener.name.${p.name.toLowerCase()}. forms)`,
    );
  }
  const blocks = pemBlocks(text);
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  const where = !useInline ? p.source('ssl.keystore.location') : `${p.source('ssl.keystore.certificate.chain')} / ${p.source('ssl.keystore.key')}`;
  if (keys.length !== 1) throw new ConfigError(`${where}: expected one PEM private key, found ${keys.length}`);
  if (certs.length === 0) throw new ConfigError(`${where}: no PEM certificate found`);
  const key = keys[0]!.pem;
  const password = p.get('ssl.key.password');
  try {
    createPrivateKey({ key, format: 'pem', passphrase: password });
  } catch {
    const encrypted = /ENCRYPTED/.test(keys[0]!.label) || /Proc-Type: 4,ENCRYPTED/.test(key);
    throw new ConfigError(
      encrypted
        ? password === undefined
          ? `${where}: the private key is encrypted; set ssl.key.password`
          : `${where}: the private key could not be decrypted with ${p.source('ssl.key.password')}`
        : `${where}: the private key could not be read`,
    );
  }
  return { key, cert: certs.map((c) => c.pem).join('') };
}

function truststore(p: ListenerProps): string[] | undefined {
  const location = p.get('ssl.truststore.location');
  const inline = p.get('ssl.truststore.certificates');
  let text: string | undefined;
  if (location !== undefined) text = readStoreFile(p, 'ssl.truststore.location');
  else if (inline !== undefined) text = inline;
  else return undefined;
  checkType(p, 'ssl.truststore.type', text, location !== undefined ? `${p.source('ssl.truststore.location')} ${location}` : p.source('ssl.truststore.certificates'), location);
  const certs = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE');
  const where = location !== undefined ? `${p.source('ssl.truststore.location')} ${location}` : p.source('ssl.truststore.certificates');
  if (certs.length === 0) throw new ConfigError(`${location !== undefined ? p.source('ssl.truststore.location') : p.source('ssl.truststore.certificates')}: no PEM certificate found`);
  const bad = unreadableCertificate(certs.map((c) => c.pem).join(''));
  if (bad) throw new ConfigError(`${where}: certificate ${bad} cannot be read (damaged PEM?)`);
  return certs.map((c) => c.pem);
}

export interface ServerTls {
  options: tls.TlsOptions;
  clientAuth: ClientAuth;
}

/** Node TLS server options for a listener, or a ConfigError naming the setting at fault. */
export function serverTls(p: ListenerProps, sasl = false): ServerTls {
  // KIP-684: on a SASL_SSL listener only the listener-prefixed ssl.client.auth counts.
  const authSetting = sasl && !p.source('ssl.client.auth').startsWith('listener.name.') ? undefined : p.get('ssl.client.auth');
  const authValue = (authSetting ?? 'none').trim().toLowerCase();
  if (authValue !== 'required' && authValue !== 'requested' && authValue !== 'none') {
    throw new ConfigError(`Invalid value ${authValue} for configuration ${p.source('ssl.client.auth')}: String must be one of: required, requested, none`);
  }
  const rules = p.get('ssl.principal.mapping.rules');
  if (rules !== undefined && rules.trim() !== 'DEFAULT') {
    throw new ConfigError(`${p.source('ssl.principal.mapping.rules')}: only DEFAULT is supported (the principal is the certificate subject, e.g. User:CN=client,OU=…)`);
  }
  // KIP-978's switches of the dynamic keystore checks (src/broker/security/store-change.ts): booleans, as Kafka parses them.
  for (const k of ['ssl.allow.dn.changes', 'ssl.allow.san.changes']) {
    const v = p.get(k);
    if (v !== undefined && !/^(true|false)$/i.test(v.trim())) throw new ConfigError(`Invalid value ${v} for configuration ${p.source(k)}: Expected value to be either true or false`);
  }
  const { key, cert } = keystore(p);
  const ca = truststore(p);
  const options: tls.TlsOptions = {
    key,
    cert,
    passphrase: p.get('ssl.key.password'),
    requestCert: authValue !== 'none',
    rejectUnauthorized: authValue === 'required',
    minVersion: 'TLSv1.2',
  };
  if (ca) options.ca = ca;
  Object.assign(
    options,
    tlsSettings(p.get('ssl.enabled.protocols'), p.get('ssl.cipher.suites'), (k, message) => new ConfigError(`${p.source(k)}=${p.get(k)!.trim()}: ${message}`)),
  );
  // What node:tls would refuse at each handshake (a key that is not the certificate's), refused once here.
  try {
    tls.createSecureContext(options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
        ? `${keystoreSource(p)}: the private key does not match the certificate (the first certificate must be the key's own)`
        : `${keystoreSource(p)}: the key and certificate cannot be used (${opensslReason((e as Error).message)})`,
    );
  }
  return { options, clientAuth: authValue };
}
