/**
 * kafka-console-producer: reads records from stdin (Kafka's line format or the JSON envelope)
 * and produces them, reporting failures as they happen and a one-line summary at the end.
 */
import type { KafkaClient } from '../client/client.js';
import { Producer, type ProducerOptions } from '../client/producer/producer.js';
import { LineSplitter, NO_HEADERS, parseLine, LineParseError, type LineOffsets, type ParsedLine, type ReaderConfig } from './line-reader.js';
import { recordFromJson, JsonRecordError } from './record-json.js';

export interface ConsoleProducerOptions {
  topic: string;
  /** Kafka's line reader settings, or 'json' for the JSON envelope. */
  input: ReaderConfig | 'json';
  sync: boolean;
  producer: ProducerOptions;
  /** Print Kafka's '>' prompt (only when stdin and stdout are terminals). */
  prompt: boolean;
  /**
   * buffer.memory (--max-memory-bytes): the bytes of records accepted and not yet acknowledged;
   * a record that finds it full waits up to the producer's maxBlockMs (max.block.ms) for room,
   * then fails as Kafka's send does. Bytes are counted as outstanding records times the mean
   * size (key, value, headers) of the records read so far. Unset: no bound but the record count.
   */
  bufferMemory?: number;
  /** With a transactional.id: records per transaction (0 or unset: one for the whole input). */
  transactionSize?: number;
  /** --key-format / --value-format: writes each key and value (JSON) in the schema registry's wire format. */
  schema?: (record: { key: Buffer | null; value: Buffer | null }, lineNumber: number) => void;
  /** With --input json: the sides (schema formats) whose envelope value may be any JSON, not only a string. */
  structured?: { key?: boolean; value?: boolean };
}

export interface ProducerIO {
  /**
   * With `reuseChunks` (a FileInput), the default line format asks for every chunk in the same
   * buffer: it copies what it keeps of a chunk once it asks for the next.
   */
  stdin: AsyncIterable<Buffer | string> & { reuseChunks?: () => void };
  prompt(): void;
  warn(line: string): void;
  /** Stops reading stdin at once (the connection cannot be made secure: no record can be sent). */
  stopReading?(): void;
  /** Resolves when the user interrupts (Ctrl-C); reading then stops and queued records flush. */
  interrupted: Promise<unknown>;
}

export interface ProduceSummary {
  lines: number;
  sent: number;
  failed: number;
  /** The parse error that stopped reading, if any. */
  inputError: string | null;
  interrupted: boolean;
  /** Set when the broker's ACLs refused a batch (exit 8). */
  denied?: boolean;
  /** The authentication or TLS failure that stopped the run (exit 7): every record would fail alike. */
  authError?: Error;
  /** With a transactional.id: transactions committed and aborted, and the records committed. */
  transactions?: { committed: number; aborted: number; committedRecords: number };
  /** Why a transaction could not be committed (it was aborted), or the producer was fenced. */
  transactionError?: string;
}

/** Records allowed in flight before reading stdin pauses. */
const MAX_OUTSTANDING = 200_000;
/**
 * Bytes of records read ahead of their acknowledgements before reading stdin pauses (whatever
 * buffer.memory allows): a few requests' worth keeps the connection busy, and a batch buffer is
 * reused once acknowledged, where reading further ahead takes fresh memory (a page fault per 4 KiB).
 */
const READ_AHEAD_BYTES = 4 << 20;
/** Input bytes of the default format queued between turns of the event loop (the lines of a run share a timestamp). */
const YIELD_BYTES = 64 << 10;
/** Lets the event loop turn (socket writes, acknowledgements) before going on. */
const turn = () => new Promise<void>((r) => setImmediate(r));
/** Failed batches reported individually before they are only counted. */
const MAX_REPORTED_FAILURES = 10;

