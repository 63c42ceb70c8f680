/**
 * Many partitions under a small fd limit: the daemon runs under `ulimit -n 256` with 1,000
 * single-partition topics (3,000 segment files), survives SIGKILL and restarts, serves produce and
 * fetch on them, and reports a partition whose log is damaged as offline (one ERROR line naming
 * it) while the others serve. scripts/many-topics.mjs runs the same at 10,000 topics under 4096.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaClient, parseBootstrap } from '../../src/client/client.js';
import { Admin } from '../../src/client/admin.js';
import { Producer } from '../../src/client/producer/producer.js';
import { Fetcher } from '../../src/client/consumer/fetcher.js';
import { Produce } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { tempDir } from '../helpers/tmp.js';
import { BIN, isolatedContexts, stopDaemon } from '../helpers/cli.js';
import { startBroker } from '../helpers/broker.js';

const FD_LIMIT = 256;
const TOPICS = 1000;
const topicName = (i: number) => `many-${String(i).padStart(4, '0')}`;

let home: string;
let cleanup: () => void;
const clients: KafkaClient[] = [];

beforeEach(() => {
  ({ dir: home, cleanup } = tempDir('kafka-ts-many-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stopDaemon(home);
  cleanup();
});

/** `kafka-ts server start` under `ulimit -n FD_LIMIT` (the daemon it forks inherits the limit). */
async function startLimited(extra: string[] = []): Promise<{ bootstrap: string; pid: number; ms: number }> {
  const t0 = Date.now();
  const r = await execa('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, BIN, 'server', 'start', '--port', '0', '--data-dir', home, '--output', 'json', ...extra], {
    reject: false,
    timeout: 60_000,
    env: { KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', ...isolatedContexts(home) },
  });
  const ms = Date.now() - t0;
  if (r.exitCode !== 0) throw new Error(`daemon failed to start under ulimit -n ${FD_LIMIT}: ${String(r.stderr)}${String(r.stdout)}`);
  const status = JSON.parse(String(r.stdout)) as { listeners: string[]; pid: number };
  const bootstrap = status.listeners.find((l) => l.startsWith('PLAINTEXT://'))!.slice('PLAINTEXT://'.length);
  return { bootstrap, pid: status.pid, ms };
}

const connect = (bootstrap: string) => {
  const c = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), connectTimeoutMs: 5000, requestTimeoutMs: 30_000 });
  clients.push(c);
  return c;
};

/** Descriptors the daemon holds, and its soft limit as it sees it. */
function daemonFds(pid: number): { open: number; limit: number } {
  const limit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))![1]);
  return { open: readdirSync(`/proc/${pid}/fd`).length, limit };
}

async function readValues(bootstrap: string, topic: string): Promise<string[]> {
  const f = new Fetcher(connect(bootstrap), { maxWaitMs: 50 });
  await f.assign([{ topic, partition: 0, start: 'earliest' as const }]);
  const out: string[] = [];
  do for (const ch of await f.poll()) for (const r of ch.records) out.push(r.value!.toString());
  while (!f.allAtEnd());
  return out;
}

const SAMPLE = [0, 1, 499, 998, 999];

