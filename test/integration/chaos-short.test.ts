/**
 * `npm run chaos` in short (issue 14): scripts/chaos.mjs SIGKILLs the real daemon process at
 * random moments while our producer (acks=all, retrying) writes to it, restarts it, and reads
 * everything back at the end: no acknowledged record may be missing or moved, and with
 * idempotence none may be written twice. Five cycles on one broker, two on three brokers
 * (replication factor 3, min.insync.replicas 2).
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/chaos.mjs', import.meta.url));

interface ChaosSummary {
  ok: boolean;
  cycles: number;
  acknowledged: number;
  readBack: number;
  lost: number;
  misplaced: number;
  duplicates: number;
  errorLines: number;
  failures: string[];
}

async function chaos(args: string[]): Promise<ChaosSummary> {
  const r = await execa(process.execPath, [SCRIPT, ...args, '--json'], { reject: false, timeout: 110_000, env: { KAFKA_BOOTSTRAP_SERVERS: '' } });
  const line = String(r.stdout).trim().split('\n').pop() ?? '';
  let summary: ChaosSummary;
  try {
    summary = JSON.parse(line) as ChaosSummary;
  } catch {
    throw new Error(`chaos.mjs printed no summary (exit ${r.exitCode}): ${String(r.stdout)}${String(r.stderr)}`);
  }
  expect(summary.failures, JSON.stringify(summary)).toEqual([]);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return summary;
}

describe('npm run chaos (short)', () => {
  it('keeps every acknowledged record, once, across 5 SIGKILLs of one idempotently produced-to broker', async () => {
    const s = await chaos(['--cycles', '5', '--seed', '14', '--max-kill-ms', '800']);
    expect(s.cycles).toBe(5);
    expect(s.acknowledged).toBeGreaterThan(0);
    expect(s.lost).toBe(0);
    expect(s.misplaced).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(s.readBack).toBeGreaterThanOrEqual(s.acknowledged);
  });

  it('keeps every acknowledged record across 2 SIGKILLs of three brokers (RF 3, min.insync.replicas 2)', async () => {
    const s = await chaos(['--cycles', '2', '--brokers', '3', '--seed', '41', '--max-kill-ms', '800']);
    expect(s.cycles).toBe(2);
    expect(s.acknowledged).toBeGreaterThan(0);
    expect(s.lost).toBe(0);
    expect(s.misplaced).toBe(0);
    expect(s.duplicates).toBe(0);
  });
});
