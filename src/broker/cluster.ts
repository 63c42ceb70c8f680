/**
 * A running kafka-ts cluster: the cluster metadata, the controller and one or more logical
 * brokers, each with a TCP listener and (for the daemon) a Unix-socket listener. The daemon runs
 * one of these; integration tests run one in-process on a temp dir and free ports.
 */
import { QuorumTracker, type QuorumView } from './metadata/quorum.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskLogStore } from '../storage/disk/disk-store.js';
import { FdCache, defaultFdCapacity } from '../storage/disk/fd-cache.js';
import { MemoryLogStore } from '../storage/memory-store.js';
import type { LogStore } from '../storage/log-store.js';
import { CloseConnection, KafkaServer } from '../transport/server.js';
import { createLogger, type Logger } from '../util/logger.js';
import { Broker, type ClusterView } from './broker.js';
import { OffsetMetadataBudget } from './coordinator/metadata-budget.js';
import { ConfigError, type BrokerConfig } from './config.js';
import { Controller } from './controller.js';
import { HANDLERS } from './handlers/index.js';
import { ClusterMetadata } from './metadata/cluster-metadata.js';
import { requestElementBudget, Router } from './router.js';
import type { Handler } from './handler.js';
import { allListenerSecurity, type ListenerSecurity } from './security/listener-security.js';
import { dynamicTlsConfigs, dynamicTlsListeners, listenerPropsWith, listenerTlsWith } from './security/dynamic-tls.js';
import { SSL_FACTORY_FAILED, sameStores, storeChangeProblem } from './security/store-change.js';
import { DYNAMIC_TLS_KEY } from './metadata/broker-configs.js';
import type { ServerTls } from './security/tls-config.js';

export interface ClusterOptions {
  config: BrokerConfig;
  log?: Logger;
  /** Keep logs in memory instead of on disk (tests). Metadata is then not persisted either. */
  inMemory?: boolean;
  /** Directory for the brokers' Unix sockets; omit for TCP only. */
  socketDir?: string;
  /** Extra handlers (added by later layers such as the group coordinator). */
  extraHandlers?: readonly Handler[];
  /** Called for each broker after it is created, before it starts (to attach coordinators). */
  onBroker?: (b: Broker) => void;
  /** Array elements one request may hold, instead of the budget derived from kafka-ts.max.partitions (tests). */
  maxRequestElements?: number;
}

import { DAEMON_SOCKET } from './daemon-paths.js';

/** How long a stopping broker keeps answering requests after its leadership moved away. */
const CONTROLLED_SHUTDOWN_DRAIN_MS = 1000;

/**
 * One broker serves the daemon socket itself. With several brokers each has its own socket and
 * the daemon socket is a front door that answers as the first running broker, so the CLI keeps
 * reaching the daemon whichever brokers are stopped.
 */
const brokerSocketName = (id: number, sole: boolean) => (sole ? DAEMON_SOCKET : `broker-${id}.sock`);

