import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter, parseLine, readerConfig, ReaderConfigError } from '../../../src/tools/line-reader.js';

const split = (chunks: string[]) => {
  const s = new LineSplitter();
  const out = chunks.flatMap((c) => s.push(Buffer.from(c)).map((b) => b.toString()));
  const last = s.end();
  if (last) out.push(last.toString());
  return out;
};

describe('LineSplitter', () => {
  it('splits on \\n, \\r and \\r\\n, keeping empty lines', () => {
    expect(split(['a\nb\r\nc\rd\n\ne'])).toEqual(['a', 'b', 'c', 'd', '', 'e']);
  });

  it('handles terminators split across chunks', () => {
    expect(split(['ab\r', '\ncd\r', 'ef\n'])).toEqual(['ab', 'cd', 'ef']);
    expect(split(['x', 'y', '\n'])).toEqual(['xy']);
  });

  it('gives the same lines however the input is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\r\n', 'é'), { maxLength: 60 }), fc.array(fc.nat(10), { maxLength: 8 }), (parts, cuts) => {
        const text = parts.join('');
        const whole = split([text]);
        const chunks: string[] = [];
        let rest = text;
        for (const c of cuts) {
          chunks.push(rest.slice(0, c));
          rest = rest.slice(c);
        }
        chunks.push(rest);
        expect(split(chunks)).toEqual(whole);
      }),
    );
  });
});

describe('parseLine (Kafka LineMessageReader rules)', () => {
  const cfg = (p: Record<string, string>) => readerConfig(p);
  const str = (b: Buffer | null) => (b === null ? null : b.toString());

  it('reads the whole line as the value by default; empty lines are empty values', () => {
    const r = parseLine(Buffer.from('k\tv'), cfg({}), 1);
    expect([r.key, str(r.value)]).toEqual([null, 'k\tv']);
    expect(str(parseLine(Buffer.alloc(0), cfg({}), 1).value)).toBe('');
  });

  it('splits key and value at the first key.separator', () => {
    const r = parseLine(Buffer.from('k1::v::x'), cfg({ 'parse.key': 'true', 'key.separator': '::' }), 1);
    expect([str(r.key), str(r.value)]).toEqual(['k1', 'v::x']);
  });

  it('reports a missing key separator with the line number, or tolerates it with ignore.error', () => {
    expect(() => parseLine(Buffer.from('novalue'), cfg({ 'parse.key': 'TRUE ' }), 3)).toThrow("No key separator found on line number 3: 'novalue'");
    const r = parseLine(Buffer.from('novalue'), cfg({ 'parse.key': 'true', 'ignore.error': 'true' }), 3);
    expect([r.key, str(r.value)]).toEqual([null, 'novalue']);
  });

  it('parses headers with a regex separator and null markers', () => {
    const c = cfg({ 'parse.headers': 'true', 'parse.key': 'true', 'headers.separator': '[,;]', 'null.marker': 'NULL' });
    const r = parseLine(Buffer.from('h1:a;h2:NULL,h3:c\tkey\tNULL'), c, 1);
    expect(r.headers.map((h) => [h.key, str(h.value)])).toEqual([
      ['h1', 'a'],
      ['h2', null],
      ['h3', 'c'],
    ]);
    expect([str(r.key), r.value]).toEqual(['key', null]);
    expect(parseLine(Buffer.from('NULL\tk\tv'), c, 1).headers).toEqual([]);
    expect(() => parseLine(Buffer.from('NULL:x\tk\tv'), c, 2)).toThrow("Header keys should not be equal to the null marker 'NULL' as they can't be null");
    expect(() => parseLine(Buffer.from('bad\tk\tv'), c, 4)).toThrow("No header key separator found in pair 'bad' on line number 4");
  });

  it('rejects conflicting separator settings', () => {
    expect(() => readerConfig({ 'parse.headers': 'true', 'headers.delimiter': ',', 'headers.separator': ',' })).toThrow(ReaderConfigError);
    expect(() => readerConfig({ 'null.marker': '\t' })).toThrow('null.marker and key.separator may not be equal');
  });

  it('keeps non-UTF-8 bytes of values untouched', () => {
    const line = Buffer.from([0x6b, 0x09, 0xff, 0xfe, 0x00]);
    const r = parseLine(line, cfg({ 'parse.key': 'true' }), 1);
    expect([...r.value!]).toEqual([0xff, 0xfe, 0x00]);
  });
});
