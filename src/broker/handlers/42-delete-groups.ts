/**
 * DeleteGroups (42), v0-2. Only Empty groups can be deleted; their offsets and metadata get
 * tombstones in __consumer_offsets.
 * Errors: INVALID_GROUP_ID, NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP.
 */
import { DeleteGroups } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';

export default defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const results = [];
    for (const groupId of req.groupsNames) results.push({ groupId, errorCode: await ctx.groups.deleteGroup(groupId) });
    return { throttleTimeMs: 0, results };
  },
});
