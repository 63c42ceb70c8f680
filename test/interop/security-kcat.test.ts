/**
 * kcat (librdkafka 2.0.2) against a broker with SASL_SSL, SSL (mTLS, ssl.client.auth=required)
 * and SASL_PLAINTEXT listeners: SCRAM-SHA-512 over TLS, mTLS and OAUTHBEARER (librdkafka's
 * unsecured JWT) produce and consume in a group (records and committed offsets checked over
 * PLAINTEXT); a wrong password, an unknown user, an untrusted CA, an expired server certificate, a
 * missing client certificate and one from another CA are refused, reported within a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { tempDir } from '../helpers/tmp.js';
import { kcat, kcatSecurity, requireKcat, runUntilRefused, type ClientSecurity } from '../helpers/real-clients.js';
import { startSecureBroker, type SecureBroker } from '../helpers/secure-broker.js';
import { AUTH_REFUSED, EXPIRED_REFUSED, expectGroupConsumedAll, expectRefused, REFUSAL_DEADLINE_MS, TLS_REFUSED } from '../helpers/secure-flows.js';

let sb: SecureBroker;
let cleanup: () => void;

beforeAll(async () => {
  requireKcat();
  const t = tempDir('kafka-ts-sec-kcat-');
  cleanup = t.cleanup;
  sb = await startSecureBroker(t.dir);
}, 60_000);

afterAll(async () => {
  await sb?.close();
  cleanup?.();
});

/** Reads a kcat -G member's records until `count` distinct ones arrived, then stops it (it commits on close). */
function kcatGroup(address: string, sec: ClientSecurity, group: string, topic: string, count: number): Promise<string[]> {
  const args = ['-b', address, ...kcatSecurity(sec), '-G', group, topic, '-o', 'beginning', '-q', '-u', '-f', '%s\n', '-X', 'auto.commit.interval.ms=100'];
  const child = spawn('/usr/bin/kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buf = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat -G read ${new Set(lines).size} of ${count} records in 60 s; stderr:\n${stderr.slice(-2000)}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts.filter(Boolean));
      if (new Set(lines).size >= count) child.kill('SIGTERM');
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (new Set(lines).size >= count && (code === 0 || signal === 'SIGTERM')) resolve(lines);
      else reject(new Error(`kcat -G exited ${code ?? signal} after ${lines.length} records; stderr:\n${stderr.slice(-2000)}`));
    });
  });
}

async function produceAndConsume(kind: 'scram512-ssl' | 'mtls' | 'oauth-ssl', topic: string) {
  const { address, sec } = sb.security(kind);
  await sb.createTopic(topic, 3);
  const values = Array.from({ length: 600 }, (_, i) => `${topic}-${i}`);
  // Keyed (-K:), so the records spread over the partitions (librdkafka sticks unkeyed ones to one).
  const input = values.map((v, i) => `k${i}:${v}\n`).join('');
  const p = await kcat(['-b', address, ...kcatSecurity(sec), '-P', '-t', topic, '-K', ':', '-X', 'acks=all'], { input, timeout: 60_000 });
  expect(p.exitCode, `kcat -P: ${p.stderr}`).toBe(0);
  const seen = await kcatGroup(address, sec, `${topic}-group`, topic, values.length);
  await expectGroupConsumedAll(sb, `${topic}-group`, topic, 3, values, seen);
  expect([...(await sb.endOffsets(topic, 3)).values()].filter((o) => o > 0).length, 'partitions with records').toBeGreaterThan(1);
}

describe('kcat (librdkafka) over secured listeners', () => {
  it('SCRAM-SHA-512 over SASL_SSL: kcat -P produces 600 records, a kcat -G member consumes them and commits the end offsets', { timeout: 120_000 }, async () => {
    await produceAndConsume('scram512-ssl', 'kcat-scram512');
  });

  it('mTLS on the SSL listener (ssl.client.auth=required): kcat -P and a kcat -G member with the client certificate', { timeout: 120_000 }, async () => {
    await produceAndConsume('mtls', 'kcat-mtls');
  });

  it("OAUTHBEARER over SASL_SSL with librdkafka's unsecured JWT: kcat -P, and a kcat -G member consumes and commits", { timeout: 120_000 }, async () => {
    await produceAndConsume('oauth-ssl', 'kcat-oauth');
  });

  const refusal = (sec: ClientSecurity, address: string, pattern: RegExp) =>
    runUntilRefused('/usr/bin/kcat', ['-b', address, ...kcatSecurity(sec), '-L', '-m', String(REFUSAL_DEADLINE_MS / 1000)], pattern, { deadlineMs: REFUSAL_DEADLINE_MS });

  it('a wrong SCRAM-SHA-512 password is refused with an authentication error', { timeout: 60_000 }, async () => {
    const { address, sec } = sb.security('scram512-ssl', { password: 'not-the-password' });
    const r = await refusal(sec, address, AUTH_REFUSED);
    expectRefused(r, 'kcat SCRAM-SHA-512 wrong password');
    expect(r.stdout).not.toMatch(/brokers:/);
  });

  it('a SCRAM user that does not exist is refused like a wrong password', { timeout: 60_000 }, async () => {
    const { address, sec } = sb.security('scram512-ssl', { username: 'nobody' });
    expectRefused(await refusal(sec, address, AUTH_REFUSED), 'kcat SCRAM-SHA-512 unknown user');
  });

  it('a client trusting another CA refuses the SASL_SSL listener certificate', { timeout: 60_000 }, async () => {
    const { address, sec } = sb.security('scram512-ssl', { ca: sb.certs.otherCaCert });
    expectRefused(await refusal(sec, address, TLS_REFUSED), 'kcat untrusted CA on SASL_SSL');
  });

  it('a listener whose certificate expired is refused', { timeout: 60_000 }, async () => {
    const { address, sec } = sb.security('expired');
    expectRefused(await refusal(sec, address, EXPIRED_REFUSED), 'kcat expired server certificate');
  });

  it('mTLS: no client certificate, or one signed by another CA, is refused by the SSL listener', { timeout: 60_000 }, async () => {
    // Without a certificate OpenSSL's server sends the "certificate required" alert; a certificate
    // from another CA is rejected after the handshake by closing the connection (node's TLS server
    // sends no alert, Kafka's JVM would send bad_certificate), which librdkafka reports as an
    // unexpected EOF on its first request: refused either way, at once.
    const mtlsRefused = /certificate required|handshake failure|unknown ca|bad certificate|SSL handshake failed|unexpected eof while reading/i;
    const none = sb.security('mtls', { cert: undefined, key: undefined });
    const other = sb.security('mtls', { cert: sb.certs.otherClientCert, key: sb.certs.otherClientKey });
    for (const [what, { address, sec }] of [['no client certificate', none], ['client certificate from another CA', other]] as const) {
      const r = await refusal(sec, address, mtlsRefused);
      expectRefused(r, `kcat mTLS ${what}`);
      expect(r.stdout, what).not.toMatch(/brokers:/);
    }
  });
});
