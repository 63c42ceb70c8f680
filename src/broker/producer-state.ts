/**
 * Idempotent producers (Kafka's producer state, without transactions). For each partition it
 * remembers the last five batches of every producer id: a retried batch is answered with the
 * offsets it was first written at instead of being written twice, a gap in sequence numbers is
 * refused (OUT_OF_ORDER_SEQUENCE_NUMBER) and an older epoch is fenced (INVALID_PRODUCER_EPOCH).
 *
 * The table is derived from the log: it is built the first time an idempotent batch reaches the
 * partition, from the newest snapshot the log keeps (written at a clean shutdown and every few
 * seconds while producers write, like Kafka's .snapshot files) plus the stored batch headers after
 * it, or from the whole log when there is none; afterwards it catches up with whatever was
 * appended since (by this broker as leader or as a follower), so it survives restarts, crashes
 * and leader changes. Because a snapshot keeps producers whose batches retention or compaction
 * has since removed, duplicates are still recognised then. A producer idle for longer than
 * `producer.id.expiration.ms` is forgotten; a producer the table does not know may continue at any
 * sequence, as in Kafka.
 */
import { crc32c } from '../protocol/crc32c.js';
import { ErrorCode } from '../protocol/errors.js';
import { Reader, Writer } from '../protocol/primitives.js';
import { type BatchHeader, RecordBatchView, readBatchHeader } from '../protocol/record-batch.js';
import { type PartitionLog, readBatches } from '../storage/log-store.js';
import { DEFAULT_PRODUCER_ID_EXPIRATION_MS } from './config.js';

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
  /**
   * When the producer last wrote: the append time on the leader; when rebuilt from the log, its
   * batch's largest timestamp (so records stamped far in the past can make it expire sooner).
   */
  lastTimestamp: number;
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
  return producerBatchFrom(new RecordBatchView(batch));
}

/** The same from a batch view (the leader-append path parses each batch once). */
export function producerBatchFrom(batch: RecordBatchView): ProducerBatch | null {
  return batch.producerId < 0 ? null : fromHeader(batch);
}

const SNAPSHOT_VERSION = 1;

/**
 * Snapshot file layout (big-endian): version int16, CRC-32C uint32 of everything after it, then
 * producer count int32 and per producer: id int64, epoch int16, last timestamp int64, batch count
 * int8, and per batch: first sequence int32, last sequence int32, base offset int64, last offset
 * int64.
 */
export function encodeProducerSnapshot(producers: ReadonlyMap<number, ProducerEntry>): Buffer {
  const w = new Writer();
  w.int32(producers.size);
  for (const [id, e] of producers) {
    w.int64(id).int16(e.epoch).int64(e.lastTimestamp).int8(e.batches.length);
    for (const b of e.batches) w.int32(b.firstSeq).int32(b.lastSeq).int64(b.baseOffset).int64(b.lastOffset);
  }
  const body = w.toBuffer();
  const head = Buffer.alloc(6);
  head.writeInt16BE(SNAPSHOT_VERSION, 0);
  head.writeUInt32BE(crc32c(body), 2);
  return Buffer.concat([head, body]);
}

/** Decodes a snapshot; null when it is damaged or of an unknown version. */
export function decodeProducerSnapshot(data: Buffer): Map<number, ProducerEntry> | null {
  if (data.length < 10 || data.readInt16BE(0) !== SNAPSHOT_VERSION) return null;
  const body = data.subarray(6);
  if (crc32c(body) !== data.readUInt32BE(2)) return null;
  try {
    const r = new Reader(body);
    const producers = new Map<number, ProducerEntry>();
    for (let n = r.int32(); n > 0; n--) {
      const id = r.int64();
      const entry: ProducerEntry = { epoch: r.int16(), lastTimestamp: r.int64(), batches: [] };
      for (let k = r.int8(); k > 0; k--) entry.batches.push({ firstSeq: r.int32(), lastSeq: r.int32(), baseOffset: r.int64(), lastOffset: r.int64() });
      producers.set(id, entry);
    }
    return producers;
  } catch {
    return null;
  }
}

