/**
 * Listeners and server-side connections. A connection decodes frames and hands them to a
 * request processor one at a time, writing each response before taking the next request:
 * Kafka's per-connection ordering, which kafka-python and sarama rely on.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import tls from 'node:tls';
import { socketAnswers } from './socket-probe.js';
import type { Logger } from '../util/logger.js';
import { FrameDecoder } from './frame-decoder.js';
import { KafkaTsError } from '../util/errors.js';

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
  /** The listener's security as this connection sees it (TLS peer, SASL state kept by the broker). */
  security: ConnectionSecurity;
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
}

export type FrameProcessor = (frame: Buffer, conn: ConnectionInfo) => Promise<Buffer[] | null>;

/** Requests queued per connection before we stop reading from its socket. */
const MAX_QUEUED_FRAMES = 64;

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

function peerHost(socket: net.Socket): string {
  const addr = socket.remoteAddress;
  if (!addr) return '/127.0.0.1';
  return `/${addr.startsWith('::ffff:') ? addr.slice(7) : addr}`;
}

const RFC2253_OIDS: Record<string, string> = { emailAddress: '1.2.840.113549.1.9.1' };

/**
 * A certificate subject as Java's X500Principal.getName() (RFC 2253) writes it, which Kafka's
 * default ssl.principal.mapping.rules use: most specific attribute first, comma-separated, no
 * spaces. Node prints one attribute per line, most general first, values already escaped per
 * RFC 2253; attributes without an RFC 2253 keyword become OID=#hex (DER IA5String), as Java does.
 */
export function rfc2253Subject(subject: string): string {
  return subject
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((rdn) =>
      rdn
        .split(' + ')
        .map((ava) => {
          const i = ava.indexOf('=');
          const key = ava.slice(0, i);
          const value = ava.slice(i + 1);
          const oid = RFC2253_OIDS[key];
          if (!oid) return `${key}=${value}`;
          const bytes = Buffer.from(value.replace(/\\(.)/g, '$1'), 'utf8');
          return `${oid}=#16${bytes.length.toString(16).padStart(2, '0')}${bytes.toString('hex')}`;
        })
        .join('+'),
    )
    .join(',');
}

function peerSubjectOf(socket: net.Socket): string | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  const cert = socket.getPeerX509Certificate();
  return cert ? rfc2253Subject(cert.subject) : null;
}

class ServerConnection {
  private readonly decoder: FrameDecoder;
  /** A failed login: nothing more is read; the connection closes after the answer in hand. */
  private rejecting = false;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private closing = false;
  private closedResolve!: () => void;
  readonly info: ConnectionInfo;

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
  ) {
    // Before SASL authentication frames are held to sasl.server.max.receive.size, as Kafka does.
    this.decoder = new FrameDecoder(unauthenticatedMaxFrameSize ?? maxFrameSize);
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
        this.decoder.setMaxFrameSize(maxFrameSize);
      },
      closeAfterResponse: () => {
        this.rejecting = true;
        this.socket.pause();
        this.queue.length = 0;
        this.closing = true;
        if (!this.processing) this.finish();
      },
    };
    this.info = { clientHost: peerHost(socket), listener, principal, closed, security };
    if (peerSubject !== null) log.debug(`Accepted TLS connection from ${this.info.clientHost} on listener ${listener} with client certificate ${peerSubject} (principal ${principal})`);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
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
      this.queue.length = 0;
      this.closedResolve();
      onClose();
    });
  }

  private onData(chunk: Buffer) {
    if (this.socket.writableEnded || this.rejecting) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.log.warn(`Closing connection from ${this.info.clientHost}: ${(e as Error).message}`);
      this.socket.destroy();
      return;
    }
    if (frames.length === 0) return;
    this.queue.push(...frames);
    if (this.queue.length >= MAX_QUEUED_FRAMES) this.socket.pause();
    if (!this.processing) void this.drain();
  }

  private async drain() {
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.socket.destroyed && !this.rejecting) {
        const frame = this.queue.shift()!;
        if (this.queue.length < MAX_QUEUED_FRAMES / 2 && this.socket.isPaused() && !this.rejecting) this.socket.resume();
        let response: Buffer[] | null;
        try {
          response = await this.process(frame, this.info);
        } catch (e) {
          const err = e as Error;
          if (err instanceof CloseConnection) this.log.warn(`Closing connection from ${this.info.clientHost}: ${err.message}`);
          else this.log.error(`Unexpected error handling a request from ${this.info.clientHost}; closing the connection: ${err.stack ?? err.message}`);
          this.socket.destroy();
          return;
        }
        if (response && !this.socket.destroyed && !this.socket.writableEnded) {
          this.socket.cork();
          let ok = true;
          for (const c of response) ok = this.socket.write(c) && ok;
          this.socket.uncork();
          if (!ok) await new Promise<void>((r) => {
            const done = () => {
              this.socket.off('drain', done);
              this.socket.off('close', done);
              r();
            };
            this.socket.on('drain', done);
            this.socket.on('close', done);
          });
        }
      }
    } finally {
      this.processing = false;
      if (this.closing && this.queue.length === 0) this.finish();
    }
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
  process: FrameProcessor;
  log: Logger;
}

/** One or more listening sockets feeding the same request processor. */
export class KafkaServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<ServerConnection>();
  private readonly unixPaths: string[] = [];

  constructor(private readonly opts: KafkaServerOptions) {}

  private readonly handshaking = new Set<net.Socket>();

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
      );
      this.connections.add(conn);
    };
  }

  /** A TLS listener: handshake failures are one INFO line each, as Kafka logs failed authentication. */
  private tlsServer(o: TcpListenOptions): net.Server {
    const accept = this.accept(o.name, o.listenerData, o.principalFromCertificate, o.unauthenticatedMaxFrameSize);
    const server = tls.createServer({ ...o.tls, handshakeTimeout: 10_000 }, (socket) => {
      // ssl.client.auth=requested: no certificate is fine, one that does not verify is not.
      if (o.tls?.requestCert && !socket.authorized && socket.getPeerX509Certificate()) {
        this.opts.log.info(`Failed authentication with ${peerHost(socket)} (listener ${o.name}: SSL handshake failed: ${String(socket.authorizationError)})`);
        socket.destroy();
        return;
      }
      accept(socket);
    });
    server.on('connection', (raw: net.Socket) => {
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    server.on('tlsClientError', (err, socket) => {
      const reason = (err as NodeJS.ErrnoException).code ?? err.message;
      this.opts.log.info(`Failed authentication with ${peerHost(socket)} (listener ${o.name}: SSL handshake failed: ${reason})`);
      socket.destroy();
    });
    return server;
  }

  /** Listens on TCP (with TLS when `opts.tls` is given); resolves with the bound port (useful with port 0). */
  listenTcp(host: string, port: number, opts: TcpListenOptions = { name: 'PLAINTEXT' }): Promise<number> {
    const server = opts.tls ? this.tlsServer(opts) : net.createServer(this.accept(opts.name, opts.listenerData, false, opts.unauthenticatedMaxFrameSize));
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') reject(new AddressInUseError(`Port ${port} on ${host} is already in use`));
        else if (e.code === 'EACCES') reject(new AddressInUseError(`Permission denied to listen on ${host}:${port}`));
        else reject(e);
      });
      server.listen({ host, port, exclusive: true }, () => {
        this.servers.push(server);
        resolve((server.address() as net.AddressInfo).port);
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
