/**
 * The broker and topic configuration catalogues walked whole (issue 19): every key the daemon
 * reads or describes is in them; every supported key has a test of its effect (the table below,
 * checked against the test files); no-effect keys are quiet; refused values are refused with
 * their message; unknown keys warn; bad values of each type stop the start with one line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBrokerConfig, HANDLED_BROKER_KEYS } from '../../src/broker/config.js';
import { DYNAMIC_BROKER_CONFIGS, validateBrokerConfigs } from '../../src/broker/metadata/broker-configs.js';
import { logConfigFor, topicConfigValue } from '../../src/broker/metadata/topic-configs.js';
import { BROKER_CATALOGUE } from '../../src/protocol/broker-config-catalogue.js';
import { TOPIC_CATALOGUE, TOPIC_CONFIGS, validateTopicConfig, TIERED_STORAGE_DISABLED } from '../../src/protocol/topic-configs.js';
import { checkProperties, type ConfigValue } from '../../src/util/config-catalogue.js';

const ROOT = join(import.meta.dirname, '..', '..');
const HERE = 'test/unit/broker-config-catalogue.test.ts';
const build = (props: Record<string, string>) => buildBrokerConfig('/tmp/kafka-ts-catalogue', props);

/** A value as server.properties writes it. */
const text = (v: ConfigValue): string => (v === null ? '' : Array.isArray(v) ? v.join(',') : typeof v === 'number' && v >= 9223372036854775807 ? '9223372036854775807' : String(v));

/**
 * Supported broker key → the test file that shows its effect (the file must mention the key, or
 * the string given). Keys whose effect is shown here are in EFFECTS_HERE below.
 */
