/**
 * The registry's storage: the `_schemas` topic of the daemon's own cluster (1 partition,
 * replication factor min(3, brokers), cleanup.policy=compact), written through the broker's normal
 * leader append path with acks=all, read back from the leader's replica up to the high watermark.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { decodeBatchRecords, encodeBatch } from '../../protocol/record-batch.js';
import { readBatches } from '../../storage/log-store.js';
import type { KafkaCluster } from '../cluster.js';
import { SCHEMAS_TOPIC, type RawRecord } from './records.js';

/** What the registry needs from its storage. */
export interface SchemasLog {
  /** Appends records durably (acks=all); throws a message for the client otherwise. */
  append(records: RawRecord[]): Promise<void>;
  /** Every record from the log start to the high watermark. */
  readAll(): Promise<RawRecord[]>;
}

const RETRIABLE = new Set<number>([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.KAFKA_STORAGE_ERROR]);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ClusterSchemasLog implements SchemasLog {
  constructor(
    private readonly cluster: KafkaCluster,
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * Creates `_schemas` when missing. Confluent's registry does so on start; this one waits for
   * its first write, so a daemon whose registry is never used lists no extra topic.
   */
  ensureTopic(): void {
    if (this.cluster.metadata.topic(SCHEMAS_TOPIC)) return;
    const live = this.cluster.brokers().filter((b) => this.cluster.isLive(b.id)).length;
    const out = this.cluster.controller.createTopic(
      { name: SCHEMAS_TOPIC, numPartitions: 1, replicationFactor: Math.min(3, Math.max(1, live)), assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] },
      false,
    );
    if (out.error.code !== 0 && out.error.code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new Error(`Cannot create ${SCHEMAS_TOPIC}: ${out.error.message ?? `error ${out.error.code}`}`);
  }

  /** The broker leading `_schemas`-0 and its replica there, once there is one (waits up to the timeout). */
  private async leader() {
    const deadline = Date.now() + this.timeoutMs;
    let last = 'no leader';
    for (;;) {
      const state = this.cluster.metadata.topic(SCHEMAS_TOPIC)?.partitions[0];
      const broker = state && state.leader >= 0 ? this.cluster.broker(state.leader) : undefined;
      if (broker && this.cluster.isLive(broker.id)) {
        const found = broker.leaderFor(SCHEMAS_TOPIC, 0);
        if (!('error' in found)) return { broker, replica: found.replica };
        last = `error ${found.error}`;
      } else last = state ? `leader ${state.leader} not available` : `${SCHEMAS_TOPIC} does not exist`;
      if (Date.now() > deadline) throw new Error(`The ${SCHEMAS_TOPIC} topic has no available leader (${last})`);
      await pause(20);
    }
  }

  async append(records: RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.ensureTopic();
    const batch = encodeBatch(records.map((r) => ({ key: r.key, value: r.value })));
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const { broker } = await this.leader();
      const out = await broker.appendAsLeader(SCHEMAS_TOPIC, 0, batch, -1, Math.max(1, deadline - Date.now()));
      if (out.errorCode === 0) return;
      if (!RETRIABLE.has(out.errorCode) || Date.now() > deadline) throw new Error(`Writing to ${SCHEMAS_TOPIC} failed: ${out.errorMessage ?? `error code ${out.errorCode}`}`);
      await pause(20);
    }
  }

  async readAll(): Promise<RawRecord[]> {
    if (!this.cluster.metadata.topic(SCHEMAS_TOPIC)) return [];
    const { replica } = await this.leader();
    const out: RawRecord[] = [];
    const start = replica.logStartOffset();
    // To the leader's log end, not its high watermark: after a restart the high watermark comes
    // from a checkpoint that may lag what was acknowledged (acks=all reached every in-sync replica).
    for (const batch of readBatches(replica.log, start, replica.logEndOffset())) {
      for (const r of decodeBatchRecords(batch)) if (r.offset >= start && r.key) out.push({ key: r.key, value: r.value });
    }
    return out;
  }
}
