/**
 * The records of Kafka's internal __consumer_offsets topic. A key starts with an int16 version
 * that says what the record is (0/1 offset commit, 2 group metadata); a value starts with its own
 * version. A null value is a tombstone. Every version written here is one Burrow 1.2.1 decodes:
 * offset values v3 (v1 when the commit carried a retention time), group metadata v1 (v3 when a
 * member has a group.instance.id).
 */
import { GroupMetadataKey, GroupMetadataValue, OffsetCommitKey, OffsetCommitValue, type GroupMetadataValueData } from './data/index.js';
import { Reader, Writer } from './primitives.js';
import { compileStruct, isFlexible, type MessageDef } from './schema.js';

function encodeVersioned<Data>(def: MessageDef<Data>, version: number, body: NoInfer<Data> & object): Buffer {
  const w = new Writer(64);
  w.int16(version);
  compileStruct(def.fields, version, isFlexible(def, version)).encode(w, body);
  return w.toBuffer();
}

function decodeVersioned<Data>(def: MessageDef<Data>, buf: Buffer): { version: number; body: Data } {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < def.versions[0] || version > def.versions[1]) throw new Error(`${def.name} version ${version} is not supported`);
  return { version, body: compileStruct(def.fields, version, isFlexible(def, version)).decode(r) as Data };
}

export interface OffsetEntry {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** -1 unless the commit asked for a retention time (OffsetCommit v2-4). */
  expireTimestamp: number;
}

export const offsetKey = (group: string, topic: string, partition: number): Buffer => encodeVersioned(OffsetCommitKey, 1, { group, topic, partition });

export const offsetValue = (e: OffsetEntry): Buffer =>
  e.expireTimestamp >= 0
    ? encodeVersioned(OffsetCommitValue, 1, { offset: e.offset, metadata: e.metadata, commitTimestamp: e.commitTimestamp, expireTimestamp: e.expireTimestamp })
    : encodeVersioned(OffsetCommitValue, 3, { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, commitTimestamp: e.commitTimestamp });

export const groupKey = (group: string): Buffer => encodeVersioned(GroupMetadataKey, 2, { group });

export const groupValue = (g: GroupMetadataValueData): Buffer => {
  const version = g.members.some((m) => m.groupInstanceId) ? 3 : 1;
  return encodeVersioned(GroupMetadataValue, version, g);
};

export type OffsetsRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: OffsetEntry | null }
  | { kind: 'group'; group: string; value: GroupMetadataValueData | null };

/** Decodes one __consumer_offsets record; null for keys of other kinds (skipped, as Kafka does). */
export function decodeOffsetsRecord(key: Buffer, value: Buffer | null): OffsetsRecord | null {
  const keyVersion = key.readInt16BE(0);
  if (keyVersion === 0 || keyVersion === 1) {
    const k = decodeVersioned(OffsetCommitKey, key).body;
    if (!value) return { kind: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const { body: v } = decodeVersioned(OffsetCommitValue, value);
    return {
      kind: 'offset',
      group: k.group,
      topic: k.topic,
      partition: k.partition,
      value: { offset: v.offset, leaderEpoch: v.leaderEpoch ?? -1, metadata: v.metadata ?? '', commitTimestamp: v.commitTimestamp, expireTimestamp: v.expireTimestamp ?? -1 },
    };
  }
  if (keyVersion === 2) {
    const k = decodeVersioned(GroupMetadataKey, key).body;
    return { kind: 'group', group: k.group, value: value ? decodeVersioned(GroupMetadataValue, value).body : null };
  }
  return null;
}
