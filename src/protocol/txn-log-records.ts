/**
 * The records of the internal __transaction_state topic, in Kafka's formats: the key
 * TransactionLogKey v0 (the transactional id) and the value TransactionLogValue v0-v1 (v1 is
 * flexible and adds the tagged fields previousProducerId, nextProducerId and
 * clientTransactionVersion), both prefixed with their int16 version; a null value is the
 * tombstone of an expired transactional id. Also the transaction states as the value's status byte
 * numbers them (Kafka's TransactionState ids).
 */
import { Reader, Writer } from './primitives.js';
import { MAX_VERSION as MAX, type MessageDef, decodeStruct, encodeStruct } from './schema.js';

export interface TransactionLogKeyData {
  transactionalId: string;
}

export interface TransactionLogValueData {
  producerId: number;
  previousProducerId?: number;
  nextProducerId?: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  transactionStatus: number;
  transactionPartitions: { topic: string; partitionIds: number[] }[] | null;
  transactionLastUpdateTimestampMs: number;
  transactionStartTimestampMs: number;
  clientTransactionVersion?: number;
}

export const TransactionLogKey: MessageDef<TransactionLogKeyData> = {
  name: 'TransactionLogKey',
  versions: [0, 0],
  flexible: null,
  fields: [{ name: 'transactionalId', type: 'string', versions: [0, MAX] }],
};

export const TransactionLogValue: MessageDef<TransactionLogValueData> = {
  name: 'TransactionLogValue',
  versions: [0, 1],
  flexible: 1,
  fields: [
    { name: 'producerId', type: 'int64', versions: [0, MAX] },
    { name: 'previousProducerId', type: 'int64', versions: [1, MAX], tag: 0, tagged: [1, MAX], default: -1 },
    { name: 'nextProducerId', type: 'int64', versions: [1, MAX], tag: 1, tagged: [1, MAX], default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: [0, MAX] },
    { name: 'transactionTimeoutMs', type: 'int32', versions: [0, MAX] },
    { name: 'transactionStatus', type: 'int8', versions: [0, MAX] },
    {
      name: 'transactionPartitions',
      type: 'array',
      versions: [0, MAX],
      nullable: [0, MAX],
      fields: [
        { name: 'topic', type: 'string', versions: [0, MAX] },
        { name: 'partitionIds', type: 'array', items: 'int32', versions: [0, MAX] },
      ],
    },
    { name: 'transactionLastUpdateTimestampMs', type: 'int64', versions: [0, MAX] },
    { name: 'transactionStartTimestampMs', type: 'int64', versions: [0, MAX] },
    { name: 'clientTransactionVersion', type: 'int16', versions: [1, MAX], tag: 2, tagged: [1, MAX], default: 0 },
  ],
};

/** Kafka's TransactionState names by the status byte of TransactionLogValue. */
export const TXN_STATE_NAMES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;

export const encodeTransactionLogKey = (transactionalId: string): Buffer => encodeStruct(TransactionLogKey, 0, { transactionalId }, new Writer().int16(0)).toBuffer();

export const encodeTransactionLogValue = (v: TransactionLogValueData, version = 1): Buffer => encodeStruct(TransactionLogValue, version, v, new Writer().int16(version)).toBuffer();

/** A key's version and data (throws on an unknown version or damaged bytes). */
export function decodeTransactionLogKey(buf: Buffer): { version: number; data: TransactionLogKeyData } {
  const r = new Reader(buf);
  const version = r.int16();
  return { version, data: decodeStruct(TransactionLogKey, version, r) };
}

export function decodeTransactionLogValue(buf: Buffer): { version: number; data: TransactionLogValueData } {
  const r = new Reader(buf);
  const version = r.int16();
  return { version, data: decodeStruct(TransactionLogValue, version, r) };
}
