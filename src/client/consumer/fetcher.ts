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
import { codecFor } from '../../protocol/compression.js';
import { ProtocolDecodeError } from '../../protocol/primitives.js';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  compressionOf,
  computedBatchCrc,
  type BatchHeader,
  type Record,
  decodeBatchWith,
  isControlBatch,
  isTransactionalBatch,
  nextOffsetOf,
  readBatchHeader,
  splitBatches,
  timestampTypeOf,
} from '../../protocol/record-batch.js';
import { ConnectionError, RequestTimeoutError } from '../../transport/client-connection.js';
import { KafkaTsError } from '../../util/errors.js';
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
  /** max.poll.records: the most records a group consumer's poll returns (the rest are kept for its next polls); GroupConsumer's default 500. */
  maxPollRecords?: number;
  /**
   * Sends the next Fetch as soon as a response is applied, so it travels while the caller works
   * on the records (console-consumer). Off by default: a long poll in flight sits in front of any
   * other request on that broker's connection.
   */
  prefetch?: boolean;
  /**
   * check.crcs: every fetched batch's CRC32C is checked before its records are returned, and a
   * corrupt one fails the poll (assertBatchIntact). Off unless set, as in librdkafka (Kafka's
   * consumer checks by default): it is one more pass over every fetched byte.
   */
  checkCrcs?: boolean;
  /** Told when a position out of the log's range was reset by auto.offset.reset (the console tools say so). */
  onReset?(reset: { topic: string; partition: number; from: number; to: number; policy: 'earliest' | 'latest' }): void;
  /**
   * Given, a partition whose topic or partition no longer exists (metadata answers
   * UNKNOWN_TOPIC_OR_PARTITION: deleted) is unassigned and told here, with its position, instead
   * of failing the poll: as Kafka's subscribing consumer drops a deleted topic and goes on.
   */
  onGone?(gone: { topic: string; partition: number; position: number }): void;
  /**
   * Told once when fetching from a broker fails on its connection (it went away: the consumer
   * retries until it is back) and once when a fetch from it succeeds again, so that a streaming
   * console consumer is not silent while its broker is down.
   */
  onConnection?(change: { broker: number; lost: true; error: Error } | { broker: number; lost: false }): void;
}

/** check.crcs: fails with Kafka's message when a batch's bytes do not match its CRC32C. */
export function assertBatchIntact(topic: string, partition: number, batch: Buffer, h: BatchHeader): void {
  const computed = computedBatchCrc(batch);
  if (computed !== h.crc) {
    throw new KafkaTsError('failed', `Record batch for partition ${topic}-${partition} at offset ${h.baseOffset} is invalid, cause: Record is corrupt (stored crc = ${h.crc}, computed crc = ${computed})`);
  }
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
  /** The partition had no leader: its leader is looked up again from then on (retry.backoff.ms). */
  leaderRetryAt?: number;
}

export interface FetchedChunk {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

/** A partition's fetched batches, not yet decoded: records with from <= offset < to are its own. */
export interface RawChunk {
  topic: string;
  partition: number;
  from: number;
  to: number;
  batches: { batch: Buffer; header: BatchHeader }[];
}

interface RawResponse {
  /** The fetch offset each partition was asked for. */
  requested: Map<PartitionState, number>;
  body: FetchResponse;
}

type Settled = { value: RawResponse[] } | { error: unknown };

/** A Fetch sent to one leader: `outcome` resolves (never rejects) once `settled` is set. */
interface InFlightFetch {
  settled: { value: RawResponse | null } | { error: unknown } | null;
  outcome: Promise<void>;
}

/** Decodes a chunk's records (objects; see walkChunk for the allocation-free walk). */
export function decodeChunk(c: RawChunk): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  const { topic, partition, from, to } = c;
  for (const { batch, header: h } of c.batches) {
    const timestampType = timestampTypeOf(h.attributes);
    const leaderEpoch = h.partitionLeaderEpoch;
    const records = decodeBatchWith(batch, h, (offset, timestamp, key, value, headers): ConsumedRecord => ({ offset, timestamp, key, value, headers, topic, partition, timestampType, leaderEpoch }));
    for (const r of records) if (r.offset >= from && r.offset < to) out.push(r);
  }
  return out;
}

