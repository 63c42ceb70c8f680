/**
 * The API versions the kafka-ts client implements, [min, max] by API key. The client uses the
 * highest version both sides support. Minimums stay low enough for Kafka 2.x brokers; maximums
 * are the versions whose semantics the client code handles.
 */
export const CLIENT_VERSIONS: Readonly<Record<number, readonly [number, number]>> = {
  0: [3, 9], // Produce
  1: [4, 12], // Fetch (by topic name)
  2: [1, 9], // ListOffsets (v7 max timestamp, v8 earliest local, v9 latest tiered)
  3: [1, 12], // Metadata
  8: [2, 8], // OffsetCommit
  9: [1, 7], // OffsetFetch
  10: [0, 3], // FindCoordinator
  11: [2, 7], // JoinGroup
  12: [0, 4], // Heartbeat
  13: [0, 4], // LeaveGroup
  14: [0, 5], // SyncGroup
  15: [0, 5], // DescribeGroups
  16: [0, 4], // ListGroups
  17: [1, 1], // SaslHandshake (SASL connections, right after ApiVersions; never v0's raw framing)
  18: [0, 3], // ApiVersions
  19: [2, 7], // CreateTopics
  20: [1, 6], // DeleteTopics
  21: [0, 2], // DeleteRecords
  22: [0, 4], // InitProducerId (idempotent and transactional producers; v3+ epoch bump)
  24: [0, 3], // AddPartitionsToTxn (v4+ is the broker-to-broker batched form)
  25: [0, 3], // AddOffsetsToTxn
  26: [0, 3], // EndTxn
  27: [0, 1], // WriteTxnMarkers (broker to broker; tests)
  28: [0, 3], // TxnOffsetCommit
  29: [1, 3], // DescribeAcls (v1+: pattern types)
  30: [1, 3], // CreateAcls
  31: [1, 3], // DeleteAcls
  32: [1, 4], // DescribeConfigs
  33: [0, 2], // AlterConfigs
  35: [0, 4], // DescribeLogDirs
  36: [0, 2], // SaslAuthenticate (SASL connections, and re-authentication: KIP-368)
  37: [0, 3], // CreatePartitions
  42: [0, 2], // DeleteGroups
  43: [0, 2], // ElectLeaders
  44: [0, 1], // IncrementalAlterConfigs
  45: [0, 0], // AlterPartitionReassignments
  46: [0, 0], // ListPartitionReassignments
  47: [0, 0], // OffsetDelete
  48: [0, 1], // DescribeClientQuotas
  49: [0, 1], // AlterClientQuotas
  50: [0, 0], // DescribeUserScramCredentials
  51: [0, 0], // AlterUserScramCredentials
  55: [0, 2], // DescribeQuorum
  60: [0, 1], // DescribeCluster
  64: [0, 0], // UnregisterBroker
  75: [0, 0], // DescribeTopicPartitions
  // Transaction admin (kafka-ts transactions): producers, transactions (abort: WriteTxnMarkers above).
  61: [0, 0], // DescribeProducers
  65: [0, 0], // DescribeTransactions
  66: [0, 1], // ListTransactions
};
