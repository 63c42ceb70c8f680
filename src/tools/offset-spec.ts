/**
 * The --offset grammar of console-consumer: Kafka's values plus what kcat and rpk users expect.
 *
 *   START[:END]
 *   START  earliest | beginning | start     the first record
 *          latest | end                     only new records (Kafka's default)
 *          N                                the absolute offset N
 *          -N                               the last N records of each partition
 *          +N                               N records after the first one
 *          @TIME                            the first record at or after TIME
 *   END    end                              stop at the end of the log as it was at start-up
 *          N                                stop before offset N
 *          @TIME                            stop before the first record at or after TIME
 *   TIME   milliseconds since the epoch, an ISO-8601 date/time (2024-05-01, 2024-05-01T10:00:00Z),
 *          or -DURATION before now (-15m, -1h30m, -2d; units ms, s, m, h, d)
 */
import { UsageError } from '../util/errors.js';

export type StartSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'afterStart'; count: number }
  | { kind: 'time'; timestamp: number };

/**
 * Where a read stops (exclusive). An END offset past the log waits for records up to it, unless
 * `atMostLogEnd` (-e, --exit-at-end): then the read stops at the log's end if that comes first.
 */
export type EndSpec = { kind: 'end' } | { kind: 'offset'; offset: number; atMostLogEnd?: boolean } | { kind: 'time'; timestamp: number };

export interface OffsetSpec {
  start: StartSpec;
  end: EndSpec | null;
}

/** A --offset value that is not one: a usage error. */
export class OffsetSpecError extends UsageError {
  override name = 'OffsetSpecError';
  constructor(value: string, why?: string) {
    super(
      `The provided offset value '${value}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long` +
        `${why ? ` (${why})` : ''}; kafka-ts also accepts -N, +N, @TIME and START:END (see kafka-ts-console-consumer(1)).`,
    );
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration like 90s, 15m, 1h30m, 2d. */
export function parseDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : null;
}

export function parseTime(text: string, now: number): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (text.startsWith('-')) {
    const d = parseDuration(text.slice(1));
    return d === null ? null : now - d;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/**
 * A count or offset: a Java long, as in Kafka. Past 2^53 it becomes 2^53 - 1 (a number would
 * silently become another one), which is still past the end of every log.
 */
function long(digits: string, whole: string): number {
  if (BigInt(digits) > 0x7fffffffffffffffn) throw new OffsetSpecError(whole, `${digits} is not a long`);
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

function parseStart(text: string, whole: string, now: number): StartSpec {
  const t = text.toLowerCase();
  if (t === 'earliest' || t === 'beginning' || t === 'start' || t === 'oldest') return { kind: 'earliest' };
  if (t === 'latest' || t === 'end' || t === 'newest') return { kind: 'latest' };
  if (/^\d+$/.test(text)) return { kind: 'offset', offset: long(text, whole) };
  if (/^-\d+$/.test(text)) return { kind: 'fromEnd', count: long(text.slice(1), whole) };
  if (/^\+\d+$/.test(text)) return { kind: 'afterStart', count: long(text.slice(1), whole) };
  if (text.startsWith('@')) {
    const ts = parseTime(text.slice(1), now);
    if (ts === null) throw new OffsetSpecError(whole, `cannot read the time '${text.slice(1)}'`);
    return { kind: 'time', timestamp: ts };
  }
  throw new OffsetSpecError(whole);
}

function parseEnd(text: string, whole: string, now: number): EndSpec {
  if (text.toLowerCase() === 'end') return { kind: 'end' };
  if (/^\d+$/.test(text)) return { kind: 'offset', offset: long(text, whole) };
  if (text.startsWith('@')) {
    const ts = parseTime(text.slice(1), now);
    if (ts === null) throw new OffsetSpecError(whole, `cannot read the time '${text.slice(1)}'`);
    return { kind: 'time', timestamp: ts };
  }
  throw new OffsetSpecError(whole, `unknown end '${text}'`);
}

export function parseOffsetSpec(value: string, now = Date.now()): OffsetSpec {
  const v = value.trim();
  // An empty value is a mistake (an unset variable in a script), not "from the beginning".
  if (v === '') throw new OffsetSpecError(value);
  // A colon separates START and END, except inside an ISO time (…T10:00:00Z).
  const m = /^(@[^:T]*(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?|[^:@]*)(?::(.*))?$/.exec(v);
  if (!m || m[1] === undefined) throw new OffsetSpecError(value);
  const startText = m[1] === '' ? 'earliest' : m[1];
  const spec = { start: parseStart(startText, value, now), end: m[2] === undefined ? null : parseEnd(m[2], value, now) };
  // An empty range printed nothing and exited 0, as if the log were empty: say what is wrong.
  const { start, end } = spec;
  if (start.kind === 'offset' && end?.kind === 'offset' && end.offset <= start.offset) throw new OffsetSpecError(value, `END ${end.offset} is not after START ${start.offset}`);
  if (start.kind === 'time' && end?.kind === 'time' && end.timestamp <= start.timestamp) throw new OffsetSpecError(value, 'the end time is not after the start time');
  return spec;
}
