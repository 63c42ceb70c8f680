/**
 * The Streams runtime (src/streams/runtime) against an in-process broker, with topologies written
 * straight against api.ts: copy and count end to end, a count restored from its changelog after a
 * restart, two instances sharing a 6-partition input and one taking over when the other closes,
 * exactly_once_v2 with a failure mid-way, and the start-up errors.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, OffsetSpec } from '../../src/client/admin.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { GroupAdmin } from '../../src/client/groups.js';
import { Producer } from '../../src/client/producer/producer.js';
import { KafkaStreams, type StreamsState } from '../../src/streams/runtime/kafka-streams.js';
import type { StreamsProperties } from '../../src/streams/runtime/config.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';
import { copyTopology, countTopology, globalLookupTopology, joinShapedTopology, rekeyCountTopology, repartitionedJoinShape } from '../helpers/streams-topologies.js';
import type { BuiltTopology } from '../../src/streams/api.js';

let broker: TestBroker;
let admin: Admin;
let state: { dir: string; cleanup: () => void };
const running: KafkaStreams[] = [];

beforeAll(async () => {
  broker = await startBroker({ properties: { 'transaction.state.log.num.partitions': '2', 'group.min.session.timeout.ms': '1000' } });
  admin = new Admin(broker.client());
  state = tempDir('kafka-streams-test-');
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.close().catch(() => undefined)));
  await broker.close();
  state.cleanup();
});

async function topics(...specs: [string, number][]) {
  const res = await admin.createTopics(specs.map(([name, partitions]) => ({ name, partitions, replicationFactor: 1 })));
  for (const r of res) if (r.error) throw r.error;
}

async function produce(topic: string, records: { key: string; value: string; partition?: number }[]) {
  const p = new Producer(broker.client('input'), { lingerMs: 0 });
  await Promise.all(records.map((r) => p.send({ topic, key: Buffer.from(r.key), value: Buffer.from(r.value), ...(r.partition === undefined ? {} : { partition: r.partition }) })));
  await p.close();
}

/** Everything in a topic (read_committed when asked), as key/value strings. */
async function readAll(topic: string, readCommitted = false): Promise<{ key: string; value: string; partition: number }[]> {
  const client = broker.client('reader');
  const md = await client.refreshMetadata([topic]);
  const n = md.topics.get(topic)!.partitions.length;
  const parts = Array.from({ length: n }, (_, partition) => ({ topic, partition }));
  const ends = await admin.listOffsets(parts.map((p) => ({ ...p, timestamp: OffsetSpec.latest })), readCommitted ? 1 : 0);
  const f = new Fetcher(client, { isolationLevel: readCommitted ? 1 : 0 });
  await f.assign(ends.map((e) => ({ topic, partition: e.partition, start: 'earliest' as const, stopAt: e.offset })));
  const out: { key: string; value: string; partition: number }[] = [];
  while (!f.allAtEnd()) for (const c of await f.poll({ maxWaitMs: 100 })) for (const r of c.records) out.push({ key: r.key?.toString() ?? '', value: r.value?.toString() ?? '', partition: r.partition });
  f.close();
  return out;
}

async function waitFor<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function streams(topology: BuiltTopology, props: StreamsProperties): KafkaStreams {
  const s = new KafkaStreams(topology, { 'state.dir': state.dir, 'commit.interval.ms': 200, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, ...props }, { client: (id) => broker.client(id) });
  running.push(s);
  return s;
}

/** Final count per key from a count topology's output (the highest value seen). */
const finalCounts = (out: { key: string; value: string }[]) => {
  const m = new Map<string, number>();
  for (const r of out) m.set(r.key, Math.max(m.get(r.key) ?? 0, Number(r.value)));
  return m;
};

