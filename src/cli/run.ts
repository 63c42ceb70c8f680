/**
 * Runs a command action and maps whatever it throws to one line on stderr (or Kafka's stdout
 * layout) and an exit code. Commands never exit the process themselves.
 */
import { CliContext } from './context.js';
import { debugRequested, describeError, exitCode, isKafkaTsError, jsonErrorLine, type ExitStatusKey } from './errors.js';

export type Action = (ctx: CliContext) => Promise<ExitStatusKey | void>;

/** `json`: the command was asked for `--output json`; a failure then also prints jsonErrorLine on stdout. */
export async function runAction(command: string, action: Action, ctx = new CliContext(), json = false): Promise<number> {
  let code: number;
  let outputClosed = false;
  try {
    code = exitCode((await action(ctx)) ?? 'Ok');
  } catch (e) {
    outputClosed = closedOutput(e);
    if (outputClosed) code = exitCode('Ok');
    else {
      // Kafka's tools say their finally blocks' lines before their top level prints the error
      // (console-consumer: "Processed a total of N messages", then the error).
      ctx.sayAtEnd();
      const d = describeError(e, ctx.principal);
      if (json) {
        try {
          ctx.out.write(jsonErrorLine(d.code, d.line));
        } catch {
          /* stdout closed */
        }
        ctx.warn(`kafka-ts ${command}: ${d.code === exitCode('Usage') ? 'usage error: ' : 'error: '}${d.line}`);
      } else if (d.stdout !== undefined) {
        try {
          ctx.out.write(d.stdout.endsWith('\n') ? d.stdout : `${d.stdout}\n`);
        } catch {
          /* stdout closed */
        }
      } else ctx.warn(`kafka-ts ${command}: ${d.code === exitCode('Usage') ? 'usage error: ' : 'error: '}${d.line}`);
      if (debugRequested(ctx.env) && e instanceof Error && e.stack) ctx.warn(e.stack);
      code = d.code;
    }
  }
  // What the command says however it ended (said already, before the error line, when it failed).
  if (!outputClosed) ctx.sayAtEnd();
  try {
    await ctx.close();
  } catch (e) {
    if (closedOutput(e)) return code;
    // The last of the output could not be written (a full disk): the command failed after all.
    if (!isKafkaTsError(e)) throw e;
    // A command that failed already said why (often this very write error).
    if (code === exitCode('Ok')) {
      ctx.warn(`kafka-ts ${command}: error: ${e.message}`);
      code = exitCode('Failure');
    }
  }
  return code;
}

const closedOutput = (e: unknown): boolean => isKafkaTsError(e) && e.kind === 'output_closed';
