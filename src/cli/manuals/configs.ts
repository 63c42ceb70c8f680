/** The man page of kafka-ts configs (kafka-ts-configs(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "describe and alter configs of topics and brokers, client quotas, and users' SCRAM credentials (kafka-configs.sh)",
  synopsis: [
    "--alter --entity-type users --entity-name USER --add-config 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD]'",
    '--alter --entity-type users --entity-name USER --add-config-file FILE',
    '--alter --entity-type users --entity-name USER --delete-config SCRAM-SHA-512',
    '--describe --entity-type users [--entity-name USER]',
    "--alter --entity-type topics --entity-name TOPIC [--add-config 'K=V,K2=[V1,V2]'] [--delete-config K]",
    '--describe --entity-type topics|brokers [--entity-name NAME | --entity-default] [--all]',
    '--alter --entity-type users|clients|ips [--entity-name NAME | --entity-default] --add-config producer_byte_rate=1048576 [--delete-config KEY]',
    '--describe --entity-type users|clients|ips [--entity-name NAME | --entity-default] [--entity-type clients ...]',
  ],
  description: [
    "Creates, changes, removes and lists the SCRAM credentials that brokers check SASL SCRAM-SHA-256 and SCRAM-SHA-512 logins against, with kafka-configs.sh's options, grammar and messages, over Kafka's DescribeUserScramCredentials and AlterUserScramCredentials APIs (the local daemon, or any Kafka cluster from 2.7 on). --user USER is the same as --entity-type users --entity-name USER.",
    "--add-config takes Kafka's grammar: entries separated by commas, a value in brackets may hold commas: SCRAM-SHA-256=[iterations=8192,password=PASSWORD],SCRAM-SHA-512=[password=PASSWORD]. iterations is optional (default 4096, at least 4096 and at most 16384) and comes before password. The password is salted (a random 32-byte salt) and hashed before it is sent; the broker keeps only the salted keys. --add-config-file FILE reads the same entries from a properties file (SCRAM-SHA-256=[password=PASSWORD]), which keeps the password out of the process list and the shell history. --delete-config SCRAM-SHA-512 removes a mechanism's credential. Success prints \"Completed updating config for user USER.\"",
    "--describe prints one line per user that has credentials, \"SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\"; without --entity-name, every such user. A named user without credentials prints nothing. With --output json: --describe {\"users\":[{\"user\",\"scramCredentials\":[{\"mechanism\",\"iterations\"}]}]}, --alter {\"entityType\":\"users\",\"entityName\",\"upserted\":[{\"mechanism\",\"iterations\"}],\"deleted\":[mechanism]}. Passwords are never printed, in either format, nor in error messages.",
    "Topics and brokers (--topic T, --broker ID, --broker-defaults): --alter sets the --add-config entries and removes the --delete-config names with IncrementalAlterConfigs; removing a config that is not set dynamically is Kafka's \"Invalid config(s): NAME\" (exit 1) and changes nothing; the broker validates names and values. Success prints \"Completed updating config for topic orders.\" (\"Completed updating default config for brokers in the cluster.\"). --describe prints, for the named entity or every topic (every broker, then the cluster default), the header \"Dynamic configs for topic orders are:\" (\"All configs for ...\" with --all, \"Default configs for brokers in the cluster are:\") and one line per config sorted by name, \"  retention.ms=86400000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000, DEFAULT_CONFIG:log.retention.ms=604800000}\"; without --all only the entity's dynamic configs; sensitive values print null. A named topic or broker that does not exist prints Kafka's \"The topic 'x' doesn't exist and doesn't have dynamic config.\" and exits 4. JSON: {\"entityType\",\"entities\":[{\"name\",\"default\",\"configs\":[{\"name\",\"value\",\"sensitive\",\"source\",\"synonyms\"}]}]}; --alter {\"entityType\",\"entityName\",\"set\",\"deleted\"}.",
    "Client quotas (users, clients, users and clients together, ips; --user, --client, --ip, --user-defaults, --client-defaults, --ip-defaults, or --entity-default for the default entity): --alter sets producer_byte_rate, consumer_byte_rate (bytes per second), request_percentage (percent of one request thread) and controller_mutation_rate with AlterClientQuotas (ips: connection_creation_rate); --delete-config removes one (\"Invalid config(s): NAME\" when it is not set). Values must parse as numbers (\"Cannot parse quota configuration value for K: V\", exit 2); the broker refuses unknown keys, negative values and non-integral byte rates (INVALID_REQUEST, exit 1). --describe prints one line per entity with quotas, \"Quota configs for user-principal 'alice', client-id 'c1' are producer_byte_rate=1048576.0\" (values as Java doubles, \"the default client-id\" for the default), and for users alone also their SCRAM credential lines. The kafka-ts broker enforces the first three as Kafka does: per user and client id over 11 one-second windows, the answer carrying throttle_time_ms and the connection muted for that time; the local socket (the CLI, replication) is exempt. An ip's connection_creation_rate is enforced on new TCP connections: one over the rate is held unanswered for Kafka's throttle time, then closed. JSON: --describe {\"quotas\":[{\"entity\":{\"user\",\"client-id\",\"ip\"},\"quotas\":{KEY:VALUE}}]} (plus \"users\" for users), --alter {\"entity\",\"set\",\"deleted\"}.",
    "Other entity types (broker-loggers, client-metrics, groups) are refused with a usage error naming them.",
  ],
  examples: [
    ['Create (or change) alice\'s SCRAM-SHA-256 credential', "kafka-ts configs --alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'"],
    ['Same, with the password in a private file', 'kafka-ts configs --alter --user alice --add-config-file alice-scram.properties'],
    ['Remove her SCRAM-SHA-512 credential', 'kafka-ts configs --alter --entity-type users --entity-name alice --delete-config SCRAM-SHA-512'],
    ['List every user with SCRAM credentials', 'kafka-ts configs --describe --entity-type users'],
    ['Keep a topic for one day, compacted too', "kafka-ts configs --alter --topic orders --add-config 'retention.ms=86400000,cleanup.policy=[compact,delete]'"],
    ["Show a topic's overrides", 'kafka-ts configs --describe --topic orders'],
    ['Limit client id c1 to 1 MiB/s of produce', 'kafka-ts configs --alter --client c1 --add-config producer_byte_rate=1048576'],
    ["List every user's and client's quotas", 'kafka-ts configs --describe --entity-type users --entity-type clients'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['1 when the broker refuses the change (an unacceptable credential, an unknown or read-only config, Invalid config(s)), 4 when --delete-config names a credential the user does not have or a named topic or broker does not exist, 7 when the connection cannot authenticate, 8 when the principal may not alter or describe the resource.'],
  differences: [
    'Errors exit non-zero with one line on stderr (no stack trace); a malformed credential is reported without its value.',
    '--bootstrap-server is optional (the local daemon, a context); --bootstrap-controller is accepted as a synonym.',
    'Only users (SCRAM credentials, quotas), clients and ips (quotas), topics and brokers in this version; a named topic or broker that does not exist exits 4 (Kafka: 0).',
  ],
};
