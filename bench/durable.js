// Durable mode (issue 17): 8 kcat producers (librdkafka, acks=all, 1 KiB records) into one
// partition with flush.messages=1 (every acknowledged record fdatasync-ed first, group commit) vs
// raw appends + fdatasync of the same bytes at the same batch size (bytes written per sync round
// in the durable run) on the same file system, in the same run; target >= 0.5x. Beside them: the
// same producers without flush.messages (page cache only), and the same two runs with 8 Python
// producers (confluent_kafka), a slower client. Repeated BENCH_REPEAT times (default 3);
// BENCH_SCALE scales the record count.
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCALE, TICK, childTicks, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed } from './lib.js';

const SCRIPT = join(ROOT, 'bench', 'clients', 'produce_n.py');
const PRODUCERS = 8;
const SIZE = 1024;
/** The target: durable throughput >= 0.5x raw append+fdatasync. */
const TARGET = 0.5;

/** Python producers (confluent_kafka over librdkafka): each times itself from its first produce to its last ack. */
function pythonProducers(bootstrap, topic, count) {
  return Promise.all(
    Array.from(
      { length: PRODUCERS },
      () =>
        new Promise((resolve, reject) => {
          const child = spawn('/usr/bin/python3', [SCRIPT, bootstrap, topic, String(count), String(SIZE)], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`producer exited ${code}: ${err.slice(-500)}`))));
        }),
    ),
  ).then((rs) => {
    const acked = rs.reduce((n, r) => n + r.acked, 0);
    const seconds = Math.max(...rs.map((r) => r.end)) - Math.min(...rs.map((r) => r.start));
    return { acked, seconds, rate: acked / seconds };
  });
}

/**
 * kcat producers (librdkafka's defaults: acks=all, linger 5 ms), each sending the same file of
 * `count` lines; timed from the first spawn to the last exit, start-up and metadata included.
 * Acknowledged records are counted from the partition's end offset, so a lost batch fails the run.
 */
async function kcatProducers(bootstrap, home, topic, file, count) {
  const before = endOffset(home, topic);
  const cpu0 = childTicks();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: PRODUCERS }, () => timed('kcat', ['-b', bootstrap, '-P', '-t', topic, '-l', file, '-X', 'queue.buffering.max.kbytes=1048576'])));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const clientCpuSeconds = (childTicks() - cpu0) / TICK;
  const acked = endOffset(home, topic) - before;
  if (acked !== PRODUCERS * count) throw new Error(`kcat producers: ${acked} of ${PRODUCERS * count} records in ${topic}`);
  return { acked, seconds, rate: acked / seconds, clientCpuSeconds };
}

const endOffset = (home, topic) => JSON.parse(kafkaTs(['get-offsets', '--topic', topic, '--output', 'json'], home).stdout).offsets[0].offset;

/** Bytes of the partition's .log files under the daemon's data dir. */
function logBytes(home, dirName) {
  let total = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log') && d.endsWith(dirName)) total += statSync(p).size;
    }
  };
  walk(home);
  return total;
}

const statusOf = (home) => JSON.parse(kafkaTs(['server', 'status', '--data-dir', home, '--output', 'json'], home).stdout);
const syncs = (home) => {
  const s = statusOf(home);
  return { ...s.durableSyncs, produces: s.requestTimes?.find((t) => t.api === 'Produce')?.count ?? 0 };
};

/** Raw appends of `batch` bytes, each followed by fdatasync, until `total` bytes: bytes/s. */
function rawAppend(dir, batch, total) {
  const fd = openSync(join(dir, 'raw.log'), 'w');
  const buf = Buffer.alloc(batch, 'r');
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < total; done += batch) {
    writeSync(fd, buf, 0, batch);
    fdatasyncSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(fd);
  return total / seconds;
}

/** One durable run and its peers: `produce(topic)` sends PRODUCERS x count records of 1 KiB. */
async function measure(daemon, work, name, produce) {
  const topic = `durable-${name}`;
  kafkaTs(['topics', '--create', '--topic', topic, '--partitions', '1', '--config', 'flush.messages=1'], daemon.home);
  kafkaTs(['topics', '--create', '--topic', `plain-${name}`, '--partitions', '1'], daemon.home);
  const before = syncs(daemon.home);
  const durable = await produce(topic);
  const after = syncs(daemon.home);
  const rounds = after.rounds - before.rounds;
  const bytes = logBytes(daemon.home, `${topic}-0`);
  const perRecord = bytes / durable.acked;
  const batch = Math.max(1, Math.round(bytes / Math.max(1, rounds)));
  const raw = rawAppend(work, batch, bytes) / perRecord;
  // Without group commit: one fdatasync per Produce request (its average size).
  const perRequest = Math.max(1, Math.round(bytes / Math.max(1, after.produces - before.produces)));
  const rawPerRequest = rawAppend(work, perRequest, Math.min(bytes, perRequest * 2000)) / perRecord;
  const plain = await produce(`plain-${name}`);
  // The producers alone on the machine's cores, as if the daemon cost nothing (kcat, which
  // reports its CPU; the Python producers time themselves).
  const clientBoundRate = durable.clientCpuSeconds ? durable.acked / (durable.clientCpuSeconds / availableParallelism()) : undefined;
  return { records: durable.acked, durableRate: durable.rate, rawRate: raw, ratio: durable.rate / raw, clientBoundRate, bytesPerProduce: perRequest, rawPerProduceRate: rawPerRequest, syncRounds: rounds, fdatasyncs: after.files - before.files, bytesPerSync: batch, plainRate: plain.rate };
}

