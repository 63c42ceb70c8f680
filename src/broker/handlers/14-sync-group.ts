/**
 * SyncGroup (14), v0-5. Members park until the leader's SyncGroup brings the assignments; the
 * group then becomes Stable and its metadata is written to __consumer_offsets.
 * Errors: INVALID_GROUP_ID (empty group id), NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL (v5), REBALANCE_IN_PROGRESS,
 * GROUP_AUTHORIZATION_FAILED (no READ on the group).
 */
import { SyncGroup } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';

export default defineHandler({
  api: SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (!allowed(ctx, AclOp.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    // Kafka's GroupCoordinatorService.syncGroup: an empty group id is INVALID_GROUP_ID.
    if (!req.groupId) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    const r = await ctx.groups.sync({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      protocolType: req.protocolType ?? null,
      protocolName: req.protocolName ?? null,
      assignments: req.assignments,
      version: ctx.apiVersion,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
});
