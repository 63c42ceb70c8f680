/**
 * Legacy message sets (magic 0 and 1), carried by Produce v0-2. kafka-ts stores only record
 * batch v2, so these are decoded here and converted to a v2 batch, as Kafka converts old formats
 * on append.
 *
 * Entry: offset int64, size int32, crc uint32 (CRC-32 over magic..end), magic int8,
 * attributes int8 (bits 0-2 codec), [timestamp int64 when magic 1], key bytes, value bytes.
 * A compressed entry's value is itself a compressed message set.
 */
import { codecFor } from './compression.js';
import { crc32 } from './crc32.js';
import { ProtocolDecodeError, Reader } from './primitives.js';

export interface LegacyMessage {
  magic: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageSet {
  /** Compression codec of the (outer) messages; 0 when uncompressed. */
  compression: number;
  messages: LegacyMessage[];
}

/** Magic byte of the first entry in a records blob (at byte 16 in every format). */
export const magicOf = (records: Buffer): number => (records.length > 16 ? records.readInt8(16) : -1);

/** What one message set may still produce: decompressed bytes (its wrappers) and messages (each an object here). */
interface Budget {
  left: number;
  messages: number;
}

function decodeInto(buf: Buffer, out: LegacyMessage[], depth: number, budget: Budget): number {
  let compression = 0;
  const r = new Reader(buf);
  while (r.remaining >= 12) {
    r.int64(); // offset: assigned by the log
    const size = r.int32();
    if (size < 14 || size > r.remaining) {
      // A partial trailing message is allowed by the format and ignored.
      if (size > r.remaining) break;
      throw new ProtocolDecodeError(`invalid legacy message size ${size}`);
    }
    const start = r.pos;
    const crc = r.uint32();
    if (crc32(buf.subarray(start + 4, start + size)) !== crc) throw new ProtocolDecodeError('legacy message CRC mismatch');
    const magic = r.int8();
    if (magic !== 0 && magic !== 1) throw new ProtocolDecodeError(`unexpected magic ${magic} in a legacy message set`);
    const attributes = r.int8();
    const timestamp = magic === 1 ? r.int64() : -1;
    const key = r.bytes();
    const value = r.bytes();
    r.pos = start + size;
    const codec = attributes & 0x07;
    if (codec === 0) {
      // A wrapper of millions of empty messages is small on the wire and in bytes inflated, but not as objects.
      if (--budget.messages < 0) throw new ProtocolDecodeError('too many messages in one legacy message set');
      out.push({ magic, timestamp, key, value });
      continue;
    }
    if (depth > 0) throw new ProtocolDecodeError('nested compressed legacy messages');
    if (!value) throw new ProtocolDecodeError('compressed legacy message without a value');
    compression = codec;
    const inner: LegacyMessage[] = [];
    // Bounded over all the set's wrappers together: a small request of highly compressible
    // wrappers would otherwise inflate to gigabytes on the event loop.
    const plain = codecFor(codec).decompress(value, budget.left);
    budget.left -= plain.length;
    decodeInto(plain, inner, depth + 1, budget);
    // Magic 1 wrappers with LogAppendTime carry the time for all inner messages.
    const logAppend = magic === 1 && (attributes & 0x08) !== 0;
    for (const m of inner) out.push(logAppend ? { ...m, timestamp } : m);
  }
  return compression;
}

/**
 * Decodes a legacy message set; its compressed wrappers may decompress to `maxDecompressed` bytes
 * in all, and it may hold `maxMessages` messages.
 */
export function decodeLegacyMessageSet(records: Buffer, maxDecompressed: number, maxMessages: number): LegacyMessageSet {
  const messages: LegacyMessage[] = [];
  const compression = decodeInto(records, messages, 0, { left: maxDecompressed, messages: maxMessages });
  return { compression, messages };
}