const EFFECT_TESTS: Record<string, string | [string, string]> = {
  'compression.type': 'test/integration/broker-config-effects.test.ts',
  'log.message.timestamp.after.max.ms': 'test/integration/broker-config-effects.test.ts',
  'node.id': 'test/cli/configs-brokers.test.ts',
  'broker.id': 'test/cli/configs-brokers.test.ts',
  listeners: 'test/interop/security-daemon.test.ts',
  'config.providers': 'test/cli/broker-config-sources.test.ts',
  'advertised.listeners': 'test/integration/client-security-tls.test.ts',
  'listener.security.protocol.map': 'test/integration/security-sasl.test.ts',
  port: 'test/cli/daemon-start.test.ts',
  'metadata.log.max.record.bytes.between.snapshots': 'test/unit/broker/metadata-log.test.ts',
  'connections.max.idle.ms': 'test/integration/idle-connections.test.ts',
  'max.connections': 'test/integration/connection-limits.test.ts',
  'max.connections.per.ip': 'test/integration/connection-limits.test.ts',
  'max.connections.per.ip.overrides': 'test/integration/connection-limits.test.ts',
  'queued.max.request.bytes': 'test/integration/connection-limits.test.ts',
  'connections.max.reauth.ms': 'test/integration/client-security-sasl.test.ts',
  'connection.failed.authentication.delay.ms': 'test/integration/security-sasl.test.ts',
  'message.max.bytes': 'test/cli/configs-effects.test.ts',
  'auto.create.topics.enable': 'test/cli/console.test.ts',
  'num.partitions': 'test/integration/broker-apis.test.ts',
  'default.replication.factor': 'test/integration/security-cluster.test.ts',
  'log.retention.ms': 'test/cli/configs-effects.test.ts',
  'log.retention.check.interval.ms': 'test/cli/configs-effects.test.ts',
  'log.flush.interval.messages': 'test/integration/durable-mode.test.ts',
  'log.flush.interval.ms': 'test/integration/durable-mode.test.ts',
  'log.cleaner.backoff.ms': 'test/integration/compaction.test.ts',
  'min.insync.replicas': 'test/integration/replication.test.ts',
  'unclean.leader.election.enable': 'test/integration/replication.test.ts',
  'replica.lag.time.max.ms': 'test/integration/replication.test.ts',
  'replica.fetch.wait.max.ms': 'test/integration/txn-coordinator.test.ts',
  'replica.fetch.backoff.ms': 'test/integration/replication.test.ts',
  'leader.replication.throttled.rate': 'test/integration/replication.test.ts',
  'follower.replication.throttled.rate': 'test/integration/replication.test.ts',
  'auto.leader.rebalance.enable': 'test/integration/replication.test.ts',
  'group.initial.rebalance.delay.ms': ['test/unit/broker/coordinator/group-state-machine.test.ts', 'groupInitialRebalanceDelayMs = 3000'],
  'group.min.session.timeout.ms': 'test/integration/group-coordinator.test.ts',
  'group.max.session.timeout.ms': 'test/integration/broker-config-effects.test.ts',
  'group.max.size': 'test/integration/broker-config-effects.test.ts',
  // The coordinator's expiry of an empty group's offsets after offsetsRetentionMs (set from this key, below).
  'offsets.retention.minutes': ['test/unit/broker/coordinator/coordinator.test.ts', 'expires the offsets of a group empty for longer than the retention'],
  'offsets.retention.check.interval.ms': ['test/unit/broker/coordinator/coordinator.test.ts', 'expiry runs by itself at that interval'],
  'offset.metadata.max.bytes': 'test/integration/broker-config-effects.test.ts',
  'offsets.topic.num.partitions': 'test/integration/compaction.test.ts',
  'offsets.topic.segment.bytes': 'test/integration/compaction.test.ts',
  'transaction.state.log.num.partitions': 'test/integration/broker-config-effects.test.ts',
  'transaction.max.timeout.ms': 'test/integration/txn-coordinator.test.ts',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': 'test/integration/txn-coordinator.test.ts',
  'transactional.id.expiration.ms': 'test/integration/txn-coordinator.test.ts',
  'transaction.partition.verification.enable': 'test/integration/txn-verification.test.ts',
  'transaction.remove.expired.transaction.cleanup.interval.ms': 'test/integration/txn-coordinator.test.ts',
  'producer.id.expiration.ms': 'test/unit/broker/producer-state.test.ts',
  'authorizer.class.name': 'test/integration/acls.test.ts',
  // The default builder (the only class accepted): principals are User:<SASL name>.
  'principal.builder.class': ['test/integration/acls.test.ts', 'User:'],
  'super.users': 'test/integration/security-cluster.test.ts',
  'allow.everyone.if.no.acl.found': 'test/integration/acls.test.ts',
  'ssl.keystore.type': 'test/interop/security-daemon.test.ts',
  'ssl.keystore.location': 'test/integration/client-security-sasl.test.ts',
  'ssl.keystore.key': 'test/integration/client-security-tls.test.ts',
  'ssl.keystore.certificate.chain': 'test/integration/client-security-tls.test.ts',
  'ssl.key.password': 'test/integration/security-cluster.test.ts',
  'ssl.truststore.type': 'test/interop/security-daemon.test.ts',
  'ssl.truststore.location': 'test/integration/security-sasl.test.ts',
  'ssl.truststore.certificates': 'test/integration/security-cluster.test.ts',
  'ssl.client.auth': 'test/integration/security-cluster.test.ts',
  'ssl.allow.dn.changes': 'test/integration/dynamic-tls.test.ts',
  'ssl.allow.san.changes': 'test/integration/dynamic-tls.test.ts',
  'sasl.enabled.mechanisms': 'test/interop/security-daemon.test.ts',
  'sasl.jaas.config': 'test/integration/security-sasl.test.ts',
  'sasl.server.max.receive.size': 'test/integration/security-sasl.test.ts',
  'kafka-ts.brokers': 'test/integration/replication.test.ts',
  'kafka-ts.queued.max.response.bytes': 'test/integration/connection-limits.test.ts',
  'kafka-ts.max.partitions.per.request': 'test/integration/oversized-requests.test.ts',
  'kafka-ts.max.partitions': 'test/integration/oversized-requests.test.ts',
  'kafka-ts.max.open.files': 'test/integration/many-partitions.test.ts',
  'kafka-ts.offset.metadata.max.total.bytes': 'test/integration/broker-config-effects.test.ts',
  'kafka-ts.schema.registry.enable': ['test/cli/schema-registry-daemon.test.ts', '--no-schema-registry'],
  'kafka-ts.schema.registry.listener': ['test/cli/schema-registry-daemon.test.ts', '--schema-registry-port'],
  'kafka-ts.schema.registry.max.request.bytes': 'test/unit/schema/parse.test.ts',
  'socket.request.max.bytes': 'test/integration/broker-config-effects.test.ts',
  'delete.topic.enable': 'test/integration/broker-config-effects.test.ts',
  'log.cleaner.enable': 'test/integration/broker-config-effects.test.ts',
  'transaction.state.log.replication.factor': 'test/integration/broker-config-effects.test.ts',
  'transaction.state.log.min.isr': 'test/integration/broker-config-effects.test.ts',
  'transaction.state.log.segment.bytes': 'test/integration/broker-config-effects.test.ts',
  'ssl.enabled.protocols': 'test/integration/broker-config-effects.test.ts',
  'ssl.cipher.suites': 'test/integration/tls-settings.test.ts',
  'leader.imbalance.check.interval.seconds': 'test/integration/broker-config-effects.test.ts',
  'leader.imbalance.per.broker.percentage': 'test/integration/broker-config-effects.test.ts',
  // DEFAULT: the principal is the certificate subject (the only rule kafka-ts accepts).
  'ssl.principal.mapping.rules': ['test/integration/security-cluster.test.ts', 'clientPrincipal'],
  'replica.fetch.max.bytes': 'test/integration/broker-config-effects.test.ts',
  'replica.fetch.response.max.bytes': 'test/integration/broker-config-effects.test.ts',
  // broker.rack and replica.selector.class: helper 19c's rack-aware follower fetching.
  'broker.rack': 'test/integration/rack-fetch.test.ts',
  'replica.selector.class': 'test/integration/rack-fetch.test.ts',
  'kafka-ts.broker.racks': 'test/integration/rack-fetch.test.ts',
};

