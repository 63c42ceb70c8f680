// Replication on a daemon with three logical brokers, with kcat as the client and the disk as
// the peer: produce throughput of 1 KiB records with acks=all into a topic replicated three
// times (min.insync.replicas=2) next to an unreplicated one, and the copy rate of an
// unthrottled reassignment next to copying the same log files with fs.copyFileSync.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, SCALE, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed } from './lib.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-replication-'));
  const daemon = startDaemon(['--brokers', '3', '--override', 'auto.leader.rebalance.enable=false']);
  const env = { KAFKA_TS_HOME: daemon.home };
  const count = Math.round(500_000 * SCALE);
  const results = {};
  try {
    const bootstrap = JSON.parse(kafkaTs(['server', 'status', '--output', 'json'], daemon.home).stdout).listeners.filter((l) => l.startsWith('PLAINTEXT://')).map((l) => l.slice(12)).join(',');
    const file = lineFile(work, count, 1024);
    kafkaTs(['topics', '--create', '--topic', 'rf1', '--replica-assignment', '1,2,3'], daemon.home);
    kafkaTs(['topics', '--create', '--topic', 'rf3', '--replica-assignment', '1:2:3,2:3:1,3:1:2', '--config', 'min.insync.replicas=2'], daemon.home);
    const kcatP = (topic, acks) => timed('kcat', ['-b', bootstrap, '-P', '-t', topic, '-l', '-X', `acks=${acks}`, '-X', 'linger.ms=10', '-X', 'batch.size=1000000', file]);
    const one = await kcatP('rf1', '1');
    const three = await kcatP('rf3', 'all');
    const mb = (count * 1024) / 1e6;
    results.produce = { records: count, recordBytes: 1024, rf1Seconds: one.seconds, rf3Seconds: three.seconds };

    // Move rf1 (one replica per partition) to the next broker, unthrottled.
    const plan = join(work, 'plan.json');
    writeFileSync(plan, JSON.stringify({ version: 1, partitions: [0, 1, 2].map((p) => ({ topic: 'rf1', partition: p, replicas: [((p + 1) % 3) + 1] })) }));
    const logBytes = ['data', 'data-2', 'data-3'].flatMap((d) => readdirSync(join(daemon.home, d)).filter((x) => x.startsWith('rf1-')).map((x) => join(daemon.home, d, x)));
    let bytes = 0;
    const copyDir = join(work, 'copy');
    mkdirSync(copyDir);
    const copyStart = process.hrtime.bigint();
    for (const dir of logBytes) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
        bytes += statSync(join(dir, f)).size;
        copyFileSync(join(dir, f), join(copyDir, `${dir.split('/').pop()}-${f}`));
      }
    }
    const copySeconds = Number(process.hrtime.bigint() - copyStart) / 1e9;
    rmSync(copyDir, { recursive: true, force: true });
    const move = await timed(process.execPath, [BIN, 'reassign-partitions', '--execute', '--reassignment-json-file', plan, '--wait'], { env });
    results.reassign = { bytes, seconds: move.seconds, copyFileSeconds: copySeconds };
    table([
      { benchmark: `kcat -P ${fmt(count)} x 1 KiB, acks=all, RF 3`, 'kafka-ts': `${fmt(mb / three.seconds, 1)} MB/s`, peer: `RF 1, acks=1 ${fmt(mb / one.seconds, 1)} MB/s`, ratio: `${(one.seconds / three.seconds).toFixed(2)}x`, target: 'report' },
      { benchmark: `reassignment of ${fmt(bytes / 1e6)} MB, unthrottled`, 'kafka-ts': `${fmt(bytes / 1e6 / move.seconds, 1)} MB/s`, peer: `fs.copyFileSync ${fmt(bytes / 1e6 / copySeconds, 1)} MB/s`, ratio: `${(copySeconds / move.seconds).toFixed(2)}x`, target: 'report' },
    ]);
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
