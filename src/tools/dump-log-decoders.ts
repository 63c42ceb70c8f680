/**
 * How dump-log renders records: Kafka's decoder classes (StringDecoder, DefaultDecoder,
 * IntegerDecoder, LongDecoder) mapped to kafka-ts's decoders (string, hex, base64, json, int,
 * long), the __consumer_offsets parser (--offsets-decoder: keys and values as Kafka's JSON), the
 * __transaction_state parser (--transaction-log-decoder) and control records' markers.
 */
import { decodeAssignment, decodeSubscription } from '../protocol/consumer-protocol.js';
import { ConsumerProtocolAssignment, ConsumerProtocolSubscription, GroupMetadataKey, GroupMetadataValue, OffsetCommitKey, OffsetCommitValue } from '../protocol/data/index.js';
import { Reader } from '../protocol/primitives.js';
import type { BatchHeader, RecordHeader } from '../protocol/record-batch.js';
import { decodeStruct, type FieldDef, type MessageDef } from '../protocol/schema.js';
import { TransactionLogKey, TransactionLogValue } from '../protocol/transaction-log.js';
import { UsageError } from '../util/errors.js';

/**
 * A 64-bit value read from a file that may be corrupt or crafted: a number while it is a safe
 * integer, else a bigint (exact digits in text and JSON; Kafka prints the exact long). One value
 * has one form, so === compares them.
 */
export type Long = number | bigint;
export const exactLong = (v: bigint): Long => (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v);
/** `base + delta`, exact: in doubles while the sum is safe (then it is exact), else in bigints. */
export const plusLong = (base: Long, delta: number): Long => (typeof base === 'number' && Number.isSafeInteger(base + delta) ? base + delta : exactLong(BigInt(base) + BigInt(delta)));

export interface BatchLine {
  baseOffset: Long;
  lastOffset: Long;
  count: number;
  baseSequence: number;
  lastSequence: number;
  producerId: Long;
  producerEpoch: number;
  partitionLeaderEpoch: number;
  isTransactional: boolean;
  isControl: boolean;
  deleteHorizonMs: Long | null;
  position: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  maxTimestamp: Long;
  size: number;
  magic: number;
  compressCodec: string;
  crc: number;
  isValid: boolean;
}

export interface RecordLine {
  offset: Long;
  timestampType: 'CreateTime' | 'LogAppendTime';
  timestamp: Long;
  keySize: number;
  valueSize: number;
  sequence: number;
  headerKeys: string[];
  /** Control records: what the marker says (" endTxnMarker: COMMIT coordinatorEpoch: 0"). */
  control?: string;
  /** Decoded key and payload (undefined when absent or not printed). */
  key?: string;
  payload?: string;
}

export const DECODERS = ['string', 'hex', 'base64', 'json', 'int', 'long'] as const;
export type DecoderName = (typeof DECODERS)[number];

export type PayloadParser = { kind: 'decoders'; key: DecoderName; value: DecoderName } | { kind: 'offsets' } | { kind: 'transaction-log' } | { kind: 'cluster-metadata' };

/** Kafka's decoder classes (the current and the deprecated names) and what kafka-ts does for each. */
const CLASSES: Record<string, DecoderName> = {
  'org.apache.kafka.tools.api.StringDecoder': 'string',
  'kafka.serializer.StringDecoder': 'string',
  // Kafka prints a byte[]'s identity ("[B@1b6d3586"); the bytes themselves are more use.
  'org.apache.kafka.tools.api.DefaultDecoder': 'hex',
  'kafka.serializer.DefaultDecoder': 'hex',
  'org.apache.kafka.tools.api.IntegerDecoder': 'int',
  'kafka.serializer.IntegerDecoder': 'int',
  'org.apache.kafka.tools.api.LongDecoder': 'long',
  'kafka.serializer.LongDecoder': 'long',
};

