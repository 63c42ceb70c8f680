/**
 * kafka-ts consumer-perf-test: its options (kafka-consumer-perf-test.sh's), Kafka's checks on
 * them, and the consumer settings they make.
 */
import { UsageError } from '../errors.js';
import { compileDateFormat } from '../../util/date-format.js';
import { fitsJava } from '../../util/java-numbers.js';

export interface ConsumerPerfTestOptions {
  bootstrapServer?: string;
  brokerList?: string;
  context?: string;
  topic?: string;
  messages?: string;
  group?: string;
  fetchSize: string;
  socketBufferSize: string;
  fromLatest?: boolean;
  'consumer.config'?: string;
  commandConfig?: string;
  /** Kafka's optional-argument option: the bare flag (true) keeps the default. */
  timeout: string | boolean;
  reportingInterval: string;
  showDetailedStats?: boolean;
  dateFormat: string;
  hideHeader?: boolean;
  printMetrics?: boolean;
  /** Kafka 3.x's deprecated, ignored thread counts: accepted (ints) with a warning. */
  threads?: string;
  numFetchThreads?: string;
  output: 'text' | 'json';
}

/** A Long (or Integer) option: joptsimple refuses a value beyond the type's range as it refuses other text. */
const long = (v: string, name: string, kind: 'long' | 'int' = 'long'): number => {
  if (!/^\s*[-+]?\d+\s*$/.test(v) || !fitsJava(v, kind)) throw new UsageError(`Cannot parse argument '${v}' of option ${name}`);
  return Number(v);
};

export interface ConsumerPerfSettings {
  topic: string;
  messages: number;
  group: string;
  fetchSize: number;
  timeoutMs: number;
  reportingIntervalMs: number;
  formatDate: (ms: number) => string;
  /** The warning for Kafka 3.x's ignored thread options, when given. */
  ignoredOptionsWarning: string | null;
}

/** Kafka's checks, in its order (ConsumerPerfOptions). */
export function validate(o: ConsumerPerfTestOptions, props: Record<string, string>): ConsumerPerfSettings {
  if (o.topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  if (o.messages === undefined) throw new UsageError('Missing required argument "[messages]"');
  const messages = long(o.messages, 'messages');
  if (messages <= 0) throw new UsageError(`Option messages must be greater than zero (got ${messages})`);
  // Kafka: the reporting interval is digits only, and above zero.
  if (!/^\d+$/.test(o.reportingInterval) || !fitsJava(o.reportingInterval, 'long')) throw new UsageError(`Cannot parse argument '${o.reportingInterval}' of option reporting-interval`);
  const reportingIntervalMs = Number(o.reportingInterval);
  if (reportingIntervalMs <= 0) throw new UsageError(`Reporting interval must be greater than 0.`);
  const timeoutMs = typeof o.timeout === 'string' ? long(o.timeout, 'timeout') : 10_000;
  if (timeoutMs < 0) throw new UsageError(`Option timeout must not be negative (got ${timeoutMs})`);
  const fetchSize = long(o.fetchSize, 'fetch-size', 'int');
  if (fetchSize <= 0) throw new UsageError(`Option fetch-size must be greater than zero (got ${fetchSize})`);
  long(o.socketBufferSize, 'socket-buffer-size', 'int');
  if (o.threads !== undefined) long(o.threads, 'threads', 'int');
  if (o.numFetchThreads !== undefined) long(o.numFetchThreads, 'num-fetch-threads', 'int');
  // Kafka 3.x's words (its script printed them and went on; 4.0 removed the options).
  const ignoredOptionsWarning = o.threads !== undefined || o.numFetchThreads !== undefined ? 'WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test' : null;
  let formatDate: (ms: number) => string;
  try {
    formatDate = compileDateFormat(o.dateFormat);
  } catch (e) {
    throw new UsageError(`Invalid --date-format '${o.dateFormat}': ${(e as Error).message}`);
  }
  const group = o.group ?? props['group.id'] ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`;
  return { topic: o.topic, messages, group, fetchSize, timeoutMs, reportingIntervalMs, formatDate, ignoredOptionsWarning };
}
