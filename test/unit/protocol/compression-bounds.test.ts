/**
 * Codec.decompress(data, maxOutput) for lz4 and zstd frames: exactly the limit decompresses, one
 * byte more is refused, whatever the frames state; a frame cut short is an error, never a loop.
 */
import { describe, expect, it } from 'vitest';
import { compress as zstdCompress } from 'zstd-napi';
import { CompressionType, codecFor } from '../../../src/protocol/compression.js';

/** 20,000 lines "NNN kafka\\n" (NNN = i % 50), made by lz4 -BD -B4 --no-frame-crc: a linked-block frame in 64 KiB blocks. */
const LINKED_LZ4 = Buffer.from(
  'BCJNGEBAwNgBAADVMDAwIGthZmthCjAwMQoAFTIKABUzCgAVNAoAFTUKABU2CgAVNwoAFTgKABQ5CgAVMWQAFTFkABUxZAAVMWQAFTFkABUxZAAVMWQAFTFkABUxZAAVMWQAFTJkABUyZAAVMmQAFTJkABUyZAAVMmQAFTJkABUyZAAVMmQAFTJkABUzZAAVM2QAFTNkABUzZAAVM2QAFTNkABUzZAAVM2QAFTNkABUzZAAVNGQAFTRkABU0ZAAVNGQAFTRkABU0ZAAVNGQAFTRkABU0ZAAVNGQAD/QB///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////xUDAzIGthJAEAAAL6/wVM/hUwTP4VMEz+FTBM/hUwTP4VMEz+D9z//////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////6dQa2EKMDAKAQAAD9z//////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////+hQIGthZmvoAAAA9QBhCjAxMSBrYWZrYQowMTIKABUzCgAVNAoAFTUKABU2CgAVNwoAFTgKABQ5CgAlMjAKAAVkABUyZAAVMmQAFTJkABUyZAAVMmQAFTJkABUyZAAVMmQAFTNkABUzZAAVM2QAFTNkABUzZAAVM2QAFTNkABUzZAAVM2QAFTNkABU0ZAAVNGQAFTRkABU0ZAAVNGQAFTRkABU0ZAAVNGQAFTRkABU0ZAAVMGQAFTBkABUwZAAVMGQAFTBkABUwZAAVMGQAFTBkABUwZAAVMGQAFTFkAA/0Af//////////////PFBhZmthCgAAAAA=',
  'base64',
);
const linkedText = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `${String(i % 50).padStart(3, '0')} kafka\n`).join(''));

const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `record ${i}\n`).join(''));
const refused = /decompresses to more than/;

describe('lz4 decompress with a limit', () => {
  const lz4 = codecFor(CompressionType.lz4);

  it('makes a frame whose blocks could exceed the limit when it fits, and refuses one byte past it', () => {
    // lz4-napi's frames: independent 4 MiB blocks, no size stated; their headers bound 4 MiB.
    const data = text(100_000);
    const frame = lz4.compress(data);
    expect(lz4.decompress(frame, data.length).equals(data)).toBe(true);
    expect(() => lz4.decompress(frame, data.length - 1)).toThrow(refused);
  });

  it('decompresses linked blocks against the output before them', () => {
    expect(LINKED_LZ4.readUInt8(4) & 0x20).toBe(0); // FLG: blocks not independent
    expect(lz4.decompress(LINKED_LZ4, linkedText.length).equals(linkedText)).toBe(true);
    expect(() => lz4.decompress(LINKED_LZ4, linkedText.length - 1)).toThrow(refused);
  });

  it('counts a frame of many small blocks by what each can make, not by the frame\'s block maximum', () => {
    // lz4 -B4 framing (64 KiB blocks, no checksums) of 40,000 compressed two-byte blocks, each
    // one literal ("a".."z"): 40,000 bytes, which 64 KiB apiece would bound at 2.6 GB (and count
    // block by block, each into 64 KiB: seconds of CPU on the daemon's thread for a larger frame).
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
    const letters = Array.from({ length: 40_000 }, (_, i) => 97 + (i % 26));
    const frame = Buffer.concat([header, ...letters.map((c) => Buffer.from([2, 0, 0, 0, 0x10, c])), Buffer.alloc(4)]);
    expect(lz4.decompress(frame, letters.length).equals(Buffer.from(letters))).toBe(true);
    expect(() => lz4.decompress(frame, letters.length - 1)).toThrow(refused);
  });

  it('refuses a frame cut short', () => {
    expect(() => lz4.decompress(LINKED_LZ4.subarray(0, 600), 1 << 20)).toThrow();
    expect(() => lz4.decompress(Buffer.from('not lz4 at all'), 1 << 20)).toThrow();
  });
});

