// Scale (issue 17), each figure beside its peer in the same run:
//   - produce throughput, 1,000 partitions written by 50 kcat producers at once vs one kcat into
//     one partition (target >= 0.7x);
//   - start-up of a daemon holding 10,000 partitions (10 topics x 1,000) vs an empty daemon, and
//     its CPU over 10 s idle right after (/proc/PID/stat utime+stime; target <= 3 s, < 1%);
//   - RSS of the daemon with 1,000 idle client connections (each did one ApiVersions) vs without
//     (target: delta < 50 MB);
//   - a slow reader: console-consumer piped into a reader taking 64 KiB every 10 ms, over a topic
//     far larger than that reader gets through; the consumer's and the daemon's peak RSS vs their
//     RSS before (bounded: the topic is not buffered).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import net from 'node:net';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { BIN, SCALE, TICK, childTicks, fmt, kafkaTs, lineFile, median, requireKcat, startDaemon, table, timed } from './lib.js';

const CORES = availableParallelism();
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const range = (xs) => [Math.min(...xs), Math.max(...xs)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};
export const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
};

/** For each partition of `n`, a key that librdkafka's default (consistent) partitioner maps to it: crc32(key) % n. */
function keysFor(n) {
  const keys = new Array(n);
  let left = n;
  for (let i = 0; left > 0; i++) {
    const k = `k${i}`;
    const p = crc32(k) % n;
    if (keys[p] === undefined) {
      keys[p] = k;
      left--;
    }
  }
  return keys;
}

/** `count` keyed lines of `size` bytes cycling over `keys` (kcat -K '\t'). */
function keyedFile(dir, name, count, size, keys) {
  const path = join(dir, name);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const head = `${keys[i % keys.length]}\t${i} `;
    lines.push(head + 'x'.repeat(Math.max(0, size - 1 - head.length)) + '\n');
  }
  writeFileSync(path, lines.join(''));
  return path;
}

export async function produceScale(daemon, work, count, trial = 0) {
  const one = lineFile(work, count, 100);
  const producers = 50;
  const partitions = 1000;
  const per = Math.round(count / producers);
  const keys = keysFor(partitions);
  const span = partitions / producers;
  // Producer i writes its own 20 partitions (keyed records), all 50 at once.
  const files = Array.from({ length: producers }, (_, i) => keyedFile(work, `p${i}.txt`, per, 100, keys.slice(i * span, (i + 1) * span)));
  const [t1, t1000, t1x50] = [`scale-1-${trial}`, `scale-1000-${trial}`, `scale-1x50-${trial}`];
  kafkaTs(['topics', '--create', '--topic', t1, '--partitions', '1'], daemon.home);
  kafkaTs(['topics', '--create', '--topic', t1000, '--partitions', String(partitions)], daemon.home);
  const kcatArgs = (topic, file, keyed) => ['-b', daemon.bootstrap, '-P', '-t', topic, '-l', file, '-X', 'queue.buffering.max.kbytes=1048576', ...(keyed ? ['-K', '\t'] : [])];
  const cpu = () => ({ daemon: cpuTicks(daemon.pid), clients: childTicks() });
  const c0 = cpu();
  const single = await timed('kcat', kcatArgs(t1, one, false));
  const c1 = cpu();
  const start = process.hrtime.bigint();
  await Promise.all(files.map((f) => timed('kcat', kcatArgs(t1000, f, true))));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const c2 = cpu();
  // The same 50 producers and files into one partition: what the partition count alone costs.
  kafkaTs(['topics', '--create', '--topic', t1x50, '--partitions', '1'], daemon.home);
  const start50 = process.hrtime.bigint();
  await Promise.all(files.map((f) => timed('kcat', kcatArgs(t1x50, f, true))));
  const seconds50 = Number(process.hrtime.bigint() - start50) / 1e9;
  const c3 = cpu();
  const cpuSeconds = (a, b) => ({ daemon: (b.daemon - a.daemon) / TICK, clients: (b.clients - a.clients) / TICK });
  const oneRate = count / single.seconds;
  const manyRate = (per * producers) / seconds;
  const oneBy50Rate = (per * producers) / seconds50;
  return {
    records: count,
    onePartitionRecPerSec: oneRate,
    partitions1000Producers50RecPerSec: manyRate,
    ratio: manyRate / oneRate,
    onePartitionProducers50RecPerSec: oneBy50Rate,
    ratioSameProducers: manyRate / oneBy50Rate,
    cpuSeconds: { onePartition: cpuSeconds(c0, c1), partitions1000: cpuSeconds(c1, c2), onePartitionProducers50: cpuSeconds(c2, c3) },
    wallSeconds: { onePartition: single.seconds, partitions1000: seconds, onePartitionProducers50: seconds50 },
  };
}

function startTimed(home) {
  const s = process.hrtime.bigint();
  const r = kafkaTs(['server', 'start', '--port', '0', '--data-dir', home, '--no-schema-registry', '--output', 'json'], home);
  return { seconds: Number(process.hrtime.bigint() - s) / 1e9, pid: JSON.parse(r.stdout).pid };
}

