import { outputOption } from '../src/cli/options.js';
import { collect, defineCommand } from '../src/cli/command.js';
import { FailedError, KafkaTsError, UsageError } from '../src/cli/errors.js';
import { requireInt } from '../src/cli/context.js';
import { parseInlinePairs } from '../src/cli/properties.js';
import { control, daemonPaths, daemonStatus, defaultHome, silentDaemon, STATUS_TIMEOUT_MS, rememberedBrokers, rememberStartOptions, runDaemonHere, startOrJoin, startProperties, stopDaemon, takeDaemonOverrides, unreadPropertiesNote, type DaemonStatus, type StartOptions } from '../src/cli/local-daemon.js';
import { resolve } from 'node:path';
import { notAnsweringView, notRunningView, runningView, stoppedView } from '../src/cli/daemon-views.js';
import { printView } from '../src/cli/view.js';
import { MEMORY_PROSE } from '../src/cli/manuals/server.js';

interface ServerOptions {
  dataDir?: string;
  port?: string;
  brokers?: string;
  foreground?: boolean;
  config?: string;
  override?: string[];
  schemaRegistryPort?: string;
  schemaRegistry: boolean;
  timeout: string;
  output: 'text' | 'json';
}

const ACTIONS = ['start', 'stop', 'status', 'stop-broker', 'start-broker'] as const;

