import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../helpers/in-process.js';

// Wiring through main(argv) without spawning: option groups, the dispatcher, and the one exit
// mapping. No broker is reached: every case fails before connecting, or connects to a closed port.
const env = { KAFKA_TS_HOME: mkdtempSync(join(tmpdir(), 'kafka-ts-unit-')), KAFKA_BOOTSTRAP_SERVERS: undefined, NO_COLOR: '1' };

describe('main(argv) in process', () => {
  it('refuses two actions with Kafka\'s message, exit 2', async () => {
    const r = await runInProcess(['consumer-groups', '--list', '--describe'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('kafka-ts consumer-groups: usage error: Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets\n');
    expect(r.stdout).toBe('');
  });

  it('refuses an unknown verb, and in JSON mode keeps stdout JSON', async () => {
    const r = await runInProcess(['consumer-groups', 'frobnicate', '--output', 'json'], env);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 2, kind: 'usage', message: "unknown action 'frobnicate' (expected list, describe, reset, delete, delete-offsets)" } });
  });

  it('checks option combinations of a verb before reaching a broker', async () => {
    const r = await runInProcess(['consumer-groups', 'describe'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Option [describe] takes one of these options: [all-groups], [group]');
  });

  it('maps an unreachable broker to exit 3 with the hint', async () => {
    const r = await runInProcess(['consumer-groups', '--list', '--bootstrap-server', '127.0.0.1:1', '--timeout', '1000'], env);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^kafka-ts consumer-groups: error: .*\(is the broker running\? see --bootstrap-server\)\n$/);
  });

  it('prints completion from the program it runs in', async () => {
    const r = await runInProcess(['completion', 'bash'], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('consumer-groups) opts="--version --bootstrap-server --context --command-config');
  });

  it('maps a commander parse error to exit 2', async () => {
    const r = await runInProcess(['topics', '--no-such-option'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("kafka-ts topics: usage error: unknown option '--no-such-option'");
  });
});
