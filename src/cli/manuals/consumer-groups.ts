/** The man page of kafka-ts consumer-groups (kafka-ts-consumer-groups(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'list, describe, reset and delete consumer groups (kafka-consumer-groups.sh)',
  synopsis: [
    '--list [--state [STATES]] [--type [TYPES]]',
    '--describe (--group G... | --all-groups) [--offsets | --members [--verbose] | --state]',
    '--reset-offsets (--group G... | --all-groups) (--topic T[:P,P] ... | --all-topics) SCENARIO [--dry-run | --execute] [--export]',
    '--delete (--group G... | --all-groups) | --delete-offsets --group G --topic T[:P,P]...',
    'list | describe G... | reset G... | delete G... | delete-offsets G --topic T',
  ],
  description: [
    "Lists, describes, resets and deletes consumer groups with kafka-consumer-groups.sh's options, messages and table layouts, against the local daemon or any Kafka cluster (--bootstrap-server).",
    '--describe shows, per group, each partition with CURRENT-OFFSET (committed), LOG-END-OFFSET (the high watermark), LAG and the member that owns it; partitions with a committed offset but no owner show "-". --members lists members (with --verbose their ASSIGNMENT as topic(partitions)); --state shows coordinator, assignment strategy, state and member count. A group that does not exist prints "Consumer group \'G\' does not exist."; an empty group prints "has no active members" on stderr. With --members the header follows even when there are no members to list, as Kafka 3.8+ prints it (3.7 left it out).',
    '--reset-offsets computes new committed offsets for inactive groups (Empty, or never seen): --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime yyyy-MM-ddTHH:mm:ss.SSS[zone] (no zone means UTC), --by-duration PnDTnHnMnS (as Java\'s Duration.parse reads it: either case, signed, -PT1H a time ahead) or 90s/15m/1h30m/2d, or --from-file with Kafka\'s CSV (topic,partition,offset, or group,topic,partition,offset). --to-offset, --shift-by and --from-file are clamped to each partition\'s [earliest, latest] with a WARN line on stderr. A group that does not exist has nothing to reset with --all-topics: that is an error (exit 4), so a script pointed at the wrong cluster fails loudly; with --topic it is given offsets, as in Kafka. It is a dry run unless --execute is given; the plan is printed as a table, as Kafka\'s CSV with --export, or as JSON with --output json.',
    'Lag and transactions: LOG-END-OFFSET is the high watermark, read as Kafka\'s tool reads it (read_uncommitted), so LAG counts every record written, including those of transactions still open and aborted ones. A read_committed consumer cannot read past a partition\'s last stable offset (LSO: the first offset of a transaction still open), so while a transaction is open its lag there does not fall below HIGH-WATERMARK - LSO however fast it consumes; once the transaction ends it catches up. Transaction markers take an offset each, which a consumer passes without returning a record: a caught-up group commits the offset after the last marker and shows LAG 0. A lag that stays above zero at one partition with nothing new being produced can be a hanging transaction (see kafka-ts transactions find-hanging).',
    'Beyond Kafka: --describe --watch opens the live lag view of kafka-ts lag on the described groups; --from-plan FILE applies a plan saved with --output json exactly as it was computed; --wait-inactive MS first waits (up to MS) for the group to become inactive, instead of refusing an active group; and every failure has its own exit status (4 group not found, 5 group active, 6 wait timed out, 1 other failures).',
  ],
  examples: [
    ['List groups with their state', 'kafka-ts consumer-groups --list --state'],
    ['Describe a group', 'kafka-ts consumer-groups --describe --group billing'],
    ['Members and their assignment', 'kafka-ts consumer-groups describe billing --members --verbose'],
    ['Watch a group\'s lag live (see kafka-ts-lag(1))', 'kafka-ts consumer-groups --describe --group billing --watch'],
    ['Dry-run a reset to the earliest offsets', 'kafka-ts consumer-groups --reset-offsets --group billing --topic orders --to-earliest --dry-run'],
    ['Rewind one hour on partitions 0 and 2, then apply', "kafka-ts consumer-groups --reset-offsets --group billing --topic orders:0,2 --by-duration PT1H --execute"],
    ['Save a plan, review it, apply it exactly', 'kafka-ts consumer-groups reset billing --all-topics --to-latest --output json > plan.json && kafka-ts consumer-groups reset billing --from-plan plan.json --execute'],
    ['In CI: wait up to 60 s for the group to stop, then reset', 'kafka-ts consumer-groups reset billing --all-topics --to-earliest --wait-inactive 60000 --execute'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Busy', 'Timeout', 'AuthFailed', 'Denied'],
  differences: [
    'A word that is not an option\'s value is a usage error (exit 2); the script ignores it.',
    'Runtime failures exit non-zero (kafka-consumer-groups.sh exits 0): 4 when a group does not exist (or every topic --delete-offsets names does not; some of them is a partial failure, 1), 5 when a group is active, 6 when --wait-inactive times out, 8 when the ACLs refuse a group or topic (--delete, --delete-offsets, --reset-offsets; a topic --reset-offsets may not describe is refused as Kafka refuses it, not reported missing), 1 for other failures; messages and layouts stay Kafka\'s.',
    '--members --verbose prints ASSIGNMENT as topic(0,1) (Kafka 3.8+ drops the topic name); --delete-offsets statuses read "Error: :<message>" as in Kafka 3.8+ (3.7: "Error: <message>"), each partition once however often --topic names it; --delete quotes each group id (3.8+ quotes the whole list).',
    'Invalid dates, durations, --from-file contents and negative --to-offset values are usage errors (exit 2) and change nothing; so is a --from-plan that plans one partition at two offsets. Offsets past 2^53 (up to a Java long) are clamped to the log like any other, the WARN line giving the value as written; a partition past a Java int is invalid, as in Kafka. A --from-file or --from-plan without rows for a named group exits 1 (the other groups are still reset; the JSON lists them as "unplanned"). A group that becomes active while --execute commits is reported as one active at the start (exit 5), its rows left out of the plan printed.',
    '--watch shows the offsets view only: with --members or --state it is a usage error.',
    '--list prints groups sorted by id (Kafka prints them in the order brokers return them).',
  ],
};
