/**
 * A client connection to one broker over TCP or a Unix socket: encodes requests with the shared
 * schemas, matches responses by correlation id, and enforces connect and request timeouts.
 */
import net from 'node:net';
import { encodeRequest, decodeResponse } from '../protocol/messages.js';
import type { ApiDef } from '../protocol/schema.js';
import { FrameDecoder } from './frame-decoder.js';
import { KafkaTsError } from '../util/errors.js';

export type BrokerAddress = { host: string; port: number } | { path: string };

export const describeAddress = (a: BrokerAddress): string => ('path' in a ? `unix://${a.path}` : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`);

/** The broker could not be reached, or the connection broke. */
export class ConnectionError extends KafkaTsError {
  override name = 'ConnectionError';
  constructor(
    message: string,
    readonly address: string,
    readonly code?: string,
  ) {
    super('unreachable', message, { hint: 'is the broker running? see --bootstrap-server' });
  }
}

/** A request got no response in time: to the CLI, the broker is as good as unreachable. */
export class RequestTimeoutError extends KafkaTsError {
  override name = 'RequestTimeoutError';
  constructor(message: string) {
    super('unreachable', message);
  }
}

interface InFlight {
  api: ApiDef;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export interface ConnectOptions {
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Largest response frame accepted (fetch responses can be large). */
const MAX_RESPONSE_FRAME = 1 << 30;

export class KafkaConnection {
  private nextCorrelationId = 1;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
  private closedError: Error | null = null;
  readonly label: string;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: BrokerAddress,
    private readonly opts: ConnectOptions,
  ) {
    this.label = describeAddress(address);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new ConnectionError(`Connection to ${this.label} failed: ${e.message}`, this.label, (e as NodeJS.ErrnoException).code)));
    socket.on('close', () => this.fail(new ConnectionError(`Connection to ${this.label} was closed by the broker`, this.label)));
  }

  static connect(address: BrokerAddress, opts: ConnectOptions): Promise<KafkaConnection> {
    const label = describeAddress(address);
    return new Promise((resolve, reject) => {
      const socket = 'path' in address ? net.connect(address.path) : net.connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`Timed out connecting to ${label} after ${opts.connectTimeoutMs} ms`, label, 'ETIMEDOUT'));
      }, opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new KafkaConnection(socket, address, opts));
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOENT' ? 'no such socket' : e.message;
        reject(new ConnectionError(`Could not connect to ${label}: ${why}`, label, e.code));
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  private onData(chunk: Buffer) {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail(new ConnectionError(`Bad response frame from ${this.label}: ${(e as Error).message}`, this.label));
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      const correlationId = frame.readInt32BE(0);
      const req = this.inFlight.get(correlationId);
      if (!req) continue;
      this.inFlight.delete(correlationId);
      if (req.timer) clearTimeout(req.timer);
      try {
        req.resolve(decodeResponse(req.api, req.version, frame).body);
      } catch (e) {
        req.reject(new ConnectionError(`Could not decode ${req.api.name} v${req.version} response from ${this.label}: ${(e as Error).message}`, this.label));
      }
    }
  }

  private fail(e: Error) {
    if (this.closedError) return;
    this.closedError = e;
    for (const r of this.inFlight.values()) {
      if (r.timer) clearTimeout(r.timer);
      r.reject(e);
    }
    this.inFlight.clear();
  }

  /**
   * Sends a request. With `expectResponse: false` (produce acks=0) the promise resolves once
   * the bytes are handed to the socket.
   */
  send<Req, Res>(api: ApiDef<unknown, Res, Req, unknown>, version: number, body: NoInfer<Req>, options?: { expectResponse?: boolean; timeoutMs?: number }): Promise<Res>;
  send(api: ApiDef, version: number, body: unknown, options: { expectResponse?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    if (this.nextCorrelationId > 0x7fffffff) this.nextCorrelationId = 1;
    const chunks = encodeRequest(api, version, correlationId, this.opts.clientId, body);
    const expect = options.expectResponse ?? true;
    const timeoutMs = options.timeoutMs ?? this.opts.requestTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      if (expect) {
        const timer =
          timeoutMs > 0
            ? setTimeout(() => {
                this.inFlight.delete(correlationId);
                reject(new RequestTimeoutError(`${api.name} request to ${this.label} timed out after ${timeoutMs} ms`));
                // Kafka clients drop a connection whose request timed out: later responses would be out of step.
                this.close();
              }, timeoutMs)
            : null;
        this.inFlight.set(correlationId, { api, version, resolve, reject, timer });
      }
      this.socket.cork();
      for (const c of chunks) this.socket.write(c);
      this.socket.uncork();
      if (!expect) resolve(undefined);
    });
  }

  close(): void {
    this.fail(new ConnectionError(`Connection to ${this.label} closed`, this.label));
    this.socket.destroy();
  }
}
