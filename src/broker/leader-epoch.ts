/**
 * Kafka's check of the leader epoch a client believes current (Partition.checkCurrentLeaderEpoch),
 * shared by Fetch (v9+) and ListOffsets (v4+): -1 (or any negative value) skips it; an epoch older
 * than the leader's is FENCED_LEADER_EPOCH (the client's metadata is stale), a newer one
 * UNKNOWN_LEADER_EPOCH (this broker has not caught up yet).
 */
import { ErrorCode } from '../protocol/errors.js';

export function leaderEpochError(requested: number | undefined, leaderEpoch: number): number | null {
  const current = requested ?? -1;
  if (current < 0) return null;
  if (current < leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (current > leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return null;
}
