/**
 * The client's TLS against real node:tls servers that forward to an in-process plaintext broker
 * (which advertises the TLS front as its address): trust, hostname verification, expiry, mutual
 * TLS, encrypted keys, and the plaintext/TLS mismatches, each failing fast with one clear line.
 */
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { clientSecurity } from '../../src/client/security/index.js';
import { isKafkaTsError } from '../../src/util/errors.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';

let broker: TestBroker;
let certs: TestCerts;
let tmp: { dir: string; cleanup: () => void };
const servers: net.Server[] = [];
const clients: KafkaClient[] = [];

/** A TLS front on 127.0.0.1 (or `host`) forwarding each connection to the broker's plaintext port. */
async function tlsFront(options: tls.TlsOptions, host = '127.0.0.1', port = 0): Promise<number> {
  const server = tls.createServer(options, (s) => {
    const upstream = net.connect(brokerPort(), '127.0.0.1');
    s.pipe(upstream).pipe(s);
    const end = () => (s.destroy(), upstream.destroy());
    s.on('error', end);
    upstream.on('error', end);
  });
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, host, r));
  return (server.address() as net.AddressInfo).port;
}

let plainPort = 0;
const brokerPort = () => plainPort;

/** A port reserved for the main TLS front before the broker starts, so the broker can advertise it. */
let frontPort = 0;
let mtlsPort = 0;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  tmp = tempDir('kafka-ts-client-tls-');
  certs = await makeCerts(join(tmp.dir, 'certs'));
  frontPort = await freePort();
  broker = await startBroker({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${frontPort}` } });
  plainPort = broker.cluster.boundPort(broker.cluster.controllerId);
  const server = { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverChain) };
  await tlsFront(server, '127.0.0.1', frontPort);
  mtlsPort = await tlsFront({ ...server, requestCert: true, rejectUnauthorized: true, ca: readFileSync(certs.caCert) });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of servers) s.close();
  await broker?.close();
  tmp?.cleanup();
});

async function connect(port: number, props: Record<string, string>, host = '127.0.0.1'): Promise<KafkaClient> {
  const c = new KafkaClient({ bootstrap: [{ host, port }], clientId: 'tls-test', connectTimeoutMs: 8000, requestTimeoutMs: 8000, security: await clientSecurity(props) });
  clients.push(c);
  await c.connect();
  return c;
}

/** Connects expecting failure; returns the error and how long it took. */
async function refused(port: number, props: Record<string, string>, host = '127.0.0.1'): Promise<{ message: string; kind: string; ms: number }> {
  const t0 = Date.now();
  try {
    await connect(port, props, host);
  } catch (e) {
    return { message: (e as Error).message, kind: isKafkaTsError(e) ? e.kind : 'none', ms: Date.now() - t0 };
  }
  throw new Error(`connecting to ${host}:${port} with ${JSON.stringify(Object.keys(props))} succeeded, expected a failure`);
}

const trusted = () => ({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.caCert });

describe('client TLS', () => {
  it('produces and fetches over TLS with a PEM truststore file (every connection, bootstrap and leader, is TLS)', async () => {
    const c = await connect(frontPort, trusted());
    const admin = new Admin(c);
    const [created] = await admin.createTopics([{ name: 'tls-topic', partitions: 1, replicationFactor: 1 }]);
    expect(created!.error).toBeNull();
    const producer = new Producer(c, { lingerMs: 0 });
    await producer.send({ topic: 'tls-topic', value: Buffer.from('over tls') });
    await producer.close();
    const fetcher = new Fetcher(c, { maxWaitMs: 200 });
    await fetcher.assign([{ topic: 'tls-topic', partition: 0, start: 'earliest' }]);
    const deadline = Date.now() + 10_000;
    const seen: string[] = [];
    while (seen.length === 0 && Date.now() < deadline) {
      for (const chunk of await fetcher.poll()) for (const r of chunk.records) seen.push(r.value?.toString() ?? '');
    }
    expect(seen).toEqual(['over tls']);
    expect([...c.cluster.brokers.values()].map((b) => b.port)).toEqual([frontPort]);
  });

  it('accepts an inline truststore (ssl.truststore.certificates) and librdkafka ssl.ca.location, case-insensitive protocol', async () => {
    const inline = await connect(frontPort, { 'security.protocol': 'ssl', 'ssl.truststore.type': 'pem', 'ssl.truststore.certificates': readFileSync(certs.caCert, 'utf8').replace(/\n/g, '\\n') });
    expect((await inline.refreshMetadata([])).brokers.size).toBe(1);
    const rd = await connect(frontPort, { 'security.protocol': 'SSL', 'ssl.ca.location': certs.caCert });
    expect((await rd.refreshMetadata([])).brokers.size).toBe(1);
  });

  it('refuses an untrusted server certificate fast (system CAs, or another CA), naming the fix', async () => {
    for (const props of [{ 'security.protocol': 'SSL' }, { 'security.protocol': 'SSL', 'ssl.truststore.location': certs.otherCaCert }]) {
      const r = await refused(frontPort, props);
      expect(r.kind).toBe('auth');
      expect(r.message).toMatch(new RegExp(`^server certificate for 127\\.0\\.0\\.1:${frontPort} is not trusted: .+; set ssl\\.truststore\\.location`));
      expect(r.ms).toBeLessThan(5000);
    }
  });

  it('refuses an expired server certificate', async () => {
    const port = await tlsFront({ key: readFileSync(certs.expiredServerKey), cert: readFileSync(certs.expiredServerCert) });
    const r = await refused(port, trusted());
    expect(r).toMatchObject({ kind: 'auth' });
    expect(r.message).toBe(`server certificate for 127.0.0.1:${port} has expired; the broker must renew it`);
  });

  it('verifies the host name by default; ssl.endpoint.identification.algorithm= (empty) turns it off', async () => {
    // 127.0.0.2 is loopback on Linux but not in the certificate's names.
    const port = await tlsFront({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverChain) }, '127.0.0.2');
    const r = await refused(port, trusted(), '127.0.0.2');
    expect(r.kind).toBe('auth');
    expect(r.message).toContain(`server certificate for 127.0.0.2:${port} does not match host 127.0.0.2`);
    expect(r.message).toContain('DNS:localhost');
    // Hostname checks ignore the CN when the certificate has DNS names: it is not offered.
    expect(r.message).not.toContain('CN=');
    expect(r.message).toContain('ssl.endpoint.identification.algorithm');
    const c = await connect(port, { ...trusted(), 'ssl.endpoint.identification.algorithm': '' }, '127.0.0.2');
    expect((await c.refreshMetadata([])).brokers.size).toBe(1);
    // By name: localhost is in the certificate.
    const byName = await connect(frontPort, trusted(), 'localhost');
    expect((await byName.refreshMetadata([])).brokers.size).toBe(1);
  });

  it('mutual TLS: a PEM keystore file, inline chain + key, and an encrypted key with ssl.key.password', async () => {
    const { writeFileSync } = await import('node:fs');
    const keystore = join(tmp.dir, 'client-keystore.pem');
    writeFileSync(keystore, readFileSync(certs.clientKey, 'utf8') + readFileSync(certs.clientCert, 'utf8'));
    const a = await connect(mtlsPort, { ...trusted(), 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': keystore });
    expect((await a.refreshMetadata([])).brokers.size).toBe(1);
    // Inline PEM with its line breaks lost, as a properties file with continued lines gives it.
    const oneLine = (f: string) => readFileSync(f, 'utf8').replace(/\n/g, '');
    const b = await connect(mtlsPort, { ...trusted(), 'ssl.keystore.certificate.chain': oneLine(certs.clientCert), 'ssl.keystore.key': oneLine(certs.clientKey) });
    expect((await b.refreshMetadata([])).brokers.size).toBe(1);
    // The server certificate allows clientAuth too; its key is also available encrypted.
    const encrypted = { ...trusted(), 'ssl.keystore.certificate.chain': readFileSync(certs.serverCert, 'utf8'), 'ssl.keystore.key': readFileSync(certs.serverKeyEncrypted, 'utf8') };
    const c = await connect(mtlsPort, { ...encrypted, 'ssl.key.password': certs.serverKeyPassword });
    expect((await c.refreshMetadata([])).brokers.size).toBe(1);
    await expect(clientSecurity(encrypted)).rejects.toThrow('the client private key is encrypted; set ssl.key.password');
    await expect(clientSecurity({ ...encrypted, 'ssl.key.password': 'wrong' })).rejects.toThrow('cannot decrypt the client private key: wrong ssl.key.password?');
  });

  it('mutual TLS: no client certificate, or one from an untrusted CA, is refused with a hint', async () => {
    const none = await refused(mtlsPort, trusted());
    expect(none.kind).toBe('auth');
    expect(none.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${mtlsPort} refused the TLS connection \\(.+\\); does it require a client certificate\\? set ssl\\.keystore\\.location`));
    expect(none.ms).toBeLessThan(5000);
    const other = await refused(mtlsPort, { ...trusted(), 'ssl.certificate.location': certs.otherClientCert, 'ssl.key.location': certs.otherClientKey });
    expect(other.kind).toBe('auth');
    // A Java broker sends an alert (as for no certificate above); node's TLS server just closes,
    // and the client then says what its own certificate shows (not expired: an unknown CA).
    expect(other.message).toMatch(/refused the client certificate: unknown CA: CN=intruder is issued by CN=kafka-ts untrusted CA/);
    expect(other.ms).toBeLessThan(5000);
  });

  it('TLS to a plaintext port says so at once', async () => {
    const r = await refused(plainPort, trusted());
    expect(r.kind).toBe('auth');
    expect(r.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${plainPort} does not speak TLS; is it a PLAINTEXT listener\\?`));
    expect(r.ms).toBeLessThan(5000);
  });

  it('plaintext to a TLS port says so, without waiting for the connect timeout', async () => {
    const r = await refused(frontPort, {});
    expect(r.kind).toBe('auth');
    expect(r.message).toBe(`127.0.0.1:${frontPort} looks like a TLS listener; set security.protocol=SSL or SASL_SSL`);
    expect(r.ms).toBeLessThan(5000);
  });
});
