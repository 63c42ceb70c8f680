// Kafka Streams (issue 20): `kafka-ts streams` against a hand-written consume→produce loop with
// the project's own client (src/client: Fetcher + Producer), in the same run, 3 rounds:
//  - filter: `streams filter --where <predicate>` vs the loop applying the same predicate
//    (target: >= 0.7x);
//  - count: `streams count` (a running count per key: a logged store, one output record per
//    input record) vs the loop keeping the counts in a Map and producing each update
//    (target: >= 0.4x);
//  - restoration: a fresh state dir restores a count's store of RECORDS keys from its changelog
//    (records/s, the runtime's own measure: fetch to store files written), beside a bare Fetcher
//    reading the same changelog.
// Both sides are timed the same way, inside their own process: from the first record in hand to
// the last output record acknowledged (the command's final JSON summary carries its
// processingStartedAt / processingEndedAt; the loop: first record fetched → flush() resolved), so
// process start, group join and connection set-up are left out of both.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, fmt, kafkaTs, lineFile, median, requireKcat, ROOT, SCALE, startDaemon, table, timed } from './lib.js';

// 1M records: each streams run lasts seconds, so the JIT warm-up of a fresh `kafka-ts` process
// (the loop runs warm in this process after its first round) is a small part of it.
const RECORDS = Math.max(20_000, Math.round(1_000_000 * SCALE));
const PARTITIONS = 3;
const ROUNDS = 3;
const WHERE = "Number(value.slice(0, value.indexOf(' '))) % 2 === 0";

