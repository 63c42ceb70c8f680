/**
 * StreamsConfig: Kafka Streams' property names and defaults, parsed and checked up front so a bad
 * value is one clear ConfigException before anything connects.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_CATALOGUES } from '../../client/config/index.js';
import { StreamsConfigException } from './errors.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

export interface StreamsConfig {
  applicationId: string;
  clientId: string;
  stateDir: string;
  processingGuarantee: ProcessingGuarantee;
  commitIntervalMs: number;
  numStreamThreads: 1;
  deserializationErrors: 'continue' | 'fail';
  /** Internal topics' replication factor; -1 = the broker's default. */
  replicationFactor: number;
  /** transaction.timeout.ms of the exactly_once_v2 producer (Kafka Streams: 10000). */
  transactionTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** auto.offset.reset for source topics without a committed offset (Kafka Streams: earliest). */
  autoOffsetReset: 'earliest' | 'latest';
  /** Poll wait when idle. */
  pollMs: number;
  /** Records one poll hands over (Kafka Streams sets its consumer's max.poll.records to 1000). */
  maxPollRecords: number;
  /**
   * buffered.records.per.partition: a partition with more records than this buffered (fetched,
   * not processed) is paused until its buffer is down to it, so the other partitions (and the
   * repartition topics of later sub-topologies) are fetched and processed meanwhile.
   */
  bufferedRecordsPerPartition: number;
}

export type StreamsProperties = Record<string, string | number | undefined>;

/**
 * default.key.serde / default.value.serde: the Java serde classes kafka-ts has a serde for (the
 * names `kafka-ts streams --key-serde` takes).
 */
export const SERDE_CLASSES: Readonly<Record<string, string>> = {
  'org.apache.kafka.common.serialization.Serdes$StringSerde': 'string',
  'org.apache.kafka.common.serialization.Serdes$LongSerde': 'long',
  'org.apache.kafka.common.serialization.Serdes$IntegerSerde': 'integer',
  'org.apache.kafka.common.serialization.Serdes$DoubleSerde': 'double',
  'org.apache.kafka.common.serialization.Serdes$BytesSerde': 'bytes',
  'org.apache.kafka.common.serialization.Serdes$ByteArraySerde': 'bytes',
  'io.confluent.kafka.streams.serdes.avro.GenericAvroSerde': 'avro',
  'io.confluent.kafka.streams.serdes.json.KafkaJsonSchemaSerde': 'json-schema',
  'io.confluent.kafka.streams.serdes.protobuf.KafkaProtobufSerde': 'protobuf',
};

/** The serde name (string, long, …) default.key.serde or default.value.serde names; undefined when unset. */
export function defaultSerde(props: StreamsProperties, which: 'key' | 'value'): string | undefined {
  const name = `default.${which}.serde`;
  const raw = props[name];
  if (raw === undefined || String(raw).trim() === '') return undefined;
  const cls = String(raw).trim();
  const serde = SERDE_CLASSES[cls];
  if (serde) return serde;
  // `Serdes$LongSerde` unquoted in a shell arrives as `Serdes`.
  const hint = cls.endsWith('.Serdes') ? " (quote the value: the shell took '$…' for a variable)" : '';
  throw new StreamsConfigException(`Invalid value ${cls} for configuration ${name}: kafka-ts has no serde for class ${cls}${hint}; supported: ${Object.keys(SERDE_CLASSES).join(', ')}`);
}

/** Keys parseStreamsConfig (or the command, the serdes) reads: StreamsConfig's and the clients' that Kafka Streams passes on. */
const SUPPORTED = new Set([
  'application.id', 'bootstrap.servers', 'client.id', 'state.dir', 'processing.guarantee', 'commit.interval.ms', 'num.stream.threads',
  'default.deserialization.exception.handler', 'deserialization.exception.handler', 'replication.factor', 'transaction.timeout.ms',
  'session.timeout.ms', 'heartbeat.interval.ms', 'auto.offset.reset', 'poll.ms', 'max.poll.records', 'default.key.serde', 'default.value.serde',
  'buffered.records.per.partition',
]);

