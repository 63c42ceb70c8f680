/** The man page of kafka-ts streams-application-reset (kafka-ts-streams-application-reset(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'reset a Kafka Streams application to reprocess its input (kafka-streams-application-reset.sh)',
  synopsis: [
    '--application-id ID [--input-topics T1,T2] [--intermediate-topics T3] [--internal-topics T4] [--to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime DATE | --by-duration PnDTnHnMnS | --from-file CSV] [--dry-run] [--force]',
  ],
  description: [
    "Resets a Kafka Streams application so that it reprocesses its input from scratch, with the options and messages of kafka-streams-application-reset.sh. The application's consumer group (named by its application.id) gets new committed offsets for the --input-topics: the earliest offset by default, or the position one of --to-earliest, --to-latest, --to-offset, --shift-by (from the committed offset, or from the end when there is none), --to-datetime (yyyy-MM-ddTHH:mm:ss.SSS, optional zone), --by-duration (ISO-8601 PnDTnHnMnS, or 90s, 15m, 1h30m, 2d) or --from-file (TOPIC,PARTITION,OFFSET lines) names. Offsets beyond a partition's range are clamped to it, with Kafka's messages.",
    "--intermediate-topics (deprecated in Kafka) are skipped to their end. The application's internal topics, those whose names start with \"<application.id>-\" and end with -changelog, -repartition or a foreign-key join suffix, are deleted; --internal-topics deletes only the named ones, which must be among those. Output topics are never touched, and the application's local state stores must still be removed (KafkaStreams#cleanUp()).",
    "The application must be stopped: a group with members is refused (exit 5) unless --force removes them. --dry-run prints what would happen and changes nothing.",
    'With --output json: {"applicationId","dryRun","removedMembers":[…],"offsets":[{"topic","partition","offset","kind":"input"|"intermediate"}],"missingTopics":[…],"deletedTopics":[…]}; a dry run, which changes nothing, has "membersToRemove" and "topicsToDelete" in their place. When an input or intermediate topic does not exist, the rest is done (or, in a dry run, shown) and printed first; then the command fails with one line on stderr, "1 topic(s) not found, skipped: nope", and in JSON mode the error object after the document.',
  ],
  examples: [
    ['Preview a reset of application wordcount', 'kafka-ts streams-application-reset --application-id wordcount --input-topics text-lines --dry-run'],
    ['Reprocess the last hour of input', 'kafka-ts streams-application-reset --application-id wordcount --input-topics text-lines --by-duration PT1H'],
    ['Reset a stopped application whose members have not timed out yet', 'kafka-ts streams-application-reset --application-id wordcount --input-topics text-lines --force'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Busy', 'AuthFailed', 'Denied'],
  exitNotes: [
    '4 when an input or intermediate topic does not exist (the others are still reset, as Kafka does; Kafka exits 1); 5 when the group still has members and --force is not given; 2 for bad options, a bad date or duration, a malformed --from-file, or --internal-topics naming a topic that is not an internal topic of the application.',
  ],
  differences: [
    'Everything is checked before anything changes: Kafka removes the members first and checks --internal-topics only after resetting the offsets.',
    'With --dry-run, --force does not remove members (Kafka removes them even in a dry run) and says so: "Would force delete all N active member(s) in the group: ID (dry run: none removed)" where Kafka prints "Force deleting all active members in the group: ID".',
    'A --from-file plan missing a partition of an input topic is refused (Kafka fails with an exception).',
    'No "higher/lower than latest/earliest offset" message for an offset equal to the bound (Kafka prints one).',
    'Partitions are listed sorted by topic and partition (Kafka lists them in hash order).',
  ],
};
