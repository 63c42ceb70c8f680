/**
 * The seam between a Streams topology (what to compute: src/streams/, no I/O) and the runtime
 * that feeds it (where records come from and go to: src/streams/runtime/, on the client).
 *
 * The topology side turns `StreamsBuilder` / `Topology` into a `BuiltTopology`: sub-topologies
 * (Kafka's "Sub-topology: 0" groups, one task per input partition), the internal topics they need,
 * the co-partitioning groups to check at start, and a factory for tasks. The runtime owns
 * everything stateful across restarts: consumer group, producers (transactions for
 * exactly_once_v2), state stores on disk and their changelog topics, restoration.
 *
 * State is handed to tasks as byte-level key-value stores, so changelogging and restoring are the
 * runtime's business and serdes, window-key layouts and joins the topology's.
 */

export interface StreamsHeader {
  key: string;
  value: Uint8Array | null;
}

/** Kafka Streams' TaskId: `<subtopology>_<partition>`. */
export interface TaskId {
  subtopology: number;
  partition: number;
}
export const taskIdString = (t: TaskId): string => `${t.subtopology}_${t.partition}`;

/**
 * A store of byte keys and values, sorted by key (unsigned byte order). Synchronous: tasks process
 * one record at a time on the event loop. The runtime supplies it (in memory or on disk, logged
 * to `<application.id>-<store>-changelog` when the store is logged, restored before processing).
 */
export interface BytesStore {
  readonly name: string;
  get(key: Uint8Array): Uint8Array | undefined;
  /** `null` deletes (a tombstone in the changelog). Keeps copies: the caller may reuse its buffers. */
  put(key: Uint8Array, value: Uint8Array | null): void;
  /** Entries with from <= key <= to (either bound optional), ascending. */
  range(from?: Uint8Array, to?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array]>;
  size(): number;
}

/** What a topology declares about a state store; the runtime decides where it lives. */
export interface StoreSpec {
  /** Store name as Kafka Streams names it (e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000003`). */
  name: string;
  /** Backed by a compacted changelog topic `<application.id>-<name>-changelog` (default true). */
  logged: boolean;
  /** On disk under `<state.dir>/<application.id>/<task>/` (true) or in memory (false). */
  persistent: boolean;
  /** Extra configs for the changelog topic (e.g. window stores add `cleanup.policy=compact,delete`). */
  changelogConfigs?: Record<string, string>;
}

export type InternalTopicKind = 'repartition' | 'changelog';

export interface InternalTopicSpec {
  /** Name without the application id: the runtime creates `<application.id>-<name>`. */
  name: string;
  kind: InternalTopicKind;
  /** Partitions: a number when fixed (`repartition(n)`), otherwise taken from the co-partitioned sources. */
  partitions?: number;
  configs?: Record<string, string>;
}

export interface SubtopologySpec {
  id: number;
  /** Input topics; internal ones (repartition) are named without the application id prefix and listed in `internalSources`. */
  sourceTopics: string[];
  internalSources: string[];
  /** Stores its tasks use (one instance per task). */
  stores: StoreSpec[];
}

export interface GlobalStoreSpec {
  /** The topic read in full by every instance, all partitions. */
  topic: string;
  store: StoreSpec;
}

/** One task's link to the outside world, given by the runtime. */
export interface TaskEnvironment {
  applicationId: string;
  taskId: TaskId;
  /** The task's stores and the global stores, by name. */
  store(name: string): BytesStore;
  /**
   * Sink output. `topic` is the real topic name (internal topics already prefixed by
   * `internalTopicName`). Without `partition`, the runtime partitions as Kafka's producer does.
   */
  send(topic: string, key: Uint8Array | null, value: Uint8Array | null, timestamp: number, headers: StreamsHeader[], partition?: number): void;
  /**
   * Partitions of a topic (internal ones prefixed), for sinks with a custom StreamPartitioner;
   * optional: without it such sinks let the producer partition.
   */
  partitionCount?(topic: string): number | undefined;
  /** ProcessorContext.commit(): the runtime commits at its next opportunity. */
  requestCommit(): void;
  /** Wall-clock time, for WALL_CLOCK_TIME punctuation (tests may drive it). */
  now(): number;
  /** `<application.id>-<name>` for internal topics. */
  internalTopicName(name: string): string;
  /** default.deserialization.exception.handler: 'continue' logs and skips, 'fail' throws. */
  deserializationErrors: 'continue' | 'fail';
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** An input record as the runtime reads it. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: StreamsHeader[];
}

/** A running task: the runtime calls these on the event loop, one at a time. */
export interface StreamTask {
  readonly id: TaskId;
  /** Runs one record through the sub-topology. Throws StreamsException to stop the application. */
  process(record: SourceRecord): void;
  /** Fires due WALL_CLOCK_TIME punctuations (STREAM_TIME ones fire inside `process`). */
  punctuate(wallClockMs: number): void;
  /** Flushes any buffered output (e.g. caches) before the runtime commits. */
  flush(): void;
  close(): void;
}

/** A task maintaining one global store from its topic (all partitions). */
export interface GlobalTask {
  process(record: SourceRecord): void;
}

export interface BuiltTopology {
  subtopologies: SubtopologySpec[];
  internalTopics: InternalTopicSpec[];
  /** Groups of source topics (internal ones unprefixed) that must have equal partition counts. */
  copartitionGroups: string[][];
  globalStores: GlobalStoreSpec[];
  /** Sink topics (external), so the runtime can check they exist. */
  sinkTopics: string[];
  createTask(subtopology: number, env: TaskEnvironment): StreamTask;
  createGlobalTask(env: TaskEnvironment): GlobalTask;
  /** Kafka's `Topology.describe()` text. */
  describe(): string;
  /**
   * Partition counts for the repartition topics, given the partitions of the external topics
   * (undefined for one that does not exist), as Kafka decides them: a fixed `numberOfPartitions`,
   * else the largest count among the sources of the sub-topologies writing to it, then made equal
   * within each co-partition group. Throws TopologyException ("Following topics do not have the
   * same number of partitions: ...") when a group's topics cannot be co-partitioned.
   * Optional so that hand-made BuiltTopology fakes stay valid.
   */
  resolvePartitions?(partitionsOf: (topic: string) => number | undefined): Map<string, number>;
  /**
   * The serdes of the sources and sinks, each with the topics it reads or writes (internal ones
   * unprefixed; a sink with a topic extractor lists none): KafkaStreams.start() awaits the
   * optional `prepare()` of each (registry serdes register or look up their schemas).
   */
  serdeUses?(): SerdeUse[];
}

export interface SerdeUse {
  serde: object;
  isKey: boolean;
  /** A source's deserializer, or a sink's serializer. */
  role: 'deserializer' | 'serializer';
  topics: string[];
}
