/**
 * What a running command needs: buffered stdout, stderr lines, and clients connected either to
 * `--bootstrap-server` or to the local daemon (started on demand).
 */
import type { KafkaClient } from '../client/client.js';
import type { BrokerAddress } from '../transport/client-connection.js';
import { UsageError } from './errors.js';
import { CONTEXT_ENV, getContext, readContexts, type ContextEntry } from './contexts.js';
import { resolveConfigProviders } from '../util/config-providers.js';
import { daemonApiVersions, daemonPaths, defaultHome, ensureDaemon } from './local-daemon.js';
import { Output } from './output.js';
import { existsSync } from 'node:fs';
import { socketAnswers } from '../transport/socket-probe.js';

export interface ConnectOptions {
  /** `--bootstrap-server`; absent means the context, $KAFKA_BOOTSTRAP_SERVERS, …, else the local daemon (see CliContext.select). */
  bootstrapServer?: string;
  /** Client properties (from --command-config and friends). */
  properties?: Record<string, string>;
  clientId?: string;
  /** The setting that bounds connecting, named when retrying is announced (default.api.timeout.ms; console-producer's max.block.ms). */
  connectSetting?: string;
}

/** The longest delay a Node timer takes (2^31 - 1 ms, ~24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A client timeout in ms from the properties; Kafka's "wait forever" (Long.MAX_VALUE) is the longest timer. */
export const clientTimeoutMs = (props: Record<string, string> | undefined, key: string, def: number): number => {
  const v = props?.[key];
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`Invalid value ${v} for configuration ${key}`);
  return Math.min(n, MAX_TIMER_MS);
};

/** The environment variable naming a cluster when --bootstrap-server is not given. */
export const BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';

/** Default time to reach a broker before failing (documented in kafka-ts(1)). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Where a command's cluster comes from, by precedence (kafka-ts(1), README "Contexts"). */
export type TargetSource = 'flag' | 'context-flag' | 'context-env' | 'env' | 'current-context' | 'local';

export interface Target {
  /** The bootstrap list; undefined means the local daemon. */
  bootstrap?: string;
  /** The context whose properties are the base of the client properties. */
  context?: { name: string; entry: ContextEntry };
  source: TargetSource;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);

/**
 * The cluster a command names: --bootstrap-server, else bootstrap.servers in the command's own
 * client properties (--command-config, --producer.config, …: a hosted service's client file
 * carries it), which win over contexts and the local daemon as the flag does.
 */
export const bootstrapFlag = (flag: string | undefined, properties?: Record<string, string>): string | undefined => flag ?? nonEmpty(properties?.['bootstrap.servers']);

export class CliContext {
  readonly out: Output;
  private readonly clients: KafkaClient[] = [];
  /** `--context NAME`, set (by main) before the command runs. */
  contextName?: string;
  private readonly targets = new Map<string, Target>();
  private warnedContexts = false;
  /** Whom the last client connected as over TCP, when known (User:alice, a certificate subject, User:ANONYMOUS): named in ACL denials. */
  principal?: string;

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

  private readonly endLines: (() => string | null)[] = [];

  /**
   * A line for stderr once the command has ended, however it ended: after its output, or before
   * its error line (Kafka's finally blocks: console-consumer's "Processed a total of N
   * messages"). `line` gives null for nothing to say. Not said when the reader of stdout went away.
   */
  atEnd(line: () => string | null): void {
    this.endLines.push(line);
  }

  /** Says the atEnd lines, once (runAction, when the command's result or error is out). */
  sayAtEnd(): void {
    for (const line of this.endLines.splice(0)) {
      const text = line();
      if (text !== null) this.warn(text);
    }
  }

  /**
   * The cluster a command talks to, by precedence: --bootstrap-server (or bootstrap.servers in the
   * command's properties: bootstrapFlag) > --context >
   * $KAFKA_TS_CONTEXT > $KAFKA_BOOTSTRAP_SERVERS > the current context > the local daemon. A
   * context named by --context or $KAFKA_TS_CONTEXT lends its properties even when
   * --bootstrap-server overrides its address; the current context is used only when nothing
   * else names a cluster. An unknown named context is a NotFoundError listing the known ones.
   */
  select(flag?: string): Target {
    const key = flag ?? '\0';
    const cached = this.targets.get(key);
    if (cached) return cached;
    const named = nonEmpty(this.contextName) ?? nonEmpty(this.env[CONTEXT_ENV]);
    let target: Target;
    const context = named === undefined ? undefined : { name: named, entry: getContext(readContexts(this.env), named) };
    if (flag !== undefined) target = { bootstrap: flag, context, source: 'flag' };
    else if (context) target = { bootstrap: context.entry.bootstrapServer, context, source: nonEmpty(this.contextName) ? 'context-flag' : 'context-env' };
    else if (nonEmpty(this.env[BOOTSTRAP_ENV]) !== undefined) target = { bootstrap: this.env[BOOTSTRAP_ENV], source: 'env' };
    else target = this.currentContext() ?? { source: 'local' };
    this.targets.set(key, target);
    return target;
  }

