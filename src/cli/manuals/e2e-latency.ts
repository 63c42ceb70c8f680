/** The man page of kafka-ts e2e-latency (kafka-ts-e2e-latency(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'measure the end-to-end latency of single records (kafka-e2e-latency.sh)',
  synopsis: ['BROKER_LIST TOPIC NUM_MESSAGES PRODUCER_ACKS MESSAGE_SIZE_BYTES [PROPERTIES_FILE] [--histogram] [--output json]', '--topic TOPIC --num-messages N --producer-acks 1|all --message-size BYTES [--bootstrap-server host:port] [--command-config FILE]'],
  description: [
    "Sends NUM_MESSAGES records of MESSAGE_SIZE_BYTES, one at a time: each is sent with linger.ms=0 and PRODUCER_ACKS (1 or all; Kafka's tool refuses anything else), and once acknowledged it is read back by a consumer positioned at the end of the topic. The time from the send to the read is the record's latency. A topic that does not exist is created with 1 partition and replication factor 1, after Kafka's notice line. The optional PROPERTIES_FILE holds client properties for both producer and consumer, as in Kafka's tool: security settings, compression.type, enable.idempotence (on by default with acks all, where the cluster offers it), retries and timeouts for the producer, isolation.level, check.crcs, client.rack and the fetch size limits for the consumer. The keys the tool decides warn that they have no effect: acks, linger.ms, max.block.ms, fetch.max.wait.ms, fetch.min.bytes, auto.offset.reset and max.poll.records, and the consumer group's (the consumer is assigned the topic's partitions, as Kafka's is); a transactional.id is refused (exit 2). A MESSAGE_SIZE_BYTES the producer would refuse, over buffer.memory (33554432 unless the file sets it) or over max.request.size when the file sets it, fails at once (exit 1) before any record is built or topic created, as Kafka's producer refuses it (RecordTooLargeException); a record within them but over the topic's max.message.bytes fails at the first send with the broker's MESSAGE_TOO_LARGE.",
    'Every 1000th record a progress line "i<TAB>latency-ms" is printed, and at the end Kafka\'s two lines "Avg latency: X ms" (%.4f) and "Percentiles: 50th = N, 99th = N, 99.9th = N" (whole milliseconds). The arguments can also be given as flags: --bootstrap-server, --topic, --num-messages, --producer-acks, --message-size and --command-config; without a broker list the context or the local daemon is used.',
    'A histogram of the latencies (power-of-two millisecond buckets, a bar, count and share) follows Kafka\'s lines when stdout is a terminal, or with --histogram; scripts reading stdout through a pipe see only Kafka\'s lines. --output json prints one object: messages, avgMs, minMs, maxMs, percentiles (p50, p99, p999), histogram buckets {fromMs, toMs, count} and createdTopic.',
  ],
  examples: [
    ['Kafka\'s form: 10,000 records of 100 bytes, acks=1', 'kafka-ts e2e-latency localhost:9092 latency-test 10000 1 100'],
    ['The local daemon, acks=all, with the histogram', 'kafka-ts e2e-latency --topic latency-test --num-messages 2000 --producer-acks all --message-size 512 --histogram'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied', 'Interrupted', 'Terminated', 'HungUp'],
  exitNotes: ['1 when a record is too large (see above), does not come back within 60 s, comes back different, or with others; 2 for a wrong number of arguments, a non-integer count or size, acks other than 1 or all, an invalid property value, or a transactional.id.'],
  differences: ['Argument errors, acks included, exit 2 (Kafka: 1).', 'The flag form and the histogram are kafka-ts additions; the averages are of sub-millisecond timings, as Kafka\'s.'],
};
