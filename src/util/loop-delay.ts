/**
 * Event-loop delay sampled only while asked to (the daemon: while requests come). A timer due every
 * `everyMs` records how late it ran. Node's monitorEventLoopDelay cannot pause: re-enabled, its
 * first sample spans the whole time it was off, so an idle hour showed as an hour's delay.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export class LoopDelaySampler {
  private readonly histogram: RecordableHistogram = createHistogram();
  private timer: NodeJS.Timeout | null = null;
  /** When the last sample was taken (or sampling started); null while stopped. */
  private last: number | null = null;

  constructor(
    private readonly everyMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get sampling(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.last = null;
  }

  /** The timer's tick: how much later than due it came (exported for tests, which drive the clock). */
  sample(): void {
    if (this.last === null) return;
    const t = this.now();
    const lateMs = Math.max(0, t - this.last - this.everyMs);
    this.last = t;
    // The histogram takes integers >= 1: microseconds, plus one.
    this.histogram.record(Math.round(lateMs * 1000) + 1);
  }

  /** Delay percentiles in ms over every sample so far (0 with none), and how many there were. */
  summary(): { p50Ms: number; p99Ms: number; maxMs: number; samples: number } {
    const h = this.histogram;
    if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
    const ms = (us: number) => Math.round(us - 1) / 1000;
    return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), samples: h.count };
  }
}
