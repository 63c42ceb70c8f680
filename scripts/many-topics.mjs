#!/usr/bin/env node
// Many single-partition topics under a small fd limit (issue 14): starts the built daemon under
// `ulimit -n LIMIT`, creates TOPICS topics in requests of CHUNK, produces to and fetches from a
// few, SIGKILLs it, restarts it (timed), and checks the records again. Also times the storage
// part alone (DiskLogStore creating and reopening TOPICS partitions through the fd cache, in
// process) so that the metadata cost of topic creation can be told apart.
//
//   npm run build && node scripts/many-topics.mjs [--topics 10000] [--ulimit 4096] [--chunk 1000] [--storage-only]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'kafka-ts.cjs');
const { values: args } = parseArgs({
  options: { topics: { type: 'string', default: '10000' }, ulimit: { type: 'string', default: '4096' }, chunk: { type: 'string', default: '1000' }, keep: { type: 'boolean', default: false }, 'storage-only': { type: 'boolean', default: false } },
});
const TOPICS = Number(args.topics);
const LIMIT = Number(args.ulimit);
const CHUNK = Number(args.chunk);
const name = (i) => `t-${String(i).padStart(5, '0')}`;
const SAMPLE = [0, 1, Math.floor(TOPICS / 2), TOPICS - 2, TOPICS - 1];

const { KafkaClient, parseBootstrap } = await import(join(ROOT, 'dist/src/client/client.js'));
const { Admin } = await import(join(ROOT, 'dist/src/client/admin.js'));
const { Producer } = await import(join(ROOT, 'dist/src/client/producer/producer.js'));
const { Fetcher } = await import(join(ROOT, 'dist/src/client/consumer/fetcher.js'));
const { DiskLogStore } = await import(join(ROOT, 'dist/src/storage/disk/disk-store.js'));
const { FdCache, defaultFdCapacity } = await import(join(ROOT, 'dist/src/storage/disk/fd-cache.js'));
const { DEFAULT_LOG_CONFIG } = await import(join(ROOT, 'dist/src/storage/log-store.js'));

const home = mkdtempSync(join(tmpdir(), 'kafka-ts-many-topics-'));
const env = { ...process.env, KAFKA_TS_HOME: home, NO_COLOR: '1', KAFKA_BOOTSTRAP_SERVERS: '', KAFKA_TS_CONTEXT: '', KAFKA_TS_CONFIG_DIR: join(home, '.config') };
const results = {};
const log = (...a) => console.log(...a);

