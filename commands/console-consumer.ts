import { Option } from 'commander';
import { commandPropertyOptions, connectionOptions, outputOption } from '../src/cli/options.js';
import { collect, defineCommand } from '../src/cli/command.js';
import { NotFoundError, signalExit, UsageError } from '../src/cli/errors.js';
import { unlessStopped, watchStopSignals } from '../src/cli/signals.js';
import { connectionNotice, consumerEndView, processedLine, resetNotice, type ResetNotice } from '../src/cli/console-views.js';
import { printView } from '../src/cli/view.js';
import { bootstrapFlag, requireInt } from '../src/cli/context.js';
import { checkClientConfig, parseInlinePairs, readClientProperties, readPropertiesFile, warnUnknownPropertyKeys } from '../src/cli/properties.js';
import { docs } from '../src/cli/manuals/console-consumer.js';
import { formatterDeprecation, formatterProperties, groupIdOf, waitingFor, waitingNotice, groupOffsetReset, includePattern, outputFormat, type ConsoleConsumerOptions } from '../src/cli/flags/console-consumer.js';
import { registryTarget } from '../src/cli/flags/schema-registry.js';

const FORMATS = ['string', 'avro', 'json-schema', 'protobuf'];

export default defineCommand<ConsoleConsumerOptions>({
  name: 'console-consumer',
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .option('--topic <topic>', 'topic to consume')
      .option('--include <regex>', 'consume every topic whose name matches this regular expression')
      .option('--whitelist <regex>', 'deprecated alias of --include')
      .option('--partition <n>', 'consume only this partition')
      .option('--offset <spec>', 'where to start (and stop): earliest, latest, N, -N, +N, @TIME, START:END (END not included; with --group: earliest or latest, END only as end)')
      .option('--from-beginning', 'start with the earliest record (when there is no committed offset)')
      .option('-e, --exit-at-end', 'stop at the end of the log, like kcat -e')
      .option('--group <id>', 'consumer group to join (commits offsets)')
      .option('--max-messages <n>', 'stop after this many records')
      .option('--timeout-ms <ms>', 'stop when no record arrives for this long')
      .option('--skip-message-on-error', 'skip records the formatter cannot print instead of stopping')
      .option('--isolation-level <level>', 'read_committed: only records of committed transactions (up to the last stable offset); read_uncommitted (default): all')
      .option('--formatter <class>', 'DefaultMessageFormatter, LoggingMessageFormatter or NoOpMessageFormatter')
      .option('--property <key=value>', 'formatter property (repeatable)', collect)
      .option('--formatter-config <file>', 'formatter properties file')
      .option('--key-deserializer <class>', 'shortcut for --property key.deserializer=CLASS')
      .option('--value-deserializer <class>', 'shortcut for --property value.deserializer=CLASS')
      .option('--consumer-property <key=value>', 'consumer property (repeatable)', collect)
      .option('--consumer.config <file>', 'consumer properties file');
    for (const side of ['key', 'value']) {
      cmd.addOption(new Option(`--${side}-format <format>`, `${side} format: string (the bytes) or avro, json-schema, protobuf (decoded by schema id from the registry, as JSON)`).choices(FORMATS));
    }
    commandPropertyOptions(cmd, 'consumer').option('--enable-systest-events', "print 'shutdown_complete' on stdout at exit ({\"event\":\"shutdown_complete\"} with --output json)");
    outputOption(cmd, "output: text (Kafka's formatter) or json (one object per record)");
  },
  async run(o, _args, ctx) {
    const include = o.include ?? o.whitelist;
    if ((o.topic === undefined) === (include === undefined)) throw new UsageError('Exactly one of --include/--topic is required. ');
    if (o.partition !== undefined && o.topic === undefined) throw new UsageError('The topic is required when partition is specified.');
    // Kafka checks this with --partition only (its --offset needs one); here --offset works everywhere.
    if (o.fromBeginning && o.offset !== undefined) throw new UsageError('Options from-beginning and offset cannot be specified together.');
    const { file: fileProps, inline, all: props } = readClientProperties([['--consumer.config', o['consumer.config']], ['--command-config', o.commandConfig]], [o.consumerProperty, o.commandProperty]);
    const cfg = await checkClientConfig('consumer', props, (l) => ctx.warn(l));
    const group = groupIdOf(o.group, inline, fileProps);
    if (group !== undefined && o.partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.');
    const reset = props['auto.offset.reset'];
    if (o.fromBeginning && reset !== undefined && reset !== 'earliest') {
      throw new UsageError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`);
    }
    const partition = requireInt(o.partition, 'partition', { min: 0, int32: true });
    const maxMessages = requireInt(o.maxMessages, 'max-messages', { int32: true }) ?? -1;
    const timeoutMs = requireInt(o.timeoutMs, 'timeout-ms', { int32: true });
    const isolation = (o.isolationLevel ?? props['isolation.level'] ?? 'read_uncommitted').toLowerCase();
    if (isolation !== 'read_uncommitted' && isolation !== 'read_committed') throw new UsageError(`Invalid value ${o.isolationLevel ?? props['isolation.level']} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`);
    // Invalid values throw usage errors (exit 2).
    const { parseOffsetSpec } = await import('../src/tools/offset-spec.js');
    const spec = parseOffsetSpec(o.offset ?? (o.fromBeginning || reset === 'earliest' ? 'earliest' : 'latest'));
    if (o.exitAtEnd && spec.end === null) spec.end = { kind: 'end' };
    // -e with an END offset past the log: stop at the log's end, as -e says (it waited for ever).
    else if (o.exitAtEnd && spec.end?.kind === 'offset') spec.end = { ...spec.end, atMostLogEnd: true };
    const startReset = group !== undefined && o.offset !== undefined ? groupOffsetReset(o.offset, spec, reset) : o.fromBeginning ? 'earliest' : undefined;

    const { formatterConfig, FORMATTERS, FORMATTER_KEYS } = await import('../src/tools/message-format.js');
    const fprops = formatterProperties(o, o.formatterConfig ? readPropertiesFile(o.formatterConfig) : {}, parseInlinePairs([...(o.property ?? []), ...(o.formatterProperty ?? [])]));
    const formatter = formatterConfig(fprops, (l) => ctx.warn(l));
    const { SCHEMA_PROPERTY_KEYS } = await import('../src/tools/schema-formats/keys.js');
    await warnUnknownPropertyKeys(fprops, (k) => FORMATTER_KEYS.has(k) || SCHEMA_PROPERTY_KEYS.has(k), 'message formatter', (l) => ctx.warn(l));
    const sf = o.keyFormat || o.valueFormat ? await import('../src/tools/schema-formats/index.js') : null;
    const schemaPlan = sf?.consumerSchemaPlan(o, { ...props, ...fprops }) ?? null;
    const format = outputFormat(o, FORMATTERS);
    const deprecated = format === 'json' ? null : formatterDeprecation(o.formatter);
    if (deprecated) ctx.warn(deprecated);
    const re = includePattern(include);
    const subscribing = group !== undefined || (partition === undefined && spec.end === null); // Kafka's subscribe: waits for a missing topic
    // Watched from here: a stop while still connecting ends it as a later stop does, with the count (Kafka's shutdown hook says it whether or not a broker was reached).
    const stopSignal = watchStopSignals();
    const { fetchSizeDefaults, noneConsumed } = await import('../src/tools/console-consumer.js');
    // Kafka says the count in a finally block: once records are being read, after an error too.
    const progress = noneConsumed();
    let stoppedEarly = false;
    ctx.atEnd(() => ((progress.started || stoppedEarly) && !progress.outputClosed ? processedLine(progress.processed) : null));
    const connect = async () => {
      const client = await ctx.client({ bootstrapServer: o.bootstrapServer, properties: props, clientId: props['client.id'] ?? 'console-consumer' });
      const md = re ? await client.refreshMetadata(null) : null;
      const topics = md ? [...md.topics.keys()].filter((t) => re!.test(t) && !md.topics.get(t)!.internal).sort() : [o.topic!];
      if (topics.length === 0 && !subscribing) throw new NotFoundError(`No topic matches --include '${include}'`);
      const schema = schemaPlan ? await sf!.consumerDecoder(schemaPlan, (p) => registryTarget(ctx, bootstrapFlag(o.bootstrapServer, props), p)) : undefined;
      return { client, topics, schema };
    };
    // Left behind when stopped: its client is closed with the command's (CliContext.close), which
    // ends its retries.
    const connected = await unlessStopped(connect(), stopSignal.received);
    if (connected === null) {
      stoppedEarly = true;
      return printView(consumerEndView(!!o.enableSystestEvents, signalExit(stopSignal.signal!)), ctx, o.output === 'json');
    }
    const { client, topics, schema } = connected;
    if (schema?.key) formatter.key = schema.key;
    if (schema?.value) formatter.value = schema.value;
    const { fetcherOptions: fromConfig } = await import('../src/client/config/consumer.js');
    const fetcherOptions = {
      ...fromConfig(cfg),
      ...fetchSizeDefaults(props),
      isolationLevel: (isolation === 'read_committed' ? 1 : 0) as 0 | 1,
      autoOffsetReset: (reset ?? startReset ?? 'latest') as 'earliest' | 'latest' | 'none',
      // Kafka's consumer logs this at INFO, which its console consumer does not show.
      onReset: (r: ResetNotice) => ctx.warn(resetNotice(r)),
      onConnection: (c: Parameters<typeof connectionNotice>[0]) => ctx.warn(connectionNotice(c)),
    };
    const consumeOpts = { maxMessages, timeoutMs: timeoutMs ?? null, skipMessageOnError: !!o.skipMessageOnError, format, formatter, ...(schema && { schema }) };
    // The output's buffers are used again, and records count as printed, once their bytes have
    // left (an empty write's callback comes after every write before it, with an error when the
    // reader went away).
    const out = { write: (d: string | Buffer) => ctx.out.write(d), flush: () => ctx.out.flush(), afterWritten: (done: (written: boolean) => void) => void ctx.stdout.write('', (e) => done(!e)) };
    const io = { out, warn: (l: string) => ctx.warn(l), interrupted: stopSignal.received, result: progress };
    let result;
    if (group !== undefined) {
      const { consumeWithGroup } = await import('../src/tools/console-group.js');
      result = await consumeWithGroup(client, group, topics, include !== undefined ? include : null, spec, props, fetcherOptions, consumeOpts, io, waitingNotice(o.topic, include));
    } else {
      const { consumeAssigned } = await import('../src/tools/console-consumer.js');
      // Without --partition it follows new topics (--include) and partitions, as Kafka's subscribing consumer does.
      const matches = re ? (t: string) => re.test(t) : (t: string) => t === o.topic;
      const watch = partition === undefined ? { matches, everyMs: cfg.num('metadata.max.age.ms'), ...waitingFor(o.topic, include, cfg.bool('allow.auto.create.topics')) } : undefined;
      result = await consumeAssigned(client, topics, partition, spec, fetcherOptions, consumeOpts, io, o.offset !== undefined || !!o.fromBeginning || partition !== undefined, watch);
    }
    // A reader that went away (`| head`) ends the command quietly: nothing more to say.
    if (result.outputClosed) return 'Ok';
    const exit = result.interrupted ? signalExit(stopSignal.signal!) : result.failure !== null ? 'Failure' : 'Ok';
    if (result.failure !== null) {
      // Kafka's finally block says the count before its top level reports the error.
      ctx.sayAtEnd();
      ctx.warn(`Unknown error when running consumer: ${result.failure}`);
    }
    return printView(consumerEndView(!!o.enableSystestEvents, exit, result.failure), ctx, o.output === 'json');
  },
});
