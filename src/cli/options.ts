/**
 * Option groups that several commands share, declared once so that their spelling and help
 * read the same everywhere: the connection (Kafka's --bootstrap-server, --command-config) and
 * the output format (-o/--output text|json).
 */
import { type Command, Option } from 'commander';

export interface ConnectionOptionValues {
  bootstrapServer?: string;
  commandConfig?: string;
}

/** --bootstrap-server and (unless `commandConfig: false`) --command-config. */
export function connectionOptions(cmd: Command, { commandConfig = true } = {}): Command {
  cmd.option('--bootstrap-server <host:port>', 'Kafka broker(s); without it, $KAFKA_BOOTSTRAP_SERVERS, else the local daemon');
  if (commandConfig) cmd.option('--command-config <file>', 'admin client properties file');
  return cmd;
}

export const OUTPUT_HELP = "output format: text (Kafka's layout, default) or json";

/** -o/--output text|json, text by default; `help` when the command's JSON is not the usual view. */
export function outputOption(cmd: Command, help = OUTPUT_HELP): Command {
  return cmd.addOption(new Option('-o, --output <format>', help).choices(['text', 'json']).default('text'));
}
