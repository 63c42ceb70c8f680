import { readFileSync } from 'node:fs';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { FailedError, UsageError, type ExitStatusKey } from '../src/cli/errors.js';
import { readPropertiesFile } from '../src/cli/properties.js';

interface ReassignOptions {
  bootstrapServer?: string;
  bootstrapController?: string;
  commandConfig?: string;
  generate?: boolean;
  execute?: boolean;
  verify?: boolean;
  cancel?: boolean;
  list?: boolean;
  reassignmentJsonFile?: string;
  topicsToMoveJsonFile?: string;
  brokerList?: string;
  disableRackAware?: boolean;
  throttle?: string;
  replicaAlterLogDirsThrottle?: string;
  timeout?: string;
  additional?: boolean;
  preserveThrottles?: boolean;
  wait?: boolean;
  output: 'text' | 'json';
}

const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;
type Action = (typeof ACTIONS)[number];

/** Options each action accepts besides the connection ones, as Kafka's tool checks them. */
const PERMITTED: Record<Action, (keyof ReassignOptions)[]> = {
  verify: ['preserveThrottles', 'reassignmentJsonFile', 'wait', 'output'],
  generate: ['brokerList', 'disableRackAware', 'topicsToMoveJsonFile', 'output'],
  execute: ['additional', 'throttle', 'replicaAlterLogDirsThrottle', 'timeout', 'reassignmentJsonFile', 'wait', 'output'],
  cancel: ['preserveThrottles', 'timeout', 'reassignmentJsonFile', 'output'],
  list: ['output'],
};
const FLAG: Partial<Record<keyof ReassignOptions, string>> = {
  preserveThrottles: 'preserve-throttles',
  reassignmentJsonFile: 'reassignment-json-file',
  wait: 'wait',
  output: 'output',
  brokerList: 'broker-list',
  disableRackAware: 'disable-rack-aware',
  topicsToMoveJsonFile: 'topics-to-move-json-file',
  additional: 'additional',
  throttle: 'throttle',
  replicaAlterLogDirsThrottle: 'replica-alter-log-dirs-throttle',
  timeout: 'timeout',
};

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

function rate(value: string | undefined, name: string): number {
  if (value === undefined) return -1;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`Cannot parse argument '${value}' of option ${name}`);
  return Number(value);
}

