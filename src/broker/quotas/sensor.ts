/**
 * A rate over sampled windows, as Kafka's metrics library measures quotas (SampledStat + Rate):
 * `samples` windows of `windowMs` each (quota.window.num = 11, quota.window.size.seconds = 1).
 * A value goes into the current window; a window older than samples × windowMs is reset. The rate
 * is the sum over the windows divided by the time they span, never less than samples − 1 full
 * windows (so a new sensor does not read a burst as an enormous rate).
 *
 * Kafka's throttle time (QuotaUtils.throttleTime): how long the client must stay quiet for the
 * rate over the same span to come back to the bound: (rate − bound) / bound × span.
 */
interface Sample {
  start: number;
  value: number;
}

export class RateSensor {
  private readonly samples: Sample[] = [];
  private current = 0;
  /** When a value was last recorded (idle sensors are dropped). */
  lastRecordMs = 0;

  constructor(
    readonly numSamples: number,
    readonly windowMs: number,
  ) {}

  record(value: number, nowMs: number): void {
    this.lastRecordMs = nowMs;
    let s = this.samples[this.current];
    if (!s) {
      s = { start: nowMs, value: 0 };
      this.samples[this.current] = s;
    } else if (nowMs - s.start >= this.windowMs) {
      this.current = (this.current + 1) % this.numSamples;
      s = this.samples[this.current];
      if (!s) this.samples[this.current] = s = { start: nowMs, value: 0 };
      else {
        s.start = nowMs;
        s.value = 0;
      }
    }
    s.value += value;
  }

  private purge(nowMs: number): void {
    const expireAge = this.numSamples * this.windowMs;
    for (const s of this.samples) {
      if (nowMs - s.start >= expireAge) {
        s.start = nowMs;
        s.value = 0;
      }
    }
  }

  /** The span (ms) the rate is measured over: from the oldest window's start, at least samples − 1 windows. */
  windowSizeMs(nowMs: number): number {
    this.purge(nowMs);
    let oldest = nowMs;
    for (const s of this.samples) oldest = Math.min(oldest, s.start);
    let elapsed = nowMs - oldest;
    const full = Math.floor(elapsed / this.windowMs);
    const minFull = this.numSamples - 1;
    if (full < minFull) elapsed += (minFull - full) * this.windowMs;
    return elapsed;
  }

  /** The rate per second. */
  rate(nowMs: number): number {
    this.purge(nowMs);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSizeMs(nowMs) / 1000);
  }

  /**
   * Records `value` and returns the throttle time (ms) Kafka would answer when the rate now
   * exceeds `bound` (0 when it does not), at most `maxMs`.
   */
  recordAndThrottle(value: number, bound: number, nowMs: number, maxMs = Infinity): number {
    this.record(value, nowMs);
    const rate = this.rate(nowMs);
    if (rate <= bound) return 0;
    // A bound of 0 (nothing allowed): quiet for the whole span, rather than Kafka's near-forever.
    const span = this.windowSizeMs(nowMs);
    const ms = bound > 0 ? Math.round(((rate - bound) / bound) * span) : span;
    return Math.min(ms, maxMs);
  }
}
