/**
 * What `kafka-ts acls` does (kafka-acls.sh's AclCommand): turns the options into resource patterns
 * and access control entries (--producer and --consumer expand as Kafka does), adds, removes and
 * lists ACLs through the admin calls, and renders Kafka's layout:
 *
 *   Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:
 *    	(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)
 */
import {
  AclOp,
  type AclBinding,
  type AclFilter,
  CLUSTER_RESOURCE_NAME,
  formatAccessControlEntry,
  formatResourcePattern,
  OPERATION_CLI_NAMES,
  operationName,
  parseOperation,
  patternTypeName,
  PatternType,
  Permission,
  permissionName,
  resourceTypeName,
  ResourceType,
  SUPPORTED_OPERATIONS,
  WILDCARD,
} from '../protocol/acls.js';
import { createAcls, deleteAcls, describeAcls } from '../client/acls.js';
import type { KafkaClient } from '../client/client.js';
import { UsageError } from '../util/errors.js';

/** The options the tool reads (kafka-acls.sh's). */
export interface AclSpec {
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  allowHost?: string[];
  denyHost?: string[];
  operation?: string[];
  topic?: string[];
  group?: string[];
  cluster?: boolean;
  transactionalId?: string[];
  resourcePatternType: string;
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
  principal?: string[];
}

/** A resource pattern (filter): type, name, pattern type. */
export interface Resource {
  resourceType: number;
  resourceName: string;
  patternType: number;
}

