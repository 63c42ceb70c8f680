import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (...args: string[]): Promise<RunResult> => kafkaTs(args, { home });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-topics-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

const ID = /TopicId: [A-Za-z0-9_-]{22}/g;

describe('topics --create', () => {
  it('creates in flag style and verb style', async () => {
    expect(await kt('topics', '--create', '--topic', 'orders', '--partitions', '2')).toEqual({ stdout: 'Created topic orders.\n', stderr: '', exitCode: 0 });
    expect(await kt('topics', 'create', 'payments', '-p', '3', '-r', '1', '-c', 'retention.ms=86400000')).toMatchObject({ stdout: 'Created topic payments.\n', exitCode: 0 });
  });

  it("prints Kafka's period/underscore warning first", async () => {
    const r = await kt('topics', '--create', '--topic', 'metrics.cpu');
    expect(r.stdout).toBe(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\nCreated topic metrics.cpu.\n",
    );
    const clash = await kt('topics', '--create', '--topic', 'metrics_cpu');
    expect(clash.stdout).toContain("Error while executing topic command : Topic 'metrics_cpu' collides with existing topic: metrics.cpu\n");
    expect(clash.exitCode).toBe(1);
  });

  it('refuses --create with partitions or a replication factor below 1 before connecting, as TopicCommand does (it waited for an unreachable broker, exit 3)', async () => {
    for (const [flag, value, message] of [
      ['--partitions', '0', 'The partitions must be greater than 0'],
      ['--partitions', '-1', 'The partitions must be greater than 0'],
      ['--replication-factor', '0', 'The replication factor must be between 1 and 32767 inclusive'],
    ]) {
      const started = Date.now();
      // A name with a period: Kafka's collision warning comes after these checks, so it is not printed.
      const r = await kt('topics', '--create', '--topic', 'x.y', flag!, value!, '--bootstrap-server', '127.0.0.1:1');
      expect({ flag, value, ...r }).toEqual({ flag, value, stdout: `Error while executing topic command : ${message}\n`, stderr: '', exitCode: 2 });
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('refuses a malformed, unknown or invalid --config before connecting, as TopicCommand does (LogConfig.validate; it waited for an unreachable broker, exit 3)', async () => {
    for (const [configs, message] of [
      [['retention.ms'], 'requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".'],
      [['retention.mss=1'], 'Unknown topic config name: retention.mss'],
      // Every name before any value, as LogConfig.validate.
      [['retention.ms=soon', 'nonsense=1'], 'Unknown topic config name: nonsense'],
      [['retention.ms=soon'], 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      [['cleanup.policy=foo'], 'Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete'],
      [['min.insync.replicas=0'], 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
      [['min.compaction.lag.ms=10', 'max.compaction.lag.ms=5'], 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'],
      // The configs come before the partition count, as there.
      [['retention.mss=1', '--partitions', '0'], 'Unknown topic config name: retention.mss'],
    ] as const) {
      const args = configs.flatMap((c) => (c.startsWith('--') || /^\d+$/.test(c) ? [c] : ['--config', c]));
      const r = await kt('topics', '--create', '--topic', 'x.y', ...args, '--bootstrap-server', '127.0.0.1:1');
      expect({ configs, ...r }).toEqual({ configs, stdout: `Error while executing topic command : ${message}\n`, stderr: '', exitCode: 1 });
    }
  });

  it("reports an existing topic Kafka's way (on stdout, exit 1) unless --if-not-exists", async () => {
    expect(await kt('topics', '--create', '--topic', 'orders')).toEqual({ stdout: "Error while executing topic command : Topic 'orders' already exists.\n", stderr: '', exitCode: 1 });
    expect(await kt('topics', '--create', '--topic', 'orders', '--if-not-exists')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('validates partitions, replication factor, configs and replica assignments', async () => {
    // A count that is not a number and one that is not positive are the same kind of mistake: exit 2.
    for (const p of ['abc', '0', '-1']) expect({ p, exitCode: (await kt('topics', 'create', 'x', '-p', p)).exitCode }).toEqual({ p, exitCode: 2 });
    // Past a Java int, as Kafka's option parser says (it used to wrap around in the request).
    expect(await kt('topics', 'create', 'x', '-p', '4294967297')).toEqual({ stdout: '', stderr: "kafka-ts topics: usage error: Cannot parse argument '4294967297' of option partitions\n", exitCode: 2 });
    expect((await kt('topics', 'create', 'x', '-r', '2147483648')).stderr).toBe("kafka-ts topics: usage error: Cannot parse argument '2147483648' of option replication-factor\n");
    expect((await kt('topics', 'create', 'x', '--replication-factor', '0')).exitCode).toBe(2);
    expect((await kt('topics', '--create', '--topic', 'x', '--partitions', '0')).stdout).toBe('Error while executing topic command : The partitions must be greater than 0\n');
    expect((await kt('topics', '--create', '--topic', 'x', '--replication-factor', '0')).stdout).toBe('Error while executing topic command : The replication factor must be between 1 and 32767 inclusive\n');
    const rf = await kt('topics', '--create', '--topic', 'x', '--replication-factor', '2');
    expect(rf.stdout).toBe('Error while executing topic command : Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.\n');
    expect(rf.exitCode).toBe(1);
    expect((await kt('topics', '--create', '--topic', 'x', '--config', 'nonsense=1')).stdout).toBe('Error while executing topic command : Unknown topic config name: nonsense\n');
    expect((await kt('topics', '--create', '--topic', 'x', '--config', 'retention.ms')).stdout).toBe(
      'Error while executing topic command : requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".\n',
    );
    expect((await kt('topics', '--create', '--topic', 'x', '--config', 'retention.ms=soon')).stdout).toBe(
      'Error while executing topic command : Invalid value soon for configuration retention.ms: Not a number of type LONG\n',
    );
    // Past a Java long (it was stored and shown as given).
    expect((await kt('topics', '--create', '--topic', 'x', '--config', 'segment.ms=9223372036854775808')).stdout).toBe(
      'Error while executing topic command : Invalid value 9223372036854775808 for configuration segment.ms: Not a number of type LONG\n',
    );
    expect((await kt('topics', '--create', '--topic', 'long-max', '--config', 'retention.ms=9223372036854775807')).exitCode).toBe(0);
    expect((await kt('topics', 'delete', 'long-max')).exitCode).toBe(0);
    expect((await kt('topics', '--create', '--topic', 'x', '--replica-assignment', '1:1')).stdout).toBe('Error while executing topic command : Partition replica lists may not contain duplicate entries: 1,1\n');
    expect((await kt('topics', '--create', '--topic', 'bad name')).stdout).toMatch(/Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics/);
    expect(await kt('topics', '--create', '--topic', 'assigned', '--replica-assignment', '1,1,1')).toMatchObject({ stdout: 'Created topic assigned.\n', exitCode: 0 });
    expect((await kt('topics', '--describe', '--topic', 'assigned')).stdout).toContain('PartitionCount: 3');
  });
});

describe('topics --list', () => {
  it('lists sorted names, internal ones unless excluded, with --topic as a regex', async () => {
    const all = (await kt('topics', '--list')).stdout.split('\n');
    expect(all[0]).toBe('__consumer_offsets');
    expect(all).toContain('orders');
    expect(all.slice(0, -1)).toEqual([...all.slice(0, -1)].sort());
    expect((await kt('topics', '--list', '--exclude-internal')).stdout).not.toContain('__consumer_offsets');
    expect((await kt('topics', '--list', '--topic', 'orders,payments')).stdout).toBe('orders\npayments\n');
    expect((await kt('topics', 'list', 'pay.*')).stdout).toBe('payments\n');
    expect(await kt('topics', '--list', '--topic', 'nothing-matches')).toEqual({ stdout: '\n', stderr: '', exitCode: 0 });
    expect(JSON.parse((await kt('topics', '--list', '--topic', 'orders', '--output', 'json')).stdout)).toEqual({ topics: [{ name: 'orders', internal: false }] });
  });

  it("reports an invalid regex in Kafka's words, as a usage error (exit 2) like the other tools", async () => {
    expect(await kt('topics', '--list', '--topic', '[')).toMatchObject({ stdout: 'Error while executing topic command : [ is an invalid regex.\n', exitCode: 2 });
    expect(await kt('topics', 'describe', '--topic', '(')).toMatchObject({ stdout: 'Error while executing topic command : ( is an invalid regex.\n', exitCode: 2 });
    const json = await kt('topics', 'describe', '--topic', '(', '--output', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 2, kind: 'usage', message: '( is an invalid regex.' } });
    expect(json.exitCode).toBe(2);
  });
});

describe('topics --describe', () => {
  it("prints Kafka 3.8's layout", async () => {
    const r = await kt('topics', '--describe', '--topic', 'orders');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.replace(ID, 'TopicId: <id>')).toBe(
      'Topic: orders\tTopicId: <id>\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n' +
        '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n' +
        '\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n',
    );
    // By --topic-id Kafka describes through the Metadata API, which has no ELR: N/A.
    const id = /TopicId: (\S+)/.exec(r.stdout)![1]!;
    const byId = await kt('topics', '--describe', '--topic-id', id);
    expect(byId.stdout.split('\n')[1]).toBe('\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A');
  });

  it('lists non-default configs and supports the report filters', async () => {
    const r = await kt('topics', 'describe', 'payments');
    expect(r.stdout.split('\n')[0]).toMatch(/^Topic: payments\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=86400000$/);
    const withInternal = await kt('topics', '--describe', '--topics-with-overrides');
    expect(withInternal.stdout).toMatch(/^Topic: __consumer_offsets\t.*Configs: cleanup.policy=compact/m);
    const overrides = await kt('topics', '--describe', '--topics-with-overrides', '--exclude-internal');
    expect(overrides.stdout.trim().split('\n')).toHaveLength(1);
    expect(overrides.stdout).toMatch(/^Topic: payments\t/);
    expect(await kt('topics', '--describe', '--under-replicated-partitions')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await kt('topics', '--describe', '--unavailable-partitions')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    const atMin = await kt('topics', '--describe', '--topic', 'orders', '--at-min-isr-partitions');
    expect(atMin.stdout).toBe('\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n');
  });

  it('reports a missing topic with exit 4, or nothing with --if-exists', async () => {
    expect(await kt('topics', '--describe', '--topic', 'ghost')).toEqual({ stdout: "Error while executing topic command : Topic 'ghost' does not exist as expected\n", stderr: '', exitCode: 4 });
    expect(await kt('topics', '--describe', '--topic', 'ghost', '--if-exists')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('describes as JSON', async () => {
    const doc = JSON.parse((await kt('topics', '--describe', '--topic', 'payments', '--output', 'json')).stdout);
    expect(doc.topics[0]).toMatchObject({ name: 'payments', partitionCount: 3, replicationFactor: 1, configs: { 'retention.ms': '86400000' } });
    expect(doc.topics[0].partitions[2]).toEqual({ partition: 2, leader: 1, replicas: [1], isr: [1], addingReplicas: [], removingReplicas: [], elr: [], lastKnownElr: [] });
  });
});

describe('topics --alter and --delete', () => {
  it('grows partitions and reports non-increases', async () => {
    expect(await kt('topics', '--alter', '--topic', 'orders', '--partitions', '4')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect((await kt('topics', 'describe', 'orders')).stdout).toContain('PartitionCount: 4');
    expect((await kt('topics', 'alter', 'orders', '--partitions', '4')).stdout).toBe('Error while executing topic command : Topic already has 4 partition(s).\n');
    expect((await kt('topics', 'alter', 'orders', '--partitions', '2')).stdout).toBe('Error while executing topic command : The topic orders currently has 4 partition(s); 2 would not be an increase.\n');
    // 0 and below: no check of TopicCommand's or the admin client's; the KRaft controller's words, exit 1.
    for (const n of ['0', '-1']) {
      expect(await kt('topics', '--alter', '--topic', 'orders', '--partitions', n)).toEqual({ stdout: `Error while executing topic command : The topic orders currently has 4 partition(s); ${n} would not be an increase.\n`, stderr: '', exitCode: 1 });
    }
  });

  it('refuses a --replica-assignment that covers none of the new partitions, rather than placing them itself', async () => {
    expect((await kt('topics', '--create', '--topic', 'placed', '--partitions', '2')).exitCode).toBe(0);
    const r = await kt('topics', '--alter', '--topic', 'placed', '--partitions', '3', '--replica-assignment', '1,1');
    expect(r).toEqual({ stdout: 'Error while executing topic command : Attempted to add 1 additional partition(s), but only 0 assignment(s) were specified.\n', stderr: '', exitCode: 1 });
    expect((await kt('topics', 'describe', 'placed')).stdout).toContain('PartitionCount: 2');
    expect((await kt('topics', '--alter', '--topic', 'placed', '--partitions', '3', '--replica-assignment', '1,1,1')).exitCode).toBe(0);
  });

  it('grows every topic a regex matches that can grow, in one request, with an error line for each that cannot (it stopped at the first)', async () => {
    for (const [name, p] of [['grow-a', '1'], ['grow-b', '3'], ['grow-c', '1'], ['grow-d', '4']]) expect((await kt('topics', 'create', name!, '-p', p!)).exitCode).toBe(0);
    const r = await kt('topics', '--alter', '--topic', 'grow-.*', '--partitions', '3');
    expect(r).toEqual({
      stdout: 'Error while executing topic command : Topic already has 3 partition(s).\nError while executing topic command : The topic grow-d currently has 4 partition(s); 3 would not be an increase.\n',
      stderr: '',
      exitCode: 1,
    });
    const counts = async () => (await kt('topics', '--describe', '--topic', 'grow-.*')).stdout.match(/^Topic: grow-\w\t.*PartitionCount: \d+/gm)!.map((l) => l.replace(/\t.*PartitionCount: /, ' '));
    expect(await counts()).toEqual(['Topic: grow-a 3', 'Topic: grow-b 3', 'Topic: grow-c 3', 'Topic: grow-d 4']);
    // JSON: one document naming the topics grown and those refused; the error lines on stderr.
    const json = await kt('topics', '--alter', '--topic', 'grow-.*', '--partitions', '4', '--output', 'json');
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      altered: ['grow-a', 'grow-b', 'grow-c'],
      failed: [{ topic: 'grow-d', error: 'INVALID_PARTITIONS', message: 'Topic already has 4 partition(s).' }],
    });
    expect(json.stderr).toBe('Error while executing topic command : Topic already has 4 partition(s).\n');
    expect(await counts()).toEqual(['Topic: grow-a 4', 'Topic: grow-b 4', 'Topic: grow-c 4', 'Topic: grow-d 4']);
    await kt('topics', '--delete', '--topic', 'grow-.*');
  });

  it('deletes every topic matching the regex', async () => {
    await kt('topics', 'create', 'tmp-a');
    await kt('topics', 'create', 'tmp-b');
    expect(await kt('topics', '--delete', '--topic', 'tmp-.*')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect((await kt('topics', '--list', '--topic', 'tmp-.*')).stdout).toBe('\n');
    expect((await kt('topics', 'delete', 'tmp-a')).exitCode).toBe(4);
    expect(await kt('topics', 'delete', 'tmp-a', '--if-exists')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('--if-exists of no topic prints the empty document in JSON mode (and nothing in text)', async () => {
    expect(await kt('topics', 'delete', 'nope', '--if-exists', '--output', 'json')).toEqual({ stdout: '{"deleted":[]}\n', stderr: '', exitCode: 0 });
    expect(await kt('topics', '--delete', '--topic', 'nope.*', '--if-exists', '--output', 'json')).toEqual({ stdout: '{"deleted":[]}\n', stderr: '', exitCode: 0 });
    expect(await kt('topics', 'alter', 'nope', '--if-exists', '-p', '4', '--output', 'json')).toEqual({ stdout: '{"altered":[]}\n', stderr: '', exitCode: 0 });
    expect(await kt('topics', 'alter', 'nope', '--if-exists', '-p', '4')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it("takes a deleted topic's committed offsets with it: a topic created again is read from its start", async () => {
    const produce = (topic: string, lines: string) => kafkaTs(['console-producer', '--topic', topic], { home, input: lines });
    const consume = async (group: string, topic: string) => (await kt('console-consumer', '--topic', topic, '--group', group, '--from-beginning', '-e')).stdout;
    for (const t of ['again', 'kept']) expect((await kt('topics', 'create', t)).exitCode).toBe(0);
    await produce('again', 'a1\na2\na3\n');
    await produce('kept', 'k1\nk2\n');
    expect(await consume('only-again', 'again')).toBe('a1\na2\na3\n');
    expect(await consume('both', 'again')).toBe('a1\na2\na3\n');
    expect(await consume('both', 'kept')).toBe('k1\nk2\n');
    expect((await kt('topics', 'delete', 'again')).exitCode).toBe(0);
    expect((await kt('topics', 'create', 'again')).exitCode).toBe(0);
    await produce('again', 'b1\nb2\nb3\nb4\nb5\n');
    // A group left Empty with no offsets is gone, as in Kafka.
    expect((await kt('consumer-groups', '--describe', '--group', 'only-again')).exitCode).toBe(4);
    const both = JSON.parse((await kt('consumer-groups', '--describe', '--group', 'both', '--output', 'json')).stdout);
    expect(both.groups[0].offsets.map((o: { topic: string; currentOffset: number }) => `${o.topic}=${o.currentOffset}`)).toEqual(['kept=2']);
    // Kafka removes them too; the old positions (3) would skip b1..b3. The other topic's offsets stay.
    expect(await consume('only-again', 'again')).toBe('b1\nb2\nb3\nb4\nb5\n');
    expect(await consume('both', 'again')).toBe('b1\nb2\nb3\nb4\nb5\n');
    expect((await kt('consumer-groups', '--describe', '--group', 'both', '--output', 'json')).exitCode).toBe(0);
  });

  it('takes the verb style\'s NAME as a name, not a pattern: delete my.topic leaves my-topic', async () => {
    for (const t of ['my.topic', 'my-topic', 'myxtopic']) expect((await kt('topics', 'create', t)).exitCode).toBe(0);
    expect(await kt('topics', 'delete', 'my.topic', '-o', 'json')).toEqual({ stdout: '{"deleted":["my.topic"]}\n', stderr: '', exitCode: 0 });
    expect(await kt('topics', 'alter', 'my-topic', '-p', '2', '-o', 'json')).toEqual({ stdout: '{"altered":["my-topic"]}\n', stderr: '', exitCode: 0 });
    expect((await kt('topics', '--describe', '--topic', 'myxtopic')).stdout).toContain('PartitionCount: 1');
    // A name that exists only as a pattern's match is missing (exit 4); --topic keeps Kafka's regular expression.
    expect((await kt('topics', 'delete', 'my.topic')).exitCode).toBe(4);
    expect(await kt('topics', 'delete', '--topic', 'my.topic', '-o', 'json')).toEqual({ stdout: '{"deleted":["my-topic","myxtopic"]}\n', stderr: '', exitCode: 0 });
  });
});

describe('usage errors', () => {
  const usage = async (args: string[], message: string) => {
    const r = await kafkaTs(args, { home });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  };
  it('are one line on stderr with exit 2', async () => {
    await usage(['topics', '--list', '--describe'], 'Command must include exactly one action: --list, --describe, --create, --alter or --delete');
    await usage(['topics', '--create'], 'Missing required argument "[topic]"');
    await usage(['topics', '--create', '--topic', 'x', '--partitions', 'abc'], "Cannot parse argument 'abc' of option partitions");
    await usage(['topics', '--bogus'], "unknown option '--bogus'");
    await usage(['topics', '--alter', '--topic', 'orders', '--partitions', '5', '--config', 'a=b'], '(To alter topic configurations, the kafka-configs tool can be used.)');
    await usage(['topics', '--alter', '--topic', 'orders'], 'Missing required argument "[partitions]"');
    await usage(['topics', '--list', '--if-not-exists'], 'Option "[if-not-exists]" can\'t be used with option "[list]"');
    await usage(['topics', '--describe', '--if-exists'], '--topic or --topic-id is required to describe a topic');
    await usage(['topics', '--describe', '--topic-id', 'xyz'], "Invalid --topic-id 'xyz': a topic id is 22 characters of URL-safe base64, as topics --describe prints it");
    await usage(['topics', '--create', '--topic', 'a', '--topic', 'b'], 'Found multiple arguments for option topic, but you asked for only one');
    await usage(['topics', 'frobnicate'], "unknown action 'frobnicate'");
    await usage(['topics', '--describe', '--topic', 'a', 'extra'], "unexpected argument 'extra'");
    // A verb and an action flag name the action twice: say so (it said "unexpected argument 'create'").
    await usage(['topics', 'create', 'vv', '--create'], "kafka-ts topics: usage error: the verb 'create' and the option --create cannot be combined: name the action once, as a verb or as an option");
    await usage(['topics', 'list', '--describe'], "the verb 'list' and the option --describe cannot be combined");
  });

  it('--help prints usage on stdout and exits 0', async () => {
    const r = await kt('topics', '--help');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('--bootstrap-server');
    expect(r.stdout).toContain('--under-replicated-partitions');
  });
});

describe('transports', () => {
  it('works the same over TCP (--bootstrap-server) and over the Unix socket', async () => {
    const tcp = await kt('topics', '--list', '--bootstrap-server', bootstrap);
    const unix = await kt('topics', '--list');
    expect(tcp).toEqual(unix);
    const explicit = await kt('topics', '--list', '--bootstrap-server', `unix://${home}/kafka.sock`);
    expect(explicit).toEqual(unix);
  });

  it('goes on to the next bootstrap address at once when the first refuses (it retried the dead one for 2 s, and said so)', async () => {
    const unix = await kt('topics', '--list');
    const r = await kt('topics', '--list', '--bootstrap-server', `127.0.0.1:1,${bootstrap}`);
    expect(r).toEqual(unix);
  });

  it('fails within the stated timeout when no broker answers (exit 3)', async () => {
    const started = Date.now();
    const r = await kafkaTs(['topics', '--list', '--bootstrap-server', '127.0.0.1:1'], { home });
    expect(r.exitCode).toBe(3);
    // Said at once (the retrying goes on for 10 s), then the error.
    expect(r.stderr.split('\n')[0]).toBe('kafka-ts: warning: Could not connect to 127.0.0.1:1: connection refused; retrying for up to 10000 ms (default.api.timeout.ms)');
    expect(r.stderr.split('\n')[1]).toMatch(/^kafka-ts topics: error: Could not connect to 127\.0\.0\.1:1: connection refused/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('says at once that an HTTP port is not a Kafka listener (exit 2): it retried the garbled frame for 10 s', async () => {
    const server = createHttpServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const r = await kafkaTs(['topics', '--list', '--bootstrap-server', `127.0.0.1:${port}`], { home });
      expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({
        exitCode: 2,
        stderr: `kafka-ts topics: usage error: 127.0.0.1:${port} is not a Kafka listener: it answered in HTTP (a schema registry, REST proxy or web port?); check --bootstrap-server\n`,
      });
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('gives up on a peer that accepts connections but never answers within default.api.timeout.ms (exit 3)', async () => {
    const silent: Socket[] = [];
    const server = createServer((c) => void silent.push(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const tmp = tempDir('silent-peer-');
    const config = join(tmp.dir, 'client.properties');
    writeFileSync(config, 'default.api.timeout.ms=4000\n');
    try {
      const started = Date.now();
      // request.timeout.ms (30 s) used to bound the ApiVersions answer instead.
      const r = await kafkaTs(['topics', '--list', '--bootstrap-server', `127.0.0.1:${port}`, '--command-config', config, '--output', 'json'], { home });
      const took = Date.now() - started;
      expect(r.exitCode, r.stderr).toBe(3);
      expect(JSON.parse(r.stdout).error.message).toBe(`127.0.0.1:${port} accepted the connection but did not answer its ApiVersions request within 4000 ms`);
      // One attempt waited the whole deadline: nothing was left to retry.
      expect(r.stderr).toBe(`kafka-ts topics: error: 127.0.0.1:${port} accepted the connection but did not answer its ApiVersions request within 4000 ms\n`);
      expect(took).toBeGreaterThanOrEqual(4000);
      expect(took).toBeLessThan(20_000);
    } finally {
      for (const c of silent) c.destroy();
      await new Promise((r) => server.close(r));
      tmp.cleanup();
    }
  });
});
