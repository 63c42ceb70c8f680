/**
 * kafka-console-consumer without a group: assigns the selected partitions, positions them by
 * the --offset grammar, prints records through Kafka's formatter (or the JSON envelope) in large
 * writes, and stops at --max-messages, --timeout-ms, the end of the log (-e / START:END), a
 * closed stdout or Ctrl-C. The group mode lives in console-group.ts.
 */
import type { KafkaClient } from '../client/client.js';
import { Admin, OffsetSpec as ListSpec } from '../client/admin.js';
import { topicMetadataFailure } from '../client/consumer/group-consumer.js';
import { Fetcher, RecordView, walkChunk, walkHeaders, type ConsumedRecord, type FetcherOptions, type RawChunk, type StartPosition } from '../client/consumer/fetcher.js';
import { Writer } from '../protocol/primitives.js';
import { NotFoundError, OutputClosed } from '../util/errors.js';
import { frameBuffers } from '../util/read-buffers.js';
import { OutBuffer, defaultFormatter, viewFormatter, type FormatterConfig } from './message-format.js';
import type { EndSpec, OffsetSpec, StartSpec } from './offset-spec.js';
import { recordToJson, viewJsonWriter } from './record-json.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import type { SchemaDecoding } from './schema-formats/decoder.js';

export type OutputFormat = 'default' | 'logging' | 'noop' | 'json';

export interface ConsumeOptions {
  maxMessages: number;
  timeoutMs: number | null;
  skipMessageOnError: boolean;
  format: OutputFormat;
  formatter: FormatterConfig;
  /** --key-format / --value-format: decodes schema-registry records (its deserializers are in `formatter`). */
  schema?: SchemaDecoding;
}

/** Where records go: the CLI's buffered stdout, which throws OutputClosed once its reader is gone. */
export interface RecordSink {
  write(data: string | Buffer): void;
  /** Resolves when the sink has accepted what was written (back-pressure). */
  flush(): Promise<void>;
  /**
   * Calls `done` once every byte flushed so far has left the process (stdout into a pipe takes
   * them later), with false when they never will (the reader went away): the buffers written
   * until then can be written into again, and the records in them count as printed. Absent:
   * buffers are never reused, and records count as printed once flushed.
   */
  afterWritten?(done: (written: boolean) => void): void;
}

/**
 * Records flushed to the sink whose bytes have not left the process yet. When the reader of a
 * pipe goes away they never will; the group mode must not commit them (it seeks back to them).
 */
class UnconfirmedWrites {
  private readonly batches: ConsumedRecord[][] = [];
  private outstanding = 0;
  private failed = false;
  private settled: (() => void) | null = null;

  constructor(private readonly sink: RecordSink) {}

  /** The records of one flush: confirmed once the sink says every byte until then was written. */
  flushed(records: ConsumedRecord[]) {
    if (!this.sink.afterWritten || records.length === 0) return;
    this.batches.push(records);
    this.outstanding++;
    // Callbacks come in write order: a confirmation is for the oldest batch; after a failure
    // nothing later is written either.
    this.sink.afterWritten((written) => {
      if (written === false) this.failed = true;
      if (!this.failed) this.batches.shift();
      if (--this.outstanding === 0) this.settled?.();
    });
  }

  /** Once every write has ended: the records whose bytes never left, in order. */
  async lost(): Promise<ConsumedRecord[]> {
    if (this.outstanding > 0) await new Promise<void>((r) => (this.settled = r));
    return this.batches.flat();
  }
}

export interface ConsumerIO {
  out: RecordSink;
  warn(line: string): void;
  interrupted: Promise<unknown>;
  /** The result to keep up to date as records are printed: the caller still has the count when consuming throws. */
  result?: ConsumeResult;
}

export interface ConsumeResult {
  /** The print loop began (Kafka's process()): from then on the count is said however the run ends. */
  started: boolean;
  processed: number;
  interrupted: boolean;
  /** The formatter failure that stopped consumption (without --skip-message-on-error), if one did. */
  failure: string | null;
  /** Stdout was closed by its reader (`| head`): consumption stopped there. */
  outputClosed: boolean;
  /** Records fetched but not printed when the loop stopped (not to be committed). */
  unprinted: ConsumedRecord[];
}

