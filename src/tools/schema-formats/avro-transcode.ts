/**
 * Avro binary straight to Avro's JSON encoding, by a reader built once per schema: no decoded
 * object, no intermediate strings for ASCII text (console-consumer's hot path; the output is what
 * avsc's fromBuffer + toString give, which the unit test checks). The JSON is written into a
 * scratch buffer that the next record reuses: a caller copies it or writes it out at once.
 */
import type { Type } from 'avsc';

export class Out {
  buf = Buffer.allocUnsafe(4096);
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
}

class In {
  p = 0;
  b: Buffer = Buffer.alloc(0);
  need(n: number): void {
    if (n < 0 || this.p + n > this.b.length) throw new Error('truncated data');
  }
  long(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const byte = this.b[this.p++]!;
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      mul *= 128;
    }
    throw new Error('invalid varint');
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
    case 'long':
      return (i, o) => o.ascii(String(i.long()));
    case 'float':
      return (i, o) => {
        i.need(4);
        num(o, i.b.readFloatLE(i.p));
        i.p += 4;
      };
    case 'double':
      return (i, o) => {
        i.need(8);
        num(o, i.b.readDoubleLE(i.p));
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
  let read: Reader;
  try {
    read = build(type as unknown as AvroTypeLike, new Map());
  } catch {
    return null;
  }
  const out = new Out();
  const i = new In();
  return (b, start) => {
    i.b = b;
    i.p = start;
    out.pos = 0;
    read(i, out);
    if (i.p !== b.length) throw new Error(`${b.length - i.p} trailing bytes`);
    return out.buf.subarray(0, out.pos);
  };
}
