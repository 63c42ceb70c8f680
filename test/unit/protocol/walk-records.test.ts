/**
 * walkRecords, the produce path's check that a batch's records parse (Kafka's LogValidator
 * iterates them): it accepts exactly what the record decoder reads back whole, finds the first
 * record without a key, and refuses every truncation, overrun, trailing byte and over-long varint.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, decodeBatchRecords, encodeBatch, walkRecords } from '../../../src/protocol/record-batch.js';

const body = (b: Buffer) => b.subarray(BATCH_HEADER_SIZE);

const varied = () =>
  encodeBatch(
    [
      { key: Buffer.from('k1'), value: Buffer.from('v'.repeat(300)), timestamp: 1_700_000_000_000 },
      { key: null, value: null, timestamp: 1_699_000_000_000 }, // a negative timestamp delta
      { key: Buffer.alloc(0), value: Buffer.alloc(9000, 1), headers: [{ key: 'h', value: Buffer.from('x') }, { key: '', value: null }], timestamp: 1_700_000_500_000 },
      { key: Buffer.from('k4'), value: Buffer.from('4'), timestamp: 1_700_000_000_000 },
    ],
    { now: 0 },
  );

describe('walkRecords', () => {
  it('accepts what the decoder reads, and finds the first record without a key', () => {
    const b = varied();
    expect(decodeBatchRecords(b)).toHaveLength(4);
    expect(walkRecords(body(b), 4)).toBe(1);
    const keyed = encodeBatch(Array.from({ length: 200 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${i}`) })));
    expect(walkRecords(body(keyed), 200)).toBe(-1);
  });

  it('refuses a body cut anywhere, a count above or below the records present, and bytes after the last record', () => {
    const b = body(varied());
    // Every byte outside the long value (a cut inside it is the same case throughout).
    const cuts = Array.from({ length: b.length }, (_, i) => i).filter((i) => i < 400 || i > b.length - 100 || i % 97 === 0);
    for (const cut of cuts) expect(() => walkRecords(b.subarray(0, cut), 4), `cut at ${cut}`).toThrow(/does not parse|follow/);
    expect(() => walkRecords(b, 5)).toThrow(/record 4 of 5 does not parse/);
    expect(() => walkRecords(b, 3)).toThrow(/bytes follow the batch's 3 records/);
    expect(() => walkRecords(Buffer.concat([b, Buffer.from([0])]), 4)).toThrow(/1 bytes follow/);
  });

  it('refuses a record whose fields overrun or do not fill its length, and offset deltas out of order', () => {
    const one = () => Buffer.from(body(encodeBatch([{ key: Buffer.from('ab'), value: Buffer.from('cd') }], { now: 0 })));
    // [length 10][attributes][ts delta][offset delta][key len 2]ab[value len 2]cd[0 headers]
    expect([...one()]).toEqual([20, 0, 0, 0, 4, 97, 98, 4, 99, 100, 0]);
    const withLength = (len: number) => Buffer.from([len * 2, ...one().subarray(1)]);
    expect(() => walkRecords(withLength(11), 1)).toThrow(/its length overruns the batch/);
    expect(() => walkRecords(Buffer.concat([withLength(11), Buffer.from([0])]), 1)).toThrow(/do not fill its length/);
    expect(() => walkRecords(withLength(9), 1)).toThrow(/does not parse/);
    const keyTooLong = one();
    keyTooLong[4] = 2 * 5;
    expect(() => walkRecords(keyTooLong, 1)).toThrow(/overrun/);
    const delta = one();
    delta[3] = 2 * 1;
    expect(() => walkRecords(delta, 1)).toThrow(/its offset delta is 1/);
    // The produce path asks to be told instead: it renumbers such records, as Kafka does.
    const deltas = { inOrder: true };
    expect(walkRecords(delta, 1, deltas)).toBe(-1);
    expect(deltas.inOrder).toBe(false);
    const headerWithoutKey = Buffer.from([2 * 12, 0, 0, 0, 4, 97, 98, 4, 99, 100, 2, 1, 1]);
    expect(() => walkRecords(headerWithoutKey, 1)).toThrow(/header 0 has no key/);
    // A varint longer than Kafka reads (5 bytes for an int) is refused, not wrapped around.
    const longVarint = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect(() => walkRecords(longVarint, 1)).toThrow(/does not parse/);
  });
});
