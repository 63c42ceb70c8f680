/** The man page of kafka-ts console-producer (kafka-ts-console-producer(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'read records from stdin and produce them to a topic (kafka-console-producer.sh)',
  synopsis: ['--topic TOPIC [--bootstrap-server host:port] [--property parse.key=true] [--compression-codec [CODEC]] [--sync] [--transactional-id ID [--transaction-size N]] [--input json] [--output json]'],
  description: [
    "Reads stdin and sends each line as one record to --topic, with kafka-console-producer.sh's options, defaults and line format. Lines end at \\n, \\r or \\r\\n; empty lines become records with an empty value. With --property parse.key=true a line is key<key.separator>value (key.separator defaults to a tab); with parse.headers=true it starts with a header block (h1:v1,h2:v2 followed by headers.delimiter, a tab by default; headers.separator is a regular expression). null.marker turns a key, value, header block or header value that equals it into null, and ignore.error=true tolerates missing separators.",
    'With --input json each line is one JSON object in the envelope console-consumer --output json prints: key, value and headers (UTF-8 text, or base64 with keyEncoding/valueEncoding "base64"), and optionally partition and timestamp. Other fields are ignored, so consumer output can be piped back in unchanged.',
    'Keyed records go to the partition Kafka\'s Java producer picks (murmur2 of the key); records without a key stick to one partition per batch. Records are batched for up to --timeout ms (linger.ms, 1000 by default as in Kafka) or --batch-size bytes; --sync sends each record and waits for its acknowledgement before reading the next line. --compression-codec alone means gzip; given or not, it decides compression.type.',
    'The producer is idempotent, as the Java producer is since Kafka 3.0: it takes a producer id and numbers its batches, so a batch retried after a lost response or a leader change is not written twice, and one batch per partition is in flight at a time. That needs acks=all and retries; with --request-required-acks 0 or 1, --message-send-max-retries 0, or --producer-property enable.idempotence=false it sends plain batches. Unless enable.idempotence=true was given, a cluster that does not offer or allow idempotence (InitProducerId) gets plain batches, with a note on stderr.',
    'A record too large for the topic (its max.message.bytes, or the broker\'s message.max.bytes) fails alone, with a line naming the limit; every other record is still delivered, idempotent or not. With --producer-property max.request.size=BYTES a larger record is refused before it is sent.',
    'With --transactional-id ID (or --producer-property transactional.id=ID) the records are written in transactions, as a Java transactional producer writes them: the producer first fences any earlier producer with the same id (and the coordinator aborts that one\'s open transaction), then sends its records in a transaction that is committed at the end of input, or every --transaction-size N records (0, the default: one transaction for the whole input). Consumers in read_committed (console-consumer --isolation-level read_committed) see the records only once their transaction is committed. A line that cannot be parsed, a failed send, or being fenced by a newer producer aborts the open transaction: none of its records become visible to read_committed consumers; transactions committed before stay. Ctrl-C ends the input: what was read is committed. transaction.timeout.ms (--producer-property) is how long the coordinator lets a transaction stay open before aborting it (60000 by default).',
    'The ">" prompt appears only when stdin and stdout are terminals. Every send failure is reported on stderr; at the end one summary line is printed on stderr (records sent, failed), and the exit status is 1 if any record failed or a line could not be parsed (the records read before it are still delivered).',
    'With --output json the summary is also printed on stdout as one JSON object: {"topic":"orders","sent":3,"failed":0,"inputError":null,"interrupted":false} (inputError is the line that stopped the input, or null); there is no prompt. With --transactional-id it also has "transactions":{"committed":2,"aborted":0,"committedRecords":2000} and "transactionError" (why a transaction was aborted, or null), and stderr gets a line "N transactions committed (M records), K aborted".',
  ],
  examples: [
    ['Produce lines typed or piped in', 'seq 5 | kafka-ts console-producer --topic numbers'],
    ['Keyed records separated by a colon', "printf 'user1:login\\nuser2:logout\\n' | kafka-ts console-producer --topic events --property parse.key=true --property key.separator=:"],
    ['Headers, key and value', "printf 'trace:abc\\tk1\\tv1\\n' | kafka-ts console-producer --topic t --property parse.headers=true --property parse.key=true"],
    ['Copy a topic, binary data and headers included', 'kafka-ts console-consumer --topic a --from-beginning -e --output json | kafka-ts console-producer --topic b --input json'],
    ['Write a file in transactions of 1,000 records', 'kafka-ts console-producer --topic orders --transactional-id orders-loader --transaction-size 1000 < orders.txt'],
    ['Produce to a real cluster with lz4 and acks=1', 'kafka-ts console-producer --bootstrap-server kafka1:9092 --topic t --compression-codec lz4 --request-required-acks 1 < data.txt'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied', 'Interrupted', 'Terminated'],
  differences: [
    'A send failure makes the exit status 1 (kafka-console-producer.sh logs it and exits 0), and a summary line is printed on stderr.',
    '--batch-size defaults to 1000000 bytes, librdkafka\'s default (kafka-console-producer.sh uses 16384): several times the throughput for small records. A batch the broker rejects as too large is split and resent.',
    'max.request.size is unlimited unless given (Java: 1048576), so the topic\'s max.message.bytes decides which records are too large and raising it is enough.',
    'Values are taken as raw bytes; the Java tool decodes lines as UTF-8 first.',
    'When the cluster does not offer or allow idempotence and enable.idempotence was not given, the records are sent without it (the Java producer fails instead).',
    '--transactional-id and --transaction-size are kafka-ts additions: kafka-console-producer.sh has no transactional mode.',
    '--line-reader accepts only the default LineMessageReader; use --input json for structured input.',
  ],
};