/** A --key-decoder-class / --value-decoder-class / --decoder value: a Kafka class name or a decoder name. */
export function decoderOf(value: string, option: string): DecoderName {
  const v = value.trim();
  if ((DECODERS as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase() as DecoderName;
  const d = CLASSES[v];
  if (d) return d;
  throw new UsageError(`${option}: unknown decoder '${value}' (expected ${DECODERS.join(', ')}, or one of Kafka's org.apache.kafka.tools.api.StringDecoder, DefaultDecoder, IntegerDecoder, LongDecoder)`);
}

/** Builds the parser from the options (decoder names already checked). */
export const payloadParser = (special: 'offsets' | 'transaction-log' | 'cluster-metadata' | false, key: DecoderName, value: DecoderName): PayloadParser =>
  special ? { kind: special } : { kind: 'decoders', key, value };

export function decode(buf: Buffer, d: DecoderName): string {
  switch (d) {
    case 'string':
      return buf.toString('utf8');
    case 'hex':
      return buf.toString('hex');
    case 'base64':
      return buf.toString('base64');
    case 'int':
      return buf.length === 4 ? String(buf.readInt32BE(0)) : `<not a 4-byte integer: ${buf.toString('hex')}>`;
    case 'long':
      return buf.length === 8 ? String(buf.readBigInt64BE(0)) : `<not an 8-byte long: ${buf.toString('hex')}>`;
    case 'json': {
      const s = buf.toString('utf8');
      try {
        return JSON.stringify(JSON.parse(s));
      } catch {
        return s;
      }
    }
  }
}

/** JSON as Kafka's generated converters write it: byte fields in base64. */
function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
    const raw = this[k];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : v;
  });
}

/** Only the fields `version` has, as Kafka's JSON converters write them (the decoder fills in the others' defaults). */
function inVersion(fields: readonly FieldDef[], version: number, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => inVersion(fields, version, v));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (version < f.versions[0] || version > f.versions[1]) continue;
    const v = (value as Record<string, unknown>)[f.name];
    out[f.name] = f.fields ? inVersion(f.fields, version, v) : v;
  }
  return out;
}

function versioned<T>(def: MessageDef<T>, buf: Buffer): { version: number; data: T } {
  const r = new Reader(buf);
  const version = r.int16();
  return { version, data: inVersion(def.fields, version, decodeStruct(def, version, r)) as T };
}

/** A group's metadata, with the consumer protocol's subscriptions and assignments decoded as Kafka's tool does. */
function groupValueJson(buf: Buffer): string {
  const { version, data } = versioned(GroupMetadataValue, buf);
  if (data.protocolType === 'consumer') {
    const members = data.members.map((m) => {
      const out: Record<string, unknown> = { ...m };
      try {
        out.subscription = inVersion(ConsumerProtocolSubscription.fields, m.subscription.readInt16BE(0), decodeSubscription(m.subscription));
      } catch {
        /* keep the bytes */
      }
      try {
        out.assignment = inVersion(ConsumerProtocolAssignment.fields, m.assignment.readInt16BE(0), decodeAssignment(m.assignment));
      } catch {
        /* keep the bytes */
      }
      return out;
    });
    return toJson({ version: String(version), data: { ...data, members } });
  }
  return toJson({ version: String(version), data });
}

/** Kafka's --offsets-decoder rendering of one __consumer_offsets record. */
export function offsetsRecord(offset: Long, key: Buffer | null, value: Buffer | null): { key?: string; payload?: string } {
  if (!key) return { key: `Failed to decode message at offset ${offset} using offset topic decoder (message had a missing key)` };
  try {
    const type = key.readInt16BE(0);
    if (type === 0 || type === 1) {
      const k = versioned(OffsetCommitKey, key);
      const payload = value ? (({ version, data }) => toJson({ version: String(version), data }))(versioned(OffsetCommitValue, value)) : '<DELETE>';
      return { key: toJson({ type: String(k.version), data: k.data }), payload };
    }
    if (type === 2) {
      const k = versioned(GroupMetadataKey, key);
      return { key: toJson({ type: String(k.version), data: k.data }), payload: value ? groupValueJson(value) : '<DELETE>' };
    }
    return { key: `Unknown record type ${type} at offset ${offset}, skipping.` };
  } catch (e) {
    return { key: `Error at offset ${offset}, skipping. ${(e as Error).message}` };
  }
}

