/**
 * kafka-ts broker-api-versions (kafka-broker-api-versions.sh): wiring only. The man page is in
 * src/cli/manuals/broker-api-versions.ts, the work and the layout in src/tools/broker-api-versions.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption, type ConnectionOptionValues } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/broker-api-versions.js';

export default defineCommand<ConnectionOptionValues & { output: 'text' | 'json' }>({
  name: 'broker-api-versions',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    if (args.length) throw new UsageError(`unexpected argument '${args[0]}'`);
    const t = await import('../src/tools/broker-api-versions.js');
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-broker-api-versions' });
    const { Admin } = await import('../src/client/admin.js');
    return printView(t.apiVersionsView(await t.brokersApiVersions(new Admin(client), client)), ctx, o.output === 'json');
  },
});
