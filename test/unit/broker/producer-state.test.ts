/**
 * The idempotent-producer table on an in-memory log: built from snapshots plus the batches after
 * them, rebuilt from the log when a snapshot is missing or damaged, and forgetting producers idle
 * for longer than producer.id.expiration.ms.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLogStore } from '../../../src/storage/memory-store.js';
import { DEFAULT_LOG_CONFIG, type PartitionLog } from '../../../src/storage/log-store.js';
import { encodeBatch } from '../../../src/protocol/record-batch.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ControlType, encodeEndTxnMarkerBatch } from '../../../src/protocol/control-records.js';
import { ProducerStateTable, decodeProducerSnapshot, encodeProducerSnapshot, producerBatchOf } from '../../../src/broker/producer-state.js';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;

const batch = (producerId: number, baseSequence: number, n: number, timestamp = NOW) =>
  encodeBatch(
    Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`${producerId}-${baseSequence + i}`), timestamp })),
    { producerId, producerEpoch: 0, baseSequence, now: timestamp },
  );

/** Appends through the table as a leader does: check, then append and note. */
function produce(log: PartitionLog, table: ProducerStateTable, b: Buffer, now = NOW) {
  const pid = producerBatchOf(b)!;
  const verdict = table.check(pid, 't-0', now);
  if (verdict.kind !== 'append') return verdict;
  const { baseOffset, lastOffset } = log.append(b, 0);
  table.appended(pid, baseOffset, lastOffset, now);
  return { kind: 'append' as const, baseOffset };
}

const openLog = () => new MemoryLogStore().open('t', 0, DEFAULT_LOG_CONFIG);