/**
 * The fetch sizes console-consumer asks for when the user chose none: 2 MiB per partition (the
 * Java consumer's 1 MiB takes twice the round trips) in answers of at most 8 MiB less 64 KiB, so
 * an answer fits the client's reused read buffers (frameBuffers, up to 8 MiB) where Kafka's 50 MiB
 * would not. A chosen max.partition.fetch.bytes, which may be larger, keeps Kafka's fetch.max.bytes.
 */
export function fetchSizeDefaults(props: Readonly<Record<string, string | undefined>>): { maxPartitionBytes?: number; maxBytes?: number } {
  const partitionChosen = props['max.partition.fetch.bytes'] !== undefined;
  return {
    ...(!partitionChosen && { maxPartitionBytes: 2 << 20 }),
    ...(!partitionChosen && props['fetch.max.bytes'] === undefined && { maxBytes: (8 << 20) - (64 << 10) }),
  };
}

export function startPosition(s: StartSpec): StartPosition {
  switch (s.kind) {
    case 'earliest':
      return 'earliest';
    case 'latest':
      return 'latest';
    case 'offset':
      return s.offset;
    case 'fromEnd':
      return { fromEnd: s.count };
    case 'afterStart':
      return { fromStart: s.count };
    case 'time':
      return { timestamp: s.timestamp };
  }
}

/**
 * Resolves the partitions of the given topics (all, or one partition) or explains why not. With
 * `missing`, a topic that does not exist (yet) is put there instead of failing: a subscribing
 * read waits for it.
 */
export async function resolvePartitions(client: KafkaClient, topics: string[], partition: number | undefined, missing?: string[]): Promise<{ topic: string; partition: number }[]> {
  const md = await client.refreshMetadata(topics);
  const out: { topic: string; partition: number }[] = [];
  for (const topic of topics) {
    const t = md.topics.get(topic);
    const failure = t && topicMetadataFailure(topic, t.errorCode);
    if (failure) throw failure;
    if (!t || t.errorCode !== 0 || t.partitions.length === 0) {
      if (!missing) throw new NotFoundError(`Topic '${topic}' does not exist`);
      missing.push(topic);
      continue;
    }
    if (partition !== undefined) {
      if (!t.partitions.some((p) => p.partition === partition)) throw new NotFoundError(`Partition ${partition} of topic '${topic}' does not exist (it has ${t.partitions.length})`);
      out.push({ topic, partition });
    } else for (const p of t.partitions) out.push({ topic, partition: p.partition });
  }
  return out;
}

/**
 * Stop offsets (exclusive) per partition for an END spec, looked up once at start; in
 * read_committed (isolationLevel 1) the end is the last stable offset.
 */
export async function stopOffsets(client: KafkaClient, parts: { topic: string; partition: number }[], end: EndSpec | null, isolationLevel: 0 | 1 = 0): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!end) return out;
  if (end.kind === 'offset' && !end.atMostLogEnd) {
    for (const p of parts) out.set(`${p.topic}\0${p.partition}`, end.offset);
    return out;
  }
  const admin = new Admin(client);
  // A leader being elected is waited for (default.api.timeout.ms), as the start offsets are.
  const until = Date.now() + client.connectTimeoutMs;
  const latest = await admin.listOffsets(parts.map((p) => ({ ...p, timestamp: ListSpec.latest })), isolationLevel, until);
  // A partition whose end is unknown (its leader never came) fails the read rather than stop it at -1.
  for (const r of latest) {
    if (r.error) throw r.error;
    out.set(`${r.topic}\0${r.partition}`, end.kind === 'offset' ? Math.min(end.offset, r.offset) : r.offset);
  }
  if (end.kind === 'time') {
    const at = await admin.listOffsets(parts.map((p) => ({ ...p, timestamp: end.timestamp })), isolationLevel, until);
    for (const r of at) {
      if (r.error) throw r.error;
      if (r.offset >= 0) out.set(`${r.topic}\0${r.partition}`, r.offset);
    }
  }
  return out;
}

