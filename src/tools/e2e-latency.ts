/**
 * kafka-e2e-latency: sends one record at a time (linger 0, acks 1 or all), waits for its
 * acknowledgement, then reads it back with a consumer positioned at the end of the topic; the
 * time from send to read is one latency. Creates the topic (1 partition, replication 1) when it
 * does not exist, as Kafka's tool does. The producer and the consumer use separate connections.
 */
import type { KafkaClient } from '../client/client.js';
import { Admin } from '../client/admin.js';
import { Fetcher, type FetcherOptions } from '../client/consumer/fetcher.js';
import { Producer, type ProducerOptions } from '../client/producer/producer.js';
import { FailedError, OutputClosed } from '../util/errors.js';
import { histogram, javaFixed, percentile, type HistogramBucket } from '../util/latency.js';
import { unlessStopped } from '../util/stopping.js';

export interface E2eOptions {
  topic: string;
  numMessages: number;
  acks: -1 | 1;
  messageSize: number;
  /** The producer's settings from the properties file; acks, linger.ms and max.block.ms are the tool's. */
  producer?: ProducerOptions;
  /** The consumer's fetch settings from the properties file; the wait, the least bytes and the start are the tool's. */
  consumer?: FetcherOptions;
}

export interface E2eIO {
  /** A line for stdout as it is due (the topic creation notice, progress every 1000 records). */
  line(text: string): void;
  /**
   * Whether stdout's reader has gone away (known once a write met EPIPE). Looked at before each
   * record: lines are written every 1000 records, so waiting for the next one to fail kept a run
   * whose reader had gone (`| head -1`) sending another thousand records before it ended.
   */
  outputClosed?(): boolean;
  interrupted: Promise<unknown>;
}

export interface E2eResult {
  topic: string;
  messages: number;
  /** Mean of the exact (sub-millisecond) latencies. */
  avgMs: number;
  /** Kafka's percentiles over whole milliseconds (truncated). */
  percentiles: { p50: number; p99: number; p999: number };
  minMs: number;
  maxMs: number;
  histogram: HistogramBucket[];
  /** Every latency in ms (exact), in order. */
  latenciesMs: number[];
  createdTopic: boolean;
  interrupted: boolean;
}

const POLL_TIMEOUT_MS = 60_000;

/** Java's Double.toString for the progress lines (always a fraction digit). */
const javaDouble = (x: number): string => (Number.isInteger(x) ? `${x}.0` : String(x));

export const resultLines = (r: E2eResult): string[] => [
  `Avg latency: ${javaFixed(r.avgMs, 4)} ms`,
  `Percentiles: 50th = ${r.percentiles.p50}, 99th = ${r.percentiles.p99}, 99.9th = ${r.percentiles.p999}`,
];

export async function runE2eLatency(producerClient: KafkaClient, consumerClient: KafkaClient, opts: E2eOptions, io: E2eIO): Promise<E2eResult> {
  const producer = new Producer(producerClient, { idempotent: false, ...opts.producer, acks: opts.acks, lingerMs: 0, maxBlockMs: POLL_TIMEOUT_MS });
  try {
    // A record the producer would refuse (Kafka: RecordTooLargeException at the first send) fails
    // here, before it is built (--message-size 999999999 would take a gigabyte) or a topic is made.
    const tooLarge = producer.recordSizeError(opts.messageSize);
    if (tooLarge) throw tooLarge;
    return await measure(producer, consumerClient, opts, io);
  } finally {
    await producer.close();
  }
}

async function measure(producer: Producer, consumerClient: KafkaClient, opts: E2eOptions, io: E2eIO): Promise<E2eResult> {
  let stop = false;
  void io.interrupted.then(() => (stop = true));
  // Told to stop during the set-up (the topic's creation, waiting for its leader, the consumer's
  // position): it ends at once with nothing measured, as a stop while connecting does.
  const ready = await unlessStopped(setUp(consumerClient, opts, io), io.interrupted);
  if (!ready) return stoppedBeforeMeasuring(opts.topic);
  return run(producer, ready.fetcher, ready.createdTopic, opts, io, () => stop);
}

