/**
 * What the transaction coordinator needs from the broker it runs in (passed structurally, so the
 * coordinator never imports broker.ts): the __transaction_state partitions it leads, appends to
 * them, producer ids, and where each partition leader listens for WriteTxnMarkers.
 */
import type { BrokerAddress } from '../../../transport/client-connection.js';
import type { BrokerConfig } from '../../config.js';
import type { OffsetsReplica } from '../ports.js';

export type TransactionCoordinatorConfig = Pick<
  BrokerConfig,
  | 'transactionStateLogNumPartitions'
  | 'transactionMaxTimeoutMs'
  | 'transactionAbortTimedOutTransactionCleanupIntervalMs'
  | 'transactionalIdExpirationMs'
  | 'transactionRemoveExpiredTransactionCleanupIntervalMs'
>;

export interface TxnPartitionState {
  leader: number;
  leaderEpoch: number;
}

export interface TransactionLogPort {
  readonly id: number;
  readonly config: TransactionCoordinatorConfig;
  readonly metadata: {
    topic(name: string): { partitions: readonly TxnPartitionState[] } | undefined;
    allocateProducerId(): number;
  };
  replica(topic: string, partition: number): OffsetsReplica | undefined;
  appendAsLeader(topic: string, partition: number, batch: Buffer, acks: number, timeoutMs: number): Promise<{ errorCode: number }>;
  /** A running broker's own (Unix-socket, super-user) listener, for WriteTxnMarkers; null while it is down. */
  brokerAddress(id: number): BrokerAddress | null;
}
