/**
 * Record batch v2 (magic 2): the only on-disk and on-wire record format kafka-ts stores.
 *
 *   0 baseOffset int64 · 8 batchLength int32 · 12 partitionLeaderEpoch int32 · 16 magic int8
 *  17 crc uint32 · 21 attributes int16 · 23 lastOffsetDelta int32 · 27 baseTimestamp int64
 *  35 maxTimestamp int64 · 43 producerId int64 · 51 producerEpoch int16 · 53 baseSequence int32
 *  57 recordCount int32 · 61 records (compressed as one block when attributes say so)
 *
 * The CRC-32C covers bytes 21..end, so the broker may rewrite baseOffset and the leader epoch
 * without recomputing it.
 */
import { ByteCopier } from '../util/byte-copier.js';
import { codecFor } from './compression.js';
import { crc32c } from './crc32c.js';
import { ProtocolDecodeError, Reader, Writer, writeInt64At } from './primitives.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's coverage starts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
/** Where each header field starts (the layout above); nothing outside this file reads them. */
const BASE_OFFSET_OFFSET = 0;
const BATCH_LENGTH_OFFSET = 8;
const LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const BASE_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
const RECORD_COUNT_OFFSET = 57;

export const enum Attr {
  CompressionMask = 0x07,
  LogAppendTime = 0x08,
  Transactional = 0x10,
  Control = 0x20,
  /** KIP-534: the base timestamp is the delete horizon the log cleaner stamped. */
  DeleteHorizon = 0x40,
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export const compressionOf = (attributes: number): number => attributes & Attr.CompressionMask;
export const isControlBatch = (attributes: number): boolean => (attributes & Attr.Control) !== 0;
export const isTransactionalBatch = (attributes: number): boolean => (attributes & Attr.Transactional) !== 0;
/** KIP-534: the batch's base timestamp holds its delete horizon (not a record's time); records keep theirs. */
export const hasDeleteHorizon = (attributes: number): boolean => (attributes & Attr.DeleteHorizon) !== 0;
export const timestampTypeOf = (attributes: number): 'CreateTime' | 'LogAppendTime' =>
  attributes & Attr.LogAppendTime ? 'LogAppendTime' : 'CreateTime';

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  if (buf.length - at < BATCH_HEADER_SIZE) throw new ProtocolDecodeError('record batch shorter than its header');
  const r = new Reader(buf, at);
  return {
    baseOffset: r.int64(),
    batchLength: r.int32(),
    partitionLeaderEpoch: r.int32(),
    magic: r.int8(),
    crc: r.uint32(),
    attributes: r.int16(),
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
  };
}

/** Total size of the batch starting at `at` (baseOffset..end), from its length field. */
export const batchSizeAt = (buf: Buffer, at: number): number => LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH_OFFSET);

export function batchCrcIsValid(batch: Buffer): boolean {
  return batch.readUInt32BE(CRC_OFFSET) === computedBatchCrc(batch);
}

/** The CRC32C of a batch's bytes from its attributes on (what its crc field must hold). */
export function computedBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(ATTRIBUTES_OFFSET));
}

/** Writes baseOffset (and optionally the leader epoch) in place; neither is covered by the CRC. */
export function stampBatch(batch: Buffer, baseOffset: number, leaderEpoch?: number): void {
  writeInt64At(batch, BASE_OFFSET_OFFSET, baseOffset);
  if (leaderEpoch !== undefined) batch.writeInt32BE(leaderEpoch, LEADER_EPOCH_OFFSET);
}

/** Recomputes the CRC after a change to a covered field (LogAppendTime stamping). */
export function rewriteCrc(batch: Buffer): void {
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
}

/**
 * `batch` with its records stored with another codec: `records` (the batch's records,
 * decompressed) compressed with `compression` at `level`. The header is kept (offsets, timestamps,
 * producer fields, count) but for its length, codec bits and CRC: as Kafka's broker recompresses
 * a batch for a topic's compression.type.
 */
