/**
 * Writes a transaction's markers (Kafka's TransactionMarkerChannelManager): a WriteTxnMarkers
 * request to the leader of each of its partitions, over that broker's own listener, retried
 * until every leader has acknowledged. A partition whose topic is gone leaves the transaction; a
 * leader that answers INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED means a newer
 * coordinator or producer has taken over, and sending stops.
 */
import { WriteTxnMarkers } from '../../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../../protocol/errors.js';
import { KafkaConnection } from '../../../transport/client-connection.js';
import type { Logger } from '../../../util/logger.js';
import type { TxnPartition } from './metadata.js';
import type { TransactionLogPort } from './ports.js';
import { Naps } from '../../../util/naps.js';

const WRITE_TXN_MARKERS_VERSION = 1;
const RETRY_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;

export interface MarkerJob {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  partitions: TxnPartition[];
  /** False once the coordinator no longer owns this transaction (unloaded, replaced). */
  stillWanted(): boolean;
}

/** done: every partition has its marker (minus `dropped`); abandoned: a newer epoch fenced the job, or it was no longer wanted. */
export type MarkerOutcome = { kind: 'done'; dropped: TxnPartition[] } | { kind: 'abandoned'; reason: string };

export class MarkerSender {
  private readonly conns = new Map<number, KafkaConnection>();
  private stopped = false;
  private readonly naps = new Naps();

  constructor(
    private readonly port: TransactionLogPort,
    private readonly log: Logger,
  ) {}

  async send(job: MarkerJob): Promise<MarkerOutcome> {
    let left = [...job.partitions];
    const dropped: TxnPartition[] = [];
    let backoff = RETRY_BACKOFF_MS;
    for (;;) {
      if (this.stopped || !job.stillWanted()) return { kind: 'abandoned', reason: 'the coordinator no longer owns the transaction' };
      const byLeader = new Map<number, TxnPartition[]>();
      const retry: TxnPartition[] = [];
      for (const p of left) {
        const state = this.port.metadata.topic(p.topic)?.partitions[p.partition];
        if (!state) {
          // The topic (or partition) is gone: nothing to mark.
          dropped.push(p);
          continue;
        }
        if (state.leader < 0) retry.push(p);
        else byLeader.set(state.leader, [...(byLeader.get(state.leader) ?? []), p]);
      }
      const results = await Promise.all([...byLeader].map(([leader, ps]) => this.sendTo(leader, job, ps)));
      for (const r of results) {
        if (r.fenced) return { kind: 'abandoned', reason: r.fenced };
        retry.push(...r.retry);
        dropped.push(...r.dropped);
      }
      if (retry.length === 0) return { kind: 'done', dropped };
      left = retry;
      await this.naps.sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  private async sendTo(leader: number, job: MarkerJob, ps: TxnPartition[]): Promise<{ retry: TxnPartition[]; dropped: TxnPartition[]; fenced?: string }> {
    const address = this.port.brokerAddress(leader);
    if (!address) return { retry: ps, dropped: [] };
    const byTopic = new Map<string, number[]>();
    for (const p of ps) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    let res;
    try {
      let conn = this.conns.get(leader);
      if (!conn || conn.closed) {
        conn = await KafkaConnection.connect(address, { clientId: `broker-${this.port.id}-txn-marker-sender`, connectTimeoutMs: 5000, requestTimeoutMs: 30_000 });
        this.conns.set(leader, conn);
      }
      res = await conn.send(WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, {
        markers: [{ producerId: job.producerId, producerEpoch: job.producerEpoch, transactionResult: job.commit, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })), coordinatorEpoch: job.coordinatorEpoch }],
      });
    } catch (e) {
      this.log.debug(`WriteTxnMarkers to broker ${leader} for ${job.transactionalId} failed, retrying: ${(e as Error).message}`);
      this.conns.get(leader)?.close();
      this.conns.delete(leader);
      return { retry: ps, dropped: [] };
    }
    const retry: TxnPartition[] = [];
    const dropped: TxnPartition[] = [];
    const answered = new Set<string>();
    for (const m of res.markers) {
      for (const t of m.topics) {
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          answered.add(`${t.name}\0${p.partitionIndex}`);
          switch (p.errorCode) {
            case ErrorCode.NONE:
              break;
            case ErrorCode.INVALID_PRODUCER_EPOCH:
            case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
              return { retry: [], dropped: [], fenced: `${t.name}-${p.partitionIndex}: ${errorInfo(p.errorCode).name}` };
            case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
            case ErrorCode.UNSUPPORTED_VERSION:
              this.log.warn(`Dropping ${t.name}-${p.partitionIndex} from transaction ${job.transactionalId}: ${errorInfo(p.errorCode).name}`);
              dropped.push(tp);
              break;
            default:
              retry.push(tp);
          }
        }
      }
    }
    for (const p of ps) if (!answered.has(`${p.topic}\0${p.partition}`)) retry.push(p);
    return { retry, dropped };
  }

  stop(): void {
    this.stopped = true;
    this.naps.wakeAll();
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
