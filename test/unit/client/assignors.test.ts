import { describe, expect, it } from 'vitest';
import { assignorByName, cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor, stickyAssignor, type Assignment, type MemberSubscription } from '../../../src/client/consumer/assignors.js';

const member = (memberId: string, topics: string[], owned: Record<string, number[]> = {}, generation = 1): MemberSubscription => ({
  memberId,
  groupInstanceId: null,
  topics,
  owned: new Map(Object.entries(owned)),
  generation,
});
const plain = (a: Assignment) => Object.fromEntries([...a].map(([m, t]) => [m, Object.fromEntries([...t].filter(([, p]) => p.length > 0))]));
const count = (a: Assignment, m: string) => [...a.get(m)!.values()].reduce((n, p) => n + p.length, 0);
const every = (a: Assignment) => [...a.values()].flatMap((t) => [...t].flatMap(([topic, ps]) => ps.map((p) => `${topic}-${p}`))).sort();

describe('range', () => {
  it('gives consecutive ranges per topic, extras to the first members', () => {
    const a = rangeAssignor.assign([member('c2', ['t', 'u']), member('c1', ['t', 'u'])], new Map([['t', 5], ['u', 2]]));
    expect(plain(a)).toEqual({ c1: { t: [0, 1, 2], u: [0] }, c2: { t: [3, 4], u: [1] } });
  });
});

describe('roundrobin', () => {
  it('deals partitions out in order, skipping members not subscribed', () => {
    const a = roundRobinAssignor.assign([member('a', ['t']), member('b', ['t', 'u'])], new Map([['t', 3], ['u', 2]]));
    expect(plain(a)).toEqual({ a: { t: [0, 2] }, b: { t: [1], u: [0, 1] } });
  });
});

describe('sticky', () => {
  it('is balanced and keeps previous owners when a member joins', () => {
    const first = stickyAssignor.assign([member('a', ['t']), member('b', ['t'])], new Map([['t', 6]]));
    expect([count(first, 'a'), count(first, 'b')]).toEqual([3, 3]);
    const ownedA = Object.fromEntries(first.get('a')!);
    const ownedB = Object.fromEntries(first.get('b')!);
    const second = stickyAssignor.assign([member('a', ['t'], ownedA), member('b', ['t'], ownedB), member('c', ['t'])], new Map([['t', 6]]));
    expect([count(second, 'a'), count(second, 'b'), count(second, 'c')]).toEqual([2, 2, 2]);
    // Only the partitions c needs moved.
    const kept = [...second.get('a')!.get('t')!].filter((p) => ownedA.t!.includes(p)).length + [...second.get('b')!.get('t')!].filter((p) => ownedB.t!.includes(p)).length;
    expect(kept).toBe(4);
    expect(every(second)).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4', 't-5']);
  });
});

describe('cooperative-sticky', () => {
  it('revokes before it reassigns, and converges in a second round', () => {
    const topics = new Map([['t', 4]]);
    const round0 = cooperativeStickyAssignor.assign([member('a', ['t'])], topics);
    expect(plain(round0)).toEqual({ a: { t: [0, 1, 2, 3] } });
    // b joins: a keeps two partitions, the two moving to b are not handed over yet.
    const round1 = cooperativeStickyAssignor.assign([member('a', ['t'], { t: [0, 1, 2, 3] }), member('b', ['t'])], topics);
    expect(count(round1, 'a')).toBe(2);
    expect(count(round1, 'b')).toBe(0);
    // a revoked what it lost and rejoined: now b gets them.
    const round2 = cooperativeStickyAssignor.assign([member('a', ['t'], Object.fromEntries(round1.get('a')!)), member('b', ['t'])], topics);
    expect([count(round2, 'a'), count(round2, 'b')]).toEqual([2, 2]);
    expect(every(round2)).toEqual(['t-0', 't-1', 't-2', 't-3']);
  });
});

describe('names', () => {
  it('accepts Kafka class names', () => {
    expect(assignorByName('org.apache.kafka.clients.consumer.CooperativeStickyAssignor')?.name).toBe('cooperative-sticky');
    expect(assignorByName('roundrobin')?.name).toBe('roundrobin');
    expect(assignorByName('mystery')).toBeNull();
  });
});
