/**
 * kafka-ts lag without a terminal: --once tables and JSON, --check exit codes for each status,
 * and --until-lag, against a daemon whose groups are driven by commits from the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, untilStderr, type RunResult } from '../helpers/cli.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Producer } from '../../src/client/producer/producer.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { Admin, OffsetSpec } from '../../src/client/admin.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
let groups: GroupAdmin;
let producer: Producer;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(['lag', ...args], { home });
const commit = (group: string, offsets: [number, number][]) => groups.commitOffsets(group, offsets.map(([partition, offset]) => ({ topic: 'work', partition, offset })));
/** Current log-end offsets of both partitions of `work`. */
const logEnds = async (): Promise<[number, number][]> =>
  (await new Admin(client).listOffsets([0, 1].map((partition) => ({ topic: 'work', partition, timestamp: OffsetSpec.latest })))).map((e) => [e.partition, e.offset]);
const produce = async (n: number) => {
  for (let i = 0; i < n; i++) void producer.send({ topic: 'work', partition: i % 2, value: Buffer.from(`r${i}`) });
  await producer.flush();
};

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-lag-'));
  ({ bootstrap } = await startDaemon(home));
  expect((await kafkaTs(['topics', 'create', 'work', '-p', '2'], { home })).exitCode).toBe(0);
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'lag-test' });
  groups = new GroupAdmin(client);
  producer = new Producer(client, { lingerMs: 0 });
  await produce(100); // 50 per partition
  await commit('caught-up', [[0, 50], [1, 50]]);
  await commit('stuck', [[0, 10], [1, 10]]);
  // A group that consumed part of `archive` and stopped; the records were written 18 minutes ago.
  expect((await kafkaTs(['topics', 'create', 'archive', '-p', '1'], { home })).exitCode).toBe(0);
  const written = Date.now() - 18 * 60_000;
  for (let i = 0; i < 40; i++) void producer.send({ topic: 'archive', partition: 0, value: Buffer.from(`old${i}`), timestamp: written + i });
  await producer.flush();
  // ...followed by new ones, which a second group is reading.
  for (let i = 0; i < 10; i++) void producer.send({ topic: 'archive', partition: 0, value: Buffer.from(`new${i}`) });
  await producer.flush();
  await groups.commitOffsets('stopped', [{ topic: 'archive', partition: 0, offset: 10 }]);
  await groups.commitOffsets('recent', [{ topic: 'archive', partition: 0, offset: 45 }]);
});

afterAll(async () => {
  await client.close();
  await stopDaemon(home);
  cleanup();
});

