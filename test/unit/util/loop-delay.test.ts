/**
 * The daemon's event-loop delay sampler (src/util/loop-delay.ts): samples only between start and
 * stop, and the time it was stopped is not a delay (Node's monitorEventLoopDelay counted an idle
 * spell as one long sample once re-enabled).
 */
import { expect, it } from 'vitest';
import { LoopDelaySampler } from '../../../src/util/loop-delay.js';

/** A sampler on a clock the test moves; its ticks are driven by hand. */
function sampler() {
  let now = 1000;
  const s = new LoopDelaySampler(20, () => now);
  return { s, tickAt: (t: number) => ((now = t), s.sample()) };
}

it('records how late each tick came, and nothing for the time it was stopped', () => {
  const { s, tickAt } = sampler();
  expect(s.summary()).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 });
  s.start();
  expect(s.sampling).toBe(true);
  tickAt(1020); // on time
  tickAt(1040);
  tickAt(1095); // 35 ms late: the loop was held
  tickAt(1115);
  s.stop();
  expect(s.sampling).toBe(false);
  // An hour stopped; a tick that fires after stop records nothing.
  tickAt(3_601_000);
  s.start();
  tickAt(3_601_020);
  tickAt(3_601_041);
  s.stop();
  const summary = s.summary();
  expect(summary.samples).toBe(6);
  expect(summary.maxMs).toBeCloseTo(35, 0);
  expect(summary.p50Ms).toBeLessThan(2);
});
