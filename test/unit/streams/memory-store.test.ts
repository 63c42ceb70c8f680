/** The in-memory sorted BytesStore: agrees with a naive reference under random puts, deletes and ranges. */
import { describe, expect, it } from 'vitest';
import { InMemoryBytesStore, compareBytes } from '../../../src/streams/stores/memory.js';

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('InMemoryBytesStore', () => {
  it('orders keys as unsigned bytes, shorter prefix first', () => {
    const s = new InMemoryBytesStore('s');
    for (const k of [[0xff], [0x01], [0x01, 0x00], [0x80], []]) s.put(Uint8Array.from(k), Uint8Array.of(1));
    expect([...s.range()].map(([k]) => hex(k))).toEqual(['', '01', '0100', '80', 'ff']);
    expect(compareBytes(Uint8Array.of(0x7f), Uint8Array.of(0x80))).toBeLessThan(0);
  });

  it('matches a reference map under 20k random operations and ranges', () => {
    const r = rnd(7);
    const s = new InMemoryBytesStore('s');
    const ref = new Map<string, string>();
    const key = () => {
      const n = 1 + Math.floor(r() * 3);
      return Uint8Array.from({ length: n }, () => Math.floor(r() * 40));
    };
    for (let i = 0; i < 20_000; i++) {
      const k = key();
      if (r() < 0.3) {
        s.put(k, null);
        ref.delete(hex(k));
      } else {
        const v = Uint8Array.of(i & 0xff, i >> 8);
        s.put(k, v);
        ref.set(hex(k), hex(v));
      }
    }
    expect(s.size()).toBe(ref.size);
    const sorted = [...ref.entries()].sort(([a], [b]) => compareBytes(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')));
    expect([...s.range()].map(([k, v]) => [hex(k), hex(v)])).toEqual(sorted);
    const sortedBytes = sorted.map(([k]) => Buffer.from(k, 'hex'));
    for (let i = 0; i < 200; i++) {
      const [a, b] = [key(), key()].sort(compareBytes);
      const want = sorted.filter((_e, j) => compareBytes(sortedBytes[j]!, a!) >= 0 && compareBytes(sortedBytes[j]!, b!) <= 0);
      expect([...s.range(a, b)].map(([k, v]) => [hex(k), hex(v)])).toEqual(want);
      expect(s.get(a!) && hex(s.get(a!)!)).toEqual(ref.get(hex(a!)));
    }
  });

  it('keeps order when many new keys arrive at once (a restoration) and between scans', () => {
    const r = rnd(11);
    const s = new InMemoryBytesStore('s');
    const ref = new Map<string, string>();
    const check = () => {
      const sorted = [...ref.entries()].sort(([a], [b]) => compareBytes(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')));
      expect([...s.range()].map(([k, v]) => [hex(k), hex(v)])).toEqual(sorted);
    };
    for (const bulk of [5000, 3, 200, 20_000, 1]) {
      for (let i = 0; i < bulk; i++) {
        const k = Uint8Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * 256));
        const v = Uint8Array.of(i & 0xff);
        s.put(k, v);
        ref.set(hex(k), hex(v));
      }
      check();
      // a scan that puts new keys and deletes as it goes
      let n = 0;
      for (const [k] of s.range()) {
        if (++n % 7 === 0) {
          s.put(k, null);
          ref.delete(hex(k));
        }
        if (n % 11 === 0) {
          const nk = Uint8Array.of(...k, 0x2a);
          s.put(nk, Uint8Array.of(1));
          ref.set(hex(nk), '01');
        }
      }
      check();
      expect(s.size()).toBe(ref.size);
    }
  });

  it('lets a scan delete what it has read', () => {
    const s = new InMemoryBytesStore('s');
    for (let i = 0; i < 1000; i++) s.put(Uint8Array.of(i >> 8, i & 0xff), Uint8Array.of(1));
    let n = 0;
    for (const [k] of s.range()) {
      s.put(k, null);
      n++;
    }
    expect(n).toBe(1000);
    expect(s.size()).toBe(0);
  });

  it('copies keys and values on put', () => {
    const s = new InMemoryBytesStore('s');
    const k = Uint8Array.of(1);
    const v = Uint8Array.of(2);
    s.put(k, v);
    k[0] = 9;
    v[0] = 9;
    expect(s.get(Uint8Array.of(1))).toEqual(Uint8Array.of(2));
  });
});
