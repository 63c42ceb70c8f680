/**
 * The metadata log from outside: topic creation is atomic (metadata and logs together or
 * neither), start-up repairs what a crash between the two left, and a daemon killed with SIGKILL
 * while creating topics comes back with every topic it acknowledged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '../../src/client/admin.js';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { CreateTopics, Produce } from '../../src/protocol/apis/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { startDaemon, stopDaemon } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(dir: string, lines?: string[]): Promise<TestBroker> {
  const b = await startBroker({ dir, log: lines ? createLogger((l) => lines.push(l), 'test', 'INFO') : undefined });
  cleanups.push(() => b.close(true));
  return b;
}

/** The error of a start that should be refused (null when it started: it is closed after the test). */
const refusedStart = (dir: string): Promise<Error | null> =>
  startBroker({ dir }).then(
    (x) => (cleanups.push(() => x.close(true)), null),
    (e: Error) => e,
  );

function tmp(): string {
  const t = tempDir('kafka-ts-metalog-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const createTopics = (b: TestBroker, names: { name: string; partitions: number }[]) =>
  b.client().send('controller', CreateTopics, {
    topics: names.map((n) => ({ name: n.name, numPartitions: n.partitions, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 5000,
    validateOnly: false,
  });

describe('atomic topic creation', () => {
  it('creates a topic with its logs or not at all (a log that cannot be created fails the topic with KAFKA_STORAGE_ERROR)', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const b = await broker(dir, lines);
    const logDir = b.cluster.logDirFor(1);
    // Partition 1's log directory cannot be made: a file is in its place.
    writeFileSync(join(logDir, 'blocked-1'), 'not a directory');
    const { body } = await createTopics(b, [
      { name: 'blocked', partitions: 3 },
      { name: 'fine', partitions: 1 },
    ]);
    const [blocked, fine] = body.topics;
    expect(blocked).toMatchObject({ name: 'blocked', errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(blocked!.errorMessage).toMatch(/^Could not create topic blocked: .*blocked-1/);
    expect(blocked!.errorMessage).not.toContain('\n');
    expect(fine).toMatchObject({ name: 'fine', errorCode: 0 });
    expect(b.cluster.metadata.topic('blocked')).toBeUndefined();
    // Partition 0's log, made before partition 1 failed, is gone again.
    expect(existsSync(join(logDir, 'blocked-0'))).toBe(false);
    expect(existsSync(join(logDir, 'fine-0'))).toBe(true);
    expect(lines.some((l) => l.includes('ERROR Could not create topic blocked'))).toBe(true);

    await b.close(true);
    rmSync(join(logDir, 'blocked-1'), { force: true });
    const again = await broker(dir);
    expect(again.cluster.metadata.topic('blocked')).toBeUndefined();
    expect(again.cluster.metadata.topic('fine')).toBeDefined();
    // The name is free: creating it now works.
    const retry = await createTopics(again, [{ name: 'blocked', partitions: 3 }]);
    expect(retry.body.topics[0]!.errorCode).toBe(0);
  });

  // A topic of more than 100 partitions gets its logs in slices after the metadata change (one
  // request for 10,000 partitions held every client for 2-18 s). A slice of 0 ms creates one log
  // a turn, so the test sees the creation part-way through; no timing is asserted.
  it('creates the logs of a topic of many partitions in slices: other requests are answered meanwhile, CreateTopics once every log exists', async () => {
    const b = await broker(tmp());
    const logDir = b.cluster.logDirFor(1);
    b.cluster.broker(1)!.passSliceMs = 0;
    const partitions = 300;
    const logsOf = (topic: string) => readdirSync(logDir).filter((f) => f.startsWith(`${topic}-`)).length;
    const settled: string[] = [];
    const create = createTopics(b, [{ name: 'wide', partitions }]).then((r) => (settled.push('create'), r));
    const other = b.client('other');
    const deadline = Date.now() + 30_000;
    while (logsOf('wide') === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const partWay = logsOf('wide');
    expect(partWay).toBeGreaterThan(0);
    await new Admin(other).createTopics([{ name: 'narrow', partitions: 1, replicationFactor: 1 }]);
    settled.push('narrow');
    const { body } = await create;
    expect(body.topics[0]).toMatchObject({ name: 'wide', errorCode: 0 });
    // The small topic was created while the wide one's logs were still being made.
    expect(settled).toEqual(['narrow', 'create']);
    expect(partWay).toBeLessThan(partitions);
    // Answered once every log exists and leads: the last partition takes a record at once.
    expect(logsOf('wide')).toBe(partitions);
    const [sent] = await new Admin(other).listOffsets([{ topic: 'wide', partition: partitions - 1, timestamp: -1 }]);
    expect(sent!.offset).toBe(0);
    const { body: produced } = await other.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'wide', partitionData: [{ index: partitions - 1, records: encodeBatch([{ value: Buffer.from('last') }]) }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
  });

  it('deletes a topic of many partitions again when a log made in a later slice cannot be created (KAFKA_STORAGE_ERROR)', async () => {
    const lines: string[] = [];
    const b = await broker(tmp(), lines);
    const logDir = b.cluster.logDirFor(1);
    b.cluster.broker(1)!.passSliceMs = 0;
    writeFileSync(join(logDir, 'wide-250'), 'not a directory');
    const { body } = await createTopics(b, [{ name: 'wide', partitions: 300 }]);
    expect(body.topics[0]).toMatchObject({ name: 'wide', errorCode: ErrorCode.KAFKA_STORAGE_ERROR });
    expect(body.topics[0]!.errorMessage).toMatch(/^Could not create topic wide: .*wide-250/);
    expect(b.cluster.metadata.topic('wide')).toBeUndefined();
    // The logs made before it are gone (set aside for removal) and none was made after it.
    expect(readdirSync(logDir).filter((f) => /^wide-\d+$/.test(f))).toEqual([]);
    expect(lines.some((l) => l.includes('ERROR Could not create topic wide'))).toBe(true);
    // The name is free again once the file is out of the way.
    rmSync(join(logDir, 'wide-250'), { force: true });
    const retry = await createTopics(b, [{ name: 'wide', partitions: 300 }]);
    expect(retry.body.topics[0]!.errorCode).toBe(0);
  });

  it('creates a topic again after its deletion while a stopped broker still holds one of its old logs offline', async () => {
    const b = await startBroker({ dir: tmp(), properties: { 'kafka-ts.brokers': '2' } });
    cleanups.push(() => b.close());
    const admin = new Admin(b.client());
    await admin.createTopics([{ name: 'again', partitions: 1, replicationFactor: 2 }]);
    // Broker 2 could not open again-0 (as damaged files at its start would leave it), then stopped:
    // it hears of no metadata change until it runs again.
    b.cluster.broker(2)!.offline.set('again-0', 'damaged at start');
    await b.cluster.stopBroker(2);
    expect((await admin.deleteTopics(['again']))[0]!.error).toBeNull();
    const [created] = await admin.createTopics([{ name: 'again', partitions: 1, replicationFactor: 2 }]);
    expect(created!.error).toBeNull();
    expect(b.cluster.metadata.topic('again')).toBeDefined();
  });

  it('answers CreatePartitions for many new partitions once their logs exist', async () => {
    const b = await broker(tmp());
    b.cluster.broker(1)!.passSliceMs = 0;
    const admin = new Admin(b.client());
    await admin.createTopics([{ name: 'grown', partitions: 1, replicationFactor: 1 }]);
    expect((await admin.createPartitions('grown', 250, null)).error).toBeNull();
    const broker1 = b.cluster.broker(1)!;
    expect(Array.from({ length: 250 }, (_, p) => broker1.replica('grown', p) !== undefined).every(Boolean)).toBe(true);
    const [end] = await admin.listOffsets([{ topic: 'grown', partition: 249, timestamp: -1 }]);
    expect(end!.offset).toBe(0);
  });

  it('on start, creates a missing log of a known topic (INFO) and removes a log without a topic (WARN)', async () => {
    const dir = tmp();
    const b = await broker(dir);
    const logDir = b.cluster.logDirFor(1);
    await new Admin(b.client()).createTopics([{ name: 'known', partitions: 2, replicationFactor: 1 }]);
    await b.close(true);
    // As a crash between the record and the logs, and before the record, would leave them.
    rmSync(join(logDir, 'known-1'), { recursive: true });
    mkdirSync(join(logDir, 'orphan-0'));
    const lines: string[] = [];
    const again = await broker(dir, lines);
    expect(lines.find((l) => l.includes('known-1'))).toMatch(/INFO Creating the missing log of known-1 in .* \(its topic was created while this broker was down, or just before a crash\)/);
    expect(lines.find((l) => l.includes('orphan-0'))).toMatch(/WARN Removing stray log orphan-0/);
    expect(existsSync(join(logDir, 'known-1'))).toBe(true);
    expect(existsSync(join(logDir, 'orphan-0'))).toBe(false);
    expect(again.cluster.broker(1)!.replica('known', 1)).toBeDefined();
  });

  it('names the first ten stray logs it removes and counts the rest in one line', async () => {
    const dir = tmp();
    const b = await broker(dir);
    const logDir = b.cluster.logDirFor(1);
    await b.close(true);
    for (let i = 0; i < 25; i++) mkdirSync(join(logDir, `gone-${i}`));
    const lines: string[] = [];
    await broker(dir, lines);
    const stray = lines.filter((l) => l.includes('stray log'));
    expect(stray.filter((l) => /WARN Removing stray log gone-\d+ /.test(l))).toHaveLength(10);
    expect(stray.at(-1)).toMatch(/WARN Removed or set aside 15 more stray logs \(25 in all\) of topics no longer assigned to broker 1\b/);
    expect(stray).toHaveLength(11);
    for (let i = 0; i < 25; i++) expect(existsSync(join(logDir, `gone-${i}`))).toBe(false);
  });
});

describe('log directories and their cluster (meta.properties)', () => {
  const produceOne = async (b: TestBroker, topic: string) => {
    const { Producer } = await import('../../src/client/producer/producer.js');
    const p = new Producer(b.client(), { lingerMs: 0 });
    await p.send({ topic, value: Buffer.from('kept') });
    await p.close();
  };

  it('a new cluster (its metadata log moved aside) refuses a log dir of another one, keeping every log, as Kafka refuses an invalid cluster.id', async () => {
    const dir = tmp();
    const b = await broker(dir);
    const logDir = b.cluster.logDirFor(1);
    const clusterId = b.cluster.metadata.clusterId;
    await new Admin(b.client()).createTopics([{ name: 'precious', partitions: 2, replicationFactor: 1 }]);
    await produceOne(b, 'precious');
    await b.close(true);
    expect(readFileSync(join(logDir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${clusterId}\n`);
    renameSync(join(dir, 'meta'), join(dir, 'meta.aside'));
    const refused = await refusedStart(dir);
    expect(refused?.message).toMatch(new RegExp(`^Invalid cluster\\.id in: .*meta\\.properties\\. Expected \\S+, but read ${clusterId}\\. .*moved aside or lost`));
    // Nothing was removed: the old metadata brings every topic back.
    expect(existsSync(join(logDir, 'precious-0')) && existsSync(join(logDir, 'precious-1'))).toBe(true);
    rmSync(join(dir, 'meta'), { recursive: true, force: true });
    renameSync(join(dir, 'meta.aside'), join(dir, 'meta'));
    const again = await broker(dir);
    expect(again.cluster.metadata.clusterId).toBe(clusterId);
    expect(again.cluster.broker(1)!.replica('precious', 0)!.logEndOffset() + again.cluster.broker(1)!.replica('precious', 1)!.logEndOffset()).toBe(1);
  });

  it('a log dir of an older kafka-ts (no meta.properties) holding logs is refused by a new cluster too', async () => {
    const dir = tmp();
    const b = await broker(dir);
    const logDir = b.cluster.logDirFor(1);
    await new Admin(b.client()).createTopics([{ name: 'old', partitions: 1, replicationFactor: 1 }]);
    await b.close(true);
    rmSync(join(logDir, 'meta.properties'));
    rmSync(join(dir, 'meta'), { recursive: true });
    // Every start is refused alike: the refused one leaves no cluster behind to be found next time.
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await refusedStart(dir);
      expect(refused?.message).toMatch(/^The log directory .* holds \d+ partition log\(s\), but the cluster metadata is new/);
      expect(existsSync(join(logDir, 'old-0'))).toBe(true);
      expect(existsSync(join(logDir, 'meta.properties'))).toBe(false);
    }
  });

  it('a stray log that holds records is set aside (renamed …-stray), not deleted', async () => {
    const dir = tmp();
    const b = await broker(dir);
    const logDir = b.cluster.logDirFor(1);
    await b.close(true);
    mkdirSync(join(logDir, 'lost-0'));
    writeFileSync(join(logDir, 'lost-0', '00000000000000000000.log'), Buffer.alloc(100, 1));
    const lines: string[] = [];
    await broker(dir, lines);
    expect(lines.find((l) => l.includes('lost-0'))).toMatch(/WARN Setting aside stray log lost-0 as .*lost-0\.[0-9a-z]+-stray \(no longer assigned to broker 1; it holds records/);
    expect(existsSync(join(logDir, 'lost-0'))).toBe(false);
    const aside = readdirSync(logDir).filter((f) => /^lost-0\.[0-9a-z]+-stray$/.test(f));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(logDir, aside[0]!, '00000000000000000000.log'))).toEqual(Buffer.alloc(100, 1));
  });
});

describe('metadata log of the daemon', () => {
  it('keeps every topic it acknowledged across SIGKILL in the middle of creating topics, each with its log', async () => {
    const home = tmp();
    cleanups.push(() => stopDaemon(home));
    const { bootstrap, status } = await startDaemon(home);
    const client = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
    cleanups.push(() => client.close());
    const acknowledged: string[] = [];
    const send = (b: number) =>
      client.send('controller', CreateTopics, {
        topics: Array.from({ length: 20 }, (_, i) => ({ name: `t-${b}-${i}`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
        timeoutMs: 5000,
        validateOnly: false,
      });
    for (let b = 0; b < 10; b++) {
      const { body } = await send(b);
      for (const t of body.topics) if (t.errorCode === 0) acknowledged.push(t.name);
    }
    expect(acknowledged).toHaveLength(200);
    // The kill lands while the next batch is in flight: it may be kept or not, but not in part.
    const inFlight = send(10).catch(() => null);
    await new Promise<void>((resolve) => setImmediate(resolve));
    process.kill(status.pid as number, 'SIGKILL');
    const late = await inFlight;
    if (late) for (const t of late.body.topics) if (t.errorCode === 0) acknowledged.push(t.name);

    const restarted = await startDaemon(home);
    const c2 = new KafkaClient({ bootstrap: parseBootstrap(restarted.bootstrap), connectTimeoutMs: 2000, requestTimeoutMs: 5000 });
    cleanups.push(() => c2.close());
    const listed = new Set((await new Admin(c2).listTopics()).map((t) => t.name));
    for (const name of acknowledged) expect(listed.has(name), `acknowledged topic ${name} after restart`).toBe(true);
    // Every topic has its log, and every log its topic.
    const logs = readdirSync(join(home, 'data')).filter((d) => /^t-\d+-\d+-0$/.test(d));
    const topics = [...listed].filter((n) => n.startsWith('t-'));
    expect(logs.sort()).toEqual(topics.map((n) => `${n}-0`).sort());
  });
});
