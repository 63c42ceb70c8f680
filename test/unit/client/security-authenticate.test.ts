/**
 * The SASL exchange of the client (saslAuthenticate) against a scripted broker: the server side
 * of PLAIN, SCRAM (with util/scram.ts, as a broker stores credentials) and OAUTHBEARER
 * (RFC 7628 error challenge), and the errors a user sees.
 */
import { describe, expect, it } from 'vitest';
import { saslAuthenticate } from '../../../src/client/security/authenticate.js';
import { saslSettings } from '../../../src/client/security/sasl-config.js';
import { SaslAuthenticate, SaslHandshake } from '../../../src/protocol/apis/index.js';
import type { RawSend } from '../../../src/transport/client-connection.js';
import { ConnectionError } from '../../../src/transport/client-connection.js';
import { credentialFor, hmac, hash, parseAttributes, sameKey, xor, type ScramMechanism } from '../../../src/util/scram.js';
import { isKafkaTsError } from '../../../src/util/errors.js';

const VERSIONS = new Map([
  [17, { min: 0, max: 1 }],
  [36, { min: 0, max: 2 }],
]);

type Reply = { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs?: number };

/** A scripted broker: `enabled` mechanisms; `onAuth` answers each SaslAuthenticate. */
function broker(enabled: string[], onAuth: (bytes: Buffer, step: number) => Reply) {
  const seen: { api: string; version: number; body: unknown }[] = [];
  let step = 0;
  const send = (async (api: { name: string; key: number }, version: number, body: { mechanism?: string; authBytes?: Buffer }) => {
    seen.push({ api: api.name, version, body });
    if (api.key === SaslHandshake.key) return { errorCode: enabled.includes(body.mechanism!) ? 0 : 33, mechanisms: enabled };
    if (api.key === SaslAuthenticate.key) return onAuth(body.authBytes!, step++);
    throw new Error(`unexpected ${api.name}`);
  }) as unknown as RawSend;
  return { send, seen };
}

const ok = (authBytes = Buffer.alloc(0), sessionLifetimeMs = 0): Reply => ({ errorCode: 0, errorMessage: null, authBytes, sessionLifetimeMs });
const fail = (msg: string): Reply => ({ errorCode: 58, errorMessage: msg, authBytes: Buffer.alloc(0) });

async function authError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isKafkaTsError(e) && e.kind).toBe('auth');
    return (e as Error).message;
  }
  throw new Error('expected an authentication error');
}