describe('producer state table', () => {
  it('round-trips its snapshot encoding and refuses a damaged one', () => {
    const producers = new Map([
      [7, { epoch: 2, lastTimestamp: NOW, coordinatorEpoch: -1, txnFirstOffset: -1, batches: [{ firstSeq: 0, lastSeq: 4, baseOffset: 10, lastOffset: 14 }] }],
      [8, { epoch: 0, lastTimestamp: NOW, coordinatorEpoch: 3, txnFirstOffset: 12, batches: [] }],
    ]);
    const data = encodeProducerSnapshot(producers);
    expect(decodeProducerSnapshot(data)).toEqual(producers);
    const damaged = Buffer.from(data);
    damaged[damaged.length - 1]! ^= 1;
    expect(decodeProducerSnapshot(damaged)).toBeNull();
    expect(decodeProducerSnapshot(Buffer.alloc(3))).toBeNull();
  });

  it('starts from the snapshot, so it still knows producers whose batches were deleted', () => {
    const log = openLog();
    const first = new ProducerStateTable(log);
    const sent = batch(1, 0, 3);
    expect(produce(log, first, sent)).toMatchObject({ kind: 'append', baseOffset: 0 });
    expect(produce(log, first, batch(2, 0, 2))).toMatchObject({ kind: 'append', baseOffset: 3 });
    first.saveSnapshot(NOW);
    expect(log.producerSnapshot()?.offset).toBe(5);
    // Appended after the snapshot: read from the log by the next table.
    expect(produce(log, first, batch(1, 3, 1))).toMatchObject({ kind: 'append', baseOffset: 5 });
    log.deleteRecordsBefore(log.logEndOffset());

    const second = new ProducerStateTable(log);
    expect(second.check(producerBatchOf(batch(2, 0, 2))!, 't-0', NOW)).toEqual({ kind: 'duplicate', baseOffset: 3, lastOffset: 4 });
    expect(second.check(producerBatchOf(batch(1, 9, 1))!, 't-0', NOW)).toMatchObject({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    // Without the snapshot the deleted batches are unknown, and anything goes.
    const bare = openLog();
    bare.append(batch(1, 0, 1), 0);
    bare.deleteRecordsBefore(1);
    expect(new ProducerStateTable(bare).check(producerBatchOf(batch(1, 9, 1))!, 't-0', NOW)).toEqual({ kind: 'append' });
  });

  it('rebuilds from the log when the snapshot is damaged, and saves only when it has moved on', () => {
    const log = openLog();
    const table = new ProducerStateTable(log);
    produce(log, table, batch(1, 0, 2));
    table.saveSnapshot(NOW);
    const saved = log.producerSnapshot();
    table.saveSnapshot(NOW);
    expect(log.producerSnapshot()).toBe(saved);
    log.saveProducerSnapshot(saved!.offset, Buffer.from('not a snapshot'));
    const rebuilt = new ProducerStateTable(log);
    expect(rebuilt.check(producerBatchOf(batch(1, 0, 2))!, 't-0', NOW)).toEqual({ kind: 'duplicate', baseOffset: 0, lastOffset: 1 });
  });

  it('forgets producers idle for longer than producer.id.expiration.ms', () => {
    const log = openLog();
    const table = new ProducerStateTable(log, HOUR);
    produce(log, table, batch(1, 0, 2));
    produce(log, table, batch(2, 0, 2));
    produce(log, table, batch(2, 2, 2), NOW + 50 * 60_000);
    // Within the hour a gap is refused; after it the producer is unknown and may start anywhere.
    expect(table.check(producerBatchOf(batch(1, 5, 1))!, 't-0', NOW + HOUR - 1)).toMatchObject({ kind: 'error' });
    expect(table.check(producerBatchOf(batch(1, 5, 1))!, 't-0', NOW + HOUR)).toEqual({ kind: 'append' });
    table.saveSnapshot(NOW + HOUR);
    const kept = decodeProducerSnapshot(log.producerSnapshot()!.data)!;
    expect([...kept.keys()]).toEqual([2]);
  });
});

describe('producer state with transactions', () => {
  const txn = (producerId: number, epoch: number, seq: number) =>
    encodeBatch([{ value: Buffer.from('t'), timestamp: NOW }], { producerId, producerEpoch: epoch, baseSequence: seq, transactional: true, now: NOW });

  it('shows active producers for DescribeProducers: epoch, last sequence, coordinator epoch and open transaction', () => {
    const log = openLog();
    const table = new ProducerStateTable(log);
    expect(produce(log, table, batch(1, 0, 3))).toMatchObject({ kind: 'append', baseOffset: 0 });
    expect(produce(log, table, txn(2, 4, 0))).toMatchObject({ kind: 'append', baseOffset: 3 });
    expect(table.activeProducers(NOW)).toEqual([
      { producerId: 1, producerEpoch: 0, lastSequence: 2, lastTimestamp: NOW, coordinatorEpoch: -1, currentTxnStartOffset: -1 },
      { producerId: 2, producerEpoch: 4, lastSequence: 0, lastTimestamp: NOW, coordinatorEpoch: -1, currentTxnStartOffset: 3 },
    ]);
    expect(table.lastStableOffset(4)).toBe(3);
    // A marker with an older epoch is refused; one from an older coordinator too, once one is known.
    const marker = (epoch: number, coordinatorEpoch: number) => encodeEndTxnMarkerBatch(2, epoch, { type: ControlType.Commit, coordinatorEpoch }, NOW);
    expect(table.check(producerBatchOf(marker(3, 0))!, 't-0', NOW)).toMatchObject({ kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    const m = marker(4, 7);
    expect(table.check(producerBatchOf(m)!, 't-0', NOW)).toEqual({ kind: 'append' });
    const at = log.append(m, 0);
    table.appended(producerBatchOf(m), at.baseOffset, at.lastOffset, NOW);
    expect(table.activeProducers(NOW)[1]).toMatchObject({ coordinatorEpoch: 7, currentTxnStartOffset: -1 });
    // Until the high watermark passes the marker, the LSO stays at the transaction's start.
    expect(table.lastStableOffset(4)).toBe(3);
    expect(table.lastStableOffset(5)).toBe(5);
    expect(table.check(producerBatchOf(marker(4, 6))!, 't-0', NOW)).toMatchObject({ kind: 'error', errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED });
  });

  it('never expires a producer with an open transaction', () => {
    const log = openLog();
    const table = new ProducerStateTable(log, HOUR);
    expect(produce(log, table, txn(5, 0, 0))).toMatchObject({ kind: 'append' });
    table.saveSnapshot(NOW + 2 * HOUR);
    const reloaded = new ProducerStateTable(log, HOUR);
    expect(reloaded.activeProducers(NOW + 2 * HOUR).map((p) => p.currentTxnStartOffset)).toEqual([0]);
    expect(reloaded.lastStableOffset(1)).toBe(0);
  });
});
