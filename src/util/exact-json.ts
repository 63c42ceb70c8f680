/**
 * JSON whose integers keep every digit. JSON.parse reads 9007199254740993 as 9007199254740992
 * (Node 20 has no access to a number's source text), which would silently change a 64-bit
 * integer (an Avro long, a Protobuf int64) on its way through. parseJsonExact reads integers
 * that are not safe integers (written without a fraction or exponent) as bigint, and
 * stringifyJsonExact writes bigints back as their digits; anything else is as JSON.parse and
 * JSON.stringify have it.
 */

/** Integers past 2^53 have 16 digits or more: text without such a run parses as JSON.parse does. */
const LONG_DIGITS = /\d{16}/;
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
const NUMBER_START = /[-\d]/;

/** JSON.parse's result (and its SyntaxError for bad text), with unsafe integers as bigint. */
export function parseJsonExact(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return LONG_DIGITS.test(text) ? readValid(text) : value;
}

/** Reads text JSON.parse has accepted, so it checks nothing. */
function readValid(text: string): unknown {
  let p = 0;
  const ws = () => {
    while (p < text.length && (text[p] === ' ' || text[p] === '\t' || text[p] === '\n' || text[p] === '\r')) p++;
  };
  const string = (): string => {
    const s = p++;
    while (text[p] !== '"') p += text[p] === '\\' ? 2 : 1;
    p++;
    return JSON.parse(text.slice(s, p)) as string;
  };
  const value = (): unknown => {
    ws();
    const c = text[p]!;
    if (c === '"') return string();
    if (c === '{') {
      p++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[p] === '}') return p++, o;
      for (;;) {
        ws();
        const k = string();
        ws();
        p++; // :
        // An own property even for "__proto__", as JSON.parse makes it.
        Object.defineProperty(o, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[p++] === '}') return o;
      }
    }
    if (c === '[') {
      p++;
      const a: unknown[] = [];
      ws();
      if (text[p] === ']') return p++, a;
      for (;;) {
        a.push(value());
        ws();
        if (text[p++] === ']') return a;
      }
    }
    if (NUMBER_START.test(c)) {
      NUMBER.lastIndex = p;
      const m = NUMBER.exec(text)!;
      p += m[0].length;
      const n = Number(m[0]);
      return m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
    }
    const word = c === 't' ? true : c === 'f' ? false : null;
    p += word === null ? 4 : word ? 4 : 5;
    return word;
  };
  return value();
}

/** JSON.stringify with bigints written as their digits (JSON.stringify throws for them). */
export function stringifyJsonExact(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : stringifyJsonExact(x))).join(',')}]`;
  if (typeof v === 'object' && v !== null && !(typeof (v as { toJSON?: unknown }).toJSON === 'function')) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') parts.push(`${JSON.stringify(k)}:${stringifyJsonExact(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
