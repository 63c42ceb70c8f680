// Memory and latency of the daemon under many busy connections (issue 14: RSS grew from 63 MB to
// 1,151 MB under 214 connections of mixed produce/fetch load and was not given back).
//
//   npm run bench -- soak                       200 connections for 120 s, saturating
//   npm run bench -- soak --rate 20             the same, steady: 20 produce requests/s per producer
//   npm run bench -- soak --connections 50 --seconds 20
//
// One daemon (its default config), one topic of 8 partitions. A worker thread runs the load over
// raw Kafka frames: half the connections produce (10 x 1 KiB records a request, acks=1, up to 5
// requests in flight, as librdkafka pipelines), half fetch (Fetch v4, every partition, 1 MiB each);
// one fetcher in ten is a slow reader that stops reading its socket for 2 s every 4 s.
// Saturating (default): each producer sends again as soon as an answer comes, and fetchers read
// from random offsets below the high watermarks (old data read back), so the daemon, the load and
// the probe compete for the 2 cores and latency is mostly queueing. Steady (--rate R): each
// producer sends R requests a second, and each fetcher is a consumer of one partition reading on
// from the end (long polls of 100 ms), 12-13 consumers a partition.
// The main thread samples the daemon's RSS (/proc/PID/status VmRSS) every second and times
// ApiVersions on a separate connection every 100 ms. Printed: RSS at start, max RSS under load, RSS
// 5 s after the load stopped, ApiVersions p50/p99/max, and the requests answered. Inside the daemon
// (a preload given through NODE_OPTIONS, active only in the daemon process, as bench/metadata.js
// does) the event loop's delay (monitorEventLoopDelay, the max of each 100 ms window) and V8's GC
// pauses by kind (PerformanceObserver 'gc') are recorded and printed. BENCH_SOAK_PROFILE=<file>
// writes a CPU profile of the daemon's first 25 s; BENCH_SOAK_V8_FLAGS passes V8 flags to it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ROOT, fmt, kafkaTs, startDaemon, table } from './lib.js';

const PRELOAD = `
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';
const out = process.env.BENCH_SOAK_DIR;
if (process.env.KAFKA_TS_DAEMON === '1' && out) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  setInterval(() => {
    appendFileSync(out + '/loop.txt', Date.now() + ' ' + (h.max / 1e6).toFixed(1) + '\\n');
    h.reset();
  }, 100).unref();
  if (process.env.BENCH_SOAK_V8_FLAGS) (await import('node:v8')).setFlagsFromString(process.env.BENCH_SOAK_V8_FLAGS);
  if (process.env.BENCH_SOAK_PROFILE) {
    // A CPU profile of the daemon (BENCH_SOAK_PROFILE=<file>), taken over the first 25 s.
    const { Session } = await import('node:inspector');
    const { writeFileSync } = await import('node:fs');
    const session = new Session();
    session.connect();
    session.post('Profiler.setSamplingInterval', { interval: 250 });
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    setTimeout(() => session.post('Profiler.stop', (err, r) => { if (!err) writeFileSync(process.env.BENCH_SOAK_PROFILE, JSON.stringify(r.profile)); }), 25_000).unref();
  }
  const v8 = await import('node:v8');
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(out + '/memory.txt', [Date.now(), m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers].join(' ') + '\\n');
    if (process.env.BENCH_SOAK_SPACES) appendFileSync(out + '/spaces.txt', m.rss + ' ' + v8.getHeapSpaceStatistics().map((x) => x.space_name + '=' + Math.round(x.space_used_size / 1048576)).join(',') + '\\n');
  }, 1000).unref();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) appendFileSync(out + '/gc.txt', Date.now() + ' ' + e.duration.toFixed(1) + ' ' + (e.detail?.kind ?? 0) + '\\n');
  }).observe({ entryTypes: ['gc'] });
}
`;

/** Numbers in column `col` of a preload's file (empty when it is missing). */
const column = (file, col) => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.split(' ')[col]));
  } catch {
    return [];
  }
};

const TOPIC = 'soak';
const PARTITIONS = 8;
const proto = async () => ({
  ...(await import(join(ROOT, 'dist/src/protocol/messages.js'))),
  ...(await import(join(ROOT, 'dist/src/protocol/apis/index.js'))),
  ...(await import(join(ROOT, 'dist/src/protocol/record-batch.js'))),
});

function arg(name, fallback) {
  if (name === 'pid' && !process.argv.includes('--pid')) return fallback;
  const argv = process.argv;
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  if (eq) return Number(eq.slice(name.length + 3));
  const i = argv.indexOf(`--${name}`);
  return i > 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
}

