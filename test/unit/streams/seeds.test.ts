/** The seed examples, run through the TopologyTestDriver (no broker). */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  PunctuationType,
  Serdes,
  StreamsBuilder,
  Topology,
  TopologyTestDriver,
  type Processor,
  type ProcessorContext,
  type Record,
} from '../../../src/streams/index.js';

const drivers: TopologyTestDriver[] = [];
afterEach(() => drivers.splice(0).forEach((d) => d.close()));
const drive = (t: Topology, cfg = {}) => {
  const d = new TopologyTestDriver(t, cfg);
  drivers.push(d);
  return d;
};

describe('seed examples', () => {
  it('copy: stream_log -> stream_log_copy, keys, values, timestamps and headers kept', () => {
    const b = new StreamsBuilder();
    b.stream('stream_log').to('stream_log_copy');
    const d = drive(b.build());
    const input = d.createInputTopic<string, string>('stream_log');
    input.pipeInput('k1', 'hello', 1000, [{ key: 'h', value: Uint8Array.of(1) }]);
    input.pipeInput(null, 'world', 2000);
    const topic = d.createOutputTopic<string, string>('stream_log_copy');
    expect(topic.getQueueSize()).toBe(2);
    expect(topic.readValue()).toBe('hello');
    input.pipeInput('k1', 'hello', 1000, [{ key: 'h', value: Uint8Array.of(1) }]);
    expect(topic.readKeyValue()).toEqual({ key: null, value: 'world' });
    input.pipeInput(null, 'world', 2000);
    const out = topic.readRecordsToList();
    expect(topic.isEmpty()).toBe(true);
    expect(() => topic.readRecord()).toThrow('Empty topic: stream_log_copy');
    expect(out).toEqual([
      { key: 'k1', value: 'hello', timestamp: 1000, headers: [{ key: 'h', value: Uint8Array.of(1) }] },
      { key: null, value: 'world', timestamp: 2000, headers: [] },
    ]);
  });

  it('filter: value.length > 5', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('stream_log')
      .filter((_k, v) => v.length > 5)
      .to('stream_log_filter');
    const d = drive(b.build());
    const input = d.createInputTopic<string, string>('stream_log');
    for (const v of ['short', 'longer one', 'tiny', 'exactly6', '123456']) input.pipeInput(null, v, 0);
    expect(d.createOutputTopic('stream_log_filter').readValuesToList()).toEqual(['longer one', 'exactly6', '123456']);
  });

  it('KStream-KTable join: order + " send to " + address', () => {
    const b = new StreamsBuilder();
    const addresses = b.table<string, string>('addresses');
    b.stream<string, string>('orders')
      .join(addresses, (order, address) => `${order} send to ${address}`)
      .to('order_join');
    const t = b.build();
    const d = drive(t);
    const addr = d.createInputTopic<string, string>('addresses');
    const orders = d.createInputTopic<string, string>('orders');
    addr.pipeInput('alice', '1 Main St', 1);
    orders.pipeInput('alice', 'book', 2);
    orders.pipeInput('bob', 'pen', 3); // no address yet: inner join drops it
    addr.pipeInput('bob', '2 Side Rd', 4);
    orders.pipeInput('bob', 'ink', 5);
    addr.pipeInput('alice', '9 New Ave', 6);
    orders.pipeInput('alice', 'lamp', 7);
    expect(d.createOutputTopic('order_join').readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['alice', 'book send to 1 Main St', 2],
      ['bob', 'ink send to 2 Side Rd', 5],
      ['alice', 'lamp send to 9 New Ave', 7],
    ]);
    expect(t.build().copartitionGroups).toEqual([['addresses', 'orders']]);
  });

  it('KStream-GlobalKTable join keyed on the value', () => {
    const b = new StreamsBuilder();
    const addresses = b.globalTable<string, string>('addresses');
    b.stream<string, string>('orders')
      // the order's value names the customer whose address we want
      .join(addresses, (_orderId, customer) => customer, (customer, address) => `${customer} send to ${address}`)
      .to('order_join');
    const t = b.build();
    const d = drive(t);
    d.createInputTopic<string, string>('addresses').pipeInput('alice', '1 Main St', 1);
    const orders = d.createInputTopic<string, string>('orders');
    orders.pipeInput('order-1', 'alice', 2);
    orders.pipeInput('order-2', 'carol', 3);
    expect(d.createOutputTopic('order_join').readKeyValuesToList()).toEqual([{ key: 'order-1', value: 'alice send to 1 Main St' }]);
    const built = t.build();
    expect(built.copartitionGroups).toEqual([]);
    expect(built.globalStores.map((g) => [g.topic, g.store.logged])).toEqual([['addresses', false]]);
  });

  it('Processor API: a filter with forward and commit', () => {
    class LongValues implements Processor<string, string, string, string> {
      private ctx!: ProcessorContext<string, string>;
      init(ctx: ProcessorContext<string, string>) {
        this.ctx = ctx;
      }
      process(r: Record<string, string>) {
        if (r.value.length > 5) {
          this.ctx.forward(r.withValue(`${r.value} (from ${this.ctx.recordMetadata()!.topic}@${this.ctx.recordMetadata()!.offset})`));
          this.ctx.commit();
        }
      }
    }
    const t = new Topology()
      .addSource({ name: 'Source', keyDeserializer: Serdes.String(), valueDeserializer: Serdes.String() }, 'stream_log')
      .addProcessor('Filter', () => new LongValues(), 'Source')
      .addSink('Sink', 'stream_log_filter', 'Filter');
    const d = drive(t);
    const input = d.createInputTopic<string, string>('stream_log');
    input.pipeInput('a', 'short', 0);
    input.pipeInput('b', 'long enough', 0);
    expect(d.createOutputTopic('stream_log_filter').readKeyValuesToList()).toEqual([{ key: 'b', value: 'long enough (from stream_log@1)' }]);
    expect(d.commitRequests).toBe(1);
  });
});

