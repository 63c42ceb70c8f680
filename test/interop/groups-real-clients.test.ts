/**
 * Consumer groups of unmodified real clients against the daemon: rebalancing with members
 * leaving and joining, commits visible to consumer-groups, resets honoured on resume, restarts,
 * and a killed member's partitions moving to the others after the session timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { requirePython } from '../helpers/real-clients.js';
import { checkDelivery, describeGaps, untilAll, Worker } from '../helpers/group-workers.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';

// Unkeyed records stick to one partition per batch (KIP-794), as in Kafka: a small input would
// land in one partition. These tests need every partition used, so records are dealt out in turn.
const SPREAD = ['--producer-property', 'partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner'];

let home: string;
let cleanup: () => void;
let bootstrap: string;
const workers: Worker[] = [];
const kt = (...args: string[]) => kafkaTs(args, { home });

async function topicWith(name: string, partitions: number, records: number) {
  expect((await kt('topics', 'create', name, '-p', String(partitions))).exitCode).toBe(0);
  const input = Array.from({ length: records }, (_, i) => String(i)).join('\n');
  const r = await kafkaTs(['console-producer', '--topic', name, ...SPREAD], { home, input });
  expect(r.exitCode, r.stderr).toBe(0);
}

const consumed = (ws: Worker[]) => new Set(ws.flatMap((w) => w.messages().map((m) => m.v))).size;

/** Last assignment of a worker (partitions), or []. */
const assigned = (w: Worker) => w.events.filter((e) => e.e === 'assigned').at(-1)?.partitions ?? [];

/**
 * Produces values 0..total-1 into `topic` in chunks, each chunk only once the group has consumed
 * all but `lead` of what was produced, so the stream keeps flowing while members come and go.
 * `during(consumed)` runs between chunks (to stop or start members mid-stream).
 */
async function feed(topic: string, total: number, group: () => Worker[], during: (consumed: number) => Promise<void> = async () => undefined, chunk = 2000, lead = 4000) {
  const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'feeder' });
  const producer = new Producer(client, { lingerMs: 5 });
  try {
    for (let start = 0; start < total; start += chunk) {
      await untilAll(group(), () => consumed(group()) >= start - lead, 60_000, `consumers within ${lead} of ${start}`);
      await during(consumed(group()));
      for (let i = start; i < Math.min(total, start + chunk); i++) producer.append({ topic, value: Buffer.from(String(i)) });
      await producer.flush();
    }
  } finally {
    await client.close();
  }
}
const track = (w: Worker) => (workers.push(w), w);

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-groups-interop-'));
  ({ bootstrap } = await startDaemon(home));
  await requirePython('kafka');
  await requirePython('confluent_kafka');
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await stopDaemon(home);
  cleanup();
});

describe('kafkajs group', () => {
  it('3 members consume 60,000 records from 6 partitions exactly once across a leave and a join', { timeout: 240_000 }, async () => {
    expect((await kt('topics', 'create', 'kjs60', '-p', '6')).exitCode).toBe(0);
    const a = track(Worker.kafkajs('A', bootstrap, 'kjs-group', 'kjs60'));
    const b = track(Worker.kafkajs('B', bootstrap, 'kjs-group', 'kjs60'));
    const c = track(Worker.kafkajs('C', bootstrap, 'kjs-group', 'kjs60'));
    const members: Worker[] = [a, b, c];
    await untilAll(members, () => members.every((w) => assigned(w).length === 2), 60_000, 'three members with two partitions each');
    let changed = false;
    await feed('kjs60', 60_000, () => members, async (n) => {
      if (changed || n < 20_000) return;
      changed = true;
      await a.stop();
      const d = track(Worker.kafkajs('D', bootstrap, 'kjs-group', 'kjs60'));
      members.push(d);
      // Production pauses until the group has rebalanced onto B, C and D.
      await d.until(() => assigned(d).length === 2, 60_000, 'D with two partitions');
    });
    await untilAll(members, () => consumed(members) >= 60_000, 120_000, 'all 60,000 records').catch(async (e: Error) => {
      // Say where the group stood: which offsets nobody reported, and around them who held what.
      const describe = await kt('consumer-groups', '--describe', '--group', 'kjs-group', '--members', '--verbose');
      const offsets = await kt('consumer-groups', '--describe', '--group', 'kjs-group');
      const log = readFileSync(join(home, 'server.log'), 'utf8').split('\n').slice(-40).join('\n');
      throw new Error(`${e.message}\n${describeGaps(members)}\n${offsets.stdout}${offsets.stderr}\n${describe.stdout}${describe.stderr}\nserver.log tail:\n${log}`);
    });
    await Promise.all(members.map((w) => w.stop()));
    const { duplicates } = checkDelivery(members, 60_000);
    expect(duplicates).toBeLessThan(6000);
    // Everyone consumed, including D which joined mid-stream.
    for (const w of members) expect(w.messages().length, w.name).toBeGreaterThan(0);
    const describe = JSON.parse((await kt('consumer-groups', '--describe', '--group', 'kjs-group', '--output', 'json')).stdout);
    expect(describe.groups[0].totalLag).toBe(0);
    expect(describe.groups[0].offsets).toHaveLength(6);
  });
});

