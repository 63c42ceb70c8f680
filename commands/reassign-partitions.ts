import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { UsageError, type ExitStatusKey } from '../src/cli/errors.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printSteps } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/reassign-partitions.js';
import { checkArgs, rate, readFile, type ReassignOptions } from '../src/cli/flags/reassign-partitions.js';

export default defineCommand<ReassignOptions>({
  name: 'reassign-partitions',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .option('--bootstrap-controller <host:port>', 'same as --bootstrap-server (Kafka 4.0 spelling)')
      .option('--generate', 'propose a reassignment')
      .option('--execute', 'start the reassignment in --reassignment-json-file')
      .option('--verify', 'report progress; remove throttles once everything is done')
      .option('--cancel', 'cancel the reassignments in --reassignment-json-file')
      .option('--list', 'list running reassignments')
      .option('--reassignment-json-file <file>', 'the reassignment plan (execute, verify, cancel)')
      .option('--topics-to-move-json-file <file>', 'topics to propose a plan for (generate)')
      .option('--broker-list <ids>', 'brokers to place replicas on (generate), e.g. 1,2,3')
      .option('--disable-rack-aware', 'ignore racks when generating (kafka-ts brokers have none)')
      .option('--throttle <bytes/s>', 'replication throttle while the reassignment runs (execute)')
      .option('--replica-alter-log-dirs-throttle <bytes/s>', 'throttle for moves between log directories (execute)')
      .option('--timeout <ms>', 'how long to retry log-directory moves (execute, cancel)', '10000')
      .option('--additional', 'execute although other reassignments are running (or to change the throttle)')
      .option('--preserve-throttles', 'verify/cancel: leave the throttles in place')
      .option('--wait', 'execute/verify: wait for completion with a progress display, then verify');
    outputOption(cmd);
  },
  async run(o, _args, ctx, given) {
    const action = checkArgs(o, given);
    const throttle = rate(o.throttle, 'throttle');
    const logDirThrottle = rate(o.replicaAlterLogDirsThrottle, 'replica-alter-log-dirs-throttle');
    const json = o.output === 'json';

    // Input files are read and checked before connecting: bad input changes nothing.
    const r = await import('../src/tools/reassign.js');
    const plan = o.reassignmentJsonFile ? r.parsePlan(readFile(o.reassignmentJsonFile, '--reassignment-json-file')) : [];
    if (action === 'execute' || action === 'verify' || action === 'cancel') r.validatePlan(plan);
    const topics = action === 'generate' ? r.parseTopicsToMove(readFile(o.topicsToMoveJsonFile!, '--topics-to-move-json-file')) : [];
    let brokerList: number[] = [];
    if (action === 'generate') {
      brokerList = o.brokerList!.split(',').map((b) => {
        if (!/^\s*\d+\s*$/.test(b)) throw new UsageError(`Invalid broker id '${b}' in --broker-list`);
        return Number(b);
      });
    }

    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.bootstrapController, properties: props, clientId: 'kafka-ts-reassign-partitions' });
    return printSteps(ctx, json, async (report) => {
      // Each step adds Kafka's text (unused with --output json) and sets the JSON document when it is known.
      const print = report.line;

      const verify = async (executed?: object): Promise<ExitStatusKey> => {
        const s = await r.status(client, plan);
        const verified = r.verifyReport(s, !!o.preserveThrottles);
        report.data = executed ? { ...executed, verify: verified.data } : verified.data;
        verified.lines.forEach(print);
        if (verified.data.throttlesCleared) await r.clearThrottles(client, plan, print);
        return 'Ok';
      };

      switch (action) {
        case 'generate': {
          const g = r.generateReport(await r.generate(client, topics, brokerList));
          report.data = g.data;
          g.lines.forEach(print);
          return 'Ok';
        }
        case 'execute': {
          const done = await r.execute(client, plan, { additional: !!o.additional, throttle, logDirThrottle }, print);
          const executed = r.executedJson(done, throttle);
          if (done.outcome !== 'Ok' || !o.wait) {
            report.data = executed;
            return done.outcome;
          }
          report.printSoFar(ctx, json);
          await ctx.out.flush();
          await r.waitForPlan(client, plan, process.stderr);
          // JSON mode prints one document: what was started, then the --verify report.
          return verify(json ? executed : undefined);
        }
        case 'verify':
          if (o.wait) await r.waitForPlan(client, plan, process.stderr);
          return verify();
        case 'cancel': {
          const done = await r.cancel(client, plan, print);
          // Kafka prints this without a newline (there are no log-directory moves to cancel).
          report.write('None of the specified partition moves are active.');
          if (!o.preserveThrottles) await r.clearThrottles(client, plan, print);
          else print('');
          report.data = r.cancelledJson(done, !!o.preserveThrottles);
          return done.outcome;
        }
        case 'list': {
          const { listReassignments } = await import('../src/client/reassignments.js');
          const listed = r.listReport(await listReassignments(client));
          report.data = listed.data;
          listed.lines.forEach(print);
          return 'Ok';
        }
      }
    });
  },
});
