/** DSL operators through the TopologyTestDriver: windowed counts against a reference, repartitioning, joins, branches, tables. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Branched,
  BufferConfig,
  Suppressed,
  Consumed,
  Grouped,
  JoinWindows,
  KeyValue,
  Materialized,
  Named,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  Topology,
  TopologyTestDriver,
  type KStream,
} from '../../../src/streams/index.js';

const drivers: TopologyTestDriver[] = [];
afterEach(() => drivers.splice(0).forEach((d) => d.close()));
const drive = (t: Topology, cfg = {}) => {
  const d = new TopologyTestDriver(t, cfg);
  drivers.push(d);
  return d;
};

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The reference: a record at t belongs to every window [s, s+size) with s a multiple of advance
 * and s <= t < s+size; it counts unless stream time (the largest timestamp seen so far, this record
 * included) has passed the window's end plus grace.
 */
function referenceCounts(records: { key: string; ts: number }[], size: number, advance: number, grace: number): Map<string, number> {
  const counts = new Map<string, number>();
  let streamTime = -1;
  for (const r of records) {
    streamTime = Math.max(streamTime, r.ts);
    for (let s = 0; s <= r.ts; s += advance) {
      if (r.ts >= s + size) continue;
      if (s + size + grace <= streamTime) continue; // window closed: the record is late
      const k = `${r.key}@${s}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return counts;
}

function windowedCount(windows: TimeWindows) {
  const b = new StreamsBuilder();
  b.stream<string, string>('clicks')
    .groupByKey()
    .windowedBy(windows)
    .count()
    .toStream()
    .map((wk, n) => KeyValue.pair(`${wk.key}@${wk.window.start}`, n))
    .to('clicks_per_window', Produced.with(Serdes.String(), Serdes.Long()));
  return b.build();
}

describe('windowed count', () => {
  const cases: [string, number, number, number][] = [
    ['tumbling, no grace', 60_000, 60_000, 0],
    ['tumbling, 10s grace', 60_000, 60_000, 10_000],
    ['hopping 60s/20s, 15s grace', 60_000, 20_000, 15_000],
  ];
  for (const [title, size, advance, grace] of cases) {
    it(`${title}: agrees with the reference, out-of-order records within grace counted, late ones dropped`, () => {
      const r = rnd(size + advance + grace);
      const records: { key: string; ts: number }[] = [];
      let t = 1_000_000;
      for (let i = 0; i < 600; i++) {
        t += Math.floor(r() * 3000);
        // a quarter arrive out of order: up to 25s behind (some within grace, some beyond)
        const ts = r() < 0.25 ? Math.max(0, t - Math.floor(r() * 25_000)) : t;
        records.push({ key: `user${Math.floor(r() * 4)}`, ts });
      }
      const windows = grace === 0 ? TimeWindows.ofSizeWithNoGrace(size) : TimeWindows.ofSizeAndGrace(size, grace);
      const d = drive(windowedCount(advance === size ? windows : windows.advanceBy(advance)));
      const input = d.createInputTopic<string, string>('clicks');
      for (const rec of records) input.pipeInput(rec.key, 'click', rec.ts);
      const got = d.createOutputTopic('clicks_per_window', Serdes.String(), Serdes.Long()).readKeyValuesToMap();
      const want = referenceCounts(records, size, advance, grace);
      expect(new Map([...got].sort())).toEqual(new Map([...want].sort()));
      const dropped = d.logs.filter((l) => l.message.startsWith('Skipping record for expired window'));
      // the data set does contain late records (beyond grace) and out-of-order ones within it
      expect(dropped.length).toBeGreaterThan(0);
    });
  }

  it('a small tumbling example by hand: out-of-order within grace counted, late dropped, timestamps are the max', () => {
    const d = drive(windowedCount(TimeWindows.ofSizeAndGrace(10, 5)));
    const input = d.createInputTopic<string, string>('clicks');
    input.pipeInput('a', 'x', 1); // [0,10)
    input.pipeInput('a', 'x', 12); // [10,20)
    input.pipeInput('a', 'x', 8); // out of order; [0,10) closes at stream time 15: counted
    input.pipeInput('a', 'x', 16); // stream time 16
    input.pipeInput('a', 'x', 3); // [0,10) closed (10 + 5 <= 16): dropped
    const out = d.createOutputTopic('clicks_per_window', Serdes.String(), Serdes.Long()).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a@0', 1, 1],
      ['a@10', 1, 12],
      ['a@0', 2, 8],
      ['a@10', 2, 16],
    ]);
    expect(d.logs.map((l) => l.message)).toEqual([expect.stringContaining('Skipping record for expired window (1 so far). topic=[clicks] partition=[0] offset=[4] timestamp=[3] window=[0,10)')]);
  });
});

describe('suppress(untilWindowCloses)', () => {
  it('emits each window once, with its final count, when it closes', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('clicks')
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .map((wk, n) => KeyValue.pair(`${wk.key}@${wk.window.start}`, n))
      .to('final', Produced.with(Serdes.String(), Serdes.Long()));
    const t = b.build();
    expect(t.describe()).toContain('Processor: KTABLE-SUPPRESS-0000000003 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000004])');
    const d = drive(t);
    const input = d.createInputTopic<string, string>('clicks');
    const out = d.createOutputTopic('final', Serdes.String(), Serdes.Long());
    for (const ts of [1, 12, 8]) input.pipeInput('a', 'x', ts);
    expect(out.isEmpty()).toBe(true);
    input.pipeInput('b', 'x', 16); // stream time 16: [0,10) closed (10 + 5 <= 16)
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['a@0', 2, 8]]);
    input.pipeInput('a', 'x', 3); // late: dropped by the aggregation
    input.pipeInput('a', 'x', 30);
    expect(out.readKeyValuesToMap()).toEqual(new Map([['a@10', 1], ['b@10', 1]]));
  });

  it('windowed tables carry Kafka\'s time-windowed key serde (key bytes + 8-byte window start)', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('clicks').groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count().toStream().to('raw', Produced.with(undefined, Serdes.Long()));
    const d = drive(b.build());
    d.createInputTopic<string, string>('clicks').pipeInput('u', 'x', 61_000);
    const rec = d.createOutputTopic('raw', Serdes.ByteArray(), Serdes.Long()).readRecord();
    expect(Buffer.from(rec.key!).toString('hex')).toBe(Buffer.from('u').toString('hex') + '000000000000ea60');
    expect(rec.value).toBe(1);
  });
});

describe('repartitioning', () => {
  it('selectKey then count: records go through <store>-repartition and a second sub-topology', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('purchases')
      .selectKey((_k, v) => v.split(',')[0]!)
      .groupByKey()
      .count(Materialized.as('per-customer'))
      .toStream()
      .to('counts', Produced.with(Serdes.String(), Serdes.Long()));
    const t = b.build();
    const d = drive(t, { applicationId: 'shop' });
    const input = d.createInputTopic<string, string>('purchases');
    input.pipeInput(null, 'alice,book', 1);
    input.pipeInput(null, 'bob,pen', 2);
    input.pipeInput(null, 'alice,lamp', 3);
    expect(d.createOutputTopic('counts', Serdes.String(), Serdes.Long()).readKeyValuesToList()).toEqual([
      { key: 'alice', value: 1 },
      { key: 'bob', value: 1 },
      { key: 'alice', value: 2 },
    ]);
    // what went through the repartition topic (prefixed with the application id), keyed by customer
    expect(d.createOutputTopic('shop-per-customer-repartition').readKeyValuesToList().map((kv) => kv.key)).toEqual(['alice', 'bob', 'alice']);
    expect(d.getKeyValueStore<string, number>('per-customer').get('alice')).toBe(2);
    expect([...d.getKeyValueStore<string, number>('per-customer').all()].map((kv) => [kv.key, kv.value])).toEqual([['alice', 2], ['bob', 1]]);
    expect(d.getTimestampedKeyValueStore<string, number>('per-customer').get('alice')).toEqual({ value: 2, timestamp: 3 });
    const built = t.build();
    expect(built.subtopologies.map((s) => s.sourceTopics)).toEqual([['purchases'], ['per-customer-repartition']]);
  });

  it('groupBy with a Grouped name names the repartition topic; null keys are filtered before it', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in')
      .groupBy((_k, v) => (v === 'none' ? (null as unknown as string) : v), Grouped.as('by-value'))
      .count()
      .toStream()
      .to('out', Produced.with(Serdes.String(), Serdes.Long()));
    const d = drive(b.build(), { applicationId: 'app' });
    const input = d.createInputTopic<string, string>('in');
    for (const v of ['x', 'none', 'y', 'x']) input.pipeInput('k', v, 0);
    expect(d.createOutputTopic('app-by-value-repartition').readValuesToList()).toEqual(['x', 'y', 'x']);
    expect(d.createOutputTopic('out', Serdes.String(), Serdes.Long()).readKeyValuesToMap()).toEqual(new Map([['x', 2], ['y', 1]]));
  });

  it('a key change before a stream-table join repartitions the stream, and the copartition group names the repartition topic', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users');
    b.stream<string, string>('events')
      .selectKey((_k, v) => v.split(':')[0]!)
      .join(users, (v, name) => `${v} by ${name}`)
      .to('enriched');
    const t = b.build();
    const built = t.build();
    expect(built.internalTopics.filter((x) => x.kind === 'repartition').map((x) => x.name)).toEqual(['KSTREAM-KEY-SELECT-0000000004-repartition']);
    expect(built.copartitionGroups).toEqual([['KSTREAM-KEY-SELECT-0000000004-repartition', 'users']]);
    const d = drive(t);
    d.createInputTopic<string, string>('users').pipeInput('u1', 'Ann', 0);
    d.createInputTopic<string, string>('events').pipeInput('e1', 'u1:login', 1);
    expect(d.createOutputTopic('enriched').readKeyValuesToList()).toEqual([{ key: 'u1', value: 'u1:login by Ann' }]);
  });
});

describe('other operators', () => {
  it('map, flatMap, flatMapValues, filterNot, peek, merge, split with named branches', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    const words = b
      .stream<string, string>('lines')
      .flatMapValues((v) => v.split(' '))
      .filterNot((_k, w) => w === '')
      .peek((_k, w) => void seen.push(w));
    const branches = words.split(Named.as('len-')).branch((_k, w) => w.length <= 3, Branched.as('short')).defaultBranch(Branched.as('long'));
    const short = branches.get('len-short')!;
    const long = branches.get('len-long')!;
    short.map((_k, w) => KeyValue.pair(w, w.toUpperCase())).to('short');
    long.flatMap((_k, w) => [[w, '1'] as [string, string], [w, '2'] as [string, string]]).to('long');
    (short as KStream<string, string>).merge(long).mapValues((w, k) => `${k ?? '-'}:${w}`).to('all');
    const d = drive(b.build());
    d.createInputTopic<string, string>('lines').pipeInput(null, 'the quick  fox jumps', 5);
    expect(seen).toEqual(['the', 'quick', 'fox', 'jumps']);
    expect(d.createOutputTopic('short').readKeyValuesToList()).toEqual([
      { key: 'the', value: 'THE' },
      { key: 'fox', value: 'FOX' },
    ]);
    expect(d.createOutputTopic('long').readKeyValuesToList().map((kv) => `${kv.key}=${kv.value}`)).toEqual(['quick=1', 'quick=2', 'jumps=1', 'jumps=2']);
    expect(d.createOutputTopic('all').readValuesToList()).toEqual(['-:the', '-:quick', '-:fox', '-:jumps']);
  });

  it('reduce and aggregate; KTable filter, mapValues, toStream with tombstones', () => {
    const b = new StreamsBuilder();
    const amounts = b.stream('pay', Consumed.with(Serdes.String(), Serdes.Long())).groupByKey();
    amounts.reduce((a, v) => a + v, Materialized.with(Serdes.String(), Serdes.Long())).toStream().to('sum', Produced.with(Serdes.String(), Serdes.Long()));
    amounts
      .aggregate(() => ({ n: 0, max: 0 }), (_k, v, agg) => ({ n: agg.n + 1, max: Math.max(agg.max, v) }), Materialized.with(Serdes.String(), Serdes.JSON<{ n: number; max: number }>()))
      .toStream()
      .to('stats', Produced.with(Serdes.String(), Serdes.JSON()));
    b.table<string, string>('prices')
      .filter((_k, v) => Number(v) > 10)
      .mapValues((v) => `$${v}`)
      .toStream()
      .to('expensive');
    const d = drive(b.build());
    const pay = d.createInputTopic('pay', Serdes.String(), Serdes.Long());
    pay.pipeInput('a', 5, 1);
    pay.pipeInput('a', 7, 2);
    pay.pipeInput('b', 1, 3);
    expect(d.createOutputTopic('sum', Serdes.String(), Serdes.Long()).readKeyValuesToList().map((kv) => [kv.key, kv.value])).toEqual([['a', 5], ['a', 12], ['b', 1]]);
    expect(d.createOutputTopic('stats', Serdes.String(), Serdes.JSON()).readValuesToList()).toEqual([{ n: 1, max: 5 }, { n: 2, max: 7 }, { n: 1, max: 1 }]);
    const prices = d.createInputTopic<string, string | null>('prices');
    prices.pipeInput('x', '20', 1);
    prices.pipeInput('y', '5', 1); // never passes: nothing
    prices.pipeInput('x', '8', 2); // stops passing: a tombstone
    prices.pipeInput('x', '30', 3);
    prices.pipeInput('x', null, 4); // deleted: a tombstone
    expect(d.createOutputTopic('expensive').readKeyValuesToList()).toEqual([
      { key: 'x', value: '$20' },
      { key: 'x', value: null },
      { key: 'x', value: '$30' },
      { key: 'x', value: null },
    ]);
  });

  it('KStream-KStream join and leftJoin within JoinWindows', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream<string, string>('clicks');
    const views = b.stream<string, string>('views');
    clicks.join(views, (c, v) => `${c}+${v}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('joined');
    const t = b.build();
    expect(t.build().copartitionGroups).toEqual([['clicks', 'views']]);
    const d = drive(t);
    const c = d.createInputTopic<string, string>('clicks');
    const v = d.createInputTopic<string, string>('views');
    v.pipeInput('u', 'v1', 100);
    c.pipeInput('u', 'c1', 105); // within 10 of v1
    c.pipeInput('u', 'c2', 200); // nothing near
    v.pipeInput('u', 'v2', 195); // joins c2
    v.pipeInput('w', 'v3', 195); // other key
    expect(d.createOutputTopic('joined').readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['u', 'c1+v1', 105],
      ['u', 'c2+v2', 200],
    ]);

    const b2 = new StreamsBuilder();
    b2.stream<string, string>('clicks').leftJoin(b2.stream<string, string>('views'), (c2, v2) => `${c2}+${v2}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('left');
    const t2 = b2.build();
    expect(t2.build().subtopologies[0]!.stores.map((s) => s.name).sort()).toEqual([
      'KSTREAM-JOINTHIS-0000000004-store',
      'KSTREAM-OUTEROTHER-0000000005-store',
      'KSTREAM-OUTERSHARED-0000000004-store',
    ]);
    const d2 = drive(t2);
    const clicks2 = d2.createInputTopic<string, string>('clicks');
    const views2 = d2.createInputTopic<string, string>('views');
    clicks2.pipeInput('u', 'c1', 100); // waits for a view until stream time passes 110
    views2.pipeInput('u', 'v1', 104); // matches: c1 no longer waits
    clicks2.pipeInput('u', 'c2', 200); // no view: waits
    clicks2.pipeInput('u', 'c3', 205);
    expect(d2.createOutputTopic('left').readValuesToList()).toEqual(['c1+v1']);
    views2.pipeInput('z', 'v9', 211); // stream time 211: c2's window (200 + 10) has closed, c3's not
    expect(d2.createOutputTopic('left').readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['u', 'c2+null', 200]]);
    views2.pipeInput('z', 'v10', 216);
    expect(d2.createOutputTopic('left').readValuesToList()).toEqual(['c3+null']);
  });

  it('KTable-KTable join and leftJoin: updates on either side, deletions as tombstones', () => {
    const b = new StreamsBuilder();
    const users = b.table<string, string>('users');
    const cities = b.table<string, string>('cities');
    users.join(cities, (u, c) => `${u}@${c}`).toStream().to('inner');
    users.leftJoin(cities, (u, c) => `${u}@${c ?? '?'}`).toStream().to('left');
    const t = b.build();
    expect(t.build().copartitionGroups).toEqual([['cities', 'users']]);
    const d = drive(t);
    const u = d.createInputTopic<string, string | null>('users');
    const c = d.createInputTopic<string, string | null>('cities');
    u.pipeInput('1', 'ann', 1);
    c.pipeInput('1', 'oslo', 2);
    c.pipeInput('2', 'rome', 3); // no user 2: nothing
    u.pipeInput('1', 'anna', 4);
    c.pipeInput('1', null, 5);
    expect(d.createOutputTopic('inner').readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['1', 'ann@oslo', 2],
      ['1', 'anna@oslo', 4],
      ['1', null, 5],
    ]);
    expect(d.createOutputTopic('left').readValuesToList()).toEqual(['ann@?', 'ann@oslo', 'anna@oslo', 'anna@?']);
  });

  it('KStream-KTable leftJoin keeps unmatched records', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('orders').leftJoin(b.table<string, string>('addresses'), (o, a) => `${o} send to ${a ?? 'unknown'}`).to('out');
    const d = drive(b.build());
    d.createInputTopic<string, string>('orders').pipeInput('zed', 'book', 1);
    expect(d.createOutputTopic('out').readValuesToList()).toEqual(['book send to unknown']);
  });

  it('a String serde refuses a non-string value with a clear error', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in').mapValues((v) => v.length).to('out' as string, Produced.with(Serdes.String(), Serdes.String() as never));
    const d = drive(b.build());
    expect(() => d.createInputTopic<string, string>('in').pipeInput('k', 'abc', 0)).toThrow(/StringSerializer for topic out was given a number, not a string/);
  });
});
