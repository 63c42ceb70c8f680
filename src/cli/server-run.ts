/**
 * Running the daemon in the foreground (used directly with --foreground, and by the launcher
 * that `server start` and auto-start use): start, report readiness to a parent over IPC, and
 * stop cleanly on SIGTERM/SIGINT or a control request.
 */
import { ConfigError } from '../broker/config.js';
import { Daemon, DaemonStartError, daemonPaths, loadHomeProperties } from '../broker/daemon.js';
import { FailedError, type ExitStatusKey } from './errors.js';

/** `onReady` runs once the daemon serves (the CLI then remembers how it was started). */
export async function runForeground(home: string, properties: Record<string, string>, onReady?: () => void): Promise<ExitStatusKey> {
  const paths = daemonPaths(home);
  let daemon: Daemon;
  try {
    daemon = new Daemon({ home, properties: { ...loadHomeProperties(paths), ...properties } });
    const status = await daemon.start();
    process.send?.({ ready: status });
    onReady?.();
  } catch (e) {
    const message = e instanceof DaemonStartError || e instanceof ConfigError ? e.message : `could not start: ${(e as Error).message}`;
    process.send?.({ error: message });
    throw new FailedError(message);
  }
  if (process.connected) process.disconnect();
  const onSignal = (sig: string) => void daemon.stop(sig);
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGHUP', () => undefined);
  process.on('uncaughtException', (err) => daemon.log.error(`Uncaught exception: ${err.stack ?? err.message}`));
  await daemon.stopped;
  return 'Ok';
}
