/**
 * Takes one lag snapshot with Kafka's own APIs only, so it works against the local daemon and any
 * Kafka cluster: ListGroups, DescribeGroups (state, members, assignments), OffsetFetch (committed
 * offsets), ListOffsets (high watermarks) and Fetch (the timestamp of the record at each committed
 * offset, for time lag).
 */
import { Admin, OffsetSpec } from '../client/admin.js';
import { ConnectionError, RequestTimeoutError, type KafkaClient } from '../client/client.js';
import { GroupAdmin, type GroupDescription } from '../client/groups.js';
import { Fetch, type FetchResponse } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { BATCH_HEADER_SIZE, batchSizeAt, decodeBatchRecords, hasDeleteHorizon, isControlBatch, readBatchHeader, timestampTypeOf } from '../protocol/record-batch.js';
import type { GroupSnapshot, PartitionSnapshot, Snapshot } from './monitor.js';

const key = (topic: string, partition: number) => `${topic}\0${partition}`;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class LagCollector {
  private readonly groups: GroupAdmin;
  private readonly admin: Admin;
  /** Timestamps of records by topic, partition and offset: a record's timestamp never changes. */
  private readonly timestamps = new Map<string, number>();

  constructor(
    private readonly client: KafkaClient,
    private readonly now: () => number = Date.now,
  ) {
    this.groups = new GroupAdmin(client);
    this.admin = new Admin(client);
  }

  /** One snapshot of the named groups, or of every consumer group when `groupIds` is null. */
  async collect(groupIds: string[] | null): Promise<Snapshot> {
    const ids = groupIds ?? (await this.groups.listGroups()).filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
    const descriptions = await mapLimit(ids, 16, async (id) => (await this.groups.describeGroups([id]))[0]!);
    const live = descriptions.filter((d) => d.state !== 'Dead');
    const missing = descriptions.filter((d) => d.state === 'Dead').map((d) => d.groupId);
    const committed = await mapLimit(live, 16, (d) => this.groups.fetchOffsets(d.groupId));

    const groups: GroupSnapshot[] = live.map((d, i) => ({
      group: d.groupId,
      state: d.state,
      members: d.members.length,
      partitions: partitionsOf(d, committed[i]!),
    }));
    const all = new Map<string, { topic: string; partition: number }>();
    for (const g of groups) for (const p of g.partitions) all.set(key(p.topic, p.partition), p);
    // Partitions whose topic (or the partition itself) does not exist: a deleted topic's, while a
    // member still owns them or the group keeps their offsets.
    const unknown = new Set<string>();
    const ends = await this.offsets([...all.values()], OffsetSpec.latest, unknown);
    // Where the log starts matters only without a committed offset: are records waiting?
    const uncommitted = new Map<string, { topic: string; partition: number }>();
    for (const g of groups) for (const p of g.partitions) if (p.committed === null && ends.has(key(p.topic, p.partition))) uncommitted.set(key(p.topic, p.partition), p);
    const starts = await this.offsets([...uncommitted.values()], OffsetSpec.earliest);
    const behind = new Map<string, { topic: string; partition: number; offset: number }>();
    for (const g of groups) {
      for (const p of g.partitions) {
        p.logEnd = ends.get(key(p.topic, p.partition)) ?? null;
        if (p.logEnd === null && unknown.has(key(p.topic, p.partition))) p.unknownTopic = true;
        if (p.committed === null) p.logStart = starts.get(key(p.topic, p.partition)) ?? null;
        if (p.committed !== null && p.logEnd !== null && p.committed < p.logEnd) behind.set(`${key(p.topic, p.partition)}@${p.committed}`, { topic: p.topic, partition: p.partition, offset: p.committed });
      }
    }
    await this.fetchTimestamps([...behind.values()].filter((b) => !this.timestamps.has(`${key(b.topic, b.partition)}@${b.offset}`)));
    for (const g of groups) {
      for (const p of g.partitions) {
        if (p.committed !== null) p.committedTimestamp = this.timestamps.get(`${key(p.topic, p.partition)}@${p.committed}`) ?? null;
      }
    }
    // Old entries are of no further use once the group has moved on.
    if (this.timestamps.size > 4 * Math.max(behind.size, 1000)) {
      for (const k of this.timestamps.keys()) if (!behind.has(k)) this.timestamps.delete(k);
    }
    return { at: this.now(), groups, missing };
  }

  /**
   * The offsets at `spec` of the partitions that answer. A partition without a leader, or whose
   * leader cannot be reached, is left out (its offset unknown) rather than failing the sample; so
   * is one that does not exist (its topic deleted), named in `unknown` when given.
   */
  private async offsets(partitions: { topic: string; partition: number }[], spec: number, unknown?: Set<string>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const take = (results: { topic: string; partition: number; offset: number; error: unknown }[]) => {
      for (const r of results) {
        if (!r.error && r.offset >= 0) out.set(key(r.topic, r.partition), r.offset);
        else if ((r.error as { code?: number } | null)?.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) unknown?.add(key(r.topic, r.partition));
      }
    };
    if (partitions.length === 0) return out;
    const requests = partitions.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: spec }));
    try {
      take(await this.admin.listOffsets(requests));
      return out;
    } catch (e) {
      if (!(e instanceof ConnectionError || e instanceof RequestTimeoutError)) throw e;
    }
    // A leader did not answer (it stopped, and the metadata has not caught up yet): ask each
    // leader on its own, so the others' partitions are still measured.
    // One metadata request for all the topics, then the leaders from it (leaderFor would ask
    // again for each partition that has none).
    await this.client.refreshMetadata([...new Set(requests.map((r) => r.topic))]).catch(() => undefined);
    const byLeader = new Map<number, typeof requests>();
    for (const r of requests) {
      const leader = this.client.cluster.topics.get(r.topic)?.partitions.find((p) => p.partition === r.partition)?.leader ?? -1;
      if (leader >= 0 && this.client.cluster.brokers.has(leader)) byLeader.set(leader, [...(byLeader.get(leader) ?? []), r]);
    }
    await Promise.all(
      [...byLeader.values()].map(async (list) => {
        try {
          take(await this.admin.listOffsets(list));
        } catch (e) {
          if (!(e instanceof ConnectionError || e instanceof RequestTimeoutError)) throw e;
        }
      }),
    );
    return out;
  }

  /**
   * Reads the record at each offset with Fetch and remembers its timestamp. Each partition asks for
   * a little data only; a broker that returns whole batches fills the response budget quickly, so
   * partitions left out are asked again in a few more rounds.
   */
  private async fetchTimestamps(wanted: { topic: string; partition: number; offset: number }[]): Promise<void> {
    let pending = wanted;
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      const byLeader = new Map<number, typeof pending>();
      for (const w of pending) {
        try {
          const leader = await this.client.leaderFor(w.topic, w.partition);
          byLeader.set(leader, [...(byLeader.get(leader) ?? []), w]);
        } catch {
          /* no leader right now: time lag stays unknown this round */
        }
      }
      await Promise.all(
        [...byLeader].flatMap(onePerPartition).map(async ([leader, list]) => {
          const topics = new Map<string, typeof list>();
          for (const w of list) topics.set(w.topic, [...(topics.get(w.topic) ?? []), w]);
          // A leader that cannot be reached leaves these time lags unknown; it fails no sample.
          let body: FetchResponse;
          try {
            ({ body } = await this.client.send(leader, Fetch, {
              replicaId: -1,
              maxWaitMs: 0,
              minBytes: 0,
              maxBytes: 4 << 20,
              isolationLevel: 0,
              sessionId: 0,
              sessionEpoch: -1,
              topics: [...topics].map(([topic, ws]) => ({
                topic,
                partitions: ws.map((w) => ({ partition: w.partition, currentLeaderEpoch: -1, fetchOffset: w.offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 })),
              })),
              forgottenTopicsData: [],
              rackId: '',
            }));
          } catch (e) {
            if (e instanceof ConnectionError || e instanceof RequestTimeoutError) return;
            throw e;
          }
          for (const t of body.responses) {
            for (const pr of t.partitions) {
              const w = list.find((x) => x.topic === t.topic && x.partition === pr.partitionIndex);
              if (!w || pr.errorCode || !pr.records) continue;
              const ts = timestampAt(pr.records, w.offset);
              if (ts !== null) this.timestamps.set(`${key(w.topic, w.partition)}@${w.offset}`, ts);
            }
          }
        }),
      );
      pending = pending.filter((w) => !this.timestamps.has(`${key(w.topic, w.partition)}@${w.offset}`));
    }
  }
}

