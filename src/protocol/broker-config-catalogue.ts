/**
 * The broker configuration catalogue: every key of Kafka's KafkaConfig (3.x and 4.x) a user may
 * put in server.properties or pass with `--override`, plus kafka-ts's own `kafka-ts.*` keys, each
 * with Kafka's type, default and valid values and what the daemon does with it: `supported`
 * (does what Kafka does), `no-effect` (accepted and validated; the reason says why it changes
 * nothing here) or `unsupported` (refused with the message). The daemon's start-up parsing
 * (src/broker/config.ts), its dynamic-config validation and the docs and `configs
 * --list-configs broker` come from it. It lives in src/protocol because both sides need it: the
 * broker validates with it, the CLI lists it.
 *
 * Keys under `listener.name.<listener>.` are a listener's own TLS/SASL settings
 * (src/broker/security); their values are validated there, the listener name by
 * src/broker/config.ts, not here.
 */
import { defineCatalogue, type ConfigEntry, type ConfigType, type ConfigValue } from '../util/config-catalogue.js';
import { TOPIC_CATALOGUE } from './topic-configs.js';

const LONG_MAX = 9223372036854775807;
const INT_MAX = 2147483647;

type Extra = Partial<Omit<ConfigEntry, 'name' | 'type' | 'default' | 'doc'>>;

const entry = (name: string, type: ConfigType, dflt: ConfigValue, doc: string, extra: Extra = {}): ConfigEntry => ({ name, type, default: dflt, doc, support: 'supported', ...extra });

/** Supported: the daemon does what Kafka does with it. */
const s = entry;
/** Accepted and validated, no effect here (the reason says why). */
const n = (name: string, type: ConfigType, dflt: ConfigValue, doc: string, reason: string, extra: Extra = {}): ConfigEntry =>
  entry(name, type, dflt, doc, { ...extra, support: 'no-effect', note: reason });

const THREADS = 'the daemon is one Node.js process serving every logical broker from one event loop; it has no thread pools to size';
const ZK = 'kafka-ts keeps its metadata in its own log (KRaft-style); there is no ZooKeeper';
const QUORUM = 'the daemon is its own controller: there is no separate controller quorum to configure';
const SOCKET_BUFFERS = "the operating system's socket buffer sizes are used";
const TIERED = 'kafka-ts has no tiered storage: every segment stays on the local disk';
const METRICS = 'kafka-ts has no JMX metrics or metric reporters (request metrics are in the daemon log)';
const CHECKPOINTS = 'the daemon writes its checkpoints (offsets, high watermarks) on every change and at shutdown, not on a timer';
const PURGATORY = 'delayed requests are woken by events, so there is no purgatory to purge';
const SHUTDOWN = 'logical brokers stop in process; leadership moves as the controller sees them go';
const KIP848 = 'the consumer rebalance protocol (KIP-848) is not implemented: groups use the classic protocol';
const TOKENS = 'delegation tokens are not implemented (the broker does not serve those APIs)';
const QUOTA_WINDOW = "quotas are measured over Kafka's default windows (11 one-second samples)";
const LZ4_LEVEL = "the broker recompresses lz4 at the library's one level (lz4-napi takes none)";
const ENCODER = 'dynamic passwords are not encrypted in the metadata log';
const SHARE = 'share groups (KIP-932) are not implemented';
const CLASS_REFUSAL = (what: string) => `${what} are Java classes; kafka-ts cannot load them`;
const NO_CLASS = (what: string) => `only the default (none) is accepted: ${CLASS_REFUSAL(what)}`;
const LEGACY = 'accepted for old server.properties files; kafka-ts always writes the current record format';

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const COMPRESSION = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

