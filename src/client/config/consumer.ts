/**
 * The consumer's configuration catalogue (Kafka 3.x/4.x ConsumerConfig) and the fetcher and group
 * options it gives. Supported keys reach src/client/consumer/; the rest are marked.
 */
import { ConfigValues, defineCatalogue } from '../../util/config-catalogue.js';
import type { FetcherOptions } from '../consumer/fetcher.js';
import { COMMON_CLIENT_CONFIGS } from './common.js';
import { javaClasses, noEffect, supported } from './entry.js';

const DESERIALIZER = 'the console consumer fetches bytes; its formatter\'s key.deserializer/value.deserializer (--property) decide how they print';

/** partition.assignment.strategy: Kafka's assignor classes, and the short names kafka-ts also takes. */
export const ASSIGNOR_CLASSES: Readonly<Record<string, string>> = {
  'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
  'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
  'org.apache.kafka.clients.consumer.StickyAssignor': 'sticky',
  'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': 'cooperative-sticky',
  RangeAssignor: 'range',
  RoundRobinAssignor: 'roundrobin',
  StickyAssignor: 'sticky',
  CooperativeStickyAssignor: 'cooperative-sticky',
  range: 'range',
  roundrobin: 'roundrobin',
  sticky: 'sticky',
  'cooperative-sticky': 'cooperative-sticky',
};

export const CONSUMER_CATALOGUE = defineCatalogue('consumer', COMMON_CLIENT_CONFIGS, [
  { ...COMMON_CLIENT_CONFIGS.find((e) => e.name === 'connections.max.idle.ms')!, default: 540000 },
  supported('group.id', 'string', null, 'the consumer group to join (needed for commits and subscriptions)'),
  supported('group.instance.id', 'string', null, 'a static member id: a restart within session.timeout.ms keeps the assignment (KIP-345)'),
  supported('partition.assignment.strategy', 'list', ['org.apache.kafka.clients.consumer.RangeAssignor', 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor'], 'assignors by preference (the group uses the first all members support)', {
    classes: ASSIGNOR_CLASSES,
    customClass: 'custom assignors are Java classes; kafka-ts supports RangeAssignor, RoundRobinAssignor, StickyAssignor and CooperativeStickyAssignor (org.apache.kafka.clients.consumer.*)',
  }),
  supported('auto.offset.reset', 'enum', 'latest', 'where to start without a committed offset: earliest, latest, or none (an error)', { values: ['latest', 'earliest', 'none'] }),
  supported('enable.auto.commit', 'boolean', true, 'commit positions in the background'),
  supported('auto.commit.interval.ms', 'int', 5000, 'how often positions are auto-committed', { min: 0, unit: 'ms' }),
  supported('session.timeout.ms', 'int', 45000, 'the group drops a member it has not heard from for this long', { unit: 'ms' }),
  supported('heartbeat.interval.ms', 'int', 3000, 'how often the member heartbeats', { unit: 'ms' }),
  supported('max.poll.interval.ms', 'int', 300000, 'the group waits this long for a member to rejoin (rebalance timeout)', { min: 1, unit: 'ms' }),
  supported('max.poll.records', 'int', 500, 'the most records one poll returns; the rest of a fetch are kept for the next polls (not fetched again)', { min: 1 }),
  supported('fetch.min.bytes', 'int', 1, 'the broker answers a fetch once it has this many bytes (or fetch.max.wait.ms passed)', { min: 0, unit: 'bytes' }),
  supported('fetch.max.bytes', 'int', 52428800, 'the most bytes a fetch response carries (at least one batch)', { min: 0, unit: 'bytes' }),
  supported('fetch.max.wait.ms', 'int', 500, 'how long the broker holds a fetch waiting for fetch.min.bytes', { min: 0, unit: 'ms' }),
  supported('max.partition.fetch.bytes', 'int', 1048576, 'the most bytes per partition in a fetch response (at least one batch)', { min: 0, unit: 'bytes' }),
  supported('isolation.level', 'enum', 'read_uncommitted', 'read_committed: only records of committed transactions', { values: ['read_committed', 'read_uncommitted'] }),
  supported('client.rack', 'string', '', 'the consumer\'s rack, sent with fetches so a broker with a rack-aware replica selector can point it at a follower in its rack (KIP-392)'),
  supported('default.api.timeout.ms', 'int', 60000, 'the bound on blocking calls (and kafka-ts\'s connect timeout)', { min: 0, unit: 'ms' }),
  supported('metadata.max.age.ms', 'long', 300000, 'how often the consumer refreshes metadata: a group member rejoins the group when its pattern (--include) matches other topics or, on the leader, a subscribed topic has new partitions, so that they are assigned; without a group, console-consumer starts reading the new topics and partitions (from their beginning) itself', { min: 0, unit: 'ms' }),
  supported('check.crcs', 'boolean', false, 'check the CRC32C of every fetched batch before returning its records; a corrupt batch fails the poll (Kafka\'s consumer checks by default, kafka-ts only when set, as librdkafka)'),
  noEffect('exclude.internal.topics', 'boolean', true, 'a pattern subscription leaves out internal topics', 'kafka-ts\'s pattern subscriptions always leave out internal topics'),
  supported('allow.auto.create.topics', 'boolean', true, 'a topic subscribed by name (console-consumer --topic without --partition) that does not exist is asked for with auto-creation, so the broker creates it when its auto.create.topics.enable is on; false: the consumer waits until the topic is created'),
  noEffect('group.protocol', 'enum', 'classic', 'the group protocol: classic, or consumer (KIP-848)', 'kafka-ts\'s consumer speaks the classic protocol; only classic is accepted', {
    values: ['classic', 'consumer'],
    caseInsensitive: true,
    refuse: (v) => (v === 'consumer' ? 'group.protocol=consumer (KIP-848) is not supported by kafka-ts\'s consumer; use classic' : null),
  }),
  noEffect('group.remote.assignor', 'string', null, 'the server-side assignor (group.protocol=consumer)', 'only with group.protocol=consumer, which kafka-ts does not speak'),
  noEffect('key.deserializer', 'class', 'org.apache.kafka.common.serialization.ByteArrayDeserializer', 'the key deserializer', DESERIALIZER),
  noEffect('value.deserializer', 'class', 'org.apache.kafka.common.serialization.ByteArrayDeserializer', 'the value deserializer', DESERIALIZER),
  supported('interceptor.classes', 'list', [], 'consumer interceptors (kafka-ts: none)', { refuse: javaClasses('consumer interceptors (interceptor.classes)') }),
]);

/** The fetcher's options from checked consumer properties. */
export function fetcherOptions(c: ConfigValues): FetcherOptions {
  return {
    isolationLevel: c.str('isolation.level') === 'read_committed' ? 1 : 0,
    maxWaitMs: c.num('fetch.max.wait.ms'),
    minBytes: c.num('fetch.min.bytes'),
    maxBytes: c.num('fetch.max.bytes'),
    maxPartitionBytes: c.num('max.partition.fetch.bytes'),
    autoOffsetReset: c.str('auto.offset.reset') as 'earliest' | 'latest' | 'none',
    rackId: c.str('client.rack') ?? '',
    maxPollRecords: c.num('max.poll.records'),
    checkCrcs: c.bool('check.crcs'),
  };
}
