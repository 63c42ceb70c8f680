/**
 * Producer state (Kafka's ProducerStateManager): idempotence and transactions. For each partition it
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
 * `producer.id.expiration.ms` is forgotten (never one with an open transaction); a producer the
 * table does not know may continue at any sequence, as in Kafka.
 *
 * Transactions (KIP-98): a producer's first transactional batch opens its transaction at that
 * offset; a transaction marker (WriteTxnMarkers) closes it, and an ABORT is written to the log's
 * aborted-transaction index (.txnindex) with the LSO after it. The last stable offset is the first
 * offset of the earliest open transaction (or of one whose marker is not yet below the high
 * watermark), else the high watermark. Snapshots keep each producer's open transaction and
 * coordinator epoch, so a restart knows them without the data. A marker with an older producer
 * epoch is INVALID_PRODUCER_EPOCH, from an older coordinator epoch TRANSACTION_COORDINATOR_FENCED;
 * a plain batch of a producer inside its transaction INVALID_TXN_STATE. `activeProducers()` is
 * what DescribeProducers shows.
 */
import { crc32c } from '../protocol/crc32c.js';
import { ErrorCode } from '../protocol/errors.js';
import { Reader, Writer } from '../protocol/primitives.js';
import { type BatchHeader, RecordBatchView, decodeBatchRecords, isControlBatch, isTransactionalBatch, readBatchHeader } from '../protocol/record-batch.js';
import { ControlType, type EndTxnMarker, decodeEndTxnMarker } from '../protocol/control-records.js';
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
  /** Part of a transaction (data or marker). */
  transactional?: boolean;
  /** A control batch; `marker` is its end-transaction marker when it holds one. */
  control?: boolean;
  marker?: EndTxnMarker | null;
}

interface BatchEntry {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  /** The epoch of the coordinator that wrote this producer's last marker (-1: none). */
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction in this partition, -1 when none is open. */
  txnFirstOffset: number;
  /**
   * When the producer last wrote: the append time on the leader; when rebuilt from the log, its
   * batch's largest timestamp (so records stamped far in the past can make it expire sooner).
   */
  lastTimestamp: number;
  batches: BatchEntry[];
}

/** What DescribeProducers shows of one active producer of a partition. */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  /** Sequence of the producer's last batch, -1 when it wrote none (only markers). */
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** First offset of its open transaction, -1 when none is open. */
  currentTxnStartOffset: number;
}

/** A transaction whose marker the table has seen but the high watermark has not yet passed. */
interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
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
  if (batch.producerId < 0) return null;
  const pid = fromHeader(batch);
  if (pid.control) pid.marker = markerOf(batch.buffer);
  return pid;
}

/** The end-transaction marker a control batch holds, or null. */
function markerOf(batch: Buffer): EndTxnMarker | null {
  try {
    const [r] = decodeBatchRecords(batch);
    return r ? decodeEndTxnMarker(r.key, r.value) : null;
  } catch {
    return null;
  }
}

const SNAPSHOT_VERSION = 2;

/**
 * Snapshot file layout (big-endian): version int16, CRC-32C uint32 of everything after it, then
 * producer count int32 and per producer: id int64, epoch int16, last timestamp int64, coordinator
 * epoch int32 and open transaction's first offset int64 (-1: none; both from version 2), batch
 * count int8, and per batch: first sequence int32, last sequence int32, base offset int64, last
 * offset int64. Version 1 snapshots (without transactions) are still read.
 */
