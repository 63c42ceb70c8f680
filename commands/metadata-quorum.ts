/** kafka-ts metadata-quorum (kafka-metadata-quorum.sh): the metadata quorum's status and replication. */
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';

interface QuorumOptions {
  bootstrapServer?: string;
  bootstrapController?: string;
  commandConfig?: string;
  status?: boolean;
  replication?: boolean;
  humanReadable?: boolean;
  output: 'text' | 'json';
}

export default defineCommand<QuorumOptions>({
  name: 'metadata-quorum',
  lastValueWins: true,
  summary: 'describe the metadata quorum (kafka-metadata-quorum.sh)',
  synopsis: ['describe --status [--bootstrap-server host:port]', 'describe --replication [--human-readable] [--bootstrap-server host:port]'],
  description: [
    'describe --status prints the quorum summary in kafka-metadata-quorum.sh\'s layout (ClusterId, LeaderId, LeaderEpoch, HighWatermark, MaxFollowerLag, MaxFollowerLagTimeMs, CurrentVoters, CurrentObservers); describe --replication prints one row per replica (NodeId, DirectoryId, LogEndOffset, Lag, LastFetchTimestamp, LastCaughtUpTimestamp, Status: Leader, Follower or Observer), timestamps in milliseconds or, with --human-readable, as "N ms ago". The answer comes from DescribeQuorum, which any KRaft broker forwards to the controller.',
    "In the local daemon every logical broker runs as broker and controller (KRaft's combined mode): each is a voter, the controller leads, and the high watermark is the end offset of the daemon's metadata log (meta/metadata.log). The brokers share that metadata in one process, so a running voter has no lag; a broker stopped with server stop-broker stays at the offset it had and shows the lag until it starts again. The leader epoch counts controller changes since the daemon started.",
    'With --output json: the same fields as one object (status), or {"replicas":[…]} (replication), timestamps in milliseconds.',
  ],
  examples: [
    ["Summarise the local daemon's metadata quorum", 'kafka-ts metadata-quorum describe --status'],
    ['Show how far each voter is behind, in human terms', 'kafka-ts metadata-quorum describe --replication --human-readable --bootstrap-server broker1:9092'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied'],
  differences: [
    'add-controller and remove-controller are not offered (usage error): use kafka-metadata-quorum.sh to change a KRaft quorum.',
    '--bootstrap-controller is refused: kafka-ts talks to brokers, and the local daemon has no separate controller listener.',
  ],
  build(cmd) {
    cmd.argument('<verb>', 'describe');
    connectionOptions(cmd);
    cmd
      .option('--bootstrap-controller <host:port>', 'refused: kafka-ts talks to brokers (use --bootstrap-server)')
      .option('--status', 'a summary of the quorum')
      .option('--replication', 'one row per replica')
      .option('--human-readable', 'with --replication: timestamps as "N ms ago"');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const [verb, ...extra] = args;
    if (verb === 'add-controller' || verb === 'remove-controller') throw new UsageError(`metadata-quorum ${verb} is not supported by kafka-ts; use kafka-metadata-quorum.sh to change a KRaft quorum`);
    if (verb !== 'describe') throw new UsageError(`Unknown verb '${verb}': expected describe`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
    if (o.bootstrapController !== undefined) throw new UsageError('--bootstrap-controller is not supported: kafka-ts talks to brokers; give a broker with --bootstrap-server');
    if (o.status && o.replication) throw new UsageError('Only one of --status or --replication can be specified with describe sub-command');
    if (!o.status && !o.replication) throw new UsageError('One of --status or --replication must be specified with describe sub-command');
    if (o.humanReadable && !o.replication) throw new UsageError('The option --human-readable is only supported along with --replication');
    const props = readClientProperties([['--command-config', o.commandConfig]], []).all;
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-metadata-quorum' });
    const { describeQuorum } = await import('../src/client/cluster-info.js');
    const t = await import('../src/tools/cluster-info.js');
    const quorum = await describeQuorum(client);
    if (o.replication) return printView(t.quorumReplicationView(quorum, !!o.humanReadable), ctx, o.output === 'json');
    const { Admin } = await import('../src/client/admin.js');
    const { clusterId } = await new Admin(client).describeCluster();
    return printView(t.quorumStatusView(clusterId, quorum), ctx, o.output === 'json');
  },
});