describe('confluent-kafka (cooperative-sticky), kafka-python and kcat groups', () => {
  it('confluent-kafka members rebalance incrementally without losing records', { timeout: 180_000 }, async () => {
    expect((await kt('topics', 'create', 'ck20', '-p', '4')).exitCode).toBe(0);
    const args = ['--strategy', 'cooperative-sticky'];
    const a = track(Worker.python('ck-A', 'confluent-kafka', bootstrap, 'ck-group', 'ck20', ...args));
    const b = track(Worker.python('ck-B', 'confluent-kafka', bootstrap, 'ck-group', 'ck20', ...args));
    const members: Worker[] = [a, b];
    await untilAll(members, () => assigned(a).length + assigned(b).length === 4 && assigned(a).length > 0 && assigned(b).length > 0, 60_000, 'two members sharing four partitions');
    const state = await kt('consumer-groups', 'describe', 'ck-group', '--state');
    expect(state.stdout).toMatch(/\scooperative-sticky\s+Stable\s+2\n/);
    const steps = new Set<string>();
    await feed('ck20', 20_000, () => members, async (n) => {
      if (n >= 6000 && !steps.has('join')) {
        steps.add('join');
        const c = track(Worker.python('ck-C', 'confluent-kafka', bootstrap, 'ck-group', 'ck20', ...args));
        members.push(c);
        await c.until(() => assigned(c).length > 0, 60_000, 'an assignment for C');
      } else if (n >= 12_000 && !steps.has('leave')) {
        steps.add('leave');
        await b.stop();
      }
    });
    await untilAll(members, () => consumed(members) >= 20_000, 60_000, 'all 20,000 records');
    await Promise.all(members.map((w) => w.stop()));
    checkDelivery(members, 20_000);
    for (const w of members) expect(w.messages().length, w.name).toBeGreaterThan(0);
  });

  it('kafka-python members share the partitions', async () => {
    expect((await kt('topics', 'create', 'kp10', '-p', '4')).exitCode).toBe(0);
    const a = track(Worker.python('kp-A', 'kafka-python', bootstrap, 'kp-group', 'kp10'));
    const b = track(Worker.python('kp-B', 'kafka-python', bootstrap, 'kp-group', 'kp10'));
    await untilAll([a, b], () => assigned(a).length === 2 && assigned(b).length === 2, 60_000, 'a balanced assignment');
    expect([...assigned(a), ...assigned(b)].sort()).toEqual([0, 1, 2, 3]);
    await feed('kp10', 10_000, () => [a, b]);
    await untilAll([a, b], () => consumed([a, b]) >= 10_000, 90_000, 'all 10,000 records');
    await Promise.all([a.stop(), b.stop()]);
    checkDelivery([a, b], 10_000);
    for (const w of [a, b]) expect(w.messages().length, w.name).toBeGreaterThan(0);
  });

  it('kcat -G members consume everything and commit on close', async () => {
    await topicWith('kc8', 4, 8000);
    // -u: kcat block-buffers stdout into a pipe otherwise.
    const run = () => execa('/usr/bin/kcat', ['-b', bootstrap, '-G', 'kc-group', 'kc8', '-X', 'auto.offset.reset=earliest', '-q', '-u', '-f', '%s\n', '-X', 'auto.commit.interval.ms=100'], { reject: false, buffer: true });
    const one = run();
    const two = run();
    const lines = new Set<string>();
    const collect = (p: typeof one) => p.stdout!.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach((l) => lines.add(l)));
    collect(one);
    collect(two);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`kcat -G read ${lines.size} of 8000`)), 60_000);
      const check = () => {
        if (lines.size >= 8000) {
          clearTimeout(t);
          resolve();
        }
      };
      one.stdout!.on('data', check);
      two.stdout!.on('data', check);
    });
    one.kill('SIGTERM');
    two.kill('SIGTERM');
    await Promise.all([one, two]);
    expect(lines.size).toBe(8000);
    const d = JSON.parse((await kt('consumer-groups', 'describe', 'kc-group', '--output', 'json')).stdout);
    expect(d.groups[0].totalLag).toBe(0);
  });
});

