/**
 * DescribeClientQuotas (48), v0-1: the client quotas of the entities a filter matches (exact
 * name, default entity, or any named entity per entity type; strict: no other entity types).
 * Errors (top level): INVALID_REQUEST / UNSUPPORTED_VERSION for a bad filter,
 * CLUSTER_AUTHORIZATION_FAILED without DescribeConfigs on the cluster; see ../quotas/admin.ts.
 */
import { DescribeClientQuotas } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { describeClientQuotas } from '../quotas/admin.js';

export default defineHandler({
  api: DescribeClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    return describeClientQuotas(req, ctx);
  },
});
