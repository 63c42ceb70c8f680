/** kafka-ts delete-records (kafka-delete-records.sh): its options and how they combine. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';

export interface DeleteRecordsOptions extends ConnectionOptionValues {
  offsetJsonFile?: string;
  topic?: string;
  partition?: string;
  beforeOffset?: string;
  output: 'text' | 'json';
}

export function deleteRecordsFlags(cmd: Command): void {
  cmd
    .argument('[partitions...]', 'verb style: topic:partition:offset (offset -1: the high watermark)')
    .option('--offset-json-file <file>', 'partitions and offsets: {"partitions":[{"topic":"foo","partition":0,"offset":5}],"version":1}')
    .option('--topic <topic>', 'flag form: the topic (with --partition and --before-offset)')
    .option('--partition <n>', 'flag form: the partition')
    .option('--before-offset <offset>', 'flag form: delete the records before this offset (-1: the high watermark)');
}

/** Which of the three forms is used; exactly one. */
export function formOf(o: DeleteRecordsOptions, args: string[]): 'file' | 'flags' | 'args' {
  const flags = o.topic !== undefined || o.partition !== undefined || o.beforeOffset !== undefined;
  const forms = [o.offsetJsonFile !== undefined, flags, args.length > 0].filter(Boolean).length;
  if (forms === 0) throw new UsageError('Missing required argument "[offset-json-file]"');
  if (forms > 1) throw new UsageError('Give the partitions one way: --offset-json-file, --topic with --partition and --before-offset, or topic:partition:offset arguments');
  if (flags) {
    const missing = [['topic', o.topic], ['partition', o.partition], ['before-offset', o.beforeOffset]].filter(([, v]) => v === undefined).map(([n]) => n);
    if (missing.length) throw new UsageError(`Missing required option(s): ${missing.join(', ')}`);
    return 'flags';
  }
  return o.offsetJsonFile !== undefined ? 'file' : 'args';
}
