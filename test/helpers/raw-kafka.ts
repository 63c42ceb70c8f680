/**
 * A bare Kafka connection for security tests: plain TCP or TLS, sends request frames built with
 * the protocol codecs (or raw bytes), reads size-prefixed frames, and reports when the broker
 * closes the connection. Also a minimal SCRAM/PLAIN client side, to drive the broker's SASL
 * server exactly (bad tokens, legacy framing, re-authentication).
 */
import net from 'node:net';
import tls from 'node:tls';
import { decodeResponse, encodeRequest } from '../../src/protocol/messages.js';
import type { ApiDef } from '../../src/protocol/schema.js';
import { clientKey, hmac, nonce, saltedPassword, storedKey, xor, type ScramMechanism } from '../../src/util/scram.js';

export class RawConn {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private corr = 1;
  closed = false;
  readonly closedAt: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.closedAt = new Promise((r) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        r();
      }),
    );
    socket.on('error', () => undefined);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static tcp(port: number, host = '127.0.0.1'): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  /** Over a broker's Unix socket (the LOCAL listener: the local super user). */
  static unix(path: string): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path }, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  static tls(port: number, opts: tls.ConnectionOptions): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  write(b: Buffer | Buffer[]) {
    for (const c of Array.isArray(b) ? b : [b]) this.socket.write(c);
  }

  /** The next size-prefixed frame's payload, or null if the connection closed first (deadline in ms). */
  async readFrame(timeoutMs = 10_000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 4) {
        const size = this.buf.readInt32BE(0);
        if (this.buf.length >= 4 + size) {
          const payload = this.buf.subarray(4, 4 + size);
          this.buf = this.buf.subarray(4 + size);
          return payload;
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms (buffered ${this.buf.length} bytes, closed=${this.closed})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Sends one request and decodes its response; null when the broker closed the connection instead. */
  async request<Req, Res>(api: ApiDef<unknown, Res, Req, unknown>, version: number, body: Req, timeoutMs = 10_000): Promise<Res | null> {
    const corr = this.corr++;
    this.write(encodeRequest(api, version, corr, 'raw-test', body));
    const f = await this.readFrame(timeoutMs);
    if (!f) return null;
    const r = decodeResponse(api, version, f);
    if (r.correlationId !== corr) throw new Error(`correlation id ${r.correlationId}, expected ${corr}`);
    return r.body;
  }

  /** Resolves true once the broker has closed the connection (false at the deadline). */
  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    const r = await Promise.race([this.closedAt.then(() => true), new Promise<boolean>((res) => (t = setTimeout(() => res(false), timeoutMs)))]);
    clearTimeout(t);
    return r;
  }

  close() {
    this.socket.destroy();
  }
}

/** The client side of SCRAM: first message, then the final message from the server's first. */
export function scramClient(mechanism: ScramMechanism, user: string, password: string) {
  const cnonce = nonce();
  const first = `n=${user},r=${cnonce}`;
  let expectedServerSignature: Buffer | null = null;
  return {
    first: Buffer.from(`n,,${first}`),
    final(serverFirst: Buffer): Buffer {
      const sf = serverFirst.toString();
      const attrs = new Map(sf.split(',').map((p) => [p[0], p.slice(2)] as const));
      const salted = saltedPassword(mechanism, password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')));
      const withoutProof = `c=biws,r=${attrs.get('r')}`;
      const authMessage = `${first},${sf},${withoutProof}`;
      const ck = clientKey(mechanism, salted);
      const proof = xor(ck, hmac(mechanism, storedKey(mechanism, ck), authMessage));
      expectedServerSignature = hmac(mechanism, hmac(mechanism, salted, 'Server Key'), authMessage);
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
    verify(serverFinal: Buffer): boolean {
      return serverFinal.toString() === `v=${expectedServerSignature!.toString('base64')}`;
    },
  };
}

export const plainToken = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);
