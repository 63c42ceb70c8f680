/**
 * A topic's effective configs on this broker: the shared catalogue (src/config/topic-configs.ts)
 * resolved against the topic's overrides and the broker's own settings, for DescribeConfigs and
 * for the storage settings of its log.
 */
import type { BrokerConfig } from '../config.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../storage/log-store.js';
import { DEFAULT_CLEANUP } from '../../storage/compaction.js';
import { ConfigSource, ConfigType, TOPIC_CONFIGS, topicConfigDef, type TopicConfigDef } from '../../protocol/topic-configs.js';

/** Broker-wide values that differ from the topic default when the broker sets them. */
function brokerValue(def: TopicConfigDef, broker: BrokerConfig): string | undefined {
  switch (def.name) {
    case 'segment.bytes':
      return broker.explicit['log.segment.bytes'] !== undefined ? String(broker.logSegmentBytes) : undefined;
    case 'segment.ms':
      return broker.explicit['log.roll.ms'] !== undefined || broker.explicit['log.roll.hours'] !== undefined ? String(broker.logRollMs) : undefined;
    case 'retention.ms':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'].some((k) => broker.explicit[k] !== undefined)
        ? String(broker.logRetentionMs)
        : undefined;
    case 'segment.jitter.ms': {
      const hours = broker.explicit['log.roll.jitter.hours'];
      return broker.explicit['log.roll.jitter.ms'] ?? (hours !== undefined ? String(Number(hours) * 3_600_000) : undefined);
    }
    case 'max.message.bytes':
      return broker.explicit['message.max.bytes'] !== undefined ? String(broker.messageMaxBytes) : undefined;
    default:
      return def.brokerKey ? broker.explicit[def.brokerKey] : undefined;
  }
}

/**
 * The dynamic broker configs that apply on one broker (metadata brokerConfigs[id] and [""]):
 * a topic without an override takes its default from them before the static config.
 */
export interface DynamicBrokerValues {
  broker: Record<string, string>;
  defaults: Record<string, string>;
}

export const NO_DYNAMIC: DynamicBrokerValues = { broker: {}, defaults: {} };

/** The dynamic values for broker `id` in the metadata's brokerConfigs map. */
export const dynamicValuesFor = (brokerConfigs: Record<string, Record<string, string>>, id: number): DynamicBrokerValues => ({
  broker: brokerConfigs[String(id)] ?? {},
  defaults: brokerConfigs[''] ?? {},
});

/**
 * Effective topic config values of one broker, remembered: a produce request looks up about ten
 * per partition, each resolving overrides, dynamic broker values and static defaults (~2 us of a
 * ~30 us request). Keyed by the objects that hold the inputs, which a config change replaces and
 * never edits (a topic's `configs`, a broker's entry in `brokerConfigs`): a new object misses.
 */
export class TopicConfigValues {
  private readonly byTopic = new WeakMap<Record<string, string>, { dynamic: DynamicBrokerValues; values: Map<string, string> }>();
  private readonly key: string;

  constructor(
    private readonly broker: BrokerConfig,
    id: number,
  ) {
    this.key = String(id);
  }

  value(overrides: Record<string, string>, brokerConfigs: Record<string, Record<string, string>>, name: string): string {
    const broker = brokerConfigs[this.key] ?? NO_DYNAMIC.broker;
    const defaults = brokerConfigs[''] ?? NO_DYNAMIC.defaults;
    let cached = this.byTopic.get(overrides);
    if (!cached || cached.dynamic.broker !== broker || cached.dynamic.defaults !== defaults) {
      cached = { dynamic: { broker, defaults }, values: new Map() };
      this.byTopic.set(overrides, cached);
    }
    let v = cached.values.get(name);
    if (v === undefined) {
      v = topicConfigValue(overrides, this.broker, name, cached.dynamic);
      cached.values.set(name, v);
    }
    return v;
  }
}

export interface ResolvedConfig {
  name: string;
  /** Null for a broker config with no value (Kafka prints `log.retention.ms=null`). */
  value: string | null;
  source: number;
  type: number;
  /** Synonyms in precedence order (topic override, broker static, default). */
  synonyms: { name: string; value: string; source: number }[];
  /** A password, a JAAS config, a key, or a config of unknown type: described without its value (Kafka's isSensitive). */
  sensitive?: boolean;
}

const LONG_MAX = '9223372036854775807';

/**
 * Broker configs that stand for one topic config under several names (Kafka's
 * DynamicBrokerConfig.brokerConfigSynonyms), the first the one the topic config names, with
 * Kafka's defaults of those that have one (log.retention.ms and log.roll.ms have none: the
 * hours do). Any other topic config has its one broker key, whose default is the topic's.
 */
const BROKER_SYNONYMS: Record<string, { keys: string[]; defaults: Record<string, string> }> = {
  'retention.ms': { keys: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], defaults: { 'log.retention.hours': '168' } },
  'segment.ms': { keys: ['log.roll.ms', 'log.roll.hours'], defaults: { 'log.roll.hours': '168' } },
  'segment.jitter.ms': { keys: ['log.roll.jitter.ms', 'log.roll.jitter.hours'], defaults: { 'log.roll.jitter.hours': '0' } },
  'flush.ms': { keys: ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], defaults: { 'log.flush.scheduler.interval.ms': LONG_MAX } },
};

