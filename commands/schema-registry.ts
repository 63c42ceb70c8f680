/**
 * kafka-ts schema-registry: subjects, versions, registration, compatibility checks (for CI),
 * levels and deletion against a Confluent-compatible schema registry; the local daemon's by
 * default. Options and the registry lookup in src/cli/flags/schema-registry.ts, the man page in
 * src/cli/manuals/schema-registry.ts, the work in src/tools/schema-registry.ts.
 */
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { readPropertiesFile, warnUnknownRegistryKeys } from '../src/cli/properties.js';
import { printView } from '../src/cli/view.js';
import { requireInt } from '../src/cli/context.js';
import { docs } from '../src/cli/manuals/schema-registry.js';
import { COMMAND_REGISTRY_HOW, LEVELS, registryTarget, VERBS, type SchemaRegistryOptions, type Verb } from '../src/cli/flags/schema-registry.js';

export default defineCommand<SchemaRegistryOptions & { id?: string }>({
  name: 'schema-registry',
  lastValueWins: true,
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .argument('[verb]', `what to do: ${VERBS.join(', ')}`)
      .argument('[subject]', 'the subject (e.g. orders-value)')
      .argument('[version]', "get, delete: a version number or latest; check: that version alone, all (each version), or none: what register checks under the subject's level")
      .option('--schema-registry-url <url>', "the registry (default: schema.registry.url in --command-config, else the local daemon's)")
      .option('--basic-auth <user:password>', 'basic auth credentials (basic.auth.user.info)')
      .option('--bearer-token <token>', 'bearer token (bearer.auth.token)')
      .option('--command-config <file>', 'properties file: schema.registry.url, basic.auth.user.info, bearer.auth.token')
      .option('--id <id>', 'get: the schema with this id (no subject needed)')
      .option('--schema-file <file>', 'register, check: the schema (.avsc, .json, .proto)')
      .option('--schema-type <type>', 'register, check: AVRO, JSON or PROTOBUF (default: from the file name, else AVRO)')
      .option('--references-file <file>', 'register, check: schema references, a JSON list of {"name","subject","version"}')
      .option('--normalize', 'register: let the registry normalise the schema first')
      .option('--set <level>', `compatibility: set the level (${LEVELS.join(', ')})`)
      .option('--permanent', 'delete: hard-delete (after a soft delete)')
      .option('--deleted', 'list: include soft-deleted subjects');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const [verbArg, subject, versionArg, extra] = args;
    if (verbArg === undefined) throw new UsageError(`A verb is required: ${VERBS.join(', ')}`);
    if (!(VERBS as readonly string[]).includes(verbArg)) throw new UsageError(`Unknown verb '${verbArg}' (expected ${VERBS.join(', ')})`);
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    const verb = verbArg as Verb;
    const needsSubject = verb === 'versions' || verb === 'register' || verb === 'check' || verb === 'delete' || (verb === 'get' && o.id === undefined);
    if (needsSubject && subject === undefined) throw new UsageError(`${verb} needs a SUBJECT`);
    if ((verb === 'list' || verb === 'types') && subject !== undefined) throw new UsageError(`${verb} takes no subject`);
    const t = await import('../src/tools/schema-registry.js');
    const { readText, parseReferences, registryProperties } = await import('../src/tools/schema-formats/config.js');
    const input = () => {
      if (o.schemaFile === undefined) throw new UsageError(`${verb} needs --schema-file FILE`);
      const schemaType = t.schemaTypeOf(o.schemaType, o.schemaFile);
      const references = o.referencesFile === undefined ? [] : parseReferences(readText(o.referencesFile, '--references-file'), o.referencesFile);
      return { schema: readText(o.schemaFile, '--schema-file'), schemaType, references };
    };
    const level = o.set?.toUpperCase();
    if (level !== undefined && (verb !== 'compatibility' || !LEVELS.includes(level))) {
      throw new UsageError(verb !== 'compatibility' ? '--set goes with the compatibility verb' : `Invalid compatibility level '${o.set}' (expected ${LEVELS.join(', ')})`);
    }
    const id = requireInt(o.id, 'id', { min: 0 });
    if (versionArg !== undefined && verb !== 'get' && verb !== 'delete' && verb !== 'check') throw new UsageError(`${verb} takes no version`);
    const version = t.parseVersion(versionArg, verb === 'check');
    const schemaInput = verb === 'register' || verb === 'check' ? input() : undefined;
    const rawProps = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    await warnUnknownRegistryKeys(rawProps, (l) => ctx.warn(l));
    const fileProps = registryProperties(rawProps);
    const flags = { ...(o.schemaRegistryUrl !== undefined && registryProperties({ 'schema.registry.url': o.schemaRegistryUrl })), ...(o.basicAuth !== undefined && { basicAuth: o.basicAuth }), ...(o.bearerToken !== undefined && { bearerToken: o.bearerToken }) };
    const { SchemaRegistryClient } = await import('../src/client/schema-registry.js');
    const c = new SchemaRegistryClient(await registryTarget(ctx, o.bootstrapServer, fileProps, flags, COMMAND_REGISTRY_HOW));
    const s = subject!;
    const single = version === 'all' ? 'latest' : version;
    const report =
      verb === 'list' ? await t.listSubjects(c, !!o.deleted)
      : verb === 'versions' ? await t.listVersions(c, s)
      : verb === 'get' ? await t.getSchema(c, subject, single ?? 'latest', id)
      : verb === 'register' ? await t.register(c, s, schemaInput!, !!o.normalize)
      : verb === 'check' ? await t.check(c, s, version, schemaInput!)
      : verb === 'compatibility' ? await t.compatibility(c, subject, level)
      : verb === 'delete' ? await t.remove(c, s, single, !!o.permanent)
      : await t.types(c);
    return printView({ data: report.data, text: () => report.lines, ...(report.incompatible && { exit: 'Incompatible' as const }) }, ctx, o.output === 'json');
  },
});
