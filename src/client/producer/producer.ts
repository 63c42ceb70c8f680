/**
 * The producer. Records are encoded into an open batch per partition as they are appended
 * (nothing per record is kept unless the caller asked for a callback); a batch is sent when it
 * reaches `batch.size` or has waited `linger.ms`. Ready batches wait in FIFO queues per partition
 * and go out in Produce requests per leader (one batch per partition per request), pipelined up
 * to `max.in.flight.requests.per.connection`. Retriable errors are retried with backoff after a
 * metadata refresh, so leader changes are followed, until `delivery.timeout.ms`.
 *
 * With `idempotent` (enable.idempotence) the producer first gets a producer id (InitProducerId)
 * and numbers each partition's batches; the broker then answers a retried batch with its first
 * offsets instead of writing it again. One batch per partition is in flight at a time then, so a
 * retry can never be overtaken by the batch after it. With `idempotent: 'if-supported'` (what
 * console-producer uses when idempotence was not asked for explicitly) a cluster that does not
 * offer or allow InitProducerId gets plain batches instead of a failure; the Java producer fails.
 *
 * A batch that fails for good must not leave a gap in its partition's sequence numbers, or the
 * broker refuses every later batch (OUT_OF_ORDER_SEQUENCE_NUMBER). As in Kafka's producer: when
 * the broker refused it (so certainly did not write it), the later batches take over its numbers;
 * when it may have been written (a timeout, a lost connection), the producer bumps its epoch once
 * nothing is in flight and every partition starts again at sequence 0 (KIP-360).
 */
import { InitProducerId, type InitProducerIdResponse, Produce, type ProduceResponse } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError, errorInfo } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, BatchBuilder, decodeBatchRecords, type RecordHeader } from '../../protocol/record-batch.js';
import { type KafkaClient, UnsupportedApiError } from '../client.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { StickyPartitioner, partitionForKey } from './partitioners.js';

export interface ProducerOptions {
  acks?: -1 | 0 | 1;
  compression?: number;
  lingerMs?: number;
  batchSize?: number;
  requestTimeoutMs?: number;
  deliveryTimeoutMs?: number;
  retries?: number;
  retryBackoffMs?: number;
  maxInFlightPerBroker?: number;
  /** How long a send waits for its topic to appear in metadata (max.block.ms). */
  maxBlockMs?: number;
  /**
   * max.request.size: a record whose batch would be larger is refused before it is sent. Unlimited
   * by default, so the broker's max.message.bytes decides (the Java producer's default is 1048576).
   */
  maxRequestSize?: number;
  /**
   * enable.idempotence: retries never write a record twice (needs acks=-1). 'if-supported' falls
   * back to plain batches when the cluster lacks InitProducerId or refuses it.
   */
  idempotent?: boolean | 'if-supported';
}

