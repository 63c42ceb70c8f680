/**
 * kafka-ts topics (kafka-topics.sh): wiring only. Options and Kafka's rules for combining them
 * are in src/cli/flags/topics.ts, the man page in src/cli/manuals/topics.ts, the work and the layouts in
 * src/tools/topics.ts; each action returns a view that one printer writes.
 */
import { Option } from 'commander';
import { collect, defineCommand } from '../src/cli/command.js';
import { requireInt } from '../src/cli/context.js';
import { pickAction } from '../src/cli/dispatch.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView, type View } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/topics.js';
import { ACTIONS, DISPATCH, validate, VERBS, type TopicsOptions } from '../src/cli/flags/topics.js';

export default defineCommand<TopicsOptions>({
  name: 'topics',
  ...docs,
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
      .option('--topic <topic>', 'topic name (--create) or regular expression')
      .option('--topic-id <id>', 'topic id (--describe)')
      .addOption(new Option('-p, --partitions <n>', 'partitions for --create (default: broker num.partitions), new total for --alter'))
      .addOption(new Option('-r, --replication-factor <n>', 'replication factor for --create (default: broker default.replication.factor)'))
      .option('--replica-assignment <list>', 'explicit replicas: b1:b2,b3:b4 (partitions separated by commas, replicas by colons)')
      .addOption(new Option('-c, --config <name=value>', 'topic config override for --create (repeatable)').argParser(collect))
      .option('--delete-config <name>', 'ignored with a warning, as in Kafka 4.0 (use kafka-configs; repeatable)', collect)
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
    const { action, rest, byVerb } = pickAction(o, args, ACTIONS, DISPATCH);
    // `topics delete NAME` names one topic: `delete my.topic` must not also delete my-topic
    // (--topic keeps Kafka's regular expression, as scripts expect).
    // No word besides the --action flags' values (Kafka ignores stray ones); the verb's NAME is one.
    if (!byVerb && rest[0] !== undefined) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const exactName = byVerb && rest[0] !== undefined;
    if (exactName) {
      if (o.topic !== undefined && o.topic !== rest[0]) throw new UsageError('Found multiple arguments for option topic, but you asked for only one');
      o.topic = rest[0];
    }
    if (o.deleteConfig?.length) {
      ctx.warn('delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.');
    }
    validate(o, action);
    const partitions = requireInt(o.partitions, 'partitions', { int32: true });
    const replicationFactor = requireInt(o.replicationFactor, 'replication-factor', { int32: true });

    const t = await import('../src/tools/topics.js');
    // Before connecting, as Kafka's TopicCommand (an unreachable broker made --partitions 0 or a
    // misspelt --config wait and exit 3); the configs first, as there.
    const configs = action === 'create' ? t.checkTopicConfigs(o.config ?? []) : {};
    if (action === 'create') t.checkCreateCounts({ partitions, replicationFactor });
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-topics' });
    const { Admin } = await import('../src/client/admin.js');
    const admin = new Admin(client);
    const json = o.output === 'json';

    /** --alter and --delete print nothing in text; JSON names the topics. */
    const alterOrDelete = async (): Promise<View> => {
      const names = (await t.selectTopics(admin, { topic: o.topic, exact: exactName })).map((x) => x.name);
      const done = { data: { [action === 'alter' ? 'altered' : 'deleted']: names }, text: () => '' };
      if (names.length === 0) {
        if (o.ifExists) return done;
        throw t.missingTopicError(o.topic!);
      }
      if (action === 'alter') {
        const assignment = o.replicaAssignment !== undefined ? t.parseReplicaAssignment(o.replicaAssignment) : undefined;
        const failures = t.alterFailures(await t.alterPartitions(admin, names, partitions!, assignment), ctx.principal);
        // Kafka's error lines on stdout in text (on stderr in JSON, whose document names them).
        if (failures) return { data: failures.data, text: () => failures.lines, diagnostics: () => failures.lines, exit: failures.exit };
      } else await t.deleteTopics(admin, names);
      return done;
    };
    const actions: Record<typeof action, () => Promise<View>> = {
      create: async () => {
        const assignment = o.replicaAssignment !== undefined ? t.parseReplicaAssignment(o.replicaAssignment) : undefined;
        const name = o.topic!;
        const warning = t.collisionWarning(name);
        // Kafka prints this on stdout before creating the topic (so it stands if that fails); in JSON mode stdout is JSON only.
        if (warning && json) ctx.warn(warning);
        else if (warning) printView({ data: undefined, text: () => [warning] }, ctx, false);
        const created = await t.createTopic(admin, { name, partitions, replicationFactor, assignment, configs, ifNotExists: !!o.ifNotExists });
        if (created) {
          const c = await import('../src/tools/configs.js');
          for (const w of await c.noEffectWarnings(admin, c.RESOURCE_CODE.topics, name, Object.keys(configs))) ctx.warn(w);
        }
        return { data: { topic: name, created }, text: () => (created ? [`Created topic ${name}.`] : []) };
      },
      list: async () => {
        const topics = await t.selectTopics(admin, { topic: o.topic, excludeInternal: o.excludeInternal });
        return { data: { topics: topics.map((x) => ({ name: x.name, internal: x.internal })) }, text: () => (topics.length === 0 ? [''] : topics.map((x) => x.name)) };
      },
      describe: async () => {
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
        const { views, liveBrokers, minIsr } = await t.describeTopics(client, names, o.topicId !== undefined);
        const filters = {
          underReplicated: o.underReplicatedPartitions,
          unavailable: o.unavailablePartitions,
          underMinIsr: o.underMinIsrPartitions,
          atMinIsr: o.atMinIsrPartitions,
          withOverrides: o.topicsWithOverrides,
        };
        return { data: t.describeJson(views, filters, liveBrokers, minIsr), text: () => t.describeLines(views, filters, liveBrokers, minIsr) };
      },
      alter: alterOrDelete,
      delete: alterOrDelete,
    };
    return printView(await actions[action](), ctx, json);
  },
});
