/**
 * The parsing and layouts of get-offsets, delete-records and broker-api-versions, in process:
 * Kafka's rule grammar and --time values, the offset JSON file's checks, the usable-version notes
 * against this client's own version table, and Kafka's exception names.
 */
import { describe, expect, it } from 'vitest';
import { getOffsets, offsetsView, parseTime, parseTopicPartitions, topicAndPartitions } from '../../../src/tools/get-offsets.js';
import type { Admin } from '../../../src/client/admin.js';
import { parseOffsetJson, parseTriples } from '../../../src/tools/delete-records.js';
import { compareVersions, entryText } from '../../../src/tools/broker-api-versions.js';
import { exceptionClass } from '../../../src/tools/kafka-exceptions.js';
import { CLIENT_VERSIONS } from '../../../src/client/versions.js';

const matches = (f: ReturnType<typeof parseTopicPartitions>, topic: string, upTo = 12) => Array.from({ length: upTo }, (_, p) => p).filter((p) => f.partition(topic, p));

describe('get-offsets', () => {
  it("reads --time as Kafka: names, the special values, timestamps; anything else is Kafka's message", () => {
    expect(['latest', 'earliest', 'max-timestamp', 'earliest-local', 'latest-tiered'].map(parseTime)).toEqual([-1, -2, -3, -4, -5]);
    expect(parseTime(undefined)).toBe(-1);
    expect(parseTime('-2')).toBe(-2);
    expect(parseTime('1700000000000')).toBe(1700000000000);
    for (const bad of ['abc', '1.5', '', '12h', '99999999999999999999']) expect(() => parseTime(bad)).toThrow(/^Malformed time argument .*\. Please use -1 or latest \/ -2 or earliest/);
  });

  it('reads --topic-partitions rules: N, N-M (M excluded), N-, -M, any topic, several rules', () => {
    expect(matches(parseTopicPartitions('t:3'), 't')).toEqual([3]);
    expect(matches(parseTopicPartitions('t:2-5'), 't')).toEqual([2, 3, 4]);
    expect(matches(parseTopicPartitions('t:9-'), 't')).toEqual([9, 10, 11]);
    expect(matches(parseTopicPartitions('t:-2'), 't')).toEqual([0, 1]);
    expect(matches(parseTopicPartitions('t'), 't')).toHaveLength(12);
    expect(matches(parseTopicPartitions('t:'), 't')).toHaveLength(12);
    const f = parseTopicPartitions('a.*:0,:5,b');
    expect([f.topic('abc'), f.topic('zzz'), matches(f, 'abc'), matches(f, 'zzz'), matches(f, 'b')]).toEqual([true, true, [0, 5], [5], Array.from({ length: 12 }, (_, i) => i)]);
    // The topic part is a regex matching the whole name.
    expect(parseTopicPartitions('or.ers').topic('orders')).toBe(true);
    expect(parseTopicPartitions('order').topic('orders')).toBe(false);
    for (const bad of ['t:x', 't:1-2-3', 't:1:2']) expect(() => parseTopicPartitions(bad)).toThrow(`Invalid rule specification: ${bad}`);
  });

  it('reads --topic and --partitions', () => {
    const f = topicAndPartitions('a,b', '0,2');
    expect([f.topic('a'), f.topic('b'), f.topic('ab'), f.partition('a', 2), f.partition('a', 1)]).toEqual([true, true, false, true, false]);
    expect(topicAndPartitions(undefined, undefined).partition('x', 7)).toBe(true);
    expect(() => topicAndPartitions('t', '1,a')).toThrow('--partitions expects a comma separated list of numeric partition ids, but received: 1,a');
  });

  it('knows which topics the patterns name outright (asked for by name, so that a denial is told from a missing topic)', () => {
    expect(topicAndPartitions('orders, logs.*,a.b', undefined).names).toEqual(['orders', 'a.b']);
    expect(topicAndPartitions(undefined, undefined).names).toEqual([]);
    expect(parseTopicPartitions('orders:0,x+:1,:5,orders:2').names).toEqual(['orders']);
  });

  it('a named topic the principal may not describe, beside ones it may: the others printed, a line on stderr, exit Denied', () => {
    const v = offsetsView({ time: -1, offsets: [{ topic: 'public', partition: 0, offset: 3, timestamp: null }], noOffset: [], errors: [], denied: ['orders'] });
    expect(v.text()).toEqual(['public:0:3']);
    expect(v.warnings()).toEqual(['not authorized to access topics: [orders] (TOPIC_AUTHORIZATION_FAILED): left out']);
    expect(v.exit).toBe('Denied');
    // Whom the client connected as, when known, as the error line of a denial names it.
    const as = offsetsView({ time: -1, offsets: [], noOffset: [], errors: [], denied: ['orders', 'audit'] }, 'User:alice');
    expect(as.warnings()).toEqual(['User:alice is not authorized to access topics: [orders, audit] (TOPIC_AUTHORIZATION_FAILED): left out']);
  });
});

describe('getOffsets, topics named outright', () => {
  // An Admin that lists and describes `axb` (one partition) and fails the test if a topic is asked for by name.
  const admin = {
    listTopics: async () => [{ name: 'axb', internal: false }],
    describeTopics: async (names: string[]) => names.map((name) => ({ name, partitions: [{ partition: 0 }] })),
    metadata: async (names: string[]) => {
      throw new Error(`asked for by name: ${names.join(', ')}`);
    },
    listOffsets: async (wanted: { topic: string; partition: number }[]) => wanted.map((w) => ({ ...w, offset: 7, timestamp: -1, error: null })),
  } as unknown as Admin;

  it("an alternative that matched a listed topic is a pattern too (`a.b` matches axb): not asked for by name, never a false denial", async () => {
    const r = await getOffsets(admin, topicAndPartitions('a.b', undefined), -1, false);
    expect({ offsets: r.offsets.map((o) => `${o.topic}:${o.partition}:${o.offset}`), denied: r.denied }).toEqual({ offsets: ['axb:0:7'], denied: [] });
  });
});

