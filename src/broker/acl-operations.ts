/**
 * Authorized-operations bit sets for Metadata, DescribeCluster, DescribeGroups and
 * DescribeTopicPartitions, computed per principal by the authorizer; with the authorizer off every
 * caller may do everything. The bit numbers are Kafka's AclOperation codes.
 */
import { AclOp, CLUSTER_RESOURCE_NAME, ResourceType } from '../protocol/acls.js';
import { type AuthzContext, authorizedOperations, allowed } from './security/authorizer.js';

const bits = (...codes: number[]) => codes.reduce((acc, c) => acc | (1 << c), 0);

// READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
// DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, CREATE_TOKENS 13, DESCRIBE_TOKENS 14
export const TOPIC_OPERATIONS = bits(3, 4, 5, 6, 7, 8, 10, 11);
export const GROUP_OPERATIONS = bits(3, 6, 8);
export const CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12, 13, 14);
/** The value Kafka returns when authorized operations were not requested. */
export const NOT_REQUESTED = -2147483648;

const ALL_OF: Record<number, number> = { [ResourceType.TOPIC]: TOPIC_OPERATIONS, [ResourceType.GROUP]: GROUP_OPERATIONS, [ResourceType.CLUSTER]: CLUSTER_OPERATIONS };

/** The bit set for a topic or group, or NOT_REQUESTED when the request did not ask. */
export function operationsFor(ctx: AuthzContext, wanted: boolean, type: number, name: string): number {
  if (!wanted) return NOT_REQUESTED;
  if (!ctx.authorizer.enabled) return ALL_OF[type] ?? 0;
  return authorizedOperations(ctx, type, name);
}

/** The cluster's bit set (0 without DESCRIBE on the cluster, as Kafka), or NOT_REQUESTED. */
export function clusterOperationsFor(ctx: AuthzContext, wanted: boolean): number {
  if (!wanted) return NOT_REQUESTED;
  if (!ctx.authorizer.enabled) return CLUSTER_OPERATIONS;
  return allowed(ctx, AclOp.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME) : 0;
}
