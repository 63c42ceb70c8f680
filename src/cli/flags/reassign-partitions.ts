/**
 * kafka-ts reassign-partitions: its options, and which ones each action accepts, as
 * kafka-reassign-partitions.sh checks them before anything reaches a broker.
 */
import { readOptionText } from '../../util/files.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';

export interface ReassignOptions extends ConnectionOptionValues {
  bootstrapController?: string;
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

export const ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;
export type Action = (typeof ACTIONS)[number];

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

/** A JSON file an option names (`what`: --reassignment-json-file, --topics-to-move-json-file). */
export const readFile = (path: string, what: string): string => readOptionText(path, what);

export function rate(value: string | undefined, name: string): number {
  if (value === undefined) return -1;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`Cannot parse argument '${value}' of option ${name}`);
  // -1 is "no throttle"; Kafka ignores any other negative rate without a word.
  if (Number(value) < -1) throw new UsageError(`Invalid ${name} ${value.trim()}: a rate in bytes/s, or -1 for none`);
  return Number(value);
}

/** The one action the options name, after Kafka's checks of what goes with it. */
export function checkArgs(o: ReassignOptions, given: (option: string) => boolean): Action {
  const actions = ACTIONS.filter((a) => o[a]);
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --generate, --execute, --verify, --cancel, --list');
  const action = actions[0]!;
  if (o.bootstrapServer && o.bootstrapController) throw new UsageError("Please don't specify both --bootstrap-server and --bootstrap-controller");
  if (o.bootstrapController && action !== 'cancel' && action !== 'list') throw new UsageError(`Option "[bootstrap-controller]" can't be used with action "[${action}]"`);
  if (['execute', 'verify', 'cancel'].includes(action) && !o.reassignmentJsonFile) throw new UsageError('Missing required argument "[reassignment-json-file]"');
  if (action === 'generate' && !o.topicsToMoveJsonFile) throw new UsageError('Missing required argument "[topics-to-move-json-file]"');
  if (action === 'generate' && o.brokerList === undefined) throw new UsageError('Missing required argument "[broker-list]"');
  for (const [key, flag] of Object.entries(FLAG) as [keyof ReassignOptions, string][]) {
    if (!given(key) || PERMITTED[action].includes(key)) continue;
    throw new UsageError(`Option "[${flag}]" can't be used with action "[${action}]"`);
  }
  return action;
}
