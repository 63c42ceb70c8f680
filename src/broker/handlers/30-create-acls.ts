/**
 * CreateAcls (30), v0-3: adds ACLs to the cluster metadata (persisted; every logical broker sees
 * them at once). Needs ALTER on the cluster; handled by the controller only. Creating an ACL that
 * exists already succeeds.
 * Errors per creation: SECURITY_DISABLED (no authorizer), CLUSTER_AUTHORIZATION_FAILED,
 * NOT_CONTROLLER, INVALID_REQUEST (ANY/UNKNOWN/MATCH codes, a bad principal, an empty name, a
 * cluster resource not named kafka-cluster).
 */
import { CreateAcls } from '../../protocol/apis/index.js';
import { PatternType } from '../../protocol/acls.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { addBindings, type AclBinding, validateNewAcl } from '../security/acl.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

export default defineHandler({
  api: CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const { cluster } = ctx;
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (!ctx.authorizer.enabled) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!clusterAllowed(ctx, AclOp.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message);
    if (cluster.controllerId !== cluster.id) return all(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
    const added: AclBinding[] = [];
    const results = req.creations.map((c) => {
      const b: AclBinding = {
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: c.resourcePatternType ?? PatternType.LITERAL,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      };
      const e = validateNewAcl(b);
      if (!e.code) added.push(b);
      return { errorCode: e.code, errorMessage: e.message };
    });
    if (added.length) cluster.metadata.setAcls(addBindings(cluster.metadata.acls(), added));
    return { throttleTimeMs: 0, results };
  },
});