/**
 * The speed table's rows for one kind of producer: durable vs raw (the target, or beside
 * it as another client), and for the target's producers what bounds the figure.
 */
function rowsFor(runs, label, isTarget) {
  const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio);
  const mid = byRatio[Math.floor(byRatio.length / 2)];
  const spread = (xs) => [Math.min(...xs), Math.max(...xs)];
  const durable = {
    what: `durable: flush.messages=1 acks=all, ${PRODUCERS} ${label} producers x 1 KiB vs raw append+fdatasync at the same bytes per sync`,
    value: `${fmt(mid.durableRate)} rec/s (without flush.* ${fmt(mid.plainRate)})`,
    peer: `raw ${fmt(mid.rawRate)} rec/s`,
    ratio: mid.ratio,
    spread: spread(runs.map((r) => r.ratio)),
    target: isTarget ? `>= ${TARGET}x` : '(another client)',
    met: isTarget ? mid.ratio >= TARGET : undefined,
  };
  if (!isTarget) return [durable];
  /** A rate the durable figure cannot pass, against the same raw append+fdatasync. */
  const bound = (what, rateOf) => ({
    what: `  bound: ${what} vs the same raw append+fdatasync`,
    value: `${fmt(rateOf(mid))} rec/s`,
    peer: `raw ${fmt(mid.rawRate)} rec/s`,
    ratio: rateOf(mid) / mid.rawRate,
    spread: spread(runs.map((r) => rateOf(r) / r.rawRate)),
    target: `(>= ${TARGET}x for the target to be reachable)`,
    met: rateOf(mid) / mid.rawRate >= TARGET,
  });
  return [
    durable,
    // What the producers get in at all, fsync or not.
    bound(`the same ${label} producers without flush.*`, (r) => r.plainRate),
    // The producer processes' own CPU spread over the cores: the rate with a daemon costing nothing.
    bound(`the ${PRODUCERS} ${label} processes' own CPU on ${availableParallelism()} cores (a daemon costing nothing)`, (r) => r.clientBoundRate),
  ];
}

export async function run() {
  requireKcat();
  const count = Math.max(500, Math.round(20000 * SCALE));
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const daemon = startDaemon();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-durable-'));
  // kcat sends each line without its newline: 1,025-byte lines are 1 KiB records.
  const file = lineFile(work, count, SIZE + 1);
  const runs = { kcat: [], python: [] };
  try {
    for (let i = 0; i < repeat; i++) {
      runs.kcat.push(await measure(daemon, work, `kcat-${i}`, (topic) => kcatProducers(daemon.bootstrap, daemon.home, topic, file, count)));
      runs.python.push(await measure(daemon, work, `python-${i}`, (topic) => pythonProducers(daemon.bootstrap, topic, count)));
    }
    table(
      Object.entries(runs).flatMap(([kind, rs]) =>
        rs.map((r, i) => ({
          run: i + 1,
          benchmark: `flush.messages=1 acks=all, ${PRODUCERS} ${kind} producers x ${fmt(count)} x 1 KiB, 1 partition`,
          'kafka-ts': `${fmt(r.durableRate)} rec/s (${fmt(r.syncRounds)} syncs, ${fmt(r.bytesPerSync)} B each)`,
          peer: `raw append+fdatasync ${fmt(r.rawRate)} rec/s`,
          ratio: `${r.ratio.toFixed(2)}x`,
          target: kind === 'kcat' ? `>= ${TARGET}x` : '(another client)',
          'raw, 1 fdatasync per Produce (no group commit)': `${fmt(r.rawPerProduceRate)} rec/s (${fmt(r.bytesPerProduce)} B each)`,
          'no flush.* (same producers)': `${fmt(r.plainRate)} rec/s (durable ${(r.durableRate / r.plainRate).toFixed(2)}x of it)`,
        })),
      ),
    );
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  // For the one table of `npm run bench -- speed`: the median run by ratio, and the spread. The
  // target row uses kcat, the peer of every other figure; the Python producers' rows show the
  // same mode under a slower client.
  const rows = [...rowsFor(runs.kcat, 'kcat', true), ...rowsFor(runs.python, 'Python (confluent_kafka)', false)];
  return { producers: PRODUCERS, recordBytes: SIZE, runs, rows };
}
