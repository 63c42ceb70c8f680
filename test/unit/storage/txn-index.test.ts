/**
 * Transactions in the storage layer, on both stores: the aborted-transaction index written when the
 * producer state meets an ABORT marker (and rebuilt by replaying the log when it is lost), kept
 * across a reopen, cut by truncation; compaction removing aborted data (which never shadows a
 * committed key) and, past delete.retention.ms, markers no record depends on, with their index
 * entries; retention never moving the log start past the last stable offset.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../../src/storage/disk/disk-store.js';
import { encodeTxnEntry } from '../../../src/storage/disk/txn-index.js';
import { MemoryLogStore } from '../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type LogStore, type PartitionLog, readBatches } from '../../../src/storage/log-store.js';
import { DEFAULT_CLEANUP, type CleanupPolicy } from '../../../src/storage/compaction.js';
import { ControlType, encodeEndTxnMarkerBatch } from '../../../src/protocol/control-records.js';
import { decodeBatchRecords, encodeBatch, readBatchHeader } from '../../../src/protocol/record-batch.js';
import { ProducerStateTable } from '../../../src/broker/producer-state.js';
import { tempDir } from '../../helpers/tmp.js';

const config = (cleanup: Partial<CleanupPolicy> = {}, more: Partial<LogConfig> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  segmentBytes: 1, // every batch in its own segment: all but the last are closed
  cleanup: { ...DEFAULT_CLEANUP, ...cleanup },
  ...more,
});

const plain = (k: string, v: string) => encodeBatch([{ key: Buffer.from(k), value: Buffer.from(v) }]);
const txn = (pid: number, seq: number, k: string, v: string) => encodeBatch([{ key: Buffer.from(k), value: Buffer.from(v) }], { producerId: pid, producerEpoch: 0, baseSequence: seq, transactional: true });
const end = (pid: number, type: ControlType) => encodeEndTxnMarkerBatch(pid, 0, { type, coordinatorEpoch: 0 });

/** [offset, key, value or "<marker N>"] of every record. */
function contents(log: PartitionLog): [number, string][] {
  const out: [number, string][] = [];
  for (const b of readBatches(log, log.logStartOffset(), log.logEndOffset())) {
    const h = readBatchHeader(b);
    for (const r of decodeBatchRecords(b, h)) out.push([r.offset, h.attributes & 0x20 ? `<marker ${r.key!.readInt16BE(2)}>` : `${r.key}=${r.value}`]);
  }
  return out;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const stores: [string, () => { open: () => LogStore; dir?: string }][] = [
  ['memory', () => ({ open: () => new MemoryLogStore() })],
  [
    'disk',
    () => {
      const t = tempDir();
      cleanups.push(t.cleanup);
      return { open: () => new DiskLogStore(t.dir), dir: t.dir };
    },
  ],
];

/** Appends batches and lets the producer state see them (as the leader-append path does). */
function write(log: PartitionLog, table: ProducerStateTable, batches: Buffer[]): void {
  for (const b of batches) log.append(b, 0);
  table.lastStableOffset(log.logEndOffset());
}

for (const [name, make] of stores) {
  describe(`${name} store`, () => {
    it('indexes aborted transactions, keeps them across a reopen and cuts them with truncation', () => {
      const s = make();
      let store = s.open();
      let log = store.open('t', 0, config());
      const table = new ProducerStateTable(log);
      // 0: pid 1 data, 1: pid 2 data, 2: abort pid 1, 3: pid 2 data, 4: abort pid 2
      write(log, table, [txn(1, 0, 'a', '1'), txn(2, 0, 'b', '1'), end(1, ControlType.Abort), txn(2, 1, 'c', '1')]);
      expect(table.lastStableOffset(log.logEndOffset())).toBe(1);
      write(log, table, [end(2, ControlType.Abort)]);
      expect(table.lastStableOffset(log.logEndOffset())).toBe(5);
      expect(log.abortedTxns(0, 5)).toEqual([
        { producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 },
        { producerId: 2, firstOffset: 1, lastOffset: 4, lastStableOffset: 5 },
      ]);
      // Overlap with [from, upTo): the first ends before 3, the second starts before 2.
      expect(log.abortedTxns(3, 10).map((t) => t.producerId)).toEqual([2]);
      expect(log.abortedTxns(0, 1).map((t) => t.producerId)).toEqual([1]);
      if (s.dir) {
        table.saveSnapshot();
        store.close();
        store = s.open();
        log = store.open('t', 0, config());
        expect(log.abortedTxns(0, 5)).toHaveLength(2);
        // A lost index file comes back when the producer state replays the log (no snapshot).
        rmSync(join(s.dir, 't-0', '00000000000000000004.txnindex'));
        rmSync(join(s.dir, 't-0', '00000000000000000005.snapshot'));
        store.close();
        store = s.open();
        log = store.open('t', 0, config());
        expect(log.abortedTxns(0, 5)).toHaveLength(1);
        new ProducerStateTable(log).lastStableOffset(log.logEndOffset());
        expect(log.abortedTxns(0, 5)).toHaveLength(2);
      }
      log.truncateTo(3);
      expect(log.abortedTxns(0, 5)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 }]);
      expect(log.lastAbortedTxnOffset()).toBe(2);
      store.close();
    });

    it('compacts aborted data away (it never shadows a committed key) and keeps the markers within delete.retention.ms', () => {
      const store = make().open();
      const log = store.open('c', 0, config({ delete: false, compact: true, deleteRetentionMs: 3_600_000 }));
      const table = new ProducerStateTable(log);
      write(log, table, [plain('k1', 'old'), txn(1, 0, 'k1', 'aborted'), end(1, ControlType.Abort), txn(2, 0, 'k2', 'committed'), end(2, ControlType.Commit), plain('k3', 'x'), plain('z', 'active')]);
      const result = log.compact(Date.now(), table.lastStableOffset(log.logEndOffset()));
      expect(result?.recordsRemoved).toBe(1);
      expect(contents(log)).toEqual([
        [0, 'k1=old'],
        [2, '<marker 0>'],
        [3, 'k2=committed'],
        [4, '<marker 1>'],
        [5, 'k3=x'],
        [6, 'z=active'],
      ]);
      expect(log.abortedTxns(0, 7)).toHaveLength(1);
      store.close();
    });

    it('removes a marker delete.retention.ms after the pass that finds nothing of its transaction left, with its index entry', () => {
      const store = make().open();
      const log = store.open('c', 0, config({ delete: false, compact: true, deleteRetentionMs: 0, minCleanableRatio: 0 }));
      const table = new ProducerStateTable(log);
      write(log, table, [plain('k1', 'old'), txn(1, 0, 'k1', 'aborted'), end(1, ControlType.Abort), txn(2, 0, 'k2', 'committed'), end(2, ControlType.Commit), plain('z', 'active')]);
      const first = Date.now() + 60_000;
      log.compact(first, table.lastStableOffset(log.logEndOffset()));
      // The aborted data goes at once; its marker, guarding nothing now, gets a delete horizon.
      expect(contents(log)).toEqual([
        [0, 'k1=old'],
        [2, '<marker 0>'],
        [3, 'k2=committed'],
        [4, '<marker 1>'],
        [5, 'z=active'],
      ]);
      expect(log.abortedTxns(0, 6)).toHaveLength(1);
      // A pass past the horizon removes it and its index entry; the commit marker stays while k2 does.
      write(log, table, [plain('y', 'more')]);
      log.compact(first + 1, table.lastStableOffset(log.logEndOffset()));
      expect(contents(log)).toEqual([
        [0, 'k1=old'],
        [3, 'k2=committed'],
        [4, '<marker 1>'],
        [5, 'z=active'],
        [6, 'y=more'],
      ]);
      expect(log.abortedTxns(0, 7)).toEqual([]);
      store.close();
    });

    it('never takes a batch after an aborted transaction’s marker offset for part of it, whether or not the marker is there', () => {
      const store = make().open();
      const log = store.open('c', 0, config({ delete: false, compact: true }));
      // An index entry whose marker is gone (offset 2 holds a plain record): the aborted data
      // before it goes, the producer's later committed transaction stays.
      for (const b of [txn(7, 0, 'a', 'aborted'), plain('x', '1'), plain('y', '1')]) log.append(b, 0);
      log.appendAbortedTxn({ producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 });
      for (const b of [txn(7, 1, 'b', 'committed'), end(7, ControlType.Commit), txn(7, 2, 'c', 'committed'), end(7, ControlType.Commit), plain('z', 'active')]) log.append(b, 0);
      log.compact(Date.now(), log.logEndOffset() - 1);
      expect(contents(log)).toEqual([
        [1, 'x=1'],
        [2, 'y=1'],
        [3, 'b=committed'],
        [4, '<marker 1>'],
        [5, 'c=committed'],
        [6, '<marker 1>'],
        [7, 'z=active'],
      ]);
      store.close();
    });

    it('does not compact an open transaction: the cleaner stops at the last stable offset', () => {
      const store = make().open();
      const log = store.open('c', 0, config({ delete: false, compact: true }));
      const table = new ProducerStateTable(log);
      write(log, table, [plain('k', 'old'), txn(1, 0, 'k', 'open'), plain('q', '1'), plain('z', 'active')]);
      expect(table.lastStableOffset(log.logEndOffset())).toBe(1);
      log.compact(Date.now(), table.lastStableOffset(log.logEndOffset()));
      expect(contents(log).map(([, v]) => v)).toEqual(['k=old', 'k=open', 'q=1', 'z=active']);
      store.close();
    });

    it('never moves the log start past the last stable offset with retention', () => {
      const store = make().open();
      const log = store.open('r', 0, config({}, { retentionMs: 0 }));
      const table = new ProducerStateTable(log);
      write(log, table, [plain('a', '1'), plain('b', '1'), txn(1, 0, 'c', '1'), plain('d', '1'), plain('e', '1')]);
      const lso = () => table.lastStableOffset(log.logEndOffset());
      expect(lso()).toBe(2);
      log.applyRetention(Date.now() + 10_000, lso);
      expect(log.logStartOffset()).toBe(2);
      write(log, table, [end(1, ControlType.Commit), plain('f', '1')]);
      log.applyRetention(Date.now() + 10_000, lso);
      // Decided and expired, the last segment too: the log starts at its end.
      expect(log.logStartOffset()).toBe(7);
      store.close();
    });
  });
}

