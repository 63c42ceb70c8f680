/**
 * kafka-ts dump-log (kafka-dump-log.sh, Kafka's DumpLogSegments): what is really in a segment's
 * files, read offline and read-only. `.log` files are walked batch by batch (and record by record
 * with deep iteration); `.index` and `.timeindex` entries are printed and checked against their
 * `.log`; `.txnindex` entries are printed.
 *
 * Damage does not stop the walk: a batch whose CRC does not match is printed with `isvalid: false`
 * and the walk goes on after it; a header that cannot be a batch (bad length, bad magic) is
 * reported with its position and the walk resumes at the next position where a whole batch with a
 * valid CRC starts. Every problem is a `problem` event, so the caller can report it and choose the
 * exit status. The walk is a generator of events: a large segment is printed as it is read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { COMPRESSION_NAMES } from '../protocol/compression.js';
import { crc32c } from '../protocol/crc32c.js';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC_OFFSET, batchCrcIsValid, decodeBatchWith, hasDeleteHorizon, readBatchHeader, timestampTypeOf, type BatchHeader } from '../protocol/record-batch.js';
import { RecordDecoder, exactLong, plusLong, type BatchLine, type Long, type PayloadParser, type RecordLine } from './dump-log-decoders.js';

export { decoderOf, payloadParser, type BatchLine, type DecoderName, type Long, type PayloadParser, type RecordLine } from './dump-log-decoders.js';

export interface DumpLogOptions {
  /** Print keys and payloads (implies deep iteration). */
  printData: boolean;
  deepIteration: boolean;
  verifyIndexOnly: boolean;
  indexSanityCheck: boolean;
  /** Bytes read at an index entry's position when verifying (Kafka's --max-message-size). */
  maxMessageSize: number;
  /**
   * Only batches wholly within the first maxBytes bytes of a .log file (Kafka's FileRecords.slice(0,
   * maxBytes)); UNLIMITED_BYTES, --max-bytes' default, when not given.
   */
  maxBytes: number;
  skipRecordMetadata: boolean;
  parser: PayloadParser;
}

/** --max-bytes when not given: Kafka's default, Integer.MAX_VALUE. */
export const UNLIMITED_BYTES = 2147483647;

export type FileKind = 'log' | 'metadata' | 'index' | 'timeindex' | 'txnindex' | 'snapshot' | 'unknown';

export type DumpEvent =
  | { type: 'file'; file: string; kind: FileKind; baseOffset?: number }
  | { type: 'batch'; batch: BatchLine }
  | { type: 'record'; record: RecordLine }
  | { type: 'index'; offset: Long; position: number }
  | { type: 'timeindex'; timestamp: Long; offset: number }
  | { type: 'txn'; version: number; producerId: Long; firstOffset: Long; lastOffset: Long; lastStableOffset: Long }
  /** One record of kafka-ts's cluster metadata log; its payload only when printing data (a decoder, --print-data-log). */
  | { type: 'metadata'; offset: number; position: number; size: number; crc: number; payload?: string }
  /** A line Kafka prints on stdout ("x is empty.", "Found N invalid bytes at the end of x"). */
  | { type: 'note'; text: string }
  /** Damage: where (file, position when known) and what. */
  | { type: 'problem'; file: string; position?: number; message: string }
  /** Consistency findings Kafka reports on stderr at the end (not damage by themselves). */
  | { type: 'finding'; file: string; group: FindingGroup; a: Long; b: Long }
  /** A file this tool does not read (Kafka: "Ignoring unknown file x" on stderr). */
  | { type: 'ignored'; file: string; message: string }
  /** A word on stderr about how a file is read (not damage). */
  | { type: 'warning'; file: string; message: string };

export type FindingGroup = 'index-mismatch' | 'timestamp-mismatch' | 'timestamp-order' | 'offset-not-found' | 'non-consecutive';

