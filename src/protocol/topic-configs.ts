/**
 * Kafka's topic-level configs: defaults, the broker config each one inherits from, types for
 * DescribeConfigs, and validation with Kafka's error messages. Values are kept as strings, as
 * Kafka's admin API carries them. The catalogue is shared: the broker resolves and validates
 * configs with it (src/broker/metadata/topic-configs.ts), and `kafka-ts topics` checks names.
 */
import { defineCatalogue, parseDouble, type Catalogue, type ConfigEntry, type ConfigValue } from '../util/config-catalogue.js';

/** DescribeConfigs config_type values (v3+). */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
/** DescribeConfigs config_source values (v1+). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

const LONG_MAX = '9223372036854775807';

export interface TopicConfigDef {
  name: string;
  type: keyof typeof ConfigType;
  default: string;
  /** The broker config a topic inherits this value from, if any. */
  brokerKey?: string;
  /** Returns an error text (after "Invalid value X for configuration Y: ") or null. */
  validate?: (v: string) => string | null;
  /** What the broker does with it: supported unless said (see src/util/config-catalogue.ts). */
  support?: 'no-effect';
  /** Why a no-effect config changes nothing here. */
  note?: string;
  /** A value the broker cannot honour: Kafka's refusal text, or null. */
  refuse?: (v: string) => string | null;
}

const LZ4_LEVEL = 'the broker recompresses lz4 at the library\'s one level (lz4-napi takes none)';
const TIERED = 'kafka-ts has no tiered storage: every segment stays on the local disk';
const noEffect = (note: string) => ({ support: 'no-effect' as const, note });
/** Kafka's text when a topic asks for remote storage on a broker without it. */
export const TIERED_STORAGE_DISABLED = 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.';
const between = (min: number, max: number) => (v: string) => (Number(v) < min ? `Value must be at least ${min}` : Number(v) > max ? `Value must be no more than ${max}` : null);

const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v) ? null : `String must be one of: ${allowed.join(', ')}`;
/**
 * Kafka's ValidList.in: every element one of `allowed` (element by element, naming the first one
 * not allowed). An empty value is an empty list, which
 * Kafka allows for cleanup.policy, its one user here (an empty policy: README, Compatibility notes).
 */
const listOf =
  (...allowed: string[]) =>
  (v: string): string | null => {
    if (v.trim() === '') return null;
    const wrong = v.split(',').find((x) => !allowed.includes(x.trim()));
    return wrong === undefined ? null : `Invalid value ${wrong.trim()} for configuration: String must be one of: ${allowed.join(', ')}`;
  };
const atLeast = (min: number) => (v: string) => (Number(v) >= min ? null : `Value must be at least ${min}`);
const throttledReplicas = (v: string) =>
  v === '' || v === '*' || /^\s*\d+\s*:\s*\d+\s*(,\s*\d+\s*:\s*\d+\s*)*$/.test(v)
    ? null
    : `Invalid value ${v} for configuration: must be a list of partitionId:brokerId pairs or *`;