/** A per-record printer for the chosen output format. */
export function recordPrinter(opts: ConsumeOptions, warn: (l: string) => void): (w: Writer, r: ConsumedRecord) => void {
  const schema = opts.schema;
  if (schema) {
    if (opts.format === 'json') return (w, r) => w.raw(Buffer.from(`${schema.json(r, opts.formatter.json)}\n`));
    const print = recordPrinter({ ...opts, schema: undefined }, warn);
    return (w, r) => {
      schema.at(r);
      print(w, r);
    };
  }
  if (opts.format === 'json') return (w, r) => w.raw(Buffer.from(`${recordToJson(r, opts.formatter.json)}\n`));
  if (opts.format === 'noop') return () => {};
  const fmt = defaultFormatter(opts.formatter);
  if (opts.format === 'logging') {
    return (w, r) => {
      fmt(w, r);
      warn(`INFO ${r.timestampType}:${r.timestamp}, key:${r.key?.toString() ?? 'null'}, value:${r.value?.toString() ?? 'null'}`);
    };
  }
  return fmt;
}

/** A result before anything was read. */
export const noneConsumed = (): ConsumeResult => ({ started: false, processed: 0, interrupted: false, failure: null, outputClosed: false, unprinted: [] });

/**
 * Prints records from `poll` until a stop condition; shared by the assign and group modes.
 * `poll` returns the next records (possibly none) and whether the end condition is met.
 *
 * `result` is kept up to date as the loop goes, so that when `poll` or a schema lookup throws it
 * still says which records of the last poll were not printed: the group mode seeks back to them
 * before the commit on close, on that way out too. A record the formatter fails on (without
 * --skip-message-on-error) is not printed, and so not committed, either.
 */
export async function printLoop(poll: (waitMs: number) => Promise<{ records: ConsumedRecord[]; done: boolean }>, opts: ConsumeOptions, io: ConsumerIO, result: ConsumeResult = io.result ?? noneConsumed()): Promise<ConsumeResult> {
  result.started = true;
  if (opts.maxMessages === 0 || (opts.maxMessages < -1)) return result;
  let stop = false;
  void io.interrupted.then(() => {
    stop = true;
    result.interrupted = true;
  });
  const print = recordPrinter(opts, io.warn);
  const w = new Writer(64 * 1024);
  const unconfirmed = new UnconfirmedWrites(io.out);
  /** Records printed since the last flush. */
  let pending: ConsumedRecord[] = [];
  /** The last poll's records, and the index of the first one not printed. */
  let records: ConsumedRecord[] = [];
  let next = 0;
  let lastRecordAt = Date.now();
  let error: { thrown: unknown } | null = null;
  try {
    while (!stop) {
      const waitMs = opts.timeoutMs === null ? 500 : Math.max(0, Math.min(500, opts.timeoutMs - (Date.now() - lastRecordAt)));
      const polled = await poll(waitMs);
      records = polled.records;
      next = 0;
      if (opts.schema && records.length) await opts.schema.prepare(records);
      for (; next < records.length && !stop; next++) {
        const r = records[next]!;
        result.processed++;
        try {
          print(w, r);
        } catch (e) {
          if (!opts.skipMessageOnError) {
            result.failure = (e as Error).message;
            stop = true;
            break;
          }
          io.warn(`Error processing message, skipping this message: ${(e as Error).message}`);
        }
        pending.push(r);
        if (opts.maxMessages > 0 && result.processed >= opts.maxMessages) {
          stop = true;
          next++;
          break;
        }
      }
      if (w.length > 0) {
        io.out.write(w.toBuffer());
        w.reset();
        await io.out.flush();
      }
      unconfirmed.flushed(pending);
      pending = [];
      // Silence counts from when the last records were printed: time blocked on a slow reader
      // is not time without records.
      if (records.length) lastRecordAt = Date.now();
      if (polled.done) break;
      if (opts.timeoutMs !== null && Date.now() - lastRecordAt >= opts.timeoutMs) break;
    }
  } catch (e) {
    if (e instanceof OutputClosed) result.outputClosed = true;
    else error = { thrown: e };
  }
  // Printed but never written (the reader went away first, or the loop failed before writing
  // them): not printed after all; nor are the last poll's records after the last one printed.
  const lost = [...(await unconfirmed.lost()), ...(result.outputClosed || error ? pending : [])];
  result.unprinted = [...lost, ...records.slice(next)];
  if (error) throw error.thrown;
  return result;
}

/** The allocation-free printer over RecordViews for these options, or null when records must be objects. */
export function viewPrinter(opts: ConsumeOptions): ((o: OutBuffer, v: RecordView) => void) | null {
  if (opts.schema) return null;
  // A deserializer's JSON value is written from record objects (recordPrinter).
  if (opts.format === 'json') return opts.formatter.json.key || opts.formatter.json.value || opts.formatter.json.header ? null : viewJsonWriter(walkHeaders);
  if (opts.format === 'noop') return () => {};
  if (opts.format === 'default') return viewFormatter(opts.formatter);
  return null;
}