export default defineCommand<ServerOptions>({
  name: 'server',
  lastValueWins: true,
  summary: 'start, stop or inspect the local kafka-ts broker daemon',
  synopsis: ['start [--data-dir DIR] [--port N] [--brokers N] [--schema-registry-port N | --no-schema-registry] [--config FILE] [--override k=v]... [--foreground]', 'stop | status [--output json]', 'stop-broker ID | start-broker ID'],
  description: [
    'Manages the local broker daemon that kafka-ts commands use when no --bootstrap-server is given. The daemon speaks the Kafka protocol on a Unix socket in its data directory (mode 0600) and on TCP (127.0.0.1:9092 by default), so unmodified Kafka clients can use it.',
    'The data directory is --data-dir, else $KAFKA_TS_HOME, else $XDG_DATA_HOME/kafka-ts (~/.local/share/kafka-ts). It holds the logs (data/), cluster metadata (meta/), kafka.sock, control.sock, the pid file kafka-ts.pid and the log file server.log. A server.properties file there is read at start; --config FILE is read instead of it (never both, as kafka-server-start.sh reads only the file it is given; start says so on stderr when both exist), and --override key=value pairs win over the file (a background daemon gets them through its environment, not its command line, which every local user can read with ps; give secrets by reference, e.g. ${file:…}, as this start\'s own command line shows them while it runs). start remembers its --port, --brokers, --schema-registry-port, --no-schema-registry, --config and --override in start-options.json there: a daemon that a command starts on demand uses them, else server.properties, else port 9092 (a free port if 9092 is taken). A later start without --brokers (and no kafka-ts.brokers in its properties) starts as many brokers as the last one did, since the data is spread over them, and says so on stderr; start of a daemon already running fails with exit 1. Commands started together start one daemon; the others wait for it (start.lock holds the starter\'s pid).',
    'start runs the daemon in the background and returns once it serves, or fails at once with the reason (a port in use, a directory that cannot be created or is not a directory, an invalid setting); a key no broker knows is named on stderr ("WARN The configuration \'x\' was supplied but isn\'t a known config.", also in server.log); --foreground keeps it attached (logging to stdout) until SIGTERM, SIGINT or SIGHUP (its terminal closing), each a clean shutdown; the background daemon ignores SIGHUP, as kafka-server-start.sh -daemon does (nohup). stop asks it to shut down cleanly and waits. status reports pid, data dir, sockets and listeners, and a log dir taken offline by a disk error (a full disk, an I/O error: its partitions answer KAFKA_STORAGE_ERROR until the broker restarts) with that error ("logDirError" per broker in JSON, null while online); it exits 3 when no daemon runs.',
    'With --output json every action prints one JSON object: start, status, stop-broker and start-broker the daemon\'s status ({"running":true,"pid":…,"dataDir":…,"socket":…,"listeners":[…],"brokers":[…],…}, or {"running":false,"dataDir":…} from status when none runs, or {"running":true,"responding":false,"pid":N,"dataDir":…} with exit status 3 when its process lives but it did not answer within 3 s), stop {"stopped":bool,"pid":N|null}. start --foreground has no JSON mode (the broker logs to stdout) and refuses it.',
    'The daemon also runs a schema registry speaking Confluent Schema Registry\'s REST API (unmodified serializers and registry clients work against it) on http://127.0.0.1:8081, or a free port when 8081 is taken; status lists its URL ("schemaRegistry" in JSON). --schema-registry-port N picks its port (0 = a free one; a taken port then fails the start); with --port 0 it takes a free port too unless its port is chosen (--schema-registry-port, or kafka-ts.schema.registry.listener in server.properties or an --override) and --no-schema-registry turns it off; in server.properties the keys are kafka-ts.schema.registry.listener=host:port, kafka-ts.schema.registry.enable=false and kafka-ts.schema.registry.max.request.bytes (default 8388608; a larger request body gets 413). Schemas live in the compacted _schemas topic of the daemon\'s own log, as Confluent keeps them: they survive restarts, replicate with --brokers, and show in console-consumer --topic _schemas.',
    '--brokers N runs N logical brokers (node ids 1..N, TCP ports port..port+N-1, log dirs data, data-2, …) for rehearsing replication; stop-broker and start-broker stop and restart one of them to simulate a failure (start-broker of a running broker fails with exit 1, as start does when the daemon runs; stop-broker of a stopped one says so on stderr and exits 0, as stop does). stop-broker is a controlled shutdown, as in Kafka: the broker\'s partition leadership (and with it its consumer groups) moves to in-sync replicas first, and it goes on answering for a second, so that clients are told where things went (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR) before it closes its connections.',
    'Racks (KIP-392): --override broker.rack=R puts every broker in rack R; --override kafka-ts.broker.racks=a,b,c gives each of the --brokers N its own (one per broker, in id order). Racks show in Metadata (rack), broker-api-versions and status ("rack" per broker). With --override replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector a consumer that sets client.rack reads from an in-sync replica in its rack (the leader answers with preferred_read_replica; followers serve up to their high watermark). status --output json counts each broker\'s consumer reads ("consumerFetches": asLeader, asFollower, redirected).',
    MEMORY_PROSE,
  ],
  examples: [
    ['Start the daemon on the default port', 'kafka-ts server start'],
    ['Start a second, independent daemon elsewhere', 'kafka-ts server start --data-dir /tmp/k2 --port 19092'],
    ['Machine-readable status', 'kafka-ts server status --output json'],
    ['Three brokers, then fail broker 2', 'kafka-ts server start --brokers 3 && kafka-ts server stop-broker 2'],
    ['Run in the foreground with a properties file and an override', 'kafka-ts server start --foreground --config server.properties --override num.partitions=3'],
  ],
  exits: ['Failure', 'Unreachable', 'NotFound', 'Timeout', 'HungUp'],
  exitNotes: ['2 also for a broker setting the daemon cannot use, found before it starts or while its listeners open: an invalid value, a config provider reference it cannot resolve, a keystore or truststore it cannot read or use (not PEM, a key that does not match its certificate), or an unknown cipher suite. 1 when it cannot start for another reason (a port in use, a data directory it cannot write).'],
  build(cmd) {
    cmd
      .argument('<action>', `one of ${ACTIONS.join(', ')}`)
      .argument('[broker-id]', 'broker id for stop-broker / start-broker')
      .option('--data-dir <dir>', 'data directory (default: $KAFKA_TS_HOME, else $XDG_DATA_HOME/kafka-ts, else ~/.local/share/kafka-ts)')
      .option('--port <n>', 'TCP port of the first broker (default 9092; 0 picks a free port, and one for the schema registry unless its port is chosen)')
      .option('--brokers <n>', 'number of logical brokers (default: as many as the last start here, else 1)')
      .option('--foreground', 'run in the foreground instead of as a background daemon')
      .option('--config <file>', "server.properties file to read instead of the data directory's")
      .option('--override <key=value>', 'broker property that wins over the properties file (repeatable)', collect)
      .option('--schema-registry-port <n>', 'port of the schema registry (default 8081, a free one if taken or with --port 0; 0 picks a free port)')
      .option('--no-schema-registry', 'run no schema registry')
      .option('--timeout <ms>', 'how long start/stop wait', '60000');
    outputOption(cmd);
  },
  async run(o, args, ctx) {
    const action = args[0]!;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action '${action}' (expected ${ACTIONS.join(', ')})`);
    const home = o.dataDir ? resolve(o.dataDir) : defaultHome(ctx.env);
    const paths = daemonPaths(home);
    const timeoutMs = requireInt(o.timeout, 'timeout', { min: 1 })!;
    const json = o.output === 'json';
    const port = requireInt(o.port, 'port', { min: 0, max: 65535 });
    let brokers = requireInt(o.brokers, 'brokers', { min: 1, max: 16 });
    const schemaRegistryPort = requireInt(o.schemaRegistryPort, 'schema-registry-port', { min: 0, max: 65535 });
    const registry = { ...(schemaRegistryPort !== undefined && { schemaRegistryPort }), ...(!o.schemaRegistry && { schemaRegistry: false }) };
    switch (action) {
      case 'start': {
        // A missing file or a bad setting is a usage error here (exit 2), not a failed daemon.
        // --config replaces the data directory's server.properties (kafka-server-start.sh reads one file).
        const fileProps = startProperties(paths, o.config);
        // A daemon started in the background gets its launcher's --override pairs this way.
        const overrides = [...(o.override ?? []), ...takeDaemonOverrides(ctx.env)];
        const given = { ...fileProps, ...parseInlinePairs(overrides) };
        // Not in the daemon a background start launched: that start decided (and passes --brokers).
        const again = brokers === undefined && !ctx.env.KAFKA_TS_DAEMON ? rememberedBrokers(paths, given) : undefined;
        brokers ??= again;
        const note = [...unreadPropertiesNote(paths, o.config), ...(again === undefined ? [] : [`Starting ${again} brokers, as this data directory was last started with (--brokers ${again}); --brokers 1 starts one.`])];
        const options: StartOptions = { port, brokers, ...registry, propertiesFile: o.config ? resolve(o.config) : undefined, overrides: overrides.length > 0 ? overrides : undefined };
        if (o.foreground) {
          if (json) throw new UsageError('--output json cannot be used with --foreground (the broker logs to stdout)');
          for (const line of note) ctx.warn(line);
          const props = { ...fileProps };
          // --port moves the first listener only: other listeners (SSL, SASL_SSL, …) stay.
          if (port !== undefined) props['port'] = String(port);
          if (brokers !== undefined) props['kafka-ts.brokers'] = String(brokers);
          if (schemaRegistryPort !== undefined) props['kafka-ts.schema.registry.listener'] = `127.0.0.1:${schemaRegistryPort}`;
          // Ephemeral ports (tests, CI): the registry's too, unless its port was chosen (the file; an --override wins below).
          else if (port === 0 && props['kafka-ts.schema.registry.listener'] === undefined) props['kafka-ts.schema.registry.listener'] = '127.0.0.1:0';
          if (!o.schemaRegistry) props['kafka-ts.schema.registry.enable'] = 'false';
          Object.assign(props, parseInlinePairs(overrides));
          // The launcher of a background daemon (KAFKA_TS_DAEMON) remembers, or not, itself.
          return runDaemonHere(home, props, ctx.env.KAFKA_TS_DAEMON ? undefined : () => rememberStartOptions(paths, options));
        }
        const warnings = (await import('../src/cli/server-run.js')).checkServerProperties(home, { ...fileProps, ...(port !== undefined && { port: String(port) }), ...(brokers !== undefined && { 'kafka-ts.brokers': String(brokers) }), ...parseInlinePairs(overrides) });
        const { status, started } = await startOrJoin(paths, options, timeoutMs);
        if (!started) throw new FailedError(`A kafka-ts daemon (pid ${status.pid}) is already running with data dir ${home}; 'kafka-ts server stop' stops it, to start it again with other settings.`);
        rememberStartOptions(paths, options);
        return printView({ ...runningView(status), stderr: () => [...warnings, ...note] }, ctx, json);
      }
      case 'status': {
        const status = await daemonStatus(paths);
        const silent = status ? null : silentDaemon(paths);
        return printView(status ? runningView(status) : silent !== null ? notAnsweringView(silent, home, paths.logFile, STATUS_TIMEOUT_MS) : notRunningView(home), ctx, json);
      }
      case 'stop': {
        const pid = await stopDaemon(paths, timeoutMs);
        return printView(stoppedView(pid, home), ctx, json);
      }
      default: {
        const id = requireInt(args[1], 'broker-id', { min: 0 });
        if (id === undefined) throw new UsageError(`${action} needs a broker id`);
        const reply = await control<{ ok: boolean; error?: string; notFound?: boolean; wasLive?: boolean; status?: DaemonStatus }>(paths, { op: action, id }, timeoutMs);
        if (!reply) throw new KafkaTsError('unreachable', `kafka-ts broker is not running (data dir ${home})`);
        if (!reply.ok) throw new KafkaTsError(reply.notFound ? 'not_found' : 'failed', reply.error ?? 'failed');
        // As start and stop: starting what runs fails (exit 1), stopping what is stopped is said on stderr (exit 0).
        if (action === 'start-broker' && reply.wasLive === true) throw new FailedError(`Broker ${id} is already running.`);
        const view = runningView(reply.status!);
        return printView(action === 'stop-broker' && reply.wasLive === false ? { ...view, warnings: () => [`Broker ${id} is not running.`] } : view, ctx, json);
      }
    }
  },
});