describe.skipIf(!existsSync('/proc/self/limits'))(`${TOPICS} partitions under ulimit -n ${FD_LIMIT}`, () => {
  it('are created, survive SIGKILL and a restart, and serve produce and fetch; a damaged one is offline', async () => {
    const first = await startLimited();
    expect(daemonFds(first.pid).limit).toBe(FD_LIMIT);
    const client = connect(first.bootstrap);
    const admin = new Admin(client);
    const t0 = Date.now();
    for (let i = 0; i < TOPICS; i += 250) {
      const batch = Array.from({ length: Math.min(250, TOPICS - i) }, (_, k) => ({ name: topicName(i + k), partitions: 1, replicationFactor: 1 }));
      const results = await admin.createTopics(batch);
      const failed = results.filter((r) => r.error);
      expect(failed.map((r) => `${r.name}: ${r.error!.message}`)).toEqual([]);
    }
    const createMs = Date.now() - t0;
    const fds = daemonFds(first.pid);
    expect(fds.open, `daemon fds after ${TOPICS} topics`).toBeLessThan(FD_LIMIT);
    const producer = new Producer(client, { lingerMs: 0, acks: -1 });
    for (const i of SAMPLE) await producer.send({ topic: topicName(i), value: Buffer.from(`before-${i}`) });
    for (const i of SAMPLE) expect(await readValues(first.bootstrap, topicName(i))).toEqual([`before-${i}`]);
    await Promise.all(clients.splice(0).map((c) => c.close()));

    process.kill(first.pid, 'SIGKILL');
    // Damage one partition while the daemon is down: its segment becomes a directory.
    const segment = join(home, 'data', `${topicName(1)}-0`, '00000000000000000000.log');
    rmSync(segment);
    mkdirSync(segment);

    const second = await startLimited();
    const again = connect(second.bootstrap);
    const md = await new Admin(again).metadata([topicName(0), topicName(1)]);
    expect(md.topics.get(topicName(0))!.partitions[0]).toMatchObject({ errorCode: 0, leader: 1 });
    expect(md.topics.get(topicName(1))!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leader: -1, offline: [1] });
    const errors = readFileSync(join(home, 'server.log'), 'utf8')
      .split('\n')
      .filter((l) => / ERROR /.test(l));
    expect(errors.length, errors.join('\n')).toBe(1);
    expect(errors[0]).toMatch(new RegExp(`ERROR Partition ${topicName(1)}-0 is offline \\(KAFKA_STORAGE_ERROR\\): Could not open the log of ${topicName(1)}-0 .*EISDIR`));
    // Sent straight to the broker, a produce to the offline partition gets KAFKA_STORAGE_ERROR.
    const { body } = await again.send<{ responses: { partitionResponses: { errorCode: number }[] }[] }>('any', Produce, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topicName(1), partitionData: [{ index: 0, records: encodeBatch([{ value: Buffer.from('x') }]) }] }],
    });
    expect(body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);

    const healthy = SAMPLE.filter((i) => i !== 1);
    const p2 = new Producer(again, { lingerMs: 0, acks: -1 });
    for (const i of healthy) expect((await p2.send({ topic: topicName(i), value: Buffer.from(`after-${i}`) })).offset).toBe(1);
    for (const i of healthy) expect(await readValues(second.bootstrap, topicName(i))).toEqual([`before-${i}`, `after-${i}`]);
    // A partition not touched before the restart is served too.
    expect((await p2.send({ topic: topicName(TOPICS - 3), value: Buffer.from('late') })).offset).toBe(0);
    expect(daemonFds(second.pid).open).toBeLessThan(FD_LIMIT);
    console.log(
      `[many-partitions] ${TOPICS} topics under ulimit -n ${FD_LIMIT}: start ${first.ms} ms, create ${createMs} ms, daemon fds ${fds.open}; restart after SIGKILL ${second.ms} ms`,
    );
  }, 120_000);

  it('give descriptors back when the process runs out (EMFILE) with a cache larger than the limit', async () => {
    // A cap far above the limit: opening segment files hits EMFILE, and the cache must close
    // half of its descriptors and retry instead of failing topic creation.
    const d = await startLimited(['--override', 'kafka-ts.max.open.files=100000']);
    const admin = new Admin(connect(d.bootstrap));
    const names = Array.from({ length: 150 }, (_, i) => `emfile-${i}`);
    const results = await admin.createTopics(names.map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
    expect(results.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`)).toEqual([]);
    const producer = new Producer(connect(d.bootstrap), { lingerMs: 0 });
    for (const name of [names[0]!, names[149]!]) await producer.send({ topic: name, value: Buffer.from(name) });
    expect(await readValues(d.bootstrap, names[0]!)).toEqual([names[0]]);
    expect(await readValues(d.bootstrap, names[149]!)).toEqual([names[149]]);
    expect(daemonFds(d.pid).open).toBeLessThanOrEqual(FD_LIMIT);
    const warnings = readFileSync(join(home, 'server.log'), 'utf8').split('\n').filter((l) => l.includes('Too many open files'));
    expect(warnings[0]).toMatch(/ WARN Too many open files \(EMFILE\): closed \d+ segment files; at most \d+ stay open from now on \(kafka-ts.max.open.files\)/);
  }, 60_000);
});

describe.skipIf(!existsSync('/proc/self/fd'))('kafka-ts.max.open.files', () => {
  it('caps the segment files the broker holds open, whatever the number of partitions', async () => {
    const broker = await startBroker({ properties: { 'kafka-ts.max.open.files': '12' } });
    try {
      const client = broker.client();
      const names = Array.from({ length: 60 }, (_, i) => `capped-${i}`);
      const created = await new Admin(client).createTopics(names.map((name) => ({ name, partitions: 1, replicationFactor: 1 })));
      expect(created.filter((r) => r.error)).toEqual([]);
      const producer = new Producer(client, { lingerMs: 0 });
      for (const name of names) await producer.send({ topic: name, value: Buffer.from(name) });
      const segmentFds = readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        // meta/metadata.log is the cluster metadata log (one descriptor, always open), not a segment.
        .filter((target) => target.startsWith(broker.dir) && !target.startsWith(join(broker.dir, 'meta')) && /\.(log|index|timeindex)$/.test(target));
      expect(segmentFds.length, segmentFds.join('\n')).toBeLessThanOrEqual(12);
      expect(await readValues(broker.bootstrap, names[0]!)).toEqual([names[0]]);
    } finally {
      await broker.close();
    }
  });
});
