/**
 * Heartbeat (12), v0-4. Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
 * Errors: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, GROUP_AUTHORIZATION_FAILED (no READ on the group),
 * INVALID_GROUP_ID (an empty group id, as Kafka's GroupCoordinatorService.heartbeat answers).
 */
import { Heartbeat } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    if (!req.groupId) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    return { throttleTimeMs: 0, errorCode: ctx.groups.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId ?? null) };
  },
});
