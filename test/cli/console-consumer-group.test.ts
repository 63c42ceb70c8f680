/**
 * console-consumer --group end to end: what it commits when printing fails (a formatter error,
 * an unreachable schema registry), which --offset values a group takes, and when -e ends it; with
 * and without a group, how it follows topics and partitions created while it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import type { ResultPromise } from 'execa';
import { kafkaTs, spawnKafkaTs, startDaemon, stopDaemon, type RunResult } from '../helpers/cli.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';
import { execa } from 'execa';

let home: string;
let cleanup: () => void;
let bootstrap: string;
const kt = (args: string[], input?: string): Promise<RunResult> => kafkaTs(args, { home, input });

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-cli-group-'));
  ({ bootstrap } = await startDaemon(home));
});
afterAll(async () => {
  await stopDaemon(home);
  cleanup();
});

async function topic(name: string, lines: string[], ...produceArgs: string[]): Promise<void> {
  expect((await kt(['topics', 'create', name, '-p', '1'])).exitCode).toBe(0);
  const r = await kt(['console-producer', '--topic', name, ...produceArgs], lines.join('\n'));
  expect(r.exitCode, r.stderr).toBe(0);
}

/** The group's committed offsets by partition of `topicName` (null: none committed). */
async function committed(group: string, topicName: string): Promise<(number | null)[]> {
  const r = await kt(['consumer-groups', '--describe', '--group', group, '--output', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  const offsets = (JSON.parse(r.stdout) as { groups: { offsets: { topic: string; partition: number; currentOffset: number | null }[] }[] }).groups[0]!.offsets;
  return offsets.filter((o) => o.topic === topicName).sort((a, b) => a.partition - b.partition).map((o) => o.currentOffset);
}

/** What a process prints on stdout (or stderr), and a wait for a text in it that fails after `ms` with what it printed. */
function stdoutOf(proc: ResultPromise, stream: 'stdout' | 'stderr' = 'stdout'): { until(text: string, ms?: number): Promise<void> } {
  let seen = '';
  proc[stream]!.on('data', (d: Buffer) => (seen += d.toString()));
  return {
    until: (text, ms = 20_000) => {
      const deadline = Date.now() + ms;
      return new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (seen.includes(text)) resolve();
          else if (Date.now() > deadline || proc.exitCode !== null) reject(new Error(`waited for ${JSON.stringify(text)} on ${stream}; it printed ${JSON.stringify(seen)}`));
          else return;
          clearInterval(check);
        }, 50);
      });
    },
  };
}

describe('console-consumer --group commits only what it printed', () => {
  it('a formatter error: the failing record and the rest of its poll are not committed', async () => {
    await topic('ints', ['abcd', 'abcd', 'bad-value', 'abcd', 'abcd']);
    const r = await kt(['console-consumer', '--topic', 'ints', '--group', 'ints-g', '--from-beginning', '--property', 'value.deserializer=org.apache.kafka.common.serialization.IntegerDeserializer']);
    expect(r).toEqual({ stdout: '1633837924\n1633837924\n', stderr: 'Processed a total of 3 messages\nUnknown error when running consumer: Size of data received by IntegerDeserializer is not 4\n', exitCode: 1 });
    expect(await committed('ints-g', 'ints')).toEqual([2]);
  });

  it('an unreachable schema registry: nothing printed, nothing committed past the first record', async () => {
    // Values in the registry's wire format (magic byte, schema id 1), whose schema cannot be fetched.
    const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from('abc')]).toString('base64');
    await topic('wired', Array.from({ length: 4 }, () => JSON.stringify({ key: null, value, valueEncoding: 'base64', headers: [] })), '--input', 'json');
    const r = await kt(['console-consumer', '--topic', 'wired', '--group', 'wired-g', '--from-beginning', '--value-format', 'avro', '--property', 'schema.registry.url=http://127.0.0.1:9']);
    expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 3, stdout: '' });
    expect(r.stderr).toContain('Cannot reach the schema registry at http://127.0.0.1:9');
    expect(await committed('wired-g', 'wired')).toEqual([0]);
  });
});

