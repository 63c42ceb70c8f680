/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * payload. Protobuf payloads start with the message indexes (which message of the .proto file,
 * as a path through nested messages), zig-zag varints: the count, then each index; the common
 * [0] (the file's first message) is the single byte 0.
 */

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

export function frame(id: number, payload: Uint8Array, messageIndexes?: number[]): Buffer {
  const idx = messageIndexes ? encodeMessageIndexes(messageIndexes) : null;
  const out = Buffer.allocUnsafe(HEADER_SIZE + (idx?.length ?? 0) + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  let at = HEADER_SIZE;
  if (idx) at += idx.copy(out, at);
  out.set(payload, at);
  return out;
}

/** The schema id of a framed record; throws for bytes that are not in the wire format. */
export function schemaIdOf(b: Buffer): number {
  if (b.length < HEADER_SIZE) throw new WireFormatError(`${b.length} byte${b.length === 1 ? '' : 's'} is too short for the schema registry's wire format (magic byte and 4-byte schema id)`);
  if (b[0] !== MAGIC_BYTE) throw new WireFormatError(`unknown magic byte ${b[0]} (the schema registry's wire format starts with 0)`);
  return b.readInt32BE(1);
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function writeVarint(out: number[], v: number): void {
  let n = zigzag(v);
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

export function encodeMessageIndexes(indexes: number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0]);
  const out: number[] = [];
  writeVarint(out, indexes.length);
  for (const i of indexes) writeVarint(out, i);
  return Buffer.from(out);
}

/** Reads message indexes at `at`; returns them and where the message starts. */
export function decodeMessageIndexes(b: Buffer, at: number): { indexes: number[]; next: number } {
  const read = (): number => {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (at >= b.length) throw new WireFormatError('truncated Protobuf message indexes');
      const byte = b[at++]!;
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      mul *= 128;
    }
    throw new WireFormatError('invalid Protobuf message indexes');
  };
  const count = read();
  if (count === 0) return { indexes: [0], next: at };
  if (count < 0 || count > 100) throw new WireFormatError(`invalid Protobuf message index count ${count}`);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(read());
  return { indexes, next: at };
}

/**
 * Whether a Protobuf payload (after the schema id) starts with message indexes. A Protobuf
 * message never starts with a byte below 8 (field numbers start at 1), and index counts up to 3
 * encode as 0, 2, 4 or 6: so a first byte of 8 or more is a message written without indexes
 * (as @kafkajs/confluent-schema-registry writes them), decoded as the file's first message.
 */
export function hasMessageIndexes(b: Buffer, at: number): boolean {
  return at < b.length && b[at]! < 8;
}
