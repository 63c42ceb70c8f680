/**
 * Documentation generated from the command definitions: man pages (roff) and shell completion
 * scripts. Both read the same commander commands `kafka-ts --help` prints, so they cannot drift.
 */
import type { Command, Option } from 'commander';
import type { CommandSpec } from './command.js';
import { EXIT_STATUS, type ExitStatusKey } from './errors.js';

const esc = (s: string) => s.replace(/\\/g, '\\e').replace(/^(['.])/gm, '\\&$1').replace(/-/g, '\\-');

/** EXIT STATUS entries: each code in bold, its meaning from the one exit table. */
function exitLines(keys: readonly ExitStatusKey[]): string[] {
  return [...keys]
    .sort((a, b) => EXIT_STATUS[a].code - EXIT_STATUS[b].code)
    .flatMap((k) => ['.TP', `.B ${EXIT_STATUS[k].code}`, esc(EXIT_STATUS[k].meaning)]);
}

/** The statuses a command can return: its own, plus success and usage errors, which every command has. */
export const commandExits = (spec: CommandSpec<unknown>): ExitStatusKey[] => [...new Set<ExitStatusKey>(['Ok', 'Usage', ...spec.exits])];

function optionLines(cmd: Command): string[] {
  const out: string[] = [];
  for (const o of cmd.options as Option[]) {
    out.push('.TP');
    out.push(`.B ${esc(o.flags)}`);
    let text = o.description;
    if (o.defaultValue !== undefined && o.defaultValue !== false) text += ` (default: ${String(o.defaultValue)})`;
    if (o.argChoices) text += ` (one of: ${o.argChoices.join(', ')})`;
    out.push(esc(text));
  }
  return out;
}

export interface ManPageInput {
  spec: CommandSpec<unknown>;
  cmd: Command;
  version: string;
  date: string;
}

export function manPage({ spec, cmd, version, date }: ManPageInput): string {
  const name = `kafka-ts-${spec.name}`;
  const lines = [
    `.TH ${name.toUpperCase()} 1 "${date}" "kafka-ts ${version}" "kafka-ts manual"`,
    '.SH NAME',
    `${esc(name)} \\- ${esc(spec.summary)}`,
    '.SH SYNOPSIS',
    ...(spec.synopsis ?? ['[options]']).flatMap((s) => ['.B kafka-ts ' + esc(spec.name), esc(s), '.br']),
    '.SH DESCRIPTION',
    ...spec.description.flatMap((p) => ['.PP', esc(p)]),
    '.SH OPTIONS',
    ...optionLines(cmd),
    '.TP',
    '.B \\-h, \\-\\-help',
    'show help on stdout and exit 0',
  ];
  if (spec.examples.length) {
    lines.push('.SH EXAMPLES');
    for (const [what, how] of spec.examples) lines.push('.PP', esc(what) + ':', '.RS', '.nf', esc(how), '.fi', '.RE');
  }
  if (spec.differences?.length) {
    lines.push('.SH DIFFERENCES FROM THE KAFKA SCRIPT');
    for (const d of spec.differences) lines.push('.IP \\(bu 2', esc(d));
  }
  lines.push(
    '.SH EXIT STATUS',
    ...exitLines(commandExits(spec)),
    ...(spec.exitNotes ?? []).flatMap((e) => ['.PP', esc(e)]),
    '.SH SEE ALSO',
    '.BR kafka\\-ts (1)',
    '',
  );
  return lines.join('\n');
}

/** bash completion for subcommands and their options. */
/**
 * The verbs of a command in verb style (`topics create`, `server start`): the list its first
 * argument's description ends with ("action in verb style: create, alter, …", "one of start,
 * stop, …", or the one verb "describe"). None for a command whose first argument is no verb.
 */
export function verbsOf(cmd: Command): string[] {
  const arg = cmd.registeredArguments[0];
  if (!arg || !['verb', 'action'].includes(arg.name())) return [];
  const list = /(?:^|:|\bone of)\s*([a-z][\w-]*(?:,\s*[a-z][\w-]*)*)\s*$/.exec(arg.description);
  return list ? list[1]!.split(/,\s*/) : [];
}

export function bashCompletion(program: Command): string {
  const cases = program.commands
    .map((c) => {
      const verbs = verbsOf(c);
      return `    ${c.name()}) ${verbs.length ? `verbs="${verbs.join(' ')}"; ` : ''}opts="${(c.options as Option[]).map((o) => o.long).filter(Boolean).join(' ')} --help" ;;`;
    })
    .join('\n');
  return `# bash completion for kafka-ts; install with: kafka-ts completion bash > /etc/bash_completion.d/kafka-ts
_kafka_ts() {
  local cur cmd opts verbs=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${program.commands.map((c) => c.name()).join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    *) opts="--help" ;;
  esac
  # The verb comes first: \`kafka-ts topics <TAB>\` offers create, list, describe, … and the options.
  if [ "$COMP_CWORD" -eq 2 ]; then opts="$verbs $opts"; fi
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _kafka_ts kafka-ts
`;
}

/** zsh completion for subcommands and their options. */
export function zshCompletion(program: Command): string {
  const q = (s: string) => s.replace(/'/g, "'\\''").replace(/[[\]:]/g, '\\$&');
  const subs = program.commands.map((c) => `    '${c.name()}:${q(c.description())}'`).join('\n');
  const cases = program.commands
    .map((c) => {
      const opts = (c.options as Option[])
        .filter((o) => o.long)
        .map((o) => `'${o.long}[${q(o.description)}]${o.required || o.optional ? ':value:' : ''}'`)
        .join(' ');
      const verbs = verbsOf(c);
      return `    ${c.name()}) _arguments ${opts} '--help[show help]'${verbs.length ? ` '1:verb:(${verbs.join(' ')})'` : ''} '*::arg:_files' ;;`;
    })
    .join('\n');
  return `#compdef kafka-ts
# zsh completion for kafka-ts; install with: kafka-ts completion zsh > "\${fpath[1]}/_kafka-ts"
_kafka_ts() {
  local -a subcommands
  subcommands=(
${subs}
  )
  if (( CURRENT == 2 )); then
    _describe 'kafka-ts command' subcommands
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
_kafka_ts "$@"
`;
}

/** kafka-ts(1): the overview page. */
export function overviewPage(program: Command, version: string, date: string): string {
  const lines = [
    `.TH KAFKA-TS 1 "${date}" "kafka-ts ${version}" "kafka-ts manual"`,
    '.SH NAME',
    "kafka\\-ts \\- Apache Kafka's command\\-line tools, with a local Kafka\\-compatible broker",
    '.SH SYNOPSIS',
    '.B kafka-ts',
    '.I command',
    '[options]',
    '.SH DESCRIPTION',
    '.PP',
    esc(
      "kafka-ts rebuilds the bin/kafka-*.sh scripts as subcommands with Kafka's flags, defaults and output layouts, plus JSON output (--output json), honest exit codes and verb style (kafka-ts topics create orders -p 3).",
    ),
    '.PP',
    esc(
      'Without --bootstrap-server (or $KAFKA_BOOTSTRAP_SERVERS) every command talks to the local kafka-ts broker daemon over its Unix socket, starting it when it is not running (one line on stderr says so). Commands started together start one daemon: the others wait for it. A daemon started this way uses the settings of the last explicit kafka-ts server start in its data directory (port, brokers, --config, --override), else server.properties there, else port 9092 (a free port if 9092 is taken). The daemon listens on TCP and speaks the Kafka wire protocol, so kcat, kafkajs, kafka-python, confluent-kafka and other Kafka clients can use it. With --bootstrap-server host:port[,host:port...] the same commands work against any Kafka cluster; unix:///path/to/kafka.sock names a daemon socket explicitly.',
    ),
    '.SH JSON OUTPUT',
    '.PP',
    esc(
      'With --output json (every command but completion, which refuses it) stdout carries only JSON: one JSON document per line, or nothing. Most commands print one document; console-consumer prints one object per record. Progress, warnings and summaries stay on stderr.',
    ),
    '.PP',
    esc(
      'A failure that ends a command (bad usage, an unknown topic, an unreachable broker, …) prints one error object as the last line of stdout, {"error":{"code":4,"kind":"not_found","message":"Topic \'nope\' does not exist as expected"}}, and the usual one line on stderr; code is the exit status and kind one of failed (1), usage (2), unreachable (3), not_found (4), busy (5), timeout (6), auth (7), denied (8), incompatible (12). This holds for command lines that do not parse too. Results that are partly failures (a leader election some partitions refused, a producer whose sends failed) are reported in the command\'s own document, with exit status 1.',
    ),
    '.SH CLUSTER SELECTION',
    '.PP',
    esc(
      'Which cluster a command talks to, first match wins: --bootstrap-server; bootstrap.servers in the command\'s own client properties (--command-config, --producer.config, --consumer.config, --command-property); --context NAME; $KAFKA_TS_CONTEXT; $KAFKA_BOOTSTRAP_SERVERS; the current context (kafka-ts context use NAME); the local daemon, started on demand. A context named by --context or $KAFKA_TS_CONTEXT lends its client properties even when --bootstrap-server overrides its address; the current context is used only when nothing else names a cluster. An unknown context name exits 4 listing the known ones.',
    ),
    '.PP',
    esc(
      "Client properties (security.protocol, ssl.*, sasl.*, client.id, timeouts) come from the context, overridden key by key by the command's own files and flags (--command-config, --producer.config, --consumer.config, --admin.config, then --producer-property, --consumer-property, --command-property). Kafka's config providers resolve secrets: a file that sets config.providers=env,file (with config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider and config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider; DirectoryConfigProvider too) may write ${env:NAME} and ${file:/path/to/file.properties:key}; only listed providers are resolved, as in Kafka. In a context, ${env:NAME} and ${file:...} resolve without config.providers. A missing variable, file or key is a usage error naming the reference, never a value. See kafka-ts-context(1).",
    ),
    '.SH COMMANDS',
    ...program.commands.flatMap((c) => ['.TP', `.B ${esc(c.name())}`, `${esc(c.description())}; see kafka\\-ts\\-${esc(c.name())}(1)`]),
    '.SH OPTIONS',
    ...optionLines(program),
    '.TP',
    '.B \\-h, \\-\\-help',
    'show help on stdout and exit 0',
    '.SH EXIT STATUS',
    ...exitLines(Object.keys(EXIT_STATUS) as ExitStatusKey[]),
    '.PP',
    esc('An unexpected internal error prints one line on stderr (with the stack trace under --debug) and exits 1.'),
    '.SH ENVIRONMENT',
    '.TP\n.B KAFKA_BOOTSTRAP_SERVERS\nthe cluster to use when neither \\-\\-bootstrap\\-server nor a context is named (host:port[,host:port...], as many Kafka tools read it); it wins over the current context',
    '.TP\n.B KAFKA_TS_CONTEXT\nthe context to use when \\-\\-context is not given (see CLUSTER SELECTION)',
    '.TP\n.B KAFKA_TS_HOME\nthe local daemon\'s data directory (default: $XDG_DATA_HOME/kafka\\-ts, else ~/.local/share/kafka\\-ts)',
    '.TP\n.B KAFKA_HEAP_OPTS\nthe local daemon\'s heap ceiling when the CLI starts it, as Kafka\'s scripts read it: \\-Xmx<size> (default 256 MB, e.g. \\-Xmx1G); \\-Xms is accepted with no effect, other options are refused (exit 2); server start \\-\\-foreground cannot resize its own heap and logs one WARN line saying so',
    '.TP\n.B NO_COLOR\ndisables colours (the lag view and tables); FORCE_COLOR forces them',
    '.TP\n.B KAFKA_TS_CONFIG_DIR\nwhere contexts (contexts.json, mode 0600) and preferences (the lag view\'s sort order) are kept (default: $XDG_CONFIG_HOME/kafka\\-ts, else ~/.config/kafka\\-ts)',
    '.TP\n.B KAFKA_TS_DEBUG\nset to 1, prints stack traces of unexpected errors, mapped to the TypeScript sources (as \\-\\-debug does)',
    '.TP\n.B KAFKA_TS_CODE_CACHE\nthe directory of the compiled\\-code cache that makes commands start faster (default: $XDG_CACHE_HOME/kafka\\-ts, else ~/.cache/kafka\\-ts); 0 turns it off',
    '.SH FILES',
    '.TP\n.I $KAFKA_TS_HOME/kafka.sock\nthe daemon\'s Kafka\\-protocol Unix socket (mode 0600)',
    '.TP\n.I $KAFKA_TS_HOME/server.log\nthe daemon\'s log',
    '.TP\n.I $KAFKA_TS_HOME/server.properties\nbroker settings read at start, as kafka\\-server\\-start.sh reads them',
    '.TP\n.I $KAFKA_TS_HOME/data/\nthe segmented logs: <topic>\\-<partition>/<base offset>.log, .index, .timeindex',
    '.TP\n.I $KAFKA_TS_HOME/start\\-options.json\nthe settings of the last explicit kafka\\-ts server start, which a daemon started on demand reuses',
    '.TP\n.I $KAFKA_TS_HOME/api\\-versions.json\nthe API versions the running daemon\'s socket answered, so that commands skip that round trip; a restarted daemon is asked again',
    '.SH DIFFERENCES FROM THE KAFKA SCRIPTS',
    '.IP \\(bu 2',
    esc('--help prints to stdout and exits 0 (the scripts exit 1); usage errors are one line on stderr with exit 2.'),
    '.IP \\(bu 2',
    esc('Failures exit non-zero everywhere, with the codes above (kafka-consumer-groups.sh exits 0 after runtime errors).'),
    '.IP \\(bu 2',
    esc('--bootstrap-server is optional: without it, a context, $KAFKA_BOOTSTRAP_SERVERS, else the local daemon is used (CLUSTER SELECTION).'),
    '.SH SEE ALSO',
    program.commands.map((c) => `.BR kafka\\-ts\\-${esc(c.name())} (1)`).join(',\n'),
    '',
  ];
  return lines.join('\n');
}
