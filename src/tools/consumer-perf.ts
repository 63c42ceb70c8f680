/**
 * kafka-consumer-perf-test: joins a group on --topic, consumes until --messages records have
 * arrived or no record came for --timeout ms, and reports Kafka's CSV: one summary line, or with
 * --show-detailed-stats one line per reporting interval. Rebalance time is the time spent before
 * partitions were assigned (Kafka's rebalance listener); fetch time is the rest.
 */
import type { KafkaClient } from '../client/client.js';
import { GroupConsumer, type GroupConsumerOptions } from '../client/consumer/group-consumer.js';
import { RecordView, walkChunk, type RawChunk } from '../client/consumer/fetcher.js';
import { javaFixed } from '../util/latency.js';
import { resolvePartitions } from './console-consumer.js';
import { metricsTable } from './perf-metrics.js';
import { unlessStopped } from '../util/stopping.js';

export interface ConsumerPerfOptions {
  topic: string;
  messages: number;
  timeoutMs: number;
  reportingIntervalMs: number;
  detailed: boolean;
  /** With the fetcher's options, check.crcs among them (FetcherOptions.checkCrcs). */
  consumer: GroupConsumerOptions;
  /** Renders a time (ms) with --date-format. */
  formatDate: (ms: number) => string;
}

export interface ConsumerPerfIO {
  /** A line for stdout, printed as it is due (detailed lines). */
  line(text: string): void;
  /** A warning Kafka prints on stdout as it is due (the timeout warning); JSON mode prints it on stderr. */
  diagnostic(text: string): void;
  progress?(p: { consumed: number; total: number; elapsedMs: number }): void;
  /** The topic is there and consuming begins (the header is printed now, not for a run that fails before). */
  started?(): void;
  interrupted: Promise<unknown>;
}

export interface ConsumerPerfResult {
  topic: string;
  group: string;
  startMs: number;
  endMs: number;
  messages: number;
  bytes: number;
  mb: number;
  mbPerSec: number;
  messagesPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
  fetchMbPerSec: number;
  fetchMessagesPerSec: number;
  timedOut: boolean;
  interrupted: boolean;
}

const MB = 1024 * 1024;

export const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
export const DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export const timeoutWarning = (timeoutMs: number): string =>
  `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`;

/** Kafka's summary line. */
export function summaryLine(r: ConsumerPerfResult, formatDate: (ms: number) => string): string {
  return [
    formatDate(r.startMs),
    formatDate(r.endMs),
    javaFixed(r.mb, 4),
    javaFixed(r.mbPerSec, 4),
    String(r.messages),
    javaFixed(r.messagesPerSec, 4),
    String(r.rebalanceMs),
    String(r.fetchMs),
    javaFixed(r.fetchMbPerSec, 4),
    javaFixed(r.fetchMessagesPerSec, 4),
  ].join(', ');
}

export async function runConsumerPerf(client: KafkaClient, opts: ConsumerPerfOptions, io: ConsumerPerfIO): Promise<ConsumerPerfResult> {
  // A topic that does not exist fails at once (Kafka's tool waits out --timeout and exits 0; console-consumer waits for it).
  // A stop meanwhile ends the run as a stop while connecting does.
  const began = Date.now();
  const found = await unlessStopped(resolvePartitions(client, [opts.topic], undefined), io.interrupted);
  if (!found) return stoppedBeforeConsuming(opts.topic, opts.consumer.groupId, began, Date.now());
  io.started?.();
  const startMs = Date.now();
  let joinStart = startMs;
  let assigned = 0;
  let rebalanceMs = 0;
  let rebalanceInRound = 0;
  const consumer = new GroupConsumer(client, {
    // The next Fetch travels while the records are counted (as Kafka's consumer keeps fetching).
    prefetch: true,
    ...opts.consumer,
    onAssigned: (ps) => {
      if (assigned === 0) {
        const elapsed = Date.now() - joinStart;
        rebalanceMs += elapsed;
        rebalanceInRound += elapsed;
      }
      assigned += ps.length;
    },
    onRevoked: (ps) => {
      assigned = Math.max(0, assigned - ps.length);
      if (assigned === 0) joinStart = Date.now();
    },
  });
  consumer.subscribe([opts.topic]);
  let stop = false;
  void io.interrupted.then(() => (stop = true));
  let messages = 0;
  let bytes = 0;
  let lastMessages = 0;
  let lastBytes = 0;
  let now = Date.now();
  let lastReport = now;
  let lastConsumed = now;
  const maxPoll = Math.max(1, opts.consumer.maxPollRecords ?? 500);
  const progress = io.progress ? setInterval(() => io.progress!({ consumed: messages, total: opts.messages, elapsedMs: Date.now() - startMs }), 200) : null;
  try {
    while (!stop && messages < opts.messages && now - lastConsumed <= opts.timeoutMs) {
      // Only counted: the batches are never decoded into record objects.
      const chunks = await consumer.pollRaw(100);
      now = Date.now();
      const before = messages;
      // Kafka's tool counts whole polls of max.poll.records: it ends at the first poll boundary
      // at or past --messages, so no more is counted here either.
      let room = Math.ceil((opts.messages - messages) / maxPoll) * maxPoll;
      for (const c of chunks) {
        // What is not counted is not consumed either: the position (and so the commit on close)
        // goes back to the first record left, as Kafka's consumer never returned it.
        if (room <= 0) {
          consumer.seek(c.topic, c.partition, c.from);
          continue;
        }
        const n = countChunk(c, room);
        messages += n.records;
        bytes += n.bytes;
        room -= n.records;
        if (room <= 0 && n.next < c.to) consumer.seek(c.topic, c.partition, n.next);
      }
      if (messages === before) continue;
      lastConsumed = now;
      if (now - lastReport >= opts.reportingIntervalMs) {
        if (opts.detailed) io.line(detailedLine(bytes, lastBytes, messages, lastMessages, lastReport, now, opts.formatDate, rebalanceInRound));
        rebalanceInRound = 0;
        lastReport = now;
        lastMessages = messages;
        lastBytes = bytes;
      }
    }
  } catch (e) {
    await consumer.close().catch(() => undefined);
    throw e;
  } finally {
    if (progress) clearInterval(progress);
  }
  // Kafka takes the end time before closing the consumer (its commit and LeaveGroup are not timed).
  const endMs = Date.now();
  await consumer.close().catch(() => undefined);
  const timedOut = !stop && messages < opts.messages;
  if (timedOut) io.diagnostic(timeoutWarning(opts.timeoutMs));
  return perfResult(opts.topic, opts.consumer.groupId, { startMs, endMs, messages, bytes, rebalanceMs }, timedOut, stop);
}