/** Every topic config, by name. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'LIST', default: 'delete', brokerKey: 'log.cleanup.policy', validate: listOf('compact', 'delete') },
  {
    name: 'compression.type',
    type: 'STRING',
    default: 'producer',
    brokerKey: 'compression.type',
    validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  },
  { name: 'compression.gzip.level', type: 'INT', default: '-1', brokerKey: 'compression.gzip.level', validate: (v) => (v === '-1' || (Number(v) >= 1 && Number(v) <= 9) ? null : 'Value must be between 1 and 9, or -1 (the default)') },
  { name: 'compression.lz4.level', type: 'INT', default: '9', brokerKey: 'compression.lz4.level', validate: between(1, 17), ...noEffect(LZ4_LEVEL) },
  { name: 'compression.zstd.level', type: 'INT', default: '3', brokerKey: 'compression.zstd.level', validate: between(-131072, 22) },
  { name: 'delete.retention.ms', type: 'LONG', default: '86400000', brokerKey: 'log.cleaner.delete.retention.ms', validate: atLeast(0) },
  { name: 'file.delete.delay.ms', type: 'LONG', default: '60000', brokerKey: 'log.segment.delete.delay.ms', validate: atLeast(0), ...noEffect('deleted segments are removed at once') },
  { name: 'flush.messages', type: 'LONG', default: LONG_MAX, brokerKey: 'log.flush.interval.messages', validate: atLeast(1) },
  { name: 'flush.ms', type: 'LONG', default: LONG_MAX, brokerKey: 'log.flush.interval.ms', validate: atLeast(0) },
  { name: 'follower.replication.throttled.replicas', type: 'LIST', default: '', validate: throttledReplicas },
  { name: 'index.interval.bytes', type: 'INT', default: '4096', brokerKey: 'log.index.interval.bytes', validate: atLeast(0) },
  { name: 'leader.replication.throttled.replicas', type: 'LIST', default: '', validate: throttledReplicas },
  { name: 'local.retention.bytes', type: 'LONG', default: '-2', brokerKey: 'log.local.retention.bytes', validate: atLeast(-2), ...noEffect(TIERED) },
  { name: 'local.retention.ms', type: 'LONG', default: '-2', brokerKey: 'log.local.retention.ms', validate: atLeast(-2), ...noEffect(TIERED) },
  { name: 'max.compaction.lag.ms', type: 'LONG', default: LONG_MAX, brokerKey: 'log.cleaner.max.compaction.lag.ms', validate: atLeast(1) },
  { name: 'max.message.bytes', type: 'INT', default: '1048588', brokerKey: 'message.max.bytes', validate: atLeast(0) },
  { name: 'message.timestamp.after.max.ms', type: 'LONG', default: LONG_MAX, brokerKey: 'log.message.timestamp.after.max.ms', validate: atLeast(0) },
  { name: 'message.timestamp.before.max.ms', type: 'LONG', default: LONG_MAX, brokerKey: 'log.message.timestamp.before.max.ms', validate: atLeast(0) },
  {
    name: 'message.timestamp.type',
    type: 'STRING',
    default: 'CreateTime',
    brokerKey: 'log.message.timestamp.type',
    validate: oneOf('CreateTime', 'LogAppendTime'),
  },
  { name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', default: '0.5', brokerKey: 'log.cleaner.min.cleanable.ratio', validate: between(0, 1) },
  { name: 'min.compaction.lag.ms', type: 'LONG', default: '0', brokerKey: 'log.cleaner.min.compaction.lag.ms', validate: atLeast(0) },
  { name: 'min.insync.replicas', type: 'INT', default: '1', brokerKey: 'min.insync.replicas', validate: atLeast(1) },
  { name: 'preallocate', type: 'BOOLEAN', default: 'false', brokerKey: 'log.preallocate', ...noEffect('segment files grow as they are written') },
  { name: 'remote.log.copy.disable', type: 'BOOLEAN', default: 'false', ...noEffect(TIERED) },
  { name: 'remote.log.delete.on.disable', type: 'BOOLEAN', default: 'false', ...noEffect(TIERED) },
  { name: 'remote.storage.enable', type: 'BOOLEAN', default: 'false', refuse: (v) => (v.toLowerCase() === 'true' ? TIERED_STORAGE_DISABLED : null) },
  { name: 'retention.bytes', type: 'LONG', default: '-1', brokerKey: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'LONG', default: '604800000', brokerKey: 'log.retention.ms', validate: atLeast(-1) },
  { name: 'segment.bytes', type: 'INT', default: '1073741824', brokerKey: 'log.segment.bytes', validate: atLeast(14) },
  { name: 'segment.index.bytes', type: 'INT', default: '10485760', brokerKey: 'log.index.size.max.bytes', validate: atLeast(4) },
  { name: 'segment.jitter.ms', type: 'LONG', default: '0', brokerKey: 'log.roll.jitter.ms', validate: atLeast(0) },
  { name: 'segment.ms', type: 'LONG', default: '604800000', brokerKey: 'log.roll.ms', validate: atLeast(1) },
  { name: 'unclean.leader.election.enable', type: 'BOOLEAN', default: 'false', brokerKey: 'unclean.leader.election.enable' },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** The definition of a topic config, if Kafka has one by that name. */
