/**
 * A follower broker's fetcher for the partitions one leader leads: it fetches from the leader's
 * listener with the ordinary Fetch API and its own broker id as replica id, appends the batches
 * exactly as the leader stored them, and follows the leader's high watermark.
 *
 * Divergence is found the way Kafka 2.7+ finds it: each fetch names the follower's last leader
 * epoch; a leader whose log differs answers with the diverging epoch and where it ends there,
 * and the follower truncates to that point before fetching again.
 */
import { Fetch, type FetchResponse } from '../../protocol/apis/index.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { RecordBatchView, splitBatches } from '../../protocol/record-batch.js';
import { KafkaConnection, type BrokerAddress } from '../../transport/client-connection.js';
import type { Logger } from '../../util/logger.js';
import type { PartitionReplica } from '../replica.js';
import type { ReplicationHost } from './replication-host.js';
import { isThrottledReplica } from './throttle.js';
import { isStorageIoError } from '../log-dirs.js';

/** Fetch v12: the first version with lastFetchedEpoch / divergingEpoch, still addressed by topic name. */
const FETCH_VERSION = 12;

interface Followed {
  replica: PartitionReplica;
  /** No fetching before this time (after an error, until metadata settles). */
  delayedUntil: number;
}

/** A sleep that something else can cut short. */
class Pause {
  private wakeUp: (() => void) | null = null;
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }
  wake(): void {
    this.wakeUp?.();
  }
}

export class ReplicaFetcher {
  private readonly followed = new Map<string, Followed>();
  private conn: KafkaConnection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly pause = new Pause();

  constructor(
    private readonly follower: ReplicationHost,
    readonly leaderId: number,
    /** The leader's replication listener, or null when it is not known. */
    private readonly leaderAddress: () => BrokerAddress | null,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.followed.size;
  }

  has(key: string): boolean {
    return this.followed.has(key);
  }

  add(replica: PartitionReplica): void {
    this.followed.set(replica.key, { replica, delayedUntil: 0 });
    this.pause.wake();
  }

  remove(key: string): void {
    this.followed.delete(key);
  }

  /** Re-evaluates at once (a throttle changed). */
  wake(): void {
    this.pause.wake();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    this.conn?.close();
    this.conn = null;
    await this.loop;
  }

  private async run(): Promise<void> {
    const cfg = this.follower.config;
    while (this.running) {
      const now = Date.now();
      let ready = [...this.followed.values()].filter((f) => f.delayedUntil <= now);
      if (ready.length === 0) {
        const next = Math.min(...[...this.followed.values()].map((f) => f.delayedUntil), now + 1000);
        await this.pause.sleep(Math.max(10, next - now));
        continue;
      }
      // Throttled replicas wait while the broker's follower quota is overdrawn.
      const limiter = this.follower.throttles.limiter('follower');
      // Only replicas that are not yet in sync are throttled (Kafka's rule).
      const throttled = (f: Followed) => {
        const t = this.follower.metadata.topic(f.replica.topic);
        return !!t && !t.partitions[f.replica.partition]?.isr.includes(this.follower.id) && isThrottledReplica(t, f.replica.partition, this.follower.id, 'follower');
      };
      if (limiter) {
        const wait = limiter.waitMs();
        if (wait > 0) {
          const free = ready.filter((f) => !throttled(f));
          if (free.length === 0) {
            // Short naps: a changed or removed throttle wakes the fetcher anyway.
            await this.pause.sleep(Math.min(wait, 1000));
            continue;
          }
          ready = free;
        }
      }
      let res: FetchResponse;
      try {
        res = await this.fetch(ready);
      } catch (e) {
        if (!this.running) break;
        this.log.debug(`Fetch from leader ${this.leaderId} failed: ${(e as Error).message}`);
        this.conn?.close();
        this.conn = null;
        for (const f of ready) f.delayedUntil = Date.now() + cfg.replicaFetchBackoffMs;
        continue;
      }
      if (!this.running) break;
      let throttledBytes = 0;
      for (const t of res.responses) {
        for (const pr of t.partitions) {
          const key = `${t.topic}-${pr.partitionIndex}`;
          const f = this.followed.get(key);
          // Skip answers for partitions this fetcher gave up meanwhile (leadership moved).
          if (!f || this.follower.replica(f.replica.topic, f.replica.partition) !== f.replica) continue;
          let bytes: number;
          try {
            bytes = this.apply(f, pr);
          } catch (e) {
            if (!isStorageIoError(e)) throw e;
            // The log dir goes offline, which stops this fetcher.
            this.follower.logDirFailure(`appending replicated records to ${f.replica.key}`, e);
            continue;
          }
          if (bytes > 0 && throttled(f)) throttledBytes += bytes;
        }
      }
      if (limiter && throttledBytes > 0) limiter.consume(throttledBytes);
    }
  }

