/**
 * kafka-ts configs (kafka-configs.sh): its options and Kafka's rules for combining them. This
 * version manages users' SCRAM credentials and the configs of topics and brokers; the other
 * entity types are refused by name.
 */
import { UsageError } from '../errors.js';

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
  output: 'text' | 'json';
}

export const ENTITY_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips', 'broker-loggers', 'client-metrics', 'groups'] as const;
/** The entity types this version handles. */
export const SUPPORTED_TYPES = ['users', 'topics', 'brokers', 'clients', 'ips'];

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
}

/** Kafka's checks (ConfigCommandOptions.checkArgs), then this version's limits. */
export function validate(o: ConfigsOptions): ConfigsTarget {
  if (!!o.describe === !!o.alter) throw new UsageError('Command must include exactly one action: --describe, --alter');
  if (o.bootstrapServer !== undefined && o.bootstrapController !== undefined) throw new UsageError('Only one of --bootstrap-server or --bootstrap-controller can be specified');
  const shortcuts = SHORTCUTS.filter(([k]) => o[k] !== undefined && o[k] !== false);
  const explicit = (o.entityType?.length ?? 0) > 0 || (o.entityName?.length ?? 0) > 0 || !!o.entityDefault;
  if (shortcuts.length > 0 && explicit) throw new UsageError('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  let types: string[];
  let names: string[];
  if (shortcuts.length > 0) {
    types = shortcuts.map(([, t]) => t);
    names = shortcuts.map(([k]) => (o[k] === true ? '' : String(o[k])));
  } else {
    types = o.entityType ?? [];
    names = [...(o.entityName ?? []), ...(o.entityDefault ? [''] : [])];
  }
  if (types.length === 0) throw new UsageError('At least one entity type must be specified');
  const dup = types.filter((t, i) => types.indexOf(t) !== i);
  if (dup.length > 0) throw new UsageError(`Duplicate entity type(s) specified: ${[...new Set(dup)].join(',')}`);
  for (const t of types) {
    if (!(ENTITY_TYPES as readonly string[]).includes(t)) {
      throw new UsageError(`Invalid entity type ${t}, the entity type must be one of ${ENTITY_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`);
    }
  }
  if (types.length > 1 && !(types.length === 2 && types.includes('users') && types.includes('clients'))) throw new UsageError("Only 'users' and 'clients' entity types may be specified together");
  const unsupported = types.filter((t) => !SUPPORTED_TYPES.includes(t));
  if (unsupported.length > 0) {
    throw new UsageError(`--entity-type ${unsupported.join(' and ')} is not supported by kafka-ts configs yet: this version handles users (SCRAM credentials, quotas), clients and ips (quotas), topics and brokers`);
  }
  const action = o.describe ? 'describe' : 'alter';
  if (action === 'describe' && (o.addConfig !== undefined || o.addConfigFile !== undefined || (o.deleteConfig?.length ?? 0) > 0)) {
    throw new UsageError('--add-config, --add-config-file and --delete-config can only be used with --alter');
  }
  const type = types[0]!;
  if (type === 'topics' && names[0] === '') {
    throw new UsageError(action === 'describe' ? '--entity-default must not be specified with --describe of topics' : 'An entity name must be specified with --alter of topics');
  }
  if (type === 'brokers' && names[0] !== undefined && names[0] !== '' && !/^-?\d+$/.test(names[0])) {
    throw new UsageError(`The entity name for brokers must be a valid integer broker id, but it is: ${names[0]}`);
  }
  if (action === 'alter') {
    if (type === 'topics' && names.length === 0) throw new UsageError('An entity name must be specified with --alter of topics');
    if (names.length !== types.length) throw new UsageError('An entity name must be specified for every entity type');
    if (o.addConfig !== undefined && o.addConfigFile !== undefined) throw new UsageError('Only one of --add-config or --add-config-file must be specified');
    if (o.addConfig === undefined && o.addConfigFile === undefined && (o.deleteConfig?.length ?? 0) === 0) {
      throw new UsageError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    }
  }
  if (names.length > types.length) throw new UsageError('More entity names than entity types were given');
  if (o.all && (['users', 'clients', 'ips'].includes(type) || action === 'alter')) throw new UsageError('--all can only be used with --describe of topics, brokers, broker-loggers, client-metrics and groups');
  return { action, entityType: type, entityName: names[0], types, names };
}
