/**
 * Listeners and server-side connections. A connection decodes frames and hands them to a
 * request processor one at a time, writing each response before taking the next request:
 * Kafka's per-connection ordering, which kafka-python and sarama rely on.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { userInfo } from 'node:os';
import tls from 'node:tls';
import { socketAnswers } from './socket-probe.js';
import { rfc2253Subject } from './certificate-subject.js';
import type { Logger } from '../util/logger.js';
import { TurnScheduler } from './turns.js';
import { readBuffers } from '../util/read-buffers.js';
import { noteRequest } from './idle-memory.js';
import { FrameDecoder, FrameReader } from './frame-decoder.js';
import { KafkaTsError } from '../util/errors.js';

/**
 * A connection as the broker's handlers see it. src/broker/router.ts copies each field into every
 * request's context (requestContext): a field added here is added there too.
 */
export interface ConnectionInfo {
  /** Kafka-style peer address, e.g. "/127.0.0.1". */
  clientHost: string;
  /** The listener's name: 'LOCAL' for the daemon's Unix socket, else as in `listeners` (PLAINTEXT, SASL_SSL, …). */
  listener: string;
  /**
   * Who is on the other end, as Kafka's authorizer names it: `User:ANONYMOUS` until a listener's
   * security says otherwise (`User:<name>` after SASL, the certificate's subject with mutual TLS);
   * on the Unix socket the local user, who is a super user.
   */
  principal: string;
  closed: Promise<void>;
  /**
   * Calls `listener` when the connection closes (at once if it has); the returned function stops
   * listening. For waits repeated on one connection: a reaction added to `closed` each time would
   * stay until the connection closes.
   */
  onClose: (listener: () => void) => () => void;
  /** The listener's security as this connection sees it (TLS peer, SASL state kept by the broker). */
  security: ConnectionSecurity;
  /**
   * Answer bytes this connection may add now without going over the server's ceiling on answers
   * waiting in socket buffers (kafka-ts.queued.max.response.bytes); Infinity when unbounded (and
   * on the Unix socket). A fetch reads no more than this (but always one batch).
   */
  responseRoom?: () => number;
  /** Resolves once answer bytes are back under that ceiling; null when they are (a fetch waits on it before reading). */
  whenResponseRoom?: () => Promise<void> | null;
  /** Counts answer bytes about to be returned (a fetch's records) until the answer is written. */
  reserveResponse?: (bytes: number) => void;
  /**
   * Mutes the connection for `ms` once the answer in hand is written (a client quota's throttle,
   * KIP-219): no further request is read or handled until then.
   */
  throttle?: (ms: number) => void;
}

/**
 * Per-connection security. The transport does TLS and knows the peer certificate; SASL is the
 * broker's (src/broker/security), which keeps its state in `sasl` and sets the principal once the
 * client has authenticated. The object is shared by every request context of the connection.
 */
export interface ConnectionSecurity {
  /** Whether the connection is TLS. */
  readonly tls: boolean;
  /** The client certificate's subject in RFC 2253 form (mutual TLS), else null. */
  readonly peerSubject: string | null;
  /** What the listener was opened with for the broker (its SASL settings); opaque here. */
  readonly listenerData: unknown;
  /** The broker's SASL state for this connection; opaque here. */
  sasl: unknown;
  /** Changes the connection's principal (after SASL authentication). */
  setPrincipal(principal: string): void;
  /**
   * Stops reading (a failed login): the connection closes once the answer to the request in hand
   * is written, or at once when that request has no answer.
   */
  closeAfterResponse(): void;
}

/**
 * Thrown by a frame processor to make the connection close (Kafka's answer to a bad request);
 * logged as a warning, where any other failure is logged as an error.
 */
export class CloseConnection extends Error {
  override name = 'CloseConnection';
  constructor(
    message: string,
    /** The thrower has logged why already (one line per closed connection, not two). */
    readonly logged = false,
  ) {
    super(message);
  }
}