export async function runConsoleProducer(client: KafkaClient, opts: ConsoleProducerOptions, io: ProducerIO): Promise<ProduceSummary> {
  // buffer.memory also bounds one record (a larger one is refused before it is sent, as Kafka's).
  // The open batches of all partitions together hold at most half the read-ahead: spread over
  // partitions, records fill each partition's batch slowly, and large batches (1 MB by default)
  // were all still open when the read-ahead stopped the input; then all went at once, the broker
  // idle meanwhile. Batches that fill (batch.size times the partitions written under it) are not
  // affected: the bound only seals earlier what the read-ahead would have sealed.
  const producer = new Producer(client, { ...opts.producer, openBytesMax: READ_AHEAD_BYTES / 2, ...(opts.bufferMemory !== undefined && { bufferMemory: opts.bufferMemory }) });
  const summary: ProduceSummary = { lines: 0, sent: 0, failed: 0, inputError: null, interrupted: false };
  let reported = 0;
  producer.onBatchError = (topic, partition, count, err) => {
    // A connection that cannot be authenticated (TLS or SASL) fails every record alike: stop
    // reading, and end with that one error (exit 7), as the other tools do.
    if ((err as { kind?: string }).kind === 'auth') {
      if (!summary.authError) {
        summary.authError = err;
        stop = true;
        io.stopReading?.();
      }
      return;
    }
    const denied = (err as { kind?: string }).kind === 'denied';
    if (denied) summary.denied = true;
    if (++reported > MAX_REPORTED_FAILURES) return;
    const where = partition >= 0 ? `topic ${topic} partition ${partition}` : `topic ${topic}`;
    const why = denied ? `not authorized to write to topic ${topic} (${(err as { hint?: string }).hint ?? 'TOPIC_AUTHORIZATION_FAILED'})` : err.message;
    io.warn(`Error when sending ${count} message${count === 1 ? '' : 's'} to ${where} with error: ${why}`);
  };
  producer.onIdempotenceUnavailable = (reason) => io.warn(`kafka-ts console-producer: sending without idempotence: ${reason.message}`);
  let stop = false;
  void io.interrupted.then(() => {
    stop = true;
    summary.interrupted = true;
  });

  // buffer.memory: `cap` is how many records of the mean size seen so far fit in it.
  const bufferMemory = opts.bufferMemory ?? Infinity;
  const maxBlockMs = opts.producer.maxBlockMs ?? 60_000;
  let readBytes = 0;
  let readRecords = 0;
  let cap = 1;
  let bufferFailures = 0;
  const capacity = () => Math.max(1, Math.min(MAX_OUTSTANDING, Math.floor(bufferMemory / Math.max(1, readBytes / readRecords))));
  const count = (r: { key: Buffer | null; value: Buffer | null }) => {
    readBytes += (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0);
    readRecords++;
  };
  const full = () => bufferMemory !== Infinity && producer.outstanding >= cap && producer.outstanding >= (cap = capacity());
  /** Waits for room in buffer.memory, at most max.block.ms; false (the record fails) when there is none by then. */
  const room = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => (timer = setTimeout(() => r(false), maxBlockMs)));
    try {
      return await Promise.race([producer.waitForRoom(cap).then(() => true), timedOut, io.interrupted.then(() => true)]);
    } finally {
      clearTimeout(timer);
    }
  };
  const bufferExhausted = (r: { key: Buffer | null; value: Buffer | null }) => {
    bufferFailures++;
    if (++reported > MAX_REPORTED_FAILURES) return;
    const size = (r.key ? r.key.length : 0) + (r.value ? r.value.length : 0);
    const used = Math.round(producer.outstanding * (readBytes / readRecords));
    io.warn(
      `Error when sending 1 message to topic ${opts.topic} with error: Failed to allocate ${size} bytes within the configured max blocking time ${maxBlockMs} ms. ` +
        `Total memory: ${bufferMemory} bytes. Available memory: ${Math.max(0, bufferMemory - used)} bytes.`,
    );
  };

  const splitter = new LineSplitter();
  /** Parses one line into a record; returns null for lines that carry none (blank JSON lines). */
  const toRecord = (line: Buffer) => {
    summary.lines++;
    if (opts.input === 'json') {
      if (line.length === 0) {
        summary.lines--;
        return null;
      }
      const rec = recordFromJson(line.toString('utf8'), summary.lines, opts.structured);
      opts.schema?.(rec, summary.lines);
      return { topic: opts.topic, key: rec.key, value: rec.value, headers: rec.headers, partition: rec.partition, timestamp: rec.timestamp };
    }
    const rec = parseLine(line, opts.input, summary.lines);
    if (opts.schema) {
      const r = { key: rec.key, value: rec.value };
      opts.schema(r, summary.lines);
      return { topic: opts.topic, key: r.key, value: r.value, headers: rec.headers };
    }
    return { topic: opts.topic, key: rec.key, value: rec.value, headers: rec.headers };
  };

  // Transactions: records go out in transactions of `transactionSize` records; the last one is
  // committed at the end of input (or an interrupt), and aborted after a bad line or a failure.
  const txn = producer.txn;
  const txnSize = opts.transactionSize ?? 0;
  let inTxn = 0;
  if (txn) summary.transactions = { committed: 0, aborted: 0, committedRecords: 0 };
  const commit = async () => {
    const n = inTxn;
    inTxn = 0;
    await producer.commitTransaction();
    summary.transactions!.committed++;
    summary.transactions!.committedRecords += n;
  };
  const add = async (record: ReturnType<typeof toRecord> & object) => {
    count(record);
    if (full() && !(await room())) return bufferExhausted(record);
    if (txn && !txn.hasError && txn.state === 'READY') producer.beginTransaction();
    // A failed batch makes the transaction abortable: stop reading, and abort it below.
    txn?.checkSend();
    // --sync waits for each acknowledgement; otherwise records are queued without awaiting.
    if (opts.sync) await producer.send(record);
    else producer.append(record);
    if (txn && ++inTxn >= txnSize && txnSize > 0) await commit();
  };

  const readerCfg = opts.input === 'json' ? null : opts.input;
  const fast = !!readerCfg && !txn && !opts.sync;
  const schema = opts.schema;
  // The default line format (a line is the value): lines are encoded from the input chunk by
  // their offsets, with no Buffer or record object per line.
  const raw = fast && !schema && !!readerCfg && !readerCfg.parseKey && !readerCfg.parseHeaders && readerCfg.nullMarker === null;
  /**
   * The fast path's record: queued at once (no promise, no microtask per record); a promise only
   * when buffer.memory is full and it waits for room.
   */
  const queue = (rec: ParsedLine) => producer.append({ topic: opts.topic, key: rec.key, value: rec.value, headers: rec.headers });
  const addNow = (rec: ParsedLine): Promise<void> | undefined => {
    count(rec);
    if (!full()) {
      queue(rec);
      return undefined;
    }
    return room().then((ok) => (ok ? queue(rec) : bufferExhausted(rec)));
  };
  /** The lines of `chunk` at `lines`' offsets, in runs that cannot fill buffer.memory (checked per record beyond). */
  const addRaw = async (chunk: Buffer, lines: LineOffsets) => {
    const { count: n, starts, ends } = lines;
    let i = 0;
    while (i < n) {
      // Records taken while outstanding < cap never find the buffer full, so they need no check.
      const free = bufferMemory === Infinity ? n - i : cap - producer.outstanding;
      if (free <= 0) {
        summary.lines++;
        // A record waiting for its topic's metadata is kept: a copy, when the chunk is reused.
        const value = chunk.subarray(starts[i], ends[i]);
        await addNow({ key: null, value: reused ? Buffer.from(value) : value, headers: NO_HEADERS });
        i++;
        continue;
      }
      // A run ends after YIELD_BYTES of input, and the event loop turns before the next one: the
      // socket takes only a few hundred KB a turn, so a turn per 1 MiB chunk starved the broker
      // of the batches already sealed (1M x 100 B: 0.76 -> 0.53 s).
      const last = Math.min(n, i + free);
      let bytes = 0;
      let to = i;
      while (to < last && bytes < YIELD_BYTES) bytes += ends[to]! - starts[to++]!;
      readBytes += bytes;
      readRecords += to - i;
      summary.lines += to - i;
      producer.appendValues(opts.topic, chunk, starts, ends, i, to);
      i = to;
      if (i < n) await turn();
    }
  };
  // The default format keeps nothing of a chunk past its turn (LineSplitter copies a line it
  // begins, Producer.appendValues what it keeps): the file input may read into one buffer.
  const reused = raw && !!io.stdin.reuseChunks;
  if (reused) io.stdin.reuseChunks!();
  try {
    if (txn) await producer.initTransactions();
    if (opts.prompt) io.prompt();
    for await (const chunk of io.stdin) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (raw) {
        const lines = splitter.scan(buf, reused);
        if (lines.head) {
          summary.lines++;
          await addNow({ key: null, value: lines.head, headers: NO_HEADERS });
        }
        await addRaw(buf, lines);
      } else if (fast) {
        const lines = splitter.push(buf);
        let bytes = 0;
        for (let i = 0; i < lines.length; i++) {
          summary.lines++;
          const rec = parseLine(lines[i]!, readerCfg, summary.lines);
          // --key-format / --value-format: the JSON key and value become the wire format in place.
          if (schema) schema(rec, summary.lines);
          const wait = addNow(rec);
          if (wait) await wait;
          // As for the default format: the event loop turns every YIELD_BYTES of input.
          if ((bytes += lines[i]!.length) >= YIELD_BYTES && i + 1 < lines.length) {
            bytes = 0;
            await turn();
          }
        }
      } else {
        const lines = splitter.push(buf);
        for (let i = 0; i < lines.length && !stop; i++) {
          const record = toRecord(lines[i]!);
          if (!record) continue;
          await add(record);
        }
      }
      if (stop) break;
      if (opts.prompt) io.prompt();
      if (producer.outstanding >= MAX_OUTSTANDING) await producer.waitForRoom(MAX_OUTSTANDING / 2);
      else if (readRecords > 0 && producer.outstanding * (readBytes / readRecords) >= READ_AHEAD_BYTES) {
        // Until half of it is acknowledged; an interrupt ends the wait (close() delivers what was read).
        const half = Math.max(1, Math.floor(READ_AHEAD_BYTES / 2 / (readBytes / readRecords)));
        await Promise.race([producer.waitForRoom(half), io.interrupted]);
        if (stop) break;
      }
    }
    if (!stop) {
      const last = splitter.end();
      const record = last ? toRecord(last) : null;
      if (record) await add(record);
    }
    if (txn && (inTxn > 0 || txn.state === 'IN_TRANSACTION')) await commit();
  } catch (e) {
    if (e instanceof LineParseError || e instanceof JsonRecordError) summary.inputError = e.message;
    else if ((e as { kind?: string }).kind === 'auth') {
      // No secure or authenticated connection (--sync, a transaction): the one error the run ends with.
      summary.authError ??= e as Error;
    } else if (stop && (e as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') {
      // An interrupt stops reading by destroying stdin under the loop: not a failure.
      if (txn && txn.state === 'IN_TRANSACTION') await commit().catch((c: Error) => (summary.transactionError = c.message));
    } else if (txn) {
      summary.transactionError = (e as Error).message;
      if ((e as { kind?: string }).kind === 'denied') summary.denied = true;
    } else if (opts.sync) {
      // As in Kafka's console producer, --sync stops at the first record that fails (reported
      // with its batch); say so, or the rest of the input looks produced.
      io.warn(`kafka-ts console-producer: stopped reading at line ${summary.lines} (--sync): ${(e as Error).message}`);
    } else throw e;
    // A transaction left open by an error is aborted: none of its records become visible.
    if (txn && !txn.isFatal() && (txn.state === 'IN_TRANSACTION' || txn.state === 'ABORTABLE_ERROR')) {
      await producer.abortTransaction().then(
        () => summary.transactions!.aborted++,
        (a: Error) => (summary.transactionError ??= a.message),
      );
    }
  } finally {
    // Everything read before a bad line or an interrupt is still delivered.
    await producer.close();
    summary.sent = producer.stats.acked;
    summary.failed = producer.stats.failed + bufferFailures;
  }
  return summary;
}
