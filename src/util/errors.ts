/**
 * The one error family of kafka-ts. Every error a layer means to report carries a `kind`; the CLI
 * maps kinds to exit statuses in one place (src/cli/errors.ts) and to the `kind` of a JSON error
 * object. This module is at the bottom layer and imports nothing, so any layer may throw these and
 * reporting an error never loads the protocol or client modules (start-up time).
 *
 * Classification goes by the brand, not by `instanceof`: the daemon and the TUI are separate
 * bundles, each with its own copy of these classes.
 */

export type ErrorKind =
  /** Bad flags or arguments, an invalid value: exit 2. */
  | 'usage'
  /** The operation failed: the broker refused it, or part of it failed. */
  | 'failed'
  /** No broker could be reached (or answered) within the timeout. */
  | 'unreachable'
  /** A named topic, partition, broker or group does not exist. */
  | 'not_found'
  /** A group is active, or a reassignment is running. */
  | 'busy'
  /** A wait timed out. */
  | 'timeout'
  /** A Kafka response carried an error code (KafkaProtocolError). */
  | 'protocol'
  /** The broker does not support a request kafka-ts needs. */
  | 'unsupported'
  /** Authentication failed: SASL credentials refused, or TLS could not be established (certificate, hostname, protocol). */
  | 'auth'
  /** The broker's authorizer (ACLs) refused the operation to this principal. */
  | 'denied'
  /** Stdout was closed by its reader (`| head`): stop quietly. */
  | 'output_closed'
  /** A schema is incompatible with a subject's earlier versions (schema registry). */
  | 'incompatible';

/**
 * How a command that did not fail ended, when that is more than "ok": named after the keys of
 * the CLI's exit table (src/cli/errors.ts), which alone turns them into exit statuses.
 */
export type Outcome = 'Ok' | 'Failure' | 'NotFound' | 'Busy' | 'LagWarn' | 'LagErr';

const BRAND = Symbol.for('kafka-ts.error');

export interface KafkaTsErrorOptions {
  /** Said after the message in parentheses when the CLI reports it ("is the broker running?"). */
  hint?: string;
  /** Text printed on stdout instead of the usual stderr line (Kafka-compatible layouts). */
  stdout?: string;
  cause?: unknown;
}

export class KafkaTsError extends Error {
  override name = 'KafkaTsError';
  readonly [BRAND] = true;
  readonly hint?: string;
  readonly stdout?: string;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options: KafkaTsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.stdout !== undefined) this.stdout = options.stdout;
  }
}

/** Whether `e` belongs to the family, from whichever bundle it was thrown. */
export function isKafkaTsError(e: unknown): e is KafkaTsError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

export class UsageError extends KafkaTsError {
  override name = 'UsageError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('usage', message, options);
  }
}

export class NotFoundError extends KafkaTsError {
  override name = 'NotFoundError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('not_found', message, options);
  }
}

export class BusyError extends KafkaTsError {
  override name = 'BusyError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('busy', message, options);
  }
}

export class TimeoutError extends KafkaTsError {
  override name = 'TimeoutError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('timeout', message, options);
  }
}

/** The operation failed (the default kind for a reported, expected failure). */
export class FailedError extends KafkaTsError {
  override name = 'FailedError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('failed', message, options);
  }
}

/** Authentication failed (SASL) or a secure connection could not be set up (TLS). */
export class AuthenticationError extends KafkaTsError {
  override name = 'AuthenticationError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('auth', message, options);
  }
}

/** The broker's ACLs refused the operation to this principal. */
export class AuthorizationError extends KafkaTsError {
  override name = 'AuthorizationError';
  constructor(message: string, options?: KafkaTsErrorOptions) {
    super('denied', message, options);
  }
}

/** Stdout was closed by the reader (`| head`): stop quietly, exit 0. */
export class OutputClosed extends KafkaTsError {
  override name = 'OutputClosed';
  constructor(message = 'stdout closed') {
    super('output_closed', message);
  }
}

/**
 * A denial's line naming who was refused ("User:alice is not authorized to …"), when the client
 * knows whom it connected as: for errors (describeError) and for denials a command reports beside
 * its output (get-offsets' topics left out).
 */
export const deniedAs = (line: string, principal: string | undefined): string =>
  principal === undefined ? line : line.startsWith('not authorized') ? `${principal} is ${line}` : `${line} (as ${principal})`;

/**
 * An error's line (message and hint) and its Kafka stdout layout, if it has one, with an ACL
 * denial naming `principal`: Kafka's layout line (topics) names it too, being the only line printed.
 */
export function reportedLines(e: KafkaTsError, principal: string | undefined): { line: string; stdout?: string } {
  let line = e.hint ? `${e.message} (${e.hint})` : e.message;
  let stdout = e.stdout;
  if (e.kind === 'denied' && principal !== undefined) {
    line = deniedAs(line, principal);
    if (stdout?.endsWith(`: ${e.message}`)) stdout = `${stdout.slice(0, -e.message.length)}${line}`;
  }
  return { line, ...(stdout !== undefined && { stdout }) };
}
