/**
 * Storage faults injected under a broker's log dir (src/storage/disk/fs-ops.ts, testing only):
 * a full disk or an I/O error takes the log dir offline as Kafka does — nothing unacknowledged is
 * acknowledged, the partitions answer KAFKA_STORAGE_ERROR, one ERROR line is logged, leadership
 * moves to other in-sync replicas — and after a restart with the fault gone every acknowledged
 * record is there. Slow writes delay answers but fail nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import type { KafkaClient } from '../../src/client/client.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { Producer } from '../../src/client/producer/producer.js';
import { DescribeLogDirs, Fetch, ListOffsets, Metadata, Produce } from '../../src/protocol/apis/index.js';
import { ErrorCode, KafkaProtocolError } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { faultsInjected, setFaultPlan } from '../../src/storage/disk/fs-ops.js';
import { createLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tempDir } from '../helpers/tmp.js';
import { kafkaTs } from '../helpers/cli.js';

const running: TestBroker[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  setFaultPlan(null);
  await Promise.all(running.splice(0).map((b) => b.close()));
  for (const c of cleanups.splice(0)) await c();
});

/** A broker on `dir` whose log lines are kept in `lines`. */
async function start(dir: string, lines: string[], properties: Record<string, string> = {}): Promise<TestBroker> {
  const b = await startBroker({ dir, log: createLogger((l) => lines.push(l), 'test', 'INFO'), properties });
  running.push(b);
  return b;
}

async function stop(b: TestBroker): Promise<void> {
  running.splice(running.indexOf(b), 1);
  await b.close(true);
}

function newDir(): string {
  const t = tempDir('kafka-ts-faults-');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function waitUntil(what: string, cond: () => boolean, seen: () => unknown, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(seen())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const errorLines = (lines: string[]) => lines.filter((l) => / ERROR /.test(l));

async function readValues(client: KafkaClient, topic: string, partition = 0): Promise<{ offset: number; value: string }[]> {
  const [end] = await new Admin(client).listOffsets([{ topic, partition, timestamp: -1 }]);
  const f = new Fetcher(client, { maxWaitMs: 50 });
  await f.assign([{ topic, partition, start: 'earliest', stopAt: end!.offset }]);
  const out: { offset: number; value: string }[] = [];
  while (!f.allAtEnd()) for (const c of await f.poll()) out.push(...c.records.map((r) => ({ offset: r.offset, value: r.value!.toString() })));
  f.close();
  return out;
}

async function produceAcked(client: KafkaClient, topic: string, values: string[], partition = 0): Promise<void> {
  const producer = new Producer(client, { acks: -1, lingerMs: 1 });
  await Promise.all(values.map((v) => producer.send({ topic, partition, value: Buffer.from(v) })));
}

type PartitionAnswer = { errorCode: number; records?: Buffer | null };

async function rawProduce(client: KafkaClient, target: number | 'any', topic: string, value: string): Promise<number> {
  const { body } = await client.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>(target, Produce, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 3000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from(value) }]) }] }],
  });
  return body.responses[0]!.partitionResponses[0]!.errorCode;
}

