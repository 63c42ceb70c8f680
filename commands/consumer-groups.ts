import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { collect, defineCommand } from '../src/cli/command.js';
import { TimeoutError, UsageError } from '../src/cli/errors.js';
import { requireInt } from '../src/cli/context.js';
import { readPropertiesFile } from '../src/cli/properties.js';

interface GroupsOptions {
  bootstrapServer?: string;
  commandConfig?: string;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  deleteOffsets?: boolean;
  group?: string[];
  allGroups?: boolean;
  topic?: string[];
  allTopics?: boolean;
  timeout: string;
  members?: boolean;
  offsets?: boolean;
  state?: string | true;
  type?: string | true;
  verbose?: boolean;
  dryRun?: boolean;
  execute?: boolean;
  export?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: string;
  shiftBy?: string;
  toDatetime?: string;
  byDuration?: string;
  fromFile?: string;
  fromPlan?: string;
  waitInactive?: string;
  watch?: boolean;
  output: 'text' | 'json';
}

const ACTIONS = [
  ['list', 'list'],
  ['describe', 'describe'],
  ['delete', 'delete'],
  ['resetOffsets', 'reset-offsets'],
  ['deleteOffsets', 'delete-offsets'],
] as const;
const VERBS: Record<string, (typeof ACTIONS)[number][0]> = { list: 'list', describe: 'describe', delete: 'delete', reset: 'resetOffsets', 'reset-offsets': 'resetOffsets', 'delete-offsets': 'deleteOffsets' };
const STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'];
const SCENARIOS: [keyof GroupsOptions, string][] = [
  ['toOffset', 'to-offset'],
  ['toDatetime', 'to-datetime'],
  ['byDuration', 'by-duration'],
  ['toEarliest', 'to-earliest'],
  ['toLatest', 'to-latest'],
  ['toCurrent', 'to-current'],
  ['shiftBy', 'shift-by'],
  ['fromFile', 'from-file'],
  ['fromPlan', 'from-plan'],
];
const EXECUTE_MISSING =
  'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.';

/** Java exception names for the delete report, as kafka-consumer-groups.sh prints them. */
const EXCEPTIONS: Record<string, string> = {
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  GROUP_ID_NOT_FOUND: 'GroupIdNotFoundException',
  INVALID_GROUP_ID: 'InvalidGroupIdException',
  NOT_COORDINATOR: 'NotCoordinatorException',
  COORDINATOR_NOT_AVAILABLE: 'CoordinatorNotAvailableException',
};

function parseStates(v: string | true | undefined): string[] | null {
  if (v === undefined || v === true) return null;
  const out = v.split(',').map((s) => {
    const found = STATES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
    if (!found) throw new UsageError(`Invalid state list '${v}'. Valid states are: ${STATES.join(', ')}`);
    return found;
  });
  return out;
}