describe('KafkaStreams runtime', () => {
  it('copies a topic end to end through the state listener', async () => {
    await topics(['copy-in', 3], ['copy-out', 3]);
    await produce('copy-in', Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3 })));
    const s = streams(copyTopology('copy-in', 'copy-out'), { 'application.id': 'copy-app' });
    const states: StreamsState[] = [];
    s.setStateListener((n) => states.push(n));
    await s.start();
    const out = await waitFor('30 copied records', () => readAll('copy-out'), (o) => o.length >= 30);
    expect(out.map((r) => r.value).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    // The sink partitions by key, as Kafka's producer does: one key, one partition.
    const byKey = new Map(out.map((r) => [r.key, r.partition]));
    expect(new Set(byKey.values()).size).toBeGreaterThan(1);
    await waitFor('the copy app RUNNING', () => s.metrics(), (m) => m.state === 'RUNNING' && m.processed === 30);
    const m = s.metrics();
    expect(m.tasks.map((t) => t.id)).toEqual(['0_0', '0_1', '0_2']);
    await s.close();
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);
  });

  it('counts per key with a changelog, and restores the count after a restart (checkpoint, then from scratch)', async () => {
    await topics(['count-in', 2], ['count-out', 2]);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await produce('count-in', Array.from({ length: 50 }, (_, i) => ({ key: keys[i % 5]!, value: `${i}` })));
    const s1 = streams(countTopology('count-in', 'count-out'), { 'application.id': 'count-app' });
    await s1.start();
    await waitFor('counts of 10', async () => finalCounts(await readAll('count-out')), (m) => keys.every((k) => m.get(k) === 10));
    await s1.close();
    const changelog = 'count-app-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog';
    const desc = await admin.describeTopics([changelog]);
    expect(desc[0]?.partitions.length).toBe(2);
    const ckFiles = ['0_0', '0_1'].map((t) => join(state.dir, 'count-app', t, '.checkpoint'));
    expect(ckFiles.filter((f) => existsSync(f)).length).toBeGreaterThan(0);
    expect(readFileSync(ckFiles.find((f) => existsSync(f))!, 'utf8')).toMatch(new RegExp(`^0\\n1\\n${changelog} \\d \\d+\\n$`));

    // Restart on the same state dir: the checkpoint says the local files are current.
    await produce('count-in', keys.map((k) => ({ key: k, value: 'x' })));
    const s2 = streams(countTopology('count-in', 'count-out'), { 'application.id': 'count-app' });
    await s2.start();
    await waitFor('counts of 11', async () => finalCounts(await readAll('count-out')), (m) => keys.every((k) => m.get(k) === 11));
    expect(s2.metrics().restored).toBe(0);
    await s2.close();

    // A fresh state dir (another machine): everything comes back from the changelog.
    await produce('count-in', keys.map((k) => ({ key: k, value: 'y' })));
    const fresh = tempDir('kafka-streams-fresh-');
    const s3 = new KafkaStreams(countTopology('count-in', 'count-out'), { 'application.id': 'count-app', 'state.dir': fresh.dir, 'commit.interval.ms': 200 }, { client: (id) => broker.client(id) });
    running.push(s3);
    await s3.start();
    await waitFor('counts of 12', async () => finalCounts(await readAll('count-out')), (m) => keys.every((k) => m.get(k) === 12));
    const m3 = s3.metrics();
    expect(m3.restored).toBeGreaterThanOrEqual(5);
    expect(m3.restoreRecordsPerSecond).toBeGreaterThan(0);
    await s3.close();
    fresh.cleanup();
  });

  it('two instances share a 6-partition input; one takes every task over when the other closes', async () => {
    await topics(['share-in', 6], ['share-out', 6]);
    const topo = () => countTopology('share-in', 'share-out', { persistent: false });
    const a = streams(topo(), { 'application.id': 'share-app', 'state.dir': join(state.dir, 'a') });
    const b = streams(topo(), { 'application.id': 'share-app', 'state.dir': join(state.dir, 'b') });
    await Promise.all([a.start(), b.start()]);
    await waitFor('3 tasks each', () => [a.metrics(), b.metrics()], ([ma, mb]) => ma!.state === 'RUNNING' && mb!.state === 'RUNNING' && ma!.tasks.length === 3 && mb!.tasks.length === 3);
    const keys = Array.from({ length: 24 }, (_, i) => `key${i}`);
    await produce('share-in', keys.map((k) => ({ key: k, value: '1' })));
    await waitFor('every key counted once', async () => finalCounts(await readAll('share-out')), (m) => keys.every((k) => m.get(k) === 1));
    expect(a.metrics().processed + b.metrics().processed).toBe(24);
    await a.close();
    await waitFor('b running all 6 tasks', () => b.metrics(), (m) => m.state === 'RUNNING' && m.tasks.length === 6);
    await produce('share-in', keys.map((k) => ({ key: k, value: '2' })));
    // Counts of 2: the state of a's tasks came back from the changelog on b.
    await waitFor('every key counted twice', async () => finalCounts(await readAll('share-out')), (m) => keys.every((k) => m.get(k) === 2));
    expect(b.metrics().restored).toBeGreaterThan(0);
    await waitFor('no lag', () => b.metrics(), (m) => m.tasks.every((t) => t.lag === 0));
    await b.close();
  });

  it('exactly_once_v2: a failure mid-way aborts the open transaction; a read_committed reader sees every count once', async () => {
    await topics(['eos-in', 2], ['eos-out', 2]);
    const keys = ['p', 'q', 'r', 's'];
    const input = Array.from({ length: 200 }, (_, i) => ({ key: keys[i % 4]!, value: `${i}` }));
    let seen = 0;
    const failing = countTopology('eos-in', 'eos-out', {
      onRecord: () => {
        if (++seen === 150) throw new Error('injected failure at record 150');
      },
    });
    const s1 = streams(failing, { 'application.id': 'eos-app', 'processing.guarantee': 'exactly_once_v2' });
    await s1.start();
    // A first half committed in its own transactions, then a failure in the middle of the second.
    await produce('eos-in', input.slice(0, 100));
    await waitFor('100 committed counts', () => readAll('eos-out', true), (o) => o.length >= 100);
    await produce('eos-in', input.slice(100));
    await expect(s1.waitForShutdown()).rejects.toThrow(/injected failure/);
    expect(s1.currentState()).toBe('ERROR');
    // Nothing of the aborted transaction is visible.
    expect((await readAll('eos-out', true)).length).toBe(100);
    const s2 = streams(countTopology('eos-in', 'eos-out'), { 'application.id': 'eos-app', 'processing.guarantee': 'exactly_once_v2' });
    await s2.start();
    const out = await waitFor('200 committed counts', () => readAll('eos-out', true), (o) => o.length >= 200);
    expect(out.length).toBe(200);
    for (const k of keys) {
      const values = out.filter((r) => r.key === k).map((r) => Number(r.value));
      expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    }
    await s2.close();
  });

  it('exactly_once_v2 with two instances on one state dir: the survivor takes the tasks over and every count is exact', async () => {
    await topics(['eos2-in', 6], ['eos2-out', 6]);
    const topo = () => countTopology('eos2-in', 'eos2-out');
    const props = { 'application.id': 'eos2-app', 'processing.guarantee': 'exactly_once_v2', 'state.dir': join(state.dir, 'shared') };
    const a = streams(topo(), props);
    const b = streams(topo(), props);
    await Promise.all([a.start(), b.start()]);
    await waitFor('3 tasks each', () => [a.metrics(), b.metrics()], ([ma, mb]) => ma!.state === 'RUNNING' && mb!.state === 'RUNNING' && ma!.tasks.length === 3 && mb!.tasks.length === 3);
    const keys = Array.from({ length: 30 }, (_, i) => `key${i}`);
    await produce('eos2-in', keys.map((k) => ({ key: k, value: '1' })));
    await waitFor('every key counted once', () => readAll('eos2-out', true), (o) => o.length >= 30);
    await a.close();
    await waitFor('b running all 6 tasks', () => b.metrics(), (m) => m.state === 'RUNNING' && m.tasks.length === 6);
    await produce('eos2-in', keys.map((k) => ({ key: k, value: '2' })));
    const out = await waitFor('every key counted twice', () => readAll('eos2-out', true), (o) => o.length >= 60);
    expect(out.length).toBe(60);
    for (const k of keys) expect(out.filter((r) => r.key === k).map((r) => r.value)).toEqual(['1', '2']);
    await b.close();
  });

  it('exactly_once_v2: removed from the group mid-way, the instance aborts, restores and rejoins; counts stay exact', async () => {
    await topics(['eos3-in', 2], ['eos3-out', 2]);
    const keys = ['u', 'v', 'w'];
    const logs: string[] = [];
    const s = new KafkaStreams(
      countTopology('eos3-in', 'eos3-out'),
      { 'application.id': 'eos3-app', 'processing.guarantee': 'exactly_once_v2', 'state.dir': state.dir, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 },
      { client: (id) => broker.client(id), log: (_l, m) => logs.push(m) },
    );
    running.push(s);
    await s.start();
    await produce('eos3-in', keys.map((k) => ({ key: k, value: '1' })));
    await waitFor('first counts', () => readAll('eos3-out', true), (o) => o.length >= 3);
    const { GroupAdmin } = await import('../../src/client/groups.js');
    const groups = new GroupAdmin(broker.client());
    const [desc] = await groups.describeGroups(['eos3-app']);
    const removed = await groups.removeMembers('eos3-app', desc!.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null })));
    expect(removed.every((r) => r.error === null)).toBe(true);
    await produce('eos3-in', keys.map((k) => ({ key: k, value: '2' })));
    await produce('eos3-in', keys.map((k) => ({ key: k, value: '3' })));
    const out = await waitFor('three counts per key', () => readAll('eos3-out', true), (o) => keys.every((k) => o.filter((r) => r.key === k).length >= 3));
    for (const k of keys) expect(out.filter((r) => r.key === k).map((r) => r.value)).toEqual(['1', '2', '3']);
    await waitFor('running again', () => s.metrics(), (m) => m.state === 'RUNNING' && m.tasks.length === 2);
    // Usually a transactional commit finds the member gone first ("transaction aborted", then a
    // restore); when the heartbeat does, the rejoin goes through the revocation path instead.
    expect(logs.every((l) => !/unexpected error/.test(l))).toBe(true);
    await s.close();
    expect(s.currentState()).toBe('NOT_RUNNING');
  });

  it('a record the broker refuses stops the application; under exactly_once_v2 nothing of its transaction is visible', async () => {
    await topics(['big-in', 1]);
    const res = await admin.createTopics([{ name: 'big-out', partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '200' } }]);
    expect(res[0]!.error).toBeNull();
    await produce('big-in', [
      { key: 'a', value: 'small' },
      { key: 'b', value: 'x'.repeat(1000) },
    ]);
    const s = streams(copyTopology('big-in', 'big-out'), { 'application.id': 'big-app', 'processing.guarantee': 'exactly_once_v2' });
    await s.start();
    await expect(s.waitForShutdown()).rejects.toThrow(/Error encountered sending record to topic big-out for task 0_0 due to: /);
    expect(s.currentState()).toBe('ERROR');
    expect(await readAll('big-out', true)).toEqual([]);
  });

  it('runs two sub-topologies through a repartition topic it creates as <application.id>-<name>', async () => {
    await topics(['rk-in', 4], ['rk-out', 1]);
    await produce('rk-in', Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `colour${i % 4}` })));
    const s = streams(rekeyCountTopology('rk-in', 'rk-out'), { 'application.id': 'rk-app' });
    await s.start();
    await waitFor('10 per colour', async () => finalCounts(await readAll('rk-out')), (m) => [0, 1, 2, 3].every((i) => m.get(`colour${i}`) === 10));
    const desc = await admin.describeTopics(['rk-app-rekey-repartition', 'rk-app-rekey-count-store-changelog']);
    expect(desc.map((d) => [d.name, d.partitions.length])).toEqual([
      ['rk-app-rekey-repartition', 4],
      ['rk-app-rekey-count-store-changelog', 4],
    ]);
    expect(s.metrics().tasks.map((t) => t.id)).toEqual(['0_0', '0_1', '0_2', '0_3', '1_0', '1_1', '1_2', '1_3']);
    await s.close();
  });

  it('is fair: with a backlog on every input partition, the repartition tasks run and output appears while the input still lags', async () => {
    // Kafka Streams pauses a partition holding more than buffered.records.per.partition records
    // and gives each task a bounded batch in turn: a backlog neither starves the other input
    // partitions nor the sub-topology reading the repartition topic. Here each input record costs
    // ~0.25 ms, so the 12,000 take seconds; output must come long before they are all processed.
    await topics(['fair-in', 4], ['fair-out', 1]);
    const n = 12_000;
    await produce('fair-in', Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `colour${i % 7}`, partition: i % 4 })));
    const base = rekeyCountTopology('fair-in', 'fair-out');
    const slow: BuiltTopology = {
      ...base,
      createTask(st, env) {
        const task = base.createTask(st, env);
        if (st !== 0) return task;
        return {
          ...task,
          process: (r) => {
            const until = performance.now() + 0.25;
            while (performance.now() < until) {
              // busy: a CPU-bound step
            }
            task.process(r);
          },
        };
      },
    };
    const s = streams(slow, { 'application.id': 'fair-app', 'commit.interval.ms': 100 });
    await s.start();
    const inputLag = (m: ReturnType<KafkaStreams['metrics']>) => m.tasks.filter((t) => t.id.startsWith('0_')).reduce((a, t) => a + (t.lag ?? n), 0);
    const fair = (v: { sinkEnd: number; inputLag: number; tasks: { id: string; processed: number }[] }) =>
      v.sinkEnd > 0 && v.inputLag > 0 && v.tasks.some((t) => t.id.startsWith('1_') && t.processed > 0) && v.tasks.filter((t) => t.id.startsWith('0_')).every((t) => t.processed > 0);
    const seen = await waitFor(
      'output and repartition processing while the input still lags',
      async () => {
        const out = await admin.listOffsets([{ topic: 'fair-out', partition: 0, timestamp: OffsetSpec.latest }], 0);
        // Read after the sink: the input lag only falls, so lag > 0 now means it was > 0 when the output was seen.
        const m = s.metrics();
        const v = { sinkEnd: out[0]!.offset, inputLag: inputLag(m), tasks: m.tasks.map((t) => ({ id: t.id, processed: t.processed, lag: t.lag })) };
        if (m.tasks.length === 8 && v.inputLag === 0 && !fair(v)) throw new Error(`the input was drained before any output or repartition processing: ${JSON.stringify(v)}`);
        return v;
      },
      fair,
      60_000,
    );
    expect(seen.inputLag).toBeGreaterThan(0);
    // And it all gets there.
    await waitFor('every record counted', async () => finalCounts(await readAll('fair-out')), (m) => Array.from({ length: 7 }, (_, i) => m.get(`colour${i}`) ?? 0).reduce((a, b) => a + b, 0) === n, 120_000);
    await s.close();
  });

  it("the lag counts a repartition topic's records not yet processed, also while its partition is paused (not fetched)", async () => {
    // Sub-topology 1 is slow (~30 ms a record) and its partition is paused as soon as more than
    // one record is buffered: the fetcher then learns nothing of what sub-topology 0 writes to
    // the repartition topic meanwhile (until the 300 records first fetched are processed, ~9 s).
    // The lag must count those records all the same.
    await topics(['rlag-in', 1], ['rlag-out', 1]);
    const base = rekeyCountTopology('rlag-in', 'rlag-out');
    const slow: BuiltTopology = {
      ...base,
      createTask(st, env) {
        const task = base.createTask(st, env);
        if (st !== 1) return task;
        return {
          ...task,
          process: (r) => {
            const until = performance.now() + 30;
            while (performance.now() < until) {
              // busy: a slow second stage
            }
            task.process(r);
          },
        };
      },
    };
    const input = async (prefix: string, n: number) => {
      const p = new Producer(broker.client('input'), { lingerMs: 20 });
      await Promise.all(Array.from({ length: n }, (_, i) => p.send({ topic: 'rlag-in', key: Buffer.from(`${prefix}${i}`), value: Buffer.from(`c${i % 5}`) })));
      await p.close();
    };
    await input('k', 300);
    const s = streams(slow, { 'application.id': 'rlag-app', 'commit.interval.ms': 100, 'buffered.records.per.partition': 1 });
    await s.start();
    const task = (m: ReturnType<KafkaStreams['metrics']>, id: string) => m.tasks.find((t) => t.id === id);
    await waitFor('the second stage started', () => s.metrics(), (m) => (task(m, '1_0')?.processed ?? 0) > 0);
    // More input while the second stage works through what it fetched.
    await input('m', 100);
    const repartitionEnd = async () => (await admin.listOffsets([{ topic: 'rlag-app-rekey-repartition', partition: 0, timestamp: OffsetSpec.latest }], 0))[0]!.offset;
    await waitFor('all 400 records in the repartition topic', repartitionEnd, (e) => e === 400);
    const seen = await waitFor(
      'the lag of task 1_0 to count every repartition record it has not processed',
      () => {
        const t = task(s.metrics(), '1_0')!;
        return { lag: t.lag, processed: t.processed, unprocessed: 400 - t.processed, partitions: t.partitions };
      },
      (v) => v.lag === v.unprocessed,
    );
    // Seen before the second stage is through the records it fetched first.
    expect(seen.processed, JSON.stringify(seen)).toBeLessThan(300);
    await s.close();
  });

  it('exactly_once_v2: the commits counter counts commits that committed something, not an idle loop\'s attempts', async () => {
    await topics(['idle-in', 1], ['idle-out', 1]);
    await produce('idle-in', Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const s = streams(copyTopology('idle-in', 'idle-out'), { 'application.id': 'idle-app', 'processing.guarantee': 'exactly_once_v2', 'commit.interval.ms': 50 });
    await s.start();
    const groups = new GroupAdmin(broker.client());
    await waitFor('the 10 records committed', () => groups.fetchOffsets('idle-app', [{ topic: 'idle-in', partition: 0 }]), (o) => o[0]?.offset === 10);
    const after = s.metrics().commits;
    // Idle from here. What is tested is a stretch of time with nothing to commit: 2 s since the
    // last record was done, forty commit intervals of 50 ms, each an attempt that commits nothing
    // (counted before the fix, dozens even on a loaded machine).
    const m = await waitFor('2 s idle', () => s.metrics(), (x) => x.processed === 10 && x.processingEndedAt > 0 && Date.now() - x.processingEndedAt > 2000, 60_000);
    expect(after).toBeGreaterThanOrEqual(1);
    // At most the commit that was completing when the offsets were seen.
    expect(m.commits - after, JSON.stringify({ after, commits: m.commits })).toBeLessThanOrEqual(1);
    await s.close();
  });

  it('loads a global store from the beginning before processing, then follows its topic', async () => {
    await topics(['gl-stream', 2], ['gl-table', 3], ['gl-out', 1]);
    await produce('gl-table', Array.from({ length: 9 }, (_, i) => ({ key: `addr${i}`, value: `street ${i}` })));
    await produce('gl-stream', [{ key: 'o1', value: 'addr1' }, { key: 'o2', value: 'addr7' }]);
    const s = streams(globalLookupTopology('gl-stream', 'gl-table', 'gl-out'), { 'application.id': 'gl-app' });
    await s.start();
    const first = await waitFor('two joined orders', () => readAll('gl-out'), (o) => o.length >= 2);
    expect(first.map((r) => r.value).sort()).toEqual(['addr1 -> street 1', 'addr7 -> street 7']);
    await produce('gl-table', [{ key: 'addr99', value: 'new street' }]);
    await waitFor('the global store follows', async () => {
      await produce('gl-stream', [{ key: 'o3', value: 'addr99' }]);
      return readAll('gl-out');
    }, (o) => o.some((r) => r.value === 'addr99 -> new street'));
    await s.close();
  });

  it('a join of a 3- and a 2-partition topic runs once the 2-partition side goes through a repartition topic', async () => {
    await topics(['rp-left', 3], ['rp-right', 2], ['rp-out', 1]);
    const s = streams(repartitionedJoinShape('rp-left', 'rp-right', 'rp-out'), { 'application.id': 'rp-app' });
    await s.start();
    const [d] = await admin.describeTopics(['rp-app-right-repartition']);
    expect(d?.partitions.length).toBe(3);
    await produce('rp-right', [{ key: 'r', value: 'x' }]);
    await waitFor('the right record through the repartition topic', () => readAll('rp-out'), (o) => o.length === 1);
    await s.close();
  });

  it('close() waits for a final commit the broker is slow to answer (it is abandoned only when the broker does not answer)', async () => {
    await topics(['slow-in', 1], ['slow-out', 1]);
    await produce('slow-in', [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }]);
    const logs: string[] = [];
    // The group's commits are answered 6.5 s late: a healthy but loaded broker.
    const client = (id: string) => {
      const c = broker.client(id);
      const send = c.send.bind(c);
      c.send = (async (...args: Parameters<typeof send>) => {
        if (args[1].name === 'OffsetCommit') await new Promise((r) => setTimeout(r, 6500));
        return send(...args);
      }) as typeof send;
      return c;
    };
    const s = new KafkaStreams(copyTopology('slow-in', 'slow-out'), { 'state.dir': state.dir, 'application.id': 'slow-commit-app', 'commit.interval.ms': 600_000 }, { client, log: (_l, m) => logs.push(m) });
    running.push(s);
    await s.start();
    await waitFor('2 records processed', () => s.metrics(), (m) => m.processed === 2);
    const at = Date.now();
    await s.close();
    expect(Date.now() - at).toBeGreaterThanOrEqual(6000);
    expect(logs.filter((m) => m.includes('final commit')), logs.join('\n')).toEqual([]);
    expect(s.metrics().state).toBe('NOT_RUNNING');
    expect((await new GroupAdmin(broker.client()).fetchOffsets('slow-commit-app', [{ topic: 'slow-in', partition: 0 }])).map((o) => o.offset)).toEqual([2]);
  }, 60_000);

  it('close() while starting stops cleanly (NOT_RUNNING) without starting to process', async () => {
    await topics(['early-in', 1], ['early-out', 1]);
    const s = streams(copyTopology('early-in', 'early-out'), { 'application.id': 'early-app' });
    const states: StreamsState[] = [];
    s.setStateListener((n) => states.push(n));
    const started = s.start();
    await s.close();
    await started;
    expect(s.currentState()).toBe('NOT_RUNNING');
    expect(states).toEqual(['PENDING_SHUTDOWN', 'NOT_RUNNING']);
    expect(s.metrics().tasks).toEqual([]);
  });

  it('refuses to start: topics not co-partitioned, a missing source topic, a state dir that is not writable, bad configs', async () => {
    await topics(['cp-left', 3], ['cp-right', 2], ['cp-out', 1]);
    const s1 = streams(joinShapedTopology('cp-left', 'cp-right', 'cp-out'), { 'application.id': 'cp-app' });
    await expect(s1.start()).rejects.toMatchObject({ name: 'TopologyException', kind: 'usage', message: 'Invalid topology: Topics not co-partitioned: [cp-left,cp-right]' });
    expect(s1.currentState()).toBe('ERROR');

    const s2 = streams(copyTopology('no-such-topic', 'cp-out'), { 'application.id': 'missing-app' });
    await expect(s2.start()).rejects.toMatchObject({ name: 'MissingSourceTopicException', kind: 'not_found', message: expect.stringContaining('One or more source topics were missing during rebalance: no-such-topic') });

    const ro = join(state.dir, 'read-only');
    mkdirSync(ro, { recursive: true });
    chmodSync(ro, 0o500);
    try {
      const s3 = streams(copyTopology('cp-out', 'cp-out'), { 'application.id': 'ro-app', 'state.dir': ro });
      // root can write anywhere: then there is nothing to check.
      if (process.getuid?.() !== 0) await expect(s3.start()).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining(`state.dir ${ro} is not writable`) });
    } finally {
      chmodSync(ro, 0o700);
    }

    expect(() => new KafkaStreams(copyTopology('a', 'b'), { 'application.id': 'x', 'processing.guarantee': 'exactly_once' }, { client: () => broker.client() })).toThrow(/exactly_once_v2/);
    expect(() => new KafkaStreams(copyTopology('a', 'b'), { 'application.id': 'x', 'num.stream.threads': 2 }, { client: () => broker.client() })).toThrow(/num.stream.threads/);
    expect(() => new KafkaStreams(copyTopology('a', 'b'), {}, { client: () => broker.client() })).toThrow(/application.id/);
    expect(
      () => new KafkaStreams(copyTopology('a', 'b'), { 'application.id': 'x', 'default.deserialization.exception.handler': 'com.example.Nope' }, { client: () => broker.client() }),
    ).toThrow(/LogAndContinueExceptionHandler/);
  });
});
