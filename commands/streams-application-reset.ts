/** kafka-ts streams-application-reset (kafka-streams-application-reset.sh): wiring only; see src/tools/streams-reset.ts. */
import { Option } from 'commander';
import { collect, defineCommand, flagName } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { requireInt } from '../src/cli/context.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfigs, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/streams-application-reset.js';

interface StreamsResetOptions {
  bootstrapServer?: string;
  bootstrapServers?: string;
  commandConfig?: string;
  configFile?: string;
  applicationId?: string;
  inputTopics?: string[];
  intermediateTopics?: string[];
  internalTopics?: string[];
  toOffset?: string;
  toDatetime?: string;
  byDuration?: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  fromFile?: string;
  shiftBy?: string;
  dryRun?: boolean;
  force?: boolean;
  output: 'text' | 'json';
}

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');

export default defineCommand<StreamsResetOptions>({
  name: 'streams-application-reset',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .addOption(new Option('--bootstrap-servers <host:port>', 'old name of --bootstrap-server').hideHelp())
      .option('--config-file <file>', 'deprecated name of --command-config')
      .option('--application-id <id>', 'REQUIRED: the Kafka Streams application id (application.id)')
      .option('--input-topics <list>', 'comma-separated input topics: their offsets are reset (earliest by default; repeatable)', collect)
      .option('--intermediate-topics <list>', '[deprecated] comma-separated intermediate topics: skipped to their end (repeatable)', collect)
      .option('--internal-topics <list>', 'comma-separated internal topics to delete (a subset of those a dry run lists; repeatable)', collect)
      .option('--to-offset <n>', 'reset input topics to this offset')
      .option('--to-datetime <date>', "reset to the offset at this time: 'YYYY-MM-DDThh:mm:ss.sss'")
      .option('--by-duration <duration>', "reset to the offset this long ago: 'PnDTnHnMnS'")
      .option('--to-earliest', 'reset to the earliest offset')
      .option('--to-latest', 'reset to the latest offset')
      .option('--from-file <csv>', 'reset to the offsets in this CSV file (TOPIC,PARTITION,OFFSET)')
      .option('--shift-by <n>', 'shift the current offset by n (may be negative)')
      .option('--dry-run', 'print what would be done, change nothing')
      .option('--force', 'remove the members of the consumer group first (after a crash with a long session timeout)');
    outputOption(cmd);
  },
  async run(o, _args, ctx) {
    if (!o.applicationId) throw new UsageError('Missing required option(s): application-id');
    if (o.bootstrapServer !== undefined && o.bootstrapServers !== undefined) throw new UsageError('Give --bootstrap-server or --bootstrap-servers, not both');
    const scenarios = (['toOffset', 'toDatetime', 'byDuration', 'toEarliest', 'toLatest', 'fromFile', 'shiftBy'] as const).filter((k) => o[k] !== undefined);
    if (scenarios.length > 1) throw new UsageError(`Option ${scenarios.map((k) => `--${flagName(k)}`).join(', ')} cannot be used together`);
    const r = await import('../src/tools/reset-offsets.js');
    const s = await import('../src/tools/streams-reset.js');
    const scenario: import('../src/tools/streams-reset.js').StreamsScenario =
      o.toOffset !== undefined ? { kind: 'offset', offset: requireInt(o.toOffset, '--to-offset')! }
      : o.shiftBy !== undefined ? { kind: 'shift', by: requireInt(o.shiftBy, '--shift-by')! }
      : o.toDatetime !== undefined ? { kind: 'datetime', timestamp: r.parseDatetime(o.toDatetime) }
      : o.byDuration !== undefined ? { kind: 'duration', ms: r.parseByDuration(o.byDuration) }
      : o.fromFile !== undefined ? { kind: 'file', offsets: s.readResetPlanCsv(o.fromFile) }
      : o.toLatest ? { kind: 'latest' } : { kind: 'earliest' };
    if (o.configFile !== undefined) ctx.warn('Option --config-file has been deprecated and will be removed in a future version. Use --command-config instead.');
    if (o.intermediateTopics !== undefined) ctx.warn('WARN: `--intermediate-topics` is deprecated and will be removed in a future release');
    const props = readClientProperties([['--config-file', o.configFile], ['--command-config', o.commandConfig]], []).all;
    await checkClientConfigs(['admin', 'consumer'], props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.bootstrapServers, properties: props, clientId: 'kafka-ts-streams-application-reset' });
    const result = await s.resetStreamsApplication(client, {
      applicationId: o.applicationId,
      inputTopics: list(o.inputTopics),
      intermediateTopics: list(o.intermediateTopics),
      internalTopics: list(o.internalTopics),
      scenario,
      dryRun: !!o.dryRun,
      force: !!o.force,
    });
    printView({ data: result.data, text: () => result.lines }, ctx, o.output === 'json');
    // What was done is printed first (Kafka's lines, or the document); then the error, as for any failure.
    if (result.missingTopics.length > 0) throw s.missingTopicsError(result);
  },
});
