/**
 * The consumer protocol's subscription as the broker decodes it (OffsetDelete checks which topics
 * a group's members subscribe to): with an element limit, a member's metadata stating tens of
 * millions of topic names fails at once instead of filling the heap.
 */
import { expect, it } from 'vitest';
import { decodeSubscription, encodeSubscription } from '../../../src/protocol/consumer-protocol.js';
import { ArrayBudgetExceeded } from '../../../src/protocol/primitives.js';

const topics = Array.from({ length: 10 }, (_, i) => `t${i}`);

it('decodes a subscription within its element limit, and refuses one beyond it', () => {
  const buf = encodeSubscription({ topics, userData: null, ownedPartitions: [] }, 1);
  expect(decodeSubscription(buf).topics).toEqual(topics);
  expect(decodeSubscription(buf, 10).topics).toEqual(topics);
  expect(() => decodeSubscription(buf, 9)).toThrow(ArrayBudgetExceeded);
});

