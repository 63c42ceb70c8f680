/**
 * KafkaStreams: runs a BuiltTopology (api.ts) against a cluster, as Kafka Streams' KafkaStreams
 * does, with one stream thread per instance (scale out with more instances).
 *
 * Start: check source topics and co-partitioning, create the internal topics
 * (`<application.id>-<name>`), load global stores, then join the group `application.id` with
 * the Streams assignor (tasks, not partitions: see assignor.ts) over one consumer subscribed to
 * every source topic. A task's stores live under `<state.dir>/<application.id>/<task>/`; logged
 * stores write every change to their changelog (partition = the task's partition) and are
 * restored from it before the task processes anything: from the `.checkpoint` offsets when the
 * local files are valid, otherwise from the beginning.
 *
 * The loop: poll, buffer records per partition (a partition holding more than
 * buffered.records.per.partition is paused until it is down to that), then rounds in which each
 * task with records takes a bounded batch in turn, in offset order per partition choosing the
 * lowest timestamp across the task's partitions; between rounds punctuate, and commit every
 * commit.interval.ms (or when a processor asks):
 *   at_least_once    flush tasks, flush the producer, flush stores and write checkpoints, commit offsets;
 *   exactly_once_v2  one transactional producer (`<application.id>-<process id>-1`), always in a
 *                    transaction: sendOffsetsToTransaction + commitTransaction, then begin the next.
 *                    A failed commit aborts; the tasks' state is then dropped and restored from the
 *                    (read_committed) changelogs, and their input rewinds to the committed offsets.
 *
 * Rebalances are eager: before giving partitions back, the instance commits and suspends its
 * tasks; a task assigned back resumes without restoring, the others are closed (checkpoint, unlock).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { KafkaClient } from '../../client/client.js';
import { Admin, OffsetSpec } from '../../client/admin.js';
import { GroupConsumer } from '../../client/consumer/group-consumer.js';
import { Fetcher, type ConsumedRecord } from '../../client/consumer/fetcher.js';
import { Producer } from '../../client/producer/producer.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { NotFoundError, isKafkaTsError } from '../../util/errors.js';
import type { BuiltTopology, BytesStore, GlobalTask, SourceRecord, StoreSpec, StreamTask, StreamsHeader, TaskEnvironment, TaskId } from '../api.js';
import { taskIdString } from '../api.js';
import { InMemoryBytesStore, hashKey } from '../stores/memory.js';
import { FileBytesStore } from '../stores/file.js';
import { streamsAssignor, type SourcesBySubtopology } from './assignor.js';
import { checkStreamsKeys, parseStreamsConfig, type StreamsConfig, type StreamsProperties } from './config.js';
import { MissingSourceTopicException, StreamsException, TopologyException } from './errors.js';
import { StateDirectory } from './state-dir.js';

export type StreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';
export type StateListener = (newState: StreamsState, oldState: StreamsState) => void;
/**
 * How long a stop goes on once the broker stops answering (its connections refused or lost)
 * before abandoning what is left. A broker that answers is waited for, however slow (Kafka
 * Streams' close() without a timeout); each request is still bounded by the client's timeouts.
 */
const STOP_WAIT_MS = 5000;

export type StreamsLogger = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface KafkaStreamsOptions {
  /**
   * Makes a client; called once per role with Kafka Streams' client id for it
   * (`<client.id>-StreamThread-1-consumer`, `-producer`, `<client.id>-admin`,
   * `<client.id>-GlobalStreamThread-global-consumer`) so a long poll never delays a produce.
   * KafkaStreams closes them on close.
   */
  client: (clientId: string) => KafkaClient | Promise<KafkaClient>;
  log?: StreamsLogger;
  /**
   * Process at most this many records (kafka-ts streams --max-records): once reached, the
   * instance stops polling and processing and calls `onMaxRecords`; what it processed is
   * committed when it closes (records fetched beyond the limit are not, so they are processed
   * again by the next run).
   */
  maxRecords?: number;
  onMaxRecords?: () => void;
}

export interface TaskMetrics {
  id: string;
  partitions: { topic: string; partition: number; position: number; end: number; lag: number | null }[];
  /** Sum of the partitions' lags (end offset − position); null until the ends are known. */
  lag: number | null;
  processed: number;
  restored: number;
}

export interface StreamsMetrics {
  state: StreamsState;
  applicationId: string;
  processId: string;
  processingGuarantee: StreamsConfig['processingGuarantee'];
  processed: number;
  /** Records processed per second over the last few seconds. */
  recordsPerSecond: number;
  commits: number;
  restored: number;
  /** Changelog records restored per second during the last restoration (0 before any). */
  restoreRecordsPerSecond: number;
  /**
   * When (ms since the epoch, sub-millisecond) this instance processed its first record, and
   * when its work was last done: the later of the last record processed and the last output
   * record acknowledged by the cluster (0 before any). Throughput measured inside the process.
   */
  processingStartedAt: number;
  processingEndedAt: number;
  tasks: TaskMetrics[];
}

const tpKey = (topic: string, partition: number) => `${topic}\0${partition}`;
/** Wall-clock ms since the epoch with sub-millisecond precision. */
const preciseNow = () => performance.timeOrigin + performance.now();
const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Fairness, as Kafka Streams' stream thread: each processing round gives every task with
 * buffered records at most TASK_BATCH_RECORDS of them, or about TASK_BATCH_MS of processing,
 * in turn; rounds go on for up to PROCESS_SLICE_MS (punctuation and commits due between them)
 * before the next poll. With buffered.records.per.partition pausing a partition whose buffer is
 * full, a backlog on one partition neither starves the others nor the later sub-topologies
 * reading the repartition topics, and output appears within about a commit interval.
 */
const TASK_BATCH_RECORDS = 1000;
const TASK_BATCH_MS = 10;
const PROCESS_SLICE_MS = 100;
/**
 * How often the end offsets of the assigned partitions are looked up (ListOffsets) for the lag.
 * The fetcher's ends are only as fresh as the last answer for a partition: a paused partition (a
 * full buffer) or one whose fetched records are still held is not fetched, so a repartition topic
 * written to meanwhile would show a lag of 0 with records waiting.
 */
const END_REFRESH_MS = 500;

interface TaskStore {
  spec: StoreSpec;
  store: BytesStore;
  /** The store without its changelogging wrapper (restoration writes here). */
  inner: BytesStore;
  changelog: string | null;
}

interface RecordQueue {
  key: string;
  topic: string;
  partition: number;
  /** Paused in the consumer: more than buffered.records.per.partition records are buffered. */
  paused: boolean;
  records: ConsumedRecord[];
  head: number;
  /** Offset after the last processed record (-1: none yet). */
  next: number;
  /**
   * The consumer's position after the records it handed over for this partition (-1: none
   * yet): past control records (transaction markers) and skipped aborted batches too. Once the
   * queue is empty, this is the offset to commit, as Kafka's consumer commits its position: a
   * partition whose log ends with a marker is caught up at the log end, not one below it.
   */
  polled: number;
}

interface ActiveTask {
  id: TaskId;
  key: string;
  task: StreamTask | null;
  partitions: { topic: string; partition: number }[];
  /** One buffer per source partition, while the task is active. */
  queues: RecordQueue[];
  stores: Map<string, TaskStore>;
  /** Next offset to commit per source partition (last processed + 1). */
  consumed: Map<string, number>;
  committed: Map<string, number>;
  /** Changelog partition → next offset (for checkpoints). */
  changelogOffsets: Map<string, number>;
  processed: number;
  restored: number;
}

/**
 * Logs changes to the changelog topic's partition of the task. As Kafka Streams' record cache
 * does for its changelogs, changes to one key between two commits are logged once, with the
 * latest value: the runtime calls `flushChangelog()` before it commits (and a store with many
 * dirty keys logs them early), so the changelog holds every committed state.
 */
