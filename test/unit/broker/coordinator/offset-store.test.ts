/** Committed offsets in memory: commit checks and stamping, fetch, delete and expiry. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../src/protocol/errors.js';
import { OffsetStore, type OffsetToCommit } from '../../../../src/broker/coordinator/offset-store.js';

const NOW = 1_800_000_000_000;
const offset = (partition: number, value: number, over: Partial<OffsetToCommit> = {}): OffsetToCommit => ({
  topic: 't',
  partition,
  offset: value,
  leaderEpoch: 3,
  metadata: null,
  commitTimestamp: -1,
  ...over,
});

const LIMITS = { metadataMaxBytes: 10, metadataMaxTotalBytes: 1 << 20 };

/** Commits as the coordinator does once the write succeeded. */
function commit(store: OffsetStore, groupId: string, offsets: OffsetToCommit[], retentionTimeMs = -1, now = NOW) {
  const { codes, accepted, reserved } = store.prepareCommit(groupId, offsets, LIMITS, retentionTimeMs, now);
  store.release(reserved);
  for (const a of accepted) store.put(groupId, a.entry);
  return codes;
}

describe('OffsetStore', () => {
  it('stamps commits with the commit time and, with a retention time, an expiry', () => {
    const store = new OffsetStore();
    const { codes, accepted } = store.prepareCommit('g', [offset(0, 5), offset(1, 6, { commitTimestamp: 42, metadata: 'm' })], LIMITS, 60_000, NOW);
    expect(codes).toEqual([0, 0]);
    expect(accepted.map((a) => a.entry)).toEqual([
      { topic: 't', partition: 0, offset: 5, leaderEpoch: 3, metadata: '', commitTimestamp: NOW, expireTimestamp: NOW + 60_000 },
      { topic: 't', partition: 1, offset: 6, leaderEpoch: 3, metadata: 'm', commitTimestamp: 42, expireTimestamp: NOW + 60_000 },
    ]);
    expect(store.prepareCommit('g', [offset(0, 5)], LIMITS, -1, NOW).accepted[0]!.entry.expireTimestamp).toBe(-1);
  });

  it('refuses metadata over the limit for that partition only', () => {
    const store = new OffsetStore();
    const codes = commit(store, 'g', [offset(0, 1, { metadata: 'x'.repeat(11) }), offset(1, 2, { metadata: 'x'.repeat(10) })]);
    expect(codes).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, 0]);
    expect(store.fetch('g', null).map((o) => o.partition)).toEqual([1]);
  });

  it('fetches what was committed, -1 for the rest, and keeps the first-commit order', () => {
    const store = new OffsetStore();
    commit(store, 'g', [offset(2, 20), offset(0, 1)]);
    commit(store, 'g', [offset(2, 21)]);
    expect(store.fetch('g', null)).toEqual([
      { topic: 't', partition: 2, offset: 21, leaderEpoch: 3, metadata: '' },
      { topic: 't', partition: 0, offset: 1, leaderEpoch: 3, metadata: '' },
    ]);
    expect(store.fetch('g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 9 }])).toEqual([
      { topic: 't', partition: 0, offset: 1, leaderEpoch: 3, metadata: '' },
      { topic: 't', partition: 9, offset: -1, leaderEpoch: -1, metadata: '' },
    ]);
    expect(store.fetch('other', null)).toEqual([]);
  });

  it('deletes single offsets and whole groups', () => {
    const store = new OffsetStore();
    commit(store, 'g', [offset(0, 1), offset(1, 2)]);
    commit(store, 'h', [offset(0, 7)]);
    store.delete('g', 't', 0);
    expect(store.has('g', 't', 0)).toBe(false);
    expect(store.count('g')).toBe(1);
    store.dropGroup('g');
    expect(store.all('g')).toEqual([]);
    expect(store.count('h')).toBe(1);
  });

  it('expires offsets past their own expiry, or all of them for a group empty too long', () => {
    const store = new OffsetStore();
    commit(store, 'g', [offset(0, 1)], 1000);
    commit(store, 'g', [offset(1, 2)]);
    expect(store.expired('g', NOW + 999, false)).toEqual([]);
    expect(store.expired('g', NOW + 1000, false).map((e) => e.partition)).toEqual([0]);
    expect(store.expired('g', NOW, true).map((e) => e.partition)).toEqual([0, 1]);
  });
});
