/**
 * The producer's configuration catalogue (Kafka 3.x/4.x ProducerConfig) and the ProducerOptions
 * it gives. Supported keys reach src/client/producer/producer.ts; the rest are marked.
 */
import { type ConfigValue, ConfigValues, defineCatalogue } from '../../util/config-catalogue.js';
import { KafkaTsError } from '../../util/errors.js';
import { PARTITIONER_CLASSES, PARTITIONER_DEPRECATION } from '../producer/partitioners.js';
import type { ProducerOptions } from '../producer/producer.js';
import { COMMON_CLIENT_CONFIGS } from './common.js';
import { INT_MAX, javaClasses, noEffect, supported } from './entry.js';

const LZ4_LEVEL = 'kafka-ts\'s lz4 codec (lz4-napi, lz4_flex) has one fast level and no high-compression levels; batches are lz4 frames at that level';
const SERIALIZER = 'kafka-ts\'s tools send the bytes they read, as Kafka\'s tools do with ByteArraySerializer';

export const PRODUCER_CATALOGUE = defineCatalogue('producer', COMMON_CLIENT_CONFIGS, [
  supported('acks', 'enum', 'all', 'acknowledgements the leader waits for: 0 (none), 1 (the leader), all/-1 (all in-sync replicas)', { values: ['all', '-1', '0', '1'] }),
  supported('batch.size', 'int', 16384, 'bytes of records per partition batch; a sticky partition gets one batch before the producer moves on; 0 disables batching (each record is sent in a batch of its own)', { min: 0, unit: 'bytes' }),
  supported('linger.ms', 'long', 5, 'how long a batch waits for more records before it is sent', { min: 0, unit: 'ms' }),
  supported('buffer.memory', 'long', 33554432, 'bytes of records waiting to be acknowledged before a send blocks (up to max.block.ms, then fails); a single record larger than this is refused before it is sent; kafka-ts: console-producer and producer-perf-test count outstanding records times their mean size', { min: 0, unit: 'bytes' }),
  supported('compression.type', 'enum', 'none', 'the codec of record batches', { values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], caseInsensitive: true }),
  supported('compression.gzip.level', 'int', -1, 'the gzip level with compression.type=gzip (1-9, or -1 for zlib\'s default, 6)', {
    validate: (v) => (v === -1 || ((v as number) >= 1 && (v as number) <= 9) ? null : 'Value must be between 1 and 9, or -1'),
  }),
  noEffect('compression.lz4.level', 'int', 9, 'the lz4 level', LZ4_LEVEL, { min: 1, max: 17 }),
  supported('compression.zstd.level', 'int', 3, 'the zstd level with compression.type=zstd (negative levels are faster)', { min: -131072, max: 22 }),
  supported('retries', 'int', INT_MAX, 'how often a failed batch is retried (within delivery.timeout.ms)', { min: 0 }),
  supported('delivery.timeout.ms', 'int', 120000, 'the bound on the time from send to acknowledgement or failure', { min: 0, unit: 'ms' }),
  supported('max.in.flight.requests.per.connection', 'int', 5, 'unacknowledged produce requests per broker', { min: 1 }),
  supported('max.request.size', 'int', 1048576, 'the largest produce request: a larger record is refused before it is sent (kafka-ts: when unset, console-producer and e2e-latency refuse a record only over buffer.memory, leaving the rest to the topic\'s max.message.bytes), and a request carries batches of several partitions up to this size (1 MiB when unset)', { min: 0, unit: 'bytes' }),
  supported('max.block.ms', 'long', 60000, 'how long a send waits for its topic\'s metadata, or (console-producer) for room in buffer.memory', { min: 0, unit: 'ms' }),
  supported('enable.idempotence', 'boolean', true, 'retries never write a record twice (needs acks=all)'),
  supported('transactional.id', 'string', null, 'run transactions under this id (implies idempotence)'),
  supported('transaction.timeout.ms', 'int', 60000, 'the coordinator aborts a transaction open longer than this', { unit: 'ms' }),
  noEffect('transaction.two.phase.commit.enable', 'boolean', false, 'take part in an external two-phase commit (KIP-939)', 'two-phase commit is not supported; only false is accepted', {
    refuse: (v) => (v === true ? 'transaction.two.phase.commit.enable=true is not supported by kafka-ts (KIP-939 two-phase commit)' : null),
  }),
  supported('partitioner.class', 'class', null, 'how records without a partition get one: unset for the built-in partitioner, or one of Kafka\'s built-in classes', {
    classes: {
      'org.apache.kafka.clients.producer.RoundRobinPartitioner': 'every record to the next partition (exactly even)',
      'org.apache.kafka.clients.producer.UniformStickyPartitioner': 'sticky for every record, keys ignored (deprecated)',
      'org.apache.kafka.clients.producer.internals.DefaultPartitioner': 'the built-in partitioner (deprecated)',
    },
    customClass: `custom partitioners are Java classes; kafka-ts supports ${Object.keys(PARTITIONER_CLASSES).join(', ')} (or leave partitioner.class unset)`,
    warn: (v) => (typeof v === 'string' ? (PARTITIONER_DEPRECATION[v] ?? null) : null),
  }),
  supported('partitioner.ignore.keys', 'boolean', false, 'the built-in partitioner spreads keyed records as unkeyed ones'),
  supported('partitioner.adaptive.partitioning.enable', 'boolean', true, 'a sticky switch favours partitions with fewer batches queued (KIP-794)'),
  supported('partitioner.availability.timeout.ms', 'long', 0, 'with adaptive partitioning, the built-in partitioner skips partitions whose leader has had batches ready and taken no produce request for this long (KIP-794; 0: off)', {
    min: 0,
    unit: 'ms',
  }),
  noEffect('metadata.max.idle.ms', 'long', 300000, 'forget an unused topic\'s metadata after this long', 'a command\'s producer lives as long as the command', { min: 5000, unit: 'ms' }),
  noEffect('key.serializer', 'class', 'org.apache.kafka.common.serialization.ByteArraySerializer', 'the key serializer', SERIALIZER),
  noEffect('value.serializer', 'class', 'org.apache.kafka.common.serialization.ByteArraySerializer', 'the value serializer', SERIALIZER),
  supported('interceptor.classes', 'list', [], 'producer interceptors (kafka-ts: none)', { refuse: javaClasses('producer interceptors (interceptor.classes)') }),
]);


