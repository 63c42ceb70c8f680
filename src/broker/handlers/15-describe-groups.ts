/**
 * DescribeGroups (15), v0-5. An unknown group is reported as state Dead with no error, as Kafka
 * does; member metadata and assignments are filled only when the group is Stable.
 * Errors: NOT_COORDINATOR, GROUP_AUTHORIZATION_FAILED (no DESCRIBE on the group).
 * A request naming a great many groups yields to other clients as it goes (YIELD_AFTER_MS).
 */
import { DescribeGroups } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { operationsFor } from '../acl-operations.js';
import { ErrorCode } from '../../protocol/errors.js';
import { AclOp, ResourceType, allowed } from '../security/authorizer.js';
import { turnTaker } from '../../util/slices.js';

/** The longest stretch of describing groups between two turns of the event loop (a million names took 12 s). */
const YIELD_AFTER_MS = 10;

export default defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const turn = turnTaker(YIELD_AFTER_MS);
    const groups = [];
    for (const id of req.groups) {
      await turn();
      groups.push(describe(id));
    }
    return { throttleTimeMs: 0, groups };

    function describe(id: string) {
      if (!allowed(ctx, AclOp.DESCRIBE, ResourceType.GROUP, id)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId: id, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: operationsFor(ctx, false, ResourceType.GROUP, id) };
      const d = ctx.groups.describe(id);
      return {
        errorCode: d.errorCode,
        groupId: id,
        groupState: d.state,
        protocolType: d.protocolType,
        protocolData: d.protocolData,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: operationsFor(ctx, !!req.includeAuthorizedOperations, ResourceType.GROUP, id),
      };
    }
  },
});
