/**
 * DescribeGroups (15), v0-5. An unknown group is reported as state Dead with no error, as Kafka
 * does; member metadata and assignments are filled only when the group is Stable.
 * Errors: NOT_COORDINATOR.
 */
import { DescribeGroups } from '../../protocol/apis/index.js';
import { defineHandler } from '../handler.js';
import { GROUP_OPERATIONS, NOT_REQUESTED } from '../acl-operations.js';

export default defineHandler({
  api: DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((id) => {
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
          authorizedOperations: req.includeAuthorizedOperations ? GROUP_OPERATIONS : NOT_REQUESTED,
        };
      }),
    };
  },
});
