/**
 * ListGroups (16), v0-4 (v4 filters by state). Lists the groups this broker coordinates.
 * Without DESCRIBE on the cluster, only the groups the principal may DESCRIBE are listed. No errors.
 */
import { ListGroups } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed, clusterAllowed } from '../security/authorizer.js';

export default defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const all = ctx.groups.list(ctx.apiVersion >= 4 ? (req.statesFilter ?? null) : null);
    const groups = clusterAllowed(ctx, AclOp.DESCRIBE) ? all : all.filter((g) => allowed(ctx, AclOp.DESCRIBE, ResourceType.GROUP, g.groupId));
    return { throttleTimeMs: 0, errorCode: 0, groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })) };
  },
});
