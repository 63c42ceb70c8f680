/**
 * kafka-ts consumer-groups end to end (execa against a daemon): every list/describe/reset layout
 * in text and JSON, deletes, and bad input that must leave committed offsets untouched.
 *
 * Fixture: topic `orders` with 10 records on partition 0, 5 on partition 1 and none on 2, record
 * i stamped 2024-01-01T00:00:0i.000Z; group `billing` (Empty) has committed orders-0=3 and
 * orders-1=5; `archive` (Empty) has orders-2=0; `live` is a running member (client id
 * `live-client`) that owns all three partitions and has orders-0=2 committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, untilStderr, type RunResult } from '../helpers/cli.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { Producer } from '../../src/client/producer/producer.js';
import { ASSIGNORS } from '../../src/client/consumer/assignors.js';
import { EXECUTE_MISSING } from '../../src/cli/flags/consumer-groups.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let setup: KafkaClient;
let liveClient: KafkaClient;
let live: GroupConsumer;
let livePolling: Promise<void>;
let stopPolling = false;
const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(['consumer-groups', ...args], { home });
/** Member ids end in a random UUID; golden layouts use a fixed one of the same length. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const fixed = (r: RunResult) => ({ ...r, stdout: r.stdout.replace(UUID, 'uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu') });

/** Committed offsets of a group, as `topic-partition=offset` strings, via the JSON view. */
async function committed(group: string): Promise<string[]> {
  const r = await kt('--describe', '--group', group, '--output', 'json');
  const doc = JSON.parse(r.stdout) as { groups: { offsets: { topic: string; partition: number; currentOffset: number | null }[] }[] };
  return doc.groups[0]!.offsets.filter((o) => o.currentOffset !== null).map((o) => `${o.topic}-${o.partition}=${o.currentOffset}`);
}

async function startLiveMember(): Promise<void> {
  liveClient = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'live-client' });
  let assigned!: () => void;
  const joined = new Promise<void>((resolve) => (assigned = resolve));
  live = new GroupConsumer(liveClient, { groupId: 'live', autoCommit: false, autoOffsetReset: 'earliest', assignors: [ASSIGNORS.range!], maxWaitMs: 100, onAssigned: () => assigned() });
  live.subscribe(['orders']);
  stopPolling = false;
  livePolling = (async () => {
    while (!stopPolling) await live.poll(100);
  })();
  await joined;
}

async function stopLiveMember(): Promise<void> {
  stopPolling = true;
  await livePolling;
  await live.close();
  await liveClient.close();
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-groups-'));
  ({ bootstrap } = await startDaemon(home));
  expect((await kafkaTs(['topics', 'create', 'orders', '-p', '3'], { home })).exitCode).toBe(0);
  setup = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'setup' });
  const producer = new Producer(setup, { lingerMs: 0 });
  for (let i = 0; i < 10; i++) void producer.send({ topic: 'orders', partition: 0, value: Buffer.from(`a${i}`), timestamp: T0 + i * 1000 });
  for (let i = 0; i < 5; i++) void producer.send({ topic: 'orders', partition: 1, value: Buffer.from(`b${i}`), timestamp: T0 + i * 1000 });
  await producer.flush();
  const groups = new GroupAdmin(setup);
  for (const [group, offsets] of [
    ['billing', [[0, 3], [1, 5]]],
    ['archive', [[2, 0]]],
    ['live', [[0, 2]]],
  ] as const) {
    const res = await groups.commitOffsets(group, offsets.map(([partition, offset]) => ({ topic: 'orders', partition, offset })));
    expect(res.every((x) => !x.error)).toBe(true);
  }
  await startLiveMember();
});

afterAll(async () => {
  stopPolling = true;
  await livePolling?.catch(() => undefined);
  await live?.close().catch(() => undefined);
  await liveClient?.close();
  await setup?.close();
  await stopDaemon(home);
  cleanup();
});

