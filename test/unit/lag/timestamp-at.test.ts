/**
 * timestampAt, the lag watcher's time of the record at an offset in fetched bytes: a batch cut
 * short by the size limit gives its base timestamp as a lower bound, except when the log cleaner
 * put its delete horizon there (KIP-534), which is no record's time.
 */
import { describe, expect, it } from 'vitest';
import { timestampAt } from '../../../src/lag/collector.js';
import { BatchBuilder, encodeBatch } from '../../../src/protocol/record-batch.js';

const T0 = 1_700_000_000_000;

describe('timestampAt', () => {
  it('finds the record in a whole batch, and bounds it by the base timestamp in a cut one', () => {
    const b = encodeBatch([{ value: Buffer.from('a'), timestamp: T0 }, { value: Buffer.from('b'), timestamp: T0 + 5 }]);
    expect(timestampAt(b, 1)).toBe(T0 + 5);
    expect(timestampAt(b.subarray(0, b.length - 2), 1)).toBe(T0);
  });

  it('never takes a cleaned batch’s delete horizon for a record time', () => {
    const builder = new BatchBuilder();
    builder.setDeleteHorizon(T0 + 86_400_000);
    builder.append(Buffer.from('k'), null, undefined, T0);
    const b = builder.build();
    expect(timestampAt(b, 0)).toBe(T0);
    expect(timestampAt(b.subarray(0, b.length - 2), 0)).toBeNull();
  });
});
