/** Serdes (Kafka's byte formats), typed stores over bytes, and the Processor API's checks. */
import { describe, expect, it } from 'vitest';
import {
  InMemoryBytesStore,
  KeyValue,
  SerializationError,
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  TopologyTestDriver,
  type KeyValueStore,
  type ProcessorContext,
  type Record,
  type WindowStore,
} from '../../../src/streams/index.js';
import { isKafkaTsError } from '../../../src/util/errors.js';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('serdes', () => {
  it('use Kafka\'s big-endian layouts', () => {
    expect(hex(Serdes.Integer().serialize('t', 1))).toBe('00000001');
    expect(hex(Serdes.Integer().serialize('t', -2))).toBe('fffffffe');
    expect(hex(Serdes.Long().serialize('t', 258))).toBe('0000000000000102');
    expect(hex(Serdes.Short().serialize('t', 1))).toBe('0001');
    expect(hex(Serdes.Double().serialize('t', 1.5))).toBe('3ff8000000000000');
    expect(hex(Serdes.Float().serialize('t', 1.5))).toBe('3fc00000');
    expect(Serdes.BigLong().deserialize('t', Uint8Array.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(2n ** 63n - 1n);
    for (const n of [-5, 0, 2 ** 40 + 3, -(2 ** 40) - 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(Serdes.Long().deserialize('t', Serdes.Long().serialize('t', n))).toBe(n);
      expect(Serdes.Long().serialize('t', n)).toEqual(Serdes.BigLong().serialize('t', BigInt(n)));
    }
    expect(Serdes.String().deserialize('t', Serdes.String().serialize('t', 'héllo'))).toBe('héllo');
    expect(Serdes.JSON().deserialize('t', Serdes.JSON().serialize('t', { a: [1, 'x'] }))).toEqual({ a: [1, 'x'] });
    for (const s of [Serdes.String(), Serdes.Integer(), Serdes.Long(), Serdes.JSON(), Serdes.Void(), Serdes.ByteArray()]) {
      expect(s.serialize('t', null)).toBeNull();
      expect(s.deserialize('t', null)).toBeNull();
    }
  });

  it('fail with a SerializationError (kind failed) on bad input', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => Serdes.Integer().deserialize('t', Uint8Array.of(1)), /Size of data received by IntegerDeserializer is not 4/],
      [() => Serdes.Long().deserialize('t', Uint8Array.of(1, 2, 3, 4)), /Size of data received by LongDeserializer is not 8/],
      [() => Serdes.Double().deserialize('t', Uint8Array.of(1)), /DoubleDeserializer is not 8/],
      [() => Serdes.JSON().deserialize('t', Buffer.from('{nope')), /JSON deserializer/],
      [() => Serdes.Void().deserialize('t', Uint8Array.of(0)), /Data should be null for a VoidDeserializer/],
      [() => Serdes.String().serialize('t', 5 as unknown as string), /StringSerializer for topic t was given a number/],
    ];
    for (const [f, re] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SerializationError);
      expect(isKafkaTsError(err) && err.kind).toBe('failed');
      expect((err as Error).message).toMatch(re);
    }
  });
});

