/**
 * Idempotence (the part of Kafka's TransactionManager an idempotent producer uses; transactions
 * will join here). With enable.idempotence the producer first gets a producer id (InitProducerId)
 * and numbers each partition's batches; the broker then answers a retried batch with its first
 * offsets instead of writing it again. With 'if-supported' (what console-producer uses when
 * idempotence was not asked for explicitly) a cluster that does not offer or allow InitProducerId
 * gets plain batches instead of a failure; the Java producer fails.
 *
 * A batch that fails for good must not leave a gap in its partition's sequence numbers, or the
 * broker refuses every later batch (OUT_OF_ORDER_SEQUENCE_NUMBER). As in Kafka's producer: when
 * the broker refused it (so certainly did not write it), the later batches take over its numbers;
 * when it may have been written (a timeout, a lost connection), the producer bumps its epoch and
 * every partition starts again at sequence 0 in it (KIP-360). Each partition moves to the new
 * epoch on its own, as in Kafka's producer: once nothing of it is in flight and its first waiting
 * batch is not a retry the broker may already hold. Such a retry goes again on its old epoch and
 * numbers first, so that the broker answers it as the duplicate it is (numbered afresh it would be
 * written twice); refused as out of order, it was not written, and is numbered afresh.
 */
import { InitProducerId } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { type KafkaClient, UnsupportedApiError } from '../client.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { type ProducerBatch, partitionKey } from './batch.js';

/** The largest epoch; past it an idempotent producer needs a new producer id. */
const MAX_EPOCH = 0x7fff;

/** What InitProducerId came to, for the sender to act on. */
export interface InitProducerIdListener {
  /** The producer has its id: sending may start. */
  ready(): void;
  /** A retriable failure: try again after the back-off. */
  retryLater(error: Error): void;
  /** Optional idempotence was dropped: the batches go out plain. */
  unavailable(reason: Error): void;
  /** Idempotence is needed and cannot be had: the queued batches fail with `error`. */
  failed(error: Error): void;
}

export class Idempotence {
  /** Whether batches are numbered; false from the start, or once optional idempotence was dropped. */
  private isEnabled: boolean;
  private readonly optional: boolean;
  /** The producer id and epoch of an idempotent producer (-1 until InitProducerId answered). */
  producerId = -1;
  producerEpoch = -1;
  private initializing = false;
  /** A batch that may have been written failed (or a broker lost this producer's state): bump the epoch. */
  epochBumpPending = false;
  /** Partitions numbered in an epoch before the producer's: that epoch, until they move (moveToCurrentEpoch). */
  private readonly staleEpochs = new Map<string, number>();
  /** Partitions whose broker lost this producer's state: they move at once, their retries numbered afresh too. */
  private readonly lostState = new Set<string>();
  /** Next sequence number by partition key. */
  private readonly nextSequence = new Map<string, number>();
  /** The sequence after the last acknowledged batch, by partition key (this epoch). */
  private readonly ackedEnd = new Map<string, number>();
  /**
   * A transactional producer: its id and epoch come from the transaction manager, and a batch
   * that may have been written marks the sequences broken (the epoch is bumped at the
   * coordinator after the abort) instead of bumping the epoch locally.
   */
  transactional = false;
  sequencesBroken = false;

  constructor(mode: boolean | 'if-supported' | undefined) {
    this.isEnabled = !!mode;
    this.optional = mode === 'if-supported';
  }

  get enabled(): boolean {
    return this.isEnabled;
  }

  /** Sending must wait for a producer id. */
  get needsProducerId(): boolean {
    return this.isEnabled && this.producerId < 0;
  }

  /**
   * Numbers a batch with its partition's next sequence, once (a retry keeps its numbers), and
   * returns the fields that mark the batch as this producer's.
   */
  stamp(b: ProducerBatch): { producerId: number; producerEpoch: number; baseSequence: number } {
    if (b.baseSequence < 0) {
      const key = partitionKey(b.topic, b.partition);
      b.baseSequence = this.nextSequence.get(key) ?? 0;
      b.producerEpoch = this.staleEpochs.get(key) ?? this.producerEpoch;
      // Sequences wrap from Int32.MAX to 0.
      this.nextSequence.set(key, (b.baseSequence + b.count) % 0x80000000);
    }
    return { producerId: this.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence };
  }

