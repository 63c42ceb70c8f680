/**
 * kafka-ts get-offsets (kafka-get-offsets.sh): wiring only. Options in src/cli/flags/get-offsets.ts,
 * the man page in src/cli/manuals/get-offsets.ts, the work and the layout in src/tools/get-offsets.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/get-offsets.js';
import { getOffsetsFlags, rulesOf, type GetOffsetsOptions } from '../src/cli/flags/get-offsets.js';

export default defineCommand<GetOffsetsOptions>({
  name: 'get-offsets',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    getOffsetsFlags(cmd);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const t = await import('../src/tools/get-offsets.js');
    // Every usage error before connecting, as Kafka.
    const rules = rulesOf(o, args);
    const time = t.parseTime(o.time);
    const filter = rules !== undefined ? t.parseTopicPartitions(rules) : t.topicAndPartitions(o.topic, o.partitions);
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.brokerList, properties: props, clientId: 'kafka-ts-get-offsets' });
    const { Admin } = await import('../src/client/admin.js');
    const { withDenial } = await import('../src/tools/denied.js');
    const result = await withDenial('describe topics', () => t.getOffsets(new Admin(client), filter, time, !!o.excludeInternalTopics));
    return printView(t.offsetsView(result, ctx.principal), ctx, o.output === 'json');
  },
});
