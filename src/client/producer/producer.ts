/**
 * The producer: a thin façade over Kafka's three parts. The accumulator (`accumulator.ts`) gathers
 * records into batches per partition; the sender (`sender.ts`) sends ready batches to their
 * leaders, retries them and completes their records; idempotence (`idempotence.ts`) holds the
 * producer id and the sequence numbers. Here: the options, records waiting for their topic to
 * appear in metadata, and the counting that `flush`, `waitForRoom` and `stats` rest on.
 */
import { ErrorCode, KafkaProtocolError, errorInfo } from '../../protocol/errors.js';
import type { KafkaClient } from '../client.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { RecordAccumulator } from './accumulator.js';
import { type AckedBatch, type Completion, type ProducerRecord, type RecordMetadata, type SendCallback, payloadSize } from './batch.js';
import { Idempotence } from './idempotence.js';
import { type PartitionerOptions, RecordPartitioner } from './partitioners.js';
import { Sender } from './sender.js';
import { type GroupMetadata, TransactionManager, type TxnOffset } from './transactions.js';
import { KafkaTsError } from '../../util/errors.js';

export type { AckedBatch, ProducerRecord, RecordMetadata, SendCallback } from './batch.js';
export type { GroupMetadata, TxnOffset } from './transactions.js';

export interface ProducerOptions {
  acks?: -1 | 0 | 1;
  compression?: number;
  /** compression.<codec>.level of the codec in `compression` (unset: the codec's default). */
  compressionLevel?: number;
  lingerMs?: number;
  batchSize?: number;
  /** See AccumulatorConfig.openBytesMax (not a Kafka setting; unset by default). */
  openBytesMax?: number;
  requestTimeoutMs?: number;
  deliveryTimeoutMs?: number;
  retries?: number;
  retryBackoffMs?: number;
  maxInFlightPerBroker?: number;
  /** How long a send waits for its topic to appear in metadata (max.block.ms). */
  maxBlockMs?: number;
  /**
   * max.request.size: a record whose batch would be larger is refused before it is sent. Unlimited
   * by default, so the broker's max.message.bytes decides, up to bufferMemory (the Java producer's
   * default is 1048576).
   */
  maxRequestSize?: number;
  /**
   * buffer.memory: a record larger than this is refused before it is sent, as Kafka's producer
   * refuses one that could never fit its buffer (default 33554432, Kafka's). How much the producer
   * keeps outstanding is the caller's (console-producer, producer-perf-test pace their sends by it).
   */
  bufferMemory?: number;
  /**
   * enable.idempotence: retries never write a record twice (needs acks=-1). 'if-supported' falls
   * back to plain batches when the cluster lacks InitProducerId or refuses it.
   */
  idempotent?: boolean | 'if-supported';
  /**
   * transactional.id: the producer runs transactions (initTransactions, beginTransaction, ...);
   * implies idempotence.
   */
  transactionalId?: string | null;
  /** transaction.timeout.ms: the coordinator aborts a transaction open longer (default 60000). */
  transactionTimeoutMs?: number;
  /** partitioner.class, partitioner.ignore.keys, partitioner.adaptive.partitioning.enable (batch.size is taken from above). */
  partitioner?: PartitionerOptions;
}

/** buffer.memory when not given: Kafka's default. */
const DEFAULT_BUFFER_MEMORY = 33554432;

export class Producer {
  private readonly maxBlockMs: number;
  private readonly retryBackoffMs: number;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly idempotence: Idempotence;
  private readonly partitioner: RecordPartitioner;
  /** A transactional producer's transactions. */
  readonly txn: TransactionManager | null = null;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private progressWaiters: (() => void)[] = [];
  private closed = false;
  /** Records waiting for their topic to appear in metadata, by topic. */
  private readonly waitingForTopic = new Map<string, { record: ProducerRecord; cb?: SendCallback }[]>();

  /** Records acknowledged and failed so far. */
  readonly stats = { acked: 0, failed: 0 };
  /** Called when optional idempotence is dropped because the cluster does not offer it. */
  onIdempotenceUnavailable: ((reason: Error) => void) | null = null;
  /** Called once per batch that could not be delivered, with the number of records in it. */
  onBatchError: ((topic: string, partition: number, count: number, error: Error) => void) | null = null;
  /**
   * Told of an error thrown by a callback of the caller's (a send callback, onBatchAcked,
   * onBatchError, onIdempotenceUnavailable). The producer's counting goes on regardless, as Kafka's
   * producer logs such an error and carries on. Unset, the error is thrown again on a later turn of
   * the event loop, an uncaught exception as Node reports a throwing listener: never swallowed, and
   * never in the middle of the producer's own bookkeeping.
   */
  onCallbackError: ((error: unknown) => void) | null = null;
  private batchAcked: ((b: AckedBatch) => void) | null = null;

