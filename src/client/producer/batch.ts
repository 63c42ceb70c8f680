/**
 * A producer batch (Kafka's ProducerBatch): the records bound for one partition, encoded as they
 * are appended, with what the sender and the idempotence rules need to know about its attempts.
 * Shared by the accumulator (which fills and splits batches), the sender (which sends, retries and
 * completes them) and idempotence (which numbers them).
 */
import { BatchBuilder, type RecordHeader } from '../../protocol/record-batch.js';

export interface ProducerRecord {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export type SendCallback = (error: Error | null, meta: RecordMetadata | null) => void;

/** How a batch's records are completed: the façade counts them and runs their callbacks. */
export interface Completion {
  /** Completes one record: acknowledged (`meta`, or null when nobody asked) or failed (`error`). */
  complete(cb: SendCallback | undefined, error: Error | null, meta: RecordMetadata | null): void;
  /** Completes every record of an acknowledged batch that has no callbacks. */
  completeBatch(b: ProducerBatch): void;
  /** Reports a batch (or records) that could not be delivered, with the number of records in it. */
  batchFailed(topic: string, partition: number, count: number, error: Error): void;
}

export interface ProducerBatch {
  topic: string;
  partition: number;
  builder: BatchBuilder;
  /** Encoded batch, built once when first sent (and reused by retries). */
  encoded: Buffer | null;
  /** Per-record callbacks and timestamps, only when some record has a callback. */
  callbacks: (SendCallback | undefined)[] | null;
  timestamps: number[] | null;
  count: number;
  keyless: boolean;
  createdAt: number;
  attempts: number;
  firstAttemptAt: number;
  retryAt: number;
  /** Sends in a row that found no connection to the leader (not attempts: nothing was sent). */
  unsent: number;
  /** Sequence number of the first record (idempotent producers), fixed on first send. */
  baseSequence: number;
  /** The producer epoch it was numbered in (-1 until then): a retry goes again in it. */
  producerEpoch: number;
  /** An attempt ended without an answer saying whether the broker wrote the batch. */
  maybeWritten: boolean;
  /** Sent again on an old epoch's numbers, the broker refused it as out of order: it holds none of it. */
  refusedUnwritten?: boolean;
  /** Failed at delivery.timeout.ms while in flight: the answer to that request, when it comes, is ignored. */
  expiredInFlight?: boolean;
  /** The error of the last failed attempt (reported if the batch then expires waiting for a leader). */
  lastError?: Error;
  /** Creation order: a retried batch goes back into its partition's queue by it, ahead of later ones. */
  order: number;
  /** The orders [order, order + orderSpan) are this batch's; split halves share them out. */
  orderSpan?: number;
  /** Payload bytes (key, value, headers) of its records. */
  bytes: number;
  /**
   * The records' timestamps as runs, [timestamp, count, timestamp, count, ...], kept for records
   * appended without a callback when the producer reports acknowledged batches (onBatchAcked):
   * a batch's records share a few milliseconds, so this costs next to nothing per record.
   */
  runs: number[] | null;
}

/** What onBatchAcked is told of an acknowledged batch. */
export type AckedBatch = Pick<ProducerBatch, 'topic' | 'partition' | 'count' | 'bytes' | 'runs'>;

let nextOrder = 0;

export function newBatch(topic: string, partition: number, keyless: boolean, sizeHint: number, reuse?: Buffer): ProducerBatch {
  const now = Date.now();
  return {
    topic,
    partition,
    builder: new BatchBuilder(sizeHint, reuse),
    encoded: null,
    callbacks: null,
    timestamps: null,
    count: 0,
    keyless,
    createdAt: now,
    attempts: 0,
    firstAttemptAt: now,
    retryAt: 0,
    unsent: 0,
    baseSequence: -1,
    producerEpoch: -1,
    maybeWritten: false,
    order: nextOrder++,
    bytes: 0,
    runs: null,
  };
}

/** Fails every record of a batch (after reporting the batch once). */
export function failBatch(b: ProducerBatch, e: Error, completion: Completion): void {
  completion.batchFailed(b.topic, b.partition, b.count, e);
  for (let i = 0; i < b.count; i++) completion.complete(b.callbacks?.[i], e, null);
}

/** Bytes of a record's key, value and headers. */
export const payloadSize = (r: { key?: Buffer | null; value: Buffer | null; headers?: readonly RecordHeader[] }) =>
  (r.key?.length ?? 0) + (r.value?.length ?? 0) + (r.headers && r.headers.length > 0 ? r.headers.reduce((n, h) => n + Buffer.byteLength(h.key) + (h.value?.length ?? 0), 0) : 0);

export const formatBytes = (n: number) => n.toLocaleString('en-US');

export const partitionKey = (topic: string, partition: number) => `${topic}\0${partition}`;
