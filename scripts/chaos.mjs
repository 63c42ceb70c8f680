#!/usr/bin/env node
// Crash test for the broker daemon (issue 14):
//   npm run chaos -- --cycles N [--brokers 1|3] [--idempotent true|false] [--seed S]
//
// Starts the real daemon (KAFKA_TS_HOME in a temp dir, a fixed port so clients find it again),
// creates a topic (3 brokers: replication factor 3, min.insync.replicas 2) and produces to it
// without pause with our client (acks=all, retrying), while the daemon is SIGKILLed at a random
// moment and restarted, N times. At the end every record is read back: no acknowledged record may
// be missing or sit at another offset than acknowledged; with idempotence there must be no
// duplicates (without it, duplicates from retries are allowed and counted). Prints cycles,
// acknowledged, read back, lost, duplicates. Exit status 0 when every check passed, 1 otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alive,
  freePort,
  kafkaTs,
  killHard,
  loadClient,
  makeRng,
  ownDaemon,
  parseArgs,
  readAll,
  scanLog,
  startDaemon,
  stopDaemon,
  tempHome,
  waitFor,
} from './daemon-harness.mjs';

const opts = parseArgs(process.argv.slice(2), {
  cycles: 5,
  brokers: 1,
  idempotent: true,
  seed: 1,
  partitions: 3,
  'max-kill-ms': 1500,
  /** Records appended per second (0: as fast as the producer takes them). */
  rate: 5000,
  /** Share of cycles in which the restarted daemon is killed again while it starts (log recovery). */
  'start-kill-share': 0.25,
  json: false,
  keep: false,
});
if (![1, 3].includes(opts.brokers)) throw new Error('--brokers must be 1 or 3');
const TOPIC = 'chaos';
const rng = makeRng(opts.seed, 0xc4a05);
const lib = await loadClient();
const { home, cleanup } = tempHome('kafka-ts-chaos-');
const failures = [];
const stats = { killedDuringStart: 0, inFlightAtKill: 0, cycles: 0, appended: 0, acknowledged: 0, failed: 0, readBack: 0, lost: 0, misplaced: 0, duplicates: 0, unacknowledgedPresent: 0, restartMs: [] };
const failReasons = new Map();
let daemon;

const overrides = opts.brokers === 3 ? { 'default.replication.factor': '3', 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false' } : {};

async function start(port) {
  const d = await startDaemon(home, { port, brokers: opts.brokers, overrides });
  ownDaemon(d.pid);
  return d;
}

/**
 * Restarts on the same ports (taken below the ephemeral range, see freePort, so no outgoing
 * connection holds one as its source port). A port still taken is waited for (up to 30 s), as an
 * operator restarting a broker would.
 */
async function restart(port) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await start(port);
    } catch (e) {
      if (!/already in use/.test(String(e?.message)) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Starts the daemon and SIGKILLs it a random moment after its pid file appears (mid-recovery). */
async function killWhileStarting(port, oldPid) {
  const pidFile = join(home, 'kafka-ts.pid');
  const starting = kafkaTs(['server', 'start', '--port', String(port), '--brokers', String(opts.brokers), '--data-dir', home, '--output', 'json', ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])], home, 120_000);
  let done = false;
  void starting.then(() => (done = true));
  const pid = await waitFor(
    'the restarting daemon to write its pid file',
    () => {
      // The starting daemon removes the killed one's stale pid file and writes its own: the file
      // can vanish between looking and reading.
      let p = 0;
      try {
        p = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
      } catch {
        /* not there (yet) */
      }
      return (p > 0 && p !== oldPid && alive(p) && p) || (done ? -1 : 0);
    },
    60_000,
    2,
  );
  if (pid > 0) {
    ownDaemon(pid);
    await new Promise((r) => setTimeout(r, rng.int(150)));
    await killHard(pid);
    stats.killedDuringStart++;
  }
  await starting;
}