/** Output handed to the sink once this many bytes are formatted (one write per chunk). */
const OUT_CHUNK = 256 * 1024;

/**
 * printLoop for undecoded chunks: records are formatted straight from the fetched batches into a
 * large buffer, written in chunks, waiting for the sink (back-pressure) after each poll while the
 * fetcher's next Fetch is already on its way.
 *
 * With `schema` (--key-format / --value-format with Kafka's default formatter), keys and values
 * decode straight from the fetched batches too: a record whose schema id is not fetched yet stops
 * the walk; the schema is fetched and the walk resumes at that record. A record that cannot be
 * decoded is reported as printLoop reports it.
 */
export async function printViewLoop(
  poll: (waitMs: number) => Promise<{ chunks: RawChunk[]; done: boolean }>,
  print: (o: OutBuffer, v: RecordView) => void,
  opts: ConsumeOptions,
  io: ConsumerIO,
  schema?: Required<Pick<SchemaDecoding, 'missing' | 'fetchMissing'>>,
): Promise<ConsumeResult> {
  const result = io.result ?? noneConsumed();
  result.started = true;
  if (opts.maxMessages === 0 || opts.maxMessages < -1) return result;
  let stop = false;
  void io.interrupted.then(() => {
    stop = true;
    result.interrupted = true;
  });
  const o = new OutBuffer(OUT_CHUNK + 64 * 1024);
  const view = new RecordView();
  const limit = opts.maxMessages > 0 ? opts.maxMessages : Infinity;
  /** The offset the walk of the current chunk resumes at (after a schema was fetched). */
  let resumeAt = -1;
  let needSchema = false;
  /** Counts a printed record; false once the walk must stop. */
  const printed = (): boolean => {
    if (++result.processed >= limit) {
      stop = true;
      return false;
    }
    if (o.pos >= OUT_CHUNK) io.out.write(o.take());
    return true;
  };
  const visit =
    schema === undefined
      ? (v: RecordView): boolean => {
          if (stop) return false;
          print(o, v);
          return printed();
        }
      : (v: RecordView): boolean => {
          if (stop) return false;
          if (v.offset < resumeAt) return true;
          const mark = o.pos;
          try {
            print(o, v);
          } catch (e) {
            if (schema.missing(e)) {
              o.pos = mark;
              resumeAt = v.offset;
              needSchema = true;
              return false;
            }
            if (!opts.skipMessageOnError) {
              result.failure = (e as Error).message;
                result.processed++;
              stop = true;
              return false;
            }
            io.warn(`Error processing message, skipping this message: ${(e as Error).message}`);
          }
          return printed();
        };
  let lastRecordAt = Date.now();
  // This loop gives answers' buffers back (below): let them come from the pool.
  if (schema === undefined) frameBuffers.startPooling();
  try {
    while (!stop) {
      const waitMs = opts.timeoutMs === null ? 500 : Math.max(0, Math.min(500, opts.timeoutMs - (Date.now() - lastRecordAt)));
      const { chunks, done } = await poll(waitMs);
      const before = result.processed;
      let walked = 0;
      for (; walked < chunks.length; ) {
        needSchema = false;
        const complete = walkChunk(chunks[walked]!, view, visit);
        if (needSchema) {
          await schema!.fetchMissing();
          continue;
        }
        resumeAt = -1;
        if (!complete) break;
        walked++;
      }
      // Every record of these answers is formatted (copied into the output): their buffers can
      // be read into again. Not with schemas (a decoder may keep what it read) nor after a stop.
      if (walked === chunks.length && schema === undefined) for (const c of chunks) frameBuffers.giveBack(c.batches.map((b) => b.batch));
      if (o.pos > 0) io.out.write(o.take());
      await io.out.flush();
      const handed = o.handedOver();
      if (handed.length > 0) io.out.afterWritten?.(() => o.recycle(handed));
      if (result.processed > before) lastRecordAt = Date.now();
      if (done) break;
      if (opts.timeoutMs !== null && Date.now() - lastRecordAt >= opts.timeoutMs) break;
    }
  } catch (e) {
    if (!(e instanceof OutputClosed)) throw e;
    result.outputClosed = true;
  }
  return result;
}