  /**
   * Called once per acknowledged batch of records appended without a callback, with their count,
   * payload bytes and timestamps (as runs): what a perf tool needs of each record (its latency)
   * without a callback per record.
   */
  set onBatchAcked(f: ((b: AckedBatch) => void) | null) {
    this.batchAcked = f;
    this.accumulator.trackRuns = f !== null;
  }

  constructor(
    readonly client: KafkaClient,
    opts: ProducerOptions = {},
  ) {
    const acks = opts.acks ?? -1;
    this.maxBlockMs = opts.maxBlockMs ?? 60_000;
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    const transactional = opts.transactionalId !== undefined && opts.transactionalId !== null;
    if (transactional && acks !== -1) throw new KafkaTsError('usage', 'Must set acks to all in order to use the transactional producer.');
    if (transactional && opts.idempotent === false) throw new KafkaTsError('usage', 'Cannot set a transactional.id without also enabling idempotence.');
    if (opts.idempotent && acks !== -1) throw new Error('enable.idempotence needs acks=all (-1)');
    const completion: Completion = {
      complete: (cb, e, meta) => this.complete(cb, e, meta),
      completeBatch: (b) => this.completeBatch(b),
      batchFailed: (topic, partition, count, e) => {
        this.txn?.failed(e);
        this.batchError(topic, partition, count, e);
      },
    };
    this.idempotence = new Idempotence(transactional ? true : opts.idempotent);
    this.partitioner = new RecordPartitioner({ batchSize: opts.batchSize, ...opts.partitioner }, {
      available: (topic, p) => (this.client.cluster.topics.get(topic)?.partitions[p]?.leader ?? -1) >= 0,
      queued: (topic, p) => this.accumulator.readyOf(topic, p).length,
      stalled: (topic, p, ms) => {
        const leader = this.client.cluster.topics.get(topic)?.partitions[p]?.leader ?? -1;
        return leader >= 0 && this.sender.stalled(leader, ms);
      },
    });
    this.accumulator = new RecordAccumulator(
      { batchSize: opts.batchSize ?? 16384, lingerMs: opts.lingerMs ?? 5, maxRequestSize: opts.maxRequestSize ?? Infinity, bufferMemory: opts.bufferMemory ?? DEFAULT_BUFFER_MEMORY, openBytesMax: opts.openBytesMax },
      (topic) => this.client.cluster.topics.get(topic)?.partitions.length ?? 1,
      () => this.sender.kick(),
    );
    this.sender = new Sender(
      client,
      {
        acks,
        compression: opts.compression ?? 0,
        compressionLevel: opts.compressionLevel,
        requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
        deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 120_000,
        retries: opts.retries ?? 2147483647,
        retryBackoffMs: this.retryBackoffMs,
        maxInFlight: opts.maxInFlightPerBroker ?? 5,
        maxRequestBytes: opts.maxRequestSize ?? 1 << 20,
      },
      this.accumulator,
      this.idempotence,
      completion,
      (reason) => this.userCallback(this.onIdempotenceUnavailable, reason),
    );
    if (transactional) {
      this.idempotence.transactional = true;
      this.txn = new TransactionManager(client, opts.transactionalId!, opts.transactionTimeoutMs ?? 60_000, this.idempotence, this.maxBlockMs, this.retryBackoffMs, () =>
        this.sender.kick(),
      );
      this.sender.txn = this.txn;
    }
  }

  private requireTxn(): TransactionManager {
    if (!this.txn) throw new KafkaTsError('failed', 'Transactional method invoked on a non-transactional producer.');
    return this.txn;
  }

  /** initTransactions: fences earlier instances with the same transactional id. */
  async initTransactions(): Promise<void> {
    await this.requireTxn().init();
  }

  beginTransaction(): void {
    this.requireTxn().begin();
  }

  /** sendOffsetsToTransaction: the group's offsets commit only if the transaction commits. */
  async sendOffsetsToTransaction(offsets: readonly TxnOffset[], group: GroupMetadata | string): Promise<void> {
    await this.requireTxn().sendOffsets(offsets, typeof group === 'string' ? { groupId: group } : group);
  }