async function rawFetch(client: KafkaClient, target: number | 'any', topic: string, partition: number, offset: number): Promise<PartitionAnswer> {
  const { body } = await client.send<{ responses: { partitions: PartitionAnswer[] }[] }>(target, Fetch, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  return body.responses[0]!.partitions[0]!;
}

type PartitionMeta = { errorCode: number; leaderId: number; isrNodes: number[]; offlineReplicas: number[] };
async function rawMetadata(client: KafkaClient, topic: string): Promise<PartitionMeta> {
  const { body } = await client.send<{ topics: { partitions: PartitionMeta[] }[] }>('any', Metadata, {
    topics: [{ name: topic, topicId: Buffer.alloc(16) }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  } as never);
  return body.topics[0]!.partitions[0]!;
}

async function rawLogDirs(client: KafkaClient, target: number | 'any'): Promise<{ errorCode: number; logDir: string; topics: unknown[] }[]> {
  const { body } = await client.send<{ results: { errorCode: number; logDir: string; topics: unknown[] }[] }>(target, DescribeLogDirs, { topics: null });
  return body.results;
}

describe('a full disk (ENOSPC)', () => {
  it('acknowledges nothing it could not write, takes the log dir offline, and keeps every acknowledged record across a restart', async () => {
    const dir = newDir();
    const lines: string[] = [];
    let broker = await start(dir, lines);
    let client = broker.client();
    await new Admin(client).createTopics([{ name: 'full', partitions: 1, replicationFactor: 1 }]);
    const acked = Array.from({ length: 50 }, (_, i) => `acked-${i}`);
    await produceAcked(client, 'full', acked);
    const logDir = broker.cluster.logDirFor(1);
    const segment = join(logDir, 'full-0', '00000000000000000000.log');
    const sizeBefore = statSync(segment).size;

    // 20 bytes fit: the next batch is written in part (a short write), then the disk is full.
    setFaultPlan({ dir: logDir, ops: ['write', 'fsync'], error: 'ENOSPC', spaceBytes: 20 });
    const producer = new Producer(client, { acks: 1, lingerMs: 0, retries: 0 });
    const failed = await producer.send({ topic: 'full', partition: 0, value: Buffer.from('not-acked') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(KafkaProtocolError);
    expect((failed as KafkaProtocolError).code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(statSync(segment).size).toBe(sizeBefore + 20);

    // One ERROR line naming the partition, the dir and the cause.
    expect(errorLines(lines)).toHaveLength(1);
    expect(errorLines(lines)[0]).toContain(`Error while appending records to full-0 in dir ${logDir}: ENOSPC: no space left on device, write`);

    // The partition is offline: this broker answers KAFKA_STORAGE_ERROR, Metadata has no leader.
    expect(await rawProduce(client, 'any', 'full', 'again')).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect((await rawFetch(client, 'any', 'full', 0, 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await rawMetadata(client, 'full')).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas: [1] });
    expect(await rawLogDirs(client, 'any')).toEqual([{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1, usableBytes: -1 }]);
    expect(errorLines(lines)).toHaveLength(1);
    expect(broker.cluster.broker(1)!.running).toBe(true);
    // No log dir can hold a new topic: refused (it was 'created' without a log or a leader).
    const [created] = await new Admin(client).createTopics([{ name: 'nowhere', partitions: 1, replicationFactor: 1 }]);
    expect(created!.error?.code).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(broker.cluster.metadata.topic('nowhere')).toBeUndefined();

    // Space comes back; after a restart the torn batch is cut and the partition serves again.
    setFaultPlan(null);
    await stop(broker);
    expect(readdirSync(logDir)).not.toContain('.kafka_cleanshutdown');
    lines.length = 0;
    broker = await start(dir, lines);
    client = broker.client();
    expect(lines.some((l) => l.includes('Recovered partition full-0: cut 20 invalid bytes'))).toBe(true);
    const later = ['later-0', 'later-1', 'later-2'];
    await produceAcked(client, 'full', later);
    const values = await readValues(client, 'full');
    expect(values.map((v) => v.value)).toEqual([...acked, ...later]);
    expect(values.map((v) => v.offset)).toEqual(values.map((_, i) => i));
    expect(errorLines(lines)).toEqual([]);
  });
});

describe('a full disk under the log cleaner (ENOSPC)', () => {
  it('takes the log dir offline, as Kafka’s cleaner does on an IOException; every key’s latest value is there after a restart', async () => {
    const dir = newDir();
    const lines: string[] = [];
    // The cleaner runs when the test says so.
    let broker = await start(dir, lines, { 'log.cleaner.enable': 'false' });
    let client = broker.client();
    await new Admin(client).createTopics([
      { name: 'table', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0.01' } },
    ]);
    const producer = new Producer(client, { acks: -1, lingerMs: 0 });
    const latest = new Map<string, string>();
    // Ten keys, each written ten times.
    for (let i = 0; i < 100; i++) {
      await producer.send({ topic: 'table', partition: 0, key: Buffer.from(`k${i % 10}`), value: Buffer.from(`v${i}`) });
      latest.set(`k${i % 10}`, `v${i}`);
    }
    const logDir = broker.cluster.logDirFor(1);
    setFaultPlan({ dir: logDir, ops: ['write'], error: 'ENOSPC' });
    const node = broker.cluster.broker(1)!;
    await node.compactLogs();
    expect(node.logDirState.offline).toBe(true);
    expect(errorLines(lines)).toHaveLength(1);
    expect(errorLines(lines)[0]).toContain(`Error while cleaning table-0 in dir ${logDir}: ENOSPC`);
    expect((await rawFetch(client, 'any', 'table', 0, 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);

    // The segments swapped in before the failure stay cleaned; the rest is as it was. After a
    // restart every key's latest value is there, and the next pass finishes the cleaning.
    setFaultPlan(null);
    await stop(broker);
    broker = await start(dir, lines, { 'log.cleaner.enable': 'false' });
    client = broker.client();
    const hasLatest = (values: { value: string }[]) => expect(values.map((v) => v.value)).toEqual(expect.arrayContaining([...latest.values()]));
    hasLatest(await readValues(client, 'table'));
    await broker.cluster.broker(1)!.compactLogs();
    const after = await readValues(client, 'table');
    hasLatest(after);
    // k8 and k9 are also kept at 88 and 89: their newer records are in the active segment.
    expect(after.map((v) => v.value)).toEqual(['v88', 'v89', 'v90', 'v91', 'v92', 'v93', 'v94', 'v95', 'v96', 'v97', 'v98', 'v99']);
    expect(errorLines(lines)).toHaveLength(1);
  });
});

describe('the log cleaner out of file descriptors (EMFILE)', () => {
  it('keeps the log dir online and tries again at the next pass (one WARN line)', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines, { 'log.cleaner.enable': 'false' });
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'fds', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }]);
    const node = broker.cluster.broker(1)!;
    const log = node.replica('fds', 0)!.log;
    // What an open() meeting the process's descriptor limit throws, from inside a pass.
    log.compact = () => {
      throw Object.assign(new Error('EMFILE: too many open files, open'), { code: 'EMFILE', errno: -24, syscall: 'open' });
    };
    await node.compactLogs();
    expect(node.logDirState.offline).toBe(false);
    expect(errorLines(lines)).toEqual([]);
    expect(lines.filter((l) => / WARN /.test(l) && l.includes('Could not compact fds-0 now (EMFILE'))).toHaveLength(1);
    await stop(broker);
  });
});

describe('an I/O error on read (EIO)', () => {
  it('answers the fetch KAFKA_STORAGE_ERROR, takes the dir offline and goes on answering', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines);
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'eio', partitions: 1, replicationFactor: 1 }]);
    await produceAcked(client, 'eio', ['a', 'b', 'c']);
    const logDir = broker.cluster.logDirFor(1);
    setFaultPlan({ dir: logDir, ops: ['read'], error: 'EIO' });
    expect((await rawFetch(client, 'any', 'eio', 0, 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(faultsInjected()).toBeGreaterThan(0);
    expect(errorLines(lines)).toHaveLength(1);
    expect(errorLines(lines)[0]).toContain(`Error while reading from eio-0 in dir ${logDir}: EIO: i/o error, read`);
    // Still answering, with the partition offline; no second ERROR line.
    expect((await rawFetch(client, 'any', 'eio', 0, 0)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await rawMetadata(client, 'eio')).toMatchObject({ leaderId: -1, offlineReplicas: [1] });
    expect(errorLines(lines)).toHaveLength(1);

    setFaultPlan(null);
    await stop(broker);
    const again = await start(dir, lines);
    expect((await readValues(again.client(), 'eio')).map((v) => v.value)).toEqual(['a', 'b', 'c']);
  });
});

describe('an I/O error looking up offsets by time (EIO)', () => {
  it('answers ListOffsets KAFKA_STORAGE_ERROR and takes the dir offline', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines);
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'times', partitions: 1, replicationFactor: 1 }]);
    await produceAcked(client, 'times', ['a', 'b']);
    const logDir = broker.cluster.logDirFor(1);
    setFaultPlan({ dir: logDir, ops: ['read'], error: 'EIO' });
    const { body } = await client.send<{ topics: { partitions: { errorCode: number }[] }[] }>('any', ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'times', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 0 }] }],
    });
    expect(body.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(errorLines(lines)).toEqual([expect.stringContaining(`Error while reading offsets of times-0 in dir ${logDir}: EIO`)]);
    expect(broker.cluster.broker(1)!.logDirState.offline).toBe(true);
  });
});

