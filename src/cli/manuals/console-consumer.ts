/** The man page of kafka-ts console-consumer (kafka-ts-console-consumer(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'print records from topics to stdout (kafka-console-consumer.sh)',
  synopsis: ['--topic TOPIC | --include REGEX [--bootstrap-server host:port] [--from-beginning] [--partition N] [--offset SPEC] [--group G] [--max-messages N] [--timeout-ms MS] [-e] [--property print.key=true]... [--output json]'],
  description: [
    "Prints the records of --topic (or of every topic matching the --include regular expression) with kafka-console-consumer.sh's options and output layout. By default only new records are printed; --from-beginning starts at the earliest offset. Records are printed as they arrive, in large writes, and on exit 'Processed a total of N messages' goes to stderr.",
    'Formatter properties (--property): print.timestamp, print.partition, print.offset, print.headers, print.key, print.value (default true), print.epoch, print.delivery, key.separator (between every two printed fields, a tab by default), line.separator, headers.separator, null.literal, and key.deserializer/value.deserializer/headers.deserializer naming Kafka deserializer classes (StringDeserializer, ByteArrayDeserializer, LongDeserializer, IntegerDeserializer, ShortDeserializer, DoubleDeserializer, FloatDeserializer, UUIDDeserializer). Field order is fixed: timestamp, partition, offset, delivery, epoch, headers, key, value.',
    '--offset takes Kafka\'s earliest, latest or an absolute offset, and also: -N (the last N records of each partition), +N (N records after the first), @TIME (the first record at or after TIME: epoch milliseconds, an ISO-8601 date/time, or -DURATION such as -15m or -1h30m), and START:END where END is end (the end of the log when the command started), an offset or @TIME. -e/--exit-at-end stops at the end of the log, like kcat -e.',
    'With --output json every record is one JSON object per line: topic, partition, offset, timestamp, timestampType, key, value and headers (an ordered list of {key, value}). Bytes that are valid UTF-8 are printed as text; other bytes as base64 with keyEncoding/valueEncoding (or a header\'s valueEncoding) set to "base64"; null stays null. console-producer --input json reads the same envelope.',
    "With --value-format avro, json-schema or protobuf (and --key-format) keys and values in the schema registry's wire format are decoded by their schema id, fetched once per id from the registry (schema.registry.url as a --property, with basic.auth.user.info or bearer.auth.token; by default the local daemon's when no --bootstrap-server is given), and printed as one line of JSON each: Avro in Avro's JSON encoding (unions wrapped), Protobuf in protobuf's JSON mapping; with --output json the envelope's key and value are that JSON. A record that is not in the wire format, names an unknown schema id or whose bytes do not match its schema stops the consumer with a line naming its topic, partition and offset (exit 1); --skip-message-on-error reports it and goes on. Protobuf records written without message indexes (as @kafkajs/confluent-schema-registry writes them) are read as the file's first message.",
    '--isolation-level read_committed (or --consumer-property isolation.level=read_committed) reads as a Java consumer in read_committed does: records of aborted transactions are dropped, transaction markers (control records) are never shown, and reading stops at each partition\'s last stable offset (LSO), the first offset of a transaction still open; -e and --offset ...:end then end there, and the records after it arrive once the transaction is committed. read_uncommitted (the default) shows every record, aborted ones included, up to the high watermark.',
    'Without --group the partitions are read directly (no consumer group is created on the broker and nothing is committed). With --group (or group.id in a consumer property) the consumer joins that group, is assigned partitions, and commits its progress; --from-beginning, or --offset earliest or latest, then only applies when the group has no committed offset (it is the group\'s auto.offset.reset; a new group starts at latest otherwise, so it waits for new records); other --offset values are refused with --group.',
  ],
  examples: [
    ['Only records of committed transactions', 'kafka-ts console-consumer --topic orders --from-beginning --isolation-level read_committed -e'],
    ['Everything in a topic, then exit', 'kafka-ts console-consumer --topic orders --from-beginning -e'],
    ['Keys, partitions, offsets and timestamps', 'kafka-ts console-consumer --topic orders --from-beginning --property print.key=true --property print.partition=true --property print.offset=true --property print.timestamp=true'],
    ['The last 10 records of each partition', 'kafka-ts console-consumer --topic orders --offset -10 -e'],
    ['Records of the last hour as JSON', "kafka-ts console-consumer --topic orders --offset @-1h:end --output json | jq .value"],
    ['Join a consumer group and commit; a new group starts at the earliest record', 'kafka-ts console-consumer --topic orders --group billing --from-beginning'],
    ['Avro values decoded through the local registry', 'kafka-ts console-consumer --topic orders --from-beginning -e --value-format avro'],
    ['Stop after 5 records or 10 s of silence', 'kafka-ts console-consumer --topic orders --max-messages 5 --timeout-ms 10000'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied', 'Interrupted', 'Terminated'],
  differences: [
    '--offset works without --partition (for every partition) and accepts the extended grammar; -e stops at the end of the log. With --group, --offset earliest or latest sets where a group without committed offsets starts (Kafka requires --partition with --offset, which a group refuses); other values are refused.',
    'Without --group no random console-consumer-NNNNN group is created: the partitions are assigned directly.',
    'An unknown topic is an error (exit 4) instead of waiting for it to be created; Ctrl-C exits 130, SIGTERM 143, a formatter error 1; a reader that closes the pipe (| head) stops it at once, silently, with exit 0 (Kafka prints an error and exits 1).',
  ],
};
