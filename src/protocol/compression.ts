/**
 * The compression codecs of record batches: 0 none, 1 gzip, 2 snappy, 3 lz4 (frame format),
 * 4 zstd. Native codec modules are loaded on first use so that commands which never touch
 * compressed data start fast.
 */
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { onCodecThread } from './codec-thread.js';

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
   * inflates, snappy from the lengths its blocks state, lz4 and zstd from the sizes their frames
   * state or else as they decompress (Kafka's clients seldom state one: a few kilobytes of either
   * can otherwise inflate to gigabytes).
   */
  decompress(data: Buffer, maxOutput?: number): Buffer;
  /**
   * The bounded decompression as steps, for codecs whose output a few bytes can make huge (zstd:
   * a kilobyte can state gigabytes of runs): each step makes one chunk (at most ~128 KiB) and
   * yields the bytes made so far; the generator returns the output, or throws as `decompress`.
   * Each has a decompression context of its own, so several can be under way at once: the daemon
   * runs a large one a slice at a time between its other work (broker/append/codec-offload.ts).
   */
  decompressSteps?(data: Buffer, maxOutput: number): Generator<number, Buffer, void>;
  /**
   * For codecs whose headers bound what they make (lz4, snappy): that bound, read from the
   * headers alone, and the bounded decompression on a worker thread (codec-thread.ts; resolves as `decompress`
   * returns, rejects as it throws; `data` must stay unchanged until it settles).
   */
  outputBound?(data: Buffer): number;
  decompressAsync?(data: Buffer, maxOutput: number): Promise<Buffer>;
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

/** A snappy body's blocks (xerial framing: several) and the output they state, from their headers alone. */
function snappyBlocks(data: Buffer): { blocks: Buffer[]; stated: number } {
  if (!(data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC))) return { blocks: [data], stated: snappyLength(data) };
  const blocks: Buffer[] = [];
  let stated = 0;
  let pos = 16;
  while (pos + 4 <= data.length) {
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new Error('truncated xerial snappy block');
    const block = data.subarray(pos, pos + len);
    stated += snappyLength(block);
    blocks.push(block);
    pos += len;
  }
  return { blocks, stated };
}

function snappyCodec(): Codec {
  const snappy = require('snappy') as {
    compressSync(b: Buffer): Buffer;
    uncompressSync(b: Buffer, o?: { asBuffer: true }): Buffer;
  };
  const raw = (b: Buffer) => snappy.uncompressSync(b, { asBuffer: true }) as Buffer;
  return {
    name: 'snappy',
    compress: (data) => snappy.compressSync(data),
    decompress(data, maxOutput) {
      const { blocks, stated } = snappyBlocks(data);
      checkOutput(stated, maxOutput);
      return blocks.length === 1 ? raw(blocks[0]!) : Buffer.concat(blocks.map(raw));
    },
    outputBound: (data) => snappyBlocks(data).stated,
    async decompressAsync(data, maxOutput) {
      const { blocks, stated } = snappyBlocks(data);
      checkOutput(stated, maxOutput);
      // On the codec worker (snappy's own asynchronous uncompress never frees its output), each
      // block's output copied into place there (xerial's blocks are 32 KiB: a 100 MiB batch is
      // 3,200 of them).
      const spans = blocks.map((b) => ({ start: b.byteOffset - data.byteOffset, end: b.byteOffset - data.byteOffset + b.length, length: snappyLength(b) }));
      return onCodecThread({ op: 'snappy', data, blocks: spans, total: stated });
    },
  };
}

interface Lz4 {
  compressFrameSync(b: Buffer): Buffer;
  decompressFrameSync(b: Buffer): Buffer;
  /** One raw block, its output size (a bound, here) prepended as a little-endian uint32. */
  uncompressSync(b: Buffer, dict?: Buffer): Buffer;
}

/** The lz4 frame format (lz4_Frame_format.md): magics, FLG bits, BD's block maximum sizes. */
const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE = 0x184d2a50; // ...5F: the low 4 bits are free
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];
const LZ4_LINKED_WINDOW = 64 << 10;

