/**
 * kafka-ts delete-records (kafka-delete-records.sh): wiring only. Options in
 * src/cli/flags/delete-records.ts, the man page in src/cli/manuals/delete-records.ts, the file
 * format, the work and the layout in src/tools/delete-records.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { requireInt } from '../src/cli/context.js';
import { readOptionText } from '../src/util/files.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/delete-records.js';
import { deleteRecordsFlags, formOf, type DeleteRecordsOptions } from '../src/cli/flags/delete-records.js';

export default defineCommand<DeleteRecordsOptions>({
  name: 'delete-records',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    deleteRecordsFlags(cmd);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const t = await import('../src/tools/delete-records.js');
    // The whole request is checked before connecting: a bad file deletes nothing.
    const form = formOf(o, args);
    let requests;
    if (form === 'file') requests = t.parseOffsetJson(readOptionText(o.offsetJsonFile!, '--offset-json-file'));
    else if (form === 'flags') {
      requests = t.parseTriples([`${o.topic}:${requireInt(o.partition, 'partition', { min: 0 })}:${requireInt(o.beforeOffset, 'before-offset', { min: -1 })}`]);
    } else requests = t.parseTriples(args);
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-delete-records' });
    const { Admin } = await import('../src/client/admin.js');
    const results = await t.deleteRecords(new Admin(client), requests);
    return printView(t.deleteView(results), ctx, o.output === 'json');
  },
});
