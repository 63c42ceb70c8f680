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
