/**
 * kafka-ts streams: its options, and which verb takes which, checked before anything connects.
 */
import { type Command, Option } from 'commander';
import { collect } from '../command.js';
import { UsageError } from '../errors.js';
import type { ConnectionOptionValues } from '../options.js';
import type { TopologyRequest } from '../../tools/streams.js';
import type { RegistryClientOptions } from '../../client/schema-registry.js';
import type { CliContext } from '../context.js';

export const STREAMS_VERBS = ['run', 'copy', 'filter', 'join', 'count', 'describe'] as const;
export type StreamsVerb = (typeof STREAMS_VERBS)[number];
export const SERDE_NAMES = ['string', 'json', 'long', 'integer', 'double', 'bytes', 'avro', 'json-schema', 'protobuf'];

/** The command line: the topology's options (src/tools/streams.ts) plus how to run it. */
export interface StreamsOptions extends ConnectionOptionValues, Omit<TopologyRequest, 'verb' | 'file' | 'registry'> {
  applicationId?: string;
  processingGuarantee?: string;
  stateDir?: string;
  config?: string[];
  'streams.config'?: string;
  maxRecords?: string;
  untilIdle?: string;
  statusInterval?: string;
  output: 'text' | 'json';
}

/** Options each topology verb accepts (besides the common ones). */
export const VERB_OPTIONS: Record<'run' | 'copy' | 'filter' | 'join' | 'count', (keyof StreamsOptions)[]> = {
  run: [],
  copy: ['from', 'to', 'keySerde', 'valueSerde'],
  filter: ['from', 'to', 'where', 'keySerde', 'valueSerde'],
  join: ['stream', 'table', 'to', 'global', 'keyFrom', 'joiner', 'keySerde', 'valueSerde'],
  count: ['from', 'to', 'window', 'hop', 'grace', 'keySerde', 'valueSerde'],
};
export const TOPOLOGY_FLAGS: Partial<Record<keyof StreamsOptions, string>> = {
  from: '--from',
  to: '--to',
  where: '--where',
  stream: '--stream',
  table: '--table',
  global: '--global',
  keyFrom: '--key-from',
  joiner: '--joiner',
  window: '--window',
  hop: '--hop',
  grace: '--grace',
  keySerde: '--key-serde',
  valueSerde: '--value-serde',
};

/** Refuses an option the verb does not take (e.g. --where with copy). */
export function checkVerbOptions(verb: keyof typeof VERB_OPTIONS, o: StreamsOptions): void {
  for (const [key, flag] of Object.entries(TOPOLOGY_FLAGS) as [keyof StreamsOptions, string][]) {
    if (o[key] !== undefined && !VERB_OPTIONS[verb].includes(key)) throw new UsageError(`Option ${flag} cannot be used with streams ${verb}`);
  }
}

export function streamsFlags(cmd: Command): void {
  cmd
    .argument('<verb>', `what to do: ${STREAMS_VERBS.join(', ')}`)
    .argument('[args...]', 'run: the app file; describe: a verb with its options, or an app file')
    .option('--from <topic>', 'copy, filter, count: the input topic')
    .option('--to <topic>', 'copy, filter, join, count: the output topic (must exist)')
    .option('--where <expression>', "filter: a JavaScript expression over key, value, timestamp, headers; records for which it is truthy pass (e.g. 'value.length > 5')")
    .option('--stream <topic>', 'join: the stream side (every record)')
    .option('--table <topic>', 'join: the table side (latest value per key)')
    .option('--global', 'join: read --table as a GlobalKTable (all partitions on every instance; no co-partitioning needed)')
    .addOption(new Option('--key-from <side>', "join: look the table up by the stream record's key (default) or its value").choices(['key', 'value']))
    .option('--joiner <expression>', 'join: a JavaScript expression for the output value over key, value/left (stream value), tableValue/right (table value), and the topics\' names in the singular (orders: order, addresses: address)')
    .option('--window <duration>', 'count: tumbling windows of this size (e.g. 1m); without it, a running count per key')
    .option('--hop <duration>', 'count: hopping windows advancing by this much (at most --window)')
    .option('--grace <duration>', 'count: accept records this late (out of order) into a window (default 0)')
    .option('--application-id <id>', 'application.id: the group id and internal topics\' prefix (default: derived from the verb and topics, or the app file\'s name)')
    .addOption(new Option('--processing-guarantee <guarantee>', 'processing.guarantee').choices(['at_least_once', 'exactly_once_v2']))
    .option('--state-dir <dir>', 'state.dir: where state stores live (default: <tmpdir>/kafka-streams)')
    .option('--config <key=value>', "a Kafka Streams property (StreamsConfig's names, e.g. commit.interval.ms=100; repeatable)", collect)
    .option('--streams.config <file>', 'Kafka Streams properties file')
    .addOption(new Option('--key-serde <serde>', 'serde of input keys (default string)').choices(SERDE_NAMES))
    .addOption(new Option('--value-serde <serde>', 'serde of input values (default string)').choices(SERDE_NAMES))
    .option('--max-records <n>', 'stop cleanly after this instance has processed N records')
    .option('--until-idle <duration>', 'stop cleanly once every task is caught up and nothing was processed for this long (e.g. 5s)')
    .option('--status-interval <duration>', 'without a terminal: print a status line this often (default 10s; 0 only on state changes)');
}

/**
 * The registry of the registry serdes (schema-registry's registryTarget), its refusals naming
 * what streams takes: schema.registry.url in --config or --streams.config (streams has no
 * --schema-registry-url).
 */
export async function streamsRegistry(ctx: CliContext, cluster: string | undefined, props: Partial<RegistryClientOptions>): Promise<RegistryClientOptions> {
  const { registryTarget } = await import('./schema-registry.js');
  try {
    return await registryTarget(ctx, cluster, props);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const daemon = /local daemon runs no schema registry/.test(e.message);
    throw new UsageError(`${daemon ? 'The local daemon runs no schema registry (started with --no-schema-registry?)' : 'No schema registry given'}: set --config schema.registry.url=http://host:8081 (or schema.registry.url in --streams.config)`);
  }
}
