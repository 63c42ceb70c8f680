/**
 * kafka-ts configs (kafka-configs.sh): its options and Kafka's rules for combining them (Kafka's
 * messages, in ConfigCommandOptions.checkArgs's order). Users' SCRAM credentials, client quotas
 * (users, clients, users and clients together, ips) and the configs of topics, brokers, broker
 * loggers, groups and client metrics.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import type { ActionChoice } from '../dispatch.js';

export interface ConfigsOptions {
  bootstrapServer?: string;
  bootstrapController?: string;
  commandConfig?: string;
  describe?: boolean;
  alter?: boolean;
  all?: boolean;
  entityType?: string[];
  entityName?: string[];
  entityDefault?: boolean;
  user?: string;
  userDefaults?: boolean;
  client?: string;
  clientDefaults?: boolean;
  topic?: string;
  broker?: string;
  brokerDefaults?: boolean;
  brokerLogger?: string;
  ip?: string;
  ipDefaults?: boolean;
  clientMetrics?: string;
  group?: string;
  addConfig?: string;
  addConfigFile?: string;
  deleteConfig?: string[];
  force?: boolean;
  listConfigs?: string;
  output: 'text' | 'json';
}

/** --describe / --alter, or the verbs `configs describe` / `configs alter`. */
export const ACTIONS: ActionChoice<'describe' | 'alter'>[] = [
  { key: 'describe', verbs: ['describe'] },
  { key: 'alter', verbs: ['alter'] },
];
export const DISPATCH = {
  exactlyOne: 'Command must include exactly one action: --describe, --alter',
  unknownVerb: (verb: string) => `unknown action '${verb}' (expected describe, alter)`,
};

export const ENTITY_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips', 'broker-loggers', 'client-metrics', 'groups'] as const;
/**
 * Every entity type is handled: topics, brokers, broker-loggers, groups and client-metrics through
 * (Incremental)AlterConfigs / DescribeConfigs (the broker answers what it supports); users through
 * the SCRAM APIs and, like clients and ips, the client-quota APIs (src/tools/quotas.ts).
 * These are the client-quota entity types (users: SCRAM credentials too).
 */
export const QUOTA_TYPES = ['users', 'clients', 'ips'];

/** Entity types whose default entity (--entity-default) exists. */
const DEFAULT_TYPES = ['users', 'clients', 'brokers', 'ips'];

/** Shortcut flags and the entity type each names (a `true` value means the default entity). */
const SHORTCUTS: [keyof ConfigsOptions, string][] = [
  ['topic', 'topics'],
  ['client', 'clients'],
  ['user', 'users'],
  ['broker', 'brokers'],
  ['brokerLogger', 'broker-loggers'],
  ['ip', 'ips'],
  ['clientMetrics', 'client-metrics'],
  ['group', 'groups'],
  ['clientDefaults', 'clients'],
  ['userDefaults', 'users'],
  ['brokerDefaults', 'brokers'],
  ['ipDefaults', 'ips'],
];

export interface ConfigsTarget {
  action: 'describe' | 'alter';
  entityType: string;
  /** undefined: every entity (describe); '': the default entity. */
  entityName?: string;
  /** Every entity type and name given (users and clients together: client quotas). */
  types: string[];
  names: string[];
  /** An --entity-name '' was given (read as the default entity, as Kafka reads it; messages say which). */
  emptyName?: boolean;
}

