/**
 * kafka-ts schema-registry: its options, and how every schema-aware command finds its registry:
 * --schema-registry-url or schema.registry.url, else (no --bootstrap-server, context or
 * $KAFKA_BOOTSTRAP_SERVERS: the local daemon) the daemon's own registry from its status.
 */
import type { RegistryClientOptions } from '../../client/schema-registry.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { daemonPaths, daemonStatus, defaultHome } from '../local-daemon.js';

export interface SchemaRegistryOptions {
  schemaRegistryUrl?: string;
  basicAuth?: string;
  bearerToken?: string;
  commandConfig?: string;
  bootstrapServer?: string;
  context?: string;
  schemaFile?: string;
  schemaType?: string;
  referencesFile?: string;
  set?: string;
  permanent?: boolean;
  deleted?: boolean;
  normalize?: boolean;
  output: 'text' | 'json';
}

export const VERBS = ['list', 'versions', 'get', 'register', 'check', 'compatibility', 'delete', 'types'] as const;
export type Verb = (typeof VERBS)[number];

export const LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

/** The daemon's registry URL in its status (`server status`), whichever shape the status gives it. */
function registryUrlOf(status: unknown): string | undefined {
  const s = status as Record<string, unknown>;
  const r = s.schemaRegistry ?? s.schemaRegistryUrl ?? s.registry;
  if (typeof r === 'string') return r;
  if (r && typeof r === 'object' && typeof (r as { url?: unknown }).url === 'string') return (r as { url: string }).url;
  return undefined;
}

/** How the console tools take a registry (they have no --schema-registry-url). */
export const CONSOLE_REGISTRY_HOW = '--property schema.registry.url=http://host:8081';
/** How `schema-registry` takes one. */
export const COMMAND_REGISTRY_HOW = '--schema-registry-url http://host:8081 (or schema.registry.url in --command-config)';

/**
 * The registry a command talks to. `explicit` (a flag) wins over the properties' own
 * schema.registry.url and credentials (Confluent's names), which win over the context's (`context
 * add --property schema.registry.url=...`; its credentials only with its URL); without any, the
 * local daemon's. `how` names the way this command takes a registry, in the refusals when it has none.
 */
export async function registryTarget(ctx: CliContext, bootstrapFlag: string | undefined, props: Partial<RegistryClientOptions>, explicit: Partial<RegistryClientOptions> = {}, how = CONSOLE_REGISTRY_HOW): Promise<RegistryClientOptions> {
  const own = explicit.url ?? props.url;
  // The context's registry, credentials and all, only when the command names none, and only with
  // its URL (its credentials never go to another registry, the local daemon's included).
  const fromContext = own === undefined ? await contextRegistry(ctx, bootstrapFlag) : {};
  const url = own ?? fromContext.url;
  const auth: Partial<RegistryClientOptions> = {};
  for (const layer of [fromContext.url !== undefined ? fromContext : {}, props, explicit]) {
    if (layer.basicAuth !== undefined) auth.basicAuth = layer.basicAuth;
    if (layer.bearerToken !== undefined) auth.bearerToken = layer.bearerToken;
  }
  if (url !== undefined) return { url, ...auth };
  if (ctx.bootstrapFor(bootstrapFlag) !== undefined) {
    throw new UsageError(`No schema registry given: set ${how}; only the local daemon has a registry kafka-ts can find by itself`);
  }
  // Starts the daemon when none runs, as every command without --bootstrap-server does.
  await ctx.resolveBootstrap(undefined);
  const status = await daemonStatus(daemonPaths(defaultHome(ctx.env)));
  const found = status ? registryUrlOf(status) : undefined;
  if (found === undefined) throw new UsageError(`The local daemon runs no schema registry (started with --no-schema-registry?): set ${how}`);
  return { url: found, ...auth };
}

/** The registry settings of the context the command uses (none: {}). */
async function contextRegistry(ctx: CliContext, bootstrapFlag: string | undefined): Promise<Partial<RegistryClientOptions>> {
  if (ctx.select(bootstrapFlag).context === undefined) return {};
  const { registryProperties } = await import('../../tools/schema-formats/config.js');
  return registryProperties(ctx.clientProperties(bootstrapFlag));
}
