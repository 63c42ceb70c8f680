/**
 * What `kafka-ts configs` does (kafka-configs.sh): Kafka's --add-config grammar, users' SCRAM
 * credential changes and their describe layout. Passwords are never part of a message or a
 * result: errors name the mechanism, never the value.
 */
import { FailedError, NotFoundError, UsageError } from '../util/errors.js';
import { isScramMechanism, MAX_ITERATIONS, MIN_ITERATIONS, type ScramMechanism } from '../util/scram.js';
import type { DescribeScramResult, ScramDeletion, ScramUpsertion } from '../client/scram-credentials.js';
import { RESOURCE_BROKER, RESOURCE_TOPIC, type Admin, type ConfigEntry } from '../client/admin.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import { topicNameProblem } from '../protocol/topic-name.js';

/** Kafka's default iterations for a credential given without them. */
export const DEFAULT_ITERATIONS = 4096;

/** Splits at commas outside [...], as Kafka's ConfigCommand does. */
const OUTSIDE_BRACKETS = '(?=[^\\]]*(?:\\[|$))';

/**
 * Kafka's --add-config grammar: `k1=v1,k2=[a,b],k3=` — commas inside brackets do not split, trailing commas are ignored, the
 * brackets around a value are removed, whitespace around '=' is ignored, keys are
 * [$a-zA-Z0-9._-]*. Errors never quote a value (it may be a password).
 */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const items = text.split(new RegExp(`,${OUTSIDE_BRACKETS}`));
  // Java's String.split drops trailing empty entries ('retention.ms=6000,' is one config); an
  // empty entry before another stays an error, as in Kafka. An empty text has no separator, so
  // Java keeps its one empty entry: --add-config '' is Kafka's error, not a change of nothing
  // (nor is ',', which Java splits to no entries at all).
  while (items.length > 1 && items[items.length - 1] === '') items.pop();
  const invalid = () => new UsageError('Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas.');
  if (items.length === 1 && items[0] === '') throw invalid();
  for (const item of items) {
    const pair = item.split(new RegExp(`\\s*=\\s*${OUTSIDE_BRACKETS}`));
    if (pair.length !== 2) throw invalid();
    const key = pair[0]!.trim();
    if (!/^[$a-zA-Z0-9._-]*$/.test(key)) throw new UsageError(`Invalid character found for config key: ${key}`);
    let value = pair[1]!.trim();
    if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
    // Kafka keeps the last value silently; one of the two is a mistake, so say so.
    if (Object.hasOwn(out, key)) throw new UsageError(`Invalid entity config: ${key} is given more than once`);
    out[key] = value.trim();
  }
  return out;
}

/** The same key both set and deleted: Kafka's broker refuses the request ("duplicate config keys"); refused before connecting. */
export function checkNoConflicts(add: Record<string, string>, del: readonly string[]): void {
  const both = del.filter((k) => Object.hasOwn(add, k));
  if (both.length > 0) throw new UsageError(`Invalid entity config: ${both.join(',')} is both added (--add-config) and deleted (--delete-config)`);
}

/**
 * --delete-config values: each may hold several names separated by commas (empty ones between
 * names are dropped). Names no config at all (--delete-config ''): Kafka's "Invalid config(s): "
 * for a name no topic has (exit 1), said before anything is sent, with what was given.
 */
