/**
 * The local broker daemon: one KafkaCluster under a home directory, with a pid file, a log
 * (stdout, which the launcher points at the log file), the Kafka-protocol Unix socket, and a
 * small control socket for what Kafka has no API for (status, stop, stopping one broker).
 *
 * Home layout: kafka-ts.pid, server.log, kafka.sock (mode 0600), control.sock (0600),
 * server.properties (optional), meta/ (metadata.log, snapshot.json), data/ (log.dirs).
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { LoopDelaySampler } from '../util/loop-delay.js';
import { createLogger, type Logger } from '../util/logger.js';
import { KafkaCluster } from './cluster.js';
import { faultPlanFromEnv, setFaultPlan } from '../storage/disk/fs-ops.js';
import { daemonPaths, type DaemonPaths, type DaemonStatus } from './daemon-paths.js';

export { daemonPaths, type DaemonPaths, type DaemonStatus };
import { buildBrokerConfig, ConfigError, type BrokerConfig } from './config.js';
import { AddressInUseError, socketAnswers } from '../transport/server.js';
import { isBusy, onBusyChange } from '../transport/idle-memory.js';
import { makeWritableDirectory } from '../util/directories.js';

export { VERSION } from '../version.js';
import { VERSION } from '../version.js';
import { API_BY_KEY } from '../protocol/apis/index.js';
import { KafkaTsError } from '../util/errors.js';
import { registrySettings, SchemaRegistryService } from './schema-registry/index.js';
import { rackOf } from './replica-selector.js';

/** The longest control request line (`server status`, `stop`, `stop-broker N`: tens of bytes). */
const MAX_CONTROL_LINE = 64 * 1024;

/** A start-up problem with a message meant for the user. */
export class DaemonStartError extends KafkaTsError {
  override name = 'DaemonStartError';
  constructor(message: string) {
    super('failed', message);
  }
}

export interface DaemonOptions {
  home: string;
  /** server.properties-style settings (file contents, then --override pairs, then flags). */
  properties: Record<string, string>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates a directory the daemon writes to, or fails at once naming it and why (`what` says which setting chose it). */
function checkWritable(dir: string, what: string) {
  try {
    makeWritableDirectory(dir);
  } catch (e) {
    throw new DaemonStartError(`${(e as Error).message}. ${what}`);
  }
}

/** Takes the pid file, replacing a stale one; refuses when a live daemon owns the directory. */
async function takePidFile(paths: DaemonPaths, log: Logger) {
  if (existsSync(paths.pidFile)) {
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    const alive = Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid);
    if (alive && (await socketAnswers(paths.control))) {
      throw new DaemonStartError(`Another kafka-ts daemon (pid ${pid}) is already running with data dir ${paths.home}. Stop it with 'kafka-ts server stop'.`);
    }
    if (alive && isKafkaTs(pid)) {
      throw new DaemonStartError(`Another kafka-ts daemon (pid ${pid}) is starting with data dir ${paths.home}.`);
    }
    log.warn(`Removing stale pid file ${paths.pidFile} (pid ${pid} is not a running kafka-ts daemon)`);
    unlinkSync(paths.pidFile);
  }
  try {
    writeFileSync(paths.pidFile, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    throw new DaemonStartError(`Another kafka-ts daemon is starting with data dir ${paths.home}.`);
  }
}

/** Linux: tells whether a live pid is a kafka-ts daemon (a recycled pid usually is not). */
function isKafkaTs(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka-ts');
  } catch {
    return false;
  }
}

