/**
 * A fast path for console-producer's Avro input: one line of Avro JSON scanned byte by byte
 * straight into Avro binary, guided by the schema, without JSON.parse's objects. It takes only
 * the plainest input (fields in schema order, ASCII strings without escapes, numbers, booleans,
 * null, wrapped unions, enums, nested records); anything else makes it give up (returns null)
 * and the line goes through JSON.parse and the general encoder, which also words the errors.
 */
import type { Type } from 'avsc';
import type { Out } from './avro-transcode.js';

/** Thrown (and caught below) when the line is not for the fast path. */
const GIVE_UP = Symbol('give up');

interface AvroTypeLike {
  typeName: string;
  branchName?: string;
  fields?: { name: string; type: AvroTypeLike }[];
  types?: AvroTypeLike[];
  symbols?: string[];
}

class Scan {
  b: Buffer = Buffer.alloc(0);
  p = 0;
  end = 0;
  ws(): void {
    const b = this.b;
    while (this.p < this.end && (b[this.p] === 0x20 || b[this.p] === 0x09)) this.p++;
  }
  /** Expects byte c (after whitespace). */
  eat(c: number): void {
    this.ws();
    if (this.b[this.p] !== c) throw GIVE_UP;
    this.p++;
  }
  /** Whether the next bytes are `lit` (after whitespace); consumes them if so. */
  lit(lit: Buffer): boolean {
    this.ws();
    const b = this.b;
    if (this.p + lit.length > this.end) return false;
    for (let k = 0; k < lit.length; k++) if (b[this.p + k] !== lit[k]) return false;
    this.p += lit.length;
    return true;
  }
  /** A string's bytes [start, end) without its quotes: ASCII without escapes only. */
  str(): number {
    this.eat(0x22);
    const b = this.b;
    const s = this.p;
    while (this.p < this.end) {
      const c = b[this.p]!;
      if (c === 0x22) {
        this.p++;
        return s;
      }
      if (c === 0x5c || c < 0x20 || c >= 0x80) throw GIVE_UP;
      this.p++;
    }
    throw GIVE_UP;
  }
  /** A number's text [start, p). */
  num(): number {
    this.ws();
    const b = this.b;
    const s = this.p;
    while (this.p < this.end) {
      const c = b[this.p]!;
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) this.p++;
      else break;
    }
    if (this.p === s) throw GIVE_UP;
    return s;
  }
}

type Enc = (sc: Scan, o: Out) => void;

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

