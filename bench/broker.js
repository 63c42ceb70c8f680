// Broker throughput with kcat as the client: produce (acks=all) and fetch of 100-byte and
// 1 KiB records, printed next to raw fs.writeSync append throughput on the same disk.
import { closeSync, openSync, writeSync, unlinkSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { SCALE, fmt, kafkaTs, lineFile, requireKcat, startDaemon, table, timed } from './lib.js';

/** Appends `total` bytes in `chunk`-byte writes with fs.writeSync; returns MB/s. */
function rawAppend(dir, total, chunk) {
  const path = join(dir, 'raw-append.bin');
  const buf = Buffer.alloc(chunk, 7);
  const fd = openSync(path, 'w');
  const start = process.hrtime.bigint();
  for (let written = 0; written < total; written += chunk) writeSync(fd, buf, 0, chunk, written);
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  unlinkSync(path);
  return total / 1e6 / seconds;
}

export async function run() {
  requireKcat();
  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-input-'));
  const daemon = startDaemon();
  const rows = [];
  const results = {};
  try {
    for (const [size, count] of [
      [100, Math.round(2_000_000 * SCALE)],
      [1024, Math.round(500_000 * SCALE)],
    ]) {
      const file = lineFile(work, count, size);
      const bytes = statSync(file).size;
      const topic = `bench-${size}`;
      kafkaTs(['topics', '--create', '--topic', topic, '--partitions', '1', '--bootstrap-server', daemon.bootstrap], daemon.home);
      // kcat -P: one record per line, librdkafka defaults (acks=all, linger 5 ms, up to 1 MB batches).
      const p = await timed('kcat', ['-b', daemon.bootstrap, '-P', '-t', topic, '-l', file, '-X', 'batch.num.messages=100000', '-X', 'queue.buffering.max.kbytes=1048576']);
      // kcat -e learns a partition's end from an empty fetch, which a broker (Kafka too) parks for
      // fetch.wait.max.ms (500 ms by default); a short wait keeps that final poll out of the figure.
      const c = await timed('kcat', ['-b', daemon.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', 'fetch.message.max.bytes=4194304', '-X', 'fetch.wait.max.ms=10']);
      const raw = rawAppend(daemon.home, bytes, 1 << 20);
      const r = {
        record: `${size} B`,
        records: fmt(count),
        'produce rec/s': fmt(count / p.seconds),
        'produce MB/s': fmt(bytes / 1e6 / p.seconds, 1),
        'fetch rec/s': fmt(count / c.seconds),
        'fetch MB/s': fmt(bytes / 1e6 / c.seconds, 1),
        'raw fs.writeSync MB/s': fmt(raw, 1),
      };
      rows.push(r);
      results[`${size}B`] = { count, bytes, produceSeconds: p.seconds, fetchSeconds: c.seconds, rawAppendMBps: raw };
    }
  } finally {
    daemon.stop();
    rmSync(work, { recursive: true, force: true });
  }
  table(rows);
  console.log('targets: >= 400,000 rec/s produced (100 B), >= 300 MB/s produced (1 KiB), >= 500 MB/s fetched');
  return { results };
}