/** The server side of SCRAM with a stored credential, as a broker does it. */
function scramServer(m: ScramMechanism, password: string, opts: { badSignature?: boolean; iterations?: number } = {}) {
  const cred = credentialFor(m, password, opts.iterations ?? 4096);
  let clientFirstBare = '';
  let serverFirst = '';
  return (bytes: Buffer, step: number): Reply => {
    const text = bytes.toString();
    if (step === 0) {
      clientFirstBare = text.slice(3);
      const r = parseAttributes(clientFirstBare).get('r')!;
      serverFirst = `r=${r}SERVERNONCE,s=${cred.salt.toString('base64')},i=${cred.iterations}`;
      return ok(Buffer.from(serverFirst));
    }
    const attrs = parseAttributes(text);
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = xor(Buffer.from(attrs.get('p')!, 'base64'), hmac(m, cred.storedKey, authMessage));
    if (!sameKey(hash(m, clientKey), cred.storedKey)) return fail(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`);
    const sig = opts.badSignature ? Buffer.alloc(m === 'SCRAM-SHA-256' ? 32 : 64) : hmac(m, cred.serverKey, authMessage);
    return ok(Buffer.from(`v=${sig.toString('base64')}`), 3_600_000);
  };
}

describe('saslAuthenticate', () => {
  it('PLAIN: handshake v1, then one SaslAuthenticate (v2) with \\0user\\0password', async () => {
    const b = broker(['PLAIN'], (bytes) => (bytes.toString() === '\0alice\0pw' ? ok(Buffer.alloc(0), 5000) : fail('bad')));
    const out = await saslAuthenticate(b.send, VERSIONS, saslSettings({ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'pw' }), 'h:1');
    expect(out.sessionLifetimeMs).toBe(5000);
    expect(b.seen.map((s) => `${s.api} v${s.version}`)).toEqual(['SaslHandshake v1', 'SaslAuthenticate v2']);
  });

  for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`${m}: proves the password and verifies the server`, async () => {
      const settings = saslSettings({ 'sasl.mechanism': m, 'sasl.username': 'alice', 'sasl.password': 'right' });
      const good = broker([m], scramServer(m, 'right'));
      expect(await saslAuthenticate(good.send, VERSIONS, settings, 'h:1')).toEqual({ sessionLifetimeMs: 3_600_000 });
      // Wrong password: the broker's message, with who and which mechanism.
      const wrong = broker([m], scramServer(m, 'other'));
      expect(await authError(saslAuthenticate(wrong.send, VERSIONS, settings, 'h:1'))).toBe(
        `authentication failed for user alice (SASL ${m}): Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`,
      );
      // A broker that accepts the proof but cannot sign: not the broker we trust.
      const impostor = broker([m], scramServer(m, 'right', { badSignature: true }));
      expect(await authError(saslAuthenticate(impostor.send, VERSIONS, settings, 'h:1'))).toMatch(new RegExp(`^authentication failed for user alice \\(SASL ${m}\\): the broker's SCRAM server signature is wrong`));
    });
  }

  it('lists the mechanisms the broker enables when ours is not', async () => {
    const b = broker(['PLAIN', 'SCRAM-SHA-256'], () => ok());
    expect(await authError(saslAuthenticate(b.send, VERSIONS, saslSettings({ 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'a', 'sasl.password': 'b' }), '127.0.0.1:9093'))).toBe(
      '127.0.0.1:9093 does not enable SASL mechanism SCRAM-SHA-512; it enables: PLAIN, SCRAM-SHA-256 (set sasl.mechanism)',
    );
  });

  it('OAUTHBEARER: sends the RFC 7628 initial response; a JSON error challenge is answered with ^A and reported', async () => {
    const settings = saslSettings({ 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.token': 'tok.en.x' });
    const good = broker(['OAUTHBEARER'], (bytes) => (bytes.toString() === 'n,,\x01auth=Bearer tok.en.x\x01\x01' ? ok() : fail('bad')));
    await saslAuthenticate(good.send, VERSIONS, settings, 'h:1');
    const sent: string[] = [];
    const refusing = broker(['OAUTHBEARER'], (bytes, step) => {
      sent.push(bytes.toString());
      return step === 0 ? ok(Buffer.from('{"status":"invalid_token"}')) : fail('Authentication failed: Token expired');
    });
    expect(await authError(saslAuthenticate(refusing.send, VERSIONS, settings, 'h:1'))).toBe(
      'authentication failed for the token from sasl.oauthbearer.token (SASL OAUTHBEARER): invalid_token; Authentication failed: Token expired',
    );
    expect(sent[1]).toBe('\x01');
    expect(JSON.stringify(sent)).toContain('tok.en.x');
  });

  it('falls back to SaslAuthenticate v0/v1 and refuses a broker without SaslHandshake v1', async () => {
    const b = broker(['PLAIN'], () => ok());
    await saslAuthenticate(b.send, new Map([[17, { min: 0, max: 1 }], [36, { min: 0, max: 0 }]]), saslSettings({ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'a', 'sasl.password': 'b' }), 'h:1');
    expect(b.seen.map((s) => s.version)).toEqual([1, 0]);
    expect(await authError(saslAuthenticate(b.send, new Map([[17, { min: 0, max: 0 }]]), saslSettings({ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'a', 'sasl.password': 'b' }), 'h:1'))).toContain(
      'does not offer SaslHandshake v1 and SaslAuthenticate',
    );
  });

  it('a connection closed mid-exchange is an authentication failure (not retried), without the password', async () => {
    const b = broker(['PLAIN'], () => {
      throw new ConnectionError('Connection to h:1 was closed by the broker', 'h:1');
    });
    const msg = await authError(saslAuthenticate(b.send, VERSIONS, saslSettings({ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'hunter2' }), 'h:1'));
    expect(msg).toBe('authentication failed for user alice (SASL PLAIN): the broker closed the connection during authentication (Connection to h:1 was closed by the broker)');
    expect(msg).not.toContain('hunter2');
  });

  it('a plaintext listener refusing the handshake (ILLEGAL_SASL_STATE) says to change security.protocol', async () => {
    const send = (async () => ({ errorCode: 34, mechanisms: [] })) as unknown as RawSend;
    expect(await authError(saslAuthenticate(send, VERSIONS, saslSettings({ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'a', 'sasl.password': 'b' }), 'h:1'))).toContain(
      'does not expect SASL (ILLEGAL_SASL_STATE): is it a PLAINTEXT or SSL listener?',
    );
  });
});
