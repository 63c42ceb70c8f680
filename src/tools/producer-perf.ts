/**
 * kafka-producer-perf-test: sends --num-records records of --record-size random uppercase bytes
 * (or entries of a payload file, or the record index) as fast as the producer takes them, or
 * throttled to --throughput records/s, and measures each record's send-to-acknowledgement latency.
 * Every 5 s a window line; at the end Kafka's total line with percentiles. Lines are handed to the
 * caller as they are due; the result is the data for the final report.
 */
import type { KafkaClient } from '../client/client.js';
import { Producer, type ProducerOptions } from '../client/producer/producer.js';
import { metricsTable } from './perf-metrics.js';
import { OutputClosed } from '../util/errors.js';
import { javaFixed, LatencyRecorder, type LatencySummary } from '../util/latency.js';

export interface ProducerPerfOptions {
  topic: string;
  numRecords: number;
  /** Random payload of this many bytes (A–Z), or null with payloads / monotonic. */
  recordSize: number | null;
  /** Payloads from --payload-file: a random one per record. */
  payloads: Buffer[] | null;
  /** --payload-monotonic: the record's index as decimal text. */
  monotonic: boolean;
  /** Records per second; negative: unthrottled; 0: never sends (Kafka's throttler blocks). */
  throughput: number;
  producer: ProducerOptions;
  /** buffer.memory: bytes of records allowed in flight before sending waits. */
  bufferMemory: number;
  reportingIntervalMs?: number;
  /** Transactions (a transactional.id is in `producer`): commit every this many ms; null: none. */
  transactionDurationMs?: number | null;
}

export interface PerfProgress {
  sent: number;
  acked: number;
  failed: number;
  total: number;
  elapsedMs: number;
}

export interface ProducerPerfIO {
  /**
   * A window line (Kafka prints it on stdout as it comes). It is called from the producer's
   * acknowledgement handler: when it throws (stdout's reader went away: OutputClosed; a failed
   * write), the run stops sending, lets what is in flight finish and throws that error at the end.
   */
  line(text: string): void;
  warn(line: string): void;
  /**
   * Whether stdout's reader has gone away (known once a write met EPIPE): looked at every 100 ms,
   * so a run whose window line met a closed pipe stops then, not at the next line 5 s later.
   */
  outputClosed?(): boolean;
  /** Called about every 200 ms while running (the terminal progress bar). */
  progress?(p: PerfProgress): void;
  interrupted: Promise<unknown>;
}

