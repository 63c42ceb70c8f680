/**
 * What the group coordinator needs from the broker it runs in, and nothing more. The broker
 * satisfies these structurally (it is passed as `this`), so the coordinator never imports
 * broker.ts and the `broker ↔ coordinator` import cycle is gone.
 */
import type { PartitionLog } from '../../storage/log-store.js';
import type { BrokerConfig } from '../config.js';

/** The broker settings the coordinator reads (live: alterations are seen at once). */
export type GroupCoordinatorConfig = Pick<
  BrokerConfig,
  | 'offsetsTopicNumPartitions'
  | 'offsetsRetentionMs'
  | 'offsetsRetentionCheckIntervalMs'
  | 'offsetMetadataMaxBytes'
  | 'offsetMetadataMaxTotalBytes'
  | 'groupInitialRebalanceDelayMs'
  | 'groupMinSessionTimeoutMs'
  | 'groupMaxSessionTimeoutMs'
  | 'groupMaxSize'
  | 'maxPartitions'
>;

/** This broker's local replica of a __consumer_offsets partition, read when loading it. */
export interface OffsetsReplica {
  readonly log: PartitionLog;
  logStartOffset(): number;
  logEndOffset(): number;
}

/**
 * The offsets-log port: leadership of the __consumer_offsets partitions, reading them back and
 * appending to them as leader (with the ISR wait of acks=-1).
 */
export interface OffsetsLogPort {
  /** This broker's id (a partition is ours when its leader is this id). */
  readonly id: number;
  readonly config: GroupCoordinatorConfig;
  readonly metadata: { topic(name: string): { partitions: readonly { leader: number }[] } | undefined };
  replica(topic: string, partition: number): OffsetsReplica | undefined;
  appendAsLeader(topic: string, partition: number, batch: Buffer, acks: number, timeoutMs: number): Promise<{ errorCode: number }>;
}
