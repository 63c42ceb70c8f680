/**
 * kafka-ts configs (kafka-configs.sh): wiring only. Options and Kafka's rules are in
 * src/cli/flags/configs.ts, the grammar and layouts in src/tools/configs.ts, the protocol calls in
 * src/client/scram-credentials.ts, the man page in src/cli/manuals/configs.ts.
 */
import { collect, defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/configs.js';
import { validate, type ConfigsOptions } from '../src/cli/flags/configs.js';

export default defineCommand<ConfigsOptions>({
  name: 'configs',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .option('--bootstrap-controller <host:port>', 'synonym of --bootstrap-server')
      .option('--describe', 'list configs (users: their SCRAM credentials, never the passwords)')
      .option('--alter', 'change configs (users: add or delete SCRAM credentials)')
      .option('--entity-type <type>', 'users (this version); Kafka also has topics, clients, brokers, ips, broker-loggers, client-metrics, groups', collect)
      .option('--entity-name <name>', 'the entity (user name); without it --describe lists every user', collect)
      .option('--entity-default', 'the default entity (refused for SCRAM credentials, as in Kafka)')
      .option('--user <name>', 'shortcut: --entity-type users --entity-name NAME')
      .option('--user-defaults', 'shortcut: --entity-type users --entity-default')
      .option('--client <id>', 'shortcut for clients (not supported yet)')
      .option('--client-defaults', 'shortcut for clients (not supported yet)')
      .option('--topic <name>', 'shortcut for topics (not supported yet)')
      .option('--broker <id>', 'shortcut for brokers (not supported yet)')
      .option('--broker-defaults', 'shortcut for brokers (not supported yet)')
      .option('--broker-logger <id>', 'shortcut for broker-loggers (not supported yet)')
      .option('--ip <address>', 'shortcut for ips (not supported yet)')
      .option('--ip-defaults', 'shortcut for ips (not supported yet)')
      .option('--client-metrics <name>', 'shortcut for client-metrics (not supported yet)')
      .option('--group <id>', 'shortcut for groups (not supported yet)')
      .option('--add-config <entries>', "configs to set: 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD],SCRAM-SHA-512=[password=PASSWORD]'")
      .option('--add-config-file <file>', 'properties file of configs to set (keeps passwords off the command line)')
      .option('--delete-config <names>', 'configs to remove: SCRAM-SHA-256, SCRAM-SHA-512 (comma-separated, repeatable)', collect)
      .option('--all', 'describe: every config, not only overrides (topics and brokers; not supported yet)')
      .option('--force', 'accepted for compatibility (no effect)');
    outputOption(cmd);
  },
  async run(o, _args, ctx) {
    const target = validate(o);
    const t = await import('../src/tools/configs.js');
    // Parse and check everything before connecting: a bad credential never reaches a broker.
    let changes: ReturnType<typeof t.userScramChanges> | undefined;
    if (target.action === 'alter') {
      const add = o.addConfigFile !== undefined ? fileEntries(readPropertiesFile(o.addConfigFile)) : o.addConfig !== undefined ? t.parseAddConfig(o.addConfig) : {};
      changes = t.userScramChanges(target.entityName!, add, t.parseDeleteConfig(o.deleteConfig));
    }
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.bootstrapController, properties: o.commandConfig ? readPropertiesFile(o.commandConfig) : {}, clientId: 'kafka-ts-configs' });
    const s = await import('../src/client/scram-credentials.js');
    const json = o.output === 'json';
    if (changes === undefined) {
      const r = await s.describeUserScramCredentials(client, target.entityName === undefined ? null : [target.entityName]);
      return printView({ data: t.describeUsersJson(r), text: () => t.describeUsersLines(r), exit: r.errors.length > 0 ? 'Failure' : 'Ok' }, ctx, json);
    }
    const user = target.entityName!;
    try {
      await s.alterUserScramCredentials(client, changes.upsertions, changes.deletions);
    } catch (e) {
      if ((e as { code?: unknown }).code === s.RESOURCE_NOT_FOUND && changes.deletions.length > 0) throw t.missingCredentialError(user, changes.deletions);
      throw e;
    }
    const data = {
      entityType: 'users',
      entityName: user,
      upserted: changes.upsertions.map((u) => ({ mechanism: u.mechanism, iterations: u.iterations })),
      deleted: changes.deletions.map((d) => d.mechanism),
    };
    return printView({ data, text: () => [`Completed updating config for user ${user}.`] }, ctx, json);
  },
});

/** --add-config-file entries: values may keep Kafka's brackets (SCRAM-SHA-256=[password=…]). */
function fileEntries(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) out[k.trim()] = v.trim().startsWith('[') && v.trim().endsWith(']') ? v.trim().slice(1, -1) : v.trim();
  return out;
}
