/**
 * One transactional id's state at its coordinator (Kafka's TransactionMetadata): the producer
 * id and epoch it owns, its timeout, the transaction's state and partitions, and the transition
 * being written to __transaction_state (`pendingState`: while set, other requests get
 * CONCURRENT_TRANSACTIONS). A transition is prepared as a `TxnSnapshot`, persisted, then applied.
 *
 *   Empty ──AddPartitions──▶ Ongoing ──EndTxn──▶ PrepareCommit / PrepareAbort ──markers──▶ CompleteCommit / CompleteAbort
 *   Empty or Complete* ──AddPartitions──▶ Ongoing;  Empty/Complete* ──InitProducerId──▶ Empty (epoch + 1)
 *   Ongoing ──InitProducerId or timeout──▶ (PrepareEpochFence: pending only) ──▶ PrepareAbort with the bumped epoch
 *   Empty/Complete* ──expiration──▶ Dead (tombstone)
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { TransactionLogValueData, TxnStateName } from '../../../protocol/transaction-log.js';
import { txnStateId } from '../../../protocol/transaction-log.js';

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

/** Kafka bumps to a new producer id once the epoch reaches Short.MAX_VALUE - 1. */
export const isEpochExhausted = (epoch: number): boolean => epoch >= SHORT_MAX - 1;

export interface TxnPartition {
  topic: string;
  partition: number;
}

const pkey = (p: TxnPartition) => `${p.topic}\0${p.partition}`;

