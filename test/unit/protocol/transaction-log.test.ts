/**
 * __transaction_state records in Kafka's TransactionLog formats, byte for byte: the key (v0), the
 * value v0 that Kafka 3.x writes (and kafka-ts writes), and v1 (flexible, KIP-890 tagged fields)
 * that newer Kafka writes and kafka-ts must read.
 */
import { describe, expect, it } from 'vitest';
import { decodeTransactionLogRecord, transactionLogKey, transactionLogValue, txnStateId } from '../../../src/protocol/transaction-log.js';

const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);

describe('TransactionLog records', () => {
  it('encodes the key as version 0 + transactional id', () => {
    expect(transactionLogKey('tx-1')).toEqual(Buffer.concat([i16(0), str('tx-1')]));
  });

  it('encodes value v0 exactly as Kafka lays it out', () => {
    const value = transactionLogValue({
      producerId: 4001,
      producerEpoch: 3,
      transactionTimeoutMs: 60000,
      transactionStatus: txnStateId('PrepareCommit'),
      transactionPartitions: [{ topic: 'events', partitionIds: [0, 2] }],
      transactionLastUpdateTimestampMs: 1_700_000_000_123,
      transactionStartTimestampMs: 1_700_000_000_000,
    });
    const expected = Buffer.concat([
      i16(0),
      i64(4001),
      i16(3),
      i32(60000),
      Buffer.from([2]),
      i32(1),
      str('events'),
      i32(2),
      i32(0),
      i32(2),
      i64(1_700_000_000_123),
      i64(1_700_000_000_000),
    ]);
    expect(value).toEqual(expected);
    expect(decodeTransactionLogRecord(transactionLogKey('tx-1'), value)).toEqual({
      transactionalId: 'tx-1',
      value: expect.objectContaining({ producerId: 4001, producerEpoch: 3, state: 'PrepareCommit', transactionPartitions: [{ topic: 'events', partitionIds: [0, 2] }] }),
    });
  });

  it('writes null partitions for Empty and decodes tombstones', () => {
    const empty = transactionLogValue({ producerId: 1, producerEpoch: 0, transactionTimeoutMs: 1000, transactionStatus: 0, transactionPartitions: null, transactionLastUpdateTimestampMs: 5, transactionStartTimestampMs: -1 });
    expect(empty.subarray(2 + 8 + 2 + 4 + 1, 2 + 8 + 2 + 4 + 1 + 4)).toEqual(i32(-1));
    expect(decodeTransactionLogRecord(transactionLogKey('t'), empty)!.value).toMatchObject({ state: 'Empty', transactionPartitions: null });
    expect(decodeTransactionLogRecord(transactionLogKey('t'), null)).toEqual({ transactionalId: 't', value: null });
  });

  it('reads value v1 (flexible) with its tagged producer ids', () => {
    const v1 = Buffer.concat([
      i16(1),
      i64(77),
      i16(5),
      i32(30000),
      Buffer.from([1]), // Ongoing
      Buffer.from([2]), // compact array of 1
      Buffer.from([4]),
      Buffer.from('ord'), // compact string "ord"
      Buffer.from([2]),
      i32(9), // compact array [9]
      Buffer.from([0]), // no tagged fields in the element
      i64(11),
      i64(10),
      Buffer.from([2, 0, 8]),
      i64(76), // tag 0: previousProducerId = 76
      Buffer.from([2, 2]),
      i16(2), // tag 2: clientTransactionVersion = 2
    ]);
    const rec = decodeTransactionLogRecord(transactionLogKey('x'), v1)!;
    expect(rec.value).toMatchObject({ producerId: 77, previousProducerId: 76, producerEpoch: 5, state: 'Ongoing', transactionPartitions: [{ topic: 'ord', partitionIds: [9] }], clientTransactionVersion: 2 });
  });

  it('skips keys of other versions and refuses unknown states', () => {
    expect(decodeTransactionLogRecord(Buffer.concat([i16(1), str('x')]), null)).toBeNull();
    const bad = transactionLogValue({ producerId: 1, producerEpoch: 0, transactionTimeoutMs: 1, transactionStatus: 9, transactionPartitions: null, transactionLastUpdateTimestampMs: 0, transactionStartTimestampMs: 0 });
    expect(() => decodeTransactionLogRecord(transactionLogKey('x'), bad)).toThrow(/unknown transaction status 9/);
  });
});