describe('typed stores', () => {
  it('KeyValueStore: get/put/putIfAbsent/delete/range/all/approximateNumEntries in serialized-key order', () => {
    const s: KeyValueStore<string, number> = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.Long()).build(new InMemoryBytesStore('kv'));
    s.put('b', 2);
    s.put('a', 1);
    s.putAll([KeyValue.pair('d', 4), KeyValue.pair('c', 3)]);
    expect(s.putIfAbsent('a', 100)).toBe(1);
    expect(s.putIfAbsent('e', 5)).toBeNull();
    expect(s.delete('d')).toBe(4);
    expect(s.delete('zz')).toBeNull();
    expect(s.get('a')).toBe(1);
    expect(s.get('d')).toBeNull();
    expect([...s.range('b', 'd')].map((kv) => [kv.key, kv.value])).toEqual([['b', 2], ['c', 3]]);
    expect([...s.all()].map((kv) => kv.key)).toEqual(['a', 'b', 'c', 'e']);
    expect(s.approximateNumEntries()).toBe(4);
    s.put('a', null);
    expect(s.get('a')).toBeNull();
  });

  it('WindowStore: Kafka\'s key + 8-byte start layout, range per key, retention', () => {
    const bytes = new InMemoryBytesStore('w');
    const w: WindowStore<string, number> = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10, false), Serdes.String(), Serdes.Long()).build(bytes);
    w.put('a', 1, 0);
    w.put('a', 2, 10);
    w.put('ab', 9, 10); // a longer key sharing the prefix: not one of a's windows
    w.put('b', 3, 10);
    expect([...bytes.range()].map(([k]) => hex(k))).toEqual(['610000000000000000', '61000000000000000a', '6162000000000000000a', '62000000000000000a']);
    expect([...w.fetchRange('a', 0, 50)].map((kv) => [kv.key, kv.value])).toEqual([[0, 1], [10, 2]]);
    expect(w.fetch('a', 10)).toBe(2);
    w.put('b', 4, 150); // observed time moves to 150: windows starting at or before 50 expire
    expect(w.fetch('a', 10)).toBeNull();
    expect([...w.all()].map((kv) => `${kv.key.key}@${kv.key.window.start}-${kv.key.window.end}=${kv.value}`)).toEqual(['b@150-160=4']);
  });
});

describe('Processor API', () => {
  it('a processor with a connected store counts per key and forwards to a named child', () => {
    const t = new Topology()
      .addSource('src', 'words')
      .addProcessor('count', () => {
        let ctx: ProcessorContext<string, string>;
        let store: KeyValueStore<string, number>;
        return {
          init(c: ProcessorContext<string, string>) {
            ctx = c;
            store = c.getStateStore('counts');
          },
          process(r: Record<string, string>) {
            const n = (store.get(r.value) ?? 0) + 1;
            store.put(r.value, n);
            ctx.forward(r.withKey(r.value).withValue(String(n)), n > 1 ? 'repeats' : 'firsts');
          },
        };
      }, 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), Serdes.String(), Serdes.Long()), 'count')
      .addSink('firsts', 'first-seen', 'count')
      .addSink('repeats', 'seen-again', 'count');
    const built = t.build();
    expect(built.subtopologies[0]!.stores).toEqual([{ name: 'counts', logged: true, persistent: true, changelogConfigs: { 'cleanup.policy': 'compact' } }]);
    expect(built.internalTopics).toEqual([{ name: 'counts-changelog', kind: 'changelog', configs: { 'cleanup.policy': 'compact' } }]);
    const d = new TopologyTestDriver(t, { applicationId: 'wc' });
    const input = d.createInputTopic<string, string>('words');
    for (const w of ['a', 'b', 'a', 'a']) input.pipeInput(null, w, 0);
    expect(d.createOutputTopic('first-seen').readKeyValuesToList().map((kv) => kv.key)).toEqual(['a', 'b']);
    expect(d.createOutputTopic('seen-again').readValuesToList()).toEqual(['2', '3']);
    expect(d.getKeyValueStore<string, number>('counts').get('a')).toBe(3);
  });

  it('withLoggingDisabled: no changelog topic', () => {
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor('p', () => ({ process() {} }), 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), Serdes.String(), Serdes.String()).withLoggingDisabled(), 'p');
    const built = t.build();
    expect(built.subtopologies[0]!.stores).toMatchObject([{ name: 's', logged: false, persistent: false }]);
    expect(built.internalTopics).toEqual([]);
  });

  it('rejects invalid topologies with TopologyException (usage)', () => {
    const cases: [() => unknown, string][] = [
      [() => new Topology().addSource('s', 'a').addSource('s', 'b'), 'Invalid topology: Processor s is already added.'],
      [() => new Topology().addSource('s', 'a').addSource('s2', 'a'), 'Invalid topology: Topic a has already been registered by another source.'],
      [() => new Topology().addProcessor('p', () => ({ process() {} }), 'nope'), 'Invalid topology: Parent processor nope is not added yet for p.'],
      [() => new Topology().addSource('s', 'a').addSink('k', 'out', 's').addProcessor('p', () => ({ process() {} }), 'k'), 'Invalid topology: Sink k cannot be used a parent.'],
      [() => new Topology().addSource('s', 'a').connectProcessorAndStateStores('s', 'x'), 'Invalid topology: cannot connect a store to source s: only processors have stores'],
      [() => new Topology().build(), 'Invalid topology: Topology has no stream threads and no global threads, must subscribe to at least one source topic or global table.'],
    ];
    for (const [f, msg] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isKafkaTsError(err) && err.kind).toBe('usage');
      expect((err as Error).message).toBe(msg);
    }
  });

  it('a processor reaching a store it is not connected to, or failing, stops with the task and record named', () => {
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor('p', () => {
        let ctx: ProcessorContext;
        return {
          init: (c: ProcessorContext) => void (ctx = c),
          process: (r: Record<string, string>) => {
            if (r.value === 'store') ctx.getStateStore('other');
            throw new Error('boom');
          },
        };
      }, 'src')
      .addProcessor('q', () => ({ process() {} }), 'src')
      .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), Serdes.String(), Serdes.String()), 'q');
    const d = new TopologyTestDriver(t);
    const input = d.createInputTopic<string, string>('in');
    expect(() => input.pipeInput('k', 'store', 0)).toThrow('Processor p has no access to StateStore other as the store is not connected to the processor.');
    expect(() => input.pipeInput('k', 'x', 0)).toThrow('Exception caught in process. taskId=0_0, processor=p, topic=in, partition=0, offset=1: boom');
  });
});

