/** The man page of kafka-ts producer-perf-test (kafka-ts-producer-perf-test(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "measure the producer's throughput and latency (kafka-producer-perf-test.sh)",
  synopsis: ['--topic TOPIC --num-records N (--record-size BYTES | --payload-file FILE | --payload-monotonic) --throughput N [--producer-props k=v ...] [--producer.config FILE] [--print-metrics] [--transactional-id ID] [--transaction-duration-ms MS] [--output json]'],
  description: [
    "Sends --num-records records to --topic with kafka-ts's producer, as kafka-producer-perf-test.sh does with the Java producer: random uppercase payloads of --record-size bytes, a random entry of --payload-file per record (entries split by --payload-delimiter, a newline by default; without --payload-file a --payload-delimiter has no effect, as in Kafka's tool, and is warned about on stderr), or the record's index with --payload-monotonic. --throughput caps the rate at about N records/s (-1: unthrottled; 0 sends one record and waits until interrupted).",
    'Each record\'s latency runs from the send to its acknowledgement; failed records are not counted. About every 5 s a line "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency." is printed, and at the end "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th." (MB is 1024 x 1024 bytes; percentiles over a sample of at most 500,000 latencies). Numbers are formatted as Java\'s String.format does. On a terminal a progress bar is drawn on stderr.',
    'Producer settings come from --producer-props (each exactly key=value) and --producer.config, with the Java producer\'s defaults: acks=all, linger.ms=5, batch.size=16384, compression.type=none, idempotence on with acks=all. With enable.idempotence=false, up to max.in.flight.requests.per.connection requests (and batches of one partition) are in flight at once, as with Kafka\'s producer and librdkafka (whose default is 1000000); a retry may then reorder records, as Kafka documents. bootstrap.servers is read from them when --bootstrap-server is not given; without either the command uses the context or the local daemon, like every kafka-ts command. A configuration kafka-ts does not know gets Kafka\'s warning on stderr and is ignored.',
    'With --transactional-id ID, --transaction-duration-ms MS or a transactional.id producer property the records are sent in transactions, as kafka-producer-perf-test.sh sends them: the producer runs initTransactions, begins a transaction with the first record, commits it once it has been open --transaction-duration-ms (3000 by default) and commits the last one at the end; without --transactional-id the id is "performance-producer-" and a random UUID. Latency is still send to acknowledgement, so the commit waits show in the throughput, not the latency. A transaction that cannot be committed (the producer was fenced, the coordinator refused it) stops the run: it is aborted, the reason is printed on stderr, and the exit status is 1.',
    '--print-metrics appends a table of what the producer measured (record-send-total, record-send-rate, request-latency-avg, ...) in Kafka\'s "group:name:{tags} : value" layout. --output json prints one object instead of the lines: records, failed, bytes, elapsedMs, recordsPerSec, mbPerSec, latency (avgMs, maxMs, minMs, percentiles p50/p95/p99/p999, and a power-of-two histogram of buckets {fromMs, toMs, count}) and the 5-second windows.',
  ],
  examples: [
    ['A million 100-byte records as fast as possible', 'kafka-ts producer-perf-test --topic perf --num-records 1000000 --record-size 100 --throughput -1'],
    ['1000 records/s with acks=1 and lz4 against a cluster', 'kafka-ts producer-perf-test --topic perf --num-records 60000 --record-size 512 --throughput 1000 --producer-props bootstrap.servers=kafka1:9092 acks=1 compression.type=lz4'],
    ['Transactions committed every 100 ms', 'kafka-ts producer-perf-test --topic perf --num-records 100000 --record-size 100 --throughput -1 --transactional-id perf-txn --transaction-duration-ms 100'],
    ['The latency histogram as JSON', 'kafka-ts producer-perf-test --topic perf --num-records 10000 --record-size 100 --throughput -1 --output json | jq .latency.histogram'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied', 'Interrupted', 'Terminated', 'HungUp'],
  exitNotes: ['1 when any record could not be delivered (the count is printed on stderr); 2 for Kafka\'s argument errors (missing --topic, --num-records or --throughput, --num-records or --record-size not above zero, an --producer-props token that is not key=value, --producer-props followed by another option instead of a key=value ("argument --producer-props: expected at least one argument", as argparse4j: a word starting with - is never a property), a bad value for a known producer setting, --transaction-duration-ms not above zero). 1 also when a transaction could not be committed; 8 when the transactional id is not authorized.'],
  differences: [
    'Argument errors exit 2 with one line (Kafka: argparse4j usage and exit 1); --help, and the command with no arguments at all, print the help on stdout and exit 0 as Kafka\'s does.',
    'Neither --producer-props nor --producer.config is required: the cluster defaults as for every kafka-ts command.',
    'The final records/sec uses %.1f, as Kafka 4.0 prints it (3.x printed %f).',
    '--warmup-records is refused.',
    '--payload-delimiter without --payload-file is warned about on stderr (Kafka ignores it without a word).',
    'A failed record makes the exit status 1 (Kafka prints its stack trace and exits 0).',
  ],
};
