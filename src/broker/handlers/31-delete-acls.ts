/**
 * DeleteAcls (31), v0-3: removes every ACL matching each filter and returns what each filter
 * removed: an ACL is listed once, under the first filter that matched it, as Kafka's ZooKeeper
 * AclAuthorizer answered (KRaft's controller lists it under every filter it matches, so a few
 * bytes of identical match-any filters asked for an answer of filters × ACLs).
 * Needs ALTER on the cluster; handled by the controller only.
 * Errors per filter: SECURITY_DISABLED (no authorizer), CLUSTER_AUTHORIZATION_FAILED,
 * NOT_CONTROLLER, INVALID_REQUEST (UNKNOWN values in a filter).
 */
import { DeleteAcls, type DeleteAclsResponse } from '../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { type AclBinding, filterMatches, validateFilter, wireFilter } from '../security/acl.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';
import { NO_AUTHORIZER } from './29-describe-acls.js';

type FilterResult = DeleteAclsResponse['filterResults'][number];

export default defineHandler({
  api: DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const { cluster } = ctx;
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) });
    if (!ctx.authorizer.enabled) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!clusterAllowed(ctx, AclOp.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message);
    if (cluster.controllerId !== cluster.id) return all(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
    const existing = cluster.metadata.acls();
    const removed = new Set<AclBinding>();
    const filterResults = req.filters.map((f): FilterResult => {
      const filter = wireFilter(f);
      const bad = validateFilter(filter);
      if (bad.code) return { errorCode: bad.code, errorMessage: bad.message, matchingAcls: [] };
      const matching = removed.size === existing.length ? [] : existing.filter((b) => !removed.has(b) && filterMatches(filter, b));
      for (const b of matching) removed.add(b);
      return { errorCode: 0, errorMessage: null, matchingAcls: matching.map((b) => ({ errorCode: 0, errorMessage: null, ...b })) };
    });
    if (removed.size) cluster.metadata.setAcls(existing.filter((b) => !removed.has(b)));
    return { throttleTimeMs: 0, filterResults };
  },
});
