/**
 * KIP-226 for TLS stores: `listener.name.<l>.ssl.keystore.location` (and the truststore's) altered
 * per broker reloads the listener's certificate without a restart; a store that cannot be used is
 * refused with INVALID_REQUEST naming the setting, and nothing changes; the cluster default is
 * refused as in Kafka; the change is kept in the metadata and applies again after a restart.
 */
import { execFileSync } from 'node:child_process';
import tls from 'node:tls';
import net from 'node:net';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { RESOURCE_BROKER } from '../../src/broker/config-changes.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';
import { createLogger } from '../../src/util/logger.js';
import type { KafkaProtocolError } from '../../src/protocol/errors.js';
import { storeChangeProblem } from '../../src/broker/security/store-change.js';
import { listenerProps } from '../../src/broker/security/listener-config.js';
import { buildBrokerConfig } from '../../src/broker/config.js';

let tmp: { dir: string; cleanup: () => void };
let certs: TestCerts;
let renewed: string;
let mismatched: string;
/** Certificates the broker may present, by fingerprint: what `served` names them. */
const known = new Map<string, string>();

const SANS = 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n';

beforeAll(async () => {
  tmp = tempDir('kafka-ts-dynamic-tls-');
  const dir = join(tmp.dir, 'certs');
  certs = await makeCerts(dir);
  // A second server certificate from the same CA, subject and names, as a renewal is.
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'renewed.key']);
  run(['req', '-new', '-key', 'renewed.key', '-subj', '/CN=localhost', '-out', 'renewed.csr']);
  writeFileSync(join(dir, 'renewed.ext'), SANS);
  run(['x509', '-req', '-in', 'renewed.csr', '-CA', certs.caCert, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '30', '-extfile', 'renewed.ext', '-out', 'renewed.pem']);
  renewed = join(dir, 'renewed-keystore.pem');
  writeFileSync(renewed, readFileSync(join(dir, 'renewed.key'), 'utf8') + readFileSync(join(dir, 'renewed.pem'), 'utf8'));
  mismatched = join(dir, 'mismatched.pem');
  writeFileSync(mismatched, readFileSync(certs.otherClientKey, 'utf8') + readFileSync(join(dir, 'renewed.pem'), 'utf8'));
  known.set(new X509Certificate(readFileSync(certs.serverCert)).fingerprint256, 'original');
  known.set(new X509Certificate(readFileSync(join(dir, 'renewed.pem'))).fingerprint256, 'renewed');
}, 60_000);

afterAll(() => tmp?.cleanup());

/** Which known certificate the broker's SSL listener presents to a new connection ('original', 'renewed', or its subject). */
function served(b: TestBroker, brokerId?: number): Promise<string> {
  const [host, port] = brokerId === undefined ? b.cluster.bootstrapFor('SSL').split(':') : ['127.0.0.1', String(b.cluster.boundPort(brokerId, 'SSL'))];
  return new Promise((resolve, reject) => {
    // Any certificate is looked at here (the refusals are the broker's): no trust or host name check.
    const s = tls.connect({ host, port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => {
      const c = s.getPeerX509Certificate()!;
      resolve(known.get(c.fingerprint256) ?? c.subject);
      s.destroy();
    });
    s.on('error', reject);
  });
}

const errorOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (e: Error) => e.message);

