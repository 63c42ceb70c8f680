/**
 * DescribeAcls (29), v0-3: the ACLs matching a filter, grouped by resource pattern (v0 sees
 * literal patterns only). Needs DESCRIBE on the cluster.
 * Errors: SECURITY_DISABLED (no authorizer), CLUSTER_AUTHORIZATION_FAILED, INVALID_REQUEST
 * (a filter with UNKNOWN values).
 */
import { DescribeAcls, type DescribeAclsResponse } from '../../protocol/apis/index.js';
import { PatternType } from '../../protocol/acls.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { filterMatches, validateFilter, wireFilter } from '../security/acl.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

export default defineHandler({
  api: DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const fail = (errorCode: number, errorMessage: string): DescribeAclsResponse => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (!ctx.authorizer.enabled) return fail(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!clusterAllowed(ctx, AclOp.DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message);
    const filter = wireFilter(req);
    const bad = validateFilter(filter);
    if (bad.code) return fail(bad.code, bad.message!);
    const byResource = new Map<string, DescribeAclsResponse['resources'][number]>();
    for (const b of ctx.cluster.metadata.acls()) {
      if (!filterMatches(filter, b) || (ctx.apiVersion === 0 && b.patternType !== PatternType.LITERAL)) continue;
      const key = `${b.resourceType}\0${b.patternType}\0${b.resourceName}`;
      let r = byResource.get(key);
      if (!r) byResource.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
      r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...byResource.values()] };
  },
});
