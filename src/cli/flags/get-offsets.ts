/** kafka-ts get-offsets (kafka-get-offsets.sh): its options and Kafka's rules for combining them. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';

export interface GetOffsetsOptions extends ConnectionOptionValues {
  brokerList?: string;
  topic?: string;
  partitions?: string;
  topicPartitions?: string;
  time?: string;
  excludeInternalTopics?: boolean;
  output: 'text' | 'json';
}

export function getOffsetsFlags(cmd: Command): void {
  cmd
    .argument('[rules...]', 'verb style: topic-partition rules, as --topic-partitions (orders:0 orders:2- logs.*)')
    .option('--broker-list <host:port>', 'synonym of --bootstrap-server (Kafka 3.x)')
    .option('--topic <regex>', 'topics to read offsets of, as a regular expression matching the whole name (default: all topics)')
    .option('--partitions <ids>', 'comma-separated partition ids (default: all partitions)')
    .option('--topic-partitions <rules>', 'rule(,rule)*: topicRegex[:P] or :P, P = N, N-M (M excluded), N- or -M; not with --topic or --partitions')
    .option('--time <time>', 'latest (-1, default), earliest (-2), max-timestamp (-3), earliest-local (-4), latest-tiered (-5), or a timestamp in ms')
    .option('--exclude-internal-topics', 'leave out internal topics (__consumer_offsets)');
}

/** The --topic-partitions value in effect (flag or positional rules); Kafka's conflicts refused. */
export function rulesOf(o: GetOffsetsOptions, args: string[]): string | undefined {
  if (o.topicPartitions !== undefined && args.length) throw new UsageError('Give topic-partition rules either as --topic-partitions or as arguments, not both');
  const rules = o.topicPartitions ?? (args.length ? args.join(',') : undefined);
  if (rules !== undefined && (o.topic !== undefined || o.partitions !== undefined)) throw new UsageError('--topic-partitions cannot be used with --topic or --partitions');
  if (o.brokerList !== undefined && o.bootstrapServer !== undefined) throw new UsageError('Option "[broker-list]" can\'t be used with option "[bootstrap-server]"');
  return rules;
}