export class Daemon {
  private cluster: KafkaCluster | null = null;
  private control: net.Server | null = null;
  private registry: SchemaRegistryService | null = null;
  private stopping: Promise<void> | null = null;
  private resolveStopped!: () => void;
  /** Resolves once the daemon has shut down, whatever asked it to. */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));
  private readonly startedAt = new Date();
  /**
   * Event-loop delay since the start (what any request may wait behind), for server status:
   * sampled every 20 ms while requests are being handled, not at all while none come (fifty
   * wake-ups a second were half of an idle daemon's CPU).
   */
  private readonly loopDelay = new LoopDelaySampler(20);
  private stopSampling: (() => void) | null = null;
  /** Garbage-collection pauses since the start (count, total, longest), for server status. */
  private readonly gc = { count: 0, totalMs: 0, maxMs: 0 };
  private readonly gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      this.gc.count++;
      this.gc.totalMs += e.duration;
      if (e.duration > this.gc.maxMs) this.gc.maxMs = e.duration;
    }
  });
  readonly paths: DaemonPaths;
  readonly log: Logger;
  config!: BrokerConfig;

  constructor(private readonly opts: DaemonOptions) {
    this.paths = daemonPaths(opts.home);
    this.log = createLogger((l) => process.stdout.write(l), 'kafka.Kafka');
  }

  async start(): Promise<DaemonStatus> {
    const { paths, log } = this;
    if (paths.socket.length > 100) throw new DaemonStartError(`Data directory path is too long for a Unix socket (${paths.socket}); choose a shorter --data-dir.`);
    checkWritable(paths.home, 'Choose another data directory with --data-dir or KAFKA_TS_HOME.');
    await takePidFile(paths, log);
    try {
      const { config, warnings } = buildBrokerConfig(paths.home, this.opts.properties);
      for (const w of warnings) log.warn(w.message);
      this.config = config;
      // Testing only: injected storage faults (src/storage/disk/fs-ops.ts).
      let faults;
      try {
        faults = faultPlanFromEnv(process.env.KAFKA_TS_FAULTS);
        setFaultPlan(faults);
      } catch (e) {
        const msg = (e as Error).message;
        throw new ConfigError(msg.startsWith('KAFKA_TS_FAULTS') ? msg : `KAFKA_TS_FAULTS: ${msg}`);
      }
      if (faults) {
        log.warn(`KAFKA_TS_FAULTS is set (testing only): ${JSON.stringify(faults)}`);
      }
      const explicitLogDirs = config.explicit['log.dirs'] !== undefined || config.explicit['log.dir'] !== undefined;
      checkWritable(config.logDirs, explicitLogDirs ? 'Check log.dirs (or log.dir) in the broker configuration.' : `It is where the logs go (log.dirs defaults to the data directory's data/): move it away or set log.dirs.`);
      this.cluster = await KafkaCluster.start({ config, log, socketDir: paths.home });
      await this.startRegistry();
      await this.listenControl();
    } catch (e) {
      await this.cleanup();
      if (e instanceof AddressInUseError) throw new DaemonStartError(portHint(e.message));
      // A setting it cannot use stays a ConfigError: the CLI reports it as a usage error.
      if (e instanceof ConfigError) throw new ConfigError(portHint(e.message));
      throw e;
    }
    if (isBusy()) this.loopDelay.start();
    this.stopSampling = onBusyChange((busy) => (busy ? this.loopDelay.start() : this.loopDelay.stop()));
    this.gcObserver.observe({ entryTypes: ['gc'] });
    const status = this.status();
    log.info(`[KafkaServer id=${this.config.nodeId}] started (kafka-ts ${VERSION}); listeners ${status.listeners.join(', ')}; data dir ${paths.home}`);
    return status;
  }

  status(): DaemonStatus {
    const c = this.cluster!;
    const brokers = c.brokers().map((b) => ({
      id: b.id,
      live: c.isLive(b.id),
      // Every listener by its name (PLAINTEXT://…, SASL_SSL://…, custom names), then the Unix socket.
      listeners: [...b.endpoints].map(([name, ep]) => (name === 'LOCAL' ? `LOCAL://${ep.host}` : `${name}://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`)),
      logDir: c.logDirFor(b.id),
      logDirError: b.logDirState.failure,
      rack: rackOf(b.config, b.id),
      consumerFetches: structuredClone(b.consumerFetches),
    }));
    return {
      pid: process.pid,
      version: VERSION,
      dataDir: this.paths.home,
      socket: this.paths.socket,
      controlSocket: this.paths.control,
      logFile: this.paths.logFile,
      pidFile: this.paths.pidFile,
      startedAt: this.startedAt.toISOString(),
      clusterId: c.metadata.clusterId,
      controllerId: c.controllerId,
      listeners: brokers.filter((b) => b.live).flatMap((b) => b.listeners),
      schemaRegistry: this.registry?.url ?? null,
      brokers,
      eventLoopDelay: this.loopDelay.summary(),
      gcPauses: { count: this.gc.count, totalMs: Math.round(this.gc.totalMs), maxMs: Math.round(this.gc.maxMs * 1000) / 1000 },
      requestTimes: c.router.metrics.snapshot((k) => API_BY_KEY.get(k)?.name ?? String(k)),
      durableSyncs: c.brokers().reduce(
        (sum, b) => {
          const st = (b.store as { syncer?: { stats(): { rounds: number; requests: number; files: number } } }).syncer?.stats();
          return st ? { rounds: sum.rounds + st.rounds, requests: sum.requests + st.requests, files: sum.files + st.files } : sum;
        },
        { rounds: 0, requests: 0, files: 0 },
      ),
    };
  }

  /**
   * The schema registry (schema-registry/settings.ts): on 127.0.0.1:8081 unless configured; a
   * taken default port means a free one (logged), a taken configured port a failed start.
   */
  private async startRegistry() {
    let settings;
    try {
      settings = registrySettings(this.config.explicit);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    if (!settings.enabled) return;
    const log = this.log.child('io.confluent.kafka.schemaregistry');
    const start = (port: number) => SchemaRegistryService.start({ cluster: this.cluster!, host: settings.host, port, maxRequestBytes: settings.maxRequestBytes, log });
    try {
      this.registry = await start(settings.port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        // The brokers serve on without it (as they would without a separate registry process).
        log.error(`The schema registry could not start: ${(e as Error).message}`);
        return;
      }
      if (settings.explicitPort) throw new DaemonStartError(`The schema registry's port ${settings.port} is already in use; choose another with --schema-registry-port N (0 = a free port) or turn it off with --no-schema-registry.`);
      this.registry = await start(0);
      log.warn(`Port ${settings.port} is in use: the schema registry listens on ${this.registry.url} instead`);
    }
    log.info(`Schema registry listening on ${this.registry.url}`);
  }

  private async listenControl() {
    const server = net.createServer((socket) => {
      // One request line per connection, of a few bytes: a longer one is no CLI's, and the
      // connection closes (a stream without a newline was kept and searched whole at every chunk).
      const chunks: Buffer[] = [];
      let length = 0;
      const onData = (d: Buffer) => {
        const nl = d.indexOf(10);
        chunks.push(nl < 0 ? d : d.subarray(0, nl));
        length += nl < 0 ? d.length : nl;
        if (length > MAX_CONTROL_LINE) return void socket.destroy();
        if (nl < 0) return;
        socket.off('data', onData);
        void this.onControl(Buffer.concat(chunks).toString('utf8')).then(
          (reply) => socket.end(`${JSON.stringify(reply)}\n`),
          (e: Error) => socket.end(`${JSON.stringify({ ok: false, error: e.message })}\n`),
        );
      };
      socket.on('data', onData);
      socket.on('error', () => socket.destroy());
    });
    if (existsSync(this.paths.control)) unlinkSync(this.paths.control);
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.paths.control, () => resolve());
      });
    } finally {
      process.umask(old);
    }
    this.control = server;
  }

  private async onControl(line: string): Promise<object> {
    const req = JSON.parse(line) as { op: string; id?: number };
    const c = this.cluster!;
    switch (req.op) {
      case 'status':
        return { ok: true, status: this.status() };
      case 'stop':
        setImmediate(() => void this.stop('stop requested'));
        return { ok: true };
      case 'stop-broker':
      case 'start-broker': {
        const id = Number(req.id);
        if (!c.brokers().some((b) => b.id === id)) return { ok: false, notFound: true, error: `No broker with id ${req.id} (brokers: ${c.brokers().map((b) => b.id).join(', ')})` };
        // wasLive: whether the broker ran before (the CLI says so when there was nothing to do).
        const wasLive = c.isLive(id);
        if (req.op === 'stop-broker') {
          if (c.brokers().filter((b) => c.isLive(b.id)).length === 1 && wasLive) return { ok: false, error: 'Cannot stop the last running broker; use `kafka-ts server stop` instead.' };
          await c.stopBroker(id);
        } else await c.startBroker(id);
        return { ok: true, wasLive, status: this.status() };
      }
      default:
        return { ok: false, error: `unknown control operation ${req.op}` };
    }
  }

  /** Stops listeners and brokers (closing logs cleanly), removes the pid file and sockets. */
  stop(reason: string): Promise<void> {
    if (!this.stopping) {
      this.log.info(`Shutting down (${reason})`);
      this.stopping = this.cleanup().then(() => {
        this.log.info('Shut down completed');
        this.resolveStopped();
      });
    }
    return this.stopping;
  }

  private async cleanup() {
    this.stopSampling?.();
    this.loopDelay.stop();
    this.gcObserver.disconnect();
    if (this.control) {
      await new Promise<void>((r) => this.control!.close(() => r()));
      this.control = null;
    }
    try {
      unlinkSync(this.paths.control);
    } catch {
      /* not created */
    }
    await this.registry?.close();
    this.registry = null;
    await this.cluster?.close();
    this.cluster = null;
    try {
      if (readFileSync(this.paths.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(this.paths.pidFile);
    } catch {
      /* not ours or already gone */
    }
  }
}

function portHint(message: string): string {
  if (/already in use/.test(message)) return `${message}. Is another Kafka broker running? Choose another port with 'kafka-ts server start --port N' (later commands reuse it) or listeners= in server.properties.`;
  return message;
}
