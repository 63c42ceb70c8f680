import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameReader, FrameTooLargeError } from '../../../src/transport/frame-decoder.js';
import { seeded } from '../../helpers/random.js';

const size = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('FrameDecoder', () => {
  it('passes on a zero-length frame as an empty payload, alone or followed by another', () => {
    expect(new FrameDecoder(100).push(size(0))).toEqual([Buffer.alloc(0)]);
    const frames = new FrameDecoder(100).push(Buffer.concat([size(0), size(2), Buffer.from([7, 8])]));
    expect(frames).toEqual([Buffer.alloc(0), Buffer.from([7, 8])]);
  });

  it('refuses negative and oversized lengths before buffering the payload', () => {
    expect(() => new FrameDecoder(100).push(size(-1))).toThrow(FrameTooLargeError);
    expect(() => new FrameDecoder(100).push(size(101))).toThrow(FrameTooLargeError);
  });
});

/** A stream of frames of these payload sizes, each payload filled with a pattern of its own. */
function stream(sizes: number[]): { bytes: Buffer; payloads: Buffer[] } {
  const payloads = sizes.map((n, i) => Buffer.from(Array.from({ length: n }, (_, j) => (i * 31 + j * 7) & 0xff)));
  return { bytes: Buffer.concat(payloads.flatMap((p) => [size(p.length), p])), payloads };
}

/**
 * Feeds `bytes` as a socket's onread does: each read writes at most `readSize(i)` bytes (and what
 * is left) into the buffer `target()` returns, then calls `read` with the count and that buffer.
 */
function feed(reader: FrameReader, bytes: Buffer, readSize: (i: number) => number): void {
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const into = reader.target();
    const n = Math.min(into.length, readSize(i), bytes.length - pos);
    bytes.copy(into, 0, pos, pos + n);
    pos += n;
    reader.read(n, into);
  }
}

