/**
 * kafka-ts dump-log (kafka-dump-log.sh): wiring only. Options are in src/cli/flags/dump-log.ts, the
 * reading and checking in src/tools/dump-log.ts, the layouts in src/tools/dump-log-format.ts, the
 * man page in src/cli/manuals/dump-log.ts. Offline: no broker is contacted.
 */
import { defineCommand } from '../src/cli/command.js';
import { outputOption } from '../src/cli/options.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/dump-log.js';
import { addFlags, filesOf, toolOptions, type DumpLogFlags } from '../src/cli/flags/dump-log.js';

/** Events written between waits for stdout to drain (a large segment is printed as it is read). */
const FLUSH_EVERY = 2000;

export default defineCommand<DumpLogFlags>({
  name: 'dump-log',
  ...docs,
  build(cmd) {
    addFlags(cmd);
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const options = toolOptions(o);
    const files = filesOf(o, args);
    const { dumpFiles } = await import('../src/tools/dump-log.js');
    const { DumpSummary, JsonCollector, eventText } = await import('../src/tools/dump-log-format.js');
    const summary = new DumpSummary();
    const json = o.output === 'json';
    const collector = new JsonCollector();
    let n = 0;
    for (const e of dumpFiles(files, options)) {
      summary.add(e);
      if (json) collector.add(e);
      else if (e.type === 'ignored' || e.type === 'warning') ctx.warn(e.message);
      else {
        const lines = eventText(e, options);
        if (lines.length) ctx.out.write(`${lines.join('\n')}\n`);
        if (++n % FLUSH_EVERY === 0) await ctx.out.flush();
      }
    }
    const exit = summary.damaged ? 'Failure' : 'Ok';
    const stderr = summary.stderrLines();
    if (json) return printView({ data: { files: collector.files, ...summary.json() }, text: () => [], stderr: () => [...summary.ignored, ...summary.warnings], exit }, ctx, true);
    for (const line of stderr) ctx.warn(line);
    return exit;
  },
});
