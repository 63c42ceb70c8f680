/**
 * An assign-based consumer: fetches a set of partitions from their leaders with long polls,
 * decodes batches into records, tracks positions and the end of each partition's log, resets
 * out-of-range positions by `auto.offset.reset`, and follows leader changes.
 *
 * With read_committed, records of aborted transactions are dropped using the aborted-transaction
 * list of each fetch response; control records are never returned.
 */
import { Fetch, type FetchResponse } from '../../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../protocol/errors.js';
import { denialMessage } from '../../protocol/acls.js';
import {
  type Record,
  decodeBatchWith,
  isControlBatch,
  isTransactionalBatch,
  readBatchHeader,
  splitBatches,
  timestampTypeOf,
} from '../../protocol/record-batch.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { Admin, OffsetSpec } from '../admin.js';
import type { KafkaClient } from '../client.js';

export type StartPosition = number | 'earliest' | 'latest' | { timestamp: number } | { fromEnd: number } | { fromStart: number };

export interface ConsumedRecord extends Record {
  topic: string;
  partition: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  leaderEpoch: number;
}

export interface FetcherOptions {
  isolationLevel?: 0 | 1;
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  maxPartitionBytes?: number;
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** client.rack: sent as the Fetch request's rack_id (KIP-392); a preferred_read_replica answer is then followed. */
  rackId?: string;
  /** max.poll.records: the most records a group consumer's poll returns (the rest are fetched again). */
  maxPollRecords?: number;
}

/** How long a preferred read replica is used before asking the leader again (Kafka: metadata.max.age.ms). */
const PREFERRED_REPLICA_TTL_MS = 300_000;

interface PartitionState {
  topic: string;
  partition: number;
  position: number;
  /** High watermark (or last stable offset) from the latest fetch; -1 until known. */
  end: number;
  /** Optional offset (exclusive) at which to stop consuming this partition. */
  stopAt: number;
  paused: boolean;
  /** KIP-392: the replica the leader sent this partition's reads to, until when. */
  preferred?: { id: number; until: number };
}

export interface FetchedChunk {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;

export class Fetcher {
  private readonly parts = new Map<string, PartitionState>();
  private readonly opts: Required<FetcherOptions>;
  private readonly admin: Admin;
  private closed = false;

  constructor(
    readonly client: KafkaClient,
    opts: FetcherOptions = {},
  ) {
    this.opts = {
      isolationLevel: opts.isolationLevel ?? 0,
      maxWaitMs: opts.maxWaitMs ?? 500,
      minBytes: opts.minBytes ?? 1,
      maxBytes: opts.maxBytes ?? 52428800,
      maxPartitionBytes: opts.maxPartitionBytes ?? 1048576,
      autoOffsetReset: opts.autoOffsetReset ?? 'latest',
      rackId: opts.rackId ?? '',
      maxPollRecords: opts.maxPollRecords ?? 500,
    };
    this.admin = new Admin(client);
  }

