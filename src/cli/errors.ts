/**
 * Errors the CLI reports and the exit codes they map to. Every command fails through here, so a
 * failure always becomes one clear line on stderr and a documented exit status.
 *
 * Exit codes (kafka-ts(1) EXIT STATUS):
 *   0  success
 *   1  the operation failed (the broker refused it, or part of it failed)
 *   2  usage error: unknown option, missing or invalid argument
 *   3  no broker could be reached within the timeout
 *   4  a named resource does not exist (topic, group)
 *   5  busy: the consumer group is active, or a reassignment is already running
 *   6  a timeout while waiting for a condition (wait modes)
 *  10  lag --check: the worst status is WARN (CHECK_EXIT in src/tools/lag.ts)
 *  11  lag --check: the worst status is ERR
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  Unreachable: 3,
  NotFound: 4,
  GroupActive: 5,
  /** Same status as GroupActive: the target is in use. */
  Busy: 5,
  Timeout: 6,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Failure,
    /** Text printed on stdout instead of the default stderr line (Kafka-compatible layouts). */
    readonly stdout?: string,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** Stdout was closed by the reader (`| head`): stop quietly, exit 0. */
export class OutputClosed extends Error {
  override name = 'OutputClosed';
}
