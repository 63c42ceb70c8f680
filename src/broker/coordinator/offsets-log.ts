/**
 * The group coordinator's side of __consumer_offsets (Kafka's GroupMetadataManager loading and
 * storing): which partitions this broker serves (the ones it leads), replaying a partition's
 * offset and group-metadata records when it becomes ours, and appending commits, group metadata
 * and tombstones in Kafka's record formats.
 */
import type { GroupMetadataValueData } from '../../protocol/data/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeOffsetsRecord, groupKey, groupValue, offsetKey, offsetValue } from '../../protocol/consumer-offsets.js';
import { encodeBatch, decodeBatchRecords, isControlBatch, isTransactionalBatch, readBatchHeader } from '../../protocol/record-batch.js';
import { ControlType, decodeEndTxnMarker } from '../../protocol/control-records.js';
import { readBatches } from '../../storage/log-store.js';
import { offsetsPartitionFor } from '../../util/java-hash.js';
import type { Logger } from '../../util/logger.js';
import { OFFSETS_TOPIC } from '../controller.js';
import type { ClassicGroup } from './group.js';
import type { CommittedOffset } from './offset-store.js';
import type { OffsetsLogPort } from './ports.js';

/** What replaying one partition left for one group: its live offsets and last metadata (null = tombstone). */
export interface ReplayedGroup {
  offsets: Map<string, CommittedOffset> | undefined;
  metadata: GroupMetadataValueData | null | undefined;
  /** Transactional offsets whose transaction has no marker yet: producer id → partition key → offset. */
  pending?: Map<number, Map<string, CommittedOffset>>;
}

type OffsetsRecord = { key: Buffer; value: Buffer | null };

const key = (topic: string, partition: number) => `${topic}\0${partition}`;
const EMPTY = Buffer.alloc(0);

export class OffsetsLog {
  /** __consumer_offsets partitions this coordinator has loaded (and so serves). */
  private readonly owned = new Set<number>();
  /** Partitions whose load was started (owned once it ended well), until given up. */
  private readonly tried = new Set<number>();

  constructor(
    private readonly port: OffsetsLogPort,
    private readonly log: Logger,
  ) {}

