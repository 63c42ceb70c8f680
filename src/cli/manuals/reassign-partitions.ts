/** The man page of kafka-ts reassign-partitions (kafka-ts-reassign-partitions(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'move partition replicas between brokers (kafka-reassign-partitions.sh)',
  synopsis: [
    '--generate --topics-to-move-json-file FILE --broker-list 1,2,3',
    '--execute --reassignment-json-file FILE [--throttle B/s] [--additional] [--wait]',
    '--verify --reassignment-json-file FILE [--preserve-throttles] [--wait]',
    '--cancel --reassignment-json-file FILE [--preserve-throttles] | --list',
  ],
  description: [
    "Moves partition replicas between brokers with kafka-reassign-partitions.sh's options, JSON files and messages, against the local daemon (start it with --brokers N to have brokers to move between) or any Kafka cluster.",
    '--generate proposes a plan for the topics in --topics-to-move-json-file ({"topics":[{"topic":"foo"}],"version":1}) over the brokers of --broker-list, with Kafka\'s replica placement, and prints the current and the proposed assignment; nothing changes. --execute starts the reassignments of --reassignment-json-file ({"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}) after printing the current assignment to keep for rollback. New replicas copy the data from the leader; once they are in sync the old replicas are removed. --throttle B/s limits that copy (Kafka\'s leader/follower.replication.throttled.rate and throttled-replica configs); run --verify until it reports completion, which also removes the throttle. --cancel stops reassignments and returns the partitions to their original replicas; --list shows the ones running.',
    'Beyond Kafka: --wait (with --execute or --verify) stays until the plan\'s reassignments complete, showing the bytes moved, the rate and an estimated time left on stderr, then prints the --verify report and removes the throttles; --output json prints every action\'s result as one JSON document: --generate {"current":PLAN,"proposed":PLAN}; --execute {"rollback":PLAN,"started":[…],"failed":[…],"throttle":B/s|null} (with --wait also "verify", the --verify report); --verify {"partitions":[{topic,partition,status,replicas,targetReplicas}],"throttlesCleared":bool}; --cancel {"cancelled":[…],"failed":[…],"throttlesCleared":bool}; --list {"reassignments":[…]}. Plans with log_dirs other than "any" are refused: kafka-ts brokers have one log directory each.',
  ],
  examples: [
    ['Propose moving two topics onto brokers 2 and 3', 'kafka-ts reassign-partitions --generate --topics-to-move-json-file topics.json --broker-list 2,3'],
    ['Start a move, throttled to 50 MB/s, and watch it finish', 'kafka-ts reassign-partitions --execute --reassignment-json-file plan.json --throttle 50000000 --wait'],
    ['Check progress; clears the throttle once done', 'kafka-ts reassign-partitions --verify --reassignment-json-file plan.json'],
    ['List running reassignments', 'kafka-ts reassign-partitions --list'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Busy', 'AuthFailed', 'Denied'],
  exitNotes: ['1 when the brokers refuse part of a plan, or when --verify or --cancel cannot clear the throttle of a broker of the plan that is not running (the rest is cleared; run --verify again once it is back), 2 for a malformed plan or option, 4 for an unknown broker, topic or partition, 5 when --execute meets a running reassignment without --additional.'],
  differences: [
    'Errors exit non-zero (2 malformed input, 4 unknown broker/topic/partition, 5 another reassignment running, 1 refused by the brokers) and print "Error: <message>" without a stack trace.',
    '--bootstrap-server is optional (the local daemon); --bootstrap-controller is accepted as a synonym.',
    'A --throttle below -1 (none) is a usage error; Kafka ignores it without a word.',
    'log_dirs other than "any" are refused (no intra-broker directory moves); --replica-alter-log-dirs-throttle is accepted and reported but has nothing to throttle.',
  ],
};
