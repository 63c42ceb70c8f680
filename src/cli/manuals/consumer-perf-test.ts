/** The man page of kafka-ts consumer-perf-test (kafka-ts-consumer-perf-test(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "measure the consumer's throughput (kafka-consumer-perf-test.sh)",
  synopsis: ['--topic TOPIC --messages N [--bootstrap-server host:port] [--group ID] [--from-latest] [--show-detailed-stats] [--reporting-interval MS] [--timeout MS] [--hide-header] [--date-format FORMAT] [--output json]'],
  description: [
    "Joins consumer group --group (perf-consumer-<random> by default) on --topic with kafka-ts's consumer and reads until --messages records have arrived, or no record came for --timeout ms (10000; --timeout without a value keeps that default, as Kafka's optional-argument option), as kafka-consumer-perf-test.sh does. A group without committed offsets starts at the earliest record, or with --from-latest at the end. --fetch-size is max.partition.fetch.bytes (1048576); --consumer.config adds consumer properties. Records are counted in the fetched batches without being decoded into objects; with check.crcs=true each batch\'s CRC32C is checked first, and a corrupt batch stops the run with exit status 1 (Kafka\'s consumer checks by default; here only when asked, as librdkafka).",
    'It prints Kafka\'s header "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec" (not with --hide-header) and one CSV line: start and end times in --date-format (Java\'s SimpleDateFormat, default yyyy-MM-dd HH:mm:ss:SSS, local time), megabytes (1024 x 1024 bytes of keys and values) and MB/s, records and records/s, the time spent joining the group, the rest (fetch time) and the rates over it. With --show-detailed-stats the header starts "time, threadId" and a line is printed every --reporting-interval ms (5000) with that interval\'s figures instead of the summary.',
    'If fewer than --messages records arrive before the timeout, Kafka\'s line "WARNING: Exiting before consuming the expected number of messages: timeout (T ms) exceeded. You can use the --timeout option to increase the timeout." precedes the summary. On a terminal a progress bar is drawn on stderr. --output json prints one object with the same figures (times in milliseconds).',
  ],
  examples: [
    ['Read a million records', 'kafka-ts consumer-perf-test --topic perf --messages 1000000'],
    ['Per-second figures, no header', 'kafka-ts consumer-perf-test --bootstrap-server kafka1:9092 --topic perf --messages 500000 --show-detailed-stats --reporting-interval 1000 --hide-header'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied', 'Interrupted', 'Terminated', 'HungUp'],
  exitNotes: [
    '0 also when the timeout ended the run early (Kafka\'s WARNING line says so), as Kafka\'s tool does; 2 for a missing --topic or --messages and bad numbers; 4 at once for a --topic that does not exist ("Topic \'nope\' does not exist", as console-consumer says; Kafka\'s tool waits out --timeout and exits 0).',
  ],
  differences: [
    'Usage errors exit 2 with one line (Kafka: 1 and the option table).',
    "--threads and --num-fetch-threads (Kafka 3.x's deprecated options; 4.0 removed them) are accepted and ignored with Kafka 3.x's warning, on stderr.",
    '--socket-buffer-size is accepted and ignored. --print-metrics prints Kafka\'s table (\"group:name:{tags} : value\" sorted by name, %.3f) of the metrics kafka-ts measures: consumer-fetch-manager-metrics records-consumed-total {client-id=…} and {client-id=…, topic=…}, and consumer-coordinator-metrics rebalance-latency-total; its consumer keeps no metrics registry, so Kafka\'s other consumer metrics are left out (bytes-consumed-*: Kafka counts the fetched batches, kafka-ts keys and values; windowed rates, fetch and commit latencies, lags, connection figures).',
  ],
};
