/**
 * DescribeConfigs (32) over many topics: the entry of a config a topic does not override is built
 * once per request and shared by every topic's result (24,000 topics with synonyms and
 * documentation ran the daemon out of heap), without changing any answer; the handler yields to
 * the event loop between resources. Runs the handler against a fake ClusterService.
 */
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../../src/broker/handler.js';
import describeConfigs from '../../../../src/broker/handlers/32-describe-configs.js';
import type { ClusterService, PartitionService } from '../../../../src/broker/services.js';
import { buildBrokerConfig } from '../../../../src/broker/config.js';
import { dynamicValuesFor, resolveTopicConfigs } from '../../../../src/broker/metadata/topic-configs.js';
import { contextWith } from '../../../helpers/handler-context.js';
import { ConfigSource } from '../../../../src/protocol/topic-configs.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../../../src/protocol/apis/index.js';

const TOPIC = 2;
const BROKER = 4;
const overridesOf: Record<string, Record<string, string>> = {
  'plain-a': {},
  tuned: { 'retention.ms': '1000', 'cleanup.policy': 'compact' },
  'plain-b': {},
};
// Dynamic broker configs: a cluster default and one of this broker's own, both topic defaults.
const brokerConfigs = { '': { 'log.retention.ms': '7200000' }, '1': { 'log.cleanup.policy': 'delete,compact' } };
const { config } = buildBrokerConfig('/tmp/describe-configs-shared-unused', { 'log.segment.bytes': '1048576' });

function contextFor(topic: (name: string) => { configs: Record<string, string> } | undefined): RequestContext {
  const cluster = { id: 1, config, metadata: { topic, brokerConfigs } } as unknown as ClusterService;
  return contextWith({ cluster, partitions: { logDir: '/tmp/describe-configs-shared-unused' } as PartitionService }, 4);
}
const fakeTopics = contextFor((name) => (name in overridesOf ? { configs: overridesOf[name]! } : undefined));

type Resource = DescribeConfigsRequest['resources'][number];
const topic = (name: string, configurationKeys: string[] | null = null): Resource => ({ resourceType: TOPIC, resourceName: name, configurationKeys });
async function answer(resources: Resource[], ctx = fakeTopics, includeSynonyms = true, includeDocumentation = true): Promise<DescribeConfigsResponse['results']> {
  const res = await describeConfigs.handle({ resources, includeSynonyms, includeDocumentation }, ctx);
  return res!.results;
}

describe('DescribeConfigs over many topics', () => {
  it('answers each topic with its own resolved configs: overrides, dynamic broker defaults and synonyms', async () => {
    const results = await answer(Object.keys(overridesOf).map((n) => topic(n)));
    for (const r of results) {
      const expected = resolveTopicConfigs(overridesOf[r.resourceName]!, config, dynamicValuesFor(brokerConfigs, 1));
      expect(r.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms])).toEqual(expected.map((e) => [e.name, e.value, e.source, e.synonyms]));
    }
    const entry = (t: string, name: string) => results.find((r) => r.resourceName === t)!.configs.find((c) => c.name === name)!;
    expect(entry('tuned', 'retention.ms')).toMatchObject({ value: '1000', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG, isDefault: false });
    expect(entry('tuned', 'retention.ms').synonyms[0]).toEqual({ name: 'retention.ms', value: '1000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    // The override of one topic is not another's: the topics after it keep the broker's values.
    expect(entry('plain-b', 'retention.ms')).toMatchObject({ value: '7200000', configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    expect(entry('plain-b', 'cleanup.policy')).toMatchObject({ value: 'delete,compact', configSource: ConfigSource.DYNAMIC_BROKER_CONFIG });
    expect(entry('plain-a', 'segment.bytes')).toMatchObject({ value: '1048576', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(entry('plain-a', 'segment.bytes').documentation).toEqual(expect.any(String));
  });

  it('answers a topic among many as it answers it alone, with and without synonyms and documentation', async () => {
    const names = ['plain-a', 'tuned', 'plain-b'];
    for (const [syn, doc] of [[true, true], [true, false], [false, true], [false, false]] as const) {
      const together = await answer([...names.map((n) => topic(n)), { resourceType: BROKER, resourceName: '1', configurationKeys: null }], fakeTopics, syn, doc);
      const alone = [];
      for (const n of names) alone.push(...(await answer([topic(n)], fakeTopics, syn, doc)));
      alone.push(...(await answer([{ resourceType: BROKER, resourceName: '1', configurationKeys: null }], fakeTopics, syn, doc)));
      expect(JSON.stringify(together)).toBe(JSON.stringify(alone));
    }
  });

  it('shares the entries of configs a topic does not override between the topics of one answer', async () => {
    const [a, tuned, b] = await answer(['plain-a', 'tuned', 'plain-b'].map((n) => topic(n)));
    const shared = a!.configs.filter((c, i) => c === b!.configs[i]).map((c) => c.name);
    expect(shared).toEqual(a!.configs.map((c) => c.name));
    const sharedWithTuned = tuned!.configs.filter((c, i) => c === a!.configs[i]).map((c) => c.name);
    expect(sharedWithTuned).toEqual(a!.configs.map((c) => c.name).filter((n) => !(n in overridesOf['tuned']!)));
  });

  it('filters by configurationKeys, a key asked twice answered once and an unknown key ignored', async () => {
    const [r] = await answer([topic('tuned', ['retention.ms', 'no.such.config', 'retention.ms', 'cleanup.policy'])]);
    expect(r!.configs.map((c) => [c.name, c.value])).toEqual([
      ['cleanup.policy', 'compact'],
      ['retention.ms', '1000'],
    ]);
    const [none] = await answer([topic('plain-a', ['no.such.config'])]);
    expect(none!.configs).toEqual([]);
  });

  it('yields to the event loop between resources when answering takes long', async () => {
    // Each topic looked up takes 2 ms of busy work: 30 of them are 60 ms, several turns' worth.
    let turned = false;
    let turnedBeforeLast = false;
    let looked = 0;
    const slow = contextFor((name) => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      if (++looked === 30) turnedBeforeLast = turned;
      return { configs: overridesOf[name] ?? {} };
    });
    setImmediate(() => (turned = true));
    const results = await answer(Array.from({ length: 30 }, (_, i) => topic(`t${i}`)), slow);
    expect(results).toHaveLength(30);
    expect({ looked, turnedBeforeLast }).toEqual({ looked: 30, turnedBeforeLast: true });
  });
});
