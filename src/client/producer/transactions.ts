/**
 * Transactions (the transactional part of Kafka's TransactionManager). A producer with a
 * `transactional.id` finds its transaction coordinator (FindCoordinator key type 1), takes its
 * producer id and epoch from InitProducerId with that id (which fences any earlier instance and
 * ends its open transaction), and then runs transactions: each partition is added to the
 * transaction (AddPartitionsToTxn) before its first batch goes out, consumed offsets join through
 * AddOffsetsToTxn and a TxnOffsetCommit to the group coordinator, and EndTxn commits or aborts.
 *
 * Errors as Kafka's producer sorts them: a fenced producer (PRODUCER_FENCED, or an old epoch) and
 * an authorization failure are fatal, the producer can only be closed; any other failure of a send
 * or a transactional request makes the transaction abortable: commit then fails, abort works.
 */
import { AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, FindCoordinator, InitProducerId, TxnOffsetCommit } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { KafkaTsError } from '../../util/errors.js';
import type { KafkaClient } from '../client.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { GroupAdmin } from '../groups.js';
import type { Idempotence } from './idempotence.js';
import { partitionKey } from './batch.js';

export type TransactionState = 'UNINITIALIZED' | 'INITIALIZING' | 'READY' | 'IN_TRANSACTION' | 'COMMITTING' | 'ABORTING' | 'ABORTABLE_ERROR' | 'FATAL_ERROR';

/** The consumer group position a transaction commits (the Java client's ConsumerGroupMetadata). */
export interface GroupMetadata {
  groupId: string;
  generationId?: number;
  memberId?: string;
  groupInstanceId?: string | null;
}

export interface TxnOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch?: number;
  metadata?: string | null;
}

/** Misuse of the transactional API (Kafka's IllegalStateException). */
export class TransactionStateError extends KafkaTsError {
  override name = 'TransactionStateError';
  constructor(message: string) {
    super('failed', message);
  }
}

/** Errors after which the producer is unusable (Kafka's fatal errors). */
const FATAL = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
]);
/** The coordinator moved or is not ready: look it up again and retry. */
const COORDINATOR_MOVED = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
/** Retry the same request after the back-off. */
const RETRY = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

/**
 * Retries after CONCURRENT_TRANSACTIONS (the markers of the transaction before are still being
 * written) start at 1 ms and double up to Kafka's producer's fixed 20 ms.
 */
const CONCURRENT_RETRY_MAX_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fenced error as Kafka's producer reports it (ProducerFencedException). */
export function fencedError(code: number = ErrorCode.PRODUCER_FENCED): KafkaProtocolError {
  if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) {
    return new KafkaProtocolError(ErrorCode.PRODUCER_FENCED, 'There is a newer producer with the same transactionalId which fences the current one.');
  }
  return new KafkaProtocolError(code);
}

export class TransactionManager {
  state: TransactionState = 'UNINITIALIZED';
  /** The error that made the transaction abortable, or the producer unusable. */
  lastError: Error | null = null;
  private coordinatorId = -1;
  /** Partitions added to the current transaction, and those waiting to be added. */
  private readonly added = new Set<string>();
  private readonly pendingAdds = new Map<string, { topic: string; partition: number }>();
  private addInFlight = false;
  /** Whether the current transaction has anything to end at the coordinator. */
  private started = false;
  private readonly groups: GroupAdmin;

  constructor(
    private readonly client: KafkaClient,
    readonly transactionalId: string,
    private readonly transactionTimeoutMs: number,
    private readonly idempotence: Idempotence,
    private readonly maxBlockMs: number,
    private readonly retryBackoffMs: number,
    /** Called when added partitions may now be sent to. */
    private readonly onPartitionsAdded: () => void,
  ) {
    this.groups = new GroupAdmin(client);
  }

  isFatal(): boolean {
    return this.state === 'FATAL_ERROR';
  }

  get hasError(): boolean {
    return this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR';
  }

