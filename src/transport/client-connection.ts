/**
 * A client connection to one broker over TCP or a Unix socket: encodes requests with the shared
 * schemas, matches responses by correlation id, and enforces connect and request timeouts.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { createRequire } from 'node:module';
import { encodeRequest, decodeResponse } from '../protocol/messages.js';
import type { ApiDef } from '../protocol/schema.js';
import { FrameDecoder, FrameReader } from './frame-decoder.js';
import { KafkaTsError, UsageError } from '../util/errors.js';
import { frameBuffers } from '../util/read-buffers.js';
import { clientCertRefusedByBroker, looksLikeTlsError, notTlsError, tlsFailure } from './tls-errors.js';

/** node:tls, loaded on the first TLS connection: a short command on the Unix socket never needs it. */
let tlsModule: typeof tls | undefined;
const nodeTls = (): typeof tls => (tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof tls);

export type BrokerAddress = { host: string; port: number } | { path: string };

export const describeAddress = (a: BrokerAddress): string => ('path' in a ? `unix://${a.path}` : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`);

/** The broker could not be reached, or the connection broke. */
export class ConnectionError extends KafkaTsError {
  override name = 'ConnectionError';
  constructor(
    message: string,
    readonly address: string,
    readonly code?: string,
    /** The broker closed the connection before answering anything (a TLS port spoken to in plaintext does that). */
    readonly beforeFirstResponse = false,
    /** The broker closed the connection after answering only ApiVersions (a SASL listener does that to a client that skips SASL). */
    readonly afterApiVersionsOnly = false,
  ) {
    super('unreachable', message, { hint: 'is the broker running? see --bootstrap-server' });
  }

  /** Set when no connection could be had for a request: it was never written (KafkaClient.send). */
  requestNotSent = false;

  /** Set when the broker did answer, but the answer could not be read. */
  answered = false;
}

/**
 * The connection a request had been written to was lost before the broker answered it: the broker
 * may have acted on it (a topic created, records appended) or not. Reported instead of what a retry
 * then met ("connection refused" from a broker that died), which would say the request never went.
 */
export class ConnectionLostError extends ConnectionError {
  override name = 'ConnectionLostError';
  override readonly hint = 'check its effect before retrying: is the broker still running?';
  constructor(lost: ConnectionError, apiName: string, readOnly: boolean) {
    super(
      `The connection to ${lost.address} closed before it answered the ${apiName} request${readOnly ? '' : ': the request may or may not have been applied'}`,
      lost.address,
      lost.code,
    );
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
  /** TLS (security.protocol SSL or SASL_SSL) for TCP addresses; Unix sockets stay plaintext. */
  tls?: tls.ConnectionOptions;
  /** Said when the broker closes the connection after answering only the first request (ApiVersions): a SASL listener does that to a client that skips SASL. */
  closedAfterFirstHint?: string;
  /** The address came from the broker's metadata (its advertised listener), not from the user: for messages. */
  advertised?: boolean;
}

/** Sends a request on a connection, bypassing the hold of `exclusive` (see there). */
export type RawSend = <Req, Res>(api: ApiDef<unknown, Res, Req, unknown>, version: number, body: NoInfer<Req>) => Promise<Res>;

type SendOpts = { expectResponse?: boolean; timeoutMs?: number };

/** Largest response frame accepted (fetch responses can be large). */
const MAX_RESPONSE_FRAME = 1 << 30;

export class KafkaConnection {
  private nextCorrelationId = 1;
  private readonly inFlight = new Map<number, InFlight>();
  /** TLS sockets: their decrypted data comes as chunks, split into frames here. */
  private readonly decoder = new FrameDecoder(MAX_RESPONSE_FRAME);
  private closedError: Error | null = null;
  readonly label: string;

  private responses = 0;
  private held: Promise<void> | null = null;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: BrokerAddress,
    private readonly opts: ConnectOptions,
    /** Whether the connection is TLS. */
    readonly secure: boolean,
    /** Plain sockets: reads go straight into frames (see FrameReader); its frames come to `onFrame` once this exists. */
    reads: PlainReads | null,
  ) {
    this.label = describeAddress(address);
    socket.setNoDelay(true);
    if (reads) reads.attach(this);
    else socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (e) => {
      const host = 'host' in address ? address.host : '';
      const mapped = secure ? tlsFailure(e, this.label, host, true, { tls: opts.tls, advertised: opts.advertised }) : null;
      this.fail(mapped ?? new ConnectionError(`Connection to ${this.label} failed: ${e.message}`, this.label, (e as NodeJS.ErrnoException).code));
    });
    socket.on('close', () => {
      const tcp = !('path' in address);
      const afterFirst = this.responses === 1 && this.inFlight.size > 0 && !!opts.closedAfterFirstHint;
      const hint =
        this.responses === 0 && !secure && tcp
          ? ' before answering (a TLS listener does that to a plaintext client: set security.protocol=SSL or SASL_SSL if it is one)'
          : afterFirst
            ? ` right after ApiVersions (${opts.closedAfterFirstHint})`
            : '';
      this.fail(new ConnectionError(`Connection to ${this.label} was closed by the broker${hint}`, this.label, undefined, this.responses === 0, afterFirst));
    });
  }

  static connect(address: BrokerAddress, opts: ConnectOptions): Promise<KafkaConnection> {
    const label = describeAddress(address);
    const useTls = !!opts.tls && !('path' in address);
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      let tcpUp = false;
      let serverSpokeTls = false;
      const reads = useTls ? null : new PlainReads();
      if ('path' in address) socket = net.connect({ path: address.path, onread: reads!.onread });
      else if (useTls) {
        socket = nodeTls().connect({ ...opts.tls, host: address.host, port: address.port, servername: net.isIP(address.host) ? undefined : address.host });
        socket.once('connect', () => (tcpUp = true));
        // TLS 1.2 keys are made once the server's flight came (ServerHelloDone), before our
        // certificate goes: a hang-up after that is a TLS server refusing our certificate, not a
        // plaintext port (node:tls servers send no alert for a certificate that does not verify).
        if (opts.tls?.cert !== undefined) socket.once('keylog', () => (serverSpokeTls = true));
      } else socket = net.connect({ host: address.host, port: address.port, onread: reads!.onread });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionError(`Timed out connecting to ${label} after ${opts.connectTimeoutMs} ms${useTls && tcpUp ? ' (the TLS handshake did not finish: is it a TLS listener?)' : ''}`, label, 'ETIMEDOUT'));
      }, opts.connectTimeoutMs);
      const onError = (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.off('close', onClose);
        socket.on('error', () => undefined); // a late second error must not crash the process
        socket.destroy();
        const hungUp = e.code === 'ECONNRESET' || e.code === 'EPIPE' || /before secure TLS connection/.test(e.message);
        if (useTls && serverSpokeTls && hungUp) return reject(clientCertRefusedByBroker(label, opts.tls?.cert));
        const mapped = useTls ? tlsFailure(e, label, 'host' in address ? address.host : '', false, { tls: opts.tls, advertised: opts.advertised }) : null;
        if (mapped) return reject(mapped);
        const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOENT' ? 'no such socket' : e.message;
        reject(new ConnectionError(`Could not connect to ${label}: ${why}`, label, e.code));
      };
      // A TLS socket closed before its handshake ended (no error event): the peer hung up on our ClientHello.
      const onClose = () => {
        clearTimeout(timer);
        reject(serverSpokeTls ? clientCertRefusedByBroker(label, opts.tls?.cert) : tcpUp ? notTlsError(label) : new ConnectionError(`Could not connect to ${label}: connection closed`, label));
      };
      socket.once(useTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        // Only our own listeners: node's TLS socket has its own 'close' listener (it frees the SSL state).
        socket.off('error', onError);
        socket.off('close', onClose);
        resolve(new KafkaConnection(socket, address, opts, useTls, reads));
      });
      socket.once('error', onError);
      if (useTls) socket.once('close', onClose);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** TLS sockets: decrypted chunks. */
  private onData(chunk: Buffer) {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.badFrame(e as Error);
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  /**
   * Plain sockets: the bytes of one read, before they are taken as frames. A TLS listener answers a
   * plaintext request with a TLS record (alert 0x15 / handshake 0x16, version 3.x), not a frame.
   */
  onPlainRead(bytes: Buffer, atFrameStart: boolean): boolean {
    if (this.responses === 0 && atFrameStart && bytes.length >= 2 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03) {
      this.fail(looksLikeTlsError(this.label));
      this.socket.destroy();
      return false;
    }
    // A first frame whose size is four printable characters (past 500 MB) is another protocol's
    // text: an HTTP port (the schema registry's), SSH, SMTP... Retrying would only get it again.
    if (this.responses === 0 && atFrameStart && bytes.length >= 4 && /^[\x20-\x7e]{4}$/.test(bytes.toString('latin1', 0, 4))) {
      const text = bytes.toString('latin1', 0, Math.min(bytes.length, 40)).split(/[\r\n]/)[0]!;
      const what = text.startsWith('HTTP/') ? 'in HTTP (a schema registry, REST proxy or web port?)' : `with text ('${text}')`;
      this.fail(new UsageError(`${this.label} is not a Kafka listener: it answered ${what}; check --bootstrap-server`));
      this.socket.destroy();
      return false;
    }
    return true;
  }

  badFrame(e: Error): void {
    this.fail(new ConnectionError(`Bad response frame from ${this.label}: ${e.message}`, this.label));
    this.socket.destroy();
  }

  onFrame(frame: Buffer): void {
    this.responses++;
    const correlationId = frame.readInt32BE(0);
    const req = this.inFlight.get(correlationId);
    if (!req) return;
    this.inFlight.delete(correlationId);
    if (req.timer) clearTimeout(req.timer);
    try {
      req.resolve(decodeResponse(req.api, req.version, frame).body);
    } catch (e) {
      req.reject(Object.assign(new ConnectionError(`Could not decode ${req.api.name} v${req.version} response from ${this.label}: ${(e as Error).message}`, this.label), { answered: true }));
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
  send<Req, Res>(api: ApiDef<unknown, Res, Req, unknown>, version: number, body: NoInfer<Req>, options?: SendOpts): Promise<Res>;
  send(api: ApiDef, version: number, body: unknown, options: SendOpts = {}): Promise<unknown> {
    if (this.held) return this.held.then(() => this.send(api, version, body, options));
    return this.write(api, version, body, options);
  }

  /**
   * Runs `fn` with the connection to itself: requests sent meanwhile wait until it ends (SASL
   * re-authentication, KIP-368: nothing else may go out between SaslHandshake and the last
   * SaslAuthenticate). Requests already in flight are answered first by the broker, in order.
   */
  async exclusive<T>(fn: (send: RawSend) => Promise<T>, options: SendOpts = {}): Promise<T> {
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    try {
      return await fn(((api: ApiDef, version: number, body: unknown) => this.write(api, version, body, options)) as RawSend);
    } finally {
      this.held = null;
      release();
    }
  }

  private write(api: ApiDef, version: number, body: unknown, options: SendOpts): Promise<unknown> {
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
      // Requests sent in the same tick (the sender's drain, a flush) leave in one write: one
      // syscall and one wake-up of the broker instead of one per request.
      this.corkForTick();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
      // acks=0: sent once the request is handed to the OS (after the tick's uncork), not before,
      // so a caller that closes the connection next does not drop it.
      if (expect) this.socket.write(chunks[last]!);
      else this.socket.write(chunks[last]!, (e) => (e ? reject(new ConnectionError(`Connection to ${this.label} failed: ${e.message}`, this.label)) : resolve(undefined)));
    });
  }

  private corked = false;

  private corkForTick() {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      if (!this.corked) return; // close() let them go already
      this.corked = false;
      this.socket.uncork();
    });
  }

  close(): void {
    // Requests written this tick are still corked: let them go before the socket does.
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.fail(new ConnectionError(`Connection to ${this.label} closed`, this.label));
    this.socket.destroy();
  }
}

/**
 * The reads of a plain (TCP or Unix) socket, through its `onread` option: frames are read straight
 * into buffers of their own (FrameReader). The socket exists before its KafkaConnection does, so
 * anything read before that (nothing, in practice: the client speaks first) waits here.
 */
class PlainReads {
  private conn: KafkaConnection | null = null;
  private readonly early: Buffer[] = [];
  private earlyError: Error | null = null;
  private readonly reader = new FrameReader(MAX_RESPONSE_FRAME, (frame) => (this.conn ? this.conn.onFrame(frame) : this.early.push(frame)), frameBuffers.take);

  readonly onread = {
    buffer: this.reader.target,
    // Returning false would pause the socket: reading never pauses here.
    callback: (n: number, buf: Uint8Array): boolean => {
      const bytes = buf as Buffer;
      if (this.conn && !this.conn.onPlainRead(bytes.subarray(0, n), this.reader.atFrameStart)) return true;
      try {
        this.reader.read(n, bytes);
      } catch (e) {
        if (this.conn) this.conn.badFrame(e as Error);
        else this.earlyError = e as Error;
      }
      return true;
    },
  };

  attach(conn: KafkaConnection): void {
    this.conn = conn;
    for (const frame of this.early.splice(0)) conn.onFrame(frame);
    if (this.earlyError) conn.badFrame(this.earlyError);
  }
}
