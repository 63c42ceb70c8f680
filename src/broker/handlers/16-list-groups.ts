/**
 * ListGroups (16), v0-4 (v4 filters by state). Lists the groups this broker coordinates.
 * No errors.
 */
import { ListGroups } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';

export default defineHandler({
  api: ListGroups,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const groups = ctx.groups.list(ctx.apiVersion >= 4 ? (req.statesFilter ?? null) : null);
    return { throttleTimeMs: 0, errorCode: 0, groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })) };
  },
});