interface RunningBroker {
  broker: Broker;
  server: KafkaServer | null;
  live: boolean;
  /** Bound port of each TCP listener, by name (a restart binds the same ones). */
  ports: Map<string, number>;
  /** The broker's own Unix socket: the LOCAL listener, which replication uses. */
  socketPath: string | null;
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';

/** max.connections, max.connections.per.ip (+ overrides), queued.max.request.bytes and the answer-bytes ceiling, for a broker's KafkaServer. */
const connectionLimits = (config: BrokerConfig) => ({
  maxConnections: config.maxConnections,
  maxConnectionsPerIp: config.maxConnectionsPerIp,
  maxConnectionsPerIpOverrides: config.maxConnectionsPerIpOverrides,
  queuedMaxRequestBytes: config.queuedMaxRequestBytes,
  maxPendingResponseBytes: config.queuedMaxResponseBytes,
});

export class KafkaCluster implements ClusterView {
  readonly metadata: ClusterMetadata;
  readonly controller: Controller;
  readonly router: Router;
  private readonly nodes = new Map<number, RunningBroker>();
  /** The TLS options each broker's listeners were given (at start, or by a KIP-226 change): what a store change is checked against. */
  private readonly tlsInUse = new Map<number, Map<string, ServerTls['options']>>();
  readonly log: Logger;
  /** Set once every broker of the initial start is up; later starts are restarts. */
  private started = false;
  private rebalanceTimer: NodeJS.Timeout | null = null;
  /** The daemon socket's front server (several brokers only). */
  private front: KafkaServer | null = null;
  /** Each listener's TLS and SASL settings (validated before anything listens). */
  readonly listenerSecurity: Map<string, ListenerSecurity>;
  /** Without a socket dir, a private directory (mode 0700) for the brokers' replication sockets. */
  private internalDir: string | null = null;
  /** Descriptors of every broker's segment files (kafka-ts.max.open.files), made on first use. */
  private fdCache: FdCache | null = null;
  /** The metadata quorum's leader, epoch and voters, for DescribeQuorum. */
  private readonly quorumTracker = new QuorumTracker();
  /** Committed offset metadata held by all brokers' group coordinators: one cap for the daemon's heap. */
  readonly offsetMetadataBudget = new OffsetMetadataBudget();

  private constructor(private readonly opts: ClusterOptions) {
    const { config } = opts;
    this.log = opts.log ?? createLogger((l) => process.stderr.write(l), 'kafka-ts', 'WARN');
    this.metadata = ClusterMetadata.open(opts.inMemory ? null : join(config.dataDir, 'meta'), { log: this.log.child('kafka.controller.QuorumController'), snapshotBytes: config.metadataSnapshotBytes });
    const ids = Array.from({ length: config.brokerCount }, (_, i) => config.nodeId + i);
    this.controller = new Controller(
      this.metadata,
      config,
      // A broker whose log dir is offline cannot lead or join an ISR until it restarts.
      () => ids.filter((id) => this.isLive(id) && !this.nodes.get(id)?.broker.logDirState.offline),
      () => ids,
      this.log.child('kafka.controller.KafkaController'),
      () => ids.filter((id) => this.isLive(id) && !!this.nodes.get(id)?.broker.logDirState.offline),
      async (t) => {
        await Promise.all([...this.nodes.values()].map((n) => n.broker.logsOpened(t)));
      },
    );
    const elements = opts.maxRequestElements === undefined ? requestElementBudget(config.maxPartitions) : { limit: opts.maxRequestElements, rule: 'set for this cluster' };
    this.router = new Router([...HANDLERS, ...(opts.extraHandlers ?? [])], this.log.child('kafka.server.KafkaApis'), elements);
    this.listenerSecurity = allListenerSecurity(config, this.metadata, this.log.child('org.apache.kafka.common.security.authenticator.SaslServerAuthenticator'));
  }

  /**
   * A response goes out once the metadata changes made so far are fsync'd (group commit): no
   * client is told of a change, or sees one, that a power failure could undo.
   */
  private async answerDurably(response: Promise<Buffer[] | null>): Promise<Buffer[] | null> {
    const out = await response;
    const pending = this.metadata.durable();
    if (pending) {
      try {
        await pending;
      } catch (e) {
        throw new CloseConnection((e as Error).message);
      }
    }
    return out;
  }

  get controllerId(): number {
    for (const [id, n] of this.nodes) if (n.live) return id;
    return -1;
  }

  brokers(): Broker[] {
    return [...this.nodes.values()].map((n) => n.broker);
  }

  /** The metadata quorum (every logical broker a voter, the controller its leader). */
  quorum(): QuorumView {
    return this.quorumTracker.view([...this.nodes.keys()].sort((a, b) => a - b), this.metadata.logEndOffset);
  }

  broker(id: number): Broker | undefined {
    return this.nodes.get(id)?.broker;
  }

  isLive(id: number): boolean {
    return this.nodes.get(id)?.live ?? false;
  }