/** Makes the topic when it is missing (as Kafka's tool), waits for its partitions, and positions a consumer at their ends. */
async function setUp(consumerClient: KafkaClient, opts: E2eOptions, io: E2eIO): Promise<{ fetcher: Fetcher; createdTopic: boolean }> {
  const admin = new Admin(consumerClient);
  const md = await consumerClient.refreshMetadata([opts.topic]);
  const t = md.topics.get(opts.topic);
  let createdTopic = false;
  if (!t || t.errorCode !== 0 || t.partitions.length === 0) {
    io.line(`Topic "${opts.topic}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`);
    const [res] = await admin.createTopics([{ name: opts.topic, partitions: 1, replicationFactor: 1 }]);
    if (res?.error && res.error.code !== 36 /* TOPIC_ALREADY_EXISTS */) {
      io.line(`Creation of topic ${opts.topic} failed`);
      throw res.error;
    }
    createdTopic = true;
  }
  const partitions = await waitForPartitions(consumerClient, opts.topic);
  const fetcher = new Fetcher(consumerClient, { ...opts.consumer, maxWaitMs: 500, minBytes: 1, autoOffsetReset: 'latest' });
  await fetcher.assign(partitions.map((partition) => ({ topic: opts.topic, partition, start: 'latest' as const })));
  return { fetcher, createdTopic };
}

/** Sends and reads back one record at a time until done or `stopped()`. */
async function run(producer: Producer, fetcher: Fetcher, createdTopic: boolean, opts: E2eOptions, io: E2eIO, stopped: () => boolean): Promise<E2eResult> {
  const latencies: number[] = [];
  let total = 0;
  for (let i = 0; i < opts.numMessages && !stopped(); i++) {
    // Nobody reads the results any more: end now, quietly (exit 0), as a failed write would.
    if (io.outputClosed?.()) throw new OutputClosed('stdout closed');
    // Kafka's message: one random uppercase letter repeated.
    const message = Buffer.alloc(opts.messageSize, 65 + Math.floor(Math.random() * 26));
    const begin = process.hrtime.bigint();
    // The fetch waits at the broker while the record is sent (as a consumer's fetch in flight
    // does); the broker answers it as soon as the record is appended.
    const fetched = fetcher.poll({ maxWaitMs: 500 });
    await producer.send({ topic: opts.topic, key: null, value: message });
    const deadline = Date.now() + POLL_TIMEOUT_MS;
    let records: { value: Buffer | null }[] = (await fetched).flatMap((c) => c.records);
    while (records.length === 0 && Date.now() < deadline && !stopped()) {
      const chunks = await fetcher.poll({ maxWaitMs: 500 });
      records = chunks.flatMap((c) => c.records);
    }
    const elapsedMs = Number(process.hrtime.bigint() - begin) / 1e6;
    if (stopped() && records.length === 0) break;
    if (records.length === 0) throw new FailedError(`poll() timed out before finding a result (timeout:[${POLL_TIMEOUT_MS}])`);
    const read = records[0]!.value ?? Buffer.alloc(0);
    if (!read.equals(message)) throw new FailedError(`The message read [${read.toString('utf8')}] did not match the message sent [${message.toString('utf8')}]`);
    if (records.length !== 1) throw new FailedError(`Only one result was expected during this test. We found [${records.length}]`);
    if (i % 1000 === 0) io.line(`${i}\t${javaDouble(elapsedMs)}`);
    total += elapsedMs;
    latencies.push(elapsedMs);
  }
  return latencyResult(opts.topic, latencies, total, createdTopic, stopped());
}

/** The result of a run stopped while it was still connecting or setting up: nothing measured. */
export const stoppedBeforeMeasuring = (topic: string): E2eResult => latencyResult(topic, [], 0, false, true);

function latencyResult(topic: string, latencies: number[], total: number, createdTopic: boolean, interrupted: boolean): E2eResult {
  const whole = Int32Array.from(latencies, (l) => Math.trunc(l)).sort();
  const n = latencies.length;
  return {
    topic,
    messages: n,
    avgMs: n ? total / n : 0,
    percentiles: { p50: percentile(whole, 0.5), p99: percentile(whole, 0.99), p999: percentile(whole, 0.999) },
    minMs: n ? latencies.reduce((a, b) => Math.min(a, b)) : 0,
    maxMs: n ? latencies.reduce((a, b) => Math.max(a, b)) : 0,
    histogram: histogram(whole),
    latenciesMs: latencies,
    createdTopic,
    interrupted,
  };
}

async function waitForPartitions(client: KafkaClient, topic: string): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const md = await client.refreshMetadata([topic]);
    const t = md.topics.get(topic);
    if (t && t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) return t.partitions.map((p) => p.partition);
    if (Date.now() > deadline) throw new FailedError(`Topic ${topic} has no leader for every partition after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