export type FrameProcessor = (frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null>;

/** Requests queued per connection before we stop reading from its socket. */
const MAX_QUEUED_FRAMES = 64;
/**
 * Request bytes queued per connection before we stop reading from its socket (besides the frame
 * count): at most this, plus the frame that crossed it, plus one partial frame (each at most
 * socket.request.max.bytes).
 */
const MAX_QUEUED_BYTES_PER_CONNECTION = 8 << 20;
/**
 * The most one size prefix makes a connection allocate before the frame's bytes come: 1 MiB and a
 * little, so a produce request of the clients' default max.request.size (1 MiB) is read into one
 * buffer; Kafka allocates a request's whole declared size at once.
 */
const REQUEST_EAGER_BYTES = (1 << 20) + (64 << 10);
/** Default ceiling on answer bytes written but not yet taken by the peers' sockets (kafka-ts.queued.max.response.bytes). */
export const DEFAULT_MAX_PENDING_RESPONSE_BYTES = 64 << 20;
/**
 * Fetched bytes read per turn of the event loop (over TCP). Reads are synchronous: without a
 * budget, one turn could read for every waiting fetch at once, and a cheap request arriving then
 * (ApiVersions, a heartbeat) would wait for all of it. Beyond it, fetches wait for the next turn,
 * in the order they began waiting (each connection's fetch gets its turn). At 8 MiB a turn's reads
 * and the writes of what they read held the loop ~30 ms on a loaded machine; 1 MiB cut the soak's
 * fetched bytes by two thirds; 2 MiB (two partitions at max.partition.fetch.bytes) sits between.
 */
const READ_BYTES_PER_TURN = 2 << 20;
/**
 * Request handling per turn of the event loop (see TurnScheduler): produce and fetch requests take
 * turns across connections past it. Other requests (ApiVersions, Metadata, heartbeats, offset
 * commits: short, and what keeps groups and clients alive) are handled as they arrive on a
 * connection that has nothing queued, ahead of the waiting data requests; each connection's own
 * requests are still answered in order. Within the slice, pipelined requests are handled together
 * and their answers leave in one write.
 */
const SLICE_MS = 2;
/** One for the process: every server of the process shares its event loop. */
const turns = new TurnScheduler(SLICE_MS);
/** Produce and fetch: the requests whose cost grows with the data they carry (API keys 0 and 1). */
const isDataRequest = (frame: Buffer) => frame.length >= 2 && frame[0] === 0 && frame[1] <= 1;
/** Produce (API key 0): the one request whose buffer is reused once it is handled (see `requestBuffer`). */
const PRODUCE_KEY = 0;
const isProduce = (frame: Buffer) => frame.length >= 2 && frame.readInt16BE(0) === PRODUCE_KEY;

/** A repeated warning (connections refused, accept failures) is logged at most once in this long. */
const LOG_EVERY_MS = 10_000;
/** Accept back-off after EMFILE/ENFILE: first pause, doubling up to the last. */
const ACCEPT_BACKOFF_MS = [100, 200, 400, 800, 1000] as const;
/**
 * File descriptors kept for the daemon's own files (segments, indexes, metadata) and its Unix
 * socket: a TCP connection that would leave fewer is closed and the listener backs off, as on
 * EMFILE. (On EMFILE itself libuv closes the pending connections without telling Node, so the
 * daemon cannot see it; it stops short of it instead.)
 */
const FD_RESERVE = 32;

/**
 * An upper bound of this process's open descriptors that costs no count of them: the size of its
 * descriptor table (FDSize in /proc/self/status, Linux), which the kernel grows to hold the
 * highest descriptor in use, so it is never below their number. Null when unknown.
 */
export function fdTableSize(status: () => string = () => readFileSync('/proc/self/status', 'latin1')): number | null {
  try {
    const m = /^FDSize:\s*(\d+)/m.exec(status());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The soft limit on open files (Linux: /proc/self/limits), or Infinity when unknown. */
function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Request and answer bytes across a server's connections: queued.max.request.bytes stops reading
 * sockets while too many request bytes are held (Kafka's memory pool), and answers are held back
 * while too many answer bytes wait in socket buffers (the daemon's memory ceiling; Kafka sends
 * fetched data with sendfile, we hold it in memory until the socket takes it).
 */
class FlowControl {
  requestBytes = 0;
  responseBytes = 0;
  /** Answer bytes reserved (read by fetches) in this turn of the event loop. */
  private turnBytes = 0;
  private turnReset = false;
  /** Times queued.max.request.bytes was reached (reading stopped). */
  pauses = 0;
  private exhausted = false;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly maxRequestBytes: number,
    private readonly maxResponseBytes: number,
    private readonly onPoolChange: () => void,
  ) {}

  /** Whether new frames may not be read (queued.max.request.bytes reached). */
  get poolExhausted(): boolean {
    return this.exhausted;
  }

  addRequestBytes(delta: number) {
    this.requestBytes += delta;
    const now = this.maxRequestBytes > 0 && this.requestBytes >= this.maxRequestBytes;
    if (now !== this.exhausted) {
      this.exhausted = now;
      if (now) this.pauses++;
      this.onPoolChange();
    }
  }

  addResponseBytes(delta: number) {
    this.responseBytes += delta;
    if (delta < 0) this.wake();
  }

  /** Answer bytes a fetch read: counted against the ceiling until written, and against this turn's read budget. */
  reserve(bytes: number) {
    this.responseBytes += bytes;
    this.turnBytes += bytes;
    if (!this.turnReset) {
      this.turnReset = true;
      setImmediate(() => {
        this.turnReset = false;
        this.turnBytes = 0;
        this.wake();
      });
    }
  }

  private hasRoom(): boolean {
    return (this.maxResponseBytes <= 0 || this.responseBytes < this.maxResponseBytes) && this.turnBytes < READ_BYTES_PER_TURN;
  }

  /** Wakes every waiting fetch: each looks again (whenResponseRoom) before it reads. */
  private wake() {
    if (this.waiting.length === 0 || !this.hasRoom()) return;
    for (const r of this.waiting.splice(0)) r();
  }

  /** Answer bytes that may still be added: under the ceiling and this turn's read budget. */
  responseRoom(): number {
    const ceiling = this.maxResponseBytes <= 0 ? Infinity : this.maxResponseBytes - this.responseBytes;
    return Math.max(0, Math.min(ceiling, READ_BYTES_PER_TURN - this.turnBytes));
  }

  /** Resolves once there is room again (answers drained, or the next turn); null when there is. */
  whenResponseRoom(): Promise<void> | null {
    if (this.hasRoom()) return null;
    return new Promise((r) => this.waiting.push(r));
  }
}

/** Logs one line now and then for a repeated event, with how many were not logged. */
class RateLimitedLog {
  private last = -Infinity;
  private suppressed = 0;
  constructor(private readonly emit: (line: string) => void) {}
  log(line: string) {
    const now = Date.now();
    if (now - this.last < LOG_EVERY_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more since the last such message)` : '';
    this.last = now;
    this.suppressed = 0;
    this.emit(line + more);
  }
}

export class AddressInUseError extends KafkaTsError {
  override name = 'AddressInUseError';
  constructor(message: string) {
    super('failed', message);
  }
}

/** The listener name of the daemon's Unix socket. */
export const LOCAL_LISTENER = 'LOCAL';
/** Kafka's principal for an unauthenticated connection. */
export const ANONYMOUS = 'User:ANONYMOUS';

let local: string | undefined;
/** The Unix socket's peer: only the owner can open it (mode 0600), so it is the local user. */
function localPrincipal(): string {
  if (local === undefined) {
    try {
      local = `User:${userInfo().username}`;
    } catch {
      local = `User:uid-${process.getuid?.() ?? 0}`;
    }
  }
  return local;
}

const isLoopback = (ip: string): boolean => ip === '::1' || ip.startsWith('127.');

/** The peer's IP address, IPv4-mapped IPv6 addresses as plain IPv4. */
function peerAddress(socket: net.Socket): string {
  const addr = socket.remoteAddress;
  if (!addr) return '127.0.0.1';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** Plain words for node:tls's verification code of a client certificate, after the code (as Kafka's log names the PKIX cause). */
const CLIENT_CERT_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the client certificate has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the client certificate is not signed by a CA in the listener's truststore (unknown CA)",
  UNABLE_TO_GET_ISSUER_CERT: "the client certificate is not signed by a CA in the listener's truststore (unknown CA)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the client certificate is not signed by a CA in the listener's truststore (unknown CA)",
  SELF_SIGNED_CERT_IN_CHAIN: "the client certificate's chain ends in a CA the listener's truststore does not have (unknown CA)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the client certificate is self-signed and not in the listener's truststore (unknown CA)",
  CERT_SIGNATURE_FAILURE: "the client certificate's signature does not verify",
  INVALID_PURPOSE: 'the client certificate is not meant for client authentication (extendedKeyUsage)',
  CERT_REVOKED: 'the client certificate has been revoked',
};

export function clientCertProblem(code: string | Error | undefined): string {
  const c = String(code ?? 'unknown');
  return CLIENT_CERT_PROBLEMS[c] ? `${c}: ${CLIENT_CERT_PROBLEMS[c]}` : c;
}

function peerHost(socket: net.Socket): string {
  return `/${peerAddress(socket)}`;
}


function peerSubjectOf(socket: net.Socket): string | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  const cert = socket.getPeerX509Certificate();
  return cert ? rfc2253Subject(cert.subject) : null;
}

/**
 * Makes an accepted plain socket read straight into the buffers `target` hands out, calling
 * `onRead` with how many bytes came: what net.Socket's `onread` option does, which net.Server does
 * not offer for the sockets it accepts. The socket's own fields for that option are set (as its
 * constructor sets them from the option) before its first read. False when this Node's sockets
 * have no such fields: its reads then come as 'data' events.
 */
function readInto(socket: net.Socket, target: () => Buffer, onRead: (n: number, buf: Buffer) => boolean): boolean {
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } | null })._handle;
  const fields = Object.getOwnPropertySymbols(socket);
  const field = (name: string) => fields.find((f) => f.description === name);
  const [kBuffer, kBufferCb, kBufferGen] = [field('kBuffer'), field('kBufferCb'), field('kBufferGen')];
  if (typeof handle?.useUserBuffer !== 'function' || !kBuffer || !kBufferCb || !kBufferGen) return false;
  const own = socket as unknown as Record<symbol, unknown>;
  if (own[kBuffer] !== null || own[kBufferCb] !== null) return false;
  const first = target();
  own[kBuffer] = first;
  own[kBufferGen] = target;
  own[kBufferCb] = onRead;
  handle.useUserBuffer(first);
  return true;
}

class ServerConnection {
  /** Frames from the socket: read straight into their buffers (plain sockets), or split from 'data' chunks (TLS). */
  private readonly decoder: FrameDecoder | FrameReader;
  /** A failed login: nothing more is read; the connection closes after the answer in hand. */
  private rejecting = false;
  private readonly queue: Buffer[] = [];
  /** Bytes of the queued frames. */
  private queuedBytes = 0;
  /** Request bytes this connection holds (partial frame, queued frames, the one in hand), as counted in `flow`. */
  private held = 0;
  /** The frame being processed. */
  private inHand = 0;
  /** Answer bytes the request in hand reserved (reserveResponse), until its answer is written. */
  private reserved = 0;
  private processing = false;
  /** Muted (client quota throttle) until this time (Date.now() ms); 0: not muted. */
  private mutedUntil = 0;
  private closing = false;
  private closedResolve!: () => void;
  /** The socket has closed. */
  private gone = false;
  private readonly closeListeners = new Set<() => void>();
  readonly info: ConnectionInfo;
  /** The Unix socket (LOCAL) is never held back: the CLI and replication use it. */
  private readonly limited: boolean;
  /** Produce requests may be read into pooled buffers: not before a SASL login (a legacy raw token has no API key). */
  private poolRequests: boolean;

  constructor(
    private readonly socket: net.Socket,
    listener: ConnectionInfo['listener'],
    maxFrameSize: number,
    private readonly process: FrameProcessor,
    private readonly log: Logger,
    onClose: () => void,
    idleTimeoutMs = 0,
    listenerData: unknown = undefined,
    principalFromCertificate = false,
    unauthenticatedMaxFrameSize?: number,
    private readonly flow: FlowControl | null = null,
  ) {
    this.limited = listener !== LOCAL_LISTENER && flow !== null;
    // Before SASL authentication frames are held to sasl.server.max.receive.size, as Kafka does.
    const frameLimit = unauthenticatedMaxFrameSize ?? maxFrameSize;
    this.poolRequests = unauthenticatedMaxFrameSize === undefined;
    // A produce request of a megabyte is read into its own buffer, not as 64 KiB chunks (each a
    // fresh allocation) copied together again once the last one is in.
    // A size prefix alone takes at most REQUEST_EAGER_BYTES (a default-sized produce request fits;
    // larger ones grow as they arrive), counted in the connection's request bytes from then on.
    const reader = socket instanceof tls.TLSSocket ? null : new FrameReader(frameLimit, (frame) => this.queueFrame(frame), this.requestBuffer, REQUEST_EAGER_BYTES);
    const direct = reader !== null && readInto(socket, reader.target, (n, buf) => this.onRead(reader, n, buf));
    this.decoder = direct ? reader : new FrameDecoder(frameLimit);
    const closed = new Promise<void>((r) => (this.closedResolve = r));
    const peerSubject = peerSubjectOf(socket);
    const principal = listener === LOCAL_LISTENER ? localPrincipal() : principalFromCertificate && peerSubject !== null ? `User:${peerSubject}` : ANONYMOUS;
    const security: ConnectionSecurity = {
      tls: socket instanceof tls.TLSSocket,
      peerSubject,
      listenerData,
      sasl: undefined,
      setPrincipal: (p) => {
        this.info.principal = p;
        this.poolRequests = true;
        this.decoder.setMaxFrameSize(maxFrameSize);
      },
      closeAfterResponse: () => {
        this.rejecting = true;
        this.socket.pause();
        this.clearQueue();
        this.closing = true;
        if (!this.processing) this.finish();
      },
    };
    this.info = {
      clientHost: peerHost(socket),
      listener,
      principal,
      closed,
      onClose: (listener) => {
        if (this.gone) {
          queueMicrotask(listener);
          return () => undefined;
        }
        this.closeListeners.add(listener);
        return () => void this.closeListeners.delete(listener);
      },
      security,
      responseRoom: () => (this.limited ? this.flow!.responseRoom() : Infinity),
      whenResponseRoom: () => (this.limited ? this.flow!.whenResponseRoom() : null),
      reserveResponse: (bytes) => {
        if (!this.limited) return;
        this.reserved += bytes;
        this.flow!.reserve(bytes);
      },
      throttle: (ms) => {
        if (ms > 0) this.mutedUntil = Math.max(this.mutedUntil, Date.now() + ms);
      },
    };
    if (peerSubject !== null) log.debug(`Accepted TLS connection from ${this.info.clientHost} on listener ${listener} with client certificate ${peerSubject} (principal ${principal})`);
    socket.setNoDelay(true);
    if (!direct) socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    if (idleTimeoutMs > 0) {
      // Kafka's connections.max.idle.ms: no bytes either way for that long (nothing sent, or half
      // a frame) closes the connection. One still working on a request is not idle: look again later.
      socket.setTimeout(idleTimeoutMs, () => {
        if (this.processing || this.queue.length > 0) return socket.setTimeout(idleTimeoutMs);
        this.log.debug(`Closing idle connection from ${this.info.clientHost} (connections.max.idle.ms=${idleTimeoutMs})`);
        socket.destroy();
      });
    }
    socket.on('close', () => {
      this.gone = true;
      for (const listener of this.closeListeners) listener();
      this.closeListeners.clear();
      this.clearQueue();
      this.inHand = 0;
      this.account();
      this.closedResolve();
      onClose();
    });
  }

  /**
   * A request frame's buffer (FrameReader): a produce request of 64 KiB or more, read whole into
   * one buffer, comes from the process's pool (readBuffers) and goes back to it in `drain` once
   * handled. Fresh, it was a new mapping of a megabyte (the daemon's mmap threshold is low) whose
   * pages faulted in as the kernel copied the request in. Only Produce: nothing keeps a slice of
   * one once it is answered (the log copies or writes its batches synchronously on append), while
   * other requests' slices stay in group and coordinator state.
   */
  private readonly requestBuffer = (size: number, lead: number): Buffer =>
    lead === PRODUCE_KEY && this.poolRequests && size < REQUEST_EAGER_BYTES ? readBuffers.take(size) : Buffer.allocUnsafe(size);

  /** Gives back the reservation of the request in hand (its answer is counted as written, or never will be). */
  private release() {
    if (this.reserved === 0) return;
    this.flow?.addResponseBytes(-this.reserved);
    this.reserved = 0;
  }

  private clearQueue() {
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  /** Brings the server-wide count of request bytes up to date with what this connection holds. */
  private account() {
    if (!this.flow) return;
    const now = this.socket.destroyed ? 0 : this.decoder.buffered + this.queuedBytes + this.inHand;
    if (now !== this.held) {
      const delta = now - this.held;
      this.held = now;
      if (this.limited) this.flow.addRequestBytes(delta);
    }
  }

  /**
   * Reads or stops reading the socket: stopped while this connection has enough queued (frames or
   * bytes), or while queued.max.request.bytes is reached server-wide and this connection is not
   * in the middle of a frame (one that is finishes it, so the bytes it holds can be freed).
   */
  updateReading() {
    if (this.socket.destroyed || this.rejecting) return;
    const full = this.queue.length >= MAX_QUEUED_FRAMES || this.queuedBytes >= MAX_QUEUED_BYTES_PER_CONNECTION;
    const pool = this.limited && this.flow!.poolExhausted && this.decoder.buffered === 0;
    if (full || pool || this.mutedUntil > 0) {
      if (!this.socket.isPaused()) this.socket.pause();
    } else if (this.socket.isPaused()) this.socket.resume();
  }

  private onData(chunk: Buffer) {
    if (this.socket.writableEnded || this.rejecting) return;
    let frames: Buffer[];
    try {
      frames = (this.decoder as FrameDecoder).push(chunk);
    } catch (e) {
      this.badFrame(e as Error);
      return;
    }
    for (const f of frames) this.queueFrame(f);
    this.queued();
  }

  /** `n` bytes were read into `buf` (direct reads); false stops reading. */
  private onRead(reader: FrameReader, n: number, buf: Buffer): boolean {
    if (this.socket.writableEnded || this.rejecting) return true;
    try {
      reader.read(n, buf);
    } catch (e) {
      this.badFrame(e as Error);
      return false;
    }
    this.queued();
    return true;
  }

  private queueFrame(frame: Buffer) {
    this.queuedBytes += frame.length;
    this.queue.push(frame);
  }

  /** After bytes were read: accounts for them and starts handling what is queued. */
  private queued() {
    this.account();
    this.updateReading();
    if (this.queue.length > 0 && !this.processing) void this.drain();
  }

  private badFrame(e: Error) {
    this.log.warn(`Closing connection from ${this.info.clientHost}: ${e.message}`);
    this.socket.destroy();
  }

  private async drain() {
    this.processing = true;
    let handled = 0;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed && !this.rejecting) {
        // A data request waits for room in this turn's slice; another request waits only when
        // this connection has been handled already in this drain (a quiet one is answered now).
        if (handled++ > 0 || isDataRequest(this.queue[0])) {
          for (let turn = turns.wait(); turn; turn = turns.wait()) await turn;
          if (this.socket.destroyed || this.rejecting || this.queue.length === 0) break;
        }
        const frame = this.queue.shift()!;
        noteRequest();
        this.queuedBytes -= frame.length;
        this.inHand = frame.length;
        this.updateReading();
        let response: Buffer[] | null;
        try {
          response = await this.process(frame, this.info);
        } catch (e) {
          const err = e as Error;
          if (err instanceof CloseConnection) {
            if (!err.logged) this.log.warn(`Closing connection from ${this.info.clientHost}: ${err.message}`);
          }
          else this.log.error(`Unexpected error handling a request from ${this.info.clientHost}; closing the connection: ${err.stack ?? err.message}`);
          this.release();
          this.socket.destroy();
          return;
        }
        // Handled and answered (appended, replicated and synced as its acks ask): a produce
        // request's pooled buffer can take the next one. Given back here only, and once: its
        // answer holds none of it, so the written answer's give-back never returns it again.
        if (isProduce(frame)) readBuffers.giveBack([frame]);
        this.inHand = 0;
        this.account();
        this.release();
        if (response && !this.socket.destroyed && !this.socket.writableEnded) {
          // Answers of pipelined requests handled in this turn of the event loop leave in one
          // write: the socket stays corked until the ticks of this turn are done.
          this.corkForTurn();
          let ok = true;
          let bytes = 0;
          const written = response;
          for (let i = 0; i < response.length; i++) {
            const c = response[i]!;
            // Once the last chunk is written, the fetched data's buffers can be read into again.
            ok = (i === response.length - 1 ? this.socket.write(c, (err) => err || readBuffers.giveBack(written)) : this.socket.write(c)) && ok;
            bytes += c.length;
          }
          if (!ok) {
            this.uncorkTurn();
            // The socket holds what it could not send yet: counted until it drains (or closes).
            const counted = this.limited ? bytes : 0;
            this.flow?.addResponseBytes(counted);
            await new Promise<void>((r) => {
              const done = () => {
                this.socket.off('drain', done);
                this.socket.off('close', done);
                r();
              };
              this.socket.on('drain', done);
              this.socket.on('close', done);
            });
            this.flow?.addResponseBytes(-counted);
          }
        }
        if (this.mutedUntil > 0) await this.mute();
      }
    } finally {
      this.processing = false;
      if (this.closing && this.queue.length === 0) this.finish();
    }
  }

  private corked = false;

  private corkForTurn() {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => this.uncorkTurn());
  }

  private uncorkTurn() {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  /** Waits out a throttle (reading stopped), or until the connection closes. */
  private async mute() {
    const wait = this.mutedUntil - Date.now();
    if (wait > 0 && !this.socket.destroyed) {
      if (!this.socket.isPaused()) this.socket.pause();
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(timer);
          this.socket.off('close', done);
          r();
        };
        const timer = setTimeout(done, wait);
        this.socket.on('close', done);
      });
    }
    this.mutedUntil = 0;
    this.updateReading();
  }

  /** Answers the requests it has (and any arriving meanwhile), then closes once its writes are flushed. */
  closeWhenIdle() {
    this.closing = true;
    if (!this.processing) this.finish();
  }

  /** Ends the connection once what was written is flushed (whether or not the peer closes its side). */
  private finish() {
    if (this.socket.writableEnded) return;
    this.socket.end(() => this.socket.destroy());
  }

  destroy() {
    this.socket.destroy();
  }
}

/** One TCP listener: its name, TLS settings when it is SSL or SASL_SSL, and the broker's data for it. */
export interface TcpListenOptions {
  name: string;
  /** TLS server options (key, cert, ca, requestCert, rejectUnauthorized); absent: plaintext. */
  tls?: tls.TlsOptions;
  /** The principal is the client certificate's subject (an SSL listener; SASL_SSL takes SASL's). */
  principalFromCertificate?: boolean;
  /** Opaque data handed to the processor on every connection (ConnectionSecurity.listenerData). */
  listenerData?: unknown;
  /** Frame size limit until setPrincipal (SASL listeners: sasl.server.max.receive.size). */
  unauthenticatedMaxFrameSize?: number;
}

export interface KafkaServerOptions {
  maxFrameSize: number;
  /** Closes connections with no traffic for this long (connections.max.idle.ms); 0 or absent: never. */
  idleTimeoutMs?: number;
  /** max.connections: TCP connections at once across the listeners; absent: no limit. */
  maxConnections?: number;
  /** max.connections.per.ip: TCP connections at once from one address; absent: no limit. */
  maxConnectionsPerIp?: number;
  /** max.connections.per.ip.overrides, by IP address (or host name as the peer shows, e.g. localhost). */
  maxConnectionsPerIpOverrides?: Record<string, number>;
  /** queued.max.request.bytes: request bytes held across connections before reading stops; 0 or less: no limit. */
  queuedMaxRequestBytes?: number;
  /** Answer bytes waiting in socket buffers before further requests wait (default 64 MiB); 0 or less: no limit. */
  maxPendingResponseBytes?: number;
  process: FrameProcessor;
  log: Logger;
  /**
   * An IP's connection_creation_rate quota: how long to hold a new TCP connection from `ip` before
   * closing it unanswered (Kafka's throttled close), or 0 to accept it. Absent: no such quota.
   */
  connectionThrottle?: (ip: string) => number;
}

/** Kafka's Integer.MAX_VALUE, the default of max.connections and max.connections.per.ip. */
export const UNLIMITED_CONNECTIONS = 2147483647;

/** One or more listening sockets feeding the same request processor. */
export class KafkaServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<ServerConnection>();
  private readonly unixPaths: string[] = [];
  private readonly flow: FlowControl;
  /** Open TCP connections (accepted, TLS handshake or not), by peer address and in all. */
  private readonly perIp = new Map<string, number>();
  private tcpConnections = 0;
  private readonly refusedLog: RateLimitedLog;
  private readonly acceptLog: RateLimitedLog;
  private readonly backoffTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Each TCP listener's back-off (see watchAccept). */
  private readonly backOff = new Map<net.Server, (code: string) => void>();
  private readonly fdLimit = openFileLimit();
  /**
   * Open fds when last looked at (counted, or bounded by the descriptor table's size: nearFdLimit),
   * plus the connections accepted since; looked at again after a second (100 ms near the limit).
   */
  private fds = { at: -Infinity, n: 0 };

  /** max.connections.per.ip.overrides by address: as configured, plus the addresses of its host names (resolveOverrides). */
  private overrides: Record<string, number>;
  private resolving: Promise<void> | null = null;

  constructor(private readonly opts: KafkaServerOptions) {
    this.overrides = { ...(opts.maxConnectionsPerIpOverrides ?? {}) };
    this.flow = new FlowControl(opts.queuedMaxRequestBytes ?? -1, opts.maxPendingResponseBytes ?? DEFAULT_MAX_PENDING_RESPONSE_BYTES, () => {
      for (const c of this.connections) c.updateReading();
    });
    this.refusedLog = new RateLimitedLog((line) => opts.log.info(line));
    this.acceptLog = new RateLimitedLog((line) => opts.log.warn(line));
  }

  /** Request bytes held across TCP connections, and answer bytes waiting in their sockets (for tests and benchmarks). */
  get queued(): { requestBytes: number; responseBytes: number; connections: number; readPauses: number } {
    return { requestBytes: this.flow.requestBytes, responseBytes: this.flow.responseBytes, connections: this.tcpConnections, readPauses: this.flow.pauses };
  }

  private readonly handshaking = new Set<net.Socket>();

  /**
   * Counts a new TCP connection, or closes it at once when it is over max.connections or
   * max.connections.per.ip (Kafka closes it too, and logs it at INFO; here once in a while).
   */
  private admit(socket: net.Socket, listener: string, server: net.Server): boolean {
    const ip = peerAddress(socket);
    if (this.nearFdLimit()) {
      socket.destroy();
      this.backOff.get(server)?.('EMFILE');
      return false;
    }
    const { maxConnections = UNLIMITED_CONNECTIONS, maxConnectionsPerIp = UNLIMITED_CONNECTIONS } = this.opts;
    const overrides = this.overrides;
    const perIpLimit = overrides[ip] ?? (isLoopback(ip) ? overrides['localhost'] : undefined) ?? maxConnectionsPerIp;
    const fromIp = this.perIp.get(ip) ?? 0;
    let reason: string | null = null;
    if (fromIp >= perIpLimit) reason = `address already has the configured maximum of ${perIpLimit} connections (max.connections.per.ip)`;
    else if (this.tcpConnections >= maxConnections) reason = `the broker already has the configured maximum of ${maxConnections} connections (max.connections)`;
    if (reason !== null) {
      this.refusedLog.log(`Rejected connection from /${ip} on listener ${listener}, ${reason}`);
      socket.destroy();
      return false;
    }
    const throttleMs = this.opts.connectionThrottle?.(ip) ?? 0;
    if (throttleMs > 0) {
      this.refusedLog.log(`Throttling connection from /${ip} on listener ${listener} for ${throttleMs} ms (connection_creation_rate), then closing it`);
      socket.pause();
      this.handshaking.add(socket);
      const timer = setTimeout(() => socket.destroy(), throttleMs);
      socket.once('close', () => {
        clearTimeout(timer);
        this.handshaking.delete(socket);
      });
      socket.on('error', () => socket.destroy());
      return false;
    }
    this.perIp.set(ip, fromIp + 1);
    this.tcpConnections++;
    socket.once('close', () => {
      this.tcpConnections--;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
    return true;
  }

  /** Whether accepting one more connection leaves fewer than FD_RESERVE descriptors free. */
  private nearFdLimit(): boolean {
    if (!Number.isFinite(this.fdLimit)) return false;
    const now = Date.now();
    // Looked at every 100 ms near the limit, every second while under half of it. Counting
    // /proc/self/fd is a readdir of every descriptor (with 1,000 partitions open, ~50 ms of the
    // event loop, every second that connections arrive): it is done only when the table's size
    // does not already show the limit far off (the table at most half of what may be used; its
    // size then stands for the count, which the accepts since add to as before).
    const every = this.fds.n < this.fdLimit / 2 ? 1000 : 100;
    if (now - this.fds.at > every) {
      const table = fdTableSize();
      try {
        this.fds = { at: now, n: table !== null && table * 2 <= this.fdLimit - FD_RESERVE ? table : readdirSync('/proc/self/fd').length };
      } catch {
        return false;
      }
    } else this.fds.n++;
    return this.fds.n > this.fdLimit - FD_RESERVE;
  }

  /**
   * EMFILE/ENFILE on accept: one WARN line now and then, and the listener stops accepting for a
   * while (100 ms, doubling to 1 s while it keeps failing) rather than failing on every connection.
   */
  private watchAccept(server: net.Server, listener: string, host: string, port: number) {
    let step = 0;
    let backingOff = false;
    let lastBackOff = 0;
    server.on('listening', () => (lastBackOff = Date.now()));
    const backOff = (code: string, relisten = false) => {
      if (this.closed || backingOff) return;
      // Failing again soon after listening again: pause longer; else start over at 100 ms.
      if (Date.now() - lastBackOff > 5000) step = 0;
      const pause = ACCEPT_BACKOFF_MS[Math.min(step, ACCEPT_BACKOFF_MS.length - 1)]!;
      step++;
      if (relisten) {
        // Listening again after a back-off failed (the port taken meanwhile?): try again later.
        this.opts.log.error(`Could not listen again on ${host}:${port} for listener ${listener} (${code}); retrying in ${pause} ms`);
      } else {
        this.acceptLog.log(`Failed to accept a connection on listener ${listener} (${code}: too many open files, limit ${this.fdLimit}); not accepting for ${pause} ms`);
        server.close();
      }
      backingOff = true;
      const timer = setTimeout(() => {
        this.backoffTimers.delete(timer);
        backingOff = false;
        if (this.closed) return;
        server.listen({ host, port, exclusive: true });
      }, pause);
      this.backoffTimers.add(timer);
    };
    this.backOff.set(server, (code) => backOff(code));
    server.on('error', (e: NodeJS.ErrnoException) => {
      if (this.closed) return;
      const code = e.code ?? e.message;
      if (code === 'EMFILE' || code === 'ENFILE') backOff(code);
      else if (!server.listening) backOff(code, true);
      else this.opts.log.warn(`Error accepting a connection on listener ${listener}: ${code}`);
    });
  }

  private accept(listener: ConnectionInfo['listener'], listenerData?: unknown, principalFromCertificate = false, unauthenticatedMaxFrameSize?: number) {
    return (socket: net.Socket) => {
      this.handshaking.delete(socket);
      const conn: ServerConnection = new ServerConnection(
        socket,
        listener,
        this.opts.maxFrameSize,
        this.opts.process,
        this.opts.log,
        () => this.connections.delete(conn),
        this.opts.idleTimeoutMs,
        listenerData,
        principalFromCertificate,
        unauthenticatedMaxFrameSize,
        this.flow,
      );
      this.connections.add(conn);
    };
  }

  /** The TLS servers of each listener (one per address: 127.0.0.1 and ::1), for setListenerTls. */
  private readonly tlsServers = new Map<string, tls.Server[]>();

  /**
   * A listener's new key, certificate and trusted CAs (KIP-226: a dynamic keystore or truststore
   * change): new connections use them, those open keep theirs. Client auth does not change.
   */
  setListenerTls(name: string, options: tls.TlsOptions): void {
    for (const server of this.tlsServers.get(name) ?? []) server.setSecureContext(options);
  }

  /** A TLS listener: handshake failures are one INFO line each, as Kafka logs failed authentication. */
  private tlsServer(o: TcpListenOptions): net.Server {
    const accept = this.accept(o.name, o.listenerData, o.principalFromCertificate, o.unauthenticatedMaxFrameSize);
    const server = tls.createServer({ ...o.tls, handshakeTimeout: 10_000 }, (socket) => {
      // ssl.client.auth=requested: no certificate is fine, one that does not verify is not.
      if (o.tls?.requestCert && !socket.authorized && socket.getPeerX509Certificate()) {
        this.opts.log.info(`Failed authentication with ${peerHost(socket)} (listener ${o.name}: SSL handshake failed: ${clientCertProblem(socket.authorizationError)})`);
        socket.destroy();
        return;
      }
      accept(socket);
    });
    server.prependListener('connection', (raw: net.Socket) => {
      if (!this.admit(raw, o.name, server)) return;
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    server.on('tlsClientError', (err, socket) => {
      // ssl.client.auth=required: node:tls verifies the client certificate after the handshake
      // (its OpenSSL verify callback accepts every chain) and, when it does not verify, destroys
      // the socket itself, which then ends as ECONNRESET here. The cause is the socket's
      // authorizationError: log that (as for `requested`), never the reset. No TLS alert can be
      // sent then (node:tls has no way to send one after the handshake); a missing certificate
      // is refused by OpenSSL in the handshake, with its alert (certificate_required).
      const authorizationError = (socket as tls.TLSSocket).authorizationError;
      const reason = authorizationError ? clientCertProblem(authorizationError) : ((err as NodeJS.ErrnoException).code ?? err.message);
      this.opts.log.info(`Failed authentication with ${peerHost(socket)} (listener ${o.name}: SSL handshake failed: ${reason})`);
      socket.destroy();
    });
    this.tlsServers.set(o.name, [...(this.tlsServers.get(o.name) ?? []), server]);
    return server;
  }

  /**
   * Host names in max.connections.per.ip.overrides (other than IP addresses and localhost, which
   * the loopback addresses match) are resolved once, before the first TCP listener, as Kafka
   * resolves them when it starts: every address of the name gets its count (an address given
   * explicitly keeps its own). A name that does not resolve is left out, with one WARN line.
   */
  private resolveOverrides(): Promise<void> {
    this.resolving ??= (async () => {
      const given = this.opts.maxConnectionsPerIpOverrides ?? {};
      for (const [host, count] of Object.entries(given)) {
        if (net.isIP(host) !== 0 || host === 'localhost') continue;
        try {
          for (const { address } of await lookup(host, { all: true })) {
            const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
            if (!(ip in given)) this.overrides[ip] = count;
          }
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          this.opts.log.warn(`Could not resolve host ${host} of max.connections.per.ip.overrides (${code}); its override of ${count} is not applied`);
        }
      }
    })();
    return this.resolving;
  }

  /** Listens on TCP (with TLS when `opts.tls` is given); resolves with the bound port (useful with port 0). */
  async listenTcp(host: string, port: number, opts: TcpListenOptions = { name: 'PLAINTEXT' }): Promise<number> {
    await this.resolveOverrides();
    let server: net.Server;
    if (opts.tls) server = this.tlsServer(opts);
    else {
      const accept = this.accept(opts.name, opts.listenerData, false, opts.unauthenticatedMaxFrameSize);
      const tcp: net.Server = net.createServer((socket) => {
        if (this.admit(socket, opts.name, tcp)) accept(socket);
      });
      server = tcp;
    }
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') reject(new AddressInUseError(`Port ${port} on ${host} is already in use`));
        else if (e.code === 'EACCES') reject(new AddressInUseError(`Permission denied to listen on ${host}:${port}`));
        else reject(e);
      });
      server.listen({ host, port, exclusive: true }, () => {
        this.servers.push(server);
        const bound = (server.address() as net.AddressInfo).port;
        server.removeAllListeners('error');
        this.watchAccept(server, opts.name, host, bound);
        resolve(bound);
      });
    });
  }

  /**
   * Listens on a Unix socket readable and writable by its owner only (mode 0600). A stale
   * socket file is replaced; a live one (another daemon) is an error.
   */
  async listenUnix(path: string): Promise<void> {
    if (existsSync(path)) {
      if (await socketAnswers(path)) throw new AddressInUseError(`Another process is listening on ${path}`);
      unlinkSync(path);
    }
    const server = net.createServer(this.accept(LOCAL_LISTENER));
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
    } finally {
      process.umask(oldMask);
    }
    chmodSync(path, 0o600);
    server.removeAllListeners('error');
    // EMFILE on the Unix socket: logged now and then; it is never paused (the CLI and replication use it).
    server.on('error', (e: NodeJS.ErrnoException) => {
      if (!this.closed) this.acceptLog.log(`Failed to accept a connection on listener ${LOCAL_LISTENER} (${e.code ?? e.message})`);
    });
    this.servers.push(server);
    this.unixPaths.push(path);
  }

  /**
   * Stops listening and closes every connection. With `drainMs`, connections keep being served
   * for that long first, the way a Kafka broker in controlled shutdown still answers: clients
   * learn from those answers (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR) where partitions and groups
   * went, rather than finding the broker gone. Then each connection closes once the request in
   * hand is answered, or at the latest `drainMs` later.
   */
  async close(drainMs = 0): Promise<void> {
    this.closed = true;
    for (const t of this.backoffTimers) clearTimeout(t);
    this.backoffTimers.clear();
    const closing = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    if (drainMs > 0 && this.connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const elapsed = () => new Promise<void>((r) => (timer = setTimeout(r, drainMs)));
      await elapsed();
      const open = [...this.connections];
      for (const c of open) c.closeWhenIdle();
      await Promise.race([Promise.all(open.map((c) => c.info.closed)), elapsed()]);
      clearTimeout(timer);
    }
    for (const c of this.connections) c.destroy();
    for (const s of this.handshaking) s.destroy();
    await Promise.all(closing);
    for (const p of this.unixPaths) {
      try {
        unlinkSync(p);
      } catch {
        /* already removed */
      }
    }
  }
}

export { socketAnswers } from './socket-probe.js';
