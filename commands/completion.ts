import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { printView } from '../src/cli/view.js';

export default defineCommand<Record<string, never>>({
  name: 'completion',
  lastValueWins: true,
  summary: 'print a bash or zsh completion script',
  synopsis: ['bash | zsh'],
  description: ['Prints a shell completion script for kafka-ts subcommands, their verbs (topics create, server start, …) and their options, generated from the same definitions as --help. It has no JSON output: --output json is refused as an unknown option (exit 2, with the JSON error object on stdout).'],
  examples: [
    ['Enable completion in the current bash', 'source <(kafka-ts completion bash)'],
    ['Install for zsh', 'kafka-ts completion zsh > "${fpath[1]}/_kafka-ts"'],
  ],
  exits: [],
  build(cmd) {
    cmd.argument('<shell>', 'bash or zsh');
  },
  async run(_o, args, ctx, _given, program) {
    const { bashCompletion, zshCompletion } = await import('../src/cli/docs.js');
    const scripts: Record<string, () => string> = { bash: () => bashCompletion(program), zsh: () => zshCompletion(program) };
    const script = Object.hasOwn(scripts, args[0]!) ? scripts[args[0]!]! : undefined;
    if (!script) throw new UsageError(`unknown shell '${args[0]}' (expected bash or zsh)`);
    // No JSON mode (no --output option): the script is the text.
    return printView({ data: undefined, text: script }, ctx, false);
  },
});