export const BROKER_ENTRIES: readonly ConfigEntry[] = [
  // Identity, roles and listeners.
  s('node.id', 'int', -1, 'The id of the first logical broker; the others follow (id+1, ...).'),
  s('broker.id', 'int', -1, 'The older name of node.id.'),
  n('process.roles', 'list', [], 'The roles of this server (broker, controller).', 'the daemon is always broker and controller', { values: ['broker', 'controller'] }),
  s('listeners', 'list', ['PLAINTEXT://:9092'], 'The listeners (NAME://host:port); the first one is the one the CLI uses.'),
  s('advertised.listeners', 'list', null, 'The addresses the brokers give clients, if different from listeners.'),
  s('listener.security.protocol.map', 'list', ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'], 'Listener name to security protocol.'),
  n('inter.broker.listener.name', 'string', null, 'The listener brokers use to talk to each other.', 'logical brokers replicate inside the daemon, not over a listener'),
  n('security.inter.broker.protocol', 'enum', 'PLAINTEXT', 'The security protocol between brokers.', 'logical brokers replicate inside the daemon, not over a listener', { values: PROTOCOLS }),
  n('controller.listener.names', 'list', null, 'The listeners of the controller.', QUORUM),
  n('early.start.listeners', 'list', null, 'Listeners started before authorizer initialization.', 'every listener starts once the daemon is ready'),
  s('host.name', 'string', '', 'Old single-listener setting: the address to bind (kafka-ts keeps it for --host).'),
  s('port', 'int', 9092, 'Old single-listener setting: the port to bind (kafka-ts keeps it for --port; 0: a free port).', { min: 0, max: 65535 }),
  s('broker.rack', 'string', null, 'The rack of the broker (rack-aware replica placement and follower fetching).'),
  // KRaft quorum and metadata log.
  n('controller.quorum.voters', 'list', [], 'The controller quorum voters.', QUORUM),
  n('controller.quorum.bootstrap.servers', 'list', [], 'The controller quorum bootstrap servers.', QUORUM),
  n('controller.quorum.election.timeout.ms', 'int', 1000, 'Quorum election timeout.', QUORUM),
  n('controller.quorum.election.backoff.max.ms', 'int', 1000, 'Quorum election backoff.', QUORUM),
  n('controller.quorum.fetch.timeout.ms', 'int', 2000, 'Quorum fetch timeout.', QUORUM),
  n('controller.quorum.append.linger.ms', 'int', 25, 'Quorum append linger.', QUORUM),
  n('controller.quorum.request.timeout.ms', 'int', 2000, 'Quorum request timeout.', QUORUM),
  n('controller.quorum.retry.backoff.ms', 'int', 20, 'Quorum retry backoff.', QUORUM),
  n('broker.heartbeat.interval.ms', 'int', 2000, 'Broker heartbeat interval to the controller.', QUORUM),
  n('broker.session.timeout.ms', 'int', 9000, 'Broker session timeout at the controller.', QUORUM),
  n('metadata.log.dir', 'string', null, 'The directory of the metadata log.', 'the metadata log lives in the data directory'),
  n('metadata.log.segment.bytes', 'int', 1073741824, 'Metadata log segment size.', 'the metadata log is compacted into snapshots by size (metadata.log.max.record.bytes.between.snapshots)', { min: 12 }),
  n('metadata.log.segment.ms', 'long', 604800000, 'Metadata log segment age.', 'the metadata log is compacted into snapshots by size (metadata.log.max.record.bytes.between.snapshots)'),
  n('metadata.max.retention.bytes', 'long', 104857600, 'Metadata log retention by size.', 'the metadata log keeps one snapshot and the records after it'),
  n('metadata.max.retention.ms', 'long', 604800000, 'Metadata log retention by age.', 'the metadata log keeps one snapshot and the records after it'),
  s('metadata.log.max.record.bytes.between.snapshots', 'long', 20971520, 'Metadata log bytes after which a snapshot is written.', { min: 1 }),
  n('metadata.log.max.snapshot.interval.ms', 'long', 3600000, 'Longest time between metadata snapshots.', 'snapshots are taken by size only', { min: 0 }),
  n('metadata.max.idle.interval.ms', 'int', 500, 'Interval of no-op records in the metadata log.', 'the metadata log has no no-op heartbeats', { min: 0 }),
  n('inter.broker.protocol.version', 'string', null, 'The inter-broker protocol version.', 'every logical broker runs the same code'),
  n('log.message.format.version', 'string', null, 'The message format version (removed in Kafka 4.0).', LEGACY),
  // ZooKeeper (Kafka 3.x).
  n('zookeeper.connect', 'string', null, 'ZooKeeper connection string.', ZK),
  n('zookeeper.connection.timeout.ms', 'int', null, 'ZooKeeper connection timeout.', ZK),
  n('zookeeper.session.timeout.ms', 'int', 18000, 'ZooKeeper session timeout.', ZK),
  n('zookeeper.max.in.flight.requests', 'int', 10, 'ZooKeeper pipelining.', ZK, { min: 1 }),
  n('zookeeper.set.acl', 'boolean', false, 'Secure ZooKeeper ACLs.', ZK),
  n('zookeeper.metadata.migration.enable', 'boolean', false, 'ZooKeeper to KRaft migration.', ZK),
  n('broker.id.generation.enable', 'boolean', true, 'Automatic broker ids (ZooKeeper).', ZK),
  n('reserved.broker.max.id', 'int', 1000, 'Largest broker id that is not generated.', ZK, { min: 0 }),
  n('controlled.shutdown.enable', 'boolean', true, 'Move leadership away before shutting down.', SHUTDOWN),
  n('controlled.shutdown.max.retries', 'int', 3, 'Controlled shutdown retries.', SHUTDOWN),
  n('controlled.shutdown.retry.backoff.ms', 'long', 5000, 'Controlled shutdown backoff.', SHUTDOWN),
  // Threads.
  n('num.network.threads', 'int', 3, 'Threads receiving requests and sending responses.', THREADS, { min: 1 }),
  n('num.io.threads', 'int', 8, 'Threads processing requests.', THREADS, { min: 1 }),
  n('background.threads', 'int', 10, 'Threads for background tasks.', THREADS, { min: 1 }),
  n('num.replica.fetchers', 'int', 1, 'Fetcher threads per source broker.', THREADS, { min: 1 }),
  n('num.recovery.threads.per.data.dir', 'int', 2, 'Threads for log recovery at start-up.', THREADS, { min: 1 }),
  n('num.replica.alter.log.dirs.threads', 'int', null, 'Threads moving replicas between log directories.', THREADS),
  n('log.cleaner.threads', 'int', 1, 'Log cleaner threads.', THREADS, { min: 0 }),
  n('queued.max.requests', 'int', 500, 'Requests queued before the network threads stop reading.', 'each connection is read one request at a time; queued.max.request.bytes bounds the memory', { min: 1 }),
  // Sockets and connections.
  n('socket.send.buffer.bytes', 'int', 102400, 'SO_SNDBUF of the sockets (-1: the OS default).', SOCKET_BUFFERS),
  n('socket.receive.buffer.bytes', 'int', 102400, 'SO_RCVBUF of the sockets (-1: the OS default).', SOCKET_BUFFERS),
  n('socket.listen.backlog.size', 'int', 50, 'Listen backlog of the server sockets.', "Node.js's default backlog (511) is used", { min: 1 }),
  s('socket.request.max.bytes', 'int', 104857600, 'Largest request a broker reads.', { min: 1 }),
  n('socket.connection.setup.timeout.ms', 'long', 10000, 'Connection set-up timeout of broker clients.', 'logical brokers open no connections to each other'),
  n('socket.connection.setup.timeout.max.ms', 'long', 30000, 'Largest connection set-up timeout of broker clients.', 'logical brokers open no connections to each other'),
  s('connections.max.idle.ms', 'long', 600000, 'Idle connections are closed after this long.', { min: 1 }),
  s('max.connections', 'int', INT_MAX, 'TCP connections a broker accepts at once.', { min: 0 }),
  s('max.connections.per.ip', 'int', INT_MAX, 'TCP connections at once from one address.', { min: 0 }),
  s('max.connections.per.ip.overrides', 'string', '', 'Per-address limits (host:count,...).'),
  n('max.connection.creation.rate', 'int', INT_MAX, 'New connections per second a listener accepts.', 'connections are limited by count, not by rate', { min: 0 }),
  s('queued.max.request.bytes', 'long', -1, 'Request bytes held before sockets stop being read (-1: no limit).'),
  s('connections.max.reauth.ms', 'long', 0, 'SASL session lifetime (0: sessions do not expire).', { min: 0 }),
  s('connection.failed.authentication.delay.ms', 'int', 100, 'Delay before closing a connection that failed to authenticate.', { min: 0 }),
  n('fetch.max.bytes', 'int', 57671680, 'Largest fetch response a broker sends.', "the fetch request's own max_bytes bounds the response", { min: 1024 }),
  n('fetch.purgatory.purge.interval.requests', 'int', 1000, 'Fetch purgatory purge interval.', PURGATORY),
  n('producer.purgatory.purge.interval.requests', 'int', 1000, 'Produce purgatory purge interval.', PURGATORY),
  n('delete.records.purgatory.purge.interval.requests', 'int', 1, 'DeleteRecords purgatory purge interval.', PURGATORY),
  // Topic defaults and logs.
  s('message.max.bytes', 'int', 1048588, 'Largest record batch a topic accepts (topic max.message.bytes default).', { min: 0 }),
  s('auto.create.topics.enable', 'boolean', true, 'Create a topic on first metadata request or produce.'),
  s('delete.topic.enable', 'boolean', true, 'Allow deleting topics.'),
  s('num.partitions', 'int', 1, 'Partitions of a topic created without a count.', { min: 1 }),
  s('default.replication.factor', 'int', 1, 'Replication factor of a topic created without one.', { min: 1 }),
  s('log.dirs', 'string', null, "The directory of the partitions' logs.", {
    note: 'one directory: a list of several is refused',
    refuse: (v) => (typeof v === 'string' && v.split(',').filter((d) => d.trim() !== '').length > 1 ? `Invalid value ${v} for configuration log.dirs: kafka-ts keeps every partition in one log directory; give one` : null),
  }),
  s('log.dir', 'string', '/tmp/kafka-logs', 'The log directory when log.dirs is not set.'),
  s('log.segment.bytes', 'int', 1073741824, 'Segment size (topic segment.bytes default).', { min: 14 }),
  s('log.roll.ms', 'long', null, 'Segment age before rolling (topic segment.ms default).', { min: 1 }),
  s('log.roll.hours', 'int', 168, 'log.roll.ms in hours.', { min: 1 }),
  s('log.roll.jitter.ms', 'long', null, 'Most random jitter subtracted from segment.ms per segment (topic segment.jitter.ms default).'),
  s('log.roll.jitter.hours', 'int', 0, 'log.roll.jitter.ms in hours.', { min: 0 }),
  s('log.retention.ms', 'long', null, 'Time a segment is kept (topic retention.ms default; -1: forever).'),
  s('log.retention.minutes', 'int', null, 'log.retention.ms in minutes.'),
  s('log.retention.hours', 'int', 168, 'log.retention.ms in hours.'),
  s('log.retention.bytes', 'long', -1, 'Partition size beyond which old segments go (topic retention.bytes default).'),
  s('log.retention.check.interval.ms', 'long', 300000, 'How often retention is checked.', { min: 1 }),
  s('log.index.interval.bytes', 'int', 4096, 'Bytes between offset index entries (topic index.interval.bytes default).', { min: 0 }),
  s('log.index.size.max.bytes', 'int', 10485760, 'Largest offset or time index: the segment rolls when one would pass it (topic segment.index.bytes default).', { min: 4 }),
  s('log.cleanup.policy', 'list', ['delete'], 'delete, compact or both (topic cleanup.policy default).', { values: ['compact', 'delete'] }),
  s('log.flush.interval.messages', 'long', LONG_MAX, 'Records after which a partition is fsynced (topic flush.messages default).', { min: 1 }),
  s('log.flush.interval.ms', 'long', null, 'Time after which a partition is fsynced (topic flush.ms default).', { min: 0 }),
  n('log.flush.scheduler.interval.ms', 'long', LONG_MAX, 'How often the flusher checks flush.ms.', 'flush.ms timers run per partition', { min: 0 }),
  n('log.flush.offset.checkpoint.interval.ms', 'int', 60000, 'Recovery point checkpoint interval.', CHECKPOINTS, { min: 0 }),
  n('log.flush.start.offset.checkpoint.interval.ms', 'int', 60000, 'Log start offset checkpoint interval.', CHECKPOINTS, { min: 0 }),
  n('replica.high.watermark.checkpoint.interval.ms', 'long', 5000, 'High watermark checkpoint interval.', CHECKPOINTS),
  n('log.preallocate', 'boolean', false, 'Preallocate segment files (topic preallocate default).', 'segment files grow as they are written'),
  s('log.message.timestamp.type', 'enum', 'CreateTime', 'CreateTime or LogAppendTime (topic message.timestamp.type default).', { values: ['CreateTime', 'LogAppendTime'] }),
  s('log.message.timestamp.before.max.ms', 'long', LONG_MAX, 'Largest age of a CreateTime record timestamp (topic default).', { min: 0 }),
  s('log.message.timestamp.after.max.ms', 'long', LONG_MAX, 'Largest future skew of a CreateTime record timestamp (topic default).', { min: 0 }),
  n('log.message.timestamp.difference.max.ms', 'long', LONG_MAX, 'Deprecated (Kafka 3.6): largest timestamp skew.', 'deprecated and removed in Kafka 4.0: set log.message.timestamp.before.max.ms and after.max.ms', { min: 0 }),
  n('log.message.downconversion.enable', 'boolean', true, 'Down-convert records for old fetchers (removed in Kafka 4.0).', 'fetchers below the v2 record format are answered UNSUPPORTED_VERSION'),
  n('log.segment.delete.delay.ms', 'long', 60000, 'Delay before a deleted segment file is removed (topic file.delete.delay.ms default).', 'deleted segments are removed at once', { min: 0 }),
  n('log.dir.failure.timeout.ms', 'long', 30000, 'Time before a failed log directory shuts the broker down.', 'an I/O error on the single log directory stops the daemon', { min: 1 }),
  n('log.initial.task.delay.ms', 'long', 30000, 'Delay before the first log tasks run.', 'the log tasks start with the broker', { min: 0 }),
  n('log.local.retention.ms', 'long', -2, 'Local retention with tiered storage.', TIERED),
  n('log.local.retention.bytes', 'long', -2, 'Local retention with tiered storage.', TIERED),
  // Cleaner (compaction).
  s('log.cleaner.enable', 'boolean', true, 'Compact topics with cleanup.policy=compact.'),
  s('log.cleaner.backoff.ms', 'long', 15000, 'How often the cleaner looks for logs to compact.', { min: 0 }),
  s('log.cleaner.delete.retention.ms', 'long', 86400000, 'How long tombstones are kept (topic delete.retention.ms default).', { min: 0 }),
  s('log.cleaner.min.compaction.lag.ms', 'long', 0, 'Records younger than this are not compacted (topic default).', { min: 0 }),
  s('log.cleaner.min.cleanable.ratio', 'double', 0.5, 'Dirty ratio that makes a log eligible (topic min.cleanable.dirty.ratio default).', { min: 0, max: 1 }),
  s('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, 'Longest a record stays uncompacted (topic default).', { min: 1 }),
  n('log.cleaner.dedupe.buffer.size', 'long', 134217728, 'Memory of the cleaner threads.', 'the cleaner sizes its key map to the log it compacts'),
  n('log.cleaner.io.buffer.size', 'int', 524288, 'Cleaner I/O buffer size.', 'the cleaner sizes its key map to the log it compacts', { min: 0 }),
  n('log.cleaner.io.buffer.load.factor', 'double', 0.9, 'Cleaner dedupe buffer load factor.', 'the cleaner sizes its key map to the log it compacts'),
  n('log.cleaner.io.max.bytes.per.second', 'double', Number.MAX_VALUE, 'Cleaner I/O throttle.', 'the cleaner is not throttled'),
  // Compression.
  s('compression.type', 'enum', 'producer', 'Compression of stored batches (topic compression.type default): producer keeps the producer\'s codec, another recompresses batches produced with a different one.', { values: COMPRESSION }),
  s('compression.gzip.level', 'int', -1, 'gzip level when the broker compresses.', { validate: (v) => (v === -1 || ((v as number) >= 1 && (v as number) <= 9) ? null : 'Value must be between 1 and 9, or -1 (the default)') }),
  n('compression.lz4.level', 'int', 9, 'lz4 level when the broker compresses.', LZ4_LEVEL, { min: 1, max: 17 }),
  s('compression.zstd.level', 'int', 3, 'zstd level when the broker compresses (batches of 256 KiB and more on a worker thread, the others inline; high levels take seconds per megabyte).', { min: -131072, max: 22 }),
  // Replication.
  s('min.insync.replicas', 'int', 1, 'Replicas that must acknowledge an acks=all write (topic default).', { min: 1 }),
  s('unclean.leader.election.enable', 'boolean', false, 'Elect an out-of-sync replica when no in-sync one is left (topic default).'),
  n('unclean.leader.election.interval.ms', 'long', 300000, 'How often unclean elections are tried.', 'unclean elections happen as soon as a broker comes back', { min: 1 }),
  s('replica.lag.time.max.ms', 'long', 30000, 'A follower behind for this long leaves the ISR.'),
  s('replica.fetch.max.bytes', 'int', 1048576, 'Bytes a follower asks for per partition.', { min: 0 }),
  s('replica.fetch.response.max.bytes', 'int', 10485760, 'Bytes a follower accepts in one response.', { min: 0 }),
  s('replica.fetch.wait.max.ms', 'int', 500, 'How long a follower fetch waits at the leader.'),
  s('replica.fetch.backoff.ms', 'int', 1000, 'Pause after a failed follower fetch.', { min: 0 }),
  n('replica.fetch.min.bytes', 'int', 1, 'Bytes a follower fetch waits for.', 'follower fetches return as soon as there is data'),
  n('replica.socket.timeout.ms', 'int', 30000, 'Socket timeout of follower fetches.', 'followers fetch inside the daemon'),
  n('replica.socket.receive.buffer.bytes', 'int', 65536, 'Socket buffer of follower fetches.', 'followers fetch inside the daemon'),
  s('replica.selector.class', 'class', null, 'Chooses the replica a consumer reads from (KIP-392).', {
    classes: { 'org.apache.kafka.common.replica.RackAwareReplicaSelector': 'a follower in the consumer’s rack (client.rack)', 'org.apache.kafka.common.replica.LeaderSelector': 'the leader (the default)' },
    customClass: 'replica selectors are Java classes; kafka-ts supports org.apache.kafka.common.replica.RackAwareReplicaSelector and LeaderSelector',
  }),
  s('leader.replication.throttled.rate', 'long', LONG_MAX, 'Bytes/s a leader sends to throttled followers (reassignment --throttle).', { min: 0 }),
  s('follower.replication.throttled.rate', 'long', LONG_MAX, 'Bytes/s a throttled follower fetches.', { min: 0 }),
  n('replica.alter.log.dirs.io.max.bytes.per.second', 'long', LONG_MAX, 'Throttle of moves between log directories.', 'the daemon has one log directory', { min: 0 }),
  s('auto.leader.rebalance.enable', 'boolean', true, 'Move leadership back to preferred replicas.'),
  s('leader.imbalance.check.interval.seconds', 'long', 300, 'How often leadership balance is checked.', { min: 1 }),
  s('leader.imbalance.per.broker.percentage', 'int', 10, 'Imbalance percentage that triggers a rebalance.'),
  // Group coordinator.
  s('group.initial.rebalance.delay.ms', 'int', 3000, 'Wait for more members before the first rebalance (kafka-ts default 0, as the stock server.properties).'),
  s('group.min.session.timeout.ms', 'int', 6000, 'Smallest session.timeout.ms a member may ask for.'),
  s('group.max.session.timeout.ms', 'int', 1800000, 'Largest session.timeout.ms a member may ask for.'),
  s('group.max.size', 'int', INT_MAX, 'Most members of one group.', { min: 1 }),
  n('group.coordinator.rebalance.protocols', 'list', ['classic'], 'Rebalance protocols the coordinator speaks.', KIP848, {
    values: ['classic', 'consumer', 'share'],
    refuse: (v) => ((v as string[]).some((p) => p !== 'classic') ? `Invalid value ${(v as string[]).join(',')} for configuration group.coordinator.rebalance.protocols: ${KIP848}; kafka-ts supports only classic` : null),
  }),
  n('group.coordinator.threads', 'int', 1, 'Group coordinator threads.', THREADS, { min: 1 }),
  n('group.coordinator.new.enable', 'boolean', false, 'The new group coordinator (Kafka 3.x).', KIP848),
  n('group.consumer.session.timeout.ms', 'int', 45000, 'KIP-848 session timeout.', KIP848),
  n('group.consumer.heartbeat.interval.ms', 'int', 5000, 'KIP-848 heartbeat interval.', KIP848),
  n('group.consumer.max.size', 'int', INT_MAX, 'KIP-848 group size.', KIP848),
  n('group.consumer.assignors', 'list', ['uniform', 'range'], 'KIP-848 server-side assignors.', KIP848),
  n('group.consumer.migration.policy', 'string', 'bidirectional', 'KIP-848 group migration.', KIP848),
  s('offsets.topic.num.partitions', 'int', 50, 'Partitions of __consumer_offsets.', { min: 1 }),
  n('offsets.topic.replication.factor', 'short', 3, 'Replication factor of __consumer_offsets.', '__consumer_offsets gets as many replicas as there are brokers, at most 3', { min: 1 }),
  s('offsets.topic.segment.bytes', 'int', 104857600, 'Segment size of __consumer_offsets.', { min: 1 }),
  n('offsets.topic.compression.codec', 'int', 0, 'Compression of __consumer_offsets.', 'offset commits are stored uncompressed'),
  n('offsets.load.buffer.size', 'int', 5242880, 'Read buffer when loading offsets.', 'offsets are loaded segment by segment', { min: 1 }),
  n('offsets.commit.timeout.ms', 'int', 5000, 'Wait for an offset commit to replicate.', 'commits are written inside the daemon', { min: 1 }),
  n('offsets.commit.required.acks', 'short', -1, 'Acks of offset commits (removed in Kafka 4.0).', 'commits are written inside the daemon'),
  s('offsets.retention.minutes', 'int', 10080, 'Committed offsets of an empty group expire after this long.', { min: 1 }),
  s('offsets.retention.check.interval.ms', 'long', 600000, 'How often expired offsets are removed.', { min: 1 }),
  s('offset.metadata.max.bytes', 'int', 4096, 'Largest metadata string of a committed offset.'),
  // Transactions and producer state.
  s('transaction.state.log.num.partitions', 'int', 50, 'Partitions of __transaction_state.', { min: 1 }),
  s('transaction.state.log.replication.factor', 'short', 3, 'Replication factor of __transaction_state (capped at the number of brokers).', { min: 1 }),
  s('transaction.state.log.min.isr', 'int', 2, 'min.insync.replicas of __transaction_state.', { min: 1 }),
  s('transaction.state.log.segment.bytes', 'int', 104857600, 'Segment size of __transaction_state.', { min: 1 }),
  n('transaction.state.log.load.buffer.size', 'int', 5242880, 'Read buffer when loading transactions.', 'transactions are loaded segment by segment', { min: 1 }),
  s('transaction.max.timeout.ms', 'int', 900000, 'Largest transaction.timeout.ms a producer may ask for.', { min: 1 }),
  s('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', 10000, 'How often timed-out transactions are aborted.', { min: 1 }),
  s('transactional.id.expiration.ms', 'int', 604800000, 'An idle transactional id is forgotten after this long.', { min: 1 }),
  s('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', 3600000, 'How often expired transactional ids are removed.', { min: 1 }),
  s('transaction.partition.verification.enable', 'boolean', true, 'Verify with the transaction coordinator that a partition was added to the transaction before appending the batch that starts the transaction on it (KIP-890); false appends it unverified.'),
  s('producer.id.expiration.ms', 'int', 86400000, "An idle idempotent producer's state is kept this long.", { min: 1 }),
  n('producer.id.expiration.check.interval.ms', 'int', 600000, 'How often expired producer ids are removed.', 'expired producer ids are removed when next looked at', { min: 1 }),
  // Quotas.
  n('quota.window.num', 'int', 11, 'Samples kept for client quotas.', QUOTA_WINDOW, { min: 1 }),
  n('quota.window.size.seconds', 'int', 1, 'Length of a client quota sample.', QUOTA_WINDOW, { min: 1 }),
  n('replication.quota.window.num', 'int', 11, 'Samples kept for replication quotas.', QUOTA_WINDOW, { min: 1 }),
  n('replication.quota.window.size.seconds', 'int', 1, 'Length of a replication quota sample.', QUOTA_WINDOW, { min: 1 }),
  n('alter.log.dirs.replication.quota.window.num', 'int', 11, 'Samples kept for log-dir move quotas.', QUOTA_WINDOW, { min: 1 }),
  n('alter.log.dirs.replication.quota.window.size.seconds', 'int', 1, 'Length of a log-dir move quota sample.', QUOTA_WINDOW, { min: 1 }),
  n('controller.quota.window.num', 'int', 11, 'Samples kept for controller mutation quotas.', QUOTA_WINDOW, { min: 1 }),
  n('controller.quota.window.size.seconds', 'int', 1, 'Length of a controller mutation quota sample.', QUOTA_WINDOW, { min: 1 }),
  n('client.quota.callback.class', 'class', null, 'A custom quota callback.', NO_CLASS('quota callbacks'), { classes: {}, customClass: CLASS_REFUSAL('quota callbacks') }),
  // Authorization and principals.
  s(
    'authorizer.class.name',
    'string',
    '',
    `Authorizer: empty (none) or ${STANDARD_AUTHORIZER}; Kafka's older kafka.security.authorizer.AclAuthorizer is accepted and served by the same built-in authorizer (the same ACL semantics; a WARN line at start says so).`,
    { note: `${STANDARD_AUTHORIZER} or kafka.security.authorizer.AclAuthorizer (served as StandardAuthorizer); another class is refused` },
  ),
  s('super.users', 'string', '', 'Principals every ACL check lets through (User:a;User:b).'),
  s('allow.everyone.if.no.acl.found', 'boolean', false, 'Whether a resource without ACLs is open to all.'),
  s('principal.builder.class', 'class', 'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder', 'Builds principals from connections.', {
    classes: { 'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder': "Kafka's default: User:<SASL name or TLS subject>" },
    customClass: CLASS_REFUSAL('principal builders'),
  }),
  n('create.topic.policy.class.name', 'class', null, 'A policy checking CreateTopics requests.', NO_CLASS('topic policies'), { classes: {}, customClass: CLASS_REFUSAL('topic policies') }),
  n('alter.config.policy.class.name', 'class', null, 'A policy checking AlterConfigs requests.', NO_CLASS('config policies'), { classes: {}, customClass: CLASS_REFUSAL('config policies') }),
  n('security.providers', 'string', null, 'Java security providers.', 'TLS comes from Node.js (OpenSSL)'),
  n('delegation.token.master.key', 'password', null, 'Deprecated name of delegation.token.secret.key.', TOKENS),
  n('delegation.token.secret.key', 'password', null, 'Secret of delegation tokens.', TOKENS),
  n('delegation.token.max.lifetime.ms', 'long', 604800000, 'Largest token lifetime.', TOKENS, { min: 1 }),
  n('delegation.token.expiry.time.ms', 'long', 86400000, 'Token renewal interval.', TOKENS, { min: 1 }),
  n('delegation.token.expiry.check.interval.ms', 'long', 3600000, 'Token expiry check interval.', TOKENS, { min: 1 }),
  n('password.encoder.secret', 'password', null, 'Secret encrypting dynamic passwords.', ENCODER),
  n('password.encoder.old.secret', 'password', null, 'Previous password encoder secret.', ENCODER),
  n('password.encoder.keyfactory.algorithm', 'string', null, 'Password encoder key factory.', ENCODER),
  n('password.encoder.cipher.algorithm', 'string', 'AES/CBC/PKCS5Padding', 'Password encoder cipher.', ENCODER),
  n('password.encoder.key.length', 'int', 128, 'Password encoder key length.', ENCODER, { min: 8 }),
  n('password.encoder.iterations', 'int', 4096, 'Password encoder iterations.', ENCODER, { min: 1024 }),
  // TLS and SASL (read by src/broker/security; a listener's own copies are listener.name.<l>.<key>).
  s('ssl.keystore.type', 'string', 'JKS', 'Key store format (PEM, or PKCS12/JKS converted to PEM first).'),
  s('ssl.keystore.location', 'string', null, 'Key store file.'),
  n('ssl.keystore.password', 'password', null, 'Key store password.', 'PEM key stores have no store password; the key is protected by ssl.key.password'),
  s('ssl.keystore.key', 'password', null, 'The PEM private key, inline.'),
  s('ssl.keystore.certificate.chain', 'password', null, 'The PEM certificate chain, inline.'),
  s('ssl.key.password', 'password', null, 'Password of the private key.'),
  s('ssl.truststore.type', 'string', 'JKS', 'Trust store format (PEM).'),
  s('ssl.truststore.location', 'string', null, 'Trust store file.'),
  n('ssl.truststore.password', 'password', null, 'Trust store password.', 'PEM trust stores have no password'),
  s('ssl.truststore.certificates', 'password', null, 'The PEM trusted certificates, inline.'),
  s('ssl.client.auth', 'enum', 'none', 'Whether clients must present a certificate.', { values: ['required', 'requested', 'none'] }),
  s('ssl.enabled.protocols', 'list', ['TLSv1.2', 'TLSv1.3'], 'TLS versions accepted.'),
  n('ssl.protocol', 'string', 'TLSv1.3', 'The TLS protocol of the SSLContext.', 'ssl.enabled.protocols decides the versions'),
  s('ssl.cipher.suites', 'list', [], 'Cipher suites (IANA names as Kafka, or OpenSSL names); empty: OpenSSL\'s defaults.'),
  n('ssl.endpoint.identification.algorithm', 'string', 'https', 'Host name verification of peers.', 'brokers make no TLS connections to peers'),
  s('ssl.principal.mapping.rules', 'string', 'DEFAULT', 'Rules mapping a certificate subject to a principal name.', {
    note: 'DEFAULT only (the principal is the certificate subject); RULE:... is refused',
    refuse: (v) => (typeof v === 'string' && v !== 'DEFAULT' ? `Invalid value ${v} for configuration ssl.principal.mapping.rules: kafka-ts supports only DEFAULT (the principal is the certificate subject, e.g. User:CN=client,OU=...)` : null),
  }),
  s('ssl.allow.dn.changes', 'boolean', false, 'Whether a dynamic keystore update (KIP-226) may change the certificate subject (distinguished name); false: refused.', {
    note: 'read from server.properties (or listener.name.<l>.ssl.allow.dn.changes), not changed dynamically, as in Kafka (KIP-978)',
  }),
  s('ssl.allow.san.changes', 'boolean', false, 'Whether a dynamic keystore update (KIP-226) may drop certificate subject alternative names (adding names is always allowed); false: refused.', {
    note: 'read from server.properties (or listener.name.<l>.ssl.allow.san.changes), not changed dynamically, as in Kafka (KIP-978)',
  }),
  n('ssl.keymanager.algorithm', 'string', 'SunX509', 'Java key manager algorithm.', 'TLS comes from Node.js (OpenSSL)'),
  n('ssl.trustmanager.algorithm', 'string', 'PKIX', 'Java trust manager algorithm.', 'TLS comes from Node.js (OpenSSL)'),
  n('ssl.secure.random.implementation', 'string', null, 'Java SecureRandom implementation.', 'TLS comes from Node.js (OpenSSL)'),
  n('ssl.provider', 'string', null, 'Java security provider.', 'TLS comes from Node.js (OpenSSL)'),
  n('ssl.engine.factory.class', 'class', null, 'A custom SSL engine factory.', NO_CLASS('SSL engine factories'), { classes: {}, customClass: CLASS_REFUSAL('SSL engine factories') }),
  s(
    'sasl.enabled.mechanisms',
    'list',
    ['GSSAPI'],
    "SASL mechanisms offered (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER). OAUTHBEARER uses Kafka's unsecured validator: tokens are not verified (a WARN line at start names the listeners); GSSAPI is refused.",
  ),
  s('sasl.jaas.config', 'password', null, "The JAAS login configuration (users of PLAIN, the broker's own login)."),
  s('sasl.server.max.receive.size', 'int', 524288, 'Largest SASL packet before authentication.', { min: 1 }),
  n('sasl.mechanism.inter.broker.protocol', 'string', 'GSSAPI', 'SASL mechanism between brokers.', 'logical brokers replicate inside the daemon'),
  n('sasl.mechanism.controller.protocol', 'string', 'GSSAPI', 'SASL mechanism to the controller.', QUORUM),
  n('sasl.kerberos.service.name', 'string', null, 'Kerberos service name.', 'GSSAPI (Kerberos) is not implemented: offer PLAIN or SCRAM in sasl.enabled.mechanisms'),
  n('sasl.kerberos.principal.to.local.rules', 'list', ['DEFAULT'], 'Kerberos principal mapping.', 'GSSAPI (Kerberos) is not implemented'),
  n('sasl.server.callback.handler.class', 'class', null, 'A custom SASL server callback handler.', NO_CLASS('SASL callback handlers'), { classes: {}, customClass: CLASS_REFUSAL('SASL callback handlers') }),
  n('sasl.login.callback.handler.class', 'class', null, 'A custom SASL login callback handler.', NO_CLASS('SASL callback handlers'), { classes: {}, customClass: CLASS_REFUSAL('SASL callback handlers') }),
  n('sasl.login.class', 'class', null, 'A custom SASL login class.', NO_CLASS('SASL login classes'), { classes: {}, customClass: CLASS_REFUSAL('SASL login classes') }),
  s('config.providers', 'list', [], 'Config providers (KIP-421) for ${provider:[path:]key} values: config.providers.<name>.class is EnvVarConfigProvider, FileConfigProvider or DirectoryConfigProvider (org.apache.kafka.common.config.provider), config.providers.<name>.param.* its parameters.'),
  // Metrics.
  n('metric.reporters', 'list', [], 'Metrics reporter classes.', METRICS, {
    classes: { 'org.apache.kafka.common.metrics.JmxReporter': 'accepted, no effect' },
    customClass: CLASS_REFUSAL('metrics reporters'),
  }),
  n('auto.include.jmx.reporter', 'boolean', true, 'Add the JMX reporter (removed in Kafka 4.0).', METRICS),
  n('metrics.num.samples', 'int', 2, 'Metric samples.', METRICS, { min: 1 }),
  n('metrics.sample.window.ms', 'long', 30000, 'Metric sample window.', METRICS, { min: 1 }),
  n('metrics.recording.level', 'enum', 'INFO', 'Metric recording level.', METRICS, { values: ['INFO', 'DEBUG', 'TRACE'] }),
  n('kafka.metrics.reporters', 'list', [], 'Yammer metrics reporters.', METRICS),
  n('kafka.metrics.polling.interval.secs', 'int', 10, 'Yammer metrics polling interval.', METRICS, { min: 1 }),
  // Tiered storage.
  n('remote.log.storage.system.enable', 'boolean', false, 'Tiered storage on this broker.', `only false is accepted: ${TIERED}`, {
    refuse: (v) => (v === true ? `Invalid value true for configuration remote.log.storage.system.enable: ${TIERED}` : null),
  }),
  n('remote.log.storage.manager.class.name', 'string', null, 'Remote storage manager class.', TIERED),
  n('remote.log.metadata.manager.class.name', 'string', 'org.apache.kafka.server.log.remote.metadata.storage.TopicBasedRemoteLogMetadataManager', 'Remote log metadata manager class.', TIERED),
  n('remote.log.manager.task.interval.ms', 'long', 30000, 'Remote log manager task interval.', TIERED),
  n('remote.log.manager.thread.pool.size', 'int', 10, 'Remote log manager threads.', TIERED),
  n('remote.log.reader.threads', 'int', 10, 'Remote log reader threads.', TIERED),
  // Share groups (Kafka 4.x).
  n('share.coordinator.state.topic.replication.factor', 'short', 3, 'Replication factor of __share_group_state.', SHARE),
  n('share.coordinator.state.topic.min.isr', 'short', 2, 'min.insync.replicas of __share_group_state.', SHARE),
  n('share.coordinator.state.topic.num.partitions', 'int', 50, 'Partitions of __share_group_state.', SHARE),
  // kafka-ts's own settings.
  s('kafka-ts.brokers', 'int', 1, 'Logical brokers the daemon runs (ids node.id, node.id+1, ...).', { min: 1, max: 16 }),
  s('kafka-ts.queued.max.response.bytes', 'long', 64 << 20, 'Answer bytes waiting for slow sockets before requests wait.', { min: 1 }),
  s('kafka-ts.max.partitions.per.request', 'int', 10000, 'Partitions one CreateTopics or CreatePartitions request may ask for.', { min: 1 }),
  s('kafka-ts.max.partitions', 'int', 24320, 'Partition replicas the daemon hosts across its brokers. Unset: 80 per MB of the daemon\'s V8 heap limit (set with KAFKA_HEAP_OPTS=-Xmx...), at most 200000: 24320 with the default 256 MB heap (-Xmx1G: 85760).', { min: 1 }),
  s('kafka-ts.offset.metadata.max.total.bytes', 'long', 79691776, 'Heap bytes of committed offset metadata the group coordinators keep in all; a commit growing it past this gets OFFSET_METADATA_TOO_LARGE for the partitions over (metadata-free commits always fit). Unset: a quarter of the daemon\'s V8 heap limit: 79691776 (76 MiB) with the default 256 MB heap.', { min: 0 }),
  s('kafka-ts.max.open.files', 'int', 0, 'Segment files kept open at once (0: half the fd limit).'),
  s('kafka-ts.broker.racks', 'list', null, 'One rack per logical broker, in id order (a,b,c with kafka-ts.brokers=3); wins over broker.rack.'),
  s('kafka-ts.schema.registry.enable', 'boolean', true, 'Serve a Confluent-compatible schema registry (server start --no-schema-registry: false).'),
  s('kafka-ts.schema.registry.listener', 'string', '127.0.0.1:8081', 'The schema registry address, host:port (0: a free port).'),
  s('kafka-ts.schema.registry.max.request.bytes', 'int', 8 << 20, 'Largest schema registry request body.', { min: 1024 }),
];

export const BROKER_CATALOGUE = defineCatalogue('broker', BROKER_ENTRIES);

/** Keys of a listener's own TLS/SASL settings (checked by src/broker/security, not the catalogue). */
export const isListenerKey = (key: string): boolean => key.startsWith('listener.name.');

/**
 * DescribeConfigs' documentation of a topic or broker config (v3+, when asked): the catalogue's
 * line, and for a config with no effect here, that and why.
 */
export function configDocumentation(resource: 'topic' | 'broker', name: string): string | null {
  const e = (resource === 'topic' ? TOPIC_CATALOGUE : BROKER_CATALOGUE).byName.get(name);
  if (!e) return null;
  return e.support === 'no-effect' ? `${e.doc} No effect in kafka-ts: ${e.note}.` : e.doc;
}

/** A listener's per-mechanism JAAS config (`plain.sasl.jaas.config`, `scram-sha-256.sasl.jaas.config`): a key of its own, not in the catalogue. */
export const isMechanismJaasConfig = (setting: string): boolean => /^[a-z0-9-]+\.sasl\.jaas\.config$/.test(setting);