interface Lz4Block {
  data: Buffer;
  stored: boolean;
  blockMax: number;
  /** Blocks of a linked frame refer to the 64 KiB of output before them. */
  linked: boolean;
}

/** The data blocks of `data`'s lz4 frames, from their headers alone; throws on what is not one. */
function lz4Blocks(data: Buffer): Lz4Block[] {
  const blocks: Lz4Block[] = [];
  const need = (n: number) => {
    if (n > data.length) throw new Error('truncated lz4 frame');
  };
  let pos = 0;
  while (pos < data.length) {
    need(pos + 8);
    const magic = data.readUInt32LE(pos);
    if ((magic & 0xfffffff0) === LZ4_SKIPPABLE) {
      pos += 8 + data.readUInt32LE(pos + 4);
      continue;
    }
    const flg = data[pos + 4]!;
    const blockMax = LZ4_BLOCK_MAX[(data[pos + 5]! >> 4) & 7]!;
    if (magic !== LZ4_MAGIC || flg >> 6 !== 1 || blockMax === 0) throw new Error('not an lz4 frame');
    const linked = (flg & 0x20) === 0;
    const blockChecksum = flg & 0x10 ? 4 : 0;
    pos += 7 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0); // magic, FLG, BD, content size, dictionary id, header checksum
    for (;;) {
      need(pos + 4);
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break; // EndMark
      const length = word & 0x7fffffff;
      need(pos + length + blockChecksum);
      blocks.push({ data: data.subarray(pos, pos + length), stored: word >>> 31 === 1, blockMax, linked });
      pos += length + blockChecksum;
    }
    if (flg & 0x04) pos += 4; // content checksum
    need(pos);
  }
  return blocks;
}

/** The most a compressed lz4 block of `length` bytes can make: its frame's block maximum, and 255 bytes per byte (a run's length byte adds at most 255). */
const lz4BlockBound = (b: { data: Buffer; stored: boolean; blockMax: number }): number => (b.stored ? b.data.length : Math.min(b.blockMax, 255 * b.data.length + 64));

/**
 * Bounded lz4: the block headers bound the output without decompressing anything (lz4BlockBound).
 * Over the limit by that bound (an encoder that fills its blocks overshoots by less than one
 * block), the blocks are decompressed one by one to count, each into no more than its own bound
 * (a frame of many tiny blocks would otherwise cost a block maximum, up to 4 MiB, apiece),
 * stopping once past it; the frame decoder, which checks the checksums too, makes the output only
 * once it is known to fit.
 */
function lz4Decompress(lz4: Lz4, data: Buffer, maxOutput: number): Buffer {
  lz4Check(lz4, data, maxOutput);
  return lz4.decompressFrameSync(data);
}

/** The most lz4 blocks can make, from their headers. */
const lz4BoundOf = (blocks: readonly Lz4Block[]): number => blocks.reduce((n, b) => n + lz4BlockBound(b), 0);

/**
 * The count lz4Decompress makes when the headers' bound passes the limit: the blocks to
 * decompress, asked one at a time (the caller answers each with its output, on this thread or on
 * the pool); throws once past `maxOutput`. Nothing is asked when the bound fits.
 */
function* lz4Count(data: Buffer, maxOutput: number): Generator<{ block: Buffer; dict?: Buffer }, void, Buffer> {
  const blocks = lz4Blocks(data);
  if (lz4BoundOf(blocks) <= maxOutput) return;
  let total = 0;
  let window: Buffer = Buffer.alloc(0);
  const prefix = Buffer.alloc(4);
  for (const b of blocks) {
    let out = b.data;
    if (!b.stored) {
      prefix.writeUInt32LE(lz4BlockBound(b));
      const block = Buffer.concat([prefix, b.data]);
      out = yield b.linked && window.length > 0 ? { block, dict: window } : { block };
    }
    total += out.length;
    checkOutput(total, maxOutput);
    if (b.linked) window = Buffer.concat([window, out]).subarray(-LZ4_LINKED_WINDOW);
  }
}

