/**
 * The compression codecs of record batches: 0 none, 1 gzip, 2 snappy, 3 lz4 (frame format),
 * 4 zstd. Native codec modules are loaded on first use so that commands which never touch
 * compressed data start fast.
 */
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';

export const CompressionType = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof CompressionType;
export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface Codec {
  readonly name: CompressionName;
  /**
   * `level` is the producer's compression.<codec>.level: zlib's level for gzip (-1 its default),
   * zstd's level; snappy has none, and lz4-napi (lz4_flex) has no HC levels, so lz4 ignores it.
   */
  compress(data: Buffer, level?: number): Buffer;
  /**
   * Throws, without making it, when the output would be larger than `maxOutput`: gzip as it
   * inflates, snappy from the lengths its blocks state. lz4 and zstd (whose frames from Kafka's
   * clients seldom state their size) are bounded only by their formats' largest ratios.
   */
  decompress(data: Buffer, maxOutput?: number): Buffer;
}

/** Snappy's block header: the uncompressed length, a little-endian base-128 varint. */
function snappyLength(block: Buffer): number {
  let n = 0;
  for (let i = 0, shift = 1; i < Math.min(block.length, 5); i++, shift *= 128) {
    n += (block[i]! & 0x7f) * shift;
    if (block[i]! < 0x80) return n;
  }
  throw new Error('snappy block without a length');
}

function checkOutput(length: number, maxOutput: number | undefined): void {
  if (maxOutput !== undefined && length > maxOutput) throw new Error(`decompresses to more than ${maxOutput} bytes`);
}

const require = createRequire(import.meta.url);

/** Java's snappy writes xerial framing: this magic, two int32 versions, then [int32 len][block]… */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyCodec(): Codec {
  const snappy = require('snappy') as { compressSync(b: Buffer): Buffer; uncompressSync(b: Buffer, o?: { asBuffer: true }): Buffer };
  const raw = (b: Buffer) => snappy.uncompressSync(b, { asBuffer: true }) as Buffer;
  return {
    name: 'snappy',
    compress: (data) => snappy.compressSync(data),
    decompress(data, maxOutput) {
      if (data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
        const blocks: Buffer[] = [];
        let total = 0;
        let pos = 16;
        while (pos + 4 <= data.length) {
          const len = data.readInt32BE(pos);
          pos += 4;
          if (len < 0 || pos + len > data.length) throw new Error('truncated xerial snappy block');
          const block = data.subarray(pos, pos + len);
          total += snappyLength(block);
          blocks.push(block);
          pos += len;
        }
        checkOutput(total, maxOutput);
        return Buffer.concat(blocks.map(raw));
      }
      checkOutput(snappyLength(data), maxOutput);
      return raw(data);
    },
  };
}

function lz4Codec(): Codec {
  const lz4 = require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer };
  return { name: 'lz4', compress: (d) => lz4.compressFrameSync(d), decompress: (d) => lz4.decompressFrameSync(d) };
}

function zstdCodec(): Codec {
  const zstd = require('zstd-napi') as { compress(b: Buffer, p?: { compressionLevel?: number }): Buffer; decompress(b: Buffer): Buffer };
  return {
    name: 'zstd',
    compress: (d, level) => (level === undefined ? zstd.compress(d) : zstd.compress(d, { compressionLevel: level })),
    decompress: (d) => zstd.decompress(d),
  };
}

const gzip: Codec = {
  name: 'gzip',
  compress: (d, level) => gzipSync(d, level === undefined ? undefined : { level }),
  decompress: (d, maxOutput) => gunzipSync(d, maxOutput === undefined ? undefined : { maxOutputLength: maxOutput }),
};
const none: Codec = { name: 'none', compress: (d) => d, decompress: (d) => d };

const loaded = new Map<number, Codec>([
  [0, none],
  [1, gzip],
]);
const loaders: Record<number, () => Codec> = { 2: snappyCodec, 3: lz4Codec, 4: zstdCodec };

export function codecFor(type: number): Codec {
  const have = loaded.get(type);
  if (have) return have;
  const load = loaders[type];
  if (!load) throw new Error(`unknown compression type ${type}`);
  const codec = load();
  loaded.set(type, codec);
  return codec;
}

export function compressionByName(name: string): number {
  const n = name.toLowerCase() as CompressionName;
  if (!(n in CompressionType)) throw new Error(`unknown compression codec '${name}' (expected one of ${COMPRESSION_NAMES.join(', ')})`);
  return CompressionType[n];
}
