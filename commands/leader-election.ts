/**
 * kafka-ts leader-election (kafka-leader-election.sh): wiring only. Options in
 * src/cli/flags/leader-election.ts, the man page in src/cli/manuals/leader-election.ts, the file
 * format and the layout in src/tools/leader-election.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { readOptionText } from '../src/util/files.js';
import { docs } from '../src/cli/manuals/leader-election.js';
import { electionRequestOf, leaderElectionFlags, type LeaderElectionOptions } from '../src/cli/flags/leader-election.js';

export default defineCommand<LeaderElectionOptions>({
  name: 'leader-election',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    leaderElectionFlags(cmd);
    outputOption(cmd);
  },
  async run(o, _args, ctx) {
    const t = await import('../src/tools/leader-election.js');
    // Options and the file are checked before connecting.
    const request = electionRequestOf(o);
    const partitions = request.from === 'one' ? [{ topic: request.topic, partition: request.partition }] : request.from === 'file' ? t.parseElectionJson(readOptionText(request.path, '--path-to-json-file'), request.path) : null;
    const props = readClientProperties([['--admin.config', o['admin.config']], ['--command-config', o.commandConfig]], []).all;
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-leader-election' });
    const { electLeaders } = await import('../src/client/reassignments.js');
    return printView(t.electionView(request.type, await electLeaders(client, request.type, partitions)), ctx, o.output === 'json');
  },
});