export default defineCommand<ReassignOptions>({
  name: 'reassign-partitions',
  summary: 'move partition replicas between brokers (kafka-reassign-partitions.sh)',
  synopsis: [
    '--generate --topics-to-move-json-file FILE --broker-list 1,2,3',
    '--execute --reassignment-json-file FILE [--throttle B/s] [--additional] [--wait]',
    '--verify --reassignment-json-file FILE [--preserve-throttles] [--wait]',
    '--cancel --reassignment-json-file FILE [--preserve-throttles] | --list',
  ],
  description: [
    "Moves partition replicas between brokers with kafka-reassign-partitions.sh's options, JSON files and messages, against the local daemon (start it with --brokers N to have brokers to move between) or any Kafka cluster.",
    '--generate proposes a plan for the topics in --topics-to-move-json-file ({"topics":[{"topic":"foo"}],"version":1}) over the brokers of --broker-list, with Kafka\'s replica placement, and prints the current and the proposed assignment; nothing changes. --execute starts the reassignments of --reassignment-json-file ({"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}) after printing the current assignment to keep for rollback. New replicas copy the data from the leader; once they are in sync the old replicas are removed. --throttle B/s limits that copy (Kafka\'s leader/follower.replication.throttled.rate and throttled-replica configs); run --verify until it reports completion, which also removes the throttle. --cancel stops reassignments and returns the partitions to their original replicas; --list shows the ones running.',
    'Beyond Kafka: --wait (with --execute or --verify) stays until the plan\'s reassignments complete, showing the bytes moved, the rate and an estimated time left on stderr, then prints the --verify report and removes the throttles; --output json prints every action\'s result as one JSON document: --generate {"current":PLAN,"proposed":PLAN}; --execute {"rollback":PLAN,"started":[…],"failed":[…],"throttle":B/s|null} (with --wait also "verify", the --verify report); --verify {"partitions":[{topic,partition,status,replicas,targetReplicas}],"throttlesCleared":bool}; --cancel {"cancelled":[…],"failed":[…],"throttlesCleared":bool}; --list {"reassignments":[…]}. Plans with log_dirs other than "any" are refused: kafka-ts brokers have one log directory each.',
  ],
  examples: [
    ['Propose moving two topics onto brokers 2 and 3', 'kafka-ts reassign-partitions --generate --topics-to-move-json-file topics.json --broker-list 2,3'],
    ['Start a move, throttled to 50 MB/s, and watch it finish', 'kafka-ts reassign-partitions --execute --reassignment-json-file plan.json --throttle 50000000 --wait'],
    ['Check progress; clears the throttle once done', 'kafka-ts reassign-partitions --verify --reassignment-json-file plan.json'],
    ['List running reassignments', 'kafka-ts reassign-partitions --list'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Busy'],
  exitNotes: ['1 when the brokers refuse part of a plan, 2 for a malformed plan or option, 4 for an unknown broker, topic or partition, 5 when --execute meets a running reassignment without --additional.'],
  differences: [
    'Errors exit non-zero (2 malformed input, 4 unknown broker/topic/partition, 5 another reassignment running, 1 refused by the brokers) and print "Error: <message>" without a stack trace.',
    '--bootstrap-server is optional (the local daemon); --bootstrap-controller is accepted as a synonym.',
    'log_dirs other than "any" are refused (no intra-broker directory moves); --replica-alter-log-dirs-throttle is accepted and reported but has nothing to throttle.',
  ],
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
    const actions = ACTIONS.filter((a) => o[a]);
    if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --generate, --execute, --verify, --cancel, --list');
    const action = actions[0]!;
    if (o.bootstrapServer && o.bootstrapController) throw new UsageError("Please don't specify both --bootstrap-server and --bootstrap-controller");
    if (o.bootstrapController && action !== 'cancel' && action !== 'list') throw new UsageError(`Option "[bootstrap-controller]" can't be used with action "[${action}]"`);
    if (['execute', 'verify', 'cancel'].includes(action) && !o.reassignmentJsonFile) throw new UsageError('Missing required argument "[reassignment-json-file]"');
    if (action === 'generate' && !o.topicsToMoveJsonFile) throw new UsageError('Missing required argument "[topics-to-move-json-file]"');
    if (action === 'generate' && !o.brokerList) throw new UsageError('Missing required argument "[broker-list]"');
    for (const [key, flag] of Object.entries(FLAG) as [keyof ReassignOptions, string][]) {
      if (!given(key) || PERMITTED[action].includes(key)) continue;
      throw new UsageError(`Option "[${flag}]" can't be used with action "[${action}]"`);
    }
    const throttle = rate(o.throttle, 'throttle');
    const logDirThrottle = rate(o.replicaAlterLogDirsThrottle, 'replica-alter-log-dirs-throttle');
    const json = o.output === 'json';

    // Input files are read and checked before connecting: bad input changes nothing.
    const r = await import('../src/tools/reassign.js');
    const plan = o.reassignmentJsonFile ? r.parsePlan(readFile(o.reassignmentJsonFile)) : [];
    if (action === 'execute' || action === 'verify' || action === 'cancel') r.validatePlan(plan);
    const topics = action === 'generate' ? r.parseTopicsToMove(readFile(o.topicsToMoveJsonFile!)) : [];
    let brokerList: number[] = [];
    if (action === 'generate') {
      brokerList = o.brokerList!.split(',').map((b) => {
        if (!/^\s*\d+\s*$/.test(b)) throw new UsageError(`Invalid broker id '${b}' in --broker-list`);
        return Number(b);
      });
    }

    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.bootstrapController, properties: props, clientId: 'kafka-ts-reassign-partitions' });
    const print = (line: string) => ctx.out.line(line);

    const verify = async (executed?: object): Promise<ExitStatusKey> => {
      const s = await r.status(client, plan);
      const report = { partitions: s.partitions.map((p) => ({ topic: p.topic, partition: p.partition, status: p.state, replicas: p.replicas, targetReplicas: p.target })), throttlesCleared: !s.anyOngoing && !o.preserveThrottles };
      if (json) ctx.out.line(JSON.stringify(executed ? { ...executed, verify: report } : report));
      else {
        for (const l of r.statusLines(s.partitions)) print(l);
        // No log-directory moves: Kafka prints their (empty) report as a blank line.
        print('');
      }
      if (!s.anyOngoing && !o.preserveThrottles) await r.clearThrottles(client, plan, json ? () => undefined : print);
      return 'Ok';
    };

    switch (action) {
      case 'generate': {
        const g = await r.generate(client, topics, brokerList);
        if (json) {
          ctx.out.line(JSON.stringify({ current: JSON.parse(g.current), proposed: JSON.parse(g.proposed) }));
          return 'Ok';
        }
        print('Current partition replica assignment');
        print(g.current);
        print('');
        print('Proposed partition reassignment configuration');
        print(g.proposed);
        return 'Ok';
      }
      case 'execute': {
        const done = await r.execute(client, plan, { additional: !!o.additional, throttle, logDirThrottle }, json ? () => undefined : print);
        const executed = { rollback: JSON.parse(done.rollback), started: done.started, failed: done.failed, throttle: throttle >= 0 ? throttle : null };
        if (done.outcome !== 'Ok' || !o.wait) {
          if (json) ctx.out.line(JSON.stringify(executed));
          return done.outcome;
        }
        await ctx.out.flush();
        await r.waitForPlan(client, plan, process.stderr);
        // JSON mode prints one document: what was started, then the --verify report.
        return verify(json ? executed : undefined);
      }
      case 'verify':
        if (o.wait) await r.waitForPlan(client, plan, process.stderr);
        return verify();
      case 'cancel': {
        const done = await r.cancel(client, plan, json ? () => undefined : print);
        if (json) {
          if (!o.preserveThrottles) await r.clearThrottles(client, plan, () => undefined);
          ctx.out.line(JSON.stringify({ cancelled: done.cancelled, failed: done.failed, throttlesCleared: !o.preserveThrottles }));
          return done.outcome;
        }
        // Kafka prints this without a newline (there are no log-directory moves to cancel).
        ctx.out.write('None of the specified partition moves are active.');
        if (!o.preserveThrottles) await r.clearThrottles(client, plan, print);
        else print('');
        return done.outcome;
      }
      case 'list': {
        const { listReassignments } = await import('../src/client/reassignments.js');
        const ongoing = await listReassignments(client);
        if (json) ctx.out.line(JSON.stringify({ reassignments: ongoing.map((x) => ({ topic: x.topic, partition: x.partition, replicas: x.replicas, addingReplicas: x.adding, removingReplicas: x.removing })) }));
        else for (const l of r.listLines(ongoing)) print(l);
        return 'Ok';
      }
    }
    throw new FailedError('unreachable');
  },
});
