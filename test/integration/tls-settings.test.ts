/**
 * TLS settings both sides honour, and the failures they report: ssl.cipher.suites (Kafka's IANA
 * names, TLS 1.2 and 1.3, per listener) and ssl.enabled.protocols on a listener and on the client,
 * checked by real handshakes; a key that is not its certificate's, and a PKCS12 file given as PEM,
 * refused at once naming the setting; a TLS version or suite the broker refuses said in plain
 * words, never OpenSSL's raw text.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { listenerProps } from '../../src/broker/security/listener-config.js';
import { serverTls } from '../../src/broker/security/tls-config.js';
import { KafkaClient } from '../../src/client/client.js';
import { clientSecurity } from '../../src/client/security/index.js';
import { isKafkaTsError } from '../../src/util/errors.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';

let certs: TestCerts;
let tmp: { dir: string; cleanup: () => void };
let mismatched: string;
let p12: string;
const servers: net.Server[] = [];

beforeAll(async () => {
  tmp = tempDir('kafka-ts-tls-settings-');
  certs = await makeCerts(join(tmp.dir, 'certs'));
  // The client certificate with the other CA's client key: a key that is not the certificate's.
  mismatched = join(tmp.dir, 'mismatched.pem');
  writeFileSync(mismatched, readFileSync(certs.otherClientKey, 'utf8') + readFileSync(certs.clientCert, 'utf8'));
  p12 = join(tmp.dir, 'server.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-in', certs.serverCert, '-inkey', certs.serverKey, '-out', p12, '-passout', 'pass:x']);
}, 60_000);

afterAll(() => {
  for (const s of servers) s.close();
  tmp?.cleanup();
});

/** The broker's TLS options for listener SSL from broker properties. */
function listenerTls(props: Record<string, string>) {
  const base = { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore };
  const { config } = buildBrokerConfig(join(tmp.dir, 'data'), { ...base, ...props });
  return serverTls(listenerProps(config, 'SSL'));
}

async function listen(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer(options, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** A handshake with `options`: the version and suite agreed, or 'refused'. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(certs.caCert), servername: 'localhost', ...options }, () => {
      resolve(`${s.getProtocol()} ${s.getCipher().standardName}`);
      s.destroy();
    });
    s.on('error', () => resolve('refused'));
  });
}

const errorOf = async (f: () => unknown): Promise<{ message: string; kind: string }> => {
  try {
    await f();
  } catch (e) {
    return { message: (e as Error).message, kind: isKafkaTsError(e) ? e.kind : (e as Error).name };
  }
  throw new Error('expected an error');
};

