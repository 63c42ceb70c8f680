/**
 * The kafka-ts entry point: registers every command with commander and turns parse errors into
 * one usage line and exit code 2. Help and --version exit 0.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from '../../commands/index.js';
import { VERSION } from '../version.js';
import { jsonErrorLine, runAction } from './run.js';
import { ExitCode } from './errors.js';

export function buildProgram(onExit: (code: number) => void): Command {
  const program = new Command('kafka-ts')
    .description("Apache Kafka's command-line tools, with a local Kafka-compatible broker")
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help and exit')
    .showSuggestionAfterError(true)
    .enablePositionalOptions();
  for (const spec of COMMANDS) {
    const cmd = program.command(spec.name).description(spec.summary).helpOption('-h, --help', 'show help and exit');
    spec.build(cmd);
    cmd.action(async () => {
      const given = (option: string) => cmd.getOptionValueSource(option) === 'cli';
      const json = cmd.opts().output === 'json';
      onExit(await runAction(spec.name, (ctx) => spec.run(cmd.opts(), cmd.args, ctx, given), undefined, json));
    });
  }
  return program;
}

/** Whether the command line asks for JSON output, read before (or without) parsing succeeded. */
function asksForJson(argv: string[]): boolean {
  return argv.some((a, i) => ((a === '--output' || a === '-o') && argv[i + 1] === 'json') || a === '--output=json' || a === '-ojson');
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  let errText = '';
  const program = buildProgram((c) => (exitCode = c));
  const silence = (c: Command) => {
    c.exitOverride();
    c.configureOutput({ writeErr: (s) => (errText += s), outputError: (s) => (errText += s) });
    for (const sub of c.commands) silence(sub);
  };
  silence(program);
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return ExitCode.Usage;
  }
  // kafka-server-start.sh spells its background flag with one dash.
  if (argv[0] === 'server-start') argv = argv.map((a) => (a === '-daemon' ? '--daemon' : a));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.Ok;
    const cmdName = argv.find((a) => !a.startsWith('-')) ?? '';
    const message = (errText || e.message).trim().split('\n')[0]!.replace(/^error: /, '');
    const where = program.commands.some((c) => c.name() === cmdName) ? `kafka-ts ${cmdName}` : 'kafka-ts';
    process.stderr.write(`${where}: usage error: ${message} (see '${where} --help')\n`);
    // JSON mode keeps stdout JSON even for a command line that did not parse.
    if (asksForJson(argv)) await new Promise<void>((resolve) => process.stdout.write(jsonErrorLine(ExitCode.Usage, message), () => resolve()));
    return ExitCode.Usage;
  }
  return exitCode;
}
