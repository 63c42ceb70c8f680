/** Legacy message sets (magic 0/1, Produce v0-2): decoding, and the bound on what their compressed wrappers inflate to. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/protocol/crc32.js';
import { decodeLegacyMessageSet } from '../../../src/protocol/legacy-message-set.js';
import { MAX_REBUILT_RECORDS, upConvertLegacy } from '../../../src/broker/append/log-validator.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

/** One magic 0 entry: offset, size, CRC-32 over magic..end, magic, attributes, null key, value. */
function entry(value: Buffer, attributes = 0): Buffer {
  const body = Buffer.alloc(2 + 4 + 4 + value.length);
  body.writeInt8(0, 0);
  body.writeInt8(attributes, 1);
  body.writeInt32BE(-1, 2);
  body.writeInt32BE(value.length, 6);
  value.copy(body, 10);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(0n, 0);
  head.writeInt32BE(4 + body.length, 8);
  head.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([head, body]);
}

const plainSet = (values: string[]) => Buffer.concat(values.map((v) => entry(Buffer.from(v))));
const gzipWrapper = (inner: Buffer) => entry(gzipSync(inner), 1);

describe('legacy message sets', () => {
  it('decodes plain and gzip-wrapped messages', () => {
    const set = decodeLegacyMessageSet(Buffer.concat([gzipWrapper(plainSet(['a', 'b'])), gzipWrapper(plainSet(['c']))]), 1 << 20, 10);
    expect({ compression: set.compression, values: set.messages.map((m) => m.value?.toString()) }).toEqual({ compression: 1, values: ['a', 'b', 'c'] });
  });

  it("bounds what all of a set's wrappers inflate to together, not each on its own", () => {
    const inner = plainSet(['x'.repeat(600)]);
    expect(decodeLegacyMessageSet(gzipWrapper(inner), 1000, 10).messages).toHaveLength(1);
    // Two wrappers of 600-odd bytes each: each under the bound, together over it (four 128 MB
    // wrappers in a 522 KB request held the event loop for 8 s and took 1.3 GB).
    expect(() => decodeLegacyMessageSet(Buffer.concat([gzipWrapper(inner), gzipWrapper(inner)]), 1000, 10)).toThrow(/decompresses to more than|larger than/);
  });

  it('refuses a set of more messages than a batch may rebuild: few bytes, each message an object', () => {
    // One wrapper of empty messages: a few hundred KB on the wire ran the daemon out of heap.
    const empty = entry(Buffer.alloc(0));
    const many = gzipWrapper(Buffer.concat(Array.from({ length: MAX_REBUILT_RECORDS + 1 }, () => empty)));
    expect(many.length).toBeLessThan(200_000);
    expect(upConvertLegacy(many)).toEqual({ errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: null });
    const fewer = gzipWrapper(Buffer.concat(Array.from({ length: 1000 }, () => empty)));
    expect(Buffer.isBuffer(upConvertLegacy(fewer))).toBe(true);
  });
});