/**
 * Kafka's --transaction-log-decoder rendering of one __transaction_state record: the key as
 * {"type":"0","data":{"transactionalId":…}}, the value as {"version":"1","data":{…}} (tagged fields
 * only when not at their default, as Kafka's JSON converters write them), <DELETE> for a tombstone.
 */
export function transactionLogRecord(offset: Long, key: Buffer | null, value: Buffer | null): { key?: string; payload?: string } {
  if (!key) return { key: `Failed to decode message at offset ${offset} using the transaction log decoder (message had a missing key)` };
  try {
    const type = key.readInt16BE(0);
    if (type !== 0) return { key: `Unknown record type ${type} at offset ${offset}, skipping.` };
    const k = versioned(TransactionLogKey, key);
    let payload = '<DELETE>';
    if (value) {
      const { version, data } = versioned(TransactionLogValue, value);
      const out: Record<string, unknown> = {};
      for (const f of TransactionLogValue.fields) {
        if (version < f.versions[0] || version > f.versions[1]) continue;
        const v = (data as unknown as Record<string, unknown>)[f.name];
        if (f.tag !== undefined && v === f.default) continue;
        out[f.name] = v;
      }
      payload = toJson({ version: String(version), data: out });
    }
    return { key: toJson({ type: String(k.version), data: k.data }), payload };
  } catch (e) {
    return { key: `Error at offset ${offset}, skipping. ${(e as Error).message}` };
  }
}

const CONTROL_TYPES = ['ABORT', 'COMMIT', 'SNAPSHOT_HEADER', 'SNAPSHOT_FOOTER', 'KRAFT_VERSION', 'KRAFT_VOTERS'];

function controlText(key: Buffer | null, value: Buffer | null): string {
  if (!key || key.length < 4) return ' controlType: UNKNOWN(-1)';
  const id = key.readInt16BE(2);
  const name = CONTROL_TYPES[id] ?? 'UNKNOWN';
  if ((id === 0 || id === 1) && value && value.length >= 6) return ` endTxnMarker: ${name} coordinatorEpoch: ${value.readInt32BE(2)}`;
  return ` controlType: ${name}(${id})`;
}

const incrementSequence = (seq: number, by: number): number => (seq > 0x7fffffff - by ? by - (0x7fffffff - seq) - 1 : seq + by);

/** Turns decoded records into RecordLines for one walk. */
export class RecordDecoder {
  constructor(
    private readonly parser: PayloadParser,
    private readonly printData: boolean,
  ) {}

  /** A record of the batch `batch` (its exact fields), at `offsetDelta` and `timestampDelta` from the batch's base. */
  line(h: BatchHeader, batch: BatchLine, baseTimestamp: Long, offsetDelta: number, timestampDelta: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]): RecordLine {
    const offset = plusLong(batch.baseOffset, offsetDelta);
    const r: RecordLine = {
      offset,
      timestampType: batch.timestampType,
      timestamp: batch.timestampType === 'LogAppendTime' ? batch.maxTimestamp : plusLong(baseTimestamp, timestampDelta),
      keySize: key ? key.length : -1,
      valueSize: value ? value.length : -1,
      sequence: h.baseSequence === -1 ? -1 : incrementSequence(h.baseSequence, offsetDelta),
      headerKeys: headers.map((x) => x.key),
    };
    if (batch.isControl) r.control = controlText(key, value);
    if (this.printData && !batch.isControl) {
      if (this.parser.kind === 'offsets') Object.assign(r, offsetsRecord(offset, key, value));
      else if (this.parser.kind === 'transaction-log') Object.assign(r, transactionLogRecord(offset, key, value));
      else if (this.parser.kind === 'decoders') {
        if (key) r.key = decode(key, this.parser.key);
        if (value) r.payload = decode(value, this.parser.value);
      }
    }
    return r;
  }
}
