/**
 * LeaveGroup (13), v0-5 (v3+ batches members, identified by member id or group.instance.id).
 * Errors: INVALID_GROUP_ID (empty group id), NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * GROUP_AUTHORIZATION_FAILED (no READ on the group).
 */
import { LeaveGroup } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    // Kafka's GroupCoordinatorService.leaveGroup: an empty group id is INVALID_GROUP_ID, no members.
    if (!req.groupId) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const batched = ctx.apiVersion >= 3;
    const members = batched ? (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })) : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
    const r = ctx.groups.leave(req.groupId, members);
    if (batched) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
    return { throttleTimeMs: 0, errorCode: r.errorCode || r.members[0]?.errorCode || 0 };
  },
});