export function recompressedBatch(batch: Buffer, records: Buffer, compression: number, level?: number): Buffer {
  return batchWithBody(batch, codecFor(compression).compress(records, level), compression);
}

/** `batch`'s header (CRC, length and codec bits made anew) over `body`, its records compressed with `compression`. */
export function batchWithBody(batch: Buffer, body: Buffer, compression: number): Buffer {
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out.writeInt16BE((batch.readInt16BE(ATTRIBUTES_OFFSET) & ~Attr.CompressionMask) | compression, ATTRIBUTES_OFFSET);
  rewriteCrc(out);
  return out;
}

/**
 * Splits a `records` blob (a sequence of batches) into whole batches. A trailing partial batch
 * (allowed at the end of fetch responses) is dropped.
 */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (records.length - pos >= LOG_OVERHEAD) {
    const size = batchSizeAt(records, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) break;
    out.push(records.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

/** Shared by every decoded record without headers (never mutated). */
const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

export interface NewRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface BatchOptions {
  baseOffset?: number;
  compression?: number;
  /** The codec's level (compression.<codec>.level); the codec's default when unset. */
  compressionLevel?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  transactional?: boolean;
  control?: boolean;
  logAppendTime?: boolean;
  /** Timestamp for records without one (defaults to now). */
  now?: number;
  /** Offset delta of the batch's last record, when records were appended with explicit deltas. */
  lastOffsetDelta?: number;
}

/** Bytes a zigzag varint takes. */
function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

const bytesSize = (b: Buffer | null) => (b === null ? 1 : varintSize(b.length) + b.length);

/**
 * Builds a batch incrementally: each appended record is encoded straight into the batch's own
 * buffer behind room left for the header, as Kafka's producer does, so nothing per record is kept
 * around and an uncompressed batch is never copied: `build` writes the header in front of the
 * records and computes the CRC in place (a compressed batch gets a buffer of its own).
 */
export class BatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_SIZE;
  private baseTimestamp = 0;
  private maxTimestamp = -Infinity;
  private n = 0;
  /** `build` handed out a view of `buf`: a later append must not write into it. */
  private shared = false;
  /** The delete horizon the cleaner stamps (setDeleteHorizon), or null. */
  private deleteHorizon: number | null = null;
  /** Copies values in (see ByteCopier: Buffer#copy costs more than copying ~100 bytes). */
  private readonly copier = new ByteCopier();

  /** `reuse`: a buffer to encode into (a producer's recycled batch buffer) instead of a new one. */
  constructor(sizeHint = 1024, reuse?: Buffer) {
    this.buf = reuse && reuse.length >= BATCH_HEADER_SIZE + 64 ? reuse : Buffer.allocUnsafe(BATCH_HEADER_SIZE + Math.max(64, sizeHint));
  }

  /** The buffer the records are encoded in (a producer recycles it once the batch is acknowledged). */
  get backing(): Buffer {
    return this.buf;
  }

  get count(): number {
    return this.n;
  }

  /** Encoded size of the records so far (before compression). */
  get sizeInBytes(): number {
    return this.pos - BATCH_HEADER_SIZE;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length && !this.shared) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.shared = false;
  }

  /** A zigzag varint (exact for |v| < 2^52); room is already made. */
  private zz(v: number): void {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    let pos = this.pos;
    if (z < 0x80000000) {
      z >>>= 0;
      while (z >= 0x80) {
        buf[pos++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
    } else {
      while (z >= 0x80) {
        buf[pos++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
    }
    buf[pos++] = z;
    this.pos = pos;
  }

  private bytes(b: Buffer | null): void {
    if (b === null) {
      this.buf[this.pos++] = 1; // zigzag(-1)
      return;
    }
    this.zz(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * KIP-534: makes `ms` the batch's delete horizon, which Kafka keeps in the base timestamp (the
   * records' timestamps are deltas from it, so each keeps its own). The log cleaner's, before
   * the first append.
   */
  setDeleteHorizon(ms: number): void {
    if (this.n > 0) throw new RangeError('the delete horizon is the base timestamp: set it before the first record');
    this.deleteHorizon = ms;
  }

  /** `offsetDelta` defaults to the record's position; compaction keeps the original deltas. */
  append(key: Buffer | null, value: Buffer | null, headers: readonly RecordHeader[] | undefined, timestamp: number, offsetDelta = this.n): void {
    if (this.n === 0) this.baseTimestamp = this.deleteHorizon ?? timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const nHeaders = headers ? headers.length : 0;
    let size = 1 + varintSize(tsDelta) + varintSize(offsetDelta) + bytesSize(key) + bytesSize(value) + varintSize(nHeaders);
    let headerKeys: Buffer[] | null = null;
    if (nHeaders > 0) {
      headerKeys = headers!.map((h) => Buffer.from(h.key, 'utf8'));
      for (let h = 0; h < nHeaders; h++) size += bytesSize(headerKeys[h]!) + bytesSize(headers![h]!.value);
    }
    // The record, its length varint (at most 5 bytes for a record under 2 GiB... or 10).
    this.room(size + 10);
    this.zz(size);
    this.buf[this.pos++] = 0; // attributes
    this.zz(tsDelta);
    this.zz(offsetDelta);
    this.bytes(key);
    this.bytes(value);
    this.zz(nHeaders);
    if (headerKeys) {
      for (let h = 0; h < nHeaders; h++) {
        this.bytes(headerKeys[h]!);
        this.bytes(headers![h]!.value);
      }
    }
    this.n++;
  }

  /**
   * Appends a record without key or headers whose value is `src[start, end)`, copied straight
   * from `src` (a line of a console producer's input chunk): `append` without a Buffer per value,
   * and with the varints sized inline.
   */
  appendValue(src: Buffer, start: number, end: number, timestamp: number): void {
    if (this.n === 0) this.baseTimestamp = this.deleteHorizon ?? timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.n;
    const len = end - start;
    // Zigzag of a non-negative v is 2v; a varint holds 7 bits a byte.
    const tsSize = tsDelta < 0 || tsDelta >= 0x2000000 ? varintSize(tsDelta) : tsDelta < 64 ? 1 : tsDelta < 8192 ? 2 : tsDelta < 0x100000 ? 3 : 4;
    const odSize = offsetDelta < 64 ? 1 : offsetDelta < 8192 ? 2 : offsetDelta < 0x100000 ? 3 : 4;
    const lenSize = len < 64 ? 1 : len < 8192 ? 2 : len < 0x100000 ? 3 : len < 0x8000000 ? 4 : 5;
    // attributes, timestamp delta, offset delta, null key, value length, value, no headers.
    const size = 1 + tsSize + odSize + 1 + lenSize + len + 1;
    this.room(size + 5);
    const buf = this.buf;
    let pos = this.pos;
    let z = size * 2;
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    buf[pos++] = 0; // attributes
    this.pos = pos;
    this.zz(tsDelta);
    pos = this.pos;
    z = offsetDelta * 2;
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    buf[pos++] = 1; // key: zigzag(-1), null
    z = len * 2;
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    pos = this.copier.copy(src, start, end, buf, pos);
    buf[pos++] = 0; // no headers
    this.pos = pos;
    this.n++;
  }

  build(opts: BatchOptions = {}): Buffer {
    if (this.n === 0) throw new RangeError('a batch needs at least one record');
    // The last input chunk need not live as long as the batch.
    this.copier.forget();
    const compression = opts.compression ?? 0;
    let batch: Buffer;
    if (compression !== 0) {
      const body = codecFor(compression).compress(this.buf.subarray(BATCH_HEADER_SIZE, this.pos), opts.compressionLevel);
      batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
      body.copy(batch, BATCH_HEADER_SIZE);
    } else {
      // The records are in place behind the header's room: no copy. A batch built again (a
      // retry numbered afresh) gets a copy, so the bytes of an earlier attempt never change.
      batch = this.shared ? Buffer.from(this.buf.subarray(0, this.pos)) : this.buf.subarray(0, this.pos);
      this.shared = true;
    }
    let attributes = compression;
    if (opts.logAppendTime) attributes |= Attr.LogAppendTime;
    if (opts.transactional) attributes |= Attr.Transactional;
    if (opts.control) attributes |= Attr.Control;
    if (this.deleteHorizon !== null) attributes |= Attr.DeleteHorizon;
    stampBatch(batch, opts.baseOffset ?? 0, opts.partitionLeaderEpoch ?? -1);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
    batch.writeInt8(2, MAGIC_OFFSET);
    batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
    batch.writeInt32BE(opts.lastOffsetDelta ?? this.n - 1, LAST_OFFSET_DELTA_OFFSET);
    writeInt64At(batch, BASE_TIMESTAMP_OFFSET, this.baseTimestamp);
    writeInt64At(batch, MAX_TIMESTAMP_OFFSET, this.maxTimestamp);
    writeInt64At(batch, PRODUCER_ID_OFFSET, opts.producerId ?? -1);
    batch.writeInt16BE(opts.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
    batch.writeInt32BE(opts.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
    batch.writeInt32BE(this.n, RECORD_COUNT_OFFSET);
    rewriteCrc(batch);
    return batch;
  }
}

/** Builds a complete v2 batch with a valid CRC. */
export function encodeBatch(records: readonly NewRecord[], opts: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const now = opts.now ?? Date.now();
  let estimate = 0;
  for (const r of records) estimate += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  const b = new BatchBuilder(estimate);
  for (const r of records) b.append(r.key ?? null, r.value, r.headers, r.timestamp ?? now);
  return b.build(opts);
}


/**
 * Decodes every record of one batch (decompressing if needed). Offsets are absolute. `make`
 * builds each record object (consumers add topic and partition) so no record is copied after.
 */
export function decodeBatchRecords(batch: Buffer, header: BatchHeader = readBatchHeader(batch)): Record[] {
  return decodeBatchWith(batch, header, (offset, timestamp, key, value, headers) => ({ offset, timestamp, key, value, headers }));
}

/**
 * `make` is also given the record's offset and timestamp deltas: the absolute values are doubles,
 * rounded past 2^53, and a reader of damaged or crafted batches (dump-log) needs the exact longs.
 */
export function decodeBatchWith<T>(
  batch: Buffer,
  header: BatchHeader,
  make: (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[], offsetDelta: number, timestampDelta: number) => T,
): T[] {
  if (header.magic !== 2) throw new ProtocolDecodeError(`unsupported record batch magic ${header.magic}`);
  let body = batch.subarray(BATCH_HEADER_SIZE, LOG_OVERHEAD + header.batchLength);
  const compression = compressionOf(header.attributes);
  if (compression !== 0) body = codecFor(compression).decompress(body);
  const logAppend = (header.attributes & Attr.LogAppendTime) !== 0;
  const r = new Reader(body);
  const out: T[] = new Array(header.recordCount);
  for (let i = 0; i < header.recordCount; i++) {
    const len = r.varint();
    const end = r.pos + len;
    if (len < 0 || end > r.end) throw new ProtocolDecodeError('record overruns its batch');
    r.int8(); // attributes (unused)
    const tsDelta = r.varint();
    const offsetDelta = r.varint();
    const keyLen = r.varint();
    const key = keyLen < 0 ? null : r.raw(keyLen);
    const valueLen = r.varint();
    const value = valueLen < 0 ? null : r.raw(valueLen);
    const headerCount = r.varint();
    if (headerCount < 0 || headerCount > end - r.pos) throw new ProtocolDecodeError('bad header count');
    const headers: RecordHeader[] = headerCount === 0 ? NO_HEADERS : new Array(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const hkLen = r.varint();
      const hk = r.raw(hkLen).toString('utf8');
      const hvLen = r.varint();
      headers[h] = { key: hk, value: hvLen < 0 ? null : r.raw(hvLen) };
    }
    r.pos = end;
    out[i] = make(header.baseOffset + offsetDelta, logAppend ? header.maxTimestamp : header.baseTimestamp + tsDelta, key, value, headers, offsetDelta, tsDelta);
  }
  return out;
}

/** A zigzag-encoded int of up to 31 bits, decoded. */
const unzigzag = (z: number): number => (z >>> 1) ^ -(z & 1);

/** Where `varintAt` stopped: the position after the varint it read. */
let varintEnd = 0;

/**
 * The zigzag varint at `at`, of at most `maxBytes` bytes before `end` (`varintEnd` is set to the
 * position after it); NaN when it is cut off by `end` or runs longer. Two-byte ones (lengths and
 * deltas under 8 KiB) first, in int32 math.
 */
function varintAt(buf: Buffer, at: number, end: number, maxBytes: number): number {
  if (at + 1 < end && buf[at]! >= 0x80 && buf[at + 1]! < 0x80) {
    varintEnd = at + 2;
    return unzigzag((buf[at]! & 0x7f) | (buf[at + 1]! << 7));
  }
  let z = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes && at < end; i++) {
    const b = buf[at++]!;
    z += (b & 0x7f) * mul;
    if (b < 0x80) {
      varintEnd = at;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    mul *= 0x80;
  }
  varintEnd = at;
  return NaN;
}

/**
 * Checks that `body` (a v2 batch's records, decompressed) holds exactly `count` records that parse,
 * as Kafka's LogValidator finds out by iterating them (DefaultRecord.readFrom): each record's
 * fields (attributes, timestamp delta, offset delta, key, value, headers) fill exactly the length
 * it declares, its offset delta is its position (0, 1, 2, ...: readers and the cleaner place
 * records by it), and nothing follows the last record. Returns the index of the first record
 * without a key, or -1; throws ProtocolDecodeError naming what does not parse. With `deltas`, an
 * offset delta that is not its record's position clears `deltas.inOrder` instead of throwing (the
 * caller renumbers the records, as Kafka's LogValidator does).
 *
 * The produce path runs it on every record, so it allocates nothing, and each varint is read the
 * same way, written out where it is read: a one-byte one inline, any other by varintAt. (A helper
 * doing both is not inlined by V8 and made the walk over half as slow again.)
 */
/**
 * Timestamp bounds a walk checks (KIP-937): records whose timestamp (`base` plus their delta; -1,
 * no timestamp, is not checked) falls outside [from, to] are listed in `out` as [index,
 * timestamp], at most `max` of them.
 */
export interface TimestampWindow {
  base: number;
  from: number;
  to: number;
  max: number;
  out: [index: number, timestamp: number][];
}

/**
 * What a walk learns of the records beside checking them: whether their offset deltas are 0, 1,
 * 2, ... (`inOrder`), and the largest timestamp delta (`maxTimestampDelta`, -Infinity for none).
 */
export interface WalkedRecords {
  inOrder: boolean;
  maxTimestampDelta: number;
}

export function walkRecords(body: Buffer, count: number, deltas?: WalkedRecords, times?: TimestampWindow): number {
  const bodyEnd = body.length;
  let keyless = -1;
  let at = 0;
  for (let i = 0; i < count; i++) {
    let length = body[at]!;
    if (length < 0x80 && at < bodyEnd) {
      length = unzigzag(length);
      at++;
    } else {
      length = varintAt(body, at, bodyEnd, 5);
      at = varintEnd;
    }
    if (!(length >= 0 && at + length <= bodyEnd)) throw badRecord(i, count, 'its length overruns the batch');
    const end = at + length;
    at++; // attributes (unused)
    let timestampDelta = body[at]!;
    if (timestampDelta < 0x80 && at < end) {
      timestampDelta = unzigzag(timestampDelta);
      at++;
    } else {
      timestampDelta = varintAt(body, at, end, 10);
      at = varintEnd;
    }
    let offsetDelta = body[at]!;
    if (offsetDelta < 0x80 && at < end) {
      offsetDelta = unzigzag(offsetDelta);
      at++;
    } else {
      offsetDelta = varintAt(body, at, end, 5);
      at = varintEnd;
    }
    let keyLength = body[at]!;
    if (keyLength < 0x80 && at < end) {
      keyLength = unzigzag(keyLength);
      at++;
    } else {
      keyLength = varintAt(body, at, end, 5);
      at = varintEnd;
    }
    // NaN: a varint cut off by the record's end, or longer than Kafka reads.
    if (Number.isNaN(timestampDelta) || Number.isNaN(offsetDelta) || Number.isNaN(keyLength)) throw badRecord(i, count, 'its fields overrun its length');
    if (offsetDelta !== i) {
      if (!deltas) throw badRecord(i, count, `its offset delta is ${offsetDelta}`);
      deltas.inOrder = false;
    }
    if (deltas && timestampDelta > deltas.maxTimestampDelta) deltas.maxTimestampDelta = timestampDelta;
    if (times && times.out.length < times.max) {
      const timestamp = times.base + timestampDelta;
      if (timestamp !== -1 && (timestamp < times.from || timestamp > times.to)) times.out.push([i, timestamp]);
    }
    // A negative key or value length is null, as Kafka reads it.
    if (keyLength >= 0) at += keyLength;
    else if (keyless < 0) keyless = i;
    let valueLength = body[at]!;
    if (valueLength < 0x80 && at < end) {
      valueLength = unzigzag(valueLength);
      at++;
    } else {
      valueLength = varintAt(body, at, end, 5);
      at = varintEnd;
    }
    if (valueLength >= 0) at += valueLength;
    let headers = body[at]!;
    if (headers < 0x80 && at < end) {
      headers = unzigzag(headers);
      at++;
    } else {
      headers = varintAt(body, at, end, 5);
      at = varintEnd;
    }
    if (Number.isNaN(valueLength) || !(headers >= 0 && headers <= end - at)) throw badRecord(i, count, 'its fields overrun its length');
    for (let h = 0; h < headers; h++) {
      const keyLength = varintAt(body, at, end, 5);
      if (!(keyLength >= 0)) throw badRecord(i, count, `header ${h} has no key`);
      const valueLength = varintAt(body, varintEnd + keyLength, end, 5);
      if (Number.isNaN(valueLength)) throw badRecord(i, count, 'its fields overrun its length');
      at = varintEnd + Math.max(valueLength, 0);
    }
    if (at !== end) throw badRecord(i, count, 'its fields do not fill its length');
  }
  if (at !== bodyEnd) throw new ProtocolDecodeError(`${bodyEnd - at} bytes follow the batch's ${count} records`);
  return keyless;
}

const badRecord = (i: number, count: number, what: string) => new ProtocolDecodeError(`record ${i} of ${count} does not parse: ${what}`);

/** The offset after the last record of the batch at `at`. */
export function nextOffsetOf(buf: Buffer, at = 0): number {
  return baseOffsetOf(buf, at) + lastOffsetDeltaOf(buf, at) + 1;
}

/** The batch's last offset minus its base offset (the records' count less one, once validated). */
export function lastOffsetDeltaOf(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
}

export function baseOffsetOf(buf: Buffer, at = 0): number {
  return readInt64(buf, at + BASE_OFFSET_OFFSET);
}

export function maxTimestampOf(buf: Buffer, at = 0): number {
  return readInt64(buf, at + MAX_TIMESTAMP_OFFSET);
}

/** The partition leader epoch the batch was written in. */
export function leaderEpochOf(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + LEADER_EPOCH_OFFSET);
}

/** The magic byte of the batch at `at` (2 for every batch kafka-ts stores). */
export function magicAt(buf: Buffer, at = 0): number {
  return buf.readInt8(at + MAGIC_OFFSET);
}

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

/**
 * A record batch's header read in place, with named fields: what the broker checks, stamps and
 * appends. The buffer is the whole batch (header and records); setters write through to it, and
 * the ones that change a CRC-covered field (attributes, max timestamp) say so.
 */
export class RecordBatchView {
  constructor(readonly buffer: Buffer) {}

  /** Whether the buffer holds at least a whole header (every getter below needs one). */
  get hasHeader(): boolean {
    return this.buffer.length >= BATCH_HEADER_SIZE;
  }
  /** The size the batch declares for itself, baseOffset..end. */
  get sizeInBytes(): number {
    return LOG_OVERHEAD + this.batchLength;
  }
  get baseOffset(): number {
    return baseOffsetOf(this.buffer);
  }
  get batchLength(): number {
    return this.buffer.readInt32BE(BATCH_LENGTH_OFFSET);
  }
  get partitionLeaderEpoch(): number {
    return leaderEpochOf(this.buffer);
  }
  get magic(): number {
    return magicAt(this.buffer);
  }
  get crc(): number {
    return this.buffer.readUInt32BE(CRC_OFFSET);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(ATTRIBUTES_OFFSET);
  }
  get compression(): number {
    return compressionOf(this.attributes);
  }
  get timestampType(): 'CreateTime' | 'LogAppendTime' {
    return timestampTypeOf(this.attributes);
  }
  get isTransactional(): boolean {
    return isTransactionalBatch(this.attributes);
  }
  get isControl(): boolean {
    return isControlBatch(this.attributes);
  }
  get lastOffsetDelta(): number {
    return lastOffsetDeltaOf(this.buffer);
  }
  /** The offset of the batch's last record. */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  get baseTimestamp(): number {
    return readInt64(this.buffer, BASE_TIMESTAMP_OFFSET);
  }
  get maxTimestamp(): number {
    return maxTimestampOf(this.buffer);
  }
  get producerId(): number {
    return readInt64(this.buffer, PRODUCER_ID_OFFSET);
  }
  /** The producer id exactly (producerId rounds ids above 2^53); for messages. */
  get exactProducerId(): bigint {
    return this.buffer.readBigInt64BE(PRODUCER_ID_OFFSET);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(PRODUCER_EPOCH_OFFSET);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(BASE_SEQUENCE_OFFSET);
  }
  get recordCount(): number {
    return this.buffer.readInt32BE(RECORD_COUNT_OFFSET);
  }
  get crcIsValid(): boolean {
    return batchCrcIsValid(this.buffer);
  }

  /** Assigns the batch its place in a log (neither field is covered by the CRC). */
  assignOffsets(baseOffset: number, leaderEpoch?: number): void {
    stampBatch(this.buffer, baseOffset, leaderEpoch);
  }

  /** Sets the header's max timestamp (and a new CRC) unless it is that already. */
  setMaxTimestamp(maxTimestamp: number): void {
    if (maxTimestampOf(this.buffer) === maxTimestamp) return;
    writeInt64At(this.buffer, MAX_TIMESTAMP_OFFSET, maxTimestamp);
    rewriteCrc(this.buffer);
  }

  /** Stamps broker time (LogAppendTime topics): timestamp type and max timestamp, then a new CRC. */
  stampLogAppendTime(now: number): void {
    this.buffer.writeInt16BE(this.attributes | Attr.LogAppendTime, ATTRIBUTES_OFFSET);
    writeInt64At(this.buffer, MAX_TIMESTAMP_OFFSET, now);
    rewriteCrc(this.buffer);
  }

  /** Every header field at once (decoding records needs most of them). */
  header(): BatchHeader {
    return readBatchHeader(this.buffer);
  }
}
