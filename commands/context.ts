/**
 * kafka-ts context: named cluster contexts (wiring only). The store and masking are in
 * src/cli/contexts.ts, the verbs in src/cli/context-actions.ts, the man page in
 * src/cli/manuals/context.ts.
 */
import { collect, defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { outputOption } from '../src/cli/options.js';
import { checkClientConfigs, isRegistryKey, parseInlinePairs, readPropertiesFile } from '../src/cli/properties.js';
import { printView, type View } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/context.js';
import { CONTEXT_VERBS, FLAG_NAMES, VERB_ALIASES, VERB_OPTIONS, type ContextOptions, type ContextVerb } from '../src/cli/flags/context.js';

export default defineCommand<ContextOptions>({
  name: 'context',
  lastValueWins: true,
  ...docs,
  build(cmd) {
    cmd
      .argument('<verb>', `what to do: ${CONTEXT_VERBS.join(', ')}`)
      .argument('[name]', 'context name')
      .option('--bootstrap-server <host:port>', "add: the cluster's bootstrap servers (default: bootstrap.servers of --command-config)")
      .option('--command-config <file>', "add: copy this client properties file's properties into the context")
      .option('--property <key=value>', 'add: a client property (repeatable; after --command-config, wins over it)', collect)
      .option('--use', 'add: also make it the current context')
      .option('--force', 'add: replace a context of the same name')
      .option('--none', 'use: no current context (commands use $KAFKA_BOOTSTRAP_SERVERS, else the local daemon)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const [word, name, ...extra] = args;
    const verb = (VERB_ALIASES[word!] ?? word) as ContextVerb;
    if (!CONTEXT_VERBS.includes(verb)) throw new UsageError(`Unknown verb '${word}': expected one of ${CONTEXT_VERBS.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}'`);
    for (const key of Object.keys(FLAG_NAMES) as (keyof ContextOptions)[]) {
      if (o[key] !== undefined && !VERB_OPTIONS[verb].includes(key)) throw new UsageError(`Option ${FLAG_NAMES[key]} cannot be used with context ${verb}`);
    }
    const needsName = verb === 'add' || verb === 'remove';
    if (needsName && name === undefined) throw new UsageError(`Missing context name: kafka-ts context ${verb} NAME`);
    if ((verb === 'list' || verb === 'current') && name !== undefined) throw new UsageError(`context ${verb} takes no name`);
    const a = await import('../src/cli/context-actions.js');
    const env = ctx.env;
    let result: View;
    switch (verb) {
      case 'add': {
        const properties = { ...(o.commandConfig ? readPropertiesFile(o.commandConfig) : {}), ...parseInlinePairs(o.property) };
        // A context's properties reach every command's clients (and the schema registry client).
        await checkClientConfigs(['admin', 'producer', 'consumer'], properties, (l) => ctx.warn(l), isRegistryKey);
        result = await a.addContext(env, name!, { bootstrapServer: o.bootstrapServer, properties, force: o.force, use: o.use });
        break;
      }
      case 'use':
        result = await a.useContext(env, name, !!o.none);
        break;
      case 'list':
        result = a.listContexts(env);
        break;
      case 'show':
        result = a.showContext(env, name);
        break;
      case 'remove':
        result = await a.removeContext(env, name!);
        break;
      case 'current':
        result = a.currentContext(env);
        break;
    }
    return printView(result, ctx, o.output === 'json');
  },
});
