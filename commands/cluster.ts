/** kafka-ts cluster (kafka-cluster.sh): the cluster id, and broker unregistration. */
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { requireInt } from '../src/cli/context.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';

interface ClusterOptions {
  bootstrapServer?: string;
  commandConfig?: string;
  config?: string;
  id?: string;
  output: 'text' | 'json';
}

const VERBS = ['cluster-id', 'unregister'];

export default defineCommand<ClusterOptions>({
  name: 'cluster',
  lastValueWins: true,
  summary: 'show the cluster id, unregister a broker (kafka-cluster.sh)',
  synopsis: ['cluster-id [--bootstrap-server host:port] [--config FILE]', 'unregister --id N [--bootstrap-server host:port]'],
  description: [
    'cluster-id prints the id of the cluster (DescribeCluster), as kafka-cluster.sh does: "Cluster ID: <id>". Against the local daemon this is the id in its metadata log, the same one kcat -L and Kafka\'s clients see.',
    "unregister --id N asks the controller to forget a broker that is gone (KRaft's UnregisterBroker). A cluster without that API (the local daemon, ZooKeeper-based Kafka) makes it fail with Kafka's message, \"The target cluster does not support the broker unregistration API.\".",
    'With --output json: {"clusterId":"…"} and {"unregistered":N}.',
  ],
  examples: [
    ["Print the local daemon's cluster id", 'kafka-ts cluster cluster-id'],
    ['Print the id of a remote cluster', 'kafka-ts cluster cluster-id --bootstrap-server broker1:9092'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied'],
  exitNotes: ['unregister against a cluster without the API: exit 1 (kafka-cluster.sh prints its message and exits 0, though nothing was unregistered).'],
  differences: ['--bootstrap-server is optional (the local daemon); -c/--config is accepted beside --command-config.'],
  build(cmd) {
    cmd.argument('<verb>', `what to do: ${VERBS.join(', ')}`);
    connectionOptions(cmd);
    cmd.option('-c, --config <file>', 'admin client properties file (kafka-cluster.sh name of --command-config)').option('-i, --id <broker-id>', 'unregister: the broker to unregister');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const [verb, ...extra] = args;
    if (!VERBS.includes(verb!)) throw new UsageError(`Unknown verb '${verb}': expected one of ${VERBS.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
    const id = requireInt(o.id, '--id', { min: 0 });
    if (verb === 'unregister' && id === undefined) throw new UsageError('unregister needs --id: the broker to unregister');
    if (verb === 'cluster-id' && id !== undefined) throw new UsageError('--id is only for unregister');
    const props = readClientProperties([['--config', o.config], ['--command-config', o.commandConfig]], []).all;
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-cluster' });
    const t = await import('../src/tools/cluster-info.js');
    if (verb === 'cluster-id') {
      const { Admin } = await import('../src/client/admin.js');
      return printView(t.clusterIdView((await new Admin(client).describeCluster()).clusterId), ctx, o.output === 'json');
    }
    const { unregisterBroker } = await import('../src/client/cluster-info.js');
    return printView(t.unregisterView(id!, await unregisterBroker(client, id!)), ctx, o.output === 'json');
  },
});
