/**
 * The base client: bootstraps from a list of addresses (TCP host:port or a Unix socket),
 * negotiates API versions per connection from the shared schema registry, keeps a metadata
 * cache, and sends requests to a given broker, any broker, or the controller.
 */
import { ApiVersions, Metadata } from '../protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../protocol/errors.js';
import type { ApiDef } from '../protocol/schema.js';
import { ConnectionError, ConnectionLostError, KafkaConnection, RequestTimeoutError, type BrokerAddress, describeAddress } from '../transport/client-connection.js';
import { CLIENT_VERSIONS } from './versions.js';
import { AuthenticationError, KafkaTsError, isKafkaTsError } from '../util/errors.js';
import { clientCertRefusedByBroker, clientCertRefusedError, looksLikeTlsError } from '../transport/tls-errors.js';
import type { ClientSecurity } from './security/index.js';
import { saslAuthenticate } from './security/authenticate.js';
import { Naps } from '../util/naps.js';

export interface ClientOptions {
  bootstrap: BrokerAddress[];
  clientId?: string;
  /** Per-request timeout (Kafka's request.timeout.ms). */
  requestTimeoutMs?: number;
  /**
   * Told once when the first attempt to reach the bootstrap servers fails and connecting goes on
   * retrying (for connectTimeoutMs): a command waiting on a mistyped port says so at once.
   */
  onRetrying?: (error: Error) => void;
  /** Total time to keep trying to reach a broker before giving up. */
  connectTimeoutMs?: number;
  retryBackoffMs?: number;
  /** TLS and SASL for every connection (security.protocol and friends); plaintext when absent. */
  security?: ClientSecurity;
  /**
   * API versions already known for an address, so a connection there skips ApiVersions (the CLI
   * keeps the local daemon's answer, valid while the same daemon process serves its socket). A
   * connection that used them and then broke is retried with negotiation, after `forget`.
   */
  knownApiVersions?: KnownApiVersions;
}

export type ApiVersionTable = Map<number, { min: number; max: number }>;

