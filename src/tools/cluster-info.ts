/**
 * The layouts of kafka-cluster.sh (cluster-id, unregister), kafka-features.sh describe and
 * kafka-metadata-quorum.sh describe (--status, --replication): each as its JSON data and its text
 * lines (the command makes them a view).
 */
import type { FeatureFlags, QuorumInfo, ReplicaState } from '../client/cluster-info.js';
import { FailedError } from '../util/errors.js';

export interface Rendering {
  data: unknown;
  text(): string[];
  /** Lines for stderr with the text layout. */
  warnings?(): string[];
}

export function clusterIdView(clusterId: string | null): Rendering {
  if (clusterId === null) throw new FailedError('No cluster ID found. The Kafka version is probably too old.');
  return { data: { clusterId }, text: () => [`Cluster ID: ${clusterId}`] };
}

export function unregisterView(brokerId: number, supported: boolean): Rendering {
  // kafka-cluster.sh prints the second line and exits 0; nothing was unregistered, so exit 1 here.
  if (!supported) throw new FailedError('The target cluster does not support the broker unregistration API.');
  return { data: { unregistered: brokerId }, text: () => [`Broker ${brokerId} is no longer registered.`] };
}

/**
 * metadata.version levels by release, as Kafka's MetadataVersion names them (levels 1-28, 3.0 to
 * 4.1); other features print their levels as numbers, as kafka-features.sh does.
 */
const METADATA_VERSIONS = [
  '3.0-IV0', '3.0-IV1', '3.1-IV0', '3.2-IV0', '3.3-IV0', '3.3-IV1', '3.3-IV2', '3.3-IV3', '3.4-IV0', '3.5-IV0',
  '3.5-IV1', '3.5-IV2', '3.6-IV0', '3.6-IV1', '3.6-IV2', '3.7-IV0', '3.7-IV1', '3.7-IV2', '3.7-IV3', '3.7-IV4',
  '3.8-IV0', '3.9-IV0', '4.0-IV0', '4.0-IV1', '4.0-IV2', '4.0-IV3', '4.1-IV0', '4.1-IV1',
];

export function levelName(feature: string, level: number): string {
  if (feature !== 'metadata.version') return String(level);
  return METADATA_VERSIONS[level - 1] ?? `UNKNOWN ${level}`;
}

/** kafka-features.sh describe: one tab-separated line per supported feature, sorted by name. */
export function featuresView(f: FeatureFlags): Rendering {
  const rows = [...f.supported]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((s) => ({ feature: s.name, supportedMinVersion: s.minVersion, supportedMaxVersion: s.maxVersion, finalizedVersionLevel: f.finalized.get(s.name) ?? 0 }));
  return {
    data: { features: rows, epoch: f.epoch },
    text: () =>
      rows.map(
        (r) =>
          `Feature: ${r.feature}\tSupportedMinVersion: ${levelName(r.feature, r.supportedMinVersion)}\tSupportedMaxVersion: ${levelName(r.feature, r.supportedMaxVersion)}\tFinalizedVersionLevel: ${levelName(r.feature, r.finalizedVersionLevel)}\tEpoch: ${f.epoch ?? '-'}`,
      ),
    warnings: () => (rows.length === 0 ? ['The broker advertises no feature flags.'] : []),
  };
}

/** Kafka's voter/observer rendering: {"id": 1, "directoryId": "…", "endpoints": ["CONTROLLER://h:9093"]}. */
function replicaString(q: QuorumInfo, r: ReplicaState): string {
  const endpoints = q.endpoints.get(r.replicaId) ?? [];
  return `{"id": ${r.replicaId}${r.directoryId ? `, "directoryId": "${r.directoryId}"` : ''}${endpoints.length ? `, "endpoints": [${endpoints.map((e) => `"${e}"`).join(', ')}]` : ''}}`;
}

const leaderOf = (q: QuorumInfo): ReplicaState => {
  const leader = q.voters.find((v) => v.replicaId === q.leaderId);
  if (!leader) throw new FailedError(`The metadata quorum has no leader among its voters (leader id ${q.leaderId})`);
  return leader;
};

/** kafka-metadata-quorum.sh describe --status. */
export function quorumStatusView(clusterId: string | null, q: QuorumInfo): Rendering {
  const leader = leaderOf(q);
  const laggiest = q.voters.reduce((a, b) => (b.logEndOffset < a.logEndOffset ? b : a), leader);
  const maxFollowerLag = leader.logEndOffset - laggiest.logEndOffset;
  const maxFollowerLagTimeMs =
    laggiest === leader ? 0 : leader.lastCaughtUpTimestamp >= 0 && laggiest.lastCaughtUpTimestamp >= 0 ? leader.lastCaughtUpTimestamp - laggiest.lastCaughtUpTimestamp : -1;
  const rows: [string, string | number][] = [
    ['ClusterId', clusterId ?? 'null'],
    ['LeaderId', q.leaderId],
    ['LeaderEpoch', q.leaderEpoch],
    ['HighWatermark', q.highWatermark],
    ['MaxFollowerLag', maxFollowerLag],
    ['MaxFollowerLagTimeMs', maxFollowerLagTimeMs],
    ['CurrentVoters', `[${q.voters.map((v) => replicaString(q, v)).join(', ')}]`],
    ['CurrentObservers', `[${q.observers.map((v) => replicaString(q, v)).join(', ')}]`],
  ];
  const node = (r: ReplicaState) => ({ id: r.replicaId, directoryId: r.directoryId, endpoints: q.endpoints.get(r.replicaId) ?? [] });
  return {
    data: { clusterId, leaderId: q.leaderId, leaderEpoch: q.leaderEpoch, highWatermark: q.highWatermark, maxFollowerLag, maxFollowerLagTimeMs, currentVoters: q.voters.map(node), currentObservers: q.observers.map(node) },
    text: () => rows.map(([k, v]) => `${`${k}:`.padEnd(24)}${v}`),
  };
}

/** The directory id column: Kafka prints the all-zero Uuid when a replica reports none. */
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** kafka-metadata-quorum.sh describe --replication [--human-readable]: Kafka's tab-separated table. */
export function quorumReplicationView(q: QuorumInfo, humanReadable: boolean, now = Date.now()): Rendering {
  const leader = leaderOf(q);
  const ordered: [ReplicaState, string][] = [
    [leader, 'Leader'],
    ...q.voters.filter((v) => v.replicaId !== q.leaderId).map((v): [ReplicaState, string] => [v, 'Follower']),
    ...q.observers.map((v): [ReplicaState, string] => [v, 'Observer']),
  ];
  const time = (t: number) => (t < 0 ? '-1' : humanReadable ? `${Math.max(0, now - t)} ms ago` : String(t));
  const rows = ordered.map(([r, status]) => ({
    nodeId: r.replicaId,
    directoryId: r.directoryId,
    logEndOffset: r.logEndOffset,
    lag: leader.logEndOffset - r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
    status,
  }));
  const header = ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'];
  const cells = rows.map((r) => [String(r.nodeId), r.directoryId ?? ZERO_UUID, String(r.logEndOffset), String(r.lag), time(r.lastFetchTimestamp), time(r.lastCaughtUpTimestamp), r.status]);
  return {
    data: { replicas: rows },
    text: () => {
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
      // Kafka's ToolsUtils.prettyPrintTable: each cell padded to its column's width, then a tab.
      return [header, ...cells].map((row) => row.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join(''));
    },
  };
}
