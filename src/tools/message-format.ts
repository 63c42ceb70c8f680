/**
 * Kafka's DefaultMessageFormatter: which fields console-consumer prints and how. Field order is
 * fixed (timestamp, partition, offset, delivery, epoch, headers, key, value); after each printed
 * field comes key.separator if a later field is printed, else line.separator. Keys and values
 * are written as raw bytes, or through a deserializer named like Kafka's classes.
 */
import { walkHeaders, type ConsumedRecord, type RecordView } from '../client/consumer/fetcher.js';
import { Writer } from '../protocol/primitives.js';
import { UsageError } from '../util/errors.js';
import { ByteCopier } from '../util/byte-copier.js';
import { boolProperty } from '../util/properties.js';

/** An invalid formatter setting (--property, --formatter-config): a usage error. */
export class FormatterConfigError extends UsageError {
  override name = 'FormatterConfigError';
}

type Deserializer = (b: Buffer) => string | Buffer;

const raw: Deserializer = (b) => b;
const fixed = (size: number, read: (b: Buffer) => string, name: string): Deserializer => (b) => {
  if (b.length !== size) throw new Error(`Size of data received by ${name} is not ${size}`);
  return read(b);
};

/** Deserializers by Kafka class name (the common ones); unknown names are rejected. */
const DESERIALIZERS: Record<string, Deserializer> = {
  StringDeserializer: raw,
  ByteArrayDeserializer: raw,
  BytesDeserializer: raw,
  ByteBufferDeserializer: raw,
  VoidDeserializer: () => '',
  LongDeserializer: fixed(8, (b) => b.readBigInt64BE(0).toString(), 'LongDeserializer'),
  IntegerDeserializer: fixed(4, (b) => String(b.readInt32BE(0)), 'IntegerDeserializer'),
  ShortDeserializer: fixed(2, (b) => String(b.readInt16BE(0)), 'ShortDeserializer'),
  DoubleDeserializer: fixed(8, (b) => javaDouble(b.readDoubleBE(0)), 'DoubleDeserializer'),
  FloatDeserializer: fixed(4, (b) => javaDouble(b.readFloatBE(0)), 'FloatDeserializer'),
  UUIDDeserializer: (b) => b.toString('utf8'),
};

function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/**
 * A deserializer's result as a JSON value (--output json), or null for those that hand back the
 * bytes (String, ByteArray, Bytes, ByteBuffer), which the envelope writes as text or base64 as it
 * does without one. Numbers are JSON numbers, a long with all its digits (exact past 2^53, as
 * --output json writes 64-bit values elsewhere); NaN and the infinities, which JSON has no number
 * for, are strings, as Jackson writes them by default.
 */
export type JsonDeserializer = (b: Buffer) => string;

const float = (d: Deserializer, read: (b: Buffer) => number): JsonDeserializer => (b) => {
  const text = d(b) as string; // checks the size
  const n = read(b);
  return Number.isFinite(n) ? String(n) : JSON.stringify(text);
};
const JSON_DESERIALIZERS: Record<string, JsonDeserializer | null> = {
  StringDeserializer: null,
  ByteArrayDeserializer: null,
  BytesDeserializer: null,
  ByteBufferDeserializer: null,
  VoidDeserializer: () => 'null',
  LongDeserializer: (b) => DESERIALIZERS.LongDeserializer!(b) as string,
  IntegerDeserializer: (b) => DESERIALIZERS.IntegerDeserializer!(b) as string,
  ShortDeserializer: (b) => DESERIALIZERS.ShortDeserializer!(b) as string,
  DoubleDeserializer: float(DESERIALIZERS.DoubleDeserializer!, (b) => b.readDoubleBE(0)),
  FloatDeserializer: float(DESERIALIZERS.FloatDeserializer!, (b) => b.readFloatBE(0)),
  UUIDDeserializer: (b) => JSON.stringify(b.toString('utf8')),
};

function jsonDeserializer(className: string | undefined): JsonDeserializer | null {
  if (className === undefined) return null;
  deserializer(className); // refuses an unknown class
  return JSON_DESERIALIZERS[className.split('.').pop()!] ?? null;
}

function deserializer(className: string | undefined): Deserializer {
  if (className === undefined) return raw;
  const short = className.split('.').pop()!;
  const d = DESERIALIZERS[short];
  if (!d) throw new FormatterConfigError(`Unsupported deserializer ${className} (supported: ${Object.keys(DESERIALIZERS).join(', ')})`);
  return d;
}

