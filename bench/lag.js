// The lag watcher's refresh over 50 groups x 100 partitions (5 topics of 100 partitions, 10 groups
// on each, every partition behind): the time of one refresh (ListGroups, DescribeGroups,
// OffsetFetch, ListOffsets, Fetch for time lag, evaluation and the table view) against the 2 s
// refresh interval, and the watcher's CPU share at that interval, while every group keeps
// committing. Side by side: one `consumer-groups --describe --all-groups` run over the same groups
// (what a script polling Kafka's tool pays per look, without time lag or statuses).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, fmt, kafkaTs, median, ROOT, startDaemon, table } from './lib.js';

const lib = (path) => import(join(ROOT, 'dist', 'src', path));

export async function run() {
  const { KafkaClient, parseBootstrap } = await lib('client/client.js');
  const { GroupAdmin } = await lib('client/groups.js');
  const { Producer } = await lib('client/producer/producer.js');
  const { LagCollector } = await lib('lag/collector.js');
  const { LagMonitor } = await lib('lag/monitor.js');
  const { DEFAULT_SETTINGS } = await lib('lag/evaluator.js');
  const { groupsTable } = await lib('lag/views.js');
  const { Chalk } = await import('chalk');

  const daemon = startDaemon();
  const client = new KafkaClient({ bootstrap: parseBootstrap(daemon.bootstrap), clientId: 'bench-lag' });
  const watcherClient = new KafkaClient({ bootstrap: parseBootstrap(daemon.bootstrap), clientId: 'bench-watcher' });
  const topics = 5;
  const partitions = 100;
  const groupsPerTopic = 10;
  const intervalMs = 2000;
  const refreshes = 10;
  try {
    const producer = new Producer(client, { lingerMs: 5 });
    for (let t = 0; t < topics; t++) {
      kafkaTs(['topics', '--create', '--topic', `lag-${t}`, '--partitions', String(partitions)], daemon.home);
      for (let p = 0; p < partitions; p++) for (let i = 0; i < 50; i++) void producer.send({ topic: `lag-${t}`, partition: p, value: Buffer.from(`record ${i}`) });
    }
    await producer.flush();
    const admin = new GroupAdmin(client);
    const offsets = new Map();
    const commitAll = async (step) => {
      await Promise.all(
        Array.from({ length: topics * groupsPerTopic }, async (_, g) => {
          const t = g % topics;
          const at = Math.min(49, (offsets.get(g) ?? g % 10) + step);
          offsets.set(g, at);
          await admin.commitOffsets(`group-${g}`, Array.from({ length: partitions }, (_, p) => ({ topic: `lag-${t}`, partition: p, offset: at })));
        }),
      );
    };
    await commitAll(0);

    const collector = new LagCollector(watcherClient);
    const monitor = new LagMonitor(DEFAULT_SETTINGS);
    const plain = new Chalk({ level: 0 });
    const times = [];
    const cpuShares = [];
    let groupsSeen = 0;
    let partitionsSeen = 0;
    for (let i = 0; i < refreshes; i++) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      monitor.ingest(await collector.collect(null));
      const report = monitor.report(Date.now());
      groupsTable(report, plain);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      times.push(ms);
      cpuShares.push((used.user + used.system) / 1000 / intervalMs);
      groupsSeen = report.groups.length;
      partitionsSeen = report.groups.reduce((n, g) => n + g.partitions.length, 0);
      // Consumers move on between refreshes, so time lag needs new timestamps every time.
      await commitAll(1);
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - ms)));
    }
    const cold = times[0];
    const warm = times.slice(1);
    const describeStart = process.hrtime.bigint();
    const describe = spawnSync(process.execPath, [BIN, 'consumer-groups', '--describe', '--all-groups'], { env: { ...process.env, KAFKA_TS_HOME: daemon.home }, stdio: ['ignore', 'ignore', 'pipe'] });
    const describeMs = Number(process.hrtime.bigint() - describeStart) / 1e6;
    if (describe.status !== 0) throw new Error(`consumer-groups --describe failed: ${describe.stderr}`);

    const results = {
      groups: groupsSeen,
      partitions: partitionsSeen,
      intervalMs,
      firstRefreshMs: cold,
      medianRefreshMs: median(warm),
      maxRefreshMs: Math.max(...warm),
      medianCpuShare: median(cpuShares.slice(1)),
      describeAllGroupsMs: describeMs,
    };
    table([
      { benchmark: `first refresh, ${groupsSeen} groups x ${partitionsSeen / groupsSeen} partitions`, 'kafka-ts': `${fmt(cold)} ms`, peer: '', ratio: `${((cold / intervalMs) * 100).toFixed(1)}% of 2 s`, target: '< interval' },
      { benchmark: 'refresh while groups commit (median / max)', 'kafka-ts': `${fmt(median(warm))} / ${fmt(Math.max(...warm))} ms`, peer: `consumer-groups --describe --all-groups ${fmt(describeMs)} ms`, ratio: `${(describeMs / median(warm)).toFixed(2)}x`, target: '< interval' },
      { benchmark: 'watcher CPU share at a 2 s interval (median)', 'kafka-ts': `${(median(cpuShares.slice(1)) * 100).toFixed(1)}%`, peer: '', ratio: '', target: 'report' },
    ]);
    return results;
  } finally {
    await client.close();
    await watcherClient.close();
    daemon.stop();
  }
}
