// The perf tools beside real clients on one daemon in the same run, like for like: each target row
// gives both sides the same producer properties (acks, enable.idempotence, batch.size, linger.ms,
// max.in.flight.requests.per.connection, compression.type), passed as --producer-props to
// producer-perf-test and as -X to kcat -P, over 1,000,000 x 100 B; each pair measured side by side
// BENCH_REPEAT times (default 3; median ratio and spread):
//   - kcat's producer (librdkafka's defaults: not idempotent, up to 1,000,000 requests in flight)
//     at batch.size 16384 (Java's default) and at its own default 1000000;
//   - the idempotent producer (Kafka's defaults: five batches in flight) at batch.size 16384.
// One row is reported but is no target: ours at Kafka's defaults vs kcat at librdkafka's (they
// differ: idempotence, requests in flight, batch.size). librdkafka also caps a batch at
// batch.num.messages (10000), which 1 MB of 100 B records does not reach.
// consumer-perf-test vs kcat -C -e over the same 1,000,000 records (neither checks CRCs by
// default here: librdkafka's check.crcs is false; ours checks them when check.crcs=true is set),
// and the same with check.crcs=true on both sides; e2e-latency percentiles vs the same round trip
// with librdkafka (test/interop/clients/e2e_latency.py, needs python3-confluent-kafka).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, fmt, kafkaTs, lineFile, median, requireKcat, ROOT, SCALE, startDaemon, table, timed } from './lib.js';

