/** Kafka's reassignment JSON files, replica placement and throttled-replica lists. */
import { describe, expect, it } from 'vitest';
import { formatPlan, parsePlan, parseTopicsToMove, placeReplicas, throttledReplicas, validatePlan } from '../../../src/tools/reassign.js';

describe('plan files', () => {
  it("reads Kafka's plan format, with or without version and log_dirs", () => {
    expect(parsePlan('{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}')).toEqual([
      { topic: 'foo', partition: 0, replicas: [1, 2], logDirs: ['any', 'any'] },
    ]);
    expect(parsePlan('{"partitions":[{"topic":"foo","partition":1,"replicas":[3]}]}')).toEqual([{ topic: 'foo', partition: 1, replicas: [3], logDirs: ['any'] }]);
  });

  it("writes Kafka's compact JSON: keys in order, partitions sorted, log_dirs filled", () => {
    expect(
      formatPlan([
        { topic: 'foo', partition: 10, replicas: [2, 1] },
        { topic: 'bar', partition: 0, replicas: [1] },
        { topic: 'foo', partition: 2, replicas: [3, 1] },
      ]),
    ).toBe(
      '{"version":1,"partitions":[{"topic":"bar","partition":0,"replicas":[1],"log_dirs":["any"]},{"topic":"foo","partition":2,"replicas":[3,1],"log_dirs":["any","any"]},{"topic":"foo","partition":10,"replicas":[2,1],"log_dirs":["any","any"]}]}',
    );
    const text = '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}';
    expect(formatPlan(parsePlan(text))).toBe(text);
  });

  it("rejects bad files with Kafka's messages", () => {
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    };
    expect(msg(() => parsePlan('{"version":3,"partitions":[]}'))).toBe('Not supported version field value 3');
    expect(msg(() => parsePlan('{"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}'))).toBe(
      'Size of replicas list [1, 2] is different from size of log dirs list [any] for partition foo-0',
    );
    expect(msg(() => parsePlan('not json'))).toMatch(/^Unable to parse the reassignment JSON file as JSON/);
    expect(msg(() => validatePlan([]))).toBe('Partition reassignment list cannot be empty');
    expect(msg(() => validatePlan(parsePlan('{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}')))).toBe(
      'Partition reassignment contains duplicate topic partitions: a-0',
    );
    expect(msg(() => validatePlan(parsePlan('{"partitions":[{"topic":"a","partition":0,"replicas":[2,2]}]}')))).toBe(
      'Partition replica lists may not contain duplicate entries: a-0 contains multiple entries for 2',
    );
    expect(msg(() => parseTopicsToMove('{"topics":[{"topic":"foo"},{"topic":"foo1"},{"topic":"foo"}],"version":1}'))).toBe('List of topics to reassign contains duplicate entries: [foo]');
    expect(parseTopicsToMove('{"topics":[{"topic":"foo"},{"topic":"foo1"}],"version":1}')).toEqual(['foo', 'foo1']);
  });
});

describe('placeReplicas', () => {
  it("follows Kafka's round-robin placement with a start broker and a growing shift", () => {
    // Random draws 0 and 0: start at the first broker, followers one and two along.
    const fixed = () => 0;
    expect(placeReplicas([1, 2, 3], 6, 2, fixed)).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
      [1, 3],
      [2, 1],
      [3, 2],
    ]);
    const draws = [0.5, 0.0];
    expect(placeReplicas([1, 2, 3, 4], 2, 3, () => draws.shift()!)).toEqual([
      [3, 4, 1],
      [4, 1, 2],
    ]);
  });

  it('keeps replicas of a partition distinct and spreads leaders evenly', () => {
    const plan = placeReplicas([1, 2, 3, 4, 5], 20, 3);
    for (const r of plan) expect(new Set(r).size).toBe(3);
    const leaders = new Map<number, number>();
    for (const [l] of plan) leaders.set(l!, (leaders.get(l!) ?? 0) + 1);
    expect([...leaders.values()]).toEqual([4, 4, 4, 4, 4]);
    expect(() => placeReplicas([1, 2], 1, 3)).toThrow('Replication factor: 3 larger than available brokers: 2.');
  });
});

describe('throttledReplicas', () => {
  it('lists the source replicas as leaders and only the new ones as followers, sorted as strings', () => {
    expect(
      throttledReplicas([
        { partition: 0, current: [1, 2], target: [2, 3] },
        { partition: 10, current: [3], target: [3, 1] },
      ]),
    ).toEqual({ leader: '0:1,0:2,10:3', follower: '0:3,10:1' });
  });
});