describe('dynamic keystore (KIP-226)', () => {
  it('reloads the listener certificate at once, refuses an unusable store or the cluster default, and keeps it across a restart', async () => {
    const data = tempDir('kafka-ts-dynamic-tls-data-');
    const props = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystore,
    };
    let b = await startBroker({ dir: data.dir, properties: props });
    try {
      expect(await served(b)).toBe('original');
      const admin = new Admin(b.client());
      const id = String(b.cluster.controllerId);

      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': mismatched }))).toBe(
        `Validation of dynamic config update of SSLFactory failed: listener.name.ssl.ssl.keystore.location ${mismatched}: the private key does not match the certificate (the first certificate must be the key's own)`,
      );
      // As the README says: Kafka's prefix, and plain words rather than a raw errno code.
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': join(tmp.dir, 'missing.pem') }))).toBe(
        `Validation of dynamic config update of SSLFactory failed: Cannot read listener.name.ssl.ssl.keystore.location ${join(tmp.dir, 'missing.pem')}: no such file`,
      );
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.truststore.location': tmp.dir }))).toBe(
        `Validation of dynamic config update of SSLFactory failed: Cannot read listener.name.ssl.ssl.truststore.location ${tmp.dir}: it is a directory`,
      );
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.other.ssl.keystore.location': renewed }))).toMatch(/^listener\.name\.other\.ssl\.\*: broker \d+ has no SSL or SASL_SSL listener OTHER \(its TLS listeners: SSL\)$/);
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, '', { 'listener.name.ssl.ssl.keystore.location': renewed }))).toBe(
        'Cannot update these configs at default cluster level, broker id must be specified: Set(listener.name.ssl.ssl.keystore.location)',
      );
      expect(await served(b)).toBe('original');

      await admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': renewed });
      expect(await served(b)).toBe('renewed');
      expect(b.cluster.metadata.brokerConfigs[id]).toEqual({ 'listener.name.ssl.ssl.keystore.location': renewed });
      const described = [...(await admin.describeConfigs([{ type: RESOURCE_BROKER, name: id }])).values()].flat();
      // Alterable per broker, so not read-only (KIP-226), as the other dynamic broker configs.
      expect(described.find((c) => c.name === 'listener.name.ssl.ssl.keystore.location')).toMatchObject({ value: renewed, readOnly: false });

      await b.close(true);
      b = await startBroker({ dir: data.dir, properties: props });
      expect(await served(b)).toBe('renewed');

      // Deleting the dynamic value goes back to server.properties' store.
      await new Admin(b.client()).alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': null });
      expect(await served(b)).toBe('original');
    } finally {
      await b.close();
      data.cleanup();
    }
  });

  it('refuses a key with an upper-case listener name, giving the lower-case spelling', async () => {
    const b = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore } });
    try {
      const admin = new Admin(b.client());
      const id = String(b.cluster.controllerId);
      const err = await admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.SSL.ssl.keystore.location': renewed }).then(
        () => null,
        (e: KafkaProtocolError) => e,
      );
      expect(err?.message).toBe('listener.name.SSL.ssl.keystore.location: listener names in config keys are lower case: listener.name.ssl.ssl.keystore.location');
      expect(err?.errorName).toBe('INVALID_REQUEST');
      expect(b.cluster.metadata.brokerConfigs[id] ?? {}).toEqual({});
      expect(await served(b)).toBe('original');
    } finally {
      await b.close();
    }
  });

  it('a dynamic store that cannot be read at start logs an ERROR and the listener starts on the static store; the value stays to be deleted', async () => {
    const data = tempDir('kafka-ts-dynamic-tls-data-');
    const store2 = join(tmp.dir, 'store2.pem');
    copyFileSync(renewed, store2);
    const props = { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore };
    let b = await startBroker({ dir: data.dir, properties: props });
    const lines: string[] = [];
    try {
      const id = String(b.cluster.controllerId);
      await new Admin(b.client()).alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': store2 });
      expect(await served(b)).toBe('renewed');
      await b.close(true);
      renameSync(store2, `${store2}.moved`);
      b = await startBroker({ dir: data.dir, properties: props, log: createLogger((l) => lines.push(l)) });
      expect(await served(b)).toBe('original');
      const errors = lines.filter((l) => / ERROR /.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('listener.name.ssl.ssl.keystore.location');
      expect(errors[0]).toContain('no such file');
      expect(errors[0]).toContain('static TLS settings');
      const admin = new Admin(b.client());
      const described = [...(await admin.describeConfigs([{ type: RESOURCE_BROKER, name: id }])).values()].flat();
      expect(described.find((c) => c.name === 'listener.name.ssl.ssl.keystore.location')).toMatchObject({ value: store2 });
      await admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': null });
      expect(b.cluster.metadata.brokerConfigs[id] ?? {}).toEqual({});
      expect(await served(b)).toBe('original');
    } finally {
      await b.close();
      data.cleanup();
    }
  });

  it('start-broker with an unreadable dynamic store starts the broker on the static store, with one ERROR', async () => {
    const store2 = join(tmp.dir, 'store2b.pem');
    copyFileSync(renewed, store2);
    const lines: string[] = [];
    const b = await startBroker({
      properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore, 'kafka-ts.brokers': '2' },
      log: createLogger((l) => lines.push(l)),
    });
    const second = b.cluster.brokers()[1]!.id;
    try {
      await new Admin(b.client()).alterConfigs(RESOURCE_BROKER, String(second), { 'listener.name.ssl.ssl.keystore.location': store2 });
      expect(await served(b, second)).toBe('renewed');
      await b.cluster.stopBroker(second);
      renameSync(store2, `${store2}.moved`);
      await b.cluster.startBroker(second);
      expect(b.cluster.isLive(second)).toBe(true);
      expect(await served(b, second)).toBe('original');
      expect(lines.filter((l) => / ERROR /.test(l) && l.includes('listener.name.ssl.ssl.keystore.location'))).toHaveLength(1);
    } finally {
      await b.close();
    }
  });

  it('a start-broker that fails part-way closes what it opened (no listener left answering), and a later start-broker works', async () => {
    const b = await startBroker({
      properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore, 'kafka-ts.brokers': '2' },
    });
    const second = b.cluster.brokers()[1]!.id;
    const accepts = (port: number) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    try {
      const plainPort = b.cluster.boundPort(second, 'PLAINTEXT');
      const sslPort = b.cluster.boundPort(second, 'SSL');
      await b.cluster.stopBroker(second);
      // The SSL port is taken: the PLAINTEXT listener (opened first) must not stay behind.
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(sslPort, '127.0.0.1', resolve));
      try {
        expect(await errorOf(b.cluster.startBroker(second))).toMatch(/already in use/);
      } finally {
        await new Promise<void>((resolve) => squatter.close(() => resolve()));
      }
      expect(b.cluster.isLive(second)).toBe(false);
      expect(await accepts(plainPort)).toBe(false);
      await b.cluster.startBroker(second);
      expect(b.cluster.isLive(second)).toBe(true);
      expect(await accepts(plainPort)).toBe(true);
      expect(await served(b, second)).toBe('original');
    } finally {
      await b.close();
    }
  });
});