/** Kafka's checks (ConfigCommandOptions.checkArgs), in Kafka's order, then this version's limits. */
export function validate(o: ConfigsOptions): ConfigsTarget {
  if (!!o.describe === !!o.alter) throw new UsageError('Command must include exactly one action: --describe, --alter');
  if (o.describe) {
    const withDescribe = ([['alter', o.alter], ['add-config', o.addConfig], ['add-config-file', o.addConfigFile], ['delete-config', o.deleteConfig?.length]] as const).find(([, v]) => !!v);
    if (withDescribe) throw new UsageError(`Option "[describe]" can't be used with option "[${withDescribe[0]}]"`);
  }
  const shortcuts = SHORTCUTS.filter(([k]) => o[k] !== undefined && o[k] !== false);
  const explicit = (o.entityType?.length ?? 0) > 0 || (o.entityName?.length ?? 0) > 0 || !!o.entityDefault;
  const types = [...(o.entityType ?? []), ...shortcuts.map(([, t]) => t)];
  const dup = types.filter((t, i) => types.indexOf(t) !== i);
  if (dup.length > 0) throw new UsageError(`Duplicate entity type(s) specified: ${[...new Set(dup)].join(',')}`);
  for (const t of types) {
    if (!(ENTITY_TYPES as readonly string[]).includes(t)) {
      throw new UsageError(`Invalid entity type ${t}, the entity type must be one of ${ENTITY_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`);
    }
  }
  if (types.length === 0) throw new UsageError('At least one entity type must be specified');
  if (types.length > 1 && !(types.length === 2 && types.includes('users') && types.includes('clients'))) throw new UsageError("Only 'users' and 'clients' entity types may be specified together");
  if (shortcuts.length > 0 && explicit) throw new UsageError('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  const names = shortcuts.length > 0 ? shortcuts.map(([k]) => (o[k] === true ? '' : String(o[k]))) : [...(o.entityName ?? []), ...(o.entityDefault ? [''] : [])];
  const hasName = names.some((n) => n !== '');
  const hasDefault = names.some((n) => n === '');
  if (o.bootstrapController !== undefined) {
    if (o.bootstrapServer !== undefined) throw new UsageError('Only one of --bootstrap-server or --bootstrap-controller can be specified');
    throw new UsageError('--bootstrap-controller is not supported: kafka-ts configs talks to brokers (the local daemon has no separate controller listener); use --bootstrap-server');
  }
  const type = types[0]!;
  if (hasName && (type === 'brokers' || type === 'broker-loggers')) {
    const bad = names.find((n) => n !== '' && !/^-?\d+$/.test(n));
    if (bad !== undefined) throw new UsageError(`The entity name for ${type} must be a valid integer broker id, but it is: ${bad}`);
  }
  if (hasName && types.includes('ips')) {
    // Kafka also takes a host name it can resolve; the kafka-ts broker keeps quotas of addresses only.
    const bad = names.find((n) => n !== '' && isIP(n) === 0);
    if (bad !== undefined) throw new UsageError(`The entity name for ${type} must be a valid IP or resolvable host, but it is: ${bad}`);
  }
  const action = o.describe ? 'describe' : 'alter';
  if (action === 'describe') {
    if (!types.some((t) => DEFAULT_TYPES.includes(t)) && o.entityDefault) throw new UsageError(`--entity-default must not be specified with --describe of ${types.join(',')}`);
    if (type === 'broker-loggers' && !hasName) throw new UsageError(`An entity name must be specified with --describe of ${types.join(',')}`);
  } else {
    if (types.some((t) => DEFAULT_TYPES.includes(t))) {
      if (!hasName && !hasDefault) throw new UsageError('An entity-name or default entity must be specified with --alter of users, clients, brokers or ips');
    } else if (!hasName) throw new UsageError(`An entity name must be specified with --alter of ${types.join(',')}`);
    if (o.addConfig !== undefined && o.addConfigFile !== undefined) throw new UsageError('Only one of --add-config or --add-config-file must be specified');
    if (o.addConfig === undefined && o.addConfigFile === undefined && (o.deleteConfig?.length ?? 0) === 0) {
      throw new UsageError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    }
  }
  // Kafka's check before it connects (ConfigCommand.processCommand): users and clients together need a name (or default) each.
  if (action === 'alter' && names.length !== types.length) throw new UsageError('An entity name must be specified for every entity type');
  // This version's limits, after Kafka's checks.
  if (names.length > types.length) throw new UsageError('More entity names than entity types were given');
  if (o.all && (QUOTA_TYPES.includes(type) || action === 'alter')) throw new UsageError('--all can only be used with --describe of topics, brokers, broker-loggers, client-metrics and groups');
  if (type === 'client-metrics' && !hasName) throw new UsageError('An entity name must be specified with --describe of client-metrics (kafka-ts cannot list client-metrics resources)');
  // The default user is refused for SCRAM credentials once the configs are parsed (src/tools/configs.ts userScramChanges).
  return { action, entityType: type, entityName: names[0], types, names, ...((o.entityName ?? []).includes('') ? { emptyName: true } : {}) };
}
