// Durable mode (issue 17): 8 librdkafka producers (confluent_kafka, acks=all, 1 KiB records) into
// one partition with flush.messages=1 (every acknowledged record fdatasync-ed first, group
// commit) vs raw appends + fdatasync of the same bytes at the same batch size (bytes written per
// sync round in the durable run) on the same file system, in the same run; target >= 0.5x.
// Beside them: the same producers without flush.messages (page cache only). Repeated
// BENCH_REPEAT times (default 3); BENCH_SCALE scales the record count.
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCALE, fmt, kafkaTs, startDaemon, table } from './lib.js';

const SCRIPT = join(ROOT, 'bench', 'clients', 'produce_n.py');
const PRODUCERS = 8;
const SIZE = 1024;

function producers(bootstrap, topic, count) {
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

export async function run() {
  const count = Math.max(500, Math.round(20000 * SCALE));
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const daemon = startDaemon();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-durable-'));
  const runs = [];
  try {
    for (let i = 0; i < repeat; i++) {
      const topic = `durable-${i}`;
      kafkaTs(['topics', '--create', '--topic', topic, '--partitions', '1', '--config', 'flush.messages=1'], daemon.home);
      kafkaTs(['topics', '--create', '--topic', `plain-${i}`, '--partitions', '1'], daemon.home);
      const before = syncs(daemon.home);
      const durable = await producers(daemon.bootstrap, topic, count);
      const after = syncs(daemon.home);
      const rounds = after.rounds - before.rounds;
      const bytes = logBytes(daemon.home, `${topic}-0`);
      const perRecord = bytes / durable.acked;
      const batch = Math.max(1, Math.round(bytes / Math.max(1, rounds)));
      const raw = rawAppend(work, batch, bytes) / perRecord;
      // Without group commit: one fdatasync per Produce request (its average size).
      const perRequest = Math.max(1, Math.round(bytes / Math.max(1, after.produces - before.produces)));
      const rawPerRequest = rawAppend(work, perRequest, Math.min(bytes, perRequest * 2000)) / perRecord;
      const plain = await producers(daemon.bootstrap, `plain-${i}`, count);
      runs.push({ records: durable.acked, durableRate: durable.rate, rawRate: raw, ratio: durable.rate / raw, bytesPerProduce: perRequest, rawPerProduceRate: rawPerRequest, syncRounds: rounds, fdatasyncs: after.files - before.files, bytesPerSync: batch, plainRate: plain.rate });
    }
    table(
      runs.map((r, i) => ({
        run: i + 1,
        benchmark: `flush.messages=1 acks=all, ${PRODUCERS} producers x ${fmt(count)} x 1 KiB, 1 partition`,
        'kafka-ts': `${fmt(r.durableRate)} rec/s (${fmt(r.syncRounds)} syncs, ${fmt(r.bytesPerSync)} B each)`,
        peer: `raw append+fdatasync ${fmt(r.rawRate)} rec/s`,
        ratio: `${r.ratio.toFixed(2)}x`,
        target: '>= 0.5x',
        'raw, 1 fdatasync per Produce (no group commit)': `${fmt(r.rawPerProduceRate)} rec/s (${fmt(r.bytesPerProduce)} B each)`,
        'no flush.* (same producers)': `${fmt(r.plainRate)} rec/s (durable ${(r.durableRate / r.plainRate).toFixed(2)}x of it)`,
      })),
    );
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  // For the one table of `npm run bench -- speed`: the median run by ratio, and the spread.
  const byRatio = [...runs].sort((a, b) => a.ratio - b.ratio);
  const mid = byRatio[Math.floor(byRatio.length / 2)];
  const rows = [
    {
      what: `durable: flush.messages=1 acks=all, ${PRODUCERS} producers x 1 KiB vs raw append+fdatasync at the same bytes per sync`,
      value: `${fmt(mid.durableRate)} rec/s (without flush.* ${fmt(mid.plainRate)})`,
      peer: `raw ${fmt(mid.rawRate)} rec/s`,
      ratio: mid.ratio,
      spread: [byRatio[0].ratio, byRatio[byRatio.length - 1].ratio],
      target: '>= 0.5x',
      met: mid.ratio >= 0.5,
    },
    {
      // What the producers take in at all, fsync or not: the durable ratio cannot pass it.
      what: '  bound: the same producers without flush.* vs the same raw append+fdatasync',
      value: `${fmt(mid.plainRate)} rec/s`,
      peer: `raw ${fmt(mid.rawRate)} rec/s`,
      ratio: mid.plainRate / mid.rawRate,
      spread: [Math.min(...runs.map((r) => r.plainRate / r.rawRate)), Math.max(...runs.map((r) => r.plainRate / r.rawRate))],
      target: '(>= 0.5x for the target to be reachable)',
      met: mid.plainRate / mid.rawRate >= 0.5,
    },
  ];
  return { producers: PRODUCERS, recordBytes: SIZE, runs, rows };
}
