/**
 * Checks a produced batch before it is appended as leader, as Kafka's LogValidator does: the
 * batch is parsed once into a RecordBatchView and every refusal is decided here. v0-2 Produce
 * requests carry legacy message sets (magic 0/1), which are first converted to one v2 batch with
 * the same codec, as Kafka converts old formats on append. A refused batch leaves the log and the
 * producer state as they were.
 */
import { CompressionType, codecFor } from '../../protocol/compression.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeLegacyMessageSet, magicOf } from '../../protocol/legacy-message-set.js';
import { BATCH_HEADER_SIZE, RecordBatchView, batchWithBody, decodeBatchRecords, encodeBatch, recompressedBatch, walkRecords, type TimestampWindow, type WalkedRecords } from '../../protocol/record-batch.js';

export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

/** Why a batch is not appended; a null message means the error code's standard text. */
export interface AppendRefusal {
  errorCode: number;
  errorMessage: string | null;
  recordErrors?: RecordError[];
}

export interface ValidationContext {
  /** The Produce version the batch came with (zstd needs v7, record errors v8). */
  apiVersion: number;
  /** The topic's max.message.bytes. */
  maxMessageBytes: number;
  /** message.timestamp.type is LogAppendTime: the broker stamps the max timestamp, so it is not checked. */
  logAppendTime?: boolean;
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
  /** "topic-partition", for messages. */
  partitionName: string;
  /**
   * The topic's compression.type when it is not `producer`: a batch produced with another codec
   * is stored recompressed with this one (at `level`, when the codec takes one), as Kafka stores it.
   */
  storedCompression?: { codec: number; level?: number } | null;
  /**
   * A CreateTime topic's message.timestamp.before.max.ms and after.max.ms (KIP-937), unless both
   * are unbounded: each record's timestamp must be within [now - before, now + after].
   */
  timestampBounds?: { beforeMaxMs: number; afterMaxMs: number; now: number } | null;
  /**
   * Codec work off the event loop (codec-offload.ts) for batches of OFF_THREAD_BYTES or more: gzip
   * records decompressed for the checks, records recompressed for storedCompression. Without it,
   * everything is done inline.
   */
  offThread?: OffThreadCodecs;
}

export interface OffThreadCodecs {
  compress(codec: number, data: Buffer, level?: number): Promise<Buffer>;
  /** gzip's inflate; fails past `maxOutput` bytes. */
  gunzip(data: Buffer, maxOutput: number): Promise<Buffer>;
  /** A decompression's steps (Codec.decompressSteps, made by `start` when its turn comes), without holding the event loop. */
  finishSteps(start: () => Generator<number, Buffer, void>): Promise<Buffer>;
  /** Whether decompressions are queued for finishSteps: a new one then waits its turn whole. */
  stepsBusy(): boolean;
  /**
   * A large decompression (`make`, at most `limit` bytes) and the work on its output (`use`) within
   * the daemon's budget of decompressed bytes held at once; `expected`: what the batch states or
   * its headers bound (codec-offload.ts).
   */
  decompressed<T>(expected: number, maxOutput: number, make: (limit: number) => Promise<Buffer>, use: (plain: Buffer) => T | Promise<T>, failed: (e: unknown) => T, sliced?: boolean): Promise<T>;
}

/** Records at least this large (gzip-compressed as produced, or decompressed to be recompressed) have their codec work done off the event loop when the validator is given a way. */
export const OFF_THREAD_BYTES = 256 * 1024;

/**
 * gzip bodies at least this large are inflated off the event loop. Lower than OFF_THREAD_BYTES:
 * what matters is the inflated size, which deflate's ratio (up to ~1000:1) lets reach the 100 MiB
 * bound from a 100 KiB body, about a second of inflating inline; 16 KiB inflates to 16 MiB at most.
 */
export const GZIP_OFF_THREAD_BYTES = 16 * 1024;

type Validated = RecordBatchView | AppendRefusal;

const refuse = (errorCode: number, errorMessage: string | null = null): AppendRefusal => ({ errorCode, errorMessage });

