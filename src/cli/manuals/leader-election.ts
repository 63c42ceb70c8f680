/** The man page of kafka-ts leader-election (kafka-ts-leader-election(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'elect preferred or unclean partition leaders (kafka-leader-election.sh)',
  synopsis: ['--election-type preferred|unclean (--topic T --partition P | --all-topic-partitions | --path-to-json-file FILE) [--output json]'],
  description: [
    "Runs a leader election with kafka-leader-election.sh's options and messages, against the local daemon or any Kafka cluster. preferred moves leadership back to each partition's first replica when it is alive and in sync; unclean gives a partition without a leader any live replica, accepting that records only the old leader had are lost.",
    'Partitions come from --topic with --partition, from --path-to-json-file ({"partitions":[{"topic":"foo","partition":1}]}), or --all-topic-partitions (every partition that needs an election; nothing is printed when none does).',
    'Beyond Kafka: --output json prints one document, {"electionType":"preferred","elected":[{"topic":"foo","partition":0}],"notNeeded":[…],"failed":[{"topic":…,"partition":…,"error":"PREFERRED_LEADER_NOT_AVAILABLE","message":…}]}, with the same exit status.',
  ],
  examples: [
    ['Move leadership back to preferred replicas everywhere', 'kafka-ts leader-election --election-type preferred --all-topic-partitions'],
    ['Bring an offline partition back, accepting data loss', 'kafka-ts leader-election --election-type unclean --topic orders --partition 0'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['1 when some partition could not get a leader ("<n> replica(s) could not be elected" on stderr), 4 when a named topic or partition does not exist, 2 for bad options or a malformed JSON file.'],
  differences: ['--bootstrap-server is optional (the local daemon); usage errors are one line on stderr with exit 2 (Kafka prints a stack trace and exits 1).'],
};
