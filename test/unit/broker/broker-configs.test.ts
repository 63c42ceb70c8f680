/**
 * Dynamic broker configs: Kafka's validation messages, the precedence per-broker > cluster
 * default > static > default in a broker's and a topic's configs, and the broker-id check.
 */
import { describe, expect, it } from 'vitest';
import { cleanerThreadsProblem, resolveBrokerConfigs, resolveClusterDefaultConfigs, validateBrokerConfigs } from '../../../src/broker/metadata/broker-configs.js';
import { TopicConfigValues, logConfigFor, resolveTopicConfigs, topicConfigValue } from '../../../src/broker/metadata/topic-configs.js';
import { brokerIdProblem } from '../../../src/broker/config-changes.js';
import { buildBrokerConfig } from '../../../src/broker/config.js';
import { ConfigSource } from '../../../src/protocol/topic-configs.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const { config } = buildBrokerConfig('/tmp/unused', { 'message.max.bytes': '2000000' });

describe('cleanerThreadsProblem (LogCleaner.validateReconfiguration)', () => {
  it('refuses fewer than 1 thread, more than double and less than half (integer division) the current value', () => {
    expect(cleanerThreadsProblem(1, 0)).toBe('Invalid dynamic configuration: Log cleaner threads should be at least 1');
    expect(cleanerThreadsProblem(1, 3)).toBe('Invalid dynamic configuration: Log cleaner threads cannot be increased to more than double the current value 1');
    expect(cleanerThreadsProblem(5, 1)).toBe('Invalid dynamic configuration: Log cleaner threads cannot be reduced to less than half the current value 5');
    for (const [current, next] of [[1, 1], [1, 2], [5, 2], [5, 10], [3, 1]]) expect(cleanerThreadsProblem(current!, next!)).toBeNull();
  });
});

describe('validateBrokerConfigs', () => {
  it("accepts Kafka's dynamic configs and refuses the others by name, as a Scala Set", () => {
    expect(validateBrokerConfigs({ 'log.retention.ms': '1000', 'num.io.threads': '4', 'log.cleaner.threads': '2', 'message.max.bytes': '5000' })).toBeNull();
    expect(validateBrokerConfigs({ 'num.partitions': '3', 'log.dirs': '/x', 'message.max.bytes': '1' })).toBe('Cannot update these configs dynamically: Set(num.partitions, log.dirs)');
  });

  it('checks types and ranges with Kafka\'s messages', () => {
    expect(validateBrokerConfigs({ 'message.max.bytes': '1e3' })).toBe('Invalid value 1e3 for configuration message.max.bytes: Not a number of type INT');
    expect(validateBrokerConfigs({ 'log.retention.ms': 'x' })).toBe('Invalid value x for configuration log.retention.ms: Not a number of type LONG');
    expect(validateBrokerConfigs({ 'num.io.threads': '0' })).toBe('Invalid value 0 for configuration num.io.threads: Value must be at least 1');
    expect(validateBrokerConfigs({ 'log.preallocate': 'yes' })).toBe('Invalid value yes for configuration log.preallocate: Expected value to be either true or false');
    expect(validateBrokerConfigs({ 'log.cleanup.policy': 'compact,shred' })).toBe('Invalid value shred for configuration log.cleanup.policy: String must be one of: compact, delete');
  });
});