/**
 * One record of a chunk as positions in its batch's record bytes (`buf`); a single instance is
 * reused for every record of a walk, so nothing is allocated per record. Lengths are -1 for null.
 */
export class RecordView {
  buf: Buffer = Buffer.alloc(0);
  topic = '';
  partition = 0;
  offset = 0;
  timestamp = 0;
  timestampType: 'CreateTime' | 'LogAppendTime' = 'CreateTime';
  leaderEpoch = -1;
  keyStart = 0;
  keyLen = -1;
  valueStart = 0;
  valueLen = -1;
  /** Where the headers start (after their count) and how many there are. */
  headersStart = 0;
  headerCount = 0;
}

/** Reads a zig-zag varint at view.pos (a module-level cursor keeps the walk allocation-free). */
let cursor = 0;
function varintAt(buf: Buffer): number {
  let z = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[cursor++];
    if (b === undefined) throw new ProtocolDecodeError('record overruns its batch');
    z += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    mul *= 0x80;
  }
  throw new ProtocolDecodeError('varint too long');
}

/** Walks the header fields of `v` (key and value positions); used by formatters that print them. */
export function walkHeaders(v: RecordView, visit: (keyStart: number, keyLen: number, valueStart: number, valueLen: number) => void): void {
  cursor = v.headersStart;
  for (let h = 0; h < v.headerCount; h++) {
    const kl = varintAt(v.buf);
    const ks = cursor;
    cursor += kl;
    const vl = varintAt(v.buf);
    const vs = cursor;
    if (vl > 0) cursor += vl;
    visit(ks, kl, vs, vl);
  }
}

/**
 * Calls `visit` with each record of the chunk (offsets from..to) through one reused RecordView,
 * without allocating per record; stops when `visit` returns false. Returns false when stopped.
 */
export function walkChunk(c: RawChunk, v: RecordView, visit: (v: RecordView) => boolean | void): boolean {
  v.topic = c.topic;
  v.partition = c.partition;
  for (const { batch, header: h } of c.batches) {
    if (h.magic !== 2) throw new ProtocolDecodeError(`unsupported record batch magic ${h.magic}`);
    let body = batch.subarray(BATCH_HEADER_SIZE, LOG_OVERHEAD + h.batchLength);
    const compression = compressionOf(h.attributes);
    if (compression !== 0) body = codecFor(compression).decompress(body);
    const logAppend = timestampTypeOf(h.attributes) === 'LogAppendTime';
    v.buf = body;
    v.timestampType = logAppend ? 'LogAppendTime' : 'CreateTime';
    v.leaderEpoch = h.partitionLeaderEpoch;
    cursor = 0;
    for (let i = 0; i < h.recordCount; i++) {
      const len = varintAt(body);
      const end = cursor + len;
      if (len < 0 || end > body.length) throw new ProtocolDecodeError('record overruns its batch');
      cursor++; // attributes
      const tsDelta = varintAt(body);
      const offsetDelta = varintAt(body);
      const keyLen = varintAt(body);
      v.keyStart = cursor;
      v.keyLen = keyLen;
      if (keyLen > 0) cursor += keyLen;
      const valueLen = varintAt(body);
      v.valueStart = cursor;
      v.valueLen = valueLen;
      if (valueLen > 0) cursor += valueLen;
      v.headerCount = varintAt(body);
      v.headersStart = cursor;
      if (v.headerCount < 0 || v.headerCount > end - cursor) throw new ProtocolDecodeError('bad header count');
      cursor = end;
      const offset = h.baseOffset + offsetDelta;
      if (offset < c.from || offset >= c.to) continue;
      v.offset = offset;
      v.timestamp = logAppend ? h.maxTimestamp : h.baseTimestamp + tsDelta;
      if (visit(v) === false) return false;
      // The visitor may have walked the headers (which moves the cursor).
      cursor = end;
    }
  }
  return true;
}

/** Rounds in flight ahead of the one being applied (each at most fetch.max.bytes). */
const PREFETCH_DEPTH = 2;

