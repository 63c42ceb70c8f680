// Log compaction in the storage layer the daemon uses: one pass of the cleaner over a partition
// of keyed 1 KiB records (each key written many times) in closed 16 MB segments, next to copying
// the same segment files with fs.copyFileSync (the I/O floor of any rewrite).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCALE, fmt, table } from './lib.js';

export async function run() {
  const { DiskLogStore } = await import(join(ROOT, 'dist/src/storage/disk/disk-store.js'));
  const { DEFAULT_LOG_CONFIG } = await import(join(ROOT, 'dist/src/storage/log-store.js'));
  const { DEFAULT_CLEANUP } = await import(join(ROOT, 'dist/src/storage/compaction.js'));
  const { encodeBatch } = await import(join(ROOT, 'dist/src/protocol/record-batch.js'));

  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-compaction-'));
  const records = Math.round(400_000 * SCALE);
  const keys = 10_000;
  const perBatch = 100;
  const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 16 << 20, cleanup: { ...DEFAULT_CLEANUP, delete: false, compact: true, minCleanableRatio: 0 } };
  const store = new DiskLogStore(join(work, 'logs'));
  try {
    const log = store.open('table', 0, config);
    const value = Buffer.alloc(1024, 'v');
    for (let i = 0; i < records; i += perBatch) {
      const batch = encodeBatch(Array.from({ length: perBatch }, (_, j) => ({ key: Buffer.from(`key-${(i + j) % keys}`), value })));
      log.append(batch, 0);
    }
    const dir = join(work, 'logs', 'table-0');
    const segments = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    // The last segment is active and never cleaned: measure against the closed ones only.
    const closed = segments.slice(0, -1);
    const bytes = closed.reduce((n, f) => n + statSync(join(dir, f)).size, 0);

    const copyDir = join(work, 'copy');
    mkdirSync(copyDir);
    const copyStart = process.hrtime.bigint();
    for (const f of closed) copyFileSync(join(dir, f), join(copyDir, f));
    const copySeconds = Number(process.hrtime.bigint() - copyStart) / 1e9;

    const start = process.hrtime.bigint();
    const result = log.compact(Date.now(), log.logEndOffset());
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const mb = bytes / 1e6;
    table([
      {
        benchmark: `compact ${fmt(mb)} MB (${fmt(records)} x 1 KiB, ${fmt(keys)} keys)`,
        'kafka-ts': `${fmt(mb / seconds, 1)} MB/s`,
        peer: `fs.copyFileSync ${fmt(mb / copySeconds, 1)} MB/s`,
        ratio: `${(copySeconds / seconds).toFixed(2)}x`,
        target: 'report',
      },
    ]);
    console.log(`removed ${fmt(result.recordsRemoved)} records; ${fmt(result.bytesBefore / 1e6)} MB -> ${fmt(result.bytesAfter / 1e6, 1)} MB`);
    return { records, keys, bytes, seconds, copyFileSeconds: copySeconds, recordsRemoved: result.recordsRemoved, bytesAfter: result.bytesAfter };
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
}
