/**
 * The authorizer's decisions with Kafka's StandardAuthorizer rules: super users and the LOCAL
 * listener, allow.everyone.if.no.acl.found, deny beats allow, literal / wildcard / prefixed
 * patterns, implied operations, principal and host wildcards; the ACL filters of
 * Describe/DeleteAcls and the validation of new ACLs; the broker config keys.
 */
import { describe, expect, it } from 'vitest';
import { buildBrokerConfig } from '../../../src/broker/config.js';
import { filterMatches, validateNewAcl } from '../../../src/broker/security/acl.js';
import { allowed, allowedOnSomeResource, authorizedOperations, Authorizer, type AuthzContext } from '../../../src/broker/security/authorizer.js';
import { operationsFor, TOPIC_OPERATIONS } from '../../../src/broker/acl-operations.js';
import { AclOp, type AclBinding, PatternType, Permission, ResourceType, parseOperation, formatResourcePattern, formatAccessControlEntry } from '../../../src/protocol/acls.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const ON = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };

function ctxWith(acls: AclBinding[], props: Record<string, string> = ON, who: Partial<AuthzContext> = {}): AuthzContext {
  const { config } = buildBrokerConfig('/tmp/unused', props);
  return { principal: 'User:alice', clientHost: '/127.0.0.1', listener: 'PLAINTEXT', authorizer: new Authorizer(config, { acls: () => acls }), ...who };
}

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOp.READ,
  permissionType: Permission.ALLOW,
  ...over,
});

const T = ResourceType.TOPIC;

