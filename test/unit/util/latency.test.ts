import { describe, expect, it } from 'vitest';
import { histogram, javaFixed, LatencyRecorder, percentile, renderHistogram } from '../../../src/util/latency.js';
import { compileDateFormat } from '../../../src/util/date-format.js';

describe('javaFixed (Java String.format %.Nf)', () => {
  it('rounds HALF_UP on the shortest decimal form, as Java does (JS toFixed would give 1.00 for 1.005)', () => {
    expect(javaFixed(1.005, 2)).toBe('1.01');
    expect(javaFixed(0.125, 2)).toBe('0.13');
    expect(javaFixed(2.5, 0)).toBe('3');
    expect(javaFixed(9.995, 2)).toBe('10.00');
    expect(javaFixed(99.96, 1)).toBe('100.0');
    expect(javaFixed(138217, 1)).toBe('138217.0');
    expect(javaFixed(0.00004, 4)).toBe('0.0000');
    expect(javaFixed(0.00005, 4)).toBe('0.0001');
    expect(javaFixed(1e21, 2)).toBe('1000000000000000000000.00');
    expect(javaFixed(-1.25, 1)).toBe('-1.3');
    expect(javaFixed(3, 4)).toBe('3.0000');
  });
  it('spells Infinity and NaN as Java', () => {
    expect(javaFixed(1 / 0, 2)).toBe('Infinity');
    expect(javaFixed(-1 / 0, 2)).toBe('-Infinity');
    expect(javaFixed(0 / 0, 2)).toBe('NaN');
  });
});

describe('latency statistics', () => {
  it("takes percentiles at floor(p x size) of the sorted sample (Kafka's rule)", () => {
    const sorted = Int32Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(6);
    expect(percentile(sorted, 0.99)).toBe(10);
    expect(percentile(new Int32Array(0), 0.5)).toBe(0);
  });
  it('samples every n-th latency beyond 500,000 and keeps exact totals', () => {
    const r = new LatencyRecorder(1_000_000);
    for (let i = 0; i < 1_000_000; i++) r.record(i % 100);
    const s = r.summary();
    expect(s.count).toBe(1_000_000);
    expect(s.avgMs).toBeCloseTo(49.5, 5);
    expect(s.maxMs).toBe(99);
    // Every second value is sampled: the even ones.
    expect(s.percentiles.p50).toBe(50);
    expect(s.histogram.reduce((a, b) => a + b.count, 0)).toBe(1_000_000);
  });
  it('buckets by powers of two and renders bars scaled to the largest bucket', () => {
    const h = histogram([0, 1, 1, 3, 3, 3, 3, 9]);
    expect(h).toEqual([
      { fromMs: 0, toMs: 1, count: 1 },
      { fromMs: 1, toMs: 2, count: 2 },
      { fromMs: 2, toMs: 4, count: 4 },
      { fromMs: 4, toMs: 8, count: 0 },
      { fromMs: 8, toMs: 16, count: 1 },
    ]);
    const lines = renderHistogram(h, 8);
    expect(lines[2]).toBe(' 2-4 ms | ######## 4 ( 50.0%)');
    expect(lines[3]).toBe(' 4-8 ms |          0 (  0.0%)');
  });
});

describe('compileDateFormat (SimpleDateFormat)', () => {
  it("renders Kafka's default yyyy-MM-dd HH:mm:ss:SSS and quoted text in local time", () => {
    const t = new Date(2024, 0, 31, 7, 5, 9, 42).getTime();
    expect(compileDateFormat('yyyy-MM-dd HH:mm:ss:SSS')(t)).toBe('2024-01-31 07:05:09:042');
    expect(compileDateFormat("dd MMM yy 'at' h a")(t)).toBe('31 Jan 24 at 7 AM');
    expect(() => compileDateFormat('yyyy-qq')).toThrow("Illegal pattern character 'q'");
  });
});