describe('punctuation', () => {
  it('STREAM_TIME fires as record timestamps pass each interval; WALL_CLOCK_TIME as the clock advances', () => {
    const fired: string[] = [];
    const t = new Topology()
      .addSource('src', 'in')
      .addProcessor('p', () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init(c: ProcessorContext<string, string>) {
            ctx = c;
            c.schedule(10, PunctuationType.STREAM_TIME, (ts) => {
              fired.push(`stream@${ts}`);
              ctx.forward({ key: 'tick', value: String(ts), timestamp: ts, headers: [] } as unknown as Record<string, string>);
            });
            const w = c.schedule(100, PunctuationType.WALL_CLOCK_TIME, (ts) => {
              fired.push(`wall@${ts}`);
              if (ts >= 200) w.cancel();
            });
          },
          process() {},
        };
      }, 'src')
      .addSink('out', 'ticks', 'p');
    const d = drive(t, { wallClockMs: 0 });
    const input = d.createInputTopic<string, string>('in');
    for (const ts of [3, 5, 12, 9, 35]) input.pipeInput('k', 'v', ts);
    expect(fired).toEqual(['stream@3', 'stream@12', 'stream@35']);
    d.advanceWallClockTime(50);
    d.advanceWallClockTime(60);
    d.advanceWallClockTime(100);
    d.advanceWallClockTime(100);
    expect(fired.slice(3)).toEqual(['wall@110', 'wall@210']);
    expect(d.createOutputTopic('ticks').readValuesToList()).toEqual(['3', '12', '35']);
  });
});

describe('serde failures', () => {
  const topology = () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(Serdes.String(), Serdes.Integer())).mapValues((v) => String(v * 2)).to('out', undefined);
    return b.build();
  };
  const bad = (d: TopologyTestDriver) => {
    d.pipeRaw('in', null, Uint8Array.of(0, 0, 0, 2), 0);
    d.pipeRaw('in', null, Uint8Array.of(1, 2), 0); // 2 bytes: not an Integer
    d.pipeRaw('in', null, Uint8Array.of(0, 0, 0, 5), 0);
  };
  it('log-and-continue skips the record and goes on', () => {
    const d = drive(topology(), { deserializationErrors: 'continue' });
    bad(d);
    expect(d.createOutputTopic('out').readValuesToList()).toEqual(['4', '10']);
    expect(d.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^Skipping record due to deserialization error\. taskId=0_0, topic=in, partition=0, offset=1: Size of data received by IntegerDeserializer is not 4/),
    ]);
  });
  it('fail stops with a StreamsException naming the record', () => {
    const d = drive(topology(), { deserializationErrors: 'fail' });
    expect(() => bad(d)).toThrow(/Deserialization exception handler is set to fail upon a deserialization error \(taskId=0_0, topic=in, partition=0, offset=1\)/);
    expect(d.createOutputTopic('out').readValuesToList()).toEqual(['4']);
  });
});