  private currentContext(): Target | undefined {
    try {
      const file = readContexts(this.env);
      const name = file.current;
      if (name === undefined || !Object.hasOwn(file.contexts, name)) return undefined;
      return { bootstrap: file.contexts[name]!.bootstrapServer, context: { name, entry: file.contexts[name]! }, source: 'current-context' };
    } catch (e) {
      // A damaged store must not stop commands that do not need it; say so once.
      if (!this.warnedContexts) this.warn(`kafka-ts: warning: ${(e as Error).message}; ignoring the current context`);
      this.warnedContexts = true;
      return undefined;
    }
  }

  /** The bootstrap list (see select); undefined means the local daemon. */
  bootstrapFor(flag?: string): string | undefined {
    return this.select(flag).bootstrap;
  }

  /** What the command talks to, for display. */
  targetName(flag?: string): string {
    const t = this.select(flag);
    if (t.bootstrap === undefined) return 'local daemon';
    return t.context && t.source !== 'flag' ? `${t.context.name} (${t.bootstrap})` : t.bootstrap;
  }

  /**
   * The client properties: the context's (provider references resolved, env and file providers
   * on by default) overridden by the command's own (resolved with the providers their
   * config.providers lists, as Kafka does). The config.providers keys are not passed on.
   */
  clientProperties(flag: string | undefined, own: Record<string, string> = {}): Record<string, string> {
    const t = this.select(flag);
    const base = t.context ? resolveConfigProviders(t.context.entry.properties, { env: this.env, defaultProviders: ['env', 'file'] }) : {};
    return { ...base, ...resolveConfigProviders(own, { env: this.env }) };
  }

  /** Resolves the broker addresses, starting the local daemon when no bootstrap is given. */
  async resolveBootstrap(flag?: string): Promise<BrokerAddress[]> {
    const target = this.select(flag);
    const bootstrapServer = target.bootstrap;
    if (bootstrapServer !== undefined) {
      const { parseBootstrap } = await import('../client/client.js');
      try {
        return parseBootstrap(bootstrapServer);
      } catch (e) {
        const where = target.source === 'flag' ? '' : target.source === 'env' ? `${BOOTSTRAP_ENV}: ` : `context ${target.context!.name}: `;
        throw new UsageError(`${where}${(e as Error).message}`);
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
    const flag = bootstrapFlag(opts.bootstrapServer, opts.properties);
    const bootstrap = await this.resolveBootstrap(flag);
    const p = this.clientProperties(flag, opts.properties);
    const { KafkaClient } = await import('../client/client.js');
    const { clientSecurity, expectedPrincipal, unusedSecuritySettings } = await import('../client/security/index.js');
    const security = await clientSecurity(p);
    if (!bootstrap.every((a) => 'path' in a)) {
      // librdkafka's switch turns off every check of the broker's certificate: say so, once.
      if (security.tls?.rejectUnauthorized === false) {
        this.warn("kafka-ts: warning: enable.ssl.certificate.verification=false: the broker's certificate is not verified (any server, or anyone in between, is accepted)");
      }
      for (const u of unusedSecuritySettings(p)) this.warn(`kafka-ts: warning: ${u.keys.join(', ')} ${u.keys.length === 1 ? 'has' : 'have'} no effect with security.protocol=${security.protocol} (set security.protocol=${u.protocols} to use ${u.keys.length === 1 ? 'it' : 'them'})`);
    }
    // On the daemon's Unix socket the local user is a super user: no denial to explain.
    this.principal = bootstrap.some((a) => 'path' in a) ? undefined : expectedPrincipal(security);
    const client = new KafkaClient({
      bootstrap,
      clientId: p['client.id'] ?? opts.clientId ?? 'kafka-ts',
      requestTimeoutMs: clientTimeoutMs(p, 'request.timeout.ms', 30_000),
      connectTimeoutMs: clientTimeoutMs(p, 'default.api.timeout.ms', DEFAULT_CONNECT_TIMEOUT_MS),
      retryBackoffMs: clientTimeoutMs(p, 'retry.backoff.ms', 100),
      onRetrying: (e) => this.warn(`kafka-ts: warning: ${e.message}; retrying for up to ${client.connectTimeoutMs} ms (${opts.connectSetting ?? 'default.api.timeout.ms'})`),
      security,
      // The local daemon's API versions, remembered from an earlier command (see daemonApiVersions).
      ...(this.select(flag).bootstrap === undefined ? { knownApiVersions: daemonApiVersions(daemonPaths(defaultHome(this.env))) } : {}),
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

export function requireInt(value: string | undefined, name: string, opts: { min?: number; max?: number; int32?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const unparsable = () => new UsageError(`Cannot parse argument '${value}' of option ${name}`);
  if (!/^\s*-?\d+\s*$/.test(value)) throw unparsable();
  // Kafka parses these options as Java ints (int32) or longs; a number past them is unparsable
  // there. Past 2^53 a number would silently change here: refused (consumer-groups' offsets and
  // shifts, which Kafka clamps to the log, take any long: src/tools/reset-offsets.ts parseLong).
  const n = Number(value);
  if (opts.int32 ? n < -0x80000000 || n > 0x7fffffff : !Number.isSafeInteger(n)) throw unparsable();
  if (opts.min !== undefined && n < opts.min) throw new UsageError(`Option ${name} must be at least ${opts.min} (got ${n})`);
  if (opts.max !== undefined && n > opts.max) throw new UsageError(`Option ${name} must be at most ${opts.max} (got ${n})`);
  return n;
}