export const topicConfigDef = (name: string): TopicConfigDef | undefined => BY_NAME.get(name);

export const isKnownTopicConfig = (name: string): boolean => BY_NAME.has(name);
export const topicConfigNames = (): string[] => TOPIC_CONFIGS.map((d) => d.name);

/**
 * Validates one topic config; returns Kafka's error message or null. Without `brokerChecks`, only
 * what a client can check (Kafka's LogConfig.validate in TopicCommand): not what this broker
 * refuses (remote storage).
 */
export function validateTopicConfig(name: string, value: string | null, brokerChecks = true): string | null {
  const def = BY_NAME.get(name);
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return null;
  const bad = (why: string) => `Invalid value ${value} for configuration ${name}: ${why}`;
  switch (def.type) {
    case 'INT':
    case 'SHORT':
      if (!/^\s*-?\d+\s*$/.test(value) || Math.abs(Number(value)) > 2147483647) return bad('Not a number of type INT');
      break;
    case 'LONG':
      // A Java long: past 2^63 Kafka's parser fails (it was stored and shown as given here).
      if (!/^\s*-?\d+\s*$/.test(value) || BigInt(value.trim()) > 0x7fffffffffffffffn || BigInt(value.trim()) < -0x8000000000000000n) return bad('Not a number of type LONG');
      break;
    case 'DOUBLE': {
      // Not Number(): it reads '' and ' ' as 0 and takes hex; Java's parser takes neither.
      const n = parseDouble(value);
      if (n === null || !Number.isFinite(n)) return bad('Not a number of type DOUBLE');
      break;
    }
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(value.trim())) return bad('Expected value to be either true or false');
      break;
  }
  const why = def.validate?.(value.trim());
  if (why) return why.startsWith('Invalid value') ? why.replace('configuration:', `configuration ${name}:`) : bad(why);
  return brokerChecks ? (def.refuse?.(value.trim()) ?? null) : null;
}

/**
 * Checks a topic's overrides together, once each one is valid (Kafka's LogConfig.validateValues):
 * min.compaction.lag.ms above max.compaction.lag.ms. Unset keys count as Kafka's static defaults
 * (0 and Long.MAX_VALUE), as Kafka parses only the overrides here. Kafka's message, or null.
 */
export function validateTopicConfigSet(configs: Readonly<Record<string, string | null | undefined>>): string | null {
  const min = BigInt(configs['min.compaction.lag.ms']?.trim() ?? '0');
  const max = BigInt(configs['max.compaction.lag.ms']?.trim() ?? '9223372036854775807');
  if (min > max) return `conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`;
  return null;
}

const CATALOGUE_TYPE: Record<TopicConfigDef['type'], ConfigEntry['type']> = {
  BOOLEAN: 'boolean',
  STRING: 'string',
  INT: 'int',
  SHORT: 'short',
  LONG: 'long',
  DOUBLE: 'double',
  LIST: 'list',
  CLASS: 'class',
  PASSWORD: 'password',
};

