/**
 * kafka-ts delete-records (kafka-delete-records.sh): Kafka's offset JSON file (or one partition
 * given by flags), checked before anything is sent; each partition's new low watermark, or its
 * error, in Kafka's layout.
 */
import type { Admin } from '../client/admin.js';
import { KafkaProtocolError, ErrorCode } from '../protocol/errors.js';
import { UsageError, type Outcome } from '../util/errors.js';
import { exceptionClass } from './kafka-exceptions.js';

export interface RecordsToDelete {
  topic: string;
  partition: number;
  /** -1: up to the high watermark. */
  offset: number;
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A partition is a Java int; an offset a long, held exactly up to 2^53 (a log never gets near it). */
function checkOffset(r: RecordsToDelete): RecordsToDelete {
  if (!Number.isSafeInteger(r.offset) || r.offset < -1) throw new UsageError(`Invalid offset ${r.offset} for ${r.topic}-${r.partition}: expected -1 (the high watermark) or an offset from 0 to ${Number.MAX_SAFE_INTEGER}`);
  if (!Number.isSafeInteger(r.partition) || r.partition < 0 || r.partition > 0x7fffffff) throw new UsageError(`Invalid partition ${r.partition} for topic ${r.topic}`);
  return r;
}

/** The partitions (topic-partition) asked for more than once. */
function duplicates(requests: RecordsToDelete[]): string[] {
  const keys = requests.map((r) => `${r.topic}-${r.partition}`);
  return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
}

/** Kafka's --offset-json-file document: {"partitions":[{"topic":"t","partition":0,"offset":10}],"version":1}. */
export function parseOffsetJson(text: string): RecordsToDelete[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError('The input string is not a valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError('The input string is not a valid JSON object');
  const { version = 1, partitions } = doc as { version?: unknown; partitions?: unknown };
  if (version !== 1) throw new UsageError(`Not supported version field value ${JSON.stringify(version)}`);
  if (partitions === undefined) throw new UsageError('Missing partitions field');
  if (!Array.isArray(partitions)) throw new UsageError('The partitions field must be an array');
  const out = partitions.map((p: unknown, i) => {
    const e = (p ?? {}) as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof e.topic !== 'string' || e.topic === '') throw new UsageError(`Missing topic field in partition entry ${i}`);
    // A whole number out of range gets checkOffset's message (which names the range), not "missing".
    if (!isWhole(e.partition)) throw new UsageError(`Missing or invalid partition field in partition entry ${i}`);
    if (!isWhole(e.offset)) throw new UsageError(`Missing or invalid offset field in partition entry ${i}`);
    return checkOffset({ topic: e.topic, partition: e.partition, offset: e.offset });
  });
  const dupes = duplicates(out);
  if (dupes.length) throw new UsageError(`Offset json file contains duplicate topic partitions: ${dupes.join(',')}`);
  return out;
}

/** Verb style: `topic:partition:offset` arguments. */
export function parseTriples(args: string[]): RecordsToDelete[] {
  const out = args.map((a) => {
    const m = /^(.+):(\d+):(-?\d+)$/.exec(a);
    if (!m) throw new UsageError(`Invalid partition '${a}': expected topic:partition:offset`);
    // Digits past 2^53 would be rounded by Number(): refused as they are written.
    const exact = (digits: string) => (Number.isSafeInteger(Number(digits)) ? Number(digits) : digits);
    const [partition, offset] = [exact(m[2]!), exact(m[3]!)];
    if (typeof partition === 'string') throw new UsageError(`Invalid partition ${partition} for topic ${m[1]}`);
    if (typeof offset === 'string') throw new UsageError(`Invalid offset ${offset} for ${m[1]}-${partition}: expected -1 (the high watermark) or an offset from 0 to ${Number.MAX_SAFE_INTEGER}`);
    return checkOffset({ topic: m[1]!, partition, offset });
  });
  const dupes = duplicates(out);
  if (dupes.length) throw new UsageError(`A partition is given more than once: ${dupes.join(',')} (give each topic:partition:offset once)`);
  return out;
}

export interface DeleteResult {
  topic: string;
  partition: number;
  lowWatermark: number | null;
  error: KafkaProtocolError | null;
}

/**
 * Deletes the records; a partition that does not exist gets Kafka's UNKNOWN_TOPIC_OR_PARTITION and
 * one without a leader LEADER_NOT_AVAILABLE (nothing is sent for them), the others the broker's answer.
 */
export async function deleteRecords(admin: Admin, requests: RecordsToDelete[]): Promise<DeleteResult[]> {
  const md = await admin.metadata([...new Set(requests.map((r) => r.topic))]);
  const info = (r: RecordsToDelete) => md.topics.get(r.topic)?.partitions.find((p) => p.partition === r.partition);
  // What cannot be sent is answered per partition, as Kafka's admin client does.
  // A topic the broker answered with an error (TOPIC_AUTHORIZATION_FAILED for one the user may not
  // describe) fails its partitions with that error, not as missing.
  const unsendable = (r: RecordsToDelete) => {
    const topicError = md.topics.get(r.topic)?.errorCode ?? 0;
    if (topicError && topicError !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return topicError;
    const p = info(r);
    return !p ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : 0;
  };
  const results: DeleteResult[] = requests.filter((r) => unsendable(r)).map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: null, error: new KafkaProtocolError(unsendable(r)) }));
  const known = requests.filter((r) => !unsendable(r));
  if (known.length) {
    for (const r of await admin.deleteRecords(known)) results.push({ topic: r.topic, partition: r.partition, lowWatermark: r.error ? null : r.lowWatermark, error: r.error });
  }
  // Kafka prints in no particular order; kafka-ts in the order asked.
  const order = new Map(requests.map((r, i) => [`${r.topic}-${r.partition}`, i]));
  return results.sort((a, b) => order.get(`${a.topic}-${a.partition}`)! - order.get(`${b.topic}-${b.partition}`)!);
}

/** Kafka's lines; exit 4 when a partition does not exist, 8 when denied, 1 for other failures. */
export function deleteView(results: DeleteResult[]) {
  const failed = results.filter((r) => r.error);
  const exit: Outcome | 'Denied' = !failed.length
    ? 'Ok'
    : failed.some((r) => r.error!.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      ? 'NotFound'
      : failed.some((r) => r.error!.code === ErrorCode.TOPIC_AUTHORIZATION_FAILED)
        ? 'Denied'
        : 'Failure';
  return {
    data: {
      partitions: results.map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: r.lowWatermark, error: r.error ? r.error.errorName : null, message: r.error ? r.error.message : null })),
    },
    text: () => [
      'Executing records delete operation',
      'Records delete operation completed:',
      ...results.map((r) => `partition: ${r.topic}-${r.partition}\t${r.error ? `error: ${exceptionClass(r.error.errorName)}: ${r.error.message}` : `low_watermark: ${r.lowWatermark}`}`),
    ],
    stderr: () => (failed.length ? [`${failed.length} partition(s) could not be deleted`] : []),
    exit,
  };
}