  /** A broker's log dir went offline: leadership of its partitions moves, as if it had stopped. */
  logDirOffline(id: number): void {
    this.controller.replication.onBrokerStopped(id, `log dir ${this.logDirFor(id)} of broker ${id} is offline`);
  }

  logDirFor(id: number): string {
    const { config } = this.opts;
    return id === config.nodeId ? config.logDirs : `${config.logDirs}-${id}`;
  }

  static async start(opts: ClusterOptions): Promise<KafkaCluster> {
    const cluster = new KafkaCluster(opts);
    try {
      const { config } = opts;
      for (let i = 0; i < config.brokerCount; i++) await cluster.startBroker(config.nodeId + i);
      if (opts.socketDir && config.brokerCount > 1) {
        cluster.front = new KafkaServer({
          maxFrameSize: config.socketRequestMaxBytes,
          idleTimeoutMs: config.connectionsMaxIdleMs,
          ...connectionLimits(config),
          log: cluster.log.child('kafka.network.SocketServer front'),
          process: (frame, conn) => {
            const broker = cluster.brokers().find((b) => cluster.isLive(b.id));
            if (!broker) throw new Error('no broker is running');
            return cluster.answerDurably(cluster.router.handle(frame, conn, broker.services));
          },
        });
        await cluster.front.listenUnix(join(opts.socketDir, DAEMON_SOCKET));
      }
      cluster.controller.ensureOffsetsTopic();
      // Partitions whose leader did not come back (a broker stopped before the daemon did).
      for (const id of cluster.nodes.keys()) cluster.controller.replication.onBrokerStarted(id);
      // Followers start fetching once every leader listens.
      for (const n of cluster.nodes.values()) n.broker.replication.start();
      cluster.started = true;
      if (config.brokerCount > 1 && config.autoLeaderRebalanceEnable) {
        cluster.rebalanceTimer = setInterval(() => cluster.controller.replication.rebalanceLeaders(), config.leaderImbalanceCheckIntervalMs);
        cluster.rebalanceTimer.unref();
      }
      return cluster;
    } catch (e) {
      await cluster.close();
      throw e;
    }
  }

  private makeStore(id: number): LogStore {
    if (this.opts.inMemory) return new MemoryLogStore();
    const max = this.opts.config.maxOpenFiles ?? 0;
    this.fdCache ??= new FdCache(max > 0 ? max : defaultFdCapacity(), (closed, cap) =>
      this.log.child('kafka.log.LogManager').warn(`Too many open files (EMFILE): closed ${closed} segment files; at most ${cap} stay open from now on (kafka-ts.max.open.files)`),
    );
    return new DiskLogStore(this.logDirFor(id), this.log.child(`kafka.log.LogManager broker=${id}`), this.fdCache);
  }

  /** Starts (or restarts) one logical broker with its listeners. */
  async startBroker(id: number): Promise<Broker> {
    const existing = this.nodes.get(id);
    if (existing?.live) return existing.broker;
    const { config } = this.opts;
    const index = id - config.nodeId;
    // Every listener's settings first (this broker's dynamic keystore/truststore, KIP-226, over
    // server.properties), so that nothing is opened for a start that cannot go ahead.
    const dynamicTls = dynamicTlsConfigs(this.metadata.brokerConfigs[String(id)] ?? {});
    const listenerOpts = config.listeners.map((l) => {
      const security = this.listenerSecurity.get(l.name)!;
      return {
        name: l.name,
        tls: security.tls && Object.keys(dynamicTls).length > 0 ? this.startupListenerTls(id, l.name, dynamicTls) : security.tls?.options,
        principalFromCertificate: security.protocol === 'SSL',
        listenerData: security,
        unauthenticatedMaxFrameSize: security.sasl?.maxReceiveSize,
      };
    });
    this.tlsInUse.set(id, new Map(listenerOpts.flatMap((o) => (o.tls ? [[o.name, o.tls] as const] : []))));
    const store = this.makeStore(id);
    let server: KafkaServer | null = null;
    let broker: Broker | null = null;
    let started = false;
    try {
      broker = new Broker(id, config, this, store, this.log.child(`kafka.server.KafkaServer id=${id}`), this.logDirFor(id));
      return await this.openBroker(id, broker, index, listenerOpts, existing?.ports, (s) => (server = s), () => (started = true));
    } catch (e) {
      // A failed start leaves nothing behind: no listener, no running broker, no open log store.
      try {
        if (broker && this.nodes.get(id)?.broker === broker) await this.stopBroker(id);
        else {
          await (server as KafkaServer | null)?.close(0);
          if (started) await broker!.stop();
          // Never started: nothing was written; no clean-shutdown marker, so the next start validates.
          else store.close(false);
        }
      } catch (closeError) {
        this.log.warn(`[KafkaServer id=${id}] closing after a failed start: ${(closeError as Error).message}`);
      }
      throw e;
    }
  }

