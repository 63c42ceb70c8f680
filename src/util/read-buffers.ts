/**
 * Buffers for fetched log data, used again once their answer is written.
 *
 * A fetch reads up to a MiB per partition from a segment into a fresh buffer that lives only until
 * the answer has gone to the socket. Allocated each time, such buffers are mapped and unmapped by
 * malloc (they are above its mmap threshold, which the daemon keeps low so memory goes back after
 * load), faulted in page by page as they are read into, and counted as external memory that drives
 * V8's garbage collections. Taken from here instead, a buffer is reused as soon as the server has
 * written the answer that carries it (`giveBack`, from the socket write's callback). The server
 * also reads produce requests of 64 KiB and more into these buffers and gives them back once
 * handled (src/transport/server.ts). A buffer that is never given back (an answer not sent, a read
 * kept elsewhere) is simply collected; one must never be given back twice (taken again meanwhile,
 * it would be handed out while in use).
 */

/** Smallest pooled size; smaller reads come from Node's own pool. */
const MIN_POOLED = 64 * 1024;
/**
 * Largest pooled size by default: a partition's fetch of up to 4 MiB (Kafka's default is 1 MiB;
 * console-consumer asks for 2). Larger reads are allocated each time: with 2 MiB fetches outside
 * the pool, kcat -C read 200 MB in 290 ms instead of 150.
 */
const MAX_POOLED = 4 * 1024 * 1024;

export class ReadBuffers {
  /** Free buffers by size class (a power of two from MIN_POOLED to MAX_POOLED). */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** Buffers handed out and not given back yet (by their memory). */
  private readonly out = new WeakSet<ArrayBuffer>();
  /** Counters, for tests and status. */
  reused = 0;
  allocated = 0;

  /**
   * At most `maxFreeBytes` wait in the pool; beyond that a given-back buffer is left to the GC.
   * Sizes above `maxPooled` are allocated each time.
   */
  constructor(
    private readonly maxFreeBytes = 32 * 1024 * 1024,
    private readonly maxPooled = MAX_POOLED,
    /** False: `take` allocates exactly what is asked until `startPooling` (see frameBuffers). */
    private pooling = true,
  ) {}

  /** From now on buffers come from (and go back to) the pool, in their size class. */
  startPooling() {
    this.pooling = true;
  }

  /** A buffer of `size` bytes (contents undefined) to read log data into. */
  readonly take = (size: number): Buffer => {
    if (!this.pooling || size < MIN_POOLED || size > this.maxPooled) return Buffer.allocUnsafe(size);
    const cls = sizeClass(size);
    const list = this.free.get(cls);
    let whole = list?.pop();
    if (whole) {
      this.freeBytes -= cls;
      this.reused++;
    } else {
      whole = Buffer.allocUnsafeSlow(cls);
      this.allocated++;
    }
    this.out.add(whole.buffer as ArrayBuffer);
    return whole.subarray(0, size);
  };

  /**
   * The chunks of a written answer: every pooled buffer among them returns to the pool (once,
   * however many of its slices the answer held). Only for chunks nothing refers to any more.
   */
  giveBack(chunks: readonly Buffer[]) {
    for (const c of chunks) {
      const memory = c.buffer as ArrayBuffer;
      if (!this.out.has(memory)) continue;
      this.out.delete(memory);
      const cls = memory.byteLength;
      if (this.freeBytes + cls > this.maxFreeBytes) continue;
      let list = this.free.get(cls);
      if (!list) this.free.set(cls, (list = []));
      list.push(Buffer.from(memory, 0, cls));
      this.freeBytes += cls;
    }
  }

  /** Bytes waiting in the pool. */
  get pooledBytes(): number {
    return this.freeBytes;
  }

  /** Lets every pooled buffer go (e.g. when the daemon falls idle). */
  clear() {
    this.free.clear();
    this.freeBytes = 0;
  }
}

function sizeClass(size: number): number {
  let c = MIN_POOLED;
  while (c < size) c *= 2;
  return c;
}

/** The process's pool: storage reads take from it, the server gives back after writing. */
export const readBuffers = new ReadBuffers();

/**
 * The client's pool for answers read from brokers (FrameReader): a fetch answer of a megabyte is
 * read into a buffer used before, instead of fresh memory the kernel must fault in page by page
 * while it copies the answer in. Only a reader that has copied out everything it needs from an
 * answer gives it back (console-consumer, once its records are formatted), and it turns the pool
 * on (startPooling); in any other process answers get buffers of their exact size, left to the GC
 * (a pooled buffer is a whole size class: a 1.1 MiB answer would hold 2 MiB). Up to 8 MiB
 * (FrameReader's largest first buffer): a few partitions' fetches.
 */
export const frameBuffers = new ReadBuffers(16 * 1024 * 1024, 8 * 1024 * 1024, false);
