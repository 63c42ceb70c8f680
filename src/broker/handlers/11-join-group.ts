/**
 * JoinGroup (11), v0-9. Parks until the group's join phase completes (all members joined, or the
 * rebalance timeout / initial delay passed). v4+ dynamic members first get MEMBER_ID_REQUIRED
 * with their id; v5+ static members (group.instance.id) replace their previous incarnation.
 * Errors: INVALID_GROUP_ID, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, INVALID_SESSION_TIMEOUT,
 * INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, MEMBER_ID_REQUIRED, FENCED_INSTANCE_ID,
 * GROUP_MAX_SIZE_REACHED, REBALANCE_IN_PROGRESS (when a newer join replaces this one),
 * GROUP_AUTHORIZATION_FAILED (no READ on the group).
 */
import { JoinGroup } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: ctx.apiVersion >= 7 ? null : '', leader: '', skipAssignment: false, memberId: '', members: [] };
    const r = await ctx.groups.join({
      groupId: req.groupId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      // v0 has no rebalance timeout: Kafka uses the session timeout.
      rebalanceTimeoutMs: ctx.apiVersion >= 1 ? (req.rebalanceTimeoutMs ?? req.sessionTimeoutMs) : req.sessionTimeoutMs,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      protocolType: req.protocolType,
      protocols: req.protocols,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
      version: ctx.apiVersion,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: ctx.apiVersion >= 7 ? r.protocolName : (r.protocolName ?? ''),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members,
    };
  },
});
