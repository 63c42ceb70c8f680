/**
 * A compaction pass swaps each cleaned segment in with one commit point (Segment.commitSwap):
 * whatever stops the pass (a full disk, an I/O error, a crash), the log read in the same process
 * and after a restart is either the old segment or the cleaned one, each with its own indexes and
 * aborted-transaction index. No index entry outlives its marker, so no later transaction of its
 * producer is dropped and no read_committed fetch is told of an abort that is not in the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiskLogStore } from '../../../../src/storage/disk/disk-store.js';
import { FdCache } from '../../../../src/storage/disk/fd-cache.js';
import { setFaultPlan } from '../../../../src/storage/disk/fs-ops.js';
import { finishInterruptedSwaps } from '../../../../src/storage/disk/segment.js';
import { DEFAULT_LOG_CONFIG, type LogConfig, type PartitionLog, readBatches } from '../../../../src/storage/log-store.js';
import { DEFAULT_CLEANUP } from '../../../../src/storage/compaction.js';
import { ControlType, encodeEndTxnMarkerBatch } from '../../../../src/protocol/control-records.js';
import { baseOffsetOf, decodeBatchRecords, encodeBatch, nextOffsetOf, readBatchHeader } from '../../../../src/protocol/record-batch.js';
import { tempDir } from '../../../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  setFaultPlan(null);
  for (const c of cleanups.splice(0)) c();
});
function newDir(): string {
  const t = tempDir('kafka-ts-swap-');
  cleanups.push(t.cleanup);
  return t.dir;
}

const T0 = 1_700_000_000_000;
const P = 7;
const compacted = (more: Partial<LogConfig> = {}): LogConfig => ({
  ...DEFAULT_LOG_CONFIG,
  segmentBytes: 400,
  indexIntervalBytes: 100,
  cleanup: { ...DEFAULT_CLEANUP, delete: false, compact: true, deleteRetentionMs: 0, minCleanableRatio: 0 },
  ...more,
});
const open = (dir: string, config = compacted()) => {
  const store = new DiskLogStore(dir, undefined, new FdCache(64));
  return { store, log: store.open('t', 0, config) };
};
const plain = (k: string, v: string) => encodeBatch([{ key: Buffer.from(k), value: Buffer.from(v), timestamp: T0 }], { now: T0 });
const txn = (epoch: number, seq: number, k: string, v: string) =>
  encodeBatch([{ key: Buffer.from(k), value: Buffer.from(v), timestamp: T0 }], { now: T0, producerId: P, producerEpoch: epoch, baseSequence: seq, transactional: true });
const marker = (epoch: number, type: ControlType) => encodeEndTxnMarkerBatch(P, epoch, { type, coordinatorEpoch: 0 }, T0);

/** [offset, "key=value" or "<marker TYPE>"] of every record. */
function contents(log: PartitionLog): [number, string][] {
  const out: [number, string][] = [];
  for (const b of readBatches(log, log.logStartOffset(), log.logEndOffset())) {
    const h = readBatchHeader(b);
    for (const r of decodeBatchRecords(b, h)) out.push([r.offset, h.attributes & 0x20 ? `<marker ${r.key!.readInt16BE(2)}>` : `${r.key}=${r.value}`]);
  }
  return out;
}

/** Every indexed aborted transaction's marker is in the log, where the entry says. */
function expectIndexMatchesLog(log: PartitionLog): void {
  for (const e of log.abortedTxns(0, Infinity)) {
    const at = log.read(e.lastOffset, 1, log.logEndOffset()).batches[0];
    const h = at ? readBatchHeader(at) : null;
    expect(h && { base: h.baseOffset, control: (h.attributes & 0x20) !== 0, producer: h.producerId }, `the marker of ${JSON.stringify(e)}`).toEqual({ base: e.lastOffset, control: true, producer: P });
  }
}

/** P's aborted transaction (its data interleaved with plain records), then filler that closes the segment. */
function writeAbortedTransaction(log: PartitionLog): void {
  const first = log.append(txn(0, 0, 'a', 'aborted'), 0).baseOffset;
  log.append(plain('x1', 'plain'), 0);
  log.append(plain('x2', 'plain'), 0);
  const m = log.append(marker(0, ControlType.Abort), 0).baseOffset;
  log.appendAbortedTxn({ producerId: P, firstOffset: first, lastOffset: m, lastStableOffset: m + 1 });
  for (let i = 0; i < 6; i++) log.append(plain(`f${i}`, `filler-${'y'.repeat(60)}`), 0);
}

