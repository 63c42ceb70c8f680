/** Where a leader says a follower's epoch ends (Kafka's LeaderEpochFileCache.endOffsetFor). */
import { describe, expect, it } from 'vitest';
import { endOffsetForEpoch } from '../../../src/storage/leader-epochs.js';

const entries = [
  { epoch: 2, startOffset: 10 },
  { epoch: 4, startOffset: 30 },
  { epoch: 5, startOffset: 45 },
];

describe('endOffsetForEpoch', () => {
  it('ends the latest epoch at the log end and older ones where the next starts', () => {
    expect(endOffsetForEpoch(entries, 5, 60)).toEqual({ epoch: 5, endOffset: 60 });
    expect(endOffsetForEpoch(entries, 4, 60)).toEqual({ epoch: 4, endOffset: 45 });
    expect(endOffsetForEpoch(entries, 2, 60)).toEqual({ epoch: 2, endOffset: 30 });
  });

  it('answers an unknown middle epoch with the largest known epoch below it', () => {
    expect(endOffsetForEpoch(entries, 3, 60)).toEqual({ epoch: 2, endOffset: 30 });
  });

  it('answers an epoch older than all with itself and the first epoch start (the follower truncates there)', () => {
    expect(endOffsetForEpoch(entries, 0, 60)).toEqual({ epoch: 0, endOffset: 10 });
  });

  it('knows nothing of epochs newer than all, of -1, or of an empty cache', () => {
    expect(endOffsetForEpoch(entries, 9, 60)).toEqual({ epoch: -1, endOffset: -1 });
    expect(endOffsetForEpoch(entries, -1, 60)).toEqual({ epoch: -1, endOffset: -1 });
    expect(endOffsetForEpoch([], 1, 60)).toEqual({ epoch: -1, endOffset: -1 });
  });
});
