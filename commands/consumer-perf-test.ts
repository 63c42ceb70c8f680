/**
 * kafka-ts consumer-perf-test (kafka-consumer-perf-test.sh): wiring only. Options and checks in
 * src/cli/flags/consumer-perf-test.ts, the run and Kafka's lines in src/tools/consumer-perf.ts.
 */
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { signalExit } from '../src/cli/errors.js';
import { unlessStopped, watchStopSignals } from '../src/cli/signals.js';
import { checkClientConfig, readClientProperties } from '../src/cli/properties.js';
import { docs } from '../src/cli/manuals/consumer-perf-test.js';
import { validate, type ConsumerPerfTestOptions } from '../src/cli/flags/consumer-perf-test.js';
import { progressBar } from '../src/cli/perf-views.js';
import { diagnostic } from '../src/cli/view.js';

export default defineCommand<ConsumerPerfTestOptions>({
  name: 'consumer-perf-test',
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .option('--broker-list <host:port>', 'deprecated alias of --bootstrap-server')
      .option('--topic <topic>', 'the topic to consume from (required)')
      .option('--messages <n>', 'the number of messages to consume (required)')
      .option('--group <id>', 'the group id to consume in (default: perf-consumer-<random>)')
      .option('--fetch-size <bytes>', 'max.partition.fetch.bytes', '1048576')
      .option('--socket-buffer-size <bytes>', 'receive.buffer.bytes (accepted for compatibility)', '2097152')
      .option('--from-latest', 'without committed offsets, start at the end of the log instead of the beginning')
      .option('--consumer.config <file>', 'consumer config properties file')
      .option('--command-config <file>', 'also the consumer config file (Kafka 4.2 name)')
      .option('--timeout [ms]', 'the longest time allowed between records (the bare flag: the default)', '10000')
      .option('--reporting-interval <ms>', 'interval of --show-detailed-stats lines', '5000')
      .option('--show-detailed-stats', 'print a line per reporting interval instead of the summary')
      .option('--date-format <format>', 'time format (Java SimpleDateFormat)', 'yyyy-MM-dd HH:mm:ss:SSS')
      .option('--hide-header', 'do not print the header line')
      .option('--print-metrics', 'print the consumer figures at the end')
      .option('--threads <n>', "Kafka 3.x's deprecated thread count: ignored, with a warning")
      .option('--num-fetch-threads <n>', "Kafka 3.x's deprecated fetcher count: ignored, with a warning");
    outputOption(cmd, "output: text (Kafka's CSV, default) or json (one object with the figures)");
  },
  async run(o, _args, ctx) {
    const props = readClientProperties([['--consumer.config', o['consumer.config']], ['--command-config', o.commandConfig]], []).all;
    const cfg = await checkClientConfig('consumer', props, (l) => ctx.warn(l));
    const s = validate(o, props);
    if (s.ignoredOptionsWarning) ctx.warn(s.ignoredOptionsWarning);
    const json = o.output === 'json';
    const out = (line: string) => {
      ctx.out.write(`${line}\n`);
      void ctx.out.flush().catch(() => undefined);
    };
    const { runConsumerPerf, stoppedBeforeConsuming, summaryLine, metricsLines, HEADER, DETAILED_HEADER } = await import('../src/tools/consumer-perf.js');
    // Watched from here: a stop while still connecting ends it as a later stop does (its summary, nothing consumed).
    const stopSignal = watchStopSignals();
    const began = Date.now();
    const client = await unlessStopped(ctx.client({ bootstrapServer: o.bootstrapServer ?? o.brokerList, properties: props, clientId: props['client.id'] ?? 'perf-consumer-client' }), stopSignal.received);
    // The header goes out once consuming begins: a run that fails before (a topic that does not
    // exist, no broker) prints nothing on stdout.
    let headerDue = !json && !o.hideHeader;
    const header = () => {
      if (headerDue) out(o.showDetailedStats ? DETAILED_HEADER : HEADER);
      headerDue = false;
    };
    const { groupOptions } = await import('../src/tools/console-group.js');
    const { fetcherOptions } = await import('../src/client/config/consumer.js');
    const bar = process.stderr.isTTY && client ? progressBar(process.stderr, 'records') : null;
    const reset = props['auto.offset.reset'] ?? (o.fromLatest ? 'latest' : 'earliest');
    const r = !client
      ? stoppedBeforeConsuming(s.topic, s.group, began, Date.now())
      : await runConsumerPerf(
          client,
          {
            topic: s.topic,
            messages: s.messages,
            timeoutMs: s.timeoutMs,
            reportingIntervalMs: s.reportingIntervalMs,
            detailed: !!o.showDetailedStats,
            formatDate: s.formatDate,
            consumer: {
              ...groupOptions(props),
              groupId: s.group,
              ...fetcherOptions(cfg),
              maxPartitionBytes: s.fetchSize,
              autoOffsetReset: reset === 'latest' ? 'latest' : reset === 'none' ? 'none' : 'earliest',
            },
          },
          {
            line: (l) => {
              bar?.clear();
              if (!json) out(l);
            },
            diagnostic: (l) => {
              bar?.clear();
              diagnostic(ctx, json, l);
              void ctx.out.flush().catch(() => undefined);
            },
            progress: bar ? (p) => bar.show(p.consumed, p.total, p.elapsedMs) : undefined,
            started: header,
            interrupted: stopSignal.received,
          },
        );
    bar?.clear();
    if (json) out(JSON.stringify(r));
    else {
      header();
      if (!o.showDetailedStats) out(summaryLine(r, s.formatDate));
      if (o.printMetrics) for (const l of metricsLines(r, props['client.id'] ?? 'perf-consumer-client')) out(l);
    }
    return r.interrupted ? signalExit(stopSignal.signal!) : 'Ok';
  },
});