export interface KnownApiVersions {
  get(address: BrokerAddress): ApiVersionTable | undefined;
  /** What a negotiation on `address` found. */
  set(address: BrokerAddress, versions: ApiVersionTable): void;
  forget(address: BrokerAddress): void;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

export interface TopicInfo {
  name: string;
  id: Buffer;
  internal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface ClusterInfo {
  clusterId: string | null;
  controllerId: number;
  brokers: Map<number, BrokerInfo>;
  topics: Map<string, TopicInfo>;
}

/** The broker lacks an API (or every version of it) that this operation needs. */
export class UnsupportedApiError extends KafkaTsError {
  override name = 'UnsupportedApiError';
  constructor(message: string) {
    super('unsupported', message);
  }
}

interface Negotiated {
  conn: KafkaConnection;
  versions: Map<number, { min: number; max: number }>;
  /** The versions came from knownApiVersions, not from this connection. */
  assumed?: BrokerAddress;
}

/** A Unix-socket listener advertises socket paths as hosts (with port 0). */
export function addressOf(b: { host: string; port: number }): BrokerAddress {
  return b.host.startsWith('/') ? { path: b.host } : { host: b.host, port: b.port };
}

/** Parses `host:port[,host:port]` or `unix:///path/to.sock`. Throws on malformed entries. */
export function parseBootstrap(list: string): BrokerAddress[] {
  const out: BrokerAddress[] = [];
  for (const raw of list.split(',')) {
    const s = raw.trim();
    if (s.startsWith('unix://')) {
      out.push({ path: s.slice('unix://'.length) });
      continue;
    }
    const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s);
    if (!m || Number(m[3]) > 65535) throw new Error(`Please provide valid host:port like host1:9091,host2:9092 (got '${s}')`);
    out.push({ host: m[1] ?? m[2]!, port: Number(m[3]) });
  }
  if (out.length === 0) throw new Error('Error while validating the bootstrap address');
  return out;
}


/** Requests that change nothing on the broker: one lost unanswered needs no "may have been applied". */
const READ_ONLY_API = /^(Describe|List|Metadata$|Fetch$|OffsetFetch$|FindCoordinator$|ApiVersions$|OffsetForLeaderEpoch$)/;

/** How a request is sent: `expectResponse: false` for produce with acks=0. */
export interface SendOptions {
  expectResponse?: boolean;
  timeoutMs?: number;
  maxVersion?: number;
  /** Which of the connections to a node to use (see byNode). */
  purpose?: string;
}

export class KafkaClient {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** retry.backoff.ms: how long a retry waits (connecting, and the consumer's leader lookups). */
  readonly retryBackoffMs: number;
  private readonly bootstrap: BrokerAddress[];
  /** Connections by "<node id>/<purpose>": group coordination gets its own, so heartbeats never
   * wait behind a long-polling fetch on the same socket. */
  private readonly byNode = new Map<string, Promise<Negotiated>>();
  private bootstrapConn: Promise<Negotiated> | null = null;
  private readonly security: ClientSecurity | undefined;
  private readonly knownApiVersions: KnownApiVersions | undefined;
  /** Re-authentication timers of live SASL connections (KIP-368). */
  private readonly reauthTimers = new Set<NodeJS.Timeout>();
  private onRetrying: ((error: Error) => void) | undefined;
  /** When the bootstrap connection being made gives up (for onRetrying). */
  private bootstrapDeadline = 0;
  cluster: ClusterInfo = { clusterId: null, controllerId: -1, brokers: new Map(), topics: new Map() };
  private closed = false;
  /** When requests began failing on the connection with no answer since (0: the last was answered). */
  private failingSince = 0;

  /**
   * Since when the brokers have not been answering: the time of the first request that failed on
   * its connection (refused, lost) since the last answered one; 0 while requests are answered.
   */
  unreachableSince(): number {
    return this.failingSince;
  }

  constructor(opts: ClientOptions) {
    this.bootstrap = opts.bootstrap;
    this.clientId = opts.clientId ?? 'kafka-ts';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.retryBackoffMs = opts.retryBackoffMs ?? 100;
    this.security = opts.security;
    this.knownApiVersions = opts.knownApiVersions;
    this.onRetrying = opts.onRetrying;
  }

  /** Calls onRetrying once, for a failure with more than a second of retrying left. */
  private retrying(error: Error): void {
    if (!this.onRetrying || this.bootstrapDeadline - Date.now() < 1000) return;
    const tell = this.onRetrying;
    this.onRetrying = undefined;
    tell(error);
  }

  /**
   * Opens a connection and negotiates API versions on it (ApiVersions v3, falling back). With
   * `retry`, refused connections are retried with backoff until the deadline (bootstrap, where a
   * daemon may still be starting); otherwise one attempt is made and callers apply their own
   * retry policy.
   */
  private async open(address: BrokerAddress, deadline: number, retry = true, setupDeadline = deadline): Promise<Negotiated> {
    let lastError: Error | null = null;
    let backoff = this.retryBackoffMs;
    let closedEarly = 0;
    const tcp = !('path' in address);
    const tlsOptions = tcp ? this.security?.tls : undefined;
    while (!this.closed) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        const conn = await KafkaConnection.connect(address, {
          clientId: this.clientId,
          connectTimeoutMs: Math.max(100, remaining),
          requestTimeoutMs: this.requestTimeoutMs,
          ...(tlsOptions ? { tls: tlsOptions, advertised: !this.bootstrap.some((b) => describeAddress(b) === describeAddress(address)) } : {}),
          ...(tcp && !this.security?.sasl ? { closedAfterFirstHint: 'a SASL listener does that before authentication: set security.protocol=SASL_PLAINTEXT or SASL_SSL and sasl.mechanism if it is one' } : {}),
        });
        let step = 'its ApiVersions request';
        try {
          const sasl = tcp ? this.security?.sasl : undefined;
          const known = sasl ? undefined : this.knownApiVersions?.get(address);
          if (known) return { conn, versions: known, assumed: address };
          // Setting the connection up (ApiVersions, SASL) ends by the connect deadline too: a
          // peer that accepts and never answers must not hold a command for request.timeout.ms.
          const setup = () => ({ timeoutMs: Math.max(100, Math.min(this.requestTimeoutMs, setupDeadline - Date.now())) });
          const versions = await this.negotiate(conn, setup());
          if (!sasl) this.knownApiVersions?.set(address, versions);
          if (sasl) {
            step = 'SASL authentication';
            const { sessionLifetimeMs } = await conn.exclusive((send) => saslAuthenticate(send, versions, sasl, conn.label), setup());
            this.scheduleReauth(conn, versions, sessionLifetimeMs);
          }
          return { conn, versions };
        } catch (e) {
          conn.close();
          if (e instanceof RequestTimeoutError) throw new RequestTimeoutError(`${conn.label} accepted the connection but did not answer ${step}`);
          // Twice closed before any answer: over plaintext TCP, a TLS listener does that; over
          // TLS, a broker that refuses the client certificate after the handshake.
          if (e instanceof ConnectionError && e.beforeFirstResponse && tcp && ++closedEarly >= 2) throw tlsOptions ? (tlsOptions.cert !== undefined ? clientCertRefusedByBroker(conn.label, tlsOptions.cert) : clientCertRefusedError(conn.label)) : looksLikeTlsError(conn.label);
          throw e;
        }
      } catch (e) {
        lastError = e as Error;
        // Without `retry`, one more try only after a first close before any answer (TLS or not?).
        if (!(e instanceof ConnectionError) || (!retry && !(e.beforeFirstResponse && closedEarly === 1))) throw e;
        // A close before any answer is tried again to tell TLS from plaintext: nothing to say yet.
        if (!e.beforeFirstResponse) this.retrying(e);
        await this.naps.sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
        backoff = Math.min(backoff * 2, 1000);
      }
    }
    throw lastError ?? new ConnectionError(`Could not connect to ${describeAddress(address)}`, describeAddress(address));
  }

