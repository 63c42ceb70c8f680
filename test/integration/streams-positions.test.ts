/**
 * The Streams runtime's positions against an in-process broker: input ending with transaction
 * markers (and aborted batches) is caught up at the log end, and committed there, under both
 * guarantees; --max-records (the runtime's maxRecords) processes and commits exactly N records;
 * streams-application-reset --force --dry-run removes nobody and says so; a source topic deleted
 * while running stops the application with MissingSourceTopicException (not found, exit 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, OffsetSpec } from '../../src/client/admin.js';
import { GroupConsumer } from '../../src/client/consumer/group-consumer.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Producer } from '../../src/client/producer/producer.js';
import { KafkaStreams } from '../../src/streams/runtime/kafka-streams.js';
import { resetStreamsApplication } from '../../src/tools/streams-reset.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';
import { copyTopology } from '../helpers/streams-topologies.js';

let broker: TestBroker;
let admin: Admin;
let state: { dir: string; cleanup: () => void };
const running: KafkaStreams[] = [];

beforeAll(async () => {
  broker = await startBroker({ properties: { 'transaction.state.log.num.partitions': '2', 'group.min.session.timeout.ms': '1000' } });
  admin = new Admin(broker.client());
  state = tempDir('kafka-streams-positions-');
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.close().catch(() => undefined)));
  await broker.close();
  state.cleanup();
});

async function topic(name: string, partitions = 1) {
  const [r] = await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
  if (r?.error) throw r.error;
}

async function logEnd(t: string): Promise<number> {
  const [r] = await admin.listOffsets([{ topic: t, partition: 0, timestamp: OffsetSpec.latest }], 0);
  return r!.offset;
}

async function committed(group: string, t: string): Promise<number> {
  const [c] = await new GroupAdmin(broker.client()).fetchOffsets(group, [{ topic: t, partition: 0 }]);
  return c?.offset ?? -1;
}

async function waitFor<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(v).slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function streams(from: string, to: string, props: Record<string, string | number>, extra: { maxRecords?: number; onMaxRecords?: () => void } = {}) {
  const s = new KafkaStreams(copyTopology(from, to), { 'state.dir': state.dir, 'commit.interval.ms': 200, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, ...props }, { client: (id) => broker.client(id), ...extra });
  running.push(s);
  return s;
}

describe('input ending with transaction markers', () => {
  for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
    it(`${guarantee}: caught up (lag 0) and committed at the log end, past the markers and an aborted batch`, async () => {
      const from = `txin-${guarantee}`;
      const to = `txout-${guarantee}`;
      await topic(from);
      await topic(to);
      const p = new Producer(broker.client(`tx-${guarantee}`), { lingerMs: 0, transactionalId: `tx-${guarantee}` });
      await p.initTransactions();
      p.beginTransaction();
      for (let i = 0; i < 10; i++) void p.send({ topic: from, partition: 0, key: null, value: Buffer.from(String(i)) });
      await p.commitTransaction();
      p.beginTransaction();
      for (let i = 0; i < 3; i++) void p.send({ topic: from, partition: 0, key: null, value: Buffer.from(`aborted-${i}`) });
      await p.flush();
      await p.abortTransaction();
      await p.close();
      const end = await logEnd(from);
      expect(end).toBe(15); // 10 records, a commit marker, 3 aborted records, an abort marker
      const app = `positions-${guarantee}`;
      const s = streams(from, to, { 'application.id': app, 'processing.guarantee': guarantee });
      await s.start();
      // read_uncommitted (at_least_once) processes the aborted records too, as Kafka Streams does.
      const processed = guarantee === 'exactly_once_v2' ? 10 : 13;
      const m = await waitFor(
        'every task caught up',
        () => s.metrics(),
        (x) => x.state === 'RUNNING' && x.processed === processed && x.tasks.length === 1 && x.tasks.every((t) => t.lag === 0),
      );
      expect(m.tasks[0]!.partitions[0]!.position).toBe(end);
      await s.close();
      expect(await committed(app, from)).toBe(end);
    }, 40_000);
  }

  it('a group consumer commits its position past the markers (console-consumer, consumer groups)', async () => {
    const from = 'txin-group';
    await topic(from);
    const p = new Producer(broker.client('tx-group'), { lingerMs: 0, transactionalId: 'tx-group' });
    await p.initTransactions();
    p.beginTransaction();
    for (let i = 0; i < 5; i++) void p.send({ topic: from, partition: 0, key: null, value: Buffer.from(String(i)) });
    await p.commitTransaction();
    await p.close();
    const c = new GroupConsumer(broker.client('group-reader'), { groupId: 'txin-group-reader', autoCommit: false, autoOffsetReset: 'earliest', isolationLevel: 1 });
    c.subscribe([from]);
    let got = 0;
    await waitFor('the records and the marker read', async () => (got += (await c.poll(100)).length), () => got === 5 && c.caughtUp());
    await c.commit();
    await c.close();
    expect(await committed('txin-group-reader', from)).toBe(await logEnd(from));
  }, 30_000);
});

describe('maxRecords (--max-records)', () => {
  for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
    it(`${guarantee}: processes, writes and commits exactly N records`, async () => {
      const from = `mr-in-${guarantee}`;
      const to = `mr-out-${guarantee}`;
      await topic(from);
      await topic(to);
      const p = new Producer(broker.client('mr-input'), { lingerMs: 5 });
      await Promise.all(Array.from({ length: 5000 }, (_, i) => p.send({ topic: from, partition: 0, key: null, value: Buffer.from(String(i)) })));
      await p.close();
      let told = 0;
      const app = `mr-${guarantee}`;
      const s = streams(from, to, { 'application.id': app, 'processing.guarantee': guarantee }, { maxRecords: 100, onMaxRecords: () => told++ });
      await s.start();
      await waitFor('the limit reached', () => told, (n) => n === 1);
      // Nothing more is taken while the application has not closed yet.
      await new Promise((r) => setTimeout(r, 300));
      expect(s.metrics().processed).toBe(100);
      await s.close();
      expect(s.metrics().processed).toBe(100);
      expect(await committed(app, from)).toBe(100);
      expect(await logEnd(to)).toBe(guarantee === 'exactly_once_v2' ? 100 + (await markers(to)) : 100);
    }, 40_000);
  }
});

/** Control records (transaction markers) in a topic's partition 0: the log end minus the records a read_uncommitted reader gets. */
async function markers(t: string): Promise<number> {
  const end = await logEnd(t);
  const c = new GroupConsumer(broker.client('marker-count'), { groupId: `marker-count-${t}`, autoCommit: false, autoOffsetReset: 'earliest' });
  c.subscribe([t]);
  let n = 0;
  await waitFor(`${t} read to its end`, async () => (n += (await c.poll(100)).length), () => c.caughtUp() && c.positions()[0]?.position === end);
  await c.close();
  return end - n;
}

