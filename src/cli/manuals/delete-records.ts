/** The man page of kafka-ts delete-records (kafka-ts-delete-records(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: "delete a partition's records below an offset (kafka-delete-records.sh)",
  synopsis: ['[--bootstrap-server host:port] --offset-json-file FILE [--output json]', '[--bootstrap-server host:port] --topic T --partition P --before-offset N', 'TOPIC:PARTITION:OFFSET...'],
  description: [
    "Moves partitions' log start offsets forward with the options of kafka-delete-records.sh: records below the offset can no longer be read, and log segments wholly below it are deleted from the broker's disk. The partitions come from --offset-json-file in Kafka's format, {\"partitions\":[{\"topic\":\"foo\",\"partition\":0,\"offset\":5}],\"version\":1} (version optional, only 1), from --topic, --partition and --before-offset, or, in verb style, from topic:partition:offset arguments. Offset -1 means the high watermark (delete everything readable). As with Kafka, a partition's answer waits until its replicas on live brokers have moved their log start too (up to request.timeout.ms, else RequestTimedOutException: the leader has deleted the records all the same), and its low watermark is the smallest log start over them.",
    'The file is checked before anything is sent, with Kafka\'s messages: "The input string is not a valid JSON", "Missing partitions field", "Not supported version field value 2", "Offset json file contains duplicate topic partitions: foo-0"; an offset below -1 is refused too, and so is a topic:partition:offset argument naming a partition another one names ("A partition is given more than once: foo-0"). A file that cannot be read is one line, "Cannot read --offset-json-file FILE: no such file" (or "it is a directory").',
    'Output is Kafka\'s: "Executing records delete operation", "Records delete operation completed:", then per partition "partition: foo-0<TAB>low_watermark: 5" or "partition: foo-1<TAB>error: org.apache.kafka.common.errors.OffsetOutOfRangeException: …" (an offset above the high watermark; a topic whose cleanup.policy is compact only gives PolicyViolationException). With --output json: {"partitions":[{"topic":"foo","partition":0,"lowWatermark":5,"error":null,"message":null}]}.',
  ],
  examples: [
    ['Delete the records of orders-0 below offset 1000', 'kafka-ts delete-records --topic orders --partition 0 --before-offset 1000'],
    ['Empty two partitions (up to their high watermarks)', 'kafka-ts delete-records orders:0:-1 orders:1:-1'],
    ["Kafka's file form", 'kafka-ts delete-records --offset-json-file delete.json'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'AuthFailed', 'Denied'],
  exitNotes: ['4 when a partition does not exist, 8 when DELETE on a topic is denied, 1 for other per-partition failures (each partition\'s line is still printed); 2 for a malformed file or option, with nothing deleted.'],
  differences: ['kafka-delete-records.sh exits 0 when some partitions failed and 1 for a malformed file; kafka-ts exits 1, 4 or 8, and 2. The flag form and verb style are kafka-ts additions.'],
};