describe('slow writes', () => {
  it('delay the acknowledgement until the write is done, and fail nothing', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines);
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'slow', partitions: 2, replicationFactor: 1 }]);
    await produceAcked(client, 'slow', ['there'], 1);
    const logDir = broker.cluster.logDirFor(1);
    const segment = join(logDir, 'slow-0', '00000000000000000000.log');
    const before = statSync(segment).size;
    const delayMs = 300;
    setFaultPlan({ dir: logDir, ops: ['write'], delayMs });
    const producer = new Producer(client, { acks: 1, lingerMs: 0, retries: 0 });
    const t0 = Date.now();
    let sizeAtAck = -1;
    const produced = producer.send({ topic: 'slow', partition: 0, value: Buffer.from('slow') }).then((m) => {
      sizeAtAck = statSync(segment).size;
      return { offset: m.offset, ms: Date.now() - t0 };
    });
    // Another partition is still served (after the blocking write: storage I/O is synchronous).
    const fetched = rawFetch(client, 'any', 'slow', 1, 0);
    const [p, f] = await Promise.all([produced, fetched]);
    expect(f.errorCode).toBe(0);
    expect(f.records && f.records.length > 0).toBe(true);
    expect(p.offset).toBe(0);
    expect(p.ms).toBeGreaterThanOrEqual(delayMs - 20);
    expect(sizeAtAck).toBeGreaterThan(before);
    expect(faultsInjected()).toBeGreaterThan(0);
    expect(errorLines(lines)).toEqual([]);
    expect(broker.cluster.broker(1)!.logDirState.offline).toBe(false);
  });
});

