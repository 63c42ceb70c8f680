/**
 * Sliced decompressions (zstd past its first 2 MiB) run one at a time, in the order they came:
 * each may hold 100 MiB while it runs, and a request of many batches ran them all at once.
 */
import { describe, expect, it } from 'vitest';
import { offThreadCodecs } from '../../../../src/broker/append/codec-offload.js';

describe('offThreadCodecs.finishSteps', () => {
  it('runs queued decompressions one at a time, in order, each begun only when the one before is done; a failed one does not stop the rest', async () => {
    const events: string[] = [];
    // Each step takes a millisecond, so a job spans several 2 ms slices (others could run between).
    const aMillisecond = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    };
    function* job(name: string, steps: number, fail = false): Generator<number, Buffer, void> {
      events.push(`${name} begins`);
      for (let i = 1; i <= steps; i++) {
        aMillisecond();
        yield i;
      }
      if (fail) throw new Error(`${name} failed`);
      events.push(`${name} ends`);
      return Buffer.from(name);
    }
    expect(offThreadCodecs.stepsBusy()).toBe(false);
    const a = offThreadCodecs.finishSteps(() => job('a', 10));
    const b = offThreadCodecs.finishSteps(() => job('b', 3, true));
    const c = offThreadCodecs.finishSteps(() => job('c', 10));
    expect(offThreadCodecs.stepsBusy()).toBe(true);
    // Nothing begins before its turn: the makers are called then.
    expect(events).toEqual([]);
    expect((await a).toString()).toBe('a');
    await expect(b).rejects.toThrow('b failed');
    expect((await c).toString()).toBe('c');
    expect(events).toEqual(['a begins', 'a ends', 'b begins', 'c begins', 'c ends']);
    expect(offThreadCodecs.stepsBusy()).toBe(false);
  });
});
