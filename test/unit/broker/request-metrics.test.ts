import { describe, expect, it } from 'vitest';
import { RequestMetrics } from '../../../src/broker/request-metrics.js';

describe('RequestMetrics', () => {
  it('reports p50/p99/max per API within the bucket resolution', () => {
    const m = new RequestMetrics();
    for (let i = 1; i <= 1000; i++) m.record(1, i / 100); // 0.01 .. 10 ms
    m.record(0, 0);
    m.record(0, 250);
    const [produce, fetch] = m.snapshot((k) => (k === 0 ? 'Produce' : 'Fetch'));
    expect(produce).toMatchObject({ api: 'Produce', apiKey: 0, count: 2, maxMs: 250 });
    expect(fetch!.count).toBe(1000);
    expect(fetch!.maxMs).toBe(10);
    expect(fetch!.p50Ms).toBeGreaterThanOrEqual(5);
    expect(fetch!.p50Ms).toBeLessThan(5 * 1.1);
    expect(fetch!.p99Ms).toBeGreaterThanOrEqual(9.9);
    expect(fetch!.p99Ms).toBeLessThanOrEqual(10);
  });
});
