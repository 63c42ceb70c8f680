/**
 * confluent-kafka-python (librdkafka 2.0.2) and kafka-python 2.0.2 against a broker with SASL_SSL
 * and SASL_PLAINTEXT listeners: confluent-kafka with SCRAM-SHA-256 over TLS and PLAIN over
 * SASL_PLAINTEXT, kafka-python with PLAIN, SCRAM-SHA-256, OAUTHBEARER over TLS and mTLS (it speaks
 * SaslHandshake v0 and raw SASL tokens). Each produces, consumes in a group and commits (records
 * and committed offsets checked over PLAINTEXT); a wrong password and an untrusted CA are refused
 * within a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { PY_CLIENT, PYTHON, python, requirePython, runUntilRefused, securityEnv } from '../helpers/real-clients.js';
import { Worker } from '../helpers/group-workers.js';
import { startSecureBroker, type SecureBroker } from '../helpers/secure-broker.js';
import { AUTH_REFUSED, EXPIRED_REFUSED, LEGACY_AUTH_REFUSED, expectGroupConsumedAll, expectRefused, REFUSAL_DEADLINE_MS, TLS_REFUSED } from '../helpers/secure-flows.js';

let sb: SecureBroker;
let cleanup: () => void;
const workers: Worker[] = [];

beforeAll(async () => {
  await requirePython('kafka');
  await requirePython('confluent_kafka');
  const t = tempDir('kafka-ts-sec-python-');
  cleanup = t.cleanup;
  sb = await startSecureBroker(t.dir);
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sb?.close();
  cleanup?.();
});

type Lib = 'confluent-kafka' | 'kafka-python';
type Kind = 'scram256-ssl' | 'plain-plaintext' | 'plain-ssl' | 'expired' | 'oauth-ssl' | 'mtls';
const COUNT = 300;
const PARTITIONS = 3;

async function produceAndConsume(lib: Lib, kind: Kind) {
  const { address, sec } = sb.security(kind);
  const topic = `${lib}-${kind}`;
  const group = `${topic}-group`;
  await sb.createTopic(topic, PARTITIONS);
  const p = await python(['produce', lib, address, topic, String(COUNT), 'none', topic], { env: securityEnv(sec), timeout: 60_000 });
  expect(p.exitCode, `${lib} produce: ${p.stderr}`).toBe(0);
  expect(p.stdout.trim()).toBe(`acked ${COUNT}`);
  const w = Worker.python(`${lib}-${kind}`, lib, address, group, topic, '--security', JSON.stringify(sec));
  workers.push(w);
  await w.until(() => new Set(w.messages().map((m) => m.v)).size >= COUNT, 60_000, `${COUNT} records`);
  await w.stop();
  const expected = Array.from({ length: COUNT }, (_, i) => `${topic}-value-${i}-\u00e9\u0000\u00ff`);
  await expectGroupConsumedAll(sb, group, topic, PARTITIONS, expected, w.messages().map((m) => m.v!));
}

const refusal = (lib: Lib, kind: Kind, overrides: Parameters<SecureBroker['security']>[1], pattern: RegExp) => {
  const { address, sec } = sb.security(kind, overrides);
  return runUntilRefused(PYTHON, [PY_CLIENT, 'check', lib, address], pattern, { env: securityEnv(sec), deadlineMs: REFUSAL_DEADLINE_MS });
};

describe('confluent-kafka-python over secured listeners', () => {
  it('SCRAM-SHA-256 over SASL_SSL: produces 300 records, a group member consumes them and commits the end offsets', { timeout: 120_000 }, async () => {
    await produceAndConsume('confluent-kafka', 'scram256-ssl');
  });

  it('PLAIN over SASL_PLAINTEXT: produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('confluent-kafka', 'plain-plaintext');
  });

  it('a wrong password (SCRAM-SHA-256 and PLAIN) is refused with an authentication error', { timeout: 90_000 }, async () => {
    expectRefused(await refusal('confluent-kafka', 'scram256-ssl', { password: 'wrong' }, AUTH_REFUSED), 'confluent-kafka SCRAM-SHA-256 wrong password');
    expectRefused(await refusal('confluent-kafka', 'plain-plaintext', { password: 'wrong' }, AUTH_REFUSED), 'confluent-kafka PLAIN wrong password');
  });

  it('a client trusting another CA refuses the SASL_SSL listener certificate', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('confluent-kafka', 'scram256-ssl', { ca: sb.certs.otherCaCert }, TLS_REFUSED), 'confluent-kafka untrusted CA');
  });

  it('a listener whose certificate expired is refused', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('confluent-kafka', 'expired', {}, EXPIRED_REFUSED), 'confluent-kafka expired server certificate');
  });
});

describe('kafka-python over SASL_SSL and mTLS', () => {
  it('PLAIN over TLS: produces 300 records, a group member consumes them and commits the end offsets', { timeout: 120_000 }, async () => {
    await produceAndConsume('kafka-python', 'plain-ssl');
  });

  it('SCRAM-SHA-256 over TLS: produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('kafka-python', 'scram256-ssl');
  });

  it('mTLS on the SSL listener (ssl.client.auth=required): produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('kafka-python', 'mtls');
  });

  it('OAUTHBEARER with an unsecured JWT over TLS: produces, consumes in a group and commits', { timeout: 120_000 }, async () => {
    await produceAndConsume('kafka-python', 'oauth-ssl');
  });

  it('OAUTHBEARER with an expired token is refused', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('kafka-python', 'oauth-ssl', { tokenLifetimeSeconds: -60 }, LEGACY_AUTH_REFUSED), 'kafka-python OAUTHBEARER expired token');
  });

  it('a wrong password (PLAIN and SCRAM-SHA-256) is refused with an authentication error', { timeout: 90_000 }, async () => {
    const plain = await refusal('kafka-python', 'plain-ssl', { password: 'wrong' }, LEGACY_AUTH_REFUSED);
    expectRefused(plain, 'kafka-python PLAIN wrong password');
    const scram = await refusal('kafka-python', 'scram256-ssl', { password: 'wrong' }, LEGACY_AUTH_REFUSED);
    expectRefused(scram, 'kafka-python SCRAM-SHA-256 wrong password');
    // Refused, not merely unlucky: it never got as far as listing topics.
    for (const r of [plain, scram]) expect(r.stdout).not.toMatch(/^ok/m);
  });

  it('a client trusting another CA refuses the SASL_SSL listener certificate', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('kafka-python', 'plain-ssl', { ca: sb.certs.otherCaCert }, TLS_REFUSED), 'kafka-python untrusted CA');
  });

  it('a listener whose certificate expired is refused', { timeout: 60_000 }, async () => {
    expectRefused(await refusal('kafka-python', 'expired', {}, EXPIRED_REFUSED), 'kafka-python expired server certificate');
  });
});
