// Topic creation at scale and the metadata log (issue 14): 10,000 topics of one partition
// created in CreateTopics batches of 100 against the daemon, then one more topic at 10,000, then
// a restart after SIGKILL. The daemon's event loop is watched from inside with
// perf_hooks.monitorEventLoopDelay (a preload module given through NODE_OPTIONS, loaded only in
// the daemon process), and from outside as the ApiVersions round trip on a side connection
// (which also waits for the metadata group commit, as every response does).
// The peer is the file-system floor: mkdir of 10,000 directories and an fsync'd append per batch.
//
// Targets: total < 60 s, one more topic at 10,000 < 50 ms, longest event-loop stall < 50 ms
// (snapshots included: the daemon runs with metadata.log.max.record.bytes.between.snapshots=1 MiB
// so several are taken during the run), restart after SIGKILL < 5 s. BENCH_KEEP=1 keeps the
// temp dir (server.log, the per-100-ms event-loop file loop.txt and the run's window.txt).
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCALE, fmt, kafkaTs, table } from './lib.js';

const lib = (path) => import(join(ROOT, 'dist', 'src', path));
const now = () => performance.now();

const PRELOAD = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';
if (process.env.KAFKA_TS_DAEMON === '1' && process.env.BENCH_LOOP_FILE) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  // One line per 100 ms window: wall-clock ms and the longest delay seen in it (ms).
  setInterval(() => {
    appendFileSync(process.env.BENCH_LOOP_FILE, Date.now() + ' ' + (h.max / 1e6).toFixed(1) + '\\n');
    h.reset();
  }, 100).unref();
}
`;

function loopMax(file, from, to) {
  let max = 0;
  let at = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [t, ms] = line.split(' ').map(Number);
    if (!t || t < from || t > to + 100) continue;
    if (ms > max) [max, at] = [ms, t];
  }
  return { max, at };
}

/**
 * The metadata layer alone at full scale, in this process: ClusterMetadata on a temp dir, no
 * brokers and no partition logs. The peer is what each change cost before the log: the whole
 * state serialized and written to cluster.json.tmp, then renamed.
 */
async function metadataAlone(total, work) {
  const { ClusterMetadata } = await lib('broker/metadata/cluster-metadata.js');
  const dir = join(work, 'alone');
  let md = ClusterMetadata.open(dir);
  let t0 = now();
  for (let i = 0; i < total; i++) md.createTopic(`topic-${i}`, [[1]], {});
  await md.durable();
  const createSeconds = (now() - t0) / 1000;
  t0 = now();
  md.createTopic('one-more', [[1]], {});
  await md.durable();
  const oneMoreMs = now() - t0;
  // The old save: the whole document, written and renamed.
  const topics = md.allTopics().map((t) => ({ ...t, id: t.id.toString('base64url') }));
  t0 = now();
  writeFileSync(join(work, 'cluster.json.tmp'), JSON.stringify({ version: 1, clusterId: md.clusterId, nextProducerId: 0, brokerConfigs: {}, topics }));
  renameSync(join(work, 'cluster.json.tmp'), join(work, 'cluster.json'));
  const oldSaveMs = now() - t0;
  await md.close();
  t0 = now();
  md = ClusterMetadata.open(dir);
  const replayMs = now() - t0;
  await md.close();
  // A snapshot: reopened with a threshold below the log's size, one more change takes it.
  md = ClusterMetadata.open(dir, { snapshotBytes: 1 });
  md.createTopic('snapshot-trigger', [[1]], {});
  await new Promise((r) => setImmediate(r));
  await md.close();
  const snapshot = md.lastSnapshot;
  t0 = now();
  md = ClusterMetadata.open(dir);
  const reopenMs = now() - t0;
  await md.close();
  return { createSeconds, oneMoreMs, oldSaveMs, replayMs, reopenMs, snapshot };
}

export async function run() {
  const { KafkaClient, parseBootstrap } = await lib('client/client.js');
  const { CreateTopics, ApiVersions } = await lib('protocol/apis/index.js');
  const total = Math.round(10_000 * SCALE);
  const perBatch = 100;
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || Infinity;
  // Segment files are opened on demand through a bounded cache, so no cap by the fd limit.
  const daemonTotal = total;
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-metadata-'));
  const home = join(work, 'home');
  mkdirSync(home);
  const preload = join(work, 'loop-monitor.mjs');
  writeFileSync(preload, PRELOAD);
  const loopFile = join(work, 'loop.txt');
  writeFileSync(loopFile, '');
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(), BENCH_LOOP_FILE: loopFile };
  const start = (extra = []) => {
    const r = kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--output', 'json', '--override', 'metadata.log.max.record.bytes.between.snapshots=1048576', ...extra], home, { env: { ...env, KAFKA_TS_HOME: home } });
    const status = JSON.parse(r.stdout);
    return { pid: status.pid, bootstrap: status.listeners.find((l) => l.startsWith('PLAINTEXT://')).slice('PLAINTEXT://'.length) };
  };
  const clients = [];
  const connect = (bootstrap) => {
    const c = new KafkaClient({ bootstrap: parseBootstrap(bootstrap), connectTimeoutMs: 5000, requestTimeoutMs: 120_000 });
    clients.push(c);
    return c;
  };
  const create = async (client, names) => {
    const { body } = await client.send('controller', CreateTopics, {
      topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 60_000,
      validateOnly: false,
    });
    const bad = body.topics.find((t) => t.errorCode !== 0);
    if (bad) throw new Error(`CreateTopics ${bad.name}: ${bad.errorCode} ${bad.errorMessage}`);
  };

  try {
    let daemon = start();
    const client = connect(daemon.bootstrap);
    const side = connect(daemon.bootstrap);
    await side.send('any', ApiVersions, { clientSoftwareName: 'bench', clientSoftwareVersion: '1' });

    // ApiVersions round trips on a side connection while topics are created.
    let probing = true;
    let probeMax = 0;
    const probes = [];
    const probe = (async () => {
      while (probing) {
        const t0 = now();
        await side.send('any', ApiVersions, { clientSoftwareName: 'bench', clientSoftwareVersion: '1' });
        const ms = now() - t0;
        probes.push(ms);
        probeMax = Math.max(probeMax, ms);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const batchMs = [];
    const wallFrom = Date.now();
    const t0 = now();
    let created = 0;
    let failure = null;
    for (let b = 0; b * perBatch < daemonTotal; b++) {
      const names = Array.from({ length: Math.min(perBatch, daemonTotal - b * perBatch) }, (_, i) => `topic-${b * perBatch + i}`);
      const s = now();
      try {
        await create(client, names);
      } catch (e) {
        failure = e.message;
        console.log(`stopped after ${fmt(created)} topics: ${failure}`);
        break;
      }
      created += names.length;
      batchMs.push(now() - s);
    }
    const totalS = (now() - t0) / 1000;
    const wallTo = Date.now();
    probing = false;
    await probe;
    const stall = loopMax(loopFile, wallFrom, wallTo);
    if (process.env.BENCH_KEEP) writeFileSync(join(work, 'window.txt'), `${wallFrom} ${wallTo}\n`);

    // One more topic at 10,000, a few times.
    const oneMore = [];
    for (let i = 0; i < 5 && !failure; i++) {
      const s = now();
      await create(client, [`one-more-${i}`]);
      oneMore.push(now() - s);
    }
    oneMore.sort((a, b) => a - b);
    const alone = await metadataAlone(total, work);

    const log = readFileSync(join(home, 'server.log'), 'utf8');
    // serializeMs: the longest slice (what held the event loop); totalMs: across all its turns.
    const snapshots = [...log.matchAll(/Wrote the metadata snapshot at offset (\d+) \((\d+) bytes; serialized in ([\d.]+) ms over (\d+) turns, the longest ([\d.]+) ms; written in ([\d.]+) ms\)/g)].map((m) => ({
      offset: Number(m[1]),
      bytes: Number(m[2]),
      totalMs: Number(m[3]),
      slices: Number(m[4]),
      serializeMs: Number(m[5]),
      writeMs: Number(m[6]),
    }));
    const metaBytes = readdirSync(join(home, 'meta')).map((f) => ({ f, size: readFileSync(join(home, 'meta', f)).length }));

    // Restart after SIGKILL: from the kill to a daemon answering.
    for (const c of clients.splice(0)) await c.close();
    process.kill(daemon.pid, 'SIGKILL');
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
      try {
        process.kill(daemon.pid, 0);
      } catch {
        break;
      }
    }
    const r0 = now();
    daemon = start();
    const restartS = (now() - r0) / 1000;
    const check = connect(daemon.bootstrap);
    const { body: md } = await check.send('any', (await lib('protocol/apis/index.js')).Metadata, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const topicsAfter = md.topics.filter((t) => t.name.startsWith('topic-') || t.name.startsWith('one-more-')).length;
    for (const c of clients.splice(0)) await c.close();
    kafkaTs(['server', 'stop', '--data-dir', home], home, { allowFail: true, env: { ...env, KAFKA_TS_HOME: home } });

    // Peer: the file-system floor of the same work.
    const peerDir = join(work, 'peer');
    mkdirSync(peerDir);
    const fd = openSync(join(peerDir, 'append.log'), 'a');
    const p0 = now();
    for (let b = 0; b * perBatch < total; b++) {
      for (let i = 0; i < perBatch; i++) mkdirSync(join(peerDir, `topic-${b * perBatch + i}-0`));
      writeSync(fd, Buffer.alloc(perBatch * 250));
      fsyncSync(fd);
    }
    const peerS = (now() - p0) / 1000;
    closeSync(fd);

    const at5000 = batchMs.slice(Math.floor(5000 / perBatch), Math.floor(5500 / perBatch)).reduce((a, b) => a + b, 0);
    const sortedProbes = [...probes].sort((a, b) => a - b);
    const p99 = sortedProbes[Math.floor(sortedProbes.length * 0.99)] ?? 0;
    const maxSnap = snapshots.reduce((m, s) => Math.max(m, s.serializeMs), 0);
    table([
      { benchmark: `create ${fmt(created)} topics, batches of ${perBatch}${failure ? ` (of ${fmt(daemonTotal)}: ${failure.slice(0, 60)})` : ''}`, 'kafka-ts': `${fmt(totalS, 1)} s`, peer: `mkdir + fsync'd append ${fmt(peerS, 1)} s`, target: '< 60 s' },
      { benchmark: 'create 500 topics at 5,000 (5 batches)', 'kafka-ts': `${fmt(at5000 / 1000, 2)} s`, peer: 'before the log: 9.7 s', target: 'report' },
      { benchmark: `create one more topic at ${fmt(created)} (median of 5)`, 'kafka-ts': oneMore.length ? `${fmt(oneMore[2], 1)} ms` : '-', peer: oneMore.length ? `max ${fmt(oneMore[4], 1)} ms` : '-', target: '< 50 ms' },
      { benchmark: 'longest event-loop stall while creating (monitorEventLoopDelay)', 'kafka-ts': `${fmt(stall.max, 1)} ms`, peer: `slowest batch ${fmt(Math.max(...batchMs), 0)} ms`, target: '< 50 ms' },
      { benchmark: 'ApiVersions on a side connection while creating', 'kafka-ts': `max ${fmt(probeMax, 1)} ms`, peer: `p99 ${fmt(p99, 1)} ms`, target: 'report' },
      { benchmark: `metadata snapshots during the run (${snapshots.length})`, 'kafka-ts': `longest serialization slice ${fmt(maxSnap, 1)} ms`, peer: `last ${fmt((snapshots.at(-1)?.bytes ?? 0) / 1e6, 2)} MB`, target: '< 50 ms' },
      { benchmark: `restart after SIGKILL at ${fmt(created)} topics`, 'kafka-ts': `${fmt(restartS, 2)} s`, peer: `${topicsAfter} topics back`, target: '< 5 s' },
      { benchmark: `metadata alone: ${fmt(total)} topics created (ClusterMetadata, no logs)`, 'kafka-ts': `${fmt(alone.createSeconds, 2)} s`, peer: `one save of the old cluster.json at ${fmt(total)}: ${fmt(alone.oldSaveMs, 1)} ms`, target: 'report' },
      { benchmark: `metadata alone: one more topic at ${fmt(total)}, fsync'd`, 'kafka-ts': `${fmt(alone.oneMoreMs, 2)} ms`, peer: `old: ${fmt(alone.oldSaveMs, 1)} ms`, target: '< 50 ms' },
      { benchmark: `metadata alone: snapshot at ${fmt(total)} topics`, 'kafka-ts': `longest slice ${fmt(alone.snapshot.longestSliceMs, 1)} ms (${alone.snapshot.slices} turns, ${fmt(alone.snapshot.serializeMs, 1)} ms in all)`, peer: `write (async) ${fmt(alone.snapshot.writeMs, 1)} ms, ${fmt(alone.snapshot.bytes / 1e6, 2)} MB`, target: '< 50 ms' },
      { benchmark: `metadata alone: reopen at ${fmt(total)} topics`, 'kafka-ts': `${fmt(alone.reopenMs, 1)} ms (snapshot)`, peer: `${fmt(alone.replayMs, 1)} ms (log only)`, target: 'report' },
    ]);
    return {
      topics: total,
      daemonTopics: daemonTotal,
      openFileLimit: fdLimit,
      perBatch,
      totalSeconds: totalS,
      batchMs,
      create500At5000Seconds: at5000 / 1000,
      oneMoreMs: oneMore,
      longestEventLoopStallMs: stall.max,
      apiVersionsMaxMs: probeMax,
      apiVersionsP99Ms: p99,
      snapshots,
      metaFiles: metaBytes,
      createdTopics: created,
      failure,
      metadataAlone: alone,
      restartAfterSigkillSeconds: restartS,
      topicsAfterRestart: topicsAfter,
      peerSeconds: peerS,
    };
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    kafkaTs(['server', 'stop', '--data-dir', home], home, { allowFail: true, env: { ...env, KAFKA_TS_HOME: home } });
    if (process.env.BENCH_KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}
