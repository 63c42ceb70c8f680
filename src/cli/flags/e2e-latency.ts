/**
 * kafka-ts e2e-latency: Kafka's positional arguments (broker_list topic num_messages
 * producer_acks message_size_bytes [properties_file]) or the same as flags, and Kafka's checks.
 */
import { UsageError } from '../errors.js';

export interface E2eLatencyOptions {
  bootstrapServer?: string;
  context?: string;
  topic?: string;
  numMessages?: string;
  producerAcks?: string;
  messageSize?: string;
  commandConfig?: string;
  histogram?: boolean;
  output: 'text' | 'json';
}

export const USAGE = 'USAGE: kafka-ts e2e-latency broker_list topic num_messages producer_acks message_size_bytes [optional] properties_file (or --topic, --num-messages, --producer-acks, --message-size with --bootstrap-server and --command-config)';

export interface E2eSettings {
  bootstrap?: string;
  topic: string;
  numMessages: number;
  acks: -1 | 1;
  messageSize: number;
  propertiesFile?: string;
}

const int = (v: string, what: string): number => {
  if (!/^\s*[-+]?\d+\s*$/.test(v) || Math.abs(Number(v)) > 2147483647) throw new UsageError(`For input string: "${v}" (${what} must be an integer)`);
  return Number(v);
};

/** The settings from positional arguments (Kafka's form) or flags; not both. */
export function settings(o: E2eLatencyOptions, args: string[]): E2eSettings {
  const flagged = o.topic !== undefined || o.numMessages !== undefined || o.producerAcks !== undefined || o.messageSize !== undefined;
  let bootstrap = o.bootstrapServer;
  let topic: string | undefined;
  let count: string | undefined;
  let acks: string | undefined;
  let size: string | undefined;
  let propertiesFile = o.commandConfig;
  if (args.length > 0) {
    if (flagged || (args.length !== 5 && args.length !== 6)) throw new UsageError(USAGE);
    [bootstrap, topic, count, acks, size] = args;
    if (args[5] !== undefined && args[5].trim() !== '') {
      if (propertiesFile !== undefined) throw new UsageError(USAGE);
      propertiesFile = args[5];
    }
  } else {
    if (!flagged) throw new UsageError(USAGE);
    ({ topic, numMessages: count, producerAcks: acks, messageSize: size } = o);
    const missing = [topic === undefined && '--topic', count === undefined && '--num-messages', acks === undefined && '--producer-acks', size === undefined && '--message-size'].filter(Boolean);
    if (missing.length) throw new UsageError(`Missing required argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (${USAGE})`);
  }
  const numMessages = int(count!, 'num_messages');
  const messageSize = int(size!, 'message_size_bytes');
  if (acks !== '1' && acks !== 'all') throw new UsageError('Latency testing requires synchronous acknowledgement. Please use 1 or all');
  if (numMessages <= 0) throw new UsageError(`num_messages must be greater than zero (got ${numMessages})`);
  if (messageSize < 0) throw new UsageError(`message_size_bytes must not be negative (got ${messageSize})`);
  return { bootstrap, topic: topic!, numMessages, acks: acks === 'all' ? -1 : 1, messageSize, propertiesFile };
}

const GROUP = "its consumer is assigned the topic's partitions and joins no group, as Kafka's tool's";
/**
 * Properties-file keys that have no effect on e2e-latency: those it sets itself, as Kafka's
 * EndToEndLatency puts its own values over the file's, and the consumer group's, which its
 * consumer never uses. Each one given is named in a warning rather than dropped in silence.
 */
const OWN_KEYS: ReadonlyMap<string, string> = new Map([
  ['acks', 'producer_acks (--producer-acks) sets it'],
  ['linger.ms', 'each record is sent at once (linger.ms=0), as Kafka\'s tool sends it'],
  ['max.block.ms', 'the tool waits up to 60000 ms for each record'],
  ['fetch.max.wait.ms', 'the consumer\'s fetch waits at the broker for the record sent (Kafka\'s tool sets 0)'],
  ['fetch.min.bytes', 'the consumer\'s fetch returns with the first record (Kafka\'s tool sets fetch.max.wait.ms=0)'],
  ['auto.offset.reset', 'the consumer starts at the end of the topic'],
  ['max.poll.records', 'one record is read at a time'],
  ...['group.id', 'group.instance.id', 'enable.auto.commit', 'auto.commit.interval.ms', 'session.timeout.ms', 'heartbeat.interval.ms', 'max.poll.interval.ms', 'partition.assignment.strategy'].map((k) => [k, GROUP] as const),
]);

/** Whether e2e-latency decides `key` itself (see OWN_KEYS). */
export const isOwnKey = (key: string): boolean => OWN_KEYS.has(key);

/**
 * The warnings for the properties file's keys that have no effect here; a transactional.id is
 * refused (Kafka's tool fails at its first send: it never starts a transaction).
 */
export function ownKeyWarnings(props: Readonly<Record<string, string>>): string[] {
  if (props['transactional.id'] !== undefined) throw new UsageError('transactional.id cannot be used with e2e-latency: it sends each record outside any transaction');
  return Object.keys(props)
    .filter(isOwnKey)
    .map((k) => `WARN ${k} has no effect on e2e-latency: ${OWN_KEYS.get(k)}`);
}