/** StreamsConfig keys that only tune performance or operations: accepted, with a warning that they do nothing here. */
const NO_EFFECT: Readonly<Record<string, string>> = {
  'num.standby.replicas': 'kafka-ts keeps no standby replicas; a task that moves restores its stores from their changelogs',
  'topology.optimization': 'kafka-ts does not rewrite topologies; they run as built',
  'statestore.cache.max.bytes': 'kafka-ts has no record cache; every update is forwarded (changelogs get the latest value per key at each commit)',
  'cache.max.bytes.buffering': 'kafka-ts has no record cache; every update is forwarded (changelogs get the latest value per key at each commit)',
  'max.task.idle.ms': 'kafka-ts does not wait for empty input partitions of a task',
  'acceptable.recovery.lag': 'kafka-ts assigns without warm-up replicas',
  'max.warmup.replicas': 'kafka-ts assigns without warm-up replicas',
  'probing.rebalance.interval.ms': 'kafka-ts assigns without warm-up replicas',
  'application.server': 'kafka-ts has no interactive queries across instances',
  'rack.aware.assignment.tags': 'kafka-ts assigns without rack awareness',
  'rack.aware.assignment.strategy': 'kafka-ts assigns without rack awareness',
  'state.cleanup.delay.ms': 'kafka-ts does not clean up state directories in the background',
  'repartition.purge.interval.ms': 'kafka-ts does not purge repartition topics',
  'task.timeout.ms': 'kafka-ts fails on errors instead of retrying tasks',
  'retry.backoff.ms': 'kafka-ts fails on errors instead of retrying tasks',
  'metrics.recording.level': 'kafka-ts reports its own status lines, not JMX metrics',
  'metrics.num.samples': 'kafka-ts reports its own status lines, not JMX metrics',
  'metrics.sample.window.ms': 'kafka-ts reports its own status lines, not JMX metrics',
  'metric.reporters': 'kafka-ts reports its own status lines, not JMX metrics',
  'built.in.metrics.version': 'kafka-ts reports its own status lines, not JMX metrics',
  'rocksdb.config.setter': 'kafka-ts stores state in its own files, not RocksDB',
  'default.dsl.store': 'kafka-ts chooses the DSL stores itself (persistent, changelogged)',
  'upgrade.from': 'kafka-ts has one version of the rebalance protocol and state format',
  'log.summary.interval.ms': 'kafka-ts prints status lines (--status-interval) instead',
};

/** Keys whose value changes what records mean or which are kept: only Kafka's default can be honoured. */
const DEFAULT_ONLY: Readonly<Record<string, string[]>> = {
  'default.timestamp.extractor': ['org.apache.kafka.streams.processor.FailOnInvalidTimestamp'],
  'default.production.exception.handler': ['org.apache.kafka.streams.errors.DefaultProductionExceptionHandler'],
  'production.exception.handler': ['org.apache.kafka.streams.errors.DefaultProductionExceptionHandler'],
  'processing.exception.handler': ['org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler'],
};

/** The schema registry serdes' keys (Confluent's names, src/streams/registry-serdes.ts). */
const REGISTRY_KEY = /^(schema\.registry\.|basic\.auth\.|bearer\.auth\.|(key|value)\.(schema|subject\.name\.strategy)|auto\.register\.schemas$|use\.latest\.version$)/;

/**
 * Client settings Kafka Streams passes on to all of its clients that kafka-ts's one connection
 * reads (how to reach and authenticate to the cluster): a Streams properties file written for
 * Kafka keeps working against a secured cluster.
 */
const CONNECTION_KEY = /^(security\.protocol$|ssl\.|sasl\.|config\.providers(\.|$))/;

/** The connection settings among Streams properties (see CONNECTION_KEY), to hand to the client. */
export function connectionProperties(props: StreamsProperties): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(props)) if (value !== undefined && CONNECTION_KEY.test(key)) out[key] = String(value);
  return out;
}

/** Client-level prefixes Kafka Streams passes on to its consumers, producer and admin. */
const CLIENT_PREFIX = /^(consumer|producer|admin|main\.consumer|restore\.consumer|global\.consumer|topic)\./;

/**
 * Checks the keys of Kafka Streams properties as Kafka's StreamsConfig does: an unknown key is a
 * warning (Kafka's text), a key kafka-ts knows but does not implement is a warning saying so when
 * it only tunes performance, and a usage error (ConfigException) when it would change the data
 * (a timestamp extractor, an exception handler other than the default, a serde class kafka-ts
 * lacks). `known` names keys read elsewhere (the schema registry serdes' schema.registry.url, …).
 * Returns the warnings; throws on the first refusal.
 */
export function checkStreamsKeys(props: StreamsProperties, known: (key: string) => boolean = () => false): string[] {
  const warnings: string[] = [];
  for (const [key, raw] of Object.entries(props)) {
    if (raw === undefined || SUPPORTED.has(key) || CONNECTION_KEY.test(key) || REGISTRY_KEY.test(key) || known(key)) continue;
    const value = String(raw).trim();
    const onlyDefault = DEFAULT_ONLY[key];
    if (onlyDefault) {
      if (value !== '' && !onlyDefault.includes(value)) throw new StreamsConfigException(`Invalid value ${value} for configuration ${key}: kafka-ts runs no Java classes and implements only ${onlyDefault.join(', ')}`);
      continue;
    }
    const none = NO_EFFECT[key];
    if (none) warnings.push(`The configuration '${key}' has no effect: ${none}.`);
    else if (CLIENT_PREFIX.test(key) || Object.values(CLIENT_CATALOGUES).some((c) => c.byName.has(key))) warnings.push(`The configuration '${key}' has no effect: kafka-ts streams passes on only the connection settings (bootstrap.servers, security.protocol, ssl.*, sasl.*) to its clients.`);
    else warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
  }
  return warnings;
}

