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
      .option('--entity-type <type>', 'users, clients, ips, topics or brokers (Kafka also has broker-loggers, client-metrics, groups)', collect)
      .option('--entity-name <name>', 'the entity (user, topic, broker id); without it --describe lists every one', collect)
      .option('--entity-default', 'the default entity (refused for SCRAM credentials, as in Kafka)')
      .option('--user <name>', 'shortcut: --entity-type users --entity-name NAME')
      .option('--user-defaults', 'shortcut: --entity-type users --entity-default')
      .option('--client <id>', 'shortcut: --entity-type clients --entity-name ID (client quotas)')
      .option('--client-defaults', 'shortcut: --entity-type clients --entity-default')
      .option('--topic <name>', 'shortcut: --entity-type topics --entity-name NAME')
      .option('--broker <id>', 'shortcut: --entity-type brokers --entity-name ID')
      .option('--broker-defaults', 'shortcut: --entity-type brokers --entity-default')
      .option('--broker-logger <id>', 'shortcut for broker-loggers (not supported yet)')
      .option('--ip <address>', 'shortcut: --entity-type ips --entity-name ADDRESS (connection_creation_rate)')
      .option('--ip-defaults', 'shortcut: --entity-type ips --entity-default')
      .option('--client-metrics <name>', 'shortcut for client-metrics (not supported yet)')
      .option('--group <id>', 'shortcut for groups (not supported yet)')
      .option('--add-config <entries>', "configs to set: 'retention.ms=86400000,cleanup.policy=[compact,delete]'; users: 'SCRAM-SHA-256=[iterations=8192,password=PASSWORD]'")
      .option('--add-config-file <file>', 'properties file of configs to set (keeps passwords off the command line)')
      .option('--delete-config <names>', 'configs to remove (comma-separated, repeatable); users: SCRAM-SHA-256, SCRAM-SHA-512', collect)
      .option('--all', 'describe topics or brokers: every config, not only the dynamic ones')
      .option('--force', 'accepted for compatibility (no effect)');
    outputOption(cmd);
  },
  async run(o, _args, ctx) {
    const target = validate(o);
    const t = await import('../src/tools/configs.js');
    const json = o.output === 'json';
    // Parse and check everything before connecting: a bad credential never reaches a broker.
    const add = target.action !== 'alter' ? {} : o.addConfigFile !== undefined ? fileEntries(readPropertiesFile(o.addConfigFile)) : o.addConfig !== undefined ? t.parseAddConfig(o.addConfig) : {};
    const del = t.parseDeleteConfig(o.deleteConfig);
    const q = await import('../src/tools/quotas.js');
    const quotaTypes = ['users', 'clients', 'ips'].includes(target.entityType);
    const quotaChange = target.action === 'alter' && quotaTypes && q.wantsQuotaChange(target.types, add, del) ? q.quotaChanges(target.types, target.names, add, del) : undefined;
    const changes = target.action === 'alter' && target.entityType === 'users' && !quotaChange ? t.userScramChanges(target.entityName!, add, del) : undefined;
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer ?? o.bootstrapController, properties: o.commandConfig ? readPropertiesFile(o.commandConfig) : {}, clientId: 'kafka-ts-configs' });
    if (quotaChange) {
      const line = await q.alterQuotas(client, target.types, target.names, quotaChange);
      return printView({ data: { entity: q.describeQuotaJson([{ entity: quotaChange.entity, values: {} }])[0]!.entity, set: Object.keys(add), deleted: del }, text: () => [line] }, ctx, json);
    }
    if (target.action === 'describe' && quotaTypes) {
      const quotas = await q.describeQuotas(client, target.types, target.names);
      // Kafka lists SCRAM credentials too for users alone, unless the default user was asked for.
      const scram = target.types.length === 1 && target.entityType === 'users' && target.entityName !== '';
      const s = scram ? await import('../src/client/scram-credentials.js') : null;
      const r = s ? await s.describeUserScramCredentials(client, target.entityName === undefined ? null : [target.entityName]) : null;
      const data = { quotas: q.describeQuotaJson(quotas), ...(r && t.describeUsersJson(r)) };
      return printView({ data, text: () => [...q.describeQuotaLines(quotas), ...(r ? t.describeUsersLines(r) : [])], exit: r && r.errors.length > 0 ? 'Failure' : 'Ok' }, ctx, json);
    }
    if (target.entityType !== 'users') {
      const { Admin } = await import('../src/client/admin.js');
      const admin = new Admin(client);
      const type = target.entityType as 'topics' | 'brokers';
      if (target.action === 'alter') {
        const line = await t.alterResource(admin, type, target.entityName!, add, del);
        return printView({ data: { entityType: type, entityName: target.entityName || null, set: Object.keys(add), deleted: del }, text: () => [line] }, ctx, json);
      }
      const list = await t.describeResources(admin, type, target.entityName, !!o.all);
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
