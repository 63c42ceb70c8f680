/**
 * The sender (Kafka's Sender). Ready batches go out in Produce requests per leader (one batch per
 * partition per request: Kafka's brokers take one batch per partition from an idempotent producer;
 * up to max.request.size, or 1 MiB, of batches a request), pipelined up to
 * `max.in.flight.requests.per.connection` requests per leader, and as many batches per partition.
 * The partitions a full request left behind start the next one, so a deep queue does not keep the
 * others waiting. Retriable errors are retried with backoff after a metadata refresh, so leader
 * changes are followed, until `delivery.timeout.ms`.
 *
 * An idempotent producer keeps up to five batches per partition in flight, as Kafka's does: their
 * sequence numbers keep the order at the broker (once it holds one of the partition's batches of
 * this epoch: until then the first goes alone). When one fails in flight, the batches after it
 * are refused with OUT_OF_ORDER_SEQUENCE_NUMBER and go back into the queue behind it, by creation
 * order; a batch already numbered (a retry) is sent only once nothing else of its partition is in
 * flight, so retries go out one at a time, in order, and the broker answers those it already
 * wrote as duplicates. Without idempotence, several batches in flight may be reordered by a retry
 * (as in Kafka).
 */
import { Produce } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, decodeBatchRecords } from '../../protocol/record-batch.js';
import type { KafkaClient } from '../client.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import type { RecordAccumulator } from './accumulator.js';
import { type Completion, type ProducerBatch, failBatch, formatBytes, partitionKey, payloadSize } from './batch.js';
import type { Idempotence } from './idempotence.js';
import type { TransactionManager } from './transactions.js';

export interface SenderConfig {
  acks: -1 | 0 | 1;
  compression: number;
  /** compression.<codec>.level for the configured codec (unset: the codec's default). */
  compressionLevel?: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  /** max.in.flight.requests.per.connection */
  maxInFlight: number;
  /**
   * The bytes of batches one request carries, at most (its first batch goes whatever its size):
   * max.request.size, or Kafka's 1 MiB default when it is unlimited. Requests of many partitions'
   * 1 MB batches at once cost a broker a fresh allocation each (one page fault per 4 KiB).
   */
  maxRequestBytes: number;
}

export class Sender {
  /** Requests in flight by leader, and batches in flight by partition key. */
  private readonly inFlight = new Map<number, number>();
  private readonly partitionInFlight = new Map<string, number>();
  /** The batches in flight by partition key, in the order they were sent. */
  private readonly sentBatches = new Map<string, ProducerBatch[]>();
  private retryTimer: NodeJS.Timeout | null = null;
  private kicked = false;
  /** Topics whose partition leaders are being looked up. */
  private readonly awaitingLeader = new Set<string>();
  /**
   * The partition the next drain starts with (Kafka's drainIndex): the first one a full request
   * left behind, else the one after the last sent. Kept through drains that send nothing (every
   * request slot taken), so each freed slot goes to the next partition in turn.
   */
  private drainFrom: string | null = null;
  /** Encoded size over uncompressed size of the last batch of each topic (compressed batches are sized by it before they are encoded). */
  private readonly compressionRatio = new Map<string, number>();

  constructor(
    private readonly client: KafkaClient,
    private readonly config: SenderConfig,
    private readonly accumulator: RecordAccumulator,
    private readonly idempotence: Idempotence,
    private readonly completion: Completion,
    /** Called when optional idempotence is dropped because the cluster does not offer it. */
    private readonly idempotenceUnavailable: (reason: Error) => void,
  ) {}

  /** A transactional producer's transactions (set by the producer once it has one). */
  txn: TransactionManager | null = null;