describe('three brokers', () => {
  it('move leadership away from a broker whose log dir failed; it catches up after a restart', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines, { 'kafka-ts.brokers': '3', 'auto.leader.rebalance.enable': 'false', 'replica.fetch.backoff.ms': '100' });
    const client = broker.client();
    const cluster = broker.cluster;
    await new Admin(client).createTopics([{ name: 'r3', partitions: 1, replicationFactor: 3 }]);
    const first = Array.from({ length: 20 }, (_, i) => `first-${i}`);
    await produceAcked(client, 'r3', first);
    const state = () => cluster.metadata.topic('r3')!.partitions[0]!;
    await waitUntil('all three in sync', () => state().isr.length === 3 && [1, 2, 3].every((b) => cluster.broker(b)!.replica('r3', 0)!.logEndOffset() === 20), state);
    const failed = state().leader;
    const failedDir = cluster.logDirFor(failed);
    setFaultPlan({ dir: failedDir, ops: ['write', 'fsync', 'open'], error: 'ENOSPC' });

    // The producer retries KAFKA_STORAGE_ERROR at the new leader.
    const second = ['second-0', 'second-1'];
    await produceAcked(client, 'r3', second);
    expect(state().leader).not.toBe(failed);
    expect(state().isr).not.toContain(failed);
    expect((await rawMetadata(client, 'r3')).offlineReplicas).toEqual([failed]);
    expect((await rawLogDirs(client, failed))[0]!.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(errorLines(lines)).toHaveLength(1);
    expect(errorLines(lines)[0]).toContain(`in dir ${failedDir}: ENOSPC`);
    expect(lines.some((l) => l.includes(`Partition r3-0: leader ${failed} -> ${state().leader}`) && l.includes(`log dir ${failedDir} of broker ${failed} is offline`))).toBe(true);
    expect((await readValues(client, 'r3')).map((v) => v.value)).toEqual([...first, ...second]);

    // The disk is fixed; the broker restarts, recovers, follows and rejoins the ISR.
    setFaultPlan(null);
    await cluster.stopBroker(failed);
    await cluster.startBroker(failed);
    await waitUntil(`broker ${failed} back in the ISR`, () => state().isr.includes(failed), state);
    await waitUntil(`broker ${failed} caught up`, () => cluster.broker(failed)!.replica('r3', 0)!.logEndOffset() === 22, () => cluster.broker(failed)!.replica('r3', 0)!.logEndOffset());
    expect(errorLines(lines)).toHaveLength(1);
  });
});