export const isRefusal = (v: RecordBatchView | AppendRefusal): v is AppendRefusal => !(v instanceof RecordBatchView);

/** Converts a legacy message set to one v2 batch, or refuses it when it is invalid. */
export function upConvertLegacy(records: Buffer | null): Buffer | AppendRefusal {
  if (!records || records.length === 0 || magicOf(records) > 1) return refuse(ErrorCode.INVALID_RECORD);
  try {
    const set = decodeLegacyMessageSet(records, MAX_DECOMPRESSED_LEGACY, MAX_REBUILT_RECORDS);
    if (set.messages.length === 0) return refuse(ErrorCode.INVALID_RECORD);
    return encodeBatch(
      set.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })),
      { compression: set.compression },
    );
  } catch {
    return refuse(ErrorCode.CORRUPT_MESSAGE);
  }
}

/**
 * The most a produced batch's records may take once decompressed: what one request may carry
 * (socket.request.max.bytes' default). A few kilobytes of gzip can inflate to gigabytes; made
 * whole in memory on the daemon's one thread, they stalled every client, or worse.
 */
export const MAX_DECOMPRESSED_BATCH = 100 * 1024 * 1024;

/**
 * What a zstd batch makes at once, on the event loop (a few milliseconds), before the rest is made
 * in slices; lz4 and snappy batches whose headers allow more are decompressed on the codec thread:
 * more than clients' batches hold (librdkafka's batch.size is 1,000,000 bytes before
 * compression, Kafka's producer's 16 KiB), so theirs are appended as they come. Below it, a
 * 1 MB batch was held back a turn or two of the event loop, and kcat's zstd throughput fell ~15%.
 */
const INLINE_DECOMPRESSED_BYTES = 2 * 1024 * 1024;

/**
 * Records a batch may hold when it has to be rebuilt record by record (a legacy message set
 * converted, a v2 batch renumbered), each record an object meanwhile: a few hundred bytes of a
 * compressed batch can hold millions of empty records, and their objects exhausted the daemon's
 * heap (one 300 KB Produce v2 request, fatal). Clients batch thousands, not hundreds of thousands.
 */
export const MAX_REBUILT_RECORDS = 200_000;

/**
 * What a legacy message set (Produce v0-2) may inflate to, over all its wrappers. Lower than a v2
 * batch's bound: it inflates on the event loop (a 300 KB set inflating to 100 MiB held it a
 * second), and the old clients that send these wrap a few MB at most.
 */
const MAX_DECOMPRESSED_LEGACY = 16 * 1024 * 1024;

/**
 * Checks one produced records blob (exactly one v2 batch); returns its view or the refusal, or a
 * promise of them when its codec work is done off the event loop (ctx.offThread).
 */