describe('streams-application-reset --force --dry-run', () => {
  it('removes no member and says what it would do', async () => {
    await topic('force-dry-in');
    const member = new GroupConsumer(broker.client('force-dry-member'), { groupId: 'forcetest', autoCommit: false, autoOffsetReset: 'earliest', sessionTimeoutMs: 30_000 });
    member.subscribe(['force-dry-in']);
    await waitFor('the member to join', async () => (await member.poll(100), member.generationId), (g) => g >= 0);
    try {
      const r = await resetStreamsApplication(broker.client('reset'), { applicationId: 'forcetest', inputTopics: ['force-dry-in'], intermediateTopics: [], internalTopics: [], scenario: { kind: 'earliest' }, dryRun: true, force: true });
      expect(r.lines[0]).toBe('Would force delete all 1 active member(s) in the group: forcetest (dry run: none removed)');
      expect(r.lines.join('\n')).not.toMatch(/Force deleting/);
      const [g] = await new GroupAdmin(broker.client()).describeGroups(['forcetest']);
      expect(g?.members).toHaveLength(1);
    } finally {
      await member.close();
    }
  }, 30_000);
});

describe('a source topic deleted while running', () => {
  it('stops the application with MissingSourceTopicException (not found)', async () => {
    await topic('gone-in', 2);
    await topic('gone-out', 2);
    const s = streams('gone-in', 'gone-out', { 'application.id': 'gone-app' });
    await s.start();
    await waitFor('running with its tasks', () => s.metrics(), (m) => m.state === 'RUNNING' && m.tasks.length === 2);
    const stopped = s.waitForShutdown().then(
      () => null,
      (e: Error) => e,
    );
    const [r] = await admin.deleteTopics(['gone-in']);
    if (r?.error) throw r.error;
    const e = await Promise.race([stopped, new Promise<string>((res) => setTimeout(() => res('still running'), 20_000))]);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).name).toBe('MissingSourceTopicException');
    expect((e as { kind?: string }).kind).toBe('not_found');
    expect((e as Error).message).toBe('One or more source topics were missing during rebalance: gone-in');
  }, 40_000);
});