/** The topics an open-ended read without a group follows (--include's pattern, or --topic without --partition). */
export interface TopicWatch {
  matches(topic: string): boolean;
  /** metadata.max.age.ms: how often metadata is looked at for new topics and partitions. */
  everyMs: number;
  /** --topic's names (absent for --include): looked up by name while they do not exist, so the broker may create them. */
  names?: string[];
  /** allow.auto.create.topics: a topic subscribed by name that does not exist is asked for with auto-creation (Kafka's consumer does). */
  autoCreate?: boolean;
  /** The one line said when the read starts waiting for its topics (none exists yet, or a named one is missing). */
  waitingNotice?: string;
}

/**
 * How often metadata is looked at while a subscribed topic does not exist yet: Kafka's consumer
 * asks again after retry.backoff.ms (100 ms, growing to retry.backoff.max.ms, 1 s), not after
 * metadata.max.age.ms, so a topic created meanwhile is read within a moment.
 */
export const MISSING_TOPIC_REFRESH_MS = 250;

/** What a poll left behind by a stop comes to. */
const STOPPED: unique symbol = Symbol('stopped');

/** How soon a check that found a leaderless new partition, or failed, is made again. */
const RETRY_SOON_MS = 1000;

/**
 * Every `everyMs`, as Kafka's subscribing consumer refreshes its metadata: topics that now match
 * and partitions added to followed topics are assigned. They start at their beginning, not at
 * auto.offset.reset: everything in them was written after this consumer started, and Kafka's
 * group consumer, which applies `latest` there, misses what was written before it looked. A
 * failed refresh is tried again at the next check; fetching goes on meanwhile.
 */
/**
 * The deleted topics of a followed read: their partitions are dropped (the Fetcher's onGone; said
 * once per topic) and the watcher takes them again once the topic exists again: at their old
 * position when it is the same topic (its id unchanged: metadata that missed it for a moment),
 * from its beginning when it was created anew. A topic deleted and created anew between two
 * fetches (a fetch by name does not notice) is found by its new id at the watcher's next look.
 */
class GoneTopics {
  /** The topic id each partition read was assigned under. */
  private readonly ids = new Map<string, string>();
  private readonly gone = new Map<string, { id: string | undefined; position: number }>();
  private readonly said = new Set<string>();

  constructor(private readonly warn: (line: string) => void) {}

  reading(topic: string, partition: number, id: Buffer | undefined): void {
    if (id) this.ids.set(`${topic}\0${partition}`, id.toString('hex'));
  }

  drop(g: { topic: string; partition: number; position: number }): void {
    const k = `${g.topic}\0${g.partition}`;
    this.gone.set(k, { id: this.ids.get(k), position: g.position });
    this.ids.delete(k);
    if (this.said.has(g.topic)) return;
    this.said.add(g.topic);
    this.warn(`WARN Topic ${g.topic} no longer exists (UNKNOWN_TOPIC_OR_PARTITION): it is read again, from its beginning, if it is created anew`);
  }

  /** Whether a partition read now belongs to another topic of its name (deleted and created anew). */
  recreated(topic: string, partition: number, id: Buffer): boolean {
    const was = this.ids.get(`${topic}\0${partition}`);
    return was !== undefined && was !== id.toString('hex');
  }

  sayRecreated(topic: string): void {
    this.warn(`WARN Topic ${topic} was deleted and created anew: it is read from its beginning`);
  }

  /** Where a partition the watcher found starts: its old position if it is back, else its beginning. */
  startOf(topic: string, partition: number, id: Buffer): StartPosition {
    const was = this.gone.get(`${topic}\0${partition}`);
    return was && was.id === id.toString('hex') ? was.position : 'earliest';
  }

  /** Partitions the watcher assigned (not before: a failed assignment keeps what was remembered). */
  taken(list: readonly { topic: string; partition: number; id: Buffer }[]): void {
    for (const p of list) {
      this.gone.delete(`${p.topic}\0${p.partition}`);
      this.reading(p.topic, p.partition, p.id);
      this.said.delete(p.topic);
    }
  }
}

