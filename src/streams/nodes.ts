/** The node graph a Topology holds: what the task engine instantiates and describe() prints. */
import type { InternalTopicSpec } from './api.js';
import type { ProcessorSupplier, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from './processor.js';
import type { Deserializer, Serializer } from './serdes.js';
import type { StoreBuilder } from './state.js';

export interface SourceNodeDef {
  kind: 'source';
  name: string;
  topics: string[];
  keyDeserializer: Deserializer<unknown>;
  valueDeserializer: Deserializer<unknown>;
  timestampExtractor?: TimestampExtractor;
  /** The source reads a global store's topic (a global sub-topology, no tasks). */
  global: boolean;
}

export interface ProcessorNodeDef {
  kind: 'processor';
  name: string;
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  parents: string[];
  stores: string[];
}

export interface SinkNodeDef {
  kind: 'sink';
  name: string;
  topic: string | TopicNameExtractor<unknown, unknown>;
  parents: string[];
  keySerializer: Serializer<unknown>;
  valueSerializer: Serializer<unknown>;
  partitioner?: StreamPartitioner<unknown, unknown>;
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef;

export interface TopologyModel {
  /** In the order added. */
  nodes: Map<string, NodeDef>;
  /** Children of each node, in the order they were connected. */
  children: Map<string, string[]>;
  stores: Map<string, StoreBuilder<unknown>>;
  /** Stores maintained by global sub-topologies, readable by every task. */
  globalStores: Set<string>;
  /** Internal (repartition) topics by unprefixed name. */
  internalTopics: Map<string, InternalTopicSpec>;
  /** Groups of source node names whose topics must be co-partitioned. */
  copartitionSourceGroups: string[][];
}
