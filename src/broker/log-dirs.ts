/**
 * A broker's log directory going offline, as Kafka's LogDirFailureChannel takes a log dir offline:
 * the first I/O error (ENOSPC, EIO, ...) met while appending to, reading or replicating a
 * partition of the directory is logged once at ERROR and the whole directory stops serving. Its
 * partitions then answer KAFKA_STORAGE_ERROR (retriable: clients refresh metadata and retry), the
 * controller moves their leadership to other in-sync replicas, and nothing more is written there
 * (no checkpoints, no retention, no clean-shutdown marker) until the broker restarts and
 * recovers the directory. kafka-ts brokers have one log dir each; unlike Kafka, whose broker halts
 * when its last log dir fails, a kafka-ts broker keeps running (it still answers Metadata,
 * DescribeLogDirs and its other brokers' partitions in the same daemon).
 */
import type { Logger } from '../util/logger.js';

/** An error from the file system (node:fs errors carry an errno code and a syscall). */
export function isStorageIoError(e: unknown): e is NodeJS.ErrnoException {
  if (!(e instanceof Error)) return false;
  const x = e as NodeJS.ErrnoException;
  return typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code) && typeof x.syscall === 'string';
}

export class LogDirState {
  private cause: string | null = null;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    /** Called once, when the directory goes offline. */
    private readonly onOffline: () => void,
  ) {}

  get offline(): boolean {
    return this.cause !== null;
  }

  /** The error that took the directory offline, or null while it is online. */
  get failure(): string | null {
    return this.cause;
  }

  /**
   * Reports an I/O error met while `doing` something (e.g. "appending records to t-0"); the first
   * one takes the directory offline. Later ones are already covered and are not logged again.
   */
  fail(doing: string, error: Error): void {
    if (this.cause !== null) return;
    this.cause = error.message;
    this.log.error(`Error while ${doing} in dir ${this.dir}: ${error.message}`);
    this.onOffline();
  }
}
