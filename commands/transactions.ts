/**
 * kafka-ts transactions (kafka-transactions.sh): wiring only. Options and each action's rules in
 * src/cli/flags/transactions.ts, the man page in src/cli/manuals/transactions.ts, the work and the
 * layouts in src/tools/transactions.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/transactions.js';
import { planOf, transactionsFlags, type TransactionsOptions } from '../src/cli/flags/transactions.js';

export default defineCommand<TransactionsOptions>({
  name: 'transactions',
  lastValueWins: true,
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    transactionsFlags(cmd);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    // Every usage error before connecting.
    const p = planOf(o, args);
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-transactions' });
    const t = await import('../src/tools/transactions.js');
    let r;
    switch (p.verb) {
      case 'list':
        r = await t.list(client, p);
        break;
      case 'describe':
        r = await t.describe(client, p.transactionalId);
        break;
      case 'describe-producers':
        r = await t.describeProducersAction(client, p.topic, p.partition, p.brokerId);
        break;
      case 'abort':
        r = await t.abort(client, p);
        break;
      case 'find-hanging':
        r = await t.findHanging(client, p);
        break;
      case 'force-terminate':
        r = await t.forceTerminate(client, p.transactionalId);
        break;
    }
    return printView(r, ctx, o.output === 'json');
  },
});