  /** Drains soon (once per microtask, however often it is asked). */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    queueMicrotask(() => {
      this.kicked = false;
      this.drain();
    });
  }

  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /**
   * partitioner.availability.timeout.ms (KIP-794): since when each leader has had a batch ready
   * that it could not take (its requests in flight at max.in.flight.requests.per.connection),
   * cleared when a request goes to it. `stalled` says whether that has lasted longer than `ms`.
   */
  private readonly blockedSince = new Map<number, number>();

  /** A ready batch for `leader` waits because its requests in flight are at the limit. */
  private blocked(leader: number, now: number): void {
    if (leader >= 0 && (this.inFlight.get(leader) ?? 0) >= this.config.maxInFlight && !this.blockedSince.has(leader)) this.blockedSince.set(leader, now);
  }

  stalled(leader: number, ms: number, now = Date.now()): boolean {
    const since = this.blockedSince.get(leader);
    return since !== undefined && now - since > ms;
  }

  /** Kafka's brokers remember the last five batches of a producer per partition (duplicates beyond are not recognised). */
  private get maxInFlightPerPartition(): number {
    return this.idempotence.enabled ? Math.min(5, this.config.maxInFlight) : this.config.maxInFlight;
  }

  /** The cached leader of a partition, or -1 (a metadata refresh is then started). */
  private cachedLeader(topic: string, partition: number): number {
    const known = () => {
      const p = this.client.cluster.topics.get(topic)?.partitions[partition];
      return p && p.partition === partition && p.leader >= 0 ? p.leader : -1;
    };
    const leader = known();
    if (leader >= 0 || this.awaitingLeader.has(topic)) return leader;
    this.awaitingLeader.add(topic);
    const refreshed = () => {
      // Still no leader (an offline partition, an election): ask again after retry.backoff.ms, not at once.
      setTimeout(
        () => {
          this.awaitingLeader.delete(topic);
          this.kick();
        },
        known() >= 0 ? 0 : this.config.retryBackoffMs,
      );
    };
    void this.client.refreshMetadata([topic]).then(refreshed, refreshed);
    return -1;
  }

  /** Sends ready batches while there is room in flight. */
  private drain() {
    while (this.accumulator.readyCount > 0 && this.drainOnce());
  }

  /** One request per leader with the head batch of each of its ready partitions, as many as fit in a request. */
  private drainOnce(): boolean {
    if (this.idempotence.epochBumpPending) {
      if (!this.idempotence.epochExhausted) this.idempotence.bumpEpoch();
      else {
        // A new producer id: only once no request is in flight (an answer still due would be taken for the new id's).
        for (const n of this.inFlight.values()) if (n > 0) return false;
        this.idempotence.renew(this.accumulator.allReady());
      }
    }
    const now = Date.now();
    if (this.idempotence.needsProducerId) {
      // Batches still expire while InitProducerId keeps failing (flush and close would wait forever).
      this.expireWithoutProducerId(now);
      // A transactional producer's id comes from initTransactions.
      if (!this.txn) this.initProducerId();
      return false;
    }
    const byLeader = new Map<number, ProducerBatch[]>();
    const requestBytes = new Map<number, number>();
    let nextRetry = Infinity;
    const expired: ProducerBatch[] = [];
    const heads = [...this.accumulator.heads()];
    const first = this.drainFrom === null ? 0 : Math.max(0, heads.findIndex(([k]) => k === this.drainFrom));
    let leftBehind: string | null = null;
    let lastSent = -1;
    for (let i = 0; i < heads.length; i++) {
      const at = (first + i) % heads.length;
      const [key, head] = heads[at]!;
      const partitionInFlight = this.partitionInFlight.get(key) ?? 0;
      // A partition still numbered in an older epoch moves to the current one once nothing of it
      // is in flight, unless its first batch is a retry the broker may hold (it goes first, on
      // its old numbers); a new batch waits for the move.
      if (this.idempotence.isStale(key)) {
        if (partitionInFlight === 0 && this.idempotence.mayMove(key, head)) this.idempotence.moveToCurrentEpoch(key, this.accumulator.readyOf(head.topic, head.partition));
        else if (head.baseSequence < 0) continue;
      }
      if (partitionInFlight >= this.maxInFlightPerPartition) {
        this.blocked(this.cachedLeader(head.topic, head.partition), now);
        continue;
      }
      // A retry of a numbered batch goes alone, after everything sent before it has come back; so
      // does the partition's first batch of an epoch (until the broker holds one, it would take
      // the sequence of any batch: see Idempotence.hasAcked).
      if (partitionInFlight > 0 && this.idempotence.enabled && (head.baseSequence >= 0 || !this.idempotence.hasAcked(head))) continue;
      if (head.retryAt > now) {
        nextRetry = Math.min(nextRetry, head.retryAt);
        continue;
      }
      // A transaction's partition gets its first batch only once AddPartitionsToTxn has added it.
      if (this.txn && !this.txn.isPartitionAdded(head.topic, head.partition)) {
        if (this.txn.hasError) expired.push(head);
        else this.txn.addPartition(head.topic, head.partition);
        continue;
      }
      const leader = this.cachedLeader(head.topic, head.partition);
      // A batch waiting for a leader (an offline partition) expires after delivery.timeout.ms.
      if (leader < 0 && now - head.firstAttemptAt > this.config.deliveryTimeoutMs) expired.push(head);
      if (leader < 0) continue;
      if ((this.inFlight.get(leader) ?? 0) >= this.config.maxInFlight) {
        this.blocked(leader, now);
        continue;
      }
      const size = this.sizeOf(head);
      const bytes = requestBytes.get(leader) ?? 0;
      if (bytes > 0 && bytes + size > this.config.maxRequestBytes) {
        leftBehind ??= key;
        continue;
      }
      requestBytes.set(leader, bytes + size);
      lastSent = at;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(head);
    }
    if (lastSent >= 0) this.drainFrom = leftBehind ?? heads[(lastSent + 1) % heads.length]![0];
    this.txn?.sendPartitionAdds();
    for (const b of expired) {
      this.accumulator.take(b);
      this.idempotence.release(b, this.accumulator.readyOf(b.topic, b.partition), this.laterInFlight(b));
      if (this.txn?.hasError && !this.txn.isPartitionAdded(b.topic, b.partition)) {
        // The transaction failed before this partition joined it: its batches are never sent.
        const why = this.txn.lastError ?? new Error('The transaction was aborted');
        failBatch(b, why, this.completion);
        for (const q = this.accumulator.readyOf(b.topic, b.partition); q.length > 0; ) {
          const next = q[0]!;
          this.accumulator.take(next);
          failBatch(next, why, this.completion);
        }
        continue;
      }
      const why = `Expiring ${b.count} record(s) for ${b.topic}-${b.partition}: ${this.config.deliveryTimeoutMs} ms has passed since batch creation without a leader`;
      const last = b.lastError instanceof KafkaProtocolError ? b.lastError : null;
      failBatch(b, new KafkaProtocolError(last?.code ?? ErrorCode.LEADER_NOT_AVAILABLE, last ? `${why} (last error: ${last.errorName}: ${last.message})` : why), this.completion);
    }
    for (const [leader, batches] of byLeader) {
      for (const b of batches) {
        this.accumulator.take(b);
        const key = partitionKey(b.topic, b.partition);
        this.partitionInFlight.set(key, (this.partitionInFlight.get(key) ?? 0) + 1);
        const list = this.sentBatches.get(key);
        if (list) list.push(b);
        else this.sentBatches.set(key, [b]);
      }
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
      this.blockedSince.delete(leader);
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

  /** Fails the ready batches older than delivery.timeout.ms while no producer id has been had. */
  private expireWithoutProducerId(now: number) {
    const { deliveryTimeoutMs } = this.config;
    for (const [, head] of [...this.accumulator.heads()]) {
      // A partition's queue is in creation order: its oldest batches lead it.
      for (let b: ProducerBatch | undefined = head; b && now - b.firstAttemptAt > deliveryTimeoutMs; b = this.accumulator.readyOf(b.topic, b.partition)[0]) {
        this.accumulator.take(b);
        const last = this.producerIdError;
        const why = `Expiring ${b.count} record(s) for ${b.topic}-${b.partition}: ${deliveryTimeoutMs} ms has passed since batch creation without a producer id`;
        failBatch(b, new KafkaProtocolError(ErrorCode.REQUEST_TIMED_OUT, last ? `${why} (last error of InitProducerId: ${last.message})` : why), this.completion);
      }
    }
  }

  /** The last failure of InitProducerId (named when batches expire waiting for it). */
  private producerIdError: Error | null = null;

  private initProducerId() {
    this.idempotence.initProducerId(this.client, {
      ready: () => {
        this.producerIdError = null;
        this.kick();
      },
      retryLater: (e) => {
        this.producerIdError = e;
        setTimeout(() => this.kick(), this.config.retryBackoffMs).unref?.();
      },
      unavailable: (reason) => {
        this.idempotenceUnavailable(reason);
        this.kick();
      },
      failed: (e) => this.accumulator.clearReady((b) => failBatch(b, e, this.completion)),
    });
  }

  /**
   * A batch's bytes in a request: encoded, or before encoding (which numbers it, so it waits until
   * the batch is sent) its records and header, compressed as much as the topic's last batch was.
   */
  private sizeOf(b: ProducerBatch): number {
    if (b.encoded) return b.encoded.length;
    const size = BATCH_HEADER_SIZE + b.builder.sizeInBytes;
    return this.config.compression === 0 ? size : Math.ceil(size * (this.compressionRatio.get(b.topic) ?? 1));
  }

  /** Encodes a batch once; an idempotent producer numbers it with the partition's next sequence. */
  private encode(b: ProducerBatch): Buffer {
    if (b.encoded) return b.encoded;
    const { compression, compressionLevel } = this.config;
    const uncompressed = BATCH_HEADER_SIZE + b.builder.sizeInBytes;
    b.encoded = this.idempotence.enabled
      ? b.builder.build({ compression, compressionLevel, transactional: !!this.txn, ...this.idempotence.stamp(b) })
      : b.builder.build({ compression, compressionLevel });
    if (compression !== 0 && uncompressed > 0) this.compressionRatio.set(b.topic, b.encoded.length / uncompressed);
    return b.encoded;
  }

  private async sendTo(leader: number, batches: ProducerBatch[]) {
    const { acks, requestTimeoutMs, deliveryTimeoutMs } = this.config;
    const topics = new Map<string, { index: number; records: Buffer }[]>();
    for (const b of batches) {
      this.encode(b);
      b.attempts++;
      // What the last attempt's answer said: this one may yet be written.
      b.refusedUnwritten = false;
      let list = topics.get(b.topic);
      if (!list) topics.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.encoded! });
    }
    // delivery.timeout.ms bounds a batch in flight too (Kafka expires in-flight batches): when the
    // request could outlive its oldest batch's deadline, its batches fail then. The timer is only
    // armed in that case, so most requests take none.
    let created = Infinity;
    for (const b of batches) created = Math.min(created, b.firstAttemptAt);
    const untilDeadline = created + deliveryTimeoutMs - Date.now();
    // A timer can fire before Date.now() says the deadline has come (it counts from the event
    // loop's cached time, stale on a busy machine): a batch not yet due is looked at again then.
    let expiry: NodeJS.Timeout | null = null;
    const arm = (ms: number) => {
      expiry = setTimeout(() => {
        const left = this.expireInFlight(batches);
        if (left > 0) arm(left);
      }, Math.max(0, ms));
    };
    if (untilDeadline < requestTimeoutMs + 5000) arm(untilDeadline);
    try {
      const { body } = await this.client.send(
        leader,
        Produce,
        { transactionalId: this.txn?.transactionalId ?? null, acks, timeoutMs: requestTimeoutMs, topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })) },
        { expectResponse: acks !== 0, timeoutMs: requestTimeoutMs + 5000 },
      );
      if (acks === 0) {
        for (const b of batches) if (!b.expiredInFlight) this.resolveBatch(b, -1, -1);
      } else {
        const answered = new Set<ProducerBatch>();
        for (const t of body.responses) {
          for (const p of t.partitionResponses) {
            const b = batches.find((x) => x.topic === t.name && x.partition === p.index);
            if (!b || answered.has(b)) continue;
            answered.add(b);
            if (b.expiredInFlight) continue;
            if (p.errorCode === 0) this.resolveBatch(b, p.baseOffset, p.logAppendTimeMs ?? -1);
            // Kafka may answer a retry of a batch it already has this way, without its offset.
            else if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) this.resolveBatch(b, -1, -1);
            else if (p.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.behindFailedBatch(b)) {
              // Refused only because a batch before it failed in flight: it follows that batch's
              // retry. Not written (an earlier attempt the broker held would have been answered as
              // a duplicate): after an epoch bump its partition may move and number it afresh.
              b.refusedUnwritten = true;
              this.retryOrFail(b, new KafkaProtocolError(p.errorCode, p.errorMessage), 'behind');
            } else if (this.lostSequence(b, p.errorCode)) {
              // The broker lost this producer's state for the partition (KIP-360): a new epoch
              // starts every partition at sequence 0 again, and the batch is retried in it.
              this.idempotence.stateLost(b);
              this.retryOrFail(b, new KafkaProtocolError(p.errorCode, p.errorMessage), 'retry');
            } else {
              if (mayHaveWritten(p.errorCode)) b.maybeWritten = true;
              this.retryOrFail(b, new KafkaProtocolError(p.errorCode, withRecordError(p.errorMessage, p.recordErrors)));
            }
          }
        }
        // A partition the response left out: nobody says whether it was written, as after a lost connection.
        for (const b of batches) {
          if (answered.has(b) || b.expiredInFlight) continue;
          b.maybeWritten = true;
          this.retryOrFail(b, new KafkaProtocolError(ErrorCode.NETWORK_EXCEPTION, `The Produce response from broker ${leader} did not answer for ${b.topic}-${b.partition}`));
        }
      }
    } catch (e) {
      for (const b of batches) {
        if (b.expiredInFlight) continue;
        // The request may have reached the broker before the connection or the wait ended,
        // unless there was no connection to send it on.
        if (e instanceof ConnectionError && e.requestNotSent) this.retryOrFail(b, e, 'unsent');
        else {
          b.maybeWritten = true;
          this.retryOrFail(b, e as Error);
        }
      }
    } finally {
      if (expiry) clearTimeout(expiry);
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      // An answer (or a failed attempt) frees a slot: the leader can take a request again.
      this.blockedSince.delete(leader);
      for (const b of batches) this.landed(b);
      if (this.accumulator.readyCount > 0) this.kick();
    }
  }

  /**
   * Fails the batches of a request still in flight that are past delivery.timeout.ms. The broker
   * may yet write them, so an idempotent producer treats them as maybe written (a new epoch
   * follows once nothing is in flight).
   */
  /** Fails the batches of a request in flight whose delivery.timeout.ms has passed; the ms until the next one's, or 0. */
  private expireInFlight(batches: readonly ProducerBatch[]): number {
    const { deliveryTimeoutMs } = this.config;
    const now = Date.now();
    let next = 0;
    for (const b of batches) {
      if (b.expiredInFlight) continue;
      const left = b.firstAttemptAt + deliveryTimeoutMs - now;
      if (left > 0) {
        next = next === 0 ? left : Math.min(next, left);
        continue;
      }
      b.expiredInFlight = true;
      b.maybeWritten = true;
      this.idempotence.release(b, this.accumulator.readyOf(b.topic, b.partition), this.laterInFlight(b));
      const why = `Expiring ${b.count} record(s) for ${b.topic}-${b.partition}: ${deliveryTimeoutMs} ms has passed since batch creation (the request is still in flight)`;
      failBatch(b, new KafkaProtocolError(ErrorCode.REQUEST_TIMED_OUT, why), this.completion);
    }
    return next;
  }

  /** A batch's attempt has come back (answered or failed): it is no longer in flight. */
  private landed(b: ProducerBatch) {
    const key = partitionKey(b.topic, b.partition);
    const n = (this.partitionInFlight.get(key) ?? 1) - 1;
    if (n > 0) this.partitionInFlight.set(key, n);
    else this.partitionInFlight.delete(key);
    const list = this.sentBatches.get(key);
    const at = list ? list.indexOf(b) : -1;
    if (at >= 0) {
      list!.splice(at, 1);
      if (list!.length === 0) this.sentBatches.delete(key);
    }
  }

  /** Whether batches of `b`'s partition sent after it are still in flight (they carry numbers past it). */
  private laterInFlight(b: ProducerBatch): boolean {
    const list = this.sentBatches.get(partitionKey(b.topic, b.partition));
    return !!list && list.some((x) => x !== b && x.order > b.order);
  }

  /**
   * An OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is not the next its partition expects: a
   * batch before it failed in flight and is retried (or the epoch is bumped), so this one is
   * retried after it. A transaction whose sequences are broken is aborted instead.
   */
  private behindFailedBatch(b: ProducerBatch): boolean {
    if (!this.idempotence.enabled || b.baseSequence < 0 || this.idempotence.isNextSequence(b)) return false;
    return !(this.txn && this.idempotence.sequencesBroken);
  }

  /**
   * OUT_OF_ORDER_SEQUENCE_NUMBER for the batch the broker should expect next, or
   * UNKNOWN_PRODUCER_ID: the broker's state for this producer no longer matches (an unclean
   * election, a log truncated or deleted by retention). Kafka's idempotent producer bumps its
   * epoch and retries (TransactionManager.canRetry); a transaction fails the batch, which makes it
   * abortable.
   */
  private lostSequence(b: ProducerBatch, code: number): boolean {
    if (!this.idempotence.enabled || this.txn || b.baseSequence < 0) return false;
    return code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID;
  }

  /**
   * Retries a failed batch, or fails it for good. `behind`: refused only because a batch before
   * it failed; `retry`: retriable whatever the error says (the epoch is being bumped); `unsent`:
   * no connection to the leader could be had (the request never left).
   */
  private retryOrFail(b: ProducerBatch, e: Error, how?: 'behind' | 'retry' | 'unsent') {
    if (e instanceof KafkaProtocolError && e.code === ErrorCode.MESSAGE_TOO_LARGE) {
      if (this.accumulator.split(b)) return;
      e = recordTooLarge(b, e);
    }
    const { retries, retryBackoffMs, deliveryTimeoutMs } = this.config;
    b.lastError = e;
    const retriable =
      how === 'retry' ||
      e instanceof ConnectionError ||
      e instanceof RequestTimeoutError ||
      (e instanceof KafkaProtocolError && (e.retriable || e.code === ErrorCode.LEADER_NOT_AVAILABLE));
    const now = Date.now();
    const expired = now - b.firstAttemptAt + retryBackoffMs > deliveryTimeoutMs;
    if ((how === 'unsent' || how === 'behind') && !expired) {
      // Not one of the batch's attempts. `unsent`: the leader could not be reached, so nothing
      // was sent; as Kafka's producer never sends to a node it is not connected to, the batch
      // waits for the broker (a restart, say) until delivery.timeout.ms, trying to connect with a
      // back-off that grows to a second (reconnect.backoff.max.ms). `behind`: not this batch's
      // failure; it goes again once the batch before it has come back (a numbered batch goes
      // alone), the back-off keeping it from being re-sent at once, request after request,
      // should nothing before it be waiting after all.
      b.attempts = Math.max(0, b.attempts - 1);
      b.retryAt = now + (how === 'unsent' ? Math.min(retryBackoffMs * 2 ** Math.min(b.unsent++, 10), 1000) : retryBackoffMs);
      if (how === 'unsent') void this.client.refreshMetadata([b.topic]).catch(() => undefined);
      this.accumulator.requeue(b);
      this.kick();
      return;
    }
    b.unsent = 0;
    if (retriable && b.attempts <= retries && !expired) {
      // Leadership may have moved: refresh before the retry picks a leader again.
      void this.client.refreshMetadata([b.topic]).catch(() => undefined);
      b.retryAt = now + retryBackoffMs * Math.min(2 ** (b.attempts - 1), 10);
      // Back into its partition's queue ahead of later batches, so its records keep their order.
      this.accumulator.requeue(b);
      this.kick();
      return;
    }
    this.idempotence.release(b, this.accumulator.readyOf(b.topic, b.partition), this.laterInFlight(b));
    failBatch(b, e, this.completion);
  }

  private resolveBatch(b: ProducerBatch, baseOffset: number, logAppendTime: number) {
    this.idempotence.acknowledged(b);
    // Answered: the broker has read the request, so the batch's buffer can be encoded into again.
    if (this.config.acks !== 0) this.accumulator.recycle(b);
    if (!b.callbacks) {
      this.completion.completeBatch(b);
      return;
    }
    for (let i = 0; i < b.count; i++) {
      const cb = b.callbacks?.[i];
      if (!cb) {
        this.completion.complete(undefined, null, null);
        continue;
      }
      const timestamp = logAppendTime >= 0 ? logAppendTime : b.timestamps![i]!;
      this.completion.complete(cb, null, { topic: b.topic, partition: b.partition, offset: baseOffset >= 0 ? baseOffset + i : -1, timestamp });
    }
  }
}