/** Throws when `data` would make more than `maxOutput` (see lz4Decompress). */
function lz4Check(lz4: Lz4, data: Buffer, maxOutput: number): void {
  const count = lz4Count(data, maxOutput);
  for (let ask = count.next(); !ask.done; ) ask = count.next(lz4.uncompressSync(ask.value.block, ask.value.dict));
}

/** lz4Check with the blocks decompressed on the codec worker (a crafted frame's count could make 100 MiB). */
async function lz4CheckAsync(data: Buffer, maxOutput: number): Promise<void> {
  const count = lz4Count(data, maxOutput);
  for (let ask = count.next(); !ask.done; ) ask = count.next(await onCodecThread({ op: 'lz4Block', data: ask.value.block, dict: ask.value.dict }));
}

function lz4Codec(): Codec {
  const lz4 = require('lz4-napi') as Lz4;
  return {
    name: 'lz4',
    compress: (d) => lz4.compressFrameSync(d),
    decompress: (d, maxOutput) => (maxOutput === undefined ? lz4.decompressFrameSync(d) : lz4Decompress(lz4, d, maxOutput)),
    outputBound: (d) => lz4BoundOf(lz4Blocks(d)),
    // On the codec worker: lz4-napi's own asynchronous calls never free their output.
    decompressAsync: async (d, maxOutput) => {
      await lz4CheckAsync(d, maxOutput);
      return onCodecThread({ op: 'lz4Frame', data: d });
    },
  };
}

interface ZstdBinding {
  DCtx: new () => { decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number]; reset(directive: number): void };
  ResetDirective: { sessionOnly: number };
  getFrameContentSize(frame: Uint8Array): number | null;
  findFrameCompressedSize(frame: Uint8Array): number;
  dStreamOutSize(): number;
}

/** The sizes all of `data`'s zstd frames state, summed; null when one states none. */
function statedZstdSize(binding: ZstdBinding, data: Buffer): number | null {
  let stated = 0;
  for (let frame = data; frame.length > 0; frame = frame.subarray(frameLength(binding, frame))) {
    const size = binding.getFrameContentSize(frame);
    if (size === null) return null;
    stated += size;
  }
  return stated;
}

/** The length of `data`'s first zstd frame, with zstd's "Src size is incorrect" for a frame cut short said plainly. */
function frameLength(binding: ZstdBinding, data: Buffer): number {
  try {
    return binding.findFrameCompressedSize(data);
  } catch (e) {
    if ((e as Error).message === 'Src size is incorrect') throw new Error('truncated zstd frame');
    throw e;
  }
}

/**
 * Bounded zstd, a chunk a step (see Codec.decompressSteps): stops once past the limit, whatever
 * the frames state (zstd-napi's own decompress would allocate whatever size a frame states, and
 * stream the rest without bound). Frames that state their sizes (`stated`, within the limit) are
 * made straight into one buffer of that size.
 */
function* zstdStream(binding: ZstdBinding, dctx: InstanceType<ZstdBinding['DCtx']>, data: Buffer, maxOutput: number, stated: number | null = null): Generator<number, Buffer, void> {
  dctx.reset(binding.ResetDirective.sessionOnly); // a previous call may have thrown mid-frame
  const whole = stated === null ? null : Buffer.allocUnsafe(stated);
  const chunks: Buffer[] = [];
  let total = 0;
  let input = data;
  // Otherwise one scratch buffer, its output copied out: each call ends at a frame's end, and a
  // buffer per call made thousands of tiny frames cost gigabytes.
  const scratch = whole ?? Buffer.allocUnsafe(binding.dStreamOutSize());
  const step = binding.dStreamOutSize();
  for (;;) {
    // At most one byte past the limit: enough to know it is passed.
    const out = whole ? whole.subarray(total, Math.min(whole.length, total + step)) : scratch.subarray(0, Math.min(scratch.length, maxOutput - total + 1));
    const [pending, produced, consumed] = dctx.decompressStream(out, input);
    input = input.subarray(consumed);
    total += produced;
    checkOutput(total, maxOutput);
    if (produced > 0 && !whole) chunks.push(Buffer.from(out.subarray(0, produced)));
    // 0: a frame is done and flushed; more input is the next frame.
    if (pending === 0 && input.length === 0) {
      if (whole && total !== whole.length) throw new Error(`zstd frames made ${total} bytes, not the ${whole.length} they state`);
      return whole ?? (yield* joined(chunks, total));
    }
    if (produced === 0 && consumed === 0) throw new Error(whole && total === whole.length ? `zstd frames make more than the ${whole.length} bytes they state` : 'truncated zstd frame');
    yield total;
  }
}

