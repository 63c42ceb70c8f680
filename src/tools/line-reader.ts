/**
 * kafka-console-producer's LineMessageReader, on bytes: splits stdin into lines itself (no
 * readline; lines end at \n, \r or \r\n) and parses each line into a record with Kafka's
 * `parse.key`, `key.separator`, `parse.headers`, `headers.delimiter`, `headers.separator` (a
 * regular expression), `headers.key.separator`, `null.marker` and `ignore.error` rules.
 * Values stay raw bytes; non-UTF-8 input passes through unchanged.
 */
import type { RecordHeader } from '../protocol/record-batch.js';
import { UsageError } from '../util/errors.js';
import { boolProperty } from '../util/properties.js';

export interface ReaderConfig {
  parseKey: boolean;
  keySeparator: Buffer;
  parseHeaders: boolean;
  headersDelimiter: Buffer;
  headersSeparator: RegExp;
  headersKeySeparator: string;
  nullMarker: Buffer | null;
  ignoreError: boolean;
}

/** An invalid reader setting (--property, --reader-config): a usage error. */
export class ReaderConfigError extends UsageError {
  override name = 'ReaderConfigError';
}

/** The line reader's properties (Kafka's LineMessageReader). */
export const READER_KEYS: ReadonlySet<string> = new Set(['parse.key', 'key.separator', 'parse.headers', 'headers.delimiter', 'headers.separator', 'headers.key.separator', 'null.marker', 'ignore.error']);

/**
 * --input json: the JSON envelope carries key, value and headers, so the text reader's properties
 * do nothing; each one given is warned about.
 */
export function jsonReader(props: Record<string, string>, warn: (line: string) => void): 'json' {
  for (const k of Object.keys(props)) if (READER_KEYS.has(k)) warn(`WARN ${k} has no effect with --input json (each line's JSON gives the key, value and headers)`);
  return 'json';
}

/** `warn`: says a boolean given without a value is taken as false (boolProperty). */
export function readerConfig(props: Record<string, string>, warn?: (line: string) => void): ReaderConfig {
  const keySep = props['key.separator'] ?? '\t';
  const delim = props['headers.delimiter'] ?? '\t';
  const sep = props['headers.separator'] ?? ',';
  const keyValSep = props['headers.key.separator'] ?? ':';
  const marker = props['null.marker'];
  const pairs: [string, string, string, string][] = [
    ['headers.delimiter', delim, 'headers.separator', sep],
    ['headers.delimiter', delim, 'headers.key.separator', keyValSep],
    ['headers.separator', sep, 'headers.key.separator', keyValSep],
  ];
  const parseHeaders = boolProperty(props, 'parse.headers', false, warn);
  if (parseHeaders) {
    for (const [a, av, b, bv] of pairs) if (av === bv) throw new ReaderConfigError(`${a} and ${b} may not be equal`);
  }
  if (marker !== undefined) {
    for (const [name, v] of [
      ['key.separator', keySep],
      ['headers.separator', sep],
      ['headers.delimiter', delim],
      ['headers.key.separator', keyValSep],
    ] as const) {
      if (marker === v) throw new ReaderConfigError(`null.marker and ${name} may not be equal`);
    }
  }
  let headersSeparator: RegExp;
  try {
    headersSeparator = new RegExp(sep);
  } catch {
    throw new ReaderConfigError(`headers.separator '${sep}' is not a valid regular expression`);
  }
  return {
    parseKey: boolProperty(props, 'parse.key', false, warn),
    keySeparator: Buffer.from(keySep),
    parseHeaders,
    headersDelimiter: Buffer.from(delim),
    headersSeparator,
    headersKeySeparator: keyValSep,
    nullMarker: marker === undefined ? null : Buffer.from(marker),
    ignoreError: boolProperty(props, 'ignore.error', false, warn),
  };
}

export class LineParseError extends Error {
  override name = 'LineParseError';
}