/** A connection that sends frames and hands each response payload to `onFrame`. */
function frames(socket, onFrame) {
  let buf = Buffer.alloc(0);
  socket.on('data', (d) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
    while (buf.length >= 4) {
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) break;
      const payload = buf.subarray(4, 4 + size);
      buf = buf.subarray(4 + size);
      onFrame(payload);
    }
  });
}

/** The offset after the last whole batch in `records` (v2 batches back to back). */
function nextOffset(records) {
  let pos = 0;
  let after = -1;
  while (pos + 27 <= records.length) {
    const length = records.readInt32BE(pos + 8);
    if (pos + 12 + length > records.length) break;
    after = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1;
    pos += 12 + length;
  }
  return after;
}

const rssKb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return NaN;
  }
};

/** Worker: the load. Posts {answered, errors, closed} every second; stops on 'stop'. */
async function load({ host, port, connections, rate }) {
  const { encodeRequest, decodeResponse, Produce, Fetch, encodeBatch } = await proto();
  const stats = { produced: 0, fetched: 0, fetchedBytes: 0, errors: 0, closed: 0, connected: 0 };
  const value = Buffer.alloc(1024, 'x');
  let stopping = false;
  const sockets = [];
  const hw = new Array(PARTITIONS).fill(0);
  const open = () =>
    new Promise((resolve) => {
      const s = net.connect({ host, port }, () => {
        stats.connected++;
        resolve(s);
      });
      s.on('error', () => stats.errors++);
      s.on('close', () => {
        if (!stopping) stats.closed++;
        resolve(s);
      });
      sockets.push(s);
    });
  // One request per partition, encoded once (acks=1, no producer id: the broker takes the same
  // bytes every time); each send copies it and sets its correlation id (bytes 8-11 of the frame),
  // so the load's own CPU goes to sending rather than to encoding.
  const requests = Array.from({ length: PARTITIONS }, (_, partition) => {
    const records = encodeBatch(Array.from({ length: 10 }, () => ({ value })));
    const body = { transactionalId: null, acks: 1, timeoutMs: 30_000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] };
    return Buffer.concat(encodeRequest(Produce, 3, 0, 'soak-producer', body));
  });
  const producer = async (i) => {
    const s = await open();
    let corr = 0;
    let inFlight = 0;
    const send = () => {
      if (stopping || s.destroyed || inFlight >= 5) return;
      const frame = Buffer.from(requests[(i + corr) % PARTITIONS]);
      frame.writeInt32BE(++corr, 8);
      inFlight++;
      s.write(frame);
    };
    frames(s, (payload) => {
      inFlight--;
      const { body } = decodeResponse(Produce, 3, payload);
      const p = body.responses[0].partitionResponses[0];
      if (p.errorCode !== 0) stats.errors++;
      else stats.produced++;
      if (!rate) send();
    });
    if (rate) {
      // Steady: `rate` requests a second (at most 5 in flight), sent in small bursts every 100 ms.
      const perTick = rate / 10;
      let owed = 0;
      const t = setInterval(() => {
        for (owed += perTick; owed >= 1; owed--) send();
      }, 100);
      t.unref();
      sockets.push({ destroy: () => clearInterval(t) });
    } else for (let k = 0; k < 5; k++) send();
  };
  const fetcher = async (i) => {
    const s = await open();
    let corr = 0;
    const slow = i % 10 === 0;
    const next = [...hw];
    const send = () => {
      if (stopping || s.destroyed) return;
      // As Kafka's consumers ask: every partition, 1 MiB each (max.partition.fetch.bytes), 50 MiB in all (fetch.max.bytes).
      // Saturating: every partition, from random offsets below the high watermarks. Steady
      // (--rate): as a consumer of one partition reads, from the end at first (the high watermark
      // when it started), then on from where the last answer ended.
      const partitions = rate
        ? [{ partition: i % PARTITIONS, fetchOffset: Math.max(0, next[i % PARTITIONS]), partitionMaxBytes: 1 << 20 }]
        : hw.map((h, partition) => ({ partition, fetchOffset: Math.floor(Math.random() * h), partitionMaxBytes: 1 << 20 }));
      const body = { replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, topics: [{ topic: TOPIC, partitions }] };
      s.write(Buffer.concat(encodeRequest(Fetch, 4, ++corr, 'soak-fetcher', body)));
    };
    frames(s, (payload) => {
      const { body } = decodeResponse(Fetch, 4, payload);
      let ok = true;
      for (const p of body.responses[0].partitions) {
        if (p.errorCode !== 0) ok = false;
        stats.fetchedBytes += p.records?.length ?? 0;
        if (rate && p.errorCode === 0 && p.records?.length) next[p.partitionIndex] = nextOffset(p.records);
        hw[p.partitionIndex] = Math.max(hw[p.partitionIndex], Number(p.highWatermark));
      }
      if (ok) stats.fetched++;
      else stats.errors++;
      send();
    });
    if (slow) {
      const t = setInterval(() => {
        s.pause();
        setTimeout(() => s.resume(), 2000).unref();
      }, 4000);
      t.unref();
    }
    send();
  };
  const started = [];
  for (let i = 0; i < connections; i++) started.push(i % 2 === 0 ? producer(i) : fetcher(i));
  await Promise.all(started);
  const tick = setInterval(() => parentPort.postMessage({ stats }), 1000);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    stopping = true;
    clearInterval(tick);
    for (const s of sockets) s.destroy();
    parentPort.postMessage({ stats, done: true });
  });
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** ApiVersions round trips on their own connection, one every 100 ms; returns stop() → latencies (ms). */
async function probe(host, port) {
  const { encodeRequest, ApiVersions } = await proto();
  const latencies = [];
  let failures = 0;
  let stopped = false;
  const socket = net.connect({ host, port });
  await new Promise((r, j) => socket.once('connect', r).once('error', j));
  socket.on('error', () => failures++);
  let waiting = null;
  frames(socket, () => waiting?.());
  let corr = 0;
  const loop = (async () => {
    while (!stopped && !socket.destroyed) {
      const start = performance.now();
      await new Promise((r) => {
        waiting = r;
        socket.write(Buffer.concat(encodeRequest(ApiVersions, 0, ++corr, 'soak-probe', {})));
      });
      latencies.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    waiting?.();
    await loop;
    socket.destroy();
    return { latencies, failures };
  };
}

export async function run() {
  const connections = arg('connections', 200);
  const seconds = arg('seconds', 120);
  // --rate R: steady load, R produce requests a second per producer (fetchers read on as consumers
  // do); 0 (default): every connection as fast as the daemon answers it.
  const rate = arg('rate', 0);
  // --bootstrap HOST:PORT --pid PID: load a daemon started elsewhere (e.g. under --cpu-prof).
  const given = process.argv.find((a, i) => process.argv[i - 1] === '--bootstrap');
  const watch = mkdtempSync(join(tmpdir(), 'kafka-ts-soak-'));
  writeFileSync(join(watch, 'preload.mjs'), PRELOAD);
  const savedOptions = process.env.NODE_OPTIONS;
  if (!given) {
    // Children only (the CLI ignores the preload; the daemon inherits it).
    process.env.NODE_OPTIONS = `${savedOptions ?? ''} --import=${join(watch, 'preload.mjs')}`.trim();
    process.env.BENCH_SOAK_DIR = watch;
  }
  const daemon = given
    ? { bootstrap: given, pid: arg('pid', NaN), home: process.env.KAFKA_TS_HOME ?? '', stop() {} }
    : startDaemon();
  const [host, port] = daemon.bootstrap.split(':');
  const results = { connections, seconds, rate };
  try {
    kafkaTs(['topics', '--create', '--topic', TOPIC, '--partitions', String(PARTITIONS), '--bootstrap-server', daemon.bootstrap], daemon.home);
    const samples = [];
    const startRss = rssKb(daemon.pid);
    const sampler = setInterval(() => samples.push(rssKb(daemon.pid)), 1000);
    const stopProbe = await probe(host, Number(port));
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { host, port: Number(port), connections, rate } });
    let stats = {};
    const finished = new Promise((resolve, reject) => {
      worker.on('message', (m) => {
        stats = m.stats;
        if (m.done) resolve();
      });
      worker.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const underLoad = samples.filter(Number.isFinite);
    worker.postMessage('stop');
    await finished;
    await worker.terminate();
    const { latencies, failures } = await stopProbe();
    clearInterval(sampler);
    // What the daemon gives back once the connections are gone.
    await new Promise((r) => setTimeout(r, 5000));
    const afterRss = rssKb(daemon.pid);
    const loop = column(join(watch, 'loop.txt'), 1);
    const gc = column(join(watch, 'gc.txt'), 1);
    const gcKinds = column(join(watch, 'gc.txt'), 2);
    // The daemon's own view of its memory each second: RSS, V8 heap total/used, external, ArrayBuffers.
    const memory = [1, 2, 3, 4, 5].map((c) => column(join(watch, 'memory.txt'), c));
    const atMaxRss = memory[0].indexOf(Math.max(...memory[0]));
    // perf_hooks' kinds (perf_hooks.constants.NODE_PERFORMANCE_GC_*): 1 minor (scavenge), 4 major (mark-compact), 8 incremental marking, 16 weak callbacks.
    const byKind = (k) => gc.filter((_, i) => gcKinds[i] === k);
    Object.assign(results, {
      startRssMb: startRss / 1024,
      maxRssMb: Math.max(...underLoad) / 1024,
      rssAfterLoadMb: afterRss / 1024,
      apiVersionsMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies), count: latencies.length, failures },
      daemon: { longestLoopDelayMs: loop.length ? Math.max(...loop) : NaN, loopDelayWindowP50Ms: pct(loop, 50), loopDelayWindowP99Ms: pct(loop, 99), gcOver20Ms: gc.filter((d) => d >= 20).length, gcMinor: byKind(1), gcMajor: byKind(4), gcPauses: gc.length, gcTotalMs: gc.reduce((a, b) => a + b, 0), gcLongestMs: gc.length ? Math.max(...gc) : NaN, gcOver50Ms: gc.filter((d) => d >= 50).length },
      load: stats,
      rssMbPerSecond: underLoad.map((k) => Math.round(k / 1024)),
    });
    table([
      { measure: 'RSS at start', value: `${fmt(results.startRssMb, 1)} MB`, target: '' },
      { measure: `max RSS, ${connections} connections for ${seconds} s${rate ? `, ${rate} produce req/s each` : ', saturating'}`, value: `${fmt(results.maxRssMb, 1)} MB`, target: '<= 400 MB' },
      { measure: 'RSS 5 s after the load', value: `${fmt(results.rssAfterLoadMb, 1)} MB`, target: '' },
      { measure: `ApiVersions p50 / p99 / max (${latencies.length} probes)`, value: `${results.apiVersionsMs.p50.toFixed(1)} / ${results.apiVersionsMs.p99.toFixed(1)} / ${results.apiVersionsMs.max.toFixed(1)} ms`, target: 'p99 <= 20, max <= 200 ms' },
      { measure: 'daemon at its max RSS: V8 heap total / used, external (ArrayBuffers)', value: atMaxRss < 0 ? 'n/a' : `${fmt(memory[1][atMaxRss] / 1048576, 0)} / ${fmt(memory[2][atMaxRss] / 1048576, 0)} MB, ${fmt(memory[3][atMaxRss] / 1048576, 0)} (${fmt(memory[4][atMaxRss] / 1048576, 0)}) MB`, target: '' },
      { measure: 'daemon: event-loop delay, 100 ms windows\' max: p50 / p99 / longest', value: `${fmt(results.daemon.loopDelayWindowP50Ms, 1)} / ${fmt(results.daemon.loopDelayWindowP99Ms, 1)} / ${fmt(results.daemon.longestLoopDelayMs, 1)} ms`, target: '' },
      { measure: 'daemon: GC pauses / total / longest / >= 20 ms / >= 50 ms', value: `${results.daemon.gcPauses} / ${fmt(results.daemon.gcTotalMs, 0)} ms / ${fmt(results.daemon.gcLongestMs, 1)} ms / ${results.daemon.gcOver20Ms} / ${results.daemon.gcOver50Ms}`, target: '' },
      { measure: 'daemon: GC minor (scavenge) count / longest; major (mark-compact) count / longest', value: `${results.daemon.gcMinor.length} / ${fmt(Math.max(0, ...results.daemon.gcMinor), 1)} ms; ${results.daemon.gcMajor.length} / ${fmt(Math.max(0, ...results.daemon.gcMajor), 1)} ms`, target: '' },
      { measure: 'produce / fetch requests answered', value: `${fmt(stats.produced ?? 0)} / ${fmt(stats.fetched ?? 0)} (${fmt((stats.fetchedBytes ?? 0) / 1048576)} MiB fetched)`, target: '' },
      { measure: 'connected / closed by broker / errors', value: `${stats.connected ?? 0} / ${stats.closed ?? 0} / ${stats.errors ?? 0}`, target: '' },
    ]);
  } finally {
    daemon.stop();
    if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = savedOptions;
    if (process.env.BENCH_SOAK_SPACES) {
      const lines = readFileSync(join(watch, 'spaces.txt'), 'utf8').trim().split('\n');
      console.log('V8 spaces at the max RSS:', lines.sort((a, b) => Number(b.split(' ')[0]) - Number(a.split(' ')[0]))[0]);
    }
    rmSync(watch, { recursive: true, force: true });
  }
  return results;
}

if (!isMainThread) await load(workerData);
