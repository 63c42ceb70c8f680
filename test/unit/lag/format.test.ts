/**
 * How lag reads: sparkline scaling (zero-based, optionally shared between rows) and the status
 * text, including the warming state while the window fills.
 */
import { describe, expect, it } from 'vitest';
import { formatStatus, formatWindowProgress, sparkline, sparklineScale } from '../../../src/lag/format.js';

describe('sparkline', () => {
  it('is zero-based: a steady lag is a flat line at its height, not a full bar for a small lag', () => {
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁');
    expect(sparkline([0, 50, 100], 3)).toBe('▁▅█');
    // On its own scale a steady lag sits at the top; beside a lag 100 times larger it stays low.
    expect(sparkline([3, 3, 3], 3)).toBe('███');
    expect(sparkline([3, 3, 3], 3, 300)).toBe('▂▂▂');
  });

  it('draws any lag above the zero line, however small beside the top', () => {
    expect(sparkline([0, 1, 20_600], 3)).toBe('▁▂█');
  });

  it('shares one scale between rows: the largest value of all of them', () => {
    const rows = [
      [3, 3, 3, 3],
      [100, 400, 20_600, 20_600],
      [],
    ];
    const top = sparklineScale(rows);
    expect(top).toBe(20_600);
    expect(rows.map((r) => sparkline(r, 4, top))).toEqual(['▂▂▂▂', '▂▂██', '']);
    expect(sparklineScale([])).toBe(0);
  });

  it('keeps the largest value of the samples each cell covers when squeezed', () => {
    expect(sparkline([0, 10, 0, 0, 5, 0], 3, 10)).toBe('█▁▅');
  });
});

describe('status text', () => {
  it('reads as STATUS REASON, and while the window fills as warming with how much is observed', () => {
    expect(formatStatus({ status: 'ERR', reason: 'STOP' }, 30_000)).toBe('ERR STOP');
    expect(formatStatus({ status: 'IDLE', reason: null }, 30_000)).toBe('IDLE');
    expect(formatStatus({ status: 'WARMING', reason: null, windowFilledMs: 12_900 }, 30_000)).toBe('warming 12/30s');
    expect(formatStatus({ status: 'WARMING', reason: null, windowFilledMs: 1_250 }, 2_000)).toBe('warming 1.2/2s');
    expect(formatWindowProgress(0, 120_000)).toBe('0/120s');
  });
});