describe('--list', () => {
  it('prints one id per line, sorted', async () => {
    expect(await kt('--list')).toEqual({ stdout: 'archive\nbilling\nlive\n', stderr: '', exitCode: 0 });
    expect((await kt('list')).stdout).toBe('archive\nbilling\nlive\n');
  });

  it('adds STATE and TYPE columns padded as Kafka does, and filters by state case-insensitively', async () => {
    expect((await kt('--list', '--state')).stdout).toBe(
      [
        'GROUP                     STATE               ',
        'archive                   Empty               ',
        'billing                   Empty               ',
        'live                      Stable              ',
        '',
      ].join('\n'),
    );
    expect((await kt('--list', '--state', 'stable')).stdout).toBe('GROUP                     STATE               \nlive                      Stable              \n');
    expect((await kt('--list', '--type', '--state', 'Empty')).stdout).toBe(
      [
        'GROUP                     TYPE                 STATE               ',
        'archive                   Classic              Empty               ',
        'billing                   Classic              Empty               ',
        '',
      ].join('\n'),
    );
    expect((await kt('--list', '--type', 'share')).stdout).toBe('GROUP                     TYPE                \n');
  });

  it('rejects unknown states and types with exit 2', async () => {
    const r = await kt('--list', '--state', 'Sleeping');
    expect(r).toMatchObject({ stdout: '', exitCode: 2 });
    expect(r.stderr).toContain("Invalid state list 'Sleeping'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling");
    expect((await kt('--list', '--type', 'fancy')).stderr).toContain("Invalid types list 'fancy'. Valid types are: Consumer, Classic, Share");
  });

  it('lists as JSON', async () => {
    const r = await kt('--list', '--output', 'json');
    expect(JSON.parse(r.stdout)).toEqual({
      groups: [
        { group: 'archive', state: 'Empty', type: 'Classic', protocolType: '' },
        { group: 'billing', state: 'Empty', type: 'Classic', protocolType: '' },
        { group: 'live', state: 'Stable', type: 'Classic', protocolType: 'consumer' },
      ],
    });
  });
});

describe('--describe', () => {
  it('shows committed offsets, log-end offsets and lag of an empty group, with the no-members note on stderr', async () => {
    expect(await kt('--describe', '--group', 'billing')).toEqual({
      stdout: [
        '',
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
        'billing         orders          0          3               10              7               -               -               -',
        'billing         orders          1          5               5               0               -               -               -',
        '',
      ].join('\n'),
      stderr: "\nConsumer group 'billing' has no active members.\n",
      exitCode: 0,
    });
    expect((await kt('describe', 'billing')).stdout).toBe((await kt('--describe', '--group', 'billing', '--offsets')).stdout);
  });

  it('shows the owning member of each assigned partition, and "-" where nothing is committed', async () => {
    expect(fixed(await kt('--describe', '--group', 'live'))).toEqual({
      stdout: [
        '',
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                      HOST            CLIENT-ID',
        'live            orders          0          2               10              8               live-client-uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu /127.0.0.1      live-client',
        'live            orders          1          -               5               -               live-client-uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu /127.0.0.1      live-client',
        'live            orders          2          -               0               -               live-client-uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu /127.0.0.1      live-client',
        '',
      ].join('\n'),
      stderr: '',
      exitCode: 0,
    });
  });

  it('lists members, with ASSIGNMENT under --verbose', async () => {
    expect(fixed(await kt('--describe', '--group', 'live', '--members')).stdout).toBe(
      [
        '',
        'GROUP           CONSUMER-ID                                      HOST            CLIENT-ID       #PARTITIONS     ',
        'live            live-client-uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu /127.0.0.1      live-client     3               ',
        '',
      ].join('\n'),
    );
    expect(fixed(await kt('--describe', '--group', 'live', '--members', '--verbose')).stdout).toBe(
      [
        '',
        'GROUP           CONSUMER-ID                                      HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT',
        'live            live-client-uuid-uuid-uuid-uuid-uuid-uuid-uuid-uu /127.0.0.1      live-client     3               orders(0,1,2)',
        '',
      ].join('\n'),
    );
    // Kafka takes --verbose with any --describe view ("additional information, if any"): the same
    // output as without it there; with another action it is refused.
    for (const view of [[], ['--offsets'], ['--state']]) {
      const plain = await kt('--describe', '--group', 'live', ...view);
      const verbose = await kt('--describe', '--group', 'live', ...view, '--verbose');
      expect({ view, exitCode: verbose.exitCode, stdout: fixed(verbose).stdout }).toEqual({ view, exitCode: plain.exitCode, stdout: fixed(plain).stdout });
    }
    expect((await kt('--list', '--verbose')).exitCode).toBe(2);
  });

  it('prints the --members header for a group with no members, whether empty or missing, as Kafka 3.8+ does', async () => {
    const header = 'GROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     ';
    expect(await kt('--describe', '--group', 'billing', '--members')).toEqual({ stdout: `\n${header}\n`, stderr: "\nConsumer group 'billing' has no active members.\n", exitCode: 0 });
    expect(await kt('--describe', '--group', 'ghost', '--members')).toEqual({ stdout: `\nError: Consumer group 'ghost' does not exist.\n\n${header}\n`, stderr: '', exitCode: 4 });
  });

  it('shows coordinator, strategy, state and member count with --state', async () => {
    const coordinator = `${bootstrap}  (1)`;
    const w = Math.max(25, coordinator.length);
    const r = await kafkaTs(['consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', 'live', '--state'], { home });
    expect(r.stdout).toBe(
      `\n${'GROUP'.padEnd(w)} COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n` +
        `${'live'.padEnd(w)} ${coordinator.padEnd(25)} range                Stable          1\n`,
    );
    const empty = await kafkaTs(['consumer-groups', '--bootstrap-server', bootstrap, '--describe', '--group', 'billing', '--state'], { home });
    expect(empty.stdout).toBe(`\n${'GROUP'.padEnd(w)} COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n${'billing'.padEnd(w)} ${coordinator.padEnd(25)}                      Empty           0\n`);
    expect(empty.stderr).toBe("\nConsumer group 'billing' has no active members.\n");
  });

  it('says a group does not exist (exit 4) but still describes the others, in sorted order', async () => {
    expect(await kt('--describe', '--group', 'ghost')).toEqual({ stdout: "\nError: Consumer group 'ghost' does not exist.\n", stderr: '', exitCode: 4 });
    const both = await kt('--describe', '--group', 'zeta-missing', '--group', 'archive');
    expect(both.stdout).toBe(
      [
        '',
        'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID',
        'archive         orders          2          0               0               0               -               -               -',
        '',
        "Error: Consumer group 'zeta-missing' does not exist.",
        '',
      ].join('\n'),
    );
    expect(both.exitCode).toBe(4);
  });

  it('describes every group with --all-groups', async () => {
    const r = await kt('--describe', '--all-groups', '--state', '--output', 'json');
    expect((JSON.parse(r.stdout) as { groups: { group: string }[] }).groups.map((g) => g.group)).toEqual(['archive', 'billing', 'live']);
  });

  it('has a JSON form of each view', async () => {
    const offsets = JSON.parse((await kt('--describe', '--group', 'billing', '--output', 'json')).stdout);
    expect(offsets).toEqual({
      groups: [
        {
          group: 'billing',
          state: 'Empty',
          exists: true,
          totalLag: 7,
          offsets: [
            { topic: 'orders', partition: 0, currentOffset: 3, logEndOffset: 10, lag: 7, consumerId: null, host: null, clientId: null },
            { topic: 'orders', partition: 1, currentOffset: 5, logEndOffset: 5, lag: 0, consumerId: null, host: null, clientId: null },
          ],
        },
      ],
    });
    const members = JSON.parse((await kt('--describe', '--group', 'live', '--members', '--output', 'json')).stdout);
    expect(members.groups[0]).toMatchObject({ group: 'live', state: 'Stable', exists: true });
    expect(members.groups[0].members).toEqual([
      { memberId: expect.stringMatching(/^live-client-/), groupInstanceId: null, host: '/127.0.0.1', clientId: 'live-client', partitions: 3, assignment: [{ topic: 'orders', partitions: [0, 1, 2] }] },
    ]);
    const state = JSON.parse((await kt('--describe', '--group', 'live', '--state', '--output', 'json')).stdout);
    expect(state.groups[0]).toMatchObject({ group: 'live', state: 'Stable', assignmentStrategy: 'range', members: 1, coordinator: { nodeId: 1 } });
    const ghost = await kt('--describe', '--group', 'ghost', '--output', 'json');
    expect(JSON.parse(ghost.stdout)).toEqual({ groups: [{ group: 'ghost', state: 'Dead', exists: false, totalLag: 0, offsets: [] }] });
    expect(ghost.exitCode).toBe(4);
  });
});

