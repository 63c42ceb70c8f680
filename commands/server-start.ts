import { outputOption, OUTPUT_HELP } from '../src/cli/options.js';
import { collect, defineCommand } from '../src/cli/command.js';
import { FailedError, UsageError } from '../src/cli/errors.js';
import { readPropertiesFile, parseInlinePairs } from '../src/cli/properties.js';
import { daemonPaths, defaultHome, rememberStartOptions, runDaemonHere, startOrJoin, type StartOptions } from '../src/cli/local-daemon.js';
import { resolve } from 'node:path';
import { startedView } from '../src/cli/daemon-views.js';
import { printView } from '../src/cli/view.js';

interface ServerStartOptions {
  override?: string[];
  daemon?: boolean;
  dataDir?: string;
  output: 'text' | 'json';
}

export default defineCommand<ServerStartOptions>({
  name: 'server-start',
  summary: 'start the broker from a server.properties file (kafka-server-start.sh)',
  synopsis: ['[-daemon] server.properties [--override property=value]...'],
  description: [
    'Starts the kafka-ts broker the way kafka-server-start.sh starts Kafka: in the foreground, configured by a server.properties file and --override pairs, logging to stdout, until SIGTERM, SIGINT or SIGHUP (its terminal closing), each a clean shutdown. With -daemon it runs in the background like `kafka-ts server start`; with -daemon, --output json prints the started daemon\'s status as JSON, as server start --output json does.',
    'Keys kafka-ts understands include node.id, listeners, advertised.listeners, log.dirs, num.partitions, default.replication.factor, auto.create.topics.enable, message.max.bytes, log.segment.bytes, log.roll.ms/hours, log.retention.ms/minutes/hours/bytes, log.cleanup.policy, log.cleaner.enable, log.cleaner.backoff.ms, producer.id.expiration.ms, min.insync.replicas, offsets.topic.num.partitions, offsets.topic.segment.bytes, group.initial.rebalance.delay.ms, kafka-ts.brokers and the schema registry\'s kafka-ts.schema.registry.listener (host:port, default 127.0.0.1:8081), kafka-ts.schema.registry.enable and kafka-ts.schema.registry.max.request.bytes; for security listener.security.protocol.map, ssl.keystore.* / ssl.truststore.* (PEM), ssl.key.password, ssl.client.auth, ssl.enabled.protocols, ssl.cipher.suites, sasl.enabled.mechanisms, listener.name.<listener>.<mechanism>.sasl.jaas.config (PLAIN users as user_NAME="…"), connections.max.reauth.ms, connection.failed.authentication.delay.ms, authorizer.class.name, super.users (principalType:principalName entries: User:admin) and allow.everyone.if.no.acl.found (README: Broker security). A listener.name.<listener>. prefix must name a listener of listeners in lower case (listener.name.mtls.ssl.client.auth); another case, an unknown listener, or ssl.* (sasl.*) keys of a listener without TLS (SASL) stop the start. Config providers (config.providers, config.providers.<name>.class: FileConfigProvider, EnvVarConfigProvider, DirectoryConfigProvider) resolve ${file:/path:key}, ${env:NAME} and ${dir:/path:file} in any value; one that cannot be resolved stops the start naming the key. Settings only a JVM broker or KRaft quorum uses are accepted and ignored; unknown keys are logged (with -daemon also named on stderr).',
    'The data directory (pid file, sockets, metadata) is --data-dir, else $KAFKA_TS_HOME, else $XDG_DATA_HOME/kafka-ts, else ~/.local/share/kafka-ts; log.dirs defaults to its data/ subdirectory. Only the named properties file is read, as kafka-server-start.sh reads it: a server.properties in the data directory is not. The properties file and --override pairs are remembered there (start-options.json), so a daemon that a later command starts on demand uses them too.',
  ],
  examples: [['Start with a properties file and an override', 'kafka-ts server-start config/server.properties --override num.partitions=3']],
  exits: ['Failure', 'HungUp'],
  exitNotes: ['2 also for a broker setting the daemon cannot use, found before it starts or while its listeners open: an invalid value, a config provider reference it cannot resolve, a keystore or truststore it cannot read or use (not PEM, a key that does not match its certificate), or an unknown cipher suite. 1 when it cannot start for another reason (a port in use, a data directory it cannot write).'],
  differences: ['No meta.properties / kafka-storage format step is needed; the data directory is created on first start.'],
  build(cmd) {
    cmd
      .argument('[properties-file]', 'server.properties file')
      .option('--override <property=value>', 'property that wins over the file (repeatable)', collect)
      .option('--daemon', 'run in the background (-daemon is accepted too)')
      .option('--data-dir <dir>', 'data directory (default: $KAFKA_TS_HOME, else $XDG_DATA_HOME/kafka-ts, else ~/.local/share/kafka-ts)');
    outputOption(cmd, `${OUTPUT_HELP}; json only with -daemon`);
  },
  async run(o, args, ctx) {
    const file = args[0];
    if (!file) throw new UsageError('USAGE: kafka-ts server-start [-daemon] server.properties [--override property=value]*');
    const stray = args.slice(1);
    if (stray.length) throw new UsageError(`Found non argument parameters: ${stray.join(',')}`);
    const home = o.dataDir ? resolve(o.dataDir) : defaultHome(ctx.env);
    const paths = daemonPaths(home);
    const options: StartOptions = { propertiesFile: resolve(file), overrides: o.override };
    if (o.daemon) {
      // A missing file or a bad setting is a usage error here (exit 2), not a failed daemon.
      const warnings = (await import('../src/cli/server-run.js')).checkServerProperties(home, { ...readPropertiesFile(file), ...parseInlinePairs(o.override) });
      const { status, started } = await startOrJoin(paths, options);
      if (!started) throw new FailedError(`A kafka-ts daemon (pid ${status.pid}) is already running with data dir ${home}; 'kafka-ts server stop' stops it, to start it again with other settings.`);
      rememberStartOptions(paths, options);
      return printView({ ...startedView(status), stderr: () => warnings }, ctx, o.output === 'json');
    }
    if (o.output === 'json') throw new UsageError('--output json needs -daemon (in the foreground the broker logs to stdout)');
    const props = { ...readPropertiesFile(file), ...parseInlinePairs(o.override) };
    return runDaemonHere(home, props, () => rememberStartOptions(paths, options));
  },
});
