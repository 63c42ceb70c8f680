/**
 * One logical broker: a node id, a log directory, listeners, and the partition replicas assigned
 * to it. Requests reach it through the router; cluster-wide changes go through the controller.
 */
import type { QuorumView } from './metadata/quorum.js';
import { ErrorCode } from '../protocol/errors.js';
import { RecordBatchView } from '../protocol/record-batch.js';
import { type LogStore, type PartitionLog, TopicIdMismatchError } from '../storage/log-store.js';
import type { Logger } from '../util/logger.js';
import type { BrokerConfig } from './config.js';
import type { Controller } from './controller.js';
import type { ClusterMetadata, MetadataEvent, PartitionState, TopicState } from './metadata/cluster-metadata.js';
import { TopicConfigValues, dynamicValuesFor, logConfigFor } from './metadata/topic-configs.js';
import { PartitionReplica } from './replica.js';
import type { Endpoint, ListenerName } from './listeners.js';
import { GroupCoordinator } from './coordinator/coordinator.js';
import type { OffsetMetadataBudget } from './coordinator/metadata-budget.js';
import { TransactionCoordinator } from './coordinator/transactions/coordinator.js';
import { OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from './controller.js';
import { ReplicaManager } from './replication/replica-manager.js';
import { BrokerThrottles, isThrottledReplica } from './replication/throttle.js';
import type { BrokerAddress } from '../transport/client-connection.js';
import { HighWatermarkCheckpoint, readHighWatermarks } from './replication/hw-checkpoint.js';
import { type AppendOutcome, type LeaderLookup, appendToLeader } from './append/leader-append.js';
import type { BrokerServices, ClusterService, PartitionService } from './services.js';
import { Authorizer } from './security/authorizer.js';
import { ClientQuotaManager } from './quotas/client-quotas.js';
import { LogDirState, isStorageIoError } from './log-dirs.js';
import { newConsumerFetchCounters } from './fetch.js';
import { inSlices, type SlicedPass } from '../util/slices.js';

/** How often high watermarks are checkpointed (Kafka's replica.high.watermark.checkpoint.interval.ms). */
const HW_CHECKPOINT_INTERVAL_MS = 5000;
/** See Broker.openNewReplicas. */
const SYNC_OPEN_PARTITIONS = 100;
/** See Broker.passSliceMs. */
const PASS_SLICE_MS = 4;
/** KIP-890's switch (a dynamic broker config). */
const VERIFICATION_ENABLE = 'transaction.partition.verification.enable';
/** Stray logs removed at start-up that are named in the log one by one; the rest are counted. */
const STRAY_LOGS_NAMED = 10;

export type { Endpoint } from './listeners.js';

/** What a broker needs to know about the cluster it belongs to. */
export interface ClusterView {
  readonly metadata: ClusterMetadata;
  readonly controller: Controller;
  readonly controllerId: number;
  brokers(): Broker[];
  isLive(id: number): boolean;
  quorum(): QuorumView;
  /** Where followers reach a broker's listener for replication (null while it is down). */
  replicationAddress(id: number): BrokerAddress | null;
  /** A broker's log dir went offline: its partitions need other leaders. */
  logDirOffline(id: number): void;
  /** The offset metadata heap the daemon's group coordinators share (kafka-ts.offset.metadata.max.total.bytes). */
  readonly offsetMetadataBudget: OffsetMetadataBudget;
  /** KIP-226: checks (and with `apply` installs) a broker's dynamic keystore/truststore configs; the problem, or null. */
  reloadListenerTls?(id: number, dynamic: Record<string, string>, apply: boolean, listeners?: string[]): string | null;
}

export type { AppendOutcome, LeaderLookup } from './append/leader-append.js';

/** The broker's periodic passes over its partitions (see Broker.sliced). */
type PassKind = 'checkpoint' | 'cleaner' | 'retention';

export class Broker implements PartitionService, ClusterService {
  readonly replicas = new Map<string, PartitionReplica>();
  /** Background passes under way, each until it ends. */
  private readonly passes = new Map<PassKind, SlicedPass>();
  /** New topics' (or partitions') logs being created in slices (openNewReplicas), each until done. */
  private readonly opening = new Map<TopicState, Promise<void>>();
  /**
   * Partitions assigned here whose log could not be opened (damaged files, a persistent I/O
   * error), keyed "topic-partition", with the reason. They stay offline until a restart; the
   * rest of the broker serves.
   */
  readonly offline = new Map<string, string>();
  readonly endpoints = new Map<ListenerName, Endpoint>();
  private unsubscribe: (() => void) | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;
  private cleanerTimer: NodeJS.Timeout | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** High watermarks from the last checkpoint, used when replicas are opened. */
  private checkpointed = new Map<string, number>();
  /** Whether this broker's log dir went offline after an I/O error (log-dirs.ts). */
  readonly logDirState: LogDirState;
  /** Extra work to run on metadata changes (group coordinator, replica fetchers). */
  readonly metadataHooks: ((e: MetadataEvent) => void)[] = [];
  running = false;
  /** The group coordinator for the __consumer_offsets partitions this broker leads. */
  readonly groups: GroupCoordinator;
  /** The transaction coordinator for the __transaction_state partitions this broker leads. */
  readonly transactions: TransactionCoordinator;
  /** Leading and following: fetchers, ISR upkeep, moved replicas. */
  readonly replication: ReplicaManager;
  /** Replication throttles (reassignments). */
  readonly throttles: BrokerThrottles;
  /** What request handlers may reach of this broker (the router puts these in each request's context). */
  readonly services: BrokerServices;
  /** Effective topic config values (topicConfig), remembered. */
  private readonly topicConfigValues: TopicConfigValues;
  private readonly hwCheckpoint: HighWatermarkCheckpoint;

  constructor(
    readonly id: number,
    readonly config: BrokerConfig,
    readonly cluster: ClusterView,
    readonly store: LogStore,
    readonly log: Logger,
    /** This broker's log directory (reported by DescribeLogDirs). */
    readonly logDir: string = config.logDirs,
  ) {
    this.groups = new GroupCoordinator(this, log.child(`kafka.coordinator.group.GroupCoordinator id=${id}`), cluster.offsetMetadataBudget);
    this.transactions = new TransactionCoordinator(
      {
        id,
        config,
        metadata: cluster.metadata,
        replica: (t, p) => this.replica(t, p),
        appendAsLeader: (t, p, b, acks, timeoutMs) => this.appendAsLeader(t, p, b, acks, timeoutMs),
        brokerAddress: (b) => cluster.replicationAddress(b),
      },
      log.child(`kafka.coordinator.transaction.TransactionCoordinator id=${id}`),
    );
    this.replication = new ReplicaManager(this, log.child(`kafka.server.ReplicaManager id=${id}`));
    this.throttles = new BrokerThrottles(cluster.metadata, id);
    this.topicConfigValues = new TopicConfigValues(config, id);
    this.hwCheckpoint = new HighWatermarkCheckpoint(logDir);
    this.logDirState = new LogDirState(logDir, log.child(`kafka.server.LogDirFailureChannel id=${id}`), () => this.stopServingLogDir());
    // A failed flush.ms sync is met by no request: the store reports it, and the dir goes offline.
    store.onFailure((doing, e) => this.logDirFailure(doing, e));
    this.services = { partitions: this, groups: this.groups, transactions: this.transactions, cluster: this, controller: cluster.controller, authorizer: new Authorizer(config, cluster.metadata), quotas: new ClientQuotaManager(cluster.metadata) };
  }

  get metadata(): ClusterMetadata {
    return this.cluster.metadata;
  }

  get controllerId(): number {
    return this.cluster.controllerId;
  }

  brokers(): Broker[] {
    return this.cluster.brokers();
  }

  isLive(id: number): boolean {
    return this.cluster.isLive(id);
  }

  quorum(): QuorumView {
    return this.cluster.quorum();
  }

  start(): void {
    try {
      this.checkpointed = readHighWatermarks(this.logDir);
    } catch (e) {
      this.log.warn(`Ignoring an unreadable high-watermark checkpoint in ${this.logDir}: ${(e as Error).message}`);
    }
    // A log dir of another cluster (its metadata moved aside or lost) is refused here: every log
    // in it would otherwise be removed below as a stray one.
    if (this.metadata.persistent) {
      try {
        this.store.claim?.({ clusterId: this.metadata.clusterId, nodeId: this.id, newCluster: this.metadata.created }, (w) => this.log.warn(w));
      } catch (e) {
        // Refused by a cluster made at this start: it must not outlive the start, or the next one
        // would find it, no longer new, and claim the directory.
        this.metadata.discardNewCluster();
        throw e;
      }
    }
    // Topic creation appends the metadata record, then creates the logs: a crash in between
    // leaves a topic without logs (created here) or, before the record, logs without a topic.
    const onDisk = this.store.list();
    const found = new Set(onDisk.map((l) => `${l.topic}-${l.partition}`));
    for (const t of this.metadata.allTopics()) {
      t.partitions.forEach((s, p) => {
        if (s.replicas.includes(this.id) && !found.has(`${t.name}-${p}`)) {
          // INFO, not WARN: a topic created while this broker was stopped comes here too.
          this.log.info(`Creating the missing log of ${t.name}-${p} in ${this.logDir} (its topic was created while this broker was down, or just before a crash)`);
        }
      });
      this.openReplicas(t, t.partitions.map((_, i) => i));
    }
    // Logs left behind by a topic deleted while this broker was down, or created without its record.
    // Named one by one up to a few; a deleted topic of thousands of partitions is summed up.
    const stray = onDisk.filter(({ topic, partition }) => !this.metadata.topic(topic)?.partitions[partition]?.replicas.includes(this.id));
    // Those holding records are set aside, not deleted: they may be all that is left of data
    // whose metadata was lost (a snapshot restored without the log after it).
    for (const [i, { topic, partition }] of stray.entries()) {
      const aside = this.removeStray(topic, partition);
      if (i >= STRAY_LOGS_NAMED) continue;
      if (aside === null) this.log.warn(`Removing stray log ${topic}-${partition} (no longer assigned to broker ${this.id})`);
      else this.log.warn(`Setting aside stray log ${topic}-${partition} as ${aside} (no longer assigned to broker ${this.id}; it holds records: delete it once they are not needed)`);
    }
    if (stray.length > STRAY_LOGS_NAMED) this.log.warn(`Removed or set aside ${stray.length - STRAY_LOGS_NAMED} more stray logs (${stray.length} in all) of topics no longer assigned to broker ${this.id}`);
    this.unsubscribe = this.metadata.onChange((e) => this.onMetadata(e));
    if (this.config.logRetentionCheckIntervalMs > 0) {
      this.retentionTimer = setInterval(() => void this.applyRetention(), this.config.logRetentionCheckIntervalMs);
      this.retentionTimer.unref();
    }
    this.scheduleCleaner();
    this.checkpointTimer = setInterval(() => void this.checkpoint(), HW_CHECKPOINT_INTERVAL_MS);
    this.checkpointTimer.unref();
    this.running = true;
    this.groups.syncOwnership();
    this.transactions.syncOwnership();
  }

  /**
   * Times the cleaner's next pass by log.cleaner.backoff.ms as it is now: the broker's dynamic
   * value, else the cluster-wide dynamic default, else the static one (0 or log.cleaner.enable=false: never).
   */
  private scheduleCleaner(): void {
    if (this.cleanerTimer) clearTimeout(this.cleanerTimer);
    this.cleanerTimer = null;
    if (!this.config.logCleanerEnable) return;
    const dynamic = dynamicValuesFor(this.metadata.brokerConfigs, this.id);
    const value = dynamic.broker['log.cleaner.backoff.ms'] ?? dynamic.defaults['log.cleaner.backoff.ms'];
    const backoffMs = value !== undefined && /^\d+$/.test(value) ? Number(value) : this.config.logCleanerBackoffMs;
    if (!(backoffMs > 0)) return;
    this.cleanerTimer = setTimeout(() => {
      // The next pass is timed from the end of this one, however it ended.
      void Promise.resolve()
        .then(() => this.compactLogs())
        .finally(() => this.running && this.scheduleCleaner());
    }, Math.min(backoffMs, 2 ** 31 - 1));
    this.cleanerTimer.unref();
  }

  checkpointHighWatermarks(): void {
    if (this.logDirState.offline) return;
    try {
      this.hwCheckpoint.write(this.replicas.values());
    } catch (e) {
      this.log.warn(`Could not checkpoint high watermarks in ${this.logDir}: ${(e as Error).message}`);
    }
  }

  /**
   * Saves each partition's idempotent-producer state beside its log, so that a restart (clean or
   * not) reads only what was appended after it instead of the whole log.
   */
  snapshotProducerState(): void {
    if (this.logDirState.offline) return;
    for (const r of this.replicas.values()) this.saveProducerState(r);
  }

  private saveProducerState(r: PartitionReplica): void {
    try {
      r.producers.saveSnapshot();
    } catch (e) {
      this.log.warn(`Could not save the producer state of ${r.key}: ${(e as Error).message}`);
    }
  }

  /**
   * The longest stretch of a background pass's work on the partitions (file writes, compaction)
   * between two turns of the event loop: done in one go, the checkpoint of a thousand partitions
   * written by idempotent producers held every request up for 150-350 ms every five seconds
   * (measured). One partition's work is never split.
   */
  passSliceMs = PASS_SLICE_MS;

  /**
   * Runs `work` on each partition here in slices (see passSliceMs), skipping those gone since the
   * pass began (deleted, moved away: their logs are closed), until done or the log dir goes
   * offline. A pass of the same kind still going (a slow disk) is that pass: the new one is not
   * started.
   */
  private sliced(kind: PassKind, work: (r: PartitionReplica) => void, replicas: PartitionReplica[] = [...this.replicas.values()]): Promise<void> {
    const under = this.passes.get(kind);
    if (under) return under.done;
    const pass = inSlices(replicas, (r) => this.replicas.get(r.key) === r && work(r), () => this.passSliceMs, () => this.running && !this.logDirState.offline);
    this.passes.set(kind, pass);
    void pass.done.then(() => this.passes.get(kind) === pass && this.passes.delete(kind));
    return pass.done;
  }

  /**
   * Every HW_CHECKPOINT_INTERVAL_MS: the high watermarks, then each partition's producer state and
   * index entries, in slices. Index entries go to the files in groups: readers of the files
   * (dump-log) see the active segments' entries within this interval, as Kafka's memory-mapped
   * indexes show them at once. Resolves when the pass is done (or stopped).
   */
  checkpoint(): Promise<void> {
    if (this.passes.has('checkpoint') || this.logDirState.offline) return this.passes.get('checkpoint')?.done ?? Promise.resolve();
    this.checkpointHighWatermarks();
    // Only the partitions with something to write take part (with 10,000 idle partitions, going
    // through all of them in slices cost several times the plain loop it replaced).
    const due: PartitionReplica[] = [];
    for (const r of this.replicas.values()) if (r.producers.snapshotDue() || r.log.indexesDue()) due.push(r);
    return this.sliced('checkpoint', (r) => {
      this.saveProducerState(r);
      try {
        r.log.writeIndexes();
      } catch (e) {
        // An I/O error takes the dir offline, as Kafka's does; anything else is this partition's.
        if (isStorageIoError(e)) this.logDirFailure(`writing the indexes of ${r.key}`, e);
        else this.log.warn(`Could not write the indexes of ${r.key}: ${(e as Error).message}`);
      }
    }, due);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.groups.stop();
    this.transactions.stop();
    this.unsubscribe?.();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.cleanerTimer) clearTimeout(this.cleanerTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    // Passes under way stop at their next slice; the full checkpoint below does what one left.
    for (const pass of this.passes.values()) pass.cancel();
    this.passes.clear();
    await this.replication.stop();
    this.checkpointHighWatermarks();
    this.snapshotProducerState();
    for (const r of this.replicas.values()) r.notify();
    this.replicas.clear();
    // An offline log dir is not closed cleanly: the next start validates it (and cuts torn writes).
    this.store.close(!this.logDirState.offline);
  }

  /** Reports an I/O error met while `doing` something with this broker's log dir; it goes offline. */
  logDirFailure(doing: string, error: Error): void {
    this.logDirState.fail(doing, error);
  }

  /**
   * The log dir went offline (Kafka's ReplicaManager.handleLogDirFailure): followers stop
   * fetching, waiting requests wake up to answer KAFKA_STORAGE_ERROR, and the controller moves
   * leadership of the partitions to other in-sync replicas.
   */
  private stopServingLogDir(): void {
    const keys = [...this.replicas.keys()];
    this.log.warn(`Broker ${this.id} stopped serving replicas in dir ${this.logDir}: ${keys.length} partition(s) offline until restart${keys.length ? ` (${keys.slice(0, 10).join(',')}${keys.length > 10 ? ',...' : ''})` : ''}`);
    void this.replication.stop();
    for (const r of this.replicas.values()) r.notify();
    try {
      this.cluster.logDirOffline(this.id);
    } catch (e) {
      // The metadata log may sit on the same full disk: the leadership change is not recorded,
      // and the partitions keep answering KAFKA_STORAGE_ERROR (retriable) until the broker
      // restarts. The request that met the failure must still get that answer, not an internal error.
      this.log.error(`Could not move leadership away from the offline dir ${this.logDir}: ${(e as Error).message}`);
    }
  }

  /** Deletes a local replica (the partition was moved to other brokers). */
  removeReplica(topic: string, partition: number): void {
    const key = `${topic}-${partition}`;
    const r = this.replicas.get(key);
    if (!r) return;
    this.replicas.delete(key);
    r.notify();
    this.store.remove(topic, partition);
  }

  /** Removes a stray log, or sets it aside when it holds records: where to, or null. */
  private removeStray(topic: string, partition: number): string | null {
    return this.store.removeStray ? this.store.removeStray(topic, partition) : (this.store.remove(topic, partition), null);
  }

  /**
   * Opens the log of `t`'s partition `p`. One left by a deleted topic of the same name (its
   * partition.metadata names another topic id: the topic was deleted and created again while
   * this broker was stopped) is a stray log, as Kafka takes it: it is set aside (or removed when
   * empty), never served as the new topic's, and a new log is created.
   */
  private openLog(t: TopicState, p: number, cfg: ReturnType<typeof logConfigFor>): PartitionLog {
    try {
      return this.store.open(t.name, p, cfg, t.id);
    } catch (e) {
      if (!(e instanceof TopicIdMismatchError)) throw e;
      const aside = this.removeStray(t.name, p);
      const why = `it belongs to topic id ${e.recorded.toString('base64url')}, a deleted topic of that name; ${t.name} is now topic id ${t.id.toString('base64url')}`;
      if (aside === null) this.log.warn(`Removing stray log ${t.name}-${p} (${why})`);
      else this.log.warn(`Setting aside stray log ${t.name}-${p} as ${aside} (${why}; it holds records: delete it once they are not needed)`);
      // Its high watermark was the old log's.
      this.checkpointed.delete(`${t.name}-${p}`);
      return this.store.open(t.name, p, cfg, t.id);
    }
  }

  private openReplicas(t: TopicState, partitions: number[]) {
    if (this.logDirState.offline) return;
    const open = this.replicaOpener(t);
    for (const p of partitions) open(p);
  }

  /**
   * Opens (creating when new) the log of one of `t`'s partitions assigned here; a failure leaves
   * it offline and is returned (null otherwise).
   */
  private replicaOpener(t: TopicState): (p: number) => string | null {
    const cfg = logConfigFor(t.configs, this.config, dynamicValuesFor(this.metadata.brokerConfigs, this.id));
    return (p) => {
      const state = t.partitions[p]!;
      const key = `${t.name}-${p}`;
      if (!state.replicas.includes(this.id) && !state.addingReplicas.includes(this.id)) return null;
      if (this.replicas.has(key) || this.offline.has(key)) return null;
      try {
        const log = this.openLog(t, p, cfg);
        this.replicas.set(key, new PartitionReplica(t.name, p, log, this.checkpointed.get(key), this.config.producerIdExpirationMs, (m) => this.log.warn(m)));
        return null;
      } catch (e) {
        return this.takeOffline(key, (e as Error).message);
      }
    };
  }

  private takeOffline(key: string, reason: string): string {
    this.offline.set(key, reason);
    this.log.error(`Partition ${key} is offline (KAFKA_STORAGE_ERROR): ${reason}`);
    return `the log of ${key} could not be created: ${reason}`;
  }

  /**
   * The logs of new partitions, with their roles. Up to SYNC_OPEN_PARTITIONS are created at once,
   * within the metadata change (the usual topic, and the internal ones, which the coordinators
   * load right after). More are created in slices of passSliceMs, so that the other clients'
   * requests are answered meanwhile: one request for a topic of 10,000 partitions held every
   * client for 2-18 s (each new log is a directory and four files). Until its log exists a
   * partition answers NOT_LEADER_OR_FOLLOWER (retriable), as a Kafka broker does before it learns
   * that it leads; CreateTopics and CreatePartitions answer once every log exists (logsOpened).
   */
  private openNewReplicas(t: TopicState, partitions: number[]): string | null {
    if (this.logDirState.offline) return null;
    const open = this.replicaOpener(t);
    if (t.internal || partitions.length <= SYNC_OPEN_PARTITIONS) {
      let failure: string | null = null;
      for (const p of partitions) {
        const failed = open(p);
        failure ??= failed;
      }
      this.replication.adoptNewPartitions(t, partitions);
      return failure;
    }
    const current = () => this.running && !this.logDirState.offline && this.metadata.topic(t.name) === t;
    // This pass's own failures (not looked up by name: a stopped broker keeps the offline
    // entries of a topic deleted since, and a topic of the same name may be made meanwhile).
    let failure: string | null = null;
    const pass = inSlices(
      partitions,
      (p) => {
        let failed = open(p);
        if (failed === null) {
          try {
            this.replication.adoptNewPartitions(t, [p]);
          } catch (e) {
            // As a log that could not be created: the partition is offline, the pass goes on.
            failed = this.takeOffline(`${t.name}-${p}`, (e as Error).message);
          }
        }
        failure ??= failed;
      },
      () => this.passSliceMs,
      current,
    );
    const opened = pass.done.then(() => {
      if (failure !== null && this.metadata.topic(t.name) === t) throw new Error(failure);
    });
    const before = this.opening.get(t);
    const done = (before ? Promise.all([before, opened]).then(() => undefined) : opened).finally(() => {
      if (this.opening.get(t) === done) this.opening.delete(t);
    });
    // Awaited by logsOpened; a failure nobody asked about (the metadata was changed directly) is not a crash.
    done.catch(() => undefined);
    this.opening.set(t, done);
    // A failure in the first slice, which ran just now.
    return failure;
  }

  /**
   * Resolves once the logs of `t`'s partitions assigned here exist (or the topic was deleted, or
   * this broker stopped meanwhile); rejects naming one that could not be created.
   */
  async logsOpened(t: TopicState): Promise<void> {
    await this.opening.get(t);
  }

  /**
   * Whether broker `brokerId` holds partition `topic`-`partition` offline: its log failed to open,
   * or an I/O error took the broker's whole log dir offline (log-dirs.ts).
   */
  replicaOffline(brokerId: number, topic: string, partition: number): boolean {
    const b = brokerId === this.id ? this : this.cluster.brokers().find((x) => x.id === brokerId);
    return !!b && (b.logDirState.offline || b.offline.has(`${topic}-${partition}`));
  }

  private onMetadata(e: MetadataEvent) {
    if (e.type === 'scram-changed' || e.type === 'acls-changed' || e.type === 'quotas-changed') {
      // Security metadata: no replica or partition changes; only hooks (coordinators) may care.
      for (const hook of this.metadataHooks) hook(e);
      return;
    }
    switch (e.type) {
      case 'topic-created': {
        // A topic is created with its logs or not at all: the controller deletes it again (the
        // failures of later slices reach it through logsOpened, which it awaits).
        const failed = this.openNewReplicas(e.topic, e.topic.partitions.map((_, i) => i));
        if (failed) throw new Error(failed);
        break;
      }
      case 'partitions-changed':
        if (e.added) this.openNewReplicas(e.topic, e.partitions);
        else this.openReplicas(e.topic, e.partitions);
        break;
      case 'topic-deleted':
        e.topic.partitions.forEach((_, p) => {
          const key = `${e.topic.name}-${p}`;
          if (this.offline.delete(key)) this.store.remove(e.topic.name, p);
          const r = this.replicas.get(key);
          if (!r) return;
          this.replicas.delete(key);
          r.notify();
          this.store.remove(e.topic.name, p);
        });
        break;
      case 'configs-changed':
        // A dynamic log.cleaner.backoff.ms applies from now, not after the pass already timed.
        if (!e.topic && (e.brokerId === -1 || e.brokerId === this.id)) this.scheduleCleaner();
        // A topic's change reaches its replicas; a dynamic broker config (log defaults) every replica here.
        for (const r of this.replicas.values()) {
          if (e.topic ? r.topic !== e.topic.name : e.brokerId !== -1 && e.brokerId !== this.id) continue;
          const t = e.topic ?? this.metadata.topic(r.topic);
          if (t) r.log.updateConfig(logConfigFor(t.configs, this.config, dynamicValuesFor(this.metadata.brokerConfigs, this.id)));
        }
        break;
    }
    // A new topic changes no other partition: its own got their roles as they were opened (not a
    // pass over all).
    if (e.type === 'configs-changed') this.replication.wake();
    else if (e.type === 'partitions-changed') this.replication.reconcilePartitions(e.topic, e.partitions);
    else if (e.type !== 'topic-created') this.replication.reconcile();
    if (e.type !== 'configs-changed' && e.topic?.name === OFFSETS_TOPIC) this.groups.syncOwnership();
    if (e.type === 'topic-deleted') this.groups.deleteTopicOffsets(e.topic.name);
    if (e.type !== 'configs-changed' && e.topic?.name === TRANSACTION_STATE_TOPIC) this.transactions.syncOwnership();
    for (const hook of this.metadataHooks) hook(e);
  }

  replica(topic: string, partition: number): PartitionReplica | undefined {
    return this.replicas.get(`${topic}-${partition}`);
  }

  /** Finds the partition and checks that this broker leads it. */
  leaderFor(topicName: string, partition: number): LeaderLookup {
    const topic = this.metadata.topic(topicName);
    const state = topic?.partitions[partition];
    if (!topic || !state) return { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    const replica = this.replica(topicName, partition);
    if (replica && this.logDirState.offline) {
      return { error: ErrorCode.KAFKA_STORAGE_ERROR, message: `Partition ${topicName}-${partition} is in an offline log directory ${this.logDir}` };
    }
    if (state.leader === this.id && this.offline.has(`${topicName}-${partition}`)) return { error: ErrorCode.KAFKA_STORAGE_ERROR };
    if (state.leader !== this.id || !replica) return { error: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    return { replica, state, topic };
  }

  /** A partition this broker follows (KIP-392 consumer reads): an online replica that does not lead. */
  followerFor(topicName: string, partition: number): LeaderLookup {
    const topic = this.metadata.topic(topicName);
    const state = topic?.partitions[partition];
    const replica = this.replica(topicName, partition);
    if (!topic || !state) return { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    if (!replica || state.leader === this.id || !state.replicas.includes(this.id) || this.logDirState.offline || this.offline.has(`${topicName}-${partition}`)) return { error: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    return { replica, state, topic };
  }

  /** Consumer reads served here, as leader and as follower (KIP-392; `server status --output json`). */
  readonly consumerFetches = newConsumerFetchCounters();

  get logLevels() {
    return this.log.levels;
  }

  listenerTls(dynamic: Record<string, string>, apply: boolean, listeners?: string[]): string | null {
    return this.cluster.reloadListenerTls?.(this.id, dynamic, apply, listeners) ?? null;
  }

  topicConfig(topic: TopicState, name: string): string {
    return this.topicConfigValues.value(topic.configs, this.metadata.brokerConfigs, name);
  }

  /**
   * Appends one batch as leader (the group coordinator's writes to __consumer_offsets); produced
   * batches come through `produceToLeader`, which validates them first.
   */
  appendAsLeader(topicName: string, partition: number, batch: Buffer, acks: number, timeoutMs: number): Promise<AppendOutcome> {
    return appendToLeader(this, topicName, partition, new RecordBatchView(batch), acks, timeoutMs, 'coordinator');
  }

  /**
   * KIP-890's verification of a transactional batch that would start a producer's transaction in
   * a partition this broker leads (Kafka sends AddPartitionsToTxn v4 verifyOnly to the
   * coordinator; the daemon's brokers share one process, so the coordinator broker — the leader of
   * the transactional id's __transaction_state partition — is asked directly). 0 when the
   * partition was added to the producer's ongoing transaction or
   * transaction.partition.verification.enable is false (dynamic, as in Kafka: this broker's value,
   * else the cluster-wide one, else the static one); COORDINATOR_NOT_AVAILABLE when no live broker
   * leads that partition; else the coordinator's answer (TransactionCoordinator.verifyPartition).
   */
  verifyTransaction(transactionalId: string | null, producerId: number, producerEpoch: number, topic: string, partition: number): number {
    const dynamic = dynamicValuesFor(this.metadata.brokerConfigs, this.id);
    const enabled = dynamic.broker[VERIFICATION_ENABLE] ?? dynamic.defaults[VERIFICATION_ENABLE];
    if (enabled !== undefined ? enabled.trim().toLowerCase() !== 'true' : !this.config.transactionPartitionVerificationEnable) return 0;
    // Kafka's log refuses an unverified transactional batch ("Record was not part of an ongoing transaction").
    if (transactionalId === null) return ErrorCode.INVALID_TXN_STATE;
    const leader = this.metadata.topic(TRANSACTION_STATE_TOPIC)?.partitions[this.transactions.partitionFor(transactionalId)]?.leader ?? -1;
    const coordinator = leader >= 0 && this.cluster.isLive(leader) ? this.cluster.brokers().find((b) => b.id === leader) : undefined;
    if (!coordinator) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return coordinator.transactions.verifyPartition(transactionalId, producerId, producerEpoch, { topic, partition });
  }

  /**
   * A follower fetched from `fetchOffset`: everything below it is on the follower. Kafka's rule
   * for "caught up": the follower reached the leader's log end as of now, or as of its previous
   * fetch (so a steady stream of appends does not make a keeping-up follower look behind).
   */
  recordFollowerFetch(replica: PartitionReplica, state: PartitionState, followerId: number, fetchOffset: number, logStartOffset = -1): void {
    const now = Date.now();
    const prev = replica.followers.get(followerId);
    const leaderEnd = replica.logEndOffset();
    let lastCaughtUpMs = prev?.lastCaughtUpMs ?? 0;
    if (fetchOffset >= leaderEnd) lastCaughtUpMs = now;
    else if (prev && fetchOffset >= prev.leaderEndAtLastFetch) lastCaughtUpMs = Math.max(lastCaughtUpMs, prev.lastFetchMs);
    replica.followers.set(followerId, { logEndOffset: fetchOffset, lastCaughtUpMs, lastFetchMs: now, leaderEndAtLastFetch: leaderEnd, logStartOffset });
    // A DeleteRecords may be waiting for this follower's log start (the high watermark's move notifies by itself).
    const hwMoved = replica.updateHighWatermark(state.isr, this.id);
    if (!hwMoved && prev !== undefined && prev.logStartOffset !== logStartOffset) replica.notify();
    this.replication.maybeExpandIsr(replica, state, followerId, fetchOffset);
  }

  /** Whether this broker's sends of a partition to followers count against the leader throttle. */
  leaderThrottled(topic: TopicState, partition: number): boolean {
    return isThrottledReplica(topic, partition, this.id, 'leader');
  }

  /**
   * One pass of the log cleaner over compacted topics (cleanup.policy=compact), leaders and
   * followers alike, each below its high watermark. A log that cannot be compacted (damaged
   * data) is reported and left as it is; an I/O error takes the log dir offline, as Kafka's
   * cleaner does on an IOException, except running out of file descriptors (tried again). In
   * slices (see passSliceMs); resolves when the pass is done.
   */
  compactLogs(now = Date.now()): Promise<void> {
    if (this.passes.has('cleaner')) return this.passes.get('cleaner')!.done;
    // Only compacted topics' partitions take part (10,000 partitions of deleted-by-time topics
    // cost an idle daemon a pass over all of them every 15 s); the policy is asked once a topic.
    const compacted = new Map<string, boolean>();
    const isCompacted = (name: string) => {
      let yes = compacted.get(name);
      if (yes === undefined) {
        const topic = this.metadata.topic(name);
        compacted.set(name, (yes = topic !== undefined && this.topicConfig(topic, 'cleanup.policy').includes('compact')));
      }
      return yes;
    };
    const due = [...this.replicas.values()].filter((r) => isCompacted(r.topic));
    return this.sliced('cleaner', (r) => this.compactOne(r, now), due);
  }

  /** One partition's part of a cleaner pass (compactLogs). */
  private compactOne(r: PartitionReplica, now: number): void {
    try {
      // Only decided data is cleaned: below the last stable offset (Kafka's first unstable offset).
      const topic = this.metadata.topic(r.topic);
      const compacted = topic !== undefined && this.topicConfig(topic, 'cleanup.policy').includes('compact');
      const done = compacted ? r.log.compact(now, r.producers.lastStableOffset(r.highWatermark)) : null;
      if (done && done.rewritten > 0) {
        this.log.info(`Compacted ${r.key} below offset ${done.cleanedThrough}: removed ${done.recordsRemoved} record(s), ${done.bytesBefore} -> ${done.bytesAfter} bytes`);
      }
    } catch (e) {
      // Out of descriptors (many connections) is the process's state, not the disk's: the pass
      // left the old segment or a committed swap the next pass finishes, so it is tried again.
      if (isStorageIoError(e) && (e.code === 'EMFILE' || e.code === 'ENFILE')) this.log.warn(`Could not compact ${r.key} now (${e.code}: out of file descriptors); the next pass tries again`);
      else if (isStorageIoError(e)) this.logDirFailure(`cleaning ${r.key}`, e);
      else this.log.warn(`Could not compact ${r.key}: ${(e as Error).message}`);
    }
  }

  /** One pass of retention over every partition here (in slices, see passSliceMs). */
  applyRetention(now = Date.now()): Promise<void> {
    return this.sliced('retention', (r) => this.retainOne(r, now));
  }

  /** One partition's part of a retention pass (applyRetention). */
  private retainOne(r: PartitionReplica, now: number): void {
    let deleted: number;
    try {
      // The log start never passes the last stable offset: an open transaction's data stays.
      deleted = r.log.applyRetention(now, () => r.producers.lastStableOffset(r.highWatermark));
    } catch (e) {
      if (!isStorageIoError(e)) throw e;
      this.logDirFailure(`deleting old segments of ${r.key}`, e);
      return;
    }
    if (deleted > 0) this.log.info(`Deleted ${deleted} old segment(s) of ${r.key}; log start offset is now ${r.logStartOffset()}`);
  }
}