function integer(sc: Scan, min: number, max: number): number {
  const s = sc.num();
  const b = sc.b;
  let k = s;
  const neg = b[k] === 0x2d;
  if (neg) k++;
  // JSON has no leading zeros; 15 digits stay exact.
  if (k === sc.p || sc.p - k > 15 || (b[k] === 0x30 && sc.p - k > 1)) throw GIVE_UP;
  let n = 0;
  for (; k < sc.p; k++) {
    const c = b[k]!;
    if (c < 0x30 || c > 0x39) throw GIVE_UP;
    n = n * 10 + (c - 0x30);
  }
  if (neg) n = -n;
  if (n < min || n > max) throw GIVE_UP;
  return n;
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A JSON number [s, e) of the form -?(0|[1-9]\d*)(\.\d+)? with at most 15 digits, as Number()
 * reads it: the digits m are exact, and so is 10^d, so m / 10^d (one correctly rounded division)
 * is the double nearest the decimal. NaN for anything else (exponents, more digits, bad syntax),
 * which the caller then reads the general way.
 */
function decimal(b: Buffer, s: number, e: number): number {
  let k = s;
  const neg = b[k] === 0x2d;
  if (neg) k++;
  if (k >= e || e - k > 16) return NaN;
  if (b[k] === 0x30 && k + 1 < e && b[k + 1] !== 0x2e) return NaN;
  let m = 0;
  let digits = 0;
  let decimals = -1;
  for (; k < e; k++) {
    const c = b[k]!;
    if (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 0x2e && decimals < 0 && digits > 0) decimals = 0;
    else return NaN;
  }
  if (decimals === 0 || digits > 15) return NaN;
  const v = decimals > 0 ? m / POW10[decimals]! : m;
  return neg ? -v : v;
}

function build(t: AvroTypeLike, seen: Map<AvroTypeLike, Enc>): Enc {
  const known = seen.get(t);
  if (known) return known;
  switch (t.typeName) {
    case 'null':
      return (sc) => {
        if (!sc.lit(NULL)) throw GIVE_UP;
      };
    case 'boolean':
      return (sc, o) => {
        const v = sc.lit(TRUE) ? 1 : sc.lit(FALSE) ? 0 : -1;
        if (v < 0) throw GIVE_UP;
        o.room(1);
        o.buf[o.pos++] = v;
      };
    case 'int':
      return (sc, o) => o.varint(integer(sc, -2147483648, 2147483647));
    case 'long':
      return (sc, o) => o.varint(integer(sc, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    case 'float':
    case 'double': {
      const size = t.typeName === 'float' ? 4 : 8;
      return (sc, o) => {
        const s = sc.num();
        let v = decimal(sc.b, s, sc.p);
        if (Number.isNaN(v)) {
          const text = sc.b.toString('latin1', s, sc.p);
          if (!JSON_NUMBER.test(text)) throw GIVE_UP;
          v = Number(text);
          if (!Number.isFinite(v)) throw GIVE_UP;
        }
        // A float past ±3.4e38 would be written as Infinity: the general path refuses it.
        if (size === 4 && !Number.isFinite(Math.fround(v))) throw GIVE_UP;
        o.room(size);
        o.pos = size === 4 ? o.buf.writeFloatLE(v, o.pos) : o.buf.writeDoubleLE(v, o.pos);
      };
    }
    case 'string':
      return (sc, o) => {
        const s = sc.str();
        const n = sc.p - 1 - s;
        o.varint(n);
        o.room(n);
        const buf = o.buf;
        const b = sc.b;
        let p = o.pos;
        for (let k = s; k < s + n; k++) buf[p++] = b[k]!;
        o.pos = p;
      };
    case 'enum': {
      const symbols = t.symbols!.map((x) => Buffer.from(x));
      return (sc, o) => {
        const s = sc.str();
        const n = sc.p - 1 - s;
        const b = sc.b;
        for (let k = 0; k < symbols.length; k++) {
          const sym = symbols[k]!;
          if (sym.length !== n) continue;
          let same = true;
          for (let j = 0; j < n && same; j++) same = sym[j] === b[s + j];
          if (same) return o.varint(k);
        }
        throw GIVE_UP;
      };
    }
    case 'record':
    case 'error': {
      const keys = t.fields!.map((f) => Buffer.from(JSON.stringify(f.name)));
      const encs: Enc[] = [];
      const e: Enc = (sc, o) => {
        sc.eat(0x7b);
        for (let k = 0; k < encs.length; k++) {
          if (k > 0) sc.eat(0x2c);
          if (!sc.lit(keys[k]!)) throw GIVE_UP;
          sc.eat(0x3a);
          encs[k]!(sc, o);
        }
        sc.eat(0x7d);
      };
      seen.set(t, e);
      for (const f of t.fields!) encs.push(build(f.type, seen));
      return e;
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = t.types!;
      const nullAt = branches.findIndex((b) => b.typeName === 'null');
      const keys = branches.map((b) => Buffer.from(JSON.stringify(b.branchName ?? b.typeName)));
      const encs: Enc[] = [];
      const e: Enc = (sc, o) => {
        if (sc.lit(NULL)) {
          if (nullAt < 0) throw GIVE_UP;
          return o.varint(nullAt);
        }
        sc.eat(0x7b);
        for (let k = 0; k < branches.length; k++) {
          if (k === nullAt || !sc.lit(keys[k]!)) continue;
          sc.eat(0x3a);
          o.varint(k);
          encs[k]!(sc, o);
          sc.eat(0x7d);
          return;
        }
        throw GIVE_UP;
      };
      seen.set(t, e);
      for (const b of branches) encs.push(b.typeName === 'null' ? () => {} : build(b, seen));
      return e;
    }
    default:
      // arrays, maps, bytes, fixed: the general path.
      return () => {
        throw GIVE_UP;
      };
  }
}

/** Line bytes → Avro bytes written into `out` (from its current position), or false to take the general path. */
export function avroScanner(type: Type): (line: Buffer, out: Out) => boolean {
  const enc = build(type as unknown as AvroTypeLike, new Map());
  const sc = new Scan();
  return (line, out) => {
    sc.b = line;
    sc.p = 0;
    sc.end = line.length;
    const start = out.pos;
    try {
      enc(sc, out);
      sc.ws();
      if (sc.p !== sc.end) throw GIVE_UP;
      return true;
    } catch (e) {
      if (e !== GIVE_UP) throw e;
      out.pos = start;
      return false;
    }
  };
}