  /**
   * KIP-368: re-authenticates a SASL connection at 85-95% of its session lifetime (as Kafka's
   * clients do; short sessions keep a quarter, up to 5 s, of margin), holding other requests
   * back meanwhile. A failure closes the connection: the
   * next request opens a new one, whose login then reports the error.
   */
  private scheduleReauth(conn: KafkaConnection, versions: Map<number, { min: number; max: number }>, lifetimeMs: number): void {
    const sasl = this.security?.sasl;
    if (!sasl || lifetimeMs <= 0 || this.closed) return;
    const timer = setTimeout(() => {
      this.reauthTimers.delete(timer);
      if (conn.closed || this.closed) return;
      conn.exclusive((send) => saslAuthenticate(send, versions, sasl, conn.label)).then(
        ({ sessionLifetimeMs }) => this.scheduleReauth(conn, versions, sessionLifetimeMs),
        () => conn.close(),
      );
    }, Math.max(50, Math.min(lifetimeMs * (0.85 + Math.random() * 0.1), lifetimeMs - Math.min(5000, lifetimeMs * 0.25))));
    timer.unref();
    this.reauthTimers.add(timer);
  }

  private async negotiate(conn: KafkaConnection, options: { timeoutMs: number }): Promise<Map<number, { min: number; max: number }>> {
    let version = 3;
    for (;;) {
      const res = await conn.send(
        ApiVersions,
        version,
        version >= 3 ? { clientSoftwareName: 'kafka-ts', clientSoftwareVersion: '0.1.0' } : {},
        options,
      );
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
        const own = res.apiKeys.find((k) => k.apiKey === ApiVersions.key);
        version = own ? Math.min(version - 1, own.maxVersion) : 0;
        continue;
      }
      if (res.errorCode) throw new KafkaProtocolError(res.errorCode);
      return new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    }
  }

  /** Connects to the first reachable bootstrap address (metadata is loaded when first needed). */
  async connect(): Promise<void> {
    await this.anyConnection();
  }

  private anyConnection(): Promise<Negotiated> {
    if (this.bootstrapConn) {
      return this.bootstrapConn.then((n) => {
        if (!n.conn.closed) return n;
        this.bootstrapConn = null;
        return this.anyConnection();
      });
    }
    const deadline = Date.now() + this.connectTimeoutMs;
    this.bootstrapDeadline = deadline;
    const attempt = async (): Promise<Negotiated> => {
      let last: Error | null = null;
      let backoff = this.retryBackoffMs;
      // Known brokers first (after bootstrap), then the bootstrap list, until the deadline.
      // Known brokers get one quick attempt each (a stopped one refuses at once); a lone bootstrap
      // address is retried with backoff for a while (a daemon may still be starting); of several,
      // each gets one attempt per round, so a dead first one does not hold up the others.
      const retryBootstrap = this.bootstrap.length === 1;
      for (let round = 0; Date.now() < deadline && !this.closed; round++) {
        if (round > 0 && !retryBootstrap) {
          await this.naps.sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
          backoff = Math.min(backoff * 2, 1000);
        }
        const known = [...this.cluster.brokers.values()].map((b) => addressOf(b));
        for (const [addr, retry] of [...known.map((a) => [a, false] as const), ...this.bootstrap.map((a) => [a, retryBootstrap] as const)]) {
          try {
            // 2 s to connect (the next address is tried then), but the whole deadline to set
            // the connection up: a slow link or a busy broker still answers.
            const negotiated = await this.open(addr, Math.min(deadline, Date.now() + 2000), retry, deadline);
            // Retrying is announced while a command starts, not when a running one reconnects.
            this.onRetrying = undefined;
            return negotiated;
          } catch (e) {
            // TLS and SASL failures would fail the same way again: report them at once.
            if (isKafkaTsError(e) && (e.kind === 'auth' || e.kind === 'usage')) throw e;
            last = e as Error;
          }
        }
        // Every address failed this round: say so once, as the next rounds go on.
        if (last) this.retrying(last);
      }
      if (last instanceof RequestTimeoutError) throw new RequestTimeoutError(`${last.message} within ${this.connectTimeoutMs} ms`);
      throw last ?? new ConnectionError('No broker could be reached', this.bootstrap.map(describeAddress).join(','));
    };
    const p = attempt();
    this.bootstrapConn = p;
    p.catch(() => {
      if (this.bootstrapConn === p) this.bootstrapConn = null;
    });
    return p;
  }

  private nodeConnection(nodeId: number, purpose = 'default'): Promise<Negotiated> {
    const slot = `${nodeId}/${purpose}`;
    const existing = this.byNode.get(slot);
    if (existing) {
      return existing.then(
        (n) => {
          if (!n.conn.closed) return n;
          this.byNode.delete(slot);
          return this.nodeConnection(nodeId, purpose);
        },
        () => {
          this.byNode.delete(slot);
          return this.nodeConnection(nodeId, purpose);
        },
      );
    }
    const p = (async () => {
      if (!this.cluster.brokers.has(nodeId)) await this.refreshMetadata([]);
      const broker = this.cluster.brokers.get(nodeId);
      if (!broker) throw new ConnectionError(`Unknown broker id ${nodeId}`, String(nodeId));
      return this.open(addressOf(broker), Date.now() + this.connectTimeoutMs, false);
    })();
    this.byNode.set(slot, p);
    p.catch(() => this.byNode.delete(slot));
    return p;
  }

  /** The version to use for `api` on a negotiated connection, or an error when there is none. */
  private pickVersion(api: ApiDef, n: Negotiated): number {
    const ours = CLIENT_VERSIONS[api.key];
    const theirs = n.versions.get(api.key);
    if (!ours) throw new UnsupportedApiError(`kafka-ts has no client support for ${api.name}`);
    if (!theirs) throw new UnsupportedApiError(`The broker at ${n.conn.label} does not support ${api.name}`);
    const v = Math.min(ours[1], theirs.max);
    if (v < Math.max(ours[0], theirs.min)) {
      throw new UnsupportedApiError(`No common version of ${api.name}: kafka-ts speaks ${ours[0]}-${ours[1]}, the broker ${theirs.min}-${theirs.max}`);
    }
    return v;
  }

  /** True when the broker behind `target` supports `api` at `minVersion` or later. */
  async supports(api: ApiDef, minVersion = 0, target: number | 'any' = 'any'): Promise<boolean> {
    const n = target === 'any' ? await this.anyConnection() : await this.nodeConnection(target);
    const theirs = n.versions.get(api.key);
    return !!theirs && theirs.max >= minVersion;
  }

  /**
   * Sends a request. `target` is a node id, 'any' (the bootstrap connection) or 'controller'.
   * `build` receives the negotiated version so the body can depend on it. The body and response
   * types follow from `api`.
   */
  send<Req, Res>(
    target: number | 'any' | 'controller',
    api: ApiDef<unknown, Res, Req, unknown>,
    build: NoInfer<Req> | ((version: number) => NoInfer<Req>),
    options?: SendOptions,
  ): Promise<{ body: Res; version: number }>;
  async send(target: number | 'any' | 'controller', api: ApiDef, build: unknown, options: SendOptions = {}): Promise<{ body: unknown; version: number }> {
    /** Whether an attempt handed the request to a connection (it may have reached the broker). */
    let written = false;
    /**
     * The first connection lost with the request written to it and unanswered. What a retry meets
     * then (a dead broker refuses connections) would say the request never went: the loss is reported.
     */
    let lost: ConnectionError | null = null;
    const report = (e: unknown): unknown => (lost && e instanceof ConnectionError ? new ConnectionLostError(lost, api.name, READ_ONLY_API.test(api.name)) : e);
    for (let attempt = 1; ; attempt++) {
      let node = target;
      if (node === 'controller') {
        if (this.cluster.controllerId < 0 || attempt > 1) await this.refreshMetadata([]).catch((e: unknown) => Promise.reject(report(e)));
        node = this.cluster.controllerId >= 0 ? this.cluster.controllerId : 'any';
      }
      let n: Negotiated | undefined;
      let sending = false;
      try {
        n = await (node === 'any' ? this.anyConnection() : this.nodeConnection(node, options.purpose)).catch((e: unknown) => {
          // No connection, and no attempt before wrote the request: it never left (a producer's
          // retry count is not spent on it). A copy: the error may be other requests' too.
          if (!(e instanceof ConnectionError) || written) throw e;
          throw Object.assign(new ConnectionError(e.message, e.address, e.code, e.beforeFirstResponse, e.afterApiVersionsOnly), { requestNotSent: true });
        });
        let version = this.pickVersion(api, n);
        if (options.maxVersion !== undefined) version = Math.min(version, options.maxVersion);
        const body = typeof build === 'function' ? (build as (version: number) => unknown)(version) : build;
        written = sending = true;
        const res = await n.conn.send(api, version, body, options);
        this.failingSince = 0;
        return { body: res, version };
      } catch (e) {
        if (e instanceof ConnectionError && this.failingSince === 0) this.failingSince = Date.now();
        if (sending && !lost && e instanceof ConnectionError && !e.answered) lost = e;
        // Versions taken on trust and a broker that hung up (as Kafka does on a version it does
        // not speak) or refused: negotiate on the next connection.
        if (n?.assumed && (e instanceof ConnectionError || e instanceof UnsupportedApiError)) {
          this.knownApiVersions?.forget(n.assumed);
          n.conn.close();
          if (attempt < 3 && !this.closed) {
            if (target === 'any') this.bootstrapConn = null;
            continue;
          }
        }
        // The same broker closing fresh connections after ApiVersions twice: a SASL listener.
        if (e instanceof ConnectionError && e.afterApiVersionsOnly && attempt >= 2) {
          throw new AuthenticationError(`${e.address} closed the connection right after ApiVersions: a SASL listener does that before authentication; set security.protocol=SASL_PLAINTEXT or SASL_SSL and sasl.mechanism`);
        }
        if (!(e instanceof ConnectionError) || attempt >= 3 || this.closed) throw report(e);
        // Requests to 'any' are lookups (metadata, coordinators, configs): safe to repeat on
        // another broker. A controller request is repeated only if it never left (the
        // controller moved: its old broker refuses connections).
        const neverSent = e.code === 'ECONNREFUSED' || e.code === 'ENOENT';
        if (target === 'any') this.bootstrapConn = null;
        else if (!(target === 'controller' && neverSent)) throw report(e);
      }
    }
  }

  /**
   * Refreshes metadata for `topics` (null: all topics; []: brokers only). Unknown topics are
   * kept with their error code so callers can report them.
   */
  async refreshMetadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<ClusterInfo> {
    const { body } = await this.send('any', Metadata, (v) => ({
      topics: topics === null ? (v === 0 ? [] : null) : topics.map((name) => ({ name, topicId: Buffer.alloc(16) })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }));
    const brokers = new Map(body.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null }]));
    const fresh = new Map<string, TopicInfo>();
    for (const t of body.topics) {
      if (t.name === null) continue;
      fresh.set(t.name, {
        name: t.name,
        id: t.topicId ?? Buffer.alloc(16),
        internal: t.isInternal ?? false,
        errorCode: t.errorCode,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch ?? -1,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            offline: p.offlineReplicas ?? [],
          }))
          .sort((a, b) => a.partition - b.partition),
      });
    }
    // Connections to brokers that moved address are dropped and reopened on demand.
    for (const [id, b] of brokers) {
      const old = this.cluster.brokers.get(id);
      if (old && (old.host !== b.host || old.port !== b.port)) {
        for (const [slot, conn] of [...this.byNode]) {
          if (!slot.startsWith(`${id}/`)) continue;
          void conn.then((n) => n.conn.close(), () => undefined);
          this.byNode.delete(slot);
        }
      }
    }
    const topicsMap = topics === null ? fresh : new Map([...this.cluster.topics, ...fresh]);
    this.cluster = { clusterId: body.clusterId ?? null, controllerId: body.controllerId ?? -1, brokers, topics: topicsMap };
    return this.cluster;
  }

  /**
   * Leader of a partition from cached metadata, refreshing the topic once when it is unknown or
   * names a broker the cluster no longer lists (stopped: a brokers-only refresh drops the broker
   * but keeps the topics, and asking it gave 'Unknown broker id N' until it came back).
   */
  async leaderFor(topic: string, partition: number): Promise<number> {
    let t = this.cluster.topics.get(topic);
    const cached = t?.partitions[partition];
    if (!t || !cached || cached.leader < 0 || !this.cluster.brokers.has(cached.leader)) {
      await this.refreshMetadata([topic]);
      t = this.cluster.topics.get(topic);
    }
    const p = t?.partitions.find((x) => x.partition === partition);
    if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || !p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${topic} (partition ${partition}) does not exist`);
    if (p.leader < 0) throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE);
    return p.leader;
  }

  /** The back-offs between connection attempts: close() ends them, so retries stop at once. */
  private readonly naps = new Naps();

  async close(): Promise<void> {
    this.closed = true;
    this.naps.wakeAll();
    for (const t of this.reauthTimers) clearTimeout(t);
    this.reauthTimers.clear();
    const all = [...this.byNode.values()];
    if (this.bootstrapConn) all.push(this.bootstrapConn);
    this.byNode.clear();
    this.bootstrapConn = null;
    await Promise.all(all.map((p) => p.then((n) => n.conn.close(), () => undefined)));
  }
}

export { ConnectionError, ConnectionLostError, RequestTimeoutError };
