/**
 * AlterConfigs (33), v0-2: replaces the dynamic configs of a topic or broker with the listed
 * ones. Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST,
 * TOPIC_AUTHORIZATION_FAILED / CLUSTER_AUTHORIZATION_FAILED (no ALTER_CONFIGS on the topic / cluster).
 */
import { AlterConfigs } from '../../protocol/apis/index.js';
import { changeConfigs, OP_SET, preprocessConfigChanges } from '../config-changes.js';
import { defineHandler } from '../handler.js';
import { AclOp, configDenial } from '../security/authorizer.js';
import { errorInfo } from '../../protocol/errors.js';

export default defineHandler({
  api: AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const resources = req.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, changes: r.configs.map((c) => ({ name: c.name, op: OP_SET, value: c.value })) }));
    // Kafka checks the request's shape (ConfigAdminManager.preprocess) before it authorizes.
    const malformed = preprocessConfigChanges(resources, true);
    return {
      throttleTimeMs: 0,
      responses: resources.map((r, i) => {
        const bad = malformed[i];
        if (bad) return { errorCode: bad.code, errorMessage: bad.message, resourceType: r.resourceType, resourceName: r.resourceName };
        const denied = configDenial(ctx, AclOp.ALTER_CONFIGS, r.resourceType, r.resourceName);
        if (denied) return { errorCode: denied, errorMessage: errorInfo(denied).message, resourceType: r.resourceType, resourceName: r.resourceName };
        const e = changeConfigs(ctx.cluster, ctx.controller, r.resourceType, r.resourceName, r.changes, true, req.validateOnly);
        return { errorCode: e.code, errorMessage: e.message, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    };
  },
});
