/**
 * What kafka-cluster.sh, kafka-features.sh and kafka-metadata-quorum.sh ask a cluster: the
 * metadata quorum (DescribeQuorum, 55), the feature flags a broker advertises (ApiVersions v3's
 * tagged fields, as Kafka's Admin.describeFeatures reads them) and broker unregistration
 * (UnregisterBroker, 64).
 */
import { ApiVersions, DescribeQuorum, UnregisterBroker } from '../protocol/apis/index.js';
import { KafkaProtocolError } from '../protocol/errors.js';
import type { KafkaClient } from './client.js';

export const METADATA_TOPIC = '__cluster_metadata';

export interface ReplicaState {
  replicaId: number;
  /** The replica's metadata log directory id (v2), null when the broker has none to report. */
  directoryId: string | null;
  logEndOffset: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
}

export interface QuorumInfo {
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: ReplicaState[];
  observers: ReplicaState[];
  /** Voters' controller endpoints by node id (v2), as "LISTENER://host:port". */
  endpoints: Map<number, string[]>;
}

/** Kafka's Uuid.toString(): URL-safe base64 without padding; the all-zero id means none. */
function uuidString(b: Buffer | undefined): string | null {
  if (!b || b.every((x) => x === 0)) return null;
  return b.toString('base64url');
}

/** DescribeQuorum for `__cluster_metadata`-0, to any broker (brokers forward it to the controller). */
export async function describeQuorum(client: KafkaClient): Promise<QuorumInfo> {
  const { body } = await client.send('any', DescribeQuorum, { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] }] });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  const p = body.topics.find((t) => t.topicName === METADATA_TOPIC)?.partitions.find((x) => x.partitionIndex === 0);
  if (!p) throw new KafkaProtocolError(3, `The answer to DescribeQuorum has no ${METADATA_TOPIC}-0`);
  if (p.errorCode) throw new KafkaProtocolError(p.errorCode, p.errorMessage);
  const replica = (r: (typeof p.currentVoters)[number]): ReplicaState => ({
    replicaId: r.replicaId,
    directoryId: uuidString(r.replicaDirectoryId),
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp ?? -1,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp ?? -1,
  });
  const endpoints = new Map((body.nodes ?? []).map((n) => [n.nodeId, n.listeners.map((l) => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`)]));
  return { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: p.highWatermark, voters: p.currentVoters.map(replica), observers: p.observers.map(replica), endpoints };
}

export interface FeatureFlags {
  supported: { name: string; minVersion: number; maxVersion: number }[];
  finalized: Map<string, number>;
  /** The finalized features' epoch, null when the broker does not report one (-1). */
  epoch: number | null;
}

/** The feature flags a broker advertises in ApiVersions v3+ (none from older brokers). */
export async function describeFeatures(client: KafkaClient): Promise<FeatureFlags> {
  const { body, version } = await client.send('any', ApiVersions, (v) => (v >= 3 ? { clientSoftwareName: 'kafka-ts', clientSoftwareVersion: '0.1.0' } : {}));
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
  if (version < 3) return { supported: [], finalized: new Map(), epoch: null };
  return {
    supported: (body.supportedFeatures ?? []).map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
    finalized: new Map((body.finalizedFeatures ?? []).map((f) => [f.name, f.maxVersionLevel])),
    epoch: body.finalizedFeaturesEpoch === undefined || body.finalizedFeaturesEpoch < 0 ? null : body.finalizedFeaturesEpoch,
  };
}

/** UnregisterBroker, sent to the controller through any broker; false when the cluster lacks the API. */
export async function unregisterBroker(client: KafkaClient, brokerId: number): Promise<boolean> {
  if (!(await client.supports(UnregisterBroker))) return false;
  const { body } = await client.send('any', UnregisterBroker, { brokerId });
  if (body.errorCode) throw new KafkaProtocolError(body.errorCode, body.errorMessage);
  return true;
}
