/**
 * SASL on one connection, right after ApiVersions and before anything else: SaslHandshake v1
 * (the mechanism), then SaslAuthenticate v0-2 frames carrying the mechanism's tokens (never the
 * legacy raw framing of SaslHandshake v0). Also used to re-authenticate a live connection
 * before its session expires (KIP-368).
 */
import { SaslAuthenticate, SaslHandshake } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RawSend } from '../../transport/client-connection.js';
import { AuthenticationError, isKafkaTsError } from '../../util/errors.js';
import { CLIENT_VERSIONS } from '../versions.js';
import { ScramClient, ScramError } from './scram-client.js';
import { oauthInitialResponse } from './oauth.js';
import type { SaslSettings } from './sasl-config.js';

type Versions = Map<number, { min: number; max: number }>;

export interface SaslOutcome {
  /** The broker's session lifetime (ms, 0 = none): re-authenticate before it ends. */
  sessionLifetimeMs: number;
}

/** The highest version of `key` both the broker and the client (CLIENT_VERSIONS) support, or null. */
function pick(versions: Versions, key: number): number | null {
  const v = versions.get(key);
  const [min, max] = CLIENT_VERSIONS[key]!;
  if (!v) return null;
  const top = Math.min(max, v.max);
  return top >= Math.max(min, v.min) ? top : null;
}

/**
 * Authenticates the connection behind `send` (label: host:port for messages). Throws
 * AuthenticationError (kind auth) with one line naming the user and mechanism; never a secret.
 */
export async function saslAuthenticate(send: RawSend, versions: Versions, sasl: SaslSettings, label: string): Promise<SaslOutcome> {
  const handshakeVersion = pick(versions, SaslHandshake.key);
  const authVersion = pick(versions, SaslAuthenticate.key);
  if (handshakeVersion === null || authVersion === null) {
    throw new AuthenticationError(`${label} does not offer SaslHandshake v1 and SaslAuthenticate (needs Kafka 1.0 or later); is it a SASL listener?`);
  }
  const failed = (detail: string | null) => new AuthenticationError(`authentication failed for ${sasl.who} (SASL ${sasl.mechanism})${detail ? `: ${detail}` : ''}`);
  try {
    const hs = await send(SaslHandshake, handshakeVersion, { mechanism: sasl.mechanism });
    if (hs.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
      throw new AuthenticationError(
        `${label} does not enable SASL mechanism ${sasl.mechanism}; it enables: ${hs.mechanisms.length ? hs.mechanisms.join(', ') : 'none'} (set sasl.mechanism)`,
      );
    }
    if (hs.errorCode === ErrorCode.ILLEGAL_SASL_STATE) {
      throw new AuthenticationError(`${label} does not expect SASL (ILLEGAL_SASL_STATE): is it a PLAINTEXT or SSL listener? set security.protocol=PLAINTEXT or SSL`);
    }
    if (hs.errorCode) throw new AuthenticationError(`SaslHandshake with ${label} failed with error code ${hs.errorCode}`);

    let lifetime = 0;
    const step = async (bytes: Buffer): Promise<Buffer> => {
      const res = await send(SaslAuthenticate, authVersion, { authBytes: bytes });
      if (res.errorCode) throw failed(res.errorMessage);
      lifetime = res.sessionLifetimeMs ?? 0;
      return res.authBytes;
    };

    switch (sasl.mechanism) {
      case 'PLAIN':
        await step(Buffer.from(`\0${sasl.username}\0${sasl.password!()}`, 'utf8'));
        break;
      case 'SCRAM-SHA-256':
      case 'SCRAM-SHA-512': {
        const scram = new ScramClient(sasl.mechanism, sasl.username!, sasl.password!());
        const serverFirst = await step(scram.first());
        const serverFinal = await step(scram.final(serverFirst));
        scram.verify(serverFinal);
        break;
      }
      case 'OAUTHBEARER': {
        const token = await sasl.tokens!.token();
        const challenge = await step(oauthInitialResponse(token, sasl.extensions));
        if (challenge.length > 0) {
          // RFC 7628 3.2.2: the server's error is a JSON challenge; the client answers ^A and
          // the server then fails the exchange.
          let status = '';
          try {
            const j = JSON.parse(challenge.toString('utf8')) as { status?: string; scope?: string };
            status = `${j.status ?? 'invalid_token'}${j.scope ? ` (scope ${j.scope} required)` : ''}`;
          } catch {
            status = 'the broker rejected the token';
          }
          try {
            await step(Buffer.from('\x01'));
          } catch (e) {
            if (e instanceof AuthenticationError) throw failed(`${status}; ${e.message.replace(/^authentication failed for .*?\(SASL OAUTHBEARER\)(: )?/, '')}`.replace(/; $/, ''));
            throw e;
          }
          throw failed(status);
        }
        break;
      }
    }
    return { sessionLifetimeMs: lifetime };
  } catch (e) {
    if (e instanceof ScramError) throw failed(e.message);
    if (isKafkaTsError(e) && (e.kind === 'auth' || e.kind === 'usage')) throw e;
    // The broker closed the connection mid-exchange (Kafka does after a failed or garbled login).
    throw failed(`the broker closed the connection during authentication (${(e as Error).message})`);
  }
}
