/** kafka-ts streams: wiring only; topologies in src/tools/streams.ts and streams-app.ts, the running in streams-run.ts. */
import { defineCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { bootstrapFlag, requireInt } from '../src/cli/context.js';
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { parseInlinePairs, readPropertiesFile } from '../src/cli/properties.js';
import { watchStopSignals } from '../src/cli/signals.js';
import { printView } from '../src/cli/view.js';
import { docs } from '../src/cli/manuals/streams.js';
import { checkVerbOptions, STREAMS_VERBS, streamsFlags, streamsRegistry, type StreamsOptions, type StreamsVerb } from '../src/cli/flags/streams.js';

export default defineCommand<StreamsOptions>({
  name: 'streams',
  lastValueWins: true,
  ...docs,
  build(cmd) {
    connectionOptions(cmd);
    streamsFlags(cmd);
    outputOption(cmd, 'output: text (status lines, describe in Kafka\'s layout) or json (status as JSON lines, describe as one document)');
  },
  async run(o, args, ctx) {
    const [word, ...rest] = args;
    const verb = word as StreamsVerb;
    if (!STREAMS_VERBS.includes(verb)) throw new UsageError(`Unknown verb '${word}': expected one of ${STREAMS_VERBS.join(', ')}`);
    // describe takes the verb (or app file) it describes as its argument.
    let target: string = verb;
    let file: string | undefined;
    if (verb === 'describe') {
      if (rest.length === 0) throw new UsageError('streams describe needs what to describe: copy, filter, join, count (with their options) or an app file');
      target = rest.shift()!;
    }
    if (target === 'run' || (verb === 'describe' && !STREAMS_VERBS.includes(target as StreamsVerb))) {
      if (target === 'run') file = rest.shift();
      else file = target;
      if (file === undefined) throw new UsageError('streams run needs the app file: kafka-ts streams run app.js');
      target = 'run';
    }
    if (rest.length > 0) throw new UsageError(`Unexpected argument '${rest[0]}'`);
    if (target === 'describe') throw new UsageError('streams describe describes copy, filter, join, count or an app file');
    checkVerbOptions(target as 'run', o);
    const maxRecords = requireInt(o.maxRecords, 'max-records', { min: 1 }) ?? null;
    const { parseDuration } = await import('../src/tools/offset-spec.js');
    const duration = (v: string | undefined, flag: string): number | null => {
      if (v === undefined) return null;
      const ms = /^\d+$/.test(v) ? Number(v) : parseDuration(v);
      if (ms === null) throw new UsageError(`Invalid duration '${v}' for ${flag}: use e.g. 500ms, 5s, 1m`);
      return ms;
    };
    const untilIdleMs = duration(o.untilIdle, '--until-idle');
    const statusIntervalMs = duration(o.statusInterval, '--status-interval') ?? 10_000;

    const clientProps = o.commandConfig ? readPropertiesFile(o.commandConfig) : {};
    const streamsFileProps = o['streams.config'] ? readPropertiesFile(o['streams.config']) : {};
    // A Streams config names its cluster with bootstrap.servers, as Kafka Streams requires.
    const inlineProps = parseInlinePairs(o.config);
    const cliProps = { ...streamsFileProps, ...inlineProps };
    const cluster = bootstrapFlag(o.bootstrapServer, { ...cliProps, ...clientProps });
    const tools = await import('../src/tools/streams.js');
    // default.key.serde / default.value.serde stand in for --key-serde / --value-serde.
    const serdes = (p: Record<string, string>) => tools.inputSerdes(o, p, (reg) => streamsRegistry(ctx, cluster, reg));
    const built =
      target === 'run'
        ? await (await import('../src/tools/streams-app.js')).appTopology(file!, (appConfig) => serdes({ ...appConfig, ...cliProps }))
        : tools.builtInTopology({ ...o, verb: target as 'copy', ...serdes(cliProps) });
    const topology = built.topology.build();
    if (verb === 'describe') {
      const text = topology.describe();
      return printView({ data: { ...tools.describeDocument(text), text }, text: () => text }, ctx, o.output === 'json');
    }

    const props: Record<string, string> = {
      ...built.appConfig,
      ...streamsFileProps,
      ...inlineProps,
    };
    if (o.applicationId !== undefined) props['application.id'] = o.applicationId;
    props['application.id'] ??= built.defaultApplicationId;
    if (o.processingGuarantee !== undefined) props['processing.guarantee'] = o.processingGuarantee;
    if (o.stateDir !== undefined) props['state.dir'] = o.stateDir;
    const stop = watchStopSignals();
    const { runTopology } = await import('../src/tools/streams-run.js');
    const { connectionProperties } = await import('../src/streams/runtime/config.js');
    const json = o.output === 'json';
    const live = !json && !!ctx.stdout.isTTY && !process.env.CI;
    const result = await runTopology(
      topology,
      props,
      // Kafka Streams hands its connection settings (security.protocol, ssl.*, sasl.*) to its clients.
      () => ctx.client({ bootstrapServer: cluster, properties: { ...connectionProperties(props), ...clientProps }, clientId: props['client.id'] ?? props['application.id'] }),
      { maxRecords, untilIdleMs, statusIntervalMs, ...(file !== undefined && { appFile: file }) },
      {
        // Status goes out as it happens; a reader that went away (`| head`) leaves the application running quietly.
        write: (t) => {
          if (ctx.out.isClosed) return;
          ctx.out.write(t);
          ctx.out.flush().catch(() => undefined);
        },
        warn: (l) => ctx.warn(l),
        json,
        live,
        stop: stop.received,
      },
    );
    const exit = printView({ data: result.data, text: () => result.lines }, ctx, json);
    // Stopped cleanly because the terminal went away: the process ends by the signal (129).
    return stop.signal === 'SIGHUP' && exit === 'Ok' ? 'HungUp' : exit;
  },
});
