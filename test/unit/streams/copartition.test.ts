/** Co-partitioning: the groups a join declares, and the partition counts the runtime gets (or Kafka's error). */
import { describe, expect, it } from 'vitest';
import { isKafkaTsError } from '../../../src/util/errors.js';
import { Repartitioned, StreamsBuilder } from '../../../src/streams/index.js';

const counts = (m: Record<string, number>) => (t: string) => m[t];

function orderJoin(repartition?: Repartitioned<string, string>) {
  const b = new StreamsBuilder();
  const addresses = b.table<string, string>('addresses');
  let orders = b.stream<string, string>('orders');
  if (repartition) orders = orders.repartition(repartition);
  orders.join(addresses, (o, a) => `${o} send to ${a}`).to('order_join');
  return b.build().build();
}

describe('co-partitioning', () => {
  it('a stream-table join puts both topics in one group; equal counts pass', () => {
    const built = orderJoin();
    expect(built.copartitionGroups).toEqual([['addresses', 'orders']]);
    expect(built.resolvePartitions!(counts({ orders: 3, addresses: 3 }))).toEqual(new Map());
  });

  it('3 vs 2 partitions fails with Kafka\'s message', () => {
    const built = orderJoin();
    let err: unknown;
    try {
      built.resolvePartitions!(counts({ orders: 3, addresses: 2 }));
    } catch (e) {
      err = e;
    }
    expect(isKafkaTsError(err)).toBe(true);
    expect((err as Error).message).toBe('Invalid topology: Following topics do not have the same number of partitions: [{addresses=2, orders=3}]');
    expect((err as { kind: string }).kind).toBe('usage');
  });

  it('with repartition() the stream side is rewritten with the table\'s partition count', () => {
    const built = orderJoin(new Repartitioned<string, string>());
    expect(built.copartitionGroups).toEqual([['KSTREAM-REPARTITION-0000000004-repartition', 'addresses']]);
    expect(built.resolvePartitions!(counts({ orders: 3, addresses: 2 }))).toEqual(new Map([['KSTREAM-REPARTITION-0000000004-repartition', 2]]));
  });

  it('a fixed repartition count that differs from the table fails; one that matches passes', () => {
    expect(() => orderJoin(Repartitioned.numberOfPartitions(4)).resolvePartitions!(counts({ orders: 3, addresses: 2 }))).toThrow(
      "Number of partitions [4] of repartition topic [KSTREAM-REPARTITION-0000000004-repartition] doesn't match number of partitions [2] of the source topic.",
    );
    expect(orderJoin(Repartitioned.numberOfPartitions(2)).resolvePartitions!(counts({ orders: 3, addresses: 2 }))).toEqual(new Map([['KSTREAM-REPARTITION-0000000004-repartition', 2]]));
  });

  it('an aggregation\'s repartition topic takes the largest count of the sources writing to it', () => {
    const b = new StreamsBuilder();
    const a = b.stream<string, string>('a');
    const c = b.stream<string, string>('c');
    a.merge(c).selectKey((_k, v) => v).groupByKey().count().toStream().to('out');
    const built = b.build().build();
    expect(built.resolvePartitions!(counts({ a: 2, c: 5 }))).toEqual(new Map([['KSTREAM-AGGREGATE-STATE-STORE-0000000004-repartition', 5]]));
  });
});