/**
 * Errors a broker answers after it may have appended the batch: a replication wait that ended
 * (acks=all), or the leader that appended it losing the partition meanwhile (Kafka's
 * DelayedProduce answers NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION or KAFKA_STORAGE_ERROR then).
 */
const MAY_HAVE_WRITTEN = new Set<number>([ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.KAFKA_STORAGE_ERROR]);
const mayHaveWritten = (code: number) => MAY_HAVE_WRITTEN.has(code);

/** The broker's refusal of a lone record, naming the limit (from Kafka's error_message, v8+) and the fix. */
function recordTooLarge(b: ProducerBatch, e: KafkaProtocolError): KafkaProtocolError {
  const record = b.encoded ? decodeBatchRecords(b.encoded)[0] : undefined;
  if (!record) return e;
  const limit = /maximum configured (?:value|size) of (\d+)/.exec(e.message)?.[1];
  return new KafkaProtocolError(
    e.code,
    `record of ${formatBytes(payloadSize(record))} bytes exceeds max.message.bytes${limit ? `=${limit}` : ''} of topic ${b.topic}; raise it with configs or split the record`,
  );
}

/**
 * A refusal's message with the first record's own reason (Produce v8 record errors: a bad
 * timestamp, a record without a key for a compacted topic), which Kafka's producer gives the
 * records it names.
 */
function withRecordError(message: string | null | undefined, recordErrors: readonly { batchIndexErrorMessage: string | null }[] | undefined): string | null {
  const first = recordErrors?.find((e) => e.batchIndexErrorMessage)?.batchIndexErrorMessage;
  if (!first || first === message) return message ?? null;
  return message ? `${message}: ${first}` : first;
}
