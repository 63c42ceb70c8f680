/**
 * DescribeConfigs (32), v0-4, for topics (resource type 2) and brokers (4). Each entry carries
 * its source (topic override, dynamic broker, static broker, default) and, when asked, its
 * synonyms in precedence order.
 * Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (unknown broker or resource type),
 * TOPIC_AUTHORIZATION_FAILED / CLUSTER_AUTHORIZATION_FAILED (no DESCRIBE_CONFIGS on the topic / cluster).
 */
import { DescribeConfigs, type DescribeConfigsResponse } from '../../protocol/apis/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { AclOp, configDenial } from '../security/authorizer.js';
import { errorInfo } from '../../protocol/errors.js';
import { ConfigSource } from '../../protocol/topic-configs.js';
import { resolveTopicConfigs, type ResolvedConfig } from '../metadata/topic-configs.js';
import { resolveBrokerConfigs } from '../metadata/broker-configs.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

export default defineHandler({
  api: DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const { cluster, apiVersion: v } = ctx;
    const md = cluster.metadata;
    const results = req.resources.map((res) => {
      const base: DescribeConfigsResponse['results'][number] = { errorCode: 0, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName, configs: [] };
      const denied = res.resourceType === RESOURCE_TOPIC || res.resourceType === RESOURCE_BROKER ? configDenial(ctx, AclOp.DESCRIBE_CONFIGS, res.resourceType, res.resourceName) : 0;
      if (denied) return { ...base, errorCode: denied, errorMessage: errorInfo(denied).message };
      let entries: ResolvedConfig[];
      if (res.resourceType === RESOURCE_TOPIC) {
        const t = md.topic(res.resourceName);
        if (!t) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${res.resourceName} does not exist.` };
        entries = resolveTopicConfigs(t.configs, cluster.config);
      } else if (res.resourceType === RESOURCE_BROKER) {
        const isDefault = res.resourceName === '';
        const id = Number(res.resourceName);
        if (!isDefault && !cluster.brokers().some((b) => b.id === id)) {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected one of the registered brokers but received ${res.resourceName}` };
        }
        const target = isDefault ? cluster : cluster.brokers().find((b) => b.id === id)!;
        entries = resolveBrokerConfigs(target.config, isDefault ? {} : (md.brokerConfigs[String(id)] ?? {}), md.brokerConfigs[''] ?? {});
      } else {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${res.resourceType}` };
      }
      const keys = res.configurationKeys;
      if (keys) entries = entries.filter((e) => keys.includes(e.name));
      return {
        ...base,
        configs: entries.map((e) => ({
          name: e.name,
          value: e.value,
          readOnly: res.resourceType === RESOURCE_BROKER && e.source !== ConfigSource.DYNAMIC_BROKER_CONFIG && !e.name.includes('throttled'),
          isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
          configSource: e.source,
          isSensitive: false,
          synonyms: v >= 1 && req.includeSynonyms ? e.synonyms : [],
          configType: e.type,
          documentation: null,
        })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
});
