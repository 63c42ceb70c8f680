/**
 * Errors the CLI reports and the exit codes they map to. Every command fails through here, so a
 * failure always becomes one clear line on stderr and a documented exit status.
 *
 * EXIT_STATUS is the one table of exit codes and their meanings: commands name the keys they can
 * return (CommandSpec.exits) and the man pages print the meanings from here.
 */
export const EXIT_STATUS = {
  Ok: { code: 0, meaning: 'success' },
  Failure: { code: 1, meaning: 'the operation failed: the broker refused it, or part of it failed' },
  Usage: { code: 2, meaning: 'usage error: unknown option, missing or invalid argument' },
  Unreachable: {
    code: 3,
    meaning: 'no broker could be reached within the timeout (10 s by default; default.api.timeout.ms in a --command-config file changes it)',
  },
  NotFound: { code: 4, meaning: 'a named topic, partition, broker or consumer group does not exist' },
  Busy: { code: 5, meaning: 'busy: the consumer group is active (operations that need an inactive group), or a partition reassignment is already running' },
  Timeout: { code: 6, meaning: 'a wait timed out' },
  LagWarn: { code: 10, meaning: 'lag --check: the worst status is WARN' },
  LagErr: { code: 11, meaning: 'lag --check: the worst status is ERR (STOP, STALL or REWIND)' },
  Interrupted: { code: 130, meaning: 'interrupted (SIGINT, Ctrl-C) while streaming; what was read or sent before is complete' },
  Terminated: { code: 143, meaning: 'terminated (SIGTERM) while streaming; what was read or sent before is complete' },
} as const;
export type ExitStatusKey = keyof typeof EXIT_STATUS;

export const ExitCode = {
  Ok: EXIT_STATUS.Ok.code,
  Failure: EXIT_STATUS.Failure.code,
  Usage: EXIT_STATUS.Usage.code,
  Unreachable: EXIT_STATUS.Unreachable.code,
  NotFound: EXIT_STATUS.NotFound.code,
  /** Same status as Busy: the group is in use. */
  GroupActive: EXIT_STATUS.Busy.code,
  Busy: EXIT_STATUS.Busy.code,
  Timeout: EXIT_STATUS.Timeout.code,
  LagWarn: EXIT_STATUS.LagWarn.code,
  LagErr: EXIT_STATUS.LagErr.code,
  Interrupted: EXIT_STATUS.Interrupted.code,
  Terminated: EXIT_STATUS.Terminated.code,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit status of a command stopped by a signal it handles (128 + the signal number, as shells report). */
export const signalExit = (signal: NodeJS.Signals): number => (signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted);

/** Whether unexpected errors print their stack trace: --debug (main sets the variable), or KAFKA_TS_DEBUG set and not 0. */
export const debugRequested = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.KAFKA_TS_DEBUG && env.KAFKA_TS_DEBUG !== '0';

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
