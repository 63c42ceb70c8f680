/**
 * kafka-ts topics: its options, and Kafka's rules for combining them (TopicCommandOptions.checkArgs),
 * checked before anything reaches a broker.
 */
import { fromBase64Url } from '../../util/ids.js';
import { UsageError } from '../errors.js';
import type { ActionChoice } from '../dispatch.js';
import type { ConnectionOptionValues } from '../options.js';

export interface TopicsOptions extends ConnectionOptionValues {
  create?: boolean;
  alter?: boolean;
  delete?: boolean;
  list?: boolean;
  describe?: boolean;
  topic?: string;
  topicId?: string;
  partitions?: string;
  replicationFactor?: string;
  replicaAssignment?: string;
  config?: string[];
  deleteConfig?: string[];
  ifExists?: boolean;
  ifNotExists?: boolean;
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
  topicsWithOverrides?: boolean;
  partitionSizeLimitPerResponse?: string;
  output: 'text' | 'json';
}

export const VERBS = ['create', 'alter', 'delete', 'list', 'describe'] as const;
export type Verb = (typeof VERBS)[number];
export const ACTIONS: ActionChoice<Verb>[] = VERBS.map((v) => ({ key: v, verbs: [v] }));
export const DISPATCH = {
  exactlyOne: 'Command must include exactly one action: --list, --describe, --create, --alter or --delete',
  unknownVerb: (verb: string) => `unknown action '${verb}' (expected ${VERBS.join(', ')})`,
};

function conflict(a: string, b: string): never {
  throw new UsageError(`Option "[${a}]" can't be used with option "[${b}]"`);
}

/** Kafka's validation, in Kafka's order (kafka-cli-reference §2.2). */
export function validate(o: TopicsOptions, action: Verb): void {
  if (action === 'describe' && o.ifExists && o.topic === undefined && o.topicId === undefined) {
    throw new UsageError('--topic or --topic-id is required to describe a topic');
  }
  // A malformed id is a mistake in the command, not a topic that is missing (exit 4).
  if (o.topicId !== undefined && fromBase64Url(o.topicId) === null) {
    throw new UsageError(`Invalid --topic-id '${o.topicId}': a topic id is 22 characters of URL-safe base64, as topics --describe prints it`);
  }
  if (action !== 'list' && action !== 'describe' && o.topic === undefined) throw new UsageError('Missing required argument "[topic]"');
  if (action === 'alter') {
    if (o.config?.length) {
      throw new UsageError('Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)');
    }
    if (o.partitions === undefined) throw new UsageError('Missing required argument "[partitions]"');
  }
  if (action !== 'create' && action !== 'alter') {
    if (o.config?.length) conflict('config', action);
    if (o.partitions !== undefined) conflict('partitions', action);
    if (o.replicaAssignment !== undefined) conflict('replica-assignment', action);
  }
  if (o.replicationFactor !== undefined && action !== 'create') conflict('replication-factor', action);
  if (action === 'create' && o.replicaAssignment !== undefined) {
    if (o.partitions !== undefined) conflict('partitions', 'replica-assignment');
    if (o.replicationFactor !== undefined) conflict('replication-factor', 'replica-assignment');
  }
  const filters: [keyof TopicsOptions, string][] = [
    ['underReplicatedPartitions', 'under-replicated-partitions'],
    ['unavailablePartitions', 'unavailable-partitions'],
    ['underMinIsrPartitions', 'under-min-isr-partitions'],
    ['atMinIsrPartitions', 'at-min-isr-partitions'],
  ];
  for (const [k, name] of filters) {
    if (!o[k]) continue;
    if (action !== 'describe') conflict(name, action);
    if (o.topicsWithOverrides) conflict(name, 'topics-with-overrides');
  }
  if (o.topicsWithOverrides && action !== 'describe') conflict('topics-with-overrides', action);
  if (o.ifExists && !['alter', 'delete', 'describe'].includes(action)) conflict('if-exists', action);
  if (o.ifNotExists && action !== 'create') conflict('if-not-exists', action);
  if (o.excludeInternal && action !== 'list' && action !== 'describe') conflict('exclude-internal', action);
}
