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

export async function runAction(command: string, action: Action, ctx = new CliContext()): Promise<number> {
  let code: number;
  try {
    code = (await action(ctx)) ?? ExitCode.Ok;
  } catch (e) {
    if (e instanceof OutputClosed) code = ExitCode.Ok;
    else {
      const d = describeError(e);
      if (d.stdout !== undefined) {
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
