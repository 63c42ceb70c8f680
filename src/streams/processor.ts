/**
 * The Processor API (Kafka 3.x's `org.apache.kafka.streams.processor.api`): immutable `Record`s
 * flow through `Processor`s, each given a `ProcessorContext` to forward records to its children,
 * reach its state stores, schedule punctuations and request a commit.
 */
import type { StreamsHeader, TaskId } from './api.js';

/** An immutable record: `withKey`/`withValue`/`withTimestamp`/`withHeaders` return copies. */
export class Record<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    readonly headers: StreamsHeader[] = [],
  ) {}
  withKey<NK>(key: NK): Record<NK, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }
  withValue<NV>(value: NV): Record<K, NV> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }
  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }
  withHeaders(headers: StreamsHeader[]): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}

export enum PunctuationType {
  /** Fires as stream time (the largest record timestamp the task has seen) passes each interval. */
  STREAM_TIME = 'STREAM_TIME',
  /** Fires on the wall clock, as the runtime (or the test driver) calls `punctuate`. */
  WALL_CLOCK_TIME = 'WALL_CLOCK_TIME',
}

export type Punctuator = (timestamp: number) => void;

export interface Cancellable {
  cancel(): void;
}

/** Where the record being processed came from; null inside a punctuation. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  applicationId(): string;
  taskId(): TaskId;
  /** The input record being processed (topic, partition, offset), or null in a punctuation. */
  recordMetadata(): RecordMetadata | null;
  /** The task's stream time: the largest timestamp it has processed (-1 before the first record). */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** To every child, or to the one named. */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
  /** Asks the runtime to commit as soon as it can. */
  commit(): void;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** A store connected to this processor (or a global store). */
  getStateStore<S = unknown>(name: string): S;
}

/** @internal what the engine's contexts also offer the DSL's processors. */
export interface InternalContext {
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /**
   * The bytes the current source record's key came in as, when `key` is still that key and
   * `serde` is the source's key serde and gives those bytes back exactly (serdes.roundTrips):
   * an aggregation keys its store with them instead of serializing the key again. Else null.
   */
  sourceKeyBytes(key: unknown, serde: unknown): Uint8Array | null;
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/** Makes one processor per task (Kafka's ProcessorSupplier); a plain function works too. */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> =
  | { get(): Processor<KIn, VIn, KOut, VOut> }
  | (() => Processor<KIn, VIn, KOut, VOut>);

export function supplierGet<KIn, VIn, KOut, VOut>(s: ProcessorSupplier<KIn, VIn, KOut, VOut>): Processor<KIn, VIn, KOut, VOut> {
  return typeof s === 'function' ? s() : s.get();
}

/** Chooses a partition for a sink (Kafka's StreamPartitioner); undefined lets the producer choose. */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** Chooses a sink's topic per record (Kafka's TopicNameExtractor). */
export type TopicNameExtractor<K, V> = (key: K, value: V, metadata: RecordMetadata | null) => string;

/** Extracts a record's timestamp from its input (Kafka's TimestampExtractor); the default is the record's own timestamp. */
export type TimestampExtractor = (record: { topic: string; partition: number; offset: number; timestamp: number; key: unknown; value: unknown }, partitionTime: number) => number;
