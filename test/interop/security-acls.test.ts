/**
 * ACLs against authenticated real clients: a daemon with StandardAuthorizer
 * (allow.everyone.if.no.acl.found=false), a SASL_SSL listener (PLAIN users alice and bob) and an
 * SSL listener requiring client certificates. ACLs are added with `kafka-ts acls` over the LOCAL
 * Unix socket (a super user). The principals the clients get (User:alice from SASL, the client
 * certificate's RFC 2253 subject from mTLS) are the ones the ACLs name: what is allowed works,
 * the rest is refused with Kafka's authorization errors, reported by kcat and kafkajs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, stopDaemon } from '../helpers/cli.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { kafkajs, kcat, kcatSecurity, requireKcat, securityEnv, type ClientSecurity } from '../helpers/real-clients.js';

let home: string;
let cleanup: () => void;
let certs: TestCerts;
let saslSsl: string;
let ssl: string;
const kt = (...args: string[]) => kafkaTs(args, { home });
const user = (name: string): ClientSecurity => ({ protocol: 'SASL_SSL', mechanism: 'PLAIN', username: name, password: `${name}-pw`, ca: certs.caCert });
const mtls = (): ClientSecurity => ({ protocol: 'SSL', ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });

beforeAll(async () => {
  requireKcat();
  ({ dir: home, cleanup } = tempDir('kafka-ts-sec-acls-'));
  certs = await makeCerts(join(home, 'certs'));
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw" user_bob="bob-pw";';
  const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--output', 'json',
    '--override', 'listeners=SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0',
    '--override', 'ssl.keystore.type=PEM', '--override', `ssl.keystore.location=${certs.serverKeystore}`,
    '--override', 'ssl.truststore.type=PEM', '--override', `ssl.truststore.location=${certs.caCert}`,
    '--override', 'listener.name.ssl.ssl.client.auth=required',
    '--override', 'sasl.enabled.mechanisms=PLAIN',
    '--override', `listener.name.sasl_ssl.plain.sasl.jaas.config=${jaas}`,
    '--override', 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    '--override', 'allow.everyone.if.no.acl.found=false',
    '--override', 'group.initial.rebalance.delay.ms=0'], { home });
  if (r.exitCode !== 0) throw new Error(`daemon failed to start: ${r.stderr}${r.stdout}`);
  const listeners = (JSON.parse(r.stdout) as { listeners: string[] }).listeners;
  saslSsl = listeners.find((l) => l.startsWith('SASL_SSL://'))!.slice('SASL_SSL://'.length);
  ssl = listeners.find((l) => l.startsWith('SSL://'))!.slice('SSL://'.length);
  for (const t of ['orders', 'secret']) expect((await kt('topics', 'create', t, '-p', '2')).exitCode).toBe(0);
  const acl = async (...args: string[]) => {
    const a = await kt('acls', '--add', ...args);
    if (a.exitCode !== 0) throw new Error(`acls --add ${args.join(' ')}: ${a.stderr}`);
  };
  await acl('--allow-principal', 'User:alice', '--producer', '--topic', 'orders');
  await acl('--allow-principal', 'User:alice', '--consumer', '--topic', 'orders', '--group', 'alice-group');
  await acl('--allow-principal', certs.clientPrincipal, '--consumer', '--topic', 'orders', '--group', 'tls-group');
}, 90_000);

afterAll(async () => {
  if (home) await stopDaemon(home);
  cleanup?.();
});

let batch = 0;
/** kcat -P of `n` keyed records with values unique to this call. */
const produce = (address: string, sec: ClientSecurity, topic: string, n: number) => {
  const tag = `b${batch++}`;
  return kcat(['-b', address, ...kcatSecurity(sec), '-P', '-t', topic, '-K', ':', '-X', 'message.timeout.ms=10000'], { input: Array.from({ length: n }, (_, i) => `k${i}:${topic}-${tag}-${i}\n`).join(''), timeout: 30_000 });
};

/** kcat -G until `n` records (or the deadline); returns what it read and printed. */
const consume = (address: string, sec: ClientSecurity, group: string, topic: string, n: number) =>
  kcat(['-b', address, ...kcatSecurity(sec), '-G', group, topic, '-o', 'beginning', '-q', '-f', '%s\n', '-c', String(n), '-X', 'auto.commit.interval.ms=100'], { timeout: 20_000 });

describe('ACLs with SASL and mTLS principals (kcat, kafkajs)', () => {
  it('User:alice (PLAIN over TLS) produces to and consumes from the topic her ACLs name, in her group', { timeout: 60_000 }, async () => {
    const p = await produce(saslSsl, user('alice'), 'orders', 50);
    expect(p.exitCode, p.stderr).toBe(0);
    const c = await consume(saslSsl, user('alice'), 'alice-group', 'orders', 50);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(new Set(c.stdout.split('\n').filter(Boolean)).size).toBe(50);
  });

  it('User:alice is refused another topic (TOPIC_AUTHORIZATION_FAILED) and another group (GROUP_AUTHORIZATION_FAILED)', { timeout: 60_000 }, async () => {
    const p = await produce(saslSsl, user('alice'), 'secret', 1);
    expect(p.exitCode).not.toBe(0);
    expect(p.stderr).toMatch(/Topic authorization failed/i);
    const c = await consume(saslSsl, user('alice'), 'someone-elses-group', 'orders', 1);
    expect(c.stderr).toMatch(/Group authorization failed/i);
  });

  it('User:bob, authenticated but named in no ACL, cannot produce (kcat and kafkajs report the authorization error)', { timeout: 60_000 }, async () => {
    const p = await produce(saslSsl, user('bob'), 'orders', 1);
    expect(p.exitCode).not.toBe(0);
    expect(p.stderr).toMatch(/authorization failed/i);
    const k = await kafkajs(['produce', saslSsl, 'orders', '1'], { env: securityEnv(user('bob')), timeout: 60_000 });
    expect(k.exitCode).not.toBe(0);
    expect(k.stderr).toMatch(/authoriz/i);
  });

  it('the mTLS principal is the certificate subject in RFC 2253 form: its consumer ACL lets it read, not write', { timeout: 60_000 }, async () => {
    expect((await produce(saslSsl, user('alice'), 'orders', 50)).exitCode).toBe(0);
    const c = await consume(ssl, mtls(), 'tls-group', 'orders', 50);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(new Set(c.stdout.split('\n').filter(Boolean)).size).toBe(50);
    const p = await produce(ssl, mtls(), 'orders', 1);
    expect(p.exitCode).not.toBe(0);
    expect(p.stderr).toMatch(/Topic authorization failed/i);
  });
});
