/**
 * The authorizer, with the semantics of Kafka's StandardAuthorizer: enabled by
 * `authorizer.class.name`; super users (`super.users`, and the local user on the Unix socket's
 * LOCAL listener) may do everything; otherwise the ACLs whose resource pattern applies to the
 * resource (literal name, literal `*`, or a prefix) decide: a matching DENY wins, then a matching
 * ALLOW (its operation, ALL, or one implying the requested one: DESCRIBE by READ, WRITE, DELETE
 * and ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS); when no ACL applies to the resource at all,
 * `allow.everyone.if.no.acl.found` decides. Principals match exactly or by `User:*`, hosts exactly
 * or by `*`.
 *
 * Handlers call `allowed(ctx, op, type, name)` (one line each, Kafka's error code on false).
 */
import { AclOp, type AclBinding, PatternType, Permission, ResourceType, SUPPORTED_OPERATIONS, WILDCARD, CLUSTER_RESOURCE_NAME } from '../../protocol/acls.js';
import type { BrokerConfig } from '../config.js';
import { LOCAL_LISTENER } from '../../transport/server.js';

export { AclOp, ResourceType } from '../../protocol/acls.js';

/**
 * The authorizer as handlers reach it (ctx.authorizer, one per broker): its settings and the
 * cluster metadata's ACLs, read on each decision so every logical broker sees a change at once.
 */
export class Authorizer {
  constructor(
    private readonly config: Pick<BrokerConfig, 'authorizerClassName' | 'superUsers' | 'allowEveryoneIfNoAclFound'>,
    private readonly metadata: { acls(): readonly AclBinding[] },
  ) {}

  get enabled(): boolean {
    return !!this.config.authorizerClassName;
  }

  get allowEveryoneIfNoAclFound(): boolean {
    return !!this.config.allowEveryoneIfNoAclFound;
  }

  isSuperUser(principal: string): boolean {
    return (this.config.superUsers ?? []).includes(principal);
  }

  acls(): readonly AclBinding[] {
    return this.metadata.acls();
  }
}

/** An authorizer that allows everything (no authorizer.class.name). */
export const NO_AUTHORIZER = new Authorizer({}, { acls: () => [] });

/** The request particulars an authorization decision needs (a RequestContext has them all). */
export interface AuthzContext {
  principal: string;
  clientHost: string;
  listener: string;
  authorizer: Authorizer;
}

/** Whether this connection's principal is a super user (every check passes). */
export function isSuperUser(ctx: AuthzContext): boolean {
  return ctx.listener === LOCAL_LISTENER || ctx.authorizer.isSuperUser(ctx.principal);
}

const hostOf = (ctx: AuthzContext) => ctx.clientHost.replace(/^\//, '');

const principalMatches = (acl: AclBinding, principal: string) => acl.principal === principal || (acl.principal === 'User:*' && principal.startsWith('User:'));
const hostMatches = (acl: AclBinding, host: string) => acl.host === WILDCARD || acl.host === host;

/** Whether an ACL's resource pattern applies to the named resource. */
function appliesTo(acl: AclBinding, type: number, name: string): boolean {
  if (acl.resourceType !== type) return false;
  if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
  if (acl.patternType === PatternType.PREFIXED) return name.startsWith(acl.resourceName);
  return false;
}

/** Operations an ALLOW of `granted` also allows (Kafka's implied operations). */
function grants(granted: number, wanted: number): boolean {
  if (granted === wanted || granted === AclOp.ALL) return true;
  if (wanted === AclOp.DESCRIBE) return granted === AclOp.READ || granted === AclOp.WRITE || granted === AclOp.DELETE || granted === AclOp.ALTER;
  if (wanted === AclOp.DESCRIBE_CONFIGS) return granted === AclOp.ALTER_CONFIGS;
  return false;
}

/** The decision for one operation on one resource (always true when the authorizer is off). */
export function allowed(ctx: AuthzContext, op: number, type: number, name: string): boolean {
  const authz = ctx.authorizer;
  if (!authz.enabled || isSuperUser(ctx)) return true;
  const host = hostOf(ctx);
  const acls = authz.acls().filter((a) => appliesTo(a, type, name));
  if (acls.length === 0) return authz.allowEveryoneIfNoAclFound;
  const mine = acls.filter((a) => principalMatches(a, ctx.principal) && hostMatches(a, host));
  if (mine.some((a) => a.permissionType === Permission.DENY && (a.operation === op || a.operation === AclOp.ALL))) return false;
  return mine.some((a) => a.permissionType === Permission.ALLOW && grants(a.operation, op));
}

/** An operation on the cluster resource (`kafka-cluster`). Exported for the SCRAM handlers (Describe / Alter). */
export const clusterAllowed = (ctx: AuthzContext, op: number): boolean => allowed(ctx, op, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);

/**
 * Kafka's authorizeByResourceType: whether the principal may do `op` on some resource of the type
 * (InitProducerId lets an idempotent producer in with WRITE on any topic). A DENY on the literal
 * `*` refuses; an ALLOW on any pattern of the type admits.
 */
export function allowedOnSomeResource(ctx: AuthzContext, op: number, type: number): boolean {
  const authz = ctx.authorizer;
  if (!authz.enabled || isSuperUser(ctx)) return true;
  const host = hostOf(ctx);
  const ofType = authz.acls().filter((a) => a.resourceType === type);
  if (ofType.length === 0) return authz.allowEveryoneIfNoAclFound;
  const mine = ofType.filter((a) => principalMatches(a, ctx.principal) && hostMatches(a, host) && (a.operation === op || a.operation === AclOp.ALL));
  if (mine.some((a) => a.permissionType === Permission.DENY && a.patternType === PatternType.LITERAL && a.resourceName === WILDCARD)) return false;
  return mine.some((a) => a.permissionType === Permission.ALLOW);
}

/** The authorized-operations bit set of a resource for this principal (bit n = operation code n). */
export function authorizedOperations(ctx: AuthzContext, type: number, name: string): number {
  let bits = 0;
  for (const op of SUPPORTED_OPERATIONS[type] ?? []) if (allowed(ctx, op, type, name)) bits |= 1 << op;
  return bits;
}

/**
 * DescribeConfigs / AlterConfigs on a config resource (2 topic, 4 broker: the cluster resource):
 * 0 when allowed, else TOPIC_ or CLUSTER_AUTHORIZATION_FAILED (29 / 31).
 */
export function configDenial(ctx: AuthzContext, op: number, configResourceType: number, name: string): number {
  if (configResourceType === ResourceType.TOPIC) return allowed(ctx, op, ResourceType.TOPIC, name) ? 0 : 29;
  return clusterAllowed(ctx, op) ? 0 : 31;
}
