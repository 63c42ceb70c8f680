/**
 * AlterClientQuotas (49), v0-1: sets and removes client quotas of user, client-id, user +
 * client-id and ip entities (null name: the default entity), stored in the cluster metadata as
 * Kafka's QuotaRecords are; validate_only checks without changing anything. Errors per entity:
 * INVALID_REQUEST (bad entity or combination, unknown key, duplicate key or entity, non-integral
 * or negative value), NOT_CONTROLLER, CLUSTER_AUTHORIZATION_FAILED without AlterConfigs on the
 * cluster; see ../quotas/admin.ts. Enforcement: ../quotas/client-quotas.ts.
 */
import { AlterClientQuotas } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { alterClientQuotas } from '../quotas/admin.js';

export default defineHandler({
  api: AlterClientQuotas,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    return alterClientQuotas(req, ctx);
  },
});