async function idleCpu(pid, seconds = 10) {
  const a = cpuTicks(pid);
  await sleep(seconds * 1000);
  return ((cpuTicks(pid) - a) / TICK / seconds) * 100;
}

async function startupScale(partitions) {
  const home = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-scale-'));
  const empty = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-empty-'));
  try {
    startTimed(home);
    const topics = Math.max(1, Math.round(partitions / 1000));
    for (let t = 0; t < topics; t++) kafkaTs(['topics', '--create', '--topic', `many-${t}`, '--partitions', String(Math.round(partitions / topics))], home);
    kafkaTs(['server', 'stop', '--data-dir', home], home);
    const trials = [];
    for (let i = 0; i < REPEAT; i++) {
      const big = startTimed(home);
      const cpu = await idleCpu(big.pid);
      const rss = rssMb(big.pid);
      kafkaTs(['server', 'stop', '--data-dir', home], home);
      const small = startTimed(empty);
      const emptyCpu = await idleCpu(small.pid, i === 0 ? 10 : 2);
      kafkaTs(['server', 'stop', '--data-dir', empty], empty);
      trials.push({ startSeconds: big.seconds, emptyStartSeconds: small.seconds, idleCpuPercent: cpu, emptyIdleCpuPercent: emptyCpu, rssMb: rss });
    }
    const mid = (k) => median(trials.map((t) => t[k]));
    return {
      partitions,
      startSeconds: mid('startSeconds'),
      emptyStartSeconds: mid('emptyStartSeconds'),
      idleCpuPercent: mid('idleCpuPercent'),
      emptyIdleCpuPercent: trials[0].emptyIdleCpuPercent,
      rssMb: mid('rssMb'),
      spread: { startSeconds: range(trials.map((t) => t.startSeconds)), idleCpuPercent: range(trials.map((t) => t.idleCpuPercent)) },
      trials,
    };
  } finally {
    kafkaTs(['server', 'stop', '--data-dir', home], home, { allowFail: true });
    kafkaTs(['server', 'stop', '--data-dir', empty], empty, { allowFail: true });
    rmSync(home, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}

/** ApiVersions v0 request frame (correlation id 1, client id "idle"). */
const API_VERSIONS = (() => {
  const client = Buffer.from('idle');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(1, 4);
  body.writeInt16BE(client.length, 8);
  client.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
})();

async function idleConnections(daemon, count) {
  const [host, port] = [daemon.bootstrap.slice(0, daemon.bootstrap.lastIndexOf(':')), Number(daemon.bootstrap.slice(daemon.bootstrap.lastIndexOf(':') + 1))];
  const open = (n) =>
    Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise((resolve, reject) => {
            const s = net.connect(port, host, () => s.write(API_VERSIONS));
            s.once('data', () => resolve(s));
            s.once('error', reject);
          }),
      ),
    );
  // Warm up the paths a connection takes, then measure the step from 10 to 10 + count.
  const warm = await open(10);
  await sleep(1000);
  const before = rssMb(daemon.pid);
  const sockets = [];
  for (let i = 0; i < count; i += 100) sockets.push(...(await open(Math.min(100, count - i))));
  await sleep(2000);
  const after = rssMb(daemon.pid);
  for (const s of [...warm, ...sockets]) s.destroy();
  return { connections: count, rssBeforeMb: before, rssAfterMb: after, deltaMb: after - before };
}

