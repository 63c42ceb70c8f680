/**
 * Heartbeat (12), v0-4. Keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
 * Errors: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS.
 */
import { Heartbeat } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';

export default defineHandler({
  api: Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    return { throttleTimeMs: 0, errorCode: ctx.groups.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId ?? null) };
  },
});
