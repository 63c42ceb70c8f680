/**
 * ACL matching with Kafka's rules (ResourcePatternFilter / AccessControlEntryFilter.matches, and
 * the CreateAcls / DeleteAcls validation of Kafka's controller). Pure functions over the
 * bindings the cluster metadata stores.
 */
import { AclOp, type AclBinding, type AclFilter, PatternType, Permission, ResourceType, WILDCARD, CLUSTER_RESOURCE_NAME } from '../../protocol/acls.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiError } from '../api-error.js';

export type { AclBinding, AclFilter } from '../../protocol/acls.js';

/** Whether a filter's resource part matches a stored binding's resource pattern. */
export function resourceMatches(f: Pick<AclFilter, 'resourceType' | 'resourceName' | 'patternType'>, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === PatternType.ANY || f.patternType === b.patternType) return f.resourceName === b.resourceName;
  // MATCH: every pattern that applies to the named resource.
  if (b.patternType === PatternType.LITERAL) return f.resourceName === b.resourceName || b.resourceName === WILDCARD;
  if (b.patternType === PatternType.PREFIXED) return f.resourceName.startsWith(b.resourceName);
  return false;
}

/** The filter a DescribeAcls request or a DeleteAcls filter carries (their fields are named alike); pattern LITERAL before v1. */
export function wireFilter(f: {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter?: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}): AclFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter ?? PatternType.LITERAL,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  };
}

/** Kafka's AclBindingFilter.matches. */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  return (
    resourceMatches(f, b) &&
    (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === AclOp.ANY || f.operation === b.operation) &&
    (f.permissionType === Permission.ANY || f.permissionType === b.permissionType)
  );
}

/** One string per distinct binding (every field; JSON keeps names with any characters apart). */
const bindingKey = (b: AclBinding) => JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);

/**
 * Adds bindings that are not there yet (CreateAcls of an existing ACL succeeds without a copy).
 * Looked up by key: checking each new one against the whole list made 100,000 ACLs in one request
 * hold the daemon for 48 s.
 */
export function addBindings(existing: readonly AclBinding[], added: readonly AclBinding[]): AclBinding[] {
  const out = [...existing];
  const there = new Set(existing.map(bindingKey));
  for (const b of added) {
    const key = bindingKey(b);
    if (there.has(key)) continue;
    there.add(key);
    out.push({ ...b });
  }
  return out;
}

const invalid = (message: string): ApiError => ({ code: ErrorCode.INVALID_REQUEST, message });
const OK: ApiError = { code: 0, message: null };
const PRINCIPAL = /^[^:]+:.*$/;

/** Kafka's checks of a new ACL (AclControlManager.validateNewAcl): INVALID_REQUEST when it is not definite. */
export function validateNewAcl(b: AclBinding): ApiError {
  if (b.resourceType <= ResourceType.ANY || b.resourceType > ResourceType.USER) return invalid(`Invalid resourceType ${b.resourceType}`);
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return invalid(`Invalid patternType ${b.patternType}`);
  if (b.operation <= AclOp.ANY || b.operation > AclOp.DESCRIBE_TOKENS) return invalid(`Invalid operation ${b.operation}`);
  if (b.permissionType !== Permission.ALLOW && b.permissionType !== Permission.DENY) return invalid(`Invalid permissionType ${b.permissionType}`);
  if (!b.resourceName) return invalid('Resource name should not be empty');
  if (b.resourceType === ResourceType.CLUSTER && (b.resourceName !== CLUSTER_RESOURCE_NAME || b.patternType !== PatternType.LITERAL)) {
    return invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`);
  }
  if (!PRINCIPAL.test(b.principal)) return invalid(`Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`);
  if (b.host === '') return invalid('Invalid host ');
  return OK;
}

/** A DeleteAcls filter must not contain UNKNOWN values (Kafka's findIndefiniteField). */
export function validateFilter(f: AclFilter): ApiError {
  if (f.resourceType === ResourceType.UNKNOWN) return invalid('Resource type is UNKNOWN.');
  if (f.patternType === PatternType.UNKNOWN) return invalid('Resource pattern type is UNKNOWN.');
  if (f.operation === AclOp.UNKNOWN) return invalid('Operation is UNKNOWN.');
  if (f.permissionType === Permission.UNKNOWN) return invalid('Permission type is UNKNOWN.');
  return OK;
}
