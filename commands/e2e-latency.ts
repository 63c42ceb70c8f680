/**
 * kafka-ts e2e-latency (kafka-e2e-latency.sh): wiring only. Arguments in
 * src/cli/flags/e2e-latency.ts, the run and Kafka's lines in src/tools/e2e-latency.ts.
 */
import { connectionOptions, outputOption } from '../src/cli/options.js';
import { defineCommand } from '../src/cli/command.js';
import { signalExit } from '../src/cli/errors.js';
import { unlessStopped, watchStopSignals } from '../src/cli/signals.js';
import { checkClientConfigs, readPropertiesFile } from '../src/cli/properties.js';
import { docs } from '../src/cli/manuals/e2e-latency.js';
import { ownKeyWarnings, settings, type E2eLatencyOptions } from '../src/cli/flags/e2e-latency.js';

export default defineCommand<E2eLatencyOptions>({
  name: 'e2e-latency',
  ...docs,
  build(cmd) {
    connectionOptions(cmd, { commandConfig: false });
    cmd
      .argument('[args...]', 'broker_list topic num_messages producer_acks message_size_bytes [properties_file]')
      .option('--topic <topic>', 'topic to produce to and consume from (created when missing)')
      .option('--num-messages <n>', 'number of records to send')
      .option('--producer-acks <acks>', 'acks: 1 or all')
      .option('--message-size <bytes>', 'size of each record in bytes')
      .option('--command-config <file>', 'client properties file (both producer and consumer)')
      .option('--histogram', 'print the latency histogram after Kafka\'s lines even when stdout is not a terminal');
    outputOption(cmd, 'output: text (Kafka\'s lines, default) or json (one object with the percentiles and the histogram)');
  },
  async run(o, args, ctx) {
    const s = settings(o, args);
    const props = s.propertiesFile !== undefined ? readPropertiesFile(s.propertiesFile) : {};
    const ownKeys = ownKeyWarnings(props);
    // The file's settings reach both clients (Kafka's tool gives it to each), but for the keys
    // the tool decides (ownKeyWarnings) and acks, which producer_acks sets.
    const [producerConfig, consumerConfig] = await checkClientConfigs(['producer', 'consumer'], { ...props, acks: s.acks === -1 ? 'all' : '1' }, (l) => ctx.warn(l));
    for (const w of ownKeys) ctx.warn(w);
    const [{ producerOptions }, { fetcherOptions }, { compressionByName }] = await Promise.all([import('../src/client/config/producer.js'), import('../src/client/config/consumer.js'), import('../src/protocol/compression.js')]);
    const producer = producerOptions(producerConfig!, compressionByName);
    // Idempotence unless asked otherwise, on a cluster that offers it (as console-producer).
    if (props['enable.idempotence'] === undefined && producer.idempotent) producer.idempotent = 'if-supported';
    const consumer = fetcherOptions(consumerConfig!);
    const json = o.output === 'json';
    const out = (line: string) => {
      ctx.out.write(`${line}\n`);
      void ctx.out.flush().catch(() => undefined);
    };
    const bootstrapServer = s.bootstrap; // else bootstrap.servers in the properties file (ctx.client)
    // Watched from here: a stop while still connecting ends it as a later stop does (its result lines, nothing measured).
    const stopSignal = watchStopSignals();
    const clients = await unlessStopped(
      (async () => [await ctx.client({ bootstrapServer, properties: props, clientId: 'e2e-latency-producer' }), await ctx.client({ bootstrapServer, properties: props, clientId: 'e2e-latency-consumer' })] as const)(),
      stopSignal.received,
    );
    const { runE2eLatency, resultLines, stoppedBeforeMeasuring } = await import('../src/tools/e2e-latency.js');
    const { renderHistogram } = await import('../src/util/latency.js');
    const r = !clients
      ? stoppedBeforeMeasuring(s.topic)
      : await runE2eLatency(clients[0], clients[1], { topic: s.topic, numMessages: s.numMessages, acks: s.acks, messageSize: s.messageSize, producer, consumer }, { line: (l) => !json && out(l), outputClosed: () => ctx.out.isClosed, interrupted: stopSignal.received });
    if (json) {
      const { latenciesMs: _all, ...rest } = r;
      out(JSON.stringify(rest));
    } else {
      for (const l of resultLines(r)) out(l);
      if (o.histogram || ctx.out.isTTY) {
        out('');
        out('Latency histogram (ms):');
        for (const l of renderHistogram(r.histogram)) out(l);
      }
    }
    return r.interrupted ? signalExit(stopSignal.signal!) : 'Ok';
  },
});