describe('console-consumer --group and --offset', () => {
  it('refuses an END offset or time (each partition resumes from its own commit); END as end is -e', async () => {
    await topic('ended', ['a', 'b', 'c']);
    for (const offset of ['earliest:1', 'latest:5', 'earliest:@-1h', 'earliest:@2030-01-01']) {
      const r = await kt(['console-consumer', '--topic', 'ended', '--group', 'ended-g', '--offset', offset]);
      expect({ offset, ...r }).toEqual({
        offset,
        stdout: '',
        stderr: `kafka-ts console-consumer: usage error: --offset ${offset} cannot be used with --group: a group stops only at the end of the log (-e, or ${offset.split(':')[0]}:end); an END offset or time needs a read without --group\n`,
        exitCode: 2,
      });
    }
    // Nothing was joined or committed by the refused runs.
    expect((await kt(['consumer-groups', '--describe', '--group', 'ended-g'])).exitCode).toBe(4);
    const r = await kt(['console-consumer', '--topic', 'ended', '--group', 'ended-g', '--offset', 'earliest:end']);
    expect(r).toEqual({ stdout: 'a\nb\nc\n', stderr: 'Processed a total of 3 messages\n', exitCode: 0 });
    expect(await committed('ended-g', 'ended')).toEqual([3]);
  });
});

