/**
 * A listener with ssl.client.auth=required and a client certificate that does not verify (another
 * CA's, an expired one), with real openssl-made certificates, over TLS 1.2 and 1.3: the broker's
 * log names the verification cause (not the connection reset that follows node:tls's own
 * rejection), and the kafka-ts client says which certificate problem it is.
 */
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/client.js';
import { clientSecurity } from '../../src/client/security/index.js';
import { createLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';

let tmp: { dir: string; cleanup: () => void };
let certs: TestCerts;
let broker: TestBroker;
const lines: string[] = [];
let waiters: { re: RegExp; resolve: (l: string) => void }[] = [];

/** The first log line (from now on, or already written) matching `re`, within 10 s. */
function logLine(re: RegExp, from: number): Promise<string> {
  const seen = lines.slice(from).find((l) => re.test(l));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no log line matching ${re} within 10 s; got:\n${lines.slice(from).join('')}`)), 10_000);
    waiters.push({
      re,
      resolve: (l) => {
        clearTimeout(timer);
        resolve(l);
      },
    });
  });
}

beforeAll(async () => {
  tmp = tempDir('kafka-ts-mtls-refusals-');
  certs = await makeCerts(join(tmp.dir, 'certs'));
  broker = await startBroker({
    properties: {
      listeners: 'PLAINTEXT://127.0.0.1:0,MTLS://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,MTLS:SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certs.caCert,
      'listener.name.mtls.ssl.client.auth': 'required',
    },
    log: createLogger((l) => {
      lines.push(l);
      const done = waiters.filter((w) => w.re.test(l));
      waiters = waiters.filter((w) => !done.includes(w));
      for (const w of done) w.resolve(l);
    }),
  });
}, 60_000);

afterAll(async () => {
  await broker?.close();
  tmp?.cleanup();
});

const port = () => Number(broker.cluster.bootstrapFor('MTLS').split(':').pop());

/** A raw TLS connection with a client certificate, sending an ApiVersions request: how it ended ('served' when the broker answered). */
function rawTry(cert: string, key: string, maxVersion: tls.SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: port(), ca: readFileSync(certs.caCert), servername: 'localhost', cert: readFileSync(cert), key: readFileSync(key), maxVersion }, () => {
      s.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0]));
    });
    const timer = setTimeout(() => (s.destroy(), resolve('timeout')), 10_000);
    s.on('data', () => (clearTimeout(timer), s.destroy(), resolve('served')));
    s.on('error', (e: NodeJS.ErrnoException) => (clearTimeout(timer), resolve(`error ${e.code}`)));
    s.on('close', () => (clearTimeout(timer), resolve('closed')));
  });
}

async function clientError(props: Record<string, string>): Promise<string> {
  const c = new KafkaClient({ bootstrap: [{ host: '127.0.0.1', port: port() }], clientId: 'mtls-test', connectTimeoutMs: 8000, requestTimeoutMs: 8000, security: await clientSecurity(props) });
  try {
    await c.connect();
    return 'connected';
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.close();
  }
}

const base = () => ({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.caCert });

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('ssl.client.auth=required over %s', (version) => {
  it('a client certificate from another CA: the log names the cause, and the client says unknown CA', async () => {
    const from = lines.length;
    expect(await rawTry(certs.otherClientCert, certs.otherClientKey, version)).not.toBe('served');
    const line = await logLine(/Failed authentication with .*listener MTLS/, from);
    expect(line).toContain("SSL handshake failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: the client certificate is not signed by a CA in the listener's truststore (unknown CA)");
    expect(lines.slice(from).join('')).not.toContain('ECONNRESET');

    const message = await clientError({ ...base(), 'ssl.enabled.protocols': version, 'ssl.certificate.location': certs.otherClientCert, 'ssl.key.location': certs.otherClientKey });
    expect(message).toBe(
      `127.0.0.1:${port()} refused the client certificate: unknown CA: CN=intruder is issued by CN=kafka-ts untrusted CA, which is most likely not in the broker's ssl.truststore.location (the broker closed the TLS connection; its log names the cause)`,
    );
  });

  it('an expired client certificate: the log names the cause, and the client says certificate expired', async () => {
    const from = lines.length;
    expect(await rawTry(certs.expiredServerCert, certs.expiredServerKey, version)).not.toBe('served');
    const line = await logLine(/Failed authentication with .*listener MTLS/, from);
    expect(line).toContain('SSL handshake failed: CERT_HAS_EXPIRED: the client certificate has expired');
    expect(lines.slice(from).join('')).not.toContain('ECONNRESET');

    const message = await clientError({ ...base(), 'ssl.enabled.protocols': version, 'ssl.certificate.location': certs.expiredServerCert, 'ssl.key.location': certs.expiredServerKey });
    expect(message).toBe(
      `127.0.0.1:${port()} refused the client certificate: certificate expired (CN=localhost expired 2020-01-02T00:00:00.000Z); renew it (the broker closed the TLS connection; its log names the cause)`,
    );
  });

  it('a trusted client certificate is served', async () => {
    expect(await rawTry(certs.clientCert, certs.clientKey, version)).toBe('served');
  });
});
