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
import { DescribeConfigs, type DescribeConfigsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, configDenial } from '../security/authorizer.js';
import { errorInfo } from '../../protocol/errors.js';
import { ConfigSource } from '../../protocol/topic-configs.js';
import { configDocumentation } from '../../protocol/broker-config-catalogue.js';
import { dynamicValuesFor, resolveTopicConfigs, type ResolvedConfig } from '../metadata/topic-configs.js';
import { DYNAMIC_BROKER_CONFIGS, isCustomBrokerConfig, isDynamicTlsKey, resolveBrokerConfigs, resolveClusterDefaultConfigs } from '../metadata/broker-configs.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
const RESOURCE_BROKER_LOGGER = 8;
/** Kafka's names of the resource types it can describe configs of, for its "Unsupported resource type" message. */
const TYPE_NAMES: Record<number, string> = { 8: 'BROKER_LOGGER', 16: 'CLIENT_METRICS', 32: 'GROUP' };

export default defineHandler({
  api: DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const { cluster, apiVersion: v } = ctx;
    const md = cluster.metadata;
    // A resource asked for twice (same type, name and keys) is answered once: Kafka answers every
    // entry, but its heap is not the daemon's, and one 150 KB request naming a broker 30,000 times
    // was answered 30,000 times over (a gigabyte) and ran the daemon out of heap. Kafka's clients
    // never repeat a resource.
    const distinct = new Map(req.resources.map((res) => [resourceKey(res), res]));
    const results = [...distinct.values()].map((res) => {
      const base: DescribeConfigsResponse['results'][number] = { errorCode: 0, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName, configs: [] };
      const denied = configDenial(ctx, AclOp.DESCRIBE_CONFIGS, res.resourceType, res.resourceName);
      if (denied) return { ...base, errorCode: denied, errorMessage: errorInfo(denied).message };
      let entries: ResolvedConfig[];
      if (res.resourceType === RESOURCE_TOPIC) {
        const t = md.topic(res.resourceName);
        if (!t) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${res.resourceName} does not exist.` };
        entries = resolveTopicConfigs(t.configs, cluster.config, dynamicValuesFor(md.brokerConfigs, cluster.id));
      } else if (res.resourceType === RESOURCE_BROKER) {
        const name = res.resourceName;
        if (name === '') entries = resolveClusterDefaultConfigs(md.brokerConfigs[''] ?? {});
        else if (!/^-?\d+$/.test(name)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Broker id must be an integer, but it is: ${name}` };
        else if (Number(name) !== cluster.id) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${cluster.id} or empty string, but received ${name}` };
        } else entries = resolveBrokerConfigs(cluster.config, { id: cluster.id, logDir: ctx.partitions.logDir }, md.brokerConfigs[name] ?? {}, md.brokerConfigs[''] ?? {});
      } else if (res.resourceType === RESOURCE_BROKER_LOGGER && cluster.logLevels) {
        // Kafka: the broker's own loggers and their levels; another broker's id is refused.
        const name = res.resourceName;
        const problem =
          name === '' ? 'Broker id must not be empty' : !/^-?\d+$/.test(name) ? `Broker id must be an integer, but it is: ${name}` : Number(name) !== cluster.id ? `Unexpected broker id, expected ${cluster.id} but received ${name}` : null;
        if (problem) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
        entries = cluster.logLevels.list().map(([logger, level]) => ({ name: logger, value: level, source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, type: 0, synonyms: [] }));
      } else {
        const type = TYPE_NAMES[res.resourceType] ?? String(res.resourceType);
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
      }
      // Kafka (ConfigHelperUtils): null and an empty list both ask for every config.
      const keys = res.configurationKeys;
      if (keys && keys.length > 0) entries = entries.filter((e) => keys.includes(e.name));
      return {
        ...base,
        configs: entries.map((e) => ({
          name: e.name,
          value: e.sensitive ? null : e.value,
          // A listener's keystore and truststore can be altered per broker (KIP-226).
          readOnly: res.resourceType === RESOURCE_BROKER && !(e.name in DYNAMIC_BROKER_CONFIGS) && !isDynamicTlsKey(e.name),
          isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
          configSource: e.source,
          isSensitive: e.sensitive === true,
          synonyms: v >= 1 && req.includeSynonyms ? e.synonyms.map((syn) => (e.sensitive ? { ...syn, value: null } : syn)) : [],
          configType: e.type,
          documentation: req.includeDocumentation && res.resourceType !== RESOURCE_BROKER_LOGGER ? documentationOf(res.resourceType === RESOURCE_TOPIC ? 'topic' : 'broker', e.name) : null,
        })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
});

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