export interface ProducerRecord {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export type SendCallback = (error: Error | null, meta: RecordMetadata | null) => void;

interface Batch {
  topic: string;
  partition: number;
  builder: BatchBuilder;
  /** Encoded batch, built once when first sent (and reused by retries). */
  encoded: Buffer | null;
  /** Per-record callbacks and timestamps, only when some record has a callback. */
  callbacks: (SendCallback | undefined)[] | null;
  timestamps: number[] | null;
  count: number;
  keyless: boolean;
  createdAt: number;
  attempts: number;
  firstAttemptAt: number;
  retryAt: number;
  /** Sequence number of the first record (idempotent producers), fixed on first send. */
  baseSequence: number;
  /** An attempt ended without an answer saying whether the broker wrote the batch. */
  maybeWritten: boolean;
}

/** The largest epoch; past it an idempotent producer needs a new producer id. */
const MAX_EPOCH = 0x7fff;
/** Bytes a record adds to its batch besides key, value and headers, at most (Kafka's estimate). */
const RECORD_OVERHEAD_MAX = 21;

/** Bytes of a record's key, value and headers. */
const payloadSize = (r: { key?: Buffer | null; value: Buffer | null; headers?: readonly RecordHeader[] }) =>
  (r.key?.length ?? 0) + (r.value?.length ?? 0) + (r.headers ?? []).reduce((n, h) => n + Buffer.byteLength(h.key) + (h.value?.length ?? 0), 0);

const formatBytes = (n: number) => n.toLocaleString('en-US');

const partitionKey = (topic: string, partition: number) => `${topic}\0${partition}`;

export class Producer {
  private readonly acks: -1 | 0 | 1;
  private readonly compression: number;
  private readonly lingerMs: number;
  private readonly batchSize: number;
  private readonly requestTimeoutMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly maxInFlight: number;
  private maxInFlightPerPartition: number;
  private readonly maxBlockMs: number;
  private readonly maxRequestSize: number;
  private idempotent: boolean;
  private readonly idempotenceOptional: boolean;
  /** The producer id and epoch of an idempotent producer (-1 until InitProducerId answered). */
  private producerId = -1;
  private producerEpoch = -1;
  private initializing = false;
  /** A batch that may have been written failed: bump the epoch once nothing is in flight. */
  private epochBumpPending = false;
  /** Next sequence number by partition key (idempotent producers). */
  private readonly nextSequence = new Map<string, number>();
  private readonly sticky = new StickyPartitioner();
  /** Open batches by partition key, and the one the previous record went into. */
  private readonly open = new Map<string, Batch>();
  private lastBatch: Batch | null = null;
  /** Batches ready to send, FIFO per partition. */
  private readonly ready = new Map<string, Batch[]>();
  private readyCount = 0;
  private readonly inFlight = new Map<number, number>();
  private readonly partitionInFlight = new Map<string, number>();
  private lingerTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private kicked = false;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private progressWaiters: (() => void)[] = [];
  private closed = false;
  /** A flush is waiting: batches are sent as soon as records are placed, without lingering. */
  private flushing = 0;
  /** Records waiting for their topic to appear in metadata, by topic. */
  private readonly waitingForTopic = new Map<string, { record: ProducerRecord; cb?: SendCallback }[]>();

  /** Records acknowledged and failed so far. */
  readonly stats = { acked: 0, failed: 0 };
  /** Called when optional idempotence is dropped because the cluster does not offer it. */
  onIdempotenceUnavailable: ((reason: Error) => void) | null = null;
  /** Called once per batch that could not be delivered, with the number of records in it. */
  onBatchError: ((topic: string, partition: number, count: number, error: Error) => void) | null = null;

  constructor(
    readonly client: KafkaClient,
    opts: ProducerOptions = {},
  ) {
    this.acks = opts.acks ?? -1;
    this.compression = opts.compression ?? 0;
    this.lingerMs = opts.lingerMs ?? 5;
    this.batchSize = opts.batchSize ?? 16384;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 120_000;
    this.retries = opts.retries ?? 2147483647;
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    this.maxInFlight = opts.maxInFlightPerBroker ?? 5;
    this.maxBlockMs = opts.maxBlockMs ?? 60_000;
    this.maxRequestSize = opts.maxRequestSize ?? Infinity;
    this.idempotent = !!opts.idempotent;
    this.idempotenceOptional = opts.idempotent === 'if-supported';
    if (this.idempotent && this.acks !== -1) throw new Error('enable.idempotence needs acks=all (-1)');
    this.maxInFlightPerPartition = this.idempotent ? 1 : this.maxInFlight;
  }

  /** Queues a record; the optional callback runs once it is acknowledged or has failed. */
  append(record: ProducerRecord, cb?: SendCallback): void {
    if (this.closed) {
      cb?.(new Error('The producer is closed'), null);
      return;
    }
    this.pending++;
    const t = this.client.cluster.topics.get(record.topic);
    if (!t || t.errorCode !== 0 || t.partitions.length === 0) this.awaitTopic(record, cb);
    else this.place(record, t.partitions.length, cb);
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => this.append(record, (e, m) => (e ? reject(e) : resolve(m!))));
  }

