/** kafka-ts features (kafka-features.sh): the feature flags a broker advertises. */
import { collect, defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';

interface FeaturesOptions {
  bootstrapServer?: string;
  bootstrapController?: string;
  commandConfig?: string;
  feature?: string[];
  metadata?: string;
  releaseVersion?: string;
  dryRun?: boolean;
  unsafe?: boolean;
  output: 'text' | 'json';
}

const CHANGES = ['upgrade', 'downgrade', 'disable', 'version-mapping', 'feature-dependencies'];
/** kafka-features.sh's options of the verbs kafka-ts refuses: accepted, so that those verbs get their one clear message. */
const CHANGE_OPTIONS: [keyof FeaturesOptions, string][] = [
  ['feature', '--feature'],
  ['metadata', '--metadata'],
  ['releaseVersion', '--release-version'],
  ['dryRun', '--dry-run'],
  ['unsafe', '--unsafe'],
];

export default defineCommand<FeaturesOptions>({
  name: 'features',
  lastValueWins: true,
  summary: 'describe the feature flags of a cluster (kafka-features.sh)',
  synopsis: ['describe [--bootstrap-server host:port] [--command-config FILE]'],
  description: [
    'describe prints each feature flag the broker supports with its range and finalized level, sorted by name, in kafka-features.sh\'s tab-separated layout: "Feature: metadata.version<TAB>SupportedMinVersion: 3.0-IV1<TAB>SupportedMaxVersion: 3.9-IV0<TAB>FinalizedVersionLevel: 3.9-IV0<TAB>Epoch: 7". metadata.version levels are shown by release name, other features by number. The flags come from the broker\'s ApiVersions answer (v3), as Kafka\'s Admin reads them.',
    'The local kafka-ts daemon is not a KRaft cluster and advertises no feature flags: describe prints nothing on stdout and says so on stderr. Against Apache Kafka 2.7 and later it lists what the cluster reports.',
    'With --output json: {"features":[{"feature","supportedMinVersion","supportedMaxVersion","finalizedVersionLevel"}],"epoch":N|null}, levels as numbers.',
  ],
  examples: [['Show the feature flags of a cluster', 'kafka-ts features describe --bootstrap-server broker1:9092']],
  exits: ['Unreachable', 'AuthFailed', 'Denied'],
  differences: [
    'upgrade, downgrade, disable, version-mapping and feature-dependencies are not offered (usage error): kafka-ts does not change feature levels; use kafka-features.sh for that. Their options (--feature, --metadata, --release-version, --dry-run, --unsafe) are accepted so that the verb gets that message.',
    '--bootstrap-controller is refused: kafka-ts talks to brokers, and the local daemon has no separate controller listener.',
  ],
  build(cmd) {
    cmd.argument('<verb>', 'describe');
    connectionOptions(cmd);
    cmd.option('--bootstrap-controller <host:port>', 'refused: kafka-ts talks to brokers (use --bootstrap-server)');
    const refused = 'refused with its verb: kafka-ts does not change feature levels (use kafka-features.sh)';
    cmd
      .option('--feature <feature=level>', `upgrade, downgrade, disable, feature-dependencies (repeatable): ${refused}`, collect)
      .option('--metadata <version>', `upgrade, downgrade: ${refused}`)
      .option('--release-version <version>', `upgrade, downgrade, version-mapping: ${refused}`)
      .option('--dry-run', `upgrade, downgrade, disable: ${refused}`)
      .option('--unsafe', `downgrade, disable: ${refused}`);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const [verb, ...extra] = args;
    if (CHANGES.includes(verb!)) throw new UsageError(`features ${verb} is not supported by kafka-ts, which only describes feature flags; use kafka-features.sh to change them`);
    if (verb !== 'describe') throw new UsageError(`Unknown verb '${verb}': expected describe`);
    const change = CHANGE_OPTIONS.find(([k]) => o[k] !== undefined);
    if (change) throw new UsageError(`${change[1]} is not an option of features describe`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
    if (o.bootstrapController !== undefined) throw new UsageError('--bootstrap-controller is not supported: kafka-ts talks to brokers; give a broker with --bootstrap-server');
    const props = readClientProperties([['--command-config', o.commandConfig]], []).all;
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-features' });
    const { describeFeatures } = await import('../src/client/cluster-info.js');
    const { featuresView } = await import('../src/tools/cluster-info.js');
    return printView(featuresView(await describeFeatures(client)), ctx, o.output === 'json');
  },
});
