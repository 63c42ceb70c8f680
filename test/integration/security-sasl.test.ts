/**
 * The broker's listeners, TLS and SASL server against raw frames (exact bad input) and a couple of
 * real clients (kcat) as smoke tests; the full client matrix is in test/interop.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, AlterUserScramCredentials, DescribeUserScramCredentials, Metadata, SaslAuthenticate, SaslHandshake } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { rfc2253Subject } from '../../src/transport/certificate-subject.js';
import { createLogger } from '../../src/util/logger.js';
import { credentialFor, saltedPassword } from '../../src/util/scram.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { plainToken, RawConn, scramClient } from '../helpers/raw-kafka.js';
import { kcat } from '../helpers/real-clients.js';
import { tempDir } from '../helpers/tmp.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';

describe('broker security: listeners, TLS, SASL', () => {
  const tmp = tempDir('kafka-ts-sec-');
  let certs: TestCerts;
  let b: TestBroker;
  const logLines: string[] = [];
  const port = (name: string) => b.cluster.boundPort(b.cluster.brokers()[0]!.id, name);

  beforeAll(async () => {
    certs = await makeCerts(join(tmp.dir, 'certs'));
    b = await startBroker({
      log: createLogger((l) => void logLines.push(l), 'test', 'DEBUG'),
      properties: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,CLIENT://127.0.0.1:0',
        'listener.security.protocol.map': 'CLIENT:SASL_SSL',
        'ssl.keystore.location': certs.serverKeystore,
        'ssl.truststore.location': certs.caCert,
        'listener.name.ssl.ssl.client.auth': 'required',
        // Inline PEM with its line breaks lost (as in a properties file), and an encrypted key.
        'listener.name.client.ssl.keystore.certificate.chain': readFileSync(certs.serverChain, 'utf8').replace(/\n/g, ''),
        'listener.name.client.ssl.keystore.key': readFileSync(certs.serverKeyEncrypted, 'utf8'),
        'listener.name.client.ssl.key.password': certs.serverKeyPassword,
        'listener.name.client.ssl.keystore.type': 'PEM',
        'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
        'listener.name.client.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'sasl.jaas.config': PLAIN_JAAS,
        'connection.failed.authentication.delay.ms': '100',
      },
    });
    const md = b.cluster.metadata;
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const c = credentialFor(m, 'carol-secret', 4096);
      md.setScramCredentials('carol', [...md.scramCredentials('carol'), { mechanism: m, iterations: 4096, salt: c.salt.toString('base64'), storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') }]);
    }
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    tmp.cleanup();
  });

  /** A SASL_PLAINTEXT (or SASL_SSL with tls) connection after SaslHandshake v1. */
  async function handshaken(mechanism: string, listener = 'SASL_PLAINTEXT') {
    const c = listener === 'SASL_PLAINTEXT' ? await RawConn.tcp(port(listener)) : await RawConn.tls(port(listener), { ca: readFileSync(certs.caCert) });
    const hs = await c.request(SaslHandshake, 1, { mechanism });
    expect(hs?.errorCode).toBe(0);
    return c;
  }

  async function scramLogin(c: RawConn, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', user: string, password: string, version = 2) {
    const client = scramClient(mechanism, user, password);
    const r1 = await c.request(SaslAuthenticate, version, { authBytes: client.first });
    expect(r1?.errorCode).toBe(0);
    const r2 = await c.request(SaslAuthenticate, version, { authBytes: client.final(r1!.authBytes) });
    return { response: r2, serverVerified: r2?.errorCode === 0 && client.verify(r2.authBytes) };
  }

  it('serves each named listener and advertises the endpoint of the listener the request came in on', async () => {
    const plain = await RawConn.tcp(port('PLAINTEXT'));
    const md1 = await plain.request(Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(md1!.brokers.map((x) => x.port)).toEqual([port('PLAINTEXT')]);
    plain.close();
    const c = await handshaken('PLAIN');
    expect((await c.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'alice-secret') }))?.errorCode).toBe(0);
    const md2 = await c.request(Metadata, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(md2!.brokers.map((x) => x.port)).toEqual([port('SASL_PLAINTEXT')]);
    c.close();
    expect(new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL', 'CLIENT'].map(port)).size).toBe(5);
  });

  it('SCRAM-SHA-256 and -512: the right password authenticates (server signature verified), a wrong one or an unknown user fails alike', async () => {
    for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const ok = await handshaken(m);
      const good = await scramLogin(ok, m, 'carol', 'carol-secret');
      expect(good.serverVerified).toBe(true);
      expect(await ok.request(ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).not.toBeNull();
      ok.close();
      for (const [user, pw] of [['carol', 'wrong'], ['nobody', 'carol-secret']]) {
        const bad = await handshaken(m);
        const r = await scramLogin(bad, m, user!, pw!);
        expect(r.response?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
        expect(r.response?.errorMessage).toBe(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`);
        expect(await bad.waitClosed()).toBe(true);
      }
    }
    const logged = logLines.filter((l) => l.includes('Failed authentication') && l.includes('SCRAM'));
    expect(logged.some((l) => l.includes('"nobody"') && l.includes('/127.0.0.1'))).toBe(true);
    expect(logLines.join('')).not.toContain('carol-secret');
  });

  it('PLAIN over SaslAuthenticate and over the legacy v0 raw-token framing; a wrong password is refused', async () => {
    const c = await handshaken('PLAIN');
    const r = await c.request(SaslAuthenticate, 1, { authBytes: plainToken('bob', 'bob-secret') });
    expect(r).toMatchObject({ errorCode: 0, sessionLifetimeMs: 0 });
    c.close();
    const legacy = await RawConn.tcp(port('SASL_PLAINTEXT'));
    expect((await legacy.request(SaslHandshake, 0, { mechanism: 'PLAIN' }))?.errorCode).toBe(0);
    const tok = plainToken('alice', 'alice-secret');
    const size = Buffer.alloc(4);
    size.writeInt32BE(tok.length);
    legacy.write([size, tok]);
    expect((await legacy.readFrame())?.length).toBe(0);
    expect(await legacy.request(ApiVersions, 0, {})).not.toBeNull();
    legacy.close();
    const wrong = await RawConn.tcp(port('SASL_PLAINTEXT'));
    await wrong.request(SaslHandshake, 0, { mechanism: 'PLAIN' });
    const bad = plainToken('alice', 'nope');
    size.writeInt32BE(bad.length);
    wrong.write([size, bad]);
    expect(await wrong.readFrame()).toBeNull();
    expect(logLines.join('')).not.toContain('alice-secret');
  });

  it('an unenabled mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list; per-listener mechanisms apply', async () => {
    const c = await RawConn.tcp(port('SASL_PLAINTEXT'));
    expect(await c.request(SaslHandshake, 1, { mechanism: 'GSSAPI' })).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] });
    expect(await c.waitClosed()).toBe(true);
    const d = await RawConn.tls(port('CLIENT'), { ca: readFileSync(certs.caCert) });
    expect(await d.request(SaslHandshake, 1, { mechanism: 'PLAIN' })).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['SCRAM-SHA-512'] });
    d.close();
  });

  it('closes a connection that sends anything but ApiVersions or SASL before authenticating', async () => {
    const c = await RawConn.tcp(port('SASL_PLAINTEXT'));
    expect(await c.request(ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).not.toBeNull();
    expect(await c.request(Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })).toBeNull();
    const d = await handshaken('SCRAM-SHA-256');
    expect(await d.request(Metadata, 1, { topics: null })).toBeNull();
    // SaslAuthenticate without a handshake
    const e = await RawConn.tcp(port('SASL_PLAINTEXT'));
    expect((await e.request(SaslAuthenticate, 1, { authBytes: plainToken('alice', 'alice-secret') }))?.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(await e.waitClosed()).toBe(true);
    // Before authentication a frame may not exceed sasl.server.max.receive.size (524288).
    const big = await RawConn.tcp(port('SASL_PLAINTEXT'));
    const head = Buffer.alloc(4);
    head.writeInt32BE(600_000);
    big.write(head);
    expect(await big.waitClosed()).toBe(true);
  });

  it('garbage and truncated SASL tokens fail authentication, never the broker', async () => {
    const tokens = [Buffer.from([0xff, 0x00, 0x13]), Buffer.alloc(0), Buffer.from('n,,'), Buffer.from('p=tls-unique,,n=carol,r=abc'), Buffer.from('n,,n=carol'), Buffer.from('\u0000\u0000'), Buffer.alloc(3000, 0x41)];
    for (const m of ['SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER']) {
      for (const t of tokens) {
        const c = await handshaken(m);
        const r = await c.request(SaslAuthenticate, 2, { authBytes: t });
        expect(r?.errorCode, `${m} ${t.toString('hex').slice(0, 20)}`).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
        expect(await c.waitClosed()).toBe(true);
      }
    }
    // SCRAM final message that is garbage after a good first message
    const c = await handshaken('SCRAM-SHA-512');
    const sc = scramClient('SCRAM-SHA-512', 'carol', 'x');
    await c.request(SaslAuthenticate, 2, { authBytes: sc.first });
    expect((await c.request(SaslAuthenticate, 2, { authBytes: Buffer.from('c=biws,r=wrong,p=AAAA') }))?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    // A truncated request frame (SaslHandshake cut short) just closes the connection.
    const t = await RawConn.tcp(port('SASL_PLAINTEXT'));
    t.write(Buffer.from([0, 0, 0, 6, 0, 17, 0, 1, 0, 0]));
    expect(await t.waitClosed()).toBe(true);
    expect(logLines.some((l) => /ERROR|at .*\.ts:\d+/.test(l))).toBe(false);
  });

  it('100 failed logins in a row (each answered after the failed-authentication delay), then a good login succeeds quickly', async () => {
    const conns = await Promise.all(Array.from({ length: 100 }, () => RawConn.tcp(port('SASL_PLAINTEXT'))));
    await Promise.all(
      conns.map(async (c) => {
        await c.request(SaslHandshake, 1, { mechanism: 'PLAIN' });
        const r = await c.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'wrong') });
        expect(r?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      }),
    );
    // As Kafka, the failure answer itself comes connection.failed.authentication.delay.ms late.
    const slow = await handshaken('PLAIN');
    const ts = Date.now();
    expect((await slow.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'wrong') }))?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(Date.now() - ts).toBeGreaterThanOrEqual(95);
    expect(await slow.waitClosed()).toBe(true);
    const t0 = Date.now();
    const c = await handshaken('PLAIN');
    expect((await c.request(SaslAuthenticate, 2, { authBytes: plainToken('alice', 'alice-secret') }))?.errorCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    c.close();
    const closed = await Promise.all(conns.map((x) => x.waitClosed()));
    expect(closed.every(Boolean)).toBe(true);
  });

  it('OAUTHBEARER with an unsecured JWT: sub is the principal, an expired token is refused', async () => {
    const jwt = (claims: object) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const msg = (token: string) => Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`);
    const now = Math.floor(Date.now() / 1000);
    const ok = await handshaken('OAUTHBEARER');
    expect((await ok.request(SaslAuthenticate, 2, { authBytes: msg(jwt({ sub: 'dave', exp: now + 3600, iat: now })) }))?.errorCode).toBe(0);
    ok.close();
    const expired = await handshaken('OAUTHBEARER');
    expect((await expired.request(SaslAuthenticate, 2, { authBytes: msg(jwt({ sub: 'dave', exp: now - 60 })) }))?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    const signed = await handshaken('OAUTHBEARER');
    const forged = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', exp: now + 60 })).toString('base64url')}.c2ln`;
    expect((await signed.request(SaslAuthenticate, 2, { authBytes: msg(forged) }))?.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
  });

  it('TLS: plaintext to a TLS port and TLS to a plaintext port are closed; mTLS needs a trusted client certificate', async () => {
    const p = await RawConn.tcp(port('SSL'));
    p.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0]));
    expect(await p.waitClosed()).toBe(true);
    await expect(RawConn.tls(port('PLAINTEXT'), { ca: readFileSync(certs.caCert) })).rejects.toThrow();
    // With TLS 1.3 the client may finish its side before the server refuses its certificate: the
    // connection then closes at the first request. Either way nothing is served.
    const refused = async (opts: Parameters<typeof RawConn.tls>[1]) => {
      try {
        const c = await RawConn.tls(port('SSL'), opts);
        return (await c.request(ApiVersions, 0, {})) === null;
      } catch {
        return true;
      }
    };
    expect(await refused({ ca: readFileSync(certs.caCert) })).toBe(true);
    expect(await refused({ ca: readFileSync(certs.caCert), cert: readFileSync(certs.otherClientCert), key: readFileSync(certs.otherClientKey) })).toBe(true);
    const good = await RawConn.tls(port('SSL'), { ca: readFileSync(certs.caCert), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
    expect(await good.request(ApiVersions, 0, {})).not.toBeNull();
    good.close();
    expect(logLines.some((l) => l.includes(`(principal ${certs.clientPrincipal})`))).toBe(true);
    expect(rfc2253Subject(new X509Certificate(readFileSync(certs.clientCert)).subject)).toBe('CN=client,OU=test,O=kafka-ts,C=US');
    // The broker still serves others.
    const after = await RawConn.tcp(port('PLAINTEXT'));
    expect(await after.request(ApiVersions, 0, {})).not.toBeNull();
    after.close();
  });

  it('DescribeUserScramCredentials / AlterUserScramCredentials with Kafka error codes; a credential made by Alter logs in', async () => {
    const c = await RawConn.tcp(port('PLAINTEXT'));
    const salt = Buffer.from('0123456789abcdef');
    const up = (name: string, mechanism: number, iterations: number) => ({ name, mechanism, iterations, salt, saltedPassword: mechanism === 1 || mechanism === 2 ? saltedPassword(mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', 'erin-secret', salt, Math.max(iterations, 1)) : Buffer.from('x') });
    const r = await c.request(AlterUserScramCredentials, 0, {
      deletions: [{ name: 'ghost', mechanism: 1 }],
      upsertions: [up('erin', 1, 4096), up('few', 1, 100), up('many', 2, 20000), up('odd', 9, 4096), up('dup', 1, 4096), up('dup', 1, 8192)],
    });
    expect(Object.fromEntries(r!.results.map((x) => [x.user, x.errorCode]))).toEqual({
      ghost: ErrorCode.RESOURCE_NOT_FOUND,
      erin: 0,
      few: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      many: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      odd: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      dup: ErrorCode.DUPLICATE_RESOURCE,
    });
    const d = await c.request(DescribeUserScramCredentials, 0, { users: [{ name: 'erin' }, { name: 'nobody' }] });
    expect(d!.results).toEqual([
      { user: 'erin', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }] },
      { user: 'nobody', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist: nobody', credentialInfos: [] },
    ]);
    const all = await c.request(DescribeUserScramCredentials, 0, { users: null });
    expect(all!.results.map((x) => x.user)).toEqual(['carol', 'erin']);
    expect(JSON.stringify(all)).not.toContain(salt.toString('base64'));
    c.close();
    const s = await handshaken('SCRAM-SHA-256');
    expect((await scramLogin(s, 'SCRAM-SHA-256', 'erin', 'erin-secret')).serverVerified).toBe(true);
    s.close();
  });

  it('kcat (librdkafka) produces and consumes over SASL_SSL with SCRAM-SHA-512 and PLAIN, and over mTLS; OAUTHBEARER with its unsecured JWT', async () => {
    const ssl = ['-X', `ssl.ca.location=${certs.caCert}`];
    const variants: [string, string[]][] = [
      ['scram512', ['-b', `127.0.0.1:${port('SASL_SSL')}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=SCRAM-SHA-512', '-X', 'sasl.username=carol', '-X', 'sasl.password=carol-secret', ...ssl]],
      ['plain', ['-b', `localhost:${port('SASL_SSL')}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret', ...ssl]],
      ['mtls', ['-b', `127.0.0.1:${port('SSL')}`, '-X', 'security.protocol=SSL', '-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`, ...ssl]],
    ];
    for (const [name, args] of variants) {
      const topic = `kcat-${name}`;
      const p = await kcat([...args, '-P', '-t', topic], { input: 'one\ntwo\nthree\n', timeout: 60_000 });
      expect(p.exitCode, `${name} produce: ${p.stderr}\n${logLines.filter((l) => l.includes('Failed')).join('')}`).toBe(0);
      const c = await kcat([...args, '-C', '-t', topic, '-o', 'beginning', '-e', '-q'], { timeout: 60_000 });
      expect(c.exitCode, `${name} consume: ${c.stderr}`).toBe(0);
      expect(c.stdout.trim().split('\n'), name).toEqual(['one', 'two', 'three']);
    }
    // librdkafka's own unsecured JWT (enable.sasl.oauthbearer.unsecure.jwt) against the unsecured validator.
    const oauth = ['-b', `127.0.0.1:${port('SASL_SSL')}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=OAUTHBEARER', '-X', 'enable.sasl.oauthbearer.unsecure.jwt=true', '-X', 'sasl.oauthbearer.config=principal=dave lifeSeconds=600', ...ssl];
    const op = await kcat([...oauth, '-P', '-t', 'kcat-oauth'], { input: 'tok\n', timeout: 60_000 });
    expect(op.exitCode, `oauth produce: ${op.stderr}\n${logLines.filter((l) => l.includes('Failed')).join('')}`).toBe(0);
    expect(logLines.some((l) => l.includes('with SASL OAUTHBEARER as User:dave'))).toBe(true);
    const wrong = await kcat(['-b', `127.0.0.1:${port('SASL_SSL')}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanism=SCRAM-SHA-512', '-X', 'sasl.username=carol', '-X', 'sasl.password=nope', ...ssl, '-L', '-m', '5'], { timeout: 60_000 });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed|SASL authentication error/i);
  });
});
