/** The man page of kafka-ts get-offsets (kafka-ts-get-offsets(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'print the offsets of partitions, latest, earliest or by time (kafka-get-offsets.sh)',
  synopsis: ['[--bootstrap-server host:port] [--topic REGEX [--partitions 0,1]] [--time TIME] [--exclude-internal-topics] [--output json]', '[--bootstrap-server host:port] --topic-partitions RULES [--time TIME]', '[RULE...] [--time TIME]'],
  description: [
    "Prints one offset per partition with the options of kafka-get-offsets.sh, as its `topic:partition:offset` lines, sorted by the name topic-partition as Kafka sorts them (so orders-10 comes before orders-2).",
    'Partitions: --topic is a regular expression matching whole topic names (a comma means or; all topics without it), narrowed by --partitions 0,1,2 (read as Kafka reads it: ids separated by commas without spaces, each a Java int; a trailing comma is dropped, and an empty list is every partition); or --topic-partitions with rules topicRegex[:P] or :P, where P is N, N-M (M excluded), N- or -M, several separated by commas. In verb style the rules are arguments: kafka-ts get-offsets orders:0 payments. --exclude-internal-topics leaves out __consumer_offsets.',
    '--time picks the offset: latest or -1 (the high watermark, the default), earliest or -2 (the log start), max-timestamp or -3 (the record with the largest timestamp), earliest-local or -4 (the first offset on the broker\'s disk: the log start, as kafka-ts tiers nothing), latest-tiered or -5 (the last offset in remote storage: none with kafka-ts, so no line is printed), or a timestamp in milliseconds (the first record at or after it). Partitions without such an offset are left out of the lines, as Kafka does, and named on stderr ("No offset at max-timestamp (the partition holds no records) for orders:3: left out"; Kafka says nothing); JSON lists them as noOffset.',
    'A partition whose lookup fails is reported on stderr as "Skip getting offsets for topic-partition orders-0 due to error: …". With --output json: {"time":-1,"offsets":[{"topic":"orders","partition":0,"offset":42,"timestamp":null}],"noOffset":[],"errors":[],"denied":[]} (denied: topics named outright that the principal may not describe); timestamp is the record\'s for lookups by time and max-timestamp.',
  ],
  examples: [
    ['High watermarks of every partition of orders', 'kafka-ts get-offsets --topic orders'],
    ['Log start offsets of partitions 0 to 2 of topics starting with logs.', "kafka-ts get-offsets --topic-partitions 'logs\\..*:0-3' --time earliest"],
    ['The first offset at or after a time', 'kafka-ts get-offsets orders:0 --time 1735689600000'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['4 when no partition matches the filters ("Could not match any topic-partitions with the specified filters"); 8 when a topic named outright (not a pattern) may not be described by the principal ("not authorized to access topics: [orders] (TOPIC_AUTHORIZATION_FAILED)"; beside topics that matched, it is left out with that line on stderr); 1 when the lookup failed for some partition (the others are printed); 2 for a malformed --time, --partitions or rule.'],
  differences: ['kafka-get-offsets.sh exits 1 when nothing matches and 0 when some partitions were skipped; kafka-ts exits 4 and 1. A topic the principal may not describe is left out of the listing of kafka-get-offsets.sh in silence (Could not match …); kafka-ts asks for a topic named outright by name and reports the denial. --bootstrap-server is optional (the local daemon).'],
};