/** A keystore file (key + certificate, + the CA with `withCa`) for `subj` with `ext`, signed by the test CA or the other one. */
function keystore(name: string, subj: string, ext: string, signer: 'ca' | 'other-ca', withCa = false): string {
  const dir = join(tmp.dir, 'certs');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  run(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  known.set(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).fingerprint256, name);
  const file = join(dir, `${name}-keystore.pem`);
  writeFileSync(file, readFileSync(join(dir, `${name}.key`), 'utf8') + readFileSync(join(dir, `${name}.pem`), 'utf8') + (withCa ? readFileSync(join(dir, `${signer}.pem`), 'utf8') : ''));
  return file;
}

/** The INVALID_REQUEST message of a refused change (and that nothing was kept), or 'accepted'. */
async function alter(b: TestBroker, changes: Record<string, string | null>): Promise<string> {
  const id = String(b.cluster.controllerId);
  const before = { ...(b.cluster.metadata.brokerConfigs[id] ?? {}) };
  return new Admin(b.client()).alterConfigs(RESOURCE_BROKER, id, changes).then(
    () => 'accepted',
    (e: KafkaProtocolError) => {
      expect(e.errorName).toBe('INVALID_REQUEST');
      expect(b.cluster.metadata.brokerConfigs[id] ?? {}).toEqual(before);
      return e.message;
    },
  );
}

const KS = 'listener.name.ssl.ssl.keystore.location';
const TS = 'listener.name.ssl.ssl.truststore.location';

