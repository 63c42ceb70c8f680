/**
 * Option groups that several commands share, declared once so that their spelling and help
 * read the same everywhere: the connection (Kafka's --bootstrap-server, --command-config) and
 * the output format (-o/--output text|json).
 */
import { type Command, Option } from 'commander';
import { collect } from './command.js';

export interface ConnectionOptionValues {
  bootstrapServer?: string;
  commandConfig?: string;
  context?: string;
}

/**
 * --bootstrap-server, --context and (unless `commandConfig: false`) --command-config. main hands
 * --context to the CliContext, which picks the cluster and the base client properties.
 */
export function connectionOptions(cmd: Command, { commandConfig = true } = {}): Command {
  cmd.option('--bootstrap-server <host:port>', 'Kafka broker(s); without it, bootstrap.servers in the command\'s properties, --context, $KAFKA_TS_CONTEXT, $KAFKA_BOOTSTRAP_SERVERS, the current context, else the local daemon');
  cmd.option('--context <name>', 'use a saved context (kafka-ts context): its bootstrap servers and client properties ($KAFKA_TS_CONTEXT)');
  if (commandConfig) cmd.option('--command-config <file>', 'admin client properties file');
  return cmd;
}

export const OUTPUT_HELP = "output format: text (Kafka's layout, default) or json";

/** -o/--output text|json, text by default; `help` when the command's JSON is not the usual view. */
export function outputOption(cmd: Command, help = OUTPUT_HELP): Command {
  return cmd.addOption(new Option('-o, --output <format>', help).choices(['text', 'json']).default('text'));
}

/**
 * Kafka 4.2's (KIP-1147) uniform spellings, beside a console tool's older ones:
 * --command-config, --command-property, and --reader-property (producer) or
 * --formatter-property (consumer) for --property.
 */
export function commandPropertyOptions(cmd: Command, tool: 'producer' | 'consumer'): Command {
  cmd
    .option('--command-config <file>', `${tool} properties file (Kafka 4.2 name of --${tool}.config)`)
    .option('--command-property <key=value>', `${tool} property (repeatable; Kafka 4.2 name of --${tool}-property)`, collect);
  if (tool === 'producer') cmd.option('--reader-property <key=value>', 'line reader property (repeatable; Kafka 4.2 name of --property)', collect);
  else cmd.option('--formatter-property <key=value>', 'formatter property (repeatable; Kafka 4.2 name of --property)', collect);
  return cmd;
}