  /** Sends everything of the transaction, then commits it (EndTxn). */
  async commitTransaction(): Promise<void> {
    const txn = this.requireTxn();
    txn.checkCommit();
    await this.flush();
    await txn.end(true, false);
  }

  /**
   * Aborts the transaction: batches not sent yet are dropped (their records fail), those in
   * flight are awaited, then EndTxn aborts. A gap in the sequence numbers makes the producer
   * take a new epoch.
   */
  async abortTransaction(): Promise<void> {
    const txn = this.requireTxn();
    txn.checkAbort();
    this.accumulator.cancelLinger();
    this.accumulator.sealExpired(true);
    let broken = false;
    const aborted = new KafkaTsError('failed', 'Failing batch since transaction was aborted');
    this.accumulator.clearReady((b) => {
      if (b.baseSequence >= 0) broken = true;
      this.batchError(b.topic, b.partition, b.count, aborted);
      for (let i = 0; i < b.count; i++) this.complete(b.callbacks?.[i], aborted, null);
    });
    await this.flush();
    await txn.end(false, broken || this.idempotence.sequencesBroken);
  }

  /** Queues a record; the optional callback runs once it is acknowledged or has failed. */
  append(record: ProducerRecord, cb?: SendCallback): void {
    let refused: Error | null = this.closed ? new Error('The producer is closed') : null;
    if (!refused && this.txn) {
      try {
        this.txn.checkSend();
      } catch (e) {
        refused = e as Error;
      }
    }
    this.pending++;
    if (refused) {
      // Counted as failed (stats, onBatchError) like any record that is not delivered.
      this.batchError(record.topic, record.partition ?? -1, 1, refused);
      this.complete(cb, refused, null);
      return;
    }
    const t = this.client.cluster.topics.get(record.topic);
    if (!t || t.errorCode !== 0 || t.partitions.length === 0) this.awaitTopic(record, cb);
    else this.place(record, t.partitions.length, cb);
  }

  /**
   * Queues records without key or headers whose values are `src[starts[i], ends[i])` for i in
   * [from, to), as `append` would one by one: the same partitions, batches, errors and counts,
   * without a record or Buffer per value while the topic's metadata is known (the console
   * producer's lines, encoded straight from its input chunk). `src` may be overwritten once this
   * returns: values kept for later are copied.
   */
  appendValues(topic: string, src: Buffer, starts: Int32Array, ends: Int32Array, from: number, to: number): void {
    const t = this.client.cluster.topics.get(topic);
    // Until the topic is known, and in a transaction (checked per record), records go one by one.
    if (this.closed || this.txn || !t || t.errorCode !== 0 || t.partitions.length === 0 || this.waitingForTopic.has(topic)) {
      for (let i = from; i < to; i++) this.append({ topic, value: Buffer.from(src.subarray(starts[i], ends[i])) });
      return;
    }
    const numPartitions = t.partitions.length;
    const timestamp = Date.now();
    this.pending += to - from;
    for (let i = from; i < to; i++) {
      const start = starts[i]!;
      const end = ends[i]!;
      const partition = this.partitioner.partition(topic, null, numPartitions, end - start);
      const error = this.accumulator.appendValue(topic, partition, src, start, end, timestamp);
      if (error) {
        this.batchError(topic, partition, 1, error);
        this.complete(undefined, error, null);
      }
    }
  }