async function slowReader(daemon, work, count) {
  const file = lineFile(work, count, 1024);
  kafkaTs(['topics', '--create', '--topic', 'slow', '--partitions', '1'], daemon.home);
  await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'slow', '-l', file]);
  const daemonBefore = rssMb(daemon.pid);
  // The reader: 64 KiB every 10 ms (~6 MB/s), for 15 s.
  const reader = spawn(process.execPath, ['-e', "const fs=require('fs');const b=Buffer.alloc(65536);setInterval(()=>{try{fs.readSync(0,b)}catch{}},10);setTimeout(()=>process.exit(0),15000)"], { stdio: ['pipe', 'ignore', 'ignore'] });
  const consumer = spawn(process.execPath, [BIN, 'console-consumer', '--topic', 'slow', '--from-beginning'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, KAFKA_TS_HOME: daemon.home } });
  consumer.stdout.pipe(reader.stdin);
  reader.stdin.on('error', () => undefined);
  consumer.stdout.on('error', () => undefined);
  await sleep(1000);
  const consumerStart = rssMb(consumer.pid);
  let consumerMax = 0;
  let daemonMax = 0;
  const end = Date.now() + 12000;
  while (Date.now() < end) {
    consumerMax = Math.max(consumerMax, rssMb(consumer.pid) || 0);
    daemonMax = Math.max(daemonMax, rssMb(daemon.pid) || 0);
    await sleep(250);
  }
  consumer.kill('SIGKILL');
  reader.kill('SIGKILL');
  return { topicMb: (count * 1024) / 1e6, consumerRssStartMb: consumerStart, consumerRssMaxMb: consumerMax, daemonRssBeforeMb: daemonBefore, daemonRssMaxMb: daemonMax };
}

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-scale-in-'));
  const daemon = startDaemon(['--no-schema-registry']);
  const results = {};
  try {
    const produce = [];
    for (let i = 0; i < REPEAT; i++) produce.push(await produceScale(daemon, work, Math.round(1_000_000 * SCALE), i));
    const m = median(produce.map((t) => t.ratio));
    results.produce = { ...produce.find((t) => t.ratio === m), spread: range(produce.map((t) => t.ratio)), spreadSameProducers: range(produce.map((t) => t.ratioSameProducers)), trials: produce };
    results.connections = await idleConnections(daemon, 1000);
    results.slowReader = await slowReader(daemon, work, Math.round(300_000 * SCALE));
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  results.startup = await startupScale(Math.round(10_000 * Math.min(1, SCALE * 5)));
  const p = results.produce;
  const s = results.startup;
  const c = results.connections;
  const r = results.slowReader;
  results.rows = [
    { what: '1,000 partitions / 50 kcat producers vs 1 partition / 1 kcat', value: `${fmt(p.partitions1000Producers50RecPerSec)} rec/s`, peer: `${fmt(p.onePartitionRecPerSec)} rec/s`, ratio: p.ratio, spread: p.spread, target: '>= 0.7x', met: p.ratio >= 0.7 },
    { what: '  same, vs 1 partition / the same 50 kcat producers', value: `${fmt(p.partitions1000Producers50RecPerSec)} rec/s`, peer: `${fmt(p.onePartitionProducers50RecPerSec)} rec/s`, ratio: p.ratioSameProducers, spread: p.spreadSameProducers, target: '(>= 0.7x)', met: p.ratioSameProducers >= 0.7 },
    {
      // On 2 cores the 50 kcat processes alone need (their CPU seconds / 2) of wall time, however
      // little the daemon costs: the 1,000-partition ratio cannot pass this.
      what: `  bound: 1 kcat wall vs the 50 kcat processes' own CPU on ${CORES} cores (a daemon costing nothing)`,
      value: `${p.cpuSeconds.partitions1000.clients.toFixed(2)} s CPU / ${CORES}`,
      peer: `${p.wallSeconds.onePartition.toFixed(2)} s wall`,
      ratio: p.wallSeconds.onePartition / (p.cpuSeconds.partitions1000.clients / CORES),
      target: '(>= 0.7x for the target to be reachable)',
      met: p.wallSeconds.onePartition / (p.cpuSeconds.partitions1000.clients / CORES) >= 0.7,
    },
    { what: '  daemon CPU seconds: 1,000 partitions vs 1 partition (1 kcat)', value: `${p.cpuSeconds.partitions1000.daemon.toFixed(2)} s`, peer: `${p.cpuSeconds.onePartition.daemon.toFixed(2)} s`, ratio: p.cpuSeconds.onePartition.daemon / p.cpuSeconds.partitions1000.daemon, target: '(>= 0.7x)', met: p.cpuSeconds.onePartition.daemon / p.cpuSeconds.partitions1000.daemon >= 0.7 },
    { what: `daemon start with ${fmt(s.partitions)} partitions vs empty`, value: `${s.startSeconds.toFixed(2)} s (${s.spread.startSeconds.map((x) => x.toFixed(2)).join('-')})`, peer: `${s.emptyStartSeconds.toFixed(2)} s`, ratio: s.startSeconds / s.emptyStartSeconds, target: '<= 3 s', met: s.startSeconds <= 3 },
    { what: `idle CPU over 10 s, ${fmt(s.partitions)} partitions vs empty`, value: `${s.idleCpuPercent.toFixed(2)} % (${s.spread.idleCpuPercent.map((x) => x.toFixed(2)).join('-')})`, peer: `${s.emptyIdleCpuPercent.toFixed(2)} %`, ratio: null, target: '< 1 %', met: s.idleCpuPercent < 1 },
    { what: '1,000 idle connections: daemon RSS delta', value: `${c.deltaMb.toFixed(1)} MB`, peer: `${c.rssBeforeMb.toFixed(1)} MB before`, ratio: null, target: '< 50 MB', met: c.deltaMb < 50 },
    { what: `slow reader over ${fmt(r.topicMb)} MB: console-consumer peak RSS`, value: `${r.consumerRssMaxMb.toFixed(0)} MB`, peer: `${r.consumerRssStartMb.toFixed(0)} MB at 1 s`, ratio: r.consumerRssMaxMb / r.consumerRssStartMb, target: `< 256 MB`, met: r.consumerRssMaxMb < 256 },
    { what: 'slow reader: daemon peak RSS', value: `${r.daemonRssMaxMb.toFixed(0)} MB`, peer: `${r.daemonRssBeforeMb.toFixed(0)} MB before`, ratio: r.daemonRssMaxMb / r.daemonRssBeforeMb, target: '< before + 100 MB', met: r.daemonRssMaxMb < r.daemonRssBeforeMb + 100 },
  ];
  table(results.rows.map((x) => ({ ...x, ratio: x.ratio === null ? '' : `${x.ratio.toFixed(2)}x`, spread: x.spread ? x.spread.map((v) => v.toFixed(2)).join('-') : '', met: x.met ? 'yes' : 'NO' })));
  return results;
}