describe('a dynamic keystore clients would refuse is refused (SslFactory.validateReconfiguration)', () => {
  let expired: string;
  let otherHost: string;
  let otherDn: string;
  let sanDropped: string;
  let sanAdded: string;
  let untrusted: string;
  let leafOnly: string;
  let trustBoth: string;
  beforeAll(() => {
    const dir = join(tmp.dir, 'certs');
    expired = join(dir, 'expired-keystore.pem');
    writeFileSync(expired, readFileSync(certs.expiredServerKey, 'utf8') + readFileSync(certs.expiredServerCert, 'utf8') + readFileSync(certs.caCert, 'utf8'));
    otherHost = keystore('other-host', '/CN=other.example', 'subjectAltName=DNS:other.example\n', 'ca');
    otherDn = keystore('other-dn', '/O=renewed/CN=localhost', SANS, 'ca');
    sanDropped = keystore('san-dropped', '/CN=localhost', 'subjectAltName=DNS:localhost\n', 'ca');
    sanAdded = keystore('san-added', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:broker.example\n', 'ca');
    untrusted = keystore('untrusted', '/CN=localhost', SANS, 'other-ca');
    leafOnly = join(dir, 'leaf-only-keystore.pem');
    writeFileSync(leafOnly, readFileSync(certs.serverKey, 'utf8') + readFileSync(certs.serverCert, 'utf8'));
    trustBoth = join(dir, 'trust-both.pem');
    writeFileSync(trustBoth, readFileSync(certs.caCert, 'utf8') + readFileSync(certs.otherCaCert, 'utf8'));
  }, 60_000);

  const sslProps = (extra: Record<string, string> = {}) => ({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
    ...extra,
  });

  const refusals: [string, () => string, (file: string) => string | RegExp][] = [
    ['an expired certificate', () => expired, (f) => `Validation of dynamic config update of SSLFactory failed: ${KS} ${f}: certificate CN=localhost has expired (NotAfter: 2020-01-02T00:00:00.000Z)`],
    [
      'a certificate for another host (subject and names)',
      () => otherHost,
      (f) =>
        `Validation of dynamic config update of SSLFactory failed: ${KS} ${f}: Keystore DistinguishedName does not match: existing={DN=CN=localhost}, new={DN=CN=other.example} ` +
        '(clients that check the host name or the subject would refuse it; ssl.allow.dn.changes or listener.name.ssl.ssl.allow.dn.changes=true in server.properties allows it)',
    ],
    [
      'a certificate without some of the current names',
      () => sanDropped,
      (f) =>
        `Validation of dynamic config update of SSLFactory failed: ${KS} ${f}: Keystore SubjectAltNames do not match: existing={SAN=[DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1]}, new={SAN=[DNS:localhost]} ` +
        '(missing IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1: clients connecting by that name would refuse it; ssl.allow.san.changes or listener.name.ssl.ssl.allow.san.changes=true in server.properties allows it)',
    ],
    [
      'a certificate from a CA the truststore does not trust',
      () => untrusted,
      (f) =>
        `Validation of dynamic config update of SSLFactory failed: ${KS} ${f}: the certificate chain of CN=localhost (issuer CN=kafka-ts untrusted CA) does not verify against ssl.truststore.location ${certs.caCert}, ` +
        'which trusts the current certificate: unable to find a valid certification path (clients that trust the current certificate would refuse it)',
    ],
  ];

  it.each(refusals)('with a truststore: refuses %s, and the listener keeps its certificate', async (_what, file, message) => {
    const b = await startBroker({ properties: sslProps() });
    try {
      expect(await alter(b, { [KS]: file() })).toBe(message(file()));
      expect(await served(b)).toBe('original');
    } finally {
      await b.close();
    }
  });

  it('with a truststore: takes a renewal (same subject and names, same CA), then one adding a name; new connections get each', async () => {
    const b = await startBroker({ properties: sslProps() });
    try {
      expect(await alter(b, { [KS]: renewed })).toBe('accepted');
      expect(await served(b)).toBe('renewed');
      // Kafka allows names to be added (KIP-978: the new SANs must include the old ones).
      expect(await alter(b, { [KS]: sanAdded })).toBe('accepted');
      expect(await served(b)).toBe('san-added');
    } finally {
      await b.close();
    }
  });

  it('without a truststore: the new chain must reach the CA of the current one (in its keystore file) or, when that is not there, a CA of the same name', async () => {
    const withCa = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.serverKeystore } });
    try {
      expect(await alter(withCa, { [KS]: untrusted })).toBe(
        `Validation of dynamic config update of SSLFactory failed: ${KS} ${untrusted}: the certificate chain of CN=localhost (issuer CN=kafka-ts untrusted CA) does not verify against the CA of the current certificate (CN=kafka-ts test CA) or a public CA, ` +
          'and the listener has no truststore that trusts it: unable to find a valid certification path (clients that trust the current certificate would refuse it; put the new CA in ssl.truststore.location, or the CA certificate after the certificate in the keystore file)',
      );
      expect(await alter(withCa, { [KS]: expired })).toMatch(/: certificate CN=localhost has expired \(NotAfter: 2020-01-02T00:00:00\.000Z\)$/);
      expect(await alter(withCa, { [KS]: renewed })).toBe('accepted');
      expect(await served(withCa)).toBe('renewed');
    } finally {
      await withCa.close();
    }
    const bare = await startBroker({ properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': leafOnly } });
    try {
      // Kafka refuses a truststore for a listener that started without one (its client authentication was settled then).
      expect(await alter(bare, { [TS]: certs.caCert })).toBe(
        `Validation of dynamic config update of SSLFactory failed: ${TS} ${certs.caCert}: Cannot add SSL truststore to an existing listener for which no truststore was configured. (set it in server.properties and restart the broker)`,
      );
      expect(await alter(bare, { [KS]: untrusted })).toBe(
        `Validation of dynamic config update of SSLFactory failed: ${KS} ${untrusted}: the certificate chain of CN=localhost is issued by CN=kafka-ts untrusted CA, the current one by CN=kafka-ts test CA, ` +
          'and the listener has no truststore showing that clients trust the new issuer (clients that trust the current certificate would refuse it; put its CA in ssl.truststore.location, or the CA certificate after the certificate in the keystore file)',
      );
      expect(await alter(bare, { [KS]: renewed })).toBe('accepted');
      expect(await served(bare)).toBe('renewed');
    } finally {
      await bare.close();
    }
  });

  it('ssl.allow.dn.changes / ssl.allow.san.changes (server.properties, listener-prefixed or not) allow a new subject or fewer names; they are not dynamic', async () => {
    const dnOnly = await startBroker({ properties: sslProps({ 'ssl.allow.dn.changes': 'true' }) });
    try {
      expect(await alter(dnOnly, { [KS]: otherHost })).toMatch(/: Keystore SubjectAltNames do not match: existing=\{SAN=\[DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1\]\}, new=\{SAN=\[DNS:other\.example\]\} /);
      expect(await alter(dnOnly, { [KS]: otherDn })).toBe('accepted');
      expect(await served(dnOnly)).toBe('other-dn');
      expect(await alter(dnOnly, { 'listener.name.ssl.ssl.allow.san.changes': 'true' })).toBe('Cannot update these configs dynamically: Set(listener.name.ssl.ssl.allow.san.changes)');
      expect(await alter(dnOnly, { 'ssl.allow.san.changes': 'true' })).toBe('Cannot update these configs dynamically: Set(ssl.allow.san.changes)');
      const described = [...(await new Admin(dnOnly.client()).describeConfigs([{ type: RESOURCE_BROKER, name: String(dnOnly.cluster.controllerId) }])).values()].flat();
      expect(described.find((c) => c.name === 'ssl.allow.dn.changes')).toMatchObject({ value: 'true', readOnly: true });
      expect(described.find((c) => c.name === 'ssl.allow.san.changes')).toMatchObject({ value: 'false', readOnly: true });
    } finally {
      await dnOnly.close();
    }
    const both = await startBroker({ properties: sslProps({ 'listener.name.ssl.ssl.allow.dn.changes': 'true', 'listener.name.ssl.ssl.allow.san.changes': 'TRUE' }) });
    try {
      expect(await alter(both, { [KS]: otherHost })).toBe('accepted');
      expect(await served(both)).toBe('other-host');
      // Still checked: the dates and the CA.
      expect(await alter(both, { [KS]: untrusted })).toMatch(/: the certificate chain of CN=localhost \(issuer CN=kafka-ts untrusted CA\) does not verify against ssl\.truststore\.location /);
    } finally {
      await both.close();
    }
    await expect(startBroker({ properties: sslProps({ 'listener.name.ssl.ssl.allow.dn.changes': 'yes' }) })).rejects.toThrow(
      'Invalid value yes for configuration listener.name.ssl.ssl.allow.dn.changes: Expected value to be either true or false',
    );
  });

  it('a new truststore must go on trusting the listener certificate its current one trusts', async () => {
    const b = await startBroker({ properties: sslProps() });
    try {
      expect(await alter(b, { [TS]: certs.otherCaCert })).toBe(
        `Validation of dynamic config update of SSLFactory failed: ${TS} ${certs.otherCaCert}: the new truststore does not trust the listener's certificate CN=localhost (issuer CN=kafka-ts test CA), which the current truststore trusts: unable to find a valid certification path`,
      );
      // Both at once: the new certificate must verify against the current truststore too (clients still have it).
      expect(await alter(b, { [TS]: trustBoth, [KS]: untrusted })).toMatch(/: the certificate chain of CN=localhost \(issuer CN=kafka-ts untrusted CA\) does not verify against the current truststore, which trusts the current certificate/);
      expect(await alter(b, { [TS]: trustBoth })).toBe('accepted');
      expect(await served(b)).toBe('original');
    } finally {
      await b.close();
    }
  });

  it('a certificate not yet valid is refused too (the check at a given time, with real certificates)', () => {
    const { config } = buildBrokerConfig('/d', { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': certs.serverKeystore });
    const current = { cert: readFileSync(certs.serverChain, 'utf8'), ca: readFileSync(certs.caCert, 'utf8') };
    const next = { cert: readFileSync(renewed, 'utf8'), ca: current.ca };
    const notAfter = new X509Certificate(readFileSync(renewed)).validFrom;
    const before = new Date(new Date(notAfter).getTime() - 86_400_000);
    expect(storeChangeProblem({ current, next, props: listenerProps(config, 'SSL'), now: before })).toBe(
      `Validation of dynamic config update of SSLFactory failed: ssl.keystore.location ${certs.serverKeystore}: certificate CN=localhost is not yet valid (NotBefore: ${new Date(notAfter).toISOString()})`,
    );
    expect(storeChangeProblem({ current, next, props: listenerProps(config, 'SSL') })).toBeNull();
  });
});

/** Whether a TLS 1.2 handshake (the server's verdict on the client certificate is part of it) with this client certificate succeeds. */
function handshake(b: TestBroker, cert: string, key: string): Promise<'ok' | 'refused'> {
  const [host, port] = b.cluster.bootstrapFor('SSL').split(':');
  return new Promise((resolve) => {
    const s = tls.connect({ host, port: Number(port), rejectUnauthorized: false, servername: 'localhost', maxVersion: 'TLSv1.2', cert: readFileSync(cert), key: readFileSync(key) }, () => {
      s.destroy();
      resolve('ok');
    });
    s.on('error', () => resolve('refused'));
    s.setTimeout(10_000, () => {
      s.destroy();
      resolve('refused');
    });
  });
}

describe('a store renewed in place (same path set again), as cert-manager and cron jobs renew them', () => {
  const sslProps = () => ({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': certs.serverKeystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caCert,
  });

  it('setting the same keystore path again loads the renewed file (checked as a new path is); open connections keep theirs; an unchanged file is not reloaded', async () => {
    const lines: string[] = [];
    const b = await startBroker({ properties: sslProps(), log: createLogger((l) => lines.push(l)) });
    const live = join(tmp.dir, 'live-keystore.pem');
    copyFileSync(renewed, live);
    const renewed2 = keystore('renewed-again', '/CN=localhost', SANS, 'ca');
    const untrusted = keystore('rotated-untrusted', '/CN=localhost', SANS, 'other-ca');
    let open: tls.TLSSocket | null = null;
    try {
      expect(await alter(b, { [KS]: live })).toBe('accepted');
      expect(await served(b)).toBe('renewed');
      const [host, port] = b.cluster.bootstrapFor('SSL').split(':');
      open = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({ host, port: Number(port), rejectUnauthorized: false, servername: 'localhost' }, () => resolve(s));
        s.on('error', reject);
      });

      // Nothing changed in the file: accepted, and the log does not claim a reload.
      lines.length = 0;
      expect(await alter(b, { [KS]: live })).toBe('accepted');
      expect(lines.filter((l) => l.includes('TLS stores'))).toEqual([expect.stringContaining('TLS stores of listener SSL unchanged')]);

      // Renewed in place: the same bytes' length and modification time cannot be relied on, the content is compared.
      copyFileSync(renewed2, live);
      lines.length = 0;
      expect(await alter(b, { [KS]: live })).toBe('accepted');
      expect(await served(b)).toBe('renewed-again');
      expect(lines.filter((l) => l.includes('TLS stores'))).toEqual([expect.stringContaining('TLS stores reloaded for listener SSL')]);
      expect(known.get(open.getPeerX509Certificate()!.fingerprint256)).toBe('renewed');
      expect(open.destroyed).toBe(false);

      // The same checks as a new path: a renewal from a CA the truststore does not trust is refused, and the listener keeps its certificate.
      copyFileSync(untrusted, live);
      expect(await alter(b, { [KS]: live })).toMatch(/^Validation of dynamic config update of SSLFactory failed: listener\.name\.ssl\.ssl\.keystore\.location .*: the certificate chain of CN=localhost \(issuer CN=kafka-ts untrusted CA\) does not verify/);
      expect(await served(b)).toBe('renewed-again');
    } finally {
      open?.destroy();
      await b.close();
    }
  });

  it('setting the same truststore path again loads the renewed file', async () => {
    const trust = join(tmp.dir, 'live-truststore.pem');
    copyFileSync(certs.caCert, trust);
    const b = await startBroker({ properties: { ...sslProps(), 'listener.name.ssl.ssl.client.auth': 'required' } });
    try {
      expect(await alter(b, { [TS]: trust })).toBe('accepted');
      expect(await handshake(b, certs.otherClientCert, certs.otherClientKey)).toBe('refused');
      // The renewed truststore trusts another CA's clients too (and still the listener's certificate).
      writeFileSync(trust, readFileSync(certs.caCert, 'utf8') + readFileSync(certs.otherCaCert, 'utf8'));
      expect(await alter(b, { [TS]: trust })).toBe('accepted');
      expect(await handshake(b, certs.otherClientCert, certs.otherClientKey)).toBe('ok');
      expect(await handshake(b, certs.clientCert, certs.clientKey)).toBe('ok');
    } finally {
      await b.close();
    }
  });

  it('after a start on the static stores (the dynamic file was missing), restoring the file and setting the same path again loads it', async () => {
    const data = tempDir('kafka-ts-dynamic-tls-data-');
    const store = join(tmp.dir, 'restored.pem');
    copyFileSync(renewed, store);
    let b = await startBroker({ dir: data.dir, properties: sslProps() });
    try {
      expect(await alter(b, { [KS]: store })).toBe('accepted');
      expect(await served(b)).toBe('renewed');
      await b.close(true);
      renameSync(store, `${store}.moved`);
      const lines: string[] = [];
      b = await startBroker({ dir: data.dir, properties: sslProps(), log: createLogger((l) => lines.push(l)) });
      expect(await served(b)).toBe('original');
      expect(lines.filter((l) => / ERROR /.test(l) && l.includes('static TLS settings'))).toHaveLength(1);
      renameSync(`${store}.moved`, store);
      expect(await alter(b, { [KS]: store })).toBe('accepted');
      expect(await served(b)).toBe('renewed');
    } finally {
      await b.close();
      data.cleanup();
    }
  });
});
