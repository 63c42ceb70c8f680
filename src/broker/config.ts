/**
 * Broker configuration: Kafka's `server.properties` keys with Kafka's defaults, read from a
 * properties file plus `--override key=value` pairs.
 */
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { DEFAULT_PORT } from './daemon-paths.js';
import { KafkaTsError, UsageError } from '../util/errors.js';
import { checkProperties, unknownConfig } from '../util/config-catalogue.js';
import { hasProviderReference, isProviderKey, resolveConfigProviders, type ProviderEnv } from '../util/config-providers.js';
import { BROKER_CATALOGUE, isListenerKey, isMechanismJaasConfig } from '../protocol/broker-config-catalogue.js';
import { ENABLE_KEY, LISTENER_KEY, MAX_REQUEST_KEY, registrySettings } from './schema-registry/settings.js';
import { RACK_KEYS, rackSettings } from './replica-selector.js';

const REGISTRY_KEYS = [ENABLE_KEY, LISTENER_KEY, MAX_REQUEST_KEY];

export interface BrokerConfig {
  /** Node id of the first logical broker; the others follow (id+1, id+2, …). */
  nodeId: number;
  /** Number of logical brokers the daemon runs. */
  brokerCount: number;
  host: string;
  /** TCP port of the first broker; 0 picks a free port. Further brokers use port+1, … (or free ports). */
  port: number;
  advertisedHost: string;
  /** Advertised port of the first broker when it differs from the bound one (proxies, NAT). */
  advertisedPort: number | null;
  dataDir: string;
  logDirs: string;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopics: boolean;
  deleteTopicEnable: boolean;
  messageMaxBytes: number;
  socketRequestMaxBytes: number;
  /** connections.max.idle.ms: a connection with no traffic (or stuck mid-frame) this long is closed. */
  connectionsMaxIdleMs: number;
  // Connection limits and bounded memory (issue 14): TCP listeners only, never the daemon's Unix socket.
  /** max.connections: TCP connections a broker accepts at once; more are closed at once. */
  maxConnections: number;
  /** max.connections.per.ip: TCP connections at once from one address. */
  maxConnectionsPerIp: number;
  /** max.connections.per.ip.overrides: per-address limits (`127.0.0.1:200,localhost:10`). */
  maxConnectionsPerIpOverrides: Record<string, number>;
  /** queued.max.request.bytes: request bytes held across connections before sockets stop being read; -1: no limit. */
  queuedMaxRequestBytes: number;
  /** kafka-ts.queued.max.response.bytes: answer bytes waiting for slow sockets before requests wait; the memory ceiling's main part. */
  queuedMaxResponseBytes: number;
  logSegmentBytes: number;
  logRollMs: number;
  logRetentionMs: number;
  logRetentionBytes: number;
  logIndexIntervalBytes: number;
  logRetentionCheckIntervalMs: number;
  logCleanupPolicy: string;
  /** log.cleaner.enable: whether compacted topics are compacted. */
  logCleanerEnable: boolean;
  /** log.cleaner.backoff.ms: how often the cleaner looks for logs to compact. */
  logCleanerBackoffMs: number;
  /** producer.id.expiration.ms: how long an idle idempotent producer's state is kept. */
  producerIdExpirationMs: number;
  compressionType: string;
  minInsyncReplicas: number;
  uncleanLeaderElection: boolean;
  replicaLagTimeMaxMs: number;
  /** Bytes a follower asks for per partition in one fetch. */
  replicaFetchMaxBytes: number;
  /** Bytes a follower accepts in one fetch response. */
  replicaFetchResponseMaxBytes: number;
  /** How long a follower's fetch waits at the leader for new data. */
  replicaFetchWaitMaxMs: number;
  /** Pause after a failed follower fetch (leader down, leadership moving). */
  replicaFetchBackoffMs: number;
  /** Move leadership back to preferred replicas periodically. */
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalMs: number;
  /** Percentage of a broker's partitions led by others that triggers rebalancing. */
  leaderImbalancePerBrokerPercentage: number;
  offsetsTopicNumPartitions: number;
  /** offsets.topic.segment.bytes: segment size of __consumer_offsets (kept small so compaction can reach it). */
  offsetsTopicSegmentBytes: number;
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  offsetMetadataMaxBytes: number;
  /**
   * kafka-ts.offset.metadata.max.total.bytes: heap bytes of committed offset metadata the daemon's
   * group coordinators keep in all; a commit growing it past this gets OFFSET_METADATA_TOO_LARGE
   * for the partitions over (see coordinator/metadata-budget.ts). Kafka has no such cap.
   */
  offsetMetadataMaxTotalBytes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupMaxSize: number;
  // Transactions (issue 16): the transaction coordinator and its __transaction_state topic.
  /** transaction.state.log.num.partitions: partitions of __transaction_state (created on first use). */
  transactionStateLogNumPartitions: number;
  /** transaction.state.log.replication.factor: capped at the number of brokers. */
  transactionStateLogReplicationFactor: number;
  /** transaction.state.log.min.isr: the topic's min.insync.replicas (capped at its replication factor). */
  transactionStateLogMinIsr: number;
  transactionStateLogSegmentBytes: number;
  /** transaction.max.timeout.ms: the largest transaction.timeout.ms a producer may ask for. */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often expired transactions are aborted. */
  transactionAbortTimedOutTransactionCleanupIntervalMs: number;
  /** transactional.id.expiration.ms: an idle transactional id is forgotten after this long. */
  transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms: how often expired transactional ids are removed. */
  transactionRemoveExpiredTransactionCleanupIntervalMs: number;
  /**
   * transaction.partition.verification.enable (KIP-890): a transactional batch that starts a
   * transaction on a partition is appended only if the coordinator has that partition in the
   * producer's ongoing transaction (else INVALID_TXN_STATE).
   */
  transactionPartitionVerificationEnable: boolean;
  /**
   * kafka-ts.max.partitions.per.request: partitions one CreateTopics or CreatePartitions request may
   * ask for (Kafka's controller refuses more than 10,000 per request with POLICY_VIOLATION). Checked
   * before anything is allocated, so a request for 100,000,000 partitions costs nothing.
   */
  maxPartitionsPerRequest: number;
  /** kafka-ts.max.partitions: partition replicas the daemon hosts across all its brokers (fds, memory). */
  maxPartitions: number;
  /**
   * kafka-ts.max.open.files: segment-file descriptors the daemon keeps open at once, across all
   * its brokers (an LRU cache; files are reopened on demand). 0 (default): half the process's soft
   * fd limit (`ulimit -n`). Kafka has no such setting: it keeps every segment open.
   */
  maxOpenFiles?: number;
  // Metadata log (issue 14, metadata/metadata-log.ts).
  /** metadata.log.max.record.bytes.between.snapshots: metadata-log bytes after which a snapshot is taken. */
  metadataSnapshotBytes: number;
  /** authorizer.class.name: empty (no authorization) or Kafka's StandardAuthorizer (see security/authorizer.ts). */
  authorizerClassName?: string;
  /** super.users: principals every check lets through (`User:a;User:b`). */
  superUsers?: string[];
  /** allow.everyone.if.no.acl.found: whether a resource no ACL applies to is open to all. */
  allowEveryoneIfNoAclFound?: boolean;
  /**
   * Every listener, from `listeners` (default: one PLAINTEXT listener on host:port). The first is
   * also `host`/`port` above. With several logical brokers a fixed port is port+index.
   */
  listeners: ListenerSpec[];
  /** advertised.listeners by listener name (an entry without a name is the first listener's). */
  advertisedListeners: Record<string, { host: string; port: number }>;
  /** listener.security.protocol.map, Kafka's default map plus what is given. */
  listenerSecurityProtocolMap: Record<string, SecurityProtocol>;
  /** connections.max.reauth.ms: SASL session lifetime (0: sessions never expire). */
  connectionsMaxReauthMs: number;
  /** connection.failed.authentication.delay.ms: how long a failed login's connection stays before it closes. */
  connectionFailedAuthenticationDelayMs: number;
  /** Every key given in the file or overrides, as given (DescribeConfigs reports these as static). */
  explicit: Record<string, string>;
  /**
   * The keys whose values came from a config provider (`${file:/path:key}`, KIP-421), as written:
   * DescribeConfigs shows these, never the resolved value.
   */
  providerReferences: Record<string, string>;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export interface ListenerSpec {
  /** The listener's name as written (upper case), e.g. PLAINTEXT, SASL_SSL, INTERNAL. */
  name: string;
  host: string;
  port: number;
}

/** Kafka's default listener.security.protocol.map. */
const DEFAULT_PROTOCOL_MAP: Record<string, SecurityProtocol> = {
  PLAINTEXT: 'PLAINTEXT',
  SSL: 'SSL',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT',
  SASL_SSL: 'SASL_SSL',
};

interface KeyDef {
  key: string;
  apply: (c: BrokerConfig, v: string) => void;
}

/** A whole number as Java's parsers take it (Number() reads '' and ' ' as 0, and hex). */
const whole = (v: string): number => (/^[+-]?\d+$/.test(v.trim()) ? Number(v.trim()) : NaN);
const int = (key: string, v: string): number => {
  const n = whole(v);
  if (!Number.isInteger(n)) throw new ConfigError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`);
  return n;
};
const long = (key: string, v: string): number => {
  const n = whole(v);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`Invalid value ${v} for configuration ${key}: Not a number of type LONG`);
  return n;
};
const bool = (key: string, v: string): boolean => {
  const t = v.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') throw new ConfigError(`Invalid value ${v} for configuration ${key}: Expected value to be either true or false`);
  return t === 'true';
};

const atLeast = (key: string, n: number, min: number): number => {
  if (n < min) throw new ConfigError(`Invalid value ${n} for configuration ${key}: Value must be at least ${min}`);
  return n;
};

/** A LONG that may be Kafka's Long.MAX_VALUE (no exact double: "never" either way). */
const flushLong = (key: string, v: string, min: number): number => {
  const n = whole(v);
  if (!Number.isInteger(n)) throw new ConfigError(`Invalid value ${v} for configuration ${key}: Not a number of type LONG`);
  return atLeast(key, n, min);
};

/** `host:n,host2:n` (an IPv6 address keeps its colons: the count is after the last one). */
function parseIpOverrides(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const i = part.lastIndexOf(':');
    const host = i > 0 ? part.slice(0, i).trim().replace(/^\[|\]$/g, '') : '';
    const n = i > 0 ? whole(part.slice(i + 1)) : NaN;
    if (host === '' || !Number.isInteger(n) || n < 0) {
      throw new ConfigError(`Invalid value ${v} for configuration max.connections.per.ip.overrides: expected host:count pairs, e.g. 127.0.0.1:200,localhost:50`);
    }
    out[host] = n;
  }
  return out;
}

/** An invalid broker setting, with Kafka's message. */
export class ConfigError extends KafkaTsError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('usage', message);
  }
}

const HOUR = 3600_000;

/** Kafka's producer.id.expiration.ms default: one day. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24 * HOUR;

/** Defaults, as Kafka ships them (except where a local single-machine broker wants otherwise). */
/**
 * kafka-ts.max.partitions when unset: 80 partition replicas per MB of this process's V8 heap
 * ceiling (its heap_size_limit), at most 200,000. A replica holds ~5-7 KB of heap and native
 * memory (measured: 10,000 partitions add ~60-70 MB RSS), so the cap keeps them to about half the
 * heap, with room for the requests in flight. Above it the daemon (256 MB by default) ran out of heap creating topics and
 * then could not start again on its own data (~45,000 partitions).
 */
export function defaultMaxPartitions(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.min(200_000, Math.floor((heapLimitBytes / (1024 * 1024)) * 80));
}

/**
 * kafka-ts.offset.metadata.max.total.bytes when unset: a quarter of this process's V8 heap ceiling
 * (76 MiB with the default 256 MB heap). Committed metadata costs about 1.15 times its size in
 * RSS (measured: 10,000 partitions of 4 KB add ~47 MB); a quarter leaves the rest of the heap to
 * partitions (kafka-ts.max.partitions takes about half) and requests in flight.
 */
export function defaultOffsetMetadataMaxTotalBytes(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.floor(heapLimitBytes / 4);
}

export function defaultBrokerConfig(dataDir: string): BrokerConfig {
  return {
    nodeId: 1,
    brokerCount: 1,
    host: '127.0.0.1',
    port: DEFAULT_PORT,
    advertisedHost: '127.0.0.1',
    advertisedPort: null,
    dataDir,
    logDirs: join(dataDir, 'data'),
    numPartitions: 1,
    defaultReplicationFactor: 1,
    autoCreateTopics: true,
    deleteTopicEnable: true,
    messageMaxBytes: 1048588,
    socketRequestMaxBytes: 104857600,
    connectionsMaxIdleMs: 600_000,
    maxConnections: 2147483647,
    maxConnectionsPerIp: 2147483647,
    maxConnectionsPerIpOverrides: {},
    queuedMaxRequestBytes: -1,
    queuedMaxResponseBytes: 64 << 20,
    logSegmentBytes: 1073741824,
    logRollMs: 168 * HOUR,
    logRetentionMs: 168 * HOUR,
    logRetentionBytes: -1,
    logIndexIntervalBytes: 4096,
    logRetentionCheckIntervalMs: 300_000,
    logCleanupPolicy: 'delete',
    logCleanerEnable: true,
    logCleanerBackoffMs: 15_000,
    producerIdExpirationMs: DEFAULT_PRODUCER_ID_EXPIRATION_MS,
    compressionType: 'producer',
    minInsyncReplicas: 1,
    uncleanLeaderElection: false,
    replicaLagTimeMaxMs: 30_000,
    replicaFetchMaxBytes: 1048576,
    replicaFetchResponseMaxBytes: 10485760,
    replicaFetchWaitMaxMs: 500,
    replicaFetchBackoffMs: 1000,
    autoLeaderRebalanceEnable: true,
    leaderImbalanceCheckIntervalMs: 300_000,
    leaderImbalancePerBrokerPercentage: 10,
    offsetsTopicNumPartitions: 50,
    offsetsTopicSegmentBytes: 104857600,
    offsetsRetentionMs: 10080 * 60_000,
    offsetsRetentionCheckIntervalMs: 600_000,
    offsetMetadataMaxBytes: 4096,
    offsetMetadataMaxTotalBytes: defaultOffsetMetadataMaxTotalBytes(),
    // Kafka's code default is 3000; its stock server.properties sets 0 for development, as here.
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1800000,
    groupMaxSize: 2147483647,
    // Transactions (issue 16): Kafka's defaults.
    transactionStateLogNumPartitions: 50,
    transactionStateLogReplicationFactor: 3,
    transactionStateLogMinIsr: 2,
    transactionStateLogSegmentBytes: 104857600,
    transactionMaxTimeoutMs: 900_000,
    transactionAbortTimedOutTransactionCleanupIntervalMs: 10_000,
    transactionalIdExpirationMs: 604_800_000,
    transactionRemoveExpiredTransactionCleanupIntervalMs: 3_600_000,
    transactionPartitionVerificationEnable: true,
    maxPartitionsPerRequest: 10_000,
    maxPartitions: defaultMaxPartitions(),
    maxOpenFiles: 0,
    // Metadata log (issue 14): Kafka's default, 20 MiB.
    metadataSnapshotBytes: 20 * 1024 * 1024,
    listeners: [],
    advertisedListeners: {},
    listenerSecurityProtocolMap: { ...DEFAULT_PROTOCOL_MAP },
    connectionsMaxReauthMs: 0,
    connectionFailedAuthenticationDelayMs: 100,
    explicit: {},
    providerReferences: {},
  };
}

const ENDPOINT = /^(?:([A-Za-z0-9_-]+):\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/;

/** `NAME://host:port` (the name defaults to PLAINTEXT; an empty host is 127.0.0.1 for listeners). */
function parseEndpoints(key: string, v: string): ListenerSpec[] {
  const out: ListenerSpec[] = [];
  for (const part of v.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = ENDPOINT.exec(part);
    if (!m) throw new ConfigError(`Invalid value ${v} for configuration ${key}: expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9093`);
    const name = (m[1] ?? 'PLAINTEXT').toUpperCase();
    if (out.some((l) => l.name === name)) throw new ConfigError(`Invalid value ${v} for configuration ${key}: Each listener must have a different name, ${name} is repeated`);
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigError(`Invalid port ${port} in ${key}: must be between 0 and 65535`);
    out.push({ name, host: m[2]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new ConfigError(`Invalid value ${v} for configuration ${key}: no listener given`);
  return out;
}

/** `listeners=PLAINTEXT://host:port,SASL_SSL://host:port,…`: every listener; the first is also host/port. */
function applyListeners(c: BrokerConfig, v: string) {
  const list = parseEndpoints('listeners', v).map((l) => ({ ...l, host: l.host === '' ? '127.0.0.1' : l.host }));
  if (list.some((l) => l.name === 'LOCAL')) throw new ConfigError("The listener name LOCAL is reserved for the daemon's Unix socket; choose another name");
  c.listeners = list;
  c.host = list[0]!.host;
  c.port = list[0]!.port;
  if (c.advertisedHost === '127.0.0.1' && c.host !== '0.0.0.0' && c.host !== '::') c.advertisedHost = c.host;
}

function applyAdvertised(c: BrokerConfig, v: string) {
  const list = parseEndpoints('advertised.listeners', v);
  const names = c.listeners.length > 0 ? c.listeners.map((l) => l.name) : ['PLAINTEXT'];
  c.advertisedListeners = {};
  for (const [i, l] of list.entries()) {
    // An entry without a scheme is the first listener's (as kafka-ts always took it).
    const name = /:\/\//.test(v.split(',')[i] ?? '') ? l.name : names[0]!;
    if (!names.includes(name)) throw new ConfigError(`advertised.listeners names ${name}, which is not in listeners (${names.join(', ')})`);
    c.advertisedListeners[name] = { host: l.host, port: l.port };
  }
  const first = c.advertisedListeners[names[0]!];
  if (first) {
    c.advertisedHost = first.host;
    c.advertisedPort = first.port || null;
  }
}

/** `listener.security.protocol.map=INTERNAL:SASL_SSL,EXTERNAL:SSL`, on top of Kafka's default map. */
function applyProtocolMap(c: BrokerConfig, v: string) {
  const map: Record<string, SecurityProtocol> = { ...DEFAULT_PROTOCOL_MAP };
  for (const part of v.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name, proto] = part.split(':').map((x) => x.trim().toUpperCase());
    if (!name || !proto || !(SECURITY_PROTOCOLS as readonly string[]).includes(proto)) {
      throw new ConfigError(`Invalid value ${v} for configuration listener.security.protocol.map: expected NAME:PROTOCOL pairs with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}`);
    }
    map[name] = proto as SecurityProtocol;
  }
  c.listenerSecurityProtocolMap = map;
}

/** Keys of the listeners' TLS and SASL settings, read by src/broker/security (listener-prefixed or not). */
export const isSecurityKey = (key: string): boolean => /^(ssl\.|sasl\.|listener\.name\.)/.test(key);

/**
 * `super.users=User:a;User:b`: each entry is principalType:principalName, as Kafka's authorizer
 * parses them (SecurityUtils.parseKafkaPrincipal); an entry without a type (`admin`) would match
 * no principal, so it stops the start instead of locking the admin out.
 */
function parseSuperUsers(v: string): string[] {
  const users = v.split(';').map((s) => s.trim()).filter((s) => s !== '');
  for (const u of users) {
    const colon = u.indexOf(':');
    if (colon <= 0 || colon === u.length - 1) {
      throw new ConfigError(`Invalid value ${v} for configuration super.users: expected a string in format principalType:principalName but got ${u} (write User:${colon < 0 ? u : u.replace(/^:|:$/g, '') || 'name'})`);
    }
  }
  return users;
}

/**
 * Config providers in broker properties (KIP-421, as Kafka's KafkaConfig resolves them):
 * `config.providers=file` + `config.providers.file.class=…FileConfigProvider` make
 * `${file:/path:key}` in any value the key's value in that file (env and dir as the client side,
 * src/util/config-providers.ts). An unsupported provider class, or a reference a listed provider
 * cannot resolve, stops the start naming the key and the reference, never a value. The
 * `config.providers.<name>.*` keys are consumed; `config.providers` itself stays (described as set).
 */
function resolveProviders(given: Record<string, string>, env: ProviderEnv): { props: Record<string, string>; references: Record<string, string> } {
  const providerProps = Object.fromEntries(Object.entries(given).filter(([k]) => isProviderKey(k)));
  const fail = (e: unknown, key?: string): never => {
    if (e instanceof UsageError) throw new ConfigError(key ? `${key}: ${e.message}` : e.message);
    throw e;
  };
  try {
    resolveConfigProviders(providerProps, env); // the providers' classes and parameters, referenced or not
  } catch (e) {
    fail(e);
  }
  const props: Record<string, string> = {};
  const references: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (isProviderKey(key)) {
      if (key === 'config.providers') props[key] = value;
      continue;
    }
    if (!hasProviderReference(value)) {
      props[key] = value;
      continue;
    }
    try {
      props[key] = resolveConfigProviders({ ...providerProps, [key]: value }, env)[key]!;
    } catch (e) {
      fail(e, key);
    }
    if (props[key] !== value) references[key] = value;
  }
  return { props, references };
}

const LISTENER_PREFIXED = /^listener\.name\.([^.]+)\.(.+)$/;

/** Kafka's ZooKeeper-era ACL authorizer, accepted as StandardAuthorizer (see buildBrokerConfig). */
const ACL_AUTHORIZER = 'kafka.security.authorizer.AclAuthorizer';

/**
 * Listener-prefixed keys (`listener.name.<listener>.<setting>`) must name a listener of
 * `listeners` (or `controller.listener.names`) in lower case, as Kafka matches them: Kafka ignores
 * any other, so `listener.name.MTLS.ssl.client.auth=required` would silently leave mTLS off.
 * kafka-ts refuses them (README: Deliberate differences), and TLS settings of a listener without
 * TLS or SASL settings of one without SASL, which would do nothing. A setting no listener reads is
 * warned about.
 */
function checkListenerKeys(config: BrokerConfig, warnings: ConfigWarning[]): void {
  const names = new Set([...config.listeners.map((l) => l.name), ...(config.explicit['controller.listener.names'] ?? '').split(',').map((n) => n.trim().toUpperCase()).filter((n) => n !== '')]);
  for (const key of Object.keys(config.explicit)) {
    if (!isListenerKey(key)) continue;
    const m = LISTENER_PREFIXED.exec(key);
    if (!m) throw new ConfigError(`${key}: expected listener.name.<listener>.<setting>, e.g. listener.name.sasl_ssl.sasl.enabled.mechanisms`);
    const [, name, setting] = m as unknown as [string, string, string];
    if (name !== name.toLowerCase()) throw new ConfigError(`${key}: listener names in config keys are lower case: listener.name.${name.toLowerCase()}.${setting}`);
    if (!names.has(name.toUpperCase())) {
      throw new ConfigError(`${key}: there is no listener ${name.toUpperCase()} in listeners (${config.listeners.map((l) => l.name).join(', ')}); a listener's own settings are listener.name.<its name in lower case>.<setting>`);
    }
    // A TLS setting of a listener without TLS (or SASL of one without SASL) would do nothing, so
    // `listener.name.plaintext.ssl.client.auth=required` would leave that listener open.
    const protocol = config.listeners.some((l) => l.name === name.toUpperCase()) ? config.listenerSecurityProtocolMap[name.toUpperCase()] : undefined;
    const family = setting.startsWith('ssl.') ? 'ssl' : setting.startsWith('sasl.') || isMechanismJaasConfig(setting) ? 'sasl' : null;
    if (protocol !== undefined && family !== null && !protocol.includes(family.toUpperCase())) {
      throw new ConfigError(`${key}: listener ${name.toUpperCase()} is ${protocol} (listener.security.protocol.map), which uses no ${family}.* settings`);
    }
    if (!BROKER_CATALOGUE.byName.has(setting) && !isMechanismJaasConfig(setting)) {
      warnings.push({ key, message: unknownConfig(key) });
    }
  }
}

const KEYS: KeyDef[] = [
  { key: 'node.id', apply: (c, v) => (c.nodeId = int('node.id', v)) },
  { key: 'broker.id', apply: (c, v) => (c.nodeId = int('broker.id', v)) },
  { key: 'kafka-ts.brokers', apply: (c, v) => (c.brokerCount = int('kafka-ts.brokers', v)) },
  // The schema registry's settings (read by the daemon; schema-registry/settings.ts documents them), checked here.
  ...REGISTRY_KEYS.map((key) => ({
    key,
    apply: (_c: BrokerConfig, v: string) => {
      try {
        registrySettings({ [key]: v });
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
    },
  })),
  { key: 'listeners', apply: applyListeners },
  { key: 'advertised.listeners', apply: applyAdvertised },
  { key: 'listener.security.protocol.map', apply: applyProtocolMap },
  { key: 'connections.max.reauth.ms', apply: (c, v) => (c.connectionsMaxReauthMs = long('connections.max.reauth.ms', v)) },
  { key: 'connection.failed.authentication.delay.ms', apply: (c, v) => (c.connectionFailedAuthenticationDelayMs = int('connection.failed.authentication.delay.ms', v)) },
  { key: 'port', apply: (c, v) => (c.port = int('port', v)) },
  { key: 'host.name', apply: (c, v) => (c.host = v.trim()) },
  { key: 'log.dirs', apply: (c, v) => (c.logDirs = v.split(',')[0]!.trim()) },
  { key: 'log.dir', apply: (c, v) => (c.logDirs = v.trim()) },
  { key: 'num.partitions', apply: (c, v) => (c.numPartitions = int('num.partitions', v)) },
  { key: 'default.replication.factor', apply: (c, v) => (c.defaultReplicationFactor = int('default.replication.factor', v)) },
  { key: 'auto.create.topics.enable', apply: (c, v) => (c.autoCreateTopics = bool('auto.create.topics.enable', v)) },
  { key: 'delete.topic.enable', apply: (c, v) => (c.deleteTopicEnable = bool('delete.topic.enable', v)) },
  { key: 'message.max.bytes', apply: (c, v) => (c.messageMaxBytes = int('message.max.bytes', v)) },
  { key: 'socket.request.max.bytes', apply: (c, v) => (c.socketRequestMaxBytes = int('socket.request.max.bytes', v)) },
  { key: 'connections.max.idle.ms', apply: (c, v) => (c.connectionsMaxIdleMs = long('connections.max.idle.ms', v)) },
  // Connection limits and bounded memory (issue 14).
  { key: 'max.connections', apply: (c, v) => (c.maxConnections = atLeast('max.connections', int('max.connections', v), 0)) },
  { key: 'max.connections.per.ip', apply: (c, v) => (c.maxConnectionsPerIp = atLeast('max.connections.per.ip', int('max.connections.per.ip', v), 0)) },
  { key: 'max.connections.per.ip.overrides', apply: (c, v) => (c.maxConnectionsPerIpOverrides = parseIpOverrides(v)) },
  { key: 'queued.max.request.bytes', apply: (c, v) => (c.queuedMaxRequestBytes = long('queued.max.request.bytes', v)) },
  { key: 'kafka-ts.queued.max.response.bytes', apply: (c, v) => (c.queuedMaxResponseBytes = atLeast('kafka-ts.queued.max.response.bytes', long('kafka-ts.queued.max.response.bytes', v), 1)) },
  { key: 'log.segment.bytes', apply: (c, v) => (c.logSegmentBytes = int('log.segment.bytes', v)) },
  { key: 'log.roll.ms', apply: (c, v) => (c.logRollMs = long('log.roll.ms', v)) },
  { key: 'log.roll.hours', apply: (c, v) => (c.logRollMs = int('log.roll.hours', v) * HOUR) },
  { key: 'log.retention.ms', apply: (c, v) => (c.logRetentionMs = long('log.retention.ms', v)) },
  { key: 'log.retention.minutes', apply: (c, v) => (c.logRetentionMs = int('log.retention.minutes', v) * 60_000) },
  { key: 'log.retention.hours', apply: (c, v) => (c.logRetentionMs = int('log.retention.hours', v) * HOUR) },
  { key: 'log.retention.bytes', apply: (c, v) => (c.logRetentionBytes = long('log.retention.bytes', v)) },
  { key: 'log.index.interval.bytes', apply: (c, v) => (c.logIndexIntervalBytes = int('log.index.interval.bytes', v)) },
  { key: 'log.retention.check.interval.ms', apply: (c, v) => (c.logRetentionCheckIntervalMs = long('log.retention.check.interval.ms', v)) },
  { key: 'log.cleanup.policy', apply: (c, v) => (c.logCleanupPolicy = v.trim()) },
  { key: 'log.cleaner.enable', apply: (c, v) => (c.logCleanerEnable = bool('log.cleaner.enable', v)) },
  { key: 'log.cleaner.backoff.ms', apply: (c, v) => (c.logCleanerBackoffMs = long('log.cleaner.backoff.ms', v)) },
  { key: 'producer.id.expiration.ms', apply: (c, v) => (c.producerIdExpirationMs = int('producer.id.expiration.ms', v)) },
  { key: 'compression.type', apply: (c, v) => (c.compressionType = v.trim()) },
  { key: 'min.insync.replicas', apply: (c, v) => (c.minInsyncReplicas = int('min.insync.replicas', v)) },
  { key: 'unclean.leader.election.enable', apply: (c, v) => (c.uncleanLeaderElection = bool('unclean.leader.election.enable', v)) },
  { key: 'replica.lag.time.max.ms', apply: (c, v) => (c.replicaLagTimeMaxMs = long('replica.lag.time.max.ms', v)) },
  { key: 'replica.fetch.max.bytes', apply: (c, v) => (c.replicaFetchMaxBytes = int('replica.fetch.max.bytes', v)) },
  { key: 'replica.fetch.response.max.bytes', apply: (c, v) => (c.replicaFetchResponseMaxBytes = int('replica.fetch.response.max.bytes', v)) },
  { key: 'replica.fetch.wait.max.ms', apply: (c, v) => (c.replicaFetchWaitMaxMs = int('replica.fetch.wait.max.ms', v)) },
  { key: 'replica.fetch.backoff.ms', apply: (c, v) => (c.replicaFetchBackoffMs = int('replica.fetch.backoff.ms', v)) },
  { key: 'auto.leader.rebalance.enable', apply: (c, v) => (c.autoLeaderRebalanceEnable = bool('auto.leader.rebalance.enable', v)) },
  { key: 'leader.imbalance.check.interval.seconds', apply: (c, v) => (c.leaderImbalanceCheckIntervalMs = long('leader.imbalance.check.interval.seconds', v) * 1000) },
  { key: 'leader.imbalance.per.broker.percentage', apply: (c, v) => (c.leaderImbalancePerBrokerPercentage = int('leader.imbalance.per.broker.percentage', v)) },
  { key: 'offsets.topic.num.partitions', apply: (c, v) => (c.offsetsTopicNumPartitions = int('offsets.topic.num.partitions', v)) },
  { key: 'offsets.topic.segment.bytes', apply: (c, v) => (c.offsetsTopicSegmentBytes = int('offsets.topic.segment.bytes', v)) },
  { key: 'offsets.retention.minutes', apply: (c, v) => (c.offsetsRetentionMs = int('offsets.retention.minutes', v) * 60_000) },
  { key: 'offsets.retention.check.interval.ms', apply: (c, v) => (c.offsetsRetentionCheckIntervalMs = long('offsets.retention.check.interval.ms', v)) },
  { key: 'offset.metadata.max.bytes', apply: (c, v) => (c.offsetMetadataMaxBytes = int('offset.metadata.max.bytes', v)) },
  { key: 'kafka-ts.offset.metadata.max.total.bytes', apply: (c, v) => (c.offsetMetadataMaxTotalBytes = atLeast('kafka-ts.offset.metadata.max.total.bytes', long('kafka-ts.offset.metadata.max.total.bytes', v), 0)) },
  { key: 'group.initial.rebalance.delay.ms', apply: (c, v) => (c.groupInitialRebalanceDelayMs = int('group.initial.rebalance.delay.ms', v)) },
  { key: 'group.min.session.timeout.ms', apply: (c, v) => (c.groupMinSessionTimeoutMs = int('group.min.session.timeout.ms', v)) },
  { key: 'group.max.session.timeout.ms', apply: (c, v) => (c.groupMaxSessionTimeoutMs = int('group.max.session.timeout.ms', v)) },
  { key: 'group.max.size', apply: (c, v) => (c.groupMaxSize = int('group.max.size', v)) },
  // Transactions (issue 16).
  { key: 'transaction.state.log.num.partitions', apply: (c, v) => (c.transactionStateLogNumPartitions = atLeast('transaction.state.log.num.partitions', int('transaction.state.log.num.partitions', v), 1)) },
  { key: 'transaction.state.log.replication.factor', apply: (c, v) => (c.transactionStateLogReplicationFactor = atLeast('transaction.state.log.replication.factor', int('transaction.state.log.replication.factor', v), 1)) },
  { key: 'transaction.state.log.min.isr', apply: (c, v) => (c.transactionStateLogMinIsr = atLeast('transaction.state.log.min.isr', int('transaction.state.log.min.isr', v), 1)) },
  { key: 'transaction.state.log.segment.bytes', apply: (c, v) => (c.transactionStateLogSegmentBytes = atLeast('transaction.state.log.segment.bytes', int('transaction.state.log.segment.bytes', v), 1)) },
  { key: 'transaction.max.timeout.ms', apply: (c, v) => (c.transactionMaxTimeoutMs = atLeast('transaction.max.timeout.ms', int('transaction.max.timeout.ms', v), 1)) },
  { key: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', apply: (c, v) => (c.transactionAbortTimedOutTransactionCleanupIntervalMs = atLeast('transaction.abort.timed.out.transaction.cleanup.interval.ms', int('transaction.abort.timed.out.transaction.cleanup.interval.ms', v), 1)) },
  { key: 'transactional.id.expiration.ms', apply: (c, v) => (c.transactionalIdExpirationMs = atLeast('transactional.id.expiration.ms', int('transactional.id.expiration.ms', v), 1)) },
  { key: 'transaction.remove.expired.transaction.cleanup.interval.ms', apply: (c, v) => (c.transactionRemoveExpiredTransactionCleanupIntervalMs = atLeast('transaction.remove.expired.transaction.cleanup.interval.ms', int('transaction.remove.expired.transaction.cleanup.interval.ms', v), 1)) },
  { key: 'transaction.partition.verification.enable', apply: (c, v) => (c.transactionPartitionVerificationEnable = bool('transaction.partition.verification.enable', v)) },
  { key: 'kafka-ts.max.partitions.per.request', apply: (c, v) => (c.maxPartitionsPerRequest = int('kafka-ts.max.partitions.per.request', v)) },
  { key: 'kafka-ts.max.partitions', apply: (c, v) => (c.maxPartitions = int('kafka-ts.max.partitions', v)) },
  { key: 'kafka-ts.max.open.files', apply: (c, v) => (c.maxOpenFiles = int('kafka-ts.max.open.files', v)) },
  // Metadata log (issue 14).
  { key: 'metadata.log.max.record.bytes.between.snapshots', apply: (c, v) => (c.metadataSnapshotBytes = long('metadata.log.max.record.bytes.between.snapshots', v)) },
  // Durable mode (issue 17): topic defaults for flush.messages / flush.ms (read from `explicit`
  // by the topic-config resolution); flush.ms timers run per partition, so the scheduler interval
  // is only checked.
  { key: 'log.flush.interval.messages', apply: (_c, v) => void flushLong('log.flush.interval.messages', v, 1) },
  { key: 'log.flush.interval.ms', apply: (_c, v) => void flushLong('log.flush.interval.ms', v, 0) },
  { key: 'log.flush.scheduler.interval.ms', apply: (_c, v) => void flushLong('log.flush.scheduler.interval.ms', v, 0) },
  // Authorization (ACLs): Kafka's StandardAuthorizer, or none.
  {
    key: 'authorizer.class.name',
    apply: (c, v) => {
      const name = v.trim();
      const known = ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', ACL_AUTHORIZER];
      if (name !== '' && !known.includes(name)) throw new ConfigError(`Invalid value ${name} for configuration authorizer.class.name: kafka-ts supports only ${known[0]} (or an empty value for no authorization)`);
      c.authorizerClassName = name;
    },
  },
  // Racks and follower fetching (issue 19, replica-selector.ts): broker.rack, kafka-ts.broker.racks,
  // replica.selector.class; kept in `explicit`, checked here (the racks' count once the brokers' is known).
  ...RACK_KEYS.map((key) => ({
    key,
    apply: (_c: BrokerConfig, v: string) => {
      try {
        rackSettings({ [key]: v }, v.split(',').length);
      } catch (e) {
        throw new ConfigError((e as Error).message);
      }
    },
  })),
  { key: 'super.users', apply: (c, v) => (c.superUsers = parseSuperUsers(v)) },
  { key: 'allow.everyone.if.no.acl.found', apply: (c, v) => (c.allowEveryoneIfNoAclFound = bool('allow.everyone.if.no.acl.found', v)) },
];
const BY_KEY = new Map(KEYS.map((k) => [k.key, k]));
/** The keys the daemon reads into BrokerConfig (each is in the broker catalogue). */
export const HANDLED_BROKER_KEYS: readonly string[] = KEYS.map((k) => k.key);

export interface ConfigWarning {
  key: string;
  message: string;
}

/**
 * Applies properties on top of the defaults, checked against the broker catalogue
 * (src/protocol/broker-config-catalogue.ts). Unknown keys are reported (Kafka logs them as
 * "supplied but isn't a known config") rather than rejected; bad values and unsupported keys
 * throw ConfigError with Kafka's text. Config provider references are resolved first
 * (resolveProviders; `env` replaces the process environment and file reads in tests).
 */
export function buildBrokerConfig(dataDir: string, given: Record<string, string>, env: ProviderEnv = {}): { config: BrokerConfig; warnings: ConfigWarning[] } {
  const config = defaultBrokerConfig(dataDir);
  const warnings: ConfigWarning[] = [];
  const { props, references } = resolveProviders(given, env);
  config.providerReferences = references;
  // listeners, then port (the first listener's port, e.g. from `server start --port`), then
  // advertised.listeners, whatever order the file and overrides gave them in. A setting with
  // several names takes Kafka's precedence, the finest unit winning (ms over minutes over hours):
  // the coarser ones are applied first.
  const SYNONYM_RANK: Record<string, number> = {
    'log.retention.hours': -3,
    'log.retention.minutes': -2,
    'log.retention.ms': -1,
    'log.roll.hours': -2,
    'log.roll.ms': -1,
    'log.roll.jitter.hours': -2,
    'log.roll.jitter.ms': -1,
  };
  const rank = (k: string) => SYNONYM_RANK[k] ?? ['listeners', 'port', 'advertised.listeners'].indexOf(k) + 1;
  const ordered = Object.entries(props).sort(([a], [b]) => rank(a) - rank(b));
  // The catalogue first: types, ranges, valid values and refusals with Kafka's texts (the first
  // problem, in file order, stops the start); unknown keys are warned about; no-effect keys are quiet.
  const check = checkProperties(BROKER_CATALOGUE, props, isListenerKey);
  if (check.errors.length > 0) throw new ConfigError(check.errors[0]!);
  for (const message of check.warnings) warnings.push({ key: /^The configuration '(.*)' was supplied/.exec(message)?.[1] ?? '', message });
  for (const [key, value] of ordered) {
    BY_KEY.get(key)?.apply(config, value);
    config.explicit[key] = value;
  }
  if (config.brokerCount < 1 || config.brokerCount > 16) throw new ConfigError(`kafka-ts.brokers must be between 1 and 16, got ${config.brokerCount}`);
  try {
    rackSettings(config.explicit, config.brokerCount);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (config.port < 0 || config.port > 65535) throw new ConfigError(`Invalid port ${config.port}: must be between 0 and 65535`);
  if (config.numPartitions < 1) throw new ConfigError('num.partitions must be at least 1');
  if (config.maxPartitionsPerRequest < 1) throw new ConfigError('kafka-ts.max.partitions.per.request must be at least 1');
  if (config.connectionsMaxIdleMs < 1) throw new ConfigError('connections.max.idle.ms must be at least 1');
  if (config.maxPartitions < 1) throw new ConfigError('kafka-ts.max.partitions must be at least 1');
  if (config.maxConnectionsPerIp === 0 && Object.keys(config.maxConnectionsPerIpOverrides).length === 0) {
    throw new ConfigError('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.');
  }
  if ((config.maxOpenFiles ?? 0) < 0) throw new ConfigError('kafka-ts.max.open.files must be 0 (half the fd limit) or a positive number of files');
  // Metadata log (issue 14).
  if (config.metadataSnapshotBytes < 1) throw new ConfigError('Invalid value for configuration metadata.log.max.record.bytes.between.snapshots: Value must be at least 1');
  if (config.listeners.length === 0) config.listeners = [{ name: 'PLAINTEXT', host: config.host, port: config.port }];
  else config.listeners[0] = { ...config.listeners[0]!, host: config.host, port: config.port };
  for (const l of config.listeners) {
    if (!config.listenerSecurityProtocolMap[l.name]) {
      throw new ConfigError(`No security protocol defined for listener ${l.name}: add it to listener.security.protocol.map (e.g. ${l.name}:SASL_SSL)`);
    }
  }
  checkListenerKeys(config, warnings);
  // Kafka's ZooKeeper-era authorizer (removed in 4.0) evaluates ACLs as StandardAuthorizer does
  // (deny wins, super.users, allow.everyone.if.no.acl.found, literal/prefixed/wildcard patterns,
  // implied DESCRIBE): accepted, but said at start, since no such class runs here.
  if (config.authorizerClassName === ACL_AUTHORIZER) {
    warnings.push({
      key: 'authorizer.class.name',
      message: `authorizer.class.name=${ACL_AUTHORIZER} is served by kafka-ts's built-in StandardAuthorizer-compatible authorizer (the same ACL semantics; ACLs are kept in the cluster metadata, not ZooKeeper)`,
    });
  }
  // OAUTHBEARER here is Kafka's unsecured validator (unsigned JWTs): Kafka's default too, and
  // quiet there, but anyone may then log in as any principal, super users included.
  const unverified = config.listeners
    .filter((l) => config.listenerSecurityProtocolMap[l.name]?.startsWith('SASL_'))
    .filter((l) => (config.explicit[`listener.name.${l.name.toLowerCase()}.sasl.enabled.mechanisms`] ?? config.explicit['sasl.enabled.mechanisms'] ?? '').split(',').some((m) => m.trim().toUpperCase() === 'OAUTHBEARER'))
    .map((l) => l.name);
  if (unverified.length > 0) {
    warnings.push({
      key: 'sasl.enabled.mechanisms',
      message:
        `Listener${unverified.length > 1 ? 's' : ''} ${unverified.join(', ')} accept${unverified.length > 1 ? '' : 's'} OAUTHBEARER with Kafka's unsecured validator: tokens are not verified ` +
        '(an unsigned JWT names any principal, super users included); for tests only, not where tokens must be trusted',
    });
  }
  if (config.connectionsMaxReauthMs < 0) throw new ConfigError('connections.max.reauth.ms must be 0 or more');
  if (config.connectionFailedAuthenticationDelayMs < 0) throw new ConfigError('connection.failed.authentication.delay.ms must be 0 or more');
  return { config, warnings };
}
