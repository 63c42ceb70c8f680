/**
 * DescribeClientQuotas (48) and AlterClientQuotas (49) with Kafka's semantics (KRaft's
 * ClientQuotaControlManager and ClientQuotasImage): entities are maps of entity type ('user',
 * 'client-id', 'ip') to a name, null meaning the default entity (<default>). Allowed combinations:
 * user, client-id, user + client-id (keys producer_byte_rate, consumer_byte_rate,
 * request_percentage, controller_mutation_rate), ip alone (connection_creation_rate).
 *
 * Errors as Kafka answers them: INVALID_REQUEST for a bad entity (empty, duplicate or unknown
 * type, empty name, ip with user or client-id, an ip that is not an address), an unknown key
 * ("Invalid configuration key k"), a key given twice, a non-integral value for a LONG key, and a
 * negative or non-finite value (Kafka takes any double; a negative rate would throttle forever);
 * UNSUPPORTED_VERSION / INVALID_REQUEST for bad describe filters. Authorization: DescribeConfigs
 * on the cluster to describe, AlterConfigs to alter (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { isIP } from 'node:net';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestContext } from '../handler.js';
import { quotaEntityKey, type QuotaEntity } from '../metadata/cluster-metadata.js';
import { AclOp, clusterAllowed } from '../security/authorizer.js';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';
const ENTITY_TYPES = new Set([USER, CLIENT_ID, IP]);

/** Keys for users and client ids, and whether Kafka defines each as a LONG (else a DOUBLE). */
export const CLIENT_QUOTA_KEYS: Record<string, 'long' | 'double'> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
};
/** Keys for ips (Kafka: an INT, at least 0). */
export const IP_QUOTA_KEYS: Record<string, 'int'> = { connection_creation_rate: 'int' };

/** Match types of a DescribeClientQuotas filter component. */
const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

interface ApiError {
  code: number;
  message: string;
}

const invalid = (message: string): ApiError => ({ code: ErrorCode.INVALID_REQUEST, message });

/** Kafka's printable entity: `ClientQuotaEntity(entries={user=alice, client-id=null})`. */
const entityText = (e: QuotaEntity) => `ClientQuotaEntity(entries={${Object.entries(e).map(([t, n]) => `${t}=${n}`).join(', ')}})`;

/** Checks an entity (types, names, combination); returns its keys, or the error. */
export function validateEntity(entity: readonly { entityType: string; entityName: string | null }[]): { map: QuotaEntity; keys: Record<string, string> } | ApiError {
  if (entity.length === 0) return invalid('Invalid empty client quota entity');
  const map: QuotaEntity = {};
  for (const { entityType, entityName } of entity) {
    if (entityType in map) return invalid(`Invalid empty client quota entity, duplicate entity entry ${entityType}`);
    if (!ENTITY_TYPES.has(entityType)) return invalid(`Unhandled client quota entity type: ${entityType}`);
    if (entityName === '') return invalid(`Empty ${entityType} not supported`);
    map[entityType] = entityName;
  }
  const hasIp = IP in map;
  if (hasIp && Object.keys(map).length > 1) return invalid('Invalid empty client quota entity');
  if (hasIp) {
    const ip = map[IP]!;
    if (ip !== null && isIP(ip) === 0) return invalid(`${ip} is not a valid IP or resolvable host.`);
    return { map, keys: IP_QUOTA_KEYS };
  }
  return { map, keys: CLIENT_QUOTA_KEYS };
}

function validateValue(keys: Record<string, string>, key: string, value: number): ApiError | null {
  const type = keys[key];
  if (type === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!Number.isFinite(value)) return invalid(`Configuration ${key} must be a finite number`);
  if (value < 0) return invalid(`Configuration ${key} must be a non-negative value, but it is ${value}`);
  if (type !== 'double') {
    const epsilon = 1e-6;
    if (Math.abs(Math.trunc(value + epsilon) - value) > epsilon) return invalid(`Configuration ${key} must be a ${type === 'int' ? 'Int' : 'Long'} value`);
  }
  return null;
}

