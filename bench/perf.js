// The perf tools beside real clients on one daemon in the same run: producer-perf-test's reported
// rate for 1,000,000 x 100 B vs kcat -P over the same number of records, each pair measured side
// by side BENCH_REPEAT times (default 3; median ratio and spread): Java's default batch.size 16384
// against kcat at batch.size 16384 and at its default (1 MB), and batch.size 1000000 against kcat's
// default; batch.size 16384 against idempotent kcat (five batches in flight, like ours: kcat's
// default producer is not idempotent and keeps up to 1,000,000 requests in flight, so at 16 KiB
// batches it is not bound by the round trip as an idempotent producer is); consumer-perf-test vs
// kcat -C -e; e2e-latency percentiles vs the same round trip with librdkafka
// (test/interop/clients/e2e_latency.py, needs python3-confluent-kafka).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, ROOT, SCALE, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed } from './lib.js';

const json = (args, home) => JSON.parse(kafkaTs([...args, '--output', 'json'], home).stdout);

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-perf-'));
  const daemon = startDaemon();
  const count = Math.round(1_000_000 * SCALE);
  const results = {};
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  try {
    let seq = 0;
    const topic = () => {
      const t = `perf-${seq++}`;
      kafkaTs(['topics', '--create', '--topic', t, '--partitions', '1'], daemon.home);
      return t;
    };
    const perf = (batch) => json(['producer-perf-test', '--topic', topic(), '--num-records', String(count), '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${daemon.bootstrap}`, `batch.size=${batch}`], daemon.home);
    const file = lineFile(work, count, 100);
    kafkaTs(['topics', '--create', '--topic', 'perf-kcat', '--partitions', '1'], daemon.home);
    const base = await timed('kcat', ['-b', daemon.bootstrap, '-L', '-t', 'perf-kcat']);
    // kcat's rate over the same records (its start-up and metadata round trip, measured by -L, taken off).
    const kcatRate = async (extra = [], t = topic()) => count / Math.max(0.001, (await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', t, '-l', file, ...extra])).seconds - base.seconds);
    const pairs = [
      { what: 'batch.size 16384 (Java default) vs kcat batch.size=16384', ours: () => perf(16384), peer: () => kcatRate(['-X', 'batch.size=16384']), peerName: 'kcat -P -X batch.size=16384' },
      // The same five batches in flight as ours (librdkafka's idempotent producer caps max.in.flight at 5, as Kafka's does).
      { what: 'batch.size 16384 (Java default) vs idempotent kcat batch.size=16384', ours: () => perf(16384), peer: () => kcatRate(['-X', 'batch.size=16384', '-X', 'enable.idempotence=true']), peerName: 'kcat -P -X batch.size=16384 -X enable.idempotence=true' },
      { what: 'batch.size 16384 (Java default) vs kcat default', ours: () => perf(16384), peer: () => kcatRate(), peerName: 'kcat -P' },
      { what: 'batch.size 1000000 vs kcat default', ours: () => perf(1000000), peer: () => kcatRate(), peerName: 'kcat -P' },
    ];
    const trials = pairs.map(() => []);
    for (let r = 0; r < repeat; r++) {
      for (let i = 0; i < pairs.length; i++) {
        const ours = pairs[i].ours().recordsPerSec;
        const peer = await pairs[i].peer();
        trials[i].push({ ours, peer, ratio: ours / peer });
      }
    }
    await kcatRate([], 'perf-kcat');
    const produceRows = pairs.map((p, i) => {
      const ratios = trials[i].map((t) => t.ratio);
      const mid = trials[i][ratios.indexOf(median(ratios))];
      return {
        what: p.what,
        row: {
          benchmark: `producer-perf-test ${fmt(count)} x 100 B, ${p.what}`,
          'kafka-ts': `${fmt(mid.ours)} rec/s`,
          peer: `${p.peerName} ${fmt(mid.peer)} rec/s`,
          ratio: `${mid.ratio.toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}, target >= 0.80x)`,
        },
        ratio: mid.ratio,
        spread: [Math.min(...ratios), Math.max(...ratios)],
        trials: trials[i],
      };
    });
    const c = json(['consumer-perf-test', '--bootstrap-server', daemon.bootstrap, '--topic', 'perf-kcat', '--messages', String(count)], daemon.home);
    const kcatC = await timed('kcat', ['-b', daemon.bootstrap, '-C', '-t', 'perf-kcat', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10']);
    const kcatCRate = count / Math.max(0.001, kcatC.seconds - base.seconds);
    const n = Math.max(100, Math.round(2000 * SCALE));
    const e = json(['e2e-latency', daemon.bootstrap, 'e2e-ours', String(n), '1', '100'], daemon.home);
    kafkaTs(['topics', '--create', '--topic', 'e2e-rd', '--partitions', '1'], daemon.home);
    const py = spawnSync('/usr/bin/python3', [join(ROOT, 'test/interop/clients/e2e_latency.py'), daemon.bootstrap, 'e2e-rd', String(n), '1', '100'], { encoding: 'utf8' });
    const rd = py.status === 0 ? JSON.parse(py.stdout).map(Math.trunc).sort((a, b) => a - b) : null;
    const rdP = rd && { p50: rd[Math.floor(rd.length * 0.5)], p99: rd[Math.floor(rd.length * 0.99)], avgMs: JSON.parse(py.stdout).reduce((s, x) => s + x, 0) / rd.length };

    results.produce = { records: count, repeat, rows: produceRows.map(({ what, ratio, spread, trials: t }) => ({ what, ratio, spread, trials: t })) };
    results.consume = { records: count, fetchRate: c.fetchMessagesPerSec, kcat: kcatCRate, ratio: c.fetchMessagesPerSec / kcatCRate };
    results.e2e = { messages: n, ours: { avgMs: e.avgMs, ...e.percentiles }, librdkafka: rdP };
    table([
      ...produceRows.map((r) => r.row),
      { benchmark: `consumer-perf-test ${fmt(count)} (fetch.nMsg.sec)`, 'kafka-ts': `${fmt(c.fetchMessagesPerSec)} rec/s`, peer: `kcat -C -e ${fmt(kcatCRate)} rec/s`, ratio: `${(c.fetchMessagesPerSec / kcatCRate).toFixed(2)}x` },
      { benchmark: `e2e-latency ${fmt(n)} x 100 B, acks=1 (p50/p99, avg)`, 'kafka-ts': `${e.percentiles.p50}/${e.percentiles.p99} ms, ${e.avgMs.toFixed(2)} ms`, peer: rdP ? `librdkafka ${rdP.p50}/${rdP.p99} ms, ${rdP.avgMs.toFixed(2)} ms` : 'librdkafka: n/a', ratio: '' },
    ]);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