/** `chunks` (`total` bytes) made one buffer, a step every few megabytes (one copy of 100 MiB is ~0.1 s). */
function* joined(chunks: Buffer[], total: number): Generator<number, Buffer, void> {
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let stepEnd = JOIN_STEP_BYTES;
  for (const c of chunks) {
    at += c.copy(out, at);
    if (at >= stepEnd) {
      stepEnd = at + JOIN_STEP_BYTES;
      yield total;
    }
  }
  return out;
}
const JOIN_STEP_BYTES = 4 << 20;

/**
 * Bounded zstd: frames that all state their size are refused past the limit from that, or else
 * made in one call (zstd checks the size stated); otherwise (Java's zstd-jni states none) they are
 * decompressed a chunk at a time (zstdStream).
 */
function zstdDecompress(
  zstd: { decompress(b: Buffer): Buffer },
  binding: ZstdBinding,
  data: Buffer,
  maxOutput: number,
  stream: (d: Buffer, maxOutput: number, stated: null) => Generator<number, Buffer, void>,
): Buffer {
  const stated = statedZstdSize(binding, data);
  if (stated !== null) {
    checkOutput(stated, maxOutput);
    return zstd.decompress(data);
  }
  const steps = stream(data, maxOutput, null);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The largest output after which a zstd decompression context goes back to the pool. */
const POOLED_OUTPUT_MAX = 8 << 20;

function zstdCodec(): Codec {
  const zstd = require('zstd-napi') as { compress(b: Buffer, p?: { compressionLevel?: number }): Buffer; decompress(b: Buffer): Buffer };
  const binding = require('zstd-napi/binding') as ZstdBinding;
  // Decompression contexts not in use: a context keeps its window buffers (up to megabytes), and
  // a fresh one per batch cost the daemon ~25% more CPU on kcat's zstd batches. Steps under way
  // each hold one; steps left unfinished leave theirs to the garbage collector.
  const idle: InstanceType<ZstdBinding['DCtx']>[] = [];
  function* pooled(d: Buffer, maxOutput: number, stated: number | null): Generator<number, Buffer, void> {
    const dctx = idle.pop() ?? new binding.DCtx();
    let keep = false;
    try {
      const out = yield* zstdStream(binding, dctx, d, maxOutput, stated);
      // A context keeps the window of its last frame (up to 128 MiB of native memory, which no
      // GC sees): one that made a large output is let go, and at most two wait for reuse.
      keep = out.length <= POOLED_OUTPUT_MAX;
      return out;
    } finally {
      if (keep && idle.length < 2) idle.push(dctx);
    }
  }
  return {
    name: 'zstd',
    compress: (d, level) => (level === undefined ? zstd.compress(d) : zstd.compress(d, { compressionLevel: level })),
    decompress: (d, maxOutput) => (maxOutput === undefined ? zstd.decompress(d) : zstdDecompress(zstd, binding, d, maxOutput, pooled)),
    decompressSteps(d, maxOutput) {
      // Refused at once when the frames state too much.
      const stated = statedZstdSize(binding, d);
      if (stated !== null) checkOutput(stated, maxOutput);
      return pooled(d, maxOutput, stated);
    },
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