export interface FormatterConfig {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printDelivery: boolean;
  printEpoch: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
  key: Deserializer;
  value: Deserializer;
  header: Deserializer;
  /** The deserializers as --output json writes their results (null: the envelope's text or base64). */
  json: { key: JsonDeserializer | null; value: JsonDeserializer | null; header: JsonDeserializer | null };
}

/** The default formatter's properties (Kafka's DefaultMessageFormatter). */
export const FORMATTER_KEYS: ReadonlySet<string> = new Set([
  'print.timestamp',
  'print.partition',
  'print.offset',
  'print.delivery',
  'print.epoch',
  'print.headers',
  'print.key',
  'print.value',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
  'key.deserializer',
  'value.deserializer',
  'headers.deserializer',
]);

/** `warn`: says a boolean given without a value is taken as false (boolProperty). */
export function formatterConfig(props: Record<string, string>, warn?: (line: string) => void): FormatterConfig {
  return {
    printTimestamp: boolProperty(props, 'print.timestamp', false, warn),
    printPartition: boolProperty(props, 'print.partition', false, warn),
    printOffset: boolProperty(props, 'print.offset', false, warn),
    printDelivery: boolProperty(props, 'print.delivery', false, warn),
    printEpoch: boolProperty(props, 'print.epoch', false, warn),
    printHeaders: boolProperty(props, 'print.headers', false, warn),
    printKey: boolProperty(props, 'print.key', false, warn),
    printValue: boolProperty(props, 'print.value', true, warn),
    keySeparator: Buffer.from(props['key.separator'] ?? '\t'),
    lineSeparator: Buffer.from(props['line.separator'] ?? '\n'),
    headersSeparator: Buffer.from(props['headers.separator'] ?? ','),
    nullLiteral: Buffer.from(props['null.literal'] ?? 'null'),
    key: deserializer(props['key.deserializer']),
    value: deserializer(props['value.deserializer']),
    header: deserializer(props['headers.deserializer']),
    json: { key: jsonDeserializer(props['key.deserializer']), value: jsonDeserializer(props['value.deserializer']), header: jsonDeserializer(props['headers.deserializer']) },
  };
}

/** Returns a function that appends one formatted record to a writer. */
export function defaultFormatter(cfg: FormatterConfig): (w: Writer, r: ConsumedRecord) => void {
  const fields: ((w: Writer, r: ConsumedRecord) => void)[] = [];
  const put = (w: Writer, v: string | Buffer) => (typeof v === 'string' ? w.raw(Buffer.from(v)) : w.raw(v));
  const bytes = (w: Writer, b: Buffer | null, d: Deserializer) => (b === null ? w.raw(cfg.nullLiteral) : put(w, d(b)));
  if (cfg.printTimestamp) fields.push((w, r) => put(w, `${r.timestampType}:${r.timestamp}`));
  if (cfg.printPartition) fields.push((w, r) => put(w, `Partition:${r.partition}`));
  if (cfg.printOffset) fields.push((w, r) => put(w, `Offset:${r.offset}`));
  if (cfg.printDelivery) fields.push((w) => put(w, 'Delivery:NOT_PRESENT'));
  // Kafka's console consumer hands the formatter a copy of each record without its leader epoch
  // (ConsoleConsumer.process: Optional.empty()), so print.epoch always prints NOT_PRESENT.
  if (cfg.printEpoch) fields.push((w) => put(w, 'Epoch:NOT_PRESENT'));
  if (cfg.printHeaders) {
    fields.push((w, r) => {
      if (r.headers.length === 0) return put(w, 'NO_HEADERS');
      r.headers.forEach((h, i) => {
        if (i > 0) w.raw(cfg.headersSeparator);
        put(w, h.key);
        put(w, ':');
        bytes(w, h.value, cfg.header);
      });
    });
  }
  if (cfg.printKey) fields.push((w, r) => bytes(w, r.key, cfg.key));
  if (cfg.printValue) fields.push((w, r) => bytes(w, r.value, cfg.value));
  const last = fields.length - 1;
  return (w, r) => {
    for (let i = 0; i <= last; i++) {
      fields[i]!(w, r);
      w.raw(i < last ? cfg.keySeparator : cfg.lineSeparator);
    }
  };
}

export const FORMATTERS = {
  default: ['org.apache.kafka.tools.consumer.DefaultMessageFormatter', 'kafka.tools.DefaultMessageFormatter'],
  logging: ['org.apache.kafka.tools.consumer.LoggingMessageFormatter', 'kafka.tools.LoggingMessageFormatter'],
  noop: ['org.apache.kafka.tools.consumer.NoOpMessageFormatter', 'kafka.tools.NoOpMessageFormatter'],
};

