/**
 * IncrementalAlterConfigs (44), v0-1: set, delete, append to or subtract from individual configs
 * of a topic or broker. Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST,
 * TOPIC_AUTHORIZATION_FAILED / CLUSTER_AUTHORIZATION_FAILED (no ALTER_CONFIGS on the topic / cluster).
 */
import { IncrementalAlterConfigs } from '../../protocol/apis/index.js';
import { changeConfigs, preprocessConfigChanges } from '../config-changes.js';
import { defineHandler } from '../handler.js';
import { AclOp, configDenial } from '../security/authorizer.js';
import { errorInfo } from '../../protocol/errors.js';

export default defineHandler({
  api: IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const resources = req.resources.map((r) => ({ resourceType: r.resourceType, resourceName: r.resourceName, changes: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })) }));
    // Kafka checks the request's shape (ConfigAdminManager.preprocess) before it authorizes.
    const malformed = preprocessConfigChanges(resources, false);
    return {
      throttleTimeMs: 0,
      responses: resources.map((r, i) => {
        const bad = malformed[i];
        if (bad) return { errorCode: bad.code, errorMessage: bad.message, resourceType: r.resourceType, resourceName: r.resourceName };
        const denied = configDenial(ctx, AclOp.ALTER_CONFIGS, r.resourceType, r.resourceName);
        if (denied) return { errorCode: denied, errorMessage: errorInfo(denied).message, resourceType: r.resourceType, resourceName: r.resourceName };
        const e = changeConfigs(ctx.cluster, ctx.controller, r.resourceType, r.resourceName, r.changes, false, req.validateOnly);
        return { errorCode: e.code, errorMessage: e.message, resourceType: r.resourceType, resourceName: r.resourceName };
      }),
    };
  },
});
