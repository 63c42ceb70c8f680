/**
 * kafka-ts producer-perf-test: its options (kafka-producer-perf-test.sh's argparse4j set), the
 * checks Kafka makes on them, and the producer settings read from --producer-props and
 * --producer.config.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ProducerOptions } from '../../client/producer/producer.js';
import { UsageError } from '../errors.js';
import { idempotenceMode } from './console-producer.js';
import { ConfigValues, checkProperties } from '../../util/config-catalogue.js';
import { PRODUCER_CATALOGUE, producerOptions } from '../../client/config/producer.js';
import { isConfigProviderKey } from '../../client/config/common.js';
import { fitsJava } from '../../util/java-numbers.js';

export interface ProducerPerfTestOptions {
  bootstrapServer?: string;
  context?: string;
  topic?: string;
  numRecords?: string;
  recordSize?: string;
  payloadFile?: string;
  payloadDelimiter: string;
  payloadMonotonic?: boolean;
  throughput?: string;
  producerProps?: string[];
  'producer.config'?: string;
  commandConfig?: string;
  printMetrics?: boolean;
  transactionalId?: string;
  transactionDurationMs?: string;
  warmupRecords?: string;
  output: 'text' | 'json';
}

/** --producer-props: each token exactly key=value (Kafka splits at '=' and wants two pieces). */
export function parseProducerProps(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list ?? []) {
    const pieces = p.split('=');
    // Java's String.split drops trailing empty pieces: "k=" is one piece, refused too.
    while (pieces.length > 1 && pieces[pieces.length - 1] === '') pieces.pop();
    if (pieces.length !== 2) throw new UsageError(`Invalid property: ${p}`);
    out[pieces[0]!] = pieces[1]!;
  }
  return out;
}

const num = (text: string | undefined, name: string, kind: 'long' | 'int' | 'double'): number | undefined => {
  if (text === undefined) return undefined;
  // argparse4j refuses a long or int beyond the type's range as it refuses other text.
  const ok = kind === 'double' ? /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) : /^\s*[-+]?\d+\s*$/.test(text) && fitsJava(text, kind);
  if (!ok) throw new UsageError(`argument ${name}: could not convert '${text}' to ${kind === 'double' ? 'Double' : kind === 'long' ? 'Long' : 'Integer'}`);
  return Number(text);
};

export interface PerfTestSettings {
  topic: string;
  numRecords: number;
  recordSize: number | null;
  throughput: number;
  payloadFile: string | null;
  delimiter: string;
  monotonic: boolean;
}

/** Kafka's checks, in its order; messages as argparse4j and ProducerPerformance word them. */
export function validate(o: ProducerPerfTestOptions): PerfTestSettings {
  // A parse error, before argparse4j checks what is required. commander hands a value-taking
  // option the next word even when it is an option (`--producer-props --record-size 10` made
  // --record-size and 10 properties); argparse4j takes no word starting with '-' as a value of
  // nargs('+'). Later words starting with '-' already end the list in commander.
  if (o.producerProps?.[0]?.startsWith('-')) throw new UsageError('argument --producer-props: expected at least one argument');
  if (o.topic === undefined) throw new UsageError('argument --topic is required');
  if (o.numRecords === undefined) throw new UsageError('argument --num-records is required');
  if (o.throughput === undefined) throw new UsageError('argument --throughput is required');
  const payloads = [o.recordSize !== undefined && '--record-size', o.payloadFile !== undefined && '--payload-file', o.payloadMonotonic && '--payload-monotonic'].filter(Boolean) as string[];
  if (payloads.length === 0) throw new UsageError('one of the arguments --record-size --payload-file --payload-monotonic is required');
  if (payloads.length > 1) throw new UsageError(`argument ${payloads[1]}: not allowed with argument ${payloads[0]}`);
  const numRecords = num(o.numRecords, '--num-records', 'long')!;
  const recordSize = num(o.recordSize, '--record-size', 'int') ?? null;
  const throughput = num(o.throughput, '--throughput', 'double')!;
  if (numRecords <= 0) throw new UsageError('--num-records should be greater than zero');
  if (recordSize !== null && recordSize <= 0) throw new UsageError('--record-size should be greater than zero');
  const duration = num(o.transactionDurationMs, '--transaction-duration-ms', 'long');
  if (duration !== undefined && duration <= 0) throw new UsageError('--transaction-duration-ms should be greater than zero');
  if (o.warmupRecords !== undefined) throw new UsageError('--warmup-records is not supported by kafka-ts');
  return {
    topic: o.topic,
    numRecords,
    recordSize,
    throughput,
    payloadFile: o.payloadFile ?? null,
    delimiter: o.payloadDelimiter === '\\n' ? '\n' : o.payloadDelimiter,
    monotonic: !!o.payloadMonotonic,
  };
}

