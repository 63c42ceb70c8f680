/**
 * reassign-partitions, leader-election and broker failure through the CLI, against a daemon with
 * three logical brokers: Kafka's JSON files and messages (golden), exit codes, and bad input
 * that must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { Admin, RESOURCE_BROKER, RESOURCE_TOPIC } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
let admin: Admin;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });
const rp = (...args: string[]) => kt('reassign-partitions', ...args);
let n = 0;
/** Writes a file in the test's home and returns its path. */
const file = (text: string) => {
  const path = join(home, `input-${n++}.json`);
  writeFileSync(path, text);
  return path;
};
const replicas = async (topic: string) => (await admin.describeTopics([topic]))[0]!.partitions.map((p) => p.replicas);
const configOf = async (type: number, name: string, key: string) => (await admin.describeConfigs([{ type, name, keys: [key] }])).get(`${type}:${name}`)?.find((e) => e.name === key);

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-reassign-'));
  ({ bootstrap } = await startDaemon(home, ['--brokers', '3', '--override', 'auto.leader.rebalance.enable=false']));
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'reassign-test' });
  admin = new Admin(client);
  expect((await kt('topics', '--create', '--topic', 'foo', '--replica-assignment', '1:2,2:3')).exitCode).toBe(0);
  expect((await kt('topics', '--create', '--topic', 'slow', '--replica-assignment', '1')).exitCode).toBe(0);
  const producer = new Producer(client, { acks: -1 });
  for (let i = 0; i < 200; i++) void producer.send({ topic: 'foo', partition: i % 2, value: Buffer.alloc(1000, i) });
  for (let i = 0; i < 300; i++) void producer.send({ topic: 'slow', partition: 0, value: Buffer.alloc(1000, i) });
  await producer.flush();
});

afterAll(async () => {
  await client?.close();
  await stopDaemon(home);
  cleanup();
});

const CURRENT_FOO = '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},{"topic":"foo","partition":1,"replicas":[2,3],"log_dirs":["any","any"]}]}';

describe('--generate', () => {
  it("prints the current and a proposed assignment in Kafka's JSON, changing nothing", async () => {
    const r = await rp('--generate', '--topics-to-move-json-file', file('{"topics":[{"topic":"foo"}],"version":1}'), '--broker-list', '1,3');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Current partition replica assignment', CURRENT_FOO]);
    expect(lines[2]).toBe('');
    expect(lines[3]).toBe('Proposed partition reassignment configuration');
    expect(lines[4]).toMatch(/^\{"version":1,"partitions":\[\{"topic":"foo","partition":0,"replicas":\[[13],[13]\],"log_dirs":\["any","any"\]\},\{"topic":"foo","partition":1,"replicas":\[[13],[13]\],"log_dirs":\["any","any"\]\}\]\}$/);
    for (const p of JSON.parse(lines[4]!).partitions) expect([...p.replicas].sort()).toEqual([1, 3]);
    expect(await replicas('foo')).toEqual([[1, 2], [2, 3]]);
  });

  it('refuses duplicate topics and brokers, and a replication factor above the brokers given', async () => {
    const dupTopics = await rp('--generate', '--topics-to-move-json-file', file('{"topics":[{"topic":"foo"},{"topic":"foo"}],"version":1}'), '--broker-list', '1,2');
    expect(dupTopics).toMatchObject({ exitCode: 2, stdout: 'Error: List of topics to reassign contains duplicate entries: [foo]\n' });
    const dupBrokers = await rp('--generate', '--topics-to-move-json-file', file('{"topics":[{"topic":"foo"}]}'), '--broker-list', '1,1');
    expect(dupBrokers).toMatchObject({ exitCode: 2, stdout: 'Error: Broker list contains duplicate entries: [1]\n' });
    const rf = await rp('--generate', '--topics-to-move-json-file', file('{"topics":[{"topic":"foo"}]}'), '--broker-list', '3,9');
    expect(rf).toMatchObject({ exitCode: 2, stdout: 'Error: Replication factor: 2 larger than available brokers: 1.\n' });
  });
});

