/**
 * kafka-ts console-producer: its options, and how Kafka's producer settings are read from them.
 */
import { UsageError } from '../errors.js';

export interface ConsoleProducerOptions {
  bootstrapServer?: string;
  brokerList?: string;
  topic?: string;
  sync?: boolean;
  compressionCodec?: string | true;
  batchSize: string;
  maxPartitionMemoryBytes?: string;
  messageSendMaxRetries: string;
  retryBackoffMs: string;
  timeout: string;
  requestRequiredAcks: string;
  requestTimeoutMs: string;
  metadataExpiryMs: string;
  maxBlockMs: string;
  maxMemoryBytes: string;
  socketBufferSize: string;
  lineReader?: string;
  property?: string[];
  readerConfig?: string;
  producerProperty?: string[];
  'producer.config'?: string;
  commandConfig?: string;
  commandProperty?: string[];
  readerProperty?: string[];
  context?: string;
  transactionalId?: string;
  transactionSize?: string;
  input: 'text' | 'json';
  keyFormat?: string;
  valueFormat?: string;
  output: 'text' | 'json';
}

export const DEFAULT_READERS = new Set(['org.apache.kafka.tools.LineMessageReader', 'kafka.tools.ConsoleProducer$LineMessageReader', 'kafka.tools.LineMessageReader']);

export function parseAcks(v: string): -1 | 0 | 1 {
  const t = v.trim().toLowerCase();
  if (t === 'all' || t === '-1') return -1;
  if (t === '0' || t === '1') return Number(t) as 0 | 1;
  throw new UsageError(`Invalid value ${v} for configuration acks: String must be one of: all, -1, 0, 1`);
}

/**
 * enable.idempotence as Kafka's Java producer settles it: given explicitly, it must agree with
 * acks and retries; left unset, it is on when acks=all and retries are allowed, and falls back to
 * plain batches on a cluster that does not offer it.
 */
export function idempotenceMode(given: string | undefined, acks: -1 | 0 | 1, retries: number): boolean | 'if-supported' {
  if (given === undefined) return acks === -1 && retries > 0 ? 'if-supported' : false;
  const t = given.trim().toLowerCase();
  if (t !== 'true' && t !== 'false') throw new UsageError(`Invalid value ${given} for configuration enable.idempotence: Expected value to be either true or false`);
  if (t === 'false') return false;
  if (acks !== -1) throw new UsageError('enable.idempotence=true needs acks=all (--request-required-acks -1)');
  if (retries === 0) throw new UsageError('enable.idempotence=true needs retries above 0 (--message-send-max-retries)');
  return true;
}

/**
 * Transactions for console-producer: --transactional-id (or the transactional.id producer
 * property; the option wins) and --transaction-size N, records per transaction (0, the default:
 * one transaction over the whole input).
 */
export function transactionOptions(o: ConsoleProducerOptions, props: Record<string, string>): { transactionalId: string; size: number; timeoutMs: number | undefined } | null {
  const id = o.transactionalId ?? props['transactional.id'];
  if (id === undefined) {
    if (o.transactionSize !== undefined) throw new UsageError('--transaction-size needs --transactional-id (or the transactional.id producer property)');
    return null;
  }
  if (id.trim() === '') throw new UsageError('Invalid value for transactional.id: it must not be empty');
  const size = o.transactionSize === undefined ? 0 : Number(o.transactionSize);
  if (!/^\s*\d+\s*$/.test(o.transactionSize ?? '0')) throw new UsageError(`Invalid value ${o.transactionSize} for --transaction-size: expected a number of records (0: one transaction for the whole input)`);
  const t = props['transaction.timeout.ms'];
  if (t !== undefined && !/^\s*\d+\s*$/.test(t)) throw new UsageError(`Invalid value ${t} for configuration transaction.timeout.ms: Not a number of type INT`);
  return { transactionalId: id, size, timeoutMs: t === undefined ? undefined : Number(t) };
}
