/**
 * The narrow services a request handler reaches, named by what they do. The router puts them in
 * every RequestContext; a handler sees only what these interfaces expose, never the whole
 * Broker. Implemented by the existing classes: Broker (partitions, and this broker's view of the
 * cluster), GroupCoordinator (groups), Controller (cluster-wide changes).
 */
import type { QuorumView } from './metadata/quorum.js';
import type { LeaderAppendHost } from './append/leader-append.js';
import type { BrokerConfig } from './config.js';
import type { Controller } from './controller.js';
import type { GroupService } from './coordinator/coordinator.js';
import type { TransactionService } from './coordinator/transactions/coordinator.js';
import type { FetchHost } from './fetch.js';
import type { Endpoint, ListenerName } from './listeners.js';
import type { ClusterMetadata, TopicState } from './metadata/cluster-metadata.js';
import type { QuotaService } from './quotas/client-quotas.js';
import type { PartitionReplica } from './replica.js';
import type { ReplicationControl } from './replication/replication-control.js';
import type { Authorizer } from './security/authorizer.js';
import type { LogLevels, Logger } from '../util/logger.js';

export type { GroupService } from './coordinator/coordinator.js';
export type { TransactionService } from './coordinator/transactions/coordinator.js';

/**
 * The partitions this broker hosts: leader appends (Produce), reads (Fetch), offsets by time
 * (ListOffsets), log truncation (DeleteRecords) and the log directory (DescribeLogDirs).
 */
export interface PartitionService extends LeaderAppendHost, FetchHost {
  /** Every replica hosted here, keyed "topic-partition". */
  readonly replicas: ReadonlyMap<string, PartitionReplica>;
  /** This broker's log directory. */
  readonly logDir: string;
  /** Whether an I/O error took it offline (log-dirs.ts). */
  readonly logDirState: { readonly offline: boolean };
}

/** One broker of the cluster as handlers see it: its listeners, static config and replicas. */
export interface BrokerNode {
  readonly id: number;
  readonly endpoints: ReadonlyMap<ListenerName, Endpoint>;
  readonly config: BrokerConfig;
  replica(topic: string, partition: number): PartitionReplica | undefined;
}

/** The cluster as seen from this broker: topics, brokers and their endpoints, the controller's id. */
export interface ClusterService {
  /** This broker's id. */
  readonly id: number;
  /** This broker's static config (defaults of topic configs, auto-creation). */
  readonly config: BrokerConfig;
  readonly metadata: ClusterMetadata;
  readonly controllerId: number;
  brokers(): readonly BrokerNode[];
  isLive(id: number): boolean;
  /** The metadata quorum: every logical broker a voter, the controller its leader (DescribeQuorum). */
  quorum(): QuorumView;
  /** Whether a broker holds a partition offline: its log could not be opened (KAFKA_STORAGE_ERROR). */
  replicaOffline(brokerId: number, topic: string, partition: number): boolean;
  /** A topic's effective value of one config on this broker (override, broker default or Kafka's). */
  topicConfig(topic: TopicState, name: string): string;
  /** The daemon's loggers and their levels (BROKER_LOGGER configs), when its logger has them. */
  readonly logLevels?: LogLevels;
  /** The broker's log, for what an admin request changes that the operator should hear of. */
  readonly log?: Logger;
  /**
   * KIP-226: checks this broker's dynamic keystore/truststore configs (listener-prefixed) and with
   * `apply` gives its TLS listeners the new stores; the problem (INVALID_REQUEST's message), or null.
   * `listeners` (lower-case names, as in the keys) limits it to the listeners a request is about.
   */
  listenerTls?(dynamic: Record<string, string>, apply: boolean, listeners?: string[]): string | null;
}

/** Elections and reassignments (the controller's replication control). */
export type ReplicaControlService = Pick<ReplicationControl, 'electLeaders' | 'alterReassignment' | 'listReassignments'>;

/**
 * Cluster-wide changes: topics, partitions, topic configs, elections and reassignments. Handlers
 * check first that this broker is the controller (`cluster.controllerId === cluster.id`).
 */
export interface ControllerService extends Pick<Controller, 'createTopic' | 'createTopicWithLogs' | 'checkPartitionsPerRequest' | 'deleteTopic' | 'createPartitionsWithLogs' | 'alterTopicConfigs' | 'ensureTransactionStateTopic'> {
  readonly replication: ReplicaControlService;
}

/** Everything a handler may reach besides the request itself. */
export interface BrokerServices {
  readonly partitions: PartitionService;
  readonly groups: GroupService;
  /** The transaction coordinator (FindCoordinator key type 1, InitProducerId, AddPartitionsToTxn, …, DescribeTransactions). */
  readonly transactions: TransactionService;
  readonly cluster: ClusterService;
  readonly controller: ControllerService;
  /** ACL decisions (security/authorizer.ts): handlers call `allowed(ctx, …)`. */
  readonly authorizer: Authorizer;
  /** Client quotas (quotas/client-quotas.ts); the router records and throttles, handlers never need it. */
  readonly quotas?: QuotaService;
}
