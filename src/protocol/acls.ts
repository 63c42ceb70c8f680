/**
 * Kafka's ACL codes (org.apache.kafka.common.acl / resource enums) and their names, shared by the
 * broker's authorizer and the client's `acls` tool. No I/O.
 */

/** AclOperation codes. */
export const AclOp = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

/** ResourceType codes. */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;

/** PatternType codes. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

/** AclPermissionType codes. */
export const Permission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The one cluster resource's name. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A literal resource name (or host) matching every resource (or host). */
export const WILDCARD = '*';

const invert = (o: Record<string, number>): Record<number, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
const OP_NAMES = invert(AclOp);
const TYPE_NAMES = invert(ResourceType);
const PATTERN_NAMES = invert(PatternType);
const PERMISSION_NAMES = invert(Permission);

export const operationName = (code: number): string => OP_NAMES[code] ?? 'UNKNOWN';
export const resourceTypeName = (code: number): string => TYPE_NAMES[code] ?? 'UNKNOWN';
export const patternTypeName = (code: number): string => PATTERN_NAMES[code] ?? 'UNKNOWN';
export const permissionName = (code: number): string => PERMISSION_NAMES[code] ?? 'UNKNOWN';

/** Kafka's operation names as kafka-acls.sh takes them (Read, ClusterAction, …). */
export const OPERATION_CLI_NAMES = ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite', 'CreateTokens', 'DescribeTokens', 'All'] as const;

/** An operation by name, case-insensitive, with or without underscores (Read, READ, describe_configs); undefined when unknown. */
export function parseOperation(name: string): number | undefined {
  const key = name.trim().replace(/_/g, '').toUpperCase();
  const found = Object.entries(AclOp).find(([k]) => k.replace(/_/g, '') === key);
  return found && found[1] > AclOp.ANY ? found[1] : undefined;
}

/** Kafka's AclEntry.supportedOperations: what an ACL on each resource type may grant (ALL besides). */
export const SUPPORTED_OPERATIONS: Record<number, readonly number[]> = {
  [ResourceType.TOPIC]: [AclOp.READ, AclOp.WRITE, AclOp.CREATE, AclOp.DESCRIBE, AclOp.DELETE, AclOp.ALTER, AclOp.DESCRIBE_CONFIGS, AclOp.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOp.READ, AclOp.DESCRIBE, AclOp.DELETE],
  [ResourceType.CLUSTER]: [AclOp.CREATE, AclOp.CLUSTER_ACTION, AclOp.DESCRIBE_CONFIGS, AclOp.ALTER_CONFIGS, AclOp.IDEMPOTENT_WRITE, AclOp.ALTER, AclOp.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOp.DESCRIBE, AclOp.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOp.DESCRIBE],
  [ResourceType.USER]: [AclOp.CREATE_TOKENS, AclOp.DESCRIBE_TOKENS],
};

/** One ACL with Kafka's codes (an AclBinding: a resource pattern and an access control entry). */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** An AclBindingFilter: null name/principal/host and ANY codes match everything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Kafka's ResourcePattern.toString: `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`. */
export const formatResourcePattern = (p: { resourceType: number; resourceName: string | null; patternType: number }): string =>
  `ResourcePattern(resourceType=${resourceTypeName(p.resourceType)}, name=${p.resourceName ?? '<any>'}, patternType=${patternTypeName(p.patternType)})`;

/** Kafka's AccessControlEntry.toString: `(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)`. */
export const formatAccessControlEntry = (e: { principal: string; host: string; operation: number; permissionType: number }): string =>
  `(principal=${e.principal}, host=${e.host}, operation=${operationName(e.operation)}, permissionType=${permissionName(e.permissionType)})`;

/** Kafka's authorization error codes: TOPIC_ (29), GROUP_ (30), CLUSTER_ (31), TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53). */
export const AUTHORIZATION_CODES: ReadonlySet<number> = new Set([29, 30, 31, 53]);

/**
 * The message for an error `code` met while trying `what` ("read topic orders"): "not authorized
 * to read topic orders" for an authorization failure, else `otherwise`.
 */
export function denialMessage<T>(code: number, what: string, otherwise: T): string | T {
  return AUTHORIZATION_CODES.has(code) ? `not authorized to ${what}` : otherwise;
}
