/**
 * The checks every client of the security interop matrix goes through: a group that consumed
 * exactly what was produced and committed every partition's end offset, and refusals (a wrong
 * password, an untrusted CA) reported by the client within a deadline.
 */
import { expect } from 'vitest';
import type { Refusal } from './real-clients.js';
import type { SecureBroker } from './secure-broker.js';

/** What librdkafka, kafka-python and kafkajs print when a SASL login is refused. */
export const AUTH_REFUSED = /Authentication failed|SASL authentication error|SASLAuthenticationError|AuthenticationFailedError|invalid credentials/i;
/**
 * kafka-python 2.0.2 authenticates with SaslHandshake v0 and raw tokens, where a broker (Kafka
 * too) can only refuse by closing the connection: kafka-python logs "Error receiving reply from
 * server" for the token it sent, and fails with NoBrokersAvailable.
 */
export const LEGACY_AUTH_REFUSED = /Authentication failed|AuthenticationFailedError|Error receiving reply from server/i;
/** What they print when the server's certificate does not verify against the trusted CA. */
export const TLS_REFUSED = /certificate verify failed|CERTIFICATE_VERIFY_FAILED|self[- ]signed certificate|unable to (get|verify)|SSL handshake failed|unknown ca/i;
/** What they print when the server's certificate has expired. */
export const EXPIRED_REFUSED = /certificate has expired|CERTIFICATE_VERIFY_FAILED.*expired|certificate verify failed|CERT_HAS_EXPIRED/i;
/** The deadline for a client to report a refusal: generous for a loaded 2-core machine. */
export const REFUSAL_DEADLINE_MS = 30_000;

/**
 * The group consumed each expected value (duplicates allowed: at-least-once) and nothing else, and
 * its committed offset on every partition is that partition's log end offset.
 */
export async function expectGroupConsumedAll(sb: SecureBroker, group: string, topic: string, partitions: number, expected: string[], seen: string[]): Promise<void> {
  const got = new Set(seen);
  const missing = expected.filter((v) => !got.has(v));
  expect(missing.slice(0, 5), `${missing.length} of ${expected.length} records never consumed`).toEqual([]);
  const want = new Set(expected);
  expect(seen.filter((v) => !want.has(v)).slice(0, 5), 'records nobody produced').toEqual([]);
  const end = await sb.endOffsets(topic, partitions);
  expect([...end.values()].reduce((a, b) => a + b, 0), 'records in the log').toBe(expected.length);
  // A member commits only the partitions it consumed from: an empty partition may have no commit.
  const committed = await sb.committed(group, topic);
  const wantCommitted = new Map([...end].filter(([p, o]) => o > 0 || committed.has(p)));
  expect(Object.fromEntries(committed), `committed offsets of ${group}`).toEqual(Object.fromEntries(wantCommitted));
}

/** The client reported the refusal (matching `pattern`) before the deadline. */
export function expectRefused(r: Refusal, what: string): void {
  const out = `exit ${r.exitCode} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-1500)}\n--- stderr\n${r.stderr.slice(-3000)}`;
  expect(r.matched, `${what}: no refusal reported within ${REFUSAL_DEADLINE_MS} ms; ${out}`).toBe(true);
  expect(r.ms, `${what}: ${out}`).toBeLessThan(REFUSAL_DEADLINE_MS);
}