class LoggedStore implements BytesStore {
  private dirty = new Map<string, Buffer>();
  private readonly file: FileBytesStore | null;
  constructor(
    private readonly inner: BytesStore,
    private readonly log: (key: Uint8Array, value: Uint8Array | null) => void,
    private readonly maxDirty = 10_000,
  ) {
    this.file = inner instanceof FileBytesStore ? inner : null;
  }
  get name() {
    return this.inner.name;
  }
  get(key: Uint8Array) {
    return this.inner.get(key);
  }
  put(key: Uint8Array, value: Uint8Array | null) {
    // A file store writes the key's latest value once per flush (below), not every change.
    if (this.file) this.file.putCached(key, value);
    else this.inner.put(key, value);
    const id = hashKey(key);
    if (!this.dirty.has(id)) this.dirty.set(id, Buffer.from(key));
    if (this.dirty.size >= this.maxDirty) this.flushChangelog();
  }
  range(from?: Uint8Array, to?: Uint8Array) {
    return this.inner.range(from, to);
  }
  size() {
    return this.inner.size();
  }
  /** Sends the latest value (or a tombstone) of every key changed since the last flush. */
  flushChangelog() {
    if (this.dirty.size === 0) return;
    const keys = this.dirty;
    this.dirty = new Map();
    const file = this.file;
    for (const k of keys.values()) {
      const v = this.inner.get(k) ?? null;
      this.log(k, v);
      file?.record(k, v);
    }
  }
  /** Forgets unlogged changes (the task's state is being dropped). */
  discard() {
    this.dirty.clear();
  }
}

