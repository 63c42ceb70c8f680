/** Kafka's sampled rate and throttle time (SampledStat, Rate.windowSize, QuotaUtils.throttleTime). */
import { describe, expect, it } from 'vitest';
import { RateSensor } from '../../../../src/broker/quotas/sensor.js';

describe('RateSensor', () => {
  it('measures over at least samples - 1 windows, so a first burst is not an enormous rate', () => {
    const s = new RateSensor(11, 1000);
    s.record(100, 0);
    expect(s.windowSizeMs(0)).toBe(10_000);
    expect(s.rate(0)).toBe(10);
    expect(s.windowSizeMs(500)).toBe(10_500);
  });

  it("throttles by Kafka's formula: (rate - bound) / bound × span", () => {
    const s = new RateSensor(11, 1000);
    expect(s.recordAndThrottle(40, 5, 0)).toBe(0); // 4/s
    expect(s.recordAndThrottle(60, 5, 0)).toBe(10_000); // 10/s against 5/s over 10 s
    expect(s.recordAndThrottle(0, 5, 0, 1000)).toBe(1000); // capped (request quota: one window)
  });

  it('spans the windows actually kept once there are enough, and forgets windows older than samples × window', () => {
    const s = new RateSensor(11, 1000);
    for (let t = 0; t <= 12_000; t += 1000) s.record(10, t);
    // Windows started at 2 s … 12 s are kept (the ones of 0 s and 1 s were reused): 110 over 10 s.
    expect(s.windowSizeMs(12_000)).toBe(10_000);
    expect(s.rate(12_000)).toBeCloseTo(11, 5);
    // Nothing for 11 s: every window expires.
    expect(s.rate(24_000)).toBe(0);
  });

  it('a bound of 0 throttles for the whole span', () => {
    const s = new RateSensor(11, 1000);
    expect(s.recordAndThrottle(1, 0, 0)).toBe(10_000);
  });
});
