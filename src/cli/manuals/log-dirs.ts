/** The man page of kafka-ts log-dirs (kafka-ts-log-dirs(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "describe brokers' log directories and replica sizes (kafka-log-dirs.sh)",
  synopsis: ['[--bootstrap-server host:port] --describe [--broker-list 1,2] [--topic-list t1,t2] [--output json]', 'describe [--broker-list 1,2] [--topic-list t1,t2]'],
  description: [
    "Asks each broker (all of them, or those of --broker-list, a set: each once, in ascending order as Kafka prints them) for its log directories with the options of kafka-log-dirs.sh, and prints Kafka's three lines: \"Querying brokers for log directories information\", \"Received log directory information from brokers 1,2\", then one JSON line, {\"brokers\":[{\"broker\":1,\"logDirs\":[{\"partitions\":[{\"partition\":\"orders-0\",\"size\":1234,\"offsetLag\":0,\"isFuture\":false}],\"error\":null,\"logDir\":\"/var/lib/kafka\"}]}],\"version\":1}.",
    "size is the bytes of the replica's log segments on that broker's disk; offsetLag how far a follower is behind its leader's log end. error is null, or the exception class (org.apache.kafka.common.errors.KafkaStorageException for a directory taken offline by an I/O error). --topic-list keeps the replicas of those topics only. The action is --describe or the verb describe. With --output json only the JSON document is printed.",
  ],
  examples: [
    ['Sizes of every replica on every broker', 'kafka-ts log-dirs --describe'],
    ['Replicas of orders on broker 2', 'kafka-ts log-dirs describe --broker-list 2 --topic-list orders'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['4 when --broker-list names a broker that does not exist ("ERROR: The given brokers do not exist from --broker-list: 5. Current existent brokers: 1,2"); 8 without DESCRIBE on the cluster.'],
  differences: ['kafka-log-dirs.sh exits 1 for an unknown broker; kafka-ts exits 4. Partitions are sorted by topic and partition (Kafka prints them in hash order).'],
};