/**
 * Splits one leader's fetch positions into requests that name each partition once: a Fetch
 * response says which partition its data is from, not which offset was asked for, so two groups
 * at different offsets of one partition in one request got each other's timestamps.
 */
function onePerPartition<W extends { topic: string; partition: number }>([leader, list]: [number, W[]]): [number, W[]][] {
  const requests: W[][] = [];
  const seen = new Map<string, number>();
  for (const w of list) {
    const k = key(w.topic, w.partition);
    const i = seen.get(k) ?? 0;
    seen.set(k, i + 1);
    (requests[i] ??= []).push(w);
  }
  return requests.map((r) => [leader, r]);
}

/** The partitions a group is judged on: those it has committed offsets for, and those assigned to it. */
function partitionsOf(d: GroupDescription, committed: { topic: string; partition: number; offset: number }[]): PartitionSnapshot[] {
  const out = new Map<string, PartitionSnapshot>();
  for (const c of committed) {
    if (c.offset < 0) continue;
    out.set(key(c.topic, c.partition), { topic: c.topic, partition: c.partition, committed: c.offset, logEnd: null, owner: null, committedTimestamp: null });
  }
  for (const m of d.members) {
    for (const a of m.assignment) {
      for (const partition of a.partitions) {
        const k = key(a.topic, partition);
        const p = out.get(k) ?? { topic: a.topic, partition, committed: null, logEnd: null, owner: null, committedTimestamp: null };
        p.owner = { memberId: m.memberId, clientId: m.clientId, host: m.clientHost };
        out.set(k, p);
      }
    }
  }
  return [...out.values()];
}

/**
 * The timestamp of the record at `offset` in fetched data. A whole batch is decoded for the exact
 * record; a batch cut short by the size limit still has its header, whose first timestamp bounds
 * the record's from below (so the time lag shown is never too small).
 */
export function timestampAt(records: Buffer, offset: number): number | null {
  let at = 0;
  while (at + BATCH_HEADER_SIZE <= records.length) {
    const h = readBatchHeader(records, at);
    const size = batchSizeAt(records, at);
    if (h.magic !== 2) return null;
    const last = h.baseOffset + h.lastOffsetDelta;
    if (last >= offset && !isControlBatch(h.attributes)) {
      if (timestampTypeOf(h.attributes) === 'LogAppendTime') return h.maxTimestamp;
      // A cleaned batch's base timestamp may be its delete horizon (KIP-534), no record's time.
      const first = hasDeleteHorizon(h.attributes) ? null : h.baseTimestamp;
      if (at + size > records.length) return first;
      const batch = records.subarray(at, at + size);
      const r = decodeBatchRecords(batch, h).find((x) => x.offset >= offset);
      return r ? r.timestamp : first;
    }
    at += size;
  }
  return null;
}
