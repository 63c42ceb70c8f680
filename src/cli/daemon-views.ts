/**
 * What `server` and `server-start -daemon` print: the daemon's status (text layout and JSON
 * object), and what stop reports. The commands return these views; the printer writes them.
 */
import type { DaemonStatus } from './local-daemon.js';
import type { View } from './view.js';

/** A TCP listener (PLAINTEXT://h:p, SASL_SSL://h:p, custom names), not the Unix socket. */
const isTcp = (l: string) => !l.startsWith('LOCAL://') && !l.includes(':///');

/** The status of a running daemon: several lines of text, {"running":true,…} in JSON. */
export function statusText(s: DaemonStatus): string {
  const lines = [
    `kafka-ts broker is running (pid ${s.pid}, kafka-ts ${s.version})`,
    `  data dir:    ${s.dataDir}`,
    `  socket:      ${s.socket}`,
    `  listeners:   ${s.listeners.filter(isTcp).join(', ')}`,
    `  cluster id:  ${s.clusterId}`,
    ...(s.schemaRegistry ? [`  registry:    ${s.schemaRegistry} (schema registry)`] : []),
    `  log file:    ${s.logFile}`,
    // A log dir taken offline by an I/O error (a full disk): its partitions are offline until the broker restarts.
    ...s.brokers
      .filter((b) => b.logDirError)
      .map((b) => `  offline:     log dir ${b.logDir}${s.brokers.length > 1 ? ` of broker ${b.id}` : ''} (${b.logDirError}): its partitions answer KAFKA_STORAGE_ERROR until the broker restarts`),
  ];
  if (s.brokers.length > 1 || s.brokers.some((b) => !b.live)) {
    lines.push('  brokers:');
    for (const b of s.brokers) {
      const role = b.id === s.controllerId ? ', controller' : '';
      const tcp = b.listeners.filter(isTcp).join(', ');
      const offline = b.logDirError ? ' (offline)' : '';
      lines.push(`    ${b.id}  ${b.live ? 'running' : 'stopped'}${role}  ${b.live ? tcp : ''}  ${b.logDir}${offline}`.trimEnd());
    }
  }
  return lines.join('\n');
}

/** A running daemon (server start, status, stop-broker, start-broker). */
export const runningView = (status: DaemonStatus): View => ({ data: { running: true, ...status }, text: () => [statusText(status)] });

/** server-start -daemon: one short line in text, the same status object as server start in JSON. */
export const startedView = (status: DaemonStatus): View => ({
  data: { running: true, ...status },
  text: () => [`kafka-ts broker started (pid ${status.pid}, data dir ${status.dataDir})`],
});

/** server status when no daemon runs: exit 3 (Unreachable). */
export const notRunningView = (home: string): View => ({
  data: { running: false, dataDir: home },
  text: () => [`kafka-ts broker is not running (data dir ${home})`],
  exit: 'Unreachable',
});

/**
 * server status when the daemon's process lives but its control socket did not answer (a daemon
 * busy for seconds, or stopped by a signal): exit 3 (Unreachable), but not "not running", which
 * would invite starting a second one.
 */
export const notAnsweringView = (pid: number, home: string, logFile: string, waitedMs: number): View => ({
  data: { running: true, responding: false, pid, dataDir: home },
  text: () => [`kafka-ts broker (pid ${pid}) is running but did not answer within ${waitedMs / 1000} s (data dir ${home}); see ${logFile}`],
  exit: 'Unreachable',
});

/** server stop: the stopped daemon's pid, or null when none ran (said on stderr, exit 0). */
export const stoppedView = (pid: number | null, home: string): View => ({
  data: { stopped: pid !== null, pid },
  text: () => (pid === null ? [] : [`Stopped the kafka-ts broker (pid ${pid}).`]),
  ...(pid === null && { warnings: () => [`kafka-ts broker is not running (data dir ${home})`] }),
});