  private async openBroker(
    id: number,
    broker: Broker,
    index: number,
    listenerOpts: Parameters<KafkaServer['listenTcp']>[2][],
    knownPorts: Map<string, number> | undefined,
    opened: (s: KafkaServer) => void,
    brokerStarted: () => void,
  ): Promise<Broker> {
    const { config } = this.opts;
    this.opts.onBroker?.(broker);
    const server = new KafkaServer({
      maxFrameSize: config.socketRequestMaxBytes,
      idleTimeoutMs: config.connectionsMaxIdleMs,
      ...connectionLimits(config),
      log: this.log.child(`kafka.network.SocketServer id=${id}`),
      process: (frame, conn) => this.answerDurably(this.router.handle(frame, conn, broker.services)),
      connectionThrottle: (ip) => broker.services.quotas?.connectionThrottle(ip, Date.now()) ?? 0,
    });
    opened(server);
    const ports = new Map<string, number>();
    for (const [i, l] of config.listeners.entries()) {
      const opts = listenerOpts[i]!;
      const wantPort = knownPorts?.get(l.name) ?? (l.port === 0 ? 0 : l.port + index);
      const port = await server.listenTcp(l.host, wantPort, opts);
      // Clients resolving "localhost" to ::1 find the broker too; best effort only.
      if (l.host === '127.0.0.1') await server.listenTcp('::1', port, opts).catch(() => undefined);
      ports.set(l.name, port);
      const adv = config.advertisedListeners[l.name];
      const host = adv && !isWildcard(adv.host) ? adv.host : isWildcard(l.host) ? '127.0.0.1' : l.host;
      broker.endpoints.set(l.name, { host, port: adv?.port ? adv.port + index : port });
    }
    const first = broker.endpoints.get(config.listeners[0]!.name)!;
    // Replication goes over the broker's own Unix socket (the LOCAL listener, whose peer is the
    // local user, a super user), whatever security the TCP listeners have.
    let socketPath: string | null = null;
    if (this.opts.socketDir) {
      socketPath = join(this.opts.socketDir, brokerSocketName(id, config.brokerCount === 1));
      await server.listenUnix(socketPath);
      broker.endpoints.set('LOCAL', { host: socketPath, port: 0 });
    } else {
      broker.endpoints.set('LOCAL', first);
      // Several brokers replicate over these sockets; any broker (one alone too) sends transaction markers over them.
      this.internalDir ??= mkdtempSync(join(tmpdir(), 'kafka-ts-brokers-'));
      socketPath = join(this.internalDir, `broker-${id}.sock`);
      await server.listenUnix(socketPath);
    }
    broker.start();
    brokerStarted();
    this.nodes.set(id, { broker, server, live: true, ports, socketPath });
    this.quorumTracker.brokerStarted(id);
    this.quorumTracker.leaderIs(this.controllerId);
    this.log.info(`[KafkaServer id=${id}] started, listening on ${config.listeners.map((l) => `${l.name}://${l.host}:${ports.get(l.name)}`).join(',')}`);
    if (this.started) {
      // A restart: partitions waiting for this broker get a leader, and it catches up as a follower.
      this.controller.replication.onBrokerStarted(id);
      broker.replication.start();
    }
    return broker;
  }

  /** A TLS listener's settings on broker `id` with its dynamic configs; a ConfigError naming them when they cannot be used. */
  private brokerListenerTls(listener: string, dynamic: Record<string, string>): ServerTls {
    const security = this.listenerSecurity.get(listener)!;
    return listenerTlsWith(this.opts.config, listener, security.protocol === 'SASL_SSL', dynamic);
  }

  /**
   * A TLS listener's options at a broker's start. A dynamic store that cannot be used (a file moved
   * away since it was set) does not keep the broker down, as in Kafka (DynamicBrokerConfig at
   * start-up: "Per-broker configs of N could not be applied"): an ERROR is logged and the listener
   * starts on server.properties' stores; the dynamic value stays, to be fixed or deleted.
   */
  private startupListenerTls(id: number, listener: string, dynamic: Record<string, string>): ServerTls['options'] {
    try {
      return this.brokerListenerTls(listener, dynamic).options;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const keys = Object.keys(dynamic).filter((k) => k.startsWith(`listener.name.${listener.toLowerCase()}.`));
      this.log.error(
        `[KafkaServer id=${id}] Per-broker configs of ${id} could not be applied: ${e.message}; listener ${listener} uses the static TLS settings (server.properties) instead. ` +
          `Fix the store or delete the dynamic config (configs --alter --entity-type brokers --entity-name ${id} --delete-config ${keys.join(',')})`,
      );
      return this.listenerSecurity.get(listener)!.tls!.options;
    }
  }

  /**
   * KIP-226: checks broker `id`'s dynamic keystore/truststore configs (every listener they name
   * must be an SSL or SASL_SSL one, every store usable, and a listener's new stores usable by the
   * clients of its current ones: src/broker/security/store-change.ts) and with `apply` gives its
   * TLS listeners their new stores. `listeners` (lower-case names) limits the loading to the
   * listeners a request names (all TLS listeners without it). The stores are read again even when
   * the setting keeps its value, and compared by content with those the listener serves: a file
   * renewed in place is taken (checked as a new path is), one that did not change is not reloaded
   * (and the log says so). The problem as Kafka's INVALID_REQUEST message says it, or null.
   */
  reloadListenerTls(id: number, dynamic: Record<string, string>, apply: boolean, listeners?: string[]): string | null {
    const tlsListeners = this.opts.config.listeners.filter((l) => this.listenerSecurity.get(l.name)?.tls);
    // The listener reads its lower-case prefix only: an upper-case one would be kept and do nothing.
    for (const key of Object.keys(dynamic)) {
      const named = DYNAMIC_TLS_KEY.exec(key)?.[1];
      if (named && named !== named.toLowerCase()) return `${key}: listener names in config keys are lower case: listener.name.${named.toLowerCase()}.${key.slice(`listener.name.${named}.`.length)}`;
    }
    for (const named of dynamicTlsListeners(dynamic)) {
      if (!tlsListeners.some((l) => l.name.toLowerCase() === named)) {
        return `listener.name.${named}.ssl.*: broker ${id} has no SSL or SASL_SSL listener ${named.toUpperCase()} (its TLS listeners: ${tlsListeners.map((l) => l.name).join(', ') || 'none'})`;
      }
    }
    const next = new Map<string, ServerTls>();
    const inUse = this.tlsInUse.get(id) ?? new Map<string, ServerTls['options']>();
    for (const l of tlsListeners) {
      if (listeners && !listeners.includes(l.name.toLowerCase())) continue;
      try {
        next.set(l.name, this.brokerListenerTls(l.name, dynamic));
      } catch (e) {
        // A store that cannot be loaded (a missing file, a key not its certificate's) is refused as
        // Kafka refuses it: SslFactory's validation of the reconfiguration fails.
        if (e instanceof ConfigError) return `${SSL_FACTORY_FAILED}${e.message}`;
        throw e;
      }
      const current = inUse.get(l.name) ?? this.listenerSecurity.get(l.name)!.tls!.options;
      const problem = apply ? null : storeChangeProblem({ current, next: next.get(l.name)!.options, props: listenerPropsWith(this.opts.config, l.name, dynamic) });
      if (problem) return problem;
    }
    if (apply) {
      const server = this.nodes.get(id)?.server;
      this.tlsInUse.set(id, inUse);
      const reloaded: string[] = [];
      const unchanged: string[] = [];
      for (const [name, t] of next) {
        const current = inUse.get(name) ?? this.listenerSecurity.get(name)!.tls!.options;
        if (sameStores(current, t.options)) {
          unchanged.push(name);
          continue;
        }
        server?.setListenerTls(name, t.options);
        inUse.set(name, t.options);
        reloaded.push(name);
      }
      const s = (names: string[]) => `listener${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
      if (server && reloaded.length > 0) this.log.info(`[KafkaServer id=${id}] TLS stores reloaded for ${s(reloaded)}`);
      if (server && unchanged.length > 0) this.log.info(`[KafkaServer id=${id}] TLS stores of ${s(unchanged)} unchanged (the same key, certificates and trusted CAs as in use): nothing reloaded`);
    }
    return null;
  }

  /**
   * Stops one logical broker (its listeners close; its data stays on disk). Like Kafka's controlled
   * shutdown, leadership of its partitions (and so of its groups) moves to the remaining in-sync
   * replicas first, and the broker goes on answering for a moment: a client waiting on it for a
   * fetch or an acks=all produce, or sending it a heartbeat or commit, is told
   * NOT_LEADER_OR_FOLLOWER or NOT_COORDINATOR and looks up the new leader or coordinator at once.
   * A connection that just drops leaves kafkajs retrying the stopped broker with growing back-offs
   * (it keeps a coordinator until told otherwise). A full shutdown has nowhere to move leadership,
   * and just closes.
   */
  async stopBroker(id: number): Promise<void> {
    const n = this.nodes.get(id);
    if (!n || !n.live) return;
    n.live = false;
    this.quorumTracker.brokerStopped(id, this.metadata.logEndOffset);
    this.quorumTracker.leaderIs(this.controllerId);
    const controlled = this.started && !this.closing;
    if (controlled) this.controller.replication.onBrokerStopped(id);
    await n.server?.close(controlled ? CONTROLLED_SHUTDOWN_DRAIN_MS : 0);
    n.server = null;
    await n.broker.stop();
    this.log.info(`[KafkaServer id=${id}] shut down`);
  }

  /**
   * Where followers reach a broker, while it runs: its own Unix socket (the daemon's, or one in a
   * private directory for an in-process cluster), never a TCP listener, so replication works
   * whatever security the listeners have and acts as the local (super) user.
   */
  replicationAddress(id: number): { path: string } | null {
    const n = this.nodes.get(id);
    if (!n || !n.live || !n.socketPath) return null;
    return { path: n.socketPath };
  }

  /** The TCP port a broker's first (or named) listener is bound to (which may differ from the advertised one). */
  boundPort(id: number, listener = this.opts.config.listeners[0]!.name): number {
    return this.nodes.get(id)?.ports.get(listener) ?? -1;
  }

  /** The first live broker's address on a listener (default: the first), as a bootstrap server string. */
  bootstrapFor(listener: string): string {
    const b = this.brokers().find((x) => this.isLive(x.id))!;
    const ep = b.endpoints.get(listener);
    if (!ep) throw new Error(`no listener ${listener}`);
    return `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;
  }

  /** The first live broker's address on its first listener, as a bootstrap server string. */
  get bootstrap(): string {
    return this.bootstrapFor(this.opts.config.listeners[0]!.name);
  }

  private closing = false;

  async close(): Promise<void> {
    this.closing = true;
    if (this.rebalanceTimer) clearInterval(this.rebalanceTimer);
    await this.front?.close();
    for (const id of [...this.nodes.keys()]) await this.stopBroker(id);
    if (this.internalDir) rmSync(this.internalDir, { recursive: true, force: true });
    await this.metadata.close();
  }
}
