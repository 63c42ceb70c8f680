/**
 * kafkajs 2.2.4 against a broker's SASL_SSL and SSL (mTLS) listeners: SCRAM-SHA-256, PLAIN and
 * OAUTHBEARER (unsecured JWT) over TLS, and a client certificate, each produce, consume in a group and commit (records and committed offsets checked over PLAINTEXT);
 * a wrong password, an expired token, an untrusted CA and an expired certificate are refused
 * within a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { KAFKAJS_CLIENT, kafkajs, runUntilRefused, securityEnv } from '../helpers/real-clients.js';
import { Worker } from '../helpers/group-workers.js';
import { startSecureBroker, type SecureBroker } from '../helpers/secure-broker.js';
import { AUTH_REFUSED, EXPIRED_REFUSED, expectGroupConsumedAll, expectRefused, REFUSAL_DEADLINE_MS, TLS_REFUSED } from '../helpers/secure-flows.js';

let sb: SecureBroker;
let cleanup: () => void;
const workers: Worker[] = [];

beforeAll(async () => {
  const t = tempDir('kafka-ts-sec-kafkajs-');
  cleanup = t.cleanup;
  sb = await startSecureBroker(t.dir);
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sb?.close();
  cleanup?.();
});

type Kind = 'scram256-ssl' | 'plain-ssl' | 'expired' | 'oauth-ssl' | 'mtls';
const COUNT = 1000;
const PARTITIONS = 3;

async function produceAndConsume(kind: Kind) {
  const { address, sec } = sb.security(kind);
  const topic = `kafkajs-${kind}`;
  const group = `${topic}-group`;
  await sb.createTopic(topic, PARTITIONS);
  const p = await kafkajs(['produce', address, topic, String(COUNT)], { env: securityEnv(sec), timeout: 60_000 });
  expect(p.exitCode, `kafkajs produce: ${p.stderr}`).toBe(0);
  expect(p.stdout.trim()).toBe(`acked ${COUNT}`);
  const w = Worker.kafkajs(`kafkajs-${kind}`, address, group, topic, '--security', JSON.stringify(sec));
  workers.push(w);
  await w.until(() => new Set(w.messages().map((m) => m.v)).size >= COUNT, 60_000, `${COUNT} records`);
  await w.stop();
  const expected = Array.from({ length: COUNT }, (_, i) => `kafkajs-value-${i}-\u00e9`);
  await expectGroupConsumedAll(sb, group, topic, PARTITIONS, expected, w.messages().map((m) => m.v!));
}

const refusal = (kind: Kind, overrides: Parameters<SecureBroker['security']>[1], pattern: RegExp) => {
  const { address, sec } = sb.security(kind, overrides);
  return runUntilRefused(process.execPath, [KAFKAJS_CLIENT, 'check', address], pattern, { env: securityEnv(sec), deadlineMs: REFUSAL_DEADLINE_MS });
};

describe('kafkajs over SASL_SSL and mTLS', () => {
  it('SCRAM-SHA-256 over TLS: produces 1000 records, a group member consumes them and commits the end offsets', { timeout: 120_000 }, async () => {
    await produceAndConsume('scram256-ssl');
  });

  it('PLAIN over TLS: produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('plain-ssl');
  });

  it('mTLS on the SSL listener (ssl.client.auth=required): produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('mtls');
  });

  it('OAUTHBEARER with an unsecured JWT (alg none, sub = principal): produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('oauth-ssl');
  });

  it('OAUTHBEARER with an expired token is refused with an authentication error', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('oauth-ssl', { tokenLifetimeSeconds: -60 }, AUTH_REFUSED), 'kafkajs OAUTHBEARER expired token');
  });

  it('a wrong password (SCRAM-SHA-256 and PLAIN) is refused with an authentication error', { timeout: 90_000 }, async () => {
    expectRefused(await refusal('scram256-ssl', { password: 'wrong' }, AUTH_REFUSED), 'kafkajs SCRAM-SHA-256 wrong password');
    expectRefused(await refusal('plain-ssl', { password: 'wrong' }, AUTH_REFUSED), 'kafkajs PLAIN wrong password');
  });

  it('a client trusting another CA refuses the SASL_SSL listener certificate', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('scram256-ssl', { ca: sb.certs.otherCaCert }, TLS_REFUSED), 'kafkajs untrusted CA');
  });

  it('a listener whose certificate expired is refused', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('expired', {}, EXPIRED_REFUSED), 'kafkajs expired server certificate');
  });
});
