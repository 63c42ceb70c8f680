/**
 * The records of Kafka's internal __transaction_state topic (its TransactionLog key and value
 * formats). A key is int16 version 0 + the transactional id; a value starts with its own int16
 * version: v0 (what Kafka 3.x writes, and what is written here), or v1 (flexible, with the
 * KIP-890 producer ids as tagged fields), which is decoded too. A null value is a tombstone (an
 * expired transactional id).
 */
import { Reader, Writer } from './primitives.js';
import { MAX_VERSION as MAX, compileStruct, isFlexible, type MessageDef } from './schema.js';

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

/** Kafka's TransactionState ids, as stored in TransactionStatus. */
export const TXN_STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;
export type TxnStateName = (typeof TXN_STATES)[number];

export const txnStateId = (s: TxnStateName): number => TXN_STATES.indexOf(s);

function encodeVersioned<Data>(def: MessageDef<Data>, version: number, body: NoInfer<Data> & object): Buffer {
  const w = new Writer(64);
  w.int16(version);
  compileStruct(def.fields, version, isFlexible(def, version)).encode(w, body);
  return w.toBuffer();
}

function decodeVersioned<Data>(def: MessageDef<Data>, buf: Buffer): Data {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < def.versions[0] || version > def.versions[1]) throw new Error(`${def.name} version ${version} is not supported`);
  return compileStruct(def.fields, version, isFlexible(def, version)).decode(r) as Data;
}

export const transactionLogKey = (transactionalId: string): Buffer => encodeVersioned(TransactionLogKey, 0, { transactionalId });

export const transactionLogValue = (v: TransactionLogValueData): Buffer => encodeVersioned(TransactionLogValue, 0, v);

export interface TransactionLogRecord {
  transactionalId: string;
  /** null: a tombstone (the transactional id expired). */
  value: (TransactionLogValueData & { state: TxnStateName }) | null;
}

/** Decodes one __transaction_state record; null for a key version this format does not know. */
export function decodeTransactionLogRecord(key: Buffer, value: Buffer | null): TransactionLogRecord | null {
  if (key.length < 2 || key.readInt16BE(0) !== 0) return null;
  const { transactionalId } = decodeVersioned(TransactionLogKey, key);
  if (!value) return { transactionalId, value: null };
  const v = decodeVersioned(TransactionLogValue, value);
  const state = TXN_STATES[v.transactionStatus];
  if (!state) throw new Error(`unknown transaction status ${v.transactionStatus}`);
  return { transactionalId, value: { ...v, state } };
}