  private async fetch(ready: Followed[]): Promise<FetchResponse> {
    const cfg = this.follower.config;
    if (!this.conn || this.conn.closed) {
      const address = this.leaderAddress();
      if (!address) throw new Error(`leader ${this.leaderId} has no listener`);
      this.conn = await KafkaConnection.connect(address, { clientId: `broker-${this.follower.id}-fetcher-${this.leaderId}`, connectTimeoutMs: 5000, requestTimeoutMs: 30_000 });
    }
    const byTopic = new Map<string, Followed[]>();
    for (const f of ready) byTopic.set(f.replica.topic, [...(byTopic.get(f.replica.topic) ?? []), f]);
    return this.conn.send(
      Fetch,
      FETCH_VERSION,
      {
        replicaId: this.follower.id,
        maxWaitMs: cfg.replicaFetchWaitMaxMs,
        minBytes: 1,
        maxBytes: cfg.replicaFetchResponseMaxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        clusterId: null,
        topics: [...byTopic].map(([topic, fs]) => ({
          topic,
          partitions: fs.map((f) => {
            const epochs = f.replica.log.leaderEpochs();
            const state = this.follower.metadata.topic(topic)?.partitions[f.replica.partition];
            return {
              partition: f.replica.partition,
              currentLeaderEpoch: state?.leaderEpoch ?? -1,
              fetchOffset: f.replica.logEndOffset(),
              lastFetchedEpoch: epochs.length ? epochs[epochs.length - 1]!.epoch : -1,
              logStartOffset: f.replica.logStartOffset(),
              partitionMaxBytes: cfg.replicaFetchMaxBytes,
            };
          }),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      { timeoutMs: cfg.replicaFetchWaitMaxMs + 30_000 },
    );
  }

  /** Applies one partition's answer; returns the bytes appended. */
  private apply(f: Followed, pr: FetchResponse['responses'][number]['partitions'][number]): number {
    const { replica } = f;
    const log = replica.log;
    switch (pr.errorCode) {
      case ErrorCode.NONE: {
        const diverging = pr.divergingEpoch;
        if (diverging && (diverging.epoch >= 0 || diverging.endOffset >= 0)) {
          this.truncateOnDivergence(replica, diverging.epoch, diverging.endOffset);
          return 0;
        }
        let bytes = 0;
        const records = pr.records;
        if (records && records.length > 0) {
          for (const buffer of splitBatches(records)) {
            const batch = new RecordBatchView(buffer);
            const end = log.logEndOffset();
            if (batch.lastOffset < end) continue;
            // A batch may start beyond the log end (compaction leaves gaps), never before it.
            if (batch.baseOffset < end) {
              this.log.warn(`Replica ${replica.key} on broker ${this.follower.id}: leader ${this.leaderId} sent offset ${batch.baseOffset} but the log ends at ${end}; fetching again`);
              break;
            }
            if (!batch.crcIsValid) {
              this.log.warn(`Replica ${replica.key} on broker ${this.follower.id}: corrupt batch at offset ${end} from leader ${this.leaderId}; fetching again`);
              f.delayedUntil = Date.now() + this.follower.config.replicaFetchBackoffMs;
              break;
            }
            log.appendAsFollower(buffer);
            bytes += buffer.length;
          }
        }
        replica.setHighWatermark(pr.highWatermark);
        // The leader's log start moved (DeleteRecords, retention): follow it, deleting the
        // segments wholly below it, as Kafka's followers do.
        const leaderStart = pr.logStartOffset ?? -1;
        if (leaderStart > log.logStartOffset() && leaderStart <= log.logEndOffset()) log.deleteRecordsBefore(leaderStart);
        if (bytes > 0) replica.notify();
        return bytes;
      }
      case ErrorCode.OFFSET_OUT_OF_RANGE: {
        const end = log.logEndOffset();
        const leaderStart = pr.logStartOffset ?? -1;
        if (leaderStart >= 0 && end < leaderStart) {
          // Behind the leader's retention: start over where the leader's log starts.
          this.log.info(`Replica ${replica.key} on broker ${this.follower.id} is behind leader ${this.leaderId}'s log start ${leaderStart}; starting over there`);
          log.truncateFullyAndStartAt(leaderStart);
          replica.producers.reset();
          replica.setHighWatermark(leaderStart);
        } else if (pr.highWatermark >= 0 && end > pr.highWatermark) {
          this.log.info(`Replica ${replica.key} on broker ${this.follower.id} is ahead of leader ${this.leaderId}; truncating to ${pr.highWatermark}`);
          log.truncateTo(pr.highWatermark);
          replica.producers.reset();
        } else f.delayedUntil = Date.now() + this.follower.config.replicaFetchBackoffMs;
        return 0;
      }
      default:
        // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION: the
        // metadata is moving; wait for it to settle (a change re-plans the fetchers at once).
        this.log.debug(`Replica ${replica.key} on broker ${this.follower.id}: leader ${this.leaderId} answered ${errorInfo(pr.errorCode).name}`);
        f.delayedUntil = Date.now() + Math.min(this.follower.config.replicaFetchBackoffMs, 200);
        return 0;
    }
  }

  /** Truncates to where this log and the leader's agree, given the leader's end of `epoch`. */
  private truncateOnDivergence(replica: PartitionReplica, epoch: number, leaderEndOffset: number): void {
    const log = replica.log;
    let target: number;
    if (epoch < 0) target = Math.min(replica.highWatermark, log.logEndOffset());
    else {
      // Our own end of the largest epoch not above the leader's.
      const entries = log.leaderEpochs();
      let ourEnd = log.logEndOffset();
      let i = entries.length - 1;
      while (i >= 0 && entries[i]!.epoch > epoch) i--;
      if (i < 0) ourEnd = entries[0]?.startOffset ?? log.logStartOffset();
      else if (i + 1 < entries.length) ourEnd = entries[i + 1]!.startOffset;
      target = Math.min(leaderEndOffset, ourEnd);
    }
    if (target < log.logEndOffset()) {
      this.log.info(`Truncating replica ${replica.key} on broker ${this.follower.id} to offset ${target}: its log diverges from leader ${this.leaderId} after epoch ${epoch}`);
    }
    // Even with nothing to cut this drops epochs the leader does not know (a leader-epoch mark
    // this broker wrote when it led briefly without appending), so the next fetch agrees.
    log.truncateTo(target);
    replica.producers.reset();
    if (replica.highWatermark > log.logEndOffset()) replica.setHighWatermark(log.logEndOffset());
  }
}