/** One line of documentation per topic config (in our words), for the docs and `configs --list-configs topic`. */
const TOPIC_DOCS: Record<string, string> = {
  'cleanup.policy': 'delete (old segments go by retention), compact (the last record of each key stays), both, or empty (neither: records are kept for ever, as in Kafka 4.2).',
  'compression.type': 'Compression of stored batches; producer keeps what the producer sent.',
  'compression.gzip.level': 'gzip level when the broker compresses.',
  'compression.lz4.level': 'lz4 level when the broker compresses.',
  'compression.zstd.level': 'zstd level when the broker compresses (batches of 256 KiB and more on a worker thread, the others inline; high levels take seconds per megabyte).',
  'delete.retention.ms': 'How long tombstones stay in a compacted topic.',
  'file.delete.delay.ms': 'Delay before a deleted segment file is removed.',
  'flush.messages': 'Records after which the partition is fsynced.',
  'flush.ms': 'Time after which the partition is fsynced.',
  'follower.replication.throttled.replicas': 'Replicas (partition:broker, or *) whose follower fetches are throttled.',
  'index.interval.bytes': 'Bytes between offset index entries.',
  'leader.replication.throttled.replicas': 'Replicas (partition:broker, or *) whose leader sends are throttled.',
  'local.retention.bytes': 'Local retention with tiered storage.',
  'local.retention.ms': 'Local retention with tiered storage.',
  'max.compaction.lag.ms': 'Longest a record stays uncompacted.',
  'max.message.bytes': 'Largest record batch the topic accepts.',
  'message.timestamp.after.max.ms': 'Largest future skew of a record timestamp.',
  'message.timestamp.before.max.ms': 'Largest age of a record timestamp.',
  'message.timestamp.type': 'CreateTime (the producer\'s) or LogAppendTime (the broker\'s clock).',
  'min.cleanable.dirty.ratio': 'Share of uncompacted bytes that makes the log eligible for compaction.',
  'min.compaction.lag.ms': 'Records younger than this are not compacted.',
  'min.insync.replicas': 'Replicas that must have an acks=all write.',
  preallocate: 'Preallocate segment files.',
  'remote.log.copy.disable': 'Stop copying segments to tiered storage.',
  'remote.log.delete.on.disable': 'Delete tiered data when tiered storage is turned off.',
  'remote.storage.enable': 'Tiered storage for the topic.',
  'retention.bytes': 'Partition size beyond which old segments go (-1: no limit).',
  'retention.ms': 'Age after which old segments go (-1: forever).',
  'segment.bytes': 'Segment size.',
  'segment.index.bytes': 'Largest offset index.',
  'segment.jitter.ms': 'Random jitter subtracted from segment.ms.',
  'segment.ms': 'Segment age before rolling.',
  'unclean.leader.election.enable': 'Elect an out-of-sync replica when no in-sync one is left.',
};

/** The valid values of the topic configs that are enums or lists of them, for the docs. */
const TOPIC_VALUES: Record<string, readonly string[]> = {
  'cleanup.policy': ['delete', 'compact'],
  'compression.type': ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  'message.timestamp.type': ['CreateTime', 'LogAppendTime'],
};

const parseDefault = (d: TopicConfigDef): ConfigValue => {
  if (d.type === 'BOOLEAN') return d.default === 'true';
  if (d.type === 'LIST') return d.default === '' ? [] : d.default.split(',');
  if (d.type === 'STRING') return d.default;
  return Number(d.default);
};

/**
 * The topic catalogue in the shared form (src/util/config-catalogue.ts), for the docs and the
 * listing; validation of values stays validateTopicConfig's (Kafka's texts for topic configs).
 */
export const TOPIC_CATALOGUE: Catalogue = defineCatalogue(
  'topic',
  TOPIC_CONFIGS.map((d) => ({
    name: d.name,
    type: CATALOGUE_TYPE[d.type],
    default: parseDefault(d),
    doc: `${TOPIC_DOCS[d.name] ?? ''}${d.brokerKey ? ` Broker default: ${d.brokerKey}.` : ''}`.trim(),
    support: d.support ?? 'supported',
    ...(d.note ? { note: d.note } : {}),
    ...(TOPIC_VALUES[d.name] ? { values: TOPIC_VALUES[d.name] } : {}),
  })),
);