/** Topic defaults whose effect this file shows: the storage settings a topic without an override gets. */
const TOPIC_DEFAULT_EFFECTS: [Record<string, string>, (c: ReturnType<typeof build>['config']) => unknown, unknown][] = [
  [{ 'log.roll.ms': '5000' }, (c) => logConfigFor({}, c).segmentMs, 5000],
  [{ 'log.roll.hours': '2' }, (c) => logConfigFor({}, c).segmentMs, 7_200_000],
  [{ 'log.message.timestamp.before.max.ms': '5000' }, (c) => topicConfigValue({}, c, 'message.timestamp.before.max.ms'), '5000'],
  [{ 'compression.zstd.level': '7' }, (c) => topicConfigValue({}, c, 'compression.zstd.level'), '7'],
  [{ 'compression.gzip.level': '4' }, (c) => topicConfigValue({}, c, 'compression.gzip.level'), '4'],
  [{ 'log.roll.jitter.ms': '1234' }, (c) => logConfigFor({}, c).segmentJitterMs, 1234],
  [{ 'log.roll.jitter.hours': '1' }, (c) => logConfigFor({}, c).segmentJitterMs, 3_600_000],
  [{ 'log.retention.minutes': '3' }, (c) => logConfigFor({}, c).retentionMs, 180_000],
  [{ 'log.retention.hours': '1' }, (c) => logConfigFor({}, c).retentionMs, 3_600_000],
  [{ 'log.retention.bytes': '12345' }, (c) => logConfigFor({}, c).retentionBytes, 12345],
  [{ 'log.index.interval.bytes': '100' }, (c) => logConfigFor({}, c).indexIntervalBytes, 100],
  [{ 'log.index.size.max.bytes': '4096' }, (c) => logConfigFor({}, c).segmentIndexBytes, 4096],
  [{ 'log.cleaner.delete.retention.ms': '77' }, (c) => logConfigFor({}, c).cleanup.deleteRetentionMs, 77],
  [{ 'log.cleaner.min.compaction.lag.ms': '88' }, (c) => logConfigFor({}, c).cleanup.minCompactionLagMs, 88],
  [{ 'log.cleaner.max.compaction.lag.ms': '99' }, (c) => logConfigFor({}, c).cleanup.maxCompactionLagMs, 99],
  [{ 'log.cleaner.min.cleanable.ratio': '0.25' }, (c) => logConfigFor({}, c).cleanup.minCleanableRatio, 0.25],
  [{ 'log.message.timestamp.type': 'LogAppendTime' }, (c) => topicConfigValue({}, c, 'message.timestamp.type'), 'LogAppendTime'],
  [{ 'log.dirs': '/tmp/one-dir' }, (c) => c.logDirs, '/tmp/one-dir'],
  [{ 'log.segment.bytes': '4096' }, (c) => logConfigFor({}, c).segmentBytes, 4096],
  [{ 'log.cleanup.policy': 'compact' }, (c) => logConfigFor({}, c).cleanup, expect.objectContaining({ compact: true, delete: false })],
  [{ 'log.dir': '/tmp/old-name' }, (c) => c.logDirs, '/tmp/old-name'],
  [{ 'offsets.retention.minutes': '2' }, (c) => c.offsetsRetentionMs, 120_000],
  [{ 'host.name': '127.0.0.2' }, (c) => c.listeners[0]!.host, '127.0.0.2'],
];
const EFFECTS_HERE = new Set(TOPIC_DEFAULT_EFFECTS.flatMap(([p]) => Object.keys(p)));

