/** The Streams runtime: KafkaStreams, its configuration and its errors. */
export { KafkaStreams, type KafkaStreamsOptions, type StateListener, type StreamsLogger, type StreamsMetrics, type StreamsState, type TaskMetrics } from './kafka-streams.js';
export { parseStreamsConfig, type ProcessingGuarantee, type StreamsConfig, type StreamsProperties } from './config.js';
export { MissingSourceTopicException, StreamsConfigException, StreamsException } from './errors.js';
export { FileBytesStore } from '../stores/file.js';