/** The persisted part of a TransactionMetadata (what a transition writes). */
export interface TxnSnapshot {
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnStateName;
  partitions: TxnPartition[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

export type Transit = { error: number } | { snapshot: TxnSnapshot };

export class TransactionMetadata implements TxnSnapshot {
  // Set by assign(), from the constructor and on every completed transition.
  producerId!: number;
  lastProducerId!: number;
  producerEpoch!: number;
  lastProducerEpoch!: number;
  txnTimeoutMs!: number;
  state!: TxnStateName;
  private readonly parts = new Map<string, TxnPartition>();
  txnStartTimestamp!: number;
  txnLastUpdateTimestamp!: number;
  /** The transition being written, if any. */
  pendingState: TxnStateName | null = null;
  /** A fence whose abort could not be written: the retry does not bump the epoch again. */
  hasFailedEpochFence = false;
  /** Requests waiting for a Prepare* transaction (or a write in flight) to settle. */
  private settleWaiters: (() => void)[] = [];

  constructor(
    readonly transactionalId: string,
    s: TxnSnapshot,
  ) {
    this.assign(s);
  }

  /** Takes every field of a snapshot. */
  private assign(s: TxnSnapshot): void {
    this.producerId = s.producerId;
    this.lastProducerId = s.lastProducerId;
    this.producerEpoch = s.producerEpoch;
    this.lastProducerEpoch = s.lastProducerEpoch;
    this.txnTimeoutMs = s.txnTimeoutMs;
    this.state = s.state;
    this.txnStartTimestamp = s.txnStartTimestamp;
    this.txnLastUpdateTimestamp = s.txnLastUpdateTimestamp;
    this.parts.clear();
    for (const p of s.partitions) this.parts.set(pkey(p), p);
  }

  get partitions(): TxnPartition[] {
    return [...this.parts.values()];
  }

  hasPartitions(ps: TxnPartition[]): boolean {
    return ps.every((p) => this.parts.has(pkey(p)));
  }

  removePartition(p: TxnPartition): void {
    this.parts.delete(pkey(p));
  }

  snapshot(): TxnSnapshot {
    return {
      producerId: this.producerId,
      lastProducerId: this.lastProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      state: this.state,
      partitions: this.partitions,
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
    };
  }

  private transitTo(state: TxnStateName, changes: Partial<TxnSnapshot>): TxnSnapshot {
    this.pendingState = state;
    return { ...this.snapshot(), ...changes, state };
  }

  /** Applies a transition once it is persisted. */
  /** Whether a transition is being written, or the previous transaction's markers are. */
  get unsettled(): boolean {
    return this.pendingState !== null || this.state === 'PrepareCommit' || this.state === 'PrepareAbort';
  }

  /** Resolves once the transaction is settled (see `unsettled`), or after `ms` at the latest. */
  whenSettled(ms: number): Promise<void> {
    if (!this.unsettled) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.settleWaiters = self.settleWaiters.filter((w) => w !== done);
        resolve();
      }
      this.settleWaiters.push(done);
    });
  }

  complete(s: TxnSnapshot): void {
    this.pendingState = null;
    this.assign(s);
    if (s.state !== 'PrepareAbort') this.hasFailedEpochFence = false;
    if (!this.unsettled) for (const w of [...this.settleWaiters]) w();
  }

  /**
   * InitProducerId on an Empty or completed transaction: the same producer id with the next epoch
   * (Kafka's prepareIncrementProducerEpoch). With KIP-360's expected epoch, a retry of a bump
   * that succeeded returns the current epoch again; any other stale epoch is fenced.
   */
  prepareIncrementProducerEpoch(timeoutMs: number, expectedEpoch: number | null, now: number): Transit {
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === null) [next, last] = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) [next, last] = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) [next, last] = [this.producerEpoch, this.lastProducerEpoch];
    else return { error: ErrorCode.PRODUCER_FENCED };
    return {
      snapshot: this.transitTo('Empty', { producerEpoch: next, lastProducerEpoch: last, txnTimeoutMs: timeoutMs, partitions: [], txnStartTimestamp: -1, txnLastUpdateTimestamp: now }),
    };
  }

  /** The epoch is exhausted: a new producer id at epoch 0 (Kafka's prepareProducerIdRotation). */
  prepareProducerIdRotation(newProducerId: number, timeoutMs: number, now: number, recordLastEpoch: boolean): TxnSnapshot {
    return this.transitTo('Empty', {
      producerId: newProducerId,
      lastProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs: timeoutMs,
      partitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** Fencing an Ongoing transaction: the bumped epoch it will be aborted with (never persisted as such). */
  prepareFenceProducerEpoch(): number {
    const epoch = this.hasFailedEpochFence || this.producerEpoch >= SHORT_MAX ? this.producerEpoch : this.producerEpoch + 1;
    this.pendingState = 'PrepareEpochFence';
    return epoch;
  }

  prepareAddPartitions(added: TxnPartition[], now: number): TxnSnapshot {
    const fresh = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const all = new Map(this.parts);
    for (const p of added) all.set(pkey(p), p);
    return this.transitTo('Ongoing', { partitions: [...all.values()], txnStartTimestamp: fresh ? now : this.txnStartTimestamp, txnLastUpdateTimestamp: now });
  }

  prepareAbortOrCommit(state: 'PrepareCommit' | 'PrepareAbort', now: number): TxnSnapshot {
    return this.transitTo(state, { txnLastUpdateTimestamp: now });
  }

  prepareComplete(now: number): TxnSnapshot {
    return this.transitTo(this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort', { partitions: [], txnLastUpdateTimestamp: now });
  }

  prepareDead(): TxnSnapshot {
    return this.transitTo('Dead', { partitions: [] });
  }
}

/** The TransactionLogValue (v0) for a snapshot: Empty has null partitions, as Kafka writes it. */
export function snapshotValue(s: TxnSnapshot): TransactionLogValueData {
  const byTopic = new Map<string, number[]>();
  for (const p of s.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return {
    producerId: s.producerId,
    producerEpoch: s.producerEpoch,
    transactionTimeoutMs: s.txnTimeoutMs,
    transactionStatus: txnStateId(s.state),
    transactionPartitions: s.state === 'Empty' ? null : [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds })),
    transactionLastUpdateTimestampMs: s.txnLastUpdateTimestamp,
    transactionStartTimestampMs: s.txnStartTimestamp,
  };
}

/** A snapshot from a stored TransactionLogValue (the last epoch is not stored, as in Kafka). */
export function valueSnapshot(v: TransactionLogValueData & { state: TxnStateName }): TxnSnapshot {
  return {
    producerId: v.producerId,
    lastProducerId: v.previousProducerId ?? NO_PRODUCER_ID,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs: v.transactionTimeoutMs,
    state: v.state,
    partitions: (v.transactionPartitions ?? []).flatMap((t) => t.partitionIds.map((partition) => ({ topic: t.topic, partition }))),
    txnStartTimestamp: v.transactionStartTimestampMs,
    txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
  };
}