  /** Records accepted but not yet acknowledged or failed. */
  get outstanding(): number {
    return this.pending;
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
        if (Date.now() + backoff >= deadline) throw new Error(`Topic ${record.topic} not present in metadata after ${this.maxBlockMs} ms.`);
        await new Promise((r) => setTimeout(r, backoff));
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
        this.onBatchError?.(record.topic, -1, list.length, e);
        for (const w of list) this.complete(w.cb, e, null);
      },
    );
  }

  private newBatch(topic: string, partition: number, keyless: boolean, sizeHint: number): Batch {
    const now = Date.now();
    return {
      topic,
      partition,
      builder: new BatchBuilder(sizeHint),
      encoded: null,
      callbacks: null,
      timestamps: null,
      count: 0,
      keyless,
      createdAt: now,
      attempts: 0,
      firstAttemptAt: now,
      retryAt: 0,
      baseSequence: -1,
      maybeWritten: false,
    };
  }

  private place(record: ProducerRecord, numPartitions: number, cb?: SendCallback) {
    let partition = record.partition;
    if (partition === undefined || partition < 0) {
      partition = record.key ? partitionForKey(record.key, numPartitions) : this.sticky.partition(record.topic, numPartitions);
    } else if (partition >= numPartitions) {
      const e = new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${partition} of topic ${record.topic} with partition count ${numPartitions} is not present in metadata.`);
      this.onBatchError?.(record.topic, partition, 1, e);
      this.complete(cb, e, null);
      return;
    }
    // Refused before it takes a place in a batch, so it never takes a sequence number either.
    const size = payloadSize(record);
    if (BATCH_HEADER_SIZE + RECORD_OVERHEAD_MAX + size > this.maxRequestSize) {
      const e = new KafkaProtocolError(
        ErrorCode.MESSAGE_TOO_LARGE,
        `record of ${formatBytes(size)} bytes exceeds max.request.size=${this.maxRequestSize} of the producer; raise it or split the record`,
      );
      this.onBatchError?.(record.topic, partition, 1, e);
      this.complete(cb, e, null);
      return;
    }
    let batch = this.lastBatch;
    if (!batch || batch.topic !== record.topic || batch.partition !== partition) {
      const key = partitionKey(record.topic, partition);
      batch = this.open.get(key) ?? null;
      if (!batch) {
        batch = this.newBatch(record.topic, partition, !record.key, Math.min(this.batchSize + 1024, 1 << 20));
        this.open.set(key, batch);
      }
      this.lastBatch = batch;
    }
    // A record that would overflow a non-empty batch starts the next one (as Kafka's producer does).
    const estimate = 24 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    if (batch.count > 0 && batch.builder.sizeInBytes + estimate > this.batchSize) {
      this.seal(batch);
      this.kick();
      batch = this.newBatch(record.topic, partition, !record.key, Math.min(this.batchSize + 1024, 1 << 20));
      this.open.set(partitionKey(record.topic, partition), batch);
      this.lastBatch = batch;
    }
    const timestamp = record.timestamp ?? Date.now();
    batch.builder.append(record.key ?? null, record.value, record.headers, timestamp);
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
    }
    batch.count++;
    if (batch.builder.sizeInBytes >= this.batchSize || this.flushing > 0) {
      this.seal(batch);
      this.kick();
    } else if (!this.lingerTimer) this.armLinger();
  }

  private armLinger() {
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.sealExpired(false);
      this.kick();
    }, this.lingerMs);
  }

  private seal(batch: Batch) {
    this.open.delete(partitionKey(batch.topic, batch.partition));
    if (this.lastBatch === batch) this.lastBatch = null;
    this.enqueue(batch);
    if (batch.keyless) {
      const t = this.client.cluster.topics.get(batch.topic);
      this.sticky.next(batch.topic, t?.partitions.length ?? 1, batch.partition);
    }
  }

  /** Moves open batches that have lingered long enough (or all, when forced) to ready. */
  private sealExpired(force: boolean) {
    const now = Date.now();
    for (const b of [...this.open.values()]) if (force || now - b.createdAt >= this.lingerMs) this.seal(b);
    if (this.open.size > 0 && !this.lingerTimer) this.armLinger();
  }

  private enqueue(batch: Batch, front = false) {
    const key = partitionKey(batch.topic, batch.partition);
    let q = this.ready.get(key);
    if (!q) this.ready.set(key, (q = []));
    if (front) q.unshift(batch);
    else q.push(batch);
    this.readyCount++;
  }

  private kick() {
    if (this.kicked) return;
    this.kicked = true;
    queueMicrotask(() => {
      this.kicked = false;
      this.drain();
    });
  }

  /** The cached leader of a partition, or -1 (a metadata refresh is then started). */
  private cachedLeader(topic: string, partition: number): number {
    const p = this.client.cluster.topics.get(topic)?.partitions[partition];
    if (p && p.partition === partition && p.leader >= 0) return p.leader;
    void this.client.refreshMetadata([topic]).then(
      () => this.kick(),
      () => undefined,
    );
    return -1;
  }

  /** Sends ready batches while there is room in flight. */
  private drain() {
    while (this.readyCount > 0 && this.drainOnce());
  }

  /** One request per leader with the head batch of each of its ready partitions. */
  private drainOnce(): boolean {
    if (this.epochBumpPending && !this.bumpEpoch()) return false;
    if (this.idempotent && this.producerId < 0) {
      this.initProducerId();
      return false;
    }
    const now = Date.now();
    const byLeader = new Map<number, Batch[]>();
    let nextRetry = Infinity;
    for (const [key, q] of this.ready) {
      if ((this.partitionInFlight.get(key) ?? 0) >= this.maxInFlightPerPartition) continue;
      const head = q[0]!;
      if (head.retryAt > now) {
        nextRetry = Math.min(nextRetry, head.retryAt);
        continue;
      }
      const leader = this.cachedLeader(head.topic, head.partition);
      if (leader < 0 || (this.inFlight.get(leader) ?? 0) >= this.maxInFlight) continue;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(head);
    }
    for (const [leader, batches] of byLeader) {
      for (const b of batches) {
        const key = partitionKey(b.topic, b.partition);
        const q = this.ready.get(key)!;
        q.shift();
        if (q.length === 0) this.ready.delete(key);
        this.readyCount--;
        this.partitionInFlight.set(key, (this.partitionInFlight.get(key) ?? 0) + 1);
      }
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
      void this.sendTo(leader, batches);
    }
    if (nextRetry < Infinity && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.kick();
      }, Math.max(1, nextRetry - Date.now()));
    }
    return byLeader.size > 0;
  }

  /**
   * Starts a new epoch once no request is in flight (a response still due could otherwise be
   * taken for one of the new epoch's): every partition starts again at sequence 0, and batches
   * waiting for a retry are numbered afresh. The epoch is bumped locally, as the Java producer
   * and librdkafka do for a producer without a transactional id; when it is exhausted the
   * producer takes a new id. Returns whether sending may go on.
   */
  private bumpEpoch(): boolean {
    for (const n of this.inFlight.values()) if (n > 0) return false;
    this.epochBumpPending = false;
    this.nextSequence.clear();
    for (const q of this.ready.values()) {
      for (const b of q) {
        b.baseSequence = -1;
        b.encoded = null;
        b.maybeWritten = false;
      }
    }
    if (this.producerEpoch >= MAX_EPOCH) this.producerId = this.producerEpoch = -1;
    else this.producerEpoch++;
    return true;
  }

  /**
   * Keeps a batch that failed for good from leaving a gap in its partition's sequence numbers.
   * When the broker certainly did not write it, the partition's later batches (only split halves
   * can be numbered already, as one batch per partition is in flight) take over its numbers, as
   * Kafka's producer does for a batch refused before its retries ran out; otherwise the epoch is
   * bumped.
   */
  private releaseSequences(b: Batch) {
    if (!this.idempotent || b.baseSequence < 0) return;
    if (b.maybeWritten) {
      this.epochBumpPending = true;
      return;
    }
    const key = partitionKey(b.topic, b.partition);
    const back = (seq: number) => (seq - b.count + 0x80000000) % 0x80000000;
    this.nextSequence.set(key, back(this.nextSequence.get(key) ?? 0));
    for (const later of this.ready.get(key) ?? []) {
      if (later.baseSequence < 0) continue;
      later.baseSequence = back(later.baseSequence);
      later.encoded = null;
    }
  }

  /** Gets a producer id before the first idempotent send; retries until it has one or fails the queue. */
  private initProducerId() {
    if (this.initializing) return;
    this.initializing = true;
    this.client.send<InitProducerIdResponse>('any', InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000 }).then(
      ({ body }) => {
        this.initializing = false;
        if (body.errorCode === 0) {
          this.producerId = body.producerId;
          this.producerEpoch = body.producerEpoch;
          this.kick();
        } else this.initFailed(new KafkaProtocolError(body.errorCode));
      },
      (e: Error) => {
        this.initializing = false;
        this.initFailed(e);
      },
    );
  }

  private initFailed(e: Error) {
    const retriable = e instanceof ConnectionError || e instanceof RequestTimeoutError || (e instanceof KafkaProtocolError && e.retriable);
    if (retriable) {
      setTimeout(() => this.kick(), this.retryBackoffMs).unref?.();
      return;
    }
    if (this.idempotenceOptional && idempotenceUnavailable(e)) {
      // Nothing has been sent yet, so the batches can still go out without sequence numbers.
      this.idempotent = false;
      this.maxInFlightPerPartition = this.maxInFlight;
      this.onIdempotenceUnavailable?.(e);
      this.kick();
      return;
    }
    for (const [key, q] of [...this.ready]) {
      this.ready.delete(key);
      this.readyCount -= q.length;
      for (const b of q) {
        this.onBatchError?.(b.topic, b.partition, b.count, e);
        for (let i = 0; i < b.count; i++) this.complete(b.callbacks?.[i], e, null);
      }
    }
  }

  /** Encodes a batch once; an idempotent producer numbers it with the partition's next sequence. */
  private encode(b: Batch): Buffer {
    if (b.encoded) return b.encoded;
    if (!this.idempotent) return (b.encoded = b.builder.build({ compression: this.compression }));
    if (b.baseSequence < 0) {
      const key = partitionKey(b.topic, b.partition);
      b.baseSequence = this.nextSequence.get(key) ?? 0;
      // Sequences wrap from Int32.MAX to 0.
      this.nextSequence.set(key, (b.baseSequence + b.count) % 0x80000000);
    }
    return (b.encoded = b.builder.build({ compression: this.compression, producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: b.baseSequence }));
  }

  private async sendTo(leader: number, batches: Batch[]) {
    const topics = new Map<string, { index: number; records: Buffer }[]>();
    for (const b of batches) {
      this.encode(b);
      b.attempts++;
      let list = topics.get(b.topic);
      if (!list) topics.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.encoded! });
    }
    try {
      const { body } = await this.client.send<ProduceResponse>(
        leader,
        Produce,
        { transactionalId: null, acks: this.acks, timeoutMs: this.requestTimeoutMs, topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })) },
        { expectResponse: this.acks !== 0, timeoutMs: this.requestTimeoutMs + 5000 },
      );
      if (this.acks === 0) {
        for (const b of batches) this.resolveBatch(b, -1, -1);
      } else {
        for (const t of body.responses) {
          for (const p of t.partitionResponses) {
            const b = batches.find((x) => x.topic === t.name && x.partition === p.index);
            if (!b) continue;
            if (p.errorCode === 0) this.resolveBatch(b, p.baseOffset, p.logAppendTimeMs ?? -1);
            // Kafka may answer a retry of a batch it already has this way, without its offset.
            else if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) this.resolveBatch(b, -1, -1);
            else {
              if (mayHaveWritten(p.errorCode)) b.maybeWritten = true;
              this.retryOrFail(b, new KafkaProtocolError(p.errorCode, p.errorMessage));
            }
          }
        }
      }
    } catch (e) {
      // The request may have reached the broker before the connection or the wait ended.
      for (const b of batches) {
        b.maybeWritten = true;
        this.retryOrFail(b, e as Error);
      }
    } finally {
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      for (const b of batches) {
        const key = partitionKey(b.topic, b.partition);
        this.partitionInFlight.set(key, (this.partitionInFlight.get(key) ?? 1) - 1);
      }
      if (this.readyCount > 0) this.kick();
    }
  }

  /**
   * Splits a batch the broker found too large into two halves, as Kafka's producer does; their
   * records keep their order at the front of the partition's queue.
   */
  private split(b: Batch): boolean {
    if (b.count < 2 || !b.encoded) return false;
    const records = decodeBatchRecords(b.encoded);
    const half = Math.ceil(records.length / 2);
    const parts = [records.slice(0, half), records.slice(half)].map((part, i) => {
      const nb = this.newBatch(b.topic, b.partition, b.keyless, b.builder.sizeInBytes);
      nb.firstAttemptAt = b.firstAttemptAt;
      nb.maybeWritten = b.maybeWritten;
      const offset = i === 0 ? 0 : half;
      // The halves take over the sequence numbers of the batch nothing was written of.
      if (b.baseSequence >= 0) nb.baseSequence = (b.baseSequence + offset) % 0x80000000;
      for (const r of part) nb.builder.append(r.key, r.value, r.headers, r.timestamp);
      nb.count = part.length;
      if (b.callbacks) {
        nb.callbacks = b.callbacks.slice(offset, offset + part.length);
        nb.timestamps = b.timestamps!.slice(offset, offset + part.length);
      }
      return nb;
    });
    this.enqueue(parts[1]!, true);
    this.enqueue(parts[0]!, true);
    this.kick();
    return true;
  }

  /** The broker's refusal of a lone record, naming the limit (from Kafka's error_message, v8+) and the fix. */
  private recordTooLarge(b: Batch, e: KafkaProtocolError): KafkaProtocolError {
    const record = b.encoded ? decodeBatchRecords(b.encoded)[0] : undefined;
    if (!record) return e;
    const limit = /maximum configured value of (\d+)/.exec(e.message)?.[1];
    return new KafkaProtocolError(
      e.code,
      `record of ${formatBytes(payloadSize(record))} bytes exceeds max.message.bytes${limit ? `=${limit}` : ''} of topic ${b.topic}; raise it with configs or split the record`,
    );
  }

  private retryOrFail(b: Batch, e: Error) {
    if (e instanceof KafkaProtocolError && e.code === ErrorCode.MESSAGE_TOO_LARGE) {
      if (this.split(b)) return;
      e = this.recordTooLarge(b, e);
    }
    const retriable =
      e instanceof ConnectionError || e instanceof RequestTimeoutError || (e instanceof KafkaProtocolError && (e.retriable || e.code === ErrorCode.LEADER_NOT_AVAILABLE));
    const expired = Date.now() - b.firstAttemptAt + this.retryBackoffMs > this.deliveryTimeoutMs;
    if (retriable && b.attempts <= this.retries && !expired) {
      // Leadership may have moved: refresh before the retry picks a leader again.
      void this.client.refreshMetadata([b.topic]).catch(() => undefined);
      b.retryAt = Date.now() + this.retryBackoffMs * Math.min(2 ** (b.attempts - 1), 10);
      // Back to the front of its partition's queue, so its records keep their order.
      this.enqueue(b, true);
      this.kick();
      return;
    }
    this.releaseSequences(b);
    this.onBatchError?.(b.topic, b.partition, b.count, e);
    for (let i = 0; i < b.count; i++) this.complete(b.callbacks?.[i], e, null);
  }

  private resolveBatch(b: Batch, baseOffset: number, logAppendTime: number) {
    for (let i = 0; i < b.count; i++) {
      const cb = b.callbacks?.[i];
      if (!cb) {
        this.complete(undefined, null, null);
        continue;
      }
      const timestamp = logAppendTime >= 0 ? logAppendTime : b.timestamps![i]!;
      this.complete(cb, null, { topic: b.topic, partition: b.partition, offset: baseOffset >= 0 ? baseOffset + i : -1, timestamp });
    }
  }

  private complete(cb: SendCallback | undefined, e: Error | null, meta: RecordMetadata | null) {
    this.pending--;
    if (e) this.stats.failed++;
    else this.stats.acked++;
    try {
      cb?.(e, meta);
    } finally {
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
  }

  /**
   * Sends everything queued now, including records still waiting for metadata, and waits until
   * every record has completed.
   */
  async flush(): Promise<void> {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    this.sealExpired(true);
    this.kick();
    if (this.pending === 0) return;
    this.flushing++;
    try {
      await new Promise<void>((r) => this.idleWaiters.push(r));
    } finally {
      this.flushing--;
    }
  }

  /** Waits until fewer than `max` records are outstanding (back-pressure for fast readers). */
  async waitForRoom(max: number): Promise<void> {
    while (this.pending >= max) {
      this.sealExpired(true);
      this.kick();
      await new Promise<void>((r) => this.progressWaiters.push(r));
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}

/** Errors a broker answers after it may have appended the batch (a replication wait that ended). */
const mayHaveWritten = (code: number) => code === ErrorCode.REQUEST_TIMED_OUT || code === ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;

/** The cluster does not offer InitProducerId, or does not let this client use it. */
function idempotenceUnavailable(e: Error): boolean {
  if (e instanceof UnsupportedApiError) return true;
  return e instanceof KafkaProtocolError && (e.code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED || e.code === ErrorCode.UNSUPPORTED_VERSION);
}