const PLAN_HEADER = 'GROUP                          TOPIC                          PARTITION  NEW-OFFSET     ';
const planRow = (group: string, topic: string, partition: number, offset: number) => `${group.padEnd(30)} ${topic.padEnd(30)} ${String(partition).padEnd(10)} ${String(offset).padEnd(15)}`;
const planTable = (...rows: string[]) => `\n${[PLAN_HEADER, ...rows].join('\n')}\n\n`;

describe('--reset-offsets', () => {
  it('dry-runs by default with Kafka\'s warning, and prints the plan as a table, CSV or JSON', async () => {
    const r = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders', '--to-earliest');
    expect(r.stdout).toBe(planTable(planRow('billing', 'orders', 0, 0), planRow('billing', 'orders', 1, 0), planRow('billing', 'orders', 2, 0)));
    expect(r.stderr).toMatch(/^WARN: No action will be performed as the --execute option is missing\.In a future major release/);
    expect(r.exitCode).toBe(0);
    expect(await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:1,2', '--to-latest', '--dry-run', '--export')).toEqual({ stdout: 'orders,1,5\norders,2,0\n\n', stderr: '', exitCode: 0 });
    const two = await kt('--reset-offsets', '--group', 'billing', '--group', 'archive', '--all-topics', '--to-latest', '--dry-run', '--export');
    expect(two.stdout).toBe('archive,orders,2,0\nbilling,orders,0,10\nbilling,orders,1,5\n\n');
    const json = await kt('--reset-offsets', '--group', 'billing', '--all-topics', '--to-current', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({
      dryRun: true,
      plan: [
        { group: 'billing', topic: 'orders', partition: 0, newOffset: 3 },
        { group: 'billing', topic: 'orders', partition: 1, newOffset: 5 },
      ],
      rejected: [],
      missing: [],
      unplanned: [],
      failures: [],
    });
    expect(await committed('billing')).toEqual(['orders-0=3', 'orders-1=5']);
  });

  it('executes --to-offset with clamping warnings on stderr', async () => {
    const r = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--to-offset', '7', '--execute');
    expect(r.stdout).toBe(planTable(planRow('billing', 'orders', 0, 7), planRow('billing', 'orders', 1, 5)));
    expect(r.stderr).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] WARN New offset \(7\) is higher than latest offset for topic partition orders-1\. Value will be set to 5 \(org\.apache\.kafka\.tools\.consumer\.group\.ConsumerGroupCommand\)\n$/);
    expect(r.exitCode).toBe(0);
    expect(await committed('billing')).toEqual(['orders-0=7', 'orders-1=5']);
    // Any Java long, as in Kafka: clamped to the log.
    const max = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0', '--to-offset', '9223372036854775807');
    expect({ stdout: max.stdout, exitCode: max.exitCode }).toEqual({ stdout: planTable(planRow('billing', 'orders', 0, 10)), exitCode: 0 });
    const min = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0', '--shift-by', '-9223372036854775808');
    expect({ stdout: min.stdout, exitCode: min.exitCode }).toEqual({ stdout: planTable(planRow('billing', 'orders', 0, 0)), exitCode: 0 });
    expect((await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0', '--to-offset', '9223372036854775808')).exitCode).toBe(2);
    // A stray word is not a second group (Kafka ignores it; only g3 would be deleted).
    expect((await kt('reset', '--reset-offsets', '--group', 'billing', '--all-topics', '--to-earliest')).stderr).toContain("usage error: the verb 'reset' and the option --reset-offsets cannot be combined");
    expect(await kt('--delete', '--group', 'billing', 'other')).toEqual({ stdout: '', stderr: "kafka-ts consumer-groups: usage error: unexpected argument 'other' (give each group with --group)\n", exitCode: 2 });
  });

  it('shifts committed offsets, clamped at the log start', async () => {
    const r = await kt('reset', 'billing', '--all-topics', '--shift-by', '-6', '--execute');
    expect(r.stdout).toBe(planTable(planRow('billing', 'orders', 0, 1), planRow('billing', 'orders', 1, 0)));
    expect(r.stderr).toContain('WARN New offset (-1) is lower than earliest offset for topic partition orders-1. Value will be set to 0');
    expect(await committed('billing')).toEqual(['orders-0=1', 'orders-1=0']);
    const noCommit = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:2', '--shift-by', '1', '--dry-run');
    expect(noCommit).toMatchObject({ exitCode: 2, stdout: '' });
    expect(noCommit.stderr).toContain('Cannot shift offset for partition orders-2 since there is no current committed offset');
  });

  it('finds offsets by datetime (any zone) and by duration, falling back to latest where no record is that new', async () => {
    const r = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders', '--to-datetime', '2024-01-01T02:00:04.000+02:00', '--execute');
    expect(r.stdout).toBe(`\nWarn: Partition 2 from topic orders is empty. Falling back to latest known offset.\n${planTable(planRow('billing', 'orders', 0, 4), planRow('billing', 'orders', 1, 4), planRow('billing', 'orders', 2, 0))}`);
    expect(await committed('billing')).toEqual(['orders-0=4', 'orders-1=4', 'orders-2=0']);
    const utc = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0', '--to-datetime', '2024-01-01T00:00:07.500', '--dry-run');
    expect(utc.stdout).toBe(planTable(planRow('billing', 'orders', 0, 8)));
    // The duration grammar of lag and console-consumer works as well as ISO-8601.
    const short = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--by-duration', '1d2h', '--dry-run');
    expect(short.exitCode).toBe(0);
    expect(short.stdout).toBe((await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--by-duration', 'P1DT2H', '--dry-run')).stdout);
    expect((await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--by-duration', '5m', '--dry-run')).exitCode).toBe(0);
    expect((await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--by-duration', '5 minutes', '--dry-run')).exitCode).toBe(2);
    const ago = await kt('--reset-offsets', '--group', 'billing', '--topic', 'orders:0,1', '--by-duration', 'P1DT2H', '--dry-run');
    expect(ago.stdout).toBe(
      '\nWarn: Partition 0 from topic orders is empty. Falling back to latest known offset.\n\nWarn: Partition 1 from topic orders is empty. Falling back to latest known offset.\n' +
        planTable(planRow('billing', 'orders', 0, 10), planRow('billing', 'orders', 1, 5)),
    );
  });

  it('applies a CSV from --export via --from-file, clamped, in both layouts', async () => {
    const t = tempDir();
    try {
      const three = join(t.dir, 'three.csv');
      writeFileSync(three, 'orders,0,6\norders,1,99\n');
      const r = await kt('--reset-offsets', '--group', 'billing', '--from-file', three, '--execute');
      expect(r.stdout).toBe(planTable(planRow('billing', 'orders', 0, 6), planRow('billing', 'orders', 1, 5)));
      expect(r.stderr).toContain('New offset (99) is higher than latest offset for topic partition orders-1. Value will be set to 5');
      expect(await committed('billing')).toEqual(['orders-0=6', 'orders-1=5', 'orders-2=0']);
      const four = join(t.dir, 'four.csv');
      writeFileSync(four, 'billing,orders,0,2\n"archive","orders",2,0\n');
      const both = await kt('--reset-offsets', '--group', 'billing', '--group', 'archive', '--group', 'newcomer', '--from-file', four, '--dry-run');
      expect(both.stdout).toBe(`\nError: No reset plan for group newcomer found\n${planTable(planRow('archive', 'orders', 2, 0), planRow('billing', 'orders', 0, 2))}`);
      // A group the file has no rows for was not reset: not a success.
      expect(both.exitCode).toBe(1);
      const none = await kt('--reset-offsets', '--group', 'newcomer', '--from-file', four, '--dry-run');
      expect(none).toEqual({ stdout: `\nError: No reset plan for group newcomer found\n${planTable()}`, stderr: '', exitCode: 1 });
    } finally {
      t.cleanup();
    }
  });

  it('--from-file naming a partition twice plans it once, the last line winning (Kafka builds the plan in a map)', async () => {
    const t = tempDir();
    try {
      const twice = join(t.dir, 'twice.csv');
      // A new group, so that the other tests' commits stay as they expect them.
      writeFileSync(twice, 'orders,0,3\norders,1,1\norders,0,4\n');
      const dry = await kt('--reset-offsets', '--group', 'dupes', '--from-file', twice, '--dry-run');
      expect(dry.stdout).toBe(planTable(planRow('dupes', 'orders', 0, 4), planRow('dupes', 'orders', 1, 1)));
      const json = await kt('--reset-offsets', '--group', 'dupes', '--from-file', twice, '--dry-run', '--output', 'json');
      expect(json.exitCode).toBe(0);
      expect(json.stdout.match(/"partition":\s*0\b/g)).toHaveLength(1);
      const r = await kt('--reset-offsets', '--group', 'dupes', '--from-file', twice, '--execute');
      expect(r.stdout).toBe(dry.stdout);
      expect(await committed('dupes')).toEqual(['orders-0=4', 'orders-1=1']);
    } finally {
      t.cleanup();
    }
  });

  it('plans a partition named twice once (Kafka keys the plan by partition), in the table, CSV, JSON and commits', async () => {
    const args = ['--reset-offsets', '--group', 'twice', '--topic', 'orders:1', '--topic', 'orders', '--topic', 'orders:1,1', '--to-latest'];
    expect((await kt(...args, '--dry-run')).stdout).toBe(planTable(planRow('twice', 'orders', 0, 10), planRow('twice', 'orders', 1, 5), planRow('twice', 'orders', 2, 0)));
    expect((await kt(...args, '--dry-run', '--export')).stdout).toBe('orders,0,10\norders,1,5\norders,2,0\n\n');
    expect(JSON.parse((await kt(...args, '--dry-run', '-o', 'json')).stdout).plan).toHaveLength(3);
    expect((await kt(...args, '--execute')).exitCode).toBe(0);
    expect(await committed('twice')).toEqual(['orders-0=10', 'orders-1=5', 'orders-2=0']);
  });

  it('names the groups a --from-file has no rows for in JSON, and gives offsets past 2^53 exactly in its warnings', async () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'other.csv');
      writeFileSync(file, 'someone,orders,0,1\n');
      const none = await kt('--reset-offsets', '--group', 'nobody', '--from-file', file, '--dry-run', '-o', 'json');
      expect(none).toEqual({
        stdout: `${JSON.stringify({ dryRun: true, plan: [], rejected: [], missing: [], unplanned: ['nobody'], failures: [] })}\n`,
        stderr: 'Error: No reset plan for group nobody found\n',
        exitCode: 1,
      });
      const big = join(t.dir, 'big.csv');
      writeFileSync(big, 'orders,0,9223372036854775807\n');
      const r = await kt('--reset-offsets', '--group', 'big', '--from-file', big, '--dry-run');
      expect(r.stdout).toBe(planTable(planRow('big', 'orders', 0, 10)));
      expect(r.stderr).toContain('New offset (9223372036854775807) is higher than latest offset for topic partition orders-0. Value will be set to 10');
      const max = await kt('--reset-offsets', '--group', 'big', '--topic', 'orders:0', '--to-offset', '9223372036854775807', '--dry-run');
      expect(max.stderr).toContain('New offset (9223372036854775807) is higher than latest offset');
      writeFileSync(big, 'orders,0,99999999999999999999\n');
      const past = await kt('--reset-offsets', '--group', 'big', '--from-file', big, '--dry-run');
      expect(past).toMatchObject({ exitCode: 2, stdout: '' });
      expect(past.stderr).toContain("--from-file line 1: invalid offset '99999999999999999999'");
      const partition = await kt('--reset-offsets', '--group', 'big', '--topic', 'orders:99999999999999999999', '--to-earliest', '--dry-run');
      expect(partition).toEqual({ exitCode: 2, stdout: '', stderr: "kafka-ts consumer-groups: usage error: Invalid partition '99999999999999999999' specified in topic arg 'orders:99999999999999999999''\n" });
    } finally {
      t.cleanup();
    }
  });

  it('saves a plan as JSON and applies it exactly with --from-plan', async () => {
    const t = tempDir();
    try {
      const saved = await kt('reset', 'billing', '--topic', 'orders:0', '--to-earliest', '--dry-run', '--output', 'json');
      const plan = join(t.dir, 'plan.json');
      writeFileSync(plan, saved.stdout);
      const applied = await kt('reset', 'billing', '--from-plan', plan, '--execute', '--output', 'json');
      expect(JSON.parse(applied.stdout)).toEqual({ dryRun: false, plan: [{ group: 'billing', topic: 'orders', partition: 0, newOffset: 0 }], rejected: [], missing: [], unplanned: [], failures: [] });
      expect(await committed('billing')).toEqual(['orders-0=0', 'orders-1=5', 'orders-2=0']);
    } finally {
      t.cleanup();
    }
  });

  it('creates offsets for a group that never existed, as Kafka does', async () => {
    const r = await kt('--reset-offsets', '--group', 'fresh', '--topic', 'orders:1', '--to-latest', '--execute');
    expect(r.stdout).toBe(planTable(planRow('fresh', 'orders', 1, 5)));
    expect(await committed('fresh')).toEqual(['orders-1=5']);
  });
});

describe('bad input changes nothing', () => {
  const before = ['orders-0=0', 'orders-1=5', 'orders-2=0'];
  const cases: [string, string[], number, RegExp][] = [
    ['an invalid datetime', ['--topic', 'orders', '--to-datetime', '2024-13-01T00:00:00.000'], 2, /Error parsing date '2024-13-01T00:00:00.000'/],
    ['a datetime without milliseconds', ['--topic', 'orders', '--to-datetime', '2024-01-01T00:00:00'], 2, /expected yyyy-MM-ddTHH:mm:ss\.SSS/],
    ['an invalid duration', ['--topic', 'orders', '--by-duration', '1 hour'], 2, /Error parsing duration '1 hour'/],
    ['a negative offset', ['--topic', 'orders', '--to-offset', '-5'], 2, /Invalid --to-offset -5/],
    ['a non-numeric offset', ['--topic', 'orders', '--to-offset', 'ten'], 2, /to-offset/],
    ['a malformed topic argument', ['--topic', 'orders:', '--to-earliest'], 2, /Invalid topic arg 'orders:', expected topic name and partitions/],
    ['an unknown topic', ['--topic', 'nope', '--to-earliest'], 4, /Topic 'nope' does not exist/],
    ['an unknown partition', ['--topic', 'orders:7', '--to-earliest'], 4, /Partition orders-7 does not exist/],
    ['two scenarios', ['--topic', 'orders', '--to-earliest', '--to-latest'], 2, /Option "\[to-earliest\]" can't be used with option "\[to-latest\]"/],
    ['no scope', ['--to-earliest'], 2, /One of the reset scopes should be defined: --all-topics, --topic\./],
    ['--dry-run with --execute', ['--topic', 'orders', '--to-earliest', '--dry-run'], 2, /only accepts one of \[execute\] and \[dry-run\]/],
  ];
  for (const [what, args, code, message] of cases) {
    it(`refuses ${what} (exit ${code})`, async () => {
      const r = await kt('--reset-offsets', '--group', 'billing', ...args, '--execute');
      expect(r.exitCode).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await committed('billing')).toEqual(before);
    });
  }

  it('refuses malformed --from-file contents and unreadable files (exit 2)', async () => {
    const t = tempDir();
    try {
      const bad = join(t.dir, 'bad.csv');
      for (const [text, message] of [
        ['orders,zero,1\n', /invalid partition 'zero'/],
        ['orders,0\n', /expected group,topic,partition,offset but got 'orders,0'/],
        ['orders,0,1\norders,1\n', /line 2: expected topic,partition,offset/],
        ['"orders,0,1\n', /unterminated quote/],
        ['\n\n', /has no offsets/],
      ] as const) {
        writeFileSync(bad, text);
        const r = await kt('--reset-offsets', '--group', 'billing', '--from-file', bad, '--execute');
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toMatch(message);
      }
      expect((await kt('--reset-offsets', '--group', 'billing', '--from-file', join(t.dir, 'missing.csv'), '--execute')).exitCode).toBe(2);
      writeFileSync(bad, '{"plan": [{"group": "billing", "topic": "orders", "partition": 0, "newOffset": -1}]}');
      const plan = await kt('--reset-offsets', '--group', 'billing', '--from-plan', bad, '--execute');
      expect(plan).toMatchObject({ exitCode: 2 });
      expect(plan.stderr).toContain('a newOffset from 0 to 9007199254740991');
      expect(await committed('billing')).toEqual(before);
    } finally {
      t.cleanup();
    }
  });

  it("refuses to reset an active group with Kafka's message (exit 5)", async () => {
    const r = await kt('--reset-offsets', '--group', 'live', '--topic', 'orders', '--to-earliest', '--execute');
    expect(r.stdout).toBe(`\nError: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.\n\n${PLAN_HEADER}\n\n`);
    expect(r.exitCode).toBe(5);
    expect(await committed('live')).toEqual(['orders-0=2']);
  });

  it('says on stderr in JSON mode why a reset was refused, and that a reset without --execute does nothing', async () => {
    const refused = "Error: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable.\n";
    const r = await kt('reset', 'live', '--all-topics', '--to-earliest', '--execute', '--output', 'json');
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: false, rejected: [{ group: 'live', state: 'Stable' }] });
    expect(r).toMatchObject({ stderr: refused, exitCode: 5 });
    const dry = await kt('reset', 'live', '--all-topics', '--to-earliest', '--output', 'json');
    expect(dry.stderr).toBe(`${EXECUTE_MISSING}\n${refused}`);
    expect(dry.exitCode).toBe(5);
    const missing = await kt('reset', 'ghost', '--all-topics', '--to-earliest', '--dry-run', '--output', 'json');
    expect(missing).toMatchObject({ stderr: "Error: Consumer group 'ghost' does not exist.\n", exitCode: 4 });
    expect(await committed('live')).toEqual(['orders-0=2']);
  });

  it('times out waiting for an active group to stop (exit 6), resetting nothing', async () => {
    const r = await kt('--reset-offsets', '--group', 'live', '--topic', 'orders', '--to-earliest', '--wait-inactive', '300', '--execute');
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe("Waiting up to 300 ms for group(s) 'live' (Stable) to become inactive...\nkafka-ts consumer-groups: error: Timed out after 300 ms waiting for group(s) 'live' (Stable) to become inactive; nothing was reset\n");
    expect(await committed('live')).toEqual(['orders-0=2']);
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      [],
      ['--list', '--describe'],
      ['--describe'],
      ['--describe', '--group', 'g', '--members', '--state'],
      ['--describe', '--group', 'g', '--state', 'Stable'],
      ['--list', '--group', 'g'],
      ['--describe', '--group', 'g', '--all-groups'],
      ['--delete'],
      ['--delete', '--group', 'g', '--topic', 't'],
      ['--delete-offsets', '--group', 'g'],
      ['--describe', '--group', 'g', '--to-earliest'],
      ['--list', '--timeout', 'soon'],
      ['explode', 'g'],
      ['--describe', '--group', 'g', '--bogus'],
    ]) {
      const r = await kt(...args);
      expect({ args, exitCode: r.exitCode, stdout: r.stdout }).toEqual({ args, exitCode: 2, stdout: '' });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("refuses a second group for --delete-offsets and view options without --describe, in Kafka's words", async () => {
    const usage = (m: string) => ({ exitCode: 2, stdout: '', stderr: `kafka-ts consumer-groups: usage error: ${m}\n` });
    expect(await kt('--delete-offsets', '--group', 'billing', '--group', 'archive', '--topic', 'orders:2')).toEqual(usage('Found multiple arguments for option group, but you asked for only one'));
    expect(await kt('delete-offsets', 'billing', 'archive', '--topic', 'orders:2')).toEqual(usage('Found multiple arguments for option group, but you asked for only one'));
    for (const [opt, name] of [['--members', 'members'], ['--verbose', 'verbose'], ['--state', 'state'], ['--type', 'type']]) {
      expect(await kt(opt!, '--group', 'billing')).toEqual(usage(`Option(s) [${name}] are unavailable given other options on the command line`));
    }
    expect(await kt('--delete', '--group', 'g', '--members')).toEqual(usage('Option(s) [members] are unavailable given other options on the command line'));
    expect(await committed('archive')).toEqual(['orders-2=0']);
  });
});

describe('--delete and --delete-offsets', () => {
  it('deletes offsets of a topic from an empty group, with the status table', async () => {
    // Kafka's first line is its request's result, which a topic the cluster lacks is not part of;
    // it names the --topic values as given. Each partition once, however often it is named.
    const r = await kt('--delete-offsets', '--group', 'fresh', '--topic', 'orders:1', '--topic', 'gone', '--topic', 'orders:1,1', '--topic', 'gone');
    expect(r.stdout).toBe(
      [
        'Request succeed for deleting offsets with topic orders:1, gone, orders:1,1, gone group fresh',
        '',
        'TOPIC                          PARTITION       STATUS         ',
        'gone                           Not Provided    Error: :This server does not host this topic-partition.',
        'orders                         1               Successful     ',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(1);
    // JSON: partitions are numbers, as in every other document; a topic the cluster lacks has null.
    // The document names the error that makes the exit status 1.
    const j = await kt('--delete-offsets', '--group', 'fresh', '--topic', 'orders:1', '--topic', 'gone', '--output', 'json');
    expect(JSON.parse(j.stdout)).toEqual({
      group: 'fresh',
      error: 'UNKNOWN_TOPIC_OR_PARTITION',
      requestError: null,
      partitions: [
        { topic: 'gone', partition: null, status: 'Error: :This server does not host this topic-partition.', error: 'UNKNOWN_TOPIC_OR_PARTITION' },
        { topic: 'orders', partition: 1, status: 'Successful', error: null },
      ],
    });
    expect(j.exitCode).toBe(1);
    expect(await kt('--delete-offsets', '--group', 'billing', '--topic', 'orders:0', '--topic', 'orders')).toEqual({
      stdout: [
        'Request succeed for deleting offsets with topic orders:0, orders group billing',
        '',
        'TOPIC                          PARTITION       STATUS         ',
        'orders                         0               Successful     ',
        'orders                         1               Successful     ',
        'orders                         2               Successful     ',
        '',
      ].join('\n'),
      stderr: '',
      exitCode: 0,
    });
    expect(await committed('billing')).toEqual([]);
    // Only unknown topics: not found (4), as an unknown group is; with a known one it is a partial failure (1, above).
    expect((await kt('--delete-offsets', '--group', 'billing', '--topic', 'gone'))).toMatchObject({ exitCode: 4 });
  });

  it('refuses to delete offsets of a topic an active group consumes (exit 5), and reports unknown groups (exit 4)', async () => {
    const r = await kt('--delete-offsets', '--group', 'live', '--topic', 'orders:0');
    expect(r.stdout).toBe(
      [
        '',
        'Error: Encounter some partition level error, see the follow-up details:',
        '',
        'TOPIC                          PARTITION       STATUS         ',
        'orders                         0               Error: :Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.',
        '',
      ].join('\n'),
    );
    expect(r.exitCode).toBe(5);
    const j = await kt('--delete-offsets', '--group', 'live', '--topic', 'orders:0', '--output', 'json');
    expect(JSON.parse(j.stdout)).toMatchObject({ error: 'GROUP_SUBSCRIBED_TO_TOPIC', requestError: 'GROUP_SUBSCRIBED_TO_TOPIC' });
    expect(await committed('live')).toEqual(['orders-0=2']);
    expect(await kt('delete-offsets', 'ghost', '--topic', 'orders')).toEqual({ stdout: "\nError: 'ghost' does not exist.\n", stderr: '', exitCode: 4 });
  });

  it('deletes empty groups; reports active and unknown ones with exit codes', async () => {
    expect(await kt('--delete', '--group', 'archive')).toEqual({ stdout: "Deletion of requested consumer groups ('archive') was successful.\n", stderr: '', exitCode: 0 });
    expect(await kt('--describe', '--group', 'archive')).toMatchObject({ exitCode: 4 });
    expect(await kt('delete', 'ghost')).toEqual({
      stdout:
        "\nError: Deletion of some consumer groups failed:\n* Group 'ghost' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n",
      stderr: '',
      exitCode: 4,
    });
    const mixed = await kt('--delete', '--group', 'live', '--group', 'fresh', '--output', 'json');
    expect(JSON.parse(mixed.stdout)).toEqual({ deleted: ['fresh'], failed: [{ group: 'live', error: 'NON_EMPTY_GROUP', message: 'The group is not empty.' }] });
    expect(mixed.exitCode).toBe(5);
    // JSON mode says why on stderr too, as Kafka's text does on stdout.
    expect(mixed.stderr).toBe(
      "Error: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\nThese consumer groups were deleted successfully: 'fresh'\n",
    );
    expect(await kt('describe', 'ghost', '--output', 'json')).toMatchObject({ stderr: "Error: Consumer group 'ghost' does not exist.\n", exitCode: 4 });
    const text = await kt('--delete', '--group', 'live');
    expect(text.stdout).toBe(
      "\nError: Deletion of some consumer groups failed:\n* Group 'live' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n",
    );
  });
});

describe('--wait-inactive', () => {
  it('waits for the active group to stop, then resets it', async () => {
    const cli = spawnKafkaTs(['consumer-groups', '--reset-offsets', '--group', 'live', '--topic', 'orders', '--to-latest', '--wait-inactive', '60000', '--execute'], home);
    // The member leaves only once the command has seen it active.
    await untilStderr(cli, "Waiting up to 60000 ms for group(s) 'live' (Stable)");
    await stopLiveMember();
    const r = await cli;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(planTable(planRow('live', 'orders', 0, 10), planRow('live', 'orders', 1, 5), planRow('live', 'orders', 2, 0)));
    expect(await committed('live')).toEqual(['orders-0=10', 'orders-1=5', 'orders-2=0']);
  });
});
