/**
 * kafka-ts configs (kafka-configs.sh): wiring only. Options and Kafka's rules are in
 * src/cli/flags/configs.ts, the grammar and layouts in src/tools/configs.ts, the protocol calls in
 * src/client/scram-credentials.ts and src/client/admin.ts, the man page in src/cli/manuals/configs.ts.
 */
import { collect, defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/configs.js';
import { pickAction } from '../src/cli/dispatch.js';
import { UsageError } from '../src/cli/errors.js';
import { ACTIONS, DISPATCH, validate, type ConfigsOptions } from '../src/cli/flags/configs.js';

export default defineCommand<ConfigsOptions>({
  name: 'configs',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', 'action in verb style: describe, alter')
      .option('--bootstrap-controller <host:port>', 'refused: kafka-ts talks to brokers (the local daemon has no separate controller listener)')
      .option('--describe', 'list configs (users: their SCRAM credentials, never the passwords)')
      .option('--alter', 'change configs (users: add or delete SCRAM credentials)')
      .option('--entity-type <type>', 'topics, brokers, broker-loggers, groups, client-metrics or users (Kafka also has clients, ips)', collect)
      .option('--entity-name <name>', 'the entity (topic, broker id, group, user, ...); without it --describe lists every one', collect)
      .option('--entity-default', 'the default entity: brokers (the cluster-wide dynamic defaults); refused for SCRAM credentials, as in Kafka')
      .option('--user <name>', 'shortcut: --entity-type users --entity-name NAME')
      .option('--user-defaults', 'shortcut: --entity-type users --entity-default')
      .option('--client <id>', 'shortcut for clients (not supported yet)')
      .option('--client-defaults', 'shortcut for clients (not supported yet)')
      .option('--topic <name>', 'shortcut: --entity-type topics --entity-name NAME')
      .option('--broker <id>', 'shortcut: --entity-type brokers --entity-name ID')
      .option('--broker-defaults', 'shortcut: --entity-type brokers --entity-default')
      .option('--broker-logger <id>', 'shortcut: --entity-type broker-loggers --entity-name ID')
      .option('--ip <address>', 'shortcut for ips (not supported yet)')
      .option('--ip-defaults', 'shortcut for ips (not supported yet)')
      .option('--client-metrics <name>', 'shortcut: --entity-type client-metrics --entity-name NAME')
      .option('--group <id>', 'shortcut: --entity-type groups --entity-name GROUP')
      .option('--add-config <entries>', "configs to set: 'retention.ms=86400000,cleanup.policy=[compact,delete]'; users: 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD]'")
      .option('--add-config-file <file>', 'properties file of configs to set (keeps passwords off the command line)')
      .option('--delete-config <names>', 'configs to remove (comma-separated, repeatable); users: SCRAM-SHA-256, SCRAM-SHA-512', collect)
      .option('--all', 'describe: every config (static and defaults too), not only the dynamic ones')
      .option('--force', 'accepted for compatibility (no effect)');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const { action, rest } = pickAction(o, args, ACTIONS, DISPATCH);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const target = validate({ ...o, [action]: true });
    const t = await import('../src/tools/configs.js');
    const json = o.output === 'json';
    // Parse and check everything before connecting: a bad credential never reaches a broker.
    const add = target.action !== 'alter' ? {} : o.addConfigFile !== undefined ? fileEntries(readPropertiesFile(o.addConfigFile)) : o.addConfig !== undefined ? t.parseAddConfig(o.addConfig) : {};
    const del = t.parseDeleteConfig(o.deleteConfig);
    const changes = target.action === 'alter' && target.entityType === 'users' ? t.userScramChanges(target.entityName!, add, del) : undefined;
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: o.commandConfig ? readPropertiesFile(o.commandConfig) : {}, clientId: 'kafka-ts-configs' });
    if (t.isResourceType(target.entityType)) {
      const { Admin } = await import('../src/client/admin.js');
      const admin = new Admin(client);
      const type = target.entityType;
      if (target.action === 'alter') {
        const line = await t.alterResource(admin, type, target.entityName!, add, del);
        return printView({ data: { entityType: type, entityName: target.entityName || null, set: Object.keys(add), deleted: del }, text: () => [line] }, ctx, json);
      }
      const { GroupAdmin } = await import('../src/client/groups.js');
      const lister = { listGroups: async () => (await new GroupAdmin(client).listGroups()).map((g) => g.groupId) };
      const list = await t.describeResources(admin, type, target.entityName, !!o.all, lister);
      return printView({ data: t.describeResourceJson(type, list, !!o.all), text: () => t.describeResourceLines(type, list, !!o.all) }, ctx, json);
    }
    const s = await import('../src/client/scram-credentials.js');
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
