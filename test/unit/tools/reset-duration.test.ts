import { describe, expect, it } from 'vitest';
import { parseByDuration } from '../../../src/tools/reset-offsets.js';

const H = 3_600_000;

describe('--by-duration (Java Duration.parse, as Kafka reads it)', () => {
  it('takes ISO-8601 in either case, with signs on the whole and on each part', () => {
    expect(parseByDuration('PT1H')).toBe(H);
    expect(parseByDuration('pt1h')).toBe(H);
    expect(parseByDuration('P1d')).toBe(24 * H);
    expect(parseByDuration('P1DT2H30M')).toBe(26.5 * H);
    expect(parseByDuration('-PT1H')).toBe(-H);
    expect(parseByDuration('+PT1H')).toBe(H);
    expect(parseByDuration('PT-1H30M')).toBe(-H + 30 * 60_000);
    expect(parseByDuration('-PT-1H')).toBe(H);
  });

  it('takes fractional seconds with a point or a comma, the fraction signed as its seconds', () => {
    expect(parseByDuration('PT1.5S')).toBe(1500);
    expect(parseByDuration('PT1,25S')).toBe(1250);
    expect(parseByDuration('PT-0.5S')).toBe(-500);
    expect(parseByDuration('PT1.S')).toBe(1000);
  });

  it('keeps the short forms', () => {
    expect(parseByDuration('90s')).toBe(90_000);
    expect(parseByDuration('1h30m')).toBe(1.5 * H);
  });

  it('refuses what Java refuses: no part, a T with nothing after it, other units, stray text', () => {
    for (const bad of ['P', 'PT', 'P1DT', 'P1W', 'P1Y', 'PT1H ', '1 hour', 'PT1.5H', '--PT1H', '']) {
      expect(() => parseByDuration(bad), bad).toThrow(/Error parsing duration/);
    }
  });
});