export function parseDeleteConfig(values: readonly string[] | undefined): string[] {
  const names = (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (values !== undefined && values.length > 0 && names.length === 0) throw new FailedError(`Invalid config(s): ${values.map((v) => `'${v}'`).join(', ')} (--delete-config names no config)`);
  return names;
}

const QUOTA_KEYS = new Set(['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate']);

/** `[iterations=N,]password=P` → the iterations and password (Kafka's pattern). */
export function parseCredential(mechanism: ScramMechanism, value: string): { iterations: number; password: string } {
  const m = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(value);
  if (!m) throw new UsageError(`Invalid credential property ${mechanism}: expected ${mechanism}=[iterations=N,password=PASSWORD] (iterations optional, before password)`);
  const iterations = m[1] !== undefined && m[1] !== '' && m[1] !== '-1' ? Number(m[1]) : DEFAULT_ITERATIONS;
  if (iterations < MIN_ITERATIONS) throw new UsageError(`Iterations ${iterations} is less than the minimum ${MIN_ITERATIONS} required for ${mechanism}`);
  if (iterations > MAX_ITERATIONS) throw new UsageError(`Iterations ${iterations} is more than the maximum ${MAX_ITERATIONS} allowed for ${mechanism}`);
  // Kafka would take "password=x,iterations=8192" as the password "x,iterations=8192".
  if (/,iterations=-?[0-9]*$/.test(m[2]!)) throw new UsageError(`Invalid credential property ${mechanism}: iterations= must come before password=`);
  if (m[2] === '') throw new UsageError(`Invalid credential property ${mechanism}: the password is empty`);
  return { iterations, password: m[2]! };
}

/** The SCRAM changes an --alter of one user asks for, with Kafka's checks. */
export function userScramChanges(user: string, add: Record<string, string>, del: readonly string[], emptyName = false): { upsertions: ScramUpsertion[]; deletions: ScramDeletion[] } {
  const unknownAdd = Object.keys(add).filter((k) => !isScramMechanism(k) && !QUOTA_KEYS.has(k));
  if (unknownAdd.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${unknownAdd.join(',')}`);
  const unknownDel = del.filter((k) => !isScramMechanism(k) && !QUOTA_KEYS.has(k));
  if (unknownDel.length > 0) throw new UsageError(`Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${unknownDel.join(',')}`);
  // Quota keys went to src/tools/quotas.ts (wantsQuotaChange) before this.
  // An empty --entity-name reads as the default entity too: say what was given, not a flag that was not.
  if (user === '' && emptyName) throw new UsageError("The user name given with --entity-name is empty: SCRAM credentials belong to a named user (--entity-name alice)");
  if (user === '') throw new UsageError('The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.');
  const both = del.filter((k) => Object.hasOwn(add, k));
  if (both.length > 0) throw new UsageError(`${both.join(',')} is both added and deleted; give it once`);
  const upsertions = Object.entries(add).map(([mechanism, value]) => ({ user, mechanism: mechanism as ScramMechanism, ...parseCredential(mechanism as ScramMechanism, value) }));
  const deletions = [...new Set(del)].map((mechanism) => ({ user, mechanism: mechanism as ScramMechanism }));
  return { upsertions, deletions };
}

/** Kafka's describe lines: "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, …". */
export function describeUsersLines(r: DescribeScramResult): string[] {
  return [
    ...r.users.map((u) => `SCRAM credential configs for user-principal '${u.user}' are ${u.credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}`),
    ...r.errors.map((e) => `Error retrieving SCRAM credential configs for user-principal '${e.user}': ${e.error.errorName}: ${e.error.message}`),
  ];
}

export function describeUsersJson(r: DescribeScramResult) {
  return {
    users: r.users.map((u) => ({ user: u.user, scramCredentials: u.credentials })),
    ...(r.errors.length > 0 && { errors: r.errors.map((e) => ({ user: e.user, error: e.error.errorName, message: e.error.message })) }),
  };
}

/** A deletion of a mechanism the user does not have: the broker's RESOURCE_NOT_FOUND, said plainly. */
export function missingCredentialError(user: string, deletions: readonly ScramDeletion[]): NotFoundError {
  return new NotFoundError(`User ${user} has no ${deletions.map((d) => d.mechanism).join(' or ')} credential to delete`);
}

/** DescribeConfigs config_source values by name, as Kafka's tool prints them. */
export const SOURCE_NAMES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'DYNAMIC_CLIENT_METRICS_CONFIG',
  8: 'DYNAMIC_GROUP_CONFIG',
};

/** The entity types whose configs DescribeConfigs / IncrementalAlterConfigs carry. */
export type ResourceType = 'topics' | 'brokers' | 'broker-loggers' | 'groups' | 'client-metrics';
export const RESOURCE_CODE: Record<ResourceType, number> = { topics: RESOURCE_TOPIC, brokers: RESOURCE_BROKER, 'broker-loggers': 8, 'client-metrics': 16, groups: 32 };
export const isResourceType = (t: string): t is ResourceType => t in RESOURCE_CODE;

/** The source a --describe without --all lists: the entity's dynamic configs. */
export const dynamicSource = (type: ResourceType, name: string): number =>
  ({ topics: 1, brokers: name === '' ? 3 : 2, 'broker-loggers': 6, 'client-metrics': 7, groups: 8 })[type];

export interface EntityConfigs {
  entity: string;
  entries: ConfigEntry[];
}

/** Kafka's singular: the entity type without its final s ("broker-logger", "client-metric"). */
const singular = (type: ResourceType) => type.slice(0, -1);

/** Kafka's --describe layout: a header per entity, then its entries sorted by name. */
export function describeResourceLines(type: ResourceType, list: readonly EntityConfigs[], all: boolean): string[] {
  const lines: string[] = [];
  for (const { entity, entries } of list) {
    lines.push(entity === '' ? `Default configs for ${type} in the cluster are:` : `${all ? 'All' : 'Dynamic'} configs for ${singular(type)} ${entity} are:`);
    for (const e of shown(type, entity, entries, all)) {
      const synonyms = e.synonyms.map((s) => `${SOURCE_NAMES[s.source] ?? 'UNKNOWN'}:${s.name}=${s.value}`).join(', ');
      lines.push(`  ${e.name}=${e.isSensitive ? null : e.value} sensitive=${e.isSensitive} synonyms={${synonyms}}`);
    }
  }
  return lines;
}

const shown = (type: ResourceType, entity: string, entries: readonly ConfigEntry[], all: boolean): ConfigEntry[] =>
  entries.filter((e) => all || e.source === dynamicSource(type, entity)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export function describeResourceJson(type: ResourceType, list: readonly EntityConfigs[], all: boolean) {
  return {
    entityType: type,
    entities: list.map(({ entity, entries }) => ({
      name: entity === '' ? null : entity,
      default: entity === '',
      configs: shown(type, entity, entries, all).map((e) => ({
        name: e.name,
        value: e.value,
        sensitive: e.isSensitive,
        source: SOURCE_NAMES[e.source] ?? 'UNKNOWN',
        synonyms: e.synonyms.map((s) => ({ name: s.name, value: s.value, source: SOURCE_NAMES[s.source] ?? 'UNKNOWN' })),
      })),
    })),
  };
}

/** What the commands needs besides the Admin: the group listing, for --describe of every group. */
export interface ResourceLister {
  listGroups(): Promise<string[]>;
}

/**
 * --describe: the named entity, or every one (topics; brokers and the cluster default; groups).
 * Broker resources are asked of each broker itself (Admin routes them), as Kafka's admin client does.
 */
export async function describeResources(admin: Admin, type: ResourceType, name: string | undefined, all: boolean, lister?: ResourceLister): Promise<EntityConfigs[]> {
  let entities: string[];
  if (name !== undefined) {
    // Kafka's tool checks a topic name before asking for it (Topic.validate): not "doesn't exist".
    const invalid = type === 'topics' ? topicNameProblem(name) : null;
    if (invalid !== null) throw new FailedError(invalid);
    if ((type === 'topics' || type === 'brokers' || type === 'broker-loggers') && !(await exists(admin, type, name))) {
      const text = `The ${singular(type)} '${name}' doesn't exist and doesn't have dynamic config.`;
      throw new NotFoundError(text, { stdout: text });
    }
    entities = [name];
  } else if (type === 'topics') entities = (await admin.listTopics()).map((t) => t.name);
  else if (type === 'groups') entities = lister ? (await lister.listGroups()).sort() : [];
  else entities = [...(await brokerIds(admin)), ''];
  const configs = await admin.describeConfigs(entities.map((e) => ({ type: RESOURCE_CODE[type], name: e })), true);
  return entities.map((e) => ({ entity: e, entries: configs.get(`${RESOURCE_CODE[type]}:${e}`) ?? [] }));
}

const brokerIds = async (admin: Admin): Promise<string[]> => (await admin.describeCluster()).brokers.map((b) => String(b.nodeId)).sort((a, b) => Number(a) - Number(b));

async function exists(admin: Admin, type: ResourceType, name: string): Promise<boolean> {
  if (type === 'topics') return (await admin.listTopics()).some((t) => t.name === name);
  return name === '' || (await brokerIds(admin)).includes(name);
}

/**
 * Warnings for configs just set that the broker documents as having no effect (a kafka-ts broker
 * says "No effect in kafka-ts: why." in DescribeConfigs' documentation; Apache Kafka's brokers
 * never do): accepted, as Kafka accepts them, but never in silence. Asking fails quietly: the
 * change itself was made.
 */
export async function noEffectWarnings(admin: Admin, resourceType: number, name: string, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const docs = await admin.configDocumentation(resourceType, name, keys).catch(() => new Map<string, string>());
  const out: string[] = [];
  for (const k of keys) {
    const why = /No effect in kafka-ts: (.*?)\.?$/.exec(docs.get(k) ?? '')?.[1];
    if (why) out.push(`WARN ${k} has no effect on this kafka-ts broker: ${why}`);
  }
  return out;
}

/**
 * --alter: incremental SET and DELETE (Kafka's IncrementalAlterConfigs); the broker validates
 * names and values and answers with Kafka's messages. Deleting a config that is not set
 * dynamically is Kafka's "Invalid config(s): …" (exit 1) and changes nothing; a broker that is
 * not in the cluster is "not found" (exit 4) before anything is sent.
 */
export async function alterResource(admin: Admin, type: ResourceType, name: string, add: Record<string, string>, del: readonly string[]): Promise<string> {
  if ((type === 'brokers' || type === 'broker-loggers') && name !== '' && !(await exists(admin, type, name))) throw new NotFoundError(`Broker ${name} is not in the cluster (brokers: ${(await brokerIds(admin)).join(', ')})`);
  if (type === 'broker-loggers') {
    // Kafka's tool checks the names against the broker's loggers first.
    const [current] = await describeResources(admin, type, name, true);
    const loggers = new Set(current!.entries.map((e) => e.name));
    const invalid = [...del, ...Object.keys(add)].filter((k) => !loggers.has(k));
    if (invalid.length > 0) throw new FailedError(`Invalid broker logger(s): ${invalid.join(',')}`);
  } else if (del.length > 0) {
    const [current] = await describeResources(admin, type, name, true);
    const dynamic = new Set(current!.entries.filter((e) => e.source === dynamicSource(type, name)).map((e) => e.name));
    const invalid = del.filter((k) => !dynamic.has(k));
    if (invalid.length > 0) throw new FailedError(`Invalid config(s): ${invalid.join(',')}`);
  }
  const changes: Record<string, string | null> = {};
  for (const k of del) changes[k] = null;
  Object.assign(changes, add);
  try {
    await admin.alterConfigs(RESOURCE_CODE[type], name, changes);
  } catch (e) {
    // A missing topic is "not found" (exit 4), as --describe of it is.
    if (e instanceof KafkaProtocolError && e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new NotFoundError(`Topic '${name}' does not exist`);
    throw e;
  }
  return name === '' ? `Completed updating default config for ${type} in the cluster.` : `Completed updating config for ${singular(type)} ${name}.`;
}