/** Runs `kafka-ts streams ...` until idle; returns {rate, summary} from its JSON summary. */
function streamsRun(daemon, args, expect) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'streams', ...args, '--bootstrap-server', daemon.bootstrap, '--output', 'json', '--status-interval', '100ms', '--until-idle', '1s'], {
      env: { ...process.env, KAFKA_TS_HOME: daemon.home, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    let err = '';
    let summary = null;
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const doc = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (doc.event === 'stopped') summary = doc;
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`streams ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      if (summary === null) return reject(new Error(`streams ${args[0]}: no summary seen`));
      if (expect > 0 && (summary.processed < expect || !(summary.processingEndedAt > summary.processingStartedAt))) return reject(new Error(`streams ${args[0]}: processed ${summary.processed} of ${expect} (${JSON.stringify(summary)})`));
      resolve({ rate: expect > 0 ? summary.processed / ((summary.processingEndedAt - summary.processingStartedAt) / 1000) : 0, summary });
    });
  });
}

export async function run() {
  requireKcat();
  const { KafkaClient, parseBootstrap } = await import(join(ROOT, 'dist/src/client/client.js'));
  const { Fetcher } = await import(join(ROOT, 'dist/src/client/consumer/fetcher.js'));
  const { Producer } = await import(join(ROOT, 'dist/src/client/producer/producer.js'));
  const daemon = startDaemon();
  try {
    for (const t of ['sb-in', 'sb-filter-out', 'sb-count-out', 'sb-loop-out']) kafkaTs(['topics', '--create', '--topic', t, '--partitions', String(PARTITIONS)], daemon.home);
    // 100 B records keyed by key-0 .. key-999 (a count per key), values "<i> xxx…".
    const file = lineFile(daemon.home, RECORDS, 100, true);
    await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'sb-in', '-K', '\t', '-l', file]);
    const client = new KafkaClient({ bootstrap: parseBootstrap(daemon.bootstrap), clientId: 'bench-streams-loop' });
    const keep = new Function('key', 'value', `return (${WHERE});`);

    /** The hand-written loop: read every record of `topic` once, hand each to `each`, flush. */
    const loop = async (topic, parts, each) => {
      const md = await client.refreshMetadata([topic]);
      const n = md.topics.get(topic).partitions.length;
      const { Admin, OffsetSpec } = await import(join(ROOT, 'dist/src/client/admin.js'));
      const ends = await new Admin(client).listOffsets(Array.from({ length: n }, (_, partition) => ({ topic, partition, timestamp: OffsetSpec.latest })), 0);
      const fetcher = new Fetcher(client, { isolationLevel: 0 });
      const producer = new Producer(client, { lingerMs: 100 });
      await fetcher.assign(ends.map((e) => ({ topic, partition: e.partition, start: 'earliest', stopAt: e.offset })));
      let start = null;
      let seen = 0;
      while (!fetcher.allAtEnd()) {
        for (const chunk of await fetcher.poll({ maxWaitMs: 100 })) {
          if (start === null && chunk.records.length > 0) start = process.hrtime.bigint();
          for (const r of chunk.records) {
            seen++;
            each(r, producer);
          }
        }
        if (producer.outstanding >= 50_000) await producer.waitForRoom(25_000);
      }
      await producer.flush();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      fetcher.close();
      await producer.close();
      if (parts !== undefined && seen !== parts) throw new Error(`loop saw ${seen} records, expected ${parts}`);
      return seen / seconds;
    };
    const loopFilter = () =>
      loop('sb-in', RECORDS, (r, p) => {
        const v = r.value.toString('utf8');
        if (keep(r.key?.toString('utf8'), v)) p.append({ topic: 'sb-loop-out', key: r.key, value: r.value, timestamp: r.timestamp });
      });
    const loopCount = () => {
      const counts = new Map();
      return loop('sb-in', RECORDS, (r, p) => {
        const k = r.key.toString('utf8');
        const c = (counts.get(k) ?? 0) + 1;
        counts.set(k, c);
        p.append({ topic: 'sb-loop-out', key: r.key, value: Buffer.from(String(c)), timestamp: r.timestamp });
      });
    };

    const rounds = { loopFilter: [], streamsFilter: [], loopCount: [], streamsCount: [] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.loopFilter.push(await loopFilter());
      rounds.streamsFilter.push((await streamsRun(daemon, ['filter', '--from', 'sb-in', '--where', WHERE, '--to', 'sb-filter-out', '--application-id', `sb-filter-${i}`, '--state-dir', join(daemon.home, `state-f${i}`)], RECORDS)).rate);
      rounds.loopCount.push(await loopCount());
      rounds.streamsCount.push((await streamsRun(daemon, ['count', '--from', 'sb-in', '--to', 'sb-count-out', '--application-id', `sb-count-${i}`, '--state-dir', join(daemon.home, `state-c${i}`)], RECORDS)).rate);
    }

    // Restoration: a count over RECORDS distinct keys (its changelog holds one record per key,
    // the runtime writing each key once per commit), then the same application again on empty
    // state dirs (its offsets are committed: nothing to process, everything to restore), beside a
    // bare read of the changelog.
    kafkaTs(['topics', '--create', '--topic', 'sb-unique', '--partitions', String(PARTITIONS)], daemon.home);
    const uniqueFile = join(daemon.home, 'unique.txt');
    writeFileSync(uniqueFile, Array.from({ length: RECORDS }, (_, i) => `u${i}\tx\n`).join(''));
    await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', 'sb-unique', '-K', '\t', '-l', uniqueFile]);
    await streamsRun(daemon, ['count', '--from', 'sb-unique', '--to', 'sb-count-out', '--application-id', 'sb-restore', '--state-dir', join(daemon.home, 'state-r')], RECORDS);
    const changelog = 'sb-restore-KSTREAM-AGGREGATE-STATE-STORE-0000000001-changelog';
    const restores = [];
    const rawReads = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { summary } = await streamsRun(daemon, ['count', '--from', 'sb-unique', '--to', 'sb-count-out', '--application-id', 'sb-restore', '--state-dir', join(daemon.home, `state-r${i}`)], 0);
      if (summary.restored < RECORDS) throw new Error(`restored ${summary.restored} records, expected ${RECORDS}`);
      restores.push(summary.restoreRecordsPerSecond);
      rawReads.push(await loop(changelog, undefined, () => undefined));
    }
    await client.close();

    const ratio = (a, b) => median(a) / median(b);
    const spread = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    const rows = [
      { measure: 'filter (records/s)', streams: fmt(median(rounds.streamsFilter)), peer: fmt(median(rounds.loopFilter)), ratio: ratio(rounds.streamsFilter, rounds.loopFilter).toFixed(2), target: '>= 0.7', 'streams spread': spread(rounds.streamsFilter), 'peer spread': spread(rounds.loopFilter) },
      { measure: 'count (records/s)', streams: fmt(median(rounds.streamsCount)), peer: fmt(median(rounds.loopCount)), ratio: ratio(rounds.streamsCount, rounds.loopCount).toFixed(2), target: '>= 0.4', 'streams spread': spread(rounds.streamsCount), 'peer spread': spread(rounds.loopCount) },
      { measure: 'restore from changelog (records/s)', streams: fmt(median(restores)), peer: fmt(median(rawReads)), ratio: ratio(restores, rawReads).toFixed(2), target: '(report)', 'streams spread': spread(restores), 'peer spread': spread(rawReads) },
    ];
    console.log(`${fmt(RECORDS)} records of 100 B, ${PARTITIONS} partitions, ${ROUNDS} rounds (medians); peer: a consume→produce loop on src/client (restore: a bare Fetcher read of the changelog)`);
    table(rows);
    return { records: RECORDS, rounds, restores, rawReads, rows };
  } finally {
    daemon.stop();
  }
}