export function alterClientQuotas(req: AlterClientQuotasRequest, ctx: RequestContext): AlterClientQuotasResponse {
  const result = (code: number, message: string | null, entity: AlterClientQuotasRequest['entries'][number]['entity']) => ({ errorCode: code, errorMessage: message, entity });
  if (!clusterAllowed(ctx, AclOp.ALTER_CONFIGS)) {
    return { throttleTimeMs: 0, entries: req.entries.map((e) => result(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null, e.entity)) };
  }
  const md = ctx.cluster.metadata;
  const seen = new Set<string>();
  const apply: { entity: QuotaEntity; values: Record<string, number> }[] = [];
  const entries = req.entries.map((e) => {
    const checked = validateEntity(e.entity);
    if ('code' in checked) return result(checked.code, checked.message, e.entity);
    const key = quotaEntityKey(checked.map);
    if (seen.has(key)) return result(ErrorCode.INVALID_REQUEST, `Ignoring duplicate entity ${entityText(checked.map)}`, e.entity);
    seen.add(key);
    const ops = new Map<string, number | null>();
    for (const op of e.ops) {
      if (ops.has(op.key)) return result(ErrorCode.INVALID_REQUEST, `Duplicate quota key ${op.key} not updating quota for this entity ${entityText(checked.map)}`, e.entity);
      if (!op.remove) {
        const bad = validateValue(checked.keys, op.key, op.value);
        if (bad) return result(bad.code, bad.message, e.entity);
      }
      ops.set(op.key, op.remove ? null : op.value);
    }
    const values = { ...md.clientQuotasOf(checked.map) };
    for (const [k, v] of ops) {
      if (v === null) delete values[k];
      else values[k] = v;
    }
    apply.push({ entity: checked.map, values });
    return result(ErrorCode.NONE, null, e.entity);
  });
  if (!req.validateOnly) {
    const { cluster } = ctx;
    if (cluster.controllerId !== cluster.id) {
      return { throttleTimeMs: 0, entries: req.entries.map((e) => result(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.', e.entity)) };
    }
    for (const a of apply) md.setClientQuotas(a.entity, a.values);
  }
  return { throttleTimeMs: 0, entries };
}

export function describeClientQuotas(req: DescribeClientQuotasRequest, ctx: RequestContext): DescribeClientQuotasResponse {
  const fail = (e: ApiError): DescribeClientQuotasResponse => ({ throttleTimeMs: 0, errorCode: e.code, errorMessage: e.message, entries: null });
  if (!clusterAllowed(ctx, AclOp.DESCRIBE_CONFIGS)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entries: null };
  const exact = new Map<string, string | null>();
  const specified = new Set<string>();
  for (const c of req.components) {
    if (c.entityType === '') return fail(invalid('Invalid empty entity type.'));
    if (exact.has(c.entityType) || specified.has(c.entityType)) return fail(invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`));
    if (!ENTITY_TYPES.has(c.entityType)) return fail({ code: ErrorCode.UNSUPPORTED_VERSION, message: `Unsupported entity type ${c.entityType}` });
    if (c.matchType === MATCH_EXACT) {
      if (c.match === null) return fail(invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.'));
      exact.set(c.entityType, c.match);
    } else if (c.matchType === MATCH_DEFAULT) {
      if (c.match !== null) return fail(invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.'));
      exact.set(c.entityType, null);
    } else if (c.matchType === MATCH_SPECIFIED) {
      if (c.match !== null) return fail(invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.'));
      specified.add(c.entityType);
    } else return fail({ code: ErrorCode.UNSUPPORTED_VERSION, message: `Unknown match type ${c.matchType}` });
  }
  const has = (t: string) => exact.has(t) || specified.has(t);
  if (has(IP) && (has(USER) || has(CLIENT_ID))) {
    return fail(invalid('Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.'));
  }
  const matches = (entity: QuotaEntity) => {
    const types = Object.keys(entity);
    if (req.strict && types.length !== exact.size + specified.size) return false;
    for (const [t, name] of exact) if (!(t in entity) || entity[t] !== name) return false;
    // MATCH_TYPE_SPECIFIED matches every entity of the type, its default (<default>) too, as
    // Kafka's ClientQuotasImage does (the entity has the type as a key, whatever its name).
    for (const t of specified) if (!(t in entity)) return false;
    return true;
  };
  const entries = ctx.cluster.metadata
    .clientQuotas()
    .filter((q) => matches(q.entity))
    .map((q) => ({
      entity: Object.entries(q.entity).map(([entityType, entityName]) => ({ entityType, entityName })),
      values: Object.entries(q.values).map(([key, value]) => ({ key, value })),
    }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
}
