/**
 * kafka-ts producer-perf-test (kafka-producer-perf-test.sh): wiring only. Options and Kafka's
 * checks in src/cli/flags/producer-perf-test.ts, the run in src/tools/producer-perf.ts.
 */
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { signalExit } from '../src/cli/errors.js';
import { unlessStopped, watchStopSignals } from '../src/cli/signals.js';
import { readClientProperties } from '../src/cli/properties.js';
import { docs } from '../src/cli/manuals/producer-perf-test.js';
import { randomUUID } from 'node:crypto';
import { ineffectiveOptions, parseProducerProps, producerSettings, readPayloads, transactionSettings, validate, type ProducerPerfTestOptions } from '../src/cli/flags/producer-perf-test.js';
import { progressBar } from '../src/cli/perf-views.js';

export default defineCommand<ProducerPerfTestOptions>({
  name: 'producer-perf-test',
  lastValueWins: true,
  helpWhenBare: true,
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .option('--topic <topic>', 'produce messages to this topic (required)')
      .option('--num-records <n>', 'number of messages to produce (required)')
      .option('--record-size <bytes>', 'message size in bytes (one of --record-size, --payload-file, --payload-monotonic)')
      .option('--payload-file <file>', 'UTF-8 file of payloads split by --payload-delimiter; a random one per record')
      .option('--payload-monotonic', 'payload is the record index as decimal text')
      .option('--payload-delimiter <text>', 'delimiter for --payload-file (\\n means newline)', '\\n')
      .option('--throughput <n>', 'throttle to about N records/sec; -1 disables throttling (required)')
      .option('--producer-props <key=value...>', 'producer configs (bootstrap.servers, acks, linger.ms, batch.size, compression.type, ...); win over --producer.config')
      .option('--producer.config <file>', 'producer config properties file')
      .option('--command-config <file>', 'also the producer config file (Kafka 4.2 name)')
      .option('--print-metrics', 'print the producer metrics at the end')
      .option('--transactional-id <id>', 'produce in transactions with this transactional id')
      .option('--transaction-duration-ms <ms>', 'commit the transaction every this many ms (default 3000 when transactions are on)')
      .option('--warmup-records <n>', 'records left out of the steady-state figures (refused: not supported)');
    outputOption(cmd, 'output: text (Kafka\'s lines, default) or json (one object with the totals and the latency histogram)');
  },
  async run(o, _args, ctx, given) {
    const s = validate(o);
    for (const w of ineffectiveOptions(o, given)) ctx.warn(w);
    const props = readClientProperties([['--producer.config', o['producer.config']], ['--command-config', o.commandConfig]], []).all;
    Object.assign(props, parseProducerProps(o.producerProps));
    const { compressionByName } = await import('../src/protocol/compression.js');
    const settings = producerSettings(props, compressionByName);
    const txn = transactionSettings(o, props, () => randomUUID());
    if (txn) settings.producer.transactionalId = txn.transactionalId;
    const json = o.output === 'json';
    const out = (line: string) => {
      ctx.out.write(`${line}\n`);
      void ctx.out.flush().catch(() => undefined);
    };
    let payloads: Buffer[] | null = null;
    if (s.payloadFile !== null) {
      const read = readPayloads(s.payloadFile, s.delimiter);
      payloads = read.payloads;
      if (!json) {
        out(`Reading payloads from: ${read.absolute}`);
        out(`Number of messages read: ${payloads.length}`);
      }
    }
    for (const w of settings.warnings) ctx.warn(`WARN ${w} (org.apache.kafka.clients.producer.ProducerConfig)`);
    // Kafka's producer waits max.block.ms (60000 by default) for a broker: it bounds connecting
    // (and the warning names it), as for console-producer; default.api.timeout.ms when given wins.
    const byBlock = props['default.api.timeout.ms'] === undefined;
    const properties = byBlock ? { ...props, 'default.api.timeout.ms': String(settings.producer.maxBlockMs) } : props;
    // Watched from here: a stop while still connecting ends it as a later stop does (its total line, nothing sent).
    const stopSignal = watchStopSignals();
    const began = Date.now();
    const client = await unlessStopped(ctx.client({ bootstrapServer: o.bootstrapServer, properties, clientId: settings.clientId, ...(byBlock && { connectSetting: 'max.block.ms' }) }), stopSignal.received);
    const bar = process.stderr.isTTY && client ? progressBar(process.stderr, 'records') : null;
    const { runProducerPerf, stoppedBeforeSending, totalLine, metricsLines } = await import('../src/tools/producer-perf.js');
    const r = !client
      ? stoppedBeforeSending(s.topic, Date.now() - began)
      : await runProducerPerf(
          client,
          { topic: s.topic, numRecords: s.numRecords, recordSize: s.recordSize, payloads, monotonic: s.monotonic, throughput: s.throughput, producer: settings.producer, bufferMemory: settings.bufferMemory, transactionDurationMs: txn?.durationMs ?? null },
          {
            line: (l) => {
              bar?.clear();
              if (!json) out(l);
            },
            warn: (l) => {
              bar?.clear();
              ctx.warn(l);
            },
            outputClosed: () => ctx.out.isClosed,
            progress: bar ? (p) => bar.show(p.acked, p.total, p.elapsedMs) : undefined,
            interrupted: stopSignal.received,
          },
        );
    bar?.clear();
    const exit = r.interrupted ? signalExit(stopSignal.signal!) : r.denied ? 'Denied' : r.failed > 0 || r.transactionError ? 'Failure' : 'Ok';
    if (json) {
      const { windows, latency, stats: _stats, ...totals } = r;
      out(JSON.stringify({ ...totals, latency: { avgMs: latency.avgMs, maxMs: latency.maxMs, minMs: latency.minMs, percentiles: latency.percentiles, histogram: latency.histogram }, windows }));
    } else {
      out(totalLine(r));
      if (o.printMetrics) for (const l of metricsLines(r, settings.clientId)) out(l);
    }
    if (r.failed > 0) ctx.warn(`kafka-ts producer-perf-test: ${r.failed} of ${r.failed + r.records} records failed`);
    return exit;
  },
});