export interface ParsedLine {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

const quote = (line: Buffer) => line.toString('utf8');
/** Shared by every record without headers (never mutated). */
export const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

const isNull = (b: Buffer, cfg: ReaderConfig) => cfg.nullMarker !== null && b.equals(cfg.nullMarker);

/** `needle`'s first place in `line` from `from`: a one-byte needle (the usual tab) as a byte, which Buffer#indexOf finds several times faster. */
const find = (line: Buffer, needle: Buffer, from: number) => (needle.length === 1 ? line.indexOf(needle[0]!, from) : line.indexOf(needle, from));

/** Parses one line (without its terminator). `lineNumber` starts at 1. */
export function parseLine(line: Buffer, cfg: ReaderConfig, lineNumber: number): ParsedLine {
  let pos = 0;
  let headers: RecordHeader[] = NO_HEADERS;
  if (cfg.parseHeaders) {
    const at = find(line, cfg.headersDelimiter, 0);
    if (at < 0) {
      if (!cfg.ignoreError) throw new LineParseError(`No headers delimiter found on line number ${lineNumber}: '${quote(line)}'`);
    } else {
      const block = line.subarray(0, at);
      pos = at + cfg.headersDelimiter.length;
      if (!isNull(block, cfg)) headers = parseHeaderBlock(block.toString('utf8'), cfg, lineNumber);
    }
  }
  let key: Buffer | null = null;
  if (cfg.parseKey) {
    const at = find(line, cfg.keySeparator, pos);
    if (at < 0) {
      if (!cfg.ignoreError) throw new LineParseError(`No key separator found on line number ${lineNumber}: '${quote(line)}'`);
    } else {
      key = line.subarray(pos, at);
      pos = at + cfg.keySeparator.length;
      if (isNull(key, cfg)) key = null;
    }
  }
  let value: Buffer | null = pos === 0 ? line : line.subarray(pos);
  if (isNull(value, cfg)) value = null;
  return { key, value, headers };
}

function parseHeaderBlock(block: string, cfg: ReaderConfig, lineNumber: number): RecordHeader[] {
  const marker = cfg.nullMarker?.toString('utf8');
  return block.split(cfg.headersSeparator).map((pair) => {
    const at = pair.indexOf(cfg.headersKeySeparator);
    if (at < 0) {
      if (cfg.ignoreError) return { key: pair, value: null };
      throw new LineParseError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`);
    }
    const key = pair.slice(0, at);
    const value = pair.slice(at + cfg.headersKeySeparator.length);
    if (marker !== undefined && key === marker) {
      throw new LineParseError(`Header keys should not be equal to the null marker '${marker}' as they can't be null`);
    }
    return { key, value: marker !== undefined && value === marker ? null : Buffer.from(value, 'utf8') };
  });
}

/**
 * The lines of one chunk as offsets into it (no Buffer per line): line i is
 * `chunk[starts[i], ends[i])`. A line begun in earlier chunks is `head`, ahead of them.
 */
export interface LineOffsets {
  head: Buffer | null;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * Splits a byte stream into lines. `push` returns the complete lines in the chunk; `end`
 * returns a final line without a terminator, if any. A '\r' at the end of a chunk waits for the
 * next chunk to tell '\r\n' from '\r'. `scan` is `push` as offsets, for callers that copy each
 * line's bytes straight from the chunk.
 */
export class LineSplitter {
  /** The pieces of a line begun in earlier chunks (joined once it ends, not per chunk). */
  private carry: Buffer[] = [];
  private pendingCR = false;
  private readonly offsets: LineOffsets = { head: null, count: 0, starts: new Int32Array(1024), ends: new Int32Array(1024) };

  push(chunk: Buffer): Buffer[] {
    const o = this.scan(chunk);
    const lines: Buffer[] = [];
    if (o.head) lines.push(o.head);
    for (let i = 0; i < o.count; i++) lines.push(chunk.subarray(o.starts[i], o.ends[i]));
    return lines;
  }

