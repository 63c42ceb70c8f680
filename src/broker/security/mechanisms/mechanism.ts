/** The server side of one SASL exchange: tokens in, challenges out, then a user name or a failure. */

/**
 * The exchange failed. `reason` is for the broker's log only (never a password or token); the
 * client is told Kafka's generic message. `user` is the name the client claimed, when known.
 */
export class SaslFailure extends Error {
  override name = 'SaslFailure';
  constructor(
    readonly reason: string,
    readonly user?: string,
  ) {
    super(reason);
  }
}

export interface SaslStep {
  /** What to send back (possibly empty). */
  challenge: Buffer;
  /** Authentication completed: `user` is authenticated. */
  done: boolean;
  user?: string;
  /** For OAUTHBEARER: how long the token stays valid, in ms (bounds the session). */
  credentialLifetimeMs?: number;
}

export interface ServerMechanism {
  readonly name: string;
  /** The next step; throws SaslFailure (also for garbage or truncated tokens). */
  evaluate(token: Buffer): SaslStep;
}
