// Consumer groups, side by side with kcat in the same run:
//  1. stabilisation: wall time from starting ten member processes at once until the group is
//     Stable with all ten members and every partition of a 12-partition topic assigned — ten
//     `console-consumer --group` processes vs ten `kcat -G` processes (default heartbeat
//     intervals: members that joined early learn of the rebalance on their next heartbeat);
//  2. throughput: one `console-consumer --group` member reading N records of 100 bytes from six
//     partitions to /dev/null vs one `kcat -G` member doing the same (each in a fresh group,
//     from the earliest offset, stopping after N records; group join included).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BIN, ROOT, SCALE, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed } from './lib.js';

const lib = (path) => import(join(ROOT, 'dist', 'src', path));

/** Resolves with the ms it took until describeGroups shows `members` members sharing `partitions` partitions, Stable. */
async function untilStable(admin, group, members, partitions, start, timeoutMs = 120_000) {
  for (;;) {
    const [d] = await admin.describeGroups([group]);
    const assigned = d.members.reduce((n, m) => n + m.assignment.reduce((k, a) => k + a.partitions.length, 0), 0);
    if (d.state === 'Stable' && d.members.length === members && assigned === partitions) return Number(process.hrtime.bigint() - start) / 1e6;
    if (Number(process.hrtime.bigint() - start) / 1e6 > timeoutMs) throw new Error(`group ${group} did not stabilise: ${d.state}, ${d.members.length} members, ${assigned} partitions`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts `members` processes at once and times until the group is stable; then stops them. */
async function stabilise(command, args, admin, group, members, partitions, env = {}) {
  const start = process.hrtime.bigint();
  const procs = [];
  for (let i = 0; i < members; i++) procs.push(spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } }));
  try {
    return await untilStable(admin, group, members, partitions, start);
  } finally {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.on('exit', resolve);
            p.kill('SIGTERM');
          }),
      ),
    );
  }
}

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-groups-'));
  const daemon = startDaemon();
  const env = { KAFKA_TS_HOME: daemon.home };
  const { KafkaClient, parseBootstrap } = await lib('client/client.js');
  const { GroupAdmin } = await lib('client/groups.js');
  const adminClient = new KafkaClient({ bootstrap: parseBootstrap(daemon.bootstrap), clientId: 'bench-admin' });
  const admin = new GroupAdmin(adminClient);
  const count = Math.round(1_000_000 * SCALE);
  const results = {};
  try {
    kafkaTs(['topics', '--create', '--topic', 'stabilise', '--partitions', '12'], daemon.home);
    const members = 10;
    const ours = await stabilise(process.execPath, [BIN, 'console-consumer', '--topic', 'stabilise', '--group', 'stabilise-kafka-ts'], admin, 'stabilise-kafka-ts', members, 12, env);
    const kcat = await stabilise('kcat', ['-b', daemon.bootstrap, '-G', 'stabilise-kcat', '-q', 'stabilise'], admin, 'stabilise-kcat', members, 12);

    kafkaTs(['topics', '--create', '--topic', 'group-throughput', '--partitions', '6'], daemon.home);
    await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'group-throughput', '-l', lineFile(work, count, 100)]);
    const oursC = await timed(process.execPath, [BIN, 'console-consumer', '--topic', 'group-throughput', '--group', 'throughput-kafka-ts', '--from-beginning', '--max-messages', String(count)], { env });
    const kcatC = await timed('kcat', ['-b', daemon.bootstrap, '-G', 'throughput-kcat', '-q', '-c', String(count), '-X', 'auto.offset.reset=earliest', 'group-throughput']);

    results.stabilise = { members, partitions: 12, kafkaTsMs: ours, kcatMs: kcat };
    results.groupConsume = { records: count, partitions: 6, kafkaTsSeconds: oursC.seconds, kcatSeconds: kcatC.seconds, ratio: kcatC.seconds / oursC.seconds };
    table([
      { benchmark: `${members}-member group stable, 12 partitions`, 'kafka-ts': `${fmt(ours)} ms`, peer: `${members} x kcat -G ${fmt(kcat)} ms`, ratio: `${(kcat / ours).toFixed(2)}x`, target: 'report' },
      {
        benchmark: `console-consumer --group, ${fmt(count)} x 100 B`,
        'kafka-ts': `${fmt(count / oursC.seconds)} rec/s`,
        peer: `kcat -G ${fmt(count / kcatC.seconds)} rec/s`,
        ratio: `${(kcatC.seconds / oursC.seconds).toFixed(2)}x`,
        target: '>= 0.5x',
      },
    ]);
  } finally {
    await adminClient.close();
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