const json = (args, home) => JSON.parse(kafkaTs([...args, '--output', 'json'], home).stdout);

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-perf-'));
  const daemon = startDaemon();
  const count = Math.round(1_000_000 * SCALE);
  const results = {};
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
  try {
    let seq = 0;
    const topic = () => {
      const t = `perf-${seq++}`;
      kafkaTs(['topics', '--create', '--topic', t, '--partitions', '1'], daemon.home);
      return t;
    };
    const perf = (props) =>
      json(['producer-perf-test', '--topic', topic(), '--num-records', String(count), '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${daemon.bootstrap}`, ...Object.entries(props).map(([k, v]) => `${k}=${v}`)], daemon.home);
    const file = lineFile(work, count, 100);
    kafkaTs(['topics', '--create', '--topic', 'perf-kcat', '--partitions', '1'], daemon.home);
    const base = await timed('kcat', ['-b', daemon.bootstrap, '-L', '-t', 'perf-kcat']);
    // kcat's rate over the same records (its start-up and metadata round trip, measured by -L, taken off).
    const kcatRate = async (props = {}, t = topic()) =>
      count / Math.max(0.001, (await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', t, '-l', file, ...Object.entries(props).flatMap(([k, v]) => ['-X', `${k}=${v}`])])).seconds - base.seconds);
    const common = { acks: 'all', 'linger.ms': 5, 'compression.type': 'none' };
    const plain = { ...common, 'enable.idempotence': 'false', 'max.in.flight.requests.per.connection': 1000000 };
    const idempotent = { ...common, 'enable.idempotence': 'true', 'max.in.flight.requests.per.connection': 5 };
    const show = (props) => Object.entries(props).map(([k, v]) => `${k}=${v}`).join(' ');
    // Like for like: these properties (and `common`) go to both sides.
    const like = (props) => ({
      what: `like for like: ${show(Object.fromEntries(Object.entries(props).filter(([k]) => !(k in common))))}`,
      ours: () => perf(props),
      peer: () => kcatRate(props),
      peerName: 'kcat -P',
      target: true,
    });
    const pairs = [
      like({ ...plain, 'batch.size': 16384 }),
      like({ ...plain, 'batch.size': 1000000 }),
      like({ ...idempotent, 'batch.size': 16384 }),
      // Reported, not a target: each side at its own defaults.
      { what: "Kafka's defaults vs kcat's defaults (reported, not like for like)", ours: () => perf({}), peer: () => kcatRate(), peerName: 'kcat -P', target: false },
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
          ratio: `${mid.ratio.toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}${p.target ? ', target >= 0.80x' : ', no target'})`,
        },
        ratio: mid.ratio,
        target: p.target,
        spread: [Math.min(...ratios), Math.max(...ratios)],
        trials: trials[i],
      };
    });
    // consumer-perf-test's fetch rate (its group join not counted) vs kcat -C -e (no group), from the beginning of the same records.
    const consume = async (crcs) => {
      const t = [];
      for (let r = 0; r < repeat; r++) {
        const ours = json(['consumer-perf-test', '--bootstrap-server', daemon.bootstrap, '--topic', 'perf-kcat', '--messages', String(count), ...(crcs ? ['--consumer.config', crcFile] : [])], daemon.home).fetchMessagesPerSec;
        const k = await timed('kcat', ['-b', daemon.bootstrap, '-C', '-t', 'perf-kcat', '-o', 'beginning', '-e', '-q', '-X', 'fetch.wait.max.ms=10', ...(crcs ? ['-X', 'check.crcs=true'] : [])]);
        const peer = count / Math.max(0.001, k.seconds - base.seconds);
        t.push({ ours, peer, ratio: ours / peer });
      }
      const ratios = t.map((x) => x.ratio);
      return { trials: t, mid: t[ratios.indexOf(median(ratios))], spread: [Math.min(...ratios), Math.max(...ratios)] };
    };
    const crcFile = join(work, 'crcs.properties');
    writeFileSync(crcFile, 'check.crcs=true\n');
    const consumeRows = [
      { what: 'check.crcs false on both (librdkafka\'s default)', ...(await consume(false)) },
      { what: 'check.crcs=true on both (Java\'s default)', ...(await consume(true)) },
    ];
    const n = Math.max(100, Math.round(2000 * SCALE));
    const e = json(['e2e-latency', daemon.bootstrap, 'e2e-ours', String(n), '1', '100'], daemon.home);
    kafkaTs(['topics', '--create', '--topic', 'e2e-rd', '--partitions', '1'], daemon.home);
    const py = spawnSync('/usr/bin/python3', [join(ROOT, 'test/interop/clients/e2e_latency.py'), daemon.bootstrap, 'e2e-rd', String(n), '1', '100'], { encoding: 'utf8' });
    const rd = py.status === 0 ? JSON.parse(py.stdout).map(Math.trunc).sort((a, b) => a - b) : null;
    const rdP = rd && { p50: rd[Math.floor(rd.length * 0.5)], p99: rd[Math.floor(rd.length * 0.99)], avgMs: JSON.parse(py.stdout).reduce((s, x) => s + x, 0) / rd.length };

    results.produce = { records: count, repeat, common, rows: produceRows.map(({ what, ratio, target, spread, trials: t }) => ({ what, ratio, target, spread, trials: t })) };
    results.consume = { records: count, repeat, rows: consumeRows.map(({ what, mid, spread, trials: t }) => ({ what, ratio: mid.ratio, spread, trials: t })) };
    results.e2e = { messages: n, ours: { avgMs: e.avgMs, ...e.percentiles }, librdkafka: rdP };
    console.log(`like-for-like rows: both sides get ${show(common)} and the row's properties (--producer-props / kcat -X)`);
    table([
      ...produceRows.map((r) => r.row),
      ...consumeRows.map(({ what, mid, spread }) => ({
        benchmark: `consumer-perf-test ${fmt(count)} (fetch.nMsg.sec), ${what}`,
        'kafka-ts': `${fmt(mid.ours)} rec/s`,
        peer: `kcat -C -e ${fmt(mid.peer)} rec/s`,
        ratio: `${mid.ratio.toFixed(2)}x (${spread[0].toFixed(2)}-${spread[1].toFixed(2)}, target >= 0.80x)`,
      })),
      { benchmark: `e2e-latency ${fmt(n)} x 100 B, acks=1 (p50/p99, avg)`, 'kafka-ts': `${e.percentiles.p50}/${e.percentiles.p99} ms, ${e.avgMs.toFixed(2)} ms`, peer: rdP ? `librdkafka ${rdP.p50}/${rdP.p99} ms, ${rdP.avgMs.toFixed(2)} ms` : 'librdkafka: n/a', ratio: '' },
    ]);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
