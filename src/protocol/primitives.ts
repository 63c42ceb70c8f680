/**
 * Kafka wire primitives: a growable writer and a bounds-checked reader.
 *
 * int64 values are JavaScript numbers. Offsets, timestamps and producer ids all fit in 2^53,
 * and plain numbers keep the hot paths free of BigInt conversions. A long beyond 2^53 that a
 * client sends is read rounded to a nearby double (INT64_MAX reads as 2^63) and written back
 * clamped to the int64 range (writeInt64At), never overflowed into a negative value; where
 * exactness matters (offsets, producer ids) the broker checks the range first.
 */

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;

/**
 * Writes `v` as a big-endian int64 at `at`, as two 32-bit halves (no BigInt on hot paths).
 * Values at or beyond +-2^63 are clamped to INT64_MAX / INT64_MIN: a long read as a number
 * rounds INT64_MAX up to 2^63, which must go back out as INT64_MAX.
 */
export function writeInt64At(buf: Buffer, at: number, v: number): void {
  if (v >= TWO_63) {
    buf.writeInt32BE(0x7fffffff, at);
    buf.writeUInt32BE(0xffffffff, at + 4);
    return;
  }
  if (v < -TWO_63) v = -TWO_63;
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi | 0, at);
  buf.writeUInt32BE((v - hi * TWO_32) >>> 0, at + 4);
}

/** Thrown when a reader runs past the end of its buffer or meets an impossible length. */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
}

/**
 * A request held more array elements than its reader's budget (Reader.elementsLeft): a request no
 * client makes, refused like a malformed one before its elements are made into objects.
 */
export class ArrayBudgetExceeded extends ProtocolDecodeError {
  override name = 'ArrayBudgetExceeded';
  constructor(readonly limit: number) {
    super(`more than ${limit} array elements`);
  }
}

/** Byte fields at least this large are queued by reference instead of copied. */
const ZERO_COPY_THRESHOLD = 4096;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Finished chunks, in order; `buf[0..pos)` follows them. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private handedOut = false;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.chunkBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, 256));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }
  uint8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  bool(v: boolean): this {
    return this.uint8(v ? 1 : 0);
  }
  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }
  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }
  int64(v: number): this {
    this.ensure(8);
    writeInt64At(this.buf, this.pos, v);
    this.pos += 8;
    return this;
  }
  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** Unsigned LEB128 varint (compact lengths, tag numbers). Values up to 2^53. */
  uvarint(v: number): this {
    if (v >= 0 && v < 0x80 && this.pos < this.buf.length) {
      this.buf[this.pos++] = v;
      return this;
    }
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }
  /**
   * Zigzag signed varint, as used inside record batches (int32 and int64 alike). Exact for
   * |v| < 2^52, far beyond any record length or timestamp delta.
   */
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  uuid(bytes: Buffer): this {
    if (bytes.length !== 16) throw new RangeError('uuid must be 16 bytes');
    return this.raw(bytes);
  }

  /** Appends bytes. Large buffers are referenced rather than copied (record batches). */
  raw(b: Buffer | Uint8Array): this {
    if (b.length >= ZERO_COPY_THRESHOLD) {
      this.flushChunk();
      const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
      this.chunks.push(buf);
      this.chunkBytes += buf.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  // ---- length-prefixed types ----

  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s, 'utf8');
    this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
    return this;
  }
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len + 1);
    this.ensure(len);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
    return this;
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }
  compactBytes(b: Buffer | null): this {
    if (b === null) return this.uvarint(0);
    this.uvarint(b.length + 1);
    return this.raw(b);
  }

  /** Reserves 4 bytes for an int32 filled in later (frame sizes). Only valid before any chunk flush. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }
  patchInt32(at: number, v: number): void {
    if (this.chunks.length) throw new Error('cannot patch after a zero-copy chunk');
    this.buf.writeInt32BE(v, at);
  }

  private flushChunk(): void {
    if (this.pos === 0) return;
    const piece = this.buf.subarray(0, this.pos);
    this.chunks.push(piece);
    this.chunkBytes += piece.length;
    // The flushed piece keeps the old backing store; continue in a fresh one.
    this.buf = Buffer.allocUnsafe(Math.max(256, this.buf.length - this.pos));
    this.pos = 0;
  }

  /** Empties the writer (and the large-buffer references it held), keeping its buffer for reuse. */
  reset(): void {
    // A buffer handed out by toBuffer() is a view of ours: never write over it.
    if (this.handedOut) this.buf = Buffer.allocUnsafe(this.buf.length);
    this.handedOut = false;
    this.pos = 0;
    this.chunks = [];
    this.chunkBytes = 0;
  }

  /** The written bytes as a list of buffers (no copy of large byte fields). */
  toChunks(): Buffer[] {
    this.flushChunk();
    return this.chunks;
  }

  toBuffer(): Buffer {
    this.handedOut = true;
    if (this.chunks.length === 0) return this.buf.subarray(0, this.pos);
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}

export class Reader {
  pos: number;
  /**
   * Array elements (nested ones included) this reader may still decode. Unlimited unless set:
   * the broker sets it for the requests it decodes (router.ts), while answers from real clusters
   * legitimately hold millions (a big cluster's Metadata replica ids).
   */
  elementsLeft = Infinity;
  /** What elementsLeft started at, for the error. */
  elementLimit = Infinity;
  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.pos = offset;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolDecodeError(`truncated: need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  uint8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  bool(): boolean {
    return this.uint8() !== 0;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }
  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 0x80;
    }
    throw new ProtocolDecodeError('varint too long');
  }
  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  uuid(): Buffer {
    this.need(16);
    const v = this.buf.subarray(this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }
  /** A view of the next n bytes (no copy). */
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  compactString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  bytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.raw(len);
  }
  compactBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.raw(len);
  }
  /** Sets the budget of array elements this reader may decode (see elementsLeft). */
  limitElements(limit: number): this {
    this.elementsLeft = this.elementLimit = limit;
    return this;
  }

  /** A reader of `[pos, end)` of the same buffer that spends this reader's element budget (tagged fields). */
  sub(end: number): Reader {
    const r = new Reader(this.buf, this.pos, end);
    r.elementLimit = this.elementLimit;
    r.elementsLeft = this.elementsLeft;
    return r;
  }

  /** Takes back what a sub() reader left of the budget. */
  join(sub: Reader): void {
    this.elementsLeft = sub.elementsLeft;
    this.pos = sub.end;
  }

  /**
   * Array length: int32 (-1 = null) or compact uvarint (0 = null), counted against the element
   * budget. Guards against absurd counts.
   */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    // Each element takes at least one byte; anything larger is a corrupt or hostile count.
    if (n > this.end - this.pos) throw new ProtocolDecodeError(`array length ${n} exceeds remaining bytes`);
    // Checked before the caller allocates the array: a 9 MiB frame of 2M short strings became
    // gigabytes of heap as objects, and the answers built for each.
    if (n > this.elementsLeft) throw new ArrayBudgetExceeded(this.elementLimit);
    if (n > 0) this.elementsLeft -= n;
    return n;
  }
}