function newPartitionWatcher(client: KafkaClient, fetcher: Fetcher, watch: TopicWatch, gone: GoneTopics, missing: string[], warn: (line: string) => void): () => void {
  /** The named topics not seen yet (for --include: whether no topic matched yet); checked at once and then often. */
  let awaiting = watch.names ? new Set(missing) : fetcher.assignment().length === 0 ? null : new Set<string>();
  const waiting = () => (awaiting === null ? true : awaiting.size > 0);
  let said = false;
  let next = waiting() ? 0 : Date.now() + watch.everyMs;
  let checking = false;
  // Run beside the polls, not before them: a lookup that waits for a broker (the offsets of a
  // new partition whose leader does not answer) must not hold up printing, --timeout-ms or a stop.
  return () => {
    if (checking || Date.now() < next) return;
    checking = true;
    void check().finally(() => (checking = false));
  };
  async function check(): Promise<void> {
    next = Date.now() + watch.everyMs;
    /** A topic waited for is not there at all (as opposed to there without a leader yet, or a failed look). */
    let absent = false;
    try {
      // A missing topic subscribed by name is asked for by name, with auto-creation when allowed
      // (only then: a topic read and later deleted is not created again behind the user's back).
      const named = awaiting !== null && awaiting.size > 0 ? [...awaiting] : null;
      const md = named ? await client.refreshMetadata(named, !!watch.autoCreate) : await client.refreshMetadata(null);
      const exists = (name: string) => md.topics.get(name)?.errorCode === 0 && md.topics.get(name)!.partitions.length > 0;
      if (named) absent = named.some((t) => !exists(t));
      else if (awaiting === null) absent = ![...md.topics.values()].some((t) => !t.internal && watch.matches(t.name) && exists(t.name));
      // A topic read that was deleted and created anew under its name: read the new one from its beginning.
      const recreated = new Set<string>();
      for (const a of fetcher.assignment()) {
        const t = md.topics.get(a.topic);
        if (!t || t.errorCode !== 0 || !gone.recreated(a.topic, a.partition, t.id)) continue;
        fetcher.unassign(a.topic, a.partition);
        recreated.add(a.topic);
      }
      for (const topic of recreated) gone.sayRecreated(topic);
      const known = new Set(fetcher.assignment().map((p) => `${p.topic}\0${p.partition}`));
      const fresh: { topic: string; partition: number; start: StartPosition; id: Buffer }[] = [];
      let leaderless = false;
      for (const t of md.topics.values()) {
        if (t.internal || t.errorCode !== 0 || !watch.matches(t.name)) continue;
        for (const p of t.partitions) {
          if (known.has(`${t.name}\0${p.partition}`)) continue;
          // A partition just created may have no leader yet: taken at a check soon after.
          if (p.leader < 0) leaderless = true;
          else fresh.push({ topic: t.name, partition: p.partition, start: gone.startOf(t.name, p.partition, t.id), id: t.id });
        }
      }
      if (fresh.length > 0) {
        await fetcher.assign(fresh.map(({ topic, partition, start }) => ({ topic, partition, start })));
        gone.taken(fresh);
        if (awaiting === null) awaiting = new Set();
        for (const p of fresh) awaiting.delete(p.topic);
      }
      if (leaderless) next = Date.now() + Math.min(watch.everyMs, RETRY_SOON_MS);
    } catch {
      next = Date.now() + Math.min(watch.everyMs, RETRY_SOON_MS);
    }
    if (waiting()) {
      // Said once, not at every look (Kafka's consumer logs a WARN per metadata answer), and not
      // for a topic that exists but has no leader yet (one just auto-created).
      if (absent && !said && watch.waitingNotice) {
        said = true;
        warn(watch.waitingNotice);
      }
      next = Math.min(next, Date.now() + MISSING_TOPIC_REFRESH_MS);
    }
  }
}

