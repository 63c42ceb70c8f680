/**
 * partition.assignment.strategy by Kafka's class names: a kafka-ts console-consumer member shares
 * a group with kafka-python and confluent-kafka members. The group picks the protocol every member
 * supports (Kafka's vote), so a two-entry list for an upgrade
 * (CooperativeStickyAssignor,RangeAssignor) joins a group of range members as range, then the
 * group moves to cooperative-sticky once every member lists it, and
 * RoundRobinAssignor joins librdkafka's roundrobin members. Records are read once across the
 * group; an unknown class is refused with one line and exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultPromise } from 'execa';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { requirePython } from '../helpers/real-clients.js';
import { Worker } from '../helpers/group-workers.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const running: { stop(): Promise<unknown> }[] = [];
const kt = (...args: string[]) => kafkaTs(args, { home });
const CLASS = (simple: string) => `org.apache.kafka.clients.consumer.${simple}`;

beforeAll(async () => {
  await requirePython('kafka');
  await requirePython('confluent_kafka');
  ({ dir: home, cleanup } = tempDir('kafka-ts-assignor-names-'));
  ({ bootstrap } = await startDaemon(home));
}, 60_000);

afterAll(async () => {
  for (const r of running) await r.stop().catch(() => undefined);
  if (home) await stopDaemon(home);
  cleanup?.();
});

interface GroupState {
  state: string;
  assignmentStrategy: string | null;
  members: number;
}
async function groupState(group: string): Promise<GroupState> {
  const r = await kt('consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', group, '--state', '--output', 'json');
  // Exit 4 (not found): no member has joined yet (slow to start on a loaded machine).
  if (r.exitCode === 4) return { state: 'NotFound', assignmentStrategy: null, members: 0 };
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { groups: GroupState[] }).groups[0]!;
}
async function memberPartitions(group: string): Promise<number[]> {
  const r = await kt('consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', group, '--members', '--output', 'json');
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { groups: { members: { partitions: number }[] }[] }).groups[0]!.members.map((m) => m.partitions);
}
async function waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await get();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await get();
  }
  return last;
}

/** A kafka-ts console-consumer member; stop() ends it with SIGTERM and gives its printed values. */
function kafkaTsMember(topic: string, group: string, strategy: string) {
  const proc: ResultPromise = spawnKafkaTs(['console-consumer', '--bootstrap-server', bootstrap, '--topic', topic, '--group', group, '--from-beginning', '--consumer-property', `partition.assignment.strategy=${strategy}`], home);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const member = {
    values: () => out.split('\n').filter(Boolean),
    async stop() {
      proc.kill('SIGTERM');
      const r = await proc;
      return r;
    },
  };
  running.push(member);
  return member;
}

async function produce(topic: string, n: number) {
  const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'assignor-feeder' });
  const producer = new Producer(client, { lingerMs: 5 });
  // Explicit partitions: every member's share gets records (the default sticky partitioner fills one batch per partition).
  for (let i = 0; i < n; i++) producer.append({ topic, partition: i % 6, value: Buffer.from(String(i)) });
  await producer.flush();
  await client.close();
}

/**
 * Starts the members (a kafka-ts console-consumer and Python workers), waits until the group is
 * stable with every member holding partitions, produces `n` records and checks that the group
 * read each exactly once.
 */
async function mixedGroup(topic: string, group: string, ktStrategy: string, py: { lib: 'kafka-python' | 'confluent-kafka'; args: string[] }[], n: number): Promise<GroupState> {
  const size = py.length + 1;
  expect((await kt('topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '6')).exitCode).toBe(0);
  const workers = py.map((w) => Worker.python(w.lib, w.lib, bootstrap, group, topic, ...w.args));
  running.push(...workers);
  const ts = kafkaTsMember(topic, group, ktStrategy);
  const state = await waitFor(`a stable group of ${size} (${group})`, () => groupState(group), (s) => s.state === 'Stable' && s.members === size);
  await waitFor('every member to hold partitions', () => memberPartitions(group), (ps) => ps.length === size && ps.every((p) => p === 6 / size));
  await produce(topic, n);
  const all = () => [...workers.flatMap((w) => w.messages().map((m) => m.v!)), ...ts.values()];
  await waitFor(`${n} records across the group`, async () => new Set(all()).size, (got) => got === n);
  const counts = `${workers.map((w) => `${w.name}=${w.messages().length}`).join(' ')} kafka-ts=${ts.values().length}`;
  for (const w of workers) expect(w.messages().length, `${w.name} read some (${counts})`).toBeGreaterThan(0);
  expect(ts.values().length, 'kafka-ts read some').toBeGreaterThan(0);
  expect(all().length, 'each record once').toBe(n);
  const final = await groupState(group);
  for (const m of [...workers, ts]) await m.stop();
  expect(final.members).toBe(size);
  return state;
}

describe('partition.assignment.strategy by class name, in a group with kafka-python and confluent-kafka', () => {
  it('a CooperativeStickyAssignor,RangeAssignor upgrade list joins range members as range', async () => {
    const state = await mixedGroup(
      'assign-upgrade',
      'g-upgrade',
      // Kafka's documented first step of an upgrade: the new assignor first, the old one still listed.
      `${CLASS('CooperativeStickyAssignor')},${CLASS('RangeAssignor')}`,
      // kafka-python's default is range then roundrobin; librdkafka refuses to mix eager and
      // cooperative assignors in one list, so its member stays on range.
      [
        { lib: 'kafka-python', args: [] },
        { lib: 'confluent-kafka', args: ['--strategy', 'range'] },
      ],
      600,
    );
    expect(state.assignmentStrategy).toBe('range');
  }, 120_000);

  it('the same list moves to cooperative-sticky once every member lists it (the upgrade done)', async () => {
    const state = await mixedGroup('assign-coop', 'g-coop', `${CLASS('CooperativeStickyAssignor')},${CLASS('RangeAssignor')}`, [{ lib: 'confluent-kafka', args: ['--strategy', 'cooperative-sticky'] }], 400);
    expect(state.assignmentStrategy).toBe('cooperative-sticky');
  }, 120_000);

  it('RoundRobinAssignor (class name) joins roundrobin members as roundrobin', async () => {
    const state = await mixedGroup(
      'assign-rr',
      'g-rr',
      CLASS('RoundRobinAssignor'),
      [
        { lib: 'kafka-python', args: ['--strategy', 'roundrobin'] },
        { lib: 'confluent-kafka', args: ['--strategy', 'roundrobin'] },
      ],
      600,
    );
    expect(state.assignmentStrategy).toBe('roundrobin');
  }, 120_000);

  it('an unknown assignor class is refused with one clear line and exit 2', async () => {
    const r = await kt('console-consumer', '--bootstrap-server', bootstrap, '--topic', 'assign-rr', '--group', 'g-bad', '--consumer-property', 'partition.assignment.strategy=com.example.NearestAssignor', '--timeout-ms', '1000');
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/com\.example\.NearestAssignor/);
    expect(lines[0]).toMatch(/partition\.assignment\.strategy/);
    expect(lines[0]).toMatch(/custom assignors are Java classes.*RangeAssignor/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