/** The result of a run stopped while it was still connecting: nothing consumed from `startMs` to `endMs`. */
export const stoppedBeforeConsuming = (topic: string, group: string, startMs: number, endMs: number): ConsumerPerfResult =>
  perfResult(topic, group, { startMs, endMs: Math.max(endMs, startMs + 1), messages: 0, bytes: 0, rebalanceMs: 0 }, false, true);

function perfResult(topic: string, group: string, m: { startMs: number; endMs: number; messages: number; bytes: number; rebalanceMs: number }, timedOut: boolean, interrupted: boolean): ConsumerPerfResult {
  const { startMs, endMs, messages, bytes, rebalanceMs } = m;
  const elapsedSec = (endMs - startMs) / 1000;
  const fetchMs = endMs - startMs - rebalanceMs;
  const mb = bytes / MB;
  return {
    topic,
    group,
    startMs,
    endMs,
    messages,
    bytes,
    mb,
    mbPerSec: mb / elapsedSec,
    messagesPerSec: messages / elapsedSec,
    rebalanceMs,
    fetchMs,
    fetchMbPerSec: mb / (fetchMs / 1000),
    fetchMessagesPerSec: messages / (fetchMs / 1000),
    timedOut,
    interrupted,
  };
}

const view = new RecordView();
let counted = { records: 0, bytes: 0, next: 0 };
let limit = Infinity;
const countRecord = (v: RecordView): boolean => {
  counted.records++;
  counted.next = v.offset + 1;
  counted.bytes += (v.keyLen > 0 ? v.keyLen : 0) + (v.valueLen > 0 ? v.valueLen : 0);
  return counted.records < limit;
};

/**
 * Records and key+value bytes of a chunk (those at its offsets, at most `max`), and the offset
 * after the last one counted, walked in place (with check.crcs the fetcher has checked each
 * batch's CRC before).
 */
export function countChunk(c: RawChunk, max = Infinity): { records: number; bytes: number; next: number } {
  counted = { records: 0, bytes: 0, next: c.from };
  limit = max;
  walkChunk(c, view, countRecord);
  return counted;
}

/** A --show-detailed-stats line: the interval's figures, fetch rates zero when no fetch time. */
export function detailedLine(bytes: number, lastBytes: number, messages: number, lastMessages: number, startMs: number, endMs: number, formatDate: (ms: number) => string, rebalanceMs: number): string {
  const elapsed = endMs - startMs;
  const intervalMb = (bytes - lastBytes) / MB;
  const fetchMs = elapsed - rebalanceMs;
  return [
    formatDate(endMs),
    '0',
    javaFixed(bytes / MB, 4),
    javaFixed((1000 * intervalMb) / elapsed, 4),
    String(messages),
    javaFixed(((messages - lastMessages) / elapsed) * 1000, 4),
    String(rebalanceMs),
    String(fetchMs),
    javaFixed(fetchMs <= 0 ? 0 : (1000 * intervalMb) / fetchMs, 4),
    javaFixed(fetchMs <= 0 ? 0 : (1000 * (messages - lastMessages)) / fetchMs, 4),
  ].join(', ');
}

/**
 * --print-metrics: the consumer figures this run measured, under Kafka's names (records consumed,
 * for the client and for the topic; the time spent in rebalances). Left out are the metrics
 * kafka-ts's consumer does not measure as Kafka defines them: bytes-consumed-* (Kafka counts the
 * fetched batches' bytes; this run counts keys and values, data.consumed.in.MB), windowed rates,
 * fetch and commit latencies, lags, connection and coordinator figures.
 */
export function metricsLines(r: Pick<ConsumerPerfResult, 'topic' | 'messages' | 'rebalanceMs'>, clientId: string): string[] {
  const client: [string, string][] = [['client-id', clientId]];
  return metricsTable([
    { group: 'consumer-fetch-manager-metrics', name: 'records-consumed-total', tags: client, value: r.messages },
    { group: 'consumer-fetch-manager-metrics', name: 'records-consumed-total', tags: [...client, ['topic', r.topic]], value: r.messages },
    { group: 'consumer-coordinator-metrics', name: 'rebalance-latency-total', tags: client, value: r.rebalanceMs },
  ]);
}
