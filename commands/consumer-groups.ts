/**
 * kafka-ts consumer-groups (kafka-consumer-groups.sh): wiring only. Options and Kafka's rules for
 * combining them are in src/cli/flags/consumer-groups.ts, the man page in src/cli/manuals/, the
 * work and the layouts in src/tools; each action returns a view that one printer writes.
 */
import { Option } from 'commander';
import { collect, defineCommand } from '../src/cli/command.js';
import { bootstrapFlag, requireInt } from '../src/cli/context.js';
import { pickAction } from '../src/cli/dispatch.js';
import { TimeoutError, UsageError } from '../src/cli/errors.js';
import { daemonTcpAddress } from '../src/cli/local-daemon.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView, view, type View } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/consumer-groups.js';
import { ACTIONS, checkAvailable, DISPATCH, EXECUTE_MISSING, parseStates, resetScenario, validate, type GroupsOptions } from '../src/cli/flags/consumer-groups.js';

export default defineCommand<GroupsOptions>({
  name: 'consumer-groups',
  ...docs,
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
      .option('--verbose', 'describe --members: add the ASSIGNMENT column (taken with --offsets/--state too, as in Kafka: nothing to add there)')
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
      .option('--watch', 'describe: watch the groups live (the view of kafka-ts lag; without a terminal, printed once, as lag does)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    checkAvailable(o, !!o.describe || (!o.list && args[0] === 'describe'), !!o.list || (!o.describe && args[0] === 'list'));
    const { action, rest, byVerb } = pickAction(o, args, ACTIONS, DISPATCH);
    if (byVerb && rest.length) o.group = [...(o.group ?? []), ...rest];
    else if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}' (give each group with --group)`); // Kafka ignores it
    validate(o, action);
    const timeout = requireInt(o.timeout, 'timeout', { min: 1 })!;
    const json = o.output === 'json';
    const props = { 'default.api.timeout.ms': String(Math.max(timeout, 1000)), ...(o.commandConfig ? readPropertiesFile(o.commandConfig) : {}) };
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    // Everything that can be checked without a broker is checked first: bad input changes nothing.
    const r = await import('../src/tools/reset-offsets.js');
    const scope = { allTopics: !!o.allTopics, topics: (o.topic ?? []).map((t) => r.parseTopicArg(t)) };
    const scenario = action === 'resetOffsets' ? await resetScenario(o) : null;
    const waitMs = requireInt(o.waitInactive, 'wait-inactive', { min: 0 });

    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-consumer-groups', connectSetting: '--timeout' });
    const { GroupAdmin } = await import('../src/client/groups.js');
    const groups = new GroupAdmin(client);
    const t = await import('../src/tools/consumer-groups.js');
    const targets = async () => (o.allGroups ? (await groups.listGroups()).map((g) => g.groupId).sort() : [...new Set(o.group ?? [])]);

    const actions: Record<typeof action, () => Promise<View>> = {
      list: async () => {
        const states = parseStates(o.state);
        if (typeof o.type === 'string') {
          for (const ty of o.type.split(',')) if (!['classic', 'consumer', 'share'].includes(ty.trim().toLowerCase())) throw new UsageError(`Invalid types list '${o.type}'. Valid types are: Consumer, Classic, Share`);
        }
        let list = await groups.listGroups(states);
        list.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
        if (typeof o.type === 'string' && !o.type.toLowerCase().split(',').map((s) => s.trim()).includes('classic')) list = [];
        const data = { groups: list.map((g) => ({ group: g.groupId, state: g.state, type: 'Classic', protocolType: g.protocolType })) };
        return { data, text: () => (o.state !== undefined || o.type !== undefined ? t.listTable(list, o.type !== undefined, o.state !== undefined) : list.map((g) => `${g.groupId}\n`).join('')) };
      },
      describe: async () => {
        const views = await t.describeOffsets(client, await targets(), daemonTcpAddress);
        const kind = o.members ? 'members' : o.state !== undefined ? 'state' : 'offsets';
        const warnings = () => views.flatMap((v) => t.stateMessage(v.group, v.state).stderr ?? []);
        const text = () =>
          views.map((v) => {
            const msg = t.stateMessage(v.group, v.state);
            // --members: the header even with no members to list (a missing or empty group), as Kafka 3.8+ (trunk) prints it.
            const table = kind === 'members' ? t.membersTable(v.description, !!o.verbose) : !msg.table ? '' : kind === 'state' ? t.stateTable(v.description) : v.rows.length > 0 ? t.offsetsTable(v.rows) : '';
            return `${msg.stdout !== undefined ? `${msg.stdout}\n` : ''}${table}`;
          }).join('');
        const diagnostics = () => views.flatMap((v) => t.stateMessage(v.group, v.state).stdout ?? []);
        return { data: t.describeJson(views, kind), text, warnings, diagnostics, exit: views.some((v) => v.state === 'Dead') ? 'NotFound' : 'Ok' };
      },
      resetOffsets: async () => {
        const ids = await targets();
        if (!o.dryRun && !o.execute) ctx.warn(EXECUTE_MISSING);
        if (waitMs !== undefined) {
          const describe = (list: { group: string; state: string }[]) => list.map((s) => `'${s.group}' (${s.state})`).join(', ');
          const still = await r.waitInactive(client, ids, waitMs, (active) => ctx.warn(`Waiting up to ${waitMs} ms for group(s) ${describe(active)} to become inactive...`));
          if (still.length) throw new TimeoutError(`Timed out after ${waitMs} ms waiting for group(s) ${describe(still)} to become inactive; nothing was reset`);
        }
        const plan = await r.computePlan(client, ids, scope, scenario!);
        for (const w of plan.warnings) ctx.warn(w);
        const failures = o.execute ? await r.executeReset(client, plan) : [];
        return r.resetView(plan, failures, { execute: !!o.execute, export: !!o.export, withGroup: ids.length !== 1 || !!o.allGroups, table: ids.length > plan.missing.length });
      },
      delete: async () => {
        const results = await groups.deleteGroups(await targets());
        const deleted = { deleted: results.filter((x) => !x.error).map((x) => x.groupId), failed: results.filter((x) => x.error).map((f) => ({ group: f.groupId, error: f.error!.errorName, message: f.error!.message })) };
        return view(deleted, t.deleteGroupsLines, t.deleteGroupsOutcome(results), (d) => (d.failed.length ? t.deleteGroupsLines(d) : []));
      },
      deleteOffsets: async () => {
        const result = await t.deleteOffsets(client, o.group![0]!, scope.topics); // validate: exactly one group
        const lines = (d: typeof result) => t.deleteOffsetsLines(d, o.topic!);
        return view(result, lines, t.deleteOffsetsOutcome(result), (d) => lines(d).filter((l) => l.startsWith('\nError')));
      },
    };
    if (action === 'describe' && o.watch) {
      const [{ watchLag }, { DEFAULT_SETTINGS }, ids] = await Promise.all([import('../src/cli/lag-watch.js'), import('../src/lag/evaluator.js'), targets()]);
      const live = o.output !== 'json' && !!ctx.stdout.isTTY && !!process.stdin.isTTY; // as lag: else printed once
      return watchLag(client, { groups: ids, mode: live ? 'tui' : 'once', intervalMs: live ? 2000 : 1000, settings: DEFAULT_SETTINGS, output: o.output, target: ctx.targetName(bootstrapFlag(o.bootstrapServer, props)), openGroup: ids.length === 1 ? ids[0] : null, command: 'consumer-groups' }, ctx);
    }
    return printView(await actions[action](), ctx, json);
  },
});
