/**
 * Latency statistics for the perf tools (producer-perf-test, e2e-latency): a sample kept the way
 * Kafka's ProducerPerformance keeps it (every n-th value, at most ~500,000), percentiles by its
 * rule (index = floor(p × size) of the sorted sample), a power-of-two histogram, and Java's
 * `%.Nf` rendering of doubles (HALF_UP on the shortest decimal form, Infinity/NaN spelled out).
 */

/** Java's String.format("%.<digits>f", x) in the ROOT locale. */
export function javaFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const negative = x < 0 || Object.is(x, -0);
  // The shortest decimal form that reads back as x (what Java rounds from), as digits and exponent.
  const [mantissa, expPart] = Math.abs(x).toExponential().split('e') as [string, string];
  const digitsOnly = mantissa.replace('.', '');
  const pointAt = Number(expPart) + 1; // digits before the decimal point
  let intDigits: string;
  let fracDigits: string;
  if (pointAt <= 0) {
    intDigits = '0';
    fracDigits = '0'.repeat(-pointAt) + digitsOnly;
  } else if (pointAt >= digitsOnly.length) {
    intDigits = digitsOnly + '0'.repeat(pointAt - digitsOnly.length);
    fracDigits = '';
  } else {
    intDigits = digitsOnly.slice(0, pointAt);
    fracDigits = digitsOnly.slice(pointAt);
  }
  let kept = (intDigits + fracDigits.padEnd(digits, '0').slice(0, digits)).split('').map(Number);
  if ((fracDigits[digits] ?? '0') >= '5') {
    let i = kept.length - 1;
    for (; i >= 0; i--) {
      if (kept[i]! < 9) {
        kept[i]!++;
        break;
      }
      kept[i] = 0;
    }
    if (i < 0) kept = [1, ...kept];
  }
  const all = kept.join('');
  const intLen = all.length - digits;
  const text = digits > 0 ? `${all.slice(0, intLen)}.${all.slice(intLen)}` : all;
  return negative ? `-${text}` : text;
}

/** Java's "%d" of a double truncated to int, as Kafka prints integer latencies. */
export const javaInt = (x: number): string => String(Math.trunc(x));

/** One bucket of a latency histogram: latencies in [fromMs, toMs) (toMs null: the last, open). */
export interface HistogramBucket {
  fromMs: number;
  toMs: number | null;
  count: number;
}

export interface LatencySummary {
  count: number;
  avgMs: number;
  maxMs: number;
  minMs: number;
  percentiles: { p50: number; p95: number; p99: number; p999: number };
  histogram: HistogramBucket[];
}

/** Kafka's percentile rule over a sorted sample: value at floor(p × size). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * A power-of-two histogram of a sample: [0,1), [1,2), [2,4), [4,8), … up to the largest value,
 * each bucket's count scaled to the total count when the sample holds every n-th value.
 */
export function histogram(sample: ArrayLike<number>, scale = 1): HistogramBucket[] {
  if (sample.length === 0) return [];
  let max = 0;
  for (let i = 0; i < sample.length; i++) max = Math.max(max, sample[i]!);
  const bounds = [0, 1];
  while (bounds[bounds.length - 1]! <= max) bounds.push(bounds[bounds.length - 1]! * 2);
  const counts = new Array<number>(bounds.length - 1).fill(0);
  for (let i = 0; i < sample.length; i++) {
    const v = sample[i]!;
    const b = v < 1 ? 0 : Math.floor(Math.log2(v)) + 1;
    counts[Math.min(b, counts.length - 1)]! += 1;
  }
  return counts.map((c, i) => ({ fromMs: bounds[i]!, toMs: bounds[i + 1]!, count: Math.round(c * scale) }));
}

/** Lines of a text histogram: range, bar scaled to the largest bucket, count and share. */
export function renderHistogram(buckets: HistogramBucket[], width = 40): string[] {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const most = Math.max(1, ...buckets.map((b) => b.count));
  const label = (b: HistogramBucket) => `${b.fromMs}-${b.toMs === null ? '' : b.toMs} ms`;
  const labelWidth = Math.max(...buckets.map((b) => label(b).length));
  const countWidth = Math.max(...buckets.map((b) => String(b.count).length));
  return buckets.map((b) => {
    const bar = '#'.repeat(b.count === 0 ? 0 : Math.max(1, Math.round((b.count / most) * width)));
    const share = total > 0 ? javaFixed((100 * b.count) / total, 1) : '0.0';
    return `${label(b).padStart(labelWidth)} | ${bar.padEnd(width)} ${String(b.count).padStart(countWidth)} (${share.padStart(5)}%)`;
  });
}

/**
 * Latencies (whole milliseconds, as Kafka's tools keep them) of a run of known length: totals of
 * every value, and a sample of every n-th one for the percentiles and the histogram.
 */
export class LatencyRecorder {
  private readonly sampling: number;
  private readonly sample: Int32Array;
  private index = 0;
  private iteration = 0;
  count = 0;
  total = 0;
  max = 0;
  min = Infinity;

  constructor(expected: number, maxSample = 500_000) {
    const n = Math.max(1, expected);
    this.sampling = Math.max(1, Math.floor(n / Math.min(n, maxSample)));
    this.sample = new Int32Array(Math.floor(n / this.sampling) + 1);
  }

  record(latencyMs: number): void {
    this.count++;
    this.total += latencyMs;
    if (latencyMs > this.max) this.max = latencyMs;
    if (latencyMs < this.min) this.min = latencyMs;
    if (this.iteration % this.sampling === 0 && this.index < this.sample.length) this.sample[this.index++] = latencyMs;
    this.iteration++;
  }

  summary(): LatencySummary {
    const sorted = this.sample.slice(0, this.index).sort();
    return {
      count: this.count,
      avgMs: this.count ? this.total / this.count : 0,
      maxMs: this.max,
      minMs: this.count ? this.min : 0,
      percentiles: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999) },
      histogram: histogram(sorted, this.index ? this.count / this.index : 1),
    };
  }
}
