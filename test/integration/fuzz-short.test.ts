/**
 * `npm run fuzz` in short (issue 14): scripts/fuzz.mjs against the real daemon process, 20,000
 * mutated, generated and random frames with one broker and 5,000 with three. The daemon must stay
 * alive, answer ApiVersions on a side connection throughout, log no ERROR line, and keep the
 * guard topic's records exactly as written. The frame stream depends only on the seed.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/fuzz.mjs', import.meta.url));

interface FuzzSummary {
  ok: boolean;
  frames: number;
  skipped: number;
  framesPerSecond: number;
  closedByBroker: number;
  answers: number;
  probes: number;
  probeMaxMs: number;
  errorLines: number;
  warnLines: number;
  guardRecords: number;
  failures: string[];
}

async function fuzz(args: string[]): Promise<FuzzSummary> {
  const r = await execa(process.execPath, [SCRIPT, ...args, '--json'], { reject: false, timeout: 110_000, env: { KAFKA_BOOTSTRAP_SERVERS: '' } });
  const line = String(r.stdout).trim().split('\n').pop() ?? '';
  let summary: FuzzSummary;
  try {
    summary = JSON.parse(line) as FuzzSummary;
  } catch {
    throw new Error(`fuzz.mjs printed no summary (exit ${r.exitCode}): ${String(r.stdout)}${String(r.stderr)}`);
  }
  // The whole summary in the failure message: it says which check failed and the figures.
  expect(summary.failures, JSON.stringify(summary)).toEqual([]);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return summary;
}

describe('npm run fuzz (short)', () => {
  it('makes the same frames for the same seed and other frames for another seed', async () => {
    const digest = async (seed: number) => {
      const r = await execa(process.execPath, [SCRIPT, '--dry-run', '--frames', '3000', '--seed', String(seed)]);
      return JSON.parse(String(r.stdout)) as { sha256: string; frames: number };
    };
    const [a, b, c] = await Promise.all([digest(14), digest(14), digest(15)]);
    expect(a.frames).toBe(3000);
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('survives 20,000 fuzzed frames on one broker: alive, answering, no ERROR line, guard data intact', async () => {
    const s = await fuzz(['--frames', '20000', '--seed', '14']);
    expect(s.frames + s.skipped).toBe(20000);
    expect(s.errorLines).toBe(0);
    expect(s.guardRecords).toBe(600);
    // Most fuzzed frames are malformed (closed with a WARN), some are answered.
    expect(s.closedByBroker).toBeGreaterThan(1000);
    expect(s.warnLines).toBeGreaterThanOrEqual(s.closedByBroker * 0.9);
    expect(s.answers).toBeGreaterThan(1000);
    expect(s.probes).toBeGreaterThan(0);
  });

  it('survives 5,000 fuzzed frames on three brokers', async () => {
    const s = await fuzz(['--frames', '5000', '--seed', '41', '--brokers', '3']);
    expect(s.frames + s.skipped).toBe(5000);
    expect(s.errorLines).toBe(0);
    expect(s.guardRecords).toBe(600);
  });
});
