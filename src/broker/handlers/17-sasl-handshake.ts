/**
 * SaslHandshake (17), v0-1: the client names its SASL mechanism. v1 is followed by SaslAuthenticate
 * requests, v0 by raw size-prefixed tokens (legacy framing). UNSUPPORTED_SASL_MECHANISM lists the
 * enabled mechanisms; on a listener without SASL the answer is ILLEGAL_SASL_STATE. The state
 * machine is src/broker/security/sasl-session.ts.
 */
import { SaslHandshake } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { saslHandshake } from '../security/sasl-session.js';

export default defineHandler({
  api: SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    return saslHandshake(req.mechanism, ctx.apiVersion, ctx);
  },
});