const NO_HEADERS: { key: string; value: Buffer | null }[] = [];
const buf = (u: Uint8Array | null): Buffer | null => (u === null ? null : Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

export class KafkaStreams {
  readonly config: StreamsConfig;
  readonly processId = randomUUID();
  private state: StreamsState = 'CREATED';
  private listeners: StateListener[] = [];
  private readonly log: StreamsLogger;
  private stateDir: StateDirectory | null = null;
  private clients: KafkaClient[] = [];
  private admin: Admin | null = null;
  private consumer: GroupConsumer | null = null;
  private producer: Producer | null = null;
  private readonly sources: SourcesBySubtopology = new Map();
  private readonly topicToSubtopology = new Map<string, number>();
  private readonly storesBySubtopology = new Map<number, StoreSpec[]>();
  private partitionCounts = new Map<string, number>();
  private readonly active = new Map<string, ActiveTask>();
  private readonly suspended = new Map<string, ActiveTask>();
  private readonly byPartition = new Map<string, ActiveTask>();
  private readonly queues = new Map<string, RecordQueue>();
  private pendingPartitions: { topic: string; partition: number }[] = [];
  private readonly globalStores = new Map<string, InMemoryBytesStore>();
  private globalTask: GlobalTask | null = null;
  private globalFetcher: Fetcher | null = null;
  private loopDone: Promise<void> | null = null;
  private globalLoopDone: Promise<void> | null = null;
  private stopping = false;
  /** Resolved when the stop begins: the loop's poll (and wait for producer room) end at once. */
  private signalStop: () => void = () => {};
  private readonly stopSignal = new Promise<void>((resolve) => (this.signalStop = resolve));
  private fatal: Error | null = null;
  private sendError: Error | null = null;
  private commitRequested = false;
  /** Records (output, repartition, changelog) were sent since the last commit: it has something to commit. */
  private wroteSinceCommit = false;
  /** A flush started because the input was caught up is still waiting for its acknowledgements. */
  private flushingIdle = false;
  private lastCommit = Date.now();
  private readonly stats = { processed: 0, commits: 0, restored: 0, restoreRate: 0, startedAt: 0, processedAt: 0, ackedAt: 0 };
  private readonly rateSamples: { at: number; processed: number }[] = [];
  private shutdownWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  private readonly topology: BuiltTopology;

  /** `topology`: a Topology (as Kafka's constructor takes, e.g. `StreamsBuilder.build()`) or its BuiltTopology. */
  constructor(
    topology: BuiltTopology | { build(): BuiltTopology },
    private readonly props: StreamsProperties,
    private readonly options: KafkaStreamsOptions,
  ) {
    this.config = parseStreamsConfig(props);
    this.topology = 'createTask' in topology ? topology : topology.build();
    this.log = options.log ?? (() => undefined);
    for (const w of checkStreamsKeys(props)) this.log('warn', `${w} (StreamsConfig)`);
    const prefix = (t: string, internal: string[]) => (internal.includes(t) ? this.internalName(t) : t);
    for (const s of this.topology.subtopologies) {
      const topics = s.sourceTopics.map((t) => prefix(t, s.internalSources));
      for (const t of s.internalSources) if (!s.sourceTopics.includes(t)) topics.push(this.internalName(t));
      this.sources.set(s.id, [...new Set(topics)]);
      for (const t of topics) this.topicToSubtopology.set(t, s.id);
      this.storesBySubtopology.set(s.id, s.stores);
    }
  }

  private internalName(name: string) {
    return `${this.config.applicationId}-${name}`;
  }

  private changelogName(store: string) {
    return this.internalName(`${store}-changelog`);
  }

  get eos(): boolean {
    return this.config.processingGuarantee === 'exactly_once_v2';
  }

  /** The state listener is called on every transition (Kafka's KafkaStreams.StateListener). */
  setStateListener(listener: StateListener): void {
    this.listeners.push(listener);
  }

  currentState(): StreamsState {
    return this.state;
  }

  /** The error that put the application in ERROR, if any. */
  error(): Error | null {
    return this.fatal;
  }

  private setState(s: StreamsState) {
    if (s === this.state) return;
    const old = this.state;
    this.state = s;
    for (const l of this.listeners) {
      try {
        l(s, old);
      } catch (e) {
        this.log('warn', `state listener failed: ${(e as Error).message}`);
      }
    }
    if (s === 'NOT_RUNNING') for (const w of this.shutdownWaiters.splice(0)) w.resolve();
    if (s === 'ERROR') for (const w of this.shutdownWaiters.splice(0)) w.reject(this.fatal ?? new StreamsException('The application failed'));
  }

  /** Resolves once the application has stopped (close), rejects with the error that stopped it. */
  waitForShutdown(): Promise<void> {
    if (this.state === 'NOT_RUNNING') return Promise.resolve();
    if (this.state === 'ERROR') return Promise.reject(this.fatal!);
    return new Promise((resolve, reject) => this.shutdownWaiters.push({ resolve, reject }));
  }

  private async newClient(role: 'consumer' | 'producer' | 'admin' | 'global-consumer'): Promise<KafkaClient> {
    const id = this.config.clientId;
    const clientId = role === 'admin' ? `${id}-admin` : role === 'global-consumer' ? `${id}-GlobalStreamThread-global-consumer` : `${id}-StreamThread-1-${role}`;
    const c = await this.options.client(clientId);
    if (!this.clients.includes(c)) this.clients.push(c);
    return c;
  }

  /**
   * Checks the topology against the cluster, creates internal topics, loads global stores and
   * starts processing in the background. Throws (and leaves the application in ERROR) when the
   * application cannot start: missing source topics, topics not co-partitioned, a state dir that
   * is not writable.
   */
  async start(): Promise<void> {
    if (this.state !== 'CREATED') throw new StreamsException(`KafkaStreams can only be started once (state ${this.state})`);
    const starting = this.prepare();
    this.starting = starting;
    try {
      await starting;
    } catch (e) {
      this.starting = null;
      if (this.stopping && !this.fatal) return; // closed while starting
      this.fatal = e as Error;
      await this.shutdown(false);
      throw e;
    }
    this.starting = null;
    // close() during start: it has stopped everything already.
    if (!this.stopping) this.loopDone = this.loop();
  }

  private starting: Promise<void> | null = null;
  /** Internal topics (real names) the application uses. */
  private createdTopics: string[] = [];

  private async prepare(): Promise<void> {
    this.stateDir = new StateDirectory(this.config.stateDir, this.config.applicationId, this.processId);
    const adminClient = await this.newClient('admin');
    this.admin = new Admin(adminClient);
    await this.prepareTopics();
    await this.prepareSerdes();
    if (this.state === 'CREATED') this.setState('REBALANCING');
    await this.loadGlobalStores();
    const producerClient = await this.newClient('producer');
    this.producer = new Producer(producerClient, {
      lingerMs: 100,
      ...(this.eos ? { transactionalId: `${this.config.applicationId}-${this.processId}-1`, transactionTimeoutMs: this.config.transactionTimeoutMs } : {}),
    });
    // Output records go without a callback each: a failed batch fails the application (Kafka's
    // default production exception handler), an acknowledged one notes the time. (Changelog
    // records have their own callbacks, for the checkpoint's offsets.)
    this.producer.onBatchError = (topic, _partition, _count, e) => {
      if (this.sendError || (topic.endsWith('-changelog') && topic.startsWith(`${this.config.applicationId}-`))) return;
      const tasks = [...this.active.keys()].join(', ') || '?';
      this.sendError = new StreamsException(`Error encountered sending record to topic ${topic} for task ${tasks} due to: ${e.message}`, { cause: e });
    };
    this.producer.onBatchAcked = () => this.stampAck();
    // Sinks and changelogs in the producer's metadata now, so the first records need not wait.
    await producerClient.refreshMetadata([...new Set([...this.topology.sinkTopics, ...this.createdTopics])]).catch(() => undefined);
    if (this.eos) {
      await this.producer.initTransactions();
      this.producer.beginTransaction();
    }
    const consumerClient = await this.newClient('consumer');
    const assignor = streamsAssignor(this.sources, () => ({ process: this.processId, prev: [...this.active.keys(), ...this.suspended.keys()], state: this.stateDir!.tasksWithState() }));
    this.consumer = new GroupConsumer(consumerClient, {
      groupId: this.config.applicationId,
      assignors: [assignor],
      autoCommit: false,
      isolationLevel: this.eos ? 1 : 0,
      autoOffsetReset: this.config.autoOffsetReset,
      // The next Fetch travels while this round's records are processed (poll.ms bounds how long
      // one in flight can hold a commit or heartbeat back on this connection).
      prefetch: true,
      maxPollRecords: this.config.maxPollRecords,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      onAssigned: (ps) => this.pendingPartitions.push(...ps),
      // A source topic deleted while running: Kafka Streams' MissingSourceTopicException (below).
      onGone: (g) => this.goneSources.add(g.topic),
      onRevoked: (ps) => this.onRevoked(ps),
    });
    this.consumer.subscribe([...this.topicToSubtopology.keys()]);
  }

  /** Source and sink topics exist, co-partitioning holds, internal topics exist with the right partitions. */
  private async prepareTopics() {
    const admin = this.admin!;
    const internalSources = new Set(this.topology.subtopologies.flatMap((s) => s.internalSources));
    const external = [...new Set(this.topology.subtopologies.flatMap((s) => s.sourceTopics.filter((t) => !internalSources.has(t))))];
    const globals = this.topology.globalStores.map((g) => g.topic);
    const md = await admin.metadata([...new Set([...external, ...globals, ...this.topology.sinkTopics])]);
    const count = (t: string) => {
      const info = md.topics.get(t);
      return info && info.errorCode === 0 ? info.partitions.length : 0;
    };
    const missing = [...new Set([...external, ...globals])].filter((t) => count(t) === 0).sort();
    if (missing.length > 0) throw new MissingSourceTopicException(missing);
    const missingSinks = this.topology.sinkTopics.filter((t) => count(t) === 0);
    if (missingSinks.length > 0) throw new NotFoundError(`Sink topic${missingSinks.length > 1 ? 's' : ''} ${missingSinks.join(', ')} not found (create ${missingSinks.length > 1 ? 'them' : 'it'} first)`);
    const counts = new Map<string, number>();
    for (const t of [...external, ...globals]) counts.set(t, count(t));
    // Repartition topics: a fixed count, else the co-partition group's count, else the widest
    // external source (api.ts does not say which sub-topology writes to which topic).
    const repartition = this.topology.internalTopics.filter((t) => t.kind === 'repartition');
    for (const t of repartition) if (t.partitions) counts.set(t.name, t.partitions);
    for (const group of this.topology.copartitionGroups) {
      const known = group.filter((t) => counts.has(t));
      const sizes = new Set(known.map((t) => counts.get(t)));
      if (sizes.size > 1) throw new TopologyException(`Topics not co-partitioned: [${group.map((t) => (internalSources.has(t) ? this.internalName(t) : t)).join(',')}]`);
      const n = known.length > 0 ? counts.get(known[0]!)! : 0;
      if (n > 0) for (const t of group) if (!counts.has(t)) counts.set(t, n);
    }
    const widest = Math.max(1, ...external.map((t) => counts.get(t)!));
    for (const t of repartition) if (!counts.has(t.name)) counts.set(t.name, widest);
    // Real names for everything the runtime subscribes to.
    for (const [t, n] of [...counts]) if (internalSources.has(t) || repartition.some((r) => r.name === t)) this.partitionCounts.set(this.internalName(t), n);
    for (const t of [...external, ...globals]) this.partitionCounts.set(t, counts.get(t)!);
    const tasksPer = new Map<number, number>();
    for (const [s, topics] of this.sources) tasksPer.set(s, Math.max(0, ...topics.map((t) => this.partitionCounts.get(t) ?? 0)));
    // Internal topics to create.
    const wanted = new Map<string, { partitions: number; configs: Record<string, string> }>();
    for (const t of repartition) wanted.set(this.internalName(t.name), { partitions: counts.get(t.name)!, configs: { 'cleanup.policy': 'delete', ...t.configs } });
    for (const s of this.topology.subtopologies) {
      for (const st of s.stores) {
        if (!st.logged) continue;
        wanted.set(this.changelogName(st.name), { partitions: tasksPer.get(s.id) ?? 1, configs: { 'cleanup.policy': 'compact', ...st.changelogConfigs } });
      }
    }
    for (const t of this.topology.internalTopics) {
      if (t.kind !== 'changelog') continue;
      const name = this.internalName(t.name);
      const have = wanted.get(name);
      if (have) have.configs = { ...have.configs, ...t.configs };
      else wanted.set(name, { partitions: t.partitions ?? widest, configs: { 'cleanup.policy': 'compact', ...t.configs } });
    }
    this.createdTopics = [...wanted.keys()];
    if (wanted.size === 0) return;
    const results = await admin.createTopics([...wanted].map(([name, w]) => ({ name, partitions: w.partitions, replicationFactor: this.config.replicationFactor, configs: w.configs })));
    for (const r of results) {
      if (r.error && r.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new StreamsException(`Could not create internal topic ${r.name}: ${r.error.message}`);
    }
    const existing = await admin.metadata([...wanted.keys()]);
    for (const [name, w] of wanted) {
      const t = existing.topics.get(name);
      const have = t && t.errorCode === 0 ? t.partitions.length : 0;
      if (have !== w.partitions) throw new StreamsException(`Existing internal topic ${name} has invalid partitions: expected: ${w.partitions}; actual: ${have}. Use 'kafka-streams-application-reset' to reset the application.`);
    }
  }

  /** Reads every global topic from the beginning to its current end, then follows it in the background. */
  private async loadGlobalStores() {
    if (this.topology.globalStores.length === 0) return;
    for (const g of this.topology.globalStores) this.globalStores.set(g.store.name, new InMemoryBytesStore(g.store.name));
    this.globalTask = this.topology.createGlobalTask(this.environment({ subtopology: -1, partition: -1 }, new Map()));
    const client = await this.newClient('global-consumer');
    const fetcher = new Fetcher(client, { isolationLevel: this.eos ? 1 : 0, autoOffsetReset: 'earliest' });
    this.globalFetcher = fetcher;
    const parts = this.topology.globalStores.flatMap((g) => Array.from({ length: this.partitionCounts.get(g.topic) ?? 0 }, (_, partition) => ({ topic: g.topic, partition })));
    const ends = await this.endOffsets(parts, this.eos ? 1 : 0);
    await fetcher.assign(parts.map((p) => ({ ...p, start: 'earliest' as const, stopAt: ends.get(tpKey(p.topic, p.partition)) ?? 0 })));
    while (!fetcher.allAtEnd() && !this.stopping) {
      for (const chunk of await fetcher.poll({ maxWaitMs: 100 })) {
        if (this.schemaFetchers) await this.fetchSchemas(chunk.records);
        for (const r of chunk.records) this.globalTask.process(this.sourceRecord(r));
      }
    }
    // Follow from here on.
    await fetcher.assign(fetcher.assignment().map((p) => ({ topic: p.topic, partition: p.partition, start: p.position })));
    this.globalLoopDone = (async () => {
      while (!this.stopping) {
        try {
          for (const chunk of await fetcher.poll({ maxWaitMs: 200 })) {
            if (this.schemaFetchers) await this.fetchSchemas(chunk.records);
            for (const r of chunk.records) this.globalTask!.process(this.sourceRecord(r));
          }
        } catch (e) {
          if (this.stopping) return;
          this.fail(e as Error);
          return;
        }
      }
    })();
  }

  // ---- serdes with I/O (schema registry serdes, src/streams/registry-serdes.ts) ----

  /** Source topic → the deserializers that fetch what they need (schemas) before a batch is processed. */
  private schemaFetchers: Map<string, { fetchFor: (b: Uint8Array | null) => Promise<void> | null; isKey: boolean }[]> | null = null;

  /** Awaits every serde's optional `prepare()` (registering or looking up schemas) before processing starts. */
  private async prepareSerdes() {
    const internal = new Set(this.topology.internalTopics.map((t) => t.name));
    const real = (t: string) => (internal.has(t) ? this.internalName(t) : t);
    type Preparing = { prepare(ctx: { role: string; topics: string[]; config: StreamsProperties }): Promise<void> };
    const toPrepare = { deserializer: new Map<Preparing, Set<string>>(), serializer: new Map<Preparing, Set<string>>() };
    for (const u of this.topology.serdeUses?.() ?? []) {
      const s = u.serde as Partial<Preparing> & { fetchFor?: (b: Uint8Array | null) => Promise<void> | null };
      if (typeof s.prepare === 'function') {
        // One prepare per serde and role, with every topic it is used on.
        const m = toPrepare[u.role];
        const topics = m.get(s as Preparing) ?? new Set<string>();
        for (const t of u.topics) topics.add(real(t));
        m.set(s as Preparing, topics);
      }
      if (u.role === 'deserializer' && typeof s.fetchFor === 'function') {
        this.schemaFetchers ??= new Map();
        for (const t of u.topics) {
          const list = this.schemaFetchers.get(real(t)) ?? [];
          list.push({ fetchFor: s.fetchFor.bind(s), isKey: u.isKey });
          this.schemaFetchers.set(real(t), list);
        }
      }
    }
    // Deserializers first: a serializer may write with a schema its deserializer read.
    for (const role of ['deserializer', 'serializer'] as const) {
      for (const [s, topics] of toPrepare[role]) await s.prepare({ role, topics: [...topics], config: this.props });
    }
  }

  /** Lets the deserializers fetch the schemas a batch names before it is processed (the task engine is synchronous). */
  private async fetchSchemas(records: readonly { topic: string; key: Uint8Array | null; value: Uint8Array | null }[]) {
    let pending: Promise<void>[] | null = null;
    for (const r of records) {
      const list = this.schemaFetchers!.get(r.topic);
      if (!list) continue;
      for (const f of list) {
        const p = f.fetchFor(f.isKey ? r.key : r.value);
        if (p) (pending ??= []).push(p);
      }
    }
    if (pending) await Promise.all(pending);
  }

  private async endOffsets(parts: { topic: string; partition: number }[], isolation: 0 | 1): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (parts.length === 0) return out;
    for (const r of await this.admin!.listOffsets(parts.map((p) => ({ ...p, timestamp: OffsetSpec.latest })), isolation)) {
      if (r.error) throw r.error;
      out.set(tpKey(r.topic, r.partition), r.offset);
    }
    return out;
  }

  private sourceRecord(r: ConsumedRecord): SourceRecord {
    return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers as StreamsHeader[] };
  }

  private ackStampPending = false;
  /** Notes when output was last acknowledged: once per batch of callbacks, not per record. */
  private stampAck() {
    if (this.ackStampPending) return;
    this.ackStampPending = true;
    queueMicrotask(() => {
      this.ackStampPending = false;
      this.stats.ackedAt = preciseNow();
    });
  }

  private environment(taskId: TaskId, stores: Map<string, TaskStore>): TaskEnvironment {
    const label = taskId.subtopology < 0 ? 'global' : taskIdString(taskId);
    const env: TaskEnvironment = {
      applicationId: this.config.applicationId,
      taskId,
      store: (name) => {
        const s = stores.get(name)?.store ?? this.globalStores.get(name);
        if (!s) throw new StreamsException(`Task ${label} has no state store ${name}`);
        return s;
      },
      send: (topic, key, value, timestamp, headers, partition) => {
        if (taskId.subtopology < 0) throw new StreamsException('A global store processor cannot forward records');
        // No callback per record: the producer reports acknowledged and failed batches (below).
        // partition undefined: the producer's partitioner chooses.
        this.wroteSinceCommit = true;
        this.producer!.append({ topic, partition, key: buf(key), value: buf(value), timestamp, headers: headers.length === 0 ? NO_HEADERS : headers.map((h) => ({ key: h.key, value: buf(h.value) })) });
      },
      // Partitions of a topic, for sinks with their own partitioner.
      partitionCount: (topic) => this.partitionCounts.get(topic) ?? this.producer?.client.cluster.topics.get(topic)?.partitions.length,
      requestCommit: () => {
        this.commitRequested = true;
      },
      now: () => Date.now(),
      internalTopicName: (name) => this.internalName(name),
      deserializationErrors: this.config.deserializationErrors,
      log: (level, message) => this.log(level, `[${this.config.applicationId}] task ${label}: ${message}`),
    };
    return env;
  }

  // ---- the loop ----

  /** Records this instance may still process (--max-records). */
  private remaining(): number {
    return this.options.maxRecords === undefined ? Infinity : this.options.maxRecords - this.stats.processed;
  }

  private async loop(): Promise<void> {
    let limitTold = false;
    try {
      while (!this.stopping) {
        if (this.remaining() <= 0) {
          // --max-records reached: nothing more is taken; commits continue until the close.
          if (!limitTold) {
            limitTold = true;
            await this.commit();
            this.options.onMaxRecords?.();
          }
          await sleep(Math.max(10, Math.min(100, this.config.pollMs)));
          continue;
        }
        // A stop ends the poll under way at once: abandoned, it returns nothing and moves no
        // position whenever its answer arrives (Kafka's wakeup()), so the loop is done before the
        // final commit and never commits alongside it. With records buffered the poll only
        // collects what has arrived: processing goes on.
        const poll = this.consumer!.poll(this.hasBuffered() ? 0 : this.config.pollMs);
        poll.catch(() => undefined);
        const records = await Promise.race([poll, this.stopSignal.then((): ConsumedRecord[] => [])]);
        if (this.stopping) break;
        if (this.goneSources.size > 0) throw new MissingSourceTopicException([...this.goneSources].sort());
        if (this.pendingPartitions.length > 0 || this.suspended.size > 0) await this.setupTasks();
        if (this.state === 'REBALANCING' && this.consumer!.generationId >= 0) this.setState('RUNNING');
        if (this.schemaFetchers) await this.fetchSchemas(records);
        this.enqueue(records);
        this.notePolled();
        this.pauseFull();
        this.refreshEnds();
        if (this.stats.startedAt === 0 && records.length > 0) this.stats.startedAt = preciseNow();
        const sliceStart = Date.now();
        for (;;) {
          const before = this.stats.processed;
          await this.processRound();
          const did = this.stats.processed !== before;
          if (did) this.stats.processedAt = preciseNow();
          this.resumeDrained();
          // Caught up (nothing new came, or every partition read to its end): what the producer
          // holds for linger.ms goes out now rather than wait for more input.
          if (!this.flushingIdle && this.producer!.outstanding > 0 && !this.hasBuffered() && (records.length === 0 || this.consumer!.caughtUp())) {
            this.flushingIdle = true;
            void this.producer!.flush()
              .catch(() => undefined)
              .finally(() => (this.flushingIdle = false));
          }
          const now = Date.now();
          for (const t of this.active.values()) t.task?.punctuate(now);
          this.sampleRate(now);
          if (this.commitRequested || now - this.lastCommit >= this.config.commitIntervalMs) await this.commit();
          if (!did || this.stopping || Date.now() - sliceStart >= PROCESS_SLICE_MS) break;
        }
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Buffers polled records per partition (only partitions of running tasks). */
  private enqueue(records: ConsumedRecord[]) {
    let lastTopic = '';
    let lastPartition = -1;
    let q: RecordQueue | undefined;
    for (const r of records) {
      if (r.partition !== lastPartition || r.topic !== lastTopic) {
        lastTopic = r.topic;
        lastPartition = r.partition;
        q = this.queues.get(tpKey(r.topic, r.partition));
      }
      q?.records.push(r);
    }
  }

  /** Notes each queue's consumer position after a poll (what it handed over, markers included). */
  private notePolled() {
    if (this.queues.size === 0) return;
    for (const p of this.consumer!.positions()) {
      const q = this.queues.get(tpKey(p.topic, p.partition));
      if (q && p.position > q.polled) q.polled = p.position;
    }
  }

  /** The queue of the task whose head record has the lowest timestamp (Kafka's choice). */
  private static nextQueue(t: ActiveTask): RecordQueue | null {
    if (t.queues.length === 1) {
      const q = t.queues[0]!;
      return q.head < q.records.length ? q : null;
    }
    let best: RecordQueue | null = null;
    for (const q of t.queues) {
      if (q.head >= q.records.length) continue;
      if (!best || q.records[q.head]!.timestamp < best.records[best.head]!.timestamp) best = q;
    }
    return best;
  }

  /** End offsets (ListOffsets, the consumer's isolation level) of the tasks' partitions, for the lag. */
  private readonly listedEnds = new Map<string, number>();
  private endsRefreshedAt = 0;
  private endsRefreshing = false;

  /** Looks the assigned partitions' end offsets up every END_REFRESH_MS, in the background. */
  private refreshEnds() {
    const now = Date.now();
    if (this.endsRefreshing || now - this.endsRefreshedAt < END_REFRESH_MS || this.queues.size === 0) return;
    this.endsRefreshing = true;
    this.endsRefreshedAt = now;
    const parts = [...this.queues.values()].map((q) => ({ topic: q.topic, partition: q.partition, timestamp: OffsetSpec.latest }));
    void this.admin!.listOffsets(parts, this.eos ? 1 : 0)
      .then((rs) => {
        for (const r of rs) if (!r.error) this.listedEnds.set(tpKey(r.topic, r.partition), r.offset);
      })
      .catch(() => undefined)
      .finally(() => (this.endsRefreshing = false));
  }

  /** Records processed since the loop last waited for producer room and yielded. */
  private sinceYield = 0;

  /** Some task has buffered records. */
  private hasBuffered(): boolean {
    for (const q of this.queues.values()) if (q.head < q.records.length) return true;
    return false;
  }

  /** Pauses the partitions holding more than buffered.records.per.partition records (Kafka Streams' RecordQueue bound). */
  private pauseFull() {
    const bound = this.config.bufferedRecordsPerPartition;
    let full: RecordQueue[] | null = null;
    for (const q of this.queues.values()) if (!q.paused && q.records.length - q.head > bound) (full ??= []).push(q);
    if (!full) return;
    for (const q of full) q.paused = true;
    this.consumer!.pause(full);
  }

  /** Resumes the paused partitions whose buffer is down to buffered.records.per.partition. */
  private resumeDrained() {
    const bound = this.config.bufferedRecordsPerPartition;
    let drained: RecordQueue[] | null = null;
    for (const q of this.queues.values()) if (q.paused && q.records.length - q.head <= bound) (drained ??= []).push(q);
    if (!drained) return;
    for (const q of drained) q.paused = false;
    this.consumer!.resume(drained);
  }

  /**
   * One processing round: every task with buffered records processes up to TASK_BATCH_RECORDS
   * of them (about TASK_BATCH_MS at most), in turn, so that no task or partition waits for
   * another's backlog.
   */
  private async processRound() {
    for (const t of this.active.values()) {
      const task = t.task;
      if (!task) continue;
      const cap = Math.min(TASK_BATCH_RECORDS, this.remaining());
      if (cap <= 0) break;
      let n = 0;
      const until = performance.now() + TASK_BATCH_MS;
      if (t.queues.length === 1) {
        // One input partition: its records in order, no choosing between queues.
        const q = t.queues[0]!;
        const records = q.records;
        const start = q.head;
        const end = Math.min(records.length, start + cap);
        let i = start;
        while (i < end) {
          const r = records[i]!;
          q.head = i + 1;
          // A consumed record is a SourceRecord as it is (Buffers are Uint8Arrays).
          task.process(r);
          q.next = r.offset + 1;
          i++;
          if (((i - start) & 31) === 0 && performance.now() >= until) break;
        }
        n = i - start;
        if (q.head >= records.length && n > 0) {
          q.records = [];
          q.head = 0;
        }
      } else {
        while (n < cap) {
          const q = KafkaStreams.nextQueue(t);
          if (!q) break;
          const r = q.records[q.head++]!;
          if (q.head >= q.records.length) {
            q.records = [];
            q.head = 0;
          }
          task.process(r);
          q.next = r.offset + 1;
          n++;
          if ((n & 31) === 0 && performance.now() >= until) break;
        }
      }
      if (n > 0) {
        t.processed += n;
        this.stats.processed += n;
        this.sinceYield += n;
      }
    }
    if (this.sendError) throw this.sendError;
    if (this.sinceYield >= 5000) {
      this.sinceYield = 0;
      const room = this.producer!.waitForRoom(50_000);
      room.catch(() => undefined);
      await Promise.race([room, this.stopSignal]);
      await yieldNow();
    }
  }

  /** Copies the queues' processed positions into the tasks' offsets to commit. */
  private syncConsumed() {
    for (const t of this.active.values()) {
      for (const q of t.queues) {
        // Every record handed over processed: the consumer's position (past markers and aborted
        // batches), as Kafka Streams commits its consumer's position for a task's empty queue.
        // A partition nothing was processed from is not committed (nor is it in Kafka Streams).
        const at = q.next >= 0 && q.head >= q.records.length && q.polled > q.next ? q.polled : q.next;
        if (at >= 0) t.consumed.set(q.key, at);
      }
    }
  }

  private sampleRate(now: number) {
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (last && now - last.at < 250) return;
    this.rateSamples.push({ at: now, processed: this.stats.processed });
    while (this.rateSamples.length > 2 && now - this.rateSamples[0]!.at > 5000) this.rateSamples.shift();
  }

  // ---- tasks ----

  /** Creates (restoring their state) the tasks of newly assigned partitions; closes suspended tasks not assigned back. */
  private async setupTasks() {
    const assigned = new Map<string, { id: TaskId; partitions: { topic: string; partition: number }[] }>();
    for (const p of this.pendingPartitions) {
      const s = this.topicToSubtopology.get(p.topic);
      if (s === undefined) continue;
      const id = { subtopology: s, partition: p.partition };
      const key = taskIdString(id);
      const entry = assigned.get(key) ?? { id, partitions: [] };
      entry.partitions.push(p);
      assigned.set(key, entry);
    }
    this.pendingPartitions = [];
    for (const [key, t] of [...this.suspended]) {
      if (assigned.has(key)) continue;
      this.suspended.delete(key);
      this.closeTask(t, true);
    }
    const fresh: ActiveTask[] = [];
    for (const [key, a] of assigned) {
      const resumed = this.suspended.get(key);
      if (resumed) {
        this.suspended.delete(key);
        resumed.partitions = a.partitions;
        this.activate(resumed);
        continue;
      }
      try {
        fresh.push(await this.openTask(a.id, a.partitions));
      } catch (e) {
        for (const t of fresh) this.closeTask(t, false);
        throw e;
      }
    }
    let restored = false;
    try {
      restored = fresh.length === 0 || (await this.restore(fresh));
    } finally {
      // Closing while restoring, or restoration failed: the stores are incomplete, so no checkpoint.
      if (!restored) for (const t of fresh) this.closeTask(t, false);
    }
    if (!restored) return;
    for (const t of fresh) {
      t.task = this.topology.createTask(t.id.subtopology, this.environment(t.id, t.stores));
      this.activate(t);
    }
  }

  private activate(t: ActiveTask) {
    this.active.set(t.key, t);
    t.queues = t.partitions.map((p) => ({ key: tpKey(p.topic, p.partition), topic: p.topic, partition: p.partition, paused: false, records: [], head: 0, next: -1, polled: -1 }));
    for (const q of t.queues) {
      this.byPartition.set(q.key, t);
      this.queues.set(q.key, q);
    }
    // Its buffers start empty: a partition paused for a buffer dropped with the task (an aborted
    // transaction's revival) is fetched again.
    this.consumer?.resume(t.partitions);
  }

  private async openTask(id: TaskId, partitions: { topic: string; partition: number }[]): Promise<ActiveTask> {
    const key = taskIdString(id);
    const dir = this.stateDir!;
    // Another instance sharing this state dir may still be handing the task over.
    const deadline = Date.now() + Math.max(10_000, this.config.sessionTimeoutMs);
    while (!dir.lock(key)) {
      if (Date.now() > deadline || this.stopping) throw new StreamsException(`Could not lock the state directory of task ${key} (${dir.taskDir(key)}): another instance holds it`);
      await sleep(100);
    }
    const checkpoint = dir.readCheckpoint(key);
    // Under exactly_once_v2 a checkpoint is only valid for the clean close that wrote it: a crash
    // from here on must restore from the beginning.
    if (this.eos) dir.deleteCheckpoint(key);
    const t: ActiveTask = { id, key, task: null, partitions, queues: [], stores: new Map(), consumed: new Map(), committed: new Map(), changelogOffsets: new Map(), processed: 0, restored: 0 };
    for (const spec of this.storesBySubtopology.get(id.subtopology) ?? []) {
      const changelog = spec.logged ? this.changelogName(spec.name) : null;
      let inner: BytesStore;
      if (spec.persistent) {
        const file = new FileBytesStore(spec.name, join(dir.taskDir(key), 'stores', `${spec.name}.log`));
        // Without a checkpoint the file may hold changes the changelog does not: start afresh.
        if (changelog && !checkpoint.has(tpKey(changelog, id.partition))) {
          file.destroy();
          inner = new FileBytesStore(spec.name, join(dir.taskDir(key), 'stores', `${spec.name}.log`));
        } else inner = file;
      } else inner = new InMemoryBytesStore(spec.name);
      if (changelog) {
        const ck = tpKey(changelog, id.partition);
        if (spec.persistent && checkpoint.has(ck)) t.changelogOffsets.set(ck, checkpoint.get(ck)!);
        const store = new LoggedStore(inner, (k, v) => {
          this.wroteSinceCommit = true;
          this.producer!.append({ topic: changelog, partition: id.partition, key: buf(k), value: buf(v) }, (e, meta) => {
            if (e) {
              if (!this.sendError) this.sendError = new StreamsException(`Error encountered sending record to topic ${changelog} for task ${key} due to: ${e.message}`, { cause: e });
            } else if (meta && meta.offset >= 0 && (t.changelogOffsets.get(ck) ?? 0) < meta.offset + 1) t.changelogOffsets.set(ck, meta.offset + 1);
          });
        });
        t.stores.set(spec.name, { spec, store, inner, changelog });
      } else t.stores.set(spec.name, { spec, store: inner, inner, changelog: null });
    }
    return t;
  }

  /**
   * Restores the tasks' logged stores from their changelogs, all partitions in one fetch loop.
   * False when the application started closing before restoration completed.
   */
  private async restore(tasks: ActiveTask[]): Promise<boolean> {
    const parts: { topic: string; partition: number; task: ActiveTask; store: TaskStore }[] = [];
    for (const t of tasks) for (const s of t.stores.values()) if (s.changelog) parts.push({ topic: s.changelog, partition: t.id.partition, task: t, store: s });
    if (parts.length === 0) return true;
    const isolation = this.eos ? 1 : 0;
    const ends = await this.endOffsets(parts, isolation);
    const fetcher = new Fetcher(this.admin!.client, { isolationLevel: isolation, autoOffsetReset: 'earliest' });
    const byTp = new Map(parts.map((p) => [tpKey(p.topic, p.partition), p]));
    const plan: { topic: string; partition: number; start: number | 'earliest'; stopAt: number }[] = [];
    for (const p of parts) {
      const k = tpKey(p.topic, p.partition);
      const end = ends.get(k) ?? 0;
      let start: number | 'earliest' = p.task.changelogOffsets.get(k) ?? 'earliest';
      if (typeof start === 'number' && start > end) {
        // The changelog is behind the checkpoint (recreated?): rebuild from the beginning.
        this.log('warn', `[${this.config.applicationId}] task ${p.task.key}: checkpoint ${start} is past the end ${end} of ${p.topic}; restoring from the beginning`);
        const keys = [...p.store.inner.range()].map(([kk]) => kk);
        for (const kk of keys) p.store.inner.put(kk, null);
        start = 'earliest';
      }
      p.task.changelogOffsets.set(k, end);
      plan.push({ topic: p.topic, partition: p.partition, start, stopAt: end });
    }
    await fetcher.assign(plan);
    const began = Date.now();
    let restored = 0;
    const touched = new Set<TaskStore>();
    try {
      while (!fetcher.allAtEnd()) {
        if (this.stopping) return false;
        for (const chunk of await fetcher.poll({ maxWaitMs: 100 })) {
          const p = byTp.get(tpKey(chunk.topic, chunk.partition))!;
          const inner = p.store.inner;
          if (chunk.records.length > 0) touched.add(p.store);
          if (inner instanceof FileBytesStore) {
            for (const r of chunk.records) if (r.key !== null) inner.putCached(r.key, r.value);
          } else for (const r of chunk.records) if (r.key !== null) inner.put(r.key, r.value);
          p.task.restored += chunk.records.length;
          restored += chunk.records.length;
        }
      }
    } finally {
      fetcher.close();
    }
    // The restored state is written to the store files once (restoration staged nothing); the
    // restoration's time includes it.
    for (const s of touched) if (s.inner instanceof FileBytesStore) s.inner.compact();
    this.stats.restored += restored;
    const secs = (Date.now() - began) / 1000;
    if (restored > 0) {
      this.stats.restoreRate = restored / Math.max(secs, 0.001);
      this.log('info', `[${this.config.applicationId}] restored ${restored} records from changelogs in ${secs.toFixed(2)} s`);
    }
    return true;
  }

  /** Closes a task: clean (checkpoint, compacted stores) or dirty (local state dropped). */
  private closeTask(t: ActiveTask, clean: boolean) {
    const dir = this.stateDir!;
    try {
      t.task?.close();
    } catch (e) {
      this.log('warn', `[${this.config.applicationId}] task ${t.key}: close failed: ${(e as Error).message}`);
      clean = false;
    }
    for (const s of t.stores.values()) {
      if (!clean && s.store instanceof LoggedStore) s.store.discard();
      if (!(s.inner instanceof FileBytesStore)) continue;
      if (clean) s.inner.close();
      else s.inner.destroy();
    }
    if (clean) {
      const offsets = new Map([...t.changelogOffsets].filter(([k]) => [...t.stores.values()].some((s) => s.spec.persistent && s.changelog && k.startsWith(`${s.changelog}\0`))));
      if (offsets.size > 0) dir.writeCheckpoint(t.key, offsets);
    } else dir.deleteCheckpoint(t.key);
    dir.unlock(t.key);
    this.active.delete(t.key);
    for (const p of t.partitions) {
      const k = tpKey(p.topic, p.partition);
      if (this.byPartition.get(k) === t) this.byPartition.delete(k);
      this.queues.delete(k);
    }
  }

  /** Eager revocation: commit, then suspend every task until the new assignment is known. */
  private async onRevoked(ps: { topic: string; partition: number }[]) {
    if (this.stopping && this.fatal) return;
    if (this.state === 'RUNNING') this.setState('REBALANCING');
    try {
      if (this.active.size > 0) await this.commit('revoke');
    } catch (e) {
      // Their state is ahead of what was committed: drop it rather than resume from it.
      this.log('warn', `[${this.config.applicationId}] commit before rebalance failed: ${(e as Error).message}`);
      for (const t of [...this.active.values()]) this.closeTask(t, false);
    }
    const gone = new Set(ps.map((p) => tpKey(p.topic, p.partition)));
    for (const t of [...this.active.values()]) {
      if (!t.partitions.some((p) => gone.has(tpKey(p.topic, p.partition)))) continue;
      this.active.delete(t.key);
      for (const p of t.partitions) {
        this.byPartition.delete(tpKey(p.topic, p.partition));
        this.queues.delete(tpKey(p.topic, p.partition));
      }
      this.suspended.set(t.key, t);
    }
  }

  // ---- commit ----

  private offsetsToCommit(): { topic: string; partition: number; offset: number }[] {
    this.syncConsumed();
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const t of this.active.values()) {
      for (const [k, o] of t.consumed) {
        if (t.committed.get(k) === o) continue;
        const [topic, partition] = k.split('\0');
        out.push({ topic: topic!, partition: Number(partition), offset: o });
      }
    }
    return out;
  }

  private markCommitted(offsets: { topic: string; partition: number; offset: number }[]) {
    for (const o of offsets) {
      const t = this.byPartition.get(tpKey(o.topic, o.partition));
      t?.committed.set(tpKey(o.topic, o.partition), o.offset);
    }
  }

  /**
   * Commits processed offsets (and, under exactly_once_v2, the transaction). `revoke`: before a
   * rebalance (a failed transaction is aborted and the tasks' state dropped, not revived);
   * `final`: on close (no next transaction).
   */
  private async commit(mode: 'loop' | 'revoke' | 'final' = 'loop'): Promise<void> {
    const final = mode === 'final';
    this.commitRequested = false;
    this.lastCommit = Date.now();
    const consumer = this.consumer!;
    const producer = this.producer!;
    for (const t of this.active.values()) {
      t.task?.flush();
      for (const st of t.stores.values()) if (st.store instanceof LoggedStore) st.store.flushChangelog();
    }
    const offsets = this.offsetsToCommit();
    // The commits counter (Kafka's commit-total) counts commits that committed something:
    // offsets, or records written in the transaction; an idle application's attempts are none.
    const wrote = this.wroteSinceCommit;
    this.wroteSinceCommit = false;
    if (this.eos) {
      try {
        if (offsets.length > 0) {
          await producer.sendOffsetsToTransaction(offsets, { groupId: this.config.applicationId, generationId: consumer.generationId, memberId: consumer.memberId, groupInstanceId: null });
        }
        await producer.commitTransaction();
        if (this.sendError) throw this.sendError;
      } catch (e) {
        // A record the cluster refused is fatal (Kafka's default production exception handler),
        // as is a commit on the way out; anything else (the group moved on) aborts and revives.
        if (final || this.sendError) {
          if (!this.producer!.txn?.isFatal()) await producer.abortTransaction().catch(() => undefined);
          throw this.sendError ?? e;
        }
        if (mode === 'revoke') {
          this.log('warn', `[${this.config.applicationId}] transaction aborted before the rebalance: ${(e as Error).message}`);
          if (!this.producer!.txn?.isFatal()) await producer.abortTransaction();
          for (const t of [...this.active.values()]) this.closeTask(t, false);
          producer.beginTransaction();
          return;
        }
        await this.abortAndRevive(e as Error);
        return;
      }
      this.markCommitted(offsets);
      if (offsets.length > 0 || wrote) this.stats.commits++;
      for (const t of this.active.values()) for (const s of t.stores.values()) if (s.inner instanceof FileBytesStore) s.inner.flush();
      if (!final) producer.beginTransaction();
      return;
    }
    await producer.flush();
    if (this.sendError) throw this.sendError;
    for (const t of this.active.values()) {
      let persistent = false;
      for (const s of t.stores.values()) {
        if (s.inner instanceof FileBytesStore) {
          s.inner.flush();
          persistent = true;
        }
      }
      if (persistent) {
        const offsets2 = new Map([...t.changelogOffsets].filter(([k]) => [...t.stores.values()].some((s) => s.spec.persistent && s.changelog && k.startsWith(`${s.changelog}\0`))));
        if (offsets2.size > 0) this.stateDir!.writeCheckpoint(t.key, offsets2);
      }
    }
    if (offsets.length === 0 || consumer.generationId < 0) {
      // Records written (a punctuator's) and flushed, no offsets: still a commit of the tasks.
      if (wrote) this.stats.commits++;
      return;
    }
    const results = await consumer.groups.commitOffsets(this.config.applicationId, offsets, { generationId: consumer.generationId, memberId: consumer.memberId, groupInstanceId: null });
    const failed = results.find((r) => r.error);
    if (failed?.error) {
      // The group moved on (a rebalance): the records are processed again by the new owner.
      this.log('warn', `[${this.config.applicationId}] offset commit failed: ${failed.error.message}`);
      return;
    }
    this.markCommitted(offsets);
    this.stats.commits++;
  }

  /**
   * exactly_once_v2: the transaction failed. Abort it, drop the tasks' state (it holds the aborted
   * changes), rewind their input to the committed offsets and restore from the changelogs.
   */
  private async abortAndRevive(cause: Error) {
    const producer = this.producer!;
    if (producer.txn?.isFatal()) throw new StreamsException(`Transaction failed: ${cause.message}`, { cause });
    this.log('warn', `[${this.config.applicationId}] transaction aborted: ${cause.message}`);
    // The group moved on without this member: rejoin at the next poll rather than fail again.
    const code = cause instanceof KafkaProtocolError ? cause.code : 0;
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.REBALANCE_IN_PROGRESS) this.consumer!.rejoin(code === ErrorCode.UNKNOWN_MEMBER_ID);
    try {
      await producer.abortTransaction();
    } catch (e) {
      throw new StreamsException(`Could not abort the transaction: ${(e as Error).message}`, { cause: e });
    }
    this.sendError = null;
    const tasks = [...this.active.values()];
    for (const t of tasks) this.closeTask(t, false);
    const parts = tasks.flatMap((t) => t.partitions);
    const committed = await this.consumer!.groups.fetchOffsets(this.config.applicationId, parts);
    const at = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
    for (const p of parts) {
      const o = at.get(tpKey(p.topic, p.partition)) ?? -1;
      if (o >= 0) this.consumer!.seek(p.topic, p.partition, o);
      else {
        const [r] = await this.admin!.listOffsets([{ topic: p.topic, partition: p.partition, timestamp: this.config.autoOffsetReset === 'earliest' ? OffsetSpec.earliest : OffsetSpec.latest }], 1);
        if (r && !r.error) this.consumer!.seek(p.topic, p.partition, r.offset);
      }
    }
    this.pendingPartitions.push(...parts);
    producer.beginTransaction();
    await this.setupTasks();
  }

  // ---- stopping ----

  /** Source topics found deleted while running. */
  private readonly goneSources = new Set<string>();

  /**
   * Stops the application with an error raised outside the runtime's own calls (app code run
   * later, in a timer or an unawaited promise), as an exception in a processor stops it.
   */
  reportError(e: Error): void {
    this.fail(e);
  }

  private fail(e: Error) {
    if (this.fatal || this.state === 'ERROR') return;
    this.fatal = e;
    this.log('error', `[${this.config.applicationId}] ${isKafkaTsError(e) || e instanceof KafkaProtocolError ? '' : 'unexpected error: '}${e.message}`);
    void this.shutdown(false);
  }

  private shutdownPromise: Promise<void> | null = null;
  /** The final commit was abandoned (the broker did not answer in time). */
  private abandoned = false;

  /** Stops everything; clean (commit, checkpoint) or after an error (abort, drop local state). */
  private shutdown(clean: boolean): Promise<void> {
    if (!this.shutdownPromise) {
      this.shutdownPromise = (async () => {
        this.setState(clean ? 'PENDING_SHUTDOWN' : 'PENDING_ERROR');
        this.stopping = true;
        this.consumer?.abandonPoll();
        this.signalStop();
        const app = this.config.applicationId;
        // A broker that went away would hold every step below for the client's timeouts (a
        // minute and more): once the broker stops answering (requests fail on their connections),
        // the loop, the final commit, leaving the group and closing the producer get STOP_WAIT_MS
        // in all (from the stop, or from when it stopped answering if later), then what is left is
        // abandoned and said so. A broker that answers is waited for (Kafka Streams' close()).
        const stopStart = Date.now();
        const giveUpAt = (): number => {
          const since = this.clients.map((c) => c.unreachableSince()).filter((t) => t > 0);
          return since.length === 0 ? Infinity : Math.max(stopStart, Math.min(...since)) + STOP_WAIT_MS;
        };
        const gone = () => Date.now() >= giveUpAt();
        const within = async <T>(p: Promise<T>): Promise<{ done: true; value: T } | { done: false }> => {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<{ done: false }>((r) => {
            const check = () => (gone() ? r({ done: false }) : (timer = setTimeout(check, Math.max(10, Math.min(100, giveUpAt() - Date.now())))));
            check();
          });
          try {
            return await Promise.race([p.then((value) => ({ done: true as const, value })), late]);
          } finally {
            clearTimeout(timer);
          }
        };
        if (clean) this.log('info', `[${app}] stopping: committing offsets and leaving the group (given up ${STOP_WAIT_MS / 1000} s after the broker stops answering)`);
        if (this.starting) await within(this.starting.catch(() => undefined));
        // The loop ends at once (its poll is abandoned) unless it is processing or committing:
        // that is waited for, and the final commit never runs alongside it.
        const loopStopped = !this.loopDone || (await within(this.loopDone)).done;
        if (this.globalLoopDone) await within(this.globalLoopDone);
        if (clean && this.fatal) clean = false;
        if (clean && this.consumer && this.producer) {
          const pending = this.offsetsToCommit();
          const notCommitted = () => {
            const what = pending.length > 0 ? `offsets not committed: ${pending.map((o) => `${o.topic}-${o.partition} at ${o.offset}`).join(', ')}` : 'no offsets were pending';
            return `${what}${pending.length > 0 ? ' (the records after the last commit are processed again on the next start)' : ''}`;
          };
          if (!loopStopped) {
            // Still inside its processing or its own commit: no commit beside it; the tasks are
            // closed without a checkpoint (dirty), their stores restored on the next start.
            this.log('warn', `[${app}] final commit abandoned: the broker did not answer within ${STOP_WAIT_MS / 1000} s and the stream loop had not stopped (tasks closed dirty); ${notCommitted()}`);
            clean = false;
            this.abandoned = true;
          } else {
            try {
              const r = await within(this.commit('final'));
              if (!r.done) {
                this.log('warn', `[${app}] final commit abandoned: the broker did not answer within ${STOP_WAIT_MS / 1000} s; ${notCommitted()}`);
                clean = false;
                this.abandoned = true;
              }
            } catch (e) {
              this.log('warn', `[${app}] final commit failed: ${(e as Error).message}`);
              clean = false;
            }
          }
        } else if (this.eos && this.producer?.txn && !this.producer.txn.isFatal() && (!this.loopDone || loopStopped)) {
          await within(this.producer.abortTransaction().catch(() => undefined));
        }
        for (const t of [...this.active.values(), ...this.suspended.values()]) this.closeTask(t, clean);
        this.suspended.clear();
        // Leaving the group has Kafka's close timeout (30 s) while the broker answers; once it
        // does not, these end by the same STOP_WAIT_MS as the rest (their sockets are closed).
        if (this.consumer) await within(this.consumer.close(gone() ? 0 : undefined).catch(() => false));
        if (this.producer) await within(this.producer.close().catch(() => undefined));
        this.globalFetcher?.close();
        await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
        // A final commit abandoned because the broker went away is not an application error
        // (Kafka Streams closes its tasks dirty and ends NOT_RUNNING): the records are read again.
        this.setState((clean || this.abandoned) && !this.fatal ? 'NOT_RUNNING' : 'ERROR');
      })();
    }
    return this.shutdownPromise;
  }

  /** Clean shutdown: commit, checkpoint, close tasks and leave the group. */
  async close(): Promise<void> {
    if (this.state === 'CREATED' && !this.starting) {
      this.setState('NOT_RUNNING');
      return;
    }
    await this.shutdown(true);
  }

  // ---- metrics ----

  metrics(): StreamsMetrics {
    this.syncConsumed();
    const positions = new Map((this.consumer?.positions() ?? []).map((p) => [tpKey(p.topic, p.partition), p]));
    const tasks: TaskMetrics[] = [];
    for (const t of [...this.active.values()].sort((a, b) => a.id.subtopology - b.id.subtopology || a.id.partition - b.id.partition)) {
      let lag: number | null = 0;
      const partitions = t.partitions.map((p) => {
        const k = tpKey(p.topic, p.partition);
        const pos = positions.get(k);
        const q = this.queues.get(k);
        const buffered = q ? q.records.length - q.head : 0;
        const position = t.consumed.get(k) ?? (pos ? pos.position - buffered : -1);
        // The later of the fetcher's end and the one looked up (a partition not fetched lately:
        // paused, or its records held, as a repartition topic behind a backlog).
        const end = Math.max(pos?.end ?? -1, this.listedEnds.get(k) ?? -1);
        const l = end >= 0 && position >= 0 ? Math.max(0, end - position) : null;
        lag = l === null || lag === null ? null : lag + l;
        return { topic: p.topic, partition: p.partition, position, end, lag: l };
      });
      tasks.push({ id: t.key, partitions, lag, processed: t.processed, restored: t.restored });
    }
    const first = this.rateSamples[0];
    const now = Date.now();
    const rate = first && now - first.at > 0 ? ((this.stats.processed - first.processed) * 1000) / (now - first.at) : 0;
    return {
      state: this.state,
      applicationId: this.config.applicationId,
      processId: this.processId,
      processingGuarantee: this.config.processingGuarantee,
      processed: this.stats.processed,
      recordsPerSecond: rate,
      commits: this.stats.commits,
      restored: this.stats.restored,
      restoreRecordsPerSecond: this.stats.restoreRate,
      processingStartedAt: this.stats.startedAt,
      processingEndedAt: Math.max(this.stats.processedAt, this.stats.ackedAt),
      tasks,
    };
  }
}
