/** kafka-ts leader-election (kafka-leader-election.sh): its options and how they combine. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { requireInt } from '../context.js';
import type { ConnectionOptionValues } from '../options.js';

export interface LeaderElectionOptions extends ConnectionOptionValues {
  'admin.config'?: string;
  electionType?: string;
  topic?: string;
  partition?: string;
  allTopicPartitions?: boolean;
  pathToJsonFile?: string;
  output: 'text' | 'json';
}

export function leaderElectionFlags(cmd: Command): void {
  cmd
    .option('--admin.config <file>', 'admin client properties file (Kafka before 4.2; same as --command-config)')
    .option('--election-type <type>', 'preferred or unclean')
    .option('--topic <topic>', 'topic of the partition to elect a leader for (with --partition)')
    .option('--partition <n>', 'partition to elect a leader for (with --topic)')
    .option('--all-topic-partitions', 'every partition that needs an election')
    .option('--path-to-json-file <file>', 'partitions to elect leaders for, as JSON');
}

/** What to elect, as the options say, with Kafka's messages for options that do not combine. */
export type ElectionRequest =
  | { type: 'preferred' | 'unclean'; from: 'one'; topic: string; partition: number }
  | { type: 'preferred' | 'unclean'; from: 'file'; path: string }
  | { type: 'preferred' | 'unclean'; from: 'all' };

export function electionRequestOf(o: LeaderElectionOptions): ElectionRequest {
  if (!o.electionType) throw new UsageError('Missing required option(s): election-type');
  const type = o.electionType.toLowerCase();
  if (type !== 'preferred' && type !== 'unclean') throw new UsageError(`Invalid election type '${o.electionType}': expected preferred or unclean`);
  const sources = [o.topic !== undefined, !!o.allTopicPartitions, o.pathToJsonFile !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file');
  if (o.topic !== undefined && o.partition === undefined) throw new UsageError('Missing required option(s): partition');
  if (o.partition !== undefined && o.topic === undefined) throw new UsageError('Option partition is only allowed if topic is used');
  if (o.topic !== undefined) return { type, from: 'one', topic: o.topic, partition: requireInt(o.partition, 'partition', { min: 0, int32: true })! };
  return o.pathToJsonFile !== undefined ? { type, from: 'file', path: o.pathToJsonFile } : { type, from: 'all' };
}
