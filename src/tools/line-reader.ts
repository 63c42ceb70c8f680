/**
 * kafka-console-producer's LineMessageReader, on bytes: splits stdin into lines itself (no
 * readline; lines end at \n, \r or \r\n) and parses each line into a record with Kafka's
 * `parse.key`, `key.separator`, `parse.headers`, `headers.delimiter`, `headers.separator` (a
 * regular expression), `headers.key.separator`, `null.marker` and `ignore.error` rules.
 * Values stay raw bytes; non-UTF-8 input passes through unchanged.
 */
import type { RecordHeader } from '../protocol/record-batch.js';
import { UsageError } from '../util/errors.js';

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

/** Kafka's booleans: true only for the trimmed, case-insensitive string "true". */
const bool = (v: string | undefined) => v !== undefined && v.trim().toLowerCase() === 'true';

export function readerConfig(props: Record<string, string>): ReaderConfig {
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
  const parseHeaders = bool(props['parse.headers']);
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
    parseKey: bool(props['parse.key']),
    keySeparator: Buffer.from(keySep),
    parseHeaders,
    headersDelimiter: Buffer.from(delim),
    headersSeparator,
    headersKeySeparator: keyValSep,
    nullMarker: marker === undefined ? null : Buffer.from(marker),
    ignoreError: bool(props['ignore.error']),
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
const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

const isNull = (b: Buffer, cfg: ReaderConfig) => cfg.nullMarker !== null && b.equals(cfg.nullMarker);

/** Parses one line (without its terminator). `lineNumber` starts at 1. */
export function parseLine(line: Buffer, cfg: ReaderConfig, lineNumber: number): ParsedLine {
  let pos = 0;
  let headers: RecordHeader[] = NO_HEADERS;
  if (cfg.parseHeaders) {
    const at = line.indexOf(cfg.headersDelimiter);
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
    const at = line.indexOf(cfg.keySeparator, pos);
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
 * Splits a byte stream into lines. `push` returns the complete lines in the chunk; `end`
 * returns a final line without a terminator, if any. A '\r' at the end of a chunk waits for the
 * next chunk to tell '\r\n' from '\r'.
 */
export class LineSplitter {
  private carry: Buffer | null = null;
  private pendingCR = false;

  push(chunk: Buffer): Buffer[] {
    // An empty chunk changes nothing (a pending '\r' still waits for the next byte).
    if (chunk.length === 0) return [];
    const lines: Buffer[] = [];
    let buf = chunk;
    let start = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (buf.length > 0 && buf[0] === 0x0a) start = 1;
    }
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf.subarray(start)]);
      start = 0;
      this.carry = null;
    }
    const n = buf.length;
    // Native searches for both terminators; each is recomputed only once passed.
    let nl = buf.indexOf(0x0a, start);
    let cr = buf.indexOf(0x0d, start);
    while (nl >= 0 || cr >= 0) {
      const at = cr < 0 || (nl >= 0 && nl < cr) ? nl : cr;
      lines.push(buf.subarray(start, at));
      let next = at + 1;
      if (at === cr) {
        if (next === n) {
          this.pendingCR = true;
          return lines;
        }
        if (buf[next] === 0x0a) next++;
      }
      start = next;
      if (nl >= 0 && nl < start) nl = buf.indexOf(0x0a, start);
      if (cr >= 0 && cr < start) cr = buf.indexOf(0x0d, start);
    }
    if (start < n) this.carry = buf.subarray(start);
    return lines;
  }

  end(): Buffer | null {
    const last = this.carry;
    this.carry = null;
    return last && last.length > 0 ? last : null;
  }
}

/**
 * The console producer's input: stdin, read in 1 MiB chunks when it is a regular file (a
 * redirect), so a large input takes 16 times fewer reads than process.stdin's 64 KiB; a pipe or a
 * terminal is process.stdin itself.
 */
export async function producerInput(): Promise<NodeJS.ReadableStream & { destroy(): void }> {
  const { fstatSync, createReadStream } = await import('node:fs');
  try {
    if (fstatSync(0).isFile()) return createReadStream('', { fd: 0, highWaterMark: 1 << 20, autoClose: false });
  } catch {
    // No stdin to inspect: process.stdin decides.
  }
  return process.stdin;
}