describe('offsets from real clients in consumer-groups, and resets they honour', () => {
  const clients = ['kafkajs', 'confluent-kafka', 'kafka-python'] as const;
  for (const client of clients) {
    it(`${client}: commits show in --describe; after --reset-offsets --execute it resumes at the reset positions`, async () => {
      const topic = `reset-${client}`;
      const group = `reset-group-${client}`;
      await topicWith(topic, 3, 600);
      const make = (name: string, ...extra: string[]) =>
        track(client === 'kafkajs' ? Worker.kafkajs(name, bootstrap, group, topic, ...extra) : Worker.python(name, client, bootstrap, group, topic, ...extra));
      const first = make(`${client}-1`);
      await first.until(() => first.messages().length >= 600, 60_000, 'all 600 records');
      await first.stop();

      const described = await kt('consumer-groups', '--describe', '--group', group);
      expect(described.exitCode).toBe(0);
      const rows = described.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
      expect(rows.map((r) => [r[2], r[3], r[4], r[5]])).toEqual(rows.map((r) => [r[2], r[4], r[4], '0']));
      expect(rows.map((r) => Number(r[3])).reduce((a, b) => a + b, 0)).toBe(600);

      const reset = await kt('consumer-groups', '--reset-offsets', '--group', group, '--topic', `${topic}:0,1`, '--shift-by', '-50', '--execute');
      expect(reset.exitCode, reset.stdout + reset.stderr).toBe(0);
      const plan = reset.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      const expectedStart = new Map(plan.map((r) => [Number(r[2]), Number(r[3])]));
      expect(expectedStart.size).toBe(2);

      const second = make(`${client}-2`, '--idle-ms', '3000');
      await second.until(() => second.messages().length >= 100, 60_000, '100 re-read records');
      await second.stop();
      for (const [p, start] of expectedStart) {
        const firstSeen = second.messages().find((m) => m.p === p);
        expect(firstSeen?.o, `partition ${p}`).toBe(start);
      }
      expect(second.messages().some((m) => m.p === 2)).toBe(false);
    });
  }
});

describe('group lifetime', () => {
  it('removes a SIGKILLed member after session.timeout.ms and gives its partitions to the others', async () => {
    await topicWith('killme', 4, 100);
    const a = track(Worker.python('kill-A', 'kafka-python', bootstrap, 'kill-group', 'killme', '--session-ms', '6000'));
    const b = track(Worker.python('kill-B', 'kafka-python', bootstrap, 'kill-group', 'killme', '--session-ms', '6000'));
    const balanced = () => [a, b].every((w) => assigned(w).length === 2);
    await untilAll([a, b], balanced, 60_000, 'a balanced assignment');
    const killedAt = Date.now();
    b.kill();
    await a.until(() => assigned(a).length === 4, 60_000, 'all four partitions');
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(4000);
    const members = JSON.parse((await kt('consumer-groups', 'describe', 'kill-group', '--members', '--output', 'json')).stdout);
    expect(members.groups[0].members).toHaveLength(1);
    expect(members.groups[0].members[0].partitions).toBe(4);
    await a.stop();
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`keeps groups and offsets across a daemon ${signal}`, async () => {
      const group = `survivor-${signal}`;
      await topicWith(`survive-${signal}`, 2, 50);
      const consume = await kafkaTs(['console-consumer', '--topic', `survive-${signal}`, '--group', group, '--from-beginning', '--max-messages', '30'], { home });
      expect(consume.exitCode).toBe(0);
      const before = JSON.parse((await kt('consumer-groups', 'describe', group, '--output', 'json')).stdout).groups[0].offsets;
      const status = JSON.parse((await kt('server', 'status', '--output', 'json')).stdout);
      process.kill(status.pid, signal);
      await new Promise<void>((resolve) => {
        const check = () => {
          try {
            process.kill(status.pid, 0);
            setTimeout(check, 20);
          } catch {
            resolve();
          }
        };
        check();
      });
      ({ bootstrap } = await startDaemon(home));
      const after = JSON.parse((await kt('consumer-groups', 'describe', group, '--output', 'json')).stdout).groups[0].offsets;
      expect(after).toEqual(before);
      const rest = await kafkaTs(['console-consumer', '--topic', `survive-${signal}`, '--group', group, '-e'], { home });
      expect(rest.stderr).toContain('Processed a total of 20 messages');
    });
  }
});

describe('consumer-groups against the real clients\' groups', () => {
  it('lists every group with its state', async () => {
    const r = await kt('consumer-groups', '--list', '--state');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^GROUP\s+STATE\s+$/);
    for (const g of ['kjs-group', 'ck-group', 'kp-group', 'kc-group']) expect(r.stdout).toMatch(new RegExp(`^${g}\\s+Empty\\s+$`, 'm'));
  });
});