describe('global stores and more DSL', () => {
  it('addGlobalStore: every task reads the store without connecting it; its topic feeds it', () => {
    const t = new Topology()
      .addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), Serdes.String(), Serdes.Double()).withLoggingDisabled(),
        'rates-source',
        Serdes.String(),
        Serdes.Double(),
        'rates',
        'rates-updater',
        () => {
          let store: KeyValueStore<string, number>;
          return {
            init: (c: ProcessorContext) => void (store = c.getStateStore('rates')),
            process: (r: Record<string, number>) => store.put(r.key, r.value),
          };
        },
      )
      .addSource({ name: 'src', valueDeserializer: Serdes.Double() }, 'amounts')
      .addProcessor('convert', () => {
        let ctx: ProcessorContext<string, string>;
        let rates: KeyValueStore<string, number>;
        return {
          init(c: ProcessorContext<string, string>) {
            ctx = c;
            rates = c.getStateStore('rates');
          },
          process(r: Record<string, number>) {
            ctx.forward(r.withValue(String(r.value * (rates.get(r.key) ?? NaN))));
          },
        };
      }, 'src')
      .addSink('out', 'converted', 'convert');
    const built = t.build();
    expect(built.globalStores).toEqual([{ topic: 'rates', store: { name: 'rates', logged: false, persistent: false, changelogConfigs: { 'cleanup.policy': 'compact' } } }]);
    expect(built.subtopologies.map((s) => s.id)).toEqual([1]);
    expect(t.describe()).toContain('Sub-topology: 0 for global store (will not generate tasks)\n    Source: rates-source (topics: [rates])\n      --> rates-updater\n');
    const d = new TopologyTestDriver(t);
    d.createInputTopic('rates', Serdes.String(), Serdes.Double()).pipeInput('EUR', 2, 0);
    d.createInputTopic('amounts', Serdes.String(), Serdes.Double()).pipeInput('EUR', 10.5, 0);
    expect(d.createOutputTopic('converted').readValuesToList()).toEqual(['21']);
  });

  it('toTable and through', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').through('mid').toTable().filter((_k, v) => v !== 'x').toStream().to('out');
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic<string, string>('in');
    input.pipeInput('a', '1', 0);
    input.pipeInput('a', 'x', 1);
    expect(d.createOutputTopic('mid').readValuesToList()).toEqual(['1', 'x']);
    expect(d.createOutputTopic('out').readKeyValuesToList()).toEqual([{ key: 'a', value: '1' }, { key: 'a', value: null }]);
  });
});
