import { describe, expect, it } from 'vitest';
import { inSlices, stepsInSlices } from '../../../src/util/slices.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('inSlices', () => {
  it('does every item in order, one a slice at 0 ms, the event loop turning between them', async () => {
    const seen: number[] = [];
    const pass = inSlices([1, 2, 3, 4], (n) => seen.push(n), () => 0);
    // The first slice runs at once.
    expect(seen).toEqual([1]);
    await turn();
    expect(seen).toEqual([1, 2]);
    await pass.done;
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('does everything in the first slice when it fits', async () => {
    const seen: number[] = [];
    const pass = inSlices([1, 2, 3], (n) => seen.push(n), () => 10_000);
    expect(seen).toEqual([1, 2, 3]);
    await pass.done;
  });

  it('stops before the next item when cancelled or when going() says no', async () => {
    const cancelled: number[] = [];
    const a = inSlices([1, 2, 3], (n) => cancelled.push(n), () => 0);
    a.cancel();
    await a.done;
    expect(cancelled).toEqual([1]);
    const stopped: number[] = [];
    const b = inSlices([1, 2, 3], (n) => stopped.push(n), () => 0, () => stopped.length < 2);
    await b.done;
    expect(stopped).toEqual([1, 2]);
  });

  it('an item that throws ends the pass there: done resolves, the error is thrown to the caller (first slice) or to onLaterError', async () => {
    const seen: number[] = [];
    const work = (n: number) => {
      if (n === 2) throw new Error('bad item');
      seen.push(n);
    };
    expect(() => inSlices([2, 3], work, () => 0)).toThrow('bad item');
    expect(seen).toEqual([]);
    // Thrown in a later slice: to onLaterError, the pass done all the same.
    const errors: unknown[] = [];
    const pass = inSlices([1, 2, 3], work, () => 0, undefined, (e) => errors.push(e));
    await pass.done;
    expect(seen).toEqual([1]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['bad item']);
  });
});

describe('stepsInSlices', () => {
  function* counting(n: number, seen: number[], fail = false): Generator<number, string, void> {
    for (let i = 1; i <= n; i++) {
      seen.push(i);
      yield i;
    }
    if (fail) throw new Error('step failed');
    return `made ${n}`;
  }

  it('runs the steps after a turn of the event loop, one a slice at 0 ms, and resolves with what they return', async () => {
    const seen: number[] = [];
    const done = stepsInSlices(counting(3, seen), 0);
    expect(seen).toEqual([]);
    await turn();
    expect(seen).toEqual([1]);
    await expect(done).resolves.toBe('made 3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects with what a step throws', async () => {
    await expect(stepsInSlices(counting(2, [], true), 10_000)).rejects.toThrow('step failed');
  });
});
