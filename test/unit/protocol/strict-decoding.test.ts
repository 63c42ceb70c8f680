/** The decoder refuses null where the schema has none (issue 14, point 2), as Kafka's readers do. */
import { describe, expect, it } from 'vitest';
import { Metadata, SyncGroup } from '../../../src/protocol/apis/index.js';
import { ProtocolDecodeError, Reader, Writer } from '../../../src/protocol/primitives.js';
import { compileStruct } from '../../../src/protocol/schema.js';

const decodeRequest = (fields: typeof Metadata.request, version: number, flexible: boolean, bytes: Buffer) =>
  compileStruct(fields, version, flexible).decode(new Reader(bytes));

describe('null in a non-nullable field', () => {
  it('is refused in a string (Metadata v1 topic name), naming the field', () => {
    const body = new Writer().int32(1).int16(-1).toBuffer();
    expect(() => decodeRequest(Metadata.request, 1, false, body)).toThrow(ProtocolDecodeError);
    expect(() => decodeRequest(Metadata.request, 1, false, body)).toThrow('non-nullable field name was serialized as null');
  });

  it('is refused in a compact string (SyncGroup v4 group id)', () => {
    const body = new Writer().uvarint(0).toBuffer();
    expect(() => decodeRequest(SyncGroup.request, 4, true, body)).toThrow('non-nullable field groupId was serialized as null');
  });

  it('is refused in an array (Metadata v0 topics), for -1 and any other negative count', () => {
    for (const n of [-1, -5, -0x80000000]) {
      expect(() => decodeRequest(Metadata.request, 0, false, new Writer().int32(n).toBuffer())).toThrow('non-nullable field topics was serialized as null');
    }
  });

  it('is refused in a compact array (SyncGroup v4 assignments)', () => {
    const body = new Writer().compactString('g').int32(1).compactString('m').uvarint(0).uvarint(0).toBuffer();
    expect(() => decodeRequest(SyncGroup.request, 4, true, body)).toThrow('non-nullable field assignments was serialized as null');
  });

  it('reads any negative count of a nullable array as null, as Kafka does (Metadata v1 topics -5)', () => {
    expect(decodeRequest(Metadata.request, 1, false, new Writer().int32(-5).toBuffer())).toMatchObject({ topics: null });
  });

  it('is still accepted where the schema allows it (Metadata v1 null topic list, v10 null topic name)', () => {
    expect(decodeRequest(Metadata.request, 1, false, new Writer().int32(-1).toBuffer())).toMatchObject({ topics: null });
    const v10 = new Writer().uvarint(2).uuid(Buffer.alloc(16, 1)).uvarint(0).uvarint(0).int8(1).int8(0).int8(0).uvarint(0).toBuffer();
    expect(decodeRequest(Metadata.request, 10, true, v10)).toMatchObject({ topics: [{ name: null }] });
  });
});
