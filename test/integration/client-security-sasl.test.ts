/**
 * kafka-ts's own client against the in-process broker's SASL listeners, end to end: PLAIN,
 * SCRAM-SHA-256/512 over TLS, OAUTHBEARER (unsecured token, as Kafka's default validator takes),
 * the errors a user sees (wrong password, mechanism not enabled, plaintext to a SASL port and
 * the reverse), KIP-368 re-authentication on a live connection, and the CLI's exit status 7.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient } from '../../src/client/client.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { Producer } from '../../src/client/producer/producer.js';
import { clientSecurity } from '../../src/client/security/index.js';
import { isKafkaTsError } from '../../src/util/errors.js';
import { credentialFor } from '../../src/util/scram.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/tmp.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const OAUTH = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

const tmp = tempDir('kafka-ts-client-sasl-');
let certs: TestCerts;
let b: TestBroker;
const clients: KafkaClient[] = [];
const port = (broker: TestBroker, name: string) => broker.cluster.boundPort(broker.cluster.brokers()[0]!.id, name);
const addr = (broker: TestBroker, name: string) => `127.0.0.1:${port(broker, name)}`;

function addScram(broker: TestBroker, user: string, password: string) {
  const md = broker.cluster.metadata;
  for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const c = credentialFor(m, password, 4096);
    md.setScramCredentials(user, [
      ...md.scramCredentials(user).filter((x) => x.mechanism !== m),
      { mechanism: m, iterations: 4096, salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') },
    ]);
  }
}

beforeAll(async () => {
  certs = await makeCerts(join(tmp.dir, 'certs'));
  b = await startBroker({
    properties: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,ONLY512://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,ONLY512:SASL_PLAINTEXT',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverKeystore,
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
      'listener.name.only512.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'sasl.jaas.config': `${PLAIN} required user_alice="alice-secret";`,
      'connection.failed.authentication.delay.ms': '0',
    },
  });
  addScram(b, 'carol', 'carol-secret');
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await b?.close();
  tmp.cleanup();
});

async function connect(bootstrap: string, props: Record<string, string>): Promise<KafkaClient> {
  const [host, p] = bootstrap.split(':');
  const c = new KafkaClient({ bootstrap: [{ host: host!, port: Number(p) }], clientId: 'sasl-test', connectTimeoutMs: 8000, requestTimeoutMs: 8000, security: await clientSecurity(props) });
  clients.push(c);
  await c.connect();
  return c;
}

async function refused(bootstrap: string, props: Record<string, string>): Promise<{ message: string; kind: string; ms: number }> {
  const t0 = Date.now();
  try {
    const c = await connect(bootstrap, props);
    await c.refreshMetadata([]);
  } catch (e) {
    return { message: (e as Error).message, kind: isKafkaTsError(e) ? e.kind : 'none', ms: Date.now() - t0 };
  }
  throw new Error(`${bootstrap} accepted ${JSON.stringify(Object.keys(props))}, expected a refusal`);
}

/** Creates a topic, produces one record and reads it back: bootstrap, controller and leader connections all authenticate. */
async function roundTrip(c: KafkaClient, topic: string): Promise<string[]> {
  const [created] = await new Admin(c).createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
  expect(created!.error).toBeNull();
  const producer = new Producer(c, { lingerMs: 0 });
  await producer.send({ topic, value: Buffer.from(`hello ${topic}`) });
  await producer.close();
  const fetcher = new Fetcher(c, { maxWaitMs: 200 });
  await fetcher.assign([{ topic, partition: 0, start: 'earliest' }]);
  const seen: string[] = [];
  const deadline = Date.now() + 10_000;
  while (seen.length === 0 && Date.now() < deadline) for (const chunk of await fetcher.poll()) for (const r of chunk.records) seen.push(r.value?.toString() ?? '');
  return seen;
}

const sslProps = () => ({ 'security.protocol': 'SASL_SSL', 'ssl.truststore.location': certs.caCert });

