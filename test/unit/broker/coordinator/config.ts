/** The coordinator settings the unit tests start from: one offsets partition, no initial delay. */
import type { GroupCoordinatorConfig } from '../../../../src/broker/coordinator/ports.js';

export const testCoordinatorConfig = (overrides: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig => ({
  offsetsTopicNumPartitions: 1,
  offsetsRetentionMs: 7 * 24 * 3_600_000,
  offsetsRetentionCheckIntervalMs: 0,
  offsetMetadataMaxBytes: 4096,
  offsetMetadataMaxTotalBytes: 64 << 20,
  groupInitialRebalanceDelayMs: 0,
  groupMinSessionTimeoutMs: 1000,
  groupMaxSessionTimeoutMs: 60_000,
  groupMaxSize: 100,
  maxPartitions: 1000,
  ...overrides,
});
