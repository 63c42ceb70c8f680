/**
 * kafka-ts consumer-groups: its options, and Kafka's rules for combining them
 * (ConsumerGroupCommandOptions.checkArgs), checked before anything reaches a broker.
 */
import { readOptionText } from '../../util/files.js';
import type { ActionChoice } from '../dispatch.js';
import { requireInt } from '../context.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';
import type { Scenario } from '../../tools/reset-offsets.js';

export interface GroupsOptions extends ConnectionOptionValues {
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

export type GroupsAction = 'list' | 'describe' | 'delete' | 'resetOffsets' | 'deleteOffsets';

export const ACTIONS: ActionChoice<GroupsAction>[] = [
  { key: 'list', verbs: ['list'] },
  { key: 'describe', verbs: ['describe'] },
  { key: 'delete', verbs: ['delete'] },
  { key: 'resetOffsets', verbs: ['reset', 'reset-offsets'] },
  { key: 'deleteOffsets', verbs: ['delete-offsets'] },
];
export const DISPATCH = {
  exactlyOne: 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets',
  unknownVerb: (verb: string) => `unknown action '${verb}' (expected list, describe, reset, delete, delete-offsets)`,
};

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
export const EXECUTE_MISSING =
  'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.';

export function parseStates(v: string | true | undefined): string[] | null {
  if (v === undefined || v === true) return null;
  const out = v.split(',').map((s) => {
    const found = STATES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
    if (!found) throw new UsageError(`Invalid state list '${v}'. Valid states are: ${STATES.join(', ')}`);
    return found;
  });
  return out;
}

/**
 * jopt's "available if": --members, --offsets, --verbose (and kafka-ts's --watch) need --describe,
 * --state --describe or --list, --type --list. Kafka checks this as it parses, before it counts
 * the actions, so `--members --group g` without an action gets this message too.
 */
export function checkAvailable(o: GroupsOptions, describe: boolean, list: boolean): void {
  const unavailable = (name: string) => new UsageError(`Option(s) [${name}] are unavailable given other options on the command line`);
  if (!describe) for (const k of ['watch', 'members', 'offsets', 'verbose'] as const) if (o[k]) throw unavailable(k);
  if (o.state !== undefined && !describe && !list) throw unavailable('state');
  if (o.type !== undefined && !list) throw unavailable('type');
}

export function validate(o: GroupsOptions, action: GroupsAction): void {
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
    // --watch is the lag view: it has no members or state view to show.
    if (o.watch && (o.members || o.state !== undefined)) throw new UsageError(`--watch shows offsets and lag only; it cannot be combined with --${o.members ? 'members' : 'state'} (drop --watch for that view)`);
  }
  // checkAvailable ran before the action was picked (commands/consumer-groups.ts), as Kafka's parser does.
  // --verbose goes with any --describe, as in Kafka ("additional information, if any"): only --members has some.
  if (action === 'delete') {
    if (!hasGroup && !o.allGroups) throw new UsageError('Option [delete] takes one of these options: [all-groups], [group]');
    if (o.topic?.length) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (action === 'deleteOffsets' && (!hasGroup || !o.topic?.length)) throw new UsageError('Option [delete-offsets] takes the following options: [group], [topic]');
  // Kafka reads delete-offsets' group with valueOf: one group only (describe, delete and reset take several).
  if (action === 'deleteOffsets' && o.group!.length > 1) throw new UsageError('Found multiple arguments for option group, but you asked for only one');
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

/** The --reset-offsets scenario the options name (validate has checked there is exactly one). */
export async function resetScenario(o: GroupsOptions): Promise<Scenario> {
  const r = await import('../../tools/reset-offsets.js');
  if (o.toEarliest) return { kind: 'earliest' };
  else if (o.toLatest) return { kind: 'latest' };
  else if (o.toCurrent) return { kind: 'current' };
  else if (o.toOffset !== undefined) {
    // Any Java long, as in Kafka; past 2^53 planned with its exact value, for the clamping warning.
    const n = r.parseLong(o.toOffset);
    if (!n) throw new UsageError(`Cannot parse argument '${o.toOffset}' of option to-offset`);
    if (n.value < 0) throw new UsageError(`Invalid --to-offset ${o.toOffset.trim()}: offsets are not negative (use --to-earliest or --shift-by)`);
    return { kind: 'offset', offset: n.value, ...(n.exact !== undefined && { exact: n.exact }) };
  } else if (o.shiftBy !== undefined) {
    const n = r.parseLong(o.shiftBy);
    if (!n) throw new UsageError(`Cannot parse argument '${o.shiftBy}' of option shift-by`);
    return { kind: 'shift', by: n.value, ...(n.exact !== undefined && { exact: n.exact }) };
  }
  else if (o.toDatetime !== undefined) return { kind: 'datetime', timestamp: r.parseDatetime(o.toDatetime) };
  else if (o.byDuration !== undefined) return { kind: 'duration', ms: r.parseByDuration(o.byDuration) };
  else if (o.fromFile !== undefined) {
    return { kind: 'file', entries: r.parseResetCsv(readOptionText(o.fromFile, '--from-file'), o.group ?? []) };
  }
  return { kind: 'plan', entries: r.readPlan(o.fromPlan!) };
}
