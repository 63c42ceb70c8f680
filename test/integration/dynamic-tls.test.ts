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
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { RESOURCE_BROKER } from '../../src/broker/config-changes.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { tempDir } from '../helpers/tmp.js';
import { createLogger } from '../../src/util/logger.js';
import type { KafkaProtocolError } from '../../src/protocol/errors.js';

let tmp: { dir: string; cleanup: () => void };
let certs: TestCerts;
let renewed: string;
let mismatched: string;

beforeAll(async () => {
  tmp = tempDir('kafka-ts-dynamic-tls-');
  const dir = join(tmp.dir, 'certs');
  certs = await makeCerts(dir);
  // A second server certificate from the same CA (O=renewed), as a renewal would be.
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'renewed.key']);
  run(['req', '-new', '-key', 'renewed.key', '-subj', '/O=renewed/CN=localhost', '-out', 'renewed.csr']);
  writeFileSync(join(dir, 'renewed.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'renewed.csr', '-CA', certs.caCert, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '30', '-extfile', 'renewed.ext', '-out', 'renewed.pem']);
  renewed = join(dir, 'renewed-keystore.pem');
  writeFileSync(renewed, readFileSync(join(dir, 'renewed.key'), 'utf8') + readFileSync(join(dir, 'renewed.pem'), 'utf8'));
  mismatched = join(dir, 'mismatched.pem');
  writeFileSync(mismatched, readFileSync(certs.otherClientKey, 'utf8') + readFileSync(join(dir, 'renewed.pem'), 'utf8'));
}, 60_000);

afterAll(() => tmp?.cleanup());

/** The subject's O of the certificate the broker's SSL listener presents. */
function servedOrg(b: TestBroker, brokerId?: number): Promise<string> {
  const [host, port] = brokerId === undefined ? b.cluster.bootstrapFor('SSL').split(':') : ['127.0.0.1', String(b.cluster.boundPort(brokerId, 'SSL'))];
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port: Number(port), ca: readFileSync(certs.caCert), servername: 'localhost' }, () => {
      resolve(String(s.getPeerCertificate().subject.O ?? 'none'));
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
      expect(await servedOrg(b)).toBe('none');
      const admin = new Admin(b.client());
      const id = String(b.cluster.controllerId);

      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': mismatched }))).toBe(
        `listener.name.ssl.ssl.keystore.location ${mismatched}: the private key does not match the certificate (the first certificate must be the key's own)`,
      );
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': join(tmp.dir, 'missing.pem') }))).toMatch(/^Cannot read listener\.name\.ssl\.ssl\.keystore\.location .*missing\.pem: ENOENT$/);
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.other.ssl.keystore.location': renewed }))).toMatch(/^listener\.name\.other\.ssl\.\*: broker \d+ has no SSL or SASL_SSL listener OTHER \(its TLS listeners: SSL\)$/);
      expect(await errorOf(admin.alterConfigs(RESOURCE_BROKER, '', { 'listener.name.ssl.ssl.keystore.location': renewed }))).toBe(
        'Cannot update these configs at default cluster level, broker id must be specified: Set(listener.name.ssl.ssl.keystore.location)',
      );
      expect(await servedOrg(b)).toBe('none');

      await admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': renewed });
      expect(await servedOrg(b)).toBe('renewed');
      expect(b.cluster.metadata.brokerConfigs[id]).toEqual({ 'listener.name.ssl.ssl.keystore.location': renewed });
      const described = [...(await admin.describeConfigs([{ type: RESOURCE_BROKER, name: id }])).values()].flat();
      // Alterable per broker, so not read-only (KIP-226), as the other dynamic broker configs.
      expect(described.find((c) => c.name === 'listener.name.ssl.ssl.keystore.location')).toMatchObject({ value: renewed, readOnly: false });

      await b.close(true);
      b = await startBroker({ dir: data.dir, properties: props });
      expect(await servedOrg(b)).toBe('renewed');

      // Deleting the dynamic value goes back to server.properties' store.
      await new Admin(b.client()).alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': null });
      expect(await servedOrg(b)).toBe('none');
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
      expect(await servedOrg(b)).toBe('none');
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
      expect(await servedOrg(b)).toBe('renewed');
      await b.close(true);
      renameSync(store2, `${store2}.moved`);
      b = await startBroker({ dir: data.dir, properties: props, log: createLogger((l) => lines.push(l)) });
      expect(await servedOrg(b)).toBe('none');
      const errors = lines.filter((l) => / ERROR /.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('listener.name.ssl.ssl.keystore.location');
      expect(errors[0]).toContain('ENOENT');
      expect(errors[0]).toContain('static TLS settings');
      const admin = new Admin(b.client());
      const described = [...(await admin.describeConfigs([{ type: RESOURCE_BROKER, name: id }])).values()].flat();
      expect(described.find((c) => c.name === 'listener.name.ssl.ssl.keystore.location')).toMatchObject({ value: store2 });
      await admin.alterConfigs(RESOURCE_BROKER, id, { 'listener.name.ssl.ssl.keystore.location': null });
      expect(b.cluster.metadata.brokerConfigs[id] ?? {}).toEqual({});
      expect(await servedOrg(b)).toBe('none');
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
      expect(await servedOrg(b, second)).toBe('renewed');
      await b.cluster.stopBroker(second);
      renameSync(store2, `${store2}.moved`);
      await b.cluster.startBroker(second);
      expect(b.cluster.isLive(second)).toBe(true);
      expect(await servedOrg(b, second)).toBe('none');
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
      expect(await servedOrg(b, second)).toBe('none');
    } finally {
      await b.close();
    }
  });
});
