/**
 * StreamsConfig: Kafka Streams' property names and defaults, parsed and checked up front so a bad
 * value is one clear ConfigException before anything connects.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

export type StreamsProperties = Record<string, string | number | undefined>;

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
  const handler = String(props['default.deserialization.exception.handler'] ?? LOG_AND_FAIL).trim();
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
  };
}