async function main() {
  // A fixed port (taken free now) so the producer reconnects to the restarted daemon.
  let port;
  for (let attempt = 0; ; attempt++) {
    port = await freePort(opts.brokers);
    try {
      daemon = await restart(port);
      break;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
  }
  const client = new lib.KafkaClient({ bootstrap: lib.parseBootstrap(daemon.bootstrap), connectTimeoutMs: 2000, requestTimeoutMs: 10_000 });
  const admin = new lib.Admin(client);
  const configs = opts.brokers === 3 ? { 'min.insync.replicas': '2' } : {};
  const [created] = await admin.createTopics([{ name: TOPIC, partitions: opts.partitions, replicationFactor: opts.brokers, configs }]);
  if (created.error) throw new Error(`could not create ${TOPIC}: ${created.error.message}`);

  const producer = new lib.Producer(client, {
    acks: -1,
    idempotent: opts.idempotent,
    lingerMs: 5,
    batchSize: 16384,
    retries: 1_000_000,
    retryBackoffMs: 100,
    requestTimeoutMs: 10_000,
    deliveryTimeoutMs: 300_000,
    maxBlockMs: 300_000,
  });
  const acked = new Map(); // value -> "partition:offset"
  let pumping = true;
  const pumpStart = Date.now();
  const pump = (async () => {
    while (pumping) {
      const value = `r${stats.appended++}`;
      producer.append({ topic: TOPIC, key: Buffer.from(value), value: Buffer.from(value) }, (err, meta) => {
        if (err || !meta) {
          stats.failed++;
          const why = err ? err.message.slice(0, 120) : 'no metadata';
          failReasons.set(why, (failReasons.get(why) ?? 0) + 1);
          return;
        }
        acked.set(value, `${meta.partition}:${meta.offset}`);
      });
      if (stats.appended % 50 === 0) {
        await producer.waitForRoom(400);
        const ahead = opts.rate > 0 ? stats.appended / opts.rate - (Date.now() - pumpStart) / 1000 : 0;
        await new Promise((r) => (ahead > 0 ? setTimeout(r, ahead * 1000) : setImmediate(r)));
      }
    }
  })();

  for (let c = 1; c <= opts.cycles; c++) {
    // A random moment while records flow: once this run of the daemon has acknowledged one, then
    // anywhere up to max-kill-ms later (kills while it starts are killWhileStarting's).
    const before = acked.size;
    await waitFor(`a record acknowledged after restart ${c - 1}`, () => acked.size > before, 60_000, 5);
    const delay = rng.int(opts['max-kill-ms'] + 1);
    await new Promise((r) => setTimeout(r, delay));
    stats.inFlightAtKill += producer.outstanding;
    await killHard(daemon.pid);
    if (rng.chance(opts['start-kill-share'])) await killWhileStarting(port, daemon.pid);
    const t0 = Date.now();
    daemon = await restart(port);
    stats.restartMs.push(Date.now() - t0);
    stats.cycles = c;
    if (!opts.json) process.stdout.write(`\rcycle ${c}/${opts.cycles}: ${acked.size} acknowledged, ${stats.failed} failed`);
  }
  if (!opts.json) process.stdout.write('\n');

  // Stop producing, let every outstanding record complete (the daemon is up now).
  pumping = false;
  await pump;
  const flushed = await Promise.race([producer.flush().then(() => true), new Promise((r) => setTimeout(() => r(false), 120_000))]);
  if (!flushed) failures.push(`${producer.outstanding} records still unacknowledged 120 s after the last restart`);
  stats.acknowledged = acked.size;
  await producer.close().catch(() => undefined);
  await client.close();

  const reader = new lib.KafkaClient({ bootstrap: lib.parseBootstrap(daemon.bootstrap), connectTimeoutMs: 2000, requestTimeoutMs: 30_000 });
  const records = await readAll(lib, reader, TOPIC, opts.partitions);
  await reader.close();
  stats.readBack = records.length;
  const at = new Map();
  const seen = new Map();
  for (const r of records) {
    at.set(`${r.partition}:${r.offset}`, r.value);
    seen.set(r.value, (seen.get(r.value) ?? 0) + 1);
  }
  for (const [value, where] of acked) {
    if (!seen.has(value)) stats.lost++;
    else if (at.get(where) !== value) stats.misplaced++;
  }
  for (const n of seen.values()) if (n > 1) stats.duplicates += n - 1;
  for (const v of seen.keys()) if (!acked.has(v)) stats.unacknowledgedPresent++;
  if (stats.lost) failures.push(`${stats.lost} acknowledged records missing`);
  if (stats.misplaced) failures.push(`${stats.misplaced} acknowledged records not at their acknowledged offset`);
  if (opts.idempotent && stats.duplicates) failures.push(`${stats.duplicates} duplicates with idempotence on`);
  if (stats.acknowledged === 0) failures.push('no record was acknowledged');
  const log = scanLog(home);
  stats.errorLines = log.errors;
  stats.firstErrors = log.firstErrors;
}

try {
  await main();
} catch (e) {
  failures.push(`run failed: ${e.message}`);
} finally {
  if (daemon && alive(daemon.pid)) await stopDaemon(home);
  if (failures.length || opts.keep) console.error(`kept ${home} (server.log)`);
  else cleanup();
}
const sorted = [...stats.restartMs].sort((a, b) => a - b);
const summary = {
  ok: failures.length === 0,
  seed: opts.seed,
  brokers: opts.brokers,
  idempotent: opts.idempotent,
  cycles: stats.cycles,
  killedDuringStart: stats.killedDuringStart,
  inFlightAtKill: stats.inFlightAtKill,
  appended: stats.appended,
  acknowledged: stats.acknowledged,
  failed: stats.failed,
  readBack: stats.readBack,
  lost: stats.lost,
  misplaced: stats.misplaced,
  duplicates: stats.duplicates,
  unacknowledgedPresent: stats.unacknowledgedPresent,
  restartMsMedian: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
  restartMsMax: sorted.length ? sorted[sorted.length - 1] : null,
  errorLines: stats.errorLines ?? null,
  firstErrors: stats.firstErrors ?? [],
  failReasons: Object.fromEntries(failReasons),
  failures,
};
if (opts.json) console.log(JSON.stringify(summary));
else {
  console.log(`chaos: seed ${summary.seed}, ${summary.brokers} broker(s), idempotence ${summary.idempotent ? 'on' : 'off'}: ${summary.cycles} SIGKILL/restart cycles (${summary.killedDuringStart} also killed while restarting; ${summary.inFlightAtKill} records in flight at the kills; restart median ${summary.restartMsMedian} ms, max ${summary.restartMsMax} ms)`);
  console.log(`  appended ${summary.appended}, acknowledged ${summary.acknowledged}, failed ${summary.failed}; read back ${summary.readBack}`);
  console.log(`  lost ${summary.lost}, misplaced ${summary.misplaced}, duplicates ${summary.duplicates}; unacknowledged but stored ${summary.unacknowledgedPresent}; server.log ERROR lines ${summary.errorLines}`);
  for (const [why, n] of Object.entries(summary.failReasons)) console.log(`  failed sends: ${n} x ${why}`);
  for (const l of summary.firstErrors) console.log(`  ${l.slice(0, 300)}`);
  for (const f of failures) console.log(`  FAILED: ${f}`);
  console.log(failures.length ? 'chaos: FAILED' : 'chaos: OK');
}
process.exit(failures.length ? 1 : 0);