describe('delete-records', () => {
  it("reads Kafka's offset JSON file, refusing what Kafka refuses", () => {
    expect(parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":10},{"topic":"t","partition":1,"offset":-1}],"version":1}')).toEqual([
      { topic: 't', partition: 0, offset: 10 },
      { topic: 't', partition: 1, offset: -1 },
    ]);
    expect(parseOffsetJson('{"partitions":[]}')).toEqual([]);
    const refusals: [string, string][] = [
      ['nope', 'The input string is not a valid JSON'],
      ['{}', 'Missing partitions field'],
      ['{"partitions":[],"version":3}', 'Not supported version field value 3'],
      ['{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}', 'Offset json file contains duplicate topic partitions: t-0'],
      ['{"partitions":[{"topic":"t","partition":0,"offset":-3}]}', 'Invalid offset -3 for t-0'],
      ['{"partitions":[{"topic":"t","partition":0}]}', 'offset field'],
      ['{"partitions":[{"partition":0,"offset":1}]}', 'Missing topic field'],
    ];
    for (const [text, message] of refusals) expect(() => parseOffsetJson(text), text).toThrow(message);
  });

  it('reads topic:partition:offset arguments (topic names may hold colons)', () => {
    expect(parseTriples(['a:b:1:5', 'c:0:-1'])).toEqual([
      { topic: 'a:b', partition: 1, offset: 5 },
      { topic: 'c', partition: 0, offset: -1 },
    ]);
    expect(() => parseTriples(['c:0'])).toThrow('expected topic:partition:offset');
    // Numbers beyond a partition's int or an exactly held offset are refused as typed, not rounded.
    expect(() => parseTriples(['c:99999999999:3'])).toThrow('Invalid partition 99999999999 for topic c');
    expect(() => parseTriples(['c:0:9223372036854775808'])).toThrow('Invalid offset 9223372036854775808 for c-0');
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":9223372036854775807}]}')).toThrow('Invalid offset 9223372036854776000 for t-0: expected -1 (the high watermark) or an offset from 0 to 9007199254740991');
  });

  it("names Kafka's exception classes", () => {
    expect(['OFFSET_OUT_OF_RANGE', 'UNKNOWN_TOPIC_OR_PARTITION', 'POLICY_VIOLATION', 'TOPIC_AUTHORIZATION_FAILED', 'KAFKA_STORAGE_ERROR', 'NOT_LEADER_OR_FOLLOWER'].map(exceptionClass)).toEqual([
      'org.apache.kafka.common.errors.OffsetOutOfRangeException',
      'org.apache.kafka.common.errors.UnknownTopicOrPartitionException',
      'org.apache.kafka.common.errors.PolicyViolationException',
      'org.apache.kafka.common.errors.TopicAuthorizationException',
      'org.apache.kafka.common.errors.KafkaStorageException',
      'org.apache.kafka.common.errors.NotLeaderOrFollowerException',
    ]);
  });
});

describe('broker-api-versions', () => {
  it("notes each range as Kafka does, relative to this client's versions", () => {
    const [pMin, pMax] = CLIENT_VERSIONS[0]!;
    const entries = compareVersions([
      { apiKey: 0, minVersion: 0, maxVersion: pMax + 3 }, // newer broker: usable at our max
      { apiKey: 1, minVersion: 0, maxVersion: 20 },
      { apiKey: 3, minVersion: 0, maxVersion: 0 }, // older than our minimum
      { apiKey: 9, minVersion: 50, maxVersion: 60 }, // newer than our maximum
      { apiKey: 4, minVersion: 0, maxVersion: 7 }, // an API this client never sends (broker to broker)
      { apiKey: 17, minVersion: 0, maxVersion: 1 }, // SASL: sent on SASL connections, v1 only
      { apiKey: 36, minVersion: 0, maxVersion: 0 },
      { apiKey: 999, minVersion: 0, maxVersion: 1 }, // a key without a name
    ]);
    const text = entries.map(entryText);
    expect(text).toContain(`Produce(0): 0 to ${pMax + 3} [usable: ${pMax}]`);
    expect(text).toContain('Metadata(3): 0 [unusable: node too old]');
    expect(text).toContain('OffsetFetch(9): 50 to 60 [unusable: node too new]');
    expect(text).toContain('LeaderAndIsr(4): 0 to 7');
    expect(text).toContain('SaslHandshake(17): 0 to 1 [usable: 1]');
    expect(text).toContain('SaslAuthenticate(36): 0 [usable: 0]');
    expect(entryText(compareVersions([{ apiKey: 17, minVersion: 0, maxVersion: 0 }]).find((e) => e.apiKey === 17)!)).toBe('SaslHandshake(17): 0 [unusable: node too old]');
    expect(text).toContain('UNKNOWN(999): 0 to 1');
    // APIs this client uses that the broker lacks.
    expect(text).toContain('ListOffsets(2): UNSUPPORTED');
    expect(text).toContain('DescribeTopicPartitions(75): UNSUPPORTED');
    expect(entries.map((e) => e.apiKey)).toEqual([...entries.map((e) => e.apiKey)].sort((a, b) => a - b));
    expect(pMin).toBeLessThanOrEqual(pMax);
  });
});
