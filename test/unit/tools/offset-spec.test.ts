import { describe, expect, it } from 'vitest';
import { parseDuration, parseOffsetSpec, OffsetSpecError } from '../../../src/tools/offset-spec.js';

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);

describe('--offset grammar', () => {
  it("accepts Kafka's values", () => {
    expect(parseOffsetSpec('earliest')).toEqual({ start: { kind: 'earliest' }, end: null });
    expect(parseOffsetSpec('LATEST')).toEqual({ start: { kind: 'latest' }, end: null });
    expect(parseOffsetSpec('42')).toEqual({ start: { kind: 'offset', offset: 42 }, end: null });
  });

  it('accepts last-N, +N, timestamps and relative times', () => {
    expect(parseOffsetSpec('-10').start).toEqual({ kind: 'fromEnd', count: 10 });
    expect(parseOffsetSpec('+3').start).toEqual({ kind: 'afterStart', count: 3 });
    expect(parseOffsetSpec('@1700000000000').start).toEqual({ kind: 'time', timestamp: 1700000000000 });
    expect(parseOffsetSpec('@2026-01-01T00:00:00Z', NOW).start).toEqual({ kind: 'time', timestamp: Date.UTC(2026, 0, 1) });
    expect(parseOffsetSpec('@-1h30m', NOW).start).toEqual({ kind: 'time', timestamp: NOW - 5_400_000 });
  });

  it('accepts an end bound', () => {
    expect(parseOffsetSpec('earliest:end')).toEqual({ start: { kind: 'earliest' }, end: { kind: 'end' } });
    expect(parseOffsetSpec(':end')).toEqual({ start: { kind: 'earliest' }, end: { kind: 'end' } });
    expect(parseOffsetSpec('100:200')).toEqual({ start: { kind: 'offset', offset: 100 }, end: { kind: 'offset', offset: 200 } });
    expect(parseOffsetSpec('@-2d:@-1d', NOW)).toEqual({ start: { kind: 'time', timestamp: NOW - 2 * 86_400_000 }, end: { kind: 'time', timestamp: NOW - 86_400_000 } });
    expect(parseOffsetSpec('@2026-01-01T10:30:00Z:end', NOW)).toEqual({ start: { kind: 'time', timestamp: Date.UTC(2026, 0, 1, 10, 30) }, end: { kind: 'end' } });
    expect(parseOffsetSpec('-5:@2026-01-01T10:30:00.500Z').end).toEqual({ kind: 'time', timestamp: Date.UTC(2026, 0, 1, 10, 30, 0, 500) });
  });

  it("rejects anything else with Kafka's message", () => {
    for (const bad of ['soon', '1.5', '@yesterday', '5:later', '@-1y', '', ' ']) {
      expect(() => parseOffsetSpec(bad)).toThrow(OffsetSpecError);
    }
    expect(() => parseOffsetSpec('soon')).toThrow("The provided offset value 'soon' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long");
  });

  it('takes Java longs (past 2^53 as 2^53 - 1, still past every log), refuses more, and ranges that hold nothing', () => {
    for (const bad of ['9223372036854775808', '-99999999999999999999', '+9223372036854775808', '0:9223372036854775808']) {
      expect(() => parseOffsetSpec(bad), bad).toThrow(/is not a long/);
    }
    expect(parseOffsetSpec('9007199254740991').start).toEqual({ kind: 'offset', offset: 9007199254740991 });
    expect(parseOffsetSpec('9223372036854775807').start).toEqual({ kind: 'offset', offset: Number.MAX_SAFE_INTEGER });
    expect(parseOffsetSpec('-9007199254740993').start).toEqual({ kind: 'fromEnd', count: Number.MAX_SAFE_INTEGER });
    expect(() => parseOffsetSpec('200:100')).toThrow('END 100 is not after START 200');
    expect(() => parseOffsetSpec('5:5')).toThrow('END 5 is not after START 5');
    expect(() => parseOffsetSpec('@-1d:@-2d', NOW)).toThrow('the end time is not after the start time');
    // Only absolute bounds are compared: -N or +N against an offset depends on the log.
    expect(parseOffsetSpec('-5:3').end).toEqual({ kind: 'offset', offset: 3 });
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('h')).toBeNull();
    expect(parseDuration('1h x')).toBeNull();
  });
});