/**
 * Supported keys whose effect no test shows yet (the daemon reads them; a test of what they
 * change is still to write). Kept exact so the list only shrinks.
 */
const EFFECT_NOT_TESTED_YET: string[] = [];

describe('the broker catalogue', () => {
  it('holds every key the daemon reads, describes or lets be altered, and every broker default of a topic config', () => {
    const needed = new Set([...HANDLED_BROKER_KEYS, ...Object.keys(DYNAMIC_BROKER_CONFIGS), ...TOPIC_CONFIGS.flatMap((t) => (t.brokerKey ? [t.brokerKey] : []))]);
    expect([...needed].filter((k) => !BROKER_CATALOGUE.byName.has(k))).toEqual([]);
  });

  it('every supported key has a test of its effect (or is listed as not tested yet)', () => {
    const supported = BROKER_CATALOGUE.entries.filter((e) => e.support === 'supported').map((e) => e.name);
    const uncovered = supported.filter((k) => !(k in EFFECT_TESTS) && !EFFECTS_HERE.has(k));
    expect(uncovered.sort()).toEqual([...EFFECT_NOT_TESTED_YET].sort());
    for (const [key, where] of Object.entries(EFFECT_TESTS)) {
      expect(supported, key).toContain(key);
      const [file, mention] = typeof where === 'string' ? [where, key] : where;
      expect(existsSync(join(ROOT, file)), `${key}: ${file}`).toBe(true);
      expect(readFileSync(join(ROOT, file), 'utf8'), `${key} in ${file}`).toContain(mention);
    }
  });

  it.each(TOPIC_DEFAULT_EFFECTS.map(([p, get, want]) => [Object.keys(p)[0]!, p, get, want] as const))('%s reaches the topics (%j)', (_k, props, get, want) => {
    expect(get(build({ ...props }).config)).toEqual(want);
    expect(HERE).toContain('broker-config-catalogue');
  });

  it('no-effect keys are accepted at their default and at another valid value without a word, and documented', () => {
    for (const e of BROKER_CATALOGUE.entries.filter((x) => x.support === 'no-effect')) {
      expect(e.note, e.name).toBeTruthy();
      if (e.default === null && ['int', 'short', 'long', 'double', 'boolean'].includes(e.type)) continue; // no default to write
      const { warnings } = build({ [e.name]: text(e.default) });
      expect(warnings, e.name).toEqual([]);
    }
    expect(build({ 'num.network.threads': '16', 'num.io.threads': '32', 'socket.send.buffer.bytes': '-1', 'metric.reporters': 'org.apache.kafka.common.metrics.JmxReporter' }).warnings).toEqual([]);
  });

  it('refuses what it cannot honour, with its message', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'remote.log.storage.system.enable': 'true' }, 'Invalid value true for configuration remote.log.storage.system.enable: kafka-ts has no tiered storage: every segment stays on the local disk'],
      [{ 'create.topic.policy.class.name': 'com.example.Policy' }, 'Invalid value com.example.Policy for configuration create.topic.policy.class.name: topic policies are Java classes; kafka-ts cannot load them'],
      [{ 'metric.reporters': 'com.example.Reporter' }, 'Invalid value com.example.Reporter for configuration metric.reporters: metrics reporters are Java classes; kafka-ts cannot load them'],
      [{ 'principal.builder.class': 'com.example.Builder' }, 'Invalid value com.example.Builder for configuration principal.builder.class: principal builders are Java classes; kafka-ts cannot load them'],
      [{ 'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),.*$/$1/' }, 'Invalid value RULE:^CN=(.*?),.*$/$1/ for configuration ssl.principal.mapping.rules: kafka-ts supports only DEFAULT'],
      [{ 'log.dirs': '/a,/b' }, 'Invalid value /a,/b for configuration log.dirs: kafka-ts keeps every partition in one log directory; give one'],
      [{ 'compression.gzip.level': '12' }, 'Invalid value 12 for configuration compression.gzip.level: Value must be between 1 and 9, or -1 (the default)'],
      [{ 'group.coordinator.rebalance.protocols': 'classic,consumer' }, 'Invalid value classic,consumer for configuration group.coordinator.rebalance.protocols: the consumer rebalance protocol (KIP-848) is not implemented: groups use the classic protocol; kafka-ts supports only classic'],
    ];
    for (const [props, message] of cases) expect(() => build(props), JSON.stringify(props)).toThrow(message);
  });

  it("Kafka's stock KRaft server.properties (3.x and 4.0) and ZooKeeper one are accepted without a warning", () => {
    const kraft = {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': '1@localhost:9093',
      'controller.quorum.bootstrap.servers': 'localhost:9093',
      listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      'inter.broker.listener.name': 'PLAINTEXT',
      'advertised.listeners': 'PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093',
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
      'num.network.threads': '3',
      'num.io.threads': '8',
      'socket.send.buffer.bytes': '102400',
      'socket.receive.buffer.bytes': '102400',
      'socket.request.max.bytes': '104857600',
      'log.dirs': '/tmp/kraft-combined-logs',
      'num.partitions': '1',
      'num.recovery.threads.per.data.dir': '1',
      'offsets.topic.replication.factor': '1',
      'share.coordinator.state.topic.replication.factor': '1',
      'share.coordinator.state.topic.min.isr': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'log.retention.hours': '168',
      'log.segment.bytes': '1073741824',
      'log.retention.check.interval.ms': '300000',
    };
    expect(build(kraft).warnings).toEqual([]);
    const zk = { 'broker.id': '0', 'zookeeper.connect': 'localhost:2181', 'zookeeper.connection.timeout.ms': '18000', 'group.initial.rebalance.delay.ms': '0', 'log.dirs': '/tmp/kafka-logs', 'num.partitions': '1' };
    expect(build(zk).warnings).toEqual([]);
  });

  it("warns about an unknown key with Kafka's text, and keeps listener-prefixed security keys quiet", () => {
    const { warnings } = build({ 'no.such.setting': '1', listeners: 'SSL://127.0.0.1:0', 'listener.name.ssl.ssl.client.auth': 'none' });
    expect(warnings).toEqual([{ key: 'no.such.setting', message: "The configuration 'no.such.setting' was supplied but isn't a known config." }]);
  });

  it.each([
    ['int', 'num.partitions', 'many', 'Not a number of type INT'],
    ['int range', 'num.partitions', '0', 'Value must be at least 1'],
    ['int overflow', 'message.max.bytes', '3000000000', 'Not a number of type INT'],
    ['blank int', 'num.partitions', ' ', 'Not a number of type INT'],
    ['hex int', 'num.partitions', '0x10', 'Not a number of type INT'],
    ['blank override count', 'max.connections.per.ip.overrides', '127.0.0.1:', 'expected host:count pairs'],
    ['long', 'log.retention.bytes', '1.5', 'Not a number of type LONG'],
    ['duration', 'log.roll.ms', 'soon', 'Not a number of type LONG'],
    ['duration range', 'log.retention.check.interval.ms', '0', 'Value must be at least 1'],
    ['double', 'log.cleaner.min.cleanable.ratio', 'half', 'Not a number of type DOUBLE'],
    ['double range', 'log.cleaner.min.cleanable.ratio', '1.5', 'Value must be no more than 1'],
    ['boolean', 'auto.create.topics.enable', 'yes', 'Expected value to be either true or false'],
    ['list', 'log.cleanup.policy', 'compact,shred', 'String must be one of: compact, delete'],
    ['enum', 'log.message.timestamp.type', 'WallClock', 'String must be one of: CreateTime, LogAppendTime'],
    ['class', 'client.quota.callback.class', 'not a class!', 'Class not a class! could not be found.'],
    ['short', 'offsets.topic.replication.factor', '70000', 'Not a number of type SHORT'],
    ['kafka-ts range', 'kafka-ts.brokers', '17', 'Value must be no more than 16'],
  ])('a bad %s value stops the start with one line naming key, value and what is allowed', (_type, key, value, why) => {
    let message = '';
    try {
      build({ [key]: value });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Invalid value .* for configuration ${key.replace(/\./g, '\\.')}: `));
    expect(message).toContain(why);
    expect(message).not.toContain('\n');
  });

  it('dynamic broker alters use the same checks', () => {
    expect(checkProperties(BROKER_CATALOGUE, { 'log.cleaner.min.cleanable.ratio': '2' }).errors).toEqual(['Invalid value 2 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1']);
    expect(validateBrokerConfigs({ 'num.partitions': '3' })).toBe('Cannot update these configs dynamically: Set(num.partitions)');
  });
});

describe('the topic catalogue', () => {
  it("has every topic config Kafka's TopicConfig defines, each marked, no-effect ones with their reason", () => {
    expect(TOPIC_CATALOGUE.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['remote.log.copy.disable', 'remote.log.delete.on.disable', 'segment.jitter.ms', 'compression.zstd.level']));
    expect(TOPIC_CATALOGUE.entries).toHaveLength(33);
    for (const e of TOPIC_CATALOGUE.entries) if (e.support === 'no-effect') expect(e.note, e.name).toBeTruthy();
  });

  it.each([
    ['retention.ms', 'abc', 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    ['segment.bytes', '2147483648', 'Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT'],
    ['min.cleanable.dirty.ratio', 'x', 'Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['min.cleanable.dirty.ratio', '1.5', 'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    // Number() reads a blank as 0 and takes hex; Java's Double.parseDouble takes neither.
    ['min.cleanable.dirty.ratio', ' ', 'Invalid value   for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['min.cleanable.dirty.ratio', '0x1', 'Invalid value 0x1 for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    ['preallocate', 'maybe', 'Invalid value maybe for configuration preallocate: Expected value to be either true or false'],
    ['message.timestamp.type', 'Now', 'Invalid value Now for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
    ['compression.lz4.level', '18', 'Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17'],
    ['remote.storage.enable', 'true', TIERED_STORAGE_DISABLED],
    ['no.such.config', '1', 'Unknown topic config name: no.such.config'],
  ])('%s=%s is refused with Kafka\'s text', (name, value, message) => {
    expect(validateTopicConfig(name, value)).toBe(message);
  });
});
