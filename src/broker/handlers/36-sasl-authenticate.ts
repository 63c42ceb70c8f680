/**
 * SaslAuthenticate (36), v0-2: one token of the SASL exchange; v1+ carries the session lifetime
 * (connections.max.reauth.ms, KIP-368). Failures answer SASL_AUTHENTICATION_FAILED with Kafka's
 * message and close the connection after connection.failed.authentication.delay.ms. On a listener
 * without SASL: ILLEGAL_SASL_STATE. See src/broker/security/sasl-session.ts.
 */
import { SaslAuthenticate } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { saslAuthenticate } from '../security/sasl-session.js';

export default defineHandler({
  api: SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    return saslAuthenticate(req.authBytes, ctx.apiVersion, ctx);
  },
});
