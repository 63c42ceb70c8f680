/**
 * Avro binary straight to Avro's JSON encoding, by a reader built once per schema: no decoded
 * object, no intermediate strings for ASCII text (console-consumer's hot path; the output is what
 * avsc's fromBuffer + toString give, which the unit test checks, but for floats: printed as Avro's
 * Java encoder prints them, see shortestFloat32). The JSON is written into a
 * scratch buffer that the next record reuses: a caller copies it or writes it out at once.
 */
import type { Type } from 'avsc';
import { shortestFloat32 } from '../../util/float32.js';

export class Out {
  buf: Buffer = Buffer.allocUnsafe(4096);
  pos = 0;
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  // Byte loops rather than Buffer#copy / #write: values here are a few bytes, where the
  // native calls' overhead is most of the cost.
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) buf[p++] = b[k]!;
    this.pos = p;
  }
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) buf[p++] = s.charCodeAt(k);
    this.pos = p;
  }
  text(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  /** An integer in decimal, digit by digit (no string) while it fits 32 bits. */
  int(n: number): void {
    if (n < 0 || n > 0x7fffffff) {
      if (n < 0 && n >= -0x7fffffff) {
        this.room(1);
        this.buf[this.pos++] = 0x2d;
        n = -n;
      } else return this.ascii(String(n));
    }
    let digits = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
    this.room(digits);
    const buf = this.buf;
    let at = this.pos + digits;
    this.pos = at;
    for (let k = 0; k < digits; k++) {
      const q = (n / 10) | 0;
      buf[--at] = 48 + n - q * 10;
      n = q;
    }
  }
  /** Avro's int and long: zig-zag, then 7 bits a byte (arithmetic, so beyond 32 bits too). */
  varint(n: number): void {
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    this.room(10);
    const buf = this.buf;
    let p = this.pos;
    while (z >= 0x80) {
      buf[p++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    buf[p++] = z;
    this.pos = p;
  }
  /** varint for a long past 2^53 (a bigint within the signed 64-bit range). */
  varintBig(n: bigint): void {
    let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
    this.room(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }
}

class In {
  p = 0;
  /** Where the payload ends (a record's value inside a fetched batch ends before the buffer does). */
  end = 0;
  b: Buffer = Buffer.alloc(0);
  need(n: number): void {
    if (n < 0 || this.p + n > this.end) throw new Error('truncated data');
  }
  long(): number {
    let n = 0;
    let mul = 1;
    const b = this.b;
    for (let i = 0; i < 10; i++) {
      if (this.p >= this.end) throw new Error('truncated data');
      const byte = b[this.p++]!;
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      mul *= 128;
    }
    throw new Error('invalid varint');
  }
  /**
   * An Avro long in decimal, exact over the whole 64-bit range: long() is exact while the
   * zig-zag value stays within 2^53 (so |n| < 2^52); beyond, the varint is read again as a bigint.
   */
  longText(o: Out): void {
    const start = this.p;
    const n = this.long();
    if (n < 2 ** 52 && n > -(2 ** 52)) return o.int(n);
    let z = 0n;
    for (let p = start, shift = 0n; p < this.p; p++, shift += 7n) z |= BigInt(this.b[p]! & 0x7f) << shift;
    z = BigInt.asUintN(64, z);
    o.ascii(((z >> 1n) ^ -(z & 1n)).toString());
  }
}

type Reader = (i: In, o: Out) => void;

interface AvroTypeLike {
  typeName: string;
  branchName?: string;
  fields?: { name: string; type: AvroTypeLike }[];
  itemsType?: AvroTypeLike;
  valuesType?: AvroTypeLike;
  types?: AvroTypeLike[];
  symbols?: string[];
  size?: number;
}

const NUL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const num = (o: Out, v: number) => o.ascii(Number.isFinite(v) ? String(v) : 'null');

/**
 * A double as String(v) writes it, without the string when it has at most 6 decimals and
 * |v| < 1e9: the fewest decimals d whose nearest decimal m / 10^d is v is the shortest
 * round-trip form (10^-d is above v's ulp there, so it is the only one), which String prints
 * in fixed notation (1e-6 <= |v| < 1e21). Anything else goes through String.
 */
function double(o: Out, v: number): void {
  const a = v < 0 ? -v : v;
  if (a < 1e9) {
    if (Number.isInteger(a)) return o.int(v);
    if (a >= 1e-6) {
      let scale = 10;
      for (let d = 1; d <= 6; d++, scale *= 10) {
        const m = Math.round(a * scale);
        if (m / scale !== a) continue;
        const frac = m % scale;
        o.room(d + 2);
        if (v < 0) o.buf[o.pos++] = 0x2d;
        o.int((m - frac) / scale);
        o.room(d + 1);
        const buf = o.buf;
        let at = o.pos + d;
        buf[o.pos] = 0x2e;
        o.pos = at + 1;
        for (let f = frac, k = 0; k < d; k++, at--) {
          const q = (f / 10) | 0;
          buf[at] = 48 + f - q * 10;
          f = q;
        }
        return;
      }
    }
  }
  num(o, v);
}

/** Writes a JSON string of bytes [s, e): ASCII without escapes is copied as it is. */
function stringJson(i: In, o: Out, s: number, e: number): void {
  const b = i.b;
  let plain = true;
  for (let k = s; k < e; k++) {
    const c = b[k]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {
    o.room(e - s + 2);
    const buf = o.buf;
    let p = o.pos;
    buf[p++] = 0x22;
    if (e - s > 64) p += b.copy(buf, p, s, e);
    else for (let k = s; k < e; k++) buf[p++] = b[k]!;
    buf[p++] = 0x22;
    o.pos = p;
  } else o.text(JSON.stringify(b.toString('utf8', s, e)));
}

function build(t: AvroTypeLike, seen: Map<AvroTypeLike, Reader>): Reader {
  const known = seen.get(t);
  if (known) return known;
  switch (t.typeName) {
    case 'null':
      return (_i, o) => o.bytes(NUL);
    case 'boolean':
      return (i, o) => {
        i.need(1);
        o.bytes(i.b[i.p++] ? TRUE : FALSE);
      };
    case 'int':
      return (i, o) => o.int(i.long());
    case 'long':
      return (i, o) => i.longText(o);
    case 'float':
      return (i, o) => {
        i.need(4);
        num(o, shortestFloat32(i.b.readFloatLE(i.p)));
        i.p += 4;
      };
    case 'double':
      return (i, o) => {
        i.need(8);
        double(o, i.b.readDoubleLE(i.p));
        i.p += 8;
      };
    case 'string':
      return (i, o) => {
        const n = i.long();
        i.need(n);
        stringJson(i, o, i.p, i.p + n);
        i.p += n;
      };
    case 'bytes':
    case 'fixed': {
      const size = t.typeName === 'fixed' ? t.size! : -1;
      return (i, o) => {
        const n = size >= 0 ? size : i.long();
        i.need(n);
        o.text(JSON.stringify(i.b.toString('latin1', i.p, i.p + n)));
        i.p += n;
      };
    }
    case 'enum': {
      const symbols = t.symbols!.map((s) => Buffer.from(JSON.stringify(s)));
      return (i, o) => {
        const k = i.long();
        const s = symbols[k];
        if (!s) throw new Error(`enum index ${k} out of range`);
        o.bytes(s);
      };
    }
    case 'array':
    case 'map': {
      const isMap = t.typeName === 'map';
      let item: Reader = () => {};
      const r: Reader = (i, o) => {
        o.ascii(isMap ? '{' : '[');
        let first = true;
        for (;;) {
          let count = i.long();
          if (count === 0) break;
          if (count < 0) {
            count = -count;
            i.long();
          }
          for (let k = 0; k < count; k++) {
            if (!first) o.ascii(',');
            first = false;
            if (isMap) {
              const n = i.long();
              i.need(n);
              stringJson(i, o, i.p, i.p + n);
              i.p += n;
              o.ascii(':');
            }
            item(i, o);
          }
        }
        o.ascii(isMap ? '}' : ']');
      };
      seen.set(t, r);
      item = build((isMap ? t.valuesType : t.itemsType)!, seen);
      return r;
    }
    case 'record':
    case 'error': {
      const prefixes = t.fields!.map((f, k) => Buffer.from(`${k ? ',' : '{'}${JSON.stringify(f.name)}:`));
      const readers: Reader[] = [];
      const r: Reader = (i, o) => {
        for (let k = 0; k < readers.length; k++) {
          o.bytes(prefixes[k]!);
          readers[k]!(i, o);
        }
        o.ascii(readers.length ? '}' : '{}');
      };
      seen.set(t, r);
      for (const f of t.fields!) readers.push(build(f.type, seen));
      return r;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = t.types!;
      const keys = branches.map((b) => Buffer.from(`{${JSON.stringify(b.branchName ?? b.typeName)}:`));
      const readers: Reader[] = [];
      const r: Reader = (i, o) => {
        const k = i.long();
        const b = branches[k];
        if (!b) throw new Error(`union branch ${k} out of range`);
        if (b.typeName === 'null') return o.bytes(NUL);
        o.bytes(keys[k]!);
        readers[k]!(i, o);
        o.ascii('}');
      };
      seen.set(t, r);
      for (const b of branches) readers.push(build(b, seen));
      return r;
    }
    default:
      throw new Error(`no transcoder for Avro type ${t.typeName}`);
  }
}

/**
 * A function from Avro bytes (at `start`, to the end) to their JSON; null when the schema has a
 * type this reader does not know (then avsc decodes). Throws for bytes that do not match.
 */
export function avroTranscoder(type: Type): ((b: Buffer, start: number) => Buffer) | null {
  const into = avroTranscoderInto(type);
  if (!into) return null;
  const out = new Out();
  return (b, start) => {
    out.pos = 0;
    into(b, start, b.length, out);
    return out.buf.subarray(0, out.pos);
  };
}

/** Something JSON is appended to at `pos` (console-consumer's output buffer): `buf` may be replaced by a larger one. */
export interface OutTarget {
  buf: Buffer;
  pos: number;
}

/**
 * Avro bytes [start, end) to their JSON appended straight to `target` (no scratch copy); null as
 * for avroTranscoder. On a throw, `target` is left as it was (what was written is not counted).
 */
export function avroTranscoderInto(type: Type): ((b: Buffer, start: number, end: number, target: OutTarget) => void) | null {
  let read: Reader;
  try {
    read = build(type as unknown as AvroTypeLike, new Map());
  } catch {
    return null;
  }
  const out = new Out();
  const scratch = out.buf;
  const i = new In();
  return (b, start, end, target) => {
    i.b = b;
    i.p = start;
    i.end = end;
    out.buf = target.buf;
    out.pos = target.pos;
    try {
      read(i, out);
      if (i.p !== end) throw new Error(`${end - i.p} trailing bytes`);
      target.buf = out.buf;
      target.pos = out.pos;
    } finally {
      // The target's buffer is not kept here: it is handed to the sink once written.
      out.buf = scratch;
    }
  };
}