function server(action) {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `ulimit -n ${LIMIT} && exec "$0" "$@"`, process.execPath, BIN, 'server', action, '--port', '0', '--data-dir', home, '--output', 'json', '--timeout', '120000'], { env, encoding: 'utf8' });
  const ms = Math.round(performance.now() - t0);
  if (r.status !== 0) throw new Error(`server ${action} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return { ms, status: action === 'start' ? JSON.parse(r.stdout) : null };
}
const daemonFds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const daemonRssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const bootstrapOf = (status) => status.listeners.find((l) => l.startsWith('PLAINTEXT://')).slice('PLAINTEXT://'.length);

async function readValues(client, topic) {
  const f = new Fetcher(client, { maxWaitMs: 50 });
  await f.assign([{ topic, partition: 0, start: 'earliest' }]);
  const out = [];
  do for (const ch of await f.poll()) for (const r of ch.records) out.push(r.value.toString());
  while (!f.allAtEnd());
  return out;
}

function storageOnly() {
  // The fd part alone: TOPICS partitions created, appended to once, closed and reopened after a
  // crash, through a cache of half the limit (what the daemon gets by default).
  const dir = mkdtempSync(join(tmpdir(), 'kafka-ts-many-topics-store-'));
  const cap = defaultFdCapacity(`Max open files            ${LIMIT}                 ${LIMIT}                 files\n`);
  try {
    let t0 = performance.now();
    let store = new DiskLogStore(dir, undefined, new FdCache(cap));
    for (let i = 0; i < TOPICS; i++) store.open(name(i), 0, DEFAULT_LOG_CONFIG);
    const create = performance.now() - t0;
    store.close();
    t0 = performance.now();
    store = new DiskLogStore(dir, undefined, new FdCache(cap));
    for (let i = 0; i < TOPICS; i++) store.open(name(i), 0, DEFAULT_LOG_CONFIG);
    const cleanReopen = performance.now() - t0;
    store.close();
    rmSync(join(dir, '.kafka_cleanshutdown'));
    t0 = performance.now();
    store = new DiskLogStore(dir, undefined, new FdCache(cap));
    for (let i = 0; i < TOPICS; i++) store.open(name(i), 0, DEFAULT_LOG_CONFIG);
    const reopen = performance.now() - t0;
    const stats = store.fds.stats();
    store.close();
    return { capacity: cap, createMs: Math.round(create), cleanReopenMs: Math.round(cleanReopen), reopenAfterCrashMs: Math.round(reopen), opens: stats.opens, evictions: stats.evictions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  log(`${TOPICS} topics of one partition under ulimit -n ${LIMIT} (data in ${home})`);
  results.storageOnly = storageOnly();
  log('storage alone (in process):', results.storageOnly);
  if (args['storage-only']) {
    rmSync(home, { recursive: true, force: true });
    process.exit(0);
  }

  const first = server('start');
  const pid = first.status.pid;
  results.firstStartMs = first.ms;
  let client = new KafkaClient({ bootstrap: parseBootstrap(bootstrapOf(first.status)), connectTimeoutMs: 5000, requestTimeoutMs: 600_000 });
  const admin = new Admin(client);
  const chunks = [];
  const t0 = performance.now();
  for (let i = 0; i < TOPICS; i += CHUNK) {
    const c0 = performance.now();
    const res = await admin.createTopics(Array.from({ length: Math.min(CHUNK, TOPICS - i) }, (_, k) => ({ name: name(i + k), partitions: 1, replicationFactor: 1 })));
    const failed = res.filter((r) => r.error);
    if (failed.length) throw new Error(`${failed.length} topics failed, first: ${failed[0].name}: ${failed[0].error.message}`);
    chunks.push(Math.round(performance.now() - c0));
  }
  results.createMs = Math.round(performance.now() - t0);
  results.createChunkMs = chunks;
  // The metadata is a log with snapshots (meta/metadata.log, meta/snapshot.json).
  results.metadataFileBytes = readdirSync(join(home, 'meta')).reduce((n, f) => n + statSync(join(home, 'meta', f)).size, 0);
  results.daemonFdsAfterCreate = daemonFds(pid);
  results.daemonRssMbAfterCreate = daemonRssMb(pid);
  log(`created in ${results.createMs} ms (per ${CHUNK}: ${chunks.join(', ')} ms); daemon fds ${results.daemonFdsAfterCreate}, RSS ${results.daemonRssMbAfterCreate} MB`);

  let producer = new Producer(client, { lingerMs: 0, acks: -1 });
  for (const i of SAMPLE) await producer.send({ topic: name(i), value: Buffer.from(`before-${i}`) });
  for (const i of SAMPLE) {
    const got = await readValues(client, name(i));
    if (got.join() !== `before-${i}`) throw new Error(`${name(i)}: read ${JSON.stringify(got)}`);
  }
  await client.close();

  process.kill(pid, 'SIGKILL');
  const second = server('start');
  results.restartAfterSigkillMs = second.ms;
  results.daemonFdsAfterRestart = daemonFds(second.status.pid);
  results.daemonRssMbAfterRestart = daemonRssMb(second.status.pid);
  log(`restart after SIGKILL: ${second.ms} ms (server start until it answers); fds ${results.daemonFdsAfterRestart}, RSS ${results.daemonRssMbAfterRestart} MB`);
  client = new KafkaClient({ bootstrap: parseBootstrap(bootstrapOf(second.status)), connectTimeoutMs: 5000, requestTimeoutMs: 60_000 });
  producer = new Producer(client, { lingerMs: 0, acks: -1 });
  for (const i of SAMPLE) {
    const meta = await producer.send({ topic: name(i), value: Buffer.from(`after-${i}`) });
    if (meta.offset !== 1) throw new Error(`${name(i)}: offset ${meta.offset} after restart`);
  }
  for (const i of SAMPLE) {
    const got = await readValues(client, name(i));
    if (got.join() !== `before-${i},after-${i}`) throw new Error(`${name(i)}: read ${JSON.stringify(got)} after restart`);
  }
  await client.close();
  log(`produce/fetch on ${SAMPLE.map(name).join(', ')} before and after the restart: ok`);

  const stop = server('stop');
  const third = server('start');
  results.cleanStopMs = stop.ms;
  results.restartAfterCleanStopMs = third.ms;
  log(`clean stop ${stop.ms} ms, restart ${third.ms} ms`);
  server('stop');
  console.log(JSON.stringify(results));
} finally {
  spawnSync(process.execPath, [BIN, 'server', 'stop', '--data-dir', home], { env });
  if (!args.keep) rmSync(home, { recursive: true, force: true });
}