/**
 * Options Kafka's tool accepts and then ignores: --payload-delimiter is read only with --payload-file.
 * kafka-ts ignores it too but says so (`given`: whether the option was on the command line).
 */
export function ineffectiveOptions(o: ProducerPerfTestOptions, given: (option: string) => boolean): string[] {
  return given('payloadDelimiter') && o.payloadFile === undefined ? ['WARN --payload-delimiter has no effect without --payload-file'] : [];
}

/** --payload-file split by the delimiter (empty entries dropped, as Java's Scanner does). */
export function readPayloads(path: string, delimiter: string): { absolute: string; payloads: Buffer[] } {
  const absolute = resolve(path);
  let size = 0;
  try {
    const st = statSync(absolute);
    if (st.isDirectory()) throw new UsageError(`--payload-file ${path} is a directory`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  if (size === 0) throw new UsageError('File does not exist or empty file provided.');
  const text = readFileSync(absolute, 'utf8');
  const payloads = text
    .split(delimiter)
    .filter((s) => s.length > 0)
    .map((s) => Buffer.from(s, 'utf8'));
  if (payloads.length === 0) throw new UsageError('File does not exist or empty file provided.');
  return { absolute, payloads };
}

export interface ProducerSettings {
  producer: ProducerOptions;
  bufferMemory: number;
  clientId: string;
  /** Lines for stderr: Kafka's warning for each configuration it does not know (and deprecations). */
  warnings: string[];
}

/**
 * The producer's options from its properties, checked against the producer catalogue
 * (src/client/config/producer.ts) with the Java producer's defaults; bad values are usage errors
 * with Kafka's text.
 */
export function producerSettings(props: Record<string, string>, compressionByName: (name: string) => number): ProducerSettings {
  // Values with config provider references (${env:X}) are resolved later, when the client is made.
  const plain = Object.fromEntries(Object.entries(props).filter(([, v]) => !/\$\{[^}]*\}/.test(v)));
  const r = checkProperties(PRODUCER_CATALOGUE, plain, isConfigProviderKey);
  if (r.errors.length > 0) throw new UsageError(r.errors[0]!);
  const cfg = new ConfigValues(PRODUCER_CATALOGUE, r.values);
  // The tools' own idempotence rule (and message) first: 'if-supported' unless given.
  const acks = cfg.str('acks') === 'all' ? -1 : (Number(cfg.str('acks')) as -1 | 0 | 1);
  const idempotent = idempotenceMode(props['enable.idempotence'], acks, cfg.num('retries'));
  const producer = producerOptions(cfg, compressionByName);
  producer.idempotent = idempotent;
  producer.maxRequestSize = Math.max(1, cfg.num('max.request.size'));
  return { producer, bufferMemory: Math.max(1, cfg.num('buffer.memory')), clientId: props['client.id'] ?? 'perf-producer-client', warnings: r.warnings };
}

/**
 * Transactions as Kafka's ProducerPerformance enables them: by --transactional-id,
 * --transaction-duration-ms or a transactional.id producer property. The id defaults to
 * "performance-producer-" and a random UUID, the duration (commit interval) to 3000 ms.
 */
export function transactionSettings(o: ProducerPerfTestOptions, props: Record<string, string>, uuid: () => string): { transactionalId: string; durationMs: number } | null {
  const duration = num(o.transactionDurationMs, '--transaction-duration-ms', 'long');
  const id = o.transactionalId ?? props['transactional.id'];
  if (id === undefined && duration === undefined) return null;
  return { transactionalId: id ?? `performance-producer-${uuid()}`, durationMs: duration ?? 3000 };
}
