/**
 * kafka-ts broker-api-versions (kafka-broker-api-versions.sh): every broker's advertised API
 * version ranges, each with what this tool's own client would use ([usable: N]), in Kafka's layout.
 */
import type { Admin } from '../client/admin.js';
import type { BrokerInfo, KafkaClient } from '../client/client.js';
import { brokerApiVersions, type ApiVersionRange } from '../client/broker-info.js';
import { CLIENT_VERSIONS } from '../client/versions.js';

/** Kafka's API names by key (the protocol message names without "Request"). */
const NAMES = (
  'Produce Fetch ListOffsets Metadata LeaderAndIsr StopReplica UpdateMetadata ControlledShutdown OffsetCommit OffsetFetch FindCoordinator JoinGroup Heartbeat LeaveGroup SyncGroup ' +
  'DescribeGroups ListGroups SaslHandshake ApiVersions CreateTopics DeleteTopics DeleteRecords InitProducerId OffsetForLeaderEpoch AddPartitionsToTxn AddOffsetsToTxn EndTxn ' +
  'WriteTxnMarkers TxnOffsetCommit DescribeAcls CreateAcls DeleteAcls DescribeConfigs AlterConfigs AlterReplicaLogDirs DescribeLogDirs SaslAuthenticate CreatePartitions ' +
  'CreateDelegationToken RenewDelegationToken ExpireDelegationToken DescribeDelegationToken DeleteGroups ElectLeaders IncrementalAlterConfigs AlterPartitionReassignments ' +
  'ListPartitionReassignments OffsetDelete DescribeClientQuotas AlterClientQuotas DescribeUserScramCredentials AlterUserScramCredentials Vote BeginQuorumEpoch EndQuorumEpoch ' +
  'DescribeQuorum AlterPartition UpdateFeatures Envelope FetchSnapshot DescribeCluster DescribeProducers BrokerRegistration BrokerHeartbeat UnregisterBroker DescribeTransactions ' +
  'ListTransactions AllocateProducerIds ConsumerGroupHeartbeat ConsumerGroupDescribe ControllerRegistration GetTelemetrySubscriptions PushTelemetry AssignReplicasToDirs ' +
  'ListClientMetricsResources DescribeTopicPartitions ShareGroupHeartbeat ShareGroupDescribe ShareFetch ShareAcknowledge AddRaftVoter RemoveRaftVoter UpdateRaftVoter ' +
  'InitializeShareGroupState ReadShareGroupState WriteShareGroupState DeleteShareGroupState ReadShareGroupStateSummary'
).split(' ');

export const apiName = (key: number): string | undefined => NAMES[key];

export interface ApiEntry {
  apiKey: number;
  name: string | null;
  minVersion: number | null;
  maxVersion: number | null;
  /** The version this tool's client would use; null when it cannot use the API. */
  usable: number | null;
  /** usable; unsupported (the client knows it, the broker lacks it); node too new / node too old; unknown (a key without a name); not implemented (kafka-ts's client has no use for it). */
  status: 'usable' | 'unsupported' | 'node too new' | 'node too old' | 'unknown' | 'not implemented';
}

/** One broker's ranges against the client's, sorted by key, with the client's APIs the broker lacks. */
export function compareVersions(ranges: ApiVersionRange[]): ApiEntry[] {
  const byKey = new Map(ranges.map((r) => [r.apiKey, r]));
  const keys = [...new Set([...byKey.keys(), ...Object.keys(CLIENT_VERSIONS).map(Number)])].sort((a, b) => a - b);
  return keys.map((apiKey): ApiEntry => {
    const name = NAMES[apiKey] ?? null;
    const theirs = byKey.get(apiKey);
    const ours = CLIENT_VERSIONS[apiKey];
    if (!theirs) return { apiKey, name, minVersion: null, maxVersion: null, usable: null, status: 'unsupported' };
    const base = { apiKey, name, minVersion: theirs.minVersion, maxVersion: theirs.maxVersion };
    if (name === null) return { ...base, usable: null, status: 'unknown' };
    if (!ours) return { ...base, usable: null, status: 'not implemented' };
    if (ours[1] < theirs.minVersion) return { ...base, usable: null, status: 'node too new' };
    if (theirs.maxVersion < ours[0]) return { ...base, usable: null, status: 'node too old' };
    return { ...base, usable: Math.min(ours[1], theirs.maxVersion), status: 'usable' };
  });
}

/** Kafka's text of one entry: `Produce(0): 0 to 11 [usable: 11]`. */
export function entryText(e: ApiEntry): string {
  const head = e.name === null ? `UNKNOWN(${e.apiKey})` : `${e.name}(${e.apiKey})`;
  if (e.status === 'unsupported') return `${head}: UNSUPPORTED`;
  const range = e.minVersion === e.maxVersion ? `${e.minVersion}` : `${e.minVersion} to ${e.maxVersion}`;
  const note = e.status === 'usable' ? ` [usable: ${e.usable}]` : e.status === 'node too new' || e.status === 'node too old' ? ` [unusable: ${e.status}]` : '';
  return `${head}: ${range}${note}`;
}

export interface BrokerVersions {
  broker: BrokerInfo;
  apis: ApiEntry[] | null;
  error: string | null;
}

/**
 * Kafka's rendering of a node: `host:port (id: 1 rack: null isFenced: false)`. A broker of the
 * local daemon reached over its Unix socket (no --bootstrap-server) has a socket path for a host:
 * `unix:///path/broker-1.sock`, as the other tools name the daemon's sockets.
 */
export const nodeText = (b: BrokerInfo): string => `${b.host.startsWith('/') ? `unix://${b.host}` : `${b.host}:${b.port}`} (id: ${b.nodeId} rack: ${b.rack ?? 'null'} isFenced: false)`;

/** Every broker of the cluster (by id), asked on its own connection; a broker that fails is reported as such. */
export async function brokersApiVersions(admin: Admin, client: KafkaClient): Promise<BrokerVersions[]> {
  const brokers = (await admin.describeCluster()).brokers.sort((a, b) => a.nodeId - b.nodeId);
  return Promise.all(
    brokers.map(async (broker) => {
      try {
        return { broker, apis: compareVersions(await brokerApiVersions(client, broker.nodeId)), error: null };
      } catch (e) {
        return { broker, apis: null, error: (e as Error).message };
      }
    }),
  );
}

export function apiVersionsView(list: BrokerVersions[]) {
  return {
    data: { brokers: list.map((b) => ({ id: b.broker.nodeId, host: b.broker.host, port: b.broker.port, rack: b.broker.rack, apis: b.apis, error: b.error })) },
    text: () => list.map((b) => `${nodeText(b.broker)} -> ${b.apis ? `(\n\t${b.apis.map(entryText).join(',\n\t')}\n)` : `ERROR: ${b.error}`}\n`).join(''),
    exit: list.some((b) => b.error) ? ('Failure' as const) : ('Ok' as const),
  };
}
