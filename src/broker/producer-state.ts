/**
 * Idempotent producers (Kafka's producer state, without transactions). For each partition it
 * remembers the last five batches of every producer id: a retried batch is answered with the
 * offsets it was first written at instead of being written twice, a gap in sequence numbers is
 * refused (OUT_OF_ORDER_SEQUENCE_NUMBER) and an older epoch is fenced (INVALID_PRODUCER_EPOCH).
 *
 * The table is derived from the log: it is built from the stored batch headers the first time an
 * idempotent batch reaches the partition, and afterwards catches up with whatever was appended
 * since (by this broker as leader or as a follower), so it survives restarts and leader changes
 * without a snapshot file. A producer the table does not know (its batches were deleted or
 * compacted away) may continue at any sequence, as in Kafka.
 */
import { ErrorCode } from '../protocol/errors.js';
import { type BatchHeader, readBatchHeader } from '../protocol/record-batch.js';
import { type PartitionLog, readBatches } from '../storage/log-store.js';

/** Kafka keeps this many batches per producer for duplicate detection. */
const BATCHES_PER_PRODUCER = 5;
const INT32_MAX = 0x7fffffff;

/** What an idempotent batch claims: its producer, epoch and sequence range. */
export interface ProducerBatch {
  producerId: number;
  epoch: number;
  firstSeq: number;
  lastSeq: number;
}

interface BatchEntry {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchEntry[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

/** Sequence numbers wrap from Int32.MAX to 0. */
export const lastSequenceOf = (baseSequence: number, lastOffsetDelta: number): number =>
  baseSequence > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta;

const follows = (lastSeq: number, nextSeq: number) => nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);

/** The idempotence fields of a stored or produced batch, or null when it has no producer id. */
export function producerBatchOf(batch: Buffer): ProducerBatch | null {
  const h = readBatchHeader(batch);
  return h.producerId < 0 ? null : fromHeader(h);
}

const fromHeader = (h: BatchHeader): ProducerBatch => ({
  producerId: h.producerId,
  epoch: h.producerEpoch,
  firstSeq: h.baseSequence,
  lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
});

export class ProducerStateTable {
  private producers: Map<number, ProducerEntry> | null = null;
  /** The log end offset the table has seen up to. */
  private through = 0;

  constructor(private readonly log: PartitionLog) {}

  /** Forgets everything (the log was truncated); the next check rebuilds from the log. */
  reset(): void {
    this.producers = null;
  }

  /** Decides what to do with an idempotent batch about to be appended as leader. */
  check(pid: ProducerBatch, partitionName: string): SequenceCheck {
    const entry = this.catchUp().get(pid.producerId);
    if (!entry) return { kind: 'append' };
    if (pid.epoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${pid.producerId} is ${pid.epoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      };
    }
    if (pid.epoch > entry.epoch) {
      if (pid.firstSeq === 0) return { kind: 'append' };
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Invalid sequence number for new epoch of producer ${pid.producerId} in partition ${partitionName}: ${pid.epoch} (request epoch), ${pid.firstSeq} (seq. number), ${entry.epoch} (current producer epoch)`,
      };
    }
    const dup = entry.batches.find((b) => b.firstSeq === pid.firstSeq && b.lastSeq === pid.lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset, lastOffset: dup.lastOffset };
    const last = entry.batches.at(-1);
    if (last && !follows(last.lastSeq, pid.firstSeq)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${pid.producerId} in partition ${partitionName}: ${pid.firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      };
    }
    return { kind: 'append' };
  }

  /** Records a batch this broker just appended as leader. */
  appended(pid: ProducerBatch, baseOffset: number, lastOffset: number): void {
    if (!this.producers || this.through !== baseOffset) return; // catches up from the log on the next check
    this.note(this.producers, pid, baseOffset, lastOffset);
    this.through = lastOffset + 1;
  }

  private catchUp(): Map<number, ProducerEntry> {
    const end = this.log.logEndOffset();
    if (!this.producers || end < this.through) {
      this.producers = new Map();
      this.through = this.log.logStartOffset();
    }
    // Retention may have moved the log start past what the table had seen.
    for (const batch of readBatches(this.log, Math.max(this.through, this.log.logStartOffset()), end)) {
      const h = readBatchHeader(batch);
      if (h.producerId >= 0) this.note(this.producers, fromHeader(h), h.baseOffset, h.baseOffset + h.lastOffsetDelta);
    }
    this.through = end;
    return this.producers;
  }

  private note(producers: Map<number, ProducerEntry>, pid: ProducerBatch, baseOffset: number, lastOffset: number) {
    let entry = producers.get(pid.producerId);
    if (!entry || pid.epoch > entry.epoch) producers.set(pid.producerId, (entry = { epoch: pid.epoch, batches: [] }));
    else if (pid.epoch < entry.epoch) return;
    entry.batches.push({ firstSeq: pid.firstSeq, lastSeq: pid.lastSeq, baseOffset, lastOffset });
    if (entry.batches.length > BATCHES_PER_PRODUCER) entry.batches.shift();
  }
}
