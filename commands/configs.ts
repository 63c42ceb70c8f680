/**
 * kafka-ts configs (kafka-configs.sh): wiring only. Options and Kafka's rules are in
 * src/cli/flags/configs.ts, the grammar and layouts in src/tools/configs.ts (client quotas:
 * src/tools/quotas.ts), the protocol calls in src/client/scram-credentials.ts, src/client/admin.ts
 * and src/client/quotas.ts, the man page in src/cli/manuals/configs.ts.
 */
import { collect, defineCommand } from '../src/cli/command.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/configs.js';
import { pickAction } from '../src/cli/dispatch.js';
import { UsageError } from '../src/cli/errors.js';
import { ACTIONS, DISPATCH, QUOTA_TYPES, validate, type ConfigsOptions } from '../src/cli/flags/configs.js';

export default defineCommand<ConfigsOptions>({
  name: 'configs',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', 'action in verb style: describe, alter')
      .option('--bootstrap-controller <host:port>', 'refused: kafka-ts talks to brokers (the local daemon has no separate controller listener)')
      .option('--describe', 'list configs (users, clients, ips: their quotas; users also their SCRAM credentials, never the passwords)')
      .option('--alter', 'change configs (users, clients, ips: set or remove quotas; users: add or delete SCRAM credentials)')
      .option('--entity-type <type>', 'topics, brokers, broker-loggers, groups, client-metrics, users, clients or ips (repeatable: users with clients, for the quotas of a user and client pair)', collect)
      .option('--entity-name <name>', 'the entity (topic, broker id, group, user, client id, ip, ...); without it --describe lists every one (repeatable: one for each --entity-type, in their order)', collect)
      .option('--entity-default', 'the default entity: of users, clients, ips (client quotas) and brokers (the cluster-wide dynamic defaults); refused for SCRAM credentials, as in Kafka')
      .option('--user <name>', 'shortcut: --entity-type users --entity-name NAME')
      .option('--user-defaults', 'shortcut: --entity-type users --entity-default')
      .option('--client <id>', 'shortcut: --entity-type clients --entity-name ID (client quotas)')
      .option('--client-defaults', 'shortcut: --entity-type clients --entity-default')
      .option('--topic <name>', 'shortcut: --entity-type topics --entity-name NAME')
      .option('--broker <id>', 'shortcut: --entity-type brokers --entity-name ID')
      .option('--broker-defaults', 'shortcut: --entity-type brokers --entity-default')
      .option('--broker-logger <id>', 'shortcut: --entity-type broker-loggers --entity-name ID')
      .option('--ip <address>', 'shortcut: --entity-type ips --entity-name ADDRESS (connection_creation_rate)')
      .option('--ip-defaults', 'shortcut: --entity-type ips --entity-default')
      .option('--client-metrics <name>', 'shortcut: --entity-type client-metrics --entity-name NAME')
      .option('--group <id>', 'shortcut: --entity-type groups --entity-name GROUP')
      .option('--add-config <entries>', "configs to set: 'retention.ms=86400000,cleanup.policy=[compact,delete]'; quotas: 'producer_byte_rate=1048576'; users: 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD]'")
      .option('--add-config-file <file>', 'properties file of configs to set (keeps passwords off the command line)')
      .option('--delete-config <names>', 'configs to remove (comma-separated, repeatable); quotas: producer_byte_rate, ...; users: SCRAM-SHA-256, SCRAM-SHA-512', collect)
      .option('--all', 'describe: every config (static and defaults too), not only the dynamic ones')
      .option('--force', 'accepted for compatibility (no effect)')
      .option('--list-configs <surface>', 'list the configuration catalogue of producer, consumer, admin, broker or topic: every key, its type and default, and whether kafka-ts supports it, accepts it with no effect (and why) or refuses it');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    if (o.listConfigs !== undefined) {
      if (args.length > 0 || o.describe || o.alter) throw new UsageError('--list-configs takes no other action');
      const l = await import('../src/tools/config-listing.js');
      return printView(l.listConfigsView(l.surfaceOf(o.listConfigs)), ctx, o.output === 'json');
    }
    const { action, rest } = pickAction(o, args, ACTIONS, DISPATCH);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const target = validate({ ...o, [action]: true });
    const t = await import('../src/tools/configs.js');
    const json = o.output === 'json';
    // Parse and check everything before connecting: a bad credential or quota never reaches a broker.
    const add = target.action !== 'alter' ? {} : o.addConfigFile !== undefined ? fileEntries(readPropertiesFile(o.addConfigFile)) : o.addConfig !== undefined ? t.parseAddConfig(o.addConfig) : {};
    const del = t.parseDeleteConfig(o.deleteConfig);
    t.checkNoConflicts(add, del);
    const q = QUOTA_TYPES.includes(target.entityType) ? await import('../src/tools/quotas.js') : null;
    const quotaChange = target.action === 'alter' && q?.wantsQuotaChange(target.types, add, del) ? q.quotaChanges(target.types, target.names, add, del) : undefined;
    const changes = target.action === 'alter' && target.entityType === 'users' && !quotaChange ? t.userScramChanges(target.entityName!, add, del, target.emptyName) : undefined;
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-configs' });
    // Client quotas (users, clients, ips): users' describe lists their SCRAM credentials too.
    if (q && quotaChange) return printView(await q.alterQuotasView(client, target.types, target.names, quotaChange), ctx, json);
    if (q && target.action === 'describe') return printView(await q.describeQuotasView(client, target.types, target.names), ctx, json);
    if (t.isResourceType(target.entityType)) {
      const { Admin } = await import('../src/client/admin.js');
      const admin = new Admin(client);
      const type = target.entityType;
      if (target.action === 'alter') {
        const line = await t.alterResource(admin, type, target.entityName!, add, del);
        if (type === 'topics' || type === 'brokers') for (const w of await t.noEffectWarnings(admin, t.RESOURCE_CODE[type], target.entityName!, Object.keys(add))) ctx.warn(w);
        return printView({ data: { entityType: type, entityName: target.entityName || null, set: Object.keys(add), deleted: del }, text: () => [line] }, ctx, json);
      }
      const { GroupAdmin } = await import('../src/client/groups.js');
      const lister = { listGroups: async () => (await new GroupAdmin(client).listGroups()).map((g) => g.groupId) };
      const list = await t.describeResources(admin, type, target.entityName, !!o.all, lister);
      return printView({ data: t.describeResourceJson(type, list, !!o.all), text: () => t.describeResourceLines(type, list, !!o.all) }, ctx, json);
    }
    // What is left: an --alter of a user's SCRAM credentials (userScramChanges, above).
    if (changes === undefined) throw new Error(`configs: nothing handles --${target.action} of ${target.entityType}`);
    const s = await import('../src/client/scram-credentials.js');
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