  /**
   * Why a record of `bytes` (key, value and headers) would be refused before it is sent (larger
   * than max.request.size or buffer.memory allow), or null: for a caller to check before it builds
   * a large record.
   */
  recordSizeError(bytes: number): Error | null {
    return this.accumulator.sizeRefusal(bytes);
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => this.append(record, (e, m) => (e ? reject(e) : resolve(m!))));
  }

  /** Records accepted but not yet acknowledged or failed. */
  get outstanding(): number {
    return this.pending;
  }

  private place(record: ProducerRecord, numPartitions: number, cb?: SendCallback) {
    // The partition goes beside the record (no copy of the record per send).
    const partition = record.partition === undefined || record.partition < 0 ? this.partitioner.partition(record.topic, record.key, numPartitions, payloadSize(record)) : record.partition;
    const rejected = this.accumulator.append(record, numPartitions, cb, partition);
    if (!rejected) return;
    this.batchError(record.topic, rejected.partition, 1, rejected.error);
    this.complete(cb, rejected.error, null);
  }

  private awaitTopic(record: ProducerRecord, cb?: SendCallback) {
    const waiting = this.waitingForTopic.get(record.topic);
    if (waiting) {
      waiting.push({ record, cb });
      return;
    }
    const list = [{ record, cb }];
    this.waitingForTopic.set(record.topic, list);
    const deadline = Date.now() + this.maxBlockMs;
    const lookup = async (): Promise<number> => {
      let backoff = this.retryBackoffMs;
      for (;;) {
        try {
          const md = await this.client.refreshMetadata([record.topic], true);
          const t = md.topics.get(record.topic);
          if (t && t.errorCode === 0 && t.partitions.length > 0) return t.partitions.length;
          if (t && t.errorCode && !errorInfo(t.errorCode).retriable && t.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE) throw new KafkaProtocolError(t.errorCode);
        } catch (e) {
          if (!(e instanceof ConnectionError || e instanceof RequestTimeoutError) || Date.now() >= deadline) throw e;
        }
        // Kafka's waitOnMetadata gives up once max.block.ms has passed, not when the next backoff
        // would pass it (that failed up to a backoff, 1 s, early while saying it waited the whole
        // time): the last sleep is cut to the deadline and the lookup there is the last one.
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`Topic ${record.topic} not present in metadata after ${this.maxBlockMs} ms.`);
        await new Promise((r) => setTimeout(r, Math.min(backoff, left)));
        backoff = Math.min(backoff * 2, 1000);
      }
    };
    lookup().then(
      (n) => {
        this.waitingForTopic.delete(record.topic);
        for (const w of list) this.place(w.record, n, w.cb);
      },
      (e: Error) => {
        this.waitingForTopic.delete(record.topic);
        this.batchError(record.topic, -1, list.length, e);
        for (const w of list) this.complete(w.cb, e, null);
      },
    );
  }

  private complete(cb: SendCallback | undefined, e: Error | null, meta: RecordMetadata | null) {
    this.pending--;
    if (e) this.stats.failed++;
    else this.stats.acked++;
    if (cb) this.userCallback(cb, e, meta);
    this.wakeWaiters();
  }

  private batchError(topic: string, partition: number, count: number, e: Error) {
    this.userCallback(this.onBatchError, topic, partition, count, e);
  }

  /**
   * Runs a callback of the caller's. What it throws must not reach the producer's own code: the
   * sender completes a request's batches in a loop, and an exception out of one record's callback
   * would leave the rest of them uncompleted (pending never back to 0: flush and close hang) and
   * send the request's batches to the failure path, completed or not.
   */
  private userCallback<A extends unknown[]>(f: ((...args: A) => void) | null | undefined, ...args: A) {
    if (!f) return;
    try {
      f(...args);
    } catch (e) {
      this.callbackFailed(e);
    }
  }

  private callbackFailed(e: unknown) {
    const report = this.onCallbackError;
    if (!report) {
      setImmediate(() => {
        throw e;
      });
      return;
    }
    try {
      report(e);
    } catch (again) {
      setImmediate(() => {
        throw again;
      });
    }
  }

  /** Wakes those waiting for progress, and those waiting for nothing pending once nothing is. */
  private wakeWaiters() {
    if (this.progressWaiters.length > 0) {
      const ws = this.progressWaiters;
      this.progressWaiters = [];
      for (const w of ws) w();
    }
    if (this.pending === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  /** Completes an acknowledged batch whose records have no callback, all at once. */
  private completeBatch(b: AckedBatch) {
    this.pending -= b.count;
    this.stats.acked += b.count;
    this.userCallback(this.batchAcked, b);
    this.wakeWaiters();
  }

  /**
   * Sends everything queued now, including records still waiting for metadata, and waits until
   * every record has completed.
   */
  async flush(): Promise<void> {
    this.accumulator.cancelLinger();
    this.accumulator.sealExpired(true);
    this.sender.kick();
    if (this.pending === 0) return;
    this.accumulator.flushing++;
    try {
      await new Promise<void>((r) => this.idleWaiters.push(r));
    } finally {
      this.accumulator.flushing--;
    }
  }

  /** Waits until fewer than `max` records are outstanding (back-pressure for fast readers). */
  async waitForRoom(max: number): Promise<void> {
    while (this.pending >= max) {
      this.accumulator.sealExpired(true);
      this.sender.kick();
      await new Promise<void>((r) => this.progressWaiters.push(r));
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.sender.close();
  }
}