const LOG_AND_CONTINUE = 'org.apache.kafka.streams.errors.LogAndContinueExceptionHandler';
const LOG_AND_FAIL = 'org.apache.kafka.streams.errors.LogAndFailExceptionHandler';

function int(props: StreamsProperties, name: string, dflt: number, min: number): number {
  const raw = props[name];
  if (raw === undefined || raw === '') return dflt;
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n)) throw new StreamsConfigException(`Invalid value ${raw} for configuration ${name}: Not a number of type INT`);
  if (n < min) throw new StreamsConfigException(`Invalid value ${raw} for configuration ${name}: Value must be at least ${min}`);
  return n;
}

/** Parses Kafka Streams properties (application.id, state.dir, processing.guarantee, ...). */
export function parseStreamsConfig(props: StreamsProperties): StreamsConfig {
  const applicationId = String(props['application.id'] ?? '').trim();
  if (!applicationId) throw new StreamsConfigException('Missing required configuration "application.id" which has no default value.');
  if (!/^[a-zA-Z0-9._-]+$/.test(applicationId)) throw new StreamsConfigException(`Invalid value ${applicationId} for configuration application.id: legal characters are ASCII alphanumerics, '.', '_' and '-'`);
  // The state directory is <state.dir>/<application.id>: one path component (NAME_MAX, 255 bytes).
  if (applicationId.length > 255) {
    throw new StreamsConfigException(`Invalid value ${applicationId.slice(0, 40)}… for configuration application.id: ${applicationId.length} characters is too long for the name of its state directory (at most 255)`);
  }
  const guarantee = String(props['processing.guarantee'] ?? 'at_least_once').trim();
  if (guarantee === 'exactly_once' || guarantee === 'exactly_once_beta') {
    throw new StreamsConfigException(
      `Invalid value ${guarantee} for configuration processing.guarantee: deprecated in Kafka 3.0 and removed in 4.0; use exactly_once_v2 (needs brokers 2.5 or newer)`,
    );
  }
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
    throw new StreamsConfigException(`Invalid value ${guarantee} for configuration processing.guarantee: String must be one of: at_least_once, exactly_once_v2`);
  }
  const eos = guarantee === 'exactly_once_v2';
  const threads = int(props, 'num.stream.threads', 1, 1);
  if (threads !== 1) {
    throw new StreamsConfigException(
      `Invalid value ${threads} for configuration num.stream.threads: kafka-ts runs one stream thread per instance (Node runs tasks on one event loop); start more instances to scale out`,
    );
  }
  const handler = String(props['deserialization.exception.handler'] ?? props['default.deserialization.exception.handler'] ?? LOG_AND_FAIL).trim();
  const shortName = handler.split('.').pop();
  let deserializationErrors: 'continue' | 'fail';
  if (shortName === 'LogAndContinueExceptionHandler' || handler === 'continue') deserializationErrors = 'continue';
  else if (shortName === 'LogAndFailExceptionHandler' || handler === 'fail') deserializationErrors = 'fail';
  else
    throw new StreamsConfigException(
      `Invalid value ${handler} for configuration default.deserialization.exception.handler: Class ${handler} could not be found (use ${LOG_AND_CONTINUE} or ${LOG_AND_FAIL})`,
    );
  const rf = int(props, 'replication.factor', -1, -1);
  if (rf === 0) throw new StreamsConfigException('Invalid value 0 for configuration replication.factor: must be -1 (broker default) or at least 1');
  defaultSerde(props, 'key');
  defaultSerde(props, 'value');
  const reset = String(props['auto.offset.reset'] ?? 'earliest');
  if (reset !== 'earliest' && reset !== 'latest') throw new StreamsConfigException(`Invalid value ${reset} for configuration auto.offset.reset: String must be one of: latest, earliest`);
  return {
    applicationId,
    clientId: String(props['client.id'] ?? '').trim() || applicationId,
    stateDir: String(props['state.dir'] ?? '').trim() || join(tmpdir(), 'kafka-streams'),
    processingGuarantee: guarantee,
    commitIntervalMs: int(props, 'commit.interval.ms', eos ? 100 : 30_000, 0),
    numStreamThreads: 1,
    deserializationErrors,
    replicationFactor: rf,
    transactionTimeoutMs: int(props, 'transaction.timeout.ms', 10_000, 1),
    sessionTimeoutMs: int(props, 'session.timeout.ms', 45_000, 1),
    heartbeatIntervalMs: int(props, 'heartbeat.interval.ms', 3000, 1),
    autoOffsetReset: reset,
    pollMs: int(props, 'poll.ms', 100, 0),
    maxPollRecords: int(props, 'max.poll.records', 1000, 1),
    bufferedRecordsPerPartition: int(props, 'buffered.records.per.partition', 1000, 1),
  };
}