const num = (v: ConfigValue) => v as number;

/** compression.<codec>.level of the chosen codec, when given (gzip and zstd take one). */
function codecLevel(c: ConfigValues): { compressionLevel?: number } {
  const key = `compression.${c.str('compression.type')!.toLowerCase()}.level`;
  return (key === 'compression.gzip.level' || key === 'compression.zstd.level') && c.has(key) ? { compressionLevel: c.num(key) } : {};
}

/** The producer's options from checked producer properties (Kafka's defaults for keys not given). */
export function producerOptions(c: ConfigValues, compressionByName: (name: string) => number): ProducerOptions {
  const acks = c.str('acks')!;
  const cls = c.str('partitioner.class');
  const lingerMs = c.num('linger.ms');
  const requestTimeoutMs = c.num('request.timeout.ms');
  const ackAll = acks === 'all' || acks === '-1';
  // Kafka: idempotence is on by default, off by default when acks is not all, refused when asked for with it.
  if (c.has('enable.idempotence') && c.bool('enable.idempotence') && !ackAll) {
    throw new KafkaTsError('usage', 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
  }
  const inFlight = c.num('max.in.flight.requests.per.connection');
  if (c.has('enable.idempotence') && c.bool('enable.idempotence') && inFlight > 5) {
    throw new KafkaTsError('usage', 'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
  }
  return {
    idempotent: ackAll && c.bool('enable.idempotence') && (c.has('enable.idempotence') || inFlight <= 5),
    acks: acks === 'all' ? -1 : (Number(acks) as -1 | 0 | 1),
    compression: compressionByName(c.str('compression.type')!),
    ...codecLevel(c),
    lingerMs,
    batchSize: c.num('batch.size'),
    retries: c.num('retries'),
    retryBackoffMs: c.num('retry.backoff.ms'),
    requestTimeoutMs,
    // Kafka refuses a delivery.timeout.ms below linger.ms + request.timeout.ms unless set by the user; it raises it otherwise.
    deliveryTimeoutMs: Math.max(num(c.get('delivery.timeout.ms')), lingerMs + requestTimeoutMs),
    maxInFlightPerBroker: c.num('max.in.flight.requests.per.connection'),
    maxBlockMs: c.num('max.block.ms'),
    maxRequestSize: c.has('max.request.size') ? Math.max(1, c.num('max.request.size')) : undefined,
    bufferMemory: Math.max(1, c.num('buffer.memory')),
    transactionalId: c.str('transactional.id'),
    transactionTimeoutMs: c.num('transaction.timeout.ms'),
    partitioner: {
      kind: cls ? PARTITIONER_CLASSES[cls] : 'default',
      ignoreKeys: c.bool('partitioner.ignore.keys'),
      adaptive: c.bool('partitioner.adaptive.partitioning.enable'),
      availabilityTimeoutMs: c.num('partitioner.availability.timeout.ms'),
    },
  };
}