/** The broker configs that are one setting under several names, with Kafka's defaults (BROKER_SYNONYMS). */
export const brokerSynonymGroups = (): { keys: string[]; defaults: Record<string, string> }[] => Object.values(BROKER_SYNONYMS);

/**
 * The synonyms Kafka lists for broker config `name` (ConfigHelper.configSynonyms): each of its
 * broker keys' values by source (this broker's dynamic ones, the cluster defaults, the static
 * config, Kafka's defaults), from the first entry named `name` on: what only a synonym sets (a
 * server.properties log.retention.hours, the hours' default) is listed after a value of `name`
 * itself, and not at all without one.
 */
export function brokerConfigSynonyms(name: string, keys: readonly string[], defaults: Record<string, string>, broker: BrokerConfig, dynamic: DynamicBrokerValues): ResolvedConfig['synonyms'] {
  const all: ResolvedConfig['synonyms'] = [];
  const add = (values: Record<string, string | undefined>, source: number) => {
    for (const k of keys) if (values[k] !== undefined) all.push({ name: k, value: values[k]!, source });
  };
  add(dynamic.broker, ConfigSource.DYNAMIC_BROKER_CONFIG);
  add(dynamic.defaults, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  add(broker.explicit, ConfigSource.STATIC_BROKER_CONFIG);
  add(defaults, ConfigSource.DEFAULT_CONFIG);
  const first = all.findIndex((syn) => syn.name === name);
  return first < 0 ? [] : all.slice(first);
}

/** Every topic config with its effective value and where the value comes from. */
export function resolveTopicConfigs(overrides: Record<string, string>, broker: BrokerConfig, dynamic: DynamicBrokerValues = NO_DYNAMIC): ResolvedConfig[] {
  return TOPIC_CONFIGS.map((def) => resolveTopicConfig(def, overrides, broker, dynamic));
}

/**
 * One topic config with its effective value and where it comes from. It depends on the topic's
 * override of this config alone: without one it is the same for every topic (DescribeConfigs
 * shares it between the topics of one answer).
 */
export function resolveTopicConfig(def: TopicConfigDef, overrides: Record<string, string>, broker: BrokerConfig, dynamic: DynamicBrokerValues = NO_DYNAMIC): ResolvedConfig {
  const key = def.brokerKey;
  const group = BROKER_SYNONYMS[def.name];
  const synonyms = key ? brokerConfigSynonyms(key, group?.keys ?? [key], group?.defaults ?? { [key]: def.default }, broker, dynamic) : [{ name: def.name, value: def.default, source: ConfigSource.DEFAULT_CONFIG }];
  if (overrides[def.name] !== undefined) synonyms.unshift({ name: def.name, value: overrides[def.name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  const value = topicConfigValue(overrides, broker, def.name, dynamic);
  return { name: def.name, value, source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG, type: ConfigType[def.type], synonyms };
}

/** The storage settings a topic's configs imply. */
export function logConfigFor(overrides: Record<string, string>, broker: BrokerConfig, dynamic: DynamicBrokerValues = NO_DYNAMIC): LogConfig {
  const eff = new Map(resolveTopicConfigs(overrides, broker, dynamic).map((c) => [c.name, c.value]));
  const num = (k: string, d: number) => {
    const n = Number(eff.get(k));
    return Number.isFinite(n) ? n : d;
  };
  const policies = (eff.get('cleanup.policy') ?? 'delete').split(',').map((p) => p.trim().toLowerCase());
  return {
    segmentBytes: num('segment.bytes', DEFAULT_LOG_CONFIG.segmentBytes),
    segmentMs: num('segment.ms', DEFAULT_LOG_CONFIG.segmentMs),
    segmentJitterMs: num('segment.jitter.ms', 0),
    indexIntervalBytes: num('index.interval.bytes', DEFAULT_LOG_CONFIG.indexIntervalBytes),
    segmentIndexBytes: num('segment.index.bytes', 10_485_760),
    retentionMs: num('retention.ms', DEFAULT_LOG_CONFIG.retentionMs),
    retentionBytes: num('retention.bytes', DEFAULT_LOG_CONFIG.retentionBytes),
    flushMessages: num('flush.messages', Number.MAX_SAFE_INTEGER),
    flushMs: num('flush.ms', Number.MAX_SAFE_INTEGER),
    cleanup: {
      delete: policies.includes('delete'),
      compact: policies.includes('compact'),
      deleteRetentionMs: num('delete.retention.ms', DEFAULT_CLEANUP.deleteRetentionMs),
      minCompactionLagMs: num('min.compaction.lag.ms', DEFAULT_CLEANUP.minCompactionLagMs),
      minCleanableRatio: num('min.cleanable.dirty.ratio', DEFAULT_CLEANUP.minCleanableRatio),
      maxCompactionLagMs: num('max.compaction.lag.ms', Number.MAX_SAFE_INTEGER),
    },
  };
}

/** The effective value of one topic config. */
export function topicConfigValue(overrides: Record<string, string>, broker: BrokerConfig, name: string, dynamic: DynamicBrokerValues = NO_DYNAMIC): string {
  if (overrides[name] !== undefined) return overrides[name]!;
  const def = topicConfigDef(name);
  if (!def) throw new Error(`unknown topic config ${name}`);
  if (def.brokerKey) {
    const v = dynamic.broker[def.brokerKey] ?? dynamic.defaults[def.brokerKey];
    if (v !== undefined) return v;
  }
  return brokerValue(def, broker) ?? def.default;
}
