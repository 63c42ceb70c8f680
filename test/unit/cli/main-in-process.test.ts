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
    expect(r.stdout).toContain('consumer-groups) verbs="list describe reset delete delete-offsets"; opts="--version --bootstrap-server --context --command-config');
  });

  it('maps a commander parse error to exit 2', async () => {
    const r = await runInProcess(['topics', '--no-such-option'], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("kafka-ts topics: usage error: unknown option '--no-such-option'");
  });

  it('refuses a single-valued option given twice, as jopt-simple does, in every command', async () => {
    for (const argv of [
      ['configs', '--describe', '--topic', 'a', '--topic', 'b'],
      ['dump-log', '--files', 'x.log', '--files', 'y.log'],
      ['get-offsets', '--topic', 'a', '--output', 'json', '--output', 'text'],
      ['console-consumer', '--topic', 'a', '--topic', 'b'],
      ['leader-election', '--election-type', 'preferred', '--topic', 'a', '--partition', '0', '--partition', '1'],
      ['consumer-groups', '--list', '--bootstrap-server', '127.0.0.1:1', '--bootstrap-server', '127.0.0.1:2'],
    ]) {
      const r = await runInProcess(argv, env);
      const name = argv.find((a, i) => a.startsWith('--') && argv.indexOf(a) !== argv.lastIndexOf(a) && i === argv.indexOf(a))!.slice(2);
      expect(r.exitCode, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain(`Found multiple arguments for option ${name}, but you asked for only one`);
    }
  });

  it('still collects repeatable options, and the perf test keeps argparse\'s last value', async () => {
    // --help is answered after the options are parsed: exit 0 means the repeats were taken.
    for (const argv of [
      ['consumer-groups', '--describe', '--group', 'a', '--group', 'b', '--help'],
      ['topics', '--create', '--topic', 't', '--config', 'a=1', '--config', 'b=2', '--help'],
      ['producer-perf-test', '--topic', 't', '--topic', 'u', '--help'],
      ['transactions', '--bootstrap-server', 'a:1', '--bootstrap-server', 'b:2', '--help'],
      ['metadata-quorum', '--bootstrap-server', 'a:1', '--bootstrap-server', 'b:2', '--help'],
      // kafka-ts's own commands: a wrapper may append an override, as with rpk's flags.
      ['server', 'start', '--port', '0', '--port', '9093', '--help'],
    ]) {
      const r = await runInProcess(argv, env);
      expect(r.stderr, argv.join(' ')).toBe('');
      expect(r.exitCode, argv.join(' ')).toBe(0);
    }
  });

  it("producer-perf-test with no arguments at all prints its help on stdout, exit 0 (argparse4j; it said '--topic is required', exit 2)", async () => {
    const r = await runInProcess(['producer-perf-test'], env);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kafka-ts producer-perf-test /);
    expect(r.stdout).toContain('--num-records <n>');
    // Any argument runs the checks as before.
    const partial = await runInProcess(['producer-perf-test', '--num-records', '5'], env);
    expect(partial.exitCode).toBe(2);
    expect(partial.stderr).toContain('argument --topic is required');
  });

  it('consumer-perf-test takes --timeout without a value, as Kafka\'s optional-argument option (it said "argument missing", exit 2)', async () => {
    // --fetch-size 0 is refused after --timeout is read: the options got that far.
    for (const argv of [
      ['consumer-perf-test', '--topic', 't', '--messages', '5', '--timeout', '--fetch-size', '0'],
      ['consumer-perf-test', '--topic', 't', '--messages', '5', '--fetch-size', '0', '--timeout'],
    ]) {
      const r = await runInProcess(argv, env);
      expect(r.stderr, argv.join(' ')).toBe('kafka-ts consumer-perf-test: usage error: Option fetch-size must be greater than zero (got 0)\n');
      expect(r.exitCode, argv.join(' ')).toBe(2);
    }
  });

  it('producer-perf-test gives up on an unreachable broker after max.block.ms from --producer-props, and says so (it waited default.api.timeout.ms, 10 s)', async () => {
    const started = Date.now();
    const r = await runInProcess(['producer-perf-test', '--topic', 'perf', '--num-records', '5', '--throughput', '-1', '--record-size', '10', '--producer-props', 'bootstrap.servers=127.0.0.1:1', 'max.block.ms=1500'], env);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('retrying for up to 1500 ms (max.block.ms)');
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.stdout).toBe('');
  });
});