  /**
   * The lines `chunk` completes, as offsets; valid until the next call. `reused`: the chunk's
   * bytes will be overwritten once the caller is done with its lines, so a line it begins is
   * copied.
   */
  scan(chunk: Buffer, reused = false): LineOffsets {
    const o = this.offsets;
    o.head = null;
    o.count = 0;
    const n = chunk.length;
    // An empty chunk changes nothing (a pending '\r' still waits for the next byte).
    if (n === 0) return o;
    let start = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (chunk[0] === 0x0a) start = 1;
    }
    // Native searches for both terminators; each is recomputed only once passed.
    let nl = chunk.indexOf(0x0a, start);
    let cr = chunk.indexOf(0x0d, start);
    let { starts, ends } = o;
    let count = 0;
    while (nl >= 0 || cr >= 0) {
      const at = cr < 0 || (nl >= 0 && nl < cr) ? nl : cr;
      if (this.carry.length > 0) {
        this.carry.push(chunk.subarray(start, at));
        o.head = Buffer.concat(this.carry);
        this.carry = [];
      } else {
        if (count === starts.length) {
          const s2 = new Int32Array(count * 2);
          const e2 = new Int32Array(count * 2);
          s2.set(starts);
          e2.set(ends);
          o.starts = starts = s2;
          o.ends = ends = e2;
        }
        starts[count] = start;
        ends[count++] = at;
      }
      let next = at + 1;
      if (at === cr) {
        if (next === n) {
          this.pendingCR = true;
          o.count = count;
          return o;
        }
        if (chunk[next] === 0x0a) next++;
      }
      start = next;
      if (nl >= 0 && nl < start) nl = chunk.indexOf(0x0a, start);
      if (cr >= 0 && cr < start) cr = chunk.indexOf(0x0d, start);
    }
    if (start < n) this.carry.push(reused ? Buffer.from(chunk.subarray(start)) : chunk.subarray(start));
    o.count = count;
    return o;
  }

  end(): Buffer | null {
    const last = this.carry.length === 0 ? null : this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry);
    this.carry = [];
    return last && last.length > 0 ? last : null;
  }
}

/** Bytes read from a regular file on stdin at a time. */
const FILE_CHUNK = 1 << 20;

/**
 * A regular file on stdin (a redirect), read synchronously in 1 MiB chunks: a read of a file
 * does not wait for long, and a stream's thread-pool round trip and fresh buffer per chunk cost
 * more than the read (200 MB: 60-90 ms of CPU through fs.createReadStream, 25 ms here, most of
 * it page faults of the fresh buffers). The event loop turns before each read, as it does
 * between a stream's chunks. After `reuseChunks()` every chunk is read into the same buffer: for
 * a reader that keeps no reference to a chunk once it asks for the next one.
 */
export class FileInput implements AsyncIterable<Buffer> {
  private destroyed = false;
  private reusing = false;
  private buffer: Buffer | null = null;

  constructor(
    private readonly fd: number,
    private readonly readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: null) => number,
    private readonly chunkSize = FILE_CHUNK,
  ) {}

  reuseChunks(): void {
    this.reusing = true;
  }

  /** Ends the input: the next chunk is not read. */
  destroy(): void {
    this.destroyed = true;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.destroyed) return;
      const buf = this.reusing ? (this.buffer ??= Buffer.allocUnsafeSlow(this.chunkSize)) : Buffer.allocUnsafeSlow(this.chunkSize);
      const n = this.readSync(this.fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  }
}

/**
 * The console producer's input: a regular file on stdin (a redirect) as a FileInput; a pipe or
 * a terminal is process.stdin itself.
 */
export async function producerInput(): Promise<AsyncIterable<Buffer | string> & { destroy(): void }> {
  const { fstatSync, readSync } = await import('node:fs');
  try {
    if (fstatSync(0).isFile()) return new FileInput(0, readSync);
  } catch {
    // No stdin to inspect: process.stdin decides.
  }
  return process.stdin;
}