describe('--once', () => {
  it('prints one row per group, or per partition for named groups', async () => {
    const all = await kt('--once', '--interval', '200ms');
    expect(all.exitCode).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^GROUP\s+STATE\s+MEMBERS\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS$/);
    expect(lines[1]).toMatch(/^caught-up\s+Empty\s+0\s+0\s+0s\s+0\s+0\s+-\s+IDLE$/);
    // Behind, with young records: two samples do not tell yet, and it says so rather than OK.
    expect(lines[2]).toMatch(/^recent\s+Empty\s+0\s+5\s+\S+\s+0\s+0\s+idle\s+warming 0\/30s$/);
    expect(lines[3]).toMatch(/^stopped\s+Empty\s+0\s+40\s+18m\d\ds\s+0\s+0\s+idle\s+ERR STOP$/);
    expect(lines[4]).toMatch(/^stuck\s+Empty\s+0\s+80\s+\S+\s+0\s+0\s+idle\s+warming 0\/30s$/);
    const one = await kt('stuck', '--once', '--interval', '200ms');
    expect(one.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^GROUP\s+TOPIC\s+PARTITION\s+COMMITTED\s+LOG-END\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+CLIENT-ID$/),
      expect.stringMatching(/^stuck\s+work\s+0\s+10\s+50\s+40\s+\d+(ms|\.\ds|s)\s+0\s+0\s+idle\s+warming 0\/30s\s+-$/),
      expect.stringMatching(/^stuck\s+work\s+1\s+10\s+50\s+40\s+/),
    ]);
  });

  it('prints the documented JSON document', async () => {
    const r = await kt('stuck', '--once', '--interval', '200ms', '--output', 'json');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ windowMs: 30_000, missing: [], groups: [{ group: 'stuck', state: 'Empty', members: 0, status: 'WARMING', totalLag: 80, drain: { kind: 'idle' }, complete: false }] });
    expect(doc.groups[0].windowFilledMs).toBeGreaterThan(0);
    expect(doc.groups[0].windowFilledMs).toBeLessThan(30_000);
    expect(doc.groups[0].partitions[0]).toEqual({
      topic: 'work',
      partition: 0,
      committedOffset: 10,
      logEndOffset: 50,
      lag: 40,
      timeLagMs: expect.any(Number),
      produceRate: 0,
      consumeRate: 0,
      drain: { kind: 'idle' },
      status: 'WARMING',
      reason: null,
      complete: false,
      windowFilledMs: doc.groups[0].windowFilledMs,
      owner: null,
    });
    expect(Date.parse(doc.at)).toBeGreaterThan(0);
  });

  it('says ERR STOP at once for a stopped group whose oldest unconsumed record is older than the window', async () => {
    const text = await kt('stopped', '--once', '--interval', '200ms');
    expect(text.exitCode).toBe(0);
    expect(text.stdout.trimEnd().split('\n')[1]).toMatch(/^stopped\s+archive\s+0\s+10\s+50\s+40\s+18m\d\ds\s+0\s+0\s+idle\s+ERR STOP\s+-$/);
    const json = JSON.parse((await kt('stopped', '--once', '--interval', '200ms', '--output', 'json')).stdout);
    expect(json.groups[0]).toMatchObject({ group: 'stopped', members: 0, status: 'ERR', reason: 'STOP', totalLag: 40, complete: false });
    expect(json.groups[0].maxTimeLagMs).toBeGreaterThan(18 * 60_000);
    expect(json.groups[0].partitions[0]).toMatchObject({ status: 'ERR', reason: 'STOP', lag: 40 });
  });

  it('reads each group its own oldest unconsumed record when two groups are at different offsets of one partition', async () => {
    const doc = JSON.parse((await kt('stopped', 'recent', '--once', '--interval', '200ms', '--output', 'json')).stdout);
    const byName = Object.fromEntries(doc.groups.map((g: { group: string }) => [g.group, g]));
    expect(byName.stopped).toMatchObject({ status: 'ERR', reason: 'STOP' });
    expect(byName.stopped.maxTimeLagMs).toBeGreaterThan(18 * 60_000);
    expect(byName.recent.maxTimeLagMs).toBeLessThan(18 * 60_000);
  });

  it('exits 4 for a group that does not exist', async () => {
    const r = await kt('ghost', '--once', '--interval', '100ms');
    expect(r).toMatchObject({ exitCode: 4, stdout: '' });
    expect(r.stderr).toBe("kafka-ts lag: error: Consumer group 'ghost' does not exist\n");
    const json = await kt('ghost', '--once', '--interval', '100ms', '--output', 'json');
    expect(json).toMatchObject({ exitCode: 4, stderr: "kafka-ts lag: error: Consumer group 'ghost' does not exist\n" });
  });
});