/**
 * Where each partition of a round continues (after its last batch), or null when the round
 * brought no records or an error (the chain stops; the next poll fetches from the positions).
 */
function nextOffsets(responses: RawResponse[]): Map<PartitionState, number> | null {
  const out = new Map<PartitionState, number>();
  let data = false;
  for (const { requested, body } of responses) {
    if (body.errorCode) return null;
    const byKey = new Map<string, PartitionState>();
    for (const p of requested.keys()) byKey.set(key(p.topic, p.partition), p);
    for (const t of body.responses) {
      for (const pr of t.partitions) {
        const p = byKey.get(key(t.topic ?? '', pr.partitionIndex));
        if (!p) continue;
        if (pr.errorCode) return null;
        let next = requested.get(p)!;
        const blob = pr.records;
        if (blob && blob.length > 0) {
          for (const batch of splitBatches(blob)) next = Math.max(next, nextOffsetOf(batch));
          data = true;
        }
        if (next < p.stopAt) out.set(p, next);
      }
    }
  }
  return data && out.size > 0 ? out : null;
}

const key = (topic: string, partition: number) => `${topic}\0${partition}`;

export class Fetcher {
  private readonly parts = new Map<string, PartitionState>();
  private readonly opts: Required<Omit<FetcherOptions, 'onGone' | 'onConnection'>> & Pick<FetcherOptions, 'onGone' | 'onConnection'>;
  private readonly admin: Admin;
  private closed = false;
  /** Bumped by every change of assignment, position or pause: a prefetch sent before it is dropped. */
  private epoch = 0;
  /** Rounds sent ahead, oldest first. */
  private prefetched: { epoch: number; settled: Promise<Settled> }[] = [];
  /**
   * The newest round sent ahead, arrived while PREFETCH_DEPTH rounds were out: the chain goes on
   * from where it ends once a poll takes a round (see prefetch).
   */
  private parked: { epoch: number; value: RawResponse[]; maxWaitMs: number } | null = null;
  /** Bumped by abandonPoll: a pollRaw under way then returns nothing and moves no position. */
  private abandoned = 0;
  /** While a pollRaw applies its answers: the positions before them (abandonPoll restores them). */
  private applying: (readonly [PartitionState, number])[] | null = null;
  /** The fetch in flight to each leader that no round has collected yet (see round). */
  private readonly inFlight = new Map<number, InFlightFetch>();
  /** Brokers whose last fetch failed on the connection (onConnection was told). */
  private readonly unreachable = new Set<number>();

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
      maxPollRecords: opts.maxPollRecords ?? Infinity,
      prefetch: opts.prefetch ?? false,
      checkCrcs: opts.checkCrcs ?? false,
      onReset: opts.onReset ?? (() => {}),
      onGone: opts.onGone,
      onConnection: opts.onConnection,
    };
    this.admin = new Admin(client);
  }

  /** When start-up lookups stop retrying a moving leader: default.api.timeout.ms from now (the client's connect timeout). */
  private lookupDeadline(): number {
    return Date.now() + this.client.connectTimeoutMs;
  }

  /**
   * Looks up one ListOffsets spec for a set of partitions; throws on the first error. A leader
   * that is moving (or not elected yet) is asked again until default.api.timeout.ms, as Kafka's
   * consumer retries its offset lookups.
   */
  private async offsets(parts: { topic: string; partition: number }[], timestamp: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (parts.length === 0) return out;
    const res = await this.admin.listOffsets(parts.map((p) => ({ ...p, timestamp })), this.opts.isolationLevel, this.lookupDeadline());
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
    this.epoch++;
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
      this.epoch++;
      this.parts.set(k, { topic: a.topic, partition: a.partition, position, end: -1, stopAt: a.stopAt ?? Infinity, paused: false });
    }
  }

  unassign(topic: string, partition: number): void {
    this.epoch++;
    this.parts.delete(key(topic, partition));
  }

  assignment(): { topic: string; partition: number; position: number; end: number }[] {
    return [...this.parts.values()].map(({ topic, partition, position, end }) => ({ topic, partition, position, end }));
  }

  seek(topic: string, partition: number, offset: number): void {
    const p = this.parts.get(key(topic, partition));
    if (p) p.position = offset;
    this.epoch++;
  }

  pause(topic: string, partition: number, paused = true): void {
    const p = this.parts.get(key(topic, partition));
    if (p) p.paused = paused;
    this.epoch++;
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
  async poll(options: { maxWaitMs?: number; abandonToken?: number } = {}): Promise<FetchedChunk[]> {
    const out: FetchedChunk[] = [];
    const chunks = await this.pollRaw(options);
    try {
      for (const c of chunks) {
        const records = decodeChunk(c);
        if (records.length > 0) out.push({ topic: c.topic, partition: c.partition, records });
      }
    } catch (e) {
      // None of the round's records are returned: their partitions go back to where the round
      // started, or a group would commit positions past records nobody saw.
      for (const c of chunks) this.seek(c.topic, c.partition, c.from);
      throw e;
    }
    return out;
  }

  /**
   * Like poll, but the batches stay undecoded (decoded lazily by decodeChunk or walkChunk) and,
   * with `prefetch`, the next rounds are already on their way when this returns. Positions
   * advance here, when a response is applied, never when it arrives: a response sent before a
   * seek, pause or (un)assignment, or for another offset than the position it would continue
   * from, is dropped.
   */
  async pollRaw(options: { maxWaitMs?: number; abandonToken?: number } = {}): Promise<RawChunk[]> {
    if (this.closed) return [];
    const abandoned = options.abandonToken ?? this.abandoned;
    const maxWaitMs = options.maxWaitMs ?? this.opts.maxWaitMs;
    if (this.prefetched.length > 0 && this.prefetched[0]!.epoch !== this.epoch) this.dropPrefetched();
    const pending = this.prefetched.shift();
    // A round taken makes room: the chain goes on from the round that arrived when there was none.
    const parked = this.parked;
    this.parked = null;
    if (parked && parked.epoch === this.epoch && !this.closed) this.continueChain(parked.value, parked.maxWaitMs);
    let responses: RawResponse[];
    if (pending) {
      const settled = await pending.settled;
      if ('error' in settled) {
        this.dropPrefetched();
        throw settled.error;
      }
      responses = settled.value;
    } else {
      responses = await this.round(this.active(), maxWaitMs);
    }
    if (this.abandoned !== abandoned) {
      // Rounds sent ahead continue from this one's end: dropped with it.
      this.epoch++;
      this.dropPrefetched();
      return [];
    }
    if (this.opts.checkCrcs) {
      try {
        for (const r of responses) this.assertRoundIntact(r);
      } catch (e) {
        // Rounds sent ahead of this one started past the corrupt batch: not to be applied.
        this.dropPrefetched();
        throw e;
      }
    }
    const out: RawChunk[] = [];
    const before = [...this.parts.values()].map((p) => [p, p.position] as const);
    // Applying may wait (an offset reset's lookup): abandonPoll meanwhile puts the positions back
    // at once, before a close could commit them, and apply moves no more.
    this.applying = before;
    try {
      for (const r of responses) await this.apply(r, out, abandoned);
    } catch (e) {
      // An error in one partition's answer (or a failed offset reset) fails the whole poll, so
      // what the round already applied to other partitions is undone: their records are not
      // returned, and their positions must not pass them (a group would commit them unseen).
      for (const [p, position] of before) p.position = position;
      this.epoch++;
      this.dropPrefetched();
      throw e;
    } finally {
      this.applying = null;
    }
    // Abandoned while applying: abandonPoll put the positions back.
    if (this.abandoned !== abandoned) return [];
    if (this.opts.prefetch && !this.closed && this.prefetched.length === 0) this.prefetch(this.active(), maxWaitMs, null);
    return out;
  }

  /**
   * The poll under way (if any) returns nothing and moves no position, whenever its answers
   * arrive: a consumer told to stop does not wait for it, and what it fetched, never processed,
   * must not be committed.
   */
  abandonPoll(): void {
    this.abandoned++;
    if (this.applying) for (const [p, position] of this.applying) p.position = position;
    this.epoch++;
    this.dropPrefetched();
  }

  /**
   * Which abandonPoll a poll belongs to: a caller that starts a poll with work of its own first
   * (a group consumer joining) takes it at its start and passes it as pollRaw's abandonToken.
   */
  abandonToken(): number {
    return this.abandoned;
  }

  /**
   * Sends a round ahead. While rounds bring data, the next one is sent as soon as one arrives,
   * from the offsets it ends at (up to PREFETCH_DEPTH rounds in flight), so the broker streams
   * as librdkafka's fetcher makes it do; a round that finds nothing new ends the chain (no stack
   * of long polls).
   */
  private prefetch(active: PartitionState[], maxWaitMs: number, offsets: Map<PartitionState, number> | null): void {
    if (active.length === 0) return;
    const epoch = this.epoch;
    const settled: Promise<Settled> = this.round(active, maxWaitMs, offsets).then(
      (value) => {
        if (this.epoch === epoch && !this.closed) {
          // With PREFETCH_DEPTH rounds out (this one among them), the chain waits for a poll to
          // take one (pollRaw goes on from `parked`). It used to stop there: the next round then
          // went out only once the poll had applied both, the broker idle meanwhile.
          if (this.prefetched.length < PREFETCH_DEPTH) this.continueChain(value, maxWaitMs);
          else this.parked = { epoch, value, maxWaitMs };
        }
        return { value };
      },
      (error: unknown) => ({ error }),
    );
    this.prefetched.push({ epoch, settled });
  }

  /** Sends the round after `value` (from the offsets it ends at), unless it brought nothing new. */
  private continueChain(value: RawResponse[], maxWaitMs: number): void {
    const next = nextOffsets(value);
    if (next) this.prefetch([...next.keys()], maxWaitMs, next);
  }

  /** Forgets the rounds sent ahead (and where the chain would go on). */
  private dropPrefetched(): void {
    this.prefetched = [];
    this.parked = null;
  }

  /**
   * Sends one Fetch to each leader of `active` that has none in flight (without applying the
   * answers), and returns as soon as any leader has answered, with every answer that has arrived
   * by then. The other fetches stay in flight for later rounds, which collect them: as Kafka's
   * consumer keeps at most one fetch per node and returns what any node answered, so records on
   * one leader are not held back by another leader's long poll (fetch.max.wait.ms, 500 ms by
   * default, on a partition without new records). A partition without a leader is skipped, and
   * its leader looked up again only after retry.backoff.ms (each lookup is a Metadata request).
   * When nothing could be fetched (no leader, or none reachable) the round waits retry.backoff.ms
   * before returning, as Kafka's consumer backs off: a poll loop would otherwise call again at
   * once, a busy loop for as long as the partition has no leader.
   */
  private async round(active: PartitionState[], maxWaitMs: number, offsets: Map<PartitionState, number> | null = null): Promise<RawResponse[]> {
    if (active.length === 0) return [];
    const byLeader = new Map<number, PartitionState[]>();
    for (const p of active) {
      if (p.leaderRetryAt !== undefined && Date.now() < p.leaderRetryAt) continue;
      let leader: number;
      try {
        leader = await this.client.leaderFor(p.topic, p.partition);
        p.leaderRetryAt = undefined;
      } catch (e) {
        if (e instanceof KafkaProtocolError && e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && this.opts.onGone) {
          // Only the assignment this round was for: a prefetched round may be older than a new one.
          if (this.parts.get(key(p.topic, p.partition)) === p) {
            this.unassign(p.topic, p.partition);
            this.opts.onGone({ topic: p.topic, partition: p.partition, position: p.position });
          }
          continue;
        }
        if (!(e instanceof KafkaProtocolError && e.code === ErrorCode.LEADER_NOT_AVAILABLE)) throw e;
        p.leaderRetryAt = Date.now() + this.client.retryBackoffMs;
        continue;
      }
      if (p.preferred && p.preferred.until > Date.now()) leader = p.preferred.id;
      else p.preferred = undefined;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    for (const [leader, ps] of byLeader) {
      if (this.inFlight.has(leader)) continue;
      // `outcome` never rejects: an answer nobody collects (the fetcher closed meanwhile) is no unhandled rejection.
      const sent: InFlightFetch = {
        settled: null,
        outcome: this.fetchFrom(leader, ps, maxWaitMs, offsets).then(
          (value) => void (sent.settled = { value }),
          (error: unknown) => void (sent.settled = { error }),
        ),
      };
      this.inFlight.set(leader, sent);
    }
    for (;;) {
      if (this.inFlight.size === 0) {
        await new Promise((r) => setTimeout(r, this.client.retryBackoffMs));
        return [];
      }
      await Promise.race([...this.inFlight.values()].map((f) => f.outcome));
      const answered: RawResponse[] = [];
      let failure: { error: unknown } | null = null;
      for (const [leader, f] of this.inFlight) {
        if (!f.settled) continue;
        this.inFlight.delete(leader);
        if ('error' in f.settled) failure ??= f.settled;
        else if (f.settled.value) answered.push(f.settled.value);
      }
      if (failure) throw failure.error;
      // Only unreachable leaders answered so far (null): wait for the others.
      if (answered.length > 0) return answered;
    }
  }

  private async fetchFrom(leader: number, ps: PartitionState[], maxWaitMs: number, offsets: Map<PartitionState, number> | null): Promise<RawResponse | null> {
    const topics = new Map<string, PartitionState[]>();
    const requested = new Map<PartitionState, number>();
    for (const p of ps) {
      topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
      requested.set(p, offsets?.get(p) ?? p.position);
    }
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
            partitions: list.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: requested.get(p)!, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: this.opts.maxPartitionBytes })),
          })),
          forgottenTopicsData: [],
          rackId: this.opts.rackId,
        },
        { timeoutMs: this.client.requestTimeoutMs + maxWaitMs },
      ));
    } catch (e) {
      if (e instanceof ConnectionError || e instanceof RequestTimeoutError) {
        // A fetch cut short by our own close is not a broker going away.
        if (!this.closed && !this.unreachable.has(leader)) {
          this.unreachable.add(leader);
          this.opts.onConnection?.({ broker: leader, lost: true, error: e });
        }
        for (const p of ps) p.preferred = undefined;
        await this.client.refreshMetadata([...topics.keys()]).catch(() => undefined);
        return null;
      }
      throw e;
    }
    if (this.unreachable.delete(leader)) this.opts.onConnection?.({ broker: leader, lost: false });
    return { requested, body };
  }

  /**
   * check.crcs: the batches `apply` would return, checked before any response of the round is
   * applied, so a corrupt batch fails the poll with every partition's position where it was (no
   * records of the round are returned, and none are skipped).
   */
  private assertRoundIntact({ requested, body }: RawResponse): void {
    for (const t of body.responses) {
      for (const pr of t.partitions) {
        const p = this.answered(requested, t.topic, pr.partitionIndex);
        if (!p || pr.errorCode || !pr.records) continue;
        for (const batch of splitBatches(pr.records)) {
          const h = readBatchHeader(batch);
          if (h.baseOffset + h.lastOffsetDelta >= p.position) assertBatchIntact(p.topic, p.partition, batch, h);
        }
      }
    }
  }

  /**
   * The partition an answer is for, unless it was unassigned, paused or moved (seek) since the
   * request was sent: then the answer is not for its position.
   */
  private answered(requested: Map<PartitionState, number>, topic: string | null | undefined, partition: number): PartitionState | undefined {
    const p = this.parts.get(key(topic ?? '', partition));
    return p && !p.paused && requested.get(p) === p.position ? p : undefined;
  }

  /** Applies one response to the partitions' state; appends what is to be returned to `out`. */
  private async apply({ requested, body }: RawResponse, out: RawChunk[], abandoned: number): Promise<void> {
    if (body.errorCode) throw new KafkaProtocolError(body.errorCode);
    for (const t of body.responses) {
      for (const pr of t.partitions) {
        if (this.abandoned !== abandoned) return;
        const p = this.answered(requested, t.topic, pr.partitionIndex);
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
        const chunk = this.select(p, pr.records, pr.abortedTransactions ?? null);
        if (chunk) out.push(chunk);
      }
    }
  }

  /**
   * Picks the batches to return from a partition's records and advances its position past them;
   * control batches and (read_committed) aborted transactions are skipped on their headers.
   * Nothing moves the position past the stop offset: the chunk ends there, so a marker or an
   * aborted batch after it does not let the records between the stop offset and it through.
   */
  private select(p: PartitionState, blob: Buffer | null, aborted: { producerId: number; firstOffset: number }[] | null): RawChunk | null {
    if (!blob || blob.length === 0) return null;
    const from = p.position;
    const batches: { batch: Buffer; header: BatchHeader }[] = [];
    const abortedList = this.opts.isolationLevel === 1 && aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : [];
    const abortedProducers = new Set<number>();
    for (const batch of splitBatches(blob)) {
      const h = readBatchHeader(batch);
      const lastOffset = h.baseOffset + h.lastOffsetDelta;
      if (lastOffset < p.position) continue;
      if (h.baseOffset >= p.stopAt) break;
      const next = Math.min(p.stopAt, lastOffset + 1);
      while (abortedList.length && abortedList[0]!.firstOffset <= lastOffset) abortedProducers.add(abortedList.shift()!.producerId);
      if (isControlBatch(h.attributes)) {
        // An ABORT or COMMIT marker ends that producer's transaction.
        abortedProducers.delete(h.producerId);
      } else if (!(isTransactionalBatch(h.attributes) && abortedProducers.has(h.producerId))) {
        batches.push({ batch, header: h });
      }
      p.position = Math.max(p.position, next);
    }
    if (batches.length === 0) return null;
    return { topic: p.topic, partition: p.partition, from, to: p.position, batches };
  }

  /**
   * auto.offset.reset for positions outside their logs: none fails with Kafka's message; earliest
   * or latest moves them there (telling onReset). A partition whose lookup fails keeps its
   * position, and its next fetch reports the error.
   */
  private async reset(parts: PartitionState[]): Promise<void> {
    const policy = this.opts.autoOffsetReset;
    if (policy === 'none') throw new KafkaProtocolError(ErrorCode.OFFSET_OUT_OF_RANGE, `Offset ${parts[0]!.position} is out of range for ${parts[0]!.topic}-${parts[0]!.partition}`);
    // In read_committed "latest" is the last stable offset, as the Java consumer resets to.
    const timestamp = policy === 'earliest' ? OffsetSpec.earliest : OffsetSpec.latest;
    const found = await this.admin.listOffsets(parts.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })), this.opts.isolationLevel);
    for (const r of found) {
      const p = this.parts.get(key(r.topic, r.partition));
      if (r.error || !p) continue;
      this.opts.onReset({ topic: p.topic, partition: p.partition, from: p.position, to: r.offset, policy });
      p.position = r.offset;
    }
    this.epoch++;
  }

  /**
   * Resets now, as their first fetch would, the positions their logs do not hold (an --offset past
   * the end): a read bounded by the log's end may otherwise stop before any fetch is sent.
   */
  async resetOutOfRange(): Promise<void> {
    const parts = [...this.parts.values()];
    // The bounds a fetch checks: the log start and the high watermark (not the last stable offset).
    const until = this.lookupDeadline();
    const bounds = async (timestamp: number) => new Map((await this.admin.listOffsets(parts.map((p) => ({ topic: p.topic, partition: p.partition, timestamp })), 0, until)).filter((r) => !r.error).map((r) => [key(r.topic, r.partition), r.offset]));
    const [first, end] = [await bounds(OffsetSpec.earliest), await bounds(OffsetSpec.latest)];
    const outside = parts.filter((p) => {
      const [lo, hi] = [first.get(key(p.topic, p.partition)), end.get(key(p.topic, p.partition))];
      return lo !== undefined && hi !== undefined && (p.position < lo || p.position > hi);
    });
    if (outside.length > 0) await this.reset(outside);
  }

  private async handlePartitionError(p: PartitionState, code: number) {
    switch (code) {
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        return this.reset([p]);
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
    this.epoch++;
    this.dropPrefetched();
    this.inFlight.clear();
  }
}
