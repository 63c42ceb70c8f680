/**
 * The element budget of a Reader (the broker's requests: router.ts): every array element counts,
 * nested and tagged ones included, and a count over what is left fails before the array is made.
 * Unset, a reader has no budget (answers from real clusters hold millions of replica ids).
 */
import { describe, expect, it } from 'vitest';
import { DescribeGroups, ListOffsets } from '../../../src/protocol/apis/index.js';
import { ArrayBudgetExceeded, Reader, Writer } from '../../../src/protocol/primitives.js';
import { compileStruct, MAX_VERSION, type FieldDef } from '../../../src/protocol/schema.js';
import { decodeRequestBody, encodeBody } from '../../../src/protocol/messages.js';
import { requestElementBudget } from '../../../src/broker/router.js';

/** ListOffsets v9 (compact arrays) and v1 (int32 counts): 2 topics of 3 partitions, 8 elements. */
const listOffsets = (version: number) =>
  encodeBody(ListOffsets.request, version >= 6, version, {
    replicaId: -1,
    isolationLevel: 0,
    topics: ['a', 'b'].map((name) => ({ name, partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1 })) })),
  });

const decodeWith = (budget: number, bytes: Buffer, version: number) => {
  const r = new Reader(bytes).limitElements(budget);
  const body = decodeRequestBody(ListOffsets, version, r);
  return { body, left: r.elementsLeft };
};

describe('array element budget', () => {
  it.each([9, 1])('counts nested elements (ListOffsets v%i: 2 topics + 6 partitions)', (version) => {
    const bytes = listOffsets(version);
    const { body, left } = decodeWith(8, bytes, version);
    expect(body.topics.flatMap((t) => t.partitions)).toHaveLength(6);
    expect(left).toBe(0);
    expect(() => decodeWith(7, bytes, version)).toThrow(new ArrayBudgetExceeded(7));
    expect(() => decodeWith(7, bytes, version)).toThrow('more than 7 array elements');
  });

  it('counts the arrays inside tagged fields against the same budget', () => {
    const fields: FieldDef[] = [
      { name: 'ids', type: 'array', items: 'int32', versions: [0, MAX_VERSION] },
      { name: 'extra', type: 'array', versions: [0, MAX_VERSION], tag: 0, tagged: [0, MAX_VERSION], fields: [{ name: 'xs', type: 'array', items: 'int32', versions: [0, MAX_VERSION] }] },
    ];
    const codec = compileStruct(fields, 0, true);
    const w = new Writer();
    codec.encode(w, { ids: [1, 2], extra: [{ xs: [1, 2, 3] }] });
    const bytes = w.toBuffer();
    const r = new Reader(bytes).limitElements(10);
    expect(codec.decode(r)).toEqual({ ids: [1, 2], extra: [{ xs: [1, 2, 3] }] });
    expect(r.elementsLeft).toBe(4); // 2 ids + 1 extra + 3 xs
    expect(() => codec.decode(new Reader(bytes).limitElements(5))).toThrow(ArrayBudgetExceeded);
  });

  it('refuses a claimed count over the budget before decoding any element', () => {
    // 10,000,000 claimed group names over 10 MB of zero bytes: each zero would be a null name (a
    // decode error of its own), so the budget error proves nothing was read past the count.
    const count = 10_000_000;
    const bytes = Buffer.concat([new Writer().uvarint(count + 1).toBuffer(), Buffer.alloc(count)]);
    const r = new Reader(bytes).limitElements(1000);
    const started = performance.now();
    expect(() => decodeRequestBody(DescribeGroups, 5, r)).toThrow(new ArrayBudgetExceeded(1000));
    expect(r.pos).toBe(4); // just past the varint count
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is unlimited by default (clients decode answers of any size)', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `g${i}`);
    const r = new Reader(encodeBody(DescribeGroups.request, true, 5, { groups: names, includeAuthorizedOperations: false }));
    expect(r.elementsLeft).toBe(Infinity);
    expect(decodeRequestBody(DescribeGroups, 5, r).groups).toHaveLength(200_000);
  });

  it('the broker budget: 20 elements per kafka-ts.max.partitions, at least 100,000', () => {
    expect(requestElementBudget(24_320)).toEqual({ limit: 486_400, rule: 'kafka-ts.max.partitions x 20' });
    expect(requestElementBudget(200_000).limit).toBe(4_000_000);
    expect(requestElementBudget(100)).toEqual({ limit: 100_000, rule: 'kafka-ts.max.partitions x 20, at least 100000' });
  });
});
