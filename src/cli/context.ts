/**
 * What a running command needs: buffered stdout, stderr lines, and clients connected either to
 * `--bootstrap-server` or to the local daemon (started on demand).
 */
import type { KafkaClient } from '../client/client.js';
import type { BrokerAddress } from '../transport/client-connection.js';
import { UsageError } from './errors.js';
import { daemonPaths, defaultHome, ensureDaemon } from './local-daemon.js';
import { Output } from './output.js';
import { existsSync } from 'node:fs';
import { socketAnswers } from '../transport/socket-probe.js';

export interface ConnectOptions {
  /** `--bootstrap-server`; absent means $KAFKA_BOOTSTRAP_SERVERS, else the local daemon. */
  bootstrapServer?: string;
  /** Client properties (from --command-config and friends). */
  properties?: Record<string, string>;
  clientId?: string;
}

const num = (props: Record<string, string> | undefined, key: string, def: number): number => {
  const v = props?.[key];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`Invalid value ${v} for configuration ${key}`);
  return n;
};

/** The environment variable naming a cluster when --bootstrap-server is not given. */
export const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';

/** Default time to reach a broker before failing (documented in kafka-ts(1)). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class CliContext {
  readonly out: Output;
  private readonly clients: KafkaClient[] = [];

  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    /** The raw stream, for full-screen views; everything else writes through `out`. */
    readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.out = new Output(stdout);
  }

  /** A prompt on the terminal, shown at once (not buffered with the output): console-producer's '>'. */
  prompt(text: string): void {
    this.stdout.write(text);
  }

  /** One line on stderr (diagnostics never go to stdout). */
  warn(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /**
   * The cluster named by `--bootstrap-server`, else by $KAFKA_BOOTSTRAP_SERVERS (as many Kafka
   * tools read it); undefined means the local daemon.
   */
  bootstrapFor(flag?: string): string | undefined {
    if (flag !== undefined) return flag;
    const env = this.env[BOOTSTRAP_ENV];
    return env === undefined || env.trim() === '' ? undefined : env;
  }

  /** What the command talks to, for display. */
  targetName(flag?: string): string {
    return this.bootstrapFor(flag) ?? 'local daemon';
  }

  /** Resolves the broker addresses, starting the local daemon when no bootstrap is given. */
  async resolveBootstrap(flag?: string): Promise<BrokerAddress[]> {
    const bootstrapServer = this.bootstrapFor(flag);
    if (bootstrapServer !== undefined) {
      const { parseBootstrap } = await import('../client/client.js');
      try {
        return parseBootstrap(bootstrapServer);
      } catch (e) {
        throw new UsageError(flag === undefined ? `${BOOTSTRAP_ENV}: ${(e as Error).message}` : (e as Error).message);
      }
    }
    const paths = daemonPaths(defaultHome(this.env));
    // A live daemon accepts on its socket at once; anything else (no file, a stale file) means
    // asking the control socket or starting a daemon.
    if (existsSync(paths.socket) && (await socketAnswers(paths.socket))) return [{ path: paths.socket }];
    const status = await ensureDaemon(paths, (l) => this.warn(l));
    return [{ path: status.socket }];
  }

  async client(opts: ConnectOptions): Promise<KafkaClient> {
    const bootstrap = await this.resolveBootstrap(opts.bootstrapServer);
    const { KafkaClient } = await import('../client/client.js');
    const { clientSecurity } = await import('../client/security/index.js');
    const p = opts.properties;
    const security = await clientSecurity(p);
    const client = new KafkaClient({
      bootstrap,
      clientId: p?.['client.id'] ?? opts.clientId ?? 'kafka-ts',
      requestTimeoutMs: num(p, 'request.timeout.ms', 30_000),
      connectTimeoutMs: num(p, 'default.api.timeout.ms', DEFAULT_CONNECT_TIMEOUT_MS),
      retryBackoffMs: num(p, 'retry.backoff.ms', 100),
      security,
    });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await this.out.end();
  }
}

export function requireInt(value: string | undefined, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(value)) throw new UsageError(`Cannot parse argument '${value}' of option ${name}`);
  const n = Number(value);
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`Option ${name} must be at least ${opts.min} (got ${n})`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`Option ${name} must be at most ${opts.max} (got ${n})`);
  return n;
}