describe('client SASL against the broker', () => {
  it('PLAIN over SASL_PLAINTEXT (jaas config): produce and fetch', async () => {
    const c = await connect(addr(b, 'SASL_PLAINTEXT'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': `${PLAIN} required username="alice" password="alice-secret";` });
    expect(await roundTrip(c, 'sasl-plain')).toEqual(['hello sasl-plain']);
  });

  it('SCRAM-SHA-256 and SCRAM-SHA-512 over SASL_SSL (jaas, and librdkafka sasl.username/sasl.password)', async () => {
    const a = await connect(addr(b, 'SASL_SSL'), { ...sslProps(), 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.jaas.config': `${SCRAM} required username="carol" password="carol-secret";` });
    expect(await roundTrip(a, 'sasl-scram256')).toEqual(['hello sasl-scram256']);
    const c = await connect(addr(b, 'SASL_SSL'), { ...sslProps(), 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'carol', 'sasl.password': 'carol-secret' });
    expect(await roundTrip(c, 'sasl-scram512')).toEqual(['hello sasl-scram512']);
  });

  it('OAUTHBEARER with an unsecured token (jaas unsecuredLoginStringClaim_sub) and a static token property', async () => {
    const c = await connect(addr(b, 'SASL_PLAINTEXT'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.jaas.config': `${OAUTH} required unsecuredLoginStringClaim_sub="dave";` });
    expect(await roundTrip(c, 'sasl-oauth')).toEqual(['hello sasl-oauth']);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'erin', iat: now, exp: now + 600 })}.`;
    const s = await connect(addr(b, 'SASL_SSL'), { ...sslProps(), 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token': token });
    expect((await s.refreshMetadata([])).brokers.size).toBe(1);
    const expired = `${b64({ alg: 'none' })}.${b64({ sub: 'erin', iat: now - 7200, exp: now - 3600 })}.`;
    const r = await refused(addr(b, 'SASL_SSL'), { ...sslProps(), 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token': expired });
    expect(r.kind).toBe('auth');
    expect(r.message).toMatch(/^authentication failed for the token from sasl\.oauthbearer\.token \(SASL OAUTHBEARER\)/);
  });

  it('OAUTHBEARER client credentials: a token from a local OAuth endpoint, cached across connections', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const requests: string[] = [];
    const idp = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push(`${req.headers.authorization} ${body}`);
        const now = Math.floor(Date.now() / 1000);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: `${b64({ alg: 'none' })}.${b64({ sub: 'svc-app', iat: now, exp: now + 600 })}.`, expires_in: 600 }));
      });
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/token`;
      const c = await connect(addr(b, 'SASL_SSL'), {
        ...sslProps(),
        'sasl.mechanism': 'OAUTHBEARER',
        'sasl.oauthbearer.token.endpoint.url': url,
        'sasl.jaas.config': `${OAUTH} required clientId="app" clientSecret="app-secret" scope="kafka";`,
      });
      // Bootstrap, controller and leader connections: one token request.
      expect(await roundTrip(c, 'sasl-oauth-cc')).toEqual(['hello sasl-oauth-cc']);
      expect(requests).toEqual([`Basic ${Buffer.from('app:app-secret').toString('base64')} grant_type=client_credentials&scope=kafka`]);
    } finally {
      idp.close();
    }
  });

  it('a wrong password or an unknown user: one auth line naming user and mechanism, fast, no secret', async () => {
    for (const [user, mech, jaas] of [
      ['carol', 'SCRAM-SHA-256', SCRAM],
      ['nobody', 'SCRAM-SHA-512', SCRAM],
      ['alice', 'PLAIN', PLAIN],
    ] as const) {
      const r = await refused(addr(b, 'SASL_SSL'), { ...sslProps(), 'sasl.mechanism': mech, 'sasl.jaas.config': `${jaas} required username="${user}" password="not-the-password";` });
      expect(r.kind).toBe('auth');
      expect(r.message).toMatch(new RegExp(`^authentication failed for user ${user} \\(SASL ${mech}\\)`));
      expect(r.message).not.toContain('not-the-password');
      expect(r.ms).toBeLessThan(5000);
    }
  });

  it("a mechanism the listener does not enable lists the ones it does", async () => {
    const r = await refused(addr(b, 'ONLY512'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'carol', 'sasl.password': 'carol-secret' });
    expect(r).toMatchObject({ kind: 'auth', message: `${addr(b, 'ONLY512')} does not enable SASL mechanism SCRAM-SHA-256; it enables: SCRAM-SHA-512 (set sasl.mechanism)` });
  });

  it('plaintext to a SASL port, and SASL to a plaintext port, say which setting to change', async () => {
    const plainToSasl = await refused(addr(b, 'SASL_PLAINTEXT'), {});
    expect(plainToSasl).toMatchObject({
      kind: 'auth',
      message: `${addr(b, 'SASL_PLAINTEXT')} closed the connection right after ApiVersions: a SASL listener does that before authentication; set security.protocol=SASL_PLAINTEXT or SASL_SSL and sasl.mechanism`,
    });
    const saslToPlain = await refused(addr(b, 'PLAINTEXT'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret' });
    expect(saslToPlain.kind).toBe('auth');
    expect(saslToPlain.message).toMatch(/PLAINTEXT or SSL listener|does not expect SASL|does not offer SaslHandshake/);
    const tlsToSasl = await refused(addr(b, 'SASL_PLAINTEXT'), { ...sslProps(), 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret' });
    expect(tlsToSasl.message).toContain('does not speak TLS');
  });

  it('the CLI reaches the SASL_SSL listener with --command-config; a wrong password exits 7 with one line', async () => {
    const good = join(tmp.dir, 'good.properties');
    writeFileSync(good, `security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.caCert}\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${SCRAM} required username="carol" password="carol-secret";\n`);
    const ok = await runInProcess(['topics', '--bootstrap-server', addr(b, 'SASL_SSL'), '--command-config', good, '--list']);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('sasl-plain');
    const bad = join(tmp.dir, 'bad.properties');
    writeFileSync(bad, `security.protocol=SASL_SSL\nssl.truststore.location=${certs.caCert}\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=${SCRAM} required username="carol" password="wrong-pw";\n`);
    const no = await runInProcess(['topics', '--bootstrap-server', addr(b, 'SASL_SSL'), '--command-config', bad, '--list']);
    expect(no.exitCode).toBe(7);
    expect(no.stderr.trim().split('\n')).toHaveLength(1);
    expect(no.stderr).toContain('authentication failed for user carol (SASL SCRAM-SHA-256)');
    expect(no.stderr).not.toContain('wrong-pw');
  });
});

describe('KIP-368 re-authentication', () => {
  let r: TestBroker;
  beforeAll(async () => {
    r = await startBroker({
      properties: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'connections.max.reauth.ms': '2000',
      },
    });
    addScram(r, 'carol', 'carol-secret');
  }, 60_000);
  afterAll(async () => r?.close());

  it('re-authenticates a live connection before its session ends, so it keeps serving past the lifetime', async () => {
    const c = await connect(addr(r, 'SASL_PLAINTEXT'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'carol', 'sasl.password': 'carol-secret' });
    const connOf = async () => (await (c as unknown as { bootstrapConn: Promise<{ conn: object }> }).bootstrapConn).conn;
    const first = await connOf();
    // Keep using the connection for over two session lifetimes: the broker closes a connection used
    // past its session without re-authentication, so the same connection serving throughout
    // shows the client re-authenticated it.
    // Three loops at once, so that requests are issued while a re-authentication is under way
    // (they must wait: nothing may go between SaslHandshake and SaslAuthenticate).
    const until = Date.now() + 4500;
    let requests = 0;
    const loop = async () => {
      while (Date.now() < until) {
        await c.refreshMetadata([]);
        requests++;
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    await Promise.all([loop(), loop(), loop()]);
    expect(requests).toBeGreaterThan(30);
    expect(await connOf()).toBe(first);
  });

  it('a re-authentication that fails (password changed) closes the connection; the next request reports it', async () => {
    addScram(r, 'frank', 'old-password');
    const c = await connect(addr(r, 'SASL_PLAINTEXT'), { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'frank', 'sasl.password': 'old-password' });
    addScram(r, 'frank', 'new-password');
    const deadline = Date.now() + 8000;
    let error: unknown = null;
    while (!error && Date.now() < deadline) {
      await c.refreshMetadata([]).catch((e: unknown) => (error = e));
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(isKafkaTsError(error) && error.kind).toBe('auth');
    expect((error as Error).message).toMatch(/^authentication failed for user frank \(SASL SCRAM-SHA-256\)/);
  });
});
