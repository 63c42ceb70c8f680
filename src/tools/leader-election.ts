/**
 * kafka-ts leader-election (kafka-leader-election.sh): Kafka's partitions JSON file, and the
 * election's results in Kafka's layout (elected, already elected, failed with the exception
 * Kafka's tool names).
 */
import type { KafkaProtocolError } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/errors.js';
import { UsageError, type Outcome } from '../util/errors.js';
import { exceptionClass } from './kafka-exceptions.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ElectionResult extends TopicPartition {
  error: KafkaProtocolError | null;
}

/** Kafka's --path-to-json-file document: {"partitions":[{"topic":"foo","partition":1}]}; `path` names it in messages. */
export function parseElectionJson(text: string, path: string): TopicPartition[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Kafka's wording, as delete-records says it: one line (JSON.parse's message quotes the text, newlines and all).
    throw new UsageError('The input string is not a valid JSON');
  }
  const list = (doc as { partitions?: unknown })?.partitions;
  if (!Array.isArray(list)) throw new UsageError(`--path-to-json-file ${path}: expected {"partitions":[{"topic":"foo","partition":1}]}`);
  const out = list.map((x, i) => {
    const p = x as { topic?: unknown; partition?: unknown };
    if (typeof p?.topic !== 'string' || !Number.isInteger(p.partition)) throw new UsageError(`--path-to-json-file ${path}: entry ${i} needs "topic" and "partition"`);
    return { topic: p.topic, partition: p.partition as number };
  });
  const keys = out.map(key);
  const dupes = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
  if (dupes.length) throw new UsageError(`Replica election data contains duplicate partitions: ${dupes.join(',')}`);
  return out;
}

const key = (r: TopicPartition) => `${r.topic}-${r.partition}`;
const tp = (r: TopicPartition): TopicPartition => ({ topic: r.topic, partition: r.partition });

/** Kafka's lines for the election's results; exit 1 when some partition failed, 4 when one named does not exist. */
export function electionView(type: 'preferred' | 'unclean', results: ElectionResult[]) {
  const label = type.toUpperCase();
  const done = results.filter((r) => !r.error);
  const already = results.filter((r) => r.error?.code === ErrorCode.ELECTION_NOT_NEEDED);
  const failed = results.filter((r) => r.error && r.error.code !== ErrorCode.ELECTION_NOT_NEEDED);
  return {
    data: { electionType: type, elected: done.map(tp), notNeeded: already.map(tp), failed: failed.map((f) => ({ ...tp(f), error: f.error!.errorName, message: f.error!.message })) },
    text: () => [
      ...(done.length ? [`Successfully completed leader election (${label}) for partitions ${done.map(key).join(', ')}`] : []),
      ...(already.length ? [`Valid replica already elected for partitions ${already.map(key).join(', ')}`] : []),
      ...failed.map((f) => `Error completing leader election (${label}) for partition: ${key(f)}: ${exceptionClass(f.error!.errorName)}: ${f.error!.message}`),
    ],
    stderr: () => (failed.length ? [`${failed.length} replica(s) could not be elected`] : []),
    // A named partition that does not exist is the more specific failure.
    exit: (!failed.length ? 'Ok' : failed.some((f) => f.error!.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) ? 'NotFound' : 'Failure') as Outcome,
  };
}
