/**
 * The cluster's metadata: cluster id, topics with their ids, configs and partition state
 * (replicas, ISR, leader, leader epoch, ongoing reassignment), dynamic broker configs, SCRAM
 * credentials, ACLs, client quotas and the producer-id counter.
 *
 * Kept as Kafka's KRaft controller keeps `__cluster_metadata`, simply (see metadata-log.ts): every
 * change is one record written to `meta/metadata.log` before it takes effect (a change the disk
 * refuses changes nothing) and fsync'd before any response goes out (`durable()`), with a snapshot (`meta/snapshot.json`) every
 * metadata.log.max.record.bytes.between.snapshots. A change costs the size of the change, not of
 * the cluster. A data directory from before (one `meta/cluster.json` rewritten on every change)
 * is migrated to a snapshot on first open.
 *
 * Changes are announced to listeners so that each logical broker can create, delete, lead or
 * follow its replicas.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { AclBinding } from '../../protocol/acls.js';
import { toBase64Url } from '../../util/ids.js';
import { silentLogger, type Logger } from '../../util/logger.js';

export type { AclBinding };
import { randomUuid } from '../../util/random-id.js';
import { MetadataLog, MetadataLogError, type SerializedSnapshot } from './metadata-log.js';

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
  /** `added`: new partitions (CreatePartitions), whose logs are created; else replicas moved or roles changed. */
  | { type: 'partitions-changed'; topic: TopicState; partitions: number[]; added?: boolean }
  | { type: 'configs-changed'; topic: TopicState | null; brokerId?: number }
  | { type: 'scram-changed'; user: string }
  | { type: 'acls-changed' }
  | { type: 'quotas-changed' };

/**
 * A client-quota entity as Kafka's QuotaRecord names it: entity type ('user', 'client-id', 'ip')
 * to name, null for the default entity (<default>).
 */
export type QuotaEntity = Record<string, string | null>;

/** One entity's client quotas (producer_byte_rate, …; connection_creation_rate for ips). */
export interface ClientQuotaEntry {
  entity: QuotaEntity;
  values: Record<string, number>;
}

/** The one key of an entity: its (type, name) pairs sorted by type. */
export const quotaEntityKey = (e: QuotaEntity): string => JSON.stringify(Object.keys(e).sort().map((t) => [t, e[t]]));

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

interface PersistedTopic {
  name: string;
  /** base64url */
  id: string;
  internal: boolean;
  configs: Record<string, string>;
  partitions: PartitionState[];
}

/** A snapshot (`meta/snapshot.json`, version 2) or a pre-log `meta/cluster.json` (version 1). */
interface Persisted {
  version: 1 | 2;
  /** The last metadata-log offset the snapshot includes (version 2). */
  offset?: number;
  clusterId: string;
  nextProducerId: number;
  brokerConfigs: Record<string, Record<string, string>>;
  scramCredentials?: Record<string, ScramCredential[]>;
  acls?: AclBinding[];
  clientQuotas?: ClientQuotaEntry[];
  topics: PersistedTopic[];
}

/**
 * One change, as appended to the metadata log. Each sets what it names to a value (it never
 * depends on the state it is applied to beyond the topic it names), so replaying one twice is
 * harmless. Records naming a topic carry its id: a record of a deleted topic does not touch a
 * later topic of the same name.
 */
export type MetadataRecord =
  | { type: 'cluster'; clusterId: string }
  | { type: 'topic'; topic: PersistedTopic }
  | { type: 'delete-topic'; name: string; id: string }
  /** Sets partitions by index (new ones from CreatePartitions, or leader/ISR/replica changes). */
  | { type: 'partitions'; name: string; id: string; partitions: Record<string, PartitionState> }
  | { type: 'topic-configs'; name: string; id: string; configs: Record<string, string> }
  /** An empty config map removes the broker's entry. */
  | { type: 'broker-configs'; broker: string; configs: Record<string, string> }
  /** Producer ids below `next` are handed out (Kafka's ProducerIdsRecord: blocks of 1000). */
  | { type: 'producer-ids'; next: number }
  /** An empty list removes the user. */
  | { type: 'scram'; user: string; credentials: ScramCredential[] }
  /** ACLs removed and added (or, when the order changed, the whole list). */
  | { type: 'acls'; remove: AclBinding[]; add: AclBinding[]; all?: AclBinding[] }
  /** One entity's client quotas, all of them (Kafka's QuotaRecord, per entity); none removes the entity. */
  | { type: 'client-quotas'; entity: QuotaEntity; values: Record<string, number> };