function validate(o: GroupsOptions, action: (typeof ACTIONS)[number][0]) {
  const hasGroup = (o.group?.length ?? 0) > 0;
  if (hasGroup && o.allGroups) throw new UsageError('Option "[group]" can\'t be used with option "[all-groups]"');
  if (action === 'list' && hasGroup) throw new UsageError('Option "[group]" can\'t be used with option "[list]"');
  if ((action === 'list' || action === 'describe') && o.topic?.length) throw new UsageError(`Option "[topic]" can't be used with option "[${action}]"`);
  if (action === 'describe') {
    if (!hasGroup && !o.allGroups) throw new UsageError('Option [describe] takes one of these options: [all-groups], [group]');
    const views = [o.members, o.offsets, o.state !== undefined].filter(Boolean).length;
    if (views > 1) throw new UsageError('Option [describe] takes at most one of these options: [members], [offsets], [state]');
    if (typeof o.state === 'string') throw new UsageError('Option [describe] does not take a value for [state]');
    if (o.watch && o.output === 'json') throw new UsageError('--watch is a live view; for JSON use kafka-ts lag --once --output json');
  } else {
    if (o.watch) throw new UsageError('Option(s) [watch] are unavailable given other options on the command line');
    if (o.members) throw new UsageError('Option(s) [members] are unavailable given other options on the command line');
    if (o.offsets) throw new UsageError('Option(s) [offsets] are unavailable given other options on the command line');
    if (o.verbose) throw new UsageError('Option(s) [verbose] are unavailable given other options on the command line');
    if (o.state !== undefined && action !== 'list') throw new UsageError('Option(s) [state] are unavailable given other options on the command line');
  }
  if (o.type !== undefined && action !== 'list') throw new UsageError('Option(s) [type] are unavailable given other options on the command line');
  if (o.verbose && !o.members) throw new UsageError('Option(s) [verbose] are unavailable given other options on the command line');
  if (action === 'delete') {
    if (!hasGroup && !o.allGroups) throw new UsageError('Option [delete] takes one of these options: [all-groups], [group]');
    if (o.topic?.length) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (action === 'deleteOffsets' && (!hasGroup || !o.topic?.length)) throw new UsageError('Option [delete-offsets] takes the following options: [group], [topic]');
  if (action === 'resetOffsets') {
    if (o.dryRun && o.execute) throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    if (!hasGroup && !o.allGroups) throw new UsageError('Option [reset-offsets] takes one of these options: [all-groups], [group]');
    const given = SCENARIOS.filter(([k]) => o[k] !== undefined);
    if (given.length > 1) throw new UsageError(`Option "[${given[0]![1]}]" can't be used with option "[${given[1]![1]}]"`);
    if (given.length === 0) {
      throw new UsageError(`Option '[reset-offsets]' requires one of the following scenarios: [${SCENARIOS.map(([, n]) => `[${n}]`).join(', ')}]`);
    }
    const fileBased = o.fromFile !== undefined || o.fromPlan !== undefined;
    if (!fileBased && !o.allTopics && !o.topic?.length) throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
    if (o.allTopics && o.topic?.length) throw new UsageError('Option "[all-topics]" can\'t be used with option "[topic]"');
  } else {
    for (const [k, n] of SCENARIOS) if (o[k] !== undefined) throw new UsageError(`Option(s) [${n}] are unavailable given other options on the command line`);
    if (o.allTopics) throw new UsageError('Option(s) [all-topics] are unavailable given other options on the command line');
    if (o.dryRun || o.execute || o.export) throw new UsageError(`Option(s) [${o.dryRun ? 'dry-run' : o.execute ? 'execute' : 'export'}] are unavailable given other options on the command line`);
  }
}

export default defineCommand<GroupsOptions>({
  name: 'consumer-groups',
  summary: 'list, describe, reset and delete consumer groups (kafka-consumer-groups.sh)',
  synopsis: [
    '--list [--state [STATES]] [--type [TYPES]]',
    '--describe (--group G... | --all-groups) [--offsets | --members [--verbose] | --state]',
    '--reset-offsets (--group G... | --all-groups) (--topic T[:P,P] ... | --all-topics) SCENARIO [--dry-run | --execute] [--export]',
    '--delete (--group G... | --all-groups) | --delete-offsets --group G --topic T[:P,P]...',
    'list | describe G... | reset G... | delete G... | delete-offsets G --topic T',
  ],
  description: [
    "Lists, describes, resets and deletes consumer groups with kafka-consumer-groups.sh's options, messages and table layouts, against the local daemon or any Kafka cluster (--bootstrap-server).",
    '--describe shows, per group, each partition with CURRENT-OFFSET (committed), LOG-END-OFFSET (the high watermark), LAG and the member that owns it; partitions with a committed offset but no owner show "-". --members lists members (with --verbose their ASSIGNMENT as topic(partitions)); --state shows coordinator, assignment strategy, state and member count. A group that does not exist prints "Consumer group \'G\' does not exist."; an empty group prints "has no active members" on stderr.',
    '--reset-offsets computes new committed offsets for inactive groups (Empty, or never seen): --to-earliest, --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime yyyy-MM-ddTHH:mm:ss.SSS[zone] (no zone means UTC), --by-duration PnDTnHnMnS or 90s/15m/1h30m/2d, or --from-file with Kafka\'s CSV (topic,partition,offset, or group,topic,partition,offset). --to-offset, --shift-by and --from-file are clamped to each partition\'s [earliest, latest] with a WARN line on stderr. A group that does not exist has nothing to reset with --all-topics: that is an error (exit 4), so a script pointed at the wrong cluster fails loudly; with --topic it is given offsets, as in Kafka. It is a dry run unless --execute is given; the plan is printed as a table, as Kafka\'s CSV with --export, or as JSON with --output json.',
    'Beyond Kafka: --describe --watch opens the live lag view of kafka-ts lag on the described groups; --from-plan FILE applies a plan saved with --output json exactly as it was computed; --wait-inactive MS first waits (up to MS) for the group to become inactive, instead of refusing an active group; and every failure has its own exit status (4 group not found, 5 group active, 6 wait timed out, 1 other failures).',
  ],
  examples: [
    ['List groups with their state', 'kafka-ts consumer-groups --list --state'],
    ['Describe a group', 'kafka-ts consumer-groups --describe --group billing'],
    ['Members and their assignment', 'kafka-ts consumer-groups describe billing --members --verbose'],
    ['Watch a group\'s lag live (see kafka-ts-lag(1))', 'kafka-ts consumer-groups --describe --group billing --watch'],
    ['Dry-run a reset to the earliest offsets', 'kafka-ts consumer-groups --reset-offsets --group billing --topic orders --to-earliest --dry-run'],
    ['Rewind one hour on partitions 0 and 2, then apply', "kafka-ts consumer-groups --reset-offsets --group billing --topic orders:0,2 --by-duration PT1H --execute"],
    ['Save a plan, review it, apply it exactly', 'kafka-ts consumer-groups reset billing --all-topics --to-latest --output json > plan.json && kafka-ts consumer-groups reset billing --from-plan plan.json --execute'],
    ['In CI: wait up to 60 s for the group to stop, then reset', 'kafka-ts consumer-groups reset billing --all-topics --to-earliest --wait-inactive 60000 --execute'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Busy', 'Timeout'],
  differences: [
    'Runtime failures exit non-zero (kafka-consumer-groups.sh exits 0): 4 when a group does not exist, 5 when a group is active, 6 when --wait-inactive times out, 1 for other failures; messages and layouts stay Kafka\'s.',
    '--members --verbose prints ASSIGNMENT as topic(0,1) (Kafka 3.8+ drops the topic name); --delete-offsets statuses read "Error: <message>" (3.8+ prints "Error: :<message>"); --delete quotes each group id (3.8+ quotes the whole list).',
    'Invalid dates, durations, --from-file contents and negative --to-offset values are usage errors (exit 2) and change nothing; a --from-file or --from-plan without rows for a named group exits 1 (the other groups are still reset).',
    '--list prints groups sorted by id (Kafka prints them in the order brokers return them).',
  ],
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', 'action in verb style: list, describe, reset, delete, delete-offsets')
      .argument('[groups...]', 'group ids (verb style)')
      .option('--list', 'list consumer groups')
      .option('--describe', 'describe consumer groups')
      .option('--delete', 'delete consumer groups')
      .option('--reset-offsets', 'reset the committed offsets of consumer groups')
      .option('--delete-offsets', 'delete committed offsets of topics from a group')
      .option('--group <id>', 'consumer group (repeatable)', collect)
      .option('--all-groups', 'every consumer group')
      .option('--topic <topic[:partitions]>', 'topic (and partitions, t:0,2) for reset or delete-offsets (repeatable)', collect)
      .option('--all-topics', 'reset every partition the group has committed offsets for')
      .option('--timeout <ms>', 'timeout for admin calls', '5000')
      .option('--members', 'describe: members')
      .option('--offsets', 'describe: offsets and lag (default)')
      .addOption(new Option('--state [states]', 'describe: group state; list: add a STATE column, or filter by comma-separated states'))
      .addOption(new Option('--type [types]', 'list: add a TYPE column, or filter by types (classic)'))
      .option('--verbose', 'describe --members: add the ASSIGNMENT column')
      .option('--dry-run', 'reset: only show the plan (the default)')
      .option('--execute', 'reset: apply the plan')
      .option('--export', "reset: print the plan as Kafka's CSV")
      .option('--to-earliest', 'reset to the earliest offset')
      .option('--to-latest', 'reset to the latest offset')
      .option('--to-current', 'reset to the committed offset (partitions without one: latest)')
      .option('--to-offset <offset>', 'reset to this offset (clamped to the log)')
      .option('--shift-by <n>', 'move the committed offset by n (may be negative; clamped)')
      .option('--to-datetime <datetime>', 'reset to the first offset at or after yyyy-MM-ddTHH:mm:ss.SSS[zone]')
      .option('--by-duration <duration>', 'reset to the first offset at or after now minus PnDTnHnMnS or 90s, 15m, 1h30m, 2d')
      .option('--from-file <csv>', 'reset to the offsets in a CSV file (clamped)')
      .option('--from-plan <json>', 'apply a plan saved with --output json, exactly')
      .option('--wait-inactive <ms>', 'reset: wait up to this long for active groups to become inactive')
      .option('--watch', 'describe: watch the groups live (the view of kafka-ts lag)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const flagActions = ACTIONS.filter(([k]) => o[k]);
    let action: (typeof ACTIONS)[number][0];
    if (flagActions.length > 0) {
      if (flagActions.length > 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
      action = flagActions[0]![0];
    } else {
      const verb = args[0];
      if (verb === undefined) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
      if (!VERBS[verb]) throw new UsageError(`unknown action '${verb}' (expected list, describe, reset, delete, delete-offsets)`);
      action = VERBS[verb]!;
      const groups = args.slice(1);
      if (groups.length) o.group = [...(o.group ?? []), ...groups];
    }
    validate(o, action);
    const timeout = requireInt(o.timeout, 'timeout', { min: 1 })!;
    const json = o.output === 'json';
    const props = { 'default.api.timeout.ms': String(Math.max(timeout, 1000)), ...(o.commandConfig ? readPropertiesFile(o.commandConfig) : {}) };

    // Everything that can be checked without a broker is checked first: bad input changes nothing.
    const r = await import('../src/tools/reset-offsets.js');
    let scenario: import('../src/tools/reset-offsets.js').Scenario | null = null;
    const scope = { allTopics: !!o.allTopics, topics: (o.topic ?? []).map((t) => r.parseTopicArg(t)) };
    if (action === 'resetOffsets') {
      if (o.toEarliest) scenario = { kind: 'earliest' };
      else if (o.toLatest) scenario = { kind: 'latest' };
      else if (o.toCurrent) scenario = { kind: 'current' };
      else if (o.toOffset !== undefined) {
        const n = requireInt(o.toOffset, 'to-offset')!;
        if (n < 0) throw new UsageError(`Invalid --to-offset ${n}: offsets are not negative (use --to-earliest or --shift-by)`);
        scenario = { kind: 'offset', offset: n };
      } else if (o.shiftBy !== undefined) scenario = { kind: 'shift', by: requireInt(o.shiftBy, 'shift-by')! };
      else if (o.toDatetime !== undefined) scenario = { kind: 'datetime', timestamp: r.parseDatetime(o.toDatetime) };
      else if (o.byDuration !== undefined) scenario = { kind: 'duration', ms: r.parseByDuration(o.byDuration) };
      else if (o.fromFile !== undefined) {
        let text: string;
        try {
          text = readFileSync(o.fromFile, 'utf8');
        } catch {
          throw new UsageError(`Cannot read --from-file ${o.fromFile}`);
        }
        scenario = { kind: 'file', entries: r.parseResetCsv(text, o.group ?? []) };
      } else if (o.fromPlan !== undefined) scenario = { kind: 'plan', entries: readPlan(o.fromPlan) };
    }
    const waitMs = requireInt(o.waitInactive, 'wait-inactive', { min: 0 });

    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-consumer-groups' });
    const { GroupAdmin } = await import('../src/client/groups.js');
    const groups = new GroupAdmin(client);
    const t = await import('../src/tools/consumer-groups.js');
    const targets = async () => (o.allGroups ? (await groups.listGroups()).map((g) => g.groupId).sort() : [...new Set(o.group ?? [])]);

    switch (action) {
      case 'list': {
        const states = parseStates(o.state);
        if (typeof o.type === 'string') {
          for (const ty of o.type.split(',')) if (!['classic', 'consumer', 'share'].includes(ty.trim().toLowerCase())) throw new UsageError(`Invalid types list '${o.type}'. Valid types are: Consumer, Classic, Share`);
        }
        let list = await groups.listGroups(states);
        list.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
        if (typeof o.type === 'string' && !o.type.toLowerCase().split(',').map((s) => s.trim()).includes('classic')) list = [];
        if (json) ctx.out.line(JSON.stringify({ groups: list.map((g) => ({ group: g.groupId, state: g.state, type: 'Classic', protocolType: g.protocolType })) }));
        else if (o.state !== undefined || o.type !== undefined) ctx.out.write(t.listTable(list, o.type !== undefined, o.state !== undefined));
        else ctx.out.write(list.map((g) => `${g.groupId}\n`).join(''));
        return;
      }
      case 'describe': {
        if (o.watch) {
          const { watchLag } = await import('../src/cli/lag-watch.js');
          const { DEFAULT_SETTINGS } = await import('../src/lag/evaluator.js');
          const ids = await targets();
          return watchLag(client, { groups: ids, mode: 'tui', intervalMs: 2000, settings: DEFAULT_SETTINGS, output: 'text', target: ctx.targetName(o.bootstrapServer), openGroup: ids.length === 1 ? ids[0] : null }, ctx);
        }
        const views = await t.describeOffsets(client, await targets());
        const kind = o.members ? 'members' : o.state !== undefined ? 'state' : 'offsets';
        if (json) ctx.out.line(JSON.stringify(t.describeJson(views, kind)));
        else {
          for (const v of views) {
            const msg = t.stateMessage(v.group, v.state);
            if (msg.stdout) ctx.out.line(msg.stdout);
            if (msg.stderr) ctx.warn(msg.stderr);
            if (!msg.table) continue;
            if (kind === 'members') ctx.out.write(t.membersTable(v.description, !!o.verbose));
            else if (kind === 'state') ctx.out.write(t.stateTable(v.description));
            else if (v.rows.length > 0) ctx.out.write(t.offsetsTable(v.rows));
          }
        }
        return views.some((v) => v.state === 'Dead') ? 'NotFound' : 'Ok';
      }
      case 'resetOffsets': {
        const ids = await targets();
        if (!o.dryRun && !o.execute && !json) ctx.warn(EXECUTE_MISSING);
        if (waitMs !== undefined) {
          const describe = (list: { group: string; state: string }[]) => list.map((s) => `'${s.group}' (${s.state})`).join(', ');
          const still = await r.waitInactive(client, ids, waitMs, (active) => ctx.warn(`Waiting up to ${waitMs} ms for group(s) ${describe(active)} to become inactive...`));
          if (still.length) {
            throw new TimeoutError(`Timed out after ${waitMs} ms waiting for group(s) ${describe(still)} to become inactive; nothing was reset`);
          }
        }
        const plan = await r.computePlan(client, ids, scope, scenario!);
        for (const w of plan.warnings) ctx.warn(w);
        const failures = o.execute ? await r.executePlan(client, plan.rows) : [];
        if (json) {
          ctx.out.line(JSON.stringify({ dryRun: !o.execute, plan: plan.rows, rejected: plan.active, missing: plan.missing, failures: failures.map((f) => ({ ...f.row, error: f.message })) }));
        } else {
          for (const n of plan.notes) ctx.out.line(n);
          for (const a of plan.active) ctx.out.line(`\nError: Assignments can only be reset if the group '${a.group}' is inactive, but the current state is ${a.state}.`);
          for (const g of plan.missing) ctx.out.line(`\nError: Consumer group '${g}' does not exist.`);
          if (o.export) ctx.out.write(r.exportCsv(plan.rows, ids.length !== 1 || !!o.allGroups));
          else if (ids.length > plan.missing.length) ctx.out.write(r.planTable(plan.rows));
          for (const f of failures) ctx.out.line(`\nError: Failed to reset ${f.row.topic}-${f.row.partition} of group '${f.row.group}': ${f.message}`);
        }
        if (plan.active.length) return 'Busy';
        if (plan.missing.length) return 'NotFound';
        if (failures.length || plan.unplanned.length) return 'Failure';
        return 'Ok';
      }
      case 'delete': {
        const ids = await targets();
        const results = await groups.deleteGroups(ids);
        const ok = results.filter((x) => !x.error).map((x) => x.groupId);
        const failed = results.filter((x) => x.error);
        if (json) ctx.out.line(JSON.stringify({ deleted: ok, failed: failed.map((f) => ({ group: f.groupId, error: f.error!.errorName, message: f.error!.message })) }));
        else if (failed.length === 0) ctx.out.line(`Deletion of requested consumer groups (${ok.map((g) => `'${g}'`).join(', ')}) was successful.`);
        else {
          ctx.out.line('\nError: Deletion of some consumer groups failed:');
          for (const f of failed) {
            const cls = EXCEPTIONS[f.error!.errorName] ?? 'KafkaException';
            ctx.out.line(`* Group '${f.groupId}' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.${cls}: ${f.error!.message}`);
          }
          if (ok.length) ctx.out.line(`\nThese consumer groups were deleted successfully: ${ok.map((g) => `'${g}'`).join(', ')}`);
        }
        if (failed.length === 0) return 'Ok';
        if (failed.every((f) => f.error!.errorName === 'GROUP_ID_NOT_FOUND')) return 'NotFound';
        if (failed.every((f) => f.error!.errorName === 'NON_EMPTY_GROUP')) return 'Busy';
        return 'Failure';
      }
      case 'deleteOffsets': {
        const group = o.group![0]!;
        const md = await client.refreshMetadata(scope.topics.map((x) => x.topic));
        const known = scope.topics.filter((x) => md.topics.get(x.topic)?.errorCode === 0);
        const partitions = known.flatMap((x) => (x.partitions ?? md.topics.get(x.topic)!.partitions.map((p) => p.partition)).map((partition) => ({ topic: x.topic, partition })));
        const res = partitions.length ? await groups.deleteOffsets(group, partitions) : { error: null, partitions: [] };
        const rows = [
          ...res.partitions.map((p) => ({ topic: p.topic, partition: String(p.partition), status: p.error ? `Error: ${p.error.message}` : 'Successful' })),
          ...scope.topics.filter((x) => !known.includes(x)).map((x) => ({ topic: x.topic, partition: 'Not Provided', status: 'Error: This server does not host this topic-partition.' })),
        ].sort((a, b) => (`${a.topic}${a.partition}` < `${b.topic}${b.partition}` ? -1 : 1));
        const errorName = res.error?.errorName;
        if (json) ctx.out.line(JSON.stringify({ group, error: errorName ?? null, partitions: rows }));
        else {
          if (!res.error && rows.every((x) => x.status === 'Successful')) ctx.out.line(`Request succeed for deleting offsets with topic ${scope.topics.map((x) => x.topic).join(', ')} group ${group}`);
          else if (errorName === 'GROUP_ID_NOT_FOUND') ctx.out.line(`\nError: '${group}' does not exist.`);
          else if (errorName === 'INVALID_GROUP_ID') ctx.out.line(`\nError: '${group}' is not valid.`);
          else if (errorName === 'NON_EMPTY_GROUP') ctx.out.line(`\nError: Deleting offsets of a consumer group '${group}' is forbidden if the group is not empty.`);
          else if (res.error) ctx.out.line(`\nError: Encounter some unknown error: ${errorName}`);
          else ctx.out.line('\nError: Encounter some partition level error, see the follow-up details:');
          if (!res.error) ctx.out.write(`\n${[`${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(15)} ${'STATUS'.padEnd(15)}`, ...rows.map((x) => `${x.topic.padEnd(30)} ${x.partition.padEnd(15)} ${x.status.padEnd(15)}`)].join('\n')}\n`);
        }
        if (errorName === 'GROUP_ID_NOT_FOUND') return 'NotFound';
        if (errorName === 'NON_EMPTY_GROUP' || rows.some((x) => x.status.includes('actively subscribed'))) return 'Busy';
        return res.error || rows.some((x) => x.status !== 'Successful') ? 'Failure' : 'Ok';
      }
    }
  },
});

/** A plan saved with `--reset-offsets ... --output json` (or a bare list of its rows). */
function readPlan(path: string): { group: string; topic: string; partition: number; newOffset: number }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot read --from-plan ${path}: ${(e as Error).message}`);
  }
  const rows = Array.isArray(doc) ? doc : (doc as { plan?: unknown }).plan;
  if (!Array.isArray(rows)) throw new UsageError(`--from-plan ${path}: expected {"plan": [...]} as printed by --output json`);
  return rows.map((x, i) => {
    const r = x as Record<string, unknown>;
    if (typeof r.group !== 'string' || typeof r.topic !== 'string' || !Number.isInteger(r.partition) || !Number.isInteger(r.newOffset) || (r.newOffset as number) < 0) {
      throw new UsageError(`--from-plan ${path}: entry ${i} needs group, topic, partition and a non-negative newOffset`);
    }
    return { group: r.group, topic: r.topic, partition: r.partition as number, newOffset: r.newOffset as number };
  });
}
