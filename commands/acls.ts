/**
 * kafka-ts acls (kafka-acls.sh): wiring only. Options and Kafka's rules for combining them are in
 * src/cli/flags/acls.ts, the man page in src/cli/manuals/acls.ts, the work and the layouts in
 * src/tools/acls.ts.
 */
import { createInterface } from 'node:readline/promises';
import { collect, defineCommand } from '../src/cli/command.js';
import { pickAction } from '../src/cli/dispatch.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { checkClientConfig, readPropertiesFile } from '../src/cli/properties.js';
import { printSteps } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/acls.js';
import { ACTIONS, DISPATCH, ineffectiveHosts, PATTERN_TYPES, validate, type AclsOptions } from '../src/cli/flags/acls.js';

export default defineCommand<AclsOptions>({
  name: 'acls',
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    cmd
      .argument('[verb]', 'action in verb style: add, remove, list')
      .option('--add', 'add ACLs')
      .option('--remove', 'remove ACLs (asks for confirmation unless --force)')
      .option('--list', 'list ACLs (of the named resources, or all)')
      .option('--allow-principal <principal>', 'principal to allow, as Type:name (User:alice; User:* is every user; repeatable)', collect)
      .option('--deny-principal <principal>', 'principal to deny (repeatable); deny rules win over allow rules', collect)
      .option('--allow-host <host>', 'host the allowed principals may come from (default *; repeatable)', collect)
      .option('--deny-host <host>', 'host the denied principals are denied from (default *; repeatable)', collect)
      .option('--operation <op>', 'operation: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (default All; repeatable)', collect)
      .option('--topic <topic>', "topic ('*': all topics; repeatable)", collect)
      .option('--group <group>', "consumer group ('*': all groups; repeatable)", collect)
      .option('--cluster', 'the cluster resource')
      .option('--transactional-id <id>', "transactional id ('*': all; repeatable)", collect)
      .option('--resource-pattern-type <type>', `${PATTERN_TYPES.join('|')}: literal or prefixed when adding; match or any also when listing or removing`, 'literal')
      .option('--producer', 'producer role: Write, Describe, Create on the topics')
      .option('--consumer', 'consumer role: Read, Describe on the topics, Read on the group')
      .option('--idempotent', 'with --producer: IdempotentWrite on the cluster')
      .option('--principal <principal>', 'with --list: only the ACLs of this principal (repeatable)', collect)
      .option('--force', 'remove without asking');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const { action, rest } = pickAction(o, args, ACTIONS, DISPATCH);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    validate(o, action);
    for (const w of ineffectiveHosts(o)) ctx.warn(w);
    const json = o.output === 'json';
    const t = await import('../src/tools/acls.js');
    const { withDenial } = await import('../src/tools/denied.js');
    // Usage errors (bad principal, operation, missing resource) before connecting, as Kafka.
    const plan = action === 'add' || action === 'remove' ? t.resourceToAcls(o) : [];
    if (action === 'remove' && !o.force && !process.stdin.isTTY) throw new UsageError('--remove asks for confirmation and standard input is not a terminal: add --force to remove without asking');
    const props = o.commandConfig ? readPropertiesFile(o.commandConfig) : undefined;
    if (props) await checkClientConfig('admin', props, (l) => ctx.warn(l));
    const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: 'kafka-ts-acls' });
    // Kafka prints what it added or removed before listing: a listing this principal may no
    // longer make (it denied itself DESCRIBE) still shows that the change was made.
    return printSteps(ctx, json, async (report) => {
      const data: Record<string, unknown> = {};
      if (action === 'add') {
        const r = await withDenial('add ACLs (ALTER on the cluster)', () => t.addAcls(client, o));
        report.write(r.text);
        data.added = t.resourcesJson(r.added);
      } else if (action === 'remove') {
        const removed = [];
        for (const g of plan) {
          if (!o.force && !(await ask(t.removalQuestion(g), json ? process.stderr : process.stdout))) continue;
          removed.push(...(await withDenial('remove ACLs (ALTER on the cluster)', () => t.removeAcls(client, g))));
        }
        data.removed = t.resourcesJson(t.groupByResource(removed));
      }
      if (action !== 'list') report.data = { ...data };
      const listed = await withDenial('list ACLs (DESCRIBE on the cluster)', () => t.listAcls(client, o));
      report.write(listed.text);
      report.data = { ...data, resources: t.resourcesJson(listed.groups) };
      return 'Ok';
    });
  },
});

/** Kafka's confirmAction: the question, then a line; only y (any case) confirms. */
async function ask(question: string, out: NodeJS.WritableStream): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: out, terminal: false });
  try {
    out.write(`${question}\n`);
    return (await rl.question('')).trim().toLowerCase() === 'y';
  } finally {
    rl.close();
  }
}
