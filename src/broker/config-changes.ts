/**
 * Applies config changes from AlterConfigs (full replace) and IncrementalAlterConfigs
 * (set / delete / append / subtract) to topics and brokers.
 */
import { ErrorCode } from '../protocol/errors.js';
import type { ApiError } from './api-error.js';
import type { ClusterService, ControllerService } from './services.js';
import { cleanerThreadsProblem, DYNAMIC_BROKER_CONFIGS, DYNAMIC_TLS_KEY, isCustomBrokerConfig, validateBrokerConfigs } from './metadata/broker-configs.js';
import { dynamicTlsConfigs, isDynamicTlsKey } from './security/dynamic-tls.js';
import { KAFKA_LOG_LEVELS, LogLevels, type KafkaLogLevel } from '../util/logger.js';
import { topicConfigDef, validateTopicConfig, validateTopicConfigSet } from '../protocol/topic-configs.js';
import { BROKER_CATALOGUE } from '../protocol/broker-config-catalogue.js';
import { checkProperties } from '../util/config-catalogue.js';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;
export const RESOURCE_BROKER_LOGGER = 8;
export const OP_SET = 0;
export const OP_DELETE = 1;
export const OP_APPEND = 2;
export const OP_SUBTRACT = 3;

export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

function applyOps(current: Record<string, string>, changes: ConfigChange[], defaults: (name: string) => string): Record<string, string> | ApiError {
  const next = { ...current };
  for (const c of changes) {
    const list = () => (next[c.name] ?? defaults(c.name)).split(',').map((s) => s.trim()).filter(Boolean);
    switch (c.op) {
      case OP_SET:
        next[c.name] = c.value!;
        break;
      case OP_DELETE:
        delete next[c.name];
        break;
      case OP_APPEND: {
        const items = list();
        for (const v of (c.value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) if (!items.includes(v)) items.push(v);
        next[c.name] = items.join(',');
        break;
      }
      case OP_SUBTRACT: {
        const remove = new Set((c.value ?? '').split(',').map((s) => s.trim()));
        next[c.name] = list().filter((v) => !remove.has(v)).join(',');
        break;
      }
      default:
        return { code: ErrorCode.INVALID_REQUEST, message: `Unknown config operation ${c.op}` };
    }
  }
  return next;
}

/** One resource of an AlterConfigs or IncrementalAlterConfigs request. */
export interface ConfigResourceChanges {
  resourceType: number;
  resourceName: string;
  changes: ConfigChange[];
}

/**
 * Kafka's ConfigAdminManager.preprocess, which runs before any authorization: a resource named
 * twice in the request (both refused), then per resource a config name given twice, values
 * missing (null) where the operation needs one (any, in AlterConfigs), and in AlterConfigs a
 * resource of any type but TOPIC and BROKER (BROKER_LOGGER, GROUP, ...: only IncrementalAlterConfigs
 * knows them). One error (or null) per resource, in order; `legacy` is AlterConfigs.
 */
export function preprocessConfigChanges(resources: readonly ConfigResourceChanges[], legacy: boolean): (ApiError | null)[] {
  const count = new Map<string, number>();
  const key = (r: ConfigResourceChanges) => `${r.resourceType}\0${r.resourceName}`;
  for (const r of resources) count.set(key(r), (count.get(key(r)) ?? 0) + 1);
  return resources.map((r) => {
    if (count.get(key(r))! > 1) return { code: ErrorCode.INVALID_REQUEST, message: 'Each resource must appear at most once.' };
    const names = r.changes.map((c) => c.name);
    if (new Set(names).size !== names.length) return { code: ErrorCode.INVALID_REQUEST, message: 'Error due to duplicate config keys' };
    const nulls = r.changes.filter((c) => c.value === null && (legacy || c.op !== OP_DELETE)).map((c) => c.name);
    if (nulls.length > 0) return { code: ErrorCode.INVALID_REQUEST, message: `Null value not supported for : ${nulls.join(', ')}` };
    if (legacy && r.resourceType !== RESOURCE_TOPIC && r.resourceType !== RESOURCE_BROKER) return { code: ErrorCode.INVALID_REQUEST, message: `Unknown resource type ${r.resourceType}` };
    return null;
  });
}

/**
 * Changes one resource's configs; `replace` drops every override not listed (AlterConfigs). The
 * request was preprocessed (preprocessConfigChanges) and authorized before.
 */
export function changeConfigs(cluster: ClusterService, controller: ControllerService, resourceType: number, resourceName: string, changes: ConfigChange[], replace: boolean, validateOnly: boolean): ApiError {
  const md = cluster.metadata;
  if (resourceType === RESOURCE_TOPIC) {
    const t = md.topic(resourceName);
    if (!t) return { code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Topic ${resourceName} does not exist.` };
    // Kafka's controller (ConfigurationControlManager): APPEND/SUBTRACT only to a LIST config (an
    // unknown name is no list), checked before the names and values are validated.
    const notList = changes.find((c) => (c.op === OP_APPEND || c.op === OP_SUBTRACT) && topicConfigDef(c.name)?.type !== 'LIST');
    if (notList) return { code: ErrorCode.INVALID_CONFIG, message: `Can't ${opName(notList.op)} to key ${notList.name} because its type is not LIST.` };
    const unknown = changes.find((c) => c.op !== OP_DELETE && validateTopicConfig(c.name, null) !== null);
    if (unknown) return { code: ErrorCode.INVALID_CONFIG, message: validateTopicConfig(unknown.name, null) };
    const next = applyOps(replace ? {} : t.configs, changes, (name) => cluster.topicConfig(t, name));
    if ('code' in next) return next as ApiError;
    for (const [k, v] of Object.entries(next)) {
      const problem = validateTopicConfig(k, v);
      if (problem) return { code: ErrorCode.INVALID_CONFIG, message: problem };
    }
    const conflict = validateTopicConfigSet(next);
    if (conflict) return { code: ErrorCode.INVALID_CONFIG, message: conflict };
    return controller.alterTopicConfigs(resourceName, next as Record<string, string>, validateOnly);
  }
  if (resourceType === RESOURCE_BROKER) {
    // Kafka (ConfigAdminManager): a broker alters its own configs or the cluster default, never another broker's.
    const wrongId = brokerIdProblem(cluster.id, resourceName);
    if (wrongId) return wrongId;
    const current = md.brokerConfigs[resourceName] ?? {};
    // Kafka (ConfigAdminManager.prepareIncrementalConfigs): APPEND/SUBTRACT only to a LIST config,
    // starting from its default when the resource has no value of its own.
    for (const c of changes) {
      if (c.op !== OP_APPEND && c.op !== OP_SUBTRACT) continue;
      const entry = BROKER_CATALOGUE.byName.get(c.name);
      if (!entry && !(c.name in DYNAMIC_BROKER_CONFIGS)) return { code: ErrorCode.INVALID_CONFIG, message: `Unknown config name: ${c.name}` };
      const isList = entry ? entry.type === 'list' : DYNAMIC_BROKER_CONFIGS[c.name]!.type === 'LIST';
      if (!isList) return { code: ErrorCode.INVALID_REQUEST, message: `Config value ${opName(c.op).toLowerCase()} is not allowed for config key: ${c.name}` };
    }
    const listDefault = (name: string) => {
      const d = BROKER_CATALOGUE.byName.get(name)?.default;
      return Array.isArray(d) ? d.join(',') : typeof d === 'string' ? d : '';
    };
    const next = applyOps(replace ? {} : current, changes, listDefault);
    if ('code' in next) return next as ApiError;
    // KIP-226: listener-prefixed keystore/truststore keys, per broker, checked by loading the stores.
    const tls = dynamicTlsConfigs(next as Record<string, string>);
    // The listeners whose stores this request is about: those whose keys it names, even with the
    // value they have (a certificate renewed in place keeps its path, as cert-manager and cron jobs
    // renew them; Kafka rebuilds the SslFactory when the file changed, DefaultSslEngineFactory.
    // shouldBeRebuilt), and those whose keys it changed (a legacy AlterConfigs drops keys unnamed).
    const before = dynamicTlsConfigs(current);
    const tlsListeners = [
      ...new Set([
        ...changes.map((c) => DYNAMIC_TLS_KEY.exec(c.name)?.[1]),
        ...[...new Set([...Object.keys(tls), ...Object.keys(before)])].filter((k) => tls[k] !== before[k]).map((k) => DYNAMIC_TLS_KEY.exec(k)?.[1]),
      ]),
    ].filter((n): n is string => n !== undefined);
    const tlsChanged = tlsListeners.length > 0;
    const rest = Object.fromEntries(Object.entries(next).filter(([k]) => !isDynamicTlsKey(k)));
    if (tlsChanged && (resourceName === '' || !cluster.listenerTls)) {
      const names = changes.map((c) => c.name).filter(isDynamicTlsKey);
      if (resourceName === '') return { code: ErrorCode.INVALID_REQUEST, message: `Cannot update these configs at default cluster level, broker id must be specified: ${scalaSetOf(names)}` };
      return { code: ErrorCode.INVALID_REQUEST, message: `Cannot update these configs dynamically: ${scalaSetOf(names)}` };
    }
    // Kafka validates the resulting dynamic set; its ConfigException is answered as INVALID_REQUEST.
    // then the catalogue's types, ranges and refusals (src/protocol/broker-config-catalogue.ts), as at start-up.
    const problem = validateBrokerConfigs(rest) ?? (checkProperties(BROKER_CATALOGUE, rest).errors[0] ?? null) ?? (tlsChanged ? cluster.listenerTls!(tls, false, tlsListeners) : null);
    if (problem) return { code: ErrorCode.INVALID_REQUEST, message: problem };
    const threads = changes.some((c) => c.name === 'log.cleaner.threads') ? cleanerThreadsChange(cluster, resourceName, rest) : null;
    if (threads) return { code: ErrorCode.INVALID_REQUEST, message: threads };
    if (!validateOnly) {
      md.setBrokerConfigs(resourceName, next as Record<string, string>);
      if (tlsChanged) cluster.listenerTls!(tls, true, tlsListeners);
      // Names Kafka does not know are kept as Kafka keeps them (a plugin may read them), but
      // nothing here reads them: the daemon log says so rather than let them silently do nothing.
      const custom = changes.filter((c) => c.op !== OP_DELETE && isCustomBrokerConfig(c.name)).map((c) => c.name);
      if (custom.length > 0) {
        const where = resourceName === '' ? 'the cluster-wide default' : `broker ${resourceName}`;
        cluster.log?.warn(`Dynamic broker config${custom.length > 1 ? 's' : ''} ${custom.length > 10 ? `${custom.slice(0, 10).join(', ')} and ${custom.length - 10} more` : custom.join(', ')} of ${where} ${custom.length > 1 ? 'are' : 'is'} not known to Kafka or kafka-ts: stored and described (as Kafka does, for plugins), but ${custom.length > 1 ? 'they have' : 'it has'} no effect here`);
      }
    }
    return { code: 0, message: null };
  }
  if (resourceType === RESOURCE_BROKER_LOGGER && !replace && cluster.logLevels) return changeLogLevels(cluster.id, cluster.logLevels, resourceName, changes, validateOnly);
  // Client metrics and groups (and loggers through the legacy AlterConfigs): no configs kept here.
  return { code: ErrorCode.INVALID_REQUEST, message: `Unknown resource type ${resourceType}` };
}

const opName = (op: number) => (op === OP_APPEND ? 'APPEND' : op === OP_SUBTRACT ? 'SUBTRACT' : op === OP_DELETE ? 'DELETE' : 'SET');

/** Names as Scala prints a Set: Set(a, b). */
const scalaSetOf = (names: string[]) => `Set(${names.join(', ')})`;

/** Kafka's check that a broker resource names this broker (or, with `allowDefault`, the cluster default ""). */
export function brokerIdProblem(ownId: number, name: string, allowDefault = true): ApiError | null {
  if (name === '' && allowDefault) return null;
  if (!/^-?\d+$/.test(name)) return { code: ErrorCode.INVALID_REQUEST, message: `Node id must be an integer, but it is: ${name}` };
  if (Number(name) !== ownId) return { code: ErrorCode.INVALID_REQUEST, message: `Unexpected broker id, expected ${ownId}, but received ${name}` };
  return null;
}

/**
 * IncrementalAlterConfigs of a BROKER_LOGGER (Kafka's ConfigAdminManager): SET a known logger's
 * level, DELETE it (the logger inherits again; never root's). All checked before any change.
 */
function changeLogLevels(ownId: number, levels: LogLevels, name: string, changes: ConfigChange[], validateOnly: boolean): ApiError {
  const wrongId = brokerIdProblem(ownId, name, false);
  if (wrongId) return wrongId;
  for (const c of changes) {
    if (c.op === OP_APPEND || c.op === OP_SUBTRACT) {
      return { code: ErrorCode.INVALID_REQUEST, message: `${c.op === OP_APPEND ? 'APPEND' : 'SUBTRACT'} operation is not allowed for the BROKER_LOGGER resource` };
    }
    if (c.op !== OP_SET && c.op !== OP_DELETE) return { code: ErrorCode.INVALID_REQUEST, message: `Unknown operation type ${c.op} is not allowed for the BROKER_LOGGER resource` };
    if (!levels.exists(c.name)) return { code: ErrorCode.INVALID_CONFIG, message: `Logger ${c.name} does not exist!` };
    if (c.op === OP_SET && !(KAFKA_LOG_LEVELS as readonly string[]).includes(c.value ?? '')) {
      return {
        code: ErrorCode.INVALID_CONFIG,
        message: `Cannot set the log level of ${c.name} to ${c.value} as it is not a supported log level. Valid log levels are ${KAFKA_LOG_LEVELS.join(', ')}`,
      };
    }
    if (c.op === OP_DELETE && c.name === LogLevels.ROOT) return { code: ErrorCode.INVALID_REQUEST, message: `Removing the log level of the ${LogLevels.ROOT} logger is not allowed` };
  }
  if (!validateOnly) for (const c of changes) (c.op === OP_SET ? levels.set(c.name, c.value as KafkaLogLevel) : levels.unset(c.name));
  return { code: 0, message: null };
}

/**
 * Kafka's check of a log.cleaner.threads change on the broker taking it (DynamicBrokerConfig.validate):
 * its effective value (its own, else the cluster default, else server.properties, else 1) now and
 * with `next` as the resource's new dynamic set.
 */
function cleanerThreadsChange(cluster: ClusterService, resourceName: string, next: Record<string, string>): string | null {
  const name = 'log.cleaner.threads';
  const own = cluster.metadata.brokerConfigs[String(cluster.id)] ?? {};
  const defaults = cluster.metadata.brokerConfigs[''] ?? {};
  const effective = (b: Record<string, string>, d: Record<string, string>) => Number((b[name] ?? d[name] ?? cluster.config.explicit[name] ?? '1').trim());
  return cleanerThreadsProblem(effective(own, defaults), resourceName === '' ? effective(own, next) : effective(next, defaults));
}