describe('--check', () => {
  it('exits 0 for a caught-up group (IDLE)', async () => {
    const r = await kt('caught-up', '--check', '--window', '1s', '--interval', '200ms');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('Observing caught-up for 1s...\nWorst status: IDLE (group caught-up, window 1s)\n');
  });

  it('exits 11 for a group that stopped with work left (ERR STOP)', async () => {
    const r = await kt('stuck', '--check', '--window', '1s', '--interval', '200ms', '--output', 'json');
    expect(r.exitCode).toBe(11);
    const doc = JSON.parse(r.stdout);
    expect(doc.worst).toBe('ERR');
    // Its records are older than the 1 s window by now, so the stop may be decided before the window is full.
    expect(doc.groups[0]).toMatchObject({ status: 'ERR', reason: 'STOP' });
  });

  it('ends early with 11 when a stop is already decided, without waiting out the window', async () => {
    const started = Date.now();
    const r = await kt('stopped', '--check', '--window', '5m', '--interval', '200ms');
    expect(r.exitCode).toBe(11);
    expect(r.stderr).toBe('Observing stopped for 5m00s...\nWorst status: ERR STOP (group stopped, window 5m00s)\n');
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('counts a lag within --allowed-lag as caught up', async () => {
    const r = await kt('stuck', '--check', '--window', '1s', '--interval', '200ms', '--allowed-lag', '40');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Worst status: IDLE');
  });

  it('exits 10 when --max-lag is exceeded even if the trend is fine', async () => {
    // A group without members that keeps committing forward (a consumer with assign(), say) on
    // its own topic with a deep backlog: it commits every 50 ms, several times per 200 ms sample,
    // so that every two samples see it move (else two samples within one commit period would
    // look like a stop), and its lag stays far above 10 for as long as any check could run.
    expect((await kafkaTs(['topics', 'create', 'drain', '-p', '2'], { home })).exitCode).toBe(0);
    for (let i = 0; i < 2000; i++) void producer.send({ topic: 'drain', partition: i % 2, value: Buffer.from(`d${i}`) });
    await producer.flush();
    const commitDrain = (offset: number) => groups.commitOffsets('draining', [0, 1].map((partition) => ({ topic: 'drain', partition, offset })));
    await commitDrain(0);
    let offset = 0;
    const mover = setInterval(() => void commitDrain(Math.min(900, ++offset)), 50);
    const r = await kt('draining', '--check', '--window', '1500ms', '--interval', '200ms', '--max-lag', '10').finally(() => clearInterval(mover));
    expect(r.exitCode, r.stderr).toBe(10);
    expect(r.stderr).toMatch(/Worst status: WARN LAG \(group draining, window 1\.5s\)/);
  });

  it('exits 10 when records arrive faster than the group commits (WARN TREND)', async () => {
    await commit('slow', [[0, 50], [1, 50]]);
    const running = kt('slow', '--check', '--window', '1500ms', '--interval', '200ms', '--output', 'json');
    let committed = 50;
    // Several commits per 200 ms sample, so that every two samples see the group move.
    const load = setInterval(() => {
      void produce(10);
      committed += 1;
      void commit('slow', [[0, committed], [1, committed]]);
    }, 50);
    const r = await running.finally(() => clearInterval(load));
    expect(r.exitCode, r.stderr).toBe(10);
    expect(JSON.parse(r.stdout).groups[0]).toMatchObject({ status: 'WARN', reason: 'TREND', drain: { kind: 'growing' } });
  });

  it('exits 11 with REWIND when the committed offset goes back and stays back', async () => {
    await commit('rewound', [[0, 40], [1, 40]]);
    const cli = spawnKafkaTs(['lag', 'rewound', '--check', '--window', '1s', '--interval', '200ms', '--output', 'json'], home);
    // Go back once the check has its first sample.
    await untilStderr(cli, 'Observing rewound');
    await commit('rewound', [[0, 5], [1, 40]]);
    const r = await cli;
    expect(r.exitCode).toBe(11);
    expect(JSON.parse(String(r.stdout)).groups[0].partitions[0]).toMatchObject({ status: 'ERR', reason: 'REWIND' });
  });

  it('exits 4 for a group that does not exist', async () => {
    expect((await kt('ghost', '--check', '--window', '200ms', '--interval', '100ms')).exitCode).toBe(4);
  });
});

describe('--until-lag', () => {
  it('waits until the group has caught up', async () => {
    await commit('follower', [[0, 0], [1, 0]]);
    const cli = spawnKafkaTs(['lag', 'follower', '--until-lag', '0', '--timeout', '30s', '--interval', '100ms'], home);
    // Catch up only once the command has seen the group behind.
    await untilStderr(cli, /Waiting up to 30s for lag at most 0: follower lag [\d,]+\n/);
    await commit('follower', await logEnds());
    const r = await cli;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^Waiting up to 30s for lag at most 0: follower lag [\d,]+\nfollower: lag 0 \(at most 0\) after \S+\n$/);
  });

  it('exits 6 when the lag does not come down in time, and 4 when the group never appears', async () => {
    const r = await kt('stuck', '--until-lag', '0', '--timeout', '500ms', '--interval', '100ms');
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^Waiting up to 500ms for lag at most 0: stuck lag [\d,]+\nkafka-ts lag: error: Timed out after 500ms waiting for lag at most 0: stuck lag [\d,]+\n$/);
    const never = await kt('nobody', '--until-lag', '0', '--timeout', '300ms', '--interval', '100ms');
    expect(never.exitCode).toBe(4);
    expect(never.stderr).toContain("consumer group 'nobody' does not exist");
  });

  it('with --output json prints one document, the report with the failure in it (it printed a second, the error object)', async () => {
    const r = await kt('stuck', '--until-lag', '0', '--timeout', '500ms', '--interval', '100ms', '-o', 'json');
    expect(r.exitCode).toBe(6);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ reached: false, groups: [{ group: 'stuck' }], error: { code: 6, kind: 'timeout', message: expect.stringMatching(/^Timed out after 500ms waiting for lag at most 0: stuck lag \d+/) } });
    expect(r.stderr).toMatch(/\nkafka-ts lag: error: Timed out after 500ms waiting for lag at most 0: stuck lag [\d,]+\n$/);
    const never = await kt('nope', '--until-lag', '0', '--timeout', '300ms', '--interval', '100ms', '-o', 'json');
    expect(never.exitCode).toBe(4);
    expect(never.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(never.stdout)).toMatchObject({ reached: false, groups: [], missing: ['nope'], error: { code: 4, kind: 'not_found', message: "Timed out after 300ms: consumer group 'nope' does not exist" } });
    expect(never.stderr).toContain("kafka-ts lag: error: Timed out after 300ms: consumer group 'nope' does not exist\n");
  });
});

