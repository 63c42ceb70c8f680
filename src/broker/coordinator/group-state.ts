/**
 * The classic group states and the transitions allowed between them, as a table (Kafka's
 * ClassicGroupState: each state lists the states it may be entered from).
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
 *     ▲                    ▲                                          │ leader's SyncGroup
 *     └── last member ─────┴──── member change / leader rejoin ─── Stable ◀┘
 *   Dead: deleted (DeleteGroups, offset expiry) or no longer coordinated here.
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  // The join phase ended with nobody left.
  Empty: ['PreparingRebalance'],
  // A member joined, changed, left or expired; or the leader's assignment could not be stored.
  PreparingRebalance: ['Empty', 'CompletingRebalance', 'Stable'],
  // Every member joined (or the rebalance timeout passed): waiting for the leader's SyncGroup.
  CompletingRebalance: ['PreparingRebalance'],
  // The leader's assignment was stored.
  Stable: ['CompletingRebalance'],
  // The group was deleted or its offsets expired.
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export function canTransition(from: GroupState, to: GroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}

/** A coordinator bug: a transition the table does not allow. */
export class IllegalGroupTransition extends Error {
  constructor(groupId: string, from: GroupState, to: GroupState) {
    super(`Group ${groupId} should be in ${VALID_PREVIOUS_STATES[to].join(', ')} to move to ${to}, but is in ${from}`);
    this.name = 'IllegalGroupTransition';
  }
}