  private partitionCount(): number {
    return this.port.metadata.topic(OFFSETS_TOPIC)?.partitions.length ?? this.port.config.offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitionCount());
  }

  /**
   * 0 when this broker coordinates the group; COORDINATOR_LOAD_IN_PROGRESS when it leads the
   * group's partition but has not loaded it yet (a broker starting, or one just made leader), as
   * Kafka answers while its GroupMetadataManager loads, so clients wait instead of looking for
   * another coordinator; else NOT_COORDINATOR (or COORDINATOR_NOT_AVAILABLE, no topic yet).
   */
  coordinatorError(groupId: string): number {
    const t = this.port.metadata.topic(OFFSETS_TOPIC);
    if (!t) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const p = this.partitionFor(groupId);
    if (this.owned.has(p)) return 0;
    // Led but never tried: loading is still to come. A load that failed is NOT_COORDINATOR, as
    // Kafka answers a failed one, not "loading" for ever.
    const leads = t.partitions[p]?.leader === this.port.id && this.port.replica(OFFSETS_TOPIC, p) !== undefined;
    return leads && !this.tried.has(p) ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NOT_COORDINATOR;
  }

  ownedPartitions(): number[] {
    return [...this.owned];
  }

  /**
   * Loads the offsets partitions this broker leads and unloads the ones it lost: `load` gets each
   * newly led partition's replayed groups, `unload` each partition given up.
   */
  syncOwnership(load: (partition: number, groups: Map<string, ReplayedGroup>) => void, unload: (partition: number) => void): void {
    const t = this.port.metadata.topic(OFFSETS_TOPIC);
    if (!t) return;
    t.partitions.forEach((p, i) => {
      const leads = p.leader === this.port.id && this.port.replica(OFFSETS_TOPIC, i) !== undefined;
      if (leads && !this.owned.has(i)) {
        this.tried.add(i);
        const started = Date.now();
        const { groups, records } = this.replay(i);
        load(i, groups);
        this.owned.add(i);
        if (records > 0) this.log.info(`Loaded ${records} records of ${OFFSETS_TOPIC}-${i} in ${Date.now() - started} ms`);
      } else if (!leads && this.owned.has(i)) this.release(i, unload);
      else if (!leads) this.tried.delete(i);
    });
  }

  /** Stops serving a partition. */
  release(partition: number, unload: (partition: number) => void): void {
    this.owned.delete(partition);
    this.tried.delete(partition);
    unload(partition);
  }

  /** Reads a partition from its log start: the last word on each of its groups. */
  private replay(partition: number): { groups: Map<string, ReplayedGroup>; records: number } {
    const replica = this.port.replica(OFFSETS_TOPIC, partition)!;
    const offsets = new Map<string, Map<string, CommittedOffset>>();
    const metadata = new Map<string, GroupMetadataValueData | null>();
    const start = replica.logStartOffset();
    let records = 0;
    // Transactional offsets wait for their producer's marker: producer id → group → key → offset.
    const pending = new Map<number, Map<string, Map<string, CommittedOffset>>>();
    const apply = (group: string, k: string, value: CommittedOffset | null) => {
      let m = offsets.get(group);
      if (!m) offsets.set(group, (m = new Map()));
      if (value) m.set(k, value);
      else m.delete(k);
    };
    for (const batch of readBatches(replica.log, start, replica.logEndOffset())) {
      const h = readBatchHeader(batch);
      if (isControlBatch(h.attributes)) {
        const [r] = decodeBatchRecords(batch, h);
        const marker = r ? decodeEndTxnMarker(r.key, r.value) : null;
        const done = pending.get(h.producerId);
        if (marker && done) {
          pending.delete(h.producerId);
          if (marker.type === ControlType.Commit) for (const [group, m] of done) for (const [k, v] of m) apply(group, k, v);
        }
        continue;
      }
      const txn = isTransactionalBatch(h.attributes) ? h.producerId : -1;
      for (const r of decodeBatchRecords(batch, h)) {
        if (r.offset < start || !r.key) continue;
        let rec;
        try {
          rec = decodeOffsetsRecord(r.key, r.value);
        } catch (e) {
          this.log.warn(`Skipping an undecodable record at ${OFFSETS_TOPIC}-${partition}@${r.offset}: ${(e as Error).message}`);
          continue;
        }
        if (!rec) continue;
        records++;
        if (rec.kind === 'offset') {
          const value = rec.value ? { ...rec.value, topic: rec.topic, partition: rec.partition } : null;
          if (txn >= 0 && value) {
            let groups = pending.get(txn);
            if (!groups) pending.set(txn, (groups = new Map()));
            let m = groups.get(rec.group);
            if (!m) groups.set(rec.group, (m = new Map()));
            m.set(key(rec.topic, rec.partition), value);
          } else apply(rec.group, key(rec.topic, rec.partition), value);
        } else metadata.set(rec.group, rec.value);
      }
    }
    const groups = new Map<string, ReplayedGroup>();
    const pendingGroups = new Set([...pending.values()].flatMap((g) => [...g.keys()]));
    for (const id of new Set([...offsets.keys(), ...metadata.keys(), ...pendingGroups])) {
      // Records of groups that hash elsewhere (the partition count changed) are not ours.
      if (this.partitionFor(id) !== partition) continue;
      const mine = new Map<number, Map<string, CommittedOffset>>();
      for (const [pid, g] of pending) if (g.has(id)) mine.set(pid, g.get(id)!);
      groups.set(id, { offsets: offsets.get(id), metadata: metadata.get(id), ...(mine.size ? { pending: mine } : {}) });
    }
    return { groups, records };
  }

  // ---- writing ----

  /** Appends records to the group's offsets partition; returns Kafka's error code. */
  private async write(groupId: string, records: OffsetsRecord[], txn?: { producerId: number; producerEpoch: number }): Promise<number> {
    if (records.length === 0) return 0;
    // Transactional offsets are written as the producer's transactional records (no sequence:
    // the coordinator's appends skip the sequence checks, as Kafka's AppendOrigin.Coordinator).
    const batch = encodeBatch(
      records.map((r) => ({ key: r.key, value: r.value })),
      txn ? { producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: -1, transactional: true } : {},
    );
    const out = await this.port.appendAsLeader(OFFSETS_TOPIC, this.partitionFor(groupId), batch, -1, 30_000);
    // As Kafka: a failed log dir (KAFKA_STORAGE_ERROR) sends the client to look for the coordinator again.
    if (out.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || out.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || out.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) {
      return ErrorCode.NOT_COORDINATOR;
    }
    if (out.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS || out.errorCode === ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND || out.errorCode === ErrorCode.REQUEST_TIMED_OUT) {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return out.errorCode;
  }

  /** Stores the group's metadata (generation, protocol, leader, members and assignments). */
  writeGroup(g: ClassicGroup): Promise<number> {
    return this.write(g.groupId, [groupMetadataRecord(g)]);
  }

  writeOffsets(groupId: string, entries: CommittedOffset[]): Promise<number> {
    return this.write(
      groupId,
      entries.map((e) => ({ key: offsetKey(groupId, e.topic, e.partition), value: offsetValue(e) })),
    );
  }

  /** TxnOffsetCommit: the offsets as transactional records of the producer, pending until its marker. */
  writeTxnOffsets(groupId: string, producerId: number, producerEpoch: number, entries: CommittedOffset[]): Promise<number> {
    return this.write(
      groupId,
      entries.map((e) => ({ key: offsetKey(groupId, e.topic, e.partition), value: offsetValue(e) })),
      { producerId, producerEpoch },
    );
  }

  /** Tombstones for the given offsets and, with `group`, for the group's metadata too. */
  writeTombstones(groupId: string, offsets: { topic: string; partition: number }[], group = false): Promise<number> {
    const records: OffsetsRecord[] = offsets.map((o) => ({ key: offsetKey(groupId, o.topic, o.partition), value: null }));
    if (group) records.push({ key: groupKey(groupId), value: null });
    return this.write(groupId, records);
  }
}

function groupMetadataRecord(g: ClassicGroup): OffsetsRecord {
  const protocol = g.protocolName;
  return {
    key: groupKey(g.groupId),
    value: groupValue({
      protocolType: g.protocolType ?? '',
      generation: g.generationId,
      protocol,
      leader: g.leaderId,
      currentStateTimestamp: g.stateTimestamp,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol ? g.metadataFor(m, protocol) : EMPTY,
        assignment: m.assignment,
      })),
    }),
  };
}
