/**
 * Broker security beyond one exchange: re-authentication (KIP-368), replication between logical
 * brokers whose only listener is SASL_SSL, ssl.client.auth=requested, start-up refusals with one
 * clear message, and the daemon's listener list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaCluster } from '../../src/broker/cluster.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { Daemon } from '../../src/broker/daemon.js';
import { AlterUserScramCredentials, ApiVersions, DescribeUserScramCredentials, Metadata, SaslAuthenticate, SaslHandshake } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { credentialFor } from '../../src/util/scram.js';
import { startBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { plainToken, RawConn, scramClient } from '../helpers/raw-kafka.js';
import { kcat } from '../helpers/real-clients.js';
import { tempDir } from '../helpers/tmp.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';
const METADATA = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

/** Waits until `cond` holds, polling; fails with `what` and the last value seen. */
async function waitFor<T>(what: string, get: () => T | Promise<T>, cond: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await get();
    if (cond(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the wall clock has passed `t` (a session's expiry is a time, so this waits for time). */
const until = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now() + 20)));

const scramCred = (m: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', password: string) => {
  const c = credentialFor(m, password, 4096);
  return { mechanism: m, iterations: 4096, salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') };
};

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });

/** A base port with `count` free ports after it (asked of the OS, then checked): for fixed-port listeners. */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await new Promise<number>((resolve) => {
      const s = net.createServer().listen({ host: '127.0.0.1', port: 0 }, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (base + count > 65535) continue;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}

describe('broker security: sessions, replication, configuration', () => {
  const tmp = tempDir('kafka-ts-sec2-');
  let certs: TestCerts;
  beforeAll(async () => {
    certs = await makeCerts(join(tmp.dir, 'certs'));
  });
  afterAll(() => tmp.cleanup());

  it('connections.max.reauth.ms: the session lifetime is announced, re-authentication extends it, an expired session is closed', async () => {
    const reauthLog: string[] = [];
    const b = await startBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,OAUTHBEARER',
        'sasl.jaas.config': PLAIN_JAAS,
        'connections.max.reauth.ms': '1500',
      },
      log: createLogger((l) => void reauthLog.push(l)),
    });
    try {
      b.cluster.metadata.setScramCredentials('carol', [scramCred('SCRAM-SHA-256', 'carol-secret')]);
      const port = b.cluster.boundPort(1);
      const c = await RawConn.tcp(port);
      await c.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
      const first = await c.request(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') });
      // Taken after each answer: the broker's session ends at most 1500 ms after these.
      const t0 = Date.now();
      expect(first).toMatchObject({ errorCode: 0, sessionLifetimeMs: 1500 });
      expect(await c.request(Metadata, 9, METADATA)).not.toBeNull();
      // Re-authenticate on the same connection half-way through the session.
      await until(t0 + 750);
      expect((await c.request(SaslHandshake, 1, { mechanism: 'PLAIN' }))?.errorCode).toBe(0);
      expect(await c.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'alice-secret') })).toMatchObject({ errorCode: 0, sessionLifetimeMs: 1500 });
      const t1 = Date.now();
      // Past the first session's end, well before the second's (which began after t0 + 750).
      await until(t0 + 1700);
      expect(await c.request(Metadata, 9, METADATA), 'the re-authenticated session still serves').not.toBeNull();
      await until(t1 + 1500);
      expect(await c.request(Metadata, 9, METADATA), 'an expired session is closed on its next request').toBeNull();
      // One line for it (written before the close), not one from the SASL layer and another from the connection.
      expect(reauthLog.filter((l) => /expired/i.test(l))).toEqual([expect.stringMatching(/ INFO Closing connection from .*User:alice\): its SASL session expired without re-authentication/)]);

      // Re-authenticating as someone else is refused and closes the connection.
      const d = await RawConn.tcp(port);
      await d.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
      await d.request(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') });
      await d.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
      expect((await d.request(SaslAuthenticate, 1, { authBytes: plainToken('bob', 'bob-secret') }))?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(await d.waitClosed()).toBe(true);

      // SCRAM re-authentication; an OAUTHBEARER token that expires first bounds the session.
      const e = await RawConn.tcp(port);
      for (let i = 0; i < 2; i++) {
        await e.request(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
        const sc = scramClient('SCRAM-SHA-256', 'carol', 'carol-secret');
        const r1 = await e.request(SaslAuthenticate, 2, { authBytes: sc.first });
        const r2 = await e.request(SaslAuthenticate, 2, { authBytes: sc.final(r1!.authBytes) });
        expect(r2).toMatchObject({ errorCode: 0, sessionLifetimeMs: 1500 });
        expect(sc.verify(r2!.authBytes)).toBe(true);
      }
      e.close();
      const o = await RawConn.tcp(port);
      await o.request(SaslHandshake, 1, { mechanism: 'OAUTHBEARER' });
      const jwt = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'dave', exp: Date.now() / 1000 + 1 })).toString('base64url')}.`;
      const r = await o.request(SaslAuthenticate, 2, { authBytes: Buffer.from(`n,,\u0001auth=Bearer ${jwt}\u0001\u0001`) });
      expect(r?.errorCode).toBe(0);
      expect(r!.sessionLifetimeMs).toBeGreaterThan(0);
      expect(r!.sessionLifetimeMs).toBeLessThanOrEqual(1000);
      o.close();
    } finally {
      await b.close();
    }
  });

  it('replicates between three logical brokers whose only listener is SASL_SSL (kcat produces with acks=all)', async () => {
    const b = await startBroker({
      properties: {
        listeners: 'SASL_SSL://127.0.0.1:0',
        'kafka-ts.brokers': '3',
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'ssl.keystore.location': certs.serverKeystore,
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      },
    });
    try {
      b.cluster.metadata.setScramCredentials('carol', [scramCred('SCRAM-SHA-512', 'carol-secret')]);
      const args = ['-b', b.bootstrap, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=SCRAM-SHA-512', '-X', 'sasl.username=carol', '-X', 'sasl.password=carol-secret', '-X', `ssl.ca.location=${certs.caCert}`];
      const p = await kcat([...args, '-P', '-t', 'replicated', '-X', 'acks=all'], { input: 'a\nb\nc\n', timeout: 60_000 });
      expect(p.exitCode, p.stderr).toBe(0);
      const ends = () => b.cluster.brokers().map((x) => x.replica('replicated', 0)?.logEndOffset() ?? -1);
      await waitFor('every replica to have the 3 records', ends, (e) => e.every((n) => n === 3));
      const c = await kcat([...args, '-C', '-t', 'replicated', '-o', 'beginning', '-e', '-q'], { timeout: 60_000 });
      expect(c.stdout.trim().split('\n')).toEqual(['a', 'b', 'c']);
    } finally {
      await b.close();
    }
  });

  it('with several brokers each listener with a fixed port takes port+index, and each broker advertises its own', async () => {
    const p = await freeRun(4);
    const q = p + 2;
    const b = await startBroker({
      properties: { listeners: `PLAINTEXT://127.0.0.1:${p},SASL_PLAINTEXT://127.0.0.1:${q}`, 'kafka-ts.brokers': '2', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS },
    });
    try {
      expect([1, 2].map((id) => [b.cluster.boundPort(id, 'PLAINTEXT'), b.cluster.boundPort(id, 'SASL_PLAINTEXT')])).toEqual([
        [p, q],
        [p + 1, q + 1],
      ]);
      const c = await RawConn.tcp(q + 1);
      await c.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
      expect((await c.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'alice-secret') }))?.errorCode).toBe(0);
      const md = await c.request(Metadata, 9, METADATA);
      expect(md!.brokers.map((x) => [x.nodeId, x.port]).sort()).toEqual([
        [1, q],
        [2, q + 1],
      ]);
      c.close();
    } finally {
      await b.close();
    }
  });

  it('SCRAM credential admin needs cluster Describe / Alter under the authorizer (super users may)', async () => {
    const b = await startBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN',
        'sasl.jaas.config': PLAIN_JAAS,
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'allow.everyone.if.no.acl.found': 'false',
        'super.users': 'User:bob',
      },
    });
    try {
      const login = async (user: string) => {
        const c = await RawConn.tcp(b.cluster.boundPort(1));
        await c.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
        expect((await c.request(SaslAuthenticate, 2, { authBytes: plainToken(user, `${user}-secret`) }))?.errorCode).toBe(0);
        return c;
      };
      const upsert = { deletions: [], upsertions: [{ name: 'erin', mechanism: 1, iterations: 4096, salt: Buffer.from('salt'), saltedPassword: Buffer.alloc(32, 1) }] };
      const alice = await login('alice');
      expect((await alice.request(DescribeUserScramCredentials, 0, { users: null }))?.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
      expect((await alice.request(AlterUserScramCredentials, 0, upsert))?.results).toEqual([{ user: 'erin', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null }]);
      alice.close();
      const bob = await login('bob');
      expect((await bob.request(AlterUserScramCredentials, 0, upsert))?.results).toEqual([{ user: 'erin', errorCode: 0, errorMessage: null }]);
      expect((await bob.request(DescribeUserScramCredentials, 0, { users: null }))?.results.map((r) => r.user)).toEqual(['erin']);
      bob.close();
    } finally {
      await b.close();
    }
  });

  it('ssl.client.auth=requested: no certificate is served as User:ANONYMOUS, an untrusted one is refused', async () => {
    const lines: string[] = [];
    const b = await startBroker({
      log: createLogger((l) => void lines.push(l), 'test', 'DEBUG'),
      properties: { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': certs.serverKeystore, 'ssl.truststore.certificates': readFileSync(certs.caCert, 'utf8'), 'ssl.client.auth': 'requested' },
    });
    try {
      const port = b.cluster.boundPort(1);
      const anon = await RawConn.tls(port, { ca: readFileSync(certs.caCert) });
      expect(await anon.request(ApiVersions, 0, {})).not.toBeNull();
      anon.close();
      const good = await RawConn.tls(port, { ca: readFileSync(certs.caCert), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
      expect(await good.request(ApiVersions, 0, {})).not.toBeNull();
      good.close();
      expect(lines.some((l) => l.includes(`(principal ${certs.clientPrincipal})`))).toBe(true);
      let refused: boolean;
      try {
        const bad = await RawConn.tls(port, { ca: readFileSync(certs.caCert), cert: readFileSync(certs.otherClientCert), key: readFileSync(certs.otherClientKey) });
        refused = (await bad.request(ApiVersions, 0, {})) === null;
      } catch {
        refused = true;
      }
      expect(refused).toBe(true);
      expect(lines.some((l) => l.includes('Failed authentication') && l.includes('SSL handshake failed'))).toBe(true);
    } finally {
      await b.close();
    }
  });

  it('refuses to start, with one clear line naming the setting, when a listener cannot work', async () => {
    const p12 = join(tmp.dir, 'store.p12');
    writeFileSync(p12, Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03]));
    const encryptedStore = join(tmp.dir, 'enc.pem');
    writeFileSync(encryptedStore, readFileSync(certs.serverKeyEncrypted, 'utf8') + readFileSync(certs.serverChain, 'utf8'));
    const cases: [Record<string, string>, RegExp][] = [
      [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': certs.serverKeystore, 'ssl.keystore.type': 'JKS' }, /ssl\.keystore\.type=JKS is not supported.*keytool -importkeystore.*openssl pkcs12/],
      [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': p12 }, /ssl\.keystore\.location .*store\.p12 is not PEM \(a (JKS or )?PKCS12 store\?\).*openssl pkcs12/],
      [{ listeners: 'SSL://127.0.0.1:0' }, /Listener SSL uses TLS but has no key and certificate: set ssl\.keystore\.location/],
      [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': encryptedStore }, /private key is encrypted; set ssl\.key\.password/],
      [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': encryptedStore, 'ssl.key.password': 'wrong' }, /could not be decrypted with ssl\.key\.password/],
      [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0' }, /GSSAPI \(Kerberos\) is not supported.*Kafka's default for sasl\.enabled\.mechanisms/],
      [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN' }, /enables PLAIN but has no JAAS config.*listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config/],
      [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_x="p"' }, /missing ';'/],
      [{ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'DIGEST-MD5' }, /unsupported SASL mechanism DIGEST-MD5/],
      [{ listeners: 'EXTERNAL://127.0.0.1:0' }, /No security protocol defined for listener EXTERNAL: add it to listener\.security\.protocol\.map/],
      [{ listeners: 'LOCAL://127.0.0.1:0' }, /reserved/],
    ];
    for (const [props, message] of cases) {
      let err: Error | undefined;
      try {
        const { config } = buildBrokerConfig(tmp.dir, props);
        const c = await KafkaCluster.start({ config, log: silentLogger, inMemory: true });
        await c.close();
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message, JSON.stringify(props)).toMatch(message);
      expect(err?.name).toBe('ConfigError');
      expect(err!.message).not.toMatch(/\n|secret|test-key-pass/);
    }
  });

  it('the daemon lists every listener by name, and its Unix socket stays LOCAL', async () => {
    const home = tempDir('kts-d-');
    const d = new Daemon({
      home: home.dir,
      properties: { listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0', 'ssl.keystore.location': certs.serverKeystore, 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS },
    });
    try {
      const s = await d.start();
      expect(s.listeners).toHaveLength(3);
      expect(s.listeners[0]).toMatch(/^PLAINTEXT:\/\/127\.0\.0\.1:\d+$/);
      expect(s.listeners[1]).toMatch(/^SASL_SSL:\/\/127\.0\.0\.1:\d+$/);
      expect(s.listeners[2]).toBe(`LOCAL://${join(home.dir, 'kafka.sock')}`);
    } finally {
      await d.stop('test');
      home.cleanup();
    }
  });
});
