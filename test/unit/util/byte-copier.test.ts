import { describe, expect, it } from 'vitest';
import { ByteCopier } from '../../../src/util/byte-copier.js';

/** Deterministic bytes (no Math.random: a failure must repeat). */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe('ByteCopier', () => {
  it('copies every length and alignment as Buffer#copy does, short (DataViews) and long (one view), between slices of larger memory', () => {
    const copier = new ByteCopier();
    const memory = pattern(8192, 7);
    // Slices that start inside their memory: a view must use their offset, not the memory's.
    const sources = [memory.subarray(3, 4000), memory.subarray(1000, 5000), pattern(700, 9)];
    const target = Buffer.alloc(8192, 0xee).subarray(5, 6000);
    const expected = Buffer.from(target);
    let seed = 11;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let round = 0; round < 3000; round++) {
      const src = sources[round % sources.length]!;
      // Every length from 0 to 600 once, then random ones (both sides of the 200-byte switch).
      const len = round <= 600 ? round : next(Math.min(src.length, 800));
      const start = next(src.length - len + 1);
      const at = next(target.length - len + 1);
      const end = copier.copy(src, start, start + len, target, at);
      src.copy(expected, at, start, start + len);
      expect(end).toBe(at + len);
      if (round % 97 === 0) expect(target.equals(expected), `round ${round}`).toBe(true);
    }
    expect(target.equals(expected)).toBe(true);
    // Bytes around the target slice are untouched.
    expect(target.buffer.byteLength).toBe(8192);
    const whole = Buffer.from(target.buffer, target.byteOffset - 5, 8192);
    expect(whole.subarray(0, 5).every((b) => b === 0xee)).toBe(true);
    expect(whole.subarray(6005).every((b) => b === 0xee)).toBe(true);
  });

  it('follows a change of source or target (a new output buffer, a grown one): each copy lands in the buffer it names', () => {
    const copier = new ByteCopier();
    const src = pattern(600, 5);
    const targets = [Buffer.alloc(700), Buffer.alloc(700).subarray(50), Buffer.alloc(300)];
    for (let round = 0; round < 30; round++) {
      const dst = targets[round % targets.length]!;
      const len = [16, 150, 250][round % 3]!;
      const at = round % 7;
      const start = (round * 13) % (src.length - len);
      copier.copy(src, start, start + len, dst, at);
      expect(dst.subarray(at, at + len).equals(src.subarray(start, start + len)), `round ${round}`).toBe(true);
    }
    copier.forget();
    expect(copier.copy(src, 0, 10, targets[0]!, 0)).toBe(10);
  });

  it('refuses a range outside the source or the target (a view would read the memory beside it)', () => {
    const copier = new ByteCopier();
    const memory = pattern(1024, 3);
    const src = memory.subarray(0, 100);
    const dst = Buffer.alloc(1024);
    expect(() => copier.copy(src, 50, 150, dst, 0)).toThrow(RangeError);
    expect(() => copier.copy(src, 0, 300, dst, 0)).toThrow(RangeError);
    expect(() => copier.copy(src, -1, 10, dst, 0)).toThrow(RangeError);
    expect(() => copier.copy(src, 10, 5, dst, 0)).toThrow(RangeError);
    expect(() => copier.copy(src, 0, 100, dst, 1000)).toThrow(RangeError);
    expect(copier.copy(src, 0, 100, dst, 924)).toBe(1024);
  });
});
