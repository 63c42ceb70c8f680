/**
 * What replication needs from the broker it runs in (implemented by Broker), so the replica
 * manager and its fetchers depend on this narrow port instead of the whole Broker class.
 */
import type { BrokerAddress } from '../../transport/client-connection.js';
import type { BrokerConfig } from '../config.js';
import type { ClusterMetadata } from '../metadata/cluster-metadata.js';
import type { PartitionReplica } from '../replica.js';
import type { ReplicationControl } from './replication-control.js';
import type { BrokerThrottles } from './throttle.js';

export interface ReplicationHost {
  readonly id: number;
  readonly config: BrokerConfig;
  readonly metadata: ClusterMetadata;
  /** The replicas this broker hosts, by "topic-partition". */
  readonly replicas: ReadonlyMap<string, PartitionReplica>;
  replica(topic: string, partition: number): PartitionReplica | undefined;
  /** Deletes a local replica (the partition was moved to other brokers). */
  removeReplica(topic: string, partition: number): void;
  readonly throttles: BrokerThrottles;
  /** An I/O error met while `doing` something with a replica's log: the log dir goes offline. */
  logDirFailure(doing: string, error: Error): void;
  readonly cluster: {
    /** Where followers reach a broker's listener for replication (null while it is down). */
    replicationAddress(id: number): BrokerAddress | null;
    /** ISR changes go through the controller. */
    readonly controller: { readonly replication: Pick<ReplicationControl, 'shrinkIsr' | 'expandIsr'> };
  };
}
