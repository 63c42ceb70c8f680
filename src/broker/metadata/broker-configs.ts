/**
 * Broker-level configs for DescribeConfigs and (Incremental)AlterConfigs: the static values the
 * daemon started with, and the dynamic values set through the admin API per broker (resource
 * name "1") or cluster-wide (resource name ""), which live in the metadata log and so survive a
 * restart. Precedence, as in Kafka: per-broker dynamic, cluster default, static, Kafka's default.
 * Only Kafka's dynamic configs (DynamicBrokerConfig) can be altered, and names Kafka does not know
 * (kept and described as Kafka does, with a WARN that they have no effect); each logical broker
 * answers for its own id, node.id and log.dirs.
 */
import type { BrokerConfig } from '../config.js';
import { ConfigSource, ConfigType } from '../../protocol/topic-configs.js';
import { BROKER_CATALOGUE, isListenerKey, isMechanismJaasConfig } from '../../protocol/broker-config-catalogue.js';
import { brokerConfigSynonyms, brokerSynonymGroups, type ResolvedConfig } from './topic-configs.js';

/** The logical broker a description is for (every broker of the daemon shares one BrokerConfig). */
export interface BrokerIdentity {
  id: number;
  logDir: string;
}

type TypeName = keyof typeof ConfigType;

/**
 * KIP-226's per-broker TLS store keys (listener-prefixed keystore and truststore location and
 * type): altered per broker, the listener reloads its stores (src/broker/security/dynamic-tls.ts).
 */
