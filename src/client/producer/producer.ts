/**
 * The producer: accumulates records per partition, sends a batch when it reaches `batch.size`
 * or has waited `linger.ms`, groups ready batches by leader into Produce requests, and retries
 * retriable errors (refreshing metadata so leader changes are followed) until
 * `delivery.timeout.ms`.
 */
import { Produce, type ProduceResponse } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError, errorInfo } from '../../protocol/errors.js';
import { encodeBatch, type NewRecord, type RecordHeader } from '../../protocol/record-batch.js';
import type { KafkaClient } from '../client.js';
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
  /** How long send waits for a topic to appear in metadata (max.block.ms). */
  maxBlockMs?: number;
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
  records: NewRecord[];
  callbacks: (SendCallback | undefined)[];
  bytes: number;
  createdAt: number;
  attempts: number;
  firstAttemptAt: number;
  retryAt: number;
}

const RECORD_OVERHEAD = 24;

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
  private readonly maxBlockMs: number;
  private readonly sticky = new StickyPartitioner();
  /** Open batches by "topic\0partition". */
  private readonly open = new Map<string, Batch>();
  /** Batches waiting to be sent (full, lingered, or retrying). */
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Map<number, number>();
  private lingerTimer: NodeJS.Timeout | null = null;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  /** Woken whenever records complete (back-pressure). */
  private progressWaiters: (() => void)[] = [];
  private closed = false;
  private draining = false;
  /** Topics whose partition count is being looked up, with the records waiting for it. */
  private readonly waitingForTopic = new Map<string, { record: ProducerRecord; cb?: SendCallback }[]>();

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
  }

  /** Queues a record; the callback runs once it is acknowledged or has failed. */
  append(record: ProducerRecord, cb?: SendCallback): void {
    if (this.closed) {
      cb?.(new Error('The producer is closed'), null);
      return;
    }
    this.pending++;
    const t = this.client.cluster.topics.get(record.topic);
    if (!t || t.errorCode !== 0 || t.partitions.length === 0) {
      this.awaitTopic(record, cb);
      return;
    }
    this.place(record, t.partitions.length, cb);
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => this.append(record, (e, m) => (e ? reject(e) : resolve(m!))));
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
          if (t && t.errorCode && !errorInfo(t.errorCode).retriable && t.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE) {
            throw new KafkaProtocolError(t.errorCode);
          }
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
        for (const w of list) this.complete(w.cb, e, null);
      },
    );
  }

  private place(record: ProducerRecord, numPartitions: number, cb?: SendCallback) {
    let partition = record.partition;
    if (partition === undefined || partition < 0) {
      partition = record.key ? partitionForKey(record.key, numPartitions) : this.sticky.partition(record.topic, numPartitions);
    } else if (partition >= numPartitions) {
      this.complete(cb, new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Partition ${partition} of topic ${record.topic} with partition count ${numPartitions} is not present in metadata.`), null);
      return;
    }
    const key = `${record.topic}\0${partition}`;
    let batch = this.open.get(key);
    if (!batch) {
      const now = Date.now();
      batch = { topic: record.topic, partition, records: [], callbacks: [], bytes: 0, createdAt: now, attempts: 0, firstAttemptAt: now, retryAt: 0 };
      this.open.set(key, batch);
    }
    batch.records.push({ key: record.key ?? null, value: record.value, headers: record.headers, timestamp: record.timestamp });
    batch.callbacks.push(cb);
    batch.bytes += RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    if (batch.bytes >= this.batchSize) {
      this.seal(key, batch);
      this.kick();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        this.sealExpired(true);
        this.kick();
      }, this.lingerMs);
    }
  }

  private seal(key: string, batch: Batch) {
    this.open.delete(key);
    this.ready.push(batch);
    if (batch.records[0] && !batch.records[0].key) {
      const t = this.client.cluster.topics.get(batch.topic);
      this.sticky.next(batch.topic, t?.partitions.length ?? 1, batch.partition);
    }
  }

  /** Moves open batches that have lingered long enough (or all, when flushing) to ready. */
  private sealExpired(force: boolean) {
    const now = Date.now();
    for (const [key, b] of [...this.open]) if (force || now - b.createdAt >= this.lingerMs) this.seal(key, b);
    if (this.open.size > 0 && !this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        this.sealExpired(false);
        this.kick();
      }, this.lingerMs);
    }
  }

  private kick() {
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => {
      this.draining = false;
      void this.drain();
    });
  }

  /** Sends ready batches, one Produce request per leader, within the in-flight limit. */
  private async drain() {
    const now = Date.now();
    const byLeader = new Map<number, Batch[]>();
    const later: Batch[] = [];
    for (const b of this.ready.splice(0)) {
      if (b.retryAt > now) {
        later.push(b);
        continue;
      }
      let leader: number;
      try {
        leader = await this.client.leaderFor(b.topic, b.partition);
      } catch (e) {
        this.retryOrFail(b, e as Error);
        continue;
      }
      if ((this.inFlight.get(leader) ?? 0) >= this.maxInFlight) {
        later.push(b);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      // One batch per partition per request.
      if (list.some((x) => x.topic === b.topic && x.partition === b.partition)) later.push(b);
      else byLeader.set(leader, [...list, b]);
    }
    this.ready.push(...later);
    for (const [leader, batches] of byLeader) void this.sendTo(leader, batches);
    if (later.length > 0) {
      const wait = Math.max(1, Math.min(...later.map((b) => b.retryAt)) - Date.now());
      setTimeout(() => this.kick(), Math.min(wait, 50));
    }
  }

  private async sendTo(leader: number, batches: Batch[]) {
    this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
    const encoded = batches.map((b) => encodeBatch(b.records, { compression: this.compression }));
    const topics = new Map<string, { index: number; records: Buffer }[]>();
    batches.forEach((b, i) => topics.set(b.topic, [...(topics.get(b.topic) ?? []), { index: b.partition, records: encoded[i]! }]));
    for (const b of batches) b.attempts++;
    try {
      const { body } = await this.client.send<ProduceResponse>(
        leader,
        Produce,
        {
          transactionalId: null,
          acks: this.acks,
          timeoutMs: this.requestTimeoutMs,
          topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
        },
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
            else this.retryOrFail(b, new KafkaProtocolError(p.errorCode, p.errorMessage));
          }
        }
      }
    } catch (e) {
      for (const b of batches) this.retryOrFail(b, e as Error);
    } finally {
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      if (this.ready.length > 0) this.kick();
    }
  }

  private retryOrFail(b: Batch, e: Error) {
    const retriable =
      e instanceof ConnectionError ||
      e instanceof RequestTimeoutError ||
      (e instanceof KafkaProtocolError && (e.retriable || e.code === ErrorCode.LEADER_NOT_AVAILABLE));
    const expired = Date.now() - b.firstAttemptAt + this.retryBackoffMs > this.deliveryTimeoutMs;
    if (retriable && b.attempts <= this.retries && !expired) {
      // Leadership may have moved: refresh before the retry picks a leader again.
      void this.client.refreshMetadata([b.topic]).catch(() => undefined);
      b.retryAt = Date.now() + this.retryBackoffMs * Math.min(2 ** (b.attempts - 1), 10);
      this.ready.push(b);
      this.kick();
      return;
    }
    for (const cb of b.callbacks) this.complete(cb, e, null);
  }

  private resolveBatch(b: Batch, baseOffset: number, logAppendTime: number) {
    b.callbacks.forEach((cb, i) => {
      const ts = logAppendTime >= 0 ? logAppendTime : (b.records[i]!.timestamp ?? -1);
      this.complete(cb, null, { topic: b.topic, partition: b.partition, offset: baseOffset >= 0 ? baseOffset + i : -1, timestamp: ts });
    });
  }

  private complete(cb: SendCallback | undefined, e: Error | null, meta: RecordMetadata | null) {
    this.pending--;
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

  /** Number of records accepted but not yet acknowledged or failed. */
  get outstanding(): number {
    return this.pending;
  }

  /** Sends everything queued now and waits until every record has completed. */
  flush(): Promise<void> {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    this.sealExpired(true);
    this.kick();
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
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
  }
}
