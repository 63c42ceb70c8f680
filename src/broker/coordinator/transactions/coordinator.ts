/**
 * The transaction coordinator of one broker (Kafka's TransactionCoordinator): serves the
 * transactional ids whose __transaction_state partition this broker leads. InitProducerId
 * (producer id and epoch, fencing, KIP-360 recovery), AddPartitionsToTxn / AddOffsetsToTxn,
 * EndTxn (Prepare* persisted, then markers to every partition leader, then Complete*
 * persisted), proactive abort of timed-out transactions, expiration of idle transactional ids,
 * and completion of Prepare* transactions found when a partition is loaded (after a move).
 *
 * Errors are Kafka's coordinator errors; the handlers map PRODUCER_FENCED to
 * INVALID_PRODUCER_EPOCH for request versions that predate it.
 *
 * Query API (DescribeTransactions / ListTransactions): `describe(id)` and `list(filter)`.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { TXN_STATES, type TxnStateName } from '../../../protocol/transaction-log.js';
import type { Logger } from '../../../util/logger.js';
import { MarkerSender } from './markers.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TransactionMetadata, isEpochExhausted, snapshotValue, valueSnapshot, type TxnPartition, type TxnSnapshot } from './metadata.js';
import type { TransactionLogPort } from './ports.js';
import { TransactionStateLog, type StoredTxn } from './state-log.js';

export type { TxnPartition } from './metadata.js';

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: TxnStateName;
}

export interface TransactionDescription {
  errorCode: number;
  transactionalId: string;
  state: TxnStateName | '';
  timeoutMs: number;
  /** When the ongoing transaction started (-1 when none has). */
  startTimeMs: number;
  producerId: number;
  producerEpoch: number;
  partitions: { topic: string; partitions: number[] }[];
}

export interface TransactionListFilter {
  /** Kafka's state names (Ongoing, PrepareCommit, …); empty or absent: all. */
  states?: string[];
  /** Producer ids; empty or absent: all. */
  producerIds?: number[];
  /** Only transactions running for longer than this (ms); -1 or absent: all. */
  durationFilterMs?: number;
}

/** What the transaction handlers (10 key type 1, 22, 24, 25, 26, 65, 66) call. */
export interface TransactionService {
  coordinatorError(transactionalId: string): number;
  initProducerId(transactionalId: string, timeoutMs: number, expected: { producerId: number; producerEpoch: number } | null): Promise<InitProducerIdResult>;
  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnPartition[]): Promise<number>;
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<number>;
  describe(transactionalId: string): TransactionDescription;
  list(filter: TransactionListFilter): { errorCode: number; unknownStateFilters: string[]; transactions: TransactionListing[] };
}

const APPEND_RETRY_MS = 200;
/** How long AddPartitionsToTxn / AddOffsetsToTxn wait for the previous transaction's markers before answering CONCURRENT_TRANSACTIONS. */
const CONCURRENT_TRANSACTIONS_WAIT_MS = 100;