export const DYNAMIC_TLS_KEY = /^listener\.name\.([^.]+)\.ssl\.(keystore|truststore)\.(location|type)$/;
export const isDynamicTlsKey = (name: string): boolean => DYNAMIC_TLS_KEY.test(name);
type Getter = (c: BrokerConfig, node: BrokerIdentity) => string;
const STATIC: [string, TypeName, Getter][] = [
  ['node.id', 'INT', (_c, n) => String(n.id)],
  ['broker.id', 'INT', (_c, n) => String(n.id)],
  ['log.dirs', 'STRING', (_c, n) => n.logDir],
  ['num.partitions', 'INT', (c) => String(c.numPartitions)],
  ['default.replication.factor', 'INT', (c) => String(c.defaultReplicationFactor)],
  ['auto.create.topics.enable', 'BOOLEAN', (c) => String(c.autoCreateTopics)],
  ['delete.topic.enable', 'BOOLEAN', (c) => String(c.deleteTopicEnable)],
  ['message.max.bytes', 'INT', (c) => String(c.messageMaxBytes)],
  ['socket.request.max.bytes', 'INT', (c) => String(c.socketRequestMaxBytes)],
  ['log.segment.bytes', 'INT', (c) => String(c.logSegmentBytes)],
  ['log.retention.bytes', 'LONG', (c) => String(c.logRetentionBytes)],
  ['log.index.interval.bytes', 'INT', (c) => String(c.logIndexIntervalBytes)],
  ['log.retention.check.interval.ms', 'LONG', (c) => String(c.logRetentionCheckIntervalMs)],
  ['log.cleanup.policy', 'LIST', (c) => c.logCleanupPolicy],
  ['log.cleaner.enable', 'BOOLEAN', (c) => String(c.logCleanerEnable)],
  ['log.cleaner.backoff.ms', 'LONG', (c) => String(c.logCleanerBackoffMs)],
  ['producer.id.expiration.ms', 'INT', (c) => String(c.producerIdExpirationMs)],
  ['compression.type', 'STRING', (c) => c.compressionType],
  ['min.insync.replicas', 'INT', (c) => String(c.minInsyncReplicas)],
  ['unclean.leader.election.enable', 'BOOLEAN', (c) => String(c.uncleanLeaderElection)],
  ['replica.lag.time.max.ms', 'LONG', (c) => String(c.replicaLagTimeMaxMs)],
  ['replica.fetch.max.bytes', 'INT', (c) => String(c.replicaFetchMaxBytes)],
  ['replica.fetch.response.max.bytes', 'INT', (c) => String(c.replicaFetchResponseMaxBytes)],
  ['replica.fetch.wait.max.ms', 'INT', (c) => String(c.replicaFetchWaitMaxMs)],
  ['replica.fetch.backoff.ms', 'INT', (c) => String(c.replicaFetchBackoffMs)],
  ['auto.leader.rebalance.enable', 'BOOLEAN', (c) => String(c.autoLeaderRebalanceEnable)],
  ['leader.imbalance.check.interval.seconds', 'LONG', (c) => String(Math.round(c.leaderImbalanceCheckIntervalMs / 1000))],
  ['leader.imbalance.per.broker.percentage', 'INT', (c) => String(c.leaderImbalancePerBrokerPercentage)],
  ['offsets.topic.num.partitions', 'INT', (c) => String(c.offsetsTopicNumPartitions)],
  ['offsets.topic.segment.bytes', 'INT', (c) => String(c.offsetsTopicSegmentBytes)],
  ['offsets.retention.minutes', 'INT', (c) => String(Math.round(c.offsetsRetentionMs / 60000))],
  ['offset.metadata.max.bytes', 'INT', (c) => String(c.offsetMetadataMaxBytes)],
  ['group.initial.rebalance.delay.ms', 'INT', (c) => String(c.groupInitialRebalanceDelayMs)],
  ['group.min.session.timeout.ms', 'INT', (c) => String(c.groupMinSessionTimeoutMs)],
  ['group.max.session.timeout.ms', 'INT', (c) => String(c.groupMaxSessionTimeoutMs)],
  ['group.max.size', 'INT', (c) => String(c.groupMaxSize)],
  ['max.connections', 'INT', (c) => String(c.maxConnections)],
  // Transactions (issue 16).
  ['transaction.state.log.num.partitions', 'INT', (c) => String(c.transactionStateLogNumPartitions)],
  ['transaction.state.log.replication.factor', 'SHORT', (c) => String(c.transactionStateLogReplicationFactor)],
  ['transaction.state.log.min.isr', 'INT', (c) => String(c.transactionStateLogMinIsr)],
  ['transaction.state.log.segment.bytes', 'INT', (c) => String(c.transactionStateLogSegmentBytes)],
  ['transaction.max.timeout.ms', 'INT', (c) => String(c.transactionMaxTimeoutMs)],
  ['transaction.abort.timed.out.transaction.cleanup.interval.ms', 'INT', (c) => String(c.transactionAbortTimedOutTransactionCleanupIntervalMs)],
  ['transactional.id.expiration.ms', 'INT', (c) => String(c.transactionalIdExpirationMs)],
  ['transaction.remove.expired.transaction.cleanup.interval.ms', 'INT', (c) => String(c.transactionRemoveExpiredTransactionCleanupIntervalMs)],
  ['transaction.partition.verification.enable', 'BOOLEAN', (c) => String(c.transactionPartitionVerificationEnable)],
];

/** The kafka-ts.* settings the daemon holds a value of (the others: as given, or the catalogue's default). */
const KAFKA_TS_VALUES: Record<string, Getter> = {
  'kafka-ts.brokers': (c) => String(c.brokerCount),
  'kafka-ts.queued.max.response.bytes': (c) => String(c.queuedMaxResponseBytes),
  'kafka-ts.max.partitions.per.request': (c) => String(c.maxPartitionsPerRequest),
  'kafka-ts.max.partitions': (c) => String(c.maxPartitions),
  'kafka-ts.max.open.files': (c) => String(c.maxOpenFiles ?? 0),
  'kafka-ts.offset.metadata.max.total.bytes': (c) => String(c.offsetMetadataMaxTotalBytes),
};

