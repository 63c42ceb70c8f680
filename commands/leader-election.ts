import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { readOptionText } from '../src/util/files.js';
import { requireInt } from '../src/cli/context.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';

interface LeaderElectionOptions {
  bootstrapServer?: string;
  'admin.config'?: string;
  commandConfig?: string;
  electionType?: string;
  topic?: string;
  partition?: string;
  allTopicPartitions?: boolean;
  pathToJsonFile?: string;
  output: 'text' | 'json';
}

/** Java exception names Kafka's tool prints for election failures. */
const EXCEPTIONS: Record<string, string> = {
  PREFERRED_LEADER_NOT_AVAILABLE: 'PreferredLeaderNotAvailableException',
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 'EligibleLeadersNotAvailableException',
  UNKNOWN_TOPIC_OR_PARTITION: 'UnknownTopicOrPartitionException',
  INVALID_REPLICA_ASSIGNMENT: 'InvalidReplicaAssignmentException',
  NOT_CONTROLLER: 'NotControllerException',
};

function readPartitions(path: string): { topic: string; partition: number }[] {
  const text = readOptionText(path, '--path-to-json-file');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Kafka's wording, as delete-records says it: one line (JSON.parse's message quotes the text, newlines and all).
    throw new UsageError('The input string is not a valid JSON');
  }
  const list = (doc as { partitions?: unknown })?.partitions;
  if (!Array.isArray(list)) throw new UsageError(`--path-to-json-file ${path}: expected {"partitions":[{"topic":"foo","partition":1}]}`);
  const out = list.map((x, i) => {
    const p = x as { topic?: unknown; partition?: unknown };
    if (typeof p?.topic !== 'string' || !Number.isInteger(p.partition)) throw new UsageError(`--path-to-json-file ${path}: entry ${i} needs "topic" and "partition"`);
    return { topic: p.topic, partition: p.partition as number };
  });
  const keys = out.map((p) => `${p.topic}-${p.partition}`);
  const dupes = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
  if (dupes.length) throw new UsageError(`Replica election data contains duplicate partitions: ${dupes.join(',')}`);
  return out;
}

export default defineCommand<LeaderElectionOptions>({
  name: 'leader-election',
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
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .option('--admin.config <file>', 'admin client properties file (Kafka before 4.2; same as --command-config)')
      .option('--election-type <type>', 'preferred or unclean')
      .option('--topic <topic>', 'topic of the partition to elect a leader for (with --partition)')
      .option('--partition <n>', 'partition to elect a leader for (with --topic)')
      .option('--all-topic-partitions', 'every partition that needs an election')
      .option('--path-to-json-file <file>', 'partitions to elect leaders for, as JSON');
    outputOption(cmd);
  },
  async run(o, _args, ctx) {
    if (!o.electionType) throw new UsageError('Missing required option(s): election-type');
    const type = o.electionType.toLowerCase();
    if (type !== 'preferred' && type !== 'unclean') throw new UsageError(`Invalid election type '${o.electionType}': expected preferred or unclean`);
    const sources = [o.topic !== undefined, !!o.allTopicPartitions, o.pathToJsonFile !== undefined].filter(Boolean).length;
    if (sources !== 1) throw new UsageError('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file');
    if (o.topic !== undefined && o.partition === undefined) throw new UsageError('Missing required option(s): partition');
    if (o.partition !== undefined && o.topic === undefined) throw new UsageError('Option partition is only allowed if topic is used');
    const partitions = o.topic !== undefined ? [{ topic: o.topic, partition: requireInt(o.partition, 'partition', { min: 0, int32: true })! }] : o.pathToJsonFile ? readPartitions(o.pathToJsonFile) : null;

    const props = readClientProperties([['--admin.config', o['admin.config']], ['--command-config', o.commandConfig]], []).all;
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-leader-election' });
    const { electLeaders } = await import('../src/client/reassignments.js');
    const results = await electLeaders(client, type, partitions);
    const label = type.toUpperCase();
    const key = (r: { topic: string; partition: number }) => `${r.topic}-${r.partition}`;
    const tp = (r: { topic: string; partition: number }) => ({ topic: r.topic, partition: r.partition });
    const { ErrorCode } = await import('../src/protocol/errors.js');
    const done = results.filter((r) => !r.error);
    const already = results.filter((r) => r.error?.code === ErrorCode.ELECTION_NOT_NEEDED);
    const failed = results.filter((r) => r.error && r.error.code !== ErrorCode.ELECTION_NOT_NEEDED);
    const data = { electionType: type, elected: done.map(tp), notNeeded: already.map(tp), failed: failed.map((f) => ({ ...tp(f), error: f.error!.errorName, message: f.error!.message })) };
    const text = () => [
      ...(done.length ? [`Successfully completed leader election (${label}) for partitions ${done.map(key).join(', ')}`] : []),
      ...(already.length ? [`Valid replica already elected for partitions ${already.map(key).join(', ')}`] : []),
      ...failed.map((f) => `Error completing leader election (${label}) for partition: ${key(f)}: org.apache.kafka.common.errors.${EXCEPTIONS[f.error!.errorName] ?? 'KafkaException'}: ${f.error!.message}`),
    ];
    if (failed.length) ctx.warn(`${failed.length} replica(s) could not be elected`);
    // A named partition that does not exist is the more specific failure.
    const exit = !failed.length ? 'Ok' : failed.some((f) => f.error!.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) ? 'NotFound' : 'Failure';
    return printView({ data, text, exit }, ctx, o.output === 'json');
  },
});