export function encodeProducerSnapshot(producers: ReadonlyMap<number, ProducerEntry>): Buffer {
  const w = new Writer();
  w.int32(producers.size);
  for (const [id, e] of producers) {
    w.int64(id).int16(e.epoch).int64(e.lastTimestamp).int32(e.coordinatorEpoch).int64(e.txnFirstOffset).int8(e.batches.length);
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
  const r = readProducerSnapshot(data);
  return typeof r === 'string' ? null : r;
}

/** Decodes a snapshot, or says why it cannot be used. */
function readProducerSnapshot(data: Buffer): Map<number, ProducerEntry> | string {
  if (data.length < 10) return `too short (${data.length} bytes)`;
  const version = data.readInt16BE(0);
  if (version !== 1 && version !== SNAPSHOT_VERSION) return `unknown version ${version}`;
  const body = data.subarray(6);
  if (crc32c(body) !== data.readUInt32BE(2)) return 'CRC mismatch';
  try {
    const r = new Reader(body);
    const producers = new Map<number, ProducerEntry>();
    for (let n = r.int32(); n > 0; n--) {
      const id = r.int64();
      const epoch = r.int16();
      const lastTimestamp = r.int64();
      const coordinatorEpoch = version >= 2 ? r.int32() : -1;
      const txnFirstOffset = version >= 2 ? r.int64() : -1;
      const entry: ProducerEntry = { epoch, lastTimestamp, coordinatorEpoch, txnFirstOffset, batches: [] };
      for (let k = r.int8(); k > 0; k--) entry.batches.push({ firstSeq: r.int32(), lastSeq: r.int32(), baseOffset: r.int64(), lastOffset: r.int64() });
      producers.set(id, entry);
    }
    return producers;
  } catch {
    return 'truncated';
  }
}

const fromHeader = (h: Pick<BatchHeader, 'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta' | 'attributes'>): ProducerBatch => ({
  producerId: h.producerId,
  epoch: h.producerEpoch,
  firstSeq: h.baseSequence,
  lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
  transactional: isTransactionalBatch(h.attributes),
  control: isControlBatch(h.attributes),
});

export class ProducerStateTable {
  private producers: Map<number, ProducerEntry> | null = null;
  /** The log end offset the table has seen up to. */
  private through = 0;
  /** Where the last saved snapshot stands (-1: none saved by this table). */
  private savedThrough = -1;
  /**
   * Transactions whose marker is written but not yet below the high watermark: until it is, the
   * last stable offset stays at their first offset (Kafka's unreplicated transactions).
   */
  private unreplicated: CompletedTxn[] = [];
  /** Producers with an open transaction → its first offset (the entries' txnFirstOffset, indexed). */
  private open = new Map<number, number>();

  constructor(
    private readonly log: PartitionLog,
    private readonly expirationMs: number = DEFAULT_PRODUCER_ID_EXPIRATION_MS,
    /** Told of a snapshot that cannot be used (the state is rebuilt from the log), as Kafka warns. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Forgets everything (the log was truncated); the next check rebuilds from the log. */
  reset(): void {
    this.producers = null;
    this.savedThrough = -1;
    this.unreplicated = [];
    this.open.clear();
  }

  private live(entry: ProducerEntry | undefined, now: number): entry is ProducerEntry {
    return entry !== undefined && (entry.txnFirstOffset >= 0 || now - entry.lastTimestamp < this.expirationMs);
  }

  /**
   * Decides what to do with a producer's batch (data or transaction marker) about to be appended
   * as leader, as Kafka's ProducerAppendInfo: an older epoch is refused (INVALID_PRODUCER_EPOCH),
   * a marker from an older coordinator too (TRANSACTION_COORDINATOR_FENCED), a non-transactional
   * batch while the producer's transaction is open is INVALID_TXN_STATE, and sequences must follow.
   */
  check(pid: ProducerBatch, partitionName: string, now = Date.now(), checkSequence = true): SequenceCheck {
    const entry = this.catchUp().get(pid.producerId);
    if (!this.live(entry, now)) return { kind: 'append' };
    if (pid.epoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${pid.producerId} is ${pid.epoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      };
    }
    if (pid.control) {
      if (pid.marker && pid.marker.coordinatorEpoch < entry.coordinatorEpoch) {
        return {
          kind: 'error',
          errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
          message: `Invalid coordinator epoch for producer ${pid.producerId} in partition ${partitionName}: ${pid.marker.coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
        };
      }
      return { kind: 'append' };
    }
    if (!pid.transactional && entry.txnFirstOffset >= 0 && pid.epoch === entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_TXN_STATE, message: `Expected transactional write from producer ${pid.producerId} in partition ${partitionName}` };
    }
    if (!checkSequence) return { kind: 'append' };
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

  /**
   * Whether the producer has a transaction open in this partition at this epoch (Kafka's
   * hasOngoingTransaction): its next transactional batch continues it, so needs no verification.
   */
  hasOpenTransaction(producerId: number, epoch: number): boolean {
    const entry = this.catchUp().get(producerId);
    return entry !== undefined && entry.txnFirstOffset >= 0 && entry.epoch === epoch;
  }

  /**
   * Records a batch this broker just appended as leader (`pid` null for one without a producer),
   * at `now` (what expiration counts from).
   */
  appended(pid: ProducerBatch | null, baseOffset: number, lastOffset: number, now = Date.now()): void {
    if (!this.producers || this.through !== baseOffset) return; // catches up from the log on the next check
    if (pid) this.note(this.producers, pid, now, baseOffset, lastOffset);
    this.through = lastOffset + 1;
  }

  /**
   * The last stable offset below `hw`: the first offset of the earliest transaction still open
   * (or whose marker is not yet replicated), else the high watermark itself.
   */
  lastStableOffset(hw: number): number {
    this.catchUp();
    if (this.unreplicated.length) this.unreplicated = this.unreplicated.filter((t) => t.lastOffset >= hw);
    let lso = hw;
    for (const first of this.open.values()) if (first < lso) lso = first;
    for (const t of this.unreplicated) if (t.firstOffset < lso) lso = t.firstOffset;
    return lso;
  }

  /**
   * The same when the table is already built, else `hw` (read_uncommitted fetches only report the
   * offset; building the table would read every batch header of a partition no producer touched).
   */
  lastStableOffsetIfKnown(hw: number): number {
    return this.producers ? this.lastStableOffset(hw) : hw;
  }

  /** The partition's active producers (DescribeProducers), oldest id first. */
  activeProducers(now = Date.now()): ActiveProducer[] {
    const out: ActiveProducer[] = [];
    for (const [id, e] of this.catchUp()) {
      if (!this.live(e, now)) continue;
      out.push({
        producerId: id,
        producerEpoch: e.epoch,
        lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
        lastTimestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnStartOffset: e.txnFirstOffset,
      });
    }
    return out.sort((a, b) => a.producerId - b.producerId);
  }

  /**
   * Saves the table beside the log when it has moved on since the last save, dropping producers
   * idle for longer than the expiration (never one with an open transaction); a table never built
   * this run leaves the log's snapshot as it is (it still describes a prefix of the log).
   */
  /**
   * Whether saveSnapshot may have something to save (cheap: asked of every partition every few
   * seconds): the table is built, and the log moved since the last save or producers may expire.
   */
  snapshotDue(): boolean {
    return this.producers !== null && (this.log.logEndOffset() !== this.savedThrough || this.producers.size > 0);
  }

  saveSnapshot(now = Date.now()): void {
    if (!this.producers) return;
    const producers = this.catchUp();
    const before = producers.size;
    for (const [id, e] of producers) if (!this.live(e, now)) producers.delete(id);
    if (this.through === this.savedThrough && producers.size === before) return;
    this.log.saveProducerSnapshot(this.through, encodeProducerSnapshot(producers));
    this.savedThrough = this.through;
  }

  private catchUp(): Map<number, ProducerEntry> {
    const end = this.log.logEndOffset();
    if (!this.producers || end < this.through) this.load();
    if (this.through >= end) return this.producers!;
    // Retention may have moved the log start past what the table had seen.
    for (const batch of readBatches(this.log, Math.max(this.through, this.log.logStartOffset()), end)) {
      const h = readBatchHeader(batch);
      if (h.producerId < 0) continue;
      const pid = fromHeader(h);
      if (pid.control) pid.marker = markerOf(batch);
      this.note(this.producers!, pid, h.maxTimestamp, h.baseOffset, h.baseOffset + h.lastOffsetDelta);
    }
    this.through = end;
    return this.producers!;
  }

  /** Starts from the log's snapshot when it has a sound one, else from the log start. */
  private load(): void {
    const snapshot = this.log.producerSnapshot();
    const read = snapshot && snapshot.offset <= this.log.logEndOffset() ? readProducerSnapshot(snapshot.data) : null;
    if (typeof read === 'string') {
      const where = snapshot!.file ?? `at offset ${snapshot!.offset} of ${this.log.topic}-${this.log.partition}`;
      this.warn(`Producer state snapshot ${where} is corrupt (${read}); rebuilding the producer state of ${this.log.topic}-${this.log.partition} from the log`);
    }
    const producers = typeof read === 'string' ? null : read;
    this.producers = producers ?? new Map();
    this.through = producers ? snapshot!.offset : this.log.logStartOffset();
    this.savedThrough = producers ? snapshot!.offset : -1;
    this.unreplicated = [];
    this.open = new Map([...this.producers].filter(([, e]) => e.txnFirstOffset >= 0).map(([id, e]) => [id, e.txnFirstOffset]));
  }

  private note(producers: Map<number, ProducerEntry>, pid: ProducerBatch, timestamp: number, baseOffset: number, lastOffset: number) {
    let entry = producers.get(pid.producerId);
    if (!entry) producers.set(pid.producerId, (entry = { epoch: pid.epoch, lastTimestamp: timestamp, coordinatorEpoch: -1, txnFirstOffset: -1, batches: [] }));
    else if (pid.epoch > entry.epoch) {
      // A new epoch starts the sequences over (Kafka's maybeUpdateProducerEpoch).
      entry.epoch = pid.epoch;
      entry.batches = [];
    } else if (pid.epoch < entry.epoch) return;
    entry.lastTimestamp = Math.max(entry.lastTimestamp, timestamp);
    if (pid.control) {
      if (pid.marker) this.completeTxn(pid.producerId, entry, pid.marker, baseOffset);
      return;
    }
    if (pid.transactional && entry.txnFirstOffset < 0) {
      entry.txnFirstOffset = baseOffset;
      this.open.set(pid.producerId, baseOffset);
    }
    // Batches without a sequence (the group coordinator's transactional offsets) take no part in de-duplication.
    if (pid.firstSeq < 0) return;
    entry.batches.push({ firstSeq: pid.firstSeq, lastSeq: pid.lastSeq, baseOffset, lastOffset });
    if (entry.batches.length > BATCHES_PER_PRODUCER) entry.batches.shift();
  }

  /**
   * A marker at `offset` ends the producer's transaction (one with no data here spans just the
   * marker). An abort is recorded in the log's aborted-transaction index unless it already is
   * (the table replays markers it had seen when it is rebuilt, and that is how a lost index
   * entry comes back).
   */
  private completeTxn(producerId: number, entry: ProducerEntry, marker: EndTxnMarker, offset: number) {
    const firstOffset = entry.txnFirstOffset >= 0 ? entry.txnFirstOffset : offset;
    entry.txnFirstOffset = -1;
    this.open.delete(producerId);
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    this.unreplicated.push({ producerId, firstOffset, lastOffset: offset });
    if (marker.type !== ControlType.Abort || offset <= this.log.lastAbortedTxnOffset()) return;
    let lastStableOffset = offset + 1;
    for (const first of this.open.values()) if (first < lastStableOffset) lastStableOffset = first;
    this.log.appendAbortedTxn({ producerId, firstOffset, lastOffset: offset, lastStableOffset });
  }
}
