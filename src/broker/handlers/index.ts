/** Every API the broker serves, one handler per API key. ApiVersions advertises exactly these. */
import type { AnyHandler } from '../handler.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import offsetCommit from './08-offset-commit.js';
import offsetFetch from './09-offset-fetch.js';
import joinGroup from './11-join-group.js';
import heartbeat from './12-heartbeat.js';
import leaveGroup from './13-leave-group.js';
import syncGroup from './14-sync-group.js';
import describeGroups from './15-describe-groups.js';
import listGroups from './16-list-groups.js';
import deleteGroups from './42-delete-groups.js';
import offsetDelete from './47-offset-delete.js';
import findCoordinator from './10-find-coordinator.js';
import saslHandshake from './17-sasl-handshake.js';
import apiVersions from './18-api-versions.js';
import saslAuthenticate from './36-sasl-authenticate.js';
import describeUserScramCredentials from './50-describe-user-scram-credentials.js';
import alterUserScramCredentials from './51-alter-user-scram-credentials.js';
import describeClientQuotas from './48-describe-client-quotas.js';
import alterClientQuotas from './49-alter-client-quotas.js';
import createTopics from './19-create-topics.js';
import deleteTopics from './20-delete-topics.js';
import deleteRecords from './21-delete-records.js';
import initProducerId from './22-init-producer-id.js';
import addPartitionsToTxn from './24-add-partitions-to-txn.js';
import addOffsetsToTxn from './25-add-offsets-to-txn.js';
import endTxn from './26-end-txn.js';
import writeTxnMarkers from './27-write-txn-markers.js';
import txnOffsetCommit from './28-txn-offset-commit.js';
import describeConfigs from './32-describe-configs.js';
import alterConfigs from './33-alter-configs.js';
import incrementalAlterConfigs from './44-incremental-alter-configs.js';
import createPartitions from './37-create-partitions.js';
import describeCluster from './60-describe-cluster.js';
import describeQuorum from './55-describe-quorum.js';
import electLeaders from './43-elect-leaders.js';
import describeLogDirs from './35-describe-log-dirs.js';
import alterPartitionReassignments from './45-alter-partition-reassignments.js';
import listPartitionReassignments from './46-list-partition-reassignments.js';
import describeTopicPartitions from './75-describe-topic-partitions.js';
import describeAcls from './29-describe-acls.js';
import createAcls from './30-create-acls.js';
import deleteAcls from './31-delete-acls.js';
import describeProducers from './61-describe-producers.js';
import describeTransactions from './65-describe-transactions.js';
import listTransactions from './66-list-transactions.js';

export const HANDLERS: readonly AnyHandler[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  saslAuthenticate,
  describeUserScramCredentials,
  alterUserScramCredentials,
  describeClientQuotas,
  alterClientQuotas,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  txnOffsetCommit,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
  createPartitions,
  describeCluster,
  describeQuorum,
  electLeaders,
  describeLogDirs,
  alterPartitionReassignments,
  listPartitionReassignments,
  deleteGroups,
  offsetDelete,
  describeTopicPartitions,
  describeAcls,
  createAcls,
  deleteAcls,
  describeProducers,
  describeTransactions,
  listTransactions,
];
