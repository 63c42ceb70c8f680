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
