/**
 * DescribeConfigs (32), v0-4, for topics (resource type 2), brokers (4) and broker loggers (8:
 * the daemon's loggers and their levels, which IncrementalAlterConfigs changes). Each entry carries
 * its source (topic override, dynamic broker, static broker, default) and, when asked, its
 * synonyms in precedence order; a sensitive config (a password, a JAAS config) is described without
 * its value (null, isSensitive). A broker describes itself (its own id, node.id, log.dirs) or the
 * cluster default (""); asked about another broker it answers as Kafka does, INVALID_REQUEST
 * "Unexpected broker id, expected 1 or empty string, but received 2" (Kafka's admin client
 * sends a broker resource to that broker).
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (another broker's id, unsupported resource type),
 * TOPIC_AUTHORIZATION_FAILED / CLUSTER_AUTHORIZATION_FAILED (no DESCRIBE_CONFIGS on the topic / cluster).
 */
import { DescribeConfigs, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, configDenial } from '../security/authorizer.js';
import { errorInfo } from '../../protocol/errors.js';
import { ConfigSource, TOPIC_CONFIGS } from '../../protocol/topic-configs.js';
import { configDocumentation } from '../../protocol/broker-config-catalogue.js';
import { dynamicValuesFor, resolveTopicConfig, type DynamicBrokerValues, type ResolvedConfig } from '../metadata/topic-configs.js';
import type { BrokerConfig } from '../config.js';
import { turnTaker } from '../../util/slices.js';
import { DYNAMIC_BROKER_CONFIGS, isCustomBrokerConfig, isDynamicTlsKey, resolveBrokerConfigs, resolveClusterDefaultConfigs } from '../metadata/broker-configs.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const RESOURCE_BROKER_LOGGER = 8;
/** Kafka's names of the resource types it can describe configs of, for its "Unsupported resource type" message. */
const TYPE_NAMES: Record<number, string> = { 8: 'BROKER_LOGGER', 16: 'CLIENT_METRICS', 32: 'GROUP' };

type ConfigEntry = DescribeConfigsResponse['results'][number]['configs'][number];

/** The longest stretch of answering resources between two turns of the event loop. */
const YIELD_AFTER_MS = 10;

