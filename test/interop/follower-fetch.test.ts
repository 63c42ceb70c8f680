/**
 * Follower fetching (KIP-392) with a real client: the daemon runs three logical brokers in racks
 * a, b and c (`--brokers 3 --override kafka-ts.broker.racks=a,b,c`) with the
 * RackAwareReplicaSelector; a confluent-kafka (librdkafka) consumer with client.rack=<a
 * follower's rack> reads a replicated topic. The follower's consumer fetch counter in `server
 * status --output json` shows it served the reads, and every record is read exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs, startDaemon, stopDaemon } from '../helpers/cli.js';
import { PYTHON, requirePython } from '../helpers/real-clients.js';
import { execa } from 'execa';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Admin } from '../../src/client/admin.js';

let home: string;
let cleanup: () => void;
let bootstrap: string;
let client: KafkaClient;
const TOPIC = 'follower-fetch';
const N = 3000;
const RACKS = ['a', 'b', 'c'];

/** A confluent-kafka consumer (assign mode, from the beginning) that prints "partition offset value" per record until it has `n`. */
const CONSUMER = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, rack, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "rack-" + rack, "client.rack": rack, "enable.auto.commit": False,
              "fetch.wait.max.ms": 100, "topic.metadata.refresh.interval.ms": 1000, "max.partition.fetch.bytes": 4096})
md = c.list_topics(topic, timeout=10)
c.assign([TopicPartition(topic, p, 0) for p in md.topics[topic].partitions])
got = 0
import time
deadline = time.time() + 60
while got < n and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        sys.stderr.write("error: %s\\n" % m.error())
        continue
    sys.stdout.write("%d %d %s\\n" % (m.partition(), m.offset(), m.value().decode()))
    got += 1
# A moment more: a record read twice would show up now.
end = time.time() + 1
while time.time() < end:
    m = c.poll(0.2)
    if m is not None and not m.error():
        sys.stdout.write("%d %d %s\\n" % (m.partition(), m.offset(), m.value().decode()))
c.close()
`;

interface BrokerStatus {
  id: number;
  rack?: string | null;
  consumerFetches?: { asLeader: { partitionFetches: number; bytes: number }; asFollower: { partitionFetches: number; bytes: number }; redirected: number };
}
const brokersStatus = async (): Promise<BrokerStatus[]> => {
  const r = await kafkaTs(['server', 'status', '--output', 'json'], { home });
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { brokers: BrokerStatus[] }).brokers;
};

beforeAll(async () => {
  await requirePython('confluent_kafka');
  ({ dir: home, cleanup } = tempDir('kafka-ts-follower-fetch-'));
  const { status } = await startDaemon(home, [
    '--brokers',
    '3',
    '--override',
    `kafka-ts.broker.racks=${RACKS.join(',')}`,
    '--override',
    'replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector',
    '--override',
    'auto.leader.rebalance.enable=false',
  ]);
  bootstrap = (status.listeners as string[]).filter((l) => l.startsWith('PLAINTEXT://')).map((l) => l.slice('PLAINTEXT://'.length)).join(',');
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), clientId: 'follower-fetch' });
}, 60_000);

afterAll(async () => {
  await client?.close();
  if (home) await stopDaemon(home);
  cleanup?.();
});

describe('follower fetching with confluent-kafka (KIP-392)', () => {
  it('a consumer with client.rack reads from the follower in its rack, every record exactly once', async () => {
    const admin = new Admin(client);
    // One partition led by broker 1 (rack a) and followed by 2 and 3.
    const [created] = await admin.createTopics([{ name: TOPIC, partitions: 0, replicationFactor: 0, assignment: [[1, 2, 3]] }]);
    expect(created!.error).toBeNull();
    const producer = new Producer(client, { acks: -1, lingerMs: 5 });
    await Promise.all(Array.from({ length: N }, (_, i) => producer.send({ topic: TOPIC, partition: 0, value: Buffer.from(`r${i}`) })));
    await producer.close();

    const status = await brokersStatus();
    expect(status.map((b) => [b.id, b.rack])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    const before = status.find((b) => b.id === 2)!.consumerFetches!;

    const r = await execa(PYTHON, ['-c', CONSUMER, bootstrap, TOPIC, 'b', String(N)], { reject: false, timeout: 90_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = String(r.stdout).split('\n').filter(Boolean);
    const offsets = lines.map((l) => Number(l.split(' ')[1]));
    // Exactly once: N lines, offsets 0..N-1 in order, the values they were written with.
    expect(offsets.length, `got ${offsets.length} records; stderr: ${r.stderr}`).toBe(N);
    expect(offsets).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(lines.every((l, i) => l === `0 ${i} r${i}`)).toBe(true);

    const after = await brokersStatus();
    const follower = after.find((b) => b.id === 2)!.consumerFetches!;
    const leader = after.find((b) => b.id === 1)!.consumerFetches!;
    const other = after.find((b) => b.id === 3)!.consumerFetches!;
    // The follower in rack b served the reads; the leader only pointed the consumer there.
    expect(follower.asFollower.partitionFetches).toBeGreaterThan(before.asFollower.partitionFetches);
    expect(follower.asFollower.bytes - before.asFollower.bytes).toBeGreaterThan(N * 2);
    expect(leader.redirected).toBeGreaterThan(0);
    expect(other.asFollower.bytes).toBe(0);
  });

  it("a consumer in the leader's rack reads from the leader", async () => {
    const before = await brokersStatus();
    const r = await execa(PYTHON, ['-c', CONSUMER, bootstrap, TOPIC, 'a', String(N)], { reject: false, timeout: 90_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(String(r.stdout).split('\n').filter(Boolean).length).toBe(N);
    const after = await brokersStatus();
    const delta = (id: number, role: 'asLeader' | 'asFollower') => after.find((b) => b.id === id)!.consumerFetches![role].bytes - before.find((b) => b.id === id)!.consumerFetches![role].bytes;
    expect(delta(1, 'asLeader')).toBeGreaterThan(N * 2);
    expect(delta(2, 'asFollower') + delta(3, 'asFollower')).toBe(0);
  });

  it('the daemon refuses bad rack settings with one line, as any invalid setting, and starts nothing', async () => {
    const { dir, cleanup: done } = tempDir('kafka-ts-bad-racks-');
    try {
      const start = (...override: string[]) => kafkaTs(['server', 'start', '--port', '0', '--no-schema-registry', '--data-dir', dir, ...override.flatMap((o) => ['--override', o])], { home: dir });
      const reference = await start('num.partitions=x');
      expect(reference.exitCode).not.toBe(0);
      for (const [args, message] of [
        [['kafka-ts.brokers=3', 'kafka-ts.broker.racks=a,b'], /Invalid value a,b for configuration kafka-ts\.broker\.racks: 2 rack\(s\) given for 3 broker\(s\)/],
        [['replica.selector.class=com.example.Closest'], /Invalid value com\.example\.Closest for configuration replica\.selector\.class: .*replica selectors are Java classes/],
      ] as const) {
        const r = await start(...args);
        expect(r.exitCode, r.stderr).toBe(reference.exitCode);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
      }
      expect((await kafkaTs(['server', 'status', '--output', 'json'], { home: dir })).stdout).toMatch(/"running":\s*false/);
    } finally {
      done();
    }
  });
});