export async function consumeAssigned(
  client: KafkaClient,
  topics: string[],
  partition: number | undefined,
  spec: OffsetSpec,
  fetcherOptions: FetcherOptions,
  opts: ConsumeOptions,
  io: ConsumerIO,
  startGiven = true,
  watch?: TopicWatch,
): Promise<ConsumeResult> {
  // Told to stop (Ctrl-C, SIGTERM), a step under way (the setup's lookups, a poll) is left
  // behind: with the broker gone it would retry until its deadlines, and without a group nothing
  // waits on it (no position is committed; the process ends).
  const stopped: Promise<typeof STOPPED> = io.interrupted.then(() => STOPPED);
  const orStop = <T>(p: Promise<T>): Promise<T | typeof STOPPED> => Promise.race([p, stopped]);
  const result = io.result ?? noneConsumed();
  const missing: string[] = [];
  /** A stop during the setup: nothing read, the count (0) said as after a later stop. */
  const stoppedInSetup = (): ConsumeResult => Object.assign(result, { started: true, interrupted: true });
  const looked = await orStop(
    (async () => {
      // Subscribing (no --partition, open-ended): a topic that does not exist yet is waited for, as Kafka's consumer waits.
      const parts = await resolvePartitions(client, topics, partition, watch && spec.end === null ? missing : undefined);
      // auto.offset.reset=none and no --offset, --from-beginning or --partition: Kafka's console
      // consumer (a new group, nothing committed) has no position to start from, and says so.
      if (!startGiven && fetcherOptions.autoOffsetReset === 'none') {
        throw new KafkaProtocolError(ErrorCode.OFFSET_OUT_OF_RANGE, `Undefined offset with no reset policy for partitions: [${parts.map((p) => `${p.topic}-${p.partition}`).join(', ')}]`);
      }
      return { parts, stops: await stopOffsets(client, parts, spec.end, fetcherOptions.isolationLevel ?? 0) };
    })(),
  );
  if (looked === STOPPED) return stoppedInSetup();
  const { parts, stops } = looked;
  const view = viewPrinter(opts);
  const schemaView = !view && opts.schema?.viewFormatter && opts.format === 'default' ? opts.schema.viewFormatter(opts.formatter) : null;
  const bounded = spec.end !== null;
  // A bounded read (an END offset) is fixed at start; an open-ended one follows new topics and
  // partitions, and topics deleted and created anew.
  const gone = watch && !bounded ? new GoneTopics((l) => io.warn(l)) : null;
  for (const p of parts) gone?.reading(p.topic, p.partition, client.cluster.topics.get(p.topic)?.id);
  // Records are printed while the next Fetch travels.
  const fetcher = new Fetcher(client, { prefetch: true, ...fetcherOptions, ...(gone && { onGone: (g) => gone.drop(g) }) });
  // Every followed topic deleted: a poll with nothing to fetch returns at once, so wait as
  // Kafka's poll does (the watcher, on timers, takes the topics again when they are back).
  const idle = (waitMs: number) => orStop(new Promise<void>((r) => setTimeout(r, Math.max(1, waitMs)).unref()));
  try {
    const positioned = await orStop(
      (async () => {
        await fetcher.assign(parts.map((p) => ({ ...p, start: startPosition(spec.start), stopAt: stops.get(`${p.topic}\0${p.partition}`) })));
        // An --offset past the log is reset (and said) now: with -e the read could end before a fetch.
        if (spec.start.kind === 'offset') await fetcher.resetOutOfRange();
      })(),
    );
    if (positioned === STOPPED) return stoppedInSetup();
    const discover = watch && gone ? newPartitionWatcher(client, fetcher, watch, gone, missing, (l) => io.warn(l)) : () => undefined;
    const print = view ?? schemaView;
    if (print) {
      return await printViewLoop(
        async (waitMs) => {
          if (bounded && fetcher.allAtEnd()) return { chunks: [], done: true };
          discover();
          if (gone && fetcher.assignment().length === 0 && (await idle(waitMs)) === STOPPED) return { chunks: [], done: true };
          const chunks = await orStop(fetcher.pollRaw({ maxWaitMs: waitMs }));
          if (chunks === STOPPED) return { chunks: [], done: true };
          return { chunks, done: bounded && fetcher.allAtEnd() && chunks.length === 0 };
        },
        print,
        opts,
        io,
        schemaView ? (opts.schema as Required<SchemaDecoding>) : undefined,
      );
    }
    return await printLoop(
      async (waitMs) => {
        if (bounded && fetcher.allAtEnd()) return { records: [], done: true };
        discover();
        if (gone && fetcher.assignment().length === 0 && (await idle(waitMs)) === STOPPED) return { records: [], done: true };
        const chunks = await orStop(fetcher.poll({ maxWaitMs: waitMs }));
        if (chunks === STOPPED) return { records: [], done: true };
        const records = chunks.length === 1 ? chunks[0]!.records : chunks.flatMap((c) => c.records);
        return { records, done: bounded && fetcher.allAtEnd() && records.length === 0 };
      },
      opts,
      io,
    );
  } finally {
    fetcher.close();
  }
}