describe('authorizer', () => {
  it('allows everything when no authorizer is configured', () => {
    expect(allowed(ctxWith([], {}), AclOp.WRITE, T, 'orders')).toBe(true);
  });

  it('denies a resource without ACLs unless allow.everyone.if.no.acl.found', () => {
    expect(allowed(ctxWith([]), AclOp.READ, T, 'orders')).toBe(false);
    expect(allowed(ctxWith([], { ...ON, 'allow.everyone.if.no.acl.found': 'true' }), AclOp.READ, T, 'orders')).toBe(true);
    // An ACL for someone else on the resource: no longer "no ACL found".
    expect(allowed(ctxWith([acl({ principal: 'User:bob' })], { ...ON, 'allow.everyone.if.no.acl.found': 'true' }), AclOp.READ, T, 'orders')).toBe(false);
  });

  it('lets super users and the LOCAL listener through', () => {
    expect(allowed(ctxWith([], { ...ON, 'super.users': 'User:admin;User:alice' }), AclOp.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true);
    expect(allowed(ctxWith([], ON, { listener: 'LOCAL', principal: 'User:me' }), AclOp.DELETE, T, 'x')).toBe(true);
  });

  it('matches literal, wildcard and prefixed patterns', () => {
    expect(allowed(ctxWith([acl({})]), AclOp.READ, T, 'orders')).toBe(true);
    expect(allowed(ctxWith([acl({})]), AclOp.READ, T, 'orders2')).toBe(false);
    expect(allowed(ctxWith([acl({ resourceName: '*' })]), AclOp.READ, T, 'anything')).toBe(true);
    const prefixed = [acl({ resourceName: 'ord', patternType: PatternType.PREFIXED })];
    expect(allowed(ctxWith(prefixed), AclOp.READ, T, 'orders')).toBe(true);
    expect(allowed(ctxWith(prefixed), AclOp.READ, T, 'payments')).toBe(false);
    expect(allowed(ctxWith([acl({ resourceType: ResourceType.GROUP })]), AclOp.READ, T, 'orders')).toBe(false);
  });

  it('lets DENY win over ALLOW, and DENY ALL deny every operation', () => {
    expect(allowed(ctxWith([acl({}), acl({ permissionType: Permission.DENY })]), AclOp.READ, T, 'orders')).toBe(false);
    const denyAllPrefix = [acl({ operation: AclOp.ALL }), acl({ resourceName: 'or', patternType: PatternType.PREFIXED, operation: AclOp.ALL, permissionType: Permission.DENY })];
    expect(allowed(ctxWith(denyAllPrefix), AclOp.WRITE, T, 'orders')).toBe(false);
    // A DENY of READ does not deny DESCRIBE (implication works for ALLOW only).
    expect(allowed(ctxWith([acl({ operation: AclOp.WRITE }), acl({ permissionType: Permission.DENY })]), AclOp.DESCRIBE, T, 'orders')).toBe(true);
  });

  it('implies DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS, and ALL grants all', () => {
    for (const op of [AclOp.READ, AclOp.WRITE, AclOp.DELETE, AclOp.ALTER]) expect(allowed(ctxWith([acl({ operation: op })]), AclOp.DESCRIBE, T, 'orders')).toBe(true);
    expect(allowed(ctxWith([acl({ operation: AclOp.CREATE })]), AclOp.DESCRIBE, T, 'orders')).toBe(false);
    expect(allowed(ctxWith([acl({ operation: AclOp.ALTER_CONFIGS })]), AclOp.DESCRIBE_CONFIGS, T, 'orders')).toBe(true);
    expect(allowed(ctxWith([acl({ operation: AclOp.READ })]), AclOp.WRITE, T, 'orders')).toBe(false);
    expect(allowed(ctxWith([acl({ operation: AclOp.ALL })]), AclOp.ALTER_CONFIGS, T, 'orders')).toBe(true);
  });

  it('matches principals exactly or by User:*, hosts exactly or by *', () => {
    expect(allowed(ctxWith([acl({ principal: 'User:*' })]), AclOp.READ, T, 'orders')).toBe(true);
    expect(allowed(ctxWith([acl({ principal: 'User:bob' })]), AclOp.READ, T, 'orders')).toBe(false);
    expect(allowed(ctxWith([acl({ host: '127.0.0.1' })]), AclOp.READ, T, 'orders')).toBe(true);
    expect(allowed(ctxWith([acl({ host: '10.0.0.1' })]), AclOp.READ, T, 'orders')).toBe(false);
  });

  it('answers by resource type (idempotent producers: WRITE on some topic)', () => {
    expect(allowedOnSomeResource(ctxWith([acl({ operation: AclOp.WRITE, resourceName: 'x' })]), AclOp.WRITE, T)).toBe(true);
    expect(allowedOnSomeResource(ctxWith([acl({ operation: AclOp.READ })]), AclOp.WRITE, T)).toBe(false);
    expect(allowedOnSomeResource(ctxWith([acl({ operation: AclOp.WRITE }), acl({ resourceName: '*', operation: AclOp.WRITE, permissionType: Permission.DENY })]), AclOp.WRITE, T)).toBe(false);
  });

  it('computes authorized-operation bit sets per principal', () => {
    const c = ctxWith([acl({ operation: AclOp.READ })]);
    expect(authorizedOperations(c, T, 'orders')).toBe((1 << AclOp.READ) | (1 << AclOp.DESCRIBE));
    expect(operationsFor(ctxWith([], {}), true, T, 'orders')).toBe(TOPIC_OPERATIONS);
    expect(operationsFor(c, false, T, 'orders')).toBe(-2147483648);
  });
});

describe('ACL filters and validation', () => {
  const b = acl({ resourceName: 'ord', patternType: PatternType.PREFIXED });
  const any = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY };

  it('filters with ANY, MATCH and exact pattern types as Kafka', () => {
    expect(filterMatches(any, b)).toBe(true);
    expect(filterMatches({ ...any, resourceName: 'orders', patternType: PatternType.MATCH }, b)).toBe(true);
    expect(filterMatches({ ...any, resourceName: 'orders', patternType: PatternType.ANY }, b)).toBe(false);
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: PatternType.ANY }, b)).toBe(true);
    expect(filterMatches({ ...any, resourceName: 'ord', patternType: PatternType.LITERAL }, b)).toBe(false);
    expect(filterMatches({ ...any, resourceName: 'x', patternType: PatternType.MATCH }, acl({ resourceName: '*' }))).toBe(true);
    expect(filterMatches({ ...any, principal: 'User:bob' }, b)).toBe(false);
    expect(filterMatches({ ...any, operation: AclOp.WRITE }, b)).toBe(false);
  });

  it('refuses indefinite new ACLs with INVALID_REQUEST', () => {
    expect(validateNewAcl(acl({})).code).toBe(0);
    expect(validateNewAcl(acl({ patternType: PatternType.MATCH })).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(validateNewAcl(acl({ operation: AclOp.ANY })).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(validateNewAcl(acl({ permissionType: Permission.ANY })).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(validateNewAcl(acl({ resourceType: ResourceType.ANY })).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(validateNewAcl(acl({ principal: 'alice' })).code).toBe(ErrorCode.INVALID_REQUEST);
    expect(validateNewAcl(acl({ resourceType: ResourceType.CLUSTER, resourceName: 'other' })).code).toBe(ErrorCode.INVALID_REQUEST);
  });

  it("prints patterns and entries in Kafka's layout, and parses operation names", () => {
    expect(formatResourcePattern(acl({}))).toBe('ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)');
    expect(formatAccessControlEntry(acl({ operation: AclOp.IDEMPOTENT_WRITE }))).toBe('(principal=User:alice, host=*, operation=IDEMPOTENT_WRITE, permissionType=ALLOW)');
    expect(parseOperation('DescribeConfigs')).toBe(AclOp.DESCRIBE_CONFIGS);
    expect(parseOperation('describe_configs')).toBe(AclOp.DESCRIBE_CONFIGS);
    expect(parseOperation('All')).toBe(AclOp.ALL);
    expect(parseOperation('Any')).toBeUndefined();
    expect(parseOperation('Fly')).toBeUndefined();
  });
});

describe('authorizer config keys', () => {
  it('reads super.users and refuses unknown authorizer classes', () => {
    const { config } = buildBrokerConfig('/tmp/unused', { ...ON, 'super.users': 'User:a; User:b' });
    expect(config.superUsers).toEqual(['User:a', 'User:b']);
    expect(buildBrokerConfig('/tmp/unused', { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' }).config.authorizerClassName).toBe('kafka.security.authorizer.AclAuthorizer');
    expect(() => buildBrokerConfig('/tmp/unused', { 'authorizer.class.name': 'com.example.MyAuthorizer' })).toThrow(/authorizer.class.name.*StandardAuthorizer/);
    expect(() => buildBrokerConfig('/tmp/unused', { 'allow.everyone.if.no.acl.found': 'yes' })).toThrow(/true or false/);
  });
});