describe('the daemon with KAFKA_TS_FAULTS (testing only)', () => {
  it('reports the full disk to the console producer, logs one ERROR, and serves every acknowledged record after a restart', async () => {
    const home = newDir();
    const arm = join(home, 'arm');
    const faults = JSON.stringify({ dir: join(home, 'data'), ops: ['write', 'fsync'], error: 'ENOSPC', whileExists: arm });
    const env = { KAFKA_TS_FAULTS: faults };
    cleanups.unshift(() => kafkaTs(['server', 'stop', '--data-dir', home], { home }));
    const started = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home], { home, env });
    expect(started.exitCode, started.stderr).toBe(0);
    expect((await kafkaTs(['topics', 'create', 'disk', '--partitions', '1'], { home })).exitCode).toBe(0);
    const ok = await kafkaTs(['console-producer', '--topic', 'disk'], { home, input: 'one\ntwo\nthree\n' });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const healthy = await kafkaTs(['server', 'status', '--data-dir', home, '--output', 'json'], { home });
    expect(JSON.parse(healthy.stdout).brokers[0].logDirError).toBeNull();

    writeFileSync(arm, '');
    const full = await kafkaTs(['console-producer', '--topic', 'disk', '--producer-property', 'delivery.timeout.ms=2000'], { home, input: 'four\n' });
    expect(full.exitCode).not.toBe(0);
    expect(full.stderr).toContain('KAFKA_STORAGE_ERROR');
    expect(full.stderr).toContain('ENOSPC');
    const log = readFileSync(join(home, 'server.log'), 'utf8');
    expect(errorLines(log.split('\n'))).toEqual([expect.stringContaining(`ERROR Error while appending records to disk-0 in dir ${join(home, 'data')}: ENOSPC`)]);
    // server status names the offline log dir and its error, in text and JSON.
    const status = await kafkaTs(['server', 'status', '--data-dir', home], { home });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(`\n  offline:     log dir ${join(home, 'data')} (ENOSPC: no space left on device`);
    const json = JSON.parse((await kafkaTs(['server', 'status', '--data-dir', home, '--output', 'json'], { home })).stdout) as { running: boolean; brokers: { logDirError: string | null }[] };
    expect(json.running).toBe(true);
    expect(json.brokers[0]!.logDirError).toMatch(/^ENOSPC: no space left on device/);

    unlinkSync(arm);
    await kafkaTs(['server', 'stop', '--data-dir', home], { home });
    expect((await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home], { home, env })).exitCode).toBe(0);
    const read = await kafkaTs(['console-consumer', '--topic', 'disk', '--from-beginning', '--max-messages', '3', '--timeout-ms', '10000'], { home });
    expect(read.stdout).toBe('one\ntwo\nthree\n');
  });

  it('refuses a malformed KAFKA_TS_FAULTS at start, in one line', async () => {
    const home = newDir();
    const r = await kafkaTs(['server', 'start', '--port', '0', '--data-dir', home], { home, env: { KAFKA_TS_FAULTS: '{"dir":"/x","ops":["chmod"],"error":"EIO"}' } });
    // A setting the daemon cannot use, as a bad server property is: a usage error.
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('kafka-ts server: usage error: KAFKA_TS_FAULTS: unknown fault op chmod (expected open, write, fsync, read)');
  });
});

describe('a full disk under the metadata log too', () => {
  it('the produce request that met the full log dir is answered KAFKA_STORAGE_ERROR, not an internal error, when the leadership change cannot be recorded', async () => {
    const dir = newDir();
    const lines: string[] = [];
    const broker = await start(dir, lines);
    const client = broker.client();
    await new Admin(client).createTopics([{ name: 'both-full', partitions: 1, replicationFactor: 1 }]);
    const logDir = broker.cluster.logDirFor(1);
    // The metadata log shares the disk (the default layout): recording the offline dir fails too.
    broker.cluster.logDirOffline = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    };
    setFaultPlan({ dir: logDir, ops: ['write', 'fsync'], error: 'ENOSPC' });
    expect(await rawProduce(client, 'any', 'both-full', 'x')).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(await rawProduce(client, 'any', 'both-full', 'y')).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(lines.filter((l) => l.includes('Unexpected error'))).toEqual([]);
    expect(errorLines(lines).some((l) => l.includes(`Could not move leadership away from the offline dir ${logDir}: ENOSPC`))).toBe(true);
  });
});
