/**
 * A SASL listener's per-connection state machine, as Kafka's SaslServerAuthenticator runs it:
 *
 * - Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are served; any
 *   other request closes the connection.
 * - SaslHandshake v1 is followed by SaslAuthenticate requests; SaslHandshake v0 by raw
 *   size-prefixed tokens (the legacy framing kafka-python 2.0.2 uses), answered the same way.
 * - A failed login is answered, as Kafka does, connection.failed.authentication.delay.ms late with
 *   SASL_AUTHENTICATION_FAILED and Kafka's message (legacy framing: no answer), and the connection
 *   closes right after. Nothing more is read from it meanwhile; the one timer is the request's,
 *   so failures cannot pile timers up.
 * - With connections.max.reauth.ms the session lasts that long (or until an OAUTHBEARER token
 *   expires, if sooner); SaslAuthenticate v1+ tells the client, which re-authenticates on the same
 *   connection (KIP-368: SaslHandshake then SaslAuthenticate, same mechanism and principal). A
 *   connection past its session that sends anything else is closed.
 */
import type { SaslAuthenticateResponse, SaslHandshakeResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CloseConnection, type ConnectionSecurity } from '../../transport/server.js';
import type { ListenerSecurity } from './listener-security.js';
import { SaslFailure, type ServerMechanism } from './mechanisms/mechanism.js';
import type { SaslSettings } from './sasl-settings.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

type Phase = 'initial' | 'handshaken' | 'legacy' | 'authenticated' | 'failed';

export class SaslSession {
  phase: Phase = 'initial';
  exchange: ServerMechanism | null = null;
  /** The mechanism and principal of the current session (kept through re-authentication). */
  mechanism: string | null = null;
  principal: string | null = null;
  /** When the session ends (ms since epoch); 0: never. */
  expiresAt = 0;
  /** A re-authentication is under way (the connection stays usable meanwhile). */
  reauthenticating = false;

  constructor(readonly settings: SaslSettings) {}
}

export interface SaslConnection {
  security?: ConnectionSecurity;
  clientHost: string;
}

/** The SASL session of a connection on a SASL listener, or null on any other listener. */
export function saslSessionOf(conn: SaslConnection): SaslSession | null {
  const sec = conn.security;
  const listener = sec?.listenerData as ListenerSecurity | undefined;
  if (!sec || !listener?.sasl) return null;
  if (!(sec.sasl instanceof SaslSession)) sec.sasl = new SaslSession(listener.sasl);
  return sec.sasl as SaslSession;
}

const failedMessage = (mechanism: string) => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;

/**
 * Logs one line (never a secret), stops reading from the connection and resolves with `answer`
 * after connection.failed.authentication.delay.ms; the connection closes once it is written.
 */
async function fail<T>(s: SaslSession, conn: SaslConnection, mechanism: string, reason: string, user: string | undefined, answer: T): Promise<T> {
  s.phase = 'failed';
  s.exchange = null;
  const who = user !== undefined ? `user ${JSON.stringify(user.length > 100 ? `${user.slice(0, 100)}…` : user)}` : 'unknown user';
  s.settings.log.info(`Failed authentication with ${conn.clientHost} (listener ${s.settings.listener}, SASL ${mechanism}, ${who}): ${reason}`);
  conn.security!.closeAfterResponse();
  if (s.settings.failedDelayMs > 0) await new Promise((r) => setTimeout(r, s.settings.failedDelayMs));
  return answer;
}

/**
 * Runs before the router decodes a request on a SASL listener. A raw legacy token is handled here
 * (`{ response }`, null after a failure: nothing is sent); null lets the request through; throws
 * CloseConnection for what must not be served.
 */
export function saslGate(frame: Buffer, conn: SaslConnection): { response: Promise<Buffer[] | null> | Buffer[] | null } | null {
  const s = saslSessionOf(conn);
  if (!s) return null;
  if (s.phase === 'legacy') return { response: legacyToken(s, frame, conn) };
  if (s.phase === 'failed') throw new CloseConnection('request after a failed authentication');
  if (frame.length < 2) return null; // the router closes it as unreadable
  const apiKey = frame.readInt16BE(0);
  if (apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE) return null;
  if (s.phase !== 'authenticated') {
    if (apiKey === API_VERSIONS && s.phase === 'initial') return null;
    throw new CloseConnection(`API key ${apiKey} request from an unauthenticated client on SASL listener ${s.settings.listener}`);
  }
  if (s.expiresAt > 0 && Date.now() >= s.expiresAt) {
    s.settings.log.info(`Closing connection from ${conn.clientHost} (listener ${s.settings.listener}, ${s.principal}): its SASL session expired without re-authentication (connections.max.reauth.ms)`);
    // Logged once, here, with the principal (Kafka closes it with one line too, at DEBUG:
    // "Disconnecting expired channel"; INFO here so that the default log shows why clients are cut).
    throw new CloseConnection('SASL session expired', true);
  }
  return null;
}

