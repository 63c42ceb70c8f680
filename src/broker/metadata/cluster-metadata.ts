/**
 * The cluster's metadata: cluster id, topics with their ids, configs and partition state
 * (replicas, ISR, leader, leader epoch, ongoing reassignment), dynamic broker configs and the
 * producer-id counter. Kafka keeps this in its KRaft metadata log; kafka-ts keeps one JSON
 * document written atomically after every change (`meta/cluster.json`).
 *
 * Changes are announced to listeners so that each logical broker can create, delete, lead or
 * follow its replicas.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AclBinding } from '../../protocol/acls.js';
import { toBase64Url } from '../../util/ids.js';

export type { AclBinding };
import { randomUuid } from '../../util/random-id.js';

export interface PartitionState {
  replicas: number[];
  isr: number[];
  /** -1 when the partition has no leader. */
  leader: number;
  leaderEpoch: number;
  /** Incremented on every ISR or replica-set change (Kafka's partition epoch). */
  partitionEpoch: number;
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface TopicState {
  name: string;
  id: Buffer;
  internal: boolean;
  configs: Record<string, string>;
  partitions: PartitionState[];
}

export type MetadataEvent =
  | { type: 'topic-created'; topic: TopicState }
  | { type: 'topic-deleted'; topic: TopicState }
  | { type: 'partitions-changed'; topic: TopicState; partitions: number[] }
  | { type: 'configs-changed'; topic: TopicState | null; brokerId?: number }
  | { type: 'scram-changed'; user: string }
  | { type: 'acls-changed' };

/** A user's SCRAM credential for one mechanism, as Kafka stores it: salted, never the password. */
export interface ScramCredential {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  iterations: number;
  /** base64 */
  salt: string;
  /** base64: H(HMAC(SaltedPassword, "Client Key")) */
  storedKey: string;
  /** base64: HMAC(SaltedPassword, "Server Key") */
  serverKey: string;
}


interface Persisted {
  version: 1;
  clusterId: string;
  nextProducerId: number;
  brokerConfigs: Record<string, Record<string, string>>;
  scramCredentials?: Record<string, ScramCredential[]>;
  acls?: AclBinding[];
  topics: {
    name: string;
    id: string;
    internal: boolean;
    configs: Record<string, string>;
    partitions: PartitionState[];
  }[];
}

export class ClusterMetadata {
  clusterId: string;
  nextProducerId = 0;
  /** Dynamic broker configs by broker id ('' is the cluster-wide default). */
  brokerConfigs: Record<string, Record<string, string>> = {};
  /** SCRAM credentials by user name (AlterUserScramCredentials). */
  private scram: Record<string, ScramCredential[]> = {};
  /** Every ACL (CreateAcls / DeleteAcls). */
  private aclList: AclBinding[] = [];
  private readonly topics = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly listeners = new Set<(e: MetadataEvent) => void>();

  private constructor(private readonly path: string | null) {
    this.clusterId = toBase64Url(randomUuid());
  }

  /** Loads the metadata file, or starts a new cluster when there is none. */
  static open(path: string | null): ClusterMetadata {
    const md = new ClusterMetadata(path);
    if (path && existsSync(path)) {
      const data = JSON.parse(readFileSync(path, 'utf8')) as Persisted;
      md.clusterId = data.clusterId;
      md.nextProducerId = data.nextProducerId ?? 0;
      md.brokerConfigs = data.brokerConfigs ?? {};
      md.scram = data.scramCredentials ?? {};
      md.aclList = data.acls ?? [];
      for (const t of data.topics) {
        md.add({ name: t.name, id: Buffer.from(t.id, 'base64url'), internal: t.internal, configs: t.configs, partitions: t.partitions });
      }
    } else md.save();
    return md;
  }

  private add(t: TopicState) {
    this.topics.set(t.name, t);
    this.byId.set(t.id.toString('hex'), t);
  }

  save(): void {
    if (!this.path) return;
    const data: Persisted = {
      version: 1,
      clusterId: this.clusterId,
      nextProducerId: this.nextProducerId,
      brokerConfigs: this.brokerConfigs,
      scramCredentials: this.scram,
      acls: this.aclList,
      topics: [...this.topics.values()].map((t) => ({ ...t, id: toBase64Url(t.id) })),
    };
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.path);
  }

  onChange(listener: (e: MetadataEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: MetadataEvent) {
    for (const l of this.listeners) l(e);
  }

  topic(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  topicById(id: Buffer): TopicState | undefined {
    return this.byId.get(id.toString('hex'));
  }

  /** All topics sorted by name. */
  allTopics(): TopicState[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createTopic(name: string, assignment: number[][], configs: Record<string, string>, internal = false): TopicState {
    let id = randomUuid();
    while (this.byId.has(id.toString('hex'))) id = randomUuid();
    const topic: TopicState = {
      name,
      id,
      internal,
      configs,
      partitions: assignment.map(newPartition),
    };
    this.add(topic);
    this.save();
    this.emit({ type: 'topic-created', topic });
    return topic;
  }

  deleteTopic(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    this.topics.delete(name);
    this.byId.delete(t.id.toString('hex'));
    this.save();
    this.emit({ type: 'topic-deleted', topic: t });
  }

  addPartitions(name: string, assignment: number[][]): void {
    const t = this.topics.get(name)!;
    const first = t.partitions.length;
    for (const replicas of assignment) t.partitions.push(newPartition(replicas));
    this.save();
    this.emit({ type: 'partitions-changed', topic: t, partitions: assignment.map((_, i) => first + i) });
  }

  /** Applies a change to some partitions of a topic, persists it and announces it. */
  updatePartitions(name: string, change: (t: TopicState) => number[]): void {
    const t = this.topics.get(name);
    if (!t) return;
    const changed = change(t);
    if (changed.length === 0) return;
    this.save();
    this.emit({ type: 'partitions-changed', topic: t, partitions: changed });
  }

  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const t = this.topics.get(name)!;
    t.configs = configs;
    this.save();
    this.emit({ type: 'configs-changed', topic: t });
  }

  setBrokerConfigs(brokerId: string, configs: Record<string, string>): void {
    if (Object.keys(configs).length === 0) delete this.brokerConfigs[brokerId];
    else this.brokerConfigs[brokerId] = configs;
    this.save();
    this.emit({ type: 'configs-changed', topic: null, brokerId: brokerId === '' ? -1 : Number(brokerId) });
  }

  scramCredentials(user: string): readonly ScramCredential[] {
    return this.scram[user] ?? [];
  }

  scramUsers(): string[] {
    return Object.keys(this.scram);
  }

  /** Replaces a user's credentials (an empty list removes the user). */
  setScramCredentials(user: string, credentials: ScramCredential[]): void {
    if (credentials.length === 0) delete this.scram[user];
    else this.scram[user] = credentials;
    this.save();
    this.emit({ type: 'scram-changed', user });
  }

  acls(): readonly AclBinding[] {
    return this.aclList;
  }

  /** Replaces the whole ACL list (CreateAcls and DeleteAcls compute the new list). */
  setAcls(acls: AclBinding[]): void {
    this.aclList = acls;
    this.save();
    this.emit({ type: 'acls-changed' });
  }

  allocateProducerId(): number {
    const id = this.nextProducerId++;
    this.save();
    return id;
  }
}

/** A new partition: every replica in sync, the first one leads. */
function newPartition(replicas: readonly number[]): PartitionState {
  return {
    replicas: [...replicas],
    isr: [...replicas],
    leader: replicas[0] ?? -1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    addingReplicas: [],
    removingReplicas: [],
  };
}