describe('resolving with dynamic values', () => {
  it("a broker describes its own identity and the precedence per-broker > default > static > Kafka's default", () => {
    const all = resolveBrokerConfigs(config, { id: 3, logDir: '/data-3' }, { 'num.io.threads': '16' }, { 'num.io.threads': '4', 'message.max.bytes': '3000' });
    const get = (n: string) => all.find((e) => e.name === n)!;
    expect([get('broker.id').value, get('node.id').value, get('log.dirs').value]).toEqual(['3', '3', '/data-3']);
    expect(get('num.io.threads')).toMatchObject({ value: '16', source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    expect(get('num.io.threads').synonyms.map((s) => [s.source, s.value])).toEqual([
      [ConfigSource.DYNAMIC_BROKER_CONFIG, '16'],
      [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, '4'],
      [ConfigSource.DEFAULT_CONFIG, '8'],
    ]);
    expect(get('message.max.bytes').synonyms.map((s) => [s.source, s.value])).toEqual([
      [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, '3000'],
      [ConfigSource.STATIC_BROKER_CONFIG, '2000000'],
    ]);
    expect(all.map((e) => e.name)).toEqual([...all.map((e) => e.name)].sort());
    expect(resolveClusterDefaultConfigs({ 'num.io.threads': '4' })).toEqual([
      { name: 'num.io.threads', value: '4', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, type: 3, synonyms: [{ name: 'num.io.threads', value: '4', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }] },
    ]);
  });

  it('a topic without an override takes the dynamic broker value; its own override still wins', () => {
    const dyn = { broker: { 'log.retention.ms': '1000' }, defaults: { 'log.retention.ms': '5000', 'message.max.bytes': '1500' } };
    expect(topicConfigValue({}, config, 'retention.ms', dyn)).toBe('1000');
    expect(topicConfigValue({}, config, 'max.message.bytes', dyn)).toBe('1500');
    expect(topicConfigValue({ 'retention.ms': '7' }, config, 'retention.ms', dyn)).toBe('7');
    expect(logConfigFor({}, config, dyn).retentionMs).toBe(1000);
    const maxBytes = resolveTopicConfigs({}, config, dyn).find((e) => e.name === 'max.message.bytes')!;
    expect(maxBytes.synonyms.map((s) => [s.source, s.name, s.value])).toEqual([
      [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, 'message.max.bytes', '1500'],
      [ConfigSource.STATIC_BROKER_CONFIG, 'message.max.bytes', '2000000'],
      [ConfigSource.DEFAULT_CONFIG, 'message.max.bytes', '1048588'],
    ]);
  });
});

describe('TopicConfigValues (a broker remembers effective topic config values)', () => {
  it('follows replaced topic overrides and dynamic broker values, per broker id', () => {
    const values = new TopicConfigValues(config, 1);
    const overrides: Record<string, string> = {};
    const brokerConfigs: Record<string, Record<string, string>> = {};
    expect(values.value(overrides, brokerConfigs, 'max.message.bytes')).toBe('2000000');
    brokerConfigs[''] = { 'message.max.bytes': '1500' };
    expect(values.value(overrides, brokerConfigs, 'max.message.bytes')).toBe('1500');
    brokerConfigs['2'] = { 'message.max.bytes': '900' };
    expect(values.value(overrides, brokerConfigs, 'max.message.bytes')).toBe('1500');
    brokerConfigs['1'] = { 'message.max.bytes': '1200' };
    expect(values.value(overrides, brokerConfigs, 'max.message.bytes')).toBe('1200');
    expect(values.value({ 'max.message.bytes': '77' }, brokerConfigs, 'max.message.bytes')).toBe('77');
    delete brokerConfigs['1'];
    expect(values.value(overrides, brokerConfigs, 'max.message.bytes')).toBe('1500');
    expect(new TopicConfigValues(config, 2).value(overrides, brokerConfigs, 'max.message.bytes')).toBe('900');
  });
});

describe("settings with several names (log.retention.ms/minutes/hours), as Kafka's ConfigHelper lists their synonyms", () => {
  const syn = (e: { synonyms: { source: number; name: string; value: string }[] }) => e.synonyms.map((s) => `${s.source}:${s.name}=${s.value}`);
  const { DYNAMIC_TOPIC_CONFIG: T, DYNAMIC_BROKER_CONFIG: B, STATIC_BROKER_CONFIG: S, DEFAULT_CONFIG: D } = ConfigSource;

  it('a broker describes each name as set, null when not; only a value of the name itself brings the others along', () => {
    const { config: hours } = buildBrokerConfig('/tmp/unused', { 'log.retention.hours': '24' });
    const get = (all: ReturnType<typeof resolveBrokerConfigs>, n: string) => all.find((e) => e.name === n)!;
    const plain = resolveBrokerConfigs(config, { id: 1, logDir: '/d' }, {}, {});
    expect(get(plain, 'log.retention.ms')).toMatchObject({ value: null, source: D, synonyms: [] });
    expect(get(plain, 'log.retention.minutes')).toMatchObject({ value: null, synonyms: [] });
    expect([get(plain, 'log.retention.hours').value, syn(get(plain, 'log.retention.hours'))]).toEqual(['168', [`${D}:log.retention.hours=168`]]);
    expect([get(plain, 'log.roll.ms').value, get(plain, 'log.roll.hours').value, get(plain, 'log.flush.interval.ms').value]).toEqual([null, '168', null]);
    const set = resolveBrokerConfigs(hours, { id: 1, logDir: '/d' }, { 'log.retention.ms': '1000' }, {});
    expect(get(set, 'log.retention.ms')).toMatchObject({ value: '1000', source: B });
    expect(syn(get(set, 'log.retention.ms'))).toEqual([`${B}:log.retention.ms=1000`, `${S}:log.retention.hours=24`, `${D}:log.retention.hours=168`]);
    expect(syn(get(set, 'log.retention.hours'))).toEqual([`${S}:log.retention.hours=24`, `${D}:log.retention.hours=168`]);
  });

  it('the finest unit wins whatever the order the properties give them in (ms over minutes over hours), as in Kafka', () => {
    const { config: c } = buildBrokerConfig('/tmp/unused', { 'log.retention.ms': '1000', 'log.retention.minutes': '2', 'log.retention.hours': '3', 'log.roll.ms': '5000', 'log.roll.hours': '1' });
    expect([c.logRetentionMs, c.logRollMs]).toEqual([1000, 5000]);
    expect(buildBrokerConfig('/tmp/unused', { 'log.retention.hours': '3', 'log.retention.minutes': '2' }).config.logRetentionMs).toBe(120_000);
    expect(topicConfigValue({}, c, 'retention.ms')).toBe('1000');
  });

  it("a topic's retention.ms and segment.ms list broker synonyms only from a log.retention.ms / log.roll.ms value on", () => {
    const { config: hours } = buildBrokerConfig('/tmp/unused', { 'log.retention.hours': '24' });
    const get = (all: ReturnType<typeof resolveTopicConfigs>, n: string) => all.find((e) => e.name === n)!;
    const plain = resolveTopicConfigs({}, config);
    expect(get(plain, 'retention.ms')).toMatchObject({ value: '604800000', source: D, synonyms: [] });
    expect(get(plain, 'segment.ms')).toMatchObject({ value: '604800000', synonyms: [] });
    // The broker's hours set the value; the synonyms still start at a log.retention.ms value.
    expect(get(resolveTopicConfigs({}, hours), 'retention.ms')).toMatchObject({ value: '86400000', synonyms: [] });
    const dyn = { broker: { 'log.retention.ms': '1000' }, defaults: {} };
    expect(syn(get(resolveTopicConfigs({ 'retention.ms': '7' }, hours, dyn), 'retention.ms'))).toEqual([`${T}:retention.ms=7`, `${B}:log.retention.ms=1000`, `${S}:log.retention.hours=24`, `${D}:log.retention.hours=168`]);
    expect(syn(get(plain, 'segment.bytes'))).toEqual([`${D}:log.segment.bytes=1073741824`]);
  });
});

describe('brokerIdProblem', () => {
  it("answers Kafka's INVALID_REQUEST for another broker's id or a non-integer", () => {
    expect(brokerIdProblem(1, '1')).toBeNull();
    expect(brokerIdProblem(1, '')).toBeNull();
    expect(brokerIdProblem(1, '2')).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Unexpected broker id, expected 1, but received 2' });
    expect(brokerIdProblem(1, 'one')).toEqual({ code: ErrorCode.INVALID_REQUEST, message: 'Node id must be an integer, but it is: one' });
  });
});
