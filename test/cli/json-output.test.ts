/**
 * The JSON-mode rule of kafka-ts(1), for every command: with --output json, stdout carries only
 * JSON (one document per line) or nothing, on success and on failure. A failure that ends a
 * command prints {"error":{"code","kind","message"}} as its last line, with the exit code, and
 * the usual one line on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
const kt = (args: string[], input?: string): Promise<RunResult> => kafkaTs(args, { home, input });
const file = (name: string, text: string) => {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
};

/** Parses every line of stdout as JSON; fails naming the command and what it printed. */
function documents(args: string[], r: RunResult): unknown[] {
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new Error(`kafka-ts ${args.join(' ')} (exit ${r.exitCode}) printed a line that is not JSON: ${JSON.stringify(line)}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
  });
}

const KINDS: Record<number, string> = { 1: 'failed', 2: 'usage', 3: 'unreachable', 4: 'not_found', 5: 'busy', 6: 'timeout' };

/** Runs a command that must succeed in JSON mode; returns its documents. */
async function ok(args: string[], input?: string): Promise<unknown[]> {
  const r = await kt([...args, '--output', 'json'], input);
  const docs = documents(args, r);
  expect({ args, exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ args, exitCode: 0, stderr: '' });
  expect(docs.length, `kafka-ts ${args.join(' ')} printed no JSON`).toBeGreaterThan(0);
  return docs;
}

/** Runs a command that must fail in JSON mode with `code`: the last line is the error object. */
async function fails(code: number, args: string[], input?: string): Promise<{ code: number; kind: string; message: string }> {
  const r = await kt([...args, '--output', 'json'], input);
  const docs = documents(args, r);
  expect({ args, exitCode: r.exitCode, stdout: r.stdout }).toMatchObject({ args, exitCode: code });
  const error = (docs.at(-1) as { error?: { code: number; kind: string; message: string } } | undefined)?.error;
  expect({ args, error }).toMatchObject({ args, error: { code, kind: KINDS[code] } });
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(error!.message);
  return error!;
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-json-'));
  await startDaemon(home, ['--brokers', '3', '--override', 'auto.leader.rebalance.enable=false']);
});

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('--output json keeps stdout JSON', () => {
  it('topics', async () => {
    expect(await ok(['topics', 'create', 'orders', '-p', '2', '-r', '3'])).toEqual([{ topic: 'orders', created: true }]);
    await ok(['topics', 'list']);
    await ok(['topics', 'describe', 'orders']);
    await ok(['topics', 'alter', 'orders', '--partitions', '3']);
    await ok(['topics', 'create', 'doomed']);
    // Kafka's collision warning goes to stderr in JSON mode.
    const dotted = await kt(['topics', 'create', 'with.dot', '--output', 'json']);
    expect({ exitCode: dotted.exitCode, docs: documents(['topics', 'create', 'with.dot'], dotted) }).toEqual({ exitCode: 0, docs: [{ topic: 'with.dot', created: true }] });
    expect(dotted.stderr).toContain('collide');
    expect(await ok(['topics', 'delete', 'doomed'])).toEqual([{ deleted: ['doomed'] }]);
    // Kafka's layout prints this failure on stdout ("Error while executing topic command : …").
    expect((await fails(4, ['topics', 'describe', 'nope'])).message).toContain("Topic 'nope' does not exist");
    await fails(2, ['topics', 'create', 'x', '--partitions', 'many']);
    await fails(2, ['topics', '--no-such-flag']);
    await fails(2, ['topics', 'list', '--output', 'yaml']);
  });

  it('console-producer (a summary object) and console-consumer', async () => {
    expect(await ok(['console-producer', '--topic', 'orders', '--property', 'parse.key=true'], 'alice\tpizza\nbob\tsoup\n')).toEqual([
      { topic: 'orders', sent: 2, failed: 0, inputError: null, interrupted: false },
    ]);
    const bad = await kt(['console-producer', '--topic', 'orders', '--property', 'parse.key=true', '--output', 'json'], 'no separator\n');
    expect(bad.exitCode).toBe(1);
    expect(documents(['console-producer'], bad)).toMatchObject([{ sent: 0, inputError: expect.stringContaining('No key separator') }]);
    expect(await ok(['console-consumer', '--topic', 'orders', '--from-beginning', '-e'])).toHaveLength(2);
    expect((await ok(['console-consumer', '--topic', 'orders', '--from-beginning', '-e', '--enable-systest-events'])).at(-1)).toEqual({ event: 'shutdown_complete' });
    await fails(4, ['console-consumer', '--topic', 'nope', '-e']);
    // A record the formatter cannot print ends the command as a failure: the error is the last line.
    const undecodable = await kt(['console-consumer', '--topic', 'orders', '--from-beginning', '-e', '--value-format', 'avro', '--output', 'json']);
    expect({ exitCode: undecodable.exitCode, last: documents(['console-consumer'], undecodable).at(-1) }).toMatchObject({
      exitCode: 1,
      last: { error: { code: 1, kind: 'failed', message: expect.stringContaining("schema registry's wire format") } },
    });
    expect(undecodable.stderr).toContain("Unknown error when running consumer: Cannot decode the value");
    await fails(2, ['console-consumer', '--topic', 'orders', '--offset', 'yesterday']);
    await fails(2, ['console-producer']);
  });

  it('consumer-groups and lag', async () => {
    expect((await kt(['console-consumer', '--topic', 'orders', '--group', 'billing', '--from-beginning', '-e'])).exitCode).toBe(0);
    await ok(['consumer-groups', '--list']);
    await ok(['consumer-groups', '--describe', '--group', 'billing']);
    await ok(['consumer-groups', 'reset', 'billing', '--all-topics', '--to-earliest', '--execute']);
    await ok(['lag', 'billing', '--once']);
    await fails(2, ['consumer-groups', '--describe', '--group', 'billing', '--watch']);
    await fails(2, ['lag', '--once', '--check']);
    await ok(['consumer-groups', '--delete', '--group', 'billing']);
  });

  it('reassign-partitions and leader-election', async () => {
    const generated = (await ok(['reassign-partitions', '--generate', '--topics-to-move-json-file', file('move.json', '{"topics":[{"topic":"orders"}],"version":1}'), '--broker-list', '1,2,3'])) as { current: unknown; proposed: { partitions: unknown[] } }[];
    expect(generated[0]!.proposed.partitions).toHaveLength(3);
    const plan = file('plan.json', '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[3,2,1]}]}');
    const [executed] = (await ok(['reassign-partitions', '--execute', '--reassignment-json-file', plan, '--wait'])) as { started: unknown[]; verify: { partitions: { status: string }[] } }[];
    expect(executed).toMatchObject({ started: [{ topic: 'orders', partition: 0 }], verify: { partitions: [{ status: 'completed' }] } });
    await ok(['reassign-partitions', '--verify', '--reassignment-json-file', plan]);
    await ok(['reassign-partitions', '--list']);
    expect(await ok(['reassign-partitions', '--cancel', '--reassignment-json-file', plan])).toEqual([{ cancelled: [], failed: [], throttlesCleared: true }]);
    await fails(4, ['reassign-partitions', '--execute', '--reassignment-json-file', file('bad-broker.json', '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[7]}]}')]);
    await fails(2, ['reassign-partitions', '--execute', '--reassignment-json-file', file('malformed.json', '{"version":1,')]);
    // Broker 3 leads partition 0 after the first election at the latest (whether the reassignment
    // already moved the leadership depends on timing); the second finds nothing to do.
    const first = (await ok(['leader-election', '--election-type', 'preferred', '--topic', 'orders', '--partition', '0'])) as { elected: unknown[]; notNeeded: unknown[] }[];
    expect([...first[0]!.elected, ...first[0]!.notNeeded]).toEqual([{ topic: 'orders', partition: 0 }]);
    expect(await ok(['leader-election', '--election-type', 'preferred', '--topic', 'orders', '--partition', '0'])).toEqual([
      { electionType: 'preferred', elected: [], notNeeded: [{ topic: 'orders', partition: 0 }], failed: [] },
    ]);
    const refused = await kt(['leader-election', '--election-type', 'preferred', '--topic', 'nope', '--partition', '0', '--output', 'json']);
    expect({ exitCode: refused.exitCode, docs: documents(['leader-election'], refused) }).toEqual({
      exitCode: 4,
      docs: [{ electionType: 'preferred', elected: [], notNeeded: [], failed: [{ topic: 'nope', partition: 0, error: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.any(String) }] }],
    });
    await fails(2, ['leader-election', '--election-type', 'sideways', '--all-topic-partitions']);
  });

  it('server and server-start', async () => {
    expect(await ok(['server', 'status'])).toMatchObject([{ running: true }]);
    expect(await ok(['server', 'stop-broker', '3'])).toMatchObject([{ running: true }]);
    expect(await ok(['server', 'start-broker', '3'])).toMatchObject([{ running: true }]);
    await fails(4, ['server', 'stop-broker', '9']);
    // As start and stop: starting a running broker fails (1); stopping a stopped one is said, exit 0.
    expect(await fails(1, ['server', 'start-broker', '3'])).toMatchObject({ message: 'Broker 3 is already running.' });
    const text = await kt(['server', 'start-broker', '2']);
    expect({ exitCode: text.exitCode, stdout: text.stdout, stderr: text.stderr }).toEqual({ exitCode: 1, stdout: '', stderr: 'kafka-ts server: error: Broker 2 is already running.\n' });
    expect((await kt(['server', 'stop-broker', '3'])).exitCode).toBe(0);
    try {
      const again = await kt(['server', 'stop-broker', '3']);
      expect({ exitCode: again.exitCode, stderr: again.stderr }).toEqual({ exitCode: 0, stderr: 'Broker 3 is not running.\n' });
      expect(again.stdout).toMatch(/^ {4}3 {2}stopped/m);
    } finally {
      expect((await kt(['server', 'start-broker', '3'])).exitCode).toBe(0);
    }
    await fails(2, ['server', 'reboot']);
    await fails(2, ['server', 'start', '--foreground']);
    await fails(2, ['server-start', file('server.properties', 'num.partitions=1\n')]);
    const { dir: other, cleanup: cleanupOther } = tempDir('kafka-ts-cli-json-other-');
    try {
      const r = await kafkaTs(['server', 'status', '--data-dir', other, '--output', 'json'], { home: other });
      expect({ exitCode: r.exitCode, docs: documents(['server', 'status'], r) }).toEqual({ exitCode: 3, docs: [{ running: false, dataDir: other }] });
      const props = file('other.properties', 'listeners=PLAINTEXT://127.0.0.1:0\n');
      expect(await (async () => {
        const started = await kafkaTs(['server-start', '-daemon', props, '--data-dir', other, '--output', 'json'], { home: other });
        return { exitCode: started.exitCode, docs: documents(['server-start'], started) };
      })()).toMatchObject({ exitCode: 0, docs: [{ running: true, dataDir: other }] });
      const stopped = await kafkaTs(['server', 'stop', '--data-dir', other, '--output', 'json'], { home: other });
      expect({ exitCode: stopped.exitCode, docs: documents(['server', 'stop'], stopped) }).toMatchObject({ exitCode: 0, docs: [{ stopped: true }] });
    } finally {
      await kafkaTs(['server', 'stop', '--data-dir', other], { home: other });
      cleanupOther();
    }
  });

  it('completion has no JSON mode and refuses it', async () => {
    await fails(2, ['completion', 'bash']);
  });
});

describe('topics --describe filters in JSON', () => {
  it('keep the partitions and topics the text shows', async () => {
    await kt(['topics', 'create', 'replicated', '--replica-assignment', '1:2,2:3,3:1', '-c', 'min.insync.replicas=2']);
    expect((await kt(['server', 'stop-broker', '3'])).exitCode).toBe(0);
    try {
      const names = (docs: unknown[]) =>
        (docs[0] as { topics: { name: string; partitions: { partition: number }[] }[] }).topics.filter((t) => t.name === 'replicated').map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partition) }));
      const text = async (filter: string) => (await kt(['topics', 'describe', 'replicated', filter])).stdout.trim().split('\n').filter(Boolean).map((l) => Number(/Partition: (\d+)/.exec(l)![1]));
      for (const filter of ['--under-replicated-partitions', '--at-min-isr-partitions', '--unavailable-partitions']) {
        const fromText = await text(filter);
        const fromJson = names(await ok(['topics', 'describe', 'replicated', filter]));
        expect({ filter, partitions: fromJson.flatMap((t) => t.partitions) }).toEqual({ filter, partitions: fromText });
        expect({ filter, topics: fromJson.length }).toEqual({ filter, topics: fromText.length ? 1 : 0 });
      }
      // Broker 3 held a replica of partitions 1 and 2: both are under-replicated, at min ISR.
      expect(await text('--under-replicated-partitions')).toEqual([1, 2]);
    } finally {
      await kt(['server', 'start-broker', '3']);
    }
  });
});