  /** The batches of a partition may be sent once the partition is part of the transaction. */
  isPartitionAdded(topic: string, partition: number): boolean {
    return this.added.has(partitionKey(topic, partition));
  }

  /** Queues a partition for AddPartitionsToTxn (sent by `sendPartitionAdds`). */
  addPartition(topic: string, partition: number): void {
    const k = partitionKey(topic, partition);
    if (!this.added.has(k)) this.pendingAdds.set(k, { topic, partition });
  }

  /** May records be sent now (Kafka refuses a send outside a transaction)? */
  checkSend(): void {
    if (this.state === 'FATAL_ERROR' || this.state === 'ABORTABLE_ERROR') throw this.errorStateError();
    if (this.state !== 'IN_TRANSACTION') {
      if (this.state === 'UNINITIALIZED' || this.state === 'INITIALIZING') throw new TransactionStateError("Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled.");
      throw new TransactionStateError('Cannot call send in state ' + this.state + ': begin a transaction first');
    }
  }

  private errorStateError(): Error {
    if (this.state === 'FATAL_ERROR') return this.lastError!;
    const e = new KafkaTsError('failed', `Cannot execute transactional method because we are in an error state: ${this.lastError?.message ?? 'unknown error'}`);
    return e;
  }

  /** A send or a request failed: the transaction can only be aborted now (or nothing can be done). */
  failed(e: Error): void {
    if (this.state === 'FATAL_ERROR') return;
    const code = e instanceof KafkaProtocolError ? e.code : 0;
    if (FATAL.has(code)) {
      this.state = 'FATAL_ERROR';
      this.lastError = fencedError(code);
      return;
    }
    if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING' || this.state === 'ABORTABLE_ERROR') {
      if (this.state !== 'ABORTABLE_ERROR') this.lastError = e;
      this.state = 'ABORTABLE_ERROR';
    }
  }

  /** Sends one AddPartitionsToTxn for the partitions waiting (one request at a time). */
  sendPartitionAdds(): void {
    if (this.addInFlight || this.pendingAdds.size === 0 || this.hasError) return;
    const batch = [...this.pendingAdds.values()];
    this.pendingAdds.clear();
    this.addInFlight = true;
    const topics = new Map<string, number[]>();
    for (const p of batch) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    const list = [...topics].map(([name, partitions]) => ({ name, partitions }));
    this.started = true;
    void this.coordinatorRequest(
      (node) =>
        this.client.send(node, AddPartitionsToTxn, (v) =>
          v >= 4
            ? { transactions: [{ transactionalId: this.transactionalId, producerId: this.idempotence.producerId, producerEpoch: this.idempotence.producerEpoch, verifyOnly: false, topics: list }] }
            : { v3AndBelowTransactionalId: this.transactionalId, v3AndBelowProducerId: this.idempotence.producerId, v3AndBelowProducerEpoch: this.idempotence.producerEpoch, v3AndBelowTopics: list },
        ),
      ({ body }) => {
        if (body.errorCode) return body.errorCode;
        const results = body.resultsByTopicV3AndBelow ?? body.resultsByTransaction?.[0]?.topicResults ?? [];
        // The first real error; OPERATION_NOT_ATTEMPTED only says another partition failed.
        let worst = 0;
        for (const t of results) for (const p of t.resultsByPartition) if (p.partitionErrorCode && (worst === 0 || worst === ErrorCode.OPERATION_NOT_ATTEMPTED)) worst = p.partitionErrorCode;
        return worst;
      },
    ).then(
      () => {
        this.addInFlight = false;
        for (const p of batch) this.added.add(partitionKey(p.topic, p.partition));
        this.onPartitionsAdded();
      },
      (e: Error) => {
        this.addInFlight = false;
        this.failed(e);
        this.onPartitionsAdded();
      },
    );
  }

  /** initTransactions: the producer id and epoch for the transactional id (fencing older instances). */
  async init(): Promise<void> {
    if (this.state === 'FATAL_ERROR') throw this.lastError!;
    if (this.state !== 'UNINITIALIZED') throw new TransactionStateError(`Invalid transition attempted from state ${this.state} to state INITIALIZING`);
    this.state = 'INITIALIZING';
    try {
      await this.initProducerId(false);
      this.state = 'READY';
    } catch (e) {
      this.state = 'UNINITIALIZED';
      const code = e instanceof KafkaProtocolError ? e.code : 0;
      if (FATAL.has(code)) {
        this.state = 'FATAL_ERROR';
        this.lastError = fencedError(code);
        throw this.lastError;
      }
      throw e;
    }
  }

  /** InitProducerId with the transactional id; `bump` keeps the producer id (KIP-360, v3+). */
  private async initProducerId(bump: boolean): Promise<void> {
    const { body } = await this.coordinatorRequest(
      (node) =>
        this.client.send(node, InitProducerId, (v) => ({
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.transactionTimeoutMs,
          producerId: bump && v >= 3 ? this.idempotence.producerId : -1,
          producerEpoch: bump && v >= 3 ? this.idempotence.producerEpoch : -1,
        })),
      (r) => r.body.errorCode,
    );
    this.idempotence.resetTo(body.producerId, body.producerEpoch);
  }

  begin(): void {
    if (this.hasError) throw this.errorStateError();
    if (this.state !== 'READY') throw new TransactionStateError(`Invalid transition attempted from state ${this.state} to state IN_TRANSACTION`);
    this.state = 'IN_TRANSACTION';
    this.started = false;
  }

  /** sendOffsetsToTransaction: the consumed offsets commit (or vanish) with the transaction. */
  async sendOffsets(offsets: readonly TxnOffset[], group: GroupMetadata): Promise<void> {
    if (this.hasError) throw this.errorStateError();
    if (this.state !== 'IN_TRANSACTION') throw new TransactionStateError(`Cannot send offsets if a transaction is not in progress (currentState= ${this.state})`);
    try {
      this.started = true;
      await this.coordinatorRequest(
        (node) =>
          this.client.send(node, AddOffsetsToTxn, {
            transactionalId: this.transactionalId,
            producerId: this.idempotence.producerId,
            producerEpoch: this.idempotence.producerEpoch,
            groupId: group.groupId,
          }),
        (r) => r.body.errorCode,
      );
      const topics = new Map<string, TxnOffset[]>();
      for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o]);
      const deadline = Date.now() + this.maxBlockMs;
      for (;;) {
        const res = await this.groups.withCoordinator(
          group.groupId,
          (node) =>
            this.client.send(
              node,
              TxnOffsetCommit,
              {
                transactionalId: this.transactionalId,
                groupId: group.groupId,
                producerId: this.idempotence.producerId,
                producerEpoch: this.idempotence.producerEpoch,
                generationId: group.generationId ?? -1,
                memberId: group.memberId ?? '',
                groupInstanceId: group.groupInstanceId ?? null,
                topics: [...topics].map(([name, list]) => ({
                  name,
                  partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1, committedMetadata: o.metadata ?? '' })),
                })),
              },
              { purpose: 'coordinator' },
            ),
          (r) => firstError(r.body.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))),
        );
        const code = firstError(res.body.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)));
        if (code === 0) return;
        if (!(RETRY.has(code) || COORDINATOR_MOVED.has(code)) || Date.now() > deadline) throw new KafkaProtocolError(code);
        await sleep(this.retryBackoffMs);
      }
    } catch (e) {
      this.failed(e as Error);
      throw this.isFatal() ? this.lastError! : e;
    }
  }

  /** Before a commit: the transaction must not have failed. */
  checkCommit(): void {
    if (this.hasError) throw this.errorStateError();
    if (this.state !== 'IN_TRANSACTION') throw new TransactionStateError(`Invalid transition attempted from state ${this.state} to state COMMITTING_TRANSACTION`);
  }

  checkAbort(): void {
    if (this.state === 'FATAL_ERROR') throw this.lastError!;
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'ABORTABLE_ERROR') throw new TransactionStateError(`Invalid transition attempted from state ${this.state} to state ABORTING_TRANSACTION`);
  }

  /**
   * EndTxn, once every batch of the transaction has completed. `bumpEpoch`: sequence numbers
   * may have a gap (a failed batch), so the producer takes a new epoch after an abort.
   */
  async end(commit: boolean, bumpEpoch: boolean): Promise<void> {
    if (commit && this.hasError) throw this.errorStateError();
    if (this.state === 'FATAL_ERROR') throw this.lastError!;
    this.state = commit ? 'COMMITTING' : 'ABORTING';
    try {
      if (this.started) {
        await this.coordinatorRequest(
          (node) =>
            this.client.send(node, EndTxn, {
              transactionalId: this.transactionalId,
              producerId: this.idempotence.producerId,
              producerEpoch: this.idempotence.producerEpoch,
              committed: commit,
            }),
          (r) => r.body.errorCode,
        );
      }
      if (!commit && bumpEpoch) await this.initProducerId(true);
      this.added.clear();
      this.pendingAdds.clear();
      this.started = false;
      this.lastError = null;
      this.state = 'READY';
    } catch (e) {
      if (!commit) this.state = 'ABORTABLE_ERROR';
      else this.state = 'IN_TRANSACTION';
      this.failed(e as Error);
      throw this.isFatal() ? this.lastError! : e;
    }
  }

  /**
   * Sends a request to the transaction coordinator, finding it first, and retries it while the
   * coordinator moves, loads, or has a concurrent operation on this id (until max.block.ms).
   */
  private async coordinatorRequest<T>(op: (node: number) => Promise<T>, errorOf: (r: T) => number): Promise<T> {
    const deadline = Date.now() + this.maxBlockMs;
    let backoff = this.retryBackoffMs;
    let concurrentBackoff = 1;
    for (;;) {
      let code: number;
      try {
        if (this.coordinatorId < 0) this.coordinatorId = await this.findCoordinator(deadline);
        const r = await op(this.coordinatorId);
        code = errorOf(r);
        if (code === 0) return r;
      } catch (e) {
        if (!(e instanceof ConnectionError || e instanceof RequestTimeoutError) || Date.now() > deadline) throw e;
        code = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      if (COORDINATOR_MOVED.has(code)) this.coordinatorId = -1;
      else if (!RETRY.has(code)) throw FATAL.has(code) ? fencedError(code) : new KafkaProtocolError(code);
      if (Date.now() + backoff > deadline) throw new KafkaProtocolError(code, `Timeout expired after ${this.maxBlockMs} ms while awaiting the transaction coordinator (last error: ${new KafkaProtocolError(code).message})`);
      if (code === ErrorCode.CONCURRENT_TRANSACTIONS) {
        await sleep(concurrentBackoff);
        concurrentBackoff = Math.min(concurrentBackoff * 2, CONCURRENT_RETRY_MAX_MS);
        continue;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  private async findCoordinator(deadline: number): Promise<number> {
    for (;;) {
      const { body } = await this.client.send('any', FindCoordinator, (v) => (v >= 4 ? { keyType: 1, coordinatorKeys: [this.transactionalId] } : { key: this.transactionalId, keyType: 1 }));
      const c = body.coordinators?.[0] ?? { nodeId: body.nodeId ?? -1, errorCode: body.errorCode ?? 0, errorMessage: body.errorMessage ?? null };
      if (!c.errorCode) {
        if (!this.client.cluster.brokers.has(c.nodeId)) await this.client.refreshMetadata([]);
        return c.nodeId;
      }
      if (!(COORDINATOR_MOVED.has(c.errorCode) || RETRY.has(c.errorCode)) || Date.now() > deadline) throw new KafkaProtocolError(c.errorCode, c.errorMessage);
      await sleep(this.retryBackoffMs);
    }
  }
}

function firstError(codes: number[]): number {
  return codes.find((c) => c !== 0) ?? 0;
}
