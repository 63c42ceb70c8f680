/**
 * kafka-ts Streams: Kafka Streams' model in TypeScript. The topology side (this directory) says
 * what to compute; the runtime (src/streams/runtime/) feeds it from a cluster.
 */
export type {
  BuiltTopology,
  BytesStore,
  GlobalTask,
  InternalTopicSpec,
  SourceRecord,
  StoreSpec,
  StreamsHeader,
  StreamTask,
  SubtopologySpec,
  TaskEnvironment,
  TaskId,
} from './api.js';
export { taskIdString } from './api.js';
export { SerializationError, StreamsException, TopologyException } from './errors.js';
export { Serdes, type Deserializer, type Serde, type Serializer } from './serdes.js';
export {
  PunctuationType,
  Record,
  type Cancellable,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  type Punctuator,
  type RecordMetadata,
  type StreamPartitioner,
  type TimestampExtractor,
  type TopicNameExtractor,
} from './processor.js';
export {
  KeyValue,
  Stores,
  type BytesStoreSupplier,
  type KeyValueIterator,
  type KeyValueStore,
  type ReadOnlyKeyValueStore,
  type StoreBuilder,
  type TimestampedKeyValueStore,
  type ValueAndTimestamp,
  type WindowStore,
} from './state.js';
export { InMemoryBytesStore, compareBytes } from './stores/memory.js';
export { JoinWindows, TimeWindows, Window, Windowed, timeWindowedSerde } from './windows.js';
export { Topology, type SinkOptions, type SourceOptions } from './topology.js';
export { Branched, BufferConfig, Consumed, Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined, Suppressed } from './dsl-options.js';
export { BranchedKStream, GlobalKTable, KGroupedStream, KStream, KTable, StreamsBuilder, TimeWindowedKStream, type Change, type StreamsBuilderOptions } from './dsl.js';
export { TestInputTopic, TestOutputTopic, TopologyTestDriver, type TestDriverConfig, type TestRecord } from './test-driver.js';

/** Kafka's `WindowedSerdes.timeWindowedSerdeFrom(inner, windowSize)`. */
export { timeWindowedSerde as timeWindowedSerdeFrom } from './windows.js';

// ---- runtime (helper B): KafkaStreams, StreamsConfig, state listener -------------------------
export * from './runtime/index.js';