describe('--execute and --verify', () => {
  it('moves the replicas, prints the rollback plan, and verifies completion', async () => {
    const plan = file('{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[3,1],"log_dirs":["any","any"]},{"topic":"foo","partition":1,"replicas":[2,3]}]}');
    const r = await rp('--execute', '--reassignment-json-file', plan, '--wait');
    expect(r.stdout).toBe(
      [
        'Current partition replica assignment',
        '',
        CURRENT_FOO,
        '',
        'Save this to use as the --reassignment-json-file option during rollback',
        'Successfully started partition reassignments for foo-0,foo-1',
        'Status of partition reassignment:',
        'Reassignment of partition foo-0 is completed.',
        'Reassignment of partition foo-1 is completed.',
        '',
        'Clearing broker-level throttles on brokers 1,2,3',
        'Clearing topic-level throttles on topic foo',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toContain('Reassignment complete.');
    expect(r.exitCode).toBe(0);
    expect(await replicas('foo')).toEqual([[3, 1], [2, 3]]);
    const verify = await rp('--verify', '--reassignment-json-file', plan, '--preserve-throttles');
    expect(verify).toEqual({ stdout: 'Status of partition reassignment:\nReassignment of partition foo-0 is completed.\nReassignment of partition foo-1 is completed.\n\n', stderr: '', exitCode: 0 });
    const other = await rp('--verify', '--reassignment-json-file', file('{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2]}]}'), '--preserve-throttles', '--output', 'json');
    expect(JSON.parse(other.stdout)).toEqual({ partitions: [{ topic: 'foo', partition: 0, status: 'different', replicas: [3, 1], targetReplicas: [1, 2] }], throttlesCleared: false });
  });

  it('throttles a running move, refuses a second one without --additional, lists it, and cancels it back', async () => {
    const plan = file('{"version":1,"partitions":[{"topic":"slow","partition":0,"replicas":[2]}]}');
    const r = await rp('--execute', '--reassignment-json-file', plan, '--throttle', '2000');
    expect(r.stdout).toBe(
      [
        'Current partition replica assignment',
        '',
        '{"version":1,"partitions":[{"topic":"slow","partition":0,"replicas":[1],"log_dirs":["any"]}]}',
        '',
        'Save this to use as the --reassignment-json-file option during rollback',
        'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.',
        'The inter-broker throttle limit was set to 2000 B/s',
        'Successfully started partition reassignment for slow-0',
        '',
      ].join('\n'),
    );
    expect((await configOf(RESOURCE_TOPIC, 'slow', 'leader.replication.throttled.replicas'))?.value).toBe('0:1');
    expect((await configOf(RESOURCE_TOPIC, 'slow', 'follower.replication.throttled.replicas'))?.value).toBe('0:2');
    expect((await configOf(RESOURCE_BROKER, '2', 'follower.replication.throttled.rate'))?.value).toBe('2000');

    expect(await rp('--list')).toEqual({ stdout: 'Current partition reassignments:\nslow-0: replicas: 2,1. adding: 2. removing: 1.\n', stderr: '', exitCode: 0 });
    const again = await rp('--execute', '--reassignment-json-file', file('{"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[3,2]}]}'));
    expect(again).toMatchObject({
      exitCode: 5,
      stdout:
        'Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.\n',
    });
    expect(await replicas('foo')).toEqual([[3, 1], [2, 3]]);

    const verify = await rp('--verify', '--reassignment-json-file', plan);
    expect(verify).toEqual({ stdout: 'Status of partition reassignment:\nReassignment of partition slow-0 is still in progress.\n\n', stderr: '', exitCode: 0 });
    expect((await configOf(RESOURCE_BROKER, '2', 'follower.replication.throttled.rate'))?.value).toBe('2000');

    const cancel = await rp('--cancel', '--reassignment-json-file', plan);
    expect(cancel).toEqual({
      stdout: 'Successfully cancelled partition reassignment(s) for: slow-0\nNone of the specified partition moves are active.Clearing broker-level throttles on brokers 1,2,3\nClearing topic-level throttles on topic slow\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await replicas('slow')).toEqual([[1]]);
    expect(await rp('--list')).toMatchObject({ stdout: 'No partition reassignments found.\n', exitCode: 0 });
    expect((await configOf(RESOURCE_BROKER, '2', 'follower.replication.throttled.rate'))?.source).toBe(5);
    expect((await configOf(RESOURCE_TOPIC, 'slow', 'leader.replication.throttled.replicas'))?.value ?? '').toBe('');
    const none = await rp('--cancel', '--reassignment-json-file', plan, '--preserve-throttles');
    expect(none.stdout).toBe('None of the specified partition reassignments are active.\nNone of the specified partition moves are active.\n');
  });
});

describe('a reassignment that only reorders replicas', () => {
  it('changes the preferred leader without moving data, and reports the log-dir throttle', async () => {
    const plan = file('{"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[3,2]}]}');
    const r = await rp('--execute', '--reassignment-json-file', plan, '--replica-alter-log-dirs-throttle', '1000');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.\nThe replica-alter-dir throttle limit was set to 1000 B/s\nSuccessfully started partition reassignment for foo-1\n');
    expect(await replicas('foo')).toEqual([[3, 1], [3, 2]]);
    expect((await rp('--verify', '--reassignment-json-file', plan)).stdout).toContain('Reassignment of partition foo-1 is completed.\n');
    // Back as it was for the cases below.
    expect((await rp('--execute', '--reassignment-json-file', file('{"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[2,3]}]}'))).exitCode).toBe(0);
  });
});

describe('bad input changes nothing', () => {
  const cases: [string, string, number, string][] = [
    ['malformed JSON', '{"version":1,"partitions":[', 2, 'Error: Unable to parse the reassignment JSON file as JSON'],
    ['an unsupported version', '{"version":2,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2]}]}', 2, 'Error: Not supported version field value 2\n'],
    ['log dirs of the wrong length', '{"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}', 2, 'Error: Size of replicas list [1, 2] is different from size of log dirs list [any] for partition foo-0\n'],
    ['an empty plan', '{"version":1,"partitions":[]}', 2, 'Error: Partition reassignment list cannot be empty\n'],
    ['an empty replica list', '{"partitions":[{"topic":"foo","partition":0,"replicas":[]}]}', 2, 'Error: Partition replica list cannot be empty\n'],
    ['duplicate partitions', '{"partitions":[{"topic":"foo","partition":0,"replicas":[1,2]},{"topic":"foo","partition":0,"replicas":[2,3]}]}', 2, 'Error: Partition reassignment contains duplicate topic partitions: foo-0\n'],
    ['duplicate replicas', '{"partitions":[{"topic":"foo","partition":0,"replicas":[1,1]}]}', 2, 'Error: Partition replica lists may not contain duplicate entries: foo-0 contains multiple entries for 1\n'],
    ['an unknown broker', '{"partitions":[{"topic":"foo","partition":0,"replicas":[1,9]}]}', 4, 'Error: Unknown broker id 9\n'],
    ['an unknown partition', '{"partitions":[{"topic":"foo","partition":0,"replicas":[1,2]},{"topic":"foo","partition":7,"replicas":[1,2]}]}', 4, 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: foo-7\n'],
    ['an unknown topic', '{"partitions":[{"topic":"nope","partition":0,"replicas":[1,2]}]}', 4, 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic nope not found.\n'],
  ];
  for (const [what, json, code, stdout] of cases) {
    it(`refuses ${what} (exit ${code})`, async () => {
      const r = await rp('--execute', '--reassignment-json-file', file(json), '--throttle', '1000');
      expect(r.exitCode).toBe(code);
      expect(r.stdout.startsWith(stdout)).toBe(true);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await replicas('foo')).toEqual([[3, 1], [2, 3]]);
      expect((await rp('--list')).stdout).toBe('No partition reassignments found.\n');
      expect((await configOf(RESOURCE_TOPIC, 'foo', 'leader.replication.throttled.replicas'))?.value ?? '').toBe('');
    });
  }

  it('checks options the way Kafka does (exit 2)', async () => {
    const usage = async (args: string[], message: string) => {
      const r = await rp(...args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(message);
    };
    await usage([], 'Command must include exactly one action: --generate, --execute, --verify, --cancel, --list');
    await usage(['--list', '--verify'], 'Command must include exactly one action');
    await usage(['--execute'], 'Missing required argument "[reassignment-json-file]"');
    await usage(['--generate', '--broker-list', '1'], 'Missing required argument "[topics-to-move-json-file]"');
    // An empty list (a script's unset variable) is not a missing option.
    await usage(['--generate', '--topics-to-move-json-file', file('{"topics":[{"topic":"foo"}]}'), '--broker-list', ''], "Invalid broker id '' in --broker-list");
    await usage(['--verify', '--reassignment-json-file', 'x.json', '--throttle', '5'], 'Option "[throttle]" can\'t be used with action "[verify]"');
    await usage(['--list', '--additional'], 'Option "[additional]" can\'t be used with action "[list]"');
    await usage(['--execute', '--reassignment-json-file', 'x.json', '--throttle', '-5'], 'Invalid throttle -5: a rate in bytes/s, or -1 for none');
    await usage(['--execute', '--reassignment-json-file', join(home, 'missing.json')], 'Cannot read');
  });
});

describe('broker failure, topics filters and leader-election', () => {
  it('moves leadership when a broker stops, shows the damage in topics, and elects the preferred leader back', async () => {
    expect((await kt('topics', '--create', '--topic', 'ha', '--replica-assignment', '2:1:3', '--config', 'min.insync.replicas=2')).exitCode).toBe(0);
    await waitUntil('ISR complete', async () => (await admin.describeTopics(['ha']))[0]!.partitions[0]!.isr.length === 3);
    expect((await kt('topics', '--create', '--topic', 'solo', '--replica-assignment', '2')).exitCode).toBe(0);
    expect((await kt('server', 'stop-broker', '2')).exitCode).toBe(0);
    const under = await kt('topics', '--describe', '--topic', 'ha', '--under-replicated-partitions');
    expect(under.stdout).toMatch(/^\tTopic: ha\tPartition: 0\tLeader: 1\tReplicas: 2,1,3\tIsr: 1,3\t/);
    expect((await kt('topics', '--describe', '--topic', 'ha', '--unavailable-partitions')).stdout).toBe('');
    expect((await kt('topics', '--describe', '--topic', 'ha', '--at-min-isr-partitions')).stdout).toMatch(/^\tTopic: ha\tPartition: 0\tLeader: 1\tReplicas: 2,1,3\tIsr: 1,3\t/);
    // Kafka's controller refuses a partition whose replicas are all stopped (fenced): nothing could lead it.
    expect(await kt('topics', '--create', '--topic', 'solo2', '--replica-assignment', '2')).toMatchObject({
      stdout: 'Error while executing topic command : All brokers specified in the manual partition assignment for partition 0 are fenced or in controlled shutdown.\n',
      exitCode: 1,
    });
    expect((await kt('topics', '--describe', '--topic', 'solo', '--unavailable-partitions')).stdout).toMatch(/^\tTopic: solo\tPartition: 0\tLeader: none\tReplicas: 2\tIsr: 2\t/);
    expect((await kt('server', 'stop-broker', '3')).exitCode).toBe(0);
    expect((await kt('topics', '--describe', '--topic', 'ha', '--under-min-isr-partitions')).stdout).toMatch(/Partition: 0\tLeader: 1\tReplicas: 2,1,3\tIsr: 1\t/);

    const failed = await kt('leader-election', '--election-type', 'preferred', '--topic', 'ha', '--partition', '0');
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toBe('Error completing leader election (PREFERRED) for partition: ha-0: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: Failed to elect leader for partition ha-0 under strategy PreferredReplicaPartitionLeaderElectionStrategy\n');
    expect(failed.stderr).toBe('1 replica(s) could not be elected\n');

    expect((await kt('server', 'start-broker', '2')).exitCode).toBe(0);
    expect((await kt('server', 'start-broker', '3')).exitCode).toBe(0);
    await waitUntil('ISR complete again', async () => (await admin.describeTopics(['ha']))[0]!.partitions[0]!.isr.length === 3);
    const elected = await kt('leader-election', '--election-type', 'PREFERRED', '--topic', 'ha', '--partition', '0');
    expect(elected).toEqual({ stdout: 'Successfully completed leader election (PREFERRED) for partitions ha-0\n', stderr: '', exitCode: 0 });
    expect((await kt('leader-election', '--election-type', 'preferred', '--path-to-json-file', file('{"partitions":[{"topic":"ha","partition":0}]}'))).stdout).toBe('Valid replica already elected for partitions ha-0\n');
    expect((await kt('leader-election', '--election-type', 'unclean', '--topic', 'ha', '--partition', '0')).stdout).toBe('Valid replica already elected for partitions ha-0\n');
    expect(await kt('leader-election', '--election-type', 'preferred', '--all-topic-partitions')).toMatchObject({ exitCode: 0 });
  });

  it('exits 4 for a topic or broker that does not exist', async () => {
    const election = await kt('leader-election', '--election-type', 'preferred', '--topic', 'no-such-topic', '--partition', '0');
    expect({ exitCode: election.exitCode, stderr: election.stderr }).toEqual({ exitCode: 4, stderr: '1 replica(s) could not be elected\n' });
    expect(await kt('server', 'stop-broker', '5')).toEqual({ stdout: '', stderr: 'kafka-ts server: error: No broker with id 5 (brokers: 1, 2, 3)\n', exitCode: 4 });
  });

  it('--verify with a stopped broker in the plan clears the rest, then exits 1 naming it (Kafka: 1)', async () => {
    expect((await kt('topics', '--create', '--topic', 'to-two', '--replica-assignment', '1')).exitCode).toBe(0);
    const plan = file('{"version":1,"partitions":[{"topic":"to-two","partition":0,"replicas":[2]}]}');
    expect((await rp('--execute', '--reassignment-json-file', plan)).exitCode).toBe(0);
    await waitUntil('to-two on broker 2', async () => (await admin.describeTopics(['to-two']))[0]!.partitions[0]!.replicas.join() === '2');
    expect((await kt('server', 'stop-broker', '2')).exitCode).toBe(0);
    try {
      const r = await rp('--verify', '--reassignment-json-file', plan);
      expect(r).toEqual({
        stdout:
          'Status of partition reassignment:\nReassignment of partition to-two-0 is completed.\n\nClearing broker-level throttles on brokers 1,3\nClearing topic-level throttles on topic to-two\n' +
          'Error: Could not clear the broker-level throttles on broker 2: not running (Unknown broker id 2); run --verify again once it is back\n',
        stderr: '',
        exitCode: 1,
      });
    } finally {
      expect((await kt('server', 'start-broker', '2')).exitCode).toBe(0);
    }
    expect(await rp('--verify', '--reassignment-json-file', plan)).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('Clearing broker-level throttles on brokers 1,2,3\n') });
  });

  it('checks leader-election options (exit 2)', async () => {
    for (const [args, message] of [
      [['--topic', 'ha', '--partition', '0'], 'Missing required option(s): election-type'],
      [['--election-type', 'preferred'], 'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file'],
      [['--election-type', 'preferred', '--topic', 'ha'], 'Missing required option(s): partition'],
      [['--election-type', 'preferred', '--all-topic-partitions', '--partition', '1'], 'Option partition is only allowed if topic is used'],
      [['--election-type', 'preferred', '--path-to-json-file', file('{"partitions":[{"topic":"ha","partition":0},{"topic":"ha","partition":0}]}')], 'Replica election data contains duplicate partitions: ha-0'],
    ] as const) {
      const r = await kt('leader-election', ...args);
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr).toContain(message);
    }
  });

  it('says in one line why --path-to-json-file cannot be used: not JSON, no such file, a directory (exit 2)', async () => {
    const missing = join(home, 'no-such-election.json');
    for (const [path, line] of [
      [file('nope\n'), 'The input string is not a valid JSON'],
      [missing, `Cannot read --path-to-json-file ${missing}: no such file`],
      [home, `Cannot read --path-to-json-file ${home}: it is a directory`],
    ] as const) {
      const r = await kt('leader-election', '--election-type', 'preferred', '--path-to-json-file', path);
      expect({ path, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ path, exitCode: 2, stdout: '', stderr: `kafka-ts leader-election: usage error: ${line}\n` });
      const json = await kt('leader-election', '--election-type', 'preferred', '--path-to-json-file', path, '--output', 'json');
      expect({ path, exitCode: json.exitCode, doc: JSON.parse(json.stdout) as unknown }).toEqual({ path, exitCode: 2, doc: { error: { code: 2, kind: 'usage', message: line } } });
    }
  });
});
