/**
 * Broker-level configs for DescribeConfigs/AlterConfigs: the static values the daemon started
 * with and the dynamic values set through the admin API (replication throttles and the like).
 */
import type { BrokerConfig } from '../config.js';
import { ConfigSource, ConfigType } from '../../protocol/topic-configs.js';
import type { ResolvedConfig } from './topic-configs.js';

type Getter = (c: BrokerConfig) => string;
const STATIC: [string, keyof typeof ConfigType, Getter][] = [
  ['node.id', 'INT', (c) => String(c.nodeId)],
  ['broker.id', 'INT', (c) => String(c.nodeId)],
  ['log.dirs', 'STRING', (c) => c.logDirs],
  ['num.partitions', 'INT', (c) => String(c.numPartitions)],
  ['default.replication.factor', 'INT', (c) => String(c.defaultReplicationFactor)],
  ['auto.create.topics.enable', 'BOOLEAN', (c) => String(c.autoCreateTopics)],
  ['delete.topic.enable', 'BOOLEAN', (c) => String(c.deleteTopicEnable)],
  ['message.max.bytes', 'INT', (c) => String(c.messageMaxBytes)],
  ['socket.request.max.bytes', 'INT', (c) => String(c.socketRequestMaxBytes)],
  ['log.segment.bytes', 'INT', (c) => String(c.logSegmentBytes)],
  ['log.roll.ms', 'LONG', (c) => String(c.logRollMs)],
  ['log.retention.ms', 'LONG', (c) => String(c.logRetentionMs)],
  ['log.retention.bytes', 'LONG', (c) => String(c.logRetentionBytes)],
  ['log.index.interval.bytes', 'INT', (c) => String(c.logIndexIntervalBytes)],
  ['log.retention.check.interval.ms', 'LONG', (c) => String(c.logRetentionCheckIntervalMs)],
  ['log.cleanup.policy', 'LIST', (c) => c.logCleanupPolicy],
  ['log.cleaner.enable', 'BOOLEAN', (c) => String(c.logCleanerEnable)],
  ['log.cleaner.backoff.ms', 'LONG', (c) => String(c.logCleanerBackoffMs)],
  ['producer.id.expiration.ms', 'INT', (c) => String(c.producerIdExpirationMs)],
  ['compression.type', 'STRING', (c) => c.compressionType],
  ['min.insync.replicas', 'INT', (c) => String(c.minInsyncReplicas)],
  ['unclean.leader.election.enable', 'BOOLEAN', (c) => String(c.uncleanLeaderElection)],
  ['replica.lag.time.max.ms', 'LONG', (c) => String(c.replicaLagTimeMaxMs)],
  ['replica.fetch.max.bytes', 'INT', (c) => String(c.replicaFetchMaxBytes)],
  ['replica.fetch.response.max.bytes', 'INT', (c) => String(c.replicaFetchResponseMaxBytes)],
  ['replica.fetch.wait.max.ms', 'INT', (c) => String(c.replicaFetchWaitMaxMs)],
  ['replica.fetch.backoff.ms', 'INT', (c) => String(c.replicaFetchBackoffMs)],
  ['auto.leader.rebalance.enable', 'BOOLEAN', (c) => String(c.autoLeaderRebalanceEnable)],
  ['leader.imbalance.check.interval.seconds', 'LONG', (c) => String(Math.round(c.leaderImbalanceCheckIntervalMs / 1000))],
  ['leader.imbalance.per.broker.percentage', 'INT', (c) => String(c.leaderImbalancePerBrokerPercentage)],
  ['offsets.topic.num.partitions', 'INT', (c) => String(c.offsetsTopicNumPartitions)],
  ['offsets.topic.segment.bytes', 'INT', (c) => String(c.offsetsTopicSegmentBytes)],
  ['offsets.retention.minutes', 'INT', (c) => String(Math.round(c.offsetsRetentionMs / 60000))],
  ['offset.metadata.max.bytes', 'INT', (c) => String(c.offsetMetadataMaxBytes)],
  ['group.initial.rebalance.delay.ms', 'INT', (c) => String(c.groupInitialRebalanceDelayMs)],
  ['group.min.session.timeout.ms', 'INT', (c) => String(c.groupMinSessionTimeoutMs)],
  ['group.max.session.timeout.ms', 'INT', (c) => String(c.groupMaxSessionTimeoutMs)],
  ['group.max.size', 'INT', (c) => String(c.groupMaxSize)],
  // Transactions (issue 16).
  ['transaction.state.log.num.partitions', 'INT', (c) => String(c.transactionStateLogNumPartitions)],
  ['transaction.state.log.replication.factor', 'SHORT', (c) => String(c.transactionStateLogReplicationFactor)],
  ['transaction.state.log.min.isr', 'INT', (c) => String(c.transactionStateLogMinIsr)],
  ['transaction.state.log.segment.bytes', 'INT', (c) => String(c.transactionStateLogSegmentBytes)],
  ['transaction.max.timeout.ms', 'INT', (c) => String(c.transactionMaxTimeoutMs)],
  ['transaction.abort.timed.out.transaction.cleanup.interval.ms', 'INT', (c) => String(c.transactionAbortTimedOutTransactionCleanupIntervalMs)],
  ['transactional.id.expiration.ms', 'INT', (c) => String(c.transactionalIdExpirationMs)],
  ['transaction.remove.expired.transaction.cleanup.interval.ms', 'INT', (c) => String(c.transactionRemoveExpiredTransactionCleanupIntervalMs)],
];

/** Broker configs that can be changed at run time through the admin API. */
export const DYNAMIC_BROKER_CONFIGS: Record<string, keyof typeof ConfigType> = {
  'leader.replication.throttled.rate': 'LONG',
  'follower.replication.throttled.rate': 'LONG',
  'replica.alter.log.dirs.io.max.bytes.per.second': 'LONG',
};

const DEFAULT_RATE = '9223372036854775807';

export function resolveBrokerConfigs(
  config: BrokerConfig,
  dynamic: Record<string, string>,
  clusterDefaults: Record<string, string>,
): ResolvedConfig[] {
  const out: ResolvedConfig[] = STATIC.map(([name, type, get]) => {
    const value = get(config);
    const source = config.explicit[name] !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
    return { name, value, source, type: ConfigType[type], synonyms: [{ name, value, source }] };
  });
  for (const [name, type] of Object.entries(DYNAMIC_BROKER_CONFIGS)) {
    const synonyms: ResolvedConfig['synonyms'] = [];
    if (dynamic[name] !== undefined) synonyms.push({ name, value: dynamic[name]!, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    if (clusterDefaults[name] !== undefined) synonyms.push({ name, value: clusterDefaults[name]!, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    synonyms.push({ name, value: DEFAULT_RATE, source: ConfigSource.DEFAULT_CONFIG });
    out.push({ name, value: synonyms[0]!.value, source: synonyms[0]!.source, type: ConfigType[type], synonyms });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
