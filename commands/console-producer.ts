import { Option } from 'commander';
import { commandPropertyOptions, connectionOptions, outputOption } from '../src/cli/options.js';
import { collect, defineCommand, flagName } from '../src/cli/command.js';
import { signalExit, UsageError } from '../src/cli/errors.js';
import { unlessStopped, watchStopSignals } from '../src/cli/signals.js';
import { producerConnectFailureView, producerStoppedView, producerSummaryView } from '../src/cli/console-views.js';
import { printView, type View } from '../src/cli/view.js';
import { bootstrapFlag, requireInt } from '../src/cli/context.js';
import { checkClientConfig, parseInlinePairs, readClientProperties, readPropertiesFile, warnUnknownPropertyKeys } from '../src/cli/properties.js';
import { docs } from '../src/cli/manuals/console-producer.js';
import { DEFAULT_READERS, parseAcks, idempotenceMode, transactionOptions, type ConsoleProducerOptions } from '../src/cli/flags/console-producer.js';
import { registryTarget } from '../src/cli/flags/schema-registry.js';

const FORMATS = ['string', 'avro', 'json-schema', 'protobuf'];

export default defineCommand<ConsoleProducerOptions>({
  name: 'console-producer',
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .option('--broker-list <host:port>', 'deprecated alias of --bootstrap-server')
      .option('--topic <topic>', 'topic to produce to (required)')
      .option('--sync', 'send each record synchronously')
      .addOption(new Option('--compression-codec [codec]', 'compression: none, gzip, snappy, lz4 or zstd (alone: gzip)'))
      .option('--batch-size <bytes>', 'batch.size: bytes of records per batch (Kafka\'s tool: 16384)', '1000000')
      .option('--max-partition-memory-bytes <bytes>', 'also batch.size (wins over --batch-size)')
      .option('--message-send-max-retries <n>', 'retries', '3')
      .option('--retry-backoff-ms <ms>', 'retry.backoff.ms', '100')
      .option('--timeout <ms>', 'linger.ms: how long records wait to be batched', '1000')
      .option('--request-required-acks <acks>', 'acks: -1/all, 0 or 1', '-1')
      .option('--request-timeout-ms <ms>', 'request.timeout.ms', '1500')
      .option('--metadata-expiry-ms <ms>', 'metadata.max.age.ms (accepted for compatibility)', '300000')
      .option('--max-block-ms <ms>', 'max.block.ms: how long to wait for topic metadata', '60000')
      .option('--max-memory-bytes <bytes>', 'buffer.memory: bytes of records waiting to be acknowledged before reading blocks (up to --max-block-ms)', '33554432')
      .option('--socket-buffer-size <bytes>', 'send.buffer.bytes (accepted for compatibility)', '102400')
      .option('--line-reader <class>', 'message reader class (only the default line reader)')
      .option('--property <key=value>', 'line reader property (repeatable)', collect)
      .option('--reader-config <file>', 'line reader properties file')
      .option('--producer-property <key=value>', 'producer property (repeatable)', collect)
      .option('--producer.config <file>', 'producer properties file')
      .option('--transactional-id <id>', 'produce in transactions with this transactional.id (commit at the end, abort on error)')
      .option('--transaction-size <n>', 'with --transactional-id: commit every N records (0: one transaction)');
    commandPropertyOptions(cmd, 'producer')
      .addOption(new Option('--input <format>', 'input format: text (Kafka lines) or json (the console-consumer envelope)').choices(['text', 'json']).default('text'))
      .addOption(new Option('--key-format <format>', 'key format: string (as typed) or avro, json-schema, protobuf (JSON in, schema registry wire format out)').choices(FORMATS))
      .addOption(new Option('--value-format <format>', 'value format: string (as typed) or avro, json-schema, protobuf (--property value.schema=…)').choices(FORMATS));
    outputOption(cmd, 'output: the summary on stderr only (text, default), or also as a JSON object on stdout (json)');
  },
  async run(o, _args, ctx, given) {
    if (o.topic === undefined) throw new UsageError('Missing required argument "[topic]"');
    if (o.lineReader !== undefined && !DEFAULT_READERS.has(o.lineReader)) {
      throw new UsageError(`--line-reader ${o.lineReader} is not supported; use the default line reader or --input json`);
    }
    const props = readClientProperties([['--producer.config', o['producer.config']], ['--command-config', o.commandConfig]], [o.producerProperty, o.commandProperty]).all;
    const cfg = await checkClientConfig('producer', props, (l) => ctx.warn(l));
    const readerProps = { ...(o.readerConfig ? readPropertiesFile(o.readerConfig) : {}), ...parseInlinePairs([...(o.property ?? []), ...(o.readerProperty ?? [])]) };
    // Kafka's precedence: an explicit option, then a producer property, then the option's default.
    const pick = (option: string, prop: string, value: string) => (given(option) || props[prop] === undefined ? value : props[prop]!);
    // A value taken from a producer property is named by its key, as Kafka's config parser does.
    const num = (option: string, prop: string, value: string, min = 0) => {
      if (given(option) || props[prop] === undefined) return requireInt(value, flagName(option), { min })!;
      const v = props[prop]!;
      if (!/^\s*-?\d+\s*$/.test(v)) throw new UsageError(`Invalid value ${v} for configuration ${prop}: Not a number of type LONG`);
      if (Number(v) < min) throw new UsageError(`Invalid value ${v} for configuration ${prop}: Value must be at least ${min}`);
      return Number(v);
    };
    const { compressionByName } = await import('../src/protocol/compression.js');
    const { producerOptions } = await import('../src/client/config/producer.js');
    const codec = o.compressionCodec === undefined ? cfg.str('compression.type')! : o.compressionCodec === true ? 'gzip' : o.compressionCodec;
    let compression: number;
    try {
      compression = compressionByName(codec === 'uncompressed' ? 'none' : codec);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { readerConfig, READER_KEYS, jsonReader } = await import('../src/tools/line-reader.js');
    const input = o.input === 'json' ? jsonReader(readerProps, (l) => ctx.warn(l)) : readerConfig(readerProps, (l) => ctx.warn(l));
    const { SCHEMA_PROPERTY_KEYS } = await import('../src/tools/schema-formats/keys.js');
    await warnUnknownPropertyKeys(readerProps, (k) => READER_KEYS.has(k) || SCHEMA_PROPERTY_KEYS.has(k), 'line reader', (l) => ctx.warn(l));
    const sf = o.keyFormat || o.valueFormat ? await import('../src/tools/schema-formats/index.js') : null;
    const schemaPlan = sf?.producerSchemaPlan(o.topic, o, { ...props, ...readerProps }) ?? null;
    const batchSize = given('maxPartitionMemoryBytes') ? requireInt(o.maxPartitionMemoryBytes, 'max-partition-memory-bytes', { min: 0 })! : num('batchSize', 'batch.size', o.batchSize); // 0: no batching (Kafka's atLeast(0))
    const lingerMs = num('timeout', 'linger.ms', o.timeout);
    const requestTimeoutMs = num('requestTimeoutMs', 'request.timeout.ms', o.requestTimeoutMs, 1);
    const maxBlockMs = num('maxBlockMs', 'max.block.ms', o.maxBlockMs);
    const acks = parseAcks(pick('requestRequiredAcks', 'acks', o.requestRequiredAcks));
    const retries = num('messageSendMaxRetries', 'retries', o.messageSendMaxRetries);
    const idempotent = idempotenceMode(props['enable.idempotence'], acks, retries);
    const txn = transactionOptions(o, props);
    let failure: View | undefined; // a connection that failed ends with the summary too
    // Watched from here: a stop while still connecting (null below; undefined: the connection failed) ends it as a later stop does (the summary, 0 sent).
    const stopSignal = watchStopSignals();
    const connectSetting = props['default.api.timeout.ms'] !== undefined ? 'default.api.timeout.ms' : 'max.block.ms';
    const properties = { 'default.api.timeout.ms': String(Math.min(maxBlockMs, 60_000)), ...props, 'request.timeout.ms': String(requestTimeoutMs) };
    const connecting = ctx.client({ bootstrapServer: o.bootstrapServer ?? o.brokerList, properties, clientId: 'console-producer', connectSetting }).catch((e: unknown) => void (failure = producerConnectFailureView(o.topic!, e, ctx.principal)));
    const serializer = async () => (schemaPlan ? await sf!.producerSerializer(schemaPlan, (p) => registryTarget(ctx, bootstrapFlag(o.bootstrapServer ?? o.brokerList, props), p)) : undefined);
    const connected = await unlessStopped(connecting.then(async (client) => client && { client, schema: await serializer() }), stopSignal.received);
    const json = o.output === 'json';
    if (connected === null) return printView(producerStoppedView(o.topic, signalExit(stopSignal.signal!)), ctx, json);
    if (!connected) return printView(failure!, ctx, json);
    const { client, schema } = connected;
    const { runConsoleProducer } = await import('../src/tools/console-producer.js');
    const interactive = !json && !!process.stdin.isTTY && !!process.stdout.isTTY;
    const stdin = await (await import('../src/tools/line-reader.js')).producerInput();
    // Reading stops at once; the tool then delivers what was read.
    void stopSignal.received.then(() => stdin.destroy());
    const summary = await runConsoleProducer(
      client,
      {
        topic: o.topic,
        input,
        sync: !!o.sync,
        prompt: interactive,
        ...(schema && { schema, structured: { key: !!schemaPlan!.sides.key, value: !!schemaPlan!.sides.value } }),
        producer: {
          acks,
          idempotent,
          compression,
          lingerMs,
          batchSize,
          retries,
          retryBackoffMs: num('retryBackoffMs', 'retry.backoff.ms', o.retryBackoffMs),
          requestTimeoutMs,
          maxBlockMs,
          maxRequestSize: requireInt(props['max.request.size'], 'max.request.size', { min: 1 }),
          deliveryTimeoutMs: Math.max(cfg.num('delivery.timeout.ms'), lingerMs + requestTimeoutMs),
          maxInFlightPerBroker: cfg.num('max.in.flight.requests.per.connection'),
          // Unkeyed records move on after batch.size bytes (KIP-794). Our batches default to 1 MB
          // for speed; unless a batch size was chosen, records move on after the 16384 bytes of
          // Kafka's console producer, so a piped file spreads over partitions as it does there.
          partitioner: { ...producerOptions(cfg, () => 0).partitioner, ...(given('batchSize') || given('maxPartitionMemoryBytes') || props['batch.size'] !== undefined ? {} : { batchSize: 16384 }) },
          transactionalId: txn?.transactionalId,
          transactionTimeoutMs: txn?.timeoutMs,
        },
        transactionSize: txn?.size,
        bufferMemory: num('maxMemoryBytes', 'buffer.memory', o.maxMemoryBytes),
      },
      {
        stdin: stdin as AsyncIterable<Buffer>,
        prompt: () => ctx.prompt('>'),
        warn: (l) => ctx.warn(l),
        stopReading: () => stdin.destroy(),
        interrupted: stopSignal.received,
      },
    );
    const exit = summary.interrupted ? signalExit(stopSignal.signal!) : summary.authError ? 'AuthFailed' : summary.denied ? 'Denied' : summary.failed > 0 || summary.inputError || summary.transactionError ? 'Failure' : 'Ok';
    return printView(producerSummaryView(o.topic, summary, exit), ctx, json);
  },
});
