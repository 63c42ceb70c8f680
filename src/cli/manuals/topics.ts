/** The man page of kafka-ts topics (kafka-ts-topics(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'create, delete, describe or change topics (kafka-topics.sh)',
  synopsis: [
    '[--bootstrap-server host:port] --create --topic NAME [--partitions N] [--replication-factor N] [--config k=v]...',
    '[--bootstrap-server host:port] --list | --describe [--topic REGEX] | --alter --topic REGEX --partitions N | --delete --topic REGEX',
    'create NAME [-p N] [-r N] [-c k=v]... | list [REGEX] | describe [REGEX] | alter NAME --partitions N | delete NAME',
  ],
  description: [
    'Manages topics with the options of kafka-topics.sh. Exactly one action is given, either as a flag (--create, --list, --describe, --alter, --delete) or as a verb followed by the topic (kafka-ts topics create orders -p 3).',
    'Except with --create, --topic is a regular expression that must match the whole topic name; commas separate alternatives, so --topic a,b selects the topics a and b, and a dot matches any character (escape it as \\. to mean a dot). In verb style, alter NAME and delete NAME take NAME as it is, not as an expression (delete my.topic deletes my.topic only); describe and list take an expression, as --topic does.',
    'Without --bootstrap-server the command talks to the local kafka-ts daemon over its Unix socket and starts the daemon if it is not running.',
    'A --config that a kafka-ts broker accepts with no effect (configs --list-configs topic lists them, with the reason: preallocate, file.delete.delay.ms, ...) is set with a warning on stderr naming why; Apache Kafka\'s brokers honour them, and nothing is said there.',
    'The describe layout is Kafka 3.8\'s: a header line per topic (Topic, TopicId, PartitionCount, ReplicationFactor, Configs listing every config that is not a built-in default) and a line per partition (Leader, Replicas, Isr, Elr, LastKnownElr; Adding/Removing Replicas during a reassignment; described by --topic-id, Elr and LastKnownElr are N/A, null in JSON, as Kafka answers that from the Metadata API). With --output json the same information is printed as one JSON document, {"topics":[{name, topicId, internal, partitionCount, replicationFactor, configs, partitions:[{partition, leader, replicas, isr, …}]}]}; the partition filters (--under-replicated-partitions, …) keep only the matching partitions and the topics that have any, and --topics-with-overrides only the topics with overrides. The other actions print {"topic":…,"created":bool}, {"topics":[{name, internal}]}, {"altered":[…]} or {"deleted":[…]} (an empty list with --if-exists when no topic matches).',
    '--alter grows every topic --topic matches in one request, as Kafka\'s tool does: a topic that cannot grow (it has as many partitions already, or more) does not stop the others. Each that fails prints its error line (Kafka\'s tool prints the first only) and the exit status is 1; with --output json the lines go to stderr and the document is {"altered":[…],"failed":[{topic, error, message}]}. When the only topic matched fails, its one error line and exit status are printed as for any error.',
  ],
  examples: [
    ['Create a topic with three partitions', 'kafka-ts topics --create --topic orders --partitions 3'],
    ['The same in verb style, with a config', 'kafka-ts topics create orders -p 3 -c retention.ms=86400000'],
    ['List topics except internal ones', 'kafka-ts topics --list --exclude-internal'],
    ['Describe every topic whose name starts with "orders"', "kafka-ts topics --describe --topic 'orders.*'"],
    ['Show partitions whose ISR is smaller than their replica set', 'kafka-ts topics --describe --under-replicated-partitions'],
    ['Grow a topic to six partitions', 'kafka-ts topics alter orders --partitions 6'],
    ['Describe a topic on a real Kafka cluster as JSON', 'kafka-ts topics --bootstrap-server kafka1:9092 --describe --topic orders --output json'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  differences: [
    'A word that is not an option\'s value is a usage error (exit 2); the script ignores it.',
    'An invalid --topic regex is a usage error (exit 2, as in console-consumer and get-offsets), reported in Kafka\'s words ("Error while executing topic command : ( is an invalid regex."); kafka-topics.sh exits 1.',
    '--create with --partitions below 1 or a --replication-factor outside 1..32767 is a usage error (exit 2), reported before connecting in Kafka\'s words ("Error while executing topic command : The partitions must be greater than 0", "… : The replication factor must be between 1 and 32767 inclusive"); kafka-topics.sh exits 1. A --config pair is checked before connecting too, as TopicCommand checks it (LogConfig.validate): its key=val form, then every name ("Unknown topic config name: …"), then each value and the values together (min.compaction.lag.ms above max.compaction.lag.ms), in the broker\'s words, exit 1; what depends on the broker (remote.storage.enable) is left to it.',
    '--help exits 0 and prints to stdout (kafka-topics.sh exits 1).',
    'A missing topic is reported as "Topic \'foo\' does not exist as expected" (Kafka 3.8+ prints \'Optional[foo]\'), with exit status 4.',
    'Usage errors exit 2 with one line on stderr instead of the usage table; --bootstrap-server is optional (the local daemon is used without it).',
  ],
};