/** Anything a mechanism throws on a garbage token is a failed login, never a server error. */
const asFailure = (e: unknown): SaslFailure => (e instanceof SaslFailure ? e : new SaslFailure('malformed token'));

function sizePrefixed(b: Buffer): Buffer[] {
  const size = Buffer.alloc(4);
  size.writeInt32BE(b.length);
  return [size, b];
}

function legacyToken(s: SaslSession, token: Buffer, conn: SaslConnection): Buffer[] | Promise<null> {
  const mechanism = s.exchange!.name;
  try {
    const step = s.exchange!.evaluate(token);
    if (step.done) complete(s, conn, step.user!, step.credentialLifetimeMs);
    return sizePrefixed(step.challenge);
  } catch (e) {
    const f = asFailure(e);
    return fail(s, conn, mechanism, f.reason, f.user, null);
  }
}

function complete(s: SaslSession, conn: SaslConnection, user: string, credentialLifetimeMs?: number): number {
  const principal = `User:${user}`;
  const re = s.reauthenticating;
  if (re && principal !== s.principal) {
    throw new SaslFailure(`re-authentication may not change the principal (was ${s.principal})`, user);
  }
  s.phase = 'authenticated';
  s.reauthenticating = false;
  s.exchange = null;
  s.principal = principal;
  conn.security!.setPrincipal(principal);
  s.settings.log.debug(`Successfully ${re ? 're-' : ''}authenticated ${conn.clientHost} on listener ${s.settings.listener} with SASL ${s.mechanism} as ${principal}`);
  const { reauthMs } = s.settings;
  const lifetime = reauthMs > 0 ? Math.min(reauthMs, credentialLifetimeMs ?? reauthMs) : 0;
  s.expiresAt = lifetime > 0 ? Date.now() + lifetime : 0;
  return lifetime;
}

/** SaslHandshake (17): picks the mechanism. On a listener without SASL: ILLEGAL_SASL_STATE. */
export function saslHandshake(mechanism: string, version: number, conn: SaslConnection): SaslHandshakeResponse | Promise<SaslHandshakeResponse> {
  const s = saslSessionOf(conn);
  if (!s) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  const enabled = [...s.settings.mechanisms];
  const reauth = s.phase === 'authenticated';
  if (s.phase !== 'initial' && !reauth) {
    return fail(s, conn, mechanism, 'unexpected SaslHandshake', undefined, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: enabled });
  }
  if (!enabled.includes(mechanism)) {
    const reason = `unsupported SASL mechanism (enabled: ${enabled.join(', ')})`;
    return fail(s, conn, mechanism.replace(/[^\x20-\x7e]/g, "?").slice(0, 40), reason, undefined, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled });
  }
  if (reauth && (version < 1 || mechanism !== s.mechanism)) {
    const reason = `re-authentication must use SaslHandshake v1+ and the same mechanism (${s.mechanism})`;
    return fail(s, conn, mechanism, reason, undefined, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: enabled });
  }
  s.exchange = s.settings.start(mechanism);
  s.mechanism = mechanism;
  s.reauthenticating = reauth;
  if (!reauth) s.phase = version === 0 ? 'legacy' : 'handshaken';
  return { errorCode: ErrorCode.NONE, mechanisms: enabled };
}

/** SaslAuthenticate (36): one token of the exchange started by SaslHandshake v1. */
export function saslAuthenticate(token: Buffer, version: number, conn: SaslConnection): SaslAuthenticateResponse | Promise<SaslAuthenticateResponse> {
  const s = saslSessionOf(conn);
  const illegal = (message: string): SaslAuthenticateResponse => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
  if (!s) return illegal('SaslAuthenticate request received after successful authentication');
  const exchange = s.exchange;
  if (!exchange || (s.phase !== 'handshaken' && !s.reauthenticating)) {
    return fail(s, conn, s.mechanism ?? 'none', 'SaslAuthenticate without a SaslHandshake first', undefined, illegal('Unexpected SaslAuthenticate request: a SaslHandshake must come first'));
  }
  try {
    const step = exchange.evaluate(token);
    const lifetime = step.done ? complete(s, conn, step.user!, step.credentialLifetimeMs) : 0;
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.challenge, sessionLifetimeMs: version >= 1 ? lifetime : 0 };
  } catch (e) {
    const f = asFailure(e);
    const answer = { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: failedMessage(exchange.name), authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    return fail(s, conn, exchange.name, f.reason, f.user, answer);
  }
}
