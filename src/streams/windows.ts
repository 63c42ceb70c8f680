/**
 * Time windows (Kafka's TimeWindows and JoinWindows) and windowed keys.
 *
 * A TimeWindows of size S advancing by A puts a record with timestamp t into every window
 * [start, start + S) with start a multiple of A and start <= t < start + S (tumbling when A == S).
 * A window closes when stream time passes its end plus the grace period; a record for a closed
 * window is dropped (Kafka logs "Skipping record for expired window").
 */
import { readInt64, writeInt64, type Serde } from './serdes.js';
import { SerializationError } from './errors.js';

/** Kafka's default grace before 3.0 (24h) is gone: `ofSizeWithNoGrace` means 0, `ofSizeAndGrace` says it. */
export class Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
  toString(): string {
    return `Window{startMs=${this.start}, endMs=${this.end}}`;
  }
}

/** A key with the window it was aggregated in. */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}
  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`;
  }
}

function checkMs(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) throw new RangeError(`${name} must be a non-negative integer of milliseconds, got ${v}`);
  return v;
}

export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    if (checkMs('window size', sizeMs) === 0) throw new RangeError('window size must be larger than zero');
    return new TimeWindows(sizeMs, sizeMs, 0);
  }
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    if (checkMs('window size', sizeMs) === 0) throw new RangeError('window size must be larger than zero');
    return new TimeWindows(sizeMs, sizeMs, checkMs('grace period', graceMs));
  }
  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    if (checkMs('advance', advanceMs) === 0 || advanceMs > this.sizeMs) {
      throw new RangeError(`Window advancement interval should be more than zero and less than window duration which is ${this.sizeMs} ms, but given advancement interval is: ${advanceMs} ms`);
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }
  size(): number {
    return this.sizeMs;
  }
  gracePeriodMs(): number {
    return this.graceMs;
  }
  /** The windows a timestamp falls in, by start time, ascending. */
  windowsFor(timestamp: number): Window[] {
    let start = Math.max(0, timestamp - this.sizeMs + this.advanceMs);
    start -= start % this.advanceMs;
    const out: Window[] = [];
    for (; start <= timestamp; start += this.advanceMs) out.push(new Window(start, start + this.sizeMs));
    return out;
  }
}

/** A stream–stream join matches records whose timestamps differ by at most before/after (Kafka's JoinWindows). */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}
  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    checkMs('time difference', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, 0);
  }
  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs('time difference', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, checkMs('grace period', graceMs));
  }
  before(ms: number): JoinWindows {
    return new JoinWindows(checkMs('before', ms), this.afterMs, this.graceMs);
  }
  after(ms: number): JoinWindows {
    return new JoinWindows(this.beforeMs, checkMs('after', ms), this.graceMs);
  }
  size(): number {
    return this.beforeMs + this.afterMs;
  }
  gracePeriodMs(): number {
    return this.graceMs;
  }
}

/**
 * Kafka's time-windowed key format (TimeWindowedSerializer): the inner key's bytes, then the
 * window start as 8 bytes big-endian. The end is start + window size, which the deserializer is told.
 */
export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  return {
    serdeName: `TimeWindowed(${inner.serdeName ?? 'Custom'})`,
    serialize(topic, data) {
      if (data === null || data === undefined) return null;
      const k = inner.serialize(topic, data.key) ?? new Uint8Array(0);
      const out = new Uint8Array(k.length + 8);
      out.set(k, 0);
      writeInt64(new DataView(out.buffer), k.length, data.window.start);
      return out;
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      if (data.length < 8) throw new SerializationError('time-windowed key shorter than its 8-byte window start');
      const start = readInt64(new DataView(data.buffer, data.byteOffset, data.byteLength), data.length - 8);
      const key = inner.deserialize(topic, data.subarray(0, data.length - 8)) as K;
      return new Windowed(key, new Window(start, start + windowSizeMs));
    },
  };
}
