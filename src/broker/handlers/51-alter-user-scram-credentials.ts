/**
 * AlterUserScramCredentials (51), v0: upserts (salt and salted password computed by the client)
 * and deletes SCRAM credentials, stored in the cluster metadata as Kafka stores them (stored key
 * and server key, never the password). Errors per user: NOT_CONTROLLER, UNSUPPORTED_SASL_MECHANISM,
 * UNACCEPTABLE_CREDENTIAL (iterations outside 4096-16384, empty name, salt or password),
 * DUPLICATE_RESOURCE (the same user twice, whatever the mechanisms), RESOURCE_NOT_FOUND (deleting what is not
 * there). Needs cluster Alter (CLUSTER_AUTHORIZATION_FAILED); see src/broker/security/scram-admin.ts.
 */
import { AlterUserScramCredentials } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { alterScramCredentials } from '../security/scram-admin.js';

export default defineHandler({
  api: AlterUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    return alterScramCredentials(req, ctx);
  },
});