  /** Looks up one ListOffsets spec for a set of partitions; throws on the first error. */
  private async offsets(parts: { topic: string; partition: number }[], timestamp: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (parts.length === 0) return out;
    const res = await this.admin.listOffsets(parts.map((p) => ({ ...p, timestamp })), this.opts.isolationLevel);
    for (const r of res) {
      if (r.error) throw r.error;
      out.set(key(r.topic, r.partition), r.offset);
    }
    for (const p of parts) {
      if (!out.has(key(p.topic, p.partition))) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${p.topic} partition ${p.partition} does not exist`);
    }
    return out;
  }

  /** Resolves start positions (earliest, latest, timestamp, last N) and assigns the partitions. */
  async assign(list: { topic: string; partition: number; start: StartPosition; stopAt?: number }[]): Promise<void> {
    const isObj = (s: StartPosition): s is Exclude<StartPosition, number | string> => typeof s === 'object';
    const earliest = await this.offsets(list.filter((a) => a.start === 'earliest' || (isObj(a.start) && !('timestamp' in a.start))), OffsetSpec.earliest);
    const latest = await this.offsets(list.filter((a) => a.start === 'latest' || isObj(a.start)), OffsetSpec.latest);
    for (const a of list) {
      const k = key(a.topic, a.partition);
      const s = a.start;
      let position: number;
      if (typeof s === 'number') position = s;
      else if (s === 'earliest') position = earliest.get(k)!;
      else if (s === 'latest') position = latest.get(k)!;
      else if ('fromEnd' in s) position = Math.max(earliest.get(k)!, latest.get(k)! - s.fromEnd);
      else if ('fromStart' in s) position = Math.min(latest.get(k)!, earliest.get(k)! + s.fromStart);
      else {
        const at = (await this.offsets([a], s.timestamp)).get(k)!;
        // No record at or after the timestamp: start at the end of the log.
        position = at >= 0 ? at : latest.get(k)!;
      }
      this.parts.set(k, { topic: a.topic, partition: a.partition, position, end: -1, stopAt: a.stopAt ?? Infinity, paused: false });
    }
  }

  unassign(topic: string, partition: number): void {
    this.parts.delete(key(topic, partition));
  }

  assignment(): { topic: string; partition: number; position: number; end: number }[] {
    return [...this.parts.values()].map(({ topic, partition, position, end }) => ({ topic, partition, position, end }));
  }

  seek(topic: string, partition: number, offset: number): void {
    const p = this.parts.get(key(topic, partition));
    if (p) p.position = offset;
  }

  pause(topic: string, partition: number, paused = true): void {
    const p = this.parts.get(key(topic, partition));
    if (p) p.paused = paused;
  }

  /** True when every assigned partition has reached its stop offset (or, without one, its end). */
  allAtEnd(): boolean {
    for (const p of this.parts.values()) if (!this.atEnd(p)) return false;
    return true;
  }

  /** At its stop offset when it has one; otherwise caught up with the high watermark. */
  private atEnd(p: PartitionState): boolean {
    if (Number.isFinite(p.stopAt)) return p.position >= p.stopAt;
    return p.end >= 0 && p.position >= p.end;
  }

  /** Partitions that still have something to read. */
  private active(): PartitionState[] {
    return [...this.parts.values()].filter((p) => !p.paused && p.position < p.stopAt);
  }

  /**
   * One fetch round: a Fetch to each leader of the active partitions, in parallel. Returns the
   * records that arrived (possibly none after maxWaitMs).
   */
  async poll(options: { maxWaitMs?: number } = {}): Promise<FetchedChunk[]> {
    const active = this.active();
    if (active.length === 0 || this.closed) return [];
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of active) {
      let leader: number;
      try {
        leader = await this.client.leaderFor(p.topic, p.partition);
      } catch (e) {
        if (e instanceof KafkaProtocolError && e.code === ErrorCode.LEADER_NOT_AVAILABLE) continue;
        throw e;
      }
      if (p.preferred && p.preferred.until > Date.now()) leader = p.preferred.id;
      else p.preferred = undefined;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const maxWaitMs = options.maxWaitMs ?? this.opts.maxWaitMs;
    const results = await Promise.all([...byLeader].map(([leader, ps]) => this.fetchFrom(leader, ps, maxWaitMs)));
    return results.flat();
  }

  private async fetchFrom(leader: number, ps: PartitionState[], maxWaitMs: number): Promise<FetchedChunk[]> {
    const topics = new Map<string, PartitionState[]>();
    for (const p of ps) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
    let body: FetchResponse;
    try {
      ({ body } = await this.client.send(
        leader,
        Fetch,
        {
          replicaId: -1,
          maxWaitMs,
          minBytes: this.opts.minBytes,
          maxBytes: this.opts.maxBytes,
          isolationLevel: this.opts.isolationLevel,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...topics].map(([topic, list]) => ({
            topic,
            partitions: list.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.position, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: this.opts.maxPartitionBytes })),
          })),
          forgottenTopicsData: [],
          rackId: this.opts.rackId,
        },
        { timeoutMs: this.client.requestTimeoutMs + maxWaitMs },
      ));
    } catch (e) {
      if (e instanceof ConnectionError || e instanceof RequestTimeoutError) {
        for (const p of ps) p.preferred = undefined;
        await this.client.refreshMetadata([...topics.keys()]).catch(() => undefined);
        return [];
      }
      throw e;
    }
    if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
    const out: FetchedChunk[] = [];
    for (const t of body.responses) {
      for (const pr of t.partitions) {
        const p = this.parts.get(key(t.topic ?? '', pr.partitionIndex));
        if (!p) continue;
        if (pr.errorCode && p.preferred) {
          // A read replica's error (behind, out of range there, gone): back to the leader, as Kafka's consumer.
          p.preferred = undefined;
          continue;
        }
        if (pr.errorCode) {
          await this.handlePartitionError(p, pr.errorCode);
          continue;
        }
        if ((pr.preferredReadReplica ?? -1) >= 0 && this.opts.rackId !== '') p.preferred = { id: pr.preferredReadReplica!, until: Date.now() + PREFERRED_REPLICA_TTL_MS };
        p.end = this.opts.isolationLevel === 1 && (pr.lastStableOffset ?? -1) >= 0 ? pr.lastStableOffset! : pr.highWatermark;
        const records = this.decode(p, pr.records, pr.abortedTransactions ?? null);
        if (records.length > 0) out.push({ topic: p.topic, partition: p.partition, records });
      }
    }
    return out;
  }

  private decode(p: PartitionState, blob: Buffer | null, aborted: { producerId: number; firstOffset: number }[] | null): ConsumedRecord[] {
    if (!blob || blob.length === 0) return [];
    const out: ConsumedRecord[] = [];
    const abortedList = this.opts.isolationLevel === 1 && aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [];
    const abortedProducers = new Set<number>();
    for (const batch of splitBatches(blob)) {
      const h = readBatchHeader(batch);
      const lastOffset = h.baseOffset + h.lastOffsetDelta;
      if (lastOffset < p.position) continue;
      while (abortedList.length && abortedList[0]!.firstOffset <= lastOffset) abortedProducers.add(abortedList.shift()!.producerId);
      if (isControlBatch(h.attributes)) {
        // An ABORT or COMMIT marker ends that producer's transaction.
        abortedProducers.delete(h.producerId);
        p.position = Math.max(p.position, lastOffset + 1);
        continue;
      }
      if (isTransactionalBatch(h.attributes) && abortedProducers.has(h.producerId)) {
        p.position = Math.max(p.position, lastOffset + 1);
        continue;
      }
      const tsType = timestampTypeOf(h.attributes);
      const { topic, partition } = p;
      const epoch = h.partitionLeaderEpoch;
      const records = decodeBatchWith(batch, h, (offset, timestamp, key, value, headers): ConsumedRecord => ({
        offset,
        timestamp,
        key,
        value,
        headers,
        topic,
        partition,
        timestampType: tsType,
        leaderEpoch: epoch,
      }));
      for (const r of records) if (r.offset >= p.position && r.offset < p.stopAt) out.push(r);
      p.position = Math.min(p.stopAt, Math.max(p.position, lastOffset + 1));
    }
    return out;
  }

  private async handlePartitionError(p: PartitionState, code: number) {
    switch (code) {
      case ErrorCode.OFFSET_OUT_OF_RANGE: {
        const policy = this.opts.autoOffsetReset;
        if (policy === 'none') throw new KafkaProtocolError(code, `Offset ${p.position} is out of range for ${p.topic}-${p.partition}`);
        const [r] = await this.admin.listOffsets([{ topic: p.topic, partition: p.partition, timestamp: policy === 'earliest' ? OffsetSpec.earliest : OffsetSpec.latest }]);
        if (r && !r.error) p.position = r.offset;
        return;
      }
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.LEADER_NOT_AVAILABLE:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.FENCED_LEADER_EPOCH:
      case ErrorCode.UNKNOWN_LEADER_EPOCH:
      case ErrorCode.REPLICA_NOT_AVAILABLE:
      case ErrorCode.KAFKA_STORAGE_ERROR:
        await this.client.refreshMetadata([p.topic]).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        return;
      default:
        throw new KafkaProtocolError(code, denialMessage(code, `read topic ${p.topic}`, `Fetching ${p.topic}-${p.partition} failed`));
    }
  }

  close(): void {
    this.closed = true;
  }
}