describe('zstd decompress with a limit', () => {
  const zstd = codecFor(CompressionType.zstd);
  const data = text(100_000);

  for (const [what, frame] of [
    ['its size stated', zstdCompress(data)],
    ['no size stated', zstdCompress(data, { contentSizeFlag: false })],
  ] as const) {
    it(`decompresses a frame with ${what} up to the limit and refuses one byte past it`, () => {
      expect(zstd.decompress(frame, data.length).equals(data)).toBe(true);
      expect(() => zstd.decompress(frame, data.length - 1)).toThrow(refused);
    });
  }

  it('counts every frame of several, and a refusal leaves the next call unaffected', () => {
    const two = Buffer.concat([zstdCompress(data, { contentSizeFlag: false }), zstdCompress(data, { contentSizeFlag: false })]);
    expect(() => zstd.decompress(two, 2 * data.length - 1)).toThrow(refused);
    expect(zstd.decompress(two, 2 * data.length).equals(Buffer.concat([data, data]))).toBe(true);
  });

  it('keeps each of many small frames\' bytes (their output is copied out of one scratch buffer)', () => {
    const letters = Array.from({ length: 5_000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
    const frames = Buffer.concat(letters.map((c) => zstdCompress(Buffer.from(c), { contentSizeFlag: false })));
    expect(zstd.decompress(frames, letters.length).toString()).toBe(letters.join(''));
    expect(() => zstd.decompress(frames, letters.length - 1)).toThrow(refused);
  });

  it('refuses a frame cut short instead of waiting for the rest', () => {
    const frame = zstdCompress(data, { contentSizeFlag: false });
    expect(() => zstd.decompress(frame.subarray(0, frame.length - 10), 1 << 20)).toThrow();
  });
});

describe('zstd decompressSteps (the daemon runs them a slice at a time)', () => {
  const zstd = codecFor(CompressionType.zstd);
  const data = text(100_000); // ~1.3 MB: several steps
  const run = (frames: Buffer, maxOutput: number) => {
    const steps = zstd.decompressSteps!(frames, maxOutput);
    const made: number[] = [];
    for (;;) {
      const step = steps.next();
      if (step.done) return { out: step.value, made };
      made.push(step.value);
    }
  };

  for (const [what, frames] of [
    ['its size stated', zstdCompress(data)],
    ['no size stated', zstdCompress(data, { contentSizeFlag: false })],
    ['a checksum', zstdCompress(data, { checksumFlag: true })],
    ['two frames, one stating its size', Buffer.concat([zstdCompress(data.subarray(0, 1000)), zstdCompress(data.subarray(1000), { contentSizeFlag: false })])],
  ] as const) {
    it(`makes frames with ${what} in steps, each yielding the bytes made so far, up to the limit and not one byte past it`, () => {
      const { out, made } = run(frames, data.length);
      expect(out.equals(data)).toBe(true);
      expect(made.length).toBeGreaterThan(2);
      expect(made.every((n, i) => n > 0 && n <= data.length && (i === 0 || n >= made[i - 1]!))).toBe(true);
      expect(() => run(frames, data.length - 1)).toThrow(refused);
    });
  }

  it('refuses frames stating more than the limit before making anything, and a frame cut short', () => {
    expect(() => zstd.decompressSteps!(zstdCompress(data), data.length - 1)).toThrow(refused);
    expect(() => run(zstdCompress(data, { contentSizeFlag: false }).subarray(0, 1000), 1 << 22)).toThrow(/truncated/);
    // Every stated byte made, only the checksum missing: cut short, not more than stated.
    const checked = zstdCompress(data, { checksumFlag: true });
    expect(() => run(checked.subarray(0, checked.length - 2), 1 << 22)).toThrow(/truncated zstd frame/);
  });

  it('keeps two under way at once apart (each has its own context)', () => {
    const other = text(50_000).reverse();
    const a = zstd.decompressSteps!(zstdCompress(data, { contentSizeFlag: false }), 1 << 22);
    const b = zstd.decompressSteps!(zstdCompress(other, { contentSizeFlag: false }), 1 << 22);
    let ra = a.next();
    let rb = b.next();
    while (!ra.done || !rb.done) {
      if (!ra.done) ra = a.next();
      if (!rb.done) rb = b.next();
    }
    expect(ra.value.equals(data)).toBe(true);
    expect(rb.value.equals(other)).toBe(true);
  });
});

describe('lz4 and snappy decompressAsync (on the thread pool) and outputBound', () => {
  const data = text(100_000);
  const xerial = (blocks: Buffer[]) => {
    const snappy = codecFor(CompressionType.snappy);
    const head = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    return Buffer.concat([head, ...blocks.flatMap((b) => {
      const c = snappy.compress(b);
      const len = Buffer.alloc(4);
      len.writeInt32BE(c.length);
      return [len, c];
    })]);
  };
  const cases: [string, number, () => Buffer][] = [
    ['lz4', CompressionType.lz4, () => codecFor(CompressionType.lz4).compress(data)],
    ['snappy', CompressionType.snappy, () => codecFor(CompressionType.snappy).compress(data)],
    ['xerial snappy (Java\'s framing, 32 KiB blocks)', CompressionType.snappy, () => xerial(Array.from({ length: Math.ceil(data.length / 32768) }, (_, i) => data.subarray(i * 32768, (i + 1) * 32768)))],
  ];
  for (const [what, type, frame] of cases) {
    it(`${what}: makes what decompress makes, bounded by outputBound, and refuses one byte past the limit`, async () => {
      const codec = codecFor(type);
      const f = frame();
      expect(codec.outputBound!(f)).toBeGreaterThanOrEqual(data.length);
      expect((await codec.decompressAsync!(f, data.length)).equals(data)).toBe(true);
      expect(codec.decompress(f, data.length).equals(data)).toBe(true);
      await expect(codec.decompressAsync!(f, data.length - 1)).rejects.toThrow(refused);
    });
  }

  it('lz4: a frame whose headers bound more than the limit is counted block by block (on the pool), linked blocks against the output before them', async () => {
    const lz4 = codecFor(CompressionType.lz4);
    expect(lz4.outputBound!(LINKED_LZ4)).toBeGreaterThan(linkedText.length);
    expect((await lz4.decompressAsync!(LINKED_LZ4, linkedText.length)).equals(linkedText)).toBe(true);
    await expect(lz4.decompressAsync!(LINKED_LZ4, linkedText.length - 1)).rejects.toThrow(refused);
  });

  it('refuses what is not a frame of the codec', async () => {
    await expect(codecFor(CompressionType.lz4).decompressAsync!(Buffer.from('not lz4 at all'), 1 << 20)).rejects.toThrow();
    await expect(codecFor(CompressionType.snappy).decompressAsync!(Buffer.from([0x05, 0xff, 0xff]), 1 << 20)).rejects.toThrow();
  });
});
