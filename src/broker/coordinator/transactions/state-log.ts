/**
 * The transaction coordinator's side of __transaction_state (Kafka's TransactionStateManager
 * loading and storing): which partitions this broker serves (those it leads), loading a
 * partition's records when it becomes ours (COORDINATOR_LOAD_IN_PROGRESS meanwhile), and
 * appending state records in Kafka's TransactionLog formats with acks=all.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { decodeBatchRecords, encodeBatch } from '../../../protocol/record-batch.js';
import { decodeTransactionLogRecord, transactionLogKey, transactionLogValue, type TransactionLogValueData, type TxnStateName } from '../../../protocol/transaction-log.js';
import { readBatches } from '../../../storage/log-store.js';
import { offsetsPartitionFor } from '../../../util/java-hash.js';
import type { Logger } from '../../../util/logger.js';
import { TRANSACTION_STATE_TOPIC } from '../../controller.js';
import type { TransactionLogPort } from './ports.js';

export type StoredTxn = TransactionLogValueData & { state: TxnStateName };

export class TransactionStateLog {
  /** Partitions loaded and served, with the coordinator epoch (the partition's leader epoch) they were loaded at. */
  private readonly owned = new Map<number, number>();
  private readonly loading = new Set<number>();

  constructor(
    private readonly port: TransactionLogPort,
    private readonly log: Logger,
  ) {}

  private topic() {
    return this.port.metadata.topic(TRANSACTION_STATE_TOPIC);
  }

  partitionFor(transactionalId: string): number {
    return offsetsPartitionFor(transactionalId, this.topic()?.partitions.length ?? this.port.config.transactionStateLogNumPartitions);
  }

  /** 0 when this broker coordinates the id; else NOT_COORDINATOR (as Kafka, also before the topic exists) or COORDINATOR_LOAD_IN_PROGRESS. */
  coordinatorError(transactionalId: string): number {
    if (!this.topic()) return ErrorCode.NOT_COORDINATOR;
    const p = this.partitionFor(transactionalId);
    if (this.loading.has(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return this.owned.has(p) ? 0 : ErrorCode.NOT_COORDINATOR;
  }

  /** The coordinator epoch a partition was loaded at (undefined when not ours). */
  coordinatorEpoch(partition: number): number | undefined {
    return this.owned.get(partition);
  }

  anyLoading(): boolean {
    return this.loading.size > 0;
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()];
  }

  /**
   * Loads the partitions this broker now leads (on the next turn of the event loop, so requests
   * meanwhile get COORDINATOR_LOAD_IN_PROGRESS) and unloads the ones it lost or whose leader
   * epoch moved on.
   */
  syncOwnership(load: (partition: number, epoch: number, txns: Map<string, StoredTxn>) => void, unload: (partition: number) => void): void {
    const t = this.topic();
    if (!t) return;
    t.partitions.forEach((p, i) => {
      const leads = p.leader === this.port.id && this.port.replica(TRANSACTION_STATE_TOPIC, i) !== undefined;
      const epoch = this.owned.get(i);
      if (epoch !== undefined && (!leads || epoch !== p.leaderEpoch)) this.release(i, unload);
      if (!leads || this.owned.has(i) || this.loading.has(i)) return;
      this.loading.add(i);
      setImmediate(() => {
        this.loading.delete(i);
        const now = this.topic()?.partitions[i];
        if (!now || now.leader !== this.port.id || now.leaderEpoch !== p.leaderEpoch || !this.port.replica(TRANSACTION_STATE_TOPIC, i)) return;
        const started = Date.now();
        const { txns, records } = this.replay(i);
        this.owned.set(i, p.leaderEpoch);
        load(i, p.leaderEpoch, txns);
        if (records > 0) this.log.info(`Loaded ${txns.size} transactional id(s) from ${records} records of ${TRANSACTION_STATE_TOPIC}-${i} in ${Date.now() - started} ms (coordinator epoch ${p.leaderEpoch})`);
      });
    });
  }

  release(partition: number, unload: (partition: number) => void): void {
    this.owned.delete(partition);
    this.loading.delete(partition);
    unload(partition);
  }

  private replay(partition: number): { txns: Map<string, StoredTxn>; records: number } {
    const replica = this.port.replica(TRANSACTION_STATE_TOPIC, partition)!;
    const txns = new Map<string, StoredTxn>();
    const start = replica.logStartOffset();
    let records = 0;
    for (const batch of readBatches(replica.log, start, replica.logEndOffset())) {
      for (const r of decodeBatchRecords(batch)) {
        if (r.offset < start || !r.key) continue;
        let rec;
        try {
          rec = decodeTransactionLogRecord(r.key, r.value);
        } catch (e) {
          this.log.warn(`Skipping an undecodable record at ${TRANSACTION_STATE_TOPIC}-${partition}@${r.offset}: ${(e as Error).message}`);
          continue;
        }
        if (!rec) continue;
        records++;
        if (rec.value) txns.set(rec.transactionalId, rec.value);
        else txns.delete(rec.transactionalId);
      }
    }
    for (const id of txns.keys()) if (this.partitionFor(id) !== partition) txns.delete(id);
    return { txns, records };
  }

  /** Appends one transactional id's state (null: a tombstone); returns Kafka's error for the coordinator's callers. */
  async write(transactionalId: string, value: TransactionLogValueData | null): Promise<number> {
    const batch = encodeBatch([{ key: transactionLogKey(transactionalId), value: value ? transactionLogValue(value) : null }]);
    const out = await this.port.appendAsLeader(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId), batch, -1, 30_000);
    switch (out.errorCode) {
      case ErrorCode.NONE:
        return 0;
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.NOT_ENOUGH_REPLICAS:
      case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      case ErrorCode.REQUEST_TIMED_OUT:
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.KAFKA_STORAGE_ERROR:
        return ErrorCode.NOT_COORDINATOR;
      case ErrorCode.MESSAGE_TOO_LARGE:
      case ErrorCode.RECORD_LIST_TOO_LARGE:
        return ErrorCode.UNKNOWN_SERVER_ERROR;
      default:
        return out.errorCode;
    }
  }
}
