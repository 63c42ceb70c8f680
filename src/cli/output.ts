/**
 * Buffered output. Text is collected and written in large chunks (never one write per line);
 * when the reader of a pipe goes away (EPIPE) further writes stop and the command ends quietly.
 * Any other write error (a full disk, an I/O error) stops the writes too and fails the command:
 * `console-consumer -e > backup` on a full disk must not end with exit 0 and an empty file.
 */
import { FailedError, OutputClosed } from './errors.js';

const CHUNK = 256 * 1024;

/** Streams whose reader has gone away. */
const closedStreams = new WeakSet<NodeJS.WritableStream>();
const watchedStreams = new WeakSet<NodeJS.WritableStream>();
/** Streams a write failed on for another reason than a closed reader, with the first error. */
const failedStreams = new WeakMap<NodeJS.WritableStream, NodeJS.ErrnoException>();

/** What a write error means, in the words of strerror(3). */
const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EROFS: 'Read-only file system',
};

function writeFailure(e: NodeJS.ErrnoException): FailedError {
  const reason = (e.code && WRITE_ERRORS[e.code]) ?? e.message;
  return new FailedError(`Cannot write to standard output: ${reason}${e.code ? ` (${e.code})` : ''}; the output is incomplete.`);
}

/**
 * One 'error' listener per stream, however many Outputs write to it (commands run in one process
 * share process.stdout): it records a closed reader, and its presence keeps an EPIPE from being
 * an uncaught error.
 */
function watchForClose(stream: NodeJS.WritableStream): void {
  if (watchedStreams.has(stream)) return;
  watchedStreams.add(stream);
  // EIO on a terminal: it hung up (SIGHUP), its reader is gone as a pipe's is.
  const gone = (e: NodeJS.ErrnoException) => e.code === 'EPIPE' || (e.code === 'EIO' && !!(stream as NodeJS.WriteStream).isTTY) || (e.code === 'ERR_STREAM_DESTROYED' && !failedStreams.has(stream));
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (gone(e)) closedStreams.add(stream);
    else if (!failedStreams.has(stream)) failedStreams.set(stream, e);
  });
}

export class Output {
  private parts: (string | Buffer)[] = [];
  private size = 0;
  private pendingDrain: Promise<void> | null = null;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {
    watchForClose(stream);
  }

  private get closed(): boolean {
    return closedStreams.has(this.stream);
  }

  /** Throws when no more can be written: quietly-ending OutputClosed, or the write error. */
  private checkWritable(): void {
    if (this.closed) throw new OutputClosed('stdout closed');
    const failed = failedStreams.get(this.stream);
    if (failed) throw writeFailure(failed);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isTTY(): boolean {
    return !!this.stream.isTTY;
  }

  write(data: string | Buffer): void {
    this.checkWritable();
    this.parts.push(data);
    this.size += data.length;
    // A closed stdout is recorded by the stream's error event and reported by the next write or
    // flush; this background flush has nobody to report it to.
    if (this.size >= CHUNK) this.flush().catch(() => undefined);
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** Writes what is buffered; resolves when the stream has accepted it (back-pressure). */
  async flush(): Promise<void> {
    if (this.pendingDrain) await this.pendingDrain;
    if (this.parts.length === 0) return;
    this.checkWritable();
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    this.parts = [];
    this.size = 0;
    const ok = this.stream.write(data);
    if (!ok) {
      this.pendingDrain = new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          this.pendingDrain = null;
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
      await this.pendingDrain;
    }
    this.checkWritable();
  }

  /** Flushes and waits until the bytes have left the process (before exit). */
  async end(): Promise<void> {
    try {
      await this.flush();
    } catch (e) {
      if (!(e instanceof OutputClosed)) throw e;
    }
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      if (this.stream.writableLength === 0) return resolve();
      this.stream.write('', () => resolve());
    });
    // A failed write calls back before its 'error' event is emitted: let that arrive.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!this.closed && failedStreams.has(this.stream)) throw writeFailure(failedStreams.get(this.stream)!);
  }
}
