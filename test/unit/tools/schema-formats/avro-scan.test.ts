/**
 * The Avro input fast path writes exactly the bytes avsc writes for the same Avro JSON, over
 * random values of a schema with every type it takes (and gives up, leaving the output as it
 * was, on anything else: escapes, other field orders, arrays, leading zeros, invalid JSON).
 */
import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { avroScanner } from '../../../../src/tools/schema-formats/avro-scan.js';
import { Out } from '../../../../src/tools/schema-formats/avro-transcode.js';

const schema = {
  type: 'record',
  name: 'Row',
  namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'n', type: 'int' },
    { name: 'user', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'ratio', type: 'float' },
    { name: 'ok', type: 'boolean' },
    { name: 'nothing', type: 'null' },
    { name: 'colour', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'tag', type: ['null', 'string', 'long'] },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: ['null', 'bench.Inner2'] }] } },
  ],
};
const inner2 = { type: 'record', name: 'Inner2', namespace: 'bench', fields: [{ name: 'y', type: 'int' }] };

describe('avroScanner', () => {
  const registry = {};
  avro.Type.forSchema(inner2 as never, { registry });
  const type = avro.Type.forSchema(schema as never, { registry });
  const scan = avroScanner(type);
  const run = (line: string): Buffer | null => {
    const out = new Out();
    out.ascii('HDR');
    return scan(Buffer.from(line), out) ? out.buf.subarray(3, out.pos) : out.pos === 3 ? null : Buffer.from('corrupt');
  };
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, 'a');

  it('matches avsc on 2,000 random records (ASCII strings), compact and spaced out', () => {
    let fast = 0;
    for (let k = 0; k < 2000; k++) {
      const r = type.random() as Record<string, unknown>;
      r.user = ascii(r.user as string);
      if (typeof r.tag === 'string') r.tag = ascii(r.tag);
      r.ratio = Math.fround(r.ratio as number);
      const json = type.toString(r);
      const expected = type.toBuffer(type.fromString(json));
      const got = run(json);
      if (got) {
        fast++;
        expect(got.equals(expected), json).toBe(true);
      }
      const spaced = run(json.replace(/([,:{])/g, '$1 ').replace(/}/g, ' }'));
      if (spaced) expect(spaced.equals(expected)).toBe(true);
    }
    // Nearly every random line takes the fast path (numbers in exponent form may not).
    expect(fast).toBeGreaterThan(1500);
  });

  it('gives up, writing nothing, on what it does not take', () => {
    const good = { id: 1, n: 2, user: 'u', score: 1.5, ratio: 0.5, ok: true, nothing: null, colour: 'RED', tag: null, inner: { x: null } };
    const line = (o: object) => JSON.stringify(o);
    expect(run(line(good))).not.toBeNull();
    for (const bad of [
      line({ ...good, user: 'é' }),
      line({ ...good, user: 'a\\"b' }),
      line({ n: 2, id: 1, user: 'u', score: 1.5, ratio: 0.5, ok: true, nothing: null, colour: 'RED', tag: null, inner: { x: null } }),
      line({ ...good, colour: 'PINK' }),
      line({ ...good, tag: 'x' }),
      line({ ...good, n: 2 ** 31 }),
      line(good).replace('"id":1', '"id":01'),
      line(good).replace('"score":1.5', '"score":.5'),
      `${line(good)} x`,
      line(good).slice(0, -1),
    ]) {
      expect(run(bad), bad).toBeNull();
    }
  });
});