describe('console-consumer --group follows its topics', () => {
  it('reads partitions added while it runs, within metadata.max.age.ms', async () => {
    await topic('grows', ['x0']);
    const consumer = spawnKafkaTs(['console-consumer', '--topic', 'grows', '--group', 'grows-g', '--from-beginning', '--property', 'print.partition=true', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    try {
      await out.until('Partition:0\tx0\n');
      expect((await kt(['topics', '--alter', '--topic', 'grows', '--partitions', '2'])).exitCode).toBe(0);
      expect((await kt(['console-producer', '--topic', 'grows', '--input', 'json'], JSON.stringify({ partition: 1, key: null, value: 'x1', headers: [] }))).exitCode).toBe(0);
      await out.until('Partition:1\tx1\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    expect((await consumer).exitCode).toBe(143);
    expect(await committed('grows-g', 'grows')).toEqual([1, 1]);
  });
});

describe('console-consumer without a group follows its topics too', () => {
  it('--include reads topics created while it runs, from their beginning, within metadata.max.age.ms', async () => {
    await topic('feed-a', ['a0']);
    const consumer = spawnKafkaTs(['console-consumer', '--include', 'feed-.*', '--from-beginning', '--property', 'print.partition=true', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    try {
      await out.until('Partition:0\ta0\n');
      // Written right after the topic is made, likely before the consumer has looked: read all the same.
      await topic('feed-b', ['b0', 'b1']);
      await out.until('Partition:0\tb0\nPartition:0\tb1\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    expect((await consumer).exitCode).toBe(143);
  });

  it('--topic without --partition reads partitions added while it runs', async () => {
    await topic('widens', ['w0']);
    const consumer = spawnKafkaTs(['console-consumer', '--topic', 'widens', '--from-beginning', '--property', 'print.partition=true', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    try {
      await out.until('Partition:0\tw0\n');
      expect((await kt(['topics', '--alter', '--topic', 'widens', '--partitions', '2'])).exitCode).toBe(0);
      expect((await kt(['console-producer', '--topic', 'widens', '--input', 'json'], JSON.stringify({ partition: 1, key: null, value: 'w1', headers: [] }))).exitCode).toBe(0);
      await out.until('Partition:1\tw1\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    expect((await consumer).exitCode).toBe(143);
  });
});

describe('console-consumer without a group, a followed topic deleted', () => {
  it('drops it with one warning, reads the others on, and reads it from its beginning once created anew', async () => {
    await topic('del-a', ['a0']);
    await topic('del-b', ['b0']);
    const consumer = spawnKafkaTs(['console-consumer', '--include', 'del-.*', '--from-beginning', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    const err = stdoutOf(consumer, 'stderr');
    try {
      await out.until('a0\n');
      await out.until('b0\n');
      expect((await kt(['topics', 'delete', 'del-a'])).exitCode).toBe(0);
      await err.until('WARN Topic del-a no longer exists');
      // Kafka's subscribing consumer goes on: the other topic is still read.
      expect((await kt(['console-producer', '--topic', 'del-b'], 'b1\n')).exitCode).toBe(0);
      await out.until('b1\n');
      await topic('del-a', ['a-new']);
      await out.until('a-new\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    const r = await consumer;
    expect(r.exitCode, r.stderr).toBe(143);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('WARN'))).toEqual(['WARN Topic del-a no longer exists (UNKNOWN_TOPIC_OR_PARTITION): it is read again, from its beginning, if it is created anew']);
  });
});

describe('console-consumer --topic without a group, its topic deleted', () => {
  it('waits for it (nothing to fetch meanwhile) and reads it from its beginning once created anew', async () => {
    await topic('del-c', ['c0']);
    const consumer = spawnKafkaTs(['console-consumer', '--topic', 'del-c', '--from-beginning', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    const err = stdoutOf(consumer, 'stderr');
    try {
      await out.until('c0\n');
      expect((await kt(['topics', 'delete', 'del-c'])).exitCode).toBe(0);
      await err.until('WARN Topic del-c no longer exists');
      await topic('del-c', ['c-new']);
      await out.until('c0\nc-new\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    const r = await consumer;
    expect({ exitCode: r.exitCode, stdout: r.stdout }).toEqual({ exitCode: 143, stdout: 'c0\nc-new\n' });
  });
});

describe('console-consumer --topic without a group, its topic deleted and created anew between two fetches', () => {
  it('reads the new topic from its beginning (found by its new topic id), not from the old position', async () => {
    await topic('re-d', ['a1', 'a2', 'a3', 'a4', 'a5']);
    const consumer = spawnKafkaTs(['console-consumer', '--topic', 're-d', '--from-beginning', '--consumer-property', 'metadata.max.age.ms=500'], home);
    const out = stdoutOf(consumer);
    try {
      await out.until('a5\n');
      // Deleted, created anew and written within milliseconds (kafka-python, one process): the
      // consumer's next fetch by name finds the new topic at the old position 5, past b0..b4.
      await requirePython('kafka');
      const script = [
        'import sys',
        'from kafka import KafkaProducer',
        'from kafka.admin import KafkaAdminClient, NewTopic',
        'p = KafkaProducer(bootstrap_servers=sys.argv[1])',
        "a = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id='recreate')",
        "a.delete_topics(['re-d'])",
        'for _ in range(200):',
        '    try:',
        "        a.create_topics([NewTopic('re-d', 1, 1)]); break",
        '    except Exception: pass',
        "for i in range(8): p.send('re-d', ('b%d' % i).encode(), partition=0)",
        'p.flush()',
      ].join('\n');
      const py = await execa(PYTHON, ['-c', script, bootstrap], { reject: false });
      expect(py.exitCode, py.stderr).toBe(0);
      await out.until('b0\nb1\nb2\nb3\nb4\n');
    } finally {
      consumer.kill('SIGTERM');
    }
    const r = await consumer;
    // b5..b7 may come twice (read at the old position before the new id was seen): never lost.
    const lines = String(r.stdout).split('\n');
    for (const v of ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) expect(lines, String(r.stdout)).toContain(v);
  });
});

describe('console-consumer without a group, its broker gone', () => {
  it('stops at once on SIGTERM instead of retrying the broker until its deadlines', async () => {
    const own = tempDir('kafka-ts-cli-gone-');
    try {
      await startDaemon(own.dir);
      expect((await kafkaTs(['topics', 'create', 'gone', '-p', '1'], { home: own.dir })).exitCode).toBe(0);
      expect((await kafkaTs(['console-producer', '--topic', 'gone'], { home: own.dir, input: 'g0\n' })).exitCode).toBe(0);
      const consumer = spawnKafkaTs(['console-consumer', '--topic', 'gone', '--from-beginning'], own.dir);
      await stdoutOf(consumer).until('g0\n');
      // The consumer's fetch fails as the daemon goes (while `server stop` waits for it), and it retries.
      await stopDaemon(own.dir);
      const killedAt = Date.now();
      consumer.kill('SIGTERM');
      const r = await consumer;
      // It took 27 s before; a few seconds stands for "at once" on a loaded machine.
      expect({ exitCode: r.exitCode, quick: Date.now() - killedAt < 8000 }, String(r.stderr)).toEqual({ exitCode: 143, quick: true });
      // It says the broker went away (once), then its count.
      expect(String(r.stderr)).toMatch(/^(WARN Connection to broker 1 was lost \(.+\); retrying until it is back\n)?Processed a total of 1 messages\n$/);
    } finally {
      await stopDaemon(own.dir);
      own.cleanup();
    }
  });
});

describe('console-consumer --group -e', () => {
  it('a member assigned no partitions stops once its assignment is settled (it has nothing to read)', async () => {
    await topic('crowded', ['x']);
    // Sticky assignment: the first member keeps the topic's one partition when the second joins.
    const sticky = ['--consumer-property', 'partition.assignment.strategy=cooperative-sticky', '--consumer-property', 'heartbeat.interval.ms=300'];
    const first = spawnKafkaTs(['console-consumer', '--topic', 'crowded', '--group', 'crowded-g', '--from-beginning', ...sticky], home);
    try {
      await stdoutOf(first).until('x\n');
      const second = await kafkaTs(['console-consumer', '--topic', 'crowded', '--group', 'crowded-g', '--from-beginning', '-e', ...sticky], { home, timeout: 30_000 });
      expect({ exitCode: second.exitCode, stdout: second.stdout, stderr: second.stderr }).toEqual({ exitCode: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
    } finally {
      first.kill('SIGTERM');
    }
    expect((await first).exitCode).toBe(143);
  });
});
