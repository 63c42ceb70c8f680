/**
 * DescribeUserScramCredentials (50), v0: each user's SCRAM mechanisms and iterations (never salts
 * or keys). No users (null or empty): every user with credentials. Errors per user:
 * RESOURCE_NOT_FOUND (no credentials), DUPLICATE_RESOURCE (named twice). Needs cluster Describe
 * (CLUSTER_AUTHORIZATION_FAILED); see src/broker/security/scram-admin.ts.
 */
import { DescribeUserScramCredentials } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { describeScramCredentials } from '../security/scram-admin.js';

export default defineHandler({
  api: DescribeUserScramCredentials,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    return describeScramCredentials(req, ctx);
  },
});
