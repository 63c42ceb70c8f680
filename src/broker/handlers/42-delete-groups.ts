/**
 * DeleteGroups (42), v0-2. Only Empty groups can be deleted; their offsets and metadata get
 * tombstones in __consumer_offsets. The empty group id "" is a group like any other, as in Kafka
 * (kept for backwards compatibility: simple consumers may have committed under it).
 * Errors: NOT_COORDINATOR, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP,
 * GROUP_AUTHORIZATION_FAILED (no DELETE on the group).
 */
import { DeleteGroups } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const results = [];
    for (const groupId of req.groupsNames) {
      results.push({ groupId, errorCode: allowed(ctx, AclOp.DELETE, ResourceType.GROUP, groupId) ? await ctx.groups.deleteGroup(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED });
    }
    return { throttleTimeMs: 0, results };
  },
});