  /** Notes a batch the broker acknowledged (or answered as a duplicate). */
  acknowledged(b: ProducerBatch): void {
    if (!this.isEnabled || b.baseSequence < 0) return;
    this.ackedEnd.set(partitionKey(b.topic, b.partition), (b.baseSequence + b.count) % 0x80000000);
  }

  /**
   * Whether the broker has acknowledged a batch of the partition in this epoch. Until it has, it
   * holds no state for the producer there and takes a batch of any sequence (as Kafka's brokers
   * do), so a later batch in flight could be written ahead of an earlier one it refused (too
   * large, say), whose records then could never follow.
   */
  hasAcked(b: ProducerBatch): boolean {
    return this.ackedEnd.has(partitionKey(b.topic, b.partition));
  }

  /**
   * Whether a batch is the next one its partition's broker expects (every batch before it was
   * acknowledged). A batch refused with OUT_OF_ORDER_SEQUENCE_NUMBER that is not is only behind an
   * earlier batch that failed in flight: it is retried after it, as in Kafka's producer.
   */
  isNextSequence(b: ProducerBatch): boolean {
    return b.baseSequence === (this.ackedEnd.get(partitionKey(b.topic, b.partition)) ?? 0);
  }

  /**
   * Keeps a batch that failed for good from leaving a gap in its partition's sequence numbers.
   * When the broker certainly did not write it and none of the partition's later batches is in
   * flight, the batches after it take over its numbers, as Kafka's producer does for a batch
   * refused before its retries ran out (adjustSequencesDueToFailedBatch); otherwise (it may have
   * been written, or later batches in flight carry numbers past it) the epoch is bumped once
   * nothing is in flight, and every waiting batch is numbered afresh.
   *
   * Only the batches after it move: a batch before it still waiting for a retry keeps its
   * numbers, which the broker may already hold (moved back onto the failed batch's numbers, it
   * was answered as a duplicate of an earlier batch and its records were lost). Whatever becomes
   * of that batch, the numbers after the failed one stay right: it is written at its own, or
   * fails and is released in turn.
   *
   * @param queue the partition's ready batches, in creation order
   */
  release(b: ProducerBatch, queue: readonly ProducerBatch[], laterInFlight = false): void {
    if (!this.isEnabled || b.baseSequence < 0) return;
    const key = partitionKey(b.topic, b.partition);
    if (b.maybeWritten || laterInFlight) {
      if (this.transactional) this.sequencesBroken = true;
      // A partition still on an old epoch starts afresh in the current one anyway.
      else if (!this.staleEpochs.has(key)) this.epochBumpPending = true;
      return;
    }
    const back = (seq: number) => (seq - b.count + 0x80000000) % 0x80000000;
    this.nextSequence.set(key, back(this.nextSequence.get(key) ?? 0));
    for (const l of queue) {
      if (l.baseSequence < 0 || l.order < b.order) continue;
      l.baseSequence = back(l.baseSequence);
      l.encoded = null;
    }
  }

  /** The broker of `b`'s partition lost this producer's state (KIP-360): a new epoch, in which the partition is numbered afresh, `b` too. */
  stateLost(b: ProducerBatch): void {
    const key = partitionKey(b.topic, b.partition);
    this.lostState.add(key);
    if (!this.staleEpochs.has(key)) this.epochBumpPending = true;
  }

  /** Whether the epoch is exhausted: the next bump takes a new producer id (renew). */
  get epochExhausted(): boolean {
    return this.producerEpoch >= MAX_EPOCH;
  }

  /**
   * Starts a new epoch, locally, as the Java producer and librdkafka do for a producer without a
   * transactional id. The partitions numbered so far stay on their epoch until each moves
   * (moveToCurrentEpoch): batches in flight and retries keep the numbers the broker knows them by.
   */
  bumpEpoch(): void {
    this.epochBumpPending = false;
    for (const key of this.nextSequence.keys()) if (!this.staleEpochs.has(key)) this.staleEpochs.set(key, this.producerEpoch);
    this.producerEpoch++;
  }