/** An access control entry. */
export interface Entry {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

type ResourceAcls = { resource: Resource; entries: Entry[] };

const PATTERN_OF: Record<string, number> = { literal: PatternType.LITERAL, prefixed: PatternType.PREFIXED, match: PatternType.MATCH, any: PatternType.ANY };
const patternOf = (s: AclSpec) => PATTERN_OF[s.resourcePatternType.toLowerCase()]!;

const key = (r: Resource) => `${r.resourceType}\0${r.patternType}\0${r.resourceName}`;
const sameEntry = (a: Entry, b: Entry) => a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;

function parsePrincipal(p: string): string {
  const t = p.trim();
  if (!/^[^:]+:.+$/.test(t)) throw new UsageError(`Could not parse principal from \`${t}\`: expected principalType:name, e.g. User:alice`);
  return t;
}

/**
 * Kafka's getResourceFilter: the resources named by --topic, --cluster, --group, --transactional-id,
 * each once (Kafka collects them into a set: `--topic orders --topic orders` is one filter).
 */
export function resourceFilters(s: AclSpec, dieIfNone = true): Resource[] {
  const patternType = patternOf(s);
  const out = new Map<string, Resource>();
  const add = (resourceType: number, resourceName: string) => {
    const r = { resourceType, resourceName, patternType };
    if (!out.has(key(r))) out.set(key(r), r);
  };
  for (const t of s.topic ?? []) add(ResourceType.TOPIC, t.trim());
  if (patternType === PatternType.LITERAL && (s.cluster || s.idempotent)) add(ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  for (const g of s.group ?? []) add(ResourceType.GROUP, g.trim());
  for (const x of s.transactionalId ?? []) add(ResourceType.TRANSACTIONAL_ID, x);
  if (out.size === 0 && dieIfNone) throw new UsageError('You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --transactional-id <id>');
  return [...out.values()];
}

function entries(s: AclSpec, operations: number[]): Entry[] {
  const out: Entry[] = [];
  const add = (principals: string[] | undefined, hosts: string[] | undefined, permissionType: number) => {
    const ps = (principals ?? []).map(parsePrincipal);
    const hs = hosts?.length ? hosts.map((h) => h.trim()) : [WILDCARD];
    for (const principal of ps) for (const operation of operations) for (const host of hs) out.push({ principal, host, operation, permissionType });
  };
  add(s.allowPrincipal, s.allowHost, Permission.ALLOW);
  add(s.denyPrincipal, s.denyHost, Permission.DENY);
  return out;
}

function cliOperations(s: AclSpec): number[] {
  return (s.operation?.length ? s.operation : ['All']).map((name) => {
    const op = parseOperation(name);
    if (op === undefined) throw new UsageError(`Unknown operation '${name.trim()}' (expected one of ${OPERATION_CLI_NAMES.join(', ')})`);
    return op;
  });
}

const pascal = (op: number) => operationName(op).toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** Kafka's getResourceFilterToAcls: each resource with its entries (--producer / --consumer expand). */
export function resourceToAcls(s: AclSpec): ResourceAcls[] {
  const map = new Map<string, ResourceAcls>();
  const put = (resource: Resource, es: Entry[]) => {
    const cur = map.get(key(resource)) ?? { resource, entries: [] };
    for (const e of es) if (!cur.entries.some((x) => sameEntry(x, e))) cur.entries.push(e);
    map.set(key(resource), cur);
  };
  const filters = resourceFilters(s);
  if (!s.producer && !s.consumer) {
    const es = entries(s, cliOperations(s));
    for (const r of filters) put(r, es);
  }
  if (s.producer) {
    for (const r of filters.filter((r) => r.resourceType === ResourceType.TOPIC)) put(r, entries(s, [AclOp.WRITE, AclOp.DESCRIBE, AclOp.CREATE]));
    for (const r of filters.filter((r) => r.resourceType === ResourceType.TRANSACTIONAL_ID)) put(r, entries(s, [AclOp.WRITE, AclOp.DESCRIBE]));
    if (s.idempotent) put({ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE_NAME, patternType: PatternType.LITERAL }, entries(s, [AclOp.IDEMPOTENT_WRITE]));
  }
  if (s.consumer) {
    for (const r of filters.filter((r) => r.resourceType === ResourceType.TOPIC)) put(r, entries(s, [AclOp.READ, AclOp.DESCRIBE]));
    for (const r of filters.filter((r) => r.resourceType === ResourceType.GROUP)) put(r, entries(s, [AclOp.READ]));
  }
  for (const { resource, entries: es } of map.values()) {
    const valid = [...(SUPPORTED_OPERATIONS[resource.resourceType] ?? []), AclOp.ALL];
    if (es.some((e) => !valid.includes(e.operation))) throw new UsageError(`ResourceType ${resourceTypeName(resource.resourceType)} only supports operations ${valid.map(pascal).join(', ')}`);
  }
  return [...map.values()];
}

/** Kafka's block for one resource: "<title> `ResourcePattern(…)`: \n \t(entry)\n\t(entry) \n\n". */
export const block = (title: string, resource: Resource, es: Entry[]): string =>
  `${title} \`${formatResourcePattern(resource)}\`: \n ${es.map((e) => `\t${formatAccessControlEntry(e)}`).join('\n')} \n\n`;

/**
 * Bindings grouped by resource pattern, in the order they came; each entry once per pattern, as
 * Kafka's getAcls collects them into a set (two filters of one --list can match the same ACL:
 * `--topic orders --topic ordersX --resource-pattern-type match` both match a PREFIXED `ord`).
 */
export function groupByResource(bindings: AclBinding[]): ResourceAcls[] {
  const map = new Map<string, ResourceAcls>();
  for (const b of bindings) {
    const resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType };
    const cur = map.get(key(resource)) ?? { resource, entries: [] };
    const e = { principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType };
    if (!cur.entries.some((x) => sameEntry(x, e))) cur.entries.push(e);
    map.set(key(resource), cur);
  }
  return [...map.values()];
}

/** JSON form of grouped ACLs: names instead of Kafka's codes. */
export const resourcesJson = (groups: ResourceAcls[]) =>
  groups.map(({ resource: r, entries: es }) => ({
    resourceType: resourceTypeName(r.resourceType),
    name: r.resourceName,
    patternType: patternTypeName(r.patternType),
    acls: es.map((e) => ({ principal: e.principal, host: e.host, operation: operationName(e.operation), permissionType: permissionName(e.permissionType) })),
  }));

const ANY_ENTRY = { principal: null, host: null, operation: AclOp.ANY, permissionType: Permission.ANY };

/** The ACLs --list shows: of the named resources (pattern filter from --resource-pattern-type), or all. */
export async function listAcls(client: KafkaClient, s: AclSpec): Promise<{ groups: ResourceAcls[]; text: string }> {
  const filters = resourceFilters(s, false);
  const all: AclBinding[] = [];
  if (filters.length === 0) all.push(...(await describeAcls(client, { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, ...ANY_ENTRY })));
  for (const f of filters) all.push(...(await describeAcls(client, { ...f, ...ANY_ENTRY })));
  const groups = groupByResource(all);
  const principals = (s.principal ?? []).map(parsePrincipal);
  if (principals.length === 0) return { groups, text: groups.map((g) => block('Current ACLs for resource', g.resource, g.entries)).join('') };
  let text = '';
  const shown: ResourceAcls[] = [];
  for (const p of principals) {
    text += `ACLs for principal \`${p}\`\n`;
    for (const g of groups) {
      const mine = g.entries.filter((e) => e.principal === p);
      if (mine.length === 0) continue;
      shown.push({ resource: g.resource, entries: mine });
      text += block('Current ACLs for resource', g.resource, mine);
    }
  }
  return { groups: shown, text };
}

/** --add: creates the ACLs resource by resource; returns Kafka's "Adding ACLs" text. */
export async function addAcls(client: KafkaClient, s: AclSpec): Promise<{ added: ResourceAcls[]; text: string }> {
  const pattern = patternOf(s);
  if (pattern !== PatternType.LITERAL && pattern !== PatternType.PREFIXED) throw new UsageError(`A '--resource-pattern-type' value of '${s.resourcePatternType}' is not valid when adding acls.`);
  const groups = resourceToAcls(s);
  if (groups.some((g) => g.entries.length === 0)) throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
  let text = '';
  for (const g of groups) {
    text += block('Adding ACLs for resource', g.resource, g.entries);
    await createAcls(client, g.entries.map((e) => ({ ...g.resource, ...e })));
  }
  return { added: groups, text };
}

/** What --remove will delete: each resource filter with its entries (none: every ACL of the filter). */
export const removalPlan = (s: AclSpec): ResourceAcls[] => resourceToAcls(s);

/** Kafka's confirmation question for one resource filter. */
export const removalQuestion = (g: ResourceAcls): string =>
  g.entries.length === 0
    ? `Are you sure you want to delete all ACLs for resource filter \`${formatResourcePattern(g.resource)}\`? (y/n)`
    : `Are you sure you want to remove ACLs: \n ${g.entries.map((e) => `\t${formatAccessControlEntry(e)}`).join('\n')} \n from resource filter \`${formatResourcePattern(g.resource)}\`? (y/n)`;

/** --remove for one confirmed resource filter; returns the deleted bindings. */
export async function removeAcls(client: KafkaClient, g: ResourceAcls): Promise<AclBinding[]> {
  const filters: AclFilter[] = g.entries.length === 0 ? [{ ...g.resource, ...ANY_ENTRY }] : g.entries.map((e) => ({ ...g.resource, ...e }));
  return deleteAcls(client, filters);
}
