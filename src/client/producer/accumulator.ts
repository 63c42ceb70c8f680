/**
 * The record accumulator (Kafka's RecordAccumulator). Records are encoded into an open batch per
 * partition as they are appended (nothing per record is kept unless the caller asked for a
 * callback); a batch is sealed when it reaches `batch.size` or has waited `linger.ms`, and then
 * waits in its partition's FIFO queue of ready batches until the sender takes it. Records without
 * a key stick to one partition until its batch is sealed (KIP-480). A batch the broker found too
 * large is split here into two halves that go back into the queue where it stood.
 */
import { BATCH_HEADER_SIZE, decodeBatchRecords } from '../../protocol/record-batch.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { type ProducerBatch, type ProducerRecord, type SendCallback, formatBytes, newBatch, partitionKey, payloadSize } from './batch.js';
import { StickyPartitioner, partitionForKey } from './partitioners.js';

export interface AccumulatorConfig {
  batchSize: number;
  lingerMs: number;
  /** max.request.size: a record whose batch would be larger is refused before it is placed. */
  maxRequestSize: number;
  /**
   * buffer.memory: a record (key, value and headers) larger is refused too, as Kafka's producer
   * refuses one that could never fit its buffer (RecordTooLargeException). Unlimited when not given.
   */
  bufferMemory?: number;
  /**
   * The open batches of all partitions together hold at most about this many payload bytes:
   * reaching it seals them all (unset: each partition's batch waits for batch.size or linger.ms).
   * A console producer with large batches spread over several partitions would otherwise read
   * several batches' worth before any fills, and send them all at once, the broker idle meanwhile.
   */
  openBytesMax?: number;
}

/** A record refused before it took a place in a batch, and the partition it was meant for. */
export interface RejectedRecord {
  partition: number;
  error: KafkaProtocolError;
}

/** Bytes a record adds to its batch besides key, value and headers, at most (Kafka's estimate). */
const RECORD_OVERHEAD_MAX = 21;
/**
 * A batch holding one record of no bytes at most: read once here, as the console-producer's
 * per-record path must not read BATCH_HEADER_SIZE itself (in the CLI's bundles an import from
 * another bundle is a getter call: 1M x 100 B spent ~30 ms in them).
 */
const ONE_RECORD_BATCH_MAX = BATCH_HEADER_SIZE + RECORD_OVERHEAD_MAX;
/** Recycled batch buffers kept, at most (bytes): fresh memory costs a page fault per 4 KiB touched. */
const POOL_MAX_BYTES = 32 << 20;

const tooLarge = (size: number, setting: 'max.request.size' | 'buffer.memory', limit: number) =>
  new KafkaProtocolError(ErrorCode.MESSAGE_TOO_LARGE, `record of ${formatBytes(size)} bytes exceeds ${setting}=${limit} of the producer; raise it or split the record`);

export class RecordAccumulator {
  private readonly sticky = new StickyPartitioner();
  /** Open batches by partition key, and the one the previous record went into. */
  private readonly open = new Map<string, ProducerBatch>();
  private lastBatch: ProducerBatch | null = null;
  /** Batches ready to send, FIFO per partition. */
  private readonly ready = new Map<string, ProducerBatch[]>();
  private readyBatches = 0;
  private lingerTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** A flush is waiting: batches are sealed once the records placed now are in, without lingering. */
  flushing = 0;
  private sealQueued = false;
  /** Keep the timestamps of records without a callback as runs (ProducerBatch.runs). */
  trackRuns = false;
  /** Buffers of acknowledged batches (of the usual size), reused by new batches (Kafka's BufferPool). */
  private readonly pool: Buffer[] = [];
  /** Payload bytes in the open batches (for config.openBytesMax). */
  private openBytes = 0;

  /**
   * @param partitionCount the topic's partition count as the cluster metadata knows it now
   * @param onReady called whenever a batch has become ready (the sender then drains)
   */
  constructor(
    private readonly config: AccumulatorConfig,
    private readonly partitionCount: (topic: string) => number,
    private readonly onReady: () => void,
  ) {
    // buffer.memory bounds the record's own bytes (Kafka adds its batch's overhead: at most 82 bytes).
    this.largestRecord = Math.min(config.maxRequestSize - ONE_RECORD_BATCH_MAX, config.bufferMemory ?? Infinity);
    this.openBytesMax = config.openBytesMax ?? Infinity;
  }