export class TransactionCoordinator implements TransactionService {
  readonly txns = new Map<string, TransactionMetadata>();
  private readonly stateLog: TransactionStateLog;
  private readonly markers: MarkerSender;
  private abortTimer: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly port: TransactionLogPort,
    private readonly log: Logger,
  ) {
    this.stateLog = new TransactionStateLog(port, log);
    this.markers = new MarkerSender(port, log);
  }

  private get config() {
    return this.port.config;
  }

  // ---- ownership ----

  coordinatorError(transactionalId: string): number {
    return this.stateLog.coordinatorError(transactionalId);
  }

  partitionFor(transactionalId: string): number {
    return this.stateLog.partitionFor(transactionalId);
  }

  /** Loads the __transaction_state partitions this broker leads; unloads the ones it lost. */
  syncOwnership(): void {
    if (this.stopped) return;
    this.stateLog.syncOwnership(
      (partition, epoch, txns) => this.load(partition, epoch, txns),
      (partition) => this.unload(partition),
    );
    if (!this.abortTimer) {
      this.abortTimer = setInterval(() => this.abortTimedOutTransactions(), this.config.transactionAbortTimedOutTransactionCleanupIntervalMs);
      this.abortTimer.unref();
      this.expireTimer = setInterval(() => void this.expireTransactionalIds(), this.config.transactionRemoveExpiredTransactionCleanupIntervalMs);
      this.expireTimer.unref();
    }
  }

  private load(partition: number, epoch: number, stored: Map<string, StoredTxn>) {
    for (const [id, v] of stored) {
      if (v.state === 'Dead') continue;
      const md = new TransactionMetadata(id, valueSnapshot(v));
      this.txns.set(id, md);
      // A decision was persisted but its markers may not all be written: finish it (Kafka does the same on load).
      if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort') {
        this.log.info(`Completing transaction ${id} (${md.state}, producer ${md.producerId} epoch ${md.producerEpoch}) loaded from ${partition}`);
        void this.completeTransaction(md, epoch);
      }
    }
  }

  private unload(partition: number) {
    for (const id of [...this.txns.keys()]) if (this.partitionFor(id) === partition) this.txns.delete(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.abortTimer) clearInterval(this.abortTimer);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.markers.stop();
    for (const p of this.stateLog.ownedPartitions()) this.stateLog.release(p, (x) => this.unload(x));
  }

  /** The id's metadata and the coordinator epoch it is served at, or the error that says it is not served here. */
  private lookup(id: string): { error: number } | { md: TransactionMetadata | undefined; epoch: number } {
    const error = this.coordinatorError(id);
    if (error) return { error };
    return { md: this.txns.get(id), epoch: this.stateLog.coordinatorEpoch(this.partitionFor(id))! };
  }

  /** Still the same metadata object at the same coordinator epoch (not unloaded or reloaded meanwhile)? */
  private isCurrent(md: TransactionMetadata, epoch: number): boolean {
    return this.txns.get(md.transactionalId) === md && this.stateLog.coordinatorEpoch(this.partitionFor(md.transactionalId)) === epoch;
  }

  /** Writes a prepared transition and applies it; on failure the pending transition is dropped. */
  private async persist(md: TransactionMetadata, next: TxnSnapshot, epoch: number): Promise<number> {
    const error = await this.stateLog.write(md.transactionalId, next.state === 'Dead' ? null : snapshotValue(next));
    if (!this.isCurrent(md, epoch)) return ErrorCode.NOT_COORDINATOR;
    if (error) {
      md.pendingState = null;
      this.log.warn(`Could not persist ${next.state} for transactional id ${md.transactionalId}: error ${error}`);
      return error;
    }
    md.complete(next);
    return 0;
  }

  // ---- InitProducerId ----

  async initProducerId(id: string, timeoutMs: number, expected: { producerId: number; producerEpoch: number } | null): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
    if (id === '') return fail(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.config.transactionMaxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const got = this.lookup(id);
    if ('error' in got) return fail(got.error);
    let md = got.md;
    const now = Date.now();
    if (!md) {
      md = new TransactionMetadata(id, {
        producerId: this.port.metadata.allocateProducerId(),
        lastProducerId: NO_PRODUCER_ID,
        producerEpoch: NO_PRODUCER_EPOCH,
        lastProducerEpoch: NO_PRODUCER_EPOCH,
        txnTimeoutMs: timeoutMs,
        state: 'Empty',
        partitions: [],
        txnStartTimestamp: -1,
        txnLastUpdateTimestamp: now,
      });
      this.txns.set(id, md);
    }
    if (md.pendingState) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (expected && !this.isValidProducerId(md, expected)) return fail(ErrorCode.PRODUCER_FENCED);
    let next: TxnSnapshot;
    switch (md.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Empty':
      case 'CompleteCommit':
      case 'CompleteAbort':
        if (isEpochExhausted(md.producerEpoch) && (!expected || expected.producerEpoch === md.producerEpoch)) {
          next = md.prepareProducerIdRotation(this.port.metadata.allocateProducerId(), timeoutMs, now, expected !== null);
        } else {
          const t = md.prepareIncrementProducerEpoch(timeoutMs, expected ? expected.producerEpoch : null, now);
          if ('error' in t) return fail(t.error);
          next = t.snapshot;
        }
        break;
      case 'Ongoing': {
        // Abort the previous instance's transaction with a bumped epoch first; the client retries
        // (CONCURRENT_TRANSACTIONS) and then gets a further bumped epoch, as in Kafka.
        const error = await this.fenceAndAbort(md);
        return fail(error || ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      default:
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    const error = await this.persist(md, next, got.epoch);
    if (error) return fail(error);
    this.log.info(`Initialized transactional id ${id} with producer id ${md.producerId} and epoch ${md.producerEpoch}`);
    return { errorCode: 0, producerId: md.producerId, producerEpoch: md.producerEpoch };
  }

  /** KIP-360: the producer id and epoch a producer says it had may continue (or retry) here. */
  private isValidProducerId(md: TransactionMetadata, expected: { producerId: number; producerEpoch: number }): boolean {
    return md.producerEpoch === NO_PRODUCER_EPOCH || expected.producerId === md.producerId || (expected.producerId === md.lastProducerId && isEpochExhausted(expected.producerEpoch));
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  async addPartitions(id: string, producerId: number, producerEpoch: number, partitions: TxnPartition[], waited = false): Promise<number> {
    if (id === '') return ErrorCode.INVALID_REQUEST;
    const got = this.lookup(id);
    if ('error' in got) return got.error;
    const md = got.md;
    if (!md) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (md.unsettled && !waited) {
      // The producer's previous transaction is still writing its markers (EndTxn is answered once
      // Prepare* is persisted), which takes about a millisecond here. Kafka answers
      // CONCURRENT_TRANSACTIONS at once and its clients retry after 20 ms; waiting for the markers
      // gives the same answer a retry would get, without the round trips.
      await md.whenSettled(CONCURRENT_TRANSACTIONS_WAIT_MS);
      return this.addPartitions(id, producerId, producerEpoch, partitions, true);
    }
    if (md.pendingState) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (md.state === 'Ongoing' && md.hasPartitions(partitions)) return 0;
    return this.persist(md, md.prepareAddPartitions(partitions, Date.now()), got.epoch);
  }

  /**
   * Kafka's handleVerifyPartitionsInTransaction (AddPartitionsToTxn v4 verifyOnly, KIP-890), asked
   * by a partition leader before it appends the batch that starts a producer's transaction there:
   * 0 when the partition is in the producer's transaction; else INVALID_PRODUCER_ID_MAPPING,
   * PRODUCER_FENCED, CONCURRENT_TRANSACTIONS (Prepare*), the coordinator's own error
   * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) or INVALID_TXN_STATE (not added; Kafka 3.8+
   * answers TRANSACTION_ABORTABLE, which the leader turns into INVALID_TXN_STATE for Produce before
   * v12). Synchronous, so the leader appends in the same turn as it asked.
   */
  verifyPartition(id: string, producerId: number, producerEpoch: number, partition: TxnPartition): number {
    if (id === '') return ErrorCode.INVALID_REQUEST;
    const got = this.lookup(id);
    if ('error' in got) return got.error;
    const md = got.md;
    if (!md || md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (md.state === 'PrepareCommit' || md.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    return md.hasPartitions([partition]) ? 0 : ErrorCode.INVALID_TXN_STATE;
  }

  // ---- EndTxn ----

  endTxn(id: string, producerId: number, producerEpoch: number, commit: boolean): Promise<number> {
    return this.endTransaction(id, producerId, producerEpoch, commit, true);
  }

  /**
   * Kafka's endTransaction: from a client (EndTxn, strict epoch) or from the coordinator itself
   * (fencing an Ongoing transaction at InitProducerId or on timeout, with the bumped epoch).
   * Answers once Prepare* is persisted; markers and Complete* follow.
   */
  private async endTransaction(id: string, producerId: number, producerEpoch: number, commit: boolean, fromClient: boolean): Promise<number> {
    if (id === '') return ErrorCode.INVALID_REQUEST;
    const got = this.lookup(id);
    if ('error' in got) return got.error;
    const md = got.md;
    if (!md) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if ((fromClient && producerEpoch !== md.producerEpoch) || producerEpoch < md.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (md.pendingState && md.pendingState !== 'PrepareEpochFence') return ErrorCode.CONCURRENT_TRANSACTIONS;
    const wanted = commit ? 'Commit' : 'Abort';
    switch (md.state) {
      case 'Ongoing': {
        if (!commit && md.pendingState === 'PrepareEpochFence') {
          md.pendingState = null;
          md.producerEpoch = producerEpoch;
          md.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        const next = md.prepareAbortOrCommit(commit ? 'PrepareCommit' : 'PrepareAbort', Date.now());
        const error = await this.persist(md, next, got.epoch);
        if (error) {
          if (!fromClient && !commit) md.hasFailedEpochFence = true;
          return error;
        }
        void this.completeTransaction(md, got.epoch);
        return 0;
      }
      case 'CompleteCommit':
      case 'CompleteAbort':
        // A retry of an EndTxn that succeeded is answered as a success.
        return md.state === `Complete${wanted}` ? 0 : this.invalidTransition(md, wanted);
      case 'PrepareCommit':
      case 'PrepareAbort':
        return md.state === `Prepare${wanted}` ? ErrorCode.CONCURRENT_TRANSACTIONS : this.invalidTransition(md, wanted);
      case 'Empty':
        return this.invalidTransition(md, wanted);
      default:
        return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  /** Aborts an Ongoing transaction with the producer's epoch bumped (PrepareEpochFence), fencing the producer. */
  private async fenceAndAbort(md: TransactionMetadata): Promise<number> {
    const epoch = md.prepareFenceProducerEpoch();
    const error = await this.endTransaction(md.transactionalId, md.producerId, epoch, false, false);
    if (error && md.pendingState === 'PrepareEpochFence') md.pendingState = null;
    return error;
  }

  private invalidTransition(md: TransactionMetadata, wanted: string): number {
    if (md.pendingState === 'PrepareEpochFence') md.pendingState = null;
    this.log.debug(`TransactionalId ${md.transactionalId}'s state is ${md.state}, but received transaction marker result to send: ${wanted.toUpperCase()}`);
    return ErrorCode.INVALID_TXN_STATE;
  }

  /** Writes the markers of a Prepare* transaction to every partition leader, then persists Complete*. */
  private async completeTransaction(md: TransactionMetadata, epoch: number): Promise<void> {
    const commit = md.state === 'PrepareCommit';
    const outcome = await this.markers.send({
      transactionalId: md.transactionalId,
      producerId: md.producerId,
      producerEpoch: md.producerEpoch,
      commit,
      coordinatorEpoch: epoch,
      partitions: md.partitions,
      stillWanted: () => this.isCurrent(md, epoch),
    });
    if (outcome.kind === 'abandoned') {
      if (!this.stopped && this.isCurrent(md, epoch)) this.log.warn(`Stopped sending ${commit ? 'commit' : 'abort'} markers of ${md.transactionalId}: ${outcome.reason}`);
      return;
    }
    for (const p of outcome.dropped) md.removePartition(p);
    for (;;) {
      if (this.stopped || !this.isCurrent(md, epoch)) return;
      const error = await this.persist(md, md.prepareComplete(Date.now()), epoch);
      if (!error) return;
      if (error !== ErrorCode.COORDINATOR_NOT_AVAILABLE) return;
      await new Promise((r) => setTimeout(r, APPEND_RETRY_MS).unref());
    }
  }

  // ---- timers ----

  /** Aborts Ongoing transactions older than their timeout, fencing their producer (epoch + 1). */
  abortTimedOutTransactions(now = Date.now()): void {
    for (const md of [...this.txns.values()]) {
      if (md.state !== 'Ongoing' || md.pendingState || md.txnStartTimestamp + md.txnTimeoutMs >= now) continue;
      if (this.coordinatorError(md.transactionalId)) continue;
      this.log.info(`Aborting transaction ${md.transactionalId} (producer ${md.producerId} epoch ${md.producerEpoch}): it timed out after ${md.txnTimeoutMs} ms`);
      void this.fenceAndAbort(md).then((error) => {
        if (error) this.log.warn(`Could not abort the timed-out transaction of ${md.transactionalId}: error ${error}`);
      });
    }
  }

  /** Forgets transactional ids idle for longer than transactional.id.expiration.ms (a tombstone each). */
  async expireTransactionalIds(now = Date.now()): Promise<void> {
    for (const md of [...this.txns.values()]) {
      const idle = md.state === 'Empty' || md.state === 'CompleteCommit' || md.state === 'CompleteAbort';
      if (!idle || md.pendingState || md.txnLastUpdateTimestamp + this.config.transactionalIdExpirationMs > now) continue;
      const got = this.lookup(md.transactionalId);
      if ('error' in got) continue;
      const error = await this.persist(md, md.prepareDead(), got.epoch);
      if (!error && this.txns.get(md.transactionalId) === md) {
        this.txns.delete(md.transactionalId);
        this.log.info(`Removed expired transactional id ${md.transactionalId}`);
      }
    }
  }

  // ---- queries (DescribeTransactions, ListTransactions) ----

  describe(id: string): TransactionDescription {
    const base = { transactionalId: id, state: '' as const, timeoutMs: 0, startTimeMs: -1, producerId: -1, producerEpoch: -1, partitions: [] };
    const got = this.lookup(id);
    if ('error' in got) return { ...base, errorCode: got.error };
    const md = got.md;
    if (!md) return { ...base, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
    const byTopic = new Map<string, number[]>();
    for (const p of md.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    return {
      errorCode: 0,
      transactionalId: id,
      state: md.state,
      timeoutMs: md.txnTimeoutMs,
      startTimeMs: md.txnStartTimestamp,
      producerId: md.producerId,
      producerEpoch: md.producerEpoch,
      partitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) })),
    };
  }

  list(filter: TransactionListFilter): { errorCode: number; unknownStateFilters: string[]; transactions: TransactionListing[] } {
    const states = filter.states ?? [];
    const unknownStateFilters = states.filter((s) => !(TXN_STATES as readonly string[]).includes(s));
    const wantedStates = new Set(states.filter((s) => !unknownStateFilters.includes(s)));
    const wantedIds = new Set(filter.producerIds ?? []);
    const duration = filter.durationFilterMs ?? -1;
    const now = Date.now();
    if (this.stateLog.anyLoading()) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters, transactions: [] };
    // Every state filter unknown: nothing can match (Kafka answers an empty list).
    if (states.length > 0 && wantedStates.size === 0) return { errorCode: 0, unknownStateFilters, transactions: [] };
    const transactions = [...this.txns.values()]
      .filter((md) => md.state !== 'Dead')
      .filter((md) => wantedStates.size === 0 || wantedStates.has(md.state))
      .filter((md) => wantedIds.size === 0 || wantedIds.has(md.producerId))
      .filter((md) => duration < 0 || (md.txnStartTimestamp >= 0 && now - md.txnStartTimestamp > duration))
      .map((md) => ({ transactionalId: md.transactionalId, producerId: md.producerId, state: md.state }));
    return { errorCode: 0, unknownStateFilters, transactions };
  }
}
