/**
 * Errors the CLI reports and the exit codes they map to: the one place where exit statuses are
 * decided. Every command fails through here, so a failure always becomes one clear line on stderr
 * and a documented exit status.
 *
 * EXIT_STATUS is the one table of exit codes and their meanings: commands name the keys they can
 * return (CommandSpec.exits) and the man pages print the meanings from here. Errors of the one
 * family (src/util/errors.ts) map to a status by their kind (EXIT_OF_KIND); an outcome that is not
 * an error (lag --check's WARN, a partly failed reassignment) is named by its key (exitCode).
 */
import { isKafkaTsError, reportedLines, type ErrorKind, type Outcome } from '../util/errors.js';

export { AuthenticationError, AuthorizationError, BusyError, FailedError, isKafkaTsError, KafkaTsError, NotFoundError, OutputClosed, TimeoutError, UsageError, type ErrorKind, type Outcome } from '../util/errors.js';

export const EXIT_STATUS = {
  Ok: { code: 0, meaning: 'success' },
  Failure: { code: 1, meaning: 'the operation failed: the broker refused it, or part of it failed' },
  Usage: { code: 2, meaning: 'usage error: unknown option, missing or invalid argument' },
  Unreachable: {
    code: 3,
    meaning:
      'no broker could be reached within the timeout (10 s by default; default.api.timeout.ms in a --command-config file changes it), or the connection closed before the broker answered a request sent on it (the request may or may not have been applied)',
  },
  NotFound: { code: 4, meaning: 'a named topic, partition, broker or consumer group does not exist' },
  Busy: { code: 5, meaning: 'busy: the consumer group is active (operations that need an inactive group), or a partition reassignment is already running' },
  Timeout: { code: 6, meaning: 'a wait timed out' },
  AuthFailed: { code: 7, meaning: 'authentication failed: SASL credentials refused, or no secure connection (untrusted or expired certificate, hostname mismatch, TLS spoken to a plaintext port or the reverse, no TLS version or cipher suite in common)' },
  Denied: { code: 8, meaning: "not authorized: the broker's ACLs refuse the operation to this principal" },
  LagWarn: { code: 10, meaning: 'lag --check: the worst status is WARN' },
  LagErr: { code: 11, meaning: 'lag --check: the worst status is ERR (STOP, STALL, REWIND, UNAVAILABLE or UNKNOWN_TOPIC)' },
  Incompatible: { code: 12, meaning: "schema registry: the schema is incompatible with the subject's versions under its compatibility level (the reasons are printed)" },
  HungUp: { code: 129, meaning: 'the terminal went away (SIGHUP): stopped cleanly as on SIGTERM (what was read or sent before is complete), then ended by the signal itself, which a shell reports as 129' },
  Interrupted: { code: 130, meaning: 'interrupted (SIGINT, Ctrl-C) while streaming; what was read or sent before is complete' },
  Terminated: { code: 143, meaning: 'terminated (SIGTERM) while streaming; what was read or sent before is complete' },
} as const;
export type ExitStatusKey = keyof typeof EXIT_STATUS;

/** The exit status of a command stopped by a signal it handles (128 + the signal number, as shells report). */
export const signalExit = (signal: NodeJS.Signals): ExitStatusKey => (signal === 'SIGTERM' ? 'Terminated' : signal === 'SIGHUP' ? 'HungUp' : 'Interrupted');

/** Whether unexpected errors print their stack trace: --debug (main sets the variable), or KAFKA_TS_DEBUG set and not 0. */
export const debugRequested = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.KAFKA_TS_DEBUG && env.KAFKA_TS_DEBUG !== '0';

/** The exit status of a command's outcome, by its key in EXIT_STATUS. */
export const exitCode = (outcome: ExitStatusKey | Outcome): number => EXIT_STATUS[outcome].code;

/** The exit status each kind of error ends a command with. */
export const EXIT_OF_KIND: Record<ErrorKind, ExitStatusKey> = {
  usage: 'Usage',
  failed: 'Failure',
  unreachable: 'Unreachable',
  not_found: 'NotFound',
  busy: 'Busy',
  timeout: 'Timeout',
  protocol: 'Failure',
  unsupported: 'Failure',
  auth: 'AuthFailed',
  denied: 'Denied',
  output_closed: 'Ok',
  incompatible: 'Incompatible',
};

/**
 * What a failed command reports: the line for stderr (or Kafka's stdout layout instead) and the
 * exit code. An error outside the family is a bug or an unforeseen failure: "unexpected error".
 * `principal`: whom the command connected as (see CliContext.principal), named in ACL denials.
 */
export function describeError(e: unknown, principal?: string): { line: string; code: number; stdout?: string } {
  // An ACL denial names who was refused, when the command knows whom it connected as.
  if (isKafkaTsError(e)) return { ...reportedLines(e, principal), code: exitCode(EXIT_OF_KIND[e.kind]) };
  const err = e as Error | undefined;
  return { line: `unexpected error: ${err?.message ?? String(e)}`, code: exitCode('Failure') };
}

/** The `kind` of a JSON error object, by exit code (kafka-ts(1) EXIT STATUS). */
const JSON_KIND_OF_CODE: Record<number, ErrorKind> = {
  [EXIT_STATUS.Failure.code]: 'failed',
  [EXIT_STATUS.Usage.code]: 'usage',
  [EXIT_STATUS.Unreachable.code]: 'unreachable',
  [EXIT_STATUS.NotFound.code]: 'not_found',
  [EXIT_STATUS.Busy.code]: 'busy',
  [EXIT_STATUS.Timeout.code]: 'timeout',
  [EXIT_STATUS.AuthFailed.code]: 'auth',
  [EXIT_STATUS.Denied.code]: 'denied',
  [EXIT_STATUS.Incompatible.code]: 'incompatible',
};

/**
 * The one line a failed command prints on stdout in JSON mode (`--output json`), so that stdout
 * stays JSON: {"error":{"code":4,"kind":"not_found","message":"…"}}. stderr still gets the usual line.
 */
export function jsonErrorLine(code: number, message: string): string {
  return `${JSON.stringify(jsonError(code, message))}\n`;
}

/** The document of jsonErrorLine. */
export const jsonError = (code: number, message: string) => ({ error: { code, kind: JSON_KIND_OF_CODE[code] ?? 'failed', message } });
