/**
 * The kafka-ts entry point: registers every command with commander and turns parse errors into
 * one usage line and exit code 2. Help and --version (on every command) exit 0. Anything thrown
 * outside a command's own error handling ends as one line on stderr too (crashReport).
 */
import { Command, CommanderError } from 'commander';
import { refuseRepeats, type CommandSpec } from './command.js';
import { VERSION } from '../version.js';
import { runAction } from './run.js';
import type { CliContext } from './context.js';
import { debugRequested, exitCode, isKafkaTsError, jsonErrorLine } from './errors.js';
import { Output } from './output.js';

/**
 * The short commands (issue 17): what the CLI's first bundle carries, so that a command line
 * naming one of them starts without loading the other commands (the rest come from
 * commands/index.ts, bundled apart by scripts/bundle.mjs; every one is also in that full list).
 * The admin commands that share the short ones' client and tools add ~55 KB (about 0.5 ms to
 * every short command) and spare themselves the second bundle (~4 ms); the console, perf,
 * streams, schema-registry, server and TUI commands load it. Each is imported when named (in
 * the same bundle: esbuild runs a module's code on its first import), so that a command line
 * runs one command's module, option tables and manual, not twelve (about 0.5 ms).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const SHORT_COMMANDS: Readonly<Record<string, () => Promise<{ default: CommandSpec<any> }>>> = {
  topics: () => import('../../commands/topics.js'),
  'consumer-groups': () => import('../../commands/consumer-groups.js'),
  configs: () => import('../../commands/configs.js'),
  'get-offsets': () => import('../../commands/get-offsets.js'),
  cluster: () => import('../../commands/cluster.js'),
  'broker-api-versions': () => import('../../commands/broker-api-versions.js'),
  acls: () => import('../../commands/acls.js'),
  features: () => import('../../commands/features.js'),
  'log-dirs': () => import('../../commands/log-dirs.js'),
  'delete-records': () => import('../../commands/delete-records.js'),
  'metadata-quorum': () => import('../../commands/metadata-quorum.js'),
  'leader-election': () => import('../../commands/leader-election.js'),
};

/**
 * The commands a command line needs. One that starts with a short command's name (nothing else
 * at the root: no root help, no suggestions among the others) needs only that command, which
 * the first bundle carries; anything else loads the full list (commands/index.ts, a bundle of
 * its own that shares this one's modules: see scripts/bundle.mjs).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function commandsFor(argv: readonly string[]): Promise<CommandSpec<any>[]> {
  const name = argv[0];
  if (name !== undefined && Object.hasOwn(SHORT_COMMANDS, name)) return [(await SHORT_COMMANDS[name]!()).default];
  return (await import('../../commands/index.js')).COMMANDS;
}

/**
 * The command tree of `commands`. With `only` (the command a command line names), only that
 * command gets its options, actions and docs; the others are bare names with their summary,
 * enough for commander's "did you mean" suggestions, at a fraction of the start-up cost of
 * building 26 option tables. The root help and `completion` need every command in full: they
 * are built so.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function buildProgram(onExit: (code: number) => void, commands: readonly CommandSpec<any>[], only?: string): Command {
  const program = new Command('kafka-ts')
    .description("Apache Kafka's command-line tools, with a local Kafka-compatible broker")
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help and exit')
    .option('--debug', 'print stack traces of unexpected errors (also KAFKA_TS_DEBUG=1); accepted anywhere before --')
    .showSuggestionAfterError(true)
    .enablePositionalOptions();
  const full = only === undefined || only === 'completion' || !commands.some((s) => s.name === only) ? undefined : only;
  for (const spec of commands) {
    if (full !== undefined && spec.name !== full) {
      program.command(spec.name).description(spec.summary);
      continue;
    }
    const cmd = program
      .command(spec.name)
      .description(spec.summary)
      .version(VERSION, '-V, --version', 'print the version and exit')
      .helpOption('-h, --help', 'show help and exit');
    spec.build(cmd);
    if (!spec.lastValueWins) refuseRepeats(cmd);
    cmd.action(async () => {
      const given = (option: string) => cmd.getOptionValueSource(option) === 'cli';
      const json = cmd.opts().output === 'json';
      const context = cmd.opts().context;
      const action = (ctx: CliContext) => {
        if (typeof context === 'string') ctx.contextName = context;
        return spec.run(cmd.opts(), cmd.args, ctx, given, program);
      };
      onExit(await runAction(spec.name, action, undefined, json));
    });
  }
  return program;
}

/**
 * Writes help or version text to stdout: exit 0, also when its reader went away (`| head`); a
 * write that fails otherwise (a full disk) is exit 1 with one line, as for any command's output.
 */
async function writeStdout(text: string): Promise<number> {
  const out = new Output();
  try {
    out.write(text);
    await out.end();
    return exitCode('Ok');
  } catch (e) {
    if (!isKafkaTsError(e)) throw e;
    if (e.kind === 'output_closed') return exitCode('Ok');
    process.stderr.write(`kafka-ts: error: ${e.message}\n`);
    return exitCode('Failure');
  }
}

