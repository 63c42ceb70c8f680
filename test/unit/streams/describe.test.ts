/** describe(): Kafka's Topology.describe() text for programs from Kafka's documentation, and the BuiltTopology's shape. */
import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Repartitioned, Serdes, Stores, StreamsBuilder, Topology } from '../../../src/streams/index.js';
import { javaHashSetOrder } from '../../../src/streams/topology.js';

describe('describe()', () => {
  it('Pipe (Kafka quickstart)', () => {
    const b = new StreamsBuilder();
    b.stream('streams-plaintext-input').to('streams-pipe-output');
    expect(b.build().describe()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])\n' +
        '      --> KSTREAM-SINK-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000001 (topic: streams-pipe-output)\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n\n',
    );
  });

  it('WordCount (Kafka tutorial): two sub-topologies joined by counts-store-repartition', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('streams-plaintext-input')
      .flatMapValues((v) => v.toLowerCase().split(/\W+/))
      .groupBy((_k, v) => v)
      .count(Materialized.as('counts-store'))
      .toStream()
      .to('streams-wordcount-output', Produced.with(Serdes.String(), Serdes.Long()));
    const t = b.build();
    expect(t.describe()).toBe(
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])
      --> KSTREAM-FLATMAPVALUES-0000000001
    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])
      --> KSTREAM-KEY-SELECT-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])
      --> counts-store-repartition-filter
      <-- KSTREAM-FLATMAPVALUES-0000000001
    Processor: counts-store-repartition-filter (stores: [])
      --> counts-store-repartition-sink
      <-- KSTREAM-KEY-SELECT-0000000002
    Sink: counts-store-repartition-sink (topic: counts-store-repartition)
      <-- counts-store-repartition-filter

  Sub-topology: 1
    Source: counts-store-repartition-source (topics: [counts-store-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])
      --> KTABLE-TOSTREAM-0000000007
      <-- counts-store-repartition-source
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)
      <-- KTABLE-TOSTREAM-0000000007

`,
    );
    const built = t.build();
    expect(built.subtopologies.map((s) => [s.id, s.sourceTopics, s.internalSources, s.stores.map((x) => x.name)])).toEqual([
      [0, ['streams-plaintext-input'], [], []],
      [1, ['counts-store-repartition'], ['counts-store-repartition'], ['counts-store']],
    ]);
    expect(built.internalTopics).toEqual([
      { name: 'counts-store-repartition', kind: 'repartition' },
      { name: 'counts-store-changelog', kind: 'changelog', configs: { 'cleanup.policy': 'compact' } },
    ]);
    expect(built.sinkTopics).toEqual(['streams-wordcount-output']);
  });

  it('generated names: count() without a store name, repartition after selectKey', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('input')
      .selectKey((_k, v) => v)
      .groupByKey()
      .count()
      .toStream()
      .to('output', Produced.with(Serdes.String(), Serdes.Long()));
    expect(b.build().describe()).toBe(
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [input])
      --> KSTREAM-KEY-SELECT-0000000001
    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])
      --> KSTREAM-FILTER-0000000005
      <-- KSTREAM-SOURCE-0000000000
    Processor: KSTREAM-FILTER-0000000005 (stores: [])
      --> KSTREAM-SINK-0000000004
      <-- KSTREAM-KEY-SELECT-0000000001
    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)
      <-- KSTREAM-FILTER-0000000005

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])
      --> KSTREAM-AGGREGATE-0000000003
    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])
      --> KTABLE-TOSTREAM-0000000007
      <-- KSTREAM-SOURCE-0000000006
    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])
      --> KSTREAM-SINK-0000000008
      <-- KSTREAM-AGGREGATE-0000000003
    Sink: KSTREAM-SINK-0000000008 (topic: output)
      <-- KTABLE-TOSTREAM-0000000007

`,
    );
  });

  it('stream-table join and a global table: one sub-topology with the table store, then the global store', () => {
    const b = new StreamsBuilder();
    const table = b.table<string, string>('addresses');
    const global = b.globalTable<string, string>('customers');
    b.stream<string, string>('orders')
      .join(table, (o, a) => `${o} send to ${a}`)
      .join(global, (k) => k, (v, c) => `${v} for ${c}`)
      .to('order_join');
    expect(b.build().describe()).toBe(
      `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000006 (topics: [orders])
      --> KSTREAM-JOIN-0000000007
    Processor: KSTREAM-JOIN-0000000007 (stores: [addresses-STATE-STORE-0000000000])
      --> KSTREAM-JOIN-0000000008
      <-- KSTREAM-SOURCE-0000000006
    Processor: KSTREAM-JOIN-0000000008 (stores: [])
      --> KSTREAM-SINK-0000000009
      <-- KSTREAM-JOIN-0000000007
    Source: KSTREAM-SOURCE-0000000001 (topics: [addresses])
      --> KTABLE-SOURCE-0000000002
    Sink: KSTREAM-SINK-0000000009 (topic: order_join)
      <-- KSTREAM-JOIN-0000000008
    Processor: KTABLE-SOURCE-0000000002 (stores: [addresses-STATE-STORE-0000000000])
      --> none
      <-- KSTREAM-SOURCE-0000000001

  Sub-topology: 1 for global store (will not generate tasks)
    Source: KSTREAM-SOURCE-0000000004 (topics: [customers])
      --> KTABLE-SOURCE-0000000005
    Processor: KTABLE-SOURCE-0000000005 (stores: [customers-STATE-STORE-0000000003])
      --> none
      <-- KSTREAM-SOURCE-0000000004
`,
    );
  });

  it('Processor API with a store, and several topics and stores printed in Java set order', () => {
    const t = new Topology()
      .addSource('Source', 'source-topic', 'another-topic')
      .addProcessor('Process', () => ({ process() {} }), 'Source')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('Counts'), Serdes.String(), Serdes.Long()), 'Process')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('Averages'), Serdes.String(), Serdes.Long()), 'Process')
      .addSink('Sink', 'sink-topic', 'Process');
    const topics = javaHashSetOrder(['source-topic', 'another-topic']).join(', ');
    const stores = javaHashSetOrder(['Counts', 'Averages']).join(', ');
    expect(t.describe()).toBe(
      `Topologies:
   Sub-topology: 0
    Source: Source (topics: [${topics}])
      --> Process
    Processor: Process (stores: [${stores}])
      --> Sink
      <-- Source
    Sink: Sink (topic: sink-topic)
      <-- Process

`,
    );
  });

  it('javaHashSetOrder follows java.util.HashSet iteration', () => {
    // Java: new HashSet<>(List.of("b","a","c")) -> [a, b, c]; String hashCodes 97..99 fall in buckets 1..3
    expect(javaHashSetOrder(['b', 'a', 'c'])).toEqual(['a', 'b', 'c']);
    // "Aa" and "BB" have the same hashCode (2112): insertion order within the bucket
    expect(javaHashSetOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
  });

  it('repartition(numberOfPartitions) makes an internal topic with a fixed count', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.String())).repartition(Repartitioned.numberOfPartitions(4)).to('out');
    const built = b.build().build();
    expect(built.internalTopics).toEqual([{ name: 'KSTREAM-REPARTITION-0000000001-repartition', kind: 'repartition', partitions: 4 }]);
    expect(built.subtopologies.map((s) => s.sourceTopics)).toEqual([['in'], ['KSTREAM-REPARTITION-0000000001-repartition']]);
  });
});
