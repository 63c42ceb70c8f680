import { describe, expect, it } from 'vitest';
import { metricsLines as producerMetrics } from '../../../src/tools/producer-perf.js';
import { metricsLines as consumerMetrics } from '../../../src/tools/consumer-perf.js';
import { metricsTable } from '../../../src/tools/perf-metrics.js';

// Kafka's ToolsUtils.printMetrics: "group:name:{tags}" sorted as a Java TreeMap sorts strings,
// padded to the longest, " : " and %.3f.
describe('--print-metrics tables', () => {
  it('sorts by the whole name in UTF-16 order (not the locale), with Kafka\'s header and padding', () => {
    const lines = metricsTable([
      { group: 'g', name: 'b-x', tags: [['client-id', 'c']], value: 1 },
      { group: 'g', name: 'a:y', tags: [['client-id', 'c']], value: 2.5 },
      { group: 'g', name: 'a-y', tags: [['client-id', 'c'], ['topic', 't']], value: 1 / 3 },
    ]);
    expect(lines).toEqual([
      '',
      'Metric Name                    Value',
      'g:a-y:{client-id=c, topic=t} : 0.333',
      'g:a:y:{client-id=c}          : 2.500',
      'g:b-x:{client-id=c}          : 1.000',
    ]);
  });

  it('consumer-perf-test: what the run measured, sorted by name (it printed two hard-coded rows out of order)', () => {
    // ',' sorts before '}': the topic's row comes before the client's, as in Kafka.
    expect(consumerMetrics({ topic: 'cp', messages: 100, rebalanceMs: 42 }, 'perf-consumer-client')).toEqual([
      '',
      'Metric Name                                                                                        Value',
      'consumer-coordinator-metrics:rebalance-latency-total:{client-id=perf-consumer-client}            : 42.000',
      'consumer-fetch-manager-metrics:records-consumed-total:{client-id=perf-consumer-client, topic=cp} : 100.000',
      'consumer-fetch-manager-metrics:records-consumed-total:{client-id=perf-consumer-client}           : 100.000',
    ]);
  });

  it('producer-perf-test: the client and topic figures it measured, none it does not (request latency, network bytes, the windowed record-send-rate: it printed the run\'s average under that name)', () => {
    const lines = producerMetrics({ topic: 'pp', records: 30, failed: 0 }, 'perf-producer-client');
    const names = lines.slice(2).map((l) => l.split(' : ')[0]!.trimEnd());
    expect(names).toEqual([
      'producer-metrics:record-error-total:{client-id=perf-producer-client}',
      'producer-metrics:record-send-total:{client-id=perf-producer-client}',
      'producer-topic-metrics:record-error-total:{client-id=perf-producer-client, topic=pp}',
      'producer-topic-metrics:record-send-total:{client-id=perf-producer-client, topic=pp}',
    ]);
    expect(lines[3]).toMatch(/^producer-metrics:record-send-total:\{client-id=perf-producer-client\} +: 30\.000$/);
  });
});
