/**
 * Kafka's topic-level configs: defaults, the broker config each one inherits from, types for
 * DescribeConfigs, and validation with Kafka's error messages. Values are kept as strings, as
 * Kafka's admin API carries them. The catalogue is shared: the broker resolves and validates
 * configs with it (src/broker/metadata/topic-configs.ts), and `kafka-ts topics` checks names.
 */

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
}

const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v) ? null : `String must be one of: ${allowed.join(', ')}`;
const listOf =
  (...allowed: string[]) =>
  (v: string) =>
    v.split(',').every((x) => allowed.includes(x.trim())) ? null : `Invalid value ${v} for configuration: String must be one of: ${allowed.join(', ')}`;
const atLeast = (min: number) => (v: string) => (Number(v) >= min ? null : `Value must be at least ${min}`);
const throttledReplicas = (v: string) =>
  v === '' || v === '*' || /^\s*\d+\s*:\s*\d+\s*(,\s*\d+\s*:\s*\d+\s*)*$/.test(v)
    ? null
    : `Invalid value ${v} for configuration: must be a list of partitionId:brokerId pairs or *`;

/** Every topic config, by name. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'LIST', default: 'delete', brokerKey: 'log.cleanup.policy', validate: listOf('delete', 'compact') },
  {
    name: 'compression.type',
    type: 'STRING',
    default: 'producer',
    brokerKey: 'compression.type',
    validate: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  },
  { name: 'compression.gzip.level', type: 'INT', default: '-1', brokerKey: 'compression.gzip.level' },
  { name: 'compression.lz4.level', type: 'INT', default: '9', brokerKey: 'compression.lz4.level' },
  { name: 'compression.zstd.level', type: 'INT', default: '3', brokerKey: 'compression.zstd.level' },
  { name: 'delete.retention.ms', type: 'LONG', default: '86400000', brokerKey: 'log.cleaner.delete.retention.ms', validate: atLeast(0) },
  { name: 'file.delete.delay.ms', type: 'LONG', default: '60000', brokerKey: 'log.segment.delete.delay.ms', validate: atLeast(0) },
  { name: 'flush.messages', type: 'LONG', default: LONG_MAX, brokerKey: 'log.flush.interval.messages', validate: atLeast(1) },
  { name: 'flush.ms', type: 'LONG', default: LONG_MAX, brokerKey: 'log.flush.interval.ms', validate: atLeast(0) },
  { name: 'follower.replication.throttled.replicas', type: 'LIST', default: '', validate: throttledReplicas },
  { name: 'index.interval.bytes', type: 'INT', default: '4096', brokerKey: 'log.index.interval.bytes', validate: atLeast(0) },
  { name: 'leader.replication.throttled.replicas', type: 'LIST', default: '', validate: throttledReplicas },
  { name: 'local.retention.bytes', type: 'LONG', default: '-2', brokerKey: 'log.local.retention.bytes' },
  { name: 'local.retention.ms', type: 'LONG', default: '-2', brokerKey: 'log.local.retention.ms' },
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
  { name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', default: '0.5', brokerKey: 'log.cleaner.min.cleanable.ratio' },
  { name: 'min.compaction.lag.ms', type: 'LONG', default: '0', brokerKey: 'log.cleaner.min.compaction.lag.ms', validate: atLeast(0) },
  { name: 'min.insync.replicas', type: 'INT', default: '1', brokerKey: 'min.insync.replicas', validate: atLeast(1) },
  { name: 'preallocate', type: 'BOOLEAN', default: 'false', brokerKey: 'log.preallocate' },
  { name: 'remote.storage.enable', type: 'BOOLEAN', default: 'false' },
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

/** Validates one topic config; returns Kafka's error message or null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
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
      if (!/^\s*-?\d+\s*$/.test(value)) return bad('Not a number of type LONG');
      break;
    case 'DOUBLE':
      if (!Number.isFinite(Number(value))) return bad('Not a number of type DOUBLE');
      break;
    case 'BOOLEAN':
      if (!/^(true|false)$/i.test(value.trim())) return bad('Expected value to be either true or false');
      break;
  }
  const why = def.validate?.(value.trim());
  return why ? (why.startsWith('Invalid value') ? why.replace('configuration:', `configuration ${name}:`) : bad(why)) : null;
}