export function validateProducedBatch(records: Buffer | null, ctx: ValidationContext): Validated | Promise<Validated> {
  if (!records || records.length < BATCH_HEADER_SIZE) return refuse(ErrorCode.INVALID_RECORD);
  const batch = new RecordBatchView(records);
  if (batch.magic !== 2) return refuse(ErrorCode.INVALID_RECORD);
  if (batch.sizeInBytes !== records.length) return refuse(ErrorCode.INVALID_RECORD);
  if (records.length > ctx.maxMessageBytes) {
    // Kafka's wording: producers read the limit from it (error_message, v8+).
    return refuse(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size in the append to ${ctx.partitionName} is ${records.length} bytes which exceeds the maximum configured value of ${ctx.maxMessageBytes}.`,
    );
  }
  if (!batch.crcIsValid) return refuse(ErrorCode.CORRUPT_MESSAGE);
  if (batch.recordCount <= 0 || batch.lastOffsetDelta !== batch.recordCount - 1) return refuse(ErrorCode.INVALID_RECORD);
  if (ctx.apiVersion < 7 && batch.compression === CompressionType.zstd) return refuse(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  // Only the transaction coordinator writes control records (WriteTxnMarkers); transactional and
  // idempotent batches need a producer id and a sequence (Kafka's LogValidator.validateBatch).
  if (batch.isControl) return refuse(ErrorCode.INVALID_RECORD, 'Clients are not allowed to write control records');
  if (batch.isTransactional && batch.producerId < 0) return refuse(ErrorCode.INVALID_RECORD, `Transactional records in ${ctx.partitionName} must have a producer id`);
  // Producer ids are held as numbers: two ids above 2^53 could share one producer state, and the
  // second producer's records be answered as duplicates and dropped. Brokers hand out ids from 0
  // (InitProducerId), so no client of this cluster has one that large.
  if (batch.producerId > Number.MAX_SAFE_INTEGER) {
    return refuse(ErrorCode.INVALID_RECORD, `Producer id ${batch.exactProducerId} in ${ctx.partitionName} is beyond the ids this cluster hands out (up to 2^53)`);
  }
  if (batch.producerId >= 0 && batch.baseSequence < 0) {
    return refuse(ErrorCode.INVALID_RECORD, `Invalid sequence number ${batch.baseSequence} in record batch with producerId ${batch.producerId} in ${ctx.partitionName}`);
  }
  // Every record must parse, as Kafka's LogValidator iterates them: a batch with a valid CRC over
  // records that do not (garbage, a codec flag over bytes it cannot decompress, more records
  // counted than present) would be stored, and then fail every later reader of the partition
  // (ListOffsets by time, the cleaner) instead of being refused now, as a bad CRC is. Compressed
  // batches are decompressed for it, as Kafka does; uncompressed ones are walked in place.
  // Kafka's record parser throws InvalidRecordException: INVALID_RECORD, which clients do not
  // retry (CORRUPT_MESSAGE, a bad CRC, is retriable: librdkafka would resend the same bytes for
  // the whole delivery timeout); before Produce v8 there was no such code and brokers answered
  // CORRUPT_MESSAGE.
  const body = records.subarray(BATCH_HEADER_SIZE);
  const offThread = ctx.offThread;
  // Made and checked within the daemon's budget of decompressed bytes (a request's partitions are
  // validated at once: 16 bombs held 16 x 100 MiB).
  const checkedLater = (expected: number, make: (limit: number) => Promise<Buffer>, sliced = false) =>
    offThread!.decompressed(
      expected,
      MAX_DECOMPRESSED_BATCH,
      make,
      (plain) => checkRecords(batch, plain, ctx),
      (e) => unparsable(e, ctx),
      sliced,
    );
  // A gzip body that may inflate to megabytes does so on zlib's thread pool (the slowest of the
  // codecs to decompress: a 100 MiB batch held the event loop for a third of a second or more),
  // the budget asked first for the size its trailer states (ISIZE).
  if (batch.compression === CompressionType.gzip && offThread && body.length >= GZIP_OFF_THREAD_BYTES) {
    return checkedLater(body.readUInt32LE(body.length - 4), (limit) => offThread.gunzip(body, limit));
  }
  let plain: Buffer;
  try {
    const codec = codecFor(batch.compression);
    if (codec.decompressSteps && offThread) {
      // zstd: a few bytes can make 100 MiB. The first INLINE_DECOMPRESSED_BYTES are made at once
      // (clients' batches end there); the rest, a slice at a time between the daemon's other
      // work, one batch at a time (behind others, the whole batch waits its turn).
      const start = () => codec.decompressSteps!(body, MAX_DECOMPRESSED_BATCH);
      // Their size unknown here: the whole budget is asked.
      if (offThread.stepsBusy()) return checkedLater(MAX_DECOMPRESSED_BATCH, () => offThread.finishSteps(start), true);
      const steps = start();
      let step = steps.next();
      while (!step.done && step.value < INLINE_DECOMPRESSED_BYTES) step = steps.next();
      if (!step.done) return checkedLater(MAX_DECOMPRESSED_BATCH, () => offThread.finishSteps(() => steps), true);
      plain = step.value;
    } else if (codec.decompressAsync && offThread && codec.outputBound!(body) >= INLINE_DECOMPRESSED_BYTES) {
      // lz4, snappy: a large output (up to ~255 times the body for lz4) is made on a worker
      // thread; the headers' bound is asked of the budget.
      return checkedLater(codec.outputBound!(body), () => codec.decompressAsync!(body, MAX_DECOMPRESSED_BATCH));
    } else plain = batch.compression === CompressionType.none ? body : codec.decompress(body, MAX_DECOMPRESSED_BATCH);
  } catch (e) {
    return unparsable(e, ctx);
  }
  return checkRecords(batch, plain, ctx);
}

const unparsable = (e: unknown, ctx: ValidationContext): AppendRefusal =>
  refuse(ctx.apiVersion < 8 ? ErrorCode.CORRUPT_MESSAGE : ErrorCode.INVALID_RECORD, `The records of a batch to ${ctx.partitionName} do not parse: ${(e as Error).message}`);

/** The checks of a batch's records (`plain`: decompressed), then the batch to store: as sent, or rebuilt. */
function checkRecords(batch: RecordBatchView, plain: Buffer, ctx: ValidationContext): Validated | Promise<Validated> {
  const records = batch.buffer;
  let keyless: number;
  let inOrder: boolean;
  // KIP-937 bounds, checked on the walk (no record objects): the first out-of-range record before
  // Produce v8 (no record errors then), up to MAX_RECORD_ERRORS of them from v8.
  const bounds = ctx.timestampBounds;
  const times: TimestampWindow | undefined = bounds
    ? { base: batch.baseTimestamp, from: bounds.now - bounds.beforeMaxMs, to: bounds.now + bounds.afterMaxMs, max: ctx.apiVersion < 8 ? 1 : MAX_RECORD_ERRORS, out: [] }
    : undefined;
  let maxTimestampDelta: number;
  try {
    const walked: WalkedRecords = { inOrder: true, maxTimestampDelta: -Infinity };
    keyless = walkRecords(plain, batch.recordCount, walked, times);
    ({ inOrder, maxTimestampDelta } = walked);
  } catch (e) {
    return unparsable(e, ctx);
  }
  if (ctx.compacted) {
    // Compaction keeps the latest record per key, so a compacted topic refuses records without one.
    if (keyless >= 0) {
      const message = `Compacted topic cannot accept message without key in topic partition ${ctx.partitionName}.`;
      // Before v8 there are no record errors; Kafka's older brokers answered CORRUPT_MESSAGE.
      if (ctx.apiVersion < 8) return refuse(ErrorCode.CORRUPT_MESSAGE, message);
      return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: message, recordErrors: [{ batchIndex: keyless, batchIndexErrorMessage: message }] };
    }
  }
  if (times && times.out.length > 0) return timestampRefusal(times, ctx.apiVersion);
  // The header's max timestamp is the records' own, as Kafka's LogValidator sets it: retention,
  // compaction lag and time lookups go by it, and a producer's header saying 1 with records of
  // today had a fresh segment deleted at once as expired. (LogAppendTime topics stamp it anyway.)
  if (!ctx.logAppendTime && batch.recordCount > 0) batch.setMaxTimestamp(batch.baseTimestamp + maxTimestampDelta);
  // Rebuilt only once every check has passed: the bytes it would store are the last thing decided.
  const target = ctx.storedCompression && ctx.storedCompression.codec !== batch.compression ? ctx.storedCompression : null;
  // Stored uncompressed, the records alone may be over the limit: refused before they are copied.
  if (target?.codec === CompressionType.none && BATCH_HEADER_SIZE + plain.length > ctx.maxMessageBytes) return rebuiltTooLarge(BATCH_HEADER_SIZE + plain.length, ctx);
  // The records parsed: a codec that fails from here on is the broker's problem, not the producer's.
  const codecFailed = (e: unknown) => refuse(ErrorCode.UNKNOWN_SERVER_ERROR, `Could not store the batch to ${ctx.partitionName} with the topic's compression: ${(e as Error).message}`);
  if (inOrder && target && target.codec !== CompressionType.none && ctx.offThread && plain.length >= OFF_THREAD_BYTES) {
    const { codec } = target;
    return ctx.offThread.compress(codec, plain, target.level).then((body) => checkRebuilt(new RecordBatchView(batchWithBody(records, body, codec)), ctx), codecFailed);
  }
  let valid = batch;
  try {
    // Records whose offset deltas are not 0, 1, 2, ... (the header's count and last delta agree, as
    // checked above): Kafka's LogValidator accepts them, rebuilding a compressed batch with the
    // offsets it assigns (an uncompressed one it stores as sent, offsets and all). Renumbered here
    // in both cases: readers and the cleaner place records by their deltas.
    if (!inOrder && batch.recordCount > MAX_REBUILT_RECORDS) {
      return refuse(ErrorCode.INVALID_RECORD, `The ${batch.recordCount} records of a batch to ${ctx.partitionName} have offset deltas out of order; at most ${MAX_REBUILT_RECORDS} can be renumbered`);
    }
    if (!inOrder) valid = new RecordBatchView(renumbered(batch, target ?? { codec: batch.compression }));
    else if (target) valid = new RecordBatchView(recompressedBatch(records, plain, target.codec, target.level));
  } catch (e) {
    return codecFailed(e);
  }
  return valid === batch ? valid : checkRebuilt(valid, ctx);
}

/** A rebuilt batch (recompressed, renumbered): Kafka checks the size it stores again (UnifiedLog.append). */
const checkRebuilt = (valid: RecordBatchView, ctx: ValidationContext): Validated =>
  valid.sizeInBytes > ctx.maxMessageBytes ? rebuiltTooLarge(valid.sizeInBytes, ctx) : valid;

/** Kafka's refusal of a batch that rebuilding it (recompressed, renumbered) made too large (UnifiedLog.append). */
const rebuiltTooLarge = (size: number, ctx: ValidationContext): AppendRefusal =>
  refuse(ErrorCode.MESSAGE_TOO_LARGE, `Message batch size is ${size} bytes in append to partition ${ctx.partitionName} which exceeds the maximum configured size of ${ctx.maxMessageBytes}.`);

/** Record errors listed for one batch at most: a batch of a million bad timestamps must not make a million messages. */
const MAX_RECORD_ERRORS = 100;

/** A long's text: an unbounded side (now + Long.MAX_VALUE) is said as the long it stands for. */
const longText = (x: number): string => (x >= 2 ** 63 ? '9223372036854775807' : x <= -(2 ** 63) ? '-9223372036854775808' : String(x));

/** The refusal of records whose timestamps are out of the topic's bounds, with Kafka's texts (LogValidator.validateTimestamp). */
function timestampRefusal(times: TimestampWindow, apiVersion: number): AppendRefusal {
  const text = ([i, timestamp]: [number, number]) => `Timestamp ${timestamp} of message with offset ${i} is out of range. The timestamp should be within [${longText(times.from)}, ${longText(times.to)}]`;
  // Record errors came with Produce v8; before it the code alone, with the first record's text.
  if (apiVersion < 8) return refuse(ErrorCode.INVALID_TIMESTAMP, text(times.out[0]!));
  const recordErrors = times.out.map((e) => ({ batchIndex: e[0], batchIndexErrorMessage: text(e) }));
  return { errorCode: ErrorCode.INVALID_TIMESTAMP, errorMessage: 'One or more records have been rejected due to invalid timestamp', recordErrors };
}

/** `batch` rebuilt with its records' offset deltas their positions, stored with `to`'s codec, everything else as it was. */
function renumbered(batch: RecordBatchView, to: { codec: number; level?: number }): Buffer {
  const records = decodeBatchRecords(batch.buffer).map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }));
  return encodeBatch(records, {
    compression: to.codec,
    ...(to.level !== undefined && { compressionLevel: to.level }),
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    transactional: batch.isTransactional,
  });
}
