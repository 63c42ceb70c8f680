import { describe, expect, it } from 'vitest';
import { API_BY_KEY } from '../../../src/protocol/apis/index.js';
import * as data from '../../../src/protocol/data/index.js';
import { Reader, Writer } from '../../../src/protocol/primitives.js';
import { compileStruct, inRange, isFlexible, type FieldDef, type Struct } from '../../../src/protocol/schema.js';
import { seeded } from '../../helpers/random.js';

/** A deterministic pseudo-random sample value for every field present at `version`. */
function sample(fields: readonly FieldDef[], version: number, rng: ReturnType<typeof seeded>): Struct {
  const next = rng.bits;
  const value = (f: FieldDef, type: string): unknown => {
    const nullable = inRange(version, f.nullable);
    if (nullable && next() % 5 === 0) return null;
    switch (type) {
      case 'bool':
        return next() % 2 === 0;
      case 'int8':
        return (next() % 256) - 128;
      case 'int16':
        return (next() % 65536) - 32768;
      case 'uint16':
        return next() % 65536;
      case 'int32':
        return next() - 1073741824;
      case 'uint32':
        return next() * 2;
      case 'int64':
        return next() * 1000003 - 5;
      case 'float64':
        return next() / 7;
      case 'string':
        return `s${next() % 1000}-é`;
      case 'bytes':
      case 'records':
        return Buffer.from([next() % 256, 1, 2, 3]);
      case 'uuid':
        return Buffer.alloc(16, next() % 256);
      default:
        throw new Error(type);
    }
  };
  const out: Struct = {};
  for (const f of fields) {
    if (!inRange(version, f.versions)) continue;
    if (f.type === 'struct') out[f.name] = inRange(version, f.nullable) && next() % 2 === 0 ? null : sample(f.fields!, version, rng);
    else if (f.type === 'array') {
      if (inRange(version, f.nullable) && next() % 7 === 0) out[f.name] = null;
      else
        out[f.name] = Array.from({ length: 1 + (next() % 3) }, () =>
          f.fields ? sample(f.fields, version, rng) : value({ ...f, nullable: undefined }, f.items!),
        );
    } else out[f.name] = value(f, f.type);
  }
  return out;
}

function roundTrip(fields: readonly FieldDef[], version: number, flexible: boolean, seedValue: number) {
  const codec = compileStruct(fields, version, flexible);
  const original = sample(fields, version, seeded(seedValue));
  const w = new Writer(16);
  codec.encode(w, original);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const decoded = codec.decode(r);
  expect(r.remaining).toBe(0);
  const w2 = new Writer(16);
  codec.encode(w2, decoded);
  expect(w2.toBuffer().equals(bytes)).toBe(true);
}

describe('every API schema round-trips at every version', () => {
  for (const api of API_BY_KEY.values()) {
    it(`${api.name} (key ${api.key}) v${api.versions[0]}-${api.versions[1]}`, () => {
      for (let v = api.versions[0]; v <= api.versions[1]; v++) {
        for (const seed of [1, 2, 3]) {
          roundTrip(api.request, v, isFlexible(api, v), seed * 7919 + v);
          roundTrip(api.response, v, isFlexible(api, v), seed * 104729 + v);
        }
      }
    });
  }
  for (const def of Object.values(data)) {
    it(`data format ${def.name}`, () => {
      for (let v = def.versions[0]; v <= def.versions[1]; v++) roundTrip(def.fields, v, isFlexible(def, v), 31 + v);
    });
  }
});

describe('schema semantics', () => {
  it('fills absent fields with their defaults when decoding an old version', () => {
    const fetch = API_BY_KEY.get(1)!;
    const codec = compileStruct(fetch.request, 0, false);
    const w = new Writer();
    codec.encode(w, { replicaId: -1, maxWaitMs: 500, minBytes: 1, topics: [] });
    const decoded = codec.decode(new Reader(w.toBuffer()));
    expect(decoded.maxBytes).toBe(0x7fffffff);
    expect(decoded.isolationLevel).toBe(0);
    expect(decoded.sessionEpoch).toBe(-1);
  });

  it('omits tagged fields equal to their default and skips unknown tags', () => {
    const apiVersions = API_BY_KEY.get(18)!;
    const codec = compileStruct(apiVersions.response, 3, true);
    const w = new Writer();
    codec.encode(w, { errorCode: 0, apiKeys: [], throttleTimeMs: 0 });
    // errorCode int16, compact array (1 byte), throttle int32, empty tag section.
    expect(w.toBuffer().length).toBe(2 + 1 + 4 + 1);
    const withUnknown = Buffer.concat([w.toBuffer().subarray(0, 7), Buffer.from([1, 99, 2, 0xaa, 0xbb])]);
    const decoded = codec.decode(new Reader(withUnknown));
    expect(decoded.throttleTimeMs).toBe(0);
  });
});