/**
 * The aborted transaction, cleaned once (its data goes; its marker, guarding nothing, gets a delete
 * horizon), and more records: the next pass removes the marker and its index entry.
 */
function writeCleanedAbortedTransaction(log: PartitionLog): void {
  writeAbortedTransaction(log);
  log.compact(Date.now(), log.logEndOffset());
  for (let i = 0; i < 6; i++) log.append(plain(`h${i}`, `more-${'y'.repeat(60)}`), 0);
}

/** The size of segment 0 once cleaned, learned from the same log cleaned without faults. */
function cleanedSizeOfFirstSegment(write: (log: PartitionLog) => void, config = compacted()): number {
  const dir = newDir();
  const { store, log } = open(dir, config);
  write(log);
  log.compact(Date.now() + 10_000, log.logEndOffset());
  store.close();
  return statSync(join(dir, 't-0', '00000000000000000000.log')).size;
}


/**
 * Puts a directory where segment 0's .index is, so that the swap's rename after its commit point
 * fails; returns the path (remove it to let a later pass or start finish the swap).
 */
function blockIndexRename(dir: string): string {
  const index = join(dir, 't-0', '00000000000000000000.index');
  rmSync(index);
  mkdirSync(index);
  writeFileSync(join(index, 'in-the-way'), '');
  return index;
}
describe('a compaction pass cut short', () => {
  it('by a full disk, then a crash: no index entry outlives its marker, and the producer’s later transactions survive later passes', () => {
    const space = cleanedSizeOfFirstSegment(writeCleanedAbortedTransaction);
    const dir = newDir();
    let { store, log } = open(dir);
    writeCleanedAbortedTransaction(log);
    expect(log.abortedTxns(0, Infinity)).toHaveLength(1);
    // The pass that removes the marker: the disk fills up just after the cleaned segment's log is written.
    setFaultPlan({ dir, ops: ['write'], error: 'ENOSPC', spaceBytes: space });
    expect(() => log.compact(Date.now() + 10_000, log.logEndOffset())).toThrow(/ENOSPC/);
    setFaultPlan(null);
    expectIndexMatchesLog(log);
    // The process dies (no clean shutdown) and starts again.
    store.close(false);
    ({ store, log } = open(dir));
    expectIndexMatchesLog(log);
    // P goes on with a committed transaction; passes after it keep it.
    log.append(txn(1, 0, 'b', 'committed-b'), 0);
    log.append(txn(1, 1, 'c', 'committed-c'), 0);
    log.append(marker(1, ControlType.Commit), 0);
    for (let i = 0; i < 6; i++) log.append(plain(`g${i}`, 'z'.repeat(70)), 0);
    log.compact(Date.now() + 20_000, log.logEndOffset());
    expectIndexMatchesLog(log);
    const values = contents(log).map(([, v]) => v);
    expect(values).toEqual(expect.arrayContaining(['b=committed-b', 'c=committed-c']));
    expect(values).not.toContain('a=aborted');
    expect(log.abortedTxns(0, Infinity)).toEqual([]);
    store.close();
  });

  it('by a full disk: the same process goes on reading every record where it is, sizes as on disk', () => {
    const config = compacted({ segmentBytes: 4000, indexIntervalBytes: 50, cleanup: { ...compacted().cleanup, deleteRetentionMs: 1e12 } });
    // Keys k0..k4 written over and over (compaction removes most), unique keys u<i> in between.
    const write = (log: PartitionLog) => {
      for (let i = 0; i < 60; i++) log.append(plain(i % 2 ? `u${i}` : `k${i % 5}`, `v${i}${'-'.repeat(20)}`), 0);
    };
    const space = cleanedSizeOfFirstSegment(write, config);
    const dir = newDir();
    const { store, log } = open(dir, config);
    write(log);
    const before = contents(log);
    setFaultPlan({ dir, ops: ['write'], error: 'ENOSPC', spaceBytes: space });
    expect(() => log.compact(Date.now() + 10_000, log.logEndOffset())).toThrow(/ENOSPC/);
    setFaultPlan(null);
    // Each offset's read starts with the batch holding it.
    for (const [offset] of before) expect(baseOffsetOf(log.read(offset, 1, log.logEndOffset()).batches[0]!), `read at ${offset}`).toBe(offset);
    expect(contents(log)).toEqual(before);
    const onDisk = readdirSync(join(dir, 't-0'))
      .filter((f) => f.endsWith('.log'))
      .reduce((n, f) => n + statSync(join(dir, 't-0', f)).size, 0);
    expect(log.sizeInBytes()).toBe(onDisk);
    store.close();
  });

  it('after its commit point: the cleaned segment is read at once, and a restart finishes the swap', () => {
    const expected = (() => {
      const { store, log } = open(newDir());
      writeAbortedTransaction(log);
      log.compact(Date.now() + 10_000, log.logEndOffset());
      const c = contents(log);
      store.close();
      return c;
    })();
    const dir = newDir();
    let { store, log } = open(dir);
    writeAbortedTransaction(log);
    const index = blockIndexRename(dir);
    expect(() => log.compact(Date.now() + 10_000, log.logEndOffset())).toThrow(expect.objectContaining({ syscall: 'rename' }));
    expect(contents(log)).toEqual(expected);
    expectIndexMatchesLog(log);
    const next = nextOffsetOf(log.read(0, 1, log.logEndOffset()).batches[0]!);
    expect(next).toBe(expected[1]![0]);
    const leftovers = () => readdirSync(join(dir, 't-0')).filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned'));
    expect(leftovers()).not.toEqual([]);
    // A restart finishes the swap.
    store.close(false);
    rmSync(index, { recursive: true });
    ({ store, log } = open(dir));
    expect(contents(log)).toEqual(expected);
    expectIndexMatchesLog(log);
    expect(leftovers()).toEqual([]);
    store.close();
  });

  it('after its commit point: the next pass in the same process finishes the swap first', () => {
    const dir = newDir();
    const { store, log } = open(dir);
    writeAbortedTransaction(log);
    const index = blockIndexRename(dir);
    expect(() => log.compact(Date.now() + 10_000, log.logEndOffset())).toThrow(expect.objectContaining({ syscall: 'rename' }));
    const records = (c: [number, string][]) => c.filter(([, v]) => !v.startsWith('<marker'));
    const cleaned = records(contents(log));
    rmSync(index, { recursive: true });
    log.append(plain('x1', 'newer'), 0);
    log.compact(Date.now() + 20_000, log.logEndOffset());
    expect(readdirSync(join(dir, 't-0')).filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned'))).toEqual([]);
    expect(records(contents(log))).toEqual([...cleaned, [cleaned.at(-1)![0] + 1, 'x1=newer']]);
    expectIndexMatchesLog(log);
    store.close();
  });
});

describe('finishInterruptedSwaps', () => {
  const files = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  const B = '00000000000000000042';

  it('deletes the files of a replacement that never committed', () => {
    const dir = newDir();
    const old = { [`${B}.log`]: 'old log', [`${B}.index`]: 'old index', [`${B}.txnindex`]: 'old txns' };
    for (const [f, v] of Object.entries({ ...old, [`${B}.log.cleaned`]: 'new log', [`${B}.txnindex.cleaned`]: 'new txns' })) writeFileSync(join(dir, f), v);
    expect(finishInterruptedSwaps(dir, readdirSync(dir))).toBe(true);
    expect(files(dir)).toEqual(old);
  });

  it('finishes a committed one, whichever of its index files had moved', () => {
    for (const moved of [[], ['.index'], ['.index', '.timeindex'], ['.index', '.timeindex', '.txnindex']]) {
      const dir = newDir();
      writeFileSync(join(dir, `${B}.log`), 'old log');
      writeFileSync(join(dir, `${B}.log.swap`), 'new log');
      for (const s of ['.index', '.timeindex', '.txnindex']) {
        if (moved.includes(s)) writeFileSync(join(dir, B + s), `new ${s}`);
        else {
          writeFileSync(join(dir, B + s), `old ${s}`);
          writeFileSync(join(dir, `${B}${s}.cleaned`), `new ${s}`);
        }
      }
      expect(finishInterruptedSwaps(dir, readdirSync(dir))).toBe(true);
      expect(files(dir), `with ${moved.join(', ') || 'nothing'} moved`).toEqual({
        [`${B}.log`]: 'new log',
        [`${B}.index`]: 'new .index',
        [`${B}.timeindex`]: 'new .timeindex',
        [`${B}.txnindex`]: 'new .txnindex',
      });
    }
  });

  it('leaves a directory without either alone', () => {
    const dir = newDir();
    writeFileSync(join(dir, `${B}.log`), 'log');
    expect(finishInterruptedSwaps(dir, readdirSync(dir))).toBe(false);
    expect(existsSync(join(dir, `${B}.log`))).toBe(true);
  });
});