/** Files this tool reads, by suffix. */
export function kindOf(path: string): FileKind {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  const suffix = dot < 0 ? '' : name.slice(dot);
  return ({ '.log': 'log', '.index': 'index', '.timeindex': 'timeindex', '.txnindex': 'txnindex', '.snapshot': 'snapshot' } as Record<string, FileKind>)[suffix] ?? 'unknown';
}

/** The base offset a segment file is named by (its name before the first dot), or 0. */
export function baseOffsetOfName(path: string): number {
  const n = Number(basename(path).split('.')[0]);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** Reads byte ranges of a file through one descriptor. */
class FileReader {
  readonly size: number;
  private readonly fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }
  read(position: number, length: number): Buffer {
    // A position from a damaged index can be anywhere: nothing is there, as past the end.
    if (position < 0 || position >= this.size) return Buffer.alloc(0);
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(len);
    let n = 0;
    while (n < len) {
      const got = readSync(this.fd, buf, n, len - n, position + n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Largest batch taken as plausible when looking for where to resume after damage. */
const MAX_PLAUSIBLE_BATCH = 1024 * 1024 * 1024;

const incrementSequence = (seq: number, by: number): number => (seq > 0x7fffffff - by ? by - (0x7fffffff - seq) - 1 : seq + by);

/** Where a v2 batch header holds its 64-bit fields. */
const BASE_TIMESTAMP_AT = 27;
const PRODUCER_ID_AT = 43;

/**
 * A batch's line. Its 64-bit fields are read again as longs: readBatchHeader's are doubles, which
 * round a crafted or corrupt value past 2^53 (Kafka prints the exact long).
 */
function batchLine(h: BatchHeader, position: number, buf: Buffer): BatchLine {
  const baseOffset = exactLong(buf.readBigInt64BE(0));
  return {
    baseOffset,
    lastOffset: lastOffsetOf(buf),
    count: h.recordCount,
    baseSequence: h.baseSequence,
    lastSequence: h.baseSequence === -1 ? -1 : incrementSequence(h.baseSequence, h.lastOffsetDelta),
    producerId: exactLong(buf.readBigInt64BE(PRODUCER_ID_AT)),
    producerEpoch: h.producerEpoch,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    isTransactional: (h.attributes & 0x10) !== 0,
    isControl: (h.attributes & 0x20) !== 0,
    deleteHorizonMs: hasDeleteHorizon(h.attributes) ? exactLong(buf.readBigInt64BE(BASE_TIMESTAMP_AT)) : null,
    position,
    timestampType: timestampTypeOf(h.attributes),
    maxTimestamp: exactLong(buf.readBigInt64BE(MAX_TIMESTAMP_AT)),
    size: LOG_OVERHEAD + h.batchLength,
    magic: h.magic,
    compressCodec: COMPRESSION_NAMES[h.attributes & 0x07] ?? `unknown(${h.attributes & 0x07})`,
    crc: h.crc,
    isValid: buf.length === LOG_OVERHEAD + h.batchLength && batchCrcIsValid(buf),
  };
}

/** Whether a whole, CRC-valid v2 batch starts at `at` of `buf` (used to resynchronise after damage). */
function wholeBatchAt(buf: Buffer, at: number): boolean {
  if (buf.length - at < BATCH_HEADER_SIZE || buf[at + MAGIC_OFFSET] !== 2) return false;
  const size = LOG_OVERHEAD + buf.readInt32BE(at + 8);
  if (size < BATCH_HEADER_SIZE || at + size > buf.length) return false;
  return batchCrcIsValid(buf.subarray(at, at + size));
}

/** The next position after `from` where a whole valid batch starts, or -1. */
function resync(file: FileReader, from: number, end: number): number {
  const WINDOW = 4 * 1024 * 1024;
  for (let start = from; start < end; start += WINDOW) {
    // Read a window plus room for a batch starting near its end (bounded by the file).
    const buf = file.read(start, Math.min(end - start, WINDOW + 16 * 1024 * 1024));
    const limit = Math.min(WINDOW, buf.length);
    for (let i = 0; i < limit; i++) {
      if (buf[i + MAGIC_OFFSET] !== 2) continue;
      if (wholeBatchAt(buf, i)) return start + i;
      // A batch larger than what was read: check it with a read of its own.
      if (buf.length - i >= BATCH_HEADER_SIZE) {
        const size = LOG_OVERHEAD + buf.readInt32BE(i + 8);
        if (size > buf.length - i && size <= MAX_PLAUSIBLE_BATCH && start + i + size <= end && wholeBatchAt(file.read(start + i, size), 0)) return start + i;
      }
    }
  }
  return -1;
}

const describeMagic = (m: number) => (m === 0 || m === 1 ? `magic ${m} (the pre-0.11 message format, which kafka-ts never writes)` : `bad magic ${m}`);

function* dumpLog(path: string, o: DumpLogOptions): Generator<DumpEvent> {
  const file = new FileReader(path);
  try {
    const deep = o.deepIteration || o.printData;
    const end = Math.min(file.size, o.maxBytes);
    const decoder = new RecordDecoder(o.parser, o.printData);
    let pos = 0;
    let lastOffset: Long = -1;
    let trailing = 0;
    while (pos < end) {
      if (end - pos < LOG_OVERHEAD) {
        trailing = file.size - pos;
        break;
      }
      const head = file.read(pos, BATCH_HEADER_SIZE);
      const length = head.readInt32BE(8);
      const size = LOG_OVERHEAD + length;
      const magic = head.length > MAGIC_OFFSET ? head.readInt8(MAGIC_OFFSET) : -1;
      let bad: string | null = null;
      if (head.length < BATCH_HEADER_SIZE || size < BATCH_HEADER_SIZE || size > MAX_PLAUSIBLE_BATCH) {
        if (head.length < BATCH_HEADER_SIZE && magic === 2 && size >= BATCH_HEADER_SIZE) bad = null;
        else bad = `bad batch length ${length} (a batch is ${BATCH_HEADER_SIZE} bytes or more)`;
      } else if (magic !== 2) bad = describeMagic(magic);
      if (bad === null && pos + size > end) {
        // A batch cut short: the end of the file (or of --max-bytes) is inside it.
        if (end === file.size) {
          trailing = file.size - pos;
          yield { type: 'problem', file: path, position: pos, message: `truncated batch: it declares ${size} bytes, ${file.size - pos} remain` };
        }
        break;
      }
      if (bad !== null) {
        const next = resync(file, pos + 1, end);
        // Kafka's walk ends, as at trailing bytes, where fewer bytes than a batch header remain or
        // the declared length runs past the end of the file ("Found N invalid bytes at the end"):
        // bytes after the last batch that are no batch. Damage with a batch after it is reported.
        if (next < 0 && end === file.size && (end - pos < BATCH_HEADER_SIZE || pos + size > end)) {
          trailing = file.size - pos;
          break;
        }
        const skipped = (next < 0 ? end : next) - pos;
        yield { type: 'problem', file: path, position: pos, message: `${bad}; ${next < 0 ? `no valid batch follows (${skipped} bytes skipped)` : `skipped ${skipped} bytes to the next valid batch at position ${next}`}` };
        if (next < 0) break;
        pos = next;
        continue;
      }
      const buf = file.read(pos, size);
      const header = readBatchHeader(buf);
      const line = batchLine(header, pos, buf);
      yield { type: 'batch', batch: line };
      if (!line.isValid) yield { type: 'problem', file: path, position: pos, message: `CRC mismatch: stored ${line.crc}, computed ${crc32c(buf.subarray(21))}` };
      if (deep) {
        let records: RecordLine[] = [];
        try {
          const baseTimestamp = exactLong(buf.readBigInt64BE(BASE_TIMESTAMP_AT));
          records = decodeBatchWith(buf, header, (_offset, _timestamp, key, value, headers, offsetDelta, timestampDelta) => decoder.line(header, line, baseTimestamp, offsetDelta, timestampDelta, key, value, headers));
        } catch (e) {
          yield { type: 'problem', file: path, position: pos, message: `records cannot be decoded: ${(e as Error).message}` };
        }
        for (const r of records) {
          if (lastOffset !== -1 && r.offset !== plusLong(lastOffset, 1)) yield { type: 'finding', file: resolve(path), group: 'non-consecutive', a: lastOffset, b: r.offset };
          lastOffset = r.offset;
          yield { type: 'record', record: r };
        }
      }
      pos += size;
    }
    // Only when no --max-bytes was given (Kafka's printTrailingBytes: maxBytes == Integer.MAX_VALUE),
    // even one past the end of the file: a limit given means "read only this much", not "check the end".
    if (trailing > 0 && o.maxBytes === UNLIMITED_BYTES) yield { type: 'note', text: `Found ${trailing} invalid bytes at the end of ${basename(path)}` };
  } finally {
    file.close();
  }
}

interface IndexEntries {
  entries: { key: Long; value: number }[];
  invalidBytes: number;
}

/** Reads an index file's entries: offset index (int32 relative offset, int32 position) or time index (int64 timestamp, int32 relative offset). */
function readIndex(path: string, entrySize: 8 | 12, base: number): IndexEntries {
  const f = new FileReader(path);
  try {
    const buf = f.read(0, f.size);
    const n = Math.floor(buf.length / entrySize);
    const entries: { key: Long; value: number }[] = [];
    for (let i = 0; i < n; i++) {
      const at = i * entrySize;
      if (entrySize === 8) entries.push({ key: base + buf.readInt32BE(at), value: buf.readInt32BE(at + 4) });
      else entries.push({ key: exactLong(buf.readBigInt64BE(at)), value: base + buf.readInt32BE(at + 8) });
    }
    return { entries, invalidBytes: buf.length % entrySize };
  } finally {
    f.close();
  }
}

const siblingOf = (path: string, suffix: string) => join(dirname(path), `${basename(path).split('.')[0]}${suffix}`);

function openSibling(path: string, suffix: string): FileReader | null {
  try {
    return new FileReader(siblingOf(path, suffix));
  } catch {
    return null;
  }
}

/** The last offset of the first batch at `position` of a log, or -1 when none starts there. */
/** A batch header's last offset (base offset + last offset delta), exact: a corrupt index points anywhere. */
const lastOffsetOf = (head: Buffer): Long => exactLong(head.readBigInt64BE(0) + BigInt(head.readInt32BE(LAST_OFFSET_DELTA_AT)));
/** Where a v2 batch header holds lastOffsetDelta and maxTimestamp. */
const LAST_OFFSET_DELTA_AT = 23;
const MAX_TIMESTAMP_AT = 35;

function lastOffsetAt(log: FileReader, position: number): Long {
  const head = log.read(position, BATCH_HEADER_SIZE);
  if (head.length < BATCH_HEADER_SIZE) return -1;
  return lastOffsetOf(head);
}

function* dumpOffsetIndex(path: string, o: DumpLogOptions): Generator<DumpEvent> {
  const base = baseOffsetOfName(path);
  const { entries, invalidBytes } = readIndex(path, 8, base);
  if (invalidBytes) yield { type: 'problem', file: path, message: `truncated index: ${invalidBytes} bytes at the end are not a whole entry (an entry is 8 bytes)` };
  if (entries.length === 0) {
    yield { type: 'note', text: `${path} is empty.` };
    return;
  }
  if (o.indexSanityCheck) {
    const last = entries[entries.length - 1]!.key;
    if (last < base) yield { type: 'problem', file: path, message: `corrupt index: its last offset ${last} is below the base offset ${base}` };
    else if (!invalidBytes) yield { type: 'note', text: `${path} passed sanity check.` };
    return;
  }
  const log = openSibling(path, '.log');
  if (!log) yield { type: 'problem', file: path, message: `cannot verify: ${siblingOf(path, '.log')} cannot be read` };
  try {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      // Preallocated (sparse) index files end in zero entries.
      if (e.key === base && i > 0) return;
      if (log) {
        const found = lastOffsetAt(log, e.value);
        if (found !== e.key) yield { type: 'finding', file: resolve(path), group: 'index-mismatch', a: e.key, b: found };
      }
      if (!o.verifyIndexOnly) yield { type: 'index', offset: e.key, position: e.value };
    }
  } finally {
    log?.close();
  }
}

function* dumpTimeIndex(path: string, o: DumpLogOptions): Generator<DumpEvent> {
  const base = baseOffsetOfName(path);
  const { entries, invalidBytes } = readIndex(path, 12, base);
  if (invalidBytes) yield { type: 'problem', file: path, message: `truncated index: ${invalidBytes} bytes at the end are not a whole entry (an entry is 12 bytes)` };
  if (o.indexSanityCheck) {
    const first = entries[0];
    const last = entries.at(-1);
    if (first && last && last.key < first.key) yield { type: 'problem', file: path, message: `corrupt time index: its last timestamp ${last.key} is below its first ${first.key}` };
    else if (first && last && last.value < base) yield { type: 'problem', file: path, message: `corrupt time index: its last offset ${last.value} is below the base offset ${base}` };
    else if (!invalidBytes) yield { type: 'note', text: `${path} passed sanity check.` };
    return;
  }
  const log = openSibling(path, '.log');
  if (!log) yield { type: 'problem', file: path, message: `cannot verify: ${siblingOf(path, '.log')} cannot be read` };
  let offsets: IndexEntries = { entries: [], invalidBytes: 0 };
  try {
    offsets = readIndex(siblingOf(path, '.index'), 8, base);
  } catch {
    /* no offset index: search from the start of the log */
  }
  try {
    let prev: Long = -1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.value === base && i > 0) return;
      if (log) yield* verifyTimeEntry(log, resolve(path), e.key, e.value, startPosition(offsets.entries, e.value), prev);
      if (!o.verifyIndexOnly) yield { type: 'timeindex', timestamp: e.key, offset: e.value };
      prev = e.key;
    }
  } finally {
    log?.close();
  }
}

/** The position of the last offset-index entry at or below `offset` (0 when none). */
function startPosition(entries: { key: Long; value: number }[], offset: number): number {
  let best = 0;
  for (const e of entries) if (e.key <= offset && e.key >= 0) best = e.value;
  return best;
}

function* verifyTimeEntry(log: FileReader, file: string, timestamp: Long, offset: number, from: number, prev: Long): Generator<DumpEvent> {
  let pos = from;
  while (pos + BATCH_HEADER_SIZE <= log.size) {
    const head = log.read(pos, BATCH_HEADER_SIZE);
    const h = readBatchHeader(head);
    const size = LOG_OVERHEAD + h.batchLength;
    if (size < BATCH_HEADER_SIZE || h.magic !== 2) break;
    const last = lastOffsetOf(head);
    if (last >= offset) {
      if (last !== offset) {
        yield { type: 'finding', file, group: 'offset-not-found', a: offset, b: last };
        return;
      }
      let max: Long = -1;
      try {
        const batch = log.read(pos, size);
        const base = exactLong(batch.readBigInt64BE(BASE_TIMESTAMP_AT));
        const logAppend = timestampTypeOf(h.attributes) === 'LogAppendTime';
        for (const t of decodeBatchWith(batch, h, (_o, _ts, _k, _v, _h, _od, delta) => (logAppend ? exactLong(batch.readBigInt64BE(MAX_TIMESTAMP_AT)) : plusLong(base, delta)))) if (t > max) max = t;
      } catch {
        max = exactLong(head.readBigInt64BE(MAX_TIMESTAMP_AT));
      }
      if (max !== timestamp) yield { type: 'finding', file, group: 'timestamp-mismatch', a: timestamp, b: max };
      if (prev >= timestamp) yield { type: 'finding', file, group: 'timestamp-order', a: timestamp, b: prev };
      return;
    }
    pos += size;
  }
  yield { type: 'finding', file, group: 'offset-not-found', a: offset, b: -1 };
}

/** Aborted-transaction entries (34 bytes each), as Kafka writes them; kafka-ts itself writes none yet. */
function* dumpTxnIndex(path: string): Generator<DumpEvent> {
  const f = new FileReader(path);
  try {
    const buf = f.read(0, f.size);
    const n = Math.floor(buf.length / 34);
    for (let i = 0; i < n; i++) {
      const at = i * 34;
      const i64 = (p: number) => exactLong(buf.readBigInt64BE(p));
      yield { type: 'txn', version: buf.readInt16BE(at), producerId: i64(at + 2), firstOffset: i64(at + 10), lastOffset: i64(at + 18), lastStableOffset: i64(at + 26) };
    }
    if (buf.length % 34) yield { type: 'problem', file: path, message: `truncated index: ${buf.length % 34} bytes at the end are not a whole entry (an entry is 34 bytes)` };
  } finally {
    f.close();
  }
}

/**
 * kafka-ts's cluster metadata log (meta/metadata.log, meta/metadata.prev.log): records framed as
 * [u32 length][u32 CRC-32C of the payload][JSON payload carrying its offset `o` and `type`]. A
 * damaged frame is reported and the walk resumes at the next intact one.
 */
function metadataFrameAt(buf: Buffer, p: number): { len: number; payload: Record<string, unknown> } | string {
  if (p + 8 > buf.length) return 'truncated header';
  const len = buf.readUInt32BE(p);
  if (len === 0) return 'empty record';
  if (p + 8 + len > buf.length) return `truncated record: it declares ${len} bytes, ${buf.length - p - 8} remain`;
  const payload = buf.subarray(p + 8, p + 8 + len);
  const crc = crc32c(payload);
  if (crc !== buf.readUInt32BE(p + 4)) return `CRC mismatch: stored ${buf.readUInt32BE(p + 4)}, computed ${crc}`;
  try {
    const r = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    return typeof r.o === 'number' && typeof r.type === 'string' ? { len, payload: r } : 'not a metadata record';
  } catch {
    return 'not JSON';
  }
}

/** The names the daemon gives its metadata log (meta/metadata.log, meta/metadata.prev.log). */
const METADATA_LOG_NAME = /^metadata(\.prev)?\.log$/;

/**
 * How far into a file damage at its start is looked past for an intact metadata record, when
 * telling a metadata log whose first record is damaged from a partition segment.
 */
const METADATA_SCAN_BYTES = 64 * 1024;

/**
 * Whether an intact metadata record starts at `p`. A cheap look first (a JSON object's braces
 * where the frame says its payload starts and ends), so that scanning a segment costs little.
 */
function intactFrameAt(buf: Buffer, p: number): boolean {
  if (p + 8 > buf.length) return false;
  const len = buf.readUInt32BE(p);
  if (len < 2 || p + 8 + len > buf.length || buf[p + 8] !== 0x7b || buf[p + 8 + len - 1] !== 0x7d) return false;
  return typeof metadataFrameAt(buf, p) === 'object';
}

/**
 * Whether a .log file is kafka-ts's cluster metadata log rather than a partition segment: it is
 * named as the daemon names it, or it starts with an intact metadata record (a segment starts with
 * a batch's 8-byte base offset, never a valid frame), or, its first record damaged, an intact one
 * follows within METADATA_SCAN_BYTES and the file does not start as a record batch does.
 */
export function isMetadataLog(path: string): boolean {
  if (METADATA_LOG_NAME.test(basename(path))) return true;
  const f = new FileReader(path);
  try {
    const head = f.read(0, 8);
    if (head.length < 8) return false;
    const len = head.readUInt32BE(0);
    if (len > 0 && len <= MAX_PLAUSIBLE_BATCH && typeof metadataFrameAt(f.read(0, 8 + len), 0) === 'object') return true;
    // A segment whose first batch is damaged is dumped as one, its damage reported there.
    const start = f.read(0, METADATA_SCAN_BYTES + 64 * 1024);
    if (start.length > MAGIC_OFFSET && start[MAGIC_OFFSET] === 2) return false;
    for (let p = 1; p < Math.min(METADATA_SCAN_BYTES, start.length); p++) if (intactFrameAt(start, p)) return true;
    return false;
  } finally {
    f.close();
  }
}

function* dumpMetadataLog(path: string, printData: boolean): Generator<DumpEvent> {
  const f = new FileReader(path);
  try {
    const buf = f.read(0, f.size);
    const frameAt = (p: number) => metadataFrameAt(buf, p);
    let pos = 0;
    let seen = 0;
    while (pos < buf.length) {
      const fr = frameAt(pos);
      if (typeof fr === 'object') {
        const { o, type, ...data } = fr.payload;
        yield { type: 'metadata', offset: o as number, position: pos, size: 8 + fr.len, crc: buf.readUInt32BE(pos + 4), ...(printData && { payload: JSON.stringify({ type, data }) }) };
        pos += 8 + fr.len;
        seen++;
        continue;
      }
      let next = -1;
      for (let p = pos + 1; p + 8 < buf.length; p++) {
        if (typeof frameAt(p) === 'object') {
          next = p;
          break;
        }
      }
      // Nothing in it is a metadata record, not even the first frame's length (a record damaged
      // inside, its length intact, is reported as the damage it is).
      const framed = pos + 8 <= buf.length && pos + 8 + buf.readUInt32BE(pos) <= buf.length && buf.readUInt32BE(pos) > 0;
      const what = seen === 0 && next < 0 && !framed ? `not a kafka-ts metadata log (${fr})` : fr;
      yield { type: 'problem', file: path, position: pos, message: next < 0 ? `${what}; no valid record follows (${buf.length - pos} bytes)` : `${what}; skipped ${next - pos} bytes to the next valid record at position ${next}` };
      if (next < 0) break;
      pos = next;
    }
  } finally {
    f.close();
  }
}

/** Dumps the files in order; each file starts with a `file` event. */
export function* dumpFiles(files: readonly string[], o: DumpLogOptions): Generator<DumpEvent> {
  for (const path of files) {
    const kind = kindOf(path);
    // kafka-ts's metadata log is dumped as Kafka dumps __cluster_metadata segments: with or
    // without --cluster-metadata-decoder, payloads when printing data.
    if (kind === 'log' && isMetadataLog(path)) {
      yield { type: 'file', file: path, kind: 'metadata' };
      yield* dumpMetadataLog(path, o.printData);
      continue;
    }
    yield { type: 'file', file: path, kind, ...(kind === 'log' && { baseOffset: baseOffsetOfName(path) }) };
    if (kind === 'log' && o.parser.kind === 'cluster-metadata') {
      // Kafka would dump the batches; their records are not metadata records: printed as text.
      yield { type: 'warning', file: path, message: `${path} is a partition segment (record batches), not kafka-ts's cluster metadata log: --cluster-metadata-decoder reads meta/metadata.log under the daemon's data directory; this file's records are printed as text` };
      yield* dumpLog(path, { ...o, parser: { kind: 'decoders', key: 'string', value: 'string' } });
    } else if (kind === 'log') yield* dumpLog(path, o);
    else if (kind === 'index') yield* dumpOffsetIndex(path, o);
    else if (kind === 'timeindex') yield* dumpTimeIndex(path, o);
    else if (kind === 'txnindex') yield* dumpTxnIndex(path);
    else if (kind === 'snapshot') yield { type: 'ignored', file: path, message: `Ignoring ${path}: kafka-ts keeps producer state in its own .snapshot format, which dump-log does not decode` };
    else yield { type: 'ignored', file: path, message: `Ignoring unknown file ${path}` };
  }
}
