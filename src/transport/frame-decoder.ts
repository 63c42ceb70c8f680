/**
 * Splits a byte stream into Kafka frames (int32 size + payload). Rejects sizes that are negative
 * or above the configured maximum, so a hostile or garbage length cannot make us buffer 2 GB.
 * A zero-length frame is passed on as an empty payload (its header then fails to read).
 */
export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError';
}

export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = -1;

  constructor(private maxFrameSize: number) {}

  /** Changes the limit for frames not yet started (a SASL listener lifts it once the client has authenticated). */
  setMaxFrameSize(n: number): void {
    this.maxFrameSize = n;
  }

  /** Feeds bytes; returns every complete frame payload now available. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.pendingBytes < 4) break;
        const head = this.take(4);
        const size = head.readInt32BE(0);
        if (size < 0 || size > this.maxFrameSize) {
          throw new FrameTooLargeError(`frame size ${size} is outside [0, ${this.maxFrameSize}]`);
        }
        this.need = size;
      }
      if (this.pendingBytes < this.need) break;
      frames.push(this.take(this.need));
      this.need = -1;
    }
    return frames;
  }

  /** Bytes buffered towards the next frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  private take(n: number): Buffer {
    // A zero-length frame may arrive with nothing buffered behind it.
    if (n === 0) return Buffer.alloc(0);
    const first = this.pending[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      this.pendingBytes -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.pending[0]!;
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.pending.shift();
      else this.pending[0] = c.subarray(k);
    }
    this.pendingBytes -= n;
    return out;
  }
}

/**
 * The buffer every FrameReader of the process reads headers, small frames and the last bytes of
 * large ones into. One is enough: a read's bytes are handed to its reader at once, which copies
 * out whatever it keeps before the next read (of any socket) can land here; so a thousand idle
 * connections do not hold 64 KiB each.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/**
 * A frame up to this size gets its whole buffer when its size prefix is read (by default; see
 * FrameReader's `eagerBytes`); a larger one starts with this much and doubles as its bytes arrive,
 * so that a size prefix alone (a peer that is not a Kafka broker and speaks first, say) cannot
 * make the reader take a gigabyte.
 */
const EAGER_FRAME_BYTES = 8 << 20;

/**
 * Reads frames from a plain socket straight into buffers of their own (net.Socket's `onread`): the
 * kernel copies a large frame (a fetch answer or a produce request of a megabyte) once, into the
 * buffer that is handed on, instead of into 64 KiB chunks that are copied together again; and a
 * read can take all the socket holds, not 64 KiB. Headers, small frames and the tail of large ones
 * go through the shared scratch buffer and are copied out.
 */
export class FrameReader {
  /** The frame being filled (its buffer may still be growing towards `size`), and how much of it is. */
  private frame: Buffer | null = null;
  private size = 0;
  private filled = 0;
  /** A size prefix split across reads. */
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;

  constructor(
    private maxFrameSize: number,
    private readonly onFrame: (payload: Buffer) => void,
    /**
     * Where a frame's buffer comes from (a pool of reused buffers, say): `size` bytes for a frame
     * whose payload starts with the int16 `lead` (a request's api key), or -1 when those bytes
     * were not read together with its size prefix.
     */
    private readonly alloc: (size: number, lead: number) => Buffer = Buffer.allocUnsafe,
    /** The most a size prefix alone makes the reader allocate (the rest grows as bytes come). */
    private readonly eagerBytes = EAGER_FRAME_BYTES,
  ) {}

  /** Whether the next byte read starts a frame (its size prefix). */
  get atFrameStart(): boolean {
    return this.frame === null && this.headBytes === 0;
  }

  /** Memory held towards the next frame: its buffer as allocated (ahead of its bytes), or a partial size prefix. */
  get buffered(): number {
    return this.headBytes + (this.frame === null ? 0 : this.frame.length);
  }

  /** Changes the limit for frames not yet started (a SASL listener lifts it once the client has authenticated). */
  setMaxFrameSize(n: number): void {
    this.maxFrameSize = n;
  }

  /** `onread.buffer`: the rest of a large frame in progress, else the scratch buffer. */
  readonly target = (): Buffer => (this.frame !== null && this.frame.length - this.filled >= SCRATCH_BYTES ? this.frame.subarray(this.filled) : scratch);

  /** `n` bytes were read into `buf` (what `target` returned). Throws FrameTooLargeError on a bad size. */
  read(n: number, buf: Buffer): void {
    if (buf !== scratch) {
      this.filled += n;
      this.filledUp();
      return;
    }
    let pos = 0;
    while (pos < n) {
      if (this.frame === null) {
        let size: number;
        if (this.headBytes === 0 && n - pos >= 4) {
          size = buf.readInt32BE(pos);
          pos += 4;
        } else {
          const k = Math.min(4 - this.headBytes, n - pos);
          buf.copy(this.head, this.headBytes, pos, pos + k);
          this.headBytes += k;
          pos += k;
          if (this.headBytes < 4) return;
          this.headBytes = 0;
          size = this.head.readInt32BE(0);
        }
        if (size < 0 || size > this.maxFrameSize) throw new FrameTooLargeError(`frame size ${size} is outside [0, ${this.maxFrameSize}]`);
        this.frame = this.alloc(Math.min(size, this.eagerBytes), n - pos >= 2 ? buf.readInt16BE(pos) : -1);
        this.size = size;
        this.filled = 0;
      }
      const k = Math.min(this.frame.length - this.filled, n - pos);
      buf.copy(this.frame, this.filled, pos, pos + k);
      this.filled += k;
      pos += k;
      this.filledUp();
    }
  }

  /** After bytes went into the frame: hands it on when complete, or grows its buffer when that is full. */
  private filledUp(): void {
    const frame = this.frame!;
    if (this.filled < frame.length) return;
    if (this.filled < this.size) {
      const grown = Buffer.allocUnsafe(Math.min(this.size, frame.length * 2));
      frame.copy(grown, 0, 0, this.filled);
      this.frame = grown;
      return;
    }
    this.frame = null;
    this.onFrame(frame);
  }
}
