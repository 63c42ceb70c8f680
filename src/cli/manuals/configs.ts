/** The man page of kafka-ts configs (kafka-ts-configs(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "describe and alter configs of topics, brokers (per broker and cluster-wide), and users' SCRAM credentials (kafka-configs.sh)",
  synopsis: [
    "--alter --entity-type users --entity-name USER --add-config 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD]'",
    '--alter --entity-type users --entity-name USER --add-config-file FILE',
    '--alter --entity-type users --entity-name USER --delete-config SCRAM-SHA-512',
    '--describe --entity-type users [--entity-name USER]',
    "--alter --entity-type topics --entity-name TOPIC [--add-config 'K=V,K2=[V1,V2]'] [--delete-config K]",
    '--describe --entity-type topics|brokers|broker-loggers|groups|client-metrics [--entity-name NAME | --entity-default] [--all]',
    "--alter --entity-type brokers (--entity-name ID | --entity-default) [--add-config 'K=V'] [--add-config-file FILE] [--delete-config K]",
    'describe|alter [OPTIONS]   (verb style: the same as --describe / --alter)',
  ],
  description: [
    "Creates, changes, removes and lists the SCRAM credentials that brokers check SASL SCRAM-SHA-256 and SCRAM-SHA-512 logins against, with kafka-configs.sh's options, grammar and messages, over Kafka's DescribeUserScramCredentials and AlterUserScramCredentials APIs (the local daemon, or any Kafka cluster from 2.7 on). --user USER is the same as --entity-type users --entity-name USER.",
    "--add-config takes Kafka's grammar: entries separated by commas, a value in brackets may hold commas: SCRAM-SHA-256=[iterations=8192,password=PASSWORD],SCRAM-SHA-512=[password=PASSWORD]. iterations is optional (default 4096, at least 4096 and at most 16384) and comes before password. The password is salted (a random 32-byte salt) and hashed before it is sent; the broker keeps only the salted keys. --add-config-file FILE reads the same entries from a properties file (SCRAM-SHA-256=[password=PASSWORD]), which keeps the password out of the process list and the shell history. --delete-config SCRAM-SHA-512 removes a mechanism's credential. Success prints \"Completed updating config for user USER.\"",
    "--describe prints one line per user that has credentials, \"SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\"; without --entity-name, every such user. A named user without credentials prints nothing. With --output json: --describe {\"users\":[{\"user\",\"scramCredentials\":[{\"mechanism\",\"iterations\"}]}]}, --alter {\"entityType\":\"users\",\"entityName\",\"upserted\":[{\"mechanism\",\"iterations\"}],\"deleted\":[mechanism]}. Passwords are never printed, in either format, nor in error messages.",
    "Topics and brokers (--topic T, --broker ID, --broker-defaults): --alter sets the --add-config (or --add-config-file) entries and removes the --delete-config names with IncrementalAlterConfigs; removing a config that is not set dynamically is Kafka's \"Invalid config(s): NAME\" (exit 1) and changes nothing. The broker validates names and values with Kafka's messages: \"Unknown topic config name: NAME\", \"Invalid value X for configuration NAME: Not a number of type LONG\" (exit 1). Success prints \"Completed updating config for topic orders.\" (\"Completed updating config for broker 1.\", \"Completed updating default config for brokers in the cluster.\").",
    "Dynamic broker configs: a broker (--broker ID) or every broker (--entity-default, --broker-defaults) takes the configs Kafka can change at run time: the log defaults (log.retention.ms, log.retention.bytes, log.segment.bytes, log.roll.ms, log.cleanup.policy, message.max.bytes, compression.type, min.insync.replicas, ...), the cleaner (log.cleaner.threads, ...), the thread pools (num.io.threads, num.network.threads, num.replica.fetchers, background.threads), replication throttles and connection limits. They are kept in the cluster metadata, so they survive a restart, and apply at once: a topic without its own override takes the broker's value (a per-broker value wins over the cluster default, which wins over server.properties). The thread-pool sizes are accepted and described, but the daemon has no such pools. Any other broker config is refused with Kafka's \"Cannot update these configs dynamically: Set(num.partitions)\" (exit 1), and nothing changes. A broker id that is not in the cluster exits 4.",
    "A broker's configs are asked of that broker itself, as Kafka's admin client does: each broker answers its own broker.id, node.id and log.dirs, and a broker asked about another broker's id answers Kafka's INVALID_REQUEST \"Unexpected broker id, expected 1 or empty string, but received 2\".",
    "--describe prints, for the named entity or every topic (every broker, then the cluster default; every group), the header \"Dynamic configs for topic orders are:\" (\"All configs for ...\" with --all, \"Default configs for brokers in the cluster are:\") and one line per config sorted by name, \"  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000, DEFAULT_CONFIG:log.retention.ms=604800000}\"; without --all only the entity's dynamic configs; sensitive values print null. A named topic or broker that does not exist prints Kafka's \"The topic 'x' doesn't exist and doesn't have dynamic config.\" and exits 4. JSON: {\"entityType\",\"entities\":[{\"name\",\"default\",\"configs\":[{\"name\",\"value\",\"sensitive\",\"source\",\"synonyms\"}]}]}; --alter {\"entityType\",\"entityName\",\"set\",\"deleted\"}.",
    "Broker loggers (--broker-logger ID): --describe lists the daemon's loggers and their levels (\"  kafka.controller.KafkaController=INFO sensitive=false synonyms={}\"; kafka and kafka.controller set a whole family, root the rest); --alter sets a logger's level (FATAL, ERROR, WARN, INFO, DEBUG, TRACE) at once, --delete-config lets it inherit again; not kept across a restart, as in Kafka. The logical brokers of one daemon share its loggers. Kafka's checks: \"Invalid broker logger(s): NAME\", \"Cannot set the log level of kafka to LOUD as it is not a supported log level...\", \"Removing the log level of the root logger is not allowed\" (exit 1). Groups (--group G) and client metrics (--client-metrics NAME) are sent to the broker as Kafka's tool sends them; the local daemon keeps no configs for them and answers as a Kafka broker without them does (\"Unsupported resource type: GROUP\", \"Unknown resource type 32\", exit 1); a Kafka 4 cluster answers with its own. Client quotas (clients, ips, users' quotas) and the default user are refused with a usage error naming them. --bootstrap-controller is refused: kafka-ts talks to brokers, and the local daemon has no separate controller listener.",
  ],
  examples: [
    ['Create (or change) alice\'s SCRAM-SHA-256 credential', "kafka-ts configs --alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'"],
    ['Same, with the password in a private file', 'kafka-ts configs --alter --user alice --add-config-file alice-scram.properties'],
    ['Remove her SCRAM-SHA-512 credential', 'kafka-ts configs --alter --entity-type users --entity-name alice --delete-config SCRAM-SHA-512'],
    ['List every user with SCRAM credentials', 'kafka-ts configs --describe --entity-type users'],
    ['Keep a topic for one day, compacted too', "kafka-ts configs --alter --topic orders --add-config 'retention.ms=86400000,cleanup.policy=[compact,delete]'"],
    ["Show a topic's overrides", 'kafka-ts configs --describe --topic orders'],
    ['Keep logs one day on every broker, at once', "kafka-ts configs --alter --entity-type brokers --entity-default --add-config 'log.retention.ms=86400000'"],
    ['Every config of broker 2, as it answers for itself', 'kafka-ts configs --describe --broker 2 --all'],
    ['The same in verb style', "kafka-ts configs alter --topic orders --add-config 'retention.ms=86400000'"],
    ["Debug the controller's logging for a while", "kafka-ts configs --alter --broker-logger 1 --add-config 'kafka.controller=DEBUG'"],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['1 when the broker refuses the change (an unacceptable credential, an unknown config or value, a config that cannot be updated dynamically, Invalid config(s), an entity type the broker does not support), 4 when --delete-config names a credential the user does not have or a named topic or broker does not exist, 7 when the connection cannot authenticate, 8 when the principal may not alter or describe the resource.'],
  differences: [
    'Errors exit non-zero with one line on stderr (no stack trace); a malformed credential is reported without its value.',
    '--bootstrap-server is optional (the local daemon, a context); --bootstrap-controller is refused.',
    'Usage errors exit 2 (Kafka: 1), without the usage table; broker errors print one line, not a stack trace.',
    'No client quotas in this version; a named topic or broker that does not exist exits 4 (Kafka: 0); --alter of brokers is incremental (Kafka 3.x replaces the whole dynamic set).',
    '--describe of client-metrics needs a name (kafka-ts cannot list client-metrics resources).',
  ],
};