  private readonly openBytesMax: number;

  /** The largest record (key, value and headers, in bytes) max.request.size and buffer.memory let in. */
  private readonly largestRecord: number;

  /**
   * Why a record of `size` bytes (key, value and headers) is refused before it is placed: larger
   * than max.request.size or buffer.memory allow (Kafka's RecordTooLargeException); else null.
   */
  sizeRefusal(size: number): KafkaProtocolError | null {
    if (size <= this.largestRecord) return null;
    const { maxRequestSize, bufferMemory = Infinity } = this.config;
    return ONE_RECORD_BATCH_MAX + size > maxRequestSize ? tooLarge(size, 'max.request.size', maxRequestSize) : tooLarge(size, 'buffer.memory', bufferMemory);
  }

  /** Batches ready to send, over all partitions. */
  get readyCount(): number {
    return this.readyBatches;
  }

  /**
   * Places a record in its partition's open batch (choosing the partition when the record names
   * none), or refuses it.
   */
  append(record: ProducerRecord, numPartitions: number, cb?: SendCallback, partition = record.partition): RejectedRecord | null {
    if (partition === undefined || partition < 0) {
      partition = record.key ? partitionForKey(record.key, numPartitions) : this.sticky.partition(record.topic, numPartitions);
    } else if (partition >= numPartitions) {
      const error = new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${partition} of topic ${record.topic} with partition count ${numPartitions} is not present in metadata.`);
      return { partition, error };
    }
    // Refused before it takes a place in a batch, so it never takes a sequence number either.
    const key = record.key ?? null;
    const value = record.value;
    const headers = record.headers;
    const size = headers && headers.length > 0 ? payloadSize(record) : (key ? key.length : 0) + (value ? value.length : 0);
    if (size > this.largestRecord) return { partition, error: this.sizeRefusal(size)! };
    const { batchSize } = this.config;
    let batch = this.openBatch(record.topic, partition, !key);
    // A record that would overflow a non-empty batch starts the next one (as Kafka's producer does).
    const estimate = 24 + size;
    if (batch.count > 0 && batch.builder.sizeInBytes + estimate > batchSize) {
      this.seal(batch);
      this.onReady();
      batch = this.openBatch(record.topic, partition, !key);
    }
    const timestamp = record.timestamp ?? Date.now();
    batch.builder.append(key, value, headers, timestamp);
    this.placed(batch, size, timestamp, cb);
    return null;
  }

  /**
   * `append` for a record without key, headers or callback whose value is `src[start, end)`,
   * encoded straight from `src` into its batch (no Buffer or record object per value): the console
   * producer's lines. Returns the error of a record refused for max.request.size or buffer.memory, else null.
   */
  appendValue(topic: string, partition: number, src: Buffer, start: number, end: number, timestamp: number): KafkaProtocolError | null {
    const size = end - start;
    if (size > this.largestRecord) return this.sizeRefusal(size);
    let batch = this.openBatch(topic, partition, true);
    if (batch.count > 0 && batch.builder.sizeInBytes + 24 + size > this.config.batchSize) {
      this.seal(batch);
      this.onReady();
      batch = this.openBatch(topic, partition, true);
    }
    batch.builder.appendValue(src, start, end, timestamp);
    this.placed(batch, size, timestamp, undefined);
    return null;
  }

  /** Books a record just encoded into `batch`; the batch is sealed once full (or a flush waits), else it lingers. */
  private placed(batch: ProducerBatch, size: number, timestamp: number, cb: SendCallback | undefined) {
    if (cb) {
      if (!batch.callbacks) {
        batch.callbacks = new Array<SendCallback | undefined>(batch.count).fill(undefined);
        batch.timestamps = new Array<number>(batch.count).fill(-1);
      }
      batch.callbacks.push(cb);
      batch.timestamps!.push(timestamp);
    } else if (batch.callbacks) {
      batch.callbacks.push(undefined);
      batch.timestamps!.push(timestamp);
    } else if (this.trackRuns) {
      const runs = batch.runs ?? (batch.runs = []);
      const n = runs.length;
      if (n > 0 && runs[n - 2] === timestamp) runs[n - 1]!++;
      else runs.push(timestamp, 1);
    }
    batch.count++;
    batch.bytes += size;
    this.openBytes += size;
    if (batch.builder.sizeInBytes >= this.config.batchSize) {
      this.seal(batch);
      this.onReady();
    } else if (this.openBytes >= this.openBytesMax) {
      this.sealExpired(true);
      this.onReady();
    } else if (this.flushing > 0) this.sealSoon();
    else if (!this.lingerTimer) this.armLinger();
  }

  /**
   * While a flush waits, the records placed by the code running now go out together once it is
   * done. (Sealing at each record made one batch per record of everything that waited for its
   * topic's metadata: `seq 1 1000 | console-producer` wrote 1,000 batches.)
   */
  private sealSoon() {
    if (this.sealQueued) return;
    this.sealQueued = true;
    queueMicrotask(() => {
      this.sealQueued = false;
      this.sealExpired(true);
      this.onReady();
    });
  }

  /** The partition's open batch (a new one if it has none), remembered as the last one used. */
  private openBatch(topic: string, partition: number, keyless: boolean): ProducerBatch {
    let batch = this.lastBatch;
    if (batch && batch.topic === topic && batch.partition === partition) return batch;
    const pk = partitionKey(topic, partition);
    batch = this.open.get(pk) ?? null;
    if (!batch) {
      batch = this.newBatch(topic, partition, keyless);
      this.open.set(pk, batch);
    }
    return (this.lastBatch = batch);
  }

  private get bufferSize(): number {
    return Math.min(this.config.batchSize + 1024, 1 << 20);
  }

  private newBatch(topic: string, partition: number, keyless: boolean): ProducerBatch {
    return newBatch(topic, partition, keyless, this.bufferSize, this.pool.pop());
  }

  /**
   * Takes back the buffer of a batch that is done with (acknowledged: the request that carried it
   * has been read by the broker), for a later batch.
   */
  recycle(b: ProducerBatch): void {
    const buf = b.builder.backing;
    const size = BATCH_HEADER_SIZE + this.bufferSize;
    if (buf.length !== size || buf.byteOffset !== 0 || (this.pool.length + 1) * size > POOL_MAX_BYTES) return;
    b.encoded = null;
    this.pool.push(buf);
  }

  private armLinger() {
    const expire = () => {
      this.lingerTimer = null;
      this.sealExpired(false);
      this.onReady();
    };
    // linger.ms=0: sent once the records given in this turn are in (Node's shortest timer is 1 ms,
    // which every record would wait).
    this.lingerTimer = this.config.lingerMs <= 0 ? setImmediate(expire) : setTimeout(expire, this.config.lingerMs);
  }

  /** Stops the linger timer (a flush seals everything itself). */
  cancelLinger(): void {
    if (this.lingerTimer) {
      if (this.config.lingerMs <= 0) clearImmediate(this.lingerTimer as NodeJS.Immediate);
      else clearTimeout(this.lingerTimer as NodeJS.Timeout);
      this.lingerTimer = null;
    }
  }

  private seal(batch: ProducerBatch) {
    this.open.delete(partitionKey(batch.topic, batch.partition));
    this.openBytes -= batch.bytes;
    if (this.lastBatch === batch) this.lastBatch = null;
    this.enqueue(batch);
    if (batch.keyless) this.sticky.next(batch.topic, this.partitionCount(batch.topic), batch.partition);
  }

  /** Moves open batches that have lingered long enough (or all, when forced) to ready. */
  sealExpired(force: boolean): void {
    const now = Date.now();
    for (const b of [...this.open.values()]) if (force || now - b.createdAt >= this.config.lingerMs) this.seal(b);
    if (this.open.size > 0 && !this.lingerTimer) this.armLinger();
  }

  private enqueue(batch: ProducerBatch) {
    const key = partitionKey(batch.topic, batch.partition);
    let q = this.ready.get(key);
    if (!q) this.ready.set(key, (q = []));
    q.push(batch);
    this.readyBatches++;
  }

  /**
   * Puts a batch back into its partition's queue (a retry, or a split half) ahead of every batch
   * created after it and behind every batch created before it, so its records keep their order
   * even when several batches in flight fail together. Every batch enters the queue this way or
   * (sealed, the newest) at its end, so the queue stays in creation order, which for a numbered
   * batch is also sequence order (as Kafka's insertInSequenceOrder keeps it).
   */
  requeue(batch: ProducerBatch): void {
    const key = partitionKey(batch.topic, batch.partition);
    let q = this.ready.get(key);
    if (!q) this.ready.set(key, (q = []));
    let at = 0;
    while (at < q.length && q[at]!.order <= batch.order) at++;
    q.splice(at, 0, batch);
    this.readyBatches++;
  }

  /** The first ready batch of each partition, with the partition's key. */
  *heads(): Generator<[string, ProducerBatch]> {
    for (const [key, q] of this.ready) yield [key, q[0]!];
  }

  /** Takes a head batch (from `heads()`) off its partition's queue, to be sent. */
  take(batch: ProducerBatch): void {
    const key = partitionKey(batch.topic, batch.partition);
    const q = this.ready.get(key)!;
    q.shift();
    if (q.length === 0) this.ready.delete(key);
    this.readyBatches--;
  }

  /** A partition's ready batches, in order. */
  readyOf(topic: string, partition: number): readonly ProducerBatch[] {
    return this.ready.get(partitionKey(topic, partition)) ?? [];
  }

  /** Every ready batch. */
  *allReady(): Generator<ProducerBatch> {
    for (const q of this.ready.values()) yield* q;
  }

  /** Empties the ready queues one partition at a time, handing each batch to `each`. */
  clearReady(each: (batch: ProducerBatch) => void): void {
    for (const [key, q] of [...this.ready]) {
      this.ready.delete(key);
      this.readyBatches -= q.length;
      for (const b of q) each(b);
    }
  }

  /**
   * Splits a batch the broker found too large into two halves, as Kafka's producer does; they go
   * back into the partition's queue where the batch stood. (Put at its front instead, the halves
   * of a later batch that came back too large after an earlier one's led the queue: an idempotent
   * producer's broker, with no state for it yet, took their sequence, and refused every earlier
   * batch as out of order.) Returns false for a batch of one record (or one never encoded), which
   * cannot be split.
   */
  split(b: ProducerBatch): boolean {
    if (b.count < 2 || !b.encoded) return false;
    const records = decodeBatchRecords(b.encoded);
    const half = Math.ceil(records.length / 2);
    const parts = [records.slice(0, half), records.slice(half)].map((part, i) => {
      const nb = newBatch(b.topic, b.partition, b.keyless, b.builder.sizeInBytes);
      // The halves stand where the batch stood, in their order (ahead of batches created after it).
      const span = (b.orderSpan ?? 1) / 2;
      nb.order = b.order + i * span;
      nb.orderSpan = span;
      nb.firstAttemptAt = b.firstAttemptAt;
      nb.maybeWritten = b.maybeWritten;
      const offset = i === 0 ? 0 : half;
      // The halves take over the sequence numbers of the batch nothing was written of.
      if (b.baseSequence >= 0) {
        nb.baseSequence = (b.baseSequence + offset) % 0x80000000;
        nb.producerEpoch = b.producerEpoch;
      }
      for (const r of part) {
        nb.builder.append(r.key, r.value, r.headers, r.timestamp);
        nb.bytes += payloadSize(r);
        if (this.trackRuns && !b.callbacks) {
          const runs = nb.runs ?? (nb.runs = []);
          const n = runs.length;
          if (n > 0 && runs[n - 2] === r.timestamp) runs[n - 1]!++;
          else runs.push(r.timestamp, 1);
        }
      }
      nb.count = part.length;
      if (b.callbacks) {
        nb.callbacks = b.callbacks.slice(offset, offset + part.length);
        nb.timestamps = b.timestamps!.slice(offset, offset + part.length);
      }
      return nb;
    });
    this.requeue(parts[0]!);
    this.requeue(parts[1]!);
    this.onReady();
    return true;
  }
}