/**
 * A growing output buffer that formatters write into directly; `take()` hands the bytes written
 * so far to the sink and starts a fresh buffer (one allocation per chunk, none per record).
 */
export class OutBuffer {
  buf: Buffer;
  pos = 0;
  /** Copies records' bytes in (see ByteCopier: Buffer#copy costs more than copying ~100 bytes). */
  private readonly copier = new ByteCopier();

  constructor(private readonly size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  bytes(src: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    this.pos = this.copier.copy(src, start, end, this.buf, this.pos);
  }

  /**
   * Appends a whole buffer (separators, literals). TypedArray#set takes a whole buffer without a
   * view, and keeps the copier's cached source (the batch being printed): formats that put several
   * literals per record would otherwise make it build a view at each switch (--output json took
   * 1.55 s for 1M records instead of 0.86).
   */
  put(b: Buffer): void {
    this.ensure(b.length);
    if (b.length === 1) this.buf[this.pos++] = b[0]!;
    else {
      this.buf.set(b, this.pos);
      this.pos += b.length;
    }
  }

  /** Appends a string as UTF-8. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Appends an integer in decimal without making a string (int32 arithmetic: no float modulo). */
  int(n: number): void {
    if (n < 0 || !Number.isSafeInteger(n)) return this.text(String(n));
    this.ensure(16);
    if (n <= 0x7fffffff) {
      this.small(n, 0);
      return;
    }
    // Up to 2^53: the digits above the last 8, then the last 8 zero-padded (each fits an int32).
    const hi = Math.floor(n / 1e8);
    this.small(hi, 0);
    this.small(n - hi * 1e8, 8);
  }

  /** Writes a non-negative int32 with at least `width` digits. */
  private small(n: number, width: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    if (digits < width) digits = width;
    const buf = this.buf;
    let at = this.pos + digits;
    this.pos = at;
    for (let i = 0; i < digits; i++) {
      const q = (n / 10) | 0;
      buf[--at] = 48 + n - q * 10;
      n = q;
    }
  }

  get length(): number {
    return this.pos;
  }

  /** Buffers handed over by take() since the last handedOver(). */
  private handed: Buffer[] = [];
  /** Buffers the sink is done with (recycle), written into again before fresh ones are taken. */
  private readonly free: Buffer[] = [];

  /** The bytes written so far (handed over, not copied); the buffer starts afresh. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.handed.push(this.buf);
    this.buf = this.free.pop() ?? Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return out;
  }

  /** What take() handed over since the last call. */
  handedOver(): Buffer[] {
    const out = this.handed;
    this.handed = [];
    return out;
  }

  /**
   * Buffers handed over earlier (handedOver) that nothing refers to any more (their bytes have
   * left the process): take() writes into them again instead of into fresh memory, which the
   * kernel would fault in page by page. Grown ones (a record larger than a chunk) are dropped.
   */
  recycle(buffers: Buffer[]): void {
    for (const b of buffers) if (b.length === this.size && this.free.length < MAX_FREE_OUT) this.free.push(b);
  }
}

/**
 * Recycled output buffers kept (each one chunk): enough for a whole round of output (a fetch of up
 * to 8 MiB, ~30 chunks), which is given back at once after the round. With 8 kept, 1M x 100 B
 * took 247 fresh chunks instead of 33: memory the kernel faults in page by page and that drives
 * V8's garbage collections (~5% of console-consumer's time). At most ~15 MB are kept.
 */
const MAX_FREE_OUT = 48;

const CREATE_TIME = Buffer.from('CreateTime:');
const LOG_APPEND_TIME = Buffer.from('LogAppendTime:');

/**
 * The DefaultMessageFormatter over RecordViews (no per-record allocation), byte for byte the same
 * output as defaultFormatter; null when a deserializer other than the byte-copying ones is set
 * (then the record-object path formats).
 */
export function viewFormatter(cfg: FormatterConfig): ((o: OutBuffer, v: RecordView) => void) | null {
  if (cfg.key !== raw || cfg.value !== raw || cfg.header !== raw) return null;
  const fields: ((o: OutBuffer, v: RecordView) => void)[] = [];
  const lit = (s: string) => Buffer.from(s);
  const field = (o: OutBuffer, buf: Buffer, start: number, len: number) => (len < 0 ? o.put(cfg.nullLiteral) : o.bytes(buf, start, start + len));
  if (cfg.printTimestamp) {
    fields.push((o, v) => {
      o.put(v.timestampType === 'CreateTime' ? CREATE_TIME : LOG_APPEND_TIME);
      o.int(v.timestamp);
    });
  }
  if (cfg.printPartition) {
    const p = lit('Partition:');
    fields.push((o, v) => {
      o.put(p);
      o.int(v.partition);
    });
  }
  if (cfg.printOffset) {
    const p = lit('Offset:');
    fields.push((o, v) => {
      o.put(p);
      o.int(v.offset);
    });
  }
  if (cfg.printDelivery) {
    const p = lit('Delivery:NOT_PRESENT');
    fields.push((o) => o.put(p));
  }
  if (cfg.printEpoch) {
    // As defaultFormatter: Kafka's console consumer strips the leader epoch.
    const none = lit('Epoch:NOT_PRESENT');
    fields.push((o) => o.put(none));
  }
  if (cfg.printHeaders) {
    const none = lit('NO_HEADERS');
    fields.push((o, v) => {
      if (v.headerCount === 0) return o.put(none);
      let i = 0;
      walkHeaders(v, (ks, kl, vs, vl) => {
        if (i++ > 0) o.put(cfg.headersSeparator);
        // Header keys are strings (invalid UTF-8 becomes U+FFFD), as in the record-object path.
        o.text(v.buf.toString('utf8', ks, ks + kl));
        o.put(COLON);
        field(o, v.buf, vs, vl);
      });
    });
  }
  if (cfg.printKey) fields.push((o, v) => field(o, v.buf, v.keyStart, v.keyLen));
  if (cfg.printValue) fields.push((o, v) => field(o, v.buf, v.valueStart, v.valueLen));
  const last = fields.length - 1;
  if (last === 0 && cfg.printValue) {
    // The default: the value and a line separator.
    const sep = cfg.lineSeparator;
    return (o, v) => {
      field(o, v.buf, v.valueStart, v.valueLen);
      o.put(sep);
    };
  }
  return (o, v) => {
    for (let i = 0; i <= last; i++) {
      fields[i]!(o, v);
      o.put(i < last ? cfg.keySeparator : cfg.lineSeparator);
    }
  };
}

const COLON = Buffer.from(':');

/** Writes a non-null key or value [start, start + len) of v.buf its own way (schema formats decode it); may throw. */
export type ViewField = (o: OutBuffer, v: RecordView, start: number, len: number) => void;
export interface ViewSides {
  key?: ViewField;
  value?: ViewField;
}

/**
 * viewFormatter with the key and/or value written by `sides` (schema formats: decoded straight into
 * the output), the other fields as viewFormatter writes them; null when another side or the headers
 * need a deserializer.
 */
export function viewFormatterWith(cfg: FormatterConfig, sides: ViewSides): ((o: OutBuffer, v: RecordView) => void) | null {
  if ((cfg.key !== raw && !sides.key) || (cfg.value !== raw && !sides.value) || cfg.header !== raw) return null;
  // The fields before the key, each followed by the key separator (a key or value comes after them).
  const others = viewFormatter({ ...cfg, printKey: false, printValue: false, key: raw, value: raw, lineSeparator: cfg.keySeparator })!;
  const keyField = sides.key ?? ((o, v, s, l) => o.bytes(v.buf, s, s + l));
  const valueField = sides.value ?? ((o, v, s, l) => o.bytes(v.buf, s, s + l));
  const nul = cfg.nullLiteral;
  const { printKey, printValue, keySeparator: ks, lineSeparator: ls } = cfg;
  const before = cfg.printTimestamp || cfg.printPartition || cfg.printOffset || cfg.printDelivery || cfg.printEpoch || cfg.printHeaders;
  if (!printKey && !printValue) return viewFormatter({ ...cfg, key: raw, value: raw })!;
  if (!before && !printKey) {
    // The default: the value and a line separator.
    return (o, v) => {
      if (v.valueLen < 0) o.put(nul);
      else valueField(o, v, v.valueStart, v.valueLen);
      o.put(ls);
    };
  }
  return (o, v) => {
    if (before) others(o, v);
    if (printKey) {
      if (v.keyLen < 0) o.put(nul);
      else keyField(o, v, v.keyStart, v.keyLen);
      o.put(printValue ? ks : ls);
    }
    if (printValue) {
      if (v.valueLen < 0) o.put(nul);
      else valueField(o, v, v.valueStart, v.valueLen);
      o.put(ls);
    }
  };
}