export interface PerfWindow {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface ProducerPerfResult {
  topic: string;
  records: number;
  failed: number;
  bytes: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  latency: LatencySummary;
  windows: PerfWindow[];
  interrupted: boolean;
  denied: boolean;
  /** Why a transaction failed (it was aborted and the run stopped). */
  transactionError?: string;
  stats: { batchErrors: number };
}

const MB = 1024 * 1024;
const MAX_OUTSTANDING = 200_000;
const MAX_REPORTED_FAILURES = 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Kafka's window line. */
export function windowLine(w: PerfWindow): string {
  return `${w.records} records sent, ${javaFixed(w.recordsPerSec, 1)} records/sec (${javaFixed(w.mbPerSec, 2)} MB/sec), ${javaFixed(w.avgLatencyMs, 1)} ms avg latency, ${javaFixed(w.maxLatencyMs, 1)} ms max latency.`;
}

/** Kafka's final line (records/sec as Kafka 4.0 prints it, %.1f). */
export function totalLine(r: Pick<ProducerPerfResult, 'records' | 'recordsPerSec' | 'mbPerSec' | 'latency'>): string {
  const { avgMs, maxMs, percentiles: p } = r.latency;
  return (
    `${r.records} records sent, ${javaFixed(r.recordsPerSec, 1)} records/sec (${javaFixed(r.mbPerSec, 2)} MB/sec), ` +
    `${javaFixed(avgMs, 2)} ms avg latency, ${javaFixed(maxMs, 2)} ms max latency, ${p.p50} ms 50th, ${p.p95} ms 95th, ${p.p99} ms 99th, ${p.p999} ms 99.9th.`
  );
}

/** Uppercase letters A–Z, as Kafka's random payloads. */
function letters(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = 65 + Math.floor(Math.random() * 26);
  return b;
}

/** The result of a run stopped while it was still connecting: nothing sent. */
export function stoppedBeforeSending(topic: string, elapsedMs: number): ProducerPerfResult {
  const ms = Math.max(1, elapsedMs);
  return { topic, records: 0, failed: 0, bytes: 0, elapsedMs: ms, recordsPerSec: 0, mbPerSec: 0, latency: new LatencyRecorder(0).summary(), windows: [], interrupted: true, denied: false, stats: { batchErrors: 0 } };
}

export async function runProducerPerf(client: KafkaClient, opts: ProducerPerfOptions, io: ProducerPerfIO): Promise<ProducerPerfResult> {
  const producer = new Producer(client, opts.producer);
  const interval = opts.reportingIntervalMs ?? 5000;
  const stats = new LatencyRecorder(opts.numRecords);
  const windows: PerfWindow[] = [];
  let bytes = 0;
  let denied = false;
  let batchErrors = 0;
  let stop = false;
  let sent = 0;
  /** What the last window line's writing threw: the run stops and throws it once closed. */
  let outputError: unknown = null;
  void io.interrupted.then(() => (stop = true));
  producer.onBatchError = (topic, partition, count, err) => {
    if ((err as { kind?: string }).kind === 'denied') denied = true;
    if (++batchErrors > MAX_REPORTED_FAILURES) return;
    const where = partition >= 0 ? `${topic}-${partition}` : topic;
    io.warn(`Error when sending ${count} message${count === 1 ? '' : 's'} to ${where}: ${err.message}`);
  };
  producer.onIdempotenceUnavailable = (reason) => io.warn(`kafka-ts producer-perf-test: sending without idempotence: ${reason.message}`);

  // A pool of random letters; each record takes a slice at a random place (cheap, and varied).
  const pool = opts.recordSize !== null ? letters(Math.max(1 << 20, opts.recordSize * 4)) : null;
  // Slices taken once (a Buffer per record costs more than the record's encoding).
  const slices = pool
    ? Array.from({ length: 4096 }, () => {
        const at = Math.floor(Math.random() * (pool.length - opts.recordSize! + 1));
        return pool.subarray(at, at + opts.recordSize!);
      })
    : null;
  const payload = (i: number): Buffer => {
    if (opts.payloads) return opts.payloads[Math.floor(Math.random() * opts.payloads.length)]!;
    // Kafka sends one random payload over and over; these are 4096 of them, in turn.
    if (slices) return slices[i & 4095]!;
    return Buffer.from(String(i));
  };

  const start = Date.now();
  let win = { start, count: 0, bytes: 0, total: 0, max: 0 };
  const closeWindow = (now: number) => {
    const elapsed = now - win.start;
    const w: PerfWindow = {
      records: win.count,
      recordsPerSec: (1000 * win.count) / elapsed,
      mbPerSec: (1000 * win.bytes) / elapsed / MB,
      avgLatencyMs: win.total / win.count,
      maxLatencyMs: win.max,
    };
    windows.push(w);
    win = { start: now, count: 0, bytes: 0, total: 0, max: 0 };
    if (outputError !== null) return;
    // Never thrown into the producer's acknowledgement handling: there it would fail batches that
    // were delivered and upset the producer's count of records in flight (its close never ended).
    try {
      io.line(windowLine(w));
    } catch (e) {
      outputError = e;
      stop = true;
    }
  };
  const progress = io.progress
    ? setInterval(() => io.progress!({ sent, acked: stats.count, failed: producer.stats.failed, total: opts.numRecords, elapsedMs: Date.now() - start }), 200)
    : null;
  const watchOutput = io.outputClosed
    ? setInterval(() => {
        if (outputError === null && io.outputClosed!()) {
          outputError = new OutputClosed('stdout closed');
          stop = true;
        }
      }, 100)
    : null;
  const maxOutstanding = Math.max(1000, Math.min(MAX_OUTSTANDING, Math.floor(opts.bufferMemory / Math.max(1, (opts.recordSize ?? 64) + 70))));

  // Each record's latency is its acknowledgement time less its send time (its timestamp), as in
  // Kafka, taken per acknowledged batch: its records' timestamps come as runs of equal values.
  producer.onBatchAcked = (b) => {
    const now = Date.now();
    const runs = b.runs;
    if (runs) {
      for (let r = 0; r < runs.length; r += 2) {
        const latency = now - runs[r]!;
        const n = runs[r + 1]!;
        for (let k = 0; k < n; k++) stats.record(latency);
        win.total += latency * n;
        if (latency > win.max) win.max = latency;
      }
    }
    bytes += b.bytes;
    win.count += b.count;
    win.bytes += b.bytes;
    if (now - win.start >= interval) closeWindow(now);
  };

  // As Kafka's ProducerPerformance: a transaction starts with its first record and commits once it
  // has lasted --transaction-duration-ms, and at the end.
  const txnMs = producer.txn ? (opts.transactionDurationMs ?? 3000) : null;
  let inTxn = false;
  let txnStart = 0;
  let failure: Error | null = null;
  try {
    if (txnMs !== null) await producer.initTransactions();
    // Date.now() costs about as much as a send: it is read every 8 records and after every wait
    // (8 sends take microseconds, so a record's timestamp is still its send time to the ms).
    let now = Date.now();
    for (let i = 0; i < opts.numRecords && !stop; i++) {
      if ((i & 7) === 0) now = Date.now();
      if (txnMs !== null && !inTxn) {
        producer.beginTransaction();
        inTxn = true;
        txnStart = now;
      }
      // The record's timestamp is its send time (what its latency is measured from).
      producer.append({ topic: opts.topic, key: null, value: payload(i), timestamp: now });
      sent++;
      if (txnMs !== null && now - txnStart >= txnMs) {
        await producer.commitTransaction();
        inTxn = false;
        now = Date.now();
      }
      if (opts.throughput === 0) {
        // Kafka's throttler at 0 records/s waits for ever; here until interrupted.
        await io.interrupted;
        break;
      }
      if (opts.throughput > 0) {
        const due = start + ((i + 1) * 1000) / opts.throughput;
        const wait = due - Date.now();
        if (wait >= 2) await sleep(wait);
        now = Date.now();
      }
      if (producer.outstanding >= maxOutstanding) {
        await producer.waitForRoom(maxOutstanding / 2);
        now = Date.now();
      } else if ((i & 1023) === 1023) {
        await new Promise<void>((r) => setImmediate(r));
        now = Date.now();
      }
    }
    if (inTxn) {
      await producer.commitTransaction();
      inTxn = false;
    }
  } catch (e) {
    if (!producer.txn) throw e;
    // A failed transaction is reported as the failure of its records, as batch errors are.
    failure = e as Error;
    if ((e as { kind?: string }).kind === 'denied') denied = true;
    io.warn(`kafka-ts producer-perf-test: the transaction failed: ${failure.message}`);
    if (inTxn && !producer.txn.isFatal()) await producer.abortTransaction().catch(() => undefined);
  } finally {
    await producer.close().catch(() => undefined);
    if (progress) clearInterval(progress);
    if (watchOutput) clearInterval(watchOutput);
  }
  // Stdout's reader went away (OutputClosed: the command ends quietly with 0) or a write failed.
  if (outputError !== null) throw outputError;
  const elapsedMs = Math.max(1, Date.now() - start);
  return {
    topic: opts.topic,
    records: stats.count,
    failed: producer.stats.failed,
    ...(failure ? { transactionError: failure.message } : {}),
    bytes,
    elapsedMs,
    recordsPerSec: (1000 * stats.count) / elapsedMs,
    mbPerSec: (1000 * bytes) / elapsedMs / MB,
    latency: stats.summary(),
    windows,
    interrupted: stop,
    denied,
    stats: { batchErrors },
  };
}

/**
 * --print-metrics: the producer figures this run measured, under Kafka's names. Left out are the
 * metrics kafka-ts's producer does not measure as Kafka defines them: windowed rates (Kafka's
 * record-send-rate is over its recent 30 s sample windows, not the run's average, which the summary line
 * gives), request latencies, network bytes, batch and record sizes, buffer and queue figures, ...
 * (as consumer-perf-test leaves out the consumer's windowed rates).
 */
export function metricsLines(r: Pick<ProducerPerfResult, 'topic' | 'records' | 'failed'>, clientId: string): string[] {
  const client: [string, string][] = [['client-id', clientId]];
  const topic: [string, string][] = [...client, ['topic', r.topic]];
  return metricsTable([
    { group: 'producer-metrics', name: 'record-send-total', tags: client, value: r.records },
    { group: 'producer-metrics', name: 'record-error-total', tags: client, value: r.failed },
    { group: 'producer-topic-metrics', name: 'record-send-total', tags: topic, value: r.records },
    { group: 'producer-topic-metrics', name: 'record-error-total', tags: topic, value: r.failed },
  ]);
}