/** The topic a record changes, or '' for none. */
function topicOf(r: MetadataRecord): string {
  switch (r.type) {
    case 'topic':
      return r.topic.name;
    case 'delete-topic':
    case 'partitions':
    case 'topic-configs':
      return r.name;
    default:
      return '';
  }
}

/** The longest stretch of snapshot serialization between two yields to the event loop. */
const SNAPSHOT_SLICE_MS = 5;

/** Producer ids reserved per metadata record (Kafka's controller hands out blocks of 1000). */
const PRODUCER_ID_BLOCK = 1000;

/** Kafka's default for metadata.log.max.record.bytes.between.snapshots. */
export const DEFAULT_SNAPSHOT_BYTES = 20 * 1024 * 1024;

export interface MetadataOptions {
  log?: Logger;
  /** metadata.log.max.record.bytes.between.snapshots */
  snapshotBytes?: number;
  /** Snapshot serialization between yields to the event loop (default SNAPSHOT_SLICE_MS; tests: 0, one topic a turn). */
  snapshotSliceMs?: number;
}

const aclKey = (a: AclBinding) => `${a.resourceType}\u0000${a.resourceName}\u0000${a.patternType}\u0000${a.principal}\u0000${a.host}\u0000${a.operation}\u0000${a.permissionType}`;
/** Topics whose names differ only in '.' versus '_' collide in Kafka's metric names. */
const collisionKey = (name: string) => name.replace(/\./g, '_');
const clonePartition = (p: PartitionState): PartitionState => ({
  ...p,
  replicas: [...p.replicas],
  isr: [...p.isr],
  addingReplicas: [...p.addingReplicas],
  removingReplicas: [...p.removingReplicas],
});
const byName = (a: TopicState, b: TopicState) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class ClusterMetadata {
  clusterId: string;
  /** The next producer id to hand out. */
  nextProducerId = 0;
  /** Producer ids below this are recorded as handed out (a restart continues from here). */
  private reservedProducerIds = 0;
  /** Dynamic broker configs by broker id ('' is the cluster-wide default). */
  brokerConfigs: Record<string, Record<string, string>> = {};
  /** SCRAM credentials by user name (AlterUserScramCredentials). */
  private scram: Record<string, ScramCredential[]> = {};
  /** Every ACL (CreateAcls / DeleteAcls). */
  private aclList: AclBinding[] = [];
  /** Client quotas by quotaEntityKey (AlterClientQuotas). */
  private quotas = new Map<string, ClientQuotaEntry>();
  private readonly topics = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  private readonly byCollisionKey = new Map<string, TopicState>();
  /** allTopics(), sorted; rebuilt after a topic is created or deleted. */
  private sorted: TopicState[] | null = null;
  private readonly listeners = new Set<(e: MetadataEvent) => void>();
  private snapshotTimer: NodeJS.Immediate | null = null;
  /** An incremental snapshot being serialized: its topics not serialized yet, and those that are. */
  private snapshotting: { pending: Map<string, TopicState>; parts: string[] } | null = null;
  private snapshotSliceMs = SNAPSHOT_SLICE_MS;
  /** Partition replicas across all topics, kept as topics and partitions change. */
  private replicaCount = 0;

  /** The metadata was made at this start: a new cluster (brokers refuse log dirs of another: Broker.start). */
  created = false;

  /** A cluster made at this start whose brokers refused their log directories: it leaves nothing behind (MetadataLog.discardNewCluster). */
  discardNewCluster(): void {
    if (this.created) this.store?.discardNewCluster();
  }

  /** Whether the metadata is kept on disk (not only in memory): only then does the cluster id last. */
  get persistent(): boolean {
    return this.store !== null;
  }

  private constructor(private readonly store: MetadataLog | null) {
    this.clusterId = toBase64Url(randomUuid());
  }

  /**
   * Loads the metadata from `dir` (`meta/` of the data directory): snapshot, then log; or
   * migrates a `cluster.json` written by an older kafka-ts; or starts a new cluster. Without a
   * directory the metadata lives in memory only.
   */
  static open(dir: string | null, opts: MetadataOptions = {}): ClusterMetadata {
    const log = opts.log ?? silentLogger;
    if (!dir) return new ClusterMetadata(null);
    const store = new MetadataLog(dir, log, opts.snapshotBytes ?? DEFAULT_SNAPSHOT_BYTES);
    const md = new ClusterMetadata(store);
    md.snapshotSliceMs = opts.snapshotSliceMs ?? SNAPSHOT_SLICE_MS;
    const loaded = store.load<Persisted & { offset: number }>();
    const legacy = join(dir, 'cluster.json');
    if (loaded.snapshot) md.restore(loaded.snapshot);
    else if (loaded.records.length === 0 && existsSync(legacy)) {
      let data: Persisted;
      try {
        data = JSON.parse(readFileSync(legacy, 'utf8')) as Persisted;
      } catch (e) {
        throw new MetadataLogError(`The cluster metadata ${legacy} cannot be read: ${(e as Error).message}`);
      }
      md.restore(data);
      store.snapshotSync(md.serialize(store.lastOffset));
      renameSync(legacy, `${legacy}.migrated`);
      log.info(`Migrated the cluster metadata of ${legacy} (${md.topics.size} topic(s)) to ${join(dir, 'snapshot.json')}; the old file is kept as cluster.json.migrated`);
    } else if (loaded.records.length === 0) {
      // A new cluster: its id is the log's first record.
      store.append([{ type: 'cluster', clusterId: md.clusterId }]);
      md.created = true;
    }
    for (const r of loaded.records) md.apply(r as unknown as MetadataRecord);
    // A snapshot interrupted by a crash: finish it now, from the state just loaded.
    if (store.hasPreviousLog) store.snapshotSync(md.serialize(store.lastOffset));
    return md;
  }

  /** Waits for a snapshot being written and closes the metadata log. */
  async close(): Promise<void> {
    if (this.snapshotTimer) clearImmediate(this.snapshotTimer);
    this.snapshotTimer = null;
    await this.store?.close();
  }

  /**
   * Resolves once every change made so far is fsync'd to the metadata log, or null when they all
   * are: requests are answered only after it (group commit). Rejects when the fsync fails.
   */
  durable(): Promise<void> | null {
    return this.store?.durable() ?? null;
  }

  /** Records appended by an in-memory cluster (tests), which has no log to count them. */
  private memoryOffset = 0;

  /** The offset the next metadata record gets: the quorum's high watermark (DescribeQuorum). */
  get logEndOffset(): number {
    return this.store ? this.store.lastOffset + 1 : this.memoryOffset;
  }

  /** The last snapshot's offset, size and cost (null before the first one of this process). */
  get lastSnapshot(): MetadataLog['lastSnapshot'] {
    return this.store?.lastSnapshot ?? null;
  }

  private restore(data: Persisted) {
    this.clusterId = data.clusterId;
    this.nextProducerId = this.reservedProducerIds = data.nextProducerId ?? 0;
    this.brokerConfigs = data.brokerConfigs ?? {};
    this.scram = data.scramCredentials ?? {};
    this.aclList = data.acls ?? [];
    this.quotas = new Map((data.clientQuotas ?? []).map((q) => [quotaEntityKey(q.entity), q]));
    for (const t of data.topics) this.add(fromPersisted(t));
  }

  /**
   * The whole state as a snapshot including offset `offset`, serialized a few milliseconds at a
   * time (SNAPSHOT_SLICE_MS) between turns of the event loop. Everything but the topics is
   * serialized at once; topics not serialized yet are held in `snapshotting`, and a change to one
   * of them (a record naming it, or updatePartitions about to change it in place) serializes it
   * first, as it was. Topics created meanwhile are after `offset` and not in it.
   */
  private async serializeInSlices(offset: number): Promise<SerializedSnapshot> {
    const pending = new Map(this.topics);
    const parts: string[] = [];
    const head = this.serializeHead(offset);
    this.snapshotting = { pending, parts };
    let longestSliceMs = 0;
    let slices = 0;
    try {
      for (;;) {
        const t0 = performance.now();
        slices++;
        for (const [name, t] of pending) {
          pending.delete(name);
          parts.push(JSON.stringify(toPersisted(t)));
          if (performance.now() - t0 >= this.snapshotSliceMs) break;
        }
        longestSliceMs = Math.max(longestSliceMs, performance.now() - t0);
        if (pending.size === 0) break;
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.snapshotting = null;
    }
    const t0 = performance.now();
    // The head is a JSON object without topics: they go in before its closing brace.
    const text = `${head.slice(0, -1)},"topics":[${parts.join(',')}]}`;
    longestSliceMs = Math.max(longestSliceMs, performance.now() - t0);
    return { text, longestSliceMs, slices };
  }

  /** Serializes a topic an incremental snapshot has not reached yet, before it changes. */
  private beforeTopicChange(name: string) {
    const s = this.snapshotting;
    const t = s?.pending.get(name);
    if (!s || !t) return;
    s.pending.delete(name);
    s.parts.push(JSON.stringify(toPersisted(t)));
  }

  /** The snapshot's fields other than topics. */
  private persistedHead(offset: number): Omit<Persisted, 'topics'> {
    return {
      version: 2,
      offset,
      clusterId: this.clusterId,
      nextProducerId: this.reservedProducerIds,
      brokerConfigs: this.brokerConfigs,
      scramCredentials: this.scram,
      acls: this.aclList,
      clientQuotas: [...this.quotas.values()],
    };
  }

  /** The snapshot's fields other than topics, as JSON. */
  private serializeHead(offset: number): string {
    return JSON.stringify(this.persistedHead(offset));
  }

  /** The whole state as a snapshot including offset `offset`, at once (start-up). */
  private serialize(offset: number): string {
    const data: Persisted = { ...this.persistedHead(offset), topics: [...this.topics.values()].map(toPersisted) };
    return JSON.stringify(data);
  }

  /** Replays one record (opening). */
  private apply(r: MetadataRecord) {
    switch (r.type) {
      case 'cluster':
        this.clusterId = r.clusterId;
        break;
      case 'topic': {
        const old = this.topics.get(r.topic.name);
        if (old) this.remove(old);
        this.add(fromPersisted(r.topic));
        break;
      }
      case 'delete-topic': {
        const t = this.topics.get(r.name);
        if (t && toBase64Url(t.id) === r.id) this.remove(t);
        break;
      }
      case 'partitions': {
        const t = this.topics.get(r.name);
        if (!t || toBase64Url(t.id) !== r.id) break;
        this.replicaCount -= replicasOf(t);
        for (const [i, p] of Object.entries(r.partitions)) t.partitions[Number(i)] = p;
        this.replicaCount += replicasOf(t);
        break;
      }
      case 'topic-configs': {
        const t = this.topics.get(r.name);
        if (t && toBase64Url(t.id) === r.id) t.configs = r.configs;
        break;
      }
      case 'broker-configs':
        if (Object.keys(r.configs).length === 0) delete this.brokerConfigs[r.broker];
        else this.brokerConfigs[r.broker] = r.configs;
        break;
      case 'producer-ids':
        this.reservedProducerIds = Math.max(this.reservedProducerIds, r.next);
        this.nextProducerId = this.reservedProducerIds;
        break;
      case 'scram':
        if (r.credentials.length === 0) delete this.scram[r.user];
        else this.scram[r.user] = r.credentials;
        break;
      case 'acls': {
        if (r.all) {
          this.aclList = r.all;
          break;
        }
        const gone = new Set(r.remove.map(aclKey));
        const kept = this.aclList.filter((a) => !gone.has(aclKey(a)));
        const have = new Set(kept.map(aclKey));
        this.aclList = [...kept, ...r.add.filter((a) => !have.has(aclKey(a)))];
        break;
      }
      case 'client-quotas':
        this.putQuotas(r.entity, r.values);
        break;
    }
  }

  /**
   * Appends records to the metadata log (fsync'd) before the change they describe takes effect;
   * throws, changing nothing, when the disk refuses. Takes a snapshot when the log has grown enough.
   */
  private persist(...records: MetadataRecord[]): void {
    this.memoryOffset += records.length;
    if (!this.store) return;
    if (this.snapshotting) for (const r of records) this.beforeTopicChange(topicOf(r));
    this.store.append(records);
    // Once the change is applied (the caller applies it right after): the snapshot must hold
    // every record up to the log's last offset.
    if (this.store.wantsSnapshot && !this.snapshotTimer) {
      const store = this.store;
      this.snapshotTimer = setImmediate(() => {
        this.snapshotTimer = null;
        if (store.wantsSnapshot) void store.snapshotAsync((offset) => this.serializeInSlices(offset));
      });
    }
  }

  private add(t: TopicState) {
    this.topics.set(t.name, t);
    this.byId.set(t.id.toString('hex'), t);
    this.byCollisionKey.set(collisionKey(t.name), t);
    this.sorted = null;
    this.replicaCount += replicasOf(t);
  }

  private remove(t: TopicState) {
    this.topics.delete(t.name);
    this.byId.delete(t.id.toString('hex'));
    if (this.byCollisionKey.get(collisionKey(t.name)) === t) this.byCollisionKey.delete(collisionKey(t.name));
    this.sorted = null;
    this.replicaCount -= replicasOf(t);
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

  /** A topic whose name differs from `name` only in '.' versus '_' (or is `name`). */
  topicCollidingWith(name: string): TopicState | undefined {
    return this.byCollisionKey.get(collisionKey(name));
  }

  /** Partition replicas across all topics (what kafka-ts.max.partitions caps). */
  partitionReplicaCount(): number {
    return this.replicaCount;
  }

  /** All topics sorted by name. */
  allTopics(): TopicState[] {
    this.sorted ??= [...this.topics.values()].sort(byName);
    return [...this.sorted];
  }

  /**
   * `live`: which brokers run (Kafka's active, unfenced ones); a new partition's ISR is its live
   * replicas and the first of them leads (leader none when none is). Without it every replica is
   * taken as live (internal topics, placed on running brokers).
   */
  createTopic(name: string, assignment: number[][], configs: Record<string, string>, internal = false, live?: (id: number) => boolean): TopicState {
    let id = randomUuid();
    while (this.byId.has(id.toString('hex'))) id = randomUuid();
    const topic: TopicState = {
      name,
      id,
      internal,
      configs,
      partitions: assignment.map((r) => newPartition(r, live)),
    };
    this.persist({ type: 'topic', topic: toPersisted(topic) });
    this.add(topic);
    this.emit({ type: 'topic-created', topic });
    return topic;
  }

  deleteTopic(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    this.persist({ type: 'delete-topic', name, id: toBase64Url(t.id) });
    this.remove(t);
    this.emit({ type: 'topic-deleted', topic: t });
  }

  /** `live`: as for createTopic. */
  addPartitions(name: string, assignment: number[][], live?: (id: number) => boolean): void {
    const t = this.topics.get(name)!;
    const first = t.partitions.length;
    const added = assignment.map((r) => newPartition(r, live));
    const partitions: Record<string, PartitionState> = {};
    added.forEach((p, i) => (partitions[first + i] = p));
    this.persist({ type: 'partitions', name, id: toBase64Url(t.id), partitions });
    t.partitions.push(...added);
    this.replicaCount += replicasOf({ partitions: added });
    this.emit({ type: 'partitions-changed', topic: t, partitions: assignment.map((_, i) => first + i), added: true });
  }

  /**
   * Applies a change to some partitions of a topic, persists it and announces it. When the
   * change cannot be persisted the partitions are put back as they were and the error thrown.
   */
  updatePartitions(name: string, change: (t: TopicState) => number[]): void {
    const t = this.topics.get(name);
    if (!t) return;
    const before = this.store ? t.partitions.map(clonePartition) : null;
    const countBefore = replicasOf(t);
    // `change` works in place: a snapshot being serialized takes the topic as it is now.
    this.beforeTopicChange(name);
    const changed = change(t);
    if (changed.length === 0) return;
    const partitions: Record<string, PartitionState> = {};
    for (const i of changed) partitions[i] = t.partitions[i]!;
    try {
      this.persist({ type: 'partitions', name, id: toBase64Url(t.id), partitions });
    } catch (e) {
      if (before) {
        // Back as they were, in place (others hold these objects).
        t.partitions.length = before.length;
        before.forEach((p, i) => (t.partitions[i] ? Object.assign(t.partitions[i], p) : (t.partitions[i] = p)));
      }
      throw e;
    }
    this.replicaCount += replicasOf(t) - countBefore;
    this.emit({ type: 'partitions-changed', topic: t, partitions: changed });
  }

  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const t = this.topics.get(name)!;
    this.persist({ type: 'topic-configs', name, id: toBase64Url(t.id), configs });
    t.configs = configs;
    this.emit({ type: 'configs-changed', topic: t });
  }

  setBrokerConfigs(brokerId: string, configs: Record<string, string>): void {
    this.persist({ type: 'broker-configs', broker: brokerId, configs });
    if (Object.keys(configs).length === 0) delete this.brokerConfigs[brokerId];
    else this.brokerConfigs[brokerId] = configs;
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
    this.persist({ type: 'scram', user, credentials });
    if (credentials.length === 0) delete this.scram[user];
    else this.scram[user] = credentials;
    this.emit({ type: 'scram-changed', user });
  }

  acls(): readonly AclBinding[] {
    return this.aclList;
  }

  /** Replaces the whole ACL list (CreateAcls and DeleteAcls compute the new list); records only the difference. */
  setAcls(acls: AclBinding[]): void {
    const oldKeys = new Set(this.aclList.map(aclKey));
    const newKeys = new Set(acls.map(aclKey));
    const remove = this.aclList.filter((a) => !newKeys.has(aclKey(a)));
    const add = acls.filter((a) => !oldKeys.has(aclKey(a)));
    // Replaying the difference gives the kept ACLs in their order, then the added ones.
    const replayed = [...this.aclList.filter((a) => newKeys.has(aclKey(a))), ...add];
    const sameOrder = replayed.length === acls.length && replayed.every((a, i) => aclKey(a) === aclKey(acls[i]!));
    this.persist(sameOrder ? { type: 'acls', remove, add } : { type: 'acls', remove: [], add: [], all: acls });
    this.aclList = acls;
    this.emit({ type: 'acls-changed' });
  }

  /** Every entity with client quotas. */
  clientQuotas(): ClientQuotaEntry[] {
    return [...this.quotas.values()];
  }

  /** An entity's client quotas (an empty object when it has none). */
  clientQuotasOf(entity: QuotaEntity): Readonly<Record<string, number>> {
    return this.quotas.get(quotaEntityKey(entity))?.values ?? {};
  }

  /** Replaces an entity's client quotas (none removes the entity). */
  setClientQuotas(entity: QuotaEntity, values: Record<string, number>): void {
    this.persist({ type: 'client-quotas', entity, values });
    this.putQuotas(entity, values);
    this.emit({ type: 'quotas-changed' });
  }

  private putQuotas(entity: QuotaEntity, values: Record<string, number>): void {
    const key = quotaEntityKey(entity);
    if (Object.keys(values).length === 0) this.quotas.delete(key);
    else this.quotas.set(key, { entity, values });
  }

  /** A new producer id; one metadata record per 1000 ids (ids are never reused, even after a crash). */
  allocateProducerId(): number {
    if (this.nextProducerId >= this.reservedProducerIds) {
      const next = this.nextProducerId + PRODUCER_ID_BLOCK;
      this.persist({ type: 'producer-ids', next });
      this.reservedProducerIds = next;
    }
    return this.nextProducerId++;
  }
}

function replicasOf(t: Pick<TopicState, 'partitions'>): number {
  let n = 0;
  for (const p of t.partitions) n += p.replicas.length;
  return n;
}

function toPersisted(t: TopicState): PersistedTopic {
  return { name: t.name, id: toBase64Url(t.id), internal: t.internal, configs: t.configs, partitions: t.partitions };
}

function fromPersisted(t: PersistedTopic): TopicState {
  return { name: t.name, id: Buffer.from(t.id, 'base64url'), internal: t.internal, configs: t.configs, partitions: t.partitions };
}

/**
 * A new partition: its live replicas in sync (all of them without `live`), the first of those
 * leads, as Kafka's controller builds one (a replica on a stopped broker joins the ISR once it
 * runs and has caught up).
 */
function newPartition(replicas: readonly number[], live?: (id: number) => boolean): PartitionState {
  const isr = live ? replicas.filter(live) : [...replicas];
  return {
    replicas: [...replicas],
    isr,
    leader: isr[0] ?? -1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    addingReplicas: [],
    removingReplicas: [],
  };
}
