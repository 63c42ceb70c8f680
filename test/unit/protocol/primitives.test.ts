import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Reader, Writer, ProtocolDecodeError } from '../../../src/protocol/primitives.js';

describe('varints', () => {
  it('round-trips zigzag varints for |n| < 2^52 (zigzag doubles the magnitude)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }), (n) => {
        const w = new Writer(4);
        w.varint(n);
        const r = new Reader(w.toBuffer());
        expect(r.varint()).toBe(n);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('round-trips unsigned varints', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const w = new Writer(4);
        w.uvarint(n);
        expect(new Reader(w.toBuffer()).uvarint()).toBe(n);
      }),
    );
  });

  it('matches the protobuf zigzag encoding for known values', () => {
    const enc = (n: number) => {
      const w = new Writer();
      w.varint(n);
      return [...w.toBuffer()];
    };
    expect(enc(0)).toEqual([0]);
    expect(enc(-1)).toEqual([1]);
    expect(enc(1)).toEqual([2]);
    expect(enc(-64)).toEqual([127]);
    expect(enc(64)).toEqual([0x80, 0x01]);
    expect(enc(300)).toEqual([0xd8, 0x04]);
  });

  it('rejects a varint longer than 10 bytes', () => {
    expect(() => new Reader(Buffer.alloc(11, 0xff)).uvarint()).toThrow(ProtocolDecodeError);
  });
});

describe('fixed-width integers', () => {
  it('round-trips int64 across the safe range including negatives', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const w = new Writer(2);
        w.int64(n);
        const buf = w.toBuffer();
        expect(buf.readBigInt64BE(0)).toBe(BigInt(n));
        expect(new Reader(buf).int64()).toBe(n);
      }),
    );
  });
});

describe('int64 beyond 2^53', () => {
  it('writes back the longs a client sent at the ends of the range, never wrapped to the other sign', () => {
    // INT64_MAX reads as 2^63 (the nearest double); written back it must be INT64_MAX again, not INT64_MIN.
    for (const exact of [0x7fffffffffffffffn, -0x8000000000000000n, 1n << 60n, -(1n << 60n)]) {
      const wire = Buffer.alloc(8);
      wire.writeBigInt64BE(exact);
      const w = new Writer(2);
      w.int64(new Reader(wire).int64());
      expect(w.toBuffer().readBigInt64BE(0)).toBe(exact);
    }
    const over = new Writer(2);
    over.int64(2 ** 70).int64(-(2 ** 70));
    const both = over.toBuffer();
    expect([both.readBigInt64BE(0), both.readBigInt64BE(8)]).toEqual([0x7fffffffffffffffn, -0x8000000000000000n]);
  });
});

describe('strings, bytes and zero-copy chunks', () => {
  it('encodes nullable and compact strings', () => {
    const w = new Writer();
    w.string(null).string('héllo').compactString(null).compactString('ab');
    const r = new Reader(w.toBuffer());
    expect(r.string()).toBeNull();
    expect(r.string()).toBe('héllo');
    expect(r.compactString()).toBeNull();
    expect(r.compactString()).toBe('ab');
  });

  it('keeps large byte fields by reference and preserves order', () => {
    const big = Buffer.alloc(10_000, 7);
    const w = new Writer(8);
    w.int32(1).bytes(big).int32(2);
    const chunks = w.toChunks();
    expect(chunks.some((c) => c === big)).toBe(true);
    const r = new Reader(Buffer.concat(chunks));
    expect(r.int32()).toBe(1);
    expect(r.bytes()!.equals(big)).toBe(true);
    expect(r.int32()).toBe(2);
  });

  it('does not overwrite a buffer it handed out when reset', () => {
    const w = new Writer(16);
    w.int32(42);
    const first = w.toBuffer();
    w.reset();
    w.int32(7);
    expect(first.readInt32BE(0)).toBe(42);
  });

  it('throws on truncated input instead of reading garbage', () => {
    const w = new Writer();
    w.string('hello');
    const buf = w.toBuffer().subarray(0, 4);
    expect(() => new Reader(buf).string()).toThrow(ProtocolDecodeError);
    const lying = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    expect(() => new Reader(lying).arrayLength(false)).toThrow(ProtocolDecodeError);
  });
});