export default defineHandler({
  api: DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const { cluster, apiVersion: v } = ctx;
    const md = cluster.metadata;
    const withSynonyms = v >= 1 && req.includeSynonyms;
    /** The answer's entry for a resolved config (Kafka's DescribeConfigsResourceResult config). */
    const entryOf = (e: ResolvedConfig, resourceType: number): ConfigEntry => ({
      name: e.name,
      value: e.sensitive ? null : e.value,
      // A listener's keystore and truststore can be altered per broker (KIP-226).
      readOnly: resourceType === RESOURCE_BROKER && !(e.name in DYNAMIC_BROKER_CONFIGS) && !isDynamicTlsKey(e.name),
      isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
      configSource: e.source,
      isSensitive: e.sensitive === true,
      synonyms: !withSynonyms ? NO_SYNONYMS : e.sensitive ? e.synonyms.map((syn) => ({ ...syn, value: null })) : e.synonyms,
      configType: e.type,
      documentation: req.includeDocumentation && resourceType !== RESOURCE_BROKER_LOGGER ? documentationOf(resourceType === RESOURCE_TOPIC ? 'topic' : 'broker', e.name) : null,
    });
    const topicEntries = sharedTopicEntries(cluster.config, dynamicValuesFor(md.brokerConfigs, cluster.id), (e) => entryOf(e, RESOURCE_TOPIC));
    // A resource asked for twice (same type, name and keys) is answered once: Kafka answers every
    // entry, but its heap is not the daemon's, and one 150 KB request naming a broker 30,000 times
    // was answered 30,000 times over (a gigabyte) and ran the daemon out of heap. Kafka's clients
    // never repeat a resource.
    const distinct = new Map(req.resources.map((res) => [resourceKey(res), res]));
    // Thousands of topics in one request must not hold the event loop: between resources it
    // yields every YIELD_AFTER_MS, so other clients are answered meanwhile (this connection's
    // answers still go out in request order).
    const turn = turnTaker(YIELD_AFTER_MS);
    const results: DescribeConfigsResponse['results'] = [];
    for (const res of distinct.values()) {
      await turn();
      results.push(describeResource(res));
    }
    return { throttleTimeMs: 0, results };

    function describeResource(res: DescribeConfigsRequest['resources'][number]): DescribeConfigsResponse['results'][number] {
      const base: DescribeConfigsResponse['results'][number] = { errorCode: 0, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName, configs: [] };
      const denied = configDenial(ctx, AclOp.DESCRIBE_CONFIGS, res.resourceType, res.resourceName);
      if (denied) return { ...base, errorCode: denied, errorMessage: errorInfo(denied).message };
      let entries: ConfigEntry[];
      if (res.resourceType === RESOURCE_TOPIC) {
        const t = md.topic(res.resourceName);
        if (!t) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${res.resourceName} does not exist.` };
        entries = topicEntries(t.configs);
      } else if (res.resourceType === RESOURCE_BROKER) {
        const name = res.resourceName;
        let resolved: ResolvedConfig[];
        if (name === '') resolved = resolveClusterDefaultConfigs(md.brokerConfigs[''] ?? {});
        else if (!/^-?\d+$/.test(name)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Broker id must be an integer, but it is: ${name}` };
        else if (Number(name) !== cluster.id) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${cluster.id} or empty string, but received ${name}` };
        } else resolved = resolveBrokerConfigs(cluster.config, { id: cluster.id, logDir: ctx.partitions.logDir }, md.brokerConfigs[name] ?? {}, md.brokerConfigs[''] ?? {});
        entries = resolved.map((e) => entryOf(e, RESOURCE_BROKER));
      } else if (res.resourceType === RESOURCE_BROKER_LOGGER && cluster.logLevels) {
        // Kafka: the broker's own loggers and their levels; another broker's id is refused.
        const name = res.resourceName;
        const problem =
          name === '' ? 'Broker id must not be empty' : !/^-?\d+$/.test(name) ? `Broker id must be an integer, but it is: ${name}` : Number(name) !== cluster.id ? `Unexpected broker id, expected ${cluster.id} but received ${name}` : null;
        if (problem) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
        entries = cluster.logLevels.list().map(([logger, level]) => entryOf({ name: logger, value: level, source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, type: 0, synonyms: [] }, RESOURCE_BROKER_LOGGER));
      } else {
        const type = TYPE_NAMES[res.resourceType] ?? String(res.resourceType);
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
      }
      // Kafka (ConfigHelperUtils): null and an empty list both ask for every config. A Set: 200,000
      // keys looked up in a list against 7,000 broker configs held the event loop for seconds.
      const keys = res.configurationKeys;
      if (keys && keys.length > 0) {
        const wanted = new Set(keys);
        entries = entries.filter((e) => wanted.has(e.name));
      }
      return { ...base, configs: entries };
    }
  },
});

/** Synonyms not asked for: one empty list for every entry. */
const NO_SYNONYMS: ConfigEntry['synonyms'] = [];

/**
 * Every topic's entries of one answer, with the entry of a config a topic does not override (most
 * of them, in most topics) built once and shared by all topics: an entry per config per topic, each
 * with its own synonyms, was 54 MiB of answer for 10,000 topics built at once in the heap, and
 * 24,000 topics ran the daemon out of heap. The encoder only reads the entries. The broker's
 * dynamic values are those of when the request began, for every topic of its answer.
 */
function sharedTopicEntries(broker: BrokerConfig, dynamic: DynamicBrokerValues, entryOf: (e: ResolvedConfig) => ConfigEntry): (overrides: Record<string, string>) => ConfigEntry[] {
  let notOverridden: ConfigEntry[] | undefined;
  return (overrides) => {
    notOverridden ??= TOPIC_CONFIGS.map((def) => entryOf(resolveTopicConfig(def, NO_OVERRIDES, broker, dynamic)));
    const shared = notOverridden;
    return TOPIC_CONFIGS.map((def, i) => (overrides[def.name] === undefined ? shared[i]! : entryOf(resolveTopicConfig(def, overrides, broker, dynamic))));
  };
}

const NO_OVERRIDES: Record<string, string> = {};

/** What makes two requested resources the same answer: type, name and the set of keys (none = all). */
function resourceKey(res: { resourceType: number; resourceName: string; configurationKeys: string[] | null }): string {
  const keys = res.configurationKeys && res.configurationKeys.length > 0 ? `keys\0${[...new Set(res.configurationKeys)].sort().join('\0')}` : 'all';
  return `${res.resourceType}\0${res.resourceName}\0${keys}`;
}

/**
 * A config's documentation: the catalogue's; for a broker config name Kafka does not know (kept, as
 * Kafka keeps it, for plugins), that it has no effect here, in the words `configs --alter` turns
 * into its warning ("No effect in kafka-ts: …"), so a mistyped name is not accepted in silence.
 */
function documentationOf(resource: 'topic' | 'broker', name: string): string | null {
  if (resource === 'broker' && isCustomBrokerConfig(name)) return 'A name Kafka does not know, kept for plugins as Kafka keeps it. No effect in kafka-ts: no setting of this name exists (a misspelt name?).';
  return configDocumentation(resource, name);
}
