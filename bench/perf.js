// The perf tools beside real clients on one daemon in the same run: producer-perf-test's reported
// rate for 1,000,000 x 100 B (Java's batch.size 16384, and 1 MB as librdkafka batches) vs kcat -P
// over the same records; consumer-perf-test vs kcat -C -e; e2e-latency percentiles vs the same
// round trip with librdkafka (test/interop/clients/e2e_latency.py, needs python3-confluent-kafka).
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
  try {
    for (const t of ['perf-16k', 'perf-1m', 'perf-kcat']) kafkaTs(['topics', '--create', '--topic', t, '--partitions', '1'], daemon.home);
    const perf = (topic, batch) => json(['producer-perf-test', '--topic', topic, '--num-records', String(count), '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${daemon.bootstrap}`, `batch.size=${batch}`], daemon.home);
    const p16 = perf('perf-16k', 16384);
    const p1m = perf('perf-1m', 1000000);
    const file = lineFile(work, count, 100);
    const base = await timed('kcat', ['-b', daemon.bootstrap, '-L', '-t', 'perf-kcat']);
    const kcatP = await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'perf-kcat', '-l', file]);
    const kcatRate = count / Math.max(0.001, kcatP.seconds - base.seconds);
    const c = json(['consumer-perf-test', '--bootstrap-server', daemon.bootstrap, '--topic', 'perf-kcat', '--messages', String(count)], daemon.home);
    const kcatC = await timed('kcat', ['-b', daemon.bootstrap, '-C', '-t', 'perf-kcat', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10']);
    const kcatCRate = count / Math.max(0.001, kcatC.seconds - base.seconds);
    const n = Math.max(100, Math.round(2000 * SCALE));
    const e = json(['e2e-latency', daemon.bootstrap, 'e2e-ours', String(n), '1', '100'], daemon.home);
    kafkaTs(['topics', '--create', '--topic', 'e2e-rd', '--partitions', '1'], daemon.home);
    const py = spawnSync('/usr/bin/python3', [join(ROOT, 'test/interop/clients/e2e_latency.py'), daemon.bootstrap, 'e2e-rd', String(n), '1', '100'], { encoding: 'utf8' });
    const rd = py.status === 0 ? JSON.parse(py.stdout).map(Math.trunc).sort((a, b) => a - b) : null;
    const rdP = rd && { p50: rd[Math.floor(rd.length * 0.5)], p99: rd[Math.floor(rd.length * 0.99)], avgMs: JSON.parse(py.stdout).reduce((s, x) => s + x, 0) / rd.length };

    results.produce = { records: count, batch16k: p16.recordsPerSec, batch1m: p1m.recordsPerSec, kcat: kcatRate, ratio1m: p1m.recordsPerSec / kcatRate };
    results.consume = { records: count, fetchRate: c.fetchMessagesPerSec, kcat: kcatCRate, ratio: c.fetchMessagesPerSec / kcatCRate };
    results.e2e = { messages: n, ours: { avgMs: e.avgMs, ...e.percentiles }, librdkafka: rdP };
    table([
      { benchmark: `producer-perf-test ${fmt(count)} x 100 B, batch.size 16384`, 'kafka-ts': `${fmt(p16.recordsPerSec)} rec/s`, peer: `kcat -P ${fmt(kcatRate)} rec/s`, ratio: `${(p16.recordsPerSec / kcatRate).toFixed(2)}x` },
      { benchmark: `producer-perf-test ${fmt(count)} x 100 B, batch.size 1000000`, 'kafka-ts': `${fmt(p1m.recordsPerSec)} rec/s`, peer: `kcat -P ${fmt(kcatRate)} rec/s`, ratio: `${(p1m.recordsPerSec / kcatRate).toFixed(2)}x` },
      { benchmark: `consumer-perf-test ${fmt(count)} (fetch.nMsg.sec)`, 'kafka-ts': `${fmt(c.fetchMessagesPerSec)} rec/s`, peer: `kcat -C -e ${fmt(kcatCRate)} rec/s`, ratio: `${(c.fetchMessagesPerSec / kcatCRate).toFixed(2)}x` },
      { benchmark: `e2e-latency ${fmt(n)} x 100 B, acks=1 (p50/p99, avg)`, 'kafka-ts': `${e.percentiles.p50}/${e.percentiles.p99} ms, ${e.avgMs.toFixed(2)} ms`, peer: rdP ? `librdkafka ${rdP.p50}/${rdP.p99} ms, ${rdP.avgMs.toFixed(2)} ms` : 'librdkafka: n/a', ratio: '' },
    ]);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
