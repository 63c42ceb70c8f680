/**
 * Where a daemon keeps its files, and what it reports about itself. Kept free of imports so the
 * CLI can find a daemon without loading the broker.
 */
import { join } from 'node:path';

export interface DaemonPaths {
  home: string;
  pidFile: string;
  logFile: string;
  socket: string;
  control: string;
  properties: string;
  /** Settings of the last explicit `server start`, reused when a command starts the daemon. */
  startOptions: string;
  /** Held (created exclusively, holding the pid) by the one command starting the daemon. */
  startLock: string;
}

/** Kafka's default TCP port, the first broker's unless configured otherwise. */
export const DEFAULT_PORT = 9092;

/** The Unix socket through which a daemon's first broker is reached. */
export const DAEMON_SOCKET = 'kafka.sock';

export function daemonPaths(home: string): DaemonPaths {
  return {
    home,
    pidFile: join(home, 'kafka-ts.pid'),
    logFile: join(home, 'server.log'),
    socket: join(home, DAEMON_SOCKET),
    control: join(home, 'control.sock'),
    properties: join(home, 'server.properties'),
    startOptions: join(home, 'start-options.json'),
    startLock: join(home, 'start.lock'),
  };
}

export interface DaemonStatus {
  pid: number;
  version: string;
  dataDir: string;
  socket: string;
  controlSocket: string;
  logFile: string;
  pidFile: string;
  startedAt: string;
  clusterId: string;
  controllerId: number;
  listeners: string[];
  /** The schema registry's URL (http://host:port), or null when it is off. */
  schemaRegistry?: string | null;
  /** rack: broker.rack / kafka-ts.broker.racks; consumerFetches: consumer reads as leader and as follower (KIP-392). */
  /** logDirError: the I/O error that took the broker's log dir offline (its partitions answer KAFKA_STORAGE_ERROR until it restarts), null while online. */
  brokers: { id: number; live: boolean; listeners: string[]; logDir: string; logDirError?: string | null; rack?: string | null; consumerFetches?: ConsumerFetchStats }[];
  /** Request handling time per API since the start (decoded request to encoded response). */
  /** Durable mode's group commit since the start: sync rounds, the appends/timers they served, fdatasync calls. */
  durableSyncs?: { rounds: number; requests: number; files: number };
  /** Event-loop delay since the start, sampled every 20 ms while requests are handled (samples: how many; 0 = none yet). */
  eventLoopDelay?: { p50Ms: number; p99Ms: number; maxMs: number; samples: number };
  /** Garbage-collection pauses since the start. */
  gcPauses?: { count: number; totalMs: number; maxMs: number };
  requestTimes?: { api: string; apiKey: number; count: number; p50Ms: number; p99Ms: number; maxMs: number }[];
}

/** A broker's consumer reads since the start, as leader and as follower, and answers that sent the consumer to another replica. */
export interface ConsumerFetchStats {
  asLeader: { partitionFetches: number; bytes: number };
  asFollower: { partitionFetches: number; bytes: number };
  redirected: number;
}