/** Whether the command line asks for JSON output, read before (or without) parsing succeeded. */
function asksForJson(argv: string[]): boolean {
  return argv.some((a, i) => ((a === '--output' || a === '-o') && argv[i + 1] === 'json') || a === '--output=json' || a === '-ojson');
}

/**
 * The last resort for an exception no command caught (or a promise rejection nobody awaited):
 * one line on stderr and exit 1 instead of Node's dump of the (minified) bundle source; the stack
 * only in debug mode. A reader that closed stdout (`| head`) ends the process quietly with 0.
 */
export function crashReport(e: unknown, debug: boolean): { text: string; code: number } {
  const err = e as NodeJS.ErrnoException | undefined;
  if ((isKafkaTsError(e) && e.kind === 'output_closed') || (err?.code === 'EPIPE' && err.syscall === 'write')) return { text: '', code: exitCode('Ok') };
  const message = (err instanceof Error ? err.message : String(e)).split('\n')[0];
  if (debug) return { text: `kafka-ts: internal error: ${message}\n${err instanceof Error && err.stack ? `${err.stack}\n` : ''}`, code: exitCode('Failure') };
  return { text: `kafka-ts: internal error: ${message} (run with --debug for the stack trace)\n`, code: exitCode('Failure') };
}

function installCrashHandler(): void {
  const onCrash = (e: unknown) => {
    // The foreground daemon logs uncaught exceptions with its own handler and keeps serving.
    if (process.listenerCount('uncaughtException') > 1) return;
    const { text, code } = crashReport(e, debugRequested());
    if (text) process.stderr.write(text);
    process.exit(code);
  };
  // Unhandled rejections arrive here too (Node's default --unhandled-rejections=throw).
  process.on('uncaughtException', onCrash);
  // A diagnostic that cannot be written (stderr's terminal hung up, its pipe closed) has nowhere
  // else to go: dropped, rather than an uncaught error that turns a clean stop into a crash.
  if (!process.stderr.listeners('error').includes(dropWriteError)) process.stderr.on('error', dropWriteError);
}

const dropWriteError = (): void => undefined;

export async function main(argv: string[]): Promise<number> {
  installCrashHandler();
  // --debug is global and may stand anywhere before `--`; it is passed on through the
  // environment, which bin/kafka-ts.cjs also reads to load the source map first.
  const end = argv.indexOf('--');
  const debugAt = argv.indexOf('--debug');
  if (debugAt >= 0 && (end < 0 || debugAt < end)) {
    argv = argv.filter((_, i) => i !== debugAt);
    process.env.KAFKA_TS_DEBUG = '1';
  }
  let status: number = exitCode('Ok');
  let errText = '';
  // Help and version text, written once parsing is over (writeStdout: a write error is a failure).
  let outText = '';
  // The command named: the first argument that is not an option (the root's options take no value).
  const specs = await commandsFor(argv);
  const program = buildProgram((c) => (status = c), specs, argv.find((a) => !a.startsWith('-')));
  const silence = (c: Command) => {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => (outText += s), writeErr: (s) => (errText += s), outputError: (s) => (errText += s) });
    for (const sub of c.commands) silence(sub);
  };
  silence(program);
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return exitCode('Usage');
  }
  if (argv.length === 1 && specs.some((s) => s.name === argv[0] && s.helpWhenBare)) {
    const sub = program.commands.find((c) => c.name() === argv[0]);
    if (sub) return writeStdout(sub.helpInformation());
  }
  // kafka-server-start.sh spells its background flag with one dash.
  if (argv[0] === 'server-start') argv = argv.map((a) => (a === '-daemon' ? '--daemon' : a));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0)) return writeStdout(outText);
    // `help X` for an X that is no command: commander prints the root help on stderr as an
    // error (exit 1); `help --help` is help about help, i.e. the root help, on stdout.
    let helpError: string | undefined;
    if (e.code === 'commander.help') {
      const asked = argv[argv.indexOf('help') + 1] ?? '';
      if (asked === '--help' || asked === '-h') return writeStdout(program.helpInformation());
      helpError = `unknown command '${asked}'`;
    }
    const cmdName = helpError === undefined ? (argv.find((a) => !a.startsWith('-')) ?? '') : '';
    // commander puts its suggestion ("(Did you mean topics?)") on a line of its own.
    const message = helpError ?? (errText || e.message).trim().replace(/\s*\n\s*/g, ' ').replace(/^error: /, '');
    const where = program.commands.some((c) => c.name() === cmdName) ? `kafka-ts ${cmdName}` : 'kafka-ts';
    process.stderr.write(`${where}: usage error: ${message} (see '${where} --help')\n`);
    // JSON mode keeps stdout JSON even for a command line that did not parse.
    if (asksForJson(argv)) await new Promise<void>((resolve) => process.stdout.write(jsonErrorLine(exitCode('Usage'), message), () => resolve()));
    return exitCode('Usage');
  }
  return status;
}
