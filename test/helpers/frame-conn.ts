/**
 * A raw Kafka connection for broker tests that need to see frames as they arrive: sends request
 * frames as given, collects response payloads in arrival order, and records when the broker
 * closes the connection. (test/helpers/raw-kafka.ts's RawConn adds TLS and SASL for security tests.)
 */
import net from 'node:net';
import { FrameDecoder } from '../../src/transport/frame-decoder.js';

export class FrameConn {
  /** Response payloads (size prefix removed), in arrival order. */
  readonly frames: Buffer[] = [];
  closed = false;
  /** The transport's own splitter (no frame size limit: tests send and expect any size). */
  private readonly decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
  /** Payloads already handed out by next(). */
  private taken = 0;
  /** Called after each read and at the close: next() checking whether its payloads came. */
  private readonly waiting = new Set<() => void>();

  protected constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) this.frames.push(f);
      for (const w of [...this.waiting]) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of [...this.waiting]) w();
    });
    socket.on('error', () => undefined);
  }

  /**
   * The next `count` payloads after those next() gave before, once they have come; rejects if the
   * connection closes first or after `timeoutMs`, saying how many came.
   */
  next(count: number, timeoutMs = 30_000): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const from = this.taken;
      this.taken += count;
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        if (error) reject(error);
        else resolve(this.frames.slice(from, from + count));
      };
      const check = () => {
        if (this.frames.length >= from + count) done();
        else if (this.closed) done(new Error(`closed after ${this.frames.length - from} of ${count} answers`));
      };
      const timer = setTimeout(() => done(new Error(`${this.frames.length - from} of ${count} answers after ${timeoutMs} ms`)), timeoutMs);
      this.waiting.add(check);
      check();
    });
  }

  /** Opens a connection, writes `frames` in one write, and closes it once `count` answers have come: their payloads. */
  static async exchange(where: { port: number; host?: string } | { path: string }, frames: Buffer[], count: number): Promise<Buffer[]> {
    const conn = await FrameConn.open(where);
    try {
      conn.send(frames);
      return await conn.next(count);
    } finally {
      conn.close();
    }
  }

  /** Connects to a TCP port (on `host`, 127.0.0.1 unless given) or a Unix socket path. */
  static open<T extends FrameConn>(this: new (socket: net.Socket) => T, where: { port: number; host?: string } | { path: string }): Promise<T> {
    return new Promise((resolve, reject) => {
      const s = 'path' in where ? net.connect(where.path) : net.connect(where.port, where.host ?? '127.0.0.1');
      s.once('connect', () => resolve(new this(s)));
      s.once('error', reject);
    });
  }

  /** Writes one request frame (as encodeRequest returns it) or several, in one write. */
  send(frame: Buffer[]): void {
    this.socket.write(Buffer.concat(frame));
  }

  close(): void {
    this.socket.destroy();
  }
}