const fromHeader = (h: Pick<BatchHeader, 'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta'>): ProducerBatch => ({
  producerId: h.producerId,
  epoch: h.producerEpoch,
  firstSeq: h.baseSequence,
  lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
});

export class ProducerStateTable {
  private producers: Map<number, ProducerEntry> | null = null;
  /** The log end offset the table has seen up to. */
  private through = 0;
  /** Where the last saved snapshot stands (-1: none saved by this table). */
  private savedThrough = -1;

  constructor(
    private readonly log: PartitionLog,
    private readonly expirationMs: number = DEFAULT_PRODUCER_ID_EXPIRATION_MS,
  ) {}

  /** Forgets everything (the log was truncated); the next check rebuilds from the log. */
  reset(): void {
    this.producers = null;
    this.savedThrough = -1;
  }

  /** Decides what to do with an idempotent batch about to be appended as leader. */
  check(pid: ProducerBatch, partitionName: string, now = Date.now()): SequenceCheck {
    const entry = this.catchUp().get(pid.producerId);
    if (!entry || now - entry.lastTimestamp >= this.expirationMs) return { kind: 'append' };
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

  /** Records a batch this broker just appended as leader, at `now` (what expiration counts from). */
  appended(pid: ProducerBatch, baseOffset: number, lastOffset: number, now = Date.now()): void {
    if (!this.producers || this.through !== baseOffset) return; // catches up from the log on the next check
    this.note(this.producers, pid, now, baseOffset, lastOffset);
    this.through = lastOffset + 1;
  }

  /**
   * Saves the table beside the log when it has moved on since the last save, dropping producers
   * idle for longer than the expiration; a table never built this run leaves the log's snapshot
   * as it is (it still describes a prefix of the log).
   */
  saveSnapshot(now = Date.now()): void {
    if (!this.producers) return;
    const producers = this.catchUp();
    const before = producers.size;
    for (const [id, e] of producers) if (now - e.lastTimestamp >= this.expirationMs) producers.delete(id);
    if (this.through === this.savedThrough && producers.size === before) return;
    this.log.saveProducerSnapshot(this.through, encodeProducerSnapshot(producers));
    this.savedThrough = this.through;
  }

  private catchUp(): Map<number, ProducerEntry> {
    const end = this.log.logEndOffset();
    if (!this.producers || end < this.through) this.load();
    // Retention may have moved the log start past what the table had seen.
    for (const batch of readBatches(this.log, Math.max(this.through, this.log.logStartOffset()), end)) {
      const h = readBatchHeader(batch);
      if (h.producerId >= 0) this.note(this.producers!, fromHeader(h), h.maxTimestamp, h.baseOffset, h.baseOffset + h.lastOffsetDelta);
    }
    this.through = end;
    return this.producers!;
  }

  /** Starts from the log's snapshot when it has a sound one, else from the log start. */
  private load(): void {
    const snapshot = this.log.producerSnapshot();
    const producers = snapshot && snapshot.offset <= this.log.logEndOffset() ? decodeProducerSnapshot(snapshot.data) : null;
    this.producers = producers ?? new Map();
    this.through = producers ? snapshot!.offset : this.log.logStartOffset();
    this.savedThrough = producers ? snapshot!.offset : -1;
  }

  private note(producers: Map<number, ProducerEntry>, pid: ProducerBatch, timestamp: number, baseOffset: number, lastOffset: number) {
    let entry = producers.get(pid.producerId);
    if (!entry || pid.epoch > entry.epoch) producers.set(pid.producerId, (entry = { epoch: pid.epoch, lastTimestamp: timestamp, batches: [] }));
    else if (pid.epoch < entry.epoch) return;
    entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
    entry.batches.push({ firstSeq: pid.firstSeq, lastSeq: pid.lastSeq, baseOffset, lastOffset });
    if (entry.batches.length > BATCHES_PER_PRODUCER) entry.batches.shift();
  }
}
