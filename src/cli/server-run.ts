/**
 * Running the daemon in the foreground (used directly with --foreground, and by the launcher
 * that `server start` and auto-start use): start, report readiness to a parent over IPC, and
 * stop cleanly on SIGTERM/SIGINT (and SIGHUP in the foreground) or a control request.
 */
import { buildBrokerConfig, ConfigError } from '../broker/config.js';
import { Daemon, DaemonStartError } from '../broker/daemon.js';
import { FailedError, UsageError, type ExitStatusKey } from './errors.js';
import { getHeapStatistics } from 'node:v8';

/**
 * Checks the daemon's configuration before anything starts (issue 19): the properties the daemon
 * would run with (startProperties: the --config file or the data directory's server.properties,
 * then --override pairs and flags), against the broker catalogue, config providers resolved. An
 * invalid value or an unsupported setting is a usage error (exit 2) with Kafka's one-line text.
 * Returns the warnings (unknown keys) as the starting command prints them on stderr; the daemon
 * also logs them.
 */
export function checkServerProperties(home: string, properties: Record<string, string>): string[] {
  try {
    return buildBrokerConfig(home, properties).warnings.map((w) => `WARN ${w.message} (kafka.server.KafkaConfig)`);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** `properties` are all the daemon runs with (see checkServerProperties). `onReady` runs once the daemon serves (the CLI then remembers how it was started). */
export async function runForeground(home: string, properties: Record<string, string>, onReady?: () => void): Promise<ExitStatusKey> {
  let daemon: Daemon;
  // The handlers are in place before the start-up lines are logged, so that a signal sent on
  // seeing them (a script, a test) finds them; one that comes while the daemon is still starting
  // ends the process as it would without them.
  let started = false;
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!started) {
      process.removeAllListeners(sig);
      process.kill(process.pid, sig);
      return;
    }
    stoppedBy ??= sig;
    void daemon.stop(sig);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A broker in the foreground of a terminal stops cleanly when the terminal goes away, as
  // kafka-server-start.sh's JVM runs its shutdown hooks on SIGHUP. Without a terminal it ignores
  // SIGHUP: the background daemon (server start, or started on demand: KAFKA_TS_DAEMON=1), as
  // kafka-server-start.sh -daemon does, and a foreground broker under nohup or a service manager
  // (Node resets nohup's "ignore" at start, so it cannot be read; with no terminal on stdio there
  // is no terminal to lose).
  const onTerminal = process.env.KAFKA_TS_DAEMON !== '1' && [process.stdin, process.stdout, process.stderr].some((s) => s.isTTY);
  process.on('SIGHUP', onTerminal ? onSignal : () => undefined);
  try {
    checkServerProperties(home, properties);
    daemon = new Daemon({ home, properties });
    const status = await daemon.start();
    started = true;
    process.send?.({ ready: status });
    onReady?.();
  } catch (e) {
    // A setting the daemon cannot use (a keystore that is missing, a value out of range) is a
    // usage error wherever it is found: before the start or while the listeners open.
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.send?.({ error: e.message, usage: true });
      throw e instanceof UsageError ? e : new UsageError(e.message);
    }
    const message = e instanceof DaemonStartError ? e.message : `could not start: ${(e as Error).message}`;
    process.send?.({ error: message });
    throw new FailedError(message);
  }
  if (process.connected) process.disconnect();
  if (process.env.KAFKA_HEAP_OPTS && process.env.KAFKA_TS_DAEMON !== '1') {
    // KAFKA_HEAP_OPTS sizes the heap of a daemon the CLI starts (local-daemon.ts); a process that
    // is already running cannot change its own, so say so rather than ignore it.
    const limitMb = Math.round(getHeapStatistics().heap_size_limit / 1048576);
    daemon.log.warn(`KAFKA_HEAP_OPTS is applied when the CLI starts the daemon, not to 'server start --foreground': this process keeps its heap limit of ${limitMb} MB (use node --max-old-space-size=N, e.g. through NODE_OPTIONS)`);
  }
  process.on('uncaughtException', (err) => daemon.log.error(`Uncaught exception: ${err.stack ?? err.message}`));
  await daemon.stopped;
  // Its terminal gone: the process ends by the signal (see launch.ts), as a shell expects.
  return stoppedBy === 'SIGHUP' ? 'HungUp' : 'Ok';
}
