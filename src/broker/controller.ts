/**
 * The controller: validates and applies cluster-wide changes (topics, partitions, configs,
 * leadership) to the cluster metadata. In Kafka this runs in the active KRaft controller; here it
 * runs in the daemon next to the logical brokers.
 *
 * Error messages are Kafka's, because the tools print them verbatim.
 */
import { ErrorCode } from '../protocol/errors.js';
import { topicNameProblem } from '../protocol/topic-name.js';
import { placeReplicas } from '../util/replica-placement.js';
import type { BrokerConfig } from './config.js';
import type { ClusterMetadata, TopicState } from './metadata/cluster-metadata.js';
import { validateTopicConfig, validateTopicConfigSet } from '../protocol/topic-configs.js';
import type { Logger } from '../util/logger.js';
import { ReplicationControl } from './replication/replication-control.js';
import { type ApiError, OK } from './api-error.js';

export { type ApiError, OK } from './api-error.js';
const err = (code: number, message: string | null = null): ApiError => ({ code, message });

export const OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const INTERNAL_TOPICS = new Set([OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC, '__share_group_state']);

export interface NewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  /** Explicit replicas per partition (partition index -> broker ids), or empty. */
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

export function validateTopicName(name: string): ApiError {
  const problem = topicNameProblem(name);
  return problem === null ? OK : err(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
}

export class Controller {
  /** Leadership, ISR, elections and reassignments. */
  readonly replication: ReplicationControl;

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly config: BrokerConfig,
    /** Ids of the brokers currently running. */
    private readonly liveBrokers: () => number[],
    /** Ids of every registered broker (running or stopped). */
    private readonly registeredBrokers: () => number[],
    private readonly log: Logger,
    /** Ids of the running brokers whose log directory is offline (they are not in liveBrokers). */
    private readonly offlineBrokers: () => number[] = () => [],
    /** Resolves once the brokers created the logs of `t`'s partitions (see Broker.logsOpened). */
    private readonly logsOpened: (t: TopicState) => Promise<void> = async () => {},
  ) {
    this.replication = new ReplicationControl(metadata, config, liveBrokers, registeredBrokers, log);
  }

  private checkConfigs(configs: NewTopic['configs']): ApiError {
    for (const c of configs) {
      const problem = validateTopicConfig(c.name, c.value);
      if (problem) return err(ErrorCode.INVALID_CONFIG, problem);
    }
    const conflict = validateTopicConfigSet(Object.fromEntries(configs.map((c) => [c.name, c.value])));
    return conflict ? err(ErrorCode.INVALID_CONFIG, conflict) : OK;
  }

  private checkAssignment(assignment: number[][]): ApiError {
    const known = new Set(this.registeredBrokers());
    for (const [i, replicas] of assignment.entries()) {
      if (replicas.length === 0) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Empty replica assignment for partition ${i}.`);
      if (new Set(replicas).size !== replicas.length) {
        return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${i}.`);
      }
      const unknown = replicas.find((b) => !known.has(b));
      if (unknown !== undefined) {
        return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`);
      }
      if (replicas.length !== assignment[0]!.length) {
        return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not consistent with previous partitions, which have ${assignment[0]!.length} replica(s).`);
      }
    }
    return OK;
  }

  /**
   * No running broker can make a log (every one's log directory offline, as after a full disk;
   * Kafka's broker stops when its only log directory fails): nothing would hold the records.
   * (Not while the brokers start: none is live or offline yet.)
   */
  private storageError(): ApiError | null {
    if (this.liveBrokers().length === 0 && this.offlineBrokers().length > 0) {
      return err(ErrorCode.KAFKA_STORAGE_ERROR, 'No running broker can create the partitions: the log directory of every running broker is offline (server status names it).');
    }
    return null;
  }

  private replicationError(rf: number): ApiError | null {
    const storage = this.storageError();
    if (storage) return storage;
    // Kafka's placer refuses first when no broker is unfenced, then when too few are registered.
    if (this.liveBrokers().length === 0) {
      return err(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): All brokers are currently fenced.`);
    }
    const n = this.registeredBrokers().length;
    if (rf > n) {
      return err(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${n} broker(s) are registered.`,
      );
    }
    return null;
  }

  /**
   * Automatic placement, as Kafka's StripedReplicaPlacer does it: replicas go to running brokers;
   * stopped (fenced) ones get followers only when too few brokers run for the replication factor,
   * and never the first replica (the leader). replicationError checked `rf` first.
   */
  private place(partitions: number, rf: number, firstPartition = 0): number[][] {
    const live = this.liveBrokers();
    const fenced = this.registeredBrokers().filter((b) => !live.includes(b));
    return placeReplicas(live, partitions, Math.min(rf, live.length), firstPartition).map((replicas, i) => {
      for (let k = 0; replicas.length < rf; k++) replicas.push(fenced[(firstPartition + i + k) % fenced.length]!);
      return replicas;
    });
  }

  /**
   * An explicit assignment needs a running broker in each partition, to lead it (Kafka's
   * controller refuses it otherwise); stopped brokers in it stay replicas, out of the ISR.
   */
  private unledPartition(assignment: number[][], firstPartition = 0): ApiError {
    const isLive = this.isLive();
    const i = assignment.findIndex((replicas) => !replicas.some(isLive));
    if (i < 0) return OK;
    return this.storageError() ?? err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `All brokers specified in the manual partition assignment for partition ${firstPartition + i} are fenced or in controlled shutdown.`);
  }

  /** Whether a broker runs, as of now: a new partition's ISR is its replicas that do. */
  private isLive(): (id: number) => boolean {
    const live = new Set(this.liveBrokers());
    return (id) => live.has(id);
  }

  /**
   * Kafka's cap on the partitions one request may create, counted before anything is allocated
   * (as its controller does: -1 counts the default, explicit assignments count their length).
   * Over the cap the whole request fails.
   */
  checkPartitionsPerRequest(topics: Pick<NewTopic, 'numPartitions' | 'assignments'>[]): ApiError {
    let total = 0;
    for (const t of topics) {
      if (t.assignments.length > 0) total += t.assignments.length;
      else if (t.numPartitions === -1) total += this.config.numPartitions;
      else if (t.numPartitions > 0) total += t.numPartitions;
    }
    return this.partitionsPerRequestError(total);
  }

  private partitionsPerRequestError(requested: number): ApiError {
    if (requested <= this.config.maxPartitionsPerRequest) return OK;
    // Kafka's message, verbatim (the tools print it); the limit is kafka-ts.max.partitions.per.request.
    return err(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
  }

  /** The daemon-wide cap on partition replicas (kafka-ts.max.partitions), checked before placement. */
  private partitionLimitError(partitions: number, rf: number): ApiError {
    const limit = this.config.maxPartitions;
    const hosted = this.metadata.partitionReplicaCount();
    if (hosted + partitions * rf <= limit) return OK;
    return err(
      ErrorCode.POLICY_VIOLATION,
      `Unable to add ${partitions} partition(s) with replication factor ${rf}: the brokers would host ${hosted + partitions * rf} partition replicas, more than kafka-ts.max.partitions=${limit}.${this.config.explicit['kafka-ts.max.partitions'] === undefined ? ' (Unset, it grows with the daemon\'s heap: KAFKA_HEAP_OPTS=-Xmx1G raises both.)' : ''}`,
    );
  }

  /** Creates a topic (or only validates it). Returns the error and, on success, the topic shape. */
  createTopic(spec: NewTopic, validateOnly: boolean): { error: ApiError; partitions: number; replicationFactor: number; topic?: TopicState } {
    const fail = (e: ApiError) => ({ error: e, partitions: -1, replicationFactor: -1 });
    const nameError = validateTopicName(spec.name);
    if (nameError.code) return fail(nameError);
    if (this.metadata.topic(spec.name)) return fail(err(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`));
    const clash = this.metadata.topicCollidingWith(spec.name);
    if (clash) return fail(err(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${spec.name}' collides with existing topic: ${clash.name}`));

    let assignment: number[][];
    if (spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        return fail(
          err(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.'),
        );
      }
      const sorted = [...spec.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
      if (sorted.some((a, i) => a.partitionIndex !== i)) {
        return fail(err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence'));
      }
      assignment = sorted.map((a) => a.brokerIds);
      const bad = this.checkAssignment(assignment);
      if (bad.code) return fail(bad);
      const unled = this.unledPartition(assignment);
      if (unled.code) return fail(unled);
      const full = this.partitionLimitError(assignment.length, assignment[0]!.length);
      if (full.code) return fail(full);
    } else {
      const partitions = spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions;
      const rf = spec.replicationFactor === -1 ? this.config.defaultReplicationFactor : spec.replicationFactor;
      if (partitions <= 0) return fail(err(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'));
      if (rf <= 0) return fail(err(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.'));
      const rfError = this.replicationError(rf);
      if (rfError) return fail(rfError);
      const tooMany = this.partitionsPerRequestError(partitions);
      if (tooMany.code) return fail(tooMany);
      const full = this.partitionLimitError(partitions, rf);
      if (full.code) return fail(full);
      assignment = this.place(partitions, rf);
    }
    const cfgError = this.checkConfigs(spec.configs);
    if (cfgError.code) return fail(cfgError);

    const configs: Record<string, string> = {};
    for (const c of spec.configs) if (c.value !== null) configs[c.name] = c.value.trim();
    const result = { error: OK, partitions: assignment.length, replicationFactor: assignment[0]!.length };
    if (validateOnly) return result;
    const created = this.createAtomically(spec.name, assignment, configs);
    if ('error' in created) return fail(created.error);
    const topic = created.topic;
    this.log.info(`Created topic ${spec.name} with ${assignment.length} partition(s) and replication factor ${assignment[0]!.length}`);
    return { ...result, topic };
  }

  /**
   * createTopic, answered once the brokers created the topic's logs: those of a topic of many
   * partitions are created in slices after the metadata change (Broker.openNewReplicas), and one
   * that cannot be created deletes the topic again (createAtomically).
   */
  async createTopicWithLogs(spec: NewTopic, validateOnly: boolean): Promise<ReturnType<Controller['createTopic']>> {
    const created = this.createTopic(spec, validateOnly);
    const failed = created.topic ? await this.logs.get(created.topic) : undefined;
    return failed?.code ? { error: failed, partitions: -1, replicationFactor: -1 } : created;
  }

  /** createPartitions, answered once the brokers created the new partitions' logs (see createTopicWithLogs). */
  async createPartitionsWithLogs(name: string, count: number, assignment: number[][] | null, validateOnly: boolean): Promise<ApiError> {
    const e = this.createPartitions(name, count, assignment, validateOnly);
    const t = this.metadata.topic(name);
    // A new partition whose log could not be created stays offline (KAFKA_STORAGE_ERROR), as it
    // does when created at once.
    if (!e.code && !validateOnly && t) await this.logsOpened(t).catch(() => undefined);
    return e;
  }

  /** New topics whose logs are being created: OK once they are, else the error the topic was deleted with. */
  private readonly logs = new WeakMap<TopicState, Promise<ApiError>>();

  /**
   * Creates a topic with its log directories, or neither: the metadata record is appended (and
   * fsync'd) first, then the brokers create the partitions' logs as they learn of the topic (or
   * in slices after it, see `logs`). When the record cannot be written nothing changed; when a
   * log cannot be created the topic is deleted again (which removes the logs already made) and
   * the request fails with KAFKA_STORAGE_ERROR. (A crash in between leaves the record: the brokers
   * create the missing logs on start (INFO); a log left without its record is removed on start
   * (WARN).)
   */
  private createAtomically(name: string, assignment: number[][], configs: Record<string, string>): { topic: TopicState } | { error: ApiError } {
    let topic: TopicState;
    try {
      topic = this.metadata.createTopic(name, assignment, configs, INTERNAL_TOPICS.has(name), this.isLive());
    } catch (e) {
      return { error: this.undoCreate(name, this.metadata.topic(name), (e as Error).message) };
    }
    this.logs.set(
      topic,
      this.logsOpened(topic).then(
        () => OK,
        (e: Error) => this.undoCreate(name, topic, e.message),
      ),
    );
    return { topic };
  }

  /** Deletes a topic whose logs could not all be created (unless it is gone already): KAFKA_STORAGE_ERROR. */
  private undoCreate(name: string, topic: TopicState | undefined, reason: string): ApiError {
    if (topic && this.metadata.topic(name) === topic) {
      try {
        this.metadata.deleteTopic(name);
      } catch (e2) {
        this.log.error(`Could not undo the creation of topic ${name}: ${(e2 as Error).message}`);
      }
    }
    this.log.error(`Could not create topic ${name}: ${reason}`);
    return err(ErrorCode.KAFKA_STORAGE_ERROR, `Could not create topic ${name}: ${reason}`);
  }

  deleteTopic(name: string): ApiError {
    const t = this.metadata.topic(name);
    if (!t) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    if (!this.config.deleteTopicEnable) return err(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
    if (t.internal) return err(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot delete internal topic ${name}.`);
    this.metadata.deleteTopic(name);
    this.log.info(`Deleted topic ${name}`);
    return OK;
  }

  createPartitions(name: string, count: number, assignment: number[][] | null, validateOnly: boolean): ApiError {
    const t = this.metadata.topic(name);
    if (!t) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = t.partitions.length;
    if (count === current) return err(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
    if (count < current) {
      return err(ErrorCode.INVALID_PARTITIONS, `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`);
    }
    const rf = t.partitions[0]!.replicas.length;
    const tooMany = this.partitionsPerRequestError(count - current);
    if (tooMany.code) return tooMany;
    const full = this.partitionLimitError(count - current, rf);
    if (full.code) return full;
    let added: number[][];
    // As Kafka's controller: null assignments (none given) places the new partitions; a list,
    // even an empty one, must cover each new partition (an empty one covers none).
    if (assignment) {
      if (assignment.length !== count - current) {
        return err(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Attempted to add ${count - current} additional partition(s), but only ${assignment.length} assignment(s) were specified.`,
        );
      }
      const bad = this.checkAssignment([t.partitions[0]!.replicas, ...assignment]);
      if (bad.code) return bad;
      added = assignment;
    } else {
      const rfError = this.replicationError(rf);
      if (rfError) return rfError;
      added = this.place(count - current, rf, current);
    }
    const unled = this.unledPartition(added, current);
    if (unled.code) return unled;
    if (!validateOnly) {
      this.metadata.addPartitions(name, added, this.isLive());
      this.log.info(`Increased partitions of ${name} from ${current} to ${count}`);
    }
    return OK;
  }

  alterTopicConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): ApiError {
    const t = this.metadata.topic(name);
    if (!t) return err(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    const bad = this.checkConfigs(Object.entries(configs).map(([k, v]) => ({ name: k, value: v })));
    if (bad.code) return bad;
    if (!validateOnly) this.metadata.setTopicConfigs(name, configs);
    return OK;
  }

  /** Creates the internal offsets topic at start-up (Burrow needs it to exist before any group). */
  ensureOffsetsTopic(): void {
    if (this.metadata.topic(OFFSETS_TOPIC)) return;
    const brokers = this.registeredBrokers();
    const rf = Math.min(brokers.length, 3);
    this.metadata.createTopic(OFFSETS_TOPIC, placeReplicas(brokers, this.config.offsetsTopicNumPartitions, rf), { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': String(this.config.offsetsTopicSegmentBytes) }, true);
  }

  /**
   * Creates __transaction_state on first use (the first FindCoordinator for a transactional id),
   * as Kafka does: transaction.state.log.num.partitions partitions, replication factor
   * transaction.state.log.replication.factor capped at the running brokers, compacted, with
   * min.insync.replicas transaction.state.log.min.isr (capped at the replication factor).
   */
  ensureTransactionStateTopic(): void {
    if (this.metadata.topic(TRANSACTION_STATE_TOPIC)) return;
    const brokers = this.liveBrokers();
    if (brokers.length === 0) return;
    const rf = Math.min(brokers.length, this.config.transactionStateLogReplicationFactor);
    const configs = {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': String(Math.min(rf, this.config.transactionStateLogMinIsr)),
      'segment.bytes': String(this.config.transactionStateLogSegmentBytes),
      'unclean.leader.election.enable': 'false',
    };
    this.metadata.createTopic(TRANSACTION_STATE_TOPIC, placeReplicas(brokers, this.config.transactionStateLogNumPartitions, rf), configs, true);
    this.log.info(`Created ${TRANSACTION_STATE_TOPIC} with ${this.config.transactionStateLogNumPartitions} partitions and replication factor ${rf}`);
  }

  /** Live brokers, for callers that need them (leader election, metadata responses). */
  live(): number[] {
    return this.liveBrokers();
  }
}