/**
 * kafka-ts's own broker settings (the kafka-ts.* keys of the broker catalogue), described as Kafka
 * describes every key of its broker config: the value in effect, STATIC_BROKER_CONFIG when set in
 * server.properties, --override or a server start flag, DEFAULT_CONFIG otherwise. Read-only.
 */
/** Settings whose default is not the catalogue's number but follows the heap limit (defaultMaxPartitions, defaultOffsetMetadataMaxTotalBytes). */
const HEAP_DERIVED = new Set(['kafka-ts.max.partitions', 'kafka-ts.offset.metadata.max.total.bytes']);

function kafkaTsEntries(config: BrokerConfig, node: BrokerIdentity): ResolvedConfig[] {
  const out: ResolvedConfig[] = [];
  for (const e of BROKER_CATALOGUE.entries) {
    if (!e.name.startsWith('kafka-ts.')) continue;
    const fallback = e.default === null ? '' : String(e.default);
    const value = KAFKA_TS_VALUES[e.name]?.(config, node) ?? config.explicit[e.name] ?? fallback;
    const set = config.explicit[e.name] !== undefined || (value !== fallback && !HEAP_DERIVED.has(e.name));
    const type = (e.type === 'enum' ? 'STRING' : e.type.toUpperCase()) as TypeName;
    out.push(entry(e.name, type in ConfigType ? type : 'STRING', [{ name: e.name, value, source: set ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG }]));
  }
  return out;
}

/**
 * The listeners' security and authorization settings (README: Broker security), described as Kafka
 * describes them: the value set in the properties (STATIC_BROKER_CONFIG; a config provider's
 * reference as written, never what it resolved to) or Kafka's default, and every
 * listener.name.<listener>.* key given. Passwords, JAAS configs, inline keys and keys of unknown
 * type are sensitive (Kafka's KafkaConfig.maybeSensitive): no value, isSensitive=true.
 */
const SECURITY_KEYS = new Set([
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'super.users',
  'authorizer.class.name',
  'allow.everyone.if.no.acl.found',
  'principal.builder.class',
  'connections.max.reauth.ms',
  'connection.failed.authentication.delay.ms',
  'config.providers',
]);
const isSecurityEntry = (name: string) => SECURITY_KEYS.has(name) || name.startsWith('ssl.') || name.startsWith('sasl.');

const typeName = (t: string): TypeName => {
  const name = (t === 'enum' ? 'STRING' : t.toUpperCase()) as TypeName;
  return name in ConfigType ? name : 'STRING';
};

/** The catalogue's type of a key, listener prefix removed (`<mechanism>.sasl.jaas.config` is a JAAS config); undefined when unknown. */
function securityType(name: string): TypeName | undefined {
  const setting = /^listener\.name\.[^.]+\.(.+)$/.exec(name)?.[1] ?? name;
  const e = BROKER_CATALOGUE.byName.get(setting);
  if (e) return typeName(e.type);
  return isMechanismJaasConfig(setting) ? 'PASSWORD' : undefined;
}

