import { describe, expect, it } from 'vitest';
import { FrameDecoder, FrameTooLargeError } from '../../../src/transport/frame-decoder.js';

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
