/**
 * The lag sampler (what the live `lag` view calls every interval) through a broker failure in a
 * 3-broker in-process cluster: when broker 1 (the group's coordinator, a partition's leader, the
 * only replica of another) stops, sampling goes on against the brokers left. The coordinator is
 * looked up again, the moved partition is read from its new leader, and the partition left
 * without a leader is listed as unmeasurable (ERR UNAVAILABLE, log end and lag null) instead of
 * failing every sample or being left out.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap, addressOf } from '../../src/client/client.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Producer } from '../../src/client/producer/producer.js';
import { lagSampler } from '../../src/tools/lag.js';
import { DEFAULT_SETTINGS } from '../../src/lag/evaluator.js';
import type { LagReport } from '../../src/lag/monitor.js';
import { describeAddress } from '../../src/transport/client-connection.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

let cluster: TestBroker;
let setup: KafkaClient;
let viaBroker2: KafkaClient;

beforeAll(async () => {
  cluster = await startBroker({ properties: { 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'offsets.topic.replication.factor': '3' } });
  setup = cluster.client('lag-failover-setup');
  const admin = new Admin(setup);
  // `shared` is led by broker 1 with a follower on 2; `big-1` lives on broker 1 only.
  const created = await admin.createTopics([
    { name: 'shared', partitions: 1, replicationFactor: 2, assignment: [[1, 2]] },
    { name: 'big', partitions: 2, replicationFactor: 1, assignment: [[2], [1]] },
  ]);
  expect(created.map((t) => t.error)).toEqual([null, null]);
  const producer = new Producer(setup, { acks: -1, lingerMs: 0 });
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) sends.push(producer.send({ topic: 'shared', partition: 0, value: Buffer.from(`s${i}`) }));
  for (let i = 0; i < 10; i++) sends.push(producer.send({ topic: 'big', partition: i % 2, value: Buffer.from(`b${i}`) }));
  await Promise.all(sends);
  const md = await setup.refreshMetadata([]);
  // The watcher's client bootstraps from broker 2, as the tester's did.
  viaBroker2 = new KafkaClient({ bootstrap: parseBootstrap(describeAddress(addressOf(md.brokers.get(2)!))), clientId: 'lag-failover', connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
});

afterAll(async () => {
  await viaBroker2?.close();
  await cluster?.close();
});

/** A group id whose coordinator is broker `node`. */
async function groupCoordinatedBy(node: number): Promise<string> {
  const groups = new GroupAdmin(setup);
  for (let i = 0; i < 200; i++) if ((await groups.coordinator(`lag-fo-${i}`)).nodeId === node) return `lag-fo-${i}`;
  throw new Error(`no group id coordinated by broker ${node} among 200`);
}

it('keeps sampling when broker 1 stops: a new coordinator and leader are found, and the partition without a leader shows as unmeasurable', async () => {
  const group = await groupCoordinatedBy(1);
  await new GroupAdmin(setup).commitOffsets(group, [
    { topic: 'shared', partition: 0, offset: 5 },
    { topic: 'big', partition: 0, offset: 5 },
    { topic: 'big', partition: 1, offset: 2 },
  ]);
  const sample = lagSampler(viaBroker2, [group], { ...DEFAULT_SETTINGS, windowMs: 60_000 });
  const rows = (r: LagReport) => r.groups.flatMap((g) => g.partitions.map((p) => `${p.topic}-${p.partition} end=${p.logEnd} lag=${p.lag} ${p.status}${p.reason ? ` ${p.reason}` : ''}`));
  const before = await sample();
  expect(rows(before)).toEqual(['big-0 end=5 lag=0 OK', 'big-1 end=5 lag=3 WARMING', 'shared-0 end=20 lag=15 WARMING']);

  await cluster.cluster.stopBroker(1);
  // Every sample after the stop must answer (the watcher showed "Cannot reach the broker" /
  // "Unknown broker id 1" until broker 1 came back); wait for the leader moves to show.
  const seen: string[] = [];
  const deadline = Date.now() + 20_000;
  let last: LagReport | null = null;
  for (;;) {
    try {
      last = await sample();
      seen.push(rows(last).join(', '));
    } catch (e) {
      seen.push(`rejected: ${(e as Error).message}`);
    }
    if (last && rows(last).includes('big-1 end=null lag=null ERR UNAVAILABLE') && rows(last).includes('shared-0 end=20 lag=15 WARMING')) break;
    if (Date.now() > deadline) throw new Error(`the samples after broker 1 stopped never settled; they were:\n${seen.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // A sample may fail while the failover is under way (a request already sent when broker 1
  // closed); the view then shows the error for one interval. Before the fix every sample did.
  const settled = seen.findIndex((s) => !s.startsWith('rejected'));
  expect(settled, seen.join('\n')).toBeGreaterThanOrEqual(0);
  expect(seen.slice(settled).filter((s) => s.startsWith('rejected')), seen.join('\n')).toEqual([]);
  expect(last.groups[0]).toMatchObject({ group, status: 'ERR', reason: 'UNAVAILABLE', totalLag: 15, partitionsWithoutLogEnd: 1, partitionsWithoutOffset: 0 });
  expect(rows(last)).toEqual(['big-0 end=5 lag=0 IDLE', 'big-1 end=null lag=null ERR UNAVAILABLE', 'shared-0 end=20 lag=15 WARMING']);
}, 60_000);