function securityEntries(config: BrokerConfig): ResolvedConfig[] {
  const out: ResolvedConfig[] = [];
  const describe = (name: string, fallback: string | null) => {
    const type = securityType(name);
    const given = config.providerReferences[name] ?? config.explicit[name];
    let value = given ?? fallback ?? '';
    if (name === 'listeners') value = config.listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`).join(',');
    const set = given !== undefined || (name === 'listeners' && config.explicit['port'] !== undefined);
    const e = entry(name, type ?? 'PASSWORD', [{ name, value, source: set ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG }]);
    out.push({ ...e, sensitive: type === undefined || type === 'PASSWORD' });
  };
  for (const e of BROKER_CATALOGUE.entries) {
    if (isSecurityEntry(e.name)) describe(e.name, e.default === null ? null : Array.isArray(e.default) ? e.default.join(',') : String(e.default));
  }
  for (const name of Object.keys(config.explicit)) if (name.startsWith('listener.name.')) describe(name, null);
  return out;
}

const LONG_MAX = '9223372036854775807';

interface DynamicDef {
  type: TypeName;
  /** Kafka's default, for a dynamic config the daemon has no static setting of. */
  default?: string;
  min?: number;
  oneOf?: readonly string[];
}

/**
 * Kafka's dynamic broker configs (DynamicBrokerConfig: the log defaults, the cleaner, the thread
 * pools, replication quotas, connection limits). The log defaults apply at once to every topic
 * without an override (retention, segment rolling, max.message.bytes, cleanup policy); the
 * thread-pool sizes are accepted, stored and described (the daemon has no such pools).
 */
export const DYNAMIC_BROKER_CONFIGS: Record<string, DynamicDef> = {
  'leader.replication.throttled.rate': { type: 'LONG', default: LONG_MAX, min: 0 },
  'follower.replication.throttled.rate': { type: 'LONG', default: LONG_MAX, min: 0 },
  'replica.alter.log.dirs.io.max.bytes.per.second': { type: 'LONG', default: LONG_MAX, min: 0 },
  'message.max.bytes': { type: 'INT', min: 0 },
  'log.retention.ms': { type: 'LONG', min: -1 },
  'log.retention.bytes': { type: 'LONG' },
  'log.segment.bytes': { type: 'INT', min: 14 },
  'log.roll.ms': { type: 'LONG', min: 1 },
  'log.index.interval.bytes': { type: 'INT', min: 0 },
  // Kafka: ValidList.in(compact, delete), listed in that order in its messages.
  'log.cleanup.policy': { type: 'LIST', oneOf: ['compact', 'delete'] },
  'log.cleaner.backoff.ms': { type: 'LONG', min: 0 },
  'log.cleaner.threads': { type: 'INT', default: '1', min: 0 },
  'log.cleaner.io.max.bytes.per.second': { type: 'DOUBLE', default: '1.7976931348623157E308' },
  'log.cleaner.dedupe.buffer.size': { type: 'LONG', default: '134217728' },
  'log.cleaner.delete.retention.ms': { type: 'LONG', default: '86400000', min: 0 },
  'log.cleaner.min.compaction.lag.ms': { type: 'LONG', default: '0', min: 0 },
  'log.cleaner.min.cleanable.ratio': { type: 'DOUBLE', default: '0.5' },
  'log.flush.interval.ms': { type: 'LONG', default: LONG_MAX },
  'log.flush.interval.messages': { type: 'LONG', default: LONG_MAX, min: 1 },
  'log.segment.delete.delay.ms': { type: 'LONG', default: '60000', min: 0 },
  'log.preallocate': { type: 'BOOLEAN', default: 'false' },
  'log.message.timestamp.type': { type: 'STRING', default: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'] },
  'compression.type': { type: 'STRING', oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  'min.insync.replicas': { type: 'INT', min: 1 },
  'unclean.leader.election.enable': { type: 'BOOLEAN' },
  'num.io.threads': { type: 'INT', default: '8', min: 1 },
  'num.network.threads': { type: 'INT', default: '3', min: 1 },
  'num.replica.fetchers': { type: 'INT', default: '1', min: 1 },
  'num.recovery.threads.per.data.dir': { type: 'INT', default: '2', min: 1 },
  'background.threads': { type: 'INT', default: '10', min: 1 },
  'max.connections': { type: 'INT', min: 0 },
  'max.connections.per.ip': { type: 'INT', default: '2147483647', min: 0 },
  'max.connection.creation.rate': { type: 'INT', default: '2147483647', min: 0 },
  'producer.id.expiration.ms': { type: 'INT', min: 1 },
  'transaction.partition.verification.enable': { type: 'BOOLEAN' },
};

/**
 * A broker config name neither Kafka nor kafka-ts knows (my.plugin.setting): Kafka accepts it as a
 * dynamic config (DynamicBrokerConfig refuses only known static names), stores it and describes
 * it as sensitive with an unknown type; kafka-ts does the same, and logs that it has no effect.
 */
export function isCustomBrokerConfig(name: string): boolean {
  if (name in DYNAMIC_BROKER_CONFIGS || BROKER_CATALOGUE.byName.has(name)) return false;
  if (isListenerKey(name) || isMechanismJaasConfig(name) || STATIC.some(([n]) => n === name)) return false;
  return !brokerSynonymGroups().some((g) => g.keys.includes(name));
}

/** A custom config's entry: sensitive (so its value is hidden), type UNKNOWN, read-only, as Kafka describes it. */
function customEntry(name: string, synonyms: ResolvedConfig['synonyms']): ResolvedConfig {
  return { name, value: synonyms[0]!.value, source: synonyms[0]!.source, type: 0, synonyms, sensitive: true };
}

/** Scala's Set rendering, which Kafka's messages show: Set(a, b). */
const scalaSet = (names: readonly string[]) => `Set(${names.join(', ')})`;

/**
 * Kafka's validation of a dynamic broker config change (DynamicBrokerConfig.validate): names
 * first ("Cannot update these configs dynamically: Set(…)"), then each value's type and range.
 * Returns the message (Kafka answers INVALID_REQUEST with it) or null.
 */
export function validateBrokerConfigs(configs: Record<string, string>): string | null {
  // Kafka refuses only the names it knows as static (DynamicConfig.Broker.nonDynamicProps); a name
  // it does not know at all is kept (a plugin may read it): see isCustomBrokerConfig.
  const notDynamic = Object.keys(configs).filter((n) => !(n in DYNAMIC_BROKER_CONFIGS) && !isCustomBrokerConfig(n));
  if (notDynamic.length > 0) return `Cannot update these configs dynamically: ${scalaSet(notDynamic)}`;
  for (const [name, raw] of Object.entries(configs)) {
    const def = DYNAMIC_BROKER_CONFIGS[name];
    if (!def) continue;
    const v = raw.trim();
    const bad = (why: string) => `Invalid value ${raw} for configuration ${name}: ${why}`;
    if ((def.type === 'INT' || def.type === 'LONG') && !/^-?\d+$/.test(v)) return bad(`Not a number of type ${def.type}`);
    if (def.type === 'INT' && Math.abs(Number(v)) > 2147483647) return bad('Not a number of type INT');
    if (def.type === 'DOUBLE' && (v === '' || !Number.isFinite(Number(v)))) return bad('Not a number of type DOUBLE');
    if (def.type === 'BOOLEAN' && !/^(true|false)$/i.test(v)) return bad('Expected value to be either true or false');
    if (def.min !== undefined && Number(v) < def.min) return bad(`Value must be at least ${def.min}`);
    if (def.oneOf) {
      // Kafka's ValidList names the first element that is not allowed, not the whole list.
      const items = def.type === 'LIST' ? v.split(',').map((s) => s.trim()) : [v];
      const wrong = items.find((x) => !def.oneOf!.includes(x));
      if (wrong !== undefined) return `Invalid value ${def.type === 'LIST' ? wrong : raw} for configuration ${name}: String must be one of: ${def.oneOf.join(', ')}`;
    }
  }
  return null;
}

/**
 * Kafka's LogCleaner.validateReconfiguration, run on the broker that takes the change: the cleaner
 * threads it would run after it (`next`) against those it runs now (`current`): at least 1, not
 * below half (integer division) nor above double the current value. Kafka's broker answers
 * INVALID_REQUEST "Invalid dynamic configuration" (its cause, the words below, in its log); the
 * message here carries both. Null when the change is allowed.
 */
export function cleanerThreadsProblem(current: number, next: number): string | null {
  const why =
    next < 1
      ? 'Log cleaner threads should be at least 1'
      : next < Math.trunc(current / 2)
        ? `Log cleaner threads cannot be reduced to less than half the current value ${current}`
        : next > current * 2
          ? `Log cleaner threads cannot be increased to more than double the current value ${current}`
          : null;
  return why && `Invalid dynamic configuration: ${why}`;
}

function entry(name: string, type: TypeName, synonyms: ResolvedConfig['synonyms']): ResolvedConfig {
  return { name, value: synonyms[0]!.value, source: synonyms[0]!.source, type: ConfigType[type], synonyms };
}

/** Every config of one broker, as that broker describes itself (Kafka: allConfigs(config)). */
export function resolveBrokerConfigs(config: BrokerConfig, node: BrokerIdentity, dynamic: Record<string, string>, clusterDefaults: Record<string, string>): ResolvedConfig[] {
  const dynamicSynonyms = (name: string): ResolvedConfig['synonyms'] => [
    ...(dynamic[name] !== undefined ? [{ name, value: dynamic[name]!, source: ConfigSource.DYNAMIC_BROKER_CONFIG }] : []),
    ...(clusterDefaults[name] !== undefined ? [{ name, value: clusterDefaults[name]!, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }] : []),
  ];
  const seen = new Set<string>();
  // Keys that are one setting under several names (log.retention.ms/minutes/hours): each described
  // as it is set, null when it is not, with Kafka's synonyms (none before a value of its own).
  const grouped: ResolvedConfig[] = [];
  for (const group of brokerSynonymGroups()) {
    for (const name of group.keys) {
      seen.add(name);
      const synonyms = brokerConfigSynonyms(name, group.keys, group.defaults, config, { broker: dynamic, defaults: clusterDefaults });
      const value = dynamic[name] ?? clusterDefaults[name] ?? config.explicit[name] ?? group.defaults[name] ?? null;
      const type = name.endsWith('.ms') ? 'LONG' : 'INT';
      grouped.push({ name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, type: ConfigType[type], synonyms });
    }
  }
  const out: ResolvedConfig[] = STATIC.map(([name, type, get]) => {
    seen.add(name);
    const value = get(config, node);
    const source = config.explicit[name] !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    return entry(name, type, [...(name in DYNAMIC_BROKER_CONFIGS ? dynamicSynonyms(name) : []), { name, value, source }]);
  });
  for (const [name, def] of Object.entries(DYNAMIC_BROKER_CONFIGS)) {
    if (seen.has(name)) continue;
    out.push(entry(name, def.type, [...dynamicSynonyms(name), { name, value: def.default ?? '', source: ConfigSource.DEFAULT_CONFIG }]));
  }
  out.push(...grouped);
  for (const e of kafkaTsEntries(config, node)) if (!seen.has(e.name)) out.push(e);
  // KIP-226: this broker's listener keystore/truststore values (per broker only, never a cluster default).
  for (const [name, value] of Object.entries(dynamic)) {
    if (!isDynamicTlsKey(name)) continue;
    out.push(entry(name, 'STRING', [{ name, value, source: ConfigSource.DYNAMIC_BROKER_CONFIG }]));
    seen.add(name);
  }
  for (const e of securityEntries(config)) if (!seen.has(e.name)) out.push(e);
  for (const name of new Set([...Object.keys(dynamic), ...Object.keys(clusterDefaults)])) {
    if (isCustomBrokerConfig(name)) out.push(customEntry(name, dynamicSynonyms(name)));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The cluster-wide default resource (name ""): only its dynamic values, as Kafka describes it. */
export function resolveClusterDefaultConfigs(clusterDefaults: Record<string, string>): ResolvedConfig[] {
  return Object.entries(clusterDefaults)
    .filter(([name]) => name in DYNAMIC_BROKER_CONFIGS || isCustomBrokerConfig(name))
    .map(([name, value]) => {
      const synonyms = [{ name, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }];
      return name in DYNAMIC_BROKER_CONFIGS ? entry(name, DYNAMIC_BROKER_CONFIGS[name]!.type, synonyms) : customEntry(name, synonyms);
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