describe('FrameReader', () => {
  const sizes = [0, 3, 65_536, 1, 200_000, 65_535, 65_537, 0, 1_048_576, 10];
  const { bytes, payloads } = stream(sizes);

  it('hands on every frame whole and in order however the reads split them', () => {
    // Reads of every size from 1 byte up (through header and payload boundaries), the socket buffer's sizes, and random ones.
    const splits: ((i: number) => number)[] = [() => 1, () => 2, () => 3, () => 5, () => 4096, () => 65_536, () => 212_992, () => Infinity];
    const rng = seeded(7);
    splits.push(() => rng.int(300_000) + 1);
    for (const split of splits) {
      const got: Buffer[] = [];
      feed(new FrameReader(2 << 20, (f) => got.push(Buffer.from(f))), bytes, split);
      expect(got.length).toBe(payloads.length);
      got.forEach((g, i) => expect(g.equals(payloads[i]!), `frame ${i} (${sizes[i]} bytes)`).toBe(true));
    }
  });

  it('reads a large frame straight into its own buffer, and a small one out of the scratch buffer', () => {
    const got: Buffer[] = [];
    const reader = new FrameReader(2 << 20, (f) => got.push(f));
    const { bytes: one, payloads: [big] } = stream([500_000]);
    const scratch = reader.target();
    feed(reader, one, () => 100_000);
    expect(got[0]!.equals(big!)).toBe(true);
    // Not a view of the scratch buffer, which the next reads overwrite.
    expect(got[0]!.buffer).not.toBe(scratch.buffer);
    feed(reader, stream([5]).bytes, () => Infinity);
    expect(got[1]!.buffer === scratch.buffer && got[1]!.byteOffset === scratch.byteOffset).toBe(false);
    expect(reader.atFrameStart).toBe(true);
  });

  it('grows the buffer of a frame above 8 MiB as its bytes arrive instead of taking it all on its size prefix', () => {
    const reader = new FrameReader(1 << 30, () => {});
    feed(reader, size(1 << 30), () => Infinity);
    expect(reader.target().length).toBe(8 << 20);
    const got: Buffer[] = [];
    const { bytes: big, payloads } = stream([20 << 20, 7]);
    for (const split of [() => 1_000_000, () => 65_536 * 3 + 5, () => Infinity]) {
      got.length = 0;
      feed(new FrameReader(1 << 30, (f) => got.push(f)), big, split);
      expect(got.map((g) => g.length)).toEqual([20 << 20, 7]);
      expect(got[0]!.equals(payloads[0]!) && got[1]!.equals(payloads[1]!)).toBe(true);
    }
  });

  it('refuses negative and oversized lengths, also when the size prefix is split across reads', () => {
    expect(() => feed(new FrameReader(100, () => {}), size(-1), () => Infinity)).toThrow(FrameTooLargeError);
    expect(() => feed(new FrameReader(100, () => {}), size(101), () => 1)).toThrow(FrameTooLargeError);
  });

  it('shares one scratch buffer between readers whose reads interleave (a server with many connections)', () => {
    const a: Buffer[] = [];
    const b: Buffer[] = [];
    const ra = new FrameReader(2 << 20, (f) => a.push(Buffer.from(f)));
    const rb = new FrameReader(2 << 20, (f) => b.push(Buffer.from(f)));
    expect(ra.target()).toBe(rb.target());
    const { bytes: sa, payloads: pa } = stream([3, 70_000, 1, 5]);
    const { bytes: sb, payloads: pb } = stream([100_000, 2, 65_535]);
    // Alternate reads of 777 bytes between the two, each into what its reader asks for.
    for (let ia = 0, ib = 0; ia < sa.length || ib < sb.length; ) {
      for (const [reader, bytes, at] of [[ra, sa, ia], [rb, sb, ib]] as const) {
        if (at >= bytes.length) continue;
        const into = reader.target();
        const n = Math.min(777, into.length, bytes.length - at);
        bytes.copy(into, 0, at, at + n);
        reader.read(n, into);
        if (reader === ra) ia += n;
        else ib += n;
      }
    }
    expect(a.map((f, i) => f.equals(pa[i]!))).toEqual(pa.map(() => true));
    expect(b.map((f, i) => f.equals(pb[i]!))).toEqual(pb.map(() => true));
  });

  it('counts the memory a frame in progress holds and takes a new limit for frames not yet started', () => {
    const reader = new FrameReader(100, () => {});
    const into = reader.target();
    size(50).copy(into, 0);
    reader.read(2, into);
    expect(reader.buffered).toBe(2);
    const rest = reader.target();
    Buffer.concat([size(50).subarray(2), Buffer.alloc(10)]).copy(rest, 0);
    reader.read(12, rest);
    // The frame's buffer was taken whole on its size prefix (10 of its bytes are in): it counts.
    expect(reader.buffered).toBe(50);
    reader.setMaxFrameSize(1000);
    const more = reader.target();
    Buffer.concat([Buffer.alloc(40), size(500)]).copy(more, 0);
    // The frame ends, and the next one's size (500, over the old limit) is taken: its buffer counts.
    expect(() => reader.read(44, more)).not.toThrow();
    expect(reader.buffered).toBe(500);
    expect(reader.atFrameStart).toBe(false);
  });

  it('takes at most eagerBytes on a size prefix alone, counted, and grows as the bytes come (a server reading requests)', () => {
    const got: Buffer[] = [];
    const reader = new FrameReader(64 << 20, (f) => got.push(f), Buffer.allocUnsafe, 100_000);
    feed(reader, size(8 << 20), () => Infinity);
    expect(reader.buffered).toBe(100_000);
    // The same reader goes on with the frame's bytes, in reads of every kind; the frame comes out whole.
    const { bytes: rest, payloads } = stream([8 << 20, 3]);
    feed(reader, rest.subarray(4), () => 300_001);
    expect(got.map((g) => g.length)).toEqual([8 << 20, 3]);
    expect(got[0]!.equals(payloads[0]!) && got[1]!.equals(payloads[1]!)).toBe(true);
    expect(reader.buffered).toBe(0);
  });

  it("tells the allocator a frame's first int16 (a request's API key) when it came with the size prefix, else -1", () => {
    const leads: number[] = [];
    const got: Buffer[] = [];
    const alloc = (n: number, lead: number) => (leads.push(lead), Buffer.allocUnsafe(n));
    // Payloads starting 0x0000 (Produce), 0x0001 (Fetch) and 0x0203, the last one's size prefix read alone.
    const payloads = [0x0000, 0x0001, 0x0203].map((key) => Buffer.concat([Buffer.from([key >> 8, key & 0xff]), Buffer.alloc(100_000, key)]));
    const bytes = Buffer.concat(payloads.flatMap((p) => [size(p.length), p]));
    const reader = new FrameReader(1 << 20, (f) => got.push(f), alloc);
    const cut = 2 * (4 + 100_002) + 4;
    feed(reader, bytes.subarray(0, cut), () => Infinity);
    feed(reader, bytes.subarray(cut), () => Infinity);
    expect(leads).toEqual([0, 1, -1]);
    got.forEach((g, i) => expect(g.equals(payloads[i]!), `frame ${i}`).toBe(true));
  });
});
