import { Option } from 'commander';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { collect, defineCommand, single } from '../src/cli/command.js';
import { FailedError, UsageError } from '../src/cli/errors.js';
import { requireInt } from '../src/cli/context.js';
import { readPropertiesFile } from '../src/cli/properties.js';

interface TopicsOptions {
  bootstrapServer?: string;
  commandConfig?: string;
  create?: boolean;
  alter?: boolean;
  delete?: boolean;
  list?: boolean;
  describe?: boolean;
  topic?: string;
  topicId?: string;
  partitions?: string;
  replicationFactor?: string;
  replicaAssignment?: string;
  config?: string[];
  deleteConfig?: string[];
  ifExists?: boolean;
  ifNotExists?: boolean;
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
  topicsWithOverrides?: boolean;
  partitionSizeLimitPerResponse?: string;
  output: 'text' | 'json';
}

const VERBS = ['create', 'alter', 'delete', 'list', 'describe'] as const;
type Verb = (typeof VERBS)[number];

function conflict(a: string, b: string): never {
  throw new UsageError(`Option "[${a}]" can't be used with option "[${b}]"`);
}

/** Kafka's validation, in Kafka's order (kafka-cli-reference §2.2). */
function validate(o: TopicsOptions, action: Verb) {
  if (action === 'describe' && o.ifExists && o.topic === undefined && o.topicId === undefined) {
    throw new UsageError('--topic or --topic-id is required to describe a topic');
  }
  if (action !== 'list' && action !== 'describe' && o.topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  if (action === 'alter') {
    if (o.config?.length) {
      throw new UsageError('Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)');
    }
    if (o.partitions === undefined) throw new UsageError('Missing required argument "[partitions]"');
  }
  if (action !== 'create' && action !== 'alter') {
    if (o.config?.length) conflict('config', action);
    if (o.partitions !== undefined) conflict('partitions', action);
    if (o.replicaAssignment !== undefined) conflict('replica-assignment', action);
  }
  if (o.replicationFactor !== undefined && action !== 'create') conflict('replication-factor', action);
  if (action === 'create' && o.replicaAssignment !== undefined) {
    if (o.partitions !== undefined) conflict('partitions', 'replica-assignment');
    if (o.replicationFactor !== undefined) conflict('replication-factor', 'replica-assignment');
  }
  const filters: [keyof TopicsOptions, string][] = [
    ['underReplicatedPartitions', 'under-replicated-partitions'],
    ['unavailablePartitions', 'unavailable-partitions'],
    ['underMinIsrPartitions', 'under-min-isr-partitions'],
    ['atMinIsrPartitions', 'at-min-isr-partitions'],
  ];
  for (const [k, name] of filters) {
    if (!o[k]) continue;
    if (action !== 'describe') conflict(name, action);
    if (o.topicsWithOverrides) conflict(name, 'topics-with-overrides');
  }
  if (o.topicsWithOverrides && action !== 'describe') conflict('topics-with-overrides', action);
  if (o.ifExists && !['alter', 'delete', 'describe'].includes(action)) conflict('if-exists', action);
  if (o.ifNotExists && action !== 'create') conflict('if-not-exists', action);
  if (o.excludeInternal && action !== 'list' && action !== 'describe') conflict('exclude-internal', action);
}

export default defineCommand<TopicsOptions>({
  name: 'topics',
  summary: 'create, delete, describe or change topics (kafka-topics.sh)',
  synopsis: [
    '[--bootstrap-server host:port] --create --topic NAME [--partitions N] [--replication-factor N] [--config k=v]...',
    '[--bootstrap-server host:port] --list | --describe [--topic REGEX] | --alter --topic REGEX --partitions N | --delete --topic REGEX',
    'create NAME [-p N] [-r N] [-c k=v]... | list [REGEX] | describe [REGEX] | alter NAME --partitions N | delete NAME',
  ],
  description: [
    'Manages topics with the options of kafka-topics.sh. Exactly one action is given, either as a flag (--create, --list, --describe, --alter, --delete) or as a verb followed by the topic (kafka-ts topics create orders -p 3).',
    'Except with --create, --topic is a regular expression that must match the whole topic name; commas separate alternatives, so --topic a,b selects the topics a and b, and a dot matches any character (escape it as \\. to mean a dot).',
    'Without --bootstrap-server the command talks to the local kafka-ts daemon over its Unix socket and starts the daemon if it is not running.',
    'The describe layout is Kafka 3.8\'s: a header line per topic (Topic, TopicId, PartitionCount, ReplicationFactor, Configs listing every config that is not a built-in default) and a line per partition (Leader, Replicas, Isr, Elr, LastKnownElr; Adding/Removing Replicas during a reassignment). With --output json the same information is printed as one JSON document, {"topics":[{name, topicId, internal, partitionCount, replicationFactor, configs, partitions:[{partition, leader, replicas, isr, …}]}]}; the partition filters (--under-replicated-partitions, …) keep only the matching partitions and the topics that have any, and --topics-with-overrides only the topics with overrides. The other actions print {"topic":…,"created":bool}, {"topics":[{name, internal}]}, {"altered":[…]} or {"deleted":[…]}.',
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
  exits: ['Failure', 'Unreachable', 'NotFound'],
  differences: [
    '--help exits 0 and prints to stdout (kafka-topics.sh exits 1).',
    'A missing topic is reported as "Topic \'foo\' does not exist as expected" (Kafka 3.8+ prints \'Optional[foo]\'), with exit status 4.',
    'Usage errors exit 2 with one line on stderr instead of the usage table; --bootstrap-server is optional (the local daemon is used without it).',
  ],
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', `action in verb style: ${VERBS.join(', ')}`)
      .argument('[topic]', 'topic name (create, alter, delete) or regular expression (list, describe)')
      .option('--create', 'create a new topic')
      .option('--alter', 'increase the number of partitions of a topic')
      .option('--delete', 'delete topics')
      .option('--list', 'list topics')
      .option('--describe', 'describe topics')
      .option('--topic <topic>', 'topic name (--create) or regular expression', single('topic'))
      .option('--topic-id <id>', 'topic id (--describe)')
      .addOption(new Option('-p, --partitions <n>', 'partitions for --create (default: broker num.partitions), new total for --alter'))
      .addOption(new Option('-r, --replication-factor <n>', 'replication factor for --create (default: broker default.replication.factor)'))
      .option('--replica-assignment <list>', 'explicit replicas: b1:b2,b3:b4 (partitions separated by commas, replicas by colons)')
      .addOption(new Option('-c, --config <name=value>', 'topic config override for --create (repeatable)').argParser(collect))
      .option('--delete-config <name>', 'ignored, as in Kafka 4.0 (use kafka-configs)', collect)
      .option('--if-exists', 'with --alter, --delete or --describe: do nothing when the topic does not exist')
      .option('--if-not-exists', 'with --create: do nothing when the topic exists')
      .option('--exclude-internal', 'with --list or --describe: leave out internal topics')
      .option('--under-replicated-partitions', 'with --describe: only partitions whose ISR is smaller than the replica set')
      .option('--unavailable-partitions', 'with --describe: only partitions without a live leader')
      .option('--under-min-isr-partitions', 'with --describe: only partitions whose ISR is below min.insync.replicas')
      .option('--at-min-isr-partitions', 'with --describe: only partitions whose ISR equals min.insync.replicas')
      .option('--topics-with-overrides', 'with --describe: only topics that have config overrides (header lines only)')
      .option('--partition-size-limit-per-response <n>', 'accepted for compatibility (paging is automatic)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const flagActions = VERBS.filter((v) => o[v]);
    let action: Verb;
    if (flagActions.length > 0) {
      if (flagActions.length > 1) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
      action = flagActions[0]!;
    } else {
      const verb = args[0];
      if (verb === undefined) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
      if (!(VERBS as readonly string[]).includes(verb)) throw new UsageError(`unknown action '${verb}' (expected ${VERBS.join(', ')})`);
      action = verb as Verb;
      if (args[1] !== undefined) {
        if (o.topic !== undefined && o.topic !== args[1]) throw new UsageError('Found multiple arguments for option topic, but you asked for only one');
        o.topic = args[1];
      }
    }
    if (o.deleteConfig?.length) {
      ctx.warn('delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.');
    }
    validate(o, action);
    const partitions = requireInt(o.partitions, 'partitions');
    const replicationFactor = requireInt(o.replicationFactor, 'replication-factor');

    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-topics' });
    const t = await import('../src/tools/topics.js');
    const { Admin } = await import('../src/client/admin.js');
    const admin = new Admin(client);
    const json = o.output === 'json';

    switch (action) {
      case 'create': {
        const assignment = o.replicaAssignment !== undefined ? t.parseReplicaAssignment(o.replicaAssignment) : undefined;
        const configs = t.parseTopicConfigs(o.config ?? []);
        const { isKnownTopicConfig } = await import('../src/config/topic-configs.js');
        for (const name of Object.keys(configs)) if (!isKnownTopicConfig(name)) throw new t.TopicCommandError(`Unknown topic config name: ${name}`);
        const name = o.topic!;
        const warning = t.collisionWarning(name);
        // Kafka prints this on stdout; in JSON mode stdout is JSON only.
        if (warning && json) ctx.warn(warning);
        else if (warning) ctx.out.line(warning);
        const created = await t.createTopic(admin, { name, partitions, replicationFactor, assignment, configs, ifNotExists: !!o.ifNotExists });
        if (json) ctx.out.line(JSON.stringify({ topic: name, created }));
        else if (created) ctx.out.line(`Created topic ${name}.`);
        return;
      }
      case 'list': {
        const topics = await t.selectTopics(admin, { topic: o.topic, excludeInternal: o.excludeInternal });
        if (json) ctx.out.line(JSON.stringify({ topics: topics.map((x) => ({ name: x.name, internal: x.internal })) }));
        else if (topics.length === 0) ctx.out.line('');
        else ctx.out.write(`${topics.map((x) => x.name).join('\n')}\n`);
        return;
      }
      case 'describe': {
        let names: string[];
        if (o.topicId !== undefined) {
          const all = await admin.metadata(null);
          const { toBase64Url } = await import('../src/util/ids.js');
          names = [...all.topics.values()].filter((x) => toBase64Url(x.id) === o.topicId).map((x) => x.name);
          if (names.length === 0 && !o.ifExists) throw new t.TopicCommandError(`TopicId '${o.topicId}' does not exist as expected`, 'not_found');
        } else {
          names = (await t.selectTopics(admin, { topic: o.topic, excludeInternal: o.excludeInternal })).map((x) => x.name);
          if (names.length === 0 && o.topic !== undefined && !o.ifExists) throw t.missingTopicError(o.topic);
        }
        const { views, liveBrokers, minIsr } = await t.describeTopics(client, names);
        const filters = {
          underReplicated: o.underReplicatedPartitions,
          unavailable: o.unavailablePartitions,
          underMinIsr: o.underMinIsrPartitions,
          atMinIsr: o.atMinIsrPartitions,
          withOverrides: o.topicsWithOverrides,
        };
        if (json) ctx.out.line(JSON.stringify(t.describeJson(views, filters, liveBrokers, minIsr)));
        else {
          const lines = t.describeLines(views, filters, liveBrokers, minIsr);
          if (lines.length) ctx.out.write(`${lines.join('\n')}\n`);
        }
        return;
      }
      case 'alter':
      case 'delete': {
        const names = (await t.selectTopics(admin, { topic: o.topic })).map((x) => x.name);
        if (names.length === 0) {
          if (o.ifExists) return;
          throw t.missingTopicError(o.topic!);
        }
        if (action === 'alter') {
          const assignment = o.replicaAssignment !== undefined ? t.parseReplicaAssignment(o.replicaAssignment) : undefined;
          await t.alterPartitions(admin, names, partitions!, assignment);
        } else await t.deleteTopics(admin, names);
        if (json) ctx.out.line(JSON.stringify({ [action === 'alter' ? 'altered' : 'deleted']: names }));
        return;
      }
    }
    throw new FailedError(`unhandled action ${action}`);
  },
});