describe('disk store recovery', () => {
  it('drops index entries whose marker recovery cut from a segment that is not the last', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    let store = new DiskLogStore(t.dir);
    let log = store.open('t', 0, config());
    // Each batch its own segment: the ABORT marker ends segment 1, which is not the last.
    write(log, new ProducerStateTable(log), [txn(1, 0, 'a', '1'), end(1, ControlType.Abort), plain('b', '1')]);
    expect(log.abortedTxns(0, 10)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]);
    store.close();
    // The marker's last bytes never reached the disk.
    const file = join(t.dir, 't-0', '00000000000000000001.log');
    truncateSync(file, statSync(file).size - 3);
    store = new DiskLogStore(t.dir);
    log = store.open('t', 0, config());
    expect(contents(log).map(([o]) => o)).toEqual([0, 2]);
    expect(log.abortedTxns(0, 10)).toEqual([]);
    store.close();
  });

  it('removes index files whose segment is gone, so a segment made later at that offset starts without them', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    let store = new DiskLogStore(t.dir);
    let log = store.open('t', 0, config());
    write(log, new ProducerStateTable(log), [plain('a', '1'), plain('b', '1')]);
    store.close();
    // A deletion cut short after the .log of segment 2 went.
    const orphan = join(t.dir, 't-0', '00000000000000000002.txnindex');
    writeFileSync(orphan, encodeTxnEntry({ producerId: 9, firstOffset: 2, lastOffset: 2, lastStableOffset: 3 }));
    store = new DiskLogStore(t.dir);
    log = store.open('t', 0, config());
    expect(existsSync(orphan)).toBe(false);
    log.append(plain('c', '1'), 0);
    expect(log.abortedTxns(0, 10)).toEqual([]);
    store.close();
  });

  it('drops an index entry whose ABORT marker is not in the log, which made read_committed fetches skip the producer’s later transactions', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    let store = new DiskLogStore(t.dir);
    let log = store.open('t', 0, config());
    const table = new ProducerStateTable(log);
    // What an older cleaner could leave: the entry of pid 7's aborted transaction (0..2) whose
    // marker it removed (offset 2 holds a plain record now); pid 7's next transaction committed.
    write(log, table, [txn(7, 0, 'a', 'aborted'), plain('x', '1'), plain('y', '1')]);
    log.appendAbortedTxn({ producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 });
    // Entries naming a COMMIT marker, another producer's marker, or nothing at all are no better.
    write(log, table, [txn(7, 1, 'b', 'committed'), end(7, ControlType.Commit)]);
    log.appendAbortedTxn({ producerId: 7, firstOffset: 3, lastOffset: 4, lastStableOffset: 5 });
    write(log, table, [txn(8, 0, 'c', 'aborted'), end(8, ControlType.Abort)]);
    log.appendAbortedTxn({ producerId: 9, firstOffset: 5, lastOffset: 6, lastStableOffset: 7 });
    write(log, table, [plain('z', '1')]);
    expect(log.abortedTxns(0, 10).map((e) => [e.producerId, e.lastOffset])).toEqual([[7, 2], [7, 4], [8, 6], [9, 6]]);
    store.close();
    for (let open = 0; open < 2; open++) {
      store = new DiskLogStore(t.dir);
      log = store.open('t', 0, config());
      // A fetch from 0 no longer tells consumers that offsets 3-4 (committed) are of an aborted one.
      expect(log.abortedTxns(0, 10)).toEqual([{ producerId: 8, firstOffset: 5, lastOffset: 6, lastStableOffset: 7 }]);
      store.close();
    }
  });

  it('drops index entries whose marker a crash cut off, so later aborts are indexed again', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    let store = new DiskLogStore(t.dir);
    let log = store.open('t', 0, { ...DEFAULT_LOG_CONFIG });
    write(log, new ProducerStateTable(log), [txn(1, 0, 'a', '1'), end(1, ControlType.Abort)]);
    expect(log.lastAbortedTxnOffset()).toBe(1);
    store.close(false);
    // A torn write: the marker's last bytes never reached the disk.
    const file = join(t.dir, 't-0', '00000000000000000000.log');
    truncateSync(file, statSync(file).size - 3);
    store = new DiskLogStore(t.dir);
    log = store.open('t', 0, { ...DEFAULT_LOG_CONFIG });
    expect(log.logEndOffset()).toBe(1);
    expect(log.abortedTxns(0, 10)).toEqual([]);
    const table = new ProducerStateTable(log);
    write(log, table, [end(1, ControlType.Abort)]);
    expect(log.abortedTxns(0, 10)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]);
    store.close();
  });
});

