/**
 * kafka-ts lag on partitions whose lag cannot be measured, against a 3-broker daemon: a partition
 * without a leader (its only replica's broker stopped) and partitions a live member owns but has
 * never committed. They are listed with '-' (null in JSON), counted apart from the total, and the
 * group is not reported OK or IDLE: a CI gate must not pass what it could not see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { Producer } from '../../src/client/producer/producer.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-lag-unmeasured-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3', '--no-schema-registry']));
}, 60_000);

afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

describe('a partition without a leader', () => {
  it('is listed with log end and lag unknown, and --check fails with ERR UNAVAILABLE (exit 11)', async () => {
    // big-0 on broker 2, big-1 on broker 1 only.
    expect((await kt('topics', 'create', 'big', '--replica-assignment', '2,1')).exitCode).toBe(0);
    const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'lag-unmeasured' });
    try {
      const producer = new Producer(client, { lingerMs: 0 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'big', partition: i % 2, value: Buffer.from(`r${i}`) })));
    } finally {
      await client.close();
    }
    expect((await kt('consumer-groups', '--group', 'bg', '--reset-offsets', '--topic', 'big', '--to-latest', '--execute')).exitCode).toBe(0);
    expect((await kt('server', 'stop-broker', '1')).exitCode).toBe(0);
    try {
      await checkWithoutLeader();
    } finally {
      expect((await kt('server', 'start-broker', '1')).exitCode).toBe(0);
    }
  }, 120_000);
});

/** `lag bg --check` with big-1 left without a leader: text and JSON. */
async function checkWithoutLeader(): Promise<void> {
  const text = await kt('lag', 'bg', '--check', '--window', '1s', '--interval', '200ms');
  expect(text.exitCode, text.stderr).toBe(11);
  const lines = text.stdout.trimEnd().split('\n');
  expect(lines[1]).toMatch(/^bg\s+big\s+0\s+5\s+5\s+0\s+0s\s+0\s+0\s+-\s+IDLE\s+-$/);
  // As Kafka's describe prints an unknown log end and lag: '-'.
  expect(lines[2]).toMatch(/^bg\s+big\s+1\s+5\s+-\s+-\s+\?\s+-\s+-\s+\?\s+ERR UNAVAILABLE\s+-$/);
  expect(text.stderr).toContain('Group bg: lag 0; 1 partition not counted: 1 without a leader (log end unknown).');
  expect(text.stderr).toContain('Worst status: ERR UNAVAILABLE (group bg, window 1s)');

  const json = await kt('lag', 'bg', '--check', '--window', '1s', '--interval', '200ms', '--output', 'json');
  expect(json.exitCode).toBe(11);
  const doc = JSON.parse(json.stdout);
  expect(doc).toMatchObject({ worst: 'ERR', groups: [{ group: 'bg', status: 'ERR', reason: 'UNAVAILABLE', totalLag: 0, partitionsWithoutLogEnd: 1, partitionsWithoutOffset: 0 }] });
  expect(doc.groups[0].partitions.map((p: { partition: number; committedOffset: number; logEndOffset: number | null; lag: number | null; status: string }) => [p.partition, p.committedOffset, p.logEndOffset, p.lag, p.status])).toEqual([
    [0, 5, 5, 0, 'IDLE'],
    [1, 5, null, null, 'ERR'],
  ]);
}

describe('partitions a member owns without a committed offset', () => {
  it('are counted apart from the total lag, and records waiting there make the group WARN NO_OFFSET, not OK', async () => {
    expect((await kt('topics', 'create', 'nocommit', '--replica-assignment', '2,3')).exitCode).toBe(0);
    const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'never-commits' });
    const producer = new Producer(client, { lingerMs: 0 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send({ topic: 'nocommit', partition: i % 2, value: Buffer.from(`r${i}`) })));
    // A member like `kcat -G kc nocommit`: joins, owns both partitions, never commits.
    const consumer = new GroupConsumer(client, { groupId: 'kc', autoCommit: false, autoOffsetReset: 'latest' });
    consumer.subscribe(['nocommit']);
    let polling = true;
    const loop = (async () => {
      while (polling) await consumer.poll(100);
    })();
    try {
      const deadline = Date.now() + 30_000;
      while (consumer.assignment().length < 2) {
        if (Date.now() > deadline) throw new Error(`the consumer never owned both partitions: ${JSON.stringify(consumer.assignment())}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const once = await kt('lag', 'kc', '--once', '--interval', '200ms', '--output', 'json');
      expect(once.exitCode, once.stderr).toBe(0);
      const g = JSON.parse(once.stdout).groups[0];
      expect(g).toMatchObject({ group: 'kc', members: 1, totalLag: 0, partitionsWithoutOffset: 2, partitionsWithoutLogEnd: 0, status: 'WARN', reason: 'NO_OFFSET' });
      expect(g.partitions.map((p: { lag: number | null; committedOffset: number | null; status: string; reason: string }) => [p.committedOffset, p.lag, p.status, p.reason])).toEqual([
        [null, null, 'WARN', 'NO_OFFSET'],
        [null, null, 'WARN', 'NO_OFFSET'],
      ]);
      const check = await kt('lag', 'kc', '--check', '--window', '1s', '--interval', '200ms');
      expect(check.exitCode, check.stderr).toBe(10);
      expect(check.stderr).toContain('Group kc: lag 0; 2 partitions not counted: 2 without a committed offset.');
      expect(check.stdout).toMatch(/^kc\s+nocommit\s+0\s+-\s+20\s+-\s+.*WARN NO_OFFSET/m);
      // A total of 0 that leaves both partitions out is not "caught up".
      const until = await kt('lag', 'kc', '--until-lag', '0', '--timeout', '500ms', '--interval', '200ms');
      expect(until.exitCode, until.stderr).toBe(6);
      expect(until.stderr).toContain('kc lag 0 (2 partitions not counted: 2 without a committed offset)');
    } finally {
      polling = false;
      await loop.catch(() => undefined);
      await consumer.close();
      await client.close();
    }
  }, 120_000);
});