describe('broker listener: ssl.cipher.suites and ssl.enabled.protocols', () => {
  it('a TLS 1.3 suite list: only those suites, and no TLS 1.2', async () => {
    const port = await listen(listenerTls({ 'ssl.cipher.suites': 'TLS_AES_256_GCM_SHA384' }).options);
    expect(await handshake(port, { ciphers: 'TLS_AES_128_GCM_SHA256' })).toBe('refused');
    expect(await handshake(port, { ciphers: 'TLS_AES_256_GCM_SHA384' })).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384');
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toBe('refused');
  });

  it("per listener, Kafka's JSSE names for TLS 1.2 suites: only those, and no TLS 1.3 (no 1.3 suite listed)", async () => {
    const port = await listen(listenerTls({ 'ssl.cipher.suites': 'TLS_AES_256_GCM_SHA384', 'listener.name.ssl.ssl.cipher.suites': 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' }).options);
    expect(await handshake(port, {})).toBe('TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    expect(await handshake(port, { minVersion: 'TLSv1.3' })).toBe('refused');
    expect(await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' })).toBe('refused');
  });

  it('ssl.enabled.protocols=TLSv1.2 serves TLS 1.2 only', async () => {
    const port = await listen(listenerTls({ 'ssl.enabled.protocols': 'TLSv1.2' }).options);
    expect(await handshake(port, {})).toMatch(/^TLSv1\.2 /);
    expect(await handshake(port, { minVersion: 'TLSv1.3' })).toBe('refused');
  });

  it('refuses an unknown suite, a list with no suite for the enabled versions, and TLSv1.1 alone, naming the key', async () => {
    expect(() => listenerTls({ 'listener.name.ssl.ssl.cipher.suites': 'TLS_AES_256_GCM_SHA384,TLS_BOGUS_SUITE' })).toThrow(/^listener\.name\.ssl\.ssl\.cipher\.suites=TLS_AES_256_GCM_SHA384,TLS_BOGUS_SUITE: unknown or unsupported cipher suite TLS_BOGUS_SUITE/);
    expect(() => listenerTls({ 'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ssl.enabled.protocols': 'TLSv1.3' })).toThrow(/ssl\.cipher\.suites=.*none of these suites can be used with ssl\.enabled\.protocols=TLSv1\.3/);
    expect(() => listenerTls({ 'ssl.enabled.protocols': 'TLSv1.1' })).toThrow(/^ssl\.enabled\.protocols=TLSv1\.1: kafka-ts speaks TLSv1\.2 and TLSv1\.3 only/);
  });
});

describe('broker listener: unusable keystores', () => {
  it('a private key that is not the certificate\'s: one line naming ssl.keystore.location, no OpenSSL text', async () => {
    const e = await errorOf(() => listenerTls({ 'ssl.keystore.location': mismatched }));
    expect(e.kind).toBe('usage');
    expect(e.message).toBe(`ssl.keystore.location ${mismatched}: the private key does not match the certificate (the first certificate must be the key's own)`);
  });

  it('a PKCS12 file with ssl.keystore.type=PEM: names PKCS12 and the conversion command', () => {
    expect(() => listenerTls({ 'ssl.keystore.location': p12 })).toThrow(`ssl.keystore.location ${p12} is not PEM (a PKCS12 store?): kafka-ts reads PEM stores only; convert it with: openssl pkcs12 -in ${p12} -out ${p12.replace(/\.p12$/, '.pem')} -nodes`);
  });
});

describe('client: ssl.cipher.suites, ssl.enabled.protocols, keystore', () => {
  it('offers only the suites of ssl.cipher.suites (IANA names, TLS 1.2 and 1.3)', async () => {
    const server = { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverChain) };
    const only256 = await listen({ ...server, ciphers: 'TLS_AES_256_GCM_SHA384' });
    const sec = (suites: string) => clientSecurity({ 'security.protocol': 'SSL', 'ssl.truststore.location': certs.caCert, 'ssl.cipher.suites': suites });
    expect(await handshake(only256, (await sec('TLS_AES_128_GCM_SHA256')).tls!)).toBe('refused');
    expect(await handshake(only256, (await sec('TLS_AES_256_GCM_SHA384')).tls!)).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384');
    const any = await listen(server);
    expect(await handshake(any, (await sec('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384')).tls!)).toBe('TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
    expect(await errorOf(() => sec('TLS_NOT_A_SUITE'))).toEqual({ kind: 'usage', message: expect.stringMatching(/^ssl\.cipher\.suites=TLS_NOT_A_SUITE: unknown or unsupported cipher suite TLS_NOT_A_SUITE/) as unknown as string });
  });

  it('TLSv1 or TLSv1.1 alone is a usage error naming the key (as the broker refuses them); beside TLSv1.2 they are passed over', async () => {
    for (const v of ['TLSv1.1', 'TLSv1']) {
      expect(await errorOf(() => clientSecurity({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': v }))).toEqual({ kind: 'usage', message: `ssl.enabled.protocols=${v}: kafka-ts speaks TLSv1.2 and TLSv1.3 only (TLSv1 and TLSv1.1 are disabled in OpenSSL and Java alike)` });
    }
    expect((await clientSecurity({ 'security.protocol': 'SSL', 'ssl.enabled.protocols': 'TLSv1.2,TLSv1.1,TLSv1' })).tls).toMatchObject({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  });

  it('a client key that is not its certificate\'s: a usage error naming ssl.keystore.location, at once', async () => {
    const t0 = Date.now();
    expect(await errorOf(() => clientSecurity({ 'security.protocol': 'SSL', 'ssl.keystore.location': mismatched }))).toEqual({
      kind: 'usage',
      message: "ssl.keystore.location: the private key does not match the certificate (the first certificate must be the key's own)",
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a PKCS12 file as ssl.keystore.location (type PEM): names PKCS12 and the conversion', async () => {
    const asPem = join(tmp.dir, 'store.pem');
    writeFileSync(asPem, readFileSync(p12));
    const e = await errorOf(() => clientSecurity({ 'security.protocol': 'SSL', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': asPem }));
    expect(e).toEqual({ kind: 'usage', message: expect.stringContaining(`ssl.keystore.location: kafka-ts reads PEM stores only, not PKCS12; convert it with: openssl pkcs12 -in ${asPem} -out`) as unknown as string });
  });
});

describe('truststores', () => {
  it('a damaged certificate in a truststore is refused naming the setting on both sides (node:tls would skip it without a word)', async () => {
    const damaged = join(tmp.dir, 'damaged-ca.pem');
    writeFileSync(damaged, readFileSync(certs.caCert, 'utf8') + '-----BEGIN CERTIFICATE-----\nMIIBbadbadbad\n-----END CERTIFICATE-----\n');
    expect(await errorOf(() => clientSecurity({ 'security.protocol': 'SSL', 'ssl.truststore.location': damaged }))).toEqual({ kind: 'usage', message: `ssl.truststore.location: certificate 2 in ${damaged} cannot be read (damaged PEM?)` });
    expect(() => listenerTls({ 'ssl.truststore.location': damaged })).toThrow(`ssl.truststore.location ${damaged}: certificate 2 cannot be read (damaged PEM?)`);
  });
});

describe('client: what a refused handshake says', () => {
  const refusal = async (server: tls.TlsOptions, props: Record<string, string>) => {
    const port = await listen({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverChain), ...server });
    const c = new KafkaClient({ bootstrap: [{ host: 'localhost', port }], clientId: 't', connectTimeoutMs: 5000, requestTimeoutMs: 5000, security: await clientSecurity({ 'security.protocol': 'SSL', 'ssl.truststore.location': certs.caCert, ...props }) });
    try {
      return await errorOf(() => c.connect());
    } finally {
      await c.close();
    }
  };

  it('no TLS version in common: plain words naming ssl.enabled.protocols, one line, no OpenSSL internals', async () => {
    const e = await refusal({ minVersion: 'TLSv1.3' }, { 'ssl.enabled.protocols': 'TLSv1.2' });
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/^TLS with localhost:\d+ failed: the broker accepts none of the TLS versions in ssl\.enabled\.protocols \(TLSv1\.2\) \(tlsv1 alert protocol version\)$/);
  });

  it('no cipher suite in common: names ssl.cipher.suites', async () => {
    const e = await refusal({ ciphers: 'TLS_AES_256_GCM_SHA384' }, { 'ssl.cipher.suites': 'TLS_AES_128_GCM_SHA256' });
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/^TLS with localhost:\d+ failed: the broker refused the handshake: it shares no cipher suite with ssl\.cipher\.suites, or it requires a client certificate \(ssl\.keystore\.location\) \(sslv3 alert handshake failure\)$/);
    expect(e.message).not.toMatch(/\.c:\d|error:0A|\n/);
  });
});
