/**
 * Runs a command action and maps whatever it throws to one line on stderr (or Kafka's stdout
 * layout) and an exit code. Commands never exit the process themselves.
 */
import { CliContext } from './context.js';
import { CliError, debugRequested, ExitCode, OutputClosed, UsageError } from './errors.js';

export type Action = (ctx: CliContext) => Promise<number | void>;

/**
 * Classifies by error name rather than class, so that reporting an error never loads the
 * protocol or client modules (start-up time).
 */
export function describeError(e: unknown): { line: string; code: number; stdout?: string } {
  if (e instanceof UsageError) return { line: e.message, code: ExitCode.Usage };
  if (e instanceof CliError) return { line: e.message, code: e.exitCode, stdout: e.stdout };
  const err = e as Error & { errorName?: string };
  switch (err?.name) {
    case 'ConnectionError':
      return { line: `${err.message} (is the broker running? see --bootstrap-server)`, code: ExitCode.Unreachable };
    case 'RequestTimeoutError':
      return { line: err.message, code: ExitCode.Unreachable };
    case 'KafkaProtocolError':
      return { line: `${err.message} (${err.errorName})`, code: ExitCode.Failure };
    case 'UnsupportedApiError':
      return { line: err.message, code: ExitCode.Failure };
  }
  return { line: `unexpected error: ${err?.message ?? String(e)}`, code: ExitCode.Failure };
}

/** The `kind` of a JSON error object, by exit code (kafka-ts(1) EXIT STATUS). */
const ERROR_KINDS: Record<number, string> = {
  [ExitCode.Failure]: 'failed',
  [ExitCode.Usage]: 'usage',
  [ExitCode.Unreachable]: 'unreachable',
  [ExitCode.NotFound]: 'not_found',
  [ExitCode.Busy]: 'busy',
  [ExitCode.Timeout]: 'timeout',
};

/**
 * The one line a failed command prints on stdout in JSON mode (`--output json`), so that stdout
 * stays JSON: {"error":{"code":4,"kind":"not_found","message":"…"}}. stderr still gets the usual line.
 */
export function jsonErrorLine(code: number, message: string): string {
  return `${JSON.stringify({ error: { code, kind: ERROR_KINDS[code] ?? 'failed', message } })}\n`;
}

/** `json`: the command was asked for `--output json`; a failure then also prints jsonErrorLine on stdout. */
export async function runAction(command: string, action: Action, ctx = new CliContext(), json = false): Promise<number> {
  let code: number;
  try {
    code = (await action(ctx)) ?? ExitCode.Ok;
  } catch (e) {
    if (e instanceof OutputClosed) code = ExitCode.Ok;
    else {
      const d = describeError(e);
      if (json) {
        try {
          ctx.out.write(jsonErrorLine(d.code, d.line));
        } catch {
          /* stdout closed */
        }
        ctx.warn(`kafka-ts ${command}: ${d.code === ExitCode.Usage ? 'usage error: ' : 'error: '}${d.line}`);
      } else if (d.stdout !== undefined) {
        try {
          ctx.out.write(d.stdout.endsWith('\n') ? d.stdout : `${d.stdout}\n`);
        } catch {
          /* stdout closed */
        }
      } else ctx.warn(`kafka-ts ${command}: ${d.code === ExitCode.Usage ? 'usage error: ' : 'error: '}${d.line}`);
      if (debugRequested(ctx.env) && e instanceof Error && e.stack) ctx.warn(e.stack);
      code = d.code;
    }
  }
  try {
    await ctx.close();
  } catch (e) {
    if (!(e instanceof OutputClosed)) throw e;
  }
  return code;
}