  /** Whether a partition's numbering belongs to an epoch before the producer's. */
  isStale(key: string): boolean {
    return this.staleEpochs.has(key);
  }

  /**
   * Whether a stale partition may move to the current epoch, with nothing of it in flight (the
   * caller knows): unless its first waiting batch is a numbered one, a retry, which goes again on
   * its old numbers first, until the broker says what became of it (an answer that does not say
   * it was not written may come after an append: NOT_LEADER_OR_FOLLOWER from a leader that lost
   * the partition meanwhile). Only the first counts: the broker writes a partition's batches in
   * order, so one behind a batch it did not write was not written either.
   */
  mayMove(key: string, head: ProducerBatch | undefined): boolean {
    return this.lostState.has(key) || !head || head.baseSequence < 0 || head.refusedUnwritten === true;
  }

  /** A stale partition starts again at sequence 0 in the current epoch; its waiting batches are numbered afresh. */
  moveToCurrentEpoch(key: string, waiting: Iterable<ProducerBatch>): void {
    this.staleEpochs.delete(key);
    this.lostState.delete(key);
    this.nextSequence.delete(key);
    this.ackedEnd.delete(key);
    for (const b of waiting) renumber(b);
  }

  /**
   * The epoch is exhausted: the producer takes a new id, and every partition starts again; the
   * caller makes sure no request is in flight (an answer still due would be taken for the new
   * id's), and waiting batches are numbered afresh.
   */
  renew(waiting: Iterable<ProducerBatch>): void {
    this.epochBumpPending = false;
    this.nextSequence.clear();
    this.ackedEnd.clear();
    this.staleEpochs.clear();
    this.lostState.clear();
    for (const b of waiting) renumber(b);
    this.producerId = this.producerEpoch = -1;
  }

  /** Takes a producer id and epoch from the transaction coordinator; every partition starts at sequence 0. */
  resetTo(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.nextSequence.clear();
    this.ackedEnd.clear();
    this.staleEpochs.clear();
    this.lostState.clear();
    this.sequencesBroken = false;
    this.epochBumpPending = false;
  }

  /** Gets a producer id before the first idempotent send (one request at a time). */
  initProducerId(client: KafkaClient, listener: InitProducerIdListener): void {
    if (this.initializing) return;
    this.initializing = true;
    client.send('any', InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000 }).then(
      ({ body }) => {
        this.initializing = false;
        if (body.errorCode === 0) {
          this.producerId = body.producerId;
          this.producerEpoch = body.producerEpoch;
          listener.ready();
        } else this.initFailed(new KafkaProtocolError(body.errorCode), listener);
      },
      (e: Error) => {
        this.initializing = false;
        this.initFailed(e, listener);
      },
    );
  }

  private initFailed(e: Error, listener: InitProducerIdListener) {
    const retriable = e instanceof ConnectionError || e instanceof RequestTimeoutError || (e instanceof KafkaProtocolError && e.retriable);
    if (retriable) {
      listener.retryLater(e);
      return;
    }
    if (this.optional && idempotenceUnavailable(e)) {
      // Nothing has been sent yet, so the batches can still go out without sequence numbers.
      this.isEnabled = false;
      listener.unavailable(e);
      return;
    }
    listener.failed(e);
  }
}

/** A waiting batch loses its numbers: stamped again when next sent. */
function renumber(b: ProducerBatch): void {
  b.baseSequence = -1;
  b.producerEpoch = -1;
  b.encoded = null;
  b.maybeWritten = false;
  b.refusedUnwritten = false;
}

/** The cluster does not offer InitProducerId, or does not let this client use it. */
function idempotenceUnavailable(e: Error): boolean {
  if (e instanceof UnsupportedApiError) return true;
  return e instanceof KafkaProtocolError && (e.code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED || e.code === ErrorCode.UNSUPPORTED_VERSION);
}
