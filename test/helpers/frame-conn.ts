/**
 * A raw Kafka connection for broker tests that need to see frames as they arrive: sends request
 * frames as given, collects response payloads in arrival order, and records when the broker
 * closes the connection. (test/helpers/raw-kafka.ts's RawConn adds TLS and SASL for security tests.)
 */
import net from 'node:net';

export class FrameConn {
  /** Response payloads (size prefix removed), in arrival order. */
  readonly frames: Buffer[] = [];
  closed = false;
  private buf = Buffer.alloc(0);

  protected constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        this.frames.push(this.buf.subarray(4, 4 + n));
        this.buf = this.buf.subarray(4 + n);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
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
