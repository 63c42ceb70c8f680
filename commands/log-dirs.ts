/**
 * kafka-ts log-dirs (kafka-log-dirs.sh): wiring only. The man page is in
 * src/cli/manuals/log-dirs.ts, the work and the layout in src/tools/log-dirs.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { pickAction } from '../src/cli/dispatch.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption, type ConnectionOptionValues } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/log-dirs.js';

interface LogDirsOptions extends ConnectionOptionValues {
  describe?: boolean;
  brokerList?: string;
  topicList?: string;
  output: 'text' | 'json';
}

export default defineCommand<LogDirsOptions>({
  name: 'log-dirs',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', 'action in verb style: describe')
      .option('--describe', "describe the brokers' log directories")
      .option('--broker-list <ids>', 'brokers to ask, comma-separated (default: all)')
      .option('--topic-list <topics>', 'topics whose replicas to show, comma-separated (default: all)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const { rest } = pickAction(o, args, [{ key: 'describe', verbs: ['describe'] }], {
      exactlyOne: 'Missing required argument "[describe]"',
      unknownVerb: (verb) => `unknown action '${verb}' (expected describe)`,
    });
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const t = await import('../src/tools/log-dirs.js');
    const brokers = t.parseBrokerList(o.brokerList);
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-log-dirs' });
    const { Admin } = await import('../src/client/admin.js');
    const { withDenial } = await import('../src/tools/denied.js');
    const r = await withDenial('describe log dirs (DESCRIBE on the cluster)', () => t.describeLogDirsOf(new Admin(client), client, brokers, t.listOf(o.topicList)));
    return printView(t.logDirsView(r), ctx, o.output === 'json');
  },
});
