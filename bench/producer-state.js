// The first idempotent batch a partition sees after a restart: the broker must know every
// producer's recent batches before it can accept it. Measured on a 512 MB log of idempotent
// 1 KiB records from 50 producers, with the state rebuilt from the whole log (no snapshot, as
// after a crash before the first snapshot) and loaded from the snapshot a clean stop leaves,
// next to reading the same segment files with fs.readFileSync (the I/O floor of any scan).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SCALE, fmt, table } from './lib.js';

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

export async function run() {
  const { DiskLogStore } = await import(join(ROOT, 'dist/src/storage/disk/disk-store.js'));
  const { DEFAULT_LOG_CONFIG } = await import(join(ROOT, 'dist/src/storage/log-store.js'));
  const { encodeBatch } = await import(join(ROOT, 'dist/src/protocol/record-batch.js'));
  const { ProducerStateTable, producerBatchOf } = await import(join(ROOT, 'dist/src/broker/producer-state.js'));

  const work = mkdtempSync(join(tmpdir(), 'kafka-ts-bench-producer-state-'));
  const records = Math.round(500_000 * SCALE);
  const producers = 50;
  const perBatch = 100;
  const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 64 << 20 };
  try {
    let store = new DiskLogStore(join(work, 'logs'));
    let log = store.open('events', 0, config);
    const value = Buffer.alloc(1024, 'v');
    const sequences = new Array(producers).fill(0);
    for (let i = 0; i < records; i += perBatch) {
      const producerId = (i / perBatch) % producers;
      const batch = encodeBatch(
        Array.from({ length: perBatch }, () => ({ value })),
        { producerId, producerEpoch: 0, baseSequence: sequences[producerId] },
      );
      sequences[producerId] += perBatch;
      log.append(batch, 0);
    }
    const next = producerBatchOf(encodeBatch([{ value }], { producerId: 0, producerEpoch: 0, baseSequence: sequences[0] }));
    const dir = join(work, 'logs', 'events-0');
    const segments = readdirSync(dir).filter((f) => f.endsWith('.log'));

    let start = process.hrtime.bigint();
    let bytes = 0;
    for (const f of segments) bytes += readFileSync(join(dir, f)).length;
    const readMs = ms(start);

    // No snapshot: the whole log is scanned on the first check.
    start = process.hrtime.bigint();
    const fromLog = new ProducerStateTable(log);
    if (fromLog.check(next, 'events-0').kind !== 'append') throw new Error('the next batch was not accepted');
    const fromLogMs = ms(start);
    fromLog.saveSnapshot();
    store.close();

    // After a clean stop: the snapshot, and nothing after it.
    store = new DiskLogStore(join(work, 'logs'));
    log = store.open('events', 0, config);
    start = process.hrtime.bigint();
    const fromSnapshot = new ProducerStateTable(log);
    if (fromSnapshot.check(next, 'events-0').kind !== 'append') throw new Error('the next batch was not accepted');
    const fromSnapshotMs = ms(start);
    store.close();

    const mb = bytes / 1e6;
    table([
      { benchmark: `producer state of a ${fmt(mb)} MB log, rebuilt from the log`, 'kafka-ts': `${fmt(fromLogMs, 1)} ms`, peer: `fs.readFileSync of the segments ${fmt(readMs, 1)} ms`, ratio: `${(readMs / fromLogMs).toFixed(2)}x`, target: 'report' },
      { benchmark: `producer state of a ${fmt(mb)} MB log, from its snapshot`, 'kafka-ts': `${fmt(fromSnapshotMs, 2)} ms`, peer: `rebuilt from the log ${fmt(fromLogMs, 1)} ms`, ratio: `${(fromLogMs / fromSnapshotMs).toFixed(0)}x faster`, target: 'report' },
    ]);
    return { records, producers, bytes, readFileMs: readMs, rebuildFromLogMs: fromLogMs, loadFromSnapshotMs: fromSnapshotMs };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