describe('a deleted topic', () => {
  it("a member's partitions of a deleted topic are ERR UNKNOWN_TOPIC, the topic does not exist (they read ERR UNAVAILABLE, without a leader)", async () => {
    expect((await kafkaTs(['topics', 'create', 'doomed', '-p', '2'], { home })).exitCode).toBe(0);
    const member = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'doomed-member' });
    // A member that owns both partitions and heartbeats, but stops polling (so it does not rejoin).
    const consumer = new GroupConsumer(member, { groupId: 'doomed-group', autoCommit: false });
    consumer.subscribe(['doomed']);
    try {
      const deadline = Date.now() + 30_000;
      while (consumer.assignment().length < 2) {
        if (Date.now() > deadline) throw new Error(`the consumer never owned both partitions: ${JSON.stringify(consumer.assignment())}`);
        await consumer.poll(100);
      }
      expect((await kafkaTs(['topics', 'delete', 'doomed'], { home })).exitCode).toBe(0);
      const json = await kt('doomed-group', '--once', '--interval', '100ms', '--output', 'json');
      expect(json.exitCode, json.stderr).toBe(0);
      const g = JSON.parse(json.stdout).groups[0];
      expect(g).toMatchObject({ group: 'doomed-group', members: 1, status: 'ERR', reason: 'UNKNOWN_TOPIC', partitionsWithoutLogEnd: 2 });
      expect(g.partitions.map((p: { partition: number; logEndOffset: number | null; lag: number | null; status: string; reason: string }) => [p.partition, p.logEndOffset, p.lag, p.status, p.reason])).toEqual([
        [0, null, null, 'ERR', 'UNKNOWN_TOPIC'],
        [1, null, null, 'ERR', 'UNKNOWN_TOPIC'],
      ]);
      expect(json.stderr).toBe('Group doomed-group: lag 0; 2 partitions not counted: 2 on a topic that does not exist.\n');
      const check = await kt('doomed-group', '--check', '--window', '300ms', '--interval', '100ms');
      expect(check.exitCode).toBe(11);
      expect(check.stdout).toMatch(/^doomed-group\s+doomed\s+0\s+-\s+-\s+-\s+.*ERR UNKNOWN_TOPIC/m);
      expect(check.stderr).toContain('Worst status: ERR UNKNOWN_TOPIC (group doomed-group, window 300ms)');
    } finally {
      await consumer.close();
      await member.close();
    }
  }, 60_000);
});

describe('usage errors (exit 2)', () => {
  for (const [what, args] of [
    ['two modes', ['--once', '--check']],
    ['--until-lag without a group', ['--until-lag', '0']],
    ['a duration without a unit', ['--once', '--interval', '5']],
    ['a window shorter than the interval', ['--check', '--window', '1s', '--interval', '2s']],
    ['a negative allowed lag', ['--once', '--allowed-lag', '-1']],
    ['an unknown sort key', ['--sort', 'size']],
    ['--timeout without --until-lag', ['g1', '--once', '--timeout', '5s']],
  ] as const) {
    it(`refuses ${what}`, async () => {
      const r = await kt(...args);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('consumer-groups --watch without a terminal prints the view once, as lag does', async () => {
    const r = await kafkaTs(['consumer-groups', '--describe', '--group', 'stuck', '--watch'], { home });
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^GROUP\s+TOPIC\s+PARTITION\s+COMMITTED\s+LOG-END\s+LAG\s+TIME-LAG\s+IN\/S\s+OUT\/S\s+DRAIN\s+STATUS\s+CLIENT-ID$/),
      expect.stringMatching(/^stuck\s+work\s+0\s+10\s+\d+\s+\d+\s+/),
      expect.stringMatching(/^stuck\s+work\s+1\s+10\s+\d+\s+\d+\s+/),
    ]);
  });

  it('consumer-groups --watch refuses the views it cannot show, and names consumer-groups in its errors', async () => {
    for (const view of [['--members'], ['--state']]) {
      const r = await kafkaTs(['consumer-groups', '--describe', '--group', 'stuck', ...view, '--watch'], { home });
      expect(r).toEqual({ exitCode: 2, stdout: '', stderr: `kafka-ts consumer-groups: usage error: --watch shows offsets and lag only; it cannot be combined with ${view[0]} (drop --watch for that view)\n` });
    }
    const ghost = await kafkaTs(['consumer-groups', '--describe', '--group', 'ghost', '--watch'], { home });
    expect({ exitCode: ghost.exitCode, stderr: ghost.stderr }).toEqual({ exitCode: 4, stderr: "kafka-ts consumer-groups: error: Consumer group 'ghost' does not exist\n" });
  });
});
