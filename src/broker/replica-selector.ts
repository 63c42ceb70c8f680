/**
 * Racks and follower fetching (KIP-392), from the daemon's properties:
 *   broker.rack             the rack of every logical broker (Kafka's per-broker setting; with one broker, its rack)
 *   kafka-ts.broker.racks   one rack per logical broker, in id order (`a,b,c` with --brokers 3): the
 *                           daemon's brokers share one properties file, so this says what each
 *                           broker's own broker.rack would; it wins over broker.rack
 *   replica.selector.class  empty (default: consumers fetch from the leader),
 *                           org.apache.kafka.common.replica.LeaderSelector (the same), or
 *                           org.apache.kafka.common.replica.RackAwareReplicaSelector: a leader
 *                           asked by a consumer with a rack id (Fetch v11+) answers with
 *                           preferred_read_replica, an in-sync replica in that rack
 * The values live in BrokerConfig.explicit; `rackSettings` reads and checks them.
 */
/** What the settings are read from (a BrokerConfig; not imported, config.ts imports this module). */
export interface RackConfigSource {
  explicit: Record<string, string>;
  brokerCount: number;
  nodeId: number;
}

export const BROKER_RACK_KEY = 'broker.rack';
export const BROKER_RACKS_KEY = 'kafka-ts.broker.racks';
export const REPLICA_SELECTOR_KEY = 'replica.selector.class';
export const RACK_KEYS = [BROKER_RACK_KEY, BROKER_RACKS_KEY, REPLICA_SELECTOR_KEY];

export const RACK_AWARE_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
export const LEADER_SELECTOR = 'org.apache.kafka.common.replica.LeaderSelector';

export interface RackSettings {
  /** Rack of each logical broker, by index (first broker = 0); null: no rack. */
  racks: (string | null)[];
  /** Whether consumers with a rack id are sent to a replica in their rack. */
  rackAware: boolean;
}

/** Reads and checks the settings; throws Error with a message naming the key. */
export function rackSettings(props: Record<string, string | undefined>, brokerCount = 1): RackSettings {
  const single = props[BROKER_RACK_KEY]?.trim();
  const listRaw = props[BROKER_RACKS_KEY];
  let list: string[] | null = null;
  if (listRaw !== undefined) {
    list = listRaw.split(',').map((r) => r.trim());
    if (list.some((r) => r === '')) throw new Error(`Invalid value ${listRaw} for configuration ${BROKER_RACKS_KEY}: expected one non-empty rack per broker, e.g. a,b,c`);
    if (list.length !== brokerCount) {
      throw new Error(`Invalid value ${listRaw} for configuration ${BROKER_RACKS_KEY}: ${list.length} rack(s) given for ${brokerCount} broker(s); give one per broker (kafka-ts.brokers / --brokers)`);
    }
  }
  const racks = Array.from({ length: brokerCount }, (_, i) => list?.[i] ?? (single ? single : null));
  const selector = (props[REPLICA_SELECTOR_KEY] ?? '').trim();
  if (selector !== '' && selector !== RACK_AWARE_SELECTOR && selector !== LEADER_SELECTOR) {
    throw new Error(`Invalid value ${selector} for configuration ${REPLICA_SELECTOR_KEY}: custom replica selectors are Java classes; kafka-ts supports ${RACK_AWARE_SELECTOR} and ${LEADER_SELECTOR} (or an empty value: fetch from the leader)`);
  }
  return { racks, rackAware: selector === RACK_AWARE_SELECTOR };
}

const cache = new WeakMap<RackConfigSource, RackSettings>();

/** The settings of a (validated) broker config. */
export function racksOf(config: RackConfigSource): RackSettings {
  let s = cache.get(config);
  if (!s) {
    s = rackSettings(config.explicit, config.brokerCount);
    cache.set(config, s);
  }
  return s;
}

/** A broker's rack (null: none). */
export function rackOf(config: RackConfigSource, brokerId: number): string | null {
  return racksOf(config).racks[brokerId - config.nodeId] ?? null;
}

/** One replica as the selector sees it (Kafka's ReplicaView). */
export interface ReplicaCandidate {
  id: number;
  rack: string | null;
  logEndOffset: number;
  /** When it was last caught up with the leader (ms since the epoch; the leader: now). */
  lastCaughtUpMs: number;
}

/**
 * Kafka's RackAwareReplicaSelector: with a client rack, the replicas in that rack; the leader
 * if it is one of them, else the most caught-up one (largest log end, then most recently caught
 * up). No rack, or no replica in it: the leader. Candidates are the leader and the live in-sync
 * followers that hold the fetch offset (the caller filters).
 */
export function selectReadReplica(clientRack: string, leader: ReplicaCandidate, followers: readonly ReplicaCandidate[]): number {
  if (clientRack === '') return leader.id;
  if (leader.rack === clientRack) return leader.id;
  const same = followers.filter((f) => f.rack === clientRack);
  if (same.length === 0) return leader.id;
  same.sort((a, b) => b.logEndOffset - a.logEndOffset || b.lastCaughtUpMs - a.lastCaughtUpMs || a.id - b.id);
  return same[0]!.id;
}
